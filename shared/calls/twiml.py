"""The TwiML our voice webhooks answer with: stream the call to the voice plane, dial a warm transfer, or hang up.

Built with the SDK's `VoiceResponse` (imported on use, ~16 ms) so every value is escaped. A live call is one
bidirectional Media Stream (`<Connect action=…><Stream>`): the conversation happens in the voice plane; when the
voice plane closes the socket, Twilio asks the `<Connect>`'s action URL what next — a `<Dial>` to the transfer
number when the agent is connecting the callee to a person (shared.transfers), else `<Hangup/>`.
"""

from __future__ import annotations

from typing import Any


def stream(url: str, parameters: dict[str, str], action: str | None = None) -> str:
    """Connect the call to the media-stream socket at `url`, handing the voice plane `parameters` (Twilio sends
    them in the stream's `start` message, never in the URL, so a token in them stays out of access logs). With
    `action`, Twilio asks that URL for what follows once the stream has ended."""
    from twilio.twiml.voice_response import Connect

    response = _response()
    connect = Connect(action=action, method="POST") if action else Connect()
    socket = connect.stream(url=url)
    for name, value in parameters.items():
        socket.parameter(name=name, value=value)
    response.append(connect)
    return str(response)


def apologise_and_hang_up(text: str) -> str:
    """A short line then the hang-up: never leave a callee in silence when the call cannot go on."""
    response = _response()
    response.say(text)
    response.hangup()
    return str(response)


def dial_transfer(number: str, *, caller_id: str | None, ring_seconds: int, action: str, whisper_url: str,
                  recording_callback: str) -> str:
    """Bridge the callee to a person at `number`: ring it `ring_seconds`, play the person the whisper (`whisper_url`
    answers it, before the callee is connected), record both sides from the answer, then ask `action` how it went
    (DialCallStatus, DialCallDuration). Without `caller_id` Twilio shows the call's own caller number."""
    from twilio.twiml.voice_response import Dial

    response = _response()
    options = {"caller_id": caller_id} if caller_id else {}
    dial = Dial(action=action, method="POST", timeout=ring_seconds, record="record-from-answer-dual",
                recording_status_callback=recording_callback, recording_status_callback_method="POST",
                recording_status_callback_event="completed", **options)
    dial.number(number, url=whisper_url, method="POST")
    response.append(dial)
    return str(response)


def say(text: str) -> str:
    """One line said to whoever is on this leg (the transfer's whisper, heard by the person before the bridge)."""
    response = _response()
    response.say(text)
    return str(response)


def hang_up() -> str:
    response = _response()
    response.hangup()
    return str(response)


def _response() -> Any:
    from twilio.twiml.voice_response import VoiceResponse

    return VoiceResponse()
