"""`make run` serves the voice plane too: in the same `python -m infra_local` process (it shares moto), on
127.0.0.1:VOICE_PLANE_PORT, named in the startup banner, refusing a media socket without a token, and stopped
with the rest of the stack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from tests.contract.conftest import REPO_ROOT, STACK_ENVIRONMENT, LocalStack, _free_port

POLICY_VIOLATION = 1008


def test_the_voice_plane_answers_on_its_own_port_and_the_banner_names_it(local_stack: LocalStack) -> None:
    health = requests.get(f"http://127.0.0.1:{local_stack.voice_plane_port}/healthz", timeout=10)

    assert health.status_code == 200 and health.json()["status"] == "ok"
    banner = local_stack.output_path.read_text(errors="replace")
    assert f"voice plane: ws://127.0.0.1:{local_stack.voice_plane_port}/media/twilio" in banner


def test_a_media_socket_without_a_valid_token_is_refused_before_any_call_runs(local_stack: LocalStack) -> None:
    start = {"event": "start", "sequenceNumber": "1", "streamSid": "MZ1", "start": {
        "streamSid": "MZ1", "accountSid": "ACsandbox", "callSid": "SB1", "tracks": ["inbound"],
        "customParameters": {"token": "v1.forged.token", "call_id": "call_forged"},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}

    with connect(f"ws://127.0.0.1:{local_stack.voice_plane_port}/media/twilio", open_timeout=10) as websocket:
        websocket.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        websocket.send(json.dumps(start))
        with pytest.raises(Exception):  # noqa: B017 - any ConnectionClosed: the code is what matters
            while True:
                websocket.recv(timeout=10)
        assert websocket.close_code == POLICY_VIOLATION


def _start_stack(tmp_path: Path, **environment: str) -> tuple[subprocess.Popen, Path]:
    output = tmp_path / "stack.log"
    with output.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "infra_local"], cwd=REPO_ROOT, stdout=log,
                                   stderr=subprocess.STDOUT,
                                   env={**os.environ, **STACK_ENVIRONMENT, "PYTHONUNBUFFERED": "1", **environment})
    return process, output


def _wait_for(predicate, seconds: float, what: str, output: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} s; the stack said:\n{output.read_text(errors='replace')[-3000:]}")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_sigterm_stops_the_api_and_the_voice_plane_and_frees_both_ports(tmp_path: Path) -> None:
    port = _free_port()
    voice_plane_port = _free_port(other_than=port)
    process, output = _start_stack(tmp_path, PORT=str(port), VOICE_PLANE_PORT=str(voice_plane_port))
    try:
        _wait_for(lambda: _answers(f"http://127.0.0.1:{voice_plane_port}/healthz"), 60, "no voice plane", output)
        assert _answers(f"http://127.0.0.1:{port}/healthz")

        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert code == 0, output.read_text(errors="replace")[-3000:]
    for freed in (port, voice_plane_port):  # nothing listens there any more
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", freed), timeout=2).close()


def test_a_voice_plane_port_in_use_stops_the_stack_at_once_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = _free_port(other_than=taken.getsockname()[1])
        process, output = _start_stack(tmp_path, PORT=str(port), VOICE_PLANE_PORT=str(taken.getsockname()[1]))
        try:
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    said = output.read_text(errors="replace")
    assert code == 1, said[-3000:]
    assert "Cannot serve the voice plane on ws://127.0.0.1:" in said and "VOICE_PLANE_PORT" in said
    assert "Traceback" not in said
