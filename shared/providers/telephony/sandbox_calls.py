"""Placing test and credential-less calls through the local stack's simulated carrier.

    POST {carrier_url}/calls   JSON {"call_id", "to", "from", "voice_url", "status_url", "amd_url",
                                     "time_limit_seconds", "machine_detection", "script"}
         → 200/201 {"sid": "…"}

The simulated carrier plays scripted callees and sends the same webhooks Twilio would (the answering-machine
verdict to `amd_url` when machine detection was asked for), signed exactly like Twilio with the sandbox auth
token, so webhooks are checked with Twilio's validator. Without a carrier URL (no local stack running) every
call fails as Unavailable rather than silently vanishing.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

from shared.platform.errors import Unavailable
from shared.platform.observability import get_logger
from shared.providers.telephony.calls import CarrierThrottled, OutboundCall, PlacedCall
from shared.providers.telephony.exotel_calls import retry_after_seconds
from shared.providers.telephony.twilio_calls import signature_is_valid

TIMEOUT_SECONDS = 5.0
DEFAULT_RETRY_AFTER_SECONDS = 0.1
UNAVAILABLE_CODE = "SANDBOX_CARRIER_UNAVAILABLE"


class SandboxCalls:
    name = "sandbox"

    def __init__(self, carrier_url: str | None, auth_token: str, calls_per_second: float = 10,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._carrier_url = carrier_url.rstrip("/") if carrier_url else None
        self._auth_token = auth_token
        self._timeout = timeout_seconds
        self.calls_per_second = calls_per_second

    def place_call(self, call: OutboundCall) -> PlacedCall:
        if self._carrier_url is None:
            raise Unavailable("No sandbox carrier is configured (SANDBOX_CARRIER_URL)", code=UNAVAILABLE_CODE)
        payload = {"call_id": call.call_id, "to": call.to_e164, "from": call.from_e164, "voice_url": call.voice_url,
                   "status_url": call.status_url, "amd_url": call.amd_url,
                   "time_limit_seconds": call.time_limit_seconds, "machine_detection": call.machine_detection,
                   "script": call.sandbox_script}
        answer = self._post(payload)
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not sid:
            raise Unavailable("The sandbox carrier accepted the call but named no sid", code=UNAVAILABLE_CODE)
        return PlacedCall(provider=self.name, provider_call_sid=str(sid))

    def webhook_is_authentic(self, url: str, params: dict[str, str], signature: str | None) -> bool:
        # No sandbox carrier in this deployment (the cloud): no sandbox call exists, and the sandbox token has a
        # public default, so nothing signed with it may pass for one.
        if self._carrier_url is None:
            return False
        return signature_is_valid(self._auth_token, url, params, signature)

    def fetch_recording(self, recording_url: str) -> bytes:
        """A recording the simulated carrier made (a transfer's leg), from its own URL only."""
        if self._carrier_url is None or not recording_url.startswith(f"{self._carrier_url}/recordings/"):
            raise Unavailable("Not a sandbox carrier recording", code=UNAVAILABLE_CODE)
        try:
            with urllib.request.urlopen(recording_url, timeout=self._timeout) as response:
                return response.read()
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as error:
            raise Unavailable("The sandbox carrier's recording is unreachable", code=UNAVAILABLE_CODE) from error

    def _post(self, payload: dict) -> object:
        request = urllib.request.Request(f"{self._carrier_url}/calls", data=json.dumps(payload).encode(),
                                         method="POST", headers={"Content-Type": "application/json",
                                                                 "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            get_logger().warning("sandbox carrier refused the call", extra={"status": error.code})
            if error.code == 429:
                raise CarrierThrottled(retry_after_seconds(error.headers.get("Retry-After"),
                                                           DEFAULT_RETRY_AFTER_SECONDS)) from error
            raise Unavailable(f"The sandbox carrier answered {error.code}", code=UNAVAILABLE_CODE) from error
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as error:
            get_logger().warning("sandbox carrier unreachable", extra={"error_type": type(error).__name__})
            raise Unavailable("The sandbox carrier is unreachable", code=UNAVAILABLE_CODE) from error
        try:
            return json.loads(body) if body.strip() else {}
        except ValueError as error:
            raise Unavailable("The sandbox carrier answered something that is not JSON",
                              code=UNAVAILABLE_CODE) from error

    def __repr__(self) -> str:  # never the token
        return f"SandboxCalls(carrier_url={self._carrier_url})"

