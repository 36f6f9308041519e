"""When an approval may be decided with "transfer instead" (issue 13 §5): the API's `decision: "transfer"` and the
Slack message's Transfer button both ask here."""

from __future__ import annotations

from shared.approvals.models import Approval
from shared.workflows.service import rule_book_of


def may_transfer(approval: Approval) -> bool:
    """A concession the callee is holding for on a live call, in a workflow whose rule book has a transfer number it
    may use on an approval: the holding call is transferred to that number instead of resuming."""
    if approval.proposed_action != "concession" or approval.call_id is None:
        return False
    rule_book = rule_book_of(approval.tenant_id, approval.workflow_id)
    policy = rule_book.transfer_policy if rule_book is not None else None
    return policy is not None and policy.number is not None and policy.on_approval
