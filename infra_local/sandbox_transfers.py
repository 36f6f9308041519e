"""The sandbox carrier's `<Dial>` (a warm transfer) and the sandbox human at the transfer number. Local only.

Like the scripted callees, the transfer number's last digit says what happens: **0** rings out (no answer), **1** is
busy, any other digit is a sandbox human who answers, hears the whisper (the `<Number url>`'s `<Say>`), talks for
`CarrierTimings.transfer_talk_seconds` and hangs up. Then, as Twilio does, the carrier posts the `<Dial>`'s action
(`DialCallStatus`, `DialCallDuration`, `DialCallSid`) and plays what it answers, and for an answered dial posts the
recording callback (`RecordingUrl` under `/_sandbox/carrier/recordings/`, a silent two-channel WAV of the leg's
length). What each human heard is kept for `GET /_sandbox/transfers` →
`{"transfers": [{"call_id", "to", "whisper", "answered", "at"}]}`, newest first.
"""

from __future__ import annotations

import io
import math
import threading
import wave
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from infra_local.http_adapter import HttpResponse, error_response, json_response
from shared.platform import clock

TRANSFERS_PATH = "/_sandbox/transfers"
RECORDINGS_PATH = "recordings"  # under the carrier's own path: /_sandbox/carrier/recordings/<sid>.wav
KEPT = 200
SAMPLE_RATE = 8000


@dataclass(frozen=True)
class TransferHeard:
    call_id: str
    to: str
    whisper: str
    answered: bool
    at: str


def human_answers(number: str) -> str:
    """How the sandbox human at `number` answers, as Twilio's DialCallStatus: no-answer, busy or completed."""
    digit = number.strip()[-1:]
    return {"0": "no-answer", "1": "busy"}.get(digit, "completed")


def silent_recording(seconds: int) -> bytes:
    """A two-channel 8 kHz WAV of silence, `seconds` long: the leg's recording, as the carrier would keep it."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(2)
        audio.setsampwidth(2)
        audio.setframerate(SAMPLE_RATE)
        audio.writeframes(b"\0\0\0\0" * SAMPLE_RATE * max(1, seconds))
    return buffer.getvalue()


class SandboxTransfers:
    """What the sandbox humans heard, and the recordings the carrier made of the transfer legs."""

    def __init__(self) -> None:
        self._heard: deque[TransferHeard] = deque(maxlen=KEPT)
        self._recordings: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def heard(self, call_id: str, to: str, whisper: str, answered: bool) -> None:
        with self._lock:
            self._heard.append(TransferHeard(call_id=call_id, to=to, whisper=whisper, answered=answered,
                                             at=clock.now().isoformat(timespec="seconds")))

    def keep_recording(self, sid: str, seconds: int) -> str:
        """Keep the leg's recording; its path under the carrier (`recordings/<sid>.wav`)."""
        with self._lock:
            self._recordings[sid] = silent_recording(seconds)
            while len(self._recordings) > KEPT:
                self._recordings.pop(next(iter(self._recordings)))
        return f"{RECORDINGS_PATH}/{sid}.wav"

    def recording(self, name: str) -> HttpResponse:
        with self._lock:
            body = self._recordings.get(name.removesuffix(".wav"))
        if body is None:
            return error_response(404, "No such recording", "NOT_FOUND")
        return HttpResponse(status=200, headers=[("Content-Type", "audio/wav")], body=body)

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(entry) for entry in reversed(self._heard)]

    def respond(self, method: str) -> HttpResponse:
        if method != "GET":
            return error_response(405, "Use GET", "METHOD_NOT_ALLOWED")
        return json_response(200, {"transfers": self.listing()})


def talk_seconds(started: float, ended: float) -> int:
    return max(1, math.ceil(ended - started))
