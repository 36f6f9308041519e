"""How `python -m voice` serves: what its process writes to its log (CloudWatch in the cloud) — never what a callee
said — and what its sockets negotiate."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from loguru import logger

from tests.voice.conftest import UvicornThread
from voice.__main__ import configure_logging
from voice.server import create_app


def test_pipecats_debug_lines_with_the_callees_words_stay_out_of_the_log_and_its_info_lines_stay_in(capsys):
    try:
        configure_logging()
        # What pipecat's Anthropic service logs at DEBUG on every turn: the whole context, the callee's words too.
        logger.bind(name="pipecat.services.anthropic.llm").debug(
            "AnthropicLLMService#0: Generating LLM response [{'role': 'user', 'content': 'I am on +14155550123'}]")
        logger.info("Pipeline worker PipelineWorker#0 has finished")
    finally:
        logger.remove()
        logger.add(sys.stderr)  # loguru's default again, for the other tests

    written = capsys.readouterr().err
    assert "+14155550123" not in written
    assert "has finished" in written


def test_media_sockets_are_not_compressed_even_when_the_carrier_offers_it(table):
    from websockets.asyncio.client import connect

    async def negotiated(port: int) -> str | None:
        async with connect(f"ws://127.0.0.1:{port}/media/twilio") as socket:  # offers permessage-deflate
            return socket.response.headers.get("Sec-WebSocket-Extensions")

    with UvicornThread(create_app(active_calls_publisher=lambda: None)) as server:
        assert asyncio.run(negotiated(server.port)) is None


def test_the_provider_sdks_are_imported_before_the_server_takes_its_first_call() -> None:
    # In a fresh interpreter: in this one other tests have imported them already.
    from tests.voice.conftest import ENVIRONMENT

    script = ("import json, sys; from fastapi.testclient import TestClient; from voice.server import create_app\n"
              "before = 'anthropic' in sys.modules\n"
              "with TestClient(create_app(active_calls_publisher=lambda: None)) as client:\n"
              "    assert client.get('/healthz').status_code == 200\n"
              "    print(json.dumps([before, [m in sys.modules for m in ('anthropic', 'pipecat.services.deepgram.stt',"
              " 'pipecat.services.cartesia.tts')]]))\n")
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**os.environ, **ENVIRONMENT}).stdout
    before, after = json.loads(output.strip().splitlines()[-1])
    assert before is False and after == [True, True, True]
