"""The TwiML our voice webhook answers with: stream the call to the voice plane, or hang up.

Built with the SDK's `VoiceResponse` (imported on use, ~16 ms) so every value is escaped. A live call is one
bidirectional Media Stream (`<Connect><Stream>`): the conversation happens in the voice plane, and nothing
follows `<Connect>` — when the voice plane closes the socket, the carrier hangs up and reports the call's end
through the status callback.
"""

from __future__ import annotations

from typing import Any


def stream(url: str, parameters: dict[str, str]) -> str:
    """Connect the call to the media-stream socket at `url`, handing the voice plane `parameters` (Twilio sends
    them in the stream's `start` message, never in the URL, so a token in them stays out of access logs)."""
    from twilio.twiml.voice_response import Connect

    response = _response()
    connect = Connect()
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


def hang_up() -> str:
    response = _response()
    response.hangup()
    return str(response)


def _response() -> Any:
    from twilio.twiml.voice_response import VoiceResponse

    return VoiceResponse()
