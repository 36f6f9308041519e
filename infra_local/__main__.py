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
    from infra_local.server import LocalApiServer

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
    threading.Thread(target=server.serve_forever, name="local-api", daemon=True).start()
    # The event source mappings: queue-triggered functions run through the server's runtime.
    pollers = QueuePollers(server.runtime.invoke, region=environment.region, account_id=environment.account_id)
    pollers.start()
    print(f"CallFunnel local stack on {environment.base_url} (API docs: {environment.base_url}/docs, "
          f"email outbox: {environment.base_url}/_sandbox/outbox); Ctrl-C stops it", flush=True)

    stop_requested.wait()
    pollers.stop()
    server.shutdown()
    server.server_close()
    moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
