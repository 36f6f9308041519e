"""Placing the dialer's outbound calls through Twilio (official SDK), and checking Twilio's webhook signatures.

Calls.create asks for a hard time limit, every progress callback and asynchronous answering-machine detection:
the call is connected (and streamed to the voice plane) at once, while Twilio listens for a machine in the
background and posts its verdict (`AnsweredBy`) to the call's `amd` webhook once the greeting has ended
(`DetectMessageEnd`: the voice plane may then leave the voicemail after the beep). The error map tells the dialer
what to do next: `CarrierThrottled` (429: wait and retry), `CallRejected` (a number Twilio will never ring: stop
trying it) or `Upstream` (Twilio is in trouble: retry later).
`twilio.rest` costs ~130 ms to import, so it loads on the first call.
"""

from __future__ import annotations

from typing import Any

from shared.platform.errors import Upstream
from shared.platform.observability import get_logger, mask_phone
from shared.providers.telephony.calls import CallRejected, CarrierThrottled, OutboundCall, PlacedCall

TIMEOUT_SECONDS = 10.0
TWILIO_API = "https://api.twilio.com"
RING_SECONDS = 25  # how long the callee's phone rings before Twilio calls it no-answer
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
#: Wait for the end of a machine's greeting before answering, so a voicemail is left after the beep.
MACHINE_DETECTION = "DetectMessageEnd"
#: Twilio has no Retry-After on a 429 from Calls.create; one second matches its default 1 call/s.
DEFAULT_RETRY_AFTER_SECONDS = 1.0
#: Invalid/unreachable/blocked "To" numbers and unsubscribed recipients: retrying never helps.
PERMANENT_NUMBER_CODES = frozenset({21211, 21214, 21215, 21216, 21217, 13223, 13224, 21610})


class TwilioCalls:
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, base_url: str | None = None,
                 calls_per_second: float = 1.0, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._base_url = base_url
        self._timeout = timeout_seconds
        self.calls_per_second = calls_per_second
        self._client: Any = None

    def place_call(self, call: OutboundCall) -> PlacedCall:
        if not call.from_e164:
            raise CallRejected("Twilio needs a caller number (from_e164) to place a call")
        options: dict[str, Any] = {
            "to": call.to_e164, "from_": call.from_e164, "url": call.voice_url, "method": "POST",
            "status_callback": call.status_url, "status_callback_method": "POST",
            "status_callback_event": STATUS_EVENTS, "time_limit": call.time_limit_seconds, "timeout": RING_SECONDS,
        }
        if call.machine_detection and call.amd_url:
            # The SDK passes AsyncAmd through as given (a str): Twilio's documented values are "true"/"false".
            options |= {"machine_detection": MACHINE_DETECTION, "async_amd": "true",
                        "async_amd_status_callback": call.amd_url, "async_amd_status_callback_method": "POST"}
        created = self._create(options, call)
        return PlacedCall(provider=self.name, provider_call_sid=created.sid)

    def webhook_is_authentic(self, url: str, params: dict[str, str], signature: str | None) -> bool:
        return signature_is_valid(self._auth_token, url, params, signature)

    def fetch_recording(self, recording_url: str) -> bytes:
        """A recording of this account as WAV (`{RecordingUrl}.wav`, both channels of a dual recording), with the
        account's credentials. Only Twilio's own API host: the URL came in a (signed) webhook, never from a user."""
        import requests

        if not recording_url.startswith(TWILIO_API + "/"):
            raise Upstream("Not a Twilio recording URL", code="TELEPHONY_UNAVAILABLE")
        url = recording_url if recording_url.endswith(".wav") else f"{recording_url}.wav"
        if self._base_url:  # a local fake of Twilio's API (tests)
            url = self._base_url.rstrip("/") + url[len(TWILIO_API):]
        try:
            answer = requests.get(url, auth=(self._account_sid, self._auth_token), timeout=self._timeout)
        except requests.RequestException as error:
            raise Upstream("Twilio is unreachable", code="TELEPHONY_UNAVAILABLE") from error
        if answer.status_code != 200:
            raise Upstream(f"Twilio answered {answer.status_code} for a recording", code="TELEPHONY_UNAVAILABLE")
        return answer.content

    def _create(self, options: dict[str, Any], call: OutboundCall) -> Any:
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        client = self._sdk()
        try:
            return client.calls.create(**options)
        except TwilioRestException as error:
            get_logger().warning("twilio refused the call", extra={
                "status": error.status, "twilio_code": error.code, "call_id": call.call_id,
                "to": mask_phone(call.to_e164)})
            if error.status == 429:
                raise CarrierThrottled(DEFAULT_RETRY_AFTER_SECONDS) from error
            if error.code in PERMANENT_NUMBER_CODES:
                raise CallRejected(f"Twilio will not ring this number ({error.code})") from error
            raise Upstream(f"Twilio answered {error.status} ({error.code})",
                           code="TELEPHONY_UNAVAILABLE") from error
        except RequestException as error:
            get_logger().warning("twilio unreachable", extra={"error_type": type(error).__name__})
            raise Upstream("Twilio is unreachable", code="TELEPHONY_UNAVAILABLE") from error

    def _sdk(self) -> Any:
        if self._client is None:
            from twilio.rest import Client

            from shared.providers.telephony.twilio import _http_client

            self._client = Client(self._account_sid, self._auth_token,
                                  http_client=_http_client(self._base_url, self._timeout))
        return self._client

    def __repr__(self) -> str:  # never the token
        return f"TwilioCalls(account_sid={self._account_sid[:6]}…)"


def signature_is_valid(auth_token: str, url: str, params: dict[str, str], signature: str | None) -> bool:
    """Twilio's X-Twilio-Signature check (HMAC-SHA1 over the URL and sorted POST params), by the SDK."""
    from twilio.request_validator import RequestValidator

    return bool(RequestValidator(auth_token).validate(url, params, signature or ""))
