"""What the voice plane keeps of a call once it is over, written once at its end: the recording (both channels)
in the media bucket under `recordings/{tenant}/{call}/`, and on the call its utterance-level transcript, its
per-turn latencies and the recording's key, length and channels (what `GET /calls/{id}` shows). When the carrier's
final status is already in, it also queues the call's post-call analysis (one SQS send, in the worker thread the
server writes from: never on the call's socket).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from shared.calls import repository as calls
from shared.calls.analysis_record import request_analysis_when_ready
from shared.calls.models import Call, Recording, Utterance, recordings_prefix
from shared.media import repository as media
from shared.platform import clock
from shared.platform.errors import NotFound
from shared.platform.pseudonyms import is_pseudonym

RECORDING_FILE = "call.wav"


@dataclass(frozen=True)
class RecordedAudio:
    """A stereo WAV (contact left, agent right) and its length."""

    body: BinaryIO | bytes
    duration_ms: int
    channels: int = 2
    content_type: str = "audio/wav"


def recording_key(tenant_id: int, call_id: str) -> str:
    return f"{recordings_prefix(tenant_id, call_id)}{RECORDING_FILE}"


def keep(tenant_id: int, call_id: str, *, utterances: list[Utterance], turn_latencies_ms: list[int],
         audio: RecordedAudio | None, segment: str | None = None) -> Call:
    """Store the recording (when there is one), then set the transcript, latencies and recording in one write.

    `segment` names a later stream of the same call (`after-transfer`: the callee back with the agent after a transfer
    nobody answered): its utterances are added after the call's (their offsets moved to the segment's start) and its
    recording is kept beside the call's (`{segment}.wav`, exported and erased with it), never over it.

    A call whose contact was erased (DSR) while it streamed keeps neither: the erase already wiped its transcript
    and recordings, and the contact's voice and words must not come back with the voice plane's end-of-call write
    (only the latencies, which say nothing about the contact, are kept)."""
    call = calls.get(tenant_id, call_id)
    if call is None:  # before the upload: no recording without its call
        raise NotFound("No such call", code="CALL_NOT_FOUND")
    if is_pseudonym(call.target_phone):
        return calls.update(tenant_id, call_id, turn_latencies_ms=turn_latencies_ms)
    if segment is not None:
        return _keep_segment(call, segment, utterances, turn_latencies_ms, audio)
    changes: dict = {"transcript": utterances, "turn_latencies_ms": turn_latencies_ms}
    if audio is not None:
        key = recording_key(tenant_id, call_id)
        media.put_recording(key, audio.body, audio.content_type, audio.duration_ms)
        changes["recording"] = Recording(key=key, duration_ms=audio.duration_ms, channels=audio.channels)
    kept = calls.update(tenant_id, call_id, **changes)
    request_analysis_when_ready(kept)  # when the carrier's final status came first (shared.calls.analysis_record)
    return kept


def _keep_segment(call: Call, segment: str, utterances: list[Utterance], turn_latencies_ms: list[int],
                  audio: RecordedAudio | None) -> Call:
    if audio is not None:
        media.put_recording(f"{recordings_prefix(call.tenant_id, call.id)}{segment}.wav", audio.body,
                            audio.content_type, audio.duration_ms)
    # The segment began about its own length ago, counted from the answer like the call's other utterances.
    length_ms = max([audio.duration_ms if audio is not None else 0,
                     *(utterance.offset_ms or 0 for utterance in utterances)])
    since_answer_ms = round((clock.now() - call.answered_at).total_seconds() * 1000) if call.answered_at else 0
    start_ms = max(since_answer_ms - length_ms, max((entry.get("offset_ms") or 0 for entry in call.transcript),
                                                    default=0))
    moved = [utterance.model_copy(update={"offset_ms": start_ms + (utterance.offset_ms or 0)}).model_dump(
        mode="json", exclude_none=True) for utterance in utterances]
    kept = calls.update(call.tenant_id, call.id, transcript=[*call.transcript, *moved],
                        turn_latencies_ms=[*call.turn_latencies_ms, *turn_latencies_ms])
    request_analysis_when_ready(kept)
    return kept
