"""Which analyzer reads a call: the one its tenant's Claude key allows, else the offline composer.

The key is `resolve_credential(tenant, "anthropic")` — the tenant's own validated key in byok mode, else the
platform's bundled one — like every other use of Claude. A call on the sandbox carrier is always composed offline:
a sandbox call never spends (its conversation was the stand-ins', too).
"""

from __future__ import annotations

from shared.call_analysis.composer import OfflineAnalysisComposer
from shared.call_analysis.ports import CallAnalyzer
from shared.onboarding.credentials import resolve_credential
from shared.platform.settings import get_settings
from shared.providers.llm.anthropic_analyzer import AnthropicCallAnalyzer

SANDBOX_CARRIER = "sandbox"


def analyzer_for(tenant_id: int, carrier: str | None) -> CallAnalyzer:
    if carrier == SANDBOX_CARRIER:
        return OfflineAnalysisComposer()
    credential = resolve_credential(tenant_id, "anthropic")
    if credential is None:
        return OfflineAnalysisComposer()
    settings = get_settings()
    return AnthropicCallAnalyzer(api_key=credential.secret, model=settings.anthropic_analysis_model,
                                 base_url=settings.anthropic_base_url)
