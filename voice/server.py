"""The voice plane's HTTP face: `GET /healthz` and the carriers' media sockets, `/media/twilio` (Twilio Media
Streams) and `/media/exotel` (Exotel's bidirectional Voicebot stream, the Indian numbers).

A socket is accepted, its handshake read, and its media token verified (signature, expiry, this call, first
use); anything short of that closes it with 1008 (policy violation) before a pipeline exists. Then the call's
context is loaded and its pipeline runs until the call ends; then what it kept (transcript, turn latencies, the
recording) is written to the call, once. While it serves, it publishes how many calls it holds
(voice/active_calls_metric.py): the service's autoscaling tracks their average per task.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket
from starlette.websockets import WebSocketState

from shared.calls import conversation_record, media_tokens
from shared.calls.media_tokens import MediaStreamGrant, MediaTokenRejected
from shared.platform.errors import CallFunnelError
from shared.platform.settings import get_settings
from shared.providers.metrics.active_calls import active_calls_gauge
from voice import inference
from voice.active_calls_metric import Publish, publishing_active_calls
from voice.brain import TRANSFER_PARAMETER
from voice.call_context import CallContext, MediaStream, load_call_context
from voice.call_record import CallRecord
from voice.handshake import HandshakeFailed, read_exotel_start, read_twilio_start
from voice.pipeline import CallPipeline, build_pipeline
from voice.services import VoiceServices, provider_services

POLICY_VIOLATION = 1008
INTERNAL_ERROR = 1011
logger = logging.getLogger("callfunnel.voice")

#: What the provider factories (voice.services) import on first use, imported once before the server takes calls:
#: otherwise the first call of each task waits ~1 s (`import anthropic`) before its opener can be spoken (RULES: the
#: opener within 2 s of answer). The task is healthy only after its lifespan has started, so no call comes earlier.
PROVIDER_MODULES = ("anthropic", "pipecat.services.anthropic.llm", "pipecat.services.deepgram.stt",
                    "pipecat.services.cartesia.tts", "voice.provider_sockets")

CallLoader = Callable[[MediaStreamGrant, MediaStream], CallContext]
PipelineBuilder = Callable[[CallContext, VoiceServices, WebSocket], CallPipeline]
RecordKeeper = Callable[[CallContext, CallRecord], None]
StartReader = Callable[[WebSocket], Awaitable[MediaStream]]


def keep_call_record(call: CallContext, record: CallRecord) -> None:
    """The recording to the media bucket, then the transcript, latencies and recording onto the call. A stream after
    a transfer nobody answered is a later segment of the call: kept beside the first, never over it."""
    audio = record.recording.finish() if record.recording is not None else None
    segment = "after-transfer" if call.stream.custom_parameters.get(TRANSFER_PARAMETER) else None
    try:
        conversation_record.keep(call.tenant_id, call.call_id, utterances=record.transcript(),
                                 turn_latencies_ms=record.turn_latencies_ms, audio=audio, segment=segment)
    finally:
        if audio is not None and hasattr(audio.body, "close"):
            audio.body.close()


def _cloudwatch_publisher() -> Publish | None:
    gauge = active_calls_gauge()
    return gauge.publish if gauge is not None else None


def create_app(*, services: Callable[[], VoiceServices] = provider_services, load_call: CallLoader = load_call_context,
               pipeline_builder: PipelineBuilder = build_pipeline,
               keep_record: RecordKeeper = keep_call_record,
               active_calls_publisher: Callable[[], Publish | None] = _cloudwatch_publisher) -> FastAPI:
    active_calls: set[str] = set()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(_import_provider_modules)
        await asyncio.to_thread(inference.load_models)  # the calls' shared ONNX sessions, not the first call's wait
        # The service's autoscaling tracks these (infra_cdk/constructs/voice_plane.py), published while it serves.
        async with publishing_active_calls(lambda: len(active_calls), active_calls_publisher(),
                                           get_settings().voice_metrics_interval_seconds):
            yield

    app = FastAPI(title="CallFunnel voice plane", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "active_calls": len(active_calls)}

    @app.websocket("/media/twilio")
    async def twilio_media(websocket: WebSocket) -> None:
        await serve_stream(websocket, "twilio", read_twilio_start)

    @app.websocket("/media/exotel")
    async def exotel_media(websocket: WebSocket) -> None:
        await serve_stream(websocket, "exotel", read_exotel_start)

    async def serve_stream(websocket: WebSocket, carrier: str, read_start: StartReader) -> None:
        await websocket.accept()
        try:
            stream = await read_start(websocket)
            grant = await asyncio.to_thread(media_tokens.verify, _parameter(websocket, stream, "token"),
                                            call_id=_parameter(websocket, stream, "call_id"))
        except (HandshakeFailed, MediaTokenRejected) as refused:
            logger.warning("%s media stream refused: %s", carrier, getattr(refused, "code", refused))
            await _close(websocket, POLICY_VIOLATION, "media stream refused")
            return
        try:
            call = await asyncio.to_thread(load_call, grant, stream)
            pipeline = pipeline_builder(call, services(), websocket)
        except CallFunnelError as error:
            logger.warning("call %s cannot stream: %s", grant.call_id, error.code)
            await _close(websocket, INTERNAL_ERROR, error.code)
            return
        active_calls.add(call.call_id)
        try:
            await _run(pipeline)
            await _keep(keep_record, call, pipeline.record)
        finally:
            active_calls.discard(call.call_id)

    return app


def _import_provider_modules() -> None:
    for module in PROVIDER_MODULES:
        importlib.import_module(module)
    importlib.import_module("voice.provider_sockets").shared_tls()  # the CA bundle, parsed once before any call


def _parameter(websocket: WebSocket, stream: MediaStream, name: str) -> str | None:
    """The socket URL's query parameter (Exotel's URL carries the token and call id), else the start message's
    custom parameter (Twilio's `<Parameter>`)."""
    return websocket.query_params.get(name) or stream.custom_parameters.get(name)


async def _run(pipeline: CallPipeline) -> None:
    from pipecat.workers.runner import WorkerRunner

    runner = WorkerRunner(handle_sigint=False, handle_sigterm=False)  # uvicorn owns the process's signals
    await runner.add_workers(pipeline.task)
    await runner.run()


async def _keep(keep_record: RecordKeeper, call: CallContext, record: CallRecord) -> None:
    try:
        await asyncio.to_thread(keep_record, call, record)
    except Exception:  # the call itself is over: a failed write is logged, never raised into the server
        logger.exception("call %s: its transcript and recording could not be kept", call.call_id)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state != WebSocketState.DISCONNECTED:
        await websocket.close(code=code, reason=reason)
