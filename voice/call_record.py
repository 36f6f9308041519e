"""What one call's pipeline keeps for the call record: the utterance-level transcript, the per-turn latency and
the two-channel recording (kept at the end of the call by shared.calls.conversation_record).

- Transcript: each callee turn as the user aggregator closes it (the final transcriptions of the turn) and
  each agent turn as the assistant aggregator closes it — the words the carrier was actually sent (the TTS's
  word frames pass the output transport in step with the audio), `interrupted` when a barge-in cut it off.
  Offsets are from the start of the stream.
- Latency (`TurnLatencyMeter`, after the output transport): from the end of the callee's speech (the VAD's
  stop, less the silence it waited to be sure) to the first agent audio the transport sends after that turn.
- Recording: Pipecat's AudioBufferProcessor, stereo (contact left, agent right), started only at the end of the
  agent turn that said the recording notice (every word of it sent to the carrier); spooled to a temporary WAV
  every few seconds so a long call does not sit in memory.
"""

from __future__ import annotations

import re
import tempfile
import time
import wave
from dataclasses import dataclass, field
from datetime import datetime

from pipecat.audio.utils import interleave_stereo_audio
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    Frame,
    InputAudioRawFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.audio.audio_buffer_processor import AudioBufferProcessor
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from shared.calls.conversation_record import RecordedAudio
from shared.calls.models import Utterance

SPOOL_IN_MEMORY_BYTES = 1 << 20  # a recording bigger than this goes to a temporary file
RECORDING_CHUNK_SECONDS = 5  # how often the buffered audio is appended to the WAV


@dataclass
class CallRecord:
    #: Wall-clock seconds at the start of the stream (the aggregators stamp turns with wall-clock ISO times).
    started_at: float = field(default_factory=time.time)
    utterances: list[Utterance] = field(default_factory=list)
    turn_latencies_ms: list[int] = field(default_factory=list)
    recording: StereoWav | None = None

    def add(self, speaker: str, text: str | None, stamped: str | None, *, interrupted: bool = False) -> None:
        words = " ".join((text or "").split())
        if words:
            self.utterances.append(Utterance(speaker=speaker, text=words, offset_ms=self._offset_ms(stamped),
                                             interrupted=interrupted))

    def transcript(self) -> list[Utterance]:
        return sorted(self.utterances, key=lambda utterance: utterance.offset_ms or 0)

    def _offset_ms(self, stamped: str | None) -> int:
        try:
            at = datetime.fromisoformat(stamped).timestamp() if stamped else time.time()
        except ValueError:
            at = time.time()
        return max(0, round((at - self.started_at) * 1000))


class StereoWav:
    """16-bit PCM, contact on the left channel and the agent on the right, written as it comes."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        # Both closed by finish() and by whoever uploads the file: they outlive this call.
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
        self._wav = wave.open(self._file, "wb")  # noqa: SIM115
        self._wav.setnchannels(2)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)
        self.frames = 0

    def append(self, contact: bytes, agent: bytes) -> None:
        stereo = interleave_stereo_audio(contact, agent)
        self._wav.writeframes(stereo)
        self.frames += len(stereo) // 4

    def finish(self) -> RecordedAudio | None:
        self._wav.close()  # writes the header's lengths; the spooled file stays open (wave did not open it)
        if self.frames == 0:
            self._file.close()
            return None
        self._file.seek(0)
        return RecordedAudio(body=self._file, duration_ms=round(1000 * self.frames / self.sample_rate))


class TurnLatencyMeter(FrameProcessor):
    """After the output transport: end of the callee's speech → the first agent audio sent for that turn."""

    def __init__(self, record: CallRecord) -> None:
        super().__init__(name="turn-latency", enable_direct_mode=True)  # no queue and task of its own: it only looks
        self._record = record
        self._speech_ended_at: float | None = None
        self._awaiting_reply = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, VADUserStoppedSpeakingFrame):
            # The VAD says "stopped" only after `stop_secs` of silence: the speech ended that much earlier.
            self._speech_ended_at = frame.timestamp - frame.stop_secs
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._awaiting_reply = False
        elif isinstance(frame, UserStoppedSpeakingFrame):
            self._awaiting_reply = self._speech_ended_at is not None
        elif isinstance(frame, BotStartedSpeakingFrame) and direction == FrameDirection.DOWNSTREAM \
                and self._awaiting_reply and self._speech_ended_at is not None:
            self._awaiting_reply = False
            self._record.turn_latencies_ms.append(max(0, round((time.time() - self._speech_ended_at) * 1000)))
        await self.push_frame(frame, direction)


class _CallRecorder(AudioBufferProcessor):
    """Pipecat's recorder, keeping the callee's audio: nothing after it (the assistant aggregator, the pipeline's
    end) uses it, and passing each 20 ms frame on cost two more queue hops (voice.callee_audio hands it here)."""

    async def push_frame(self, frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM) -> None:
        if isinstance(frame, InputAudioRawFrame) and direction == FrameDirection.DOWNSTREAM:
            return
        await super().push_frame(frame, direction)


def recorder(record: CallRecord, sample_rate: int) -> AudioBufferProcessor:
    """Both channels, from the moment `start_recording()` is called (never at the pipeline's start)."""
    audio = _CallRecorder(sample_rate=sample_rate, num_channels=2,
                          buffer_size=RECORDING_CHUNK_SECONDS * sample_rate * 2)

    @audio.event_handler("on_recording_started")
    async def _started(_processor) -> None:
        record.recording = record.recording or StereoWav(sample_rate)

    @audio.event_handler("on_track_audio_data")
    async def _chunk(_processor, contact: bytes, agent: bytes, _rate: int, _channels: int) -> None:
        if record.recording is not None:
            record.recording.append(contact, agent)

    return audio


def keep_transcript(record: CallRecord, aggregators: LLMContextAggregatorPair, audio: AudioBufferProcessor,
                    recording_notice: str) -> None:
    """Transcribe both sides' turns; start recording once an agent turn has spoken the recording notice whole."""
    notice = _words(recording_notice)

    @aggregators.user().event_handler("on_user_turn_stopped")
    async def _callee_turn(_aggregator, _strategy, message) -> None:
        record.add("contact", message.content, message.timestamp)

    @aggregators.assistant().event_handler("on_assistant_turn_stopped")
    async def _agent_turn(_aggregator, message) -> None:
        record.add("agent", message.content, message.timestamp, interrupted=message.interrupted)
        # `content` is what reached the carrier: a barge-in after the notice leaves it said; one during it does not.
        if _contains(_words(message.content or ""), notice):
            await audio.start_recording()  # a no-op once started


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _contains(words: list[str], wanted: list[str]) -> bool:
    if not wanted:
        return True
    return any(words[start:start + len(wanted)] == wanted for start in range(len(words) - len(wanted) + 1))
