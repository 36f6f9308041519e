"""The provider clients of all calls share one TLS context and one HTTP client per process, and their sockets offer
no compression (voice/provider_sockets.py): a call's start builds none of them, and its audio is never deflated."""

from __future__ import annotations

import asyncio

from tests.voice.test_brain import a_call
from voice.provider_sockets import shared_http_client, shared_tls, uncompressed_deepgram_sockets
from voice.services import anthropic_llm


def test_calls_on_one_loop_share_the_anthropic_http_client_each_with_its_own_key():
    async def two_calls():
        first = anthropic_llm(a_call(), api_key="sk-ant-tenant-1", base_url="http://127.0.0.1:9")
        second = anthropic_llm(a_call(), api_key="sk-ant-tenant-2", base_url="http://127.0.0.1:9")
        return first._client, second._client

    first, second = asyncio.run(two_calls())
    assert first._client is second._client  # one httpx client: one TLS context, pooled connections
    assert (first.api_key, second.api_key) == ("sk-ant-tenant-1", "sk-ant-tenant-2")
    assert shared_http_client() is None  # outside a loop the SDK makes its own


def test_deepgrams_socket_is_opened_uncompressed_with_the_shared_tls_context():
    from deepgram.listen.v1 import client, raw_client

    seen = []

    def connect(uri, **options):
        seen.append((uri, options))

    original = (client.websockets_client_connect, raw_client.websockets_client_connect)
    client.websockets_client_connect = raw_client.websockets_client_connect = connect
    try:
        uncompressed_deepgram_sockets()
        uncompressed_deepgram_sockets()  # once per process: wrapping again changes nothing
        client.websockets_client_connect("wss://api.deepgram.com/v1/listen", extra_headers={})
        raw_client.websockets_client_connect("ws://127.0.0.1:9/v1/listen", extra_headers={})
    finally:
        client.websockets_client_connect, raw_client.websockets_client_connect = original

    assert seen == [("wss://api.deepgram.com/v1/listen", {"extra_headers": {}, "compression": None,
                                                          "ssl": shared_tls()}),
                    ("ws://127.0.0.1:9/v1/listen", {"extra_headers": {}, "compression": None})]


def test_calls_on_one_loop_share_the_http_client_deepgrams_sdk_builds_and_never_uses():
    from voice.services import deepgram_stt

    async def two_calls():
        return (deepgram_stt(a_call(), api_key="dg-1", base_url="ws://127.0.0.1:9"),
                deepgram_stt(a_call(), api_key="dg-2", base_url="ws://127.0.0.1:9"))

    first, second = asyncio.run(two_calls())
    assert first._client._client_wrapper.httpx_client.httpx_client \
        is second._client._client_wrapper.httpx_client.httpx_client
