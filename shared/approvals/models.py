"""Approvals: what the AI proposed mid-call, waiting for a human's approve / deny."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

ProposedAction = Literal["concession", "callback", "escalate"]
ApprovalStatus = Literal["pending", "approved", "denied", "expired"]
#: `transfer`: approved, by transferring the holding callee to the rule book's transfer number instead of answering
#: (stored as status `approved` with `decision_detail: "transfer"`).
Decision = Literal["approve", "deny", "transfer"]
DecisionDetail = Literal["transfer"]

#: The Approve / Deny buttons of an approval's Slack message (their value is the approval id).
APPROVE_ACTION_ID = "approval_approve"
DENY_ACTION_ID = "approval_deny"
TRANSFER_ACTION_ID = "approval_transfer"  # shown when the workflow's rule book has a transfer number

#: The stored status a decision writes.
DECIDED_STATUS: dict[str, ApprovalStatus] = {"approve": "approved", "deny": "denied", "transfer": "approved"}


class Approval(BaseModel):
    id: str
    tenant_id: int
    workflow_id: str
    run_id: str
    call_id: str | None = None
    target_phone: str
    proposed_action: ProposedAction
    proposed_value_minor: int | None
    currency: str
    rationale: str
    context: dict[str, Any]
    status: ApprovalStatus
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    note: str | None = None
    #: How an approval was approved when it was not plainly: "transfer" (the callee was transferred to a person).
    decision_detail: DecisionDetail | None = None
    #: The message about it in the tenant's Slack (chat.postMessage's channel and ts), updated when decided.
    slack_channel: str | None = None
    slack_ts: str | None = None

    def status_at(self, moment: datetime) -> ApprovalStatus:
        """A pending approval past its deadline reads as expired (nobody writes that transition)."""
        if self.status == "pending" and self.expires_at <= moment:
            return "expired"
        return self.status

    def as_of(self, moment: datetime) -> "Approval":
        return self.model_copy(update={"status": self.status_at(moment)})


class ApprovalView(BaseModel):
    """One row of `GET /approvals`."""

    id: str
    workflow_id: str
    run_id: str
    call_id: str | None
    target_phone: str
    proposed_action: ProposedAction
    proposed_value_minor: int | None
    currency: str
    rationale: str
    context: dict[str, Any]
    status: ApprovalStatus
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None

    @classmethod
    def of(cls, approval: Approval) -> "ApprovalView":
        return cls(**approval.model_dump(exclude={"tenant_id", "slack_channel", "slack_ts", "decision_detail"}))


class DecisionView(BaseModel):
    """`POST /approvals/{id}/decide` 200."""

    id: str
    status: ApprovalStatus
    decided_at: datetime | None
    decided_by: str | None
