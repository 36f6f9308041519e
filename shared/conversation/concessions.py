"""Judging a concession against the rule book's concession policy: grant it, ask a human, or refuse it.

The agent only proposes; these limits hold whatever it proposed.
"""

from __future__ import annotations

from typing import Literal

from shared.conversation.models import ProposeConcession
from shared.workflows.rule_book import MONEY_CONCESSIONS, ConcessionPolicy

Verdict = Literal["grant", "needs_approval", "refuse"]


def judge(policy: ConcessionPolicy, concession: ProposeConcession) -> Verdict:
    if concession.kind not in policy.allowed:
        return "refuse"
    if concession.kind == "discount_percent":
        amount, auto, hard = concession.percent, policy.auto_approve_percent, policy.hard_max_percent
    elif concession.kind in MONEY_CONCESSIONS:
        amount, auto, hard = concession.value_minor, policy.auto_approve_limit_minor, policy.hard_max_minor
    else:
        # Not measured (free shipping, an extended trial…): allowed kinds are granted as they are.
        return "grant"
    if amount is None:
        return "refuse"
    if amount <= auto:
        return "grant"
    if hard is None or amount > hard or not policy.approval_required_above_limit:
        return "refuse"
    return "needs_approval"


def describe(policy: ConcessionPolicy, concession: ProposeConcession) -> str:
    """The concession in words, e.g. '15% off', 'a credit of 500.00 INR', 'free shipping'."""
    if concession.kind == "discount_percent":
        return f"{concession.percent}% off"
    label = concession.kind.replace("_", " ")
    if concession.kind in MONEY_CONCESSIONS and concession.value_minor is not None:
        return f"a {label} of {concession.value_minor / 100:.2f} {policy.currency}"
    return label
