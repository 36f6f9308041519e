"""Which providers a live call speaks through, chosen per call by `voice_services()` from what
`load_call_context` read: a sandbox-carrier call → the stand-ins (no provider is ever contacted); a real carrier's
call → Deepgram, Claude and Cartesia (local fakes of their streaming APIs here, reached by the official SDKs /
pipecat services) with the tenant's own keys in BYOK mode, the platform's bundled keys otherwise; a real call with
a provider missing is refused (the socket closed with 1011) before a pipeline exists.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable

import pytest

from shared.calls import media_tokens
from shared.onboarding import repository as onboarding
from shared.onboarding.models import StoredCredential
from shared.platform import clock, crypto
from shared.platform.settings import reset_settings
from shared.providers.tts.espeak import EspeakVoice
from tests.environment import environment
from tests.fakes.anthropic_streaming import FakeAnthropicStreaming
from tests.fakes.cartesia_tts_ws import FakeCartesiaTts
from tests.fakes.deepgram_listen import FakeDeepgramListen
from tests.voice.conftest import UvicornThread
from tests.voice.stored_calls import a_rule_book, a_stored_call
from tests.voice.twilio_callee import TwilioCallee, speech
from voice.call_context import CallContext, MediaStream
from voice.pipeline import build_pipeline
from voice.sandbox.llm import SandboxLLM
from voice.sandbox.stt import SandboxSTTService
from voice.sandbox.tts import SandboxTTSService
from voice.server import INTERNAL_ERROR, create_app
from voice.services import VoiceServices, deepgram_model, voice_services

BUNDLED = {"DEEPGRAM_API_KEY": "dg-platform-key", "ANTHROPIC_API_KEY": "sk-ant-platform-key",
           "CARTESIA_API_KEY": "ca-platform-key"}
TENANTS_OWN = {"deepgram": "dg-tenant-own-key", "anthropic": "sk-ant-tenant-own-key", "cartesia": "ca-tenant-own-key"}


class VoicePlane:
    def __init__(self, url: str, deepgram: FakeDeepgramListen, claude: FakeAnthropicStreaming,
                 cartesia: FakeCartesiaTts) -> None:
        self.url, self.deepgram, self.claude, self.cartesia = url, deepgram, claude, cartesia
        self.built: list[tuple[str, object]] = []  # (service kind, processor) of every pipeline built
        self.pipelines: list = []
        #: How many sessions / requests / connections each fake had when the latest call was answered.
        self.before_latest_call = (0, 0, 0)

    def contacts(self) -> tuple[int, int, int]:
        return len(self.deepgram.sessions), len(self.claude.request_headers), len(self.cartesia.connections)


@pytest.fixture(scope="module")
def plane(table):
    fakes = (FakeDeepgramListen(["Okay, tell me more about it."] * 20), FakeAnthropicStreaming(["Of course."]),
             FakeCartesiaTts(seconds_per_word=0.01))
    for fake in fakes:
        fake.__enter__()
    deepgram, claude, cartesia = fakes
    endpoints = {"DEEPGRAM_BASE_URL": deepgram.base_url, "ANTHROPIC_BASE_URL": claude.base_url,
                 "CARTESIA_TTS_WEBSOCKET_URL": cartesia.url,
                 "CALLFUNNEL_LOCAL_MEK": base64.b64encode(os.urandom(32)).decode()}
    holder: list[VoicePlane] = []

    def services() -> VoiceServices:
        chosen = voice_services()

        def recorded(kind: str, factory: Callable) -> Callable:
            def build(call: CallContext):
                processor = factory(call)
                holder[0].built.append((kind, processor))
                return processor
            return build

        return VoiceServices(stt=recorded("stt", chosen.stt), llm=recorded("llm", chosen.llm),
                             tts=recorded("tts", chosen.tts), effects=chosen.effects)

    def builder(call, chosen, websocket):
        pipeline = build_pipeline(call, chosen, websocket)
        holder[0].pipelines.append(pipeline)
        return pipeline

    with environment(endpoints):
        crypto.clear_key_cache()
        with UvicornThread(create_app(services=services, pipeline_builder=builder)) as server:
            holder.append(VoicePlane(f"ws://127.0.0.1:{server.port}/media/twilio", deepgram, claude, cartesia))
            yield holder[0]
    for fake in reversed(fakes):
        fake.__exit__(None, None, None)


@pytest.fixture
def bundled_keys(monkeypatch):
    for name, value in BUNDLED.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def a_tenant(tenant_id: int, mode: str, own_keys: dict[str, str]) -> int:
    """A tenant in `mode` with validated keys of its own saved (onboarding's repository, sealed as onboarding does)."""
    onboarding.save_mode(onboarding.load(tenant_id), mode, None)
    now = clock.now()
    for provider, secret in own_keys.items():
        onboarding.save_credential(
            StoredCredential(tenant_id=tenant_id, provider=provider, primary_id=None, extra={},
                             secret_last4=secret[-4:], saved_at=now, validated=True, validated_at=now,
                             validation_error=None),
            crypto.encrypt(tenant_id, secret.encode()), clear_completion_of=None)
    return tenant_id


def answer(plane: VoicePlane, tenant_id: int, call_id: str, *, speak: bool) -> int | None:
    """The carrier connects the call; the callee hears the opener (and, if `speak`, says a line Claude answers).
    The socket's close code if the voice plane closed it, else None."""
    async def call() -> int | None:
        asked = len(plane.claude.requests)
        plane.before_latest_call = plane.contacts()
        callee = TwilioCallee(plane.url)
        await callee.open({"token": media_tokens.mint(tenant_id, call_id).token, "call_id": call_id})
        heard = await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=20)  # 2 cores under load
        if speak:
            assert heard, "the callee never heard the opener"
            await callee.say(speech("tell_me_more"), then_silence_seconds=0.5)
            assert await callee.wait_for(lambda: len(plane.claude.requests) > asked, timeout=20)
        code = await callee.closed(timeout=0.5)
        await callee.close()
        return code

    return asyncio.run(call())


def keys_seen(plane: VoicePlane) -> dict[str, str]:
    """The key each provider fake saw on the first connection or request of the latest call (never an earlier
    call's: a test that read the newest entry could read the previous test's call when this one was slow)."""
    deepgram_from, claude_from, cartesia_from = plane.before_latest_call
    assert all(now > before for now, before in zip(plane.contacts(), plane.before_latest_call, strict=True)), \
        f"the latest call did not reach every provider: {plane.before_latest_call} → {plane.contacts()}"
    cartesia = plane.cartesia.connections[cartesia_from]
    cartesia_headers = {name.lower(): value for name, value in cartesia.headers.items()}
    claude_headers = plane.claude.request_headers[claude_from]
    deepgram = plane.deepgram.sessions[deepgram_from].authorization
    return {"deepgram": deepgram.removeprefix("Token ").removeprefix("token "),
            "anthropic": claude_headers.get("x-api-key") or claude_headers["authorization"].removeprefix("Bearer "),
            "cartesia": cartesia_headers["x-api-key"]}


def test_a_sandbox_call_speaks_through_the_stand_ins_and_never_reaches_a_provider(plane, bundled_keys):
    contacted = (len(plane.deepgram.sessions), len(plane.claude.requests), len(plane.cartesia.connections))
    hindi = a_rule_book("kavya").model_copy(update={"language": "hi"})
    call_id = a_stored_call(51, provider="sandbox", rule_book=hindi)

    assert answer(plane, 51, call_id, speak=False) is None  # the opener was heard: espeak-ng, not Cartesia
    built = dict(plane.built[-3:])
    assert isinstance(built["stt"], SandboxSTTService) and isinstance(built["llm"], SandboxLLM)
    assert isinstance(built["tts"], SandboxTTSService) and built["tts"].voice == EspeakVoice("hi", "f3")
    assert (len(plane.deepgram.sessions), len(plane.claude.requests), len(plane.cartesia.connections)) == contacted


def test_a_byok_tenants_own_keys_reach_deepgram_claude_and_cartesia(plane, bundled_keys):
    tenant_id = a_tenant(52, "byok", TENANTS_OWN)
    call_id = a_stored_call(tenant_id, provider="twilio")

    answer(plane, tenant_id, call_id, speak=True)

    assert keys_seen(plane) == TENANTS_OWN


def test_a_bundled_tenant_speaks_with_the_platforms_keys_even_with_keys_of_its_own_saved(plane, bundled_keys):
    tenant_id = a_tenant(53, "bundled", TENANTS_OWN)
    call_id = a_stored_call(tenant_id, provider="twilio")

    answer(plane, tenant_id, call_id, speak=True)

    assert keys_seen(plane) == {"deepgram": BUNDLED["DEEPGRAM_API_KEY"], "anthropic": BUNDLED["ANTHROPIC_API_KEY"],
                                "cartesia": BUNDLED["CARTESIA_API_KEY"]}


def test_a_real_call_without_a_cartesia_key_is_refused_with_1011_before_any_pipeline(plane, bundled_keys,
                                                                                     monkeypatch, caplog):
    monkeypatch.delenv("CARTESIA_API_KEY")
    reset_settings()
    tenant_id = a_tenant(54, "byok", {"deepgram": TENANTS_OWN["deepgram"]})  # no Cartesia key of its own either
    call_id = a_stored_call(tenant_id, provider="twilio")
    pipelines = len(plane.pipelines)
    contacted = (len(plane.deepgram.sessions), len(plane.cartesia.connections))

    with caplog.at_level("WARNING", logger="callfunnel.voice"):
        assert answer(plane, tenant_id, call_id, speak=False) == INTERNAL_ERROR

    assert len(plane.pipelines) == pipelines
    assert (len(plane.deepgram.sessions), len(plane.cartesia.connections)) == contacted
    assert any("no cartesia key" in record.getMessage() for record in caplog.records)
    assert not any(secret in caplog.text for secret in (*TENANTS_OWN.values(), *BUNDLED.values()))


def a_call(language: str) -> CallContext:
    rule_book = a_rule_book().model_copy(update={"language": language})
    return CallContext(tenant_id=1, call_id="call_x", workflow_id="wf", run_id="run", target_phone="+14155550123",
                       rule_book=rule_book, stream=MediaStream(stream_sid="MZ1", carrier_call_sid="CA1"))


@pytest.mark.parametrize(("language", "model"), [("en", ("nova-2-phonecall", "en")),
                                                 ("en-IN", ("nova-2-phonecall", "en")),
                                                 ("hi", ("nova-3", "multi")), ("hi-IN", ("nova-3", "multi"))])
def test_deepgram_listens_with_the_phone_model_in_english_and_nova_3_multilingual_in_hindi(language, model):
    assert deepgram_model(a_call(language)) == model
