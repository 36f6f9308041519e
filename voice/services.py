"""The per-call services of the pipeline — STT, LLM, TTS — and the effects of the brain, as factories.

`build_pipeline` takes a `VoiceServices`, whose factories are called with the call's context, so the choice of
providers is made per call (`voice_services`):
- a call on the sandbox carrier always speaks through the stand-ins (voice/sandbox): the callee's registered lines
  for Deepgram, the ScriptedSandboxAgent for Claude, espeak-ng in the persona's sandbox voice for Cartesia — a
  sandbox call never spends;
- a real carrier's call speaks through Deepgram streaming STT, Claude streaming (the fast live model) and Cartesia
  streaming TTS in the persona's voice (the voice `preview-opening` plays), each with the key `load_call_context`
  resolved for the call's tenant (its own in BYOK mode, else the platform's bundled one).

Deepgram's models: English calls use the phone model (`nova-2-phonecall`: trained on 8 kHz phone audio; English
only, `en`/`en-US`). Hindi calls use Nova-3 in its multilingual mode (`DEEPGRAM_HINDI_MODEL` / `_LANGUAGE`, default
`nova-3` + `multi`): Nova-2 and Nova-3 both transcribe Hindi, but callees of a Hindi-first campaign switch between
Hindi and English mid-sentence (Hinglish), which only the multilingual mode transcribes as spoken, and Nova-3 is
Deepgram's recommended model wherever it covers the language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipecat.processors.frame_processor import FrameProcessor
from pipecat.transcriptions.language import Language

from shared.platform.errors import Unavailable
from shared.platform.settings import get_settings
from shared.providers.tts.espeak import espeak_available
from shared.providers.tts.sandbox import espeak_voice_for
from shared.voices.catalogue import VoiceEntry, find_voice
from voice.call_context import CallContext
from voice.effects import CallEffects, StoredCallEffects
from voice.sandbox.callee_lines import CalleeLines
from voice.sandbox.llm import SandboxLLM
from voice.sandbox.stt import SandboxSTTService
from voice.sandbox.tts import SandboxTTSService

SAMPLE_RATE = 8000  # telephony: Twilio Media Streams are 8 kHz μ-law both ways
LIVE_TURN_INSTRUCTIONS = ("You are speaking on a live phone call. Answer in one or two short, natural spoken "
                          "sentences: no lists, no markdown, no stage directions.")
logger = logging.getLogger("callfunnel.voice")

ServiceFactory = Callable[[CallContext], FrameProcessor]


@dataclass(frozen=True)
class VoiceServices:
    stt: ServiceFactory
    llm: ServiceFactory
    tts: ServiceFactory
    effects: CallEffects


class _NoCalleeLines:
    """Without the sandbox carrier's registry the STT stand-in hears the callee but never knows what was said."""

    def spoken(self, call_id: str) -> Sequence[str]:
        return ()


def voice_services(callee_lines: CalleeLines | None = None) -> VoiceServices:
    """The services of each call: the stand-ins on the sandbox carrier, the real providers otherwise.
    `callee_lines`: what the sandbox carrier's callees said (the local stack hands its registry)."""
    lines = callee_lines or _NoCalleeLines()

    def per_call(sandbox: ServiceFactory, real: ServiceFactory) -> ServiceFactory:
        return lambda call: sandbox(call) if call.on_sandbox_carrier else real(call)

    return VoiceServices(stt=per_call(lambda call: sandbox_stt(call, lines), deepgram_stt),
                         llm=per_call(sandbox_llm, anthropic_llm), tts=per_call(sandbox_tts, cartesia_tts),
                         effects=StoredCallEffects())


def provider_services() -> VoiceServices:
    """What `python -m voice` serves with (no sandbox callee in the cloud): `voice_services()`."""
    return voice_services()


# --- The real providers -----------------------------------------------------------------------------------------

def deepgram_stt(call: CallContext, *, api_key: str | None = None, base_url: str | None = None) -> FrameProcessor:
    from pipecat.services.deepgram.stt import DeepgramSTTService

    from voice.provider_sockets import uncompressed_deepgram_sockets

    uncompressed_deepgram_sockets()
    settings = get_settings()
    model, language = deepgram_model(call)
    return DeepgramSTTService(
        api_key=api_key or _call_key(call, "deepgram"), base_url=base_url or settings.deepgram_base_url or "",
        sample_rate=SAMPLE_RATE, encoding="linear16",
        settings=DeepgramSTTService.Settings(model=model, language=language, interim_results=True, punctuate=True))


def anthropic_llm(call: CallContext, *, api_key: str | None = None, base_url: str | None = None) -> FrameProcessor:
    from anthropic import AsyncAnthropic
    from pipecat.services.anthropic.llm import AnthropicLLMService, AnthropicThinkingConfig

    from voice.provider_sockets import shared_http_client

    settings = get_settings()
    key = api_key or _call_key(call, "anthropic")
    client = AsyncAnthropic(api_key=key, base_url=base_url or settings.anthropic_base_url, max_retries=1,
                            http_client=shared_http_client())
    return AnthropicLLMService(
        api_key=key, client=client,
        # No thinking before a spoken reply: time to first token is the turn's latency.
        settings=AnthropicLLMService.Settings(model=settings.anthropic_live_model, max_tokens=300,
                                              thinking=AnthropicThinkingConfig(type="disabled"),
                                              system_instruction=f"{call.rule_book.system_prompt}\n\n"
                                                                 f"{LIVE_TURN_INSTRUCTIONS}"))


def cartesia_tts(call: CallContext, *, api_key: str | None = None, url: str | None = None) -> FrameProcessor:
    from pipecat.services.cartesia.tts import CartesiaTTSService
    from pipecat.services.tts_service import TextAggregationMode

    from voice.provider_sockets import CartesiaTTS

    voice = persona_voice(call)
    return CartesiaTTS(
        api_key=api_key or _call_key(call, "cartesia"), url=url or get_settings().cartesia_tts_websocket_url,
        sample_rate=SAMPLE_RATE,
        # The concession guard before it already hands the text on clause by clause; pipecat's sentence aggregation
        # then held each sentence until the next clause's first letter confirmed its end (~100 ms a reply in
        # `make bench`). Cartesia's socket takes the clauses as continuations of one context (its own buffering
        # keeps the prosody whole).
        text_aggregation_mode=TextAggregationMode.TOKEN,
        settings=CartesiaTTSService.Settings(voice=voice.provider_voice_id, language=Language(voice.tts_language)))


def deepgram_model(call: CallContext) -> tuple[str, str]:
    """Deepgram's model and language for the call's language (see the module's docstring)."""
    settings = get_settings()
    if _primary_language(call) == "hi":
        return settings.deepgram_hindi_model, settings.deepgram_hindi_language
    return settings.deepgram_phone_model, "en"  # the phone model knows `en` and `en-US` only, not `en-IN`


# --- The sandbox stand-ins --------------------------------------------------------------------------------------

def sandbox_stt(call: CallContext, callee_lines: CalleeLines) -> FrameProcessor:
    return SandboxSTTService(call_id=call.call_id, callee_lines=callee_lines, language=_call_language(call),
                             sample_rate=SAMPLE_RATE)


def sandbox_llm(call: CallContext) -> FrameProcessor:
    return SandboxLLM(rule_book=call.rule_book, callback=call.callback)


def sandbox_tts(call: CallContext) -> FrameProcessor:
    if not espeak_available():
        raise Unavailable("espeak-ng is not installed: the sandbox cannot speak (apt-get install espeak-ng)",
                          code="SANDBOX_VOICE_UNAVAILABLE")
    voice = persona_voice(call)
    return SandboxTTSService(voice=espeak_voice_for(voice.sandbox_voice, voice.tts_language),
                             language=Language(voice.tts_language), sample_rate=SAMPLE_RATE)


def persona_voice(call: CallContext) -> VoiceEntry:
    """The catalogue's voice of the rule book's persona: the one `preview-opening` plays."""
    voice = find_voice(call.rule_book.persona)
    if voice is None:
        raise Unavailable(f"No voice for persona {call.rule_book.persona!r}", code="VOICE_NOT_FOUND")
    return voice


def _call_key(call: CallContext, provider: str) -> str:
    credential = getattr(call.keys, provider, None) if call.keys is not None else None
    if credential is None:
        raise Unavailable(f"No {provider} key was resolved for this call", code="PROVIDER_NOT_CONFIGURED")
    return credential.secret


def _primary_language(call: CallContext) -> str:
    return call.rule_book.language.split("-")[0].lower()


def _call_language(call: CallContext) -> Language:
    for candidate in (call.rule_book.language, _primary_language(call)):
        try:
            return Language(candidate)
        except ValueError:
            continue
    return Language.EN
