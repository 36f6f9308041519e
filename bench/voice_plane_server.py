"""The voice plane under test for `make bench` (bench/voice_plane.py starts it): `python -m bench.voice_plane_server`.

The production server (voice.server.create_app under uvicorn, configured and logging as `python -m voice` does)
and the production per-call pipeline (voice.pipeline.build_pipeline: serializer, Silero VAD, smart-turn,
aggregation, the brain, interruptions, recording), in a process of its own pinned to one core
(`BENCH_VOICE_CORE`), on AWS as the harness's moto server answers it over HTTP at `AWS_ENDPOINT_URL` (the token
check, the call, the recording; in-process moto when that is not set), with Deepgram, Claude and
Cartesia replaced by the fakes of tests/fakes that the harness runs (their URLs in `BENCH_DEEPGRAM_URL`,
`BENCH_ANTHROPIC_URL`, `BENCH_CARTESIA_URL`; each call gets its own path under them, so the harness can tell the
calls apart at the fakes).

Two measurement hooks (and moto's calls serialised, below), nothing else changed:
- each media message the harness sends carries `sent_at` (the machine's monotonic clock); the Twilio serializer's
  audio frame is stamped with it, and when the frame has been through the transport, the STT's forwarding, the
  VAD and the turn analysis (where the brain would see it: voice.callee_audio.CalleeAudio) its lag behind
  real time is recorded;
- `GET /_bench/lag` hands the recorded lags over (and forgets them); `GET /_bench/process` the process's CPU time;
- when each callee turn ended (the user aggregator's `UserStoppedSpeakingFrame` reaching the brain: the moment a
  reply held by pipecat's speculation gate may go), per call: `GET /_bench/turn_ends`, so the harness can tell the
  turn detector's wait from the platform's own time.
"""

from __future__ import annotations

import os
import time


def main() -> None:
    os.sched_setaffinity(0, {int(os.environ["BENCH_VOICE_CORE"])})  # before any thread exists: all inherit it
    import uvicorn

    from voice.__main__ import configure_logging, server_config

    configure_logging()  # as `python -m voice` does

    from infra_local.aws import create_media_bucket, create_table, start_moto

    if not os.environ.get("AWS_ENDPOINT_URL"):
        start_moto()
    _one_aws_call_at_a_time()
    create_table()
    create_media_bucket()
    app = _app()
    uvicorn.Server(server_config(app, host="127.0.0.1", port=int(os.environ["BENCH_VOICE_PORT"]),
                                 log_level="warning")).run()


def _app():
    from fastapi import FastAPI

    from voice.server import create_app

    lags: list[float] = []
    turn_ends: dict[str, list[float]] = {}
    _stamp_frames_with_their_send_time()
    _record_lag_at_the_brain(lags, turn_ends)
    app: FastAPI = create_app(services=_services, load_call=_load_call, active_calls_publisher=lambda: None)

    @app.get("/_bench/lag")
    async def lag() -> dict:
        taken = list(lags)
        lags.clear()
        return {"lags_ms": [round(1000 * value, 2) for value in taken]}

    @app.get("/_bench/turn_ends")
    async def turn_ended() -> dict:
        return {"turn_ends": turn_ends}

    @app.get("/_bench/process")
    async def process() -> dict:
        return {"cpu_seconds": time.process_time()}

    return app


def _services():
    from voice.services import VoiceServices, anthropic_llm, cartesia_tts, deepgram_stt, provider_services

    deepgram, claude, cartesia = (os.environ[name] for name in (
        "BENCH_DEEPGRAM_URL", "BENCH_ANTHROPIC_URL", "BENCH_CARTESIA_URL"))
    return VoiceServices(
        stt=lambda call: deepgram_stt(call, api_key="dg-bench", base_url=f"{deepgram}/{call.call_id}"),
        llm=lambda call: anthropic_llm(call, api_key="sk-ant-bench", base_url=f"{claude}/{call.call_id}"),
        tts=lambda call: cartesia_tts(call, api_key="ca-bench", url=f"{cartesia}/{call.call_id}/tts/websocket"),
        effects=provider_services().effects)


def _load_call(grant, stream):
    """The call as the dialer stores it (so the end-of-call write finds it) and its context, a US rule book."""
    from shared.calls import repository as calls
    from shared.calls.models import Call
    from shared.platform import clock
    from voice.call_context import CallContext

    rule_book = _rule_book()
    calls.claim(Call(id=grant.call_id, tenant_id=grant.tenant_id, workflow_id="wf_bench", run_id="run_bench",
                     segment=1, target_phone="+14155550123", attempt=1, is_test=False, status="in-progress",
                     created_at=clock.now()))
    return CallContext(tenant_id=grant.tenant_id, call_id=grant.call_id, workflow_id="wf_bench",
                       run_id="run_bench", target_phone="+14155550123", rule_book=rule_book, stream=stream)


_RULE_BOOK = []


def _rule_book():
    if not _RULE_BOOK:
        from shared.workflows.composer import OfflineComposer
        from shared.workflows.ports import GenerationRequest

        prompt = "Renewal reminders for our accounting software (Khata Cloud); offer up to 10% off the annual plan."
        _RULE_BOOK.append(OfflineComposer().generate(GenerationRequest(
            prompt=prompt, persona_override=None, tenant_country="US")).rule_book)
    return _RULE_BOOK[0]


def _one_aws_call_at_a_time() -> None:
    """moto is not thread-safe, in-process or as a threaded server (a TransactWriteItems deep-copies the table while
    another request writes it: "dictionary changed size during iteration"); DynamoDB and S3 are. The voice plane
    calls AWS from worker threads (a call's start and end, the answering-machine check), each call short, so
    serialising them changes nothing it measures."""
    import threading

    from botocore.client import BaseClient

    lock, make_api_call = threading.Lock(), BaseClient._make_api_call

    def serialised(self, operation_name, api_params):
        with lock:
            return make_api_call(self, operation_name, api_params)

    BaseClient._make_api_call = serialised


def _stamp_frames_with_their_send_time() -> None:
    from pipecat.frames.frames import InputAudioRawFrame
    from pipecat.serializers.twilio import TwilioFrameSerializer

    deserialize = TwilioFrameSerializer.deserialize

    async def stamped(self, data):
        frame = await deserialize(self, data)
        if isinstance(frame, InputAudioRawFrame) and isinstance(data, str):
            start = data.rfind('"sent_at":')
            if start >= 0:
                frame.metadata["sent_at"] = float(data[start + 10:].rstrip("} "))
        return frame

    TwilioFrameSerializer.deserialize = stamped


def _record_lag_at_the_brain(lags: list[float], turn_ends: dict[str, list[float]]) -> None:
    """The callee's audio leaves the user aggregator for the recorder just before the brain (CalleeAudio):
    its lag is taken there; the turns' ends at the brain."""
    from pipecat.frames.frames import InputAudioRawFrame, UserStoppedSpeakingFrame

    from voice.brain import ConversationBrain
    from voice.callee_audio import CalleeAudio

    to_recorder, process_frame = CalleeAudio.process_frame, ConversationBrain.process_frame

    async def timed(self, frame, direction):
        if isinstance(frame, InputAudioRawFrame) and "sent_at" in frame.metadata:
            lags.append(time.monotonic() - frame.metadata["sent_at"])
        await to_recorder(self, frame, direction)

    async def turn_ended(self, frame, direction):
        if isinstance(frame, UserStoppedSpeakingFrame):
            turn_ends.setdefault(self._call.call_id, []).append(time.monotonic())
        await process_frame(self, frame, direction)

    CalleeAudio.process_frame = timed
    ConversationBrain.process_frame = turn_ended


if __name__ == "__main__":
    main()
