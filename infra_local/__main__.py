"""`python -m infra_local`: start the laptop stack and serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading

from infra_local.environment import prepare_environment


def main() -> int:
    # Before anything imports project code: the functions read their settings from the environment.
    environment = prepare_environment()

    from infra_local.aws import bootstrap, start_moto
    from infra_local.moto_patches import cheaper_transaction_snapshots, serialize_requests
    from infra_local.queue_pollers import QueuePollers
    from infra_local.sandbox_callee_lines import CalleeLineRegistry
    from infra_local.sandbox_carrier import SandboxCarrier
    from infra_local.sandbox_media_stream import open_websocket
    from infra_local.schedule_ticker import ScheduleTicker
    from infra_local.server import LocalApiServer
    from infra_local.state_machines import install_lambda_dispatch
    from infra_local.voice_plane import LocalVoicePlane

    stop_requested = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop_requested.set())

    moto = start_moto()
    # The voice plane reaches moto from its own threads too: one DynamoDB / S3 request at a time, and transactions
    # that do not copy the whole table in the process that must keep up with real-time audio.
    serialize_requests()
    cheaper_transaction_snapshots()
    bootstrap()
    # The sandbox callees' words: the carrier registers each line as it streams it, the voice plane's stand-in STT
    # reads them (it hears when the callee speaks, not what).
    callee_lines = CalleeLineRegistry()
    voice_plane = LocalVoicePlane(environment.host, environment.voice_plane_port, callee_lines)

    def open_media_stream(url: str):
        voice_plane.wait_until_ready()  # a call answered while pipecat is still importing waits for it
        return open_websocket(url)

    carrier = SandboxCarrier(connect=open_media_stream, callee_lines=callee_lines)
    try:
        server = LocalApiServer(environment, carrier=carrier)
    except OSError as error:
        print(f"Cannot serve on {environment.base_url}: {error.strerror} (set PORT to use another port)",
              file=sys.stderr)
        moto.stop()
        return 1
    try:
        voice_plane.bind()
    except OSError as error:
        print(f"Cannot serve the voice plane on {voice_plane.url}: {error.strerror} (set VOICE_PLANE_PORT to use "
              "another port)", file=sys.stderr)
        server.server_close()
        moto.stop()
        return 1
    # Step Functions tasks (the dialer) run the catalog functions through the server's runtime.
    uninstall_dispatch = install_lambda_dispatch(server.runtime.invoke)
    threading.Thread(target=server.serve_forever, name="local-api", daemon=True).start()
    # The event source mappings: queue-triggered functions run through the server's runtime.
    pollers = QueuePollers(server.runtime.invoke, region=environment.region, account_id=environment.account_id)
    pollers.start()
    # EventBridge Scheduler: moto keeps the schedules, the ticker fires them.
    ticker = ScheduleTicker(server.runtime.invoke)
    ticker.start()
    # Last: its pipecat import (~0.7 s of CPU) runs on its own thread while the API already answers.
    voice_plane.start()
    base = environment.base_url
    print(f"CallFunnel local stack on {base} (API docs: {base}/docs, email outbox: {base}/_sandbox/outbox, "
          f"sandbox calls: {base}/_sandbox/carrier/calls, sandbox Slack: {base}/_sandbox/slack; "
          f"voice plane: {voice_plane.url}/media/twilio); Ctrl-C stops it", flush=True)

    stop_requested.wait()
    ticker.stop()
    pollers.stop()
    voice_plane.stop()
    server.shutdown()
    server.server_close()
    uninstall_dispatch()
    moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
