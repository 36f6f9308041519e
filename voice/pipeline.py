"""One live call's Pipecat pipeline (issue 12):

carrier socket → Twilio serializer → transport in → Deepgram STT → user turn aggregation (Silero VAD, smart-turn
v3, interruptions) → the conversation brain (the turn engine's rules) → Claude, streamed → Cartesia, streamed
→ transport out → carrier socket; the assistant aggregator keeps what was actually spoken in the context. After
the transport, the turn latency meter and the two-channel recorder (voice.call_record) see both sides' audio.

`build_pipeline` takes the services as factories (voice.services), so tests and the sandbox swap providers,
never the transport, serializer, VAD, turn detection or interruption handling.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import WebSocket
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair, LLMUserAggregatorParams
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport
from pipecat.turns.user_start import VADUserTurnStartStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies, default_user_turn_stop_strategies

from voice.brain import ConversationBrain
from voice.call_context import CallContext
from voice.call_record import CallRecord, TurnLatencyMeter, keep_transcript, recorder
from voice.serializers import audio_out_10ms_chunks, serializer_for
from voice.services import SAMPLE_RATE, VoiceServices

#: Silero's defaults, except the loudness gate: it delays "speaking" by 220–700 ms on phone audio (FACTS);
#: Silero's own confidence already ignores tones and noise.
VAD_PARAMS = VADParams(confidence=0.7, start_secs=0.2, stop_secs=0.2, min_volume=0.0)
#: A call whose carrier went quiet (no frames at all) is ended after this long.
IDLE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class CallPipeline:
    task: PipelineWorker
    brain: ConversationBrain
    context: LLMContext
    record: CallRecord


def build_pipeline(call: CallContext, services: VoiceServices, websocket: WebSocket) -> CallPipeline:
    serializer = serializer_for(call.stream)
    transport = FastAPIWebsocketTransport(websocket=websocket, params=FastAPIWebsocketParams(
        audio_in_enabled=True, audio_out_enabled=True, add_wav_header=False, serializer=serializer,
        audio_out_10ms_chunks=audio_out_10ms_chunks(call.stream)))
    vad = SileroVADAnalyzer(sample_rate=SAMPLE_RATE, params=VAD_PARAMS)
    vad.set_sample_rate(SAMPLE_RATE)
    context = LLMContext()
    aggregators = LLMContextAggregatorPair(context, user_params=LLMUserAggregatorParams(
        vad_analyzer=vad,
        user_turn_strategies=UserTurnStrategies(start=[VADUserTurnStartStrategy(enable_interruptions=True)],
                                                stop=default_user_turn_stop_strategies())))
    brain = ConversationBrain(call, services.effects)
    record = CallRecord()
    audio = recorder(record, SAMPLE_RATE)
    keep_transcript(record, aggregators, audio, call.rule_book.disclosures.recording_notice)
    pipeline = Pipeline([
        transport.input(), services.stt(call), aggregators.user(), brain, services.llm(call), services.tts(call),
        transport.output(), TurnLatencyMeter(record), audio, aggregators.assistant(),
    ])
    task = PipelineWorker(pipeline, params=PipelineParams(
        audio_in_sample_rate=SAMPLE_RATE, audio_out_sample_rate=SAMPLE_RATE, enable_metrics=True,
        enable_usage_metrics=True), idle_timeout_secs=IDLE_TIMEOUT_SECONDS)

    @transport.event_handler("on_client_disconnected")
    async def _carrier_hung_up(_transport, _client) -> None:
        await task.cancel()  # the call is over: stop the services at once (they would keep their sockets open)

    return CallPipeline(task=task, brain=brain, context=context, record=record)
