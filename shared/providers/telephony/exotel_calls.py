"""Placing the dialer's outbound calls through Exotel (v1 Calls/connect, stdlib HTTP), and authenticating its webhooks.

    POST /v1/Accounts/{sid}/Calls/connect.json   form, HTTP Basic (API key, API token)
         From=<callee>  CallerId=<our ExoPhone>  Url=<the tenant's Voicebot flow>  CustomField=<voice webhook>
         StatusCallback=<status webhook> …
         → {"Call": {"Sid": "…", …}}

How an answered call reaches the voice plane: Calls/connect's `Url` must be an App Bazaar flow
(`http://my.exotel.com/{sid}/exoml/start_voice/{app_id}`), not a webhook of ours. The tenant's flow is one
Voicebot applet (then Hangup) whose URL is our HTTPS endpoint `GET {public base}/telephony/exotel/voicebot`:
Exotel asks it, with the call's details as query parameters (CustomField among them), where to open the
bidirectional stream, and expects `{"url": "wss://…"}`. A flow's URL is the same for every call, so the call is
named by `CustomField`, which carries this call's signed voice-webhook path (`/telephony/exotel/voice/{tenant}/
{call}?token=…`, under Exotel's 128 characters); that endpoint checks the token and answers as the voice webhook.

Exotel does not sign its webhooks, so the URLs we hand it carry their own proof: a `token` query
parameter, the first 32 hex digits of HMAC-SHA256(api token, the URL's path). The path names the
tenant and the call, so a token is good for that one call's webhooks and cannot be moved to another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from shared.platform.errors import Unavailable, Upstream
from shared.platform.observability import get_logger, mask_phone
from shared.providers.telephony.calls import CallRejected, CarrierThrottled, OutboundCall, PlacedCall

TIMEOUT_SECONDS = 10.0
RING_SECONDS = 25
DEFAULT_RETRY_AFTER_SECONDS = 0.3  # Exotel allows 200 requests/min: one slot every 0.3 s
TOKEN_PARAMETER = "token"
TOKEN_LENGTH = 32
#: Exotel's limit on CustomField.
CUSTOM_FIELD_LENGTH = 128
#: The flow a Calls/connect call is connected to once answered (App Bazaar > My Apps names the app id).
FLOW_URL = "http://my.exotel.com/{account_sid}/exoml/start_voice/{app_id}"
#: A 400 whose message names the callee's number ("From") is about that number; one naming our CallerId,
#: our URL or anything else is our mistake, and must not quietly mark every target as unreachable.
_CALLEE_FAULT = re.compile(r"\b(from|number|dnd|blacklist(ed)?|blocked)\b", re.IGNORECASE)
_OUR_FAULT = re.compile(r"caller\s*id", re.IGNORECASE)


class ExotelCalls:
    name = "exotel"

    def __init__(self, api_key: str, api_token: str, account_sid: str, subdomain: str = "api.in.exotel.com",
                 base_url: str | None = None, calls_per_second: float = 200 / 60,
                 timeout_seconds: float = TIMEOUT_SECONDS, voicebot_app_id: str | None = None) -> None:
        self._api_token = api_token
        self._flow_url = (FLOW_URL.format(account_sid=urllib.parse.quote(account_sid, safe=""),
                                          app_id=urllib.parse.quote(voicebot_app_id, safe=""))
                          if voicebot_app_id else None)
        self._url = (f"{(base_url or f'https://{subdomain}').rstrip('/')}"
                     f"/v1/Accounts/{urllib.parse.quote(account_sid, safe='')}/Calls/connect.json")
        self._authorization = "Basic " + base64.b64encode(f"{api_key}:{api_token}".encode()).decode()
        self._timeout = timeout_seconds
        self.calls_per_second = calls_per_second

    def place_call(self, call: OutboundCall) -> PlacedCall:
        if not call.from_e164:
            raise CallRejected("Exotel needs a caller id (the tenant's ExoPhone) to place a call")
        if self._flow_url is None:  # answered, the callee would be connected to nothing
            raise Unavailable("Exotel calls need the Voicebot flow's app id (voicebot_app_id)",
                              code="TELEPHONY_NOT_CONFIGURED")
        form = {
            "From": call.to_e164,  # Exotel rings "From" first, then connects it to the flow at Url
            "CallerId": call.from_e164,
            "CallType": "trans",
            "Url": self._flow_url,
            "CustomField": self.voice_webhook_field(call.voice_url),
            "StatusCallback": self.signed_url(call.status_url),
            "StatusCallbackEvents[0]": "terminal",
            # StatusCallbackContentType left at Exotel's default (form fields), like Twilio's callbacks.
            "TimeLimit": str(call.time_limit_seconds),
            "TimeOut": str(RING_SECONDS),
        }
        answer = self._post(form, call)
        sid = (answer.get("Call") or {}).get("Sid") if isinstance(answer, dict) else None
        if not sid:
            raise Upstream("Exotel accepted the call but named no call sid", code="TELEPHONY_UNAVAILABLE")
        return PlacedCall(provider=self.name, provider_call_sid=str(sid))

    def signed_url(self, url: str) -> str:
        """`url` with its `token` query parameter added (the proof `webhook_is_authentic` checks)."""
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query = [(name, value) for name, value in query if name != TOKEN_PARAMETER]
        query.append((TOKEN_PARAMETER, self._token(parts.path)))
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))

    def voice_webhook_field(self, voice_url: str) -> str:
        """The CustomField that names this call's voice webhook to the Voicebot endpoint: its signed path and query."""
        parts = urllib.parse.urlsplit(self.signed_url(voice_url))
        field = f"{parts.path}?{parts.query}"
        if len(field) > CUSTOM_FIELD_LENGTH:
            raise ValueError(f"the voice webhook's path is longer than Exotel's CustomField allows: {field!r}")
        return field

    def webhook_is_authentic(self, url: str, params: dict[str, str], signature: str | None) -> bool:
        parts = urllib.parse.urlsplit(url)
        tokens = urllib.parse.parse_qs(parts.query).get(TOKEN_PARAMETER, [])
        return len(tokens) == 1 and hmac.compare_digest(tokens[0].encode(), self._token(parts.path).encode())

    def _token(self, path: str) -> str:
        return hmac.new(self._api_token.encode(), path.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]

    def _post(self, form: dict[str, str], call: OutboundCall) -> object:
        request = urllib.request.Request(self._url, data=urllib.parse.urlencode(form).encode(), method="POST",
                                         headers={"Authorization": self._authorization, "Accept": "application/json",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            get_logger().warning("exotel refused the call", extra={
                "status": error.code, "call_id": call.call_id, "to": mask_phone(call.to_e164)})
            raise _mapped(error) from error
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as error:
            get_logger().warning("exotel unreachable", extra={"error_type": type(error).__name__})
            raise Upstream("Exotel is unreachable", code="TELEPHONY_UNAVAILABLE") from error
        try:
            return json.loads(body) if body.strip() else {}
        except ValueError as error:
            raise Upstream("Exotel answered something that is not JSON", code="TELEPHONY_UNAVAILABLE") from error

    def __repr__(self) -> str:  # never the token
        return f"ExotelCalls(url={self._url})"


def _mapped(error: urllib.error.HTTPError) -> Exception:
    if error.code == 429:
        return CarrierThrottled(retry_after_seconds(error.headers.get("Retry-After"), DEFAULT_RETRY_AFTER_SECONDS))
    if error.code == 400 and _blames_the_number(_message_of(error)):
        return CallRejected("Exotel will not ring this number")
    return Upstream(f"Exotel answered {error.code}", code="TELEPHONY_UNAVAILABLE")


def retry_after_seconds(header: str | None, default: float) -> float:
    """A Retry-After header in seconds (the HTTP-date form is not used by carriers), else `default`."""
    try:
        seconds = float(header) if header else default
    except ValueError:
        return default
    return seconds if seconds > 0 else default


def _message_of(error: urllib.error.HTTPError) -> str:
    """Exotel's `{"RestException": {"Message": …}}` text, or "" when the body says nothing readable."""
    try:
        payload = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        return ""
    exception = payload.get("RestException") if isinstance(payload, dict) else None
    return str(exception.get("Message") or "") if isinstance(exception, dict) else ""


def _blames_the_number(message: str) -> bool:
    return bool(_CALLEE_FAULT.search(message)) and not _OUR_FAULT.search(message)
