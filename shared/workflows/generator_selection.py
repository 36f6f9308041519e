"""Which rule-book generator runs: Claude when an Anthropic key is configured (bundled mode), else the
offline composer. BYOK keys per tenant come later and will be passed in here."""

from __future__ import annotations

from shared.platform.settings import get_settings
from shared.providers.llm.anthropic_generator import AnthropicRuleBookGenerator
from shared.workflows.ports import RuleBookGenerator


def get_generator() -> RuleBookGenerator:
    settings = get_settings()
    if settings.anthropic_api_key is not None:
        return AnthropicRuleBookGenerator(api_key=settings.anthropic_api_key.get_secret_value(),
                                          model=settings.anthropic_model, base_url=settings.anthropic_base_url)
    from shared.workflows.composer import OfflineComposer  # lazily: the composer loads the library's rules

    return OfflineComposer()
