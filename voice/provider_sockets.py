"""How the provider clients of every call connect: one TLS context and one HTTP client per process, and sockets
that offer no compression.

Each call used to build its own: an `AsyncAnthropic` with its own httpx client (a TLS context: the system's CA
bundle loaded and parsed again, ~20–40 ms of CPU), and Deepgram's and Cartesia's sockets each a TLS context of
their own on connecting — part of the ~0.4 s of CPU a call's start cost in `make bench`, paid while its opener waits
(RULES: the opener within 2 s of answer, also when many calls start at once). And both sockets offered
permessage-deflate: with a server that accepts it, every 20 ms of a call's audio is deflated before it goes to
Deepgram (~14 % of the voice plane's CPU under load), and every audio message from Cartesia inflated — for audio
that hardly compresses.

- `shared_http_client()`: the Anthropic client's HTTP client, one per event loop (its pooled connections belong to
  the loop), so calls also share warm connections to the API. Each call keeps its own `AsyncAnthropic` with its
  own key (BYOK): the key travels in each request's headers, not in the HTTP client.
- `uncompressed_deepgram_sockets()`: Deepgram's SDK opens its listen socket through a module global of its listen
  clients (looked up on each connect) and has no setting for either; that function is wrapped once per process.
  Its client also builds an HTTP client (a TLS context) per call that a streaming call never uses (pipecat gives
  no way to pass one in): the SDK's default-client factory, also a module global, hands out one per event loop.
- `CartesiaTTS`: pipecat's Cartesia service, connecting through its own `_websocket_connect` hook.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import weakref
from typing import Any

from pipecat.services.cartesia.tts import CartesiaTTSService

_http_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_deepgram_http_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.cache
def shared_tls() -> ssl.SSLContext:
    """The system's CA bundle, loaded once: an SSLContext is safe to share between connections."""
    return ssl.create_default_context()


def _socket_options(uri: str, options: dict[str, Any]) -> dict[str, Any]:
    options["compression"] = None
    if uri.startswith("wss:"):
        options.setdefault("ssl", shared_tls())
    return options


def shared_http_client() -> Any | None:
    """The running loop's HTTP client for Anthropic (None outside a loop: the SDK then makes its own)."""
    from anthropic import DefaultAsyncHttpxClient

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    client = _http_clients.get(loop)
    if client is None:
        client = _http_clients[loop] = DefaultAsyncHttpxClient(verify=shared_tls())
    return client


def uncompressed_deepgram_sockets() -> None:
    from deepgram import base_client
    from deepgram.listen.v1 import client, raw_client

    make_client = base_client._make_default_async_client
    if not getattr(make_client, "callfunnel_sockets", False):
        @functools.wraps(make_client)
        def one_client_per_loop(timeout: Any, follow_redirects: Any, _make: Any = make_client) -> Any:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return _make(timeout=timeout, follow_redirects=follow_redirects)
            if loop not in _deepgram_http_clients:
                _deepgram_http_clients[loop] = _make(timeout=timeout, follow_redirects=follow_redirects)
            return _deepgram_http_clients[loop]

        one_client_per_loop.callfunnel_sockets = True  # type: ignore[attr-defined]
        base_client._make_default_async_client = one_client_per_loop

    for module in (client, raw_client):
        connect = module.websockets_client_connect
        if getattr(connect, "callfunnel_sockets", False):
            continue

        @functools.wraps(connect)
        def connect_plainly(uri: str, *args: Any, _connect: Any = connect, **options: Any) -> Any:
            return _connect(uri, *args, **_socket_options(uri, options))

        connect_plainly.callfunnel_sockets = True  # type: ignore[attr-defined]
        module.websockets_client_connect = connect_plainly


class CartesiaTTS(CartesiaTTSService):
    async def _websocket_connect(self, uri: str, **kwargs: Any) -> Any:
        return await super()._websocket_connect(uri, **_socket_options(uri, kwargs))
