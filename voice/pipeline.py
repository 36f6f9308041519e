"""One live call's Pipecat pipeline (issue 12):

carrier socket → serializer → transport in → Deepgram STT → user turn aggregation (Silero VAD, smart-turn v3,
interruptions) → the conversation brain (the turn engine's rules) → Claude, streamed, with its tools → the
concession guard → Cartesia, streamed → transport out → carrier socket; the assistant aggregator keeps what was
actually spoken in the context. After the transport, the turn latency meter and the two-channel recorder
(voice.call_record) see both sides' audio.

`build_pipeline` takes the services as factories (voice.services), so tests and the sandbox swap providers,
never the transport, serializer, VAD, turn detection or interruption handling.

Barge-in and backchannels (the trade-off). The callee's speech stops the agent when Silero has heard
`VAD_PARAMS.start_secs` of it: the user aggregator broadcasts the interruption, the TTS and the model stop and
the serializer sends the carrier its `clear`. With pipecat's 0.2 s the clear left ~370 ms after the callee started
(the VAD needs 0.2 s of speech in 32 ms Silero windows, then the frames' trip); at 0.1 s it is ~110–250 ms —
under the 250 ms target. The price of a quick VAD is that a backchannel ("mm-hm", "yeah", "right") or a cough
stops the agent too; rather than slowing every barge-in down to tell them apart (waiting for words: an interim
transcript comes 300–600 ms after the speech starts), the brain makes that stop cheap to undo: when the turn
that cut the agent off turns out to be only a backchannel, or no words at all, the model is not asked and the
agent picks its reply up again from the start of the sentence it was cut in (a ~0.5 s pause, then the same
point). While the agent holds the floor — the opener with its disclosures, a voicemail message, the farewell —
the callee's speech starts a turn (their words still reach the brain: an opt-out is heard) but interrupts
nothing (voice.turn_taking).

Voice-to-voice latency (end of the callee's speech → first agent audio). Serially, a turn would wait for
Silero's 0.2 s stop, smart-turn's verdict and the final transcript, then Claude's first token, then Cartesia's
first audio — and smart-turn v3 often hears a finished sentence as unfinished (espeak's lines, a flat "I see."),
which held the turn for its 3 s silence fallback. Instead (measured in `make bench`: p50 ~640 ms, p95 ~650 ms
against the fakes' 590 ms; docs/ARCHITECTURE.md):
- the model is started on the recogniser's final words as soon as they come — Deepgram's endpointing, ~150 ms
  after the speech — against a provisional context (voice.turn_taking.SpeculativeTurnStop); pipecat's
  speculation gate holds the reply until the turn is confirmed, and a turn that goes on withdraws it. The turn
  detection's wait overlaps Claude's time to first token instead of adding to it;
- the turn's end: after words that end a sentence (Deepgram punctuates) it is 0.3 s of quiet after Silero's end of
  speech, whatever smart-turn would say — so smart-turn is not even run then; after words that do not (a comma's
  pause, a hesitation) smart-turn decides, with a 1.5 s silence fallback instead of its 3 s;
- the brain passes a turn the rules leave to the model on at once (the engine's checks are string matches),
  tools resolve without a second model round trip (the brain speaks the rules' words itself), and the guard
  passes the model's text on clause by clause (it holds only a clause with an amount of money in it, until its
  sentence ends) to Cartesia, which takes each clause as it comes (no second sentence aggregation, which held the
  first sentence ~100 ms for the next clause's first letter).

CPU per call (`make bench`: ~26–30 ms a call-second, 25 calls 66–74 % of one core with frame lag p99 ~74 ms; it
was ≥ 40 ms and 25 calls fell seconds behind). Each call's 50 frames a second cross this pipeline, so
per-frame overhead is what counts: Silero and smart-turn run on one ONNX session per process, Silero on the event
loop and batched across calls, smart-turn in one thread below the loop's priority (voice.inference); the callee's
audio leaves for the recorder right after turn detection, and the carrier's silence is watched there instead of
by pipecat's idle observer (voice.callee_audio); no RTVI or turn-tracking observers (a browser client's protocol
and tracing); the provider sockets are uncompressed and share one TLS context and HTTP client per process
(voice.provider_sockets); the server runs on uvloop (voice.__main__).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import WebSocket
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair, LLMUserAggregatorParams
from pipecat.services.llm_service import LLMService
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from voice.brain import ConversationBrain, ConversationTiming
from voice.call_context import CallContext
from voice.call_record import CallRecord, TurnLatencyMeter, keep_transcript, recorder
from voice.callee_audio import CalleeAudio
from voice.concession_guard import ConcessionGuard
from voice.inference import CallSmartTurn, CallVAD
from voice.serializers import audio_out_10ms_chunks, serializer_for
from voice.services import SAMPLE_RATE, VoiceServices
from voice.tools import register_tools
from voice.turn_taking import SMART_TURN_PARAMS, FloorAwareTurnStart, SpeculativeTurnStop

#: Silero's defaults, except: the loudness gate (it delays "speaking" by 220–700 ms on phone audio, FACTS;
#: Silero's own confidence already ignores tones and noise), and a 0.1 s start (barge-in, above).
VAD_PARAMS = VADParams(confidence=0.7, start_secs=0.1, stop_secs=0.2, min_volume=0.0)
#: A call whose carrier went quiet (no frames at all) is ended after this long (voice.callee_audio).
IDLE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class CallPipeline:
    task: PipelineWorker
    brain: ConversationBrain
    context: LLMContext
    record: CallRecord


def build_pipeline(call: CallContext, services: VoiceServices, websocket: WebSocket, *,
                   timing: ConversationTiming | None = None) -> CallPipeline:
    timing = timing or ConversationTiming()
    serializer = serializer_for(call.stream)
    transport = FastAPIWebsocketTransport(websocket=websocket, params=FastAPIWebsocketParams(
        audio_in_enabled=True, audio_out_enabled=True, add_wav_header=False, serializer=serializer,
        audio_out_10ms_chunks=audio_out_10ms_chunks(call.stream)))
    vad = CallVAD(sample_rate=SAMPLE_RATE, params=VAD_PARAMS)
    vad.set_sample_rate(SAMPLE_RATE)
    context = LLMContext()
    brain = ConversationBrain(call, services.effects, context=context, timing=timing)
    aggregators = LLMContextAggregatorPair(context, user_params=LLMUserAggregatorParams(
        vad_analyzer=vad,
        user_turn_strategies=UserTurnStrategies(
            start=[FloorAwareTurnStart(brain.floor_held)],
            stop=[SpeculativeTurnStop(turn_analyzer=CallSmartTurn(params=SMART_TURN_PARAMS),
                                      may_start=brain.may_start_early, started=brain.started_early)]),
        user_idle_timeout=timing.silence_seconds,
        empty_user_turn=None))  # a turn without words is the brain's (it resumes a cut-off reply), not the model's
    llm = services.llm(call)
    if isinstance(llm, LLMService):
        register_tools(llm, context, brain, call.rule_book)
    guard = ConcessionGuard(call.rule_book.concession_policy, brain.limits, brain.offer_blocked)
    record = CallRecord()
    audio = recorder(record, SAMPLE_RATE)
    keep_transcript(record, aggregators, audio, call.rule_book.disclosures.recording_notice)
    _tell_the_brain(brain, aggregators, guard)
    async def _carrier_silent() -> None:
        await task.cancel()

    callee_audio = CalleeAudio(audio, carrier_silent=_carrier_silent, silent_after=IDLE_TIMEOUT_SECONDS)
    pipeline = Pipeline([
        transport.input(), services.stt(call), aggregators.user(), callee_audio, brain, llm, guard,
        services.tts(call), transport.output(), TurnLatencyMeter(record), audio, aggregators.assistant(),
    ])
    task = PipelineWorker(pipeline, params=PipelineParams(
        audio_in_sample_rate=SAMPLE_RATE, audio_out_sample_rate=SAMPLE_RATE, enable_metrics=True,
        enable_usage_metrics=True),
        # The carrier's silence is watched by CalleeAudio, not by pipecat's idle observer (every frame pushed and
        # processed anywhere went through its queue).
        idle_timeout_secs=None,
        # No RTVI (a browser client's protocol: its processor and observer would see every frame of a phone call)
        # and no turn-tracking observer (it feeds pipecat's tracing, which is off): each saw every audio frame.
        enable_rtvi=False, enable_turn_tracking=False)

    @transport.event_handler("on_client_disconnected")
    async def _carrier_hung_up(_transport, _client) -> None:
        await task.cancel()  # the call is over: stop the services at once (they would keep their sockets open)

    return CallPipeline(task=task, brain=brain, context=context, record=record)


def _tell_the_brain(brain: ConversationBrain, aggregators: LLMContextAggregatorPair, guard: ConcessionGuard) -> None:
    """The aggregators' events the brain acts on: silence, a turn without words, a reply cut off."""

    @aggregators.user().event_handler("on_user_turn_idle")
    async def _callee_silent(_aggregator) -> None:
        brain.callee_silent()

    @aggregators.user().event_handler("on_user_turn_stopped")
    async def _callee_turn(_aggregator, _strategy, message) -> None:
        if (message.content or "").strip():
            brain.callee_turn_heard(message.content)
        else:
            brain.callee_turn_ended_empty()

    @aggregators.assistant().event_handler("on_assistant_turn_stopped")
    async def _agent_turn(_aggregator, message) -> None:
        if message.interrupted:
            brain.agent_cut_off(message.content or "", guard.intended)
