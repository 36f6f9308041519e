"""The voice webhooks' service: an answered call is streamed to the voice plane, where the conversation happens.

Answered synchronously (the callee is on the line): one GetItem of the call, one UpdateItem (`answered_at`), and
the answer the carrier expects — Twilio and the sandbox carrier get TwiML connecting a bidirectional Media Stream
to `{VOICE_PLANE_URL}/media/twilio` with the media token and our call id as stream parameters; Exotel's Voicebot
applet gets `{"url": "wss://…/media/exotel?token=…&call_id=…"}` (Exotel has no stream parameters: what the
voice plane needs rides in the socket URL's query). The media token (shared/calls/media_tokens.py) is minted here,
for this call, and spent by the voice plane when the socket opens.

Also here: the carrier's answering-machine verdict (Twilio's async AMD), recorded on the call for the voice plane
(which leaves the voicemail or hangs up) and for the call-events consumer (a machine ends as `voicemail`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from shared.calls import media_tokens, twiml
from shared.calls import repository as calls
from shared.calls.models import FINAL_STATUSES
from shared.platform import clock
from shared.platform.errors import Conflict, NotFound, Unavailable
from shared.platform.observability import get_logger
from shared.platform.settings import get_settings
from shared.providers.telephony.calls import webhook_url

TWIML = "text/xml"
JSON = "application/json"
#: The carrier's stream protocol → the voice plane's socket for it (the sandbox carrier speaks Twilio's).
MEDIA_PATHS = {"twilio": "/media/twilio", "sandbox": "/media/twilio", "exotel": "/media/exotel"}
#: What a callee hears when this deployment cannot stream the call (no voice plane configured).
CANNOT_CONTINUE = "We're sorry, we can't continue this call right now. Goodbye."
#: Twilio's `AnsweredBy` values that mean nobody is listening (DetectMessageEnd: after the greeting).
MACHINE_ANSWERS = frozenset({"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"})


@dataclass(frozen=True)
class VoiceAnswer:
    """The voice webhook's answer, in the format of the carrier that asked."""

    content_type: str
    body: str


def answer(provider: str, tenant_id: int, call_id: str) -> VoiceAnswer:
    """The call connected: stream it to the voice plane (a call already over is hung up)."""
    call = calls.get(tenant_id, call_id)
    if call is None:
        raise NotFound("No such call", code="CALL_NOT_FOUND")
    if call.is_final:
        return _hang_up(provider)
    voice_plane_url = get_settings().voice_plane_url
    if not voice_plane_url:
        return _cannot_stream(provider, tenant_id, call_id, answered_at=call.answered_at)
    answered = calls.update_if(tenant_id, call_id, status_not_in=tuple(FINAL_STATUSES),
                               answered_at=call.answered_at or clock.now())
    if answered is None:  # it ended meanwhile
        return _hang_up(provider)
    return stream_to_voice_plane(provider, tenant_id, call_id)


def stream_to_voice_plane(provider: str, tenant_id: int, call_id: str, **parameters: str) -> VoiceAnswer:
    """The carrier's stream instruction with a fresh media token. Twilio's (and the sandbox carrier's) `<Connect>`
    names the call's `stream-end` webhook as its action: when the voice plane closes the stream, Twilio asks it
    whether to dial a transfer (shared.transfers) or hang up. `parameters` reach the voice plane with the token."""
    voice_plane_url = get_settings().voice_plane_url
    if not voice_plane_url:
        raise Unavailable("The voice plane is not configured (VOICE_PLANE_URL)", code="VOICE_PLANE_NOT_CONFIGURED")
    token = media_tokens.mint(tenant_id, call_id).token
    url = voice_plane_url.rstrip("/") + MEDIA_PATHS[provider]
    if provider == "exotel":
        return VoiceAnswer(JSON, json.dumps({"url": f"{url}?{urlencode({'token': token, 'call_id': call_id})}"}))
    action = webhook_url(get_settings().public_base_url, provider, "stream-end", tenant_id, call_id)
    return VoiceAnswer(TWIML, twiml.stream(url, {"token": token, "call_id": call_id, **parameters}, action=action))


def record_machine_detection(tenant_id: int, call_id: str, answered_by: str) -> Literal["human", "machine"] | None:
    """The carrier's answering-machine verdict on the call, in the call's words ("human" or "machine": a fax is a
    machine too); None when it could not tell ("unknown"), which changes nothing. One UpdateItem, and none on a
    call that is over: its outcome was settled with what was known then."""
    verdict = _answered_by(answered_by)
    if verdict is None:
        return None
    if calls.update_if(tenant_id, call_id, status_not_in=tuple(FINAL_STATUSES), answered_by=verdict) is None:
        get_logger().info("machine detection after the call ended (or for no call)",
                          extra={"tenant_id": tenant_id, "call_id": call_id, "answered_by": verdict})
    return verdict


def _answered_by(value: str) -> Literal["human", "machine"] | None:
    value = value.strip().lower()
    if value == "human":
        return "human"
    return "machine" if value in MACHINE_ANSWERS else None


def _hang_up(provider: str) -> VoiceAnswer:
    if provider == "exotel":  # the Voicebot applet has no "hang up" answer: refusing it ends the flow
        raise Conflict("The call is already over", code="CALL_ENDED")
    return VoiceAnswer(TWIML, twiml.hang_up())


def _cannot_stream(provider: str, tenant_id: int, call_id: str, *,
                   answered_at: datetime | None) -> VoiceAnswer:
    """No voice plane: the call is answered and cannot go on. It ends now with an apology (never silence) and the
    outcome `failed`, so the retry policy does not ring the callee again for a deployment's mistake."""
    get_logger().error("VOICE_PLANE_URL is not configured: an answered call cannot be streamed",
                       extra={"tenant_id": tenant_id, "call_id": call_id, "provider": provider})
    calls.update_if(tenant_id, call_id, status_not_in=tuple(FINAL_STATUSES), outcome="failed",
                    answered_at=answered_at or clock.now())
    if provider == "exotel":
        raise Unavailable("The voice plane is not configured (VOICE_PLANE_URL)", code="VOICE_PLANE_NOT_CONFIGURED")
    return VoiceAnswer(TWIML, twiml.apologise_and_hang_up(CANNOT_CONTINUE))
