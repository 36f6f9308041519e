"""Telephony for phone numbers: the port every carrier adapter implements.

Adapters: `TwilioTelephony` (the official SDK), `ExotelTelephony` (Exotel's HTTP API) and
`SandboxTelephony` (a deterministic inventory, ownership kept in the table). Services receive one
through `shared.onboarding.telephony_selection.get_telephony()`; they never import an SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class AvailableNumber:
    phone_e164: str
    country: str
    capabilities: tuple[str, ...]  # lower-case names of what the number can do: "voice", "sms", "mms"
    monthly_cost_minor: int
    currency: str  # ISO 4217, upper case
    region: str | None = None
    locality: str | None = None


@dataclass(frozen=True)
class OwnedNumber:
    """A number held by the carrier account we act for."""

    provider_sid: str
    phone_e164: str
    monthly_cost_minor: int | None = None  # None when the carrier does not say (e.g. an imported number)
    currency: str | None = None
    capabilities: tuple[str, ...] = field(default_factory=tuple)


class TelephonyProvider(Protocol):
    #: "twilio", "exotel" or "sandbox": stored on each number, so release goes back to the same carrier.
    name: str

    def search_available(self, country: str, area_code: str | None, limit: int) -> list[AvailableNumber]:
        """Numbers the carrier can sell now (at most `limit`)."""

    def buy(self, phone_e164: str, voice_url: str, status_callback_url: str) -> OwnedNumber:
        """Buy the number with both webhooks wired. BadRequest when it is not for sale."""

    def verify_owned(self, phone_e164: str) -> OwnedNumber | None:
        """The number if the carrier account holds it, else None."""

    def update_webhooks(self, provider_sid: str, voice_url: str, status_callback_url: str) -> None:
        """Point the number's voice and status webhooks at these URLs ("" unwires them)."""

    def release(self, provider_sid: str) -> None:
        """Give the number back to the carrier (the monthly rent stops). Releasing twice is a no-op."""
