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
    from infra_local.queue_pollers import QueuePollers
    from infra_local.schedule_ticker import ScheduleTicker
    from infra_local.server import LocalApiServer
    from infra_local.state_machines import install_lambda_dispatch

    stop_requested = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop_requested.set())

    moto = start_moto()
    bootstrap()
    try:
        server = LocalApiServer(environment)
    except OSError as error:
        print(f"Cannot serve on {environment.base_url}: {error.strerror} (set PORT to use another port)",
              file=sys.stderr)
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
    base = environment.base_url
    print(f"CallFunnel local stack on {base} (API docs: {base}/docs, email outbox: {base}/_sandbox/outbox, "
          f"sandbox calls: {base}/_sandbox/carrier/calls, sandbox Slack: {base}/_sandbox/slack); "
          "Ctrl-C stops it", flush=True)

    stop_requested.wait()
    ticker.stop()
    pollers.stop()
    server.shutdown()
    server.server_close()
    uninstall_dispatch()
    moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
