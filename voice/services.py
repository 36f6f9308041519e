"""The per-call services of the pipeline — STT, LLM, TTS — and the effects of the brain, as factories.

`build_pipeline` takes a `VoiceServices`, so tests hand it factories pointed at local fakes of the providers'
streaming APIs and the laptop will hand it sandbox stand-ins; `provider_services()` builds the real ones from
settings: Deepgram streaming STT (phone model, 8 kHz), Claude streaming (a fast model) and Cartesia streaming
TTS in the persona's voice (the voice `preview-opening` plays: the catalogue's `provider_voice_id`).

The platform's keys only, for now: the tenant's BYOK keys (onboarding mode `byok`) are resolved by a later step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipecat.processors.frame_processor import FrameProcessor
from pipecat.transcriptions.language import Language

from shared.platform.errors import Unavailable
from shared.platform.settings import get_settings
from shared.voices.catalogue import find_voice
from voice.call_context import CallContext
from voice.effects import CallEffects, StoredCallEffects

SAMPLE_RATE = 8000  # telephony: Twilio Media Streams are 8 kHz μ-law both ways
LIVE_TURN_INSTRUCTIONS = ("You are speaking on a live phone call. Answer in one or two short, natural spoken "
                          "sentences: no lists, no markdown, no stage directions.")

ServiceFactory = Callable[[CallContext], FrameProcessor]


@dataclass(frozen=True)
class VoiceServices:
    stt: ServiceFactory
    llm: ServiceFactory
    tts: ServiceFactory
    effects: CallEffects


def provider_services() -> VoiceServices:
    return VoiceServices(stt=deepgram_stt, llm=anthropic_llm, tts=cartesia_tts, effects=StoredCallEffects())


def deepgram_stt(call: CallContext, *, api_key: str | None = None, base_url: str | None = None) -> FrameProcessor:
    from pipecat.services.deepgram.stt import DeepgramSTTService

    settings = get_settings()
    return DeepgramSTTService(
        api_key=api_key or _key(settings.deepgram_api_key, "Deepgram"), base_url=base_url or settings.deepgram_base_url
        or "", sample_rate=SAMPLE_RATE, encoding="linear16",
        settings=DeepgramSTTService.Settings(model=settings.deepgram_phone_model, language=_language(call),
                                             interim_results=True, punctuate=True))


def anthropic_llm(call: CallContext, *, api_key: str | None = None, base_url: str | None = None) -> FrameProcessor:
    from anthropic import AsyncAnthropic
    from pipecat.services.anthropic.llm import AnthropicLLMService, AnthropicThinkingConfig

    settings = get_settings()
    key = api_key or _key(settings.anthropic_api_key, "Anthropic")
    client = AsyncAnthropic(api_key=key, base_url=base_url or settings.anthropic_base_url, max_retries=1)
    return AnthropicLLMService(
        api_key=key, client=client,
        # No thinking before a spoken reply: time to first token is the turn's latency.
        settings=AnthropicLLMService.Settings(model=settings.anthropic_live_model, max_tokens=300,
                                              thinking=AnthropicThinkingConfig(type="disabled"),
                                              system_instruction=f"{call.rule_book.system_prompt}\n\n"
                                                                 f"{LIVE_TURN_INSTRUCTIONS}"))


def cartesia_tts(call: CallContext, *, api_key: str | None = None, url: str | None = None) -> FrameProcessor:
    from pipecat.services.cartesia.tts import CartesiaTTSService

    settings = get_settings()
    return CartesiaTTSService(
        api_key=api_key or _key(settings.cartesia_api_key, "Cartesia"), url=url or settings.cartesia_tts_websocket_url,
        sample_rate=SAMPLE_RATE,
        settings=CartesiaTTSService.Settings(voice=persona_voice_id(call), language=_language(call)))


def persona_voice_id(call: CallContext) -> str:
    """The Cartesia voice of the rule book's persona: the one `preview-opening` plays."""
    voice = find_voice(call.rule_book.persona)
    if voice is None:
        raise Unavailable(f"No voice for persona {call.rule_book.persona!r}", code="VOICE_NOT_FOUND")
    return voice.provider_voice_id


def _language(call: CallContext) -> Language:
    tag = call.rule_book.language
    for candidate in (tag, tag.split("-")[0]):
        try:
            return Language(candidate)
        except ValueError:
            continue
    return Language.EN


def _key(secret, provider: str) -> str:
    if secret is None:
        raise Unavailable(f"No {provider} key is configured for the voice plane", code="PROVIDER_NOT_CONFIGURED")
    return secret.get_secret_value()
