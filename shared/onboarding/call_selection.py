"""Which carrier places a dialer call: the sandbox for test runs, Exotel for India when configured (with its Voicebot
flow), else Twilio, else the sandbox.

Credentials come from the same resolver as number provisioning (`telephony_selection._fields`: the tenant's
validated BYOK secret, the bundled one, or None). Webhooks go back to the carrier that placed the call
(`get_call_carrier_named`), whose rules then verify them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.onboarding.telephony_selection import EXOTEL_COUNTRIES, _fields

if TYPE_CHECKING:
    from shared.providers.telephony.calls import CallCarrier

EXOTEL_FIELDS = ("api_key", "api_token", "account_sid")


def get_call_carrier(tenant_id: int, country: str | None, is_test: bool) -> "CallCarrier":
    if is_test:
        return sandbox_carrier()
    if country in EXOTEL_COUNTRIES and (exotel := _exotel(tenant_id, placing=True)) is not None:
        return exotel
    return _twilio(tenant_id) or sandbox_carrier()


def get_call_carrier_named(tenant_id: int, name: str) -> "CallCarrier":
    """The carrier that placed a call (stored on it): its webhooks are checked by that carrier's rules."""
    carrier = {"sandbox": sandbox_carrier, "exotel": lambda: _exotel(tenant_id),
               "twilio": lambda: _twilio(tenant_id)}.get(name, lambda: None)()
    if carrier is None:
        from shared.platform.errors import Unavailable

        raise Unavailable(f"The {name} credentials this call was placed with are no longer configured",
                          code="TELEPHONY_NOT_CONFIGURED")
    return carrier


def sandbox_carrier() -> "CallCarrier":
    from shared.platform.settings import get_settings
    from shared.providers.telephony.sandbox_calls import SandboxCalls

    settings = get_settings()
    return SandboxCalls(settings.sandbox_carrier_url, settings.sandbox_carrier_auth_token.get_secret_value())


def _exotel(tenant_id: int, *, placing: bool = False) -> "CallCarrier | None":
    """Exotel with the tenant's credentials; to place a call, only once its Voicebot flow is named too (an answered
    call is connected to that flow: without one it would be connected to nothing)."""
    exotel = _fields(tenant_id, "exotel")
    if not exotel or not all(exotel.get(name) for name in EXOTEL_FIELDS):
        return None
    if placing and not exotel.get("voicebot_app_id"):
        return None
    from shared.providers.telephony.exotel_calls import ExotelCalls

    return ExotelCalls(api_key=exotel["api_key"], api_token=exotel["api_token"], account_sid=exotel["account_sid"],
                       subdomain=(exotel.get("subdomain") or "api.in.exotel.com").lstrip("@"),
                       voicebot_app_id=exotel.get("voicebot_app_id"))


def _twilio(tenant_id: int) -> "CallCarrier | None":
    twilio = _fields(tenant_id, "twilio")
    if not twilio or not twilio.get("account_sid") or not twilio.get("auth_token"):
        return None
    from shared.providers.telephony.twilio_calls import TwilioCalls

    return TwilioCalls(account_sid=twilio["account_sid"], auth_token=twilio["auth_token"])
