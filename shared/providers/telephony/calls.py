"""Placing outbound calls: the port every carrier adapter implements for the dialer, and the webhook URLs.

Adapters: `TwilioCalls` (official SDK, async answering-machine detection, status callbacks), `ExotelCalls`
(Exotel's Calls/connect HTTP API into the tenant's Voicebot flow) and `SandboxCalls` (hands the call to the local
stack's simulated carrier, which answers with scripted callees and sends the same signed webhooks Twilio would).

Webhook URLs name the tenant and our call id, so a webhook finds its call with one GetItem:
`{public_base_url}/telephony/{provider}/{kind}/{tenant_id}/{call_id}` where kind is one of `WEBHOOK_KINDS`:
`voice` (answered: stream the call to the voice plane), `amd` (the carrier's answering-machine verdict) and
`status` (progress and final status); and a warm transfer's (Twilio and the sandbox carrier): `stream-end` (the
media stream's `<Connect action>`: dial the transfer, or hang up), `whisper` (what the person hears first),
`dial-result` (how the transfer's `<Dial>` ended) and `transfer-recording` (its recording is ready).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

WebhookKind = Literal["voice", "amd", "status", "stream-end", "whisper", "dial-result", "transfer-recording"]
WEBHOOK_KINDS: tuple[str, ...] = ("voice", "amd", "status", "stream-end", "whisper", "dial-result",
                                  "transfer-recording")


@dataclass(frozen=True)
class OutboundCall:
    call_id: str  # ours; also the carrier idempotency key: one id per (run, target, attempt)
    to_e164: str
    from_e164: str | None  # the tenant's number; None: the carrier account's default caller id (sandbox)
    voice_url: str  # answered → the media stream to the voice plane
    status_url: str  # progress and final status callbacks
    time_limit_seconds: int  # the rule book's max call length
    machine_detection: bool = True
    #: Where the carrier posts its answering-machine verdict (`AnsweredBy`) while the call goes on; None: nowhere.
    amd_url: str | None = None
    #: Sandbox carrier only: how the scripted callee behaves in this campaign (e.g. the discount it asks for).
    sandbox_script: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlacedCall:
    provider: str
    provider_call_sid: str


class CarrierThrottled(Exception):
    """The carrier answered 429 (or our pacing says wait): try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: float, message: str = "carrier rate limit") -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class CallRejected(Exception):
    """The carrier refused this call for good (invalid or unreachable number, blocked destination)."""


@runtime_checkable
class RecordingDownloads(Protocol):
    """A carrier that keeps recordings it made (a `<Dial record>`) and hands them out by their URL."""

    def fetch_recording(self, recording_url: str) -> bytes:
        """The recording at `recording_url` (as the carrier's recording callback named it) as a WAV file."""


class CallCarrier(Protocol):
    #: "twilio", "exotel" or "sandbox": stored on the call, so webhooks are verified by the right rules.
    name: str
    #: Dials per second the carrier account allows (Twilio 1/s by default; Exotel 200 requests/min).
    calls_per_second: float

    def place_call(self, call: OutboundCall) -> PlacedCall:
        """Start the call. CarrierThrottled on 429, CallRejected for a number it will never ring."""

    def webhook_is_authentic(self, url: str, params: dict[str, str], signature: str | None) -> bool:
        """Whether a webhook to `url` with these form `params` really comes from this carrier."""


def webhook_url(base_url: str, provider: str, kind: WebhookKind, tenant_id: int, call_id: str) -> str:
    return f"{base_url.rstrip('/')}/telephony/{provider}/{kind}/{tenant_id}/{call_id}"
