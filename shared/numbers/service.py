"""The rules of a tenant's phone numbers: search, provision (buy), import, release.

A number is held by one tenant at a time (a guard item per E.164). Buying happens at the carrier
before the number is recorded; if recording loses a race to another tenant, the purchase is given
back. Releasing unwires the webhooks and gives a provisioned number back to the carrier (the rent
stops at `released_at`); an imported number belongs to the tenant's own carrier account, so it is
only unwired, never deleted there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.accounts.real_calls import ensure_may_place_real_calls
from shared.numbers import repository
from shared.numbers.models import AvailableNumberView, PhoneNumber
from shared.onboarding.telephony_selection import get_telephony, get_telephony_named
from shared.phones import country_of, to_e164
from shared.platform import clock
from shared.platform.errors import BadRequest, Conflict, NotFound
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event, get_logger, mask_phone
from shared.platform.settings import get_settings

if TYPE_CHECKING:
    from shared.auth.principal import Principal
    from shared.providers.telephony.port import OwnedNumber


def webhook_urls() -> tuple[str, str]:
    """This deployment's voice and status-callback webhooks (the routes come with the dialer)."""
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/webhooks/voice", f"{base}/webhooks/status"


def list_numbers(principal: "Principal") -> list[PhoneNumber]:
    return repository.list_for_tenant(principal.tenant_id)


def search_available(principal: "Principal", country: str, area_code: str | None,
                     limit: int) -> list[AvailableNumberView]:
    provider = get_telephony(principal.tenant_id, country)
    found = provider.search_available(country, area_code, limit)
    held = repository.holders(number.phone_e164 for number in found) if found else {}
    return [AvailableNumberView(phone_e164=number.phone_e164, country=number.country, region=number.region,
                                locality=number.locality, capabilities=list(number.capabilities),
                                monthly_cost_minor=number.monthly_cost_minor, currency=number.currency,
                                provider=provider.name)
            for number in found if number.phone_e164 not in held]


def provision_number(principal: "Principal", phone: str) -> PhoneNumber:
    """Buy a number (Idempotency-Key is honoured around the route, for every POST alike)."""
    e164, country = _parse(phone)
    _refuse_if_held(principal.tenant_id, e164)
    provider = get_telephony(principal.tenant_id, country)
    if provider.name != "sandbox":  # a real number is real rent (on the platform's account when bundled)
        ensure_may_place_real_calls(principal.tenant_id)
    voice_url, status_url = webhook_urls()
    owned = provider.buy(e164, voice_url, status_url)
    number = _number(e164, country, provider.name, owned, "provision", voice_url, status_url)
    try:
        repository.create(principal.tenant_id, number)
    except Conflict:
        provider.release(owned.provider_sid)  # another workspace recorded it first: do not pay for it
        raise
    get_logger().info("number provisioned", extra={"tenant_id": principal.tenant_id, "phone": mask_phone(e164)})
    count_business_event("number_provisioned")
    return number


def import_number(principal: "Principal", phone: str) -> PhoneNumber:
    e164, country = _parse(phone)
    _refuse_if_held(principal.tenant_id, e164)
    provider = get_telephony(principal.tenant_id, country)
    owned = provider.verify_owned(e164)
    if owned is None:
        raise NotFound(f"Your {provider.name} account does not hold that number", code="NUMBER_NOT_OWNED",
                       field="phone_e164")
    voice_url, status_url = webhook_urls()
    provider.update_webhooks(owned.provider_sid, voice_url, status_url)
    number = _number(e164, country, provider.name, owned, "import", voice_url, status_url)
    repository.create(principal.tenant_id, number)
    get_logger().info("number imported", extra={"tenant_id": principal.tenant_id, "phone": mask_phone(e164)})
    count_business_event("number_imported")
    return number


def release_number(principal: "Principal", number_id: str) -> PhoneNumber:
    number = repository.find(principal.tenant_id, number_id)
    if number is None:
        raise NotFound("No such number in this workspace", code="NUMBER_NOT_FOUND")
    if number.status == "released":
        return number  # idempotent: the first release stands
    provider = get_telephony_named(principal.tenant_id, number.provider)
    provider.update_webhooks(number.provider_sid, "", "")
    if number.acquired_via == "provision":
        provider.release(number.provider_sid)
    repository.mark_released(principal.tenant_id, number.id, number.phone_e164, clock.now())
    count_business_event("number_released")
    return repository.find(principal.tenant_id, number_id) or number


def _parse(phone: str) -> tuple[str, str]:
    e164 = to_e164(phone.strip(), None)
    country = country_of(e164) if e164 else None
    if e164 is None or country is None:
        raise BadRequest("phone_e164 must be a valid number in E.164 form, e.g. +14155550123",
                         code="INVALID_PHONE_NUMBER", field="phone_e164")
    return e164, country


def _refuse_if_held(tenant_id: int, e164: str) -> None:
    holder = repository.holders([e164]).get(e164)
    if holder == tenant_id:
        raise Conflict("This workspace already holds that number", code="NUMBER_ALREADY_YOURS", field="phone_e164")
    if holder is not None:
        raise Conflict("That number is held by another workspace", code="NUMBER_ALREADY_HELD", field="phone_e164")


def _number(e164: str, country: str, provider: str, owned: "OwnedNumber", via: str, voice_url: str,
            status_url: str) -> PhoneNumber:
    return PhoneNumber(id=new_id("num"), phone_e164=e164, country=country, status="active", provider=provider,
                       provider_sid=owned.provider_sid, acquired_via=via, capabilities=list(owned.capabilities),
                       monthly_cost_minor=owned.monthly_cost_minor or 0, currency=owned.currency or "USD",
                       voice_url=voice_url, status_callback_url=status_url, created_at=clock.now())
