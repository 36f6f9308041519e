"""The sandbox carrier: a deterministic inventory per country, ownership kept in the table.

Used when a tenant has no Twilio/Exotel credentials (and none are bundled). The same country and
area code always list the same numbers, each a valid E.164 number per `phonenumbers`. Every tenant's
sandbox account comes holding `PREOWNED_PER_COUNTRY` numbers per country (`preowned_numbers`), so
`POST /numbers/import` can be tried without buying first; it sells any other valid number of a
supported country it does not already hold.
"""

from __future__ import annotations

import hashlib

from shared.phones import country_of, to_e164
from shared.platform.errors import BadRequest
from shared.providers.telephony import sandbox_lines
from shared.providers.telephony.port import AvailableNumber, OwnedNumber

#: country → (default area prefix, national number length, monthly rent in minor units, currency)
INVENTORY: dict[str, tuple[str, int, int, str]] = {
    "US": ("415", 10, 115, "USD"),
    "CA": ("416", 10, 115, "USD"),
    "IN": ("80", 10, 49_900, "INR"),
    "GB": ("20", 10, 100, "GBP"),
    "AU": ("2", 9, 600, "AUD"),
    "SG": ("6", 8, 1_200, "SGD"),
    "AE": ("4", 8, 3_700, "AED"),
}
#: Where the default prefix rings (phonenumbers' geocoder would cost ~1 s to load: not worth it here).
DEFAULT_LOCALITY = {"US": "San Francisco, CA", "CA": "Toronto, ON", "IN": "Bangalore, Karnataka", "GB": "London",
                    "AU": "Sydney, NSW", "SG": "Singapore", "AE": "Dubai"}
PREOWNED_PER_COUNTRY = 3
SID_PREFIX = "SB"
_MAX_ATTEMPTS_PER_NUMBER = 20


class SandboxTelephony:
    name = "sandbox"

    def __init__(self, tenant_id: int) -> None:
        self._tenant_id = tenant_id

    def search_available(self, country: str, area_code: str | None, limit: int) -> list[AvailableNumber]:
        if country not in INVENTORY:
            return []
        preowned = set(preowned_numbers(country))
        candidates = [e164 for e164 in _numbers(country, area_code, limit + len(preowned), seed="sale")
                      if e164 not in preowned]
        default_prefix, _, cost, currency = INVENTORY[country]
        locality = DEFAULT_LOCALITY[country] if area_code in (None, default_prefix) else None
        return [AvailableNumber(phone_e164=e164, country=country, locality=locality,
                                capabilities=("voice", "sms"), monthly_cost_minor=cost, currency=currency)
                for e164 in candidates[:limit]]

    def buy(self, phone_e164: str, voice_url: str, status_callback_url: str) -> OwnedNumber:
        country = country_of(phone_e164)
        if country not in INVENTORY or to_e164(phone_e164, None) != phone_e164:
            raise BadRequest("The sandbox carrier does not sell that number", code="NUMBER_NOT_AVAILABLE",
                             field="phone_e164")
        if self.verify_owned(phone_e164) is not None:
            raise BadRequest("The sandbox account already holds that number; import it instead",
                             code="NUMBER_NOT_AVAILABLE", field="phone_e164")
        sandbox_lines.put(self._tenant_id, sandbox_lines.SandboxLine(phone_e164, True, voice_url, status_callback_url))
        _, _, cost, currency = INVENTORY[country]
        return OwnedNumber(provider_sid=_sid(phone_e164), phone_e164=phone_e164, monthly_cost_minor=cost,
                           currency=currency, capabilities=("voice", "sms"))

    def verify_owned(self, phone_e164: str) -> OwnedNumber | None:
        line = sandbox_lines.get(self._tenant_id, phone_e164)
        held = line.held if line else phone_e164 in preowned_numbers(country_of(phone_e164) or "")
        if not held:
            return None
        return OwnedNumber(provider_sid=_sid(phone_e164), phone_e164=phone_e164, capabilities=("voice", "sms"))

    def update_webhooks(self, provider_sid: str, voice_url: str, status_callback_url: str) -> None:
        e164 = _e164_of(provider_sid)
        line = sandbox_lines.get(self._tenant_id, e164)
        held = line.held if line else e164 in preowned_numbers(country_of(e164) or "")
        sandbox_lines.put(self._tenant_id, sandbox_lines.SandboxLine(e164, held, voice_url, status_callback_url))

    def release(self, provider_sid: str) -> None:
        sandbox_lines.put(self._tenant_id, sandbox_lines.SandboxLine(_e164_of(provider_sid), False, None, None))


def preowned_numbers(country: str) -> list[str]:
    """The numbers every tenant's sandbox account holds from the start in that country."""
    if country not in INVENTORY:
        return []
    return _numbers(country, None, PREOWNED_PER_COUNTRY, seed="preowned")


def _numbers(country: str, area_code: str | None, count: int, *, seed: str) -> list[str]:
    default_prefix, length, _, _ = INVENTORY[country]
    prefix = area_code or default_prefix
    free_digits = length - len(prefix)
    if free_digits < 4:
        return []
    span = 10 ** free_digits
    numbers: list[str] = []
    for step in range(count * _MAX_ATTEMPTS_PER_NUMBER):
        if len(numbers) == count:
            break
        # A hash per step, not a stride: validity depends on the leading digits, so vary all of them.
        digits = int(hashlib.sha256(f"{seed}:{country}:{prefix}:{step}".encode()).hexdigest()[:16], 16) % span
        national = f"{prefix}{digits:0{free_digits}d}"
        e164 = to_e164(f"+{_calling_code(country)}{national}", None)
        if e164 and country_of(e164) == country and e164 not in numbers:
            numbers.append(e164)
    return numbers


def _calling_code(country: str) -> int:
    import phonenumbers

    return phonenumbers.country_code_for_region(country)


def _sid(e164: str) -> str:
    return f"{SID_PREFIX}{e164.lstrip('+')}"


def _e164_of(provider_sid: str) -> str:
    return f"+{provider_sid.removeprefix(SID_PREFIX)}"
