"""The first messages of a Twilio Media Streams socket: `connected`, then `start` (stream, call, custom parameters).

Twilio's `<Stream url>` takes no query string, so the voice webhook passes the media token as a
`<Parameter name="token">`, which arrives here in `start.customParameters`; a `?token=` on the URL is also
accepted (other clients, tests). Nothing of the call runs before this and the token check.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import WebSocket

from voice.call_context import MediaStream

HANDSHAKE_TIMEOUT_SECONDS = 5.0
MAX_HANDSHAKE_MESSAGES = 3  # connected, start (a stray first media frame at most)


class HandshakeFailed(Exception):
    """The socket closed or sent something other than Twilio's handshake."""


async def read_twilio_start(websocket: WebSocket) -> MediaStream:
    try:
        return await asyncio.wait_for(_read_start(websocket), HANDSHAKE_TIMEOUT_SECONDS)
    except TimeoutError as error:
        raise HandshakeFailed("no start message in time") from error


async def _read_start(websocket: WebSocket) -> MediaStream:
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
            start = event.get("start") if isinstance(event.get("start"), dict) else {}
            stream_sid = start.get("streamSid") or event.get("streamSid")
            if not isinstance(stream_sid, str) or not stream_sid:
                raise HandshakeFailed("start without a streamSid")
            parameters = start.get("customParameters") if isinstance(start.get("customParameters"), dict) else {}
            return MediaStream(stream_sid=stream_sid, carrier_call_sid=start.get("callSid"),
                               custom_parameters={str(k): str(v) for k, v in parameters.items()})
    raise HandshakeFailed("no start message")
