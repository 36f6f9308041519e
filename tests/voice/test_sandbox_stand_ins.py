"""The sandbox stand-ins on their own, driven frame by frame as the pipeline drives them (pipecat's `run_test`):
the STT's transcripts of the callee's registered lines, the scripted agent's actions as streamed text and tool
calls, and the TTS speaking each persona in its own espeak-ng voice."""

from __future__ import annotations

import asyncio
import audioop
from collections import defaultdict

import pytest
from pipecat.frames.frames import (
    EndFrame,
    FunctionCallResultFrame,
    InterimTranscriptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    TTSTextFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection
from pipecat.tests.utils import QueuedFrameProcessor, SleepFrame, run_test
from pipecat.workers.runner import WorkerRunner

from shared.conversation.models import Continue, End, OptOut, ProposeConcession, RequestCallback
from shared.conversation.scripted_agent import SORRY_TO_BOTHER, THANKS
from shared.providers.tts.espeak import EspeakVoice
from shared.voices.catalogue import VOICES, find_voice
from tests.voice.speech import speech_ms
from tests.voice.stored_calls import a_rule_book
from voice.call_context import CallContext, MediaStream
from voice.sandbox.llm import ASK_TO_REPEAT, SandboxLLM, tool_call_for
from voice.sandbox.stt import SandboxSTTService
from voice.sandbox.tts import SandboxTTSService, word_times
from voice.services import sandbox_tts

CALL_ID = "call_standin"


class Lines:
    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = defaultdict(list)

    def spoken(self, call_id: str) -> tuple[str, ...]:
        return tuple(self.lines.get(call_id, ()))


    def said(self, text: str):
        """A step: the callee starts saying a line (the carrier registers it)."""
        return lambda: self.lines[CALL_ID].append(text)


def texts(frames, kind) -> list[str]:
    return [frame.text for frame in frames if type(frame) is kind]


def vad(started: bool):
    return VADUserStartedSpeakingFrame(start_secs=0.2) if started else VADUserStoppedSpeakingFrame(stop_secs=0.2)


def run_stt(lines: Lines, steps: list) -> list:
    """The STT in a pipeline, fed `steps` in order: frames sent upstream (as the user aggregator broadcasts the
    VAD's), pauses (seconds) and actions (callables); what it pushed downstream."""
    async def drive() -> list:
        stt = SandboxSTTService(call_id=CALL_ID, callee_lines=lines, final_delay_seconds=0.1)
        received: asyncio.Queue = asyncio.Queue()
        worker = PipelineWorker(Pipeline([stt, QueuedFrameProcessor(queue=received,
                                                                    queue_direction=FrameDirection.DOWNSTREAM)]),
                                cancel_on_idle_timeout=False)
        started = asyncio.Event()

        @worker.event_handler("on_pipeline_started")
        async def _started(_worker, _frame) -> None:
            started.set()

        async def feed() -> None:
            await asyncio.wait_for(started.wait(), timeout=5)
            for step in steps:
                if callable(step):
                    step()
                elif isinstance(step, float):
                    await asyncio.sleep(step)
                else:
                    await worker.queue_frame(step, FrameDirection.UPSTREAM)
            await worker.queue_frame(EndFrame())

        runner = WorkerRunner(handle_sigint=False, handle_sigterm=False)
        await runner.add_workers(worker)
        await asyncio.gather(runner.run(), feed())
        return [received.get_nowait() for _ in range(received.qsize())]

    return asyncio.run(drive())


# --- STT -----------------------------------------------------------------------------------------------------------

def test_the_stt_transcribes_each_utterance_as_the_lines_registered_since_the_last_transcript():
    lines = Lines()
    down = run_stt(lines, [lines.said("Okay, tell me more."), vad(True), 0.05, vad(False), 0.3,
                           lines.said("Is it expensive?"), vad(True), vad(False), 0.3])
    finals = [frame for frame in down if type(frame) is TranscriptionFrame]
    assert [frame.text for frame in finals] == ["Okay, tell me more.", "Is it expensive?"]
    assert all(frame.finalized for frame in finals)  # as Deepgram's answer to Finalize: the turn may end at once
    assert texts(down, InterimTranscriptionFrame) == ["Okay, tell me more.", "Is it expensive?"]


def test_an_utterance_without_a_registered_line_produces_no_transcript():
    lines = Lines()
    down = run_stt(lines, [vad(True), vad(False), 0.3, lines.said("Hello?"), vad(True), vad(False), 0.3,
                           vad(True), vad(False), 0.3])
    assert texts(down, TranscriptionFrame) == ["Hello?"]


def test_a_pause_inside_a_line_does_not_split_it():
    lines = Lines()
    down = run_stt(lines, [lines.said("Yes, sign me up."), vad(True), vad(False), 0.05, vad(True), 0.05, vad(False),
                           0.3])
    assert texts(down, TranscriptionFrame) == ["Yes, sign me up."]


def test_a_line_begun_after_the_stop_waits_for_its_own_utterance():
    lines = Lines()
    down = run_stt(lines, [lines.said("No."), vad(True), vad(False), 0.05, lines.said("Wait."), 0.3, vad(True),
                           vad(False), 0.3])
    assert texts(down, TranscriptionFrame) == ["No.", "Wait."]


# --- LLM -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "said", "tool"), [
    (Continue(say="Shall I tell you more?"), "Shall I tell you more?", None),
    (End(outcome="converted", say=THANKS), "", ("end_call", {"outcome": "converted", "say": THANKS})),
    (ProposeConcession(kind="discount_percent", percent=15, say_hold_message=""), "",
     ("propose_concession", {"kind": "discount_percent", "percent": 15, "value_minor": None})),
    (RequestCallback(when_text="tomorrow", say="Sure, tomorrow then."), "Sure, tomorrow then.",
     ("request_callback", {"when_text": "tomorrow"})),
    (OptOut(say_goodbye="Sorry, goodbye."), "", None),  # the brain's to act on, never a model's
])
def test_each_action_of_the_scripted_agent_maps_to_claudes_words_or_tool_call(action, said, tool):
    assert tool_call_for(action) == (said, [tool] if tool else [])


def converse(messages: list[dict], handlers: dict | None = None) -> tuple[list, list]:
    llm = SandboxLLM(rule_book=a_rule_book())
    called: list = []
    for name, result in (handlers or {}).items():
        async def handler(params, result=result) -> None:
            called.append((params.function_name, dict(params.arguments)))
            await params.result_callback(result)
        llm.register_function(name, handler)
    down, _ = asyncio.run(run_test(llm, frames_to_send=[LLMContextFrame(LLMContext(messages=messages)),
                                                        SleepFrame(0.2)]))
    return down, called


OPENER = {"role": "assistant", "content": "Hello, this is Amelia, an AI assistant. This call is recorded."}


def test_a_continue_is_streamed_word_by_word_between_a_response_start_and_end():
    down, called = converse([OPENER, {"role": "user", "content": "Okay, tell me more about it."}])
    kinds = [type(frame) for frame in down if type(frame) in (LLMFullResponseStartFrame, LLMTextFrame,
                                                              LLMFullResponseEndFrame)]
    words = texts(down, LLMTextFrame)
    assert kinds[0] is LLMFullResponseStartFrame and kinds[-1] is LLMFullResponseEndFrame and len(words) > 3
    assert "".join(words).strip() == "The reason I'm calling: renew the plan."  # the rule book's goal: the pitch
    assert called == []


def test_an_end_goes_through_pipecats_function_calling_to_the_registered_end_call_handler():
    down, called = converse([OPENER, {"role": "user", "content": "Yes, sign me up."}],
                            handlers={"end_call": {"ended": True}})
    assert called == [("end_call", {"outcome": "converted", "say": THANKS})]
    assert texts(down, LLMTextFrame) == []  # the handler speaks the farewell, not the model
    results = [frame for frame in down if isinstance(frame, FunctionCallResultFrame)]
    assert [(frame.function_name, frame.result) for frame in results] == [("end_call", {"ended": True})]


def test_a_no_ends_the_call_as_not_interested():
    _, called = converse([OPENER, {"role": "user", "content": "No thanks."}],
                         handlers={"end_call": {"ended": True}})
    assert called == [("end_call", {"outcome": "not_interested", "say": SORRY_TO_BOTHER})]


def test_a_tool_result_with_words_is_spoken_and_one_without_is_not():
    tool_call = {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {
        "name": "propose_concession", "arguments": "{}"}}]}
    said = [OPENER, {"role": "user", "content": "Can I get 10% off?"}, tool_call]
    spoken, _ = converse([*said, {"role": "tool", "tool_call_id": "t1",
                                  "content": '{"decision": "granted", "say": "Yes, 10% off is yours."}'}])
    silent, _ = converse([*said, {"role": "tool", "tool_call_id": "t1", "content": '{"decision": "held"}'}])
    assert "".join(texts(spoken, LLMTextFrame)).strip() == "Yes, 10% off is yours."
    assert texts(silent, LLMTextFrame) == [] and not any(type(f) is LLMFullResponseStartFrame for f in silent)


def test_nothing_is_said_unless_the_callee_spoke_last_and_a_missed_utterance_is_asked_again():
    quiet, _ = converse([OPENER])
    missed, _ = converse([OPENER, {"role": "developer", "content": "The user may have said something while you "
                                                                   "were responding, but it was not recognized."}])
    assert texts(quiet, LLMTextFrame) == []
    assert "".join(texts(missed, LLMTextFrame)).strip() == ASK_TO_REPEAT


# --- TTS -----------------------------------------------------------------------------------------------------------

def a_call(persona: str) -> CallContext:
    rule_book = a_rule_book().model_copy(update={"persona": persona})
    return CallContext(tenant_id=1, call_id=CALL_ID, workflow_id="wf", run_id="run", target_phone="+14155550123",
                       rule_book=rule_book, stream=MediaStream(stream_sid="MZ1", carrier_call_sid="CA1"),
                       provider="sandbox")


def test_every_persona_speaks_in_its_own_espeak_voice_and_the_hindi_one_in_hindi():
    voices = {voice.id: sandbox_tts(a_call(voice.id)).voice for voice in VOICES}
    assert len({voice.name for voice in voices.values()}) == len(VOICES)
    assert voices["kavya"].language == "hi"
    assert all(voice.language.startswith("en") for persona, voice in voices.items() if persona != "kavya")
    assert voices["amelia"] == EspeakVoice("en-gb-x-rp", "f3") and find_voice("amelia").sandbox_voice == "en-gb-x-rp+f3"


def test_the_tts_speaks_sentence_by_sentence_between_started_and_stopped_with_each_word_timed():
    opener = "Hello, this is Amelia, an AI assistant. This call is recorded. Is now a good time?"
    tts = SandboxTTSService(voice=EspeakVoice("en-gb-x-rp", "f3"))
    down, _ = asyncio.run(run_test(tts, frames_to_send=[TTSSpeakFrame(opener), SleepFrame(0.5)]))
    kinds = [type(frame) for frame in down]
    assert kinds.index(TTSStartedFrame) < kinds.index(TTSAudioRawFrame) and kinds[-1] is not TTSStartedFrame
    assert kinds.count(TTSStartedFrame) == 1 and kinds.count(TTSStoppedFrame) == 1
    assert kinds.index(TTSStoppedFrame) > len(kinds) - 1 - kinds[::-1].index(TTSAudioRawFrame)
    words = [frame for frame in down if type(frame) is TTSTextFrame]
    assert " ".join(frame.text for frame in words) == opener  # word by word, as Cartesia's timestamps give them
    assert [frame.pts for frame in words] == sorted(frame.pts for frame in words)
    audio = b"".join(frame.audio for frame in down if type(frame) is TTSAudioRawFrame)
    assert all(frame.sample_rate == 8000 for frame in down if type(frame) is TTSAudioRawFrame)
    assert speech_ms(audioop.lin2ulaw(audio, 2)) > 2000  # Silero hears it as speech


def test_the_first_sentence_is_played_before_the_rest_is_synthesized():
    long = " ".join(f"This is sentence number {n} of a long reply." for n in range(12))
    tts = SandboxTTSService(voice=EspeakVoice("en-us", "m1"))
    down, _ = asyncio.run(run_test(tts, frames_to_send=[TTSSpeakFrame(long), SleepFrame(0.5)]))
    first = next(frame for frame in down if type(frame) is TTSAudioRawFrame)
    sentence_ms = 1000 * len(first.audio) / 16000
    assert sentence_ms <= 100 + 1  # one 100 ms chunk: the audio leaves in chunks as each sentence is ready


def test_word_times_share_a_sentence_out_by_length_from_its_offset():
    assert word_times("Hi there.", 1.0, 1.0) == [("Hi", 1.0), ("there.", 1.0 + 3 / 10)]
