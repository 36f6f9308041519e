"""The first messages of a carrier's media socket, up to the one that names the stream: `connected`, then `start`.

- **Twilio Media Streams**: `start.streamSid`, `start.callSid`, `start.customParameters`. Twilio's `<Stream url>`
  takes no query string, so the voice webhook passes the media token as a `<Parameter name="token">`, which
  arrives in `customParameters`.
- **Exotel's bidirectional stream** (the Voicebot applet): `start.stream_sid`, `start.call_sid`,
  `start.custom_parameters` (the query parameters of the applet's URL, echoed) and `start.media_format` (16-bit
  little-endian PCM at 8 kHz, base64: anything else is refused rather than heard as noise).

Either way the server reads `token` and `call_id` from the socket URL's query string first (Exotel's URL carries
them there; other clients and tests may too), then from the custom parameters. Nothing of the call runs before
this and the token check.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import WebSocket

from voice.call_context import MediaStream

HANDSHAKE_TIMEOUT_SECONDS = 5.0
MAX_HANDSHAKE_MESSAGES = 3  # connected, start (a stray first media frame at most)
#: What Exotel's start may name (`media_format`); our pipeline and serializer expect exactly this.
EXOTEL_ENCODINGS = {"audio/x-raw", "raw", "slin", "audio/l16"}
EXOTEL_SAMPLE_RATE = "8000"
EXOTEL_BITS = "16"

StartParser = Callable[[dict], MediaStream]


class HandshakeFailed(Exception):
    """The socket closed or sent something other than its carrier's handshake."""


async def read_twilio_start(websocket: WebSocket) -> MediaStream:
    return await _read_start(websocket, _twilio_stream)


async def read_exotel_start(websocket: WebSocket) -> MediaStream:
    return await _read_start(websocket, _exotel_stream)


async def _read_start(websocket: WebSocket, parse: StartParser) -> MediaStream:
    try:
        return await asyncio.wait_for(_first_start(websocket, parse), HANDSHAKE_TIMEOUT_SECONDS)
    except TimeoutError as error:
        raise HandshakeFailed("no start message in time") from error


async def _first_start(websocket: WebSocket, parse: StartParser) -> MediaStream:
    for _ in range(MAX_HANDSHAKE_MESSAGES):
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise HandshakeFailed("closed before start")
        try:
            event = json.loads(message.get("text") or "")
        except json.JSONDecodeError as error:
            raise HandshakeFailed("not JSON") from error
        if not isinstance(event, dict):
            raise HandshakeFailed("not a JSON object")
        if event.get("event") == "start":
            return parse(event)
    raise HandshakeFailed("no start message")


def _twilio_stream(event: dict) -> MediaStream:
    start = _object(event.get("start"))
    stream_sid = start.get("streamSid") or event.get("streamSid")
    if not isinstance(stream_sid, str) or not stream_sid:
        raise HandshakeFailed("start without a streamSid")
    return MediaStream(stream_sid=stream_sid, carrier_call_sid=_text(start.get("callSid")),
                       custom_parameters=_parameters(start.get("customParameters")), carrier="twilio")


def _exotel_stream(event: dict) -> MediaStream:
    start = _object(event.get("start"))
    stream_sid = start.get("stream_sid") or event.get("stream_sid")
    if not isinstance(stream_sid, str) or not stream_sid:
        raise HandshakeFailed("start without a stream_sid")
    media_format = _object(start.get("media_format"))
    encoding, _, options = str(media_format.get("encoding", "audio/x-raw")).lower().partition(";")
    encoding = encoding.strip()
    named_rate = dict(parse_qsl(options.replace(";", "&").replace(" ", ""))).get("rate")  # audio/L16;rate=16000
    rate = str(media_format.get("sample_rate") or named_rate or EXOTEL_SAMPLE_RATE)
    bits = str(media_format.get("bit_rate", EXOTEL_BITS))
    if encoding not in EXOTEL_ENCODINGS or rate != EXOTEL_SAMPLE_RATE or bits != EXOTEL_BITS:
        raise HandshakeFailed(f"unsupported media format {encoding} {rate} Hz {bits} bit")
    return MediaStream(stream_sid=stream_sid, carrier_call_sid=_text(start.get("call_sid")),
                       custom_parameters=_parameters(start.get("custom_parameters")), carrier="exotel")


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _parameters(value: object) -> dict[str, str]:
    """Custom parameters as a JSON object, or (Exotel, at times) the URL's query string itself."""
    if isinstance(value, str):
        return dict(parse_qsl(value.lstrip("?")))
    return {str(key): str(item) for key, item in value.items()} if isinstance(value, dict) else {}
