"""Which carrier serves a tenant's numbers: Exotel for India when configured, else Twilio, else the sandbox.

Credentials come from `shared.onboarding.credentials.resolve_credential` (the tenant's validated BYOK
secret in byok mode, the bundled one otherwise, None when there is neither). Choosing an adapter from a
tenant's configuration is the onboarding domain's decision, so it lives here and the adapters under
shared/providers/telephony never read a tenant's configuration themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.onboarding import credentials

if TYPE_CHECKING:
    from shared.providers.telephony.port import TelephonyProvider

EXOTEL_COUNTRIES = frozenset({"IN"})


def get_telephony(tenant_id: int, country: str | None) -> "TelephonyProvider":
    if country in EXOTEL_COUNTRIES:
        exotel = _fields(tenant_id, "exotel")
        if exotel and all(exotel.get(name) for name in ("api_key", "api_token", "account_sid")):
            from shared.providers.telephony.exotel import ExotelTelephony

            return ExotelTelephony(api_key=exotel["api_key"], api_token=exotel["api_token"],
                                   account_sid=exotel["account_sid"],
                                   subdomain=(exotel.get("subdomain") or "api.in.exotel.com").lstrip("@"))
    twilio = _fields(tenant_id, "twilio")
    if twilio and twilio.get("account_sid") and twilio.get("auth_token"):
        from shared.providers.telephony.twilio import TwilioTelephony

        return TwilioTelephony(account_sid=twilio["account_sid"], auth_token=twilio["auth_token"])
    from shared.providers.telephony.sandbox import SandboxTelephony

    return SandboxTelephony(tenant_id)


def get_telephony_named(tenant_id: int, name: str) -> "TelephonyProvider":
    """The adapter a number was bought through (release and re-wiring go back to the same carrier)."""
    if name == "sandbox":
        from shared.providers.telephony.sandbox import SandboxTelephony

        return SandboxTelephony(tenant_id)
    provider = get_telephony(tenant_id, "IN" if name == "exotel" else None)
    if provider.name != name:
        from shared.platform.errors import Unavailable

        raise Unavailable(f"The {name} credentials this number was bought with are no longer configured",
                          code="TELEPHONY_NOT_CONFIGURED")
    return provider


def _fields(tenant_id: int, provider: str) -> dict[str, str] | None:
    return _as_dict(credentials.resolve_credential(tenant_id, provider))


def _as_dict(credential: Any) -> dict[str, str] | None:
    """A credential as its fields, whether it comes as a mapping or an object carrying `fields`."""
    if credential is None:
        return None
    if isinstance(credential, Mapping):
        return {str(name): _plain(value) for name, value in credential.items()}
    fields = getattr(credential, "fields", None)
    if isinstance(fields, Mapping):
        return {str(name): _plain(value) for name, value in fields.items()}
    return None


def _plain(value: Any) -> Any:
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if callable(reveal) else value
