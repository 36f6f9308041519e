"""The concession limits a tenant's prompt states, which the rule book may not exceed.

"Offer up to 15% off, auto-approve 10%" allows discounts up to 15% and lets the agent grant 10% alone; a
generator (Claude or the composer) or an edit through the API that writes 20% breaks the tenant's own brief.
A limit the prompt does not state is left to the platform's ceilings (validator).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.workflows import composer_cues as cues


@dataclass(frozen=True)
class PromptLimits:
    discount_percent: int | None  # the most any discount may be ("up to 15%", "at most 20%", "no offers": 0)
    auto_approve_percent: int | None  # the most the agent may grant without a human


def limits_in(prompt: str) -> PromptLimits:
    offer = cues.offers(prompt)
    if offer.no_offers:
        return PromptLimits(discount_percent=0, auto_approve_percent=0)
    ceiling = offer.hard_percent
    if ceiling is None and offer.auto_percent is not None and not offer.approval_mentioned:
        ceiling = offer.auto_percent  # "offer 10% off", nobody to ask: 10% is all there is
    return PromptLimits(discount_percent=ceiling, auto_approve_percent=offer.auto_percent)
