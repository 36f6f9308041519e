"""Approvals: the conversation engine asks, a human (API, dashboard, the tenant's Slack) decides once.

The first decision wins: one conditional write (`status = pending AND expires_at > now`). A pending
approval past its deadline is read as expired — the waiting call gives up on its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.approvals import repository
from shared.approvals.models import DECIDED_STATUS, Approval, ApprovalStatus, ApprovalView, Decision, DecisionView
from shared.approvals.notifier import ApprovalNotifier, default_notifier
from shared.approvals.transfer_rule import may_transfer
from shared.auth.principal import Principal
from shared.callbacks import service as callbacks
from shared.phones import to_e164
from shared.platform import clock
from shared.platform.errors import Conflict, Invalid, NotFound
from shared.platform.events import publish_event
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event

ACTIONS = ("concession", "callback", "escalate")
MAX_TTL_SECONDS = 3600
MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class Actor:
    """Who decides, when it is not an authenticated principal (e.g. `slack:U123` from interactivity)."""

    tenant_id: int
    label: str


def actor_of(principal: Principal) -> Actor:
    label = principal.user_id if principal.is_user else f"api_key:{principal.api_key_id}"
    return Actor(tenant_id=principal.tenant_id, label=label or "unknown")


def _problems(target_phone: str, proposed_action: str, proposed_value_minor: int | None, currency: str,
              ttl_seconds: int) -> list[dict[str, str]]:
    problems = []
    if to_e164(target_phone, None) != target_phone:
        problems.append({"field": "target_phone", "message": "must be a valid E.164 number such as +919876543210"})
    if proposed_action not in ACTIONS:
        problems.append({"field": "proposed_action", "message": f"must be one of {', '.join(ACTIONS)}"})
    if proposed_value_minor is not None and proposed_value_minor < 0:
        problems.append({"field": "proposed_value_minor", "message": "must not be negative"})
    if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        problems.append({"field": "currency", "message": "must be an ISO 4217 code such as INR"})
    if not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
        problems.append({"field": "ttl_seconds", "message": f"must be between 1 and {MAX_TTL_SECONDS}"})
    return problems


def request_approval(tenant_id: int, *, workflow_id: str, run_id: str, target_phone: str, proposed_action: str,
                     proposed_value_minor: int | None, currency: str, rationale: str, context: dict[str, Any],
                     ttl_seconds: int = 300, call_id: str | None = None,
                     notifier: ApprovalNotifier | None = None, approved_by_policy: str | None = None) -> Approval:
    """Record a proposal for a human to decide within `ttl_seconds`, and tell them (best-effort).

    `approved_by_policy` (e.g. "callback_policy"): the rule book needs no human for this, so the approval is stored
    already approved, `decided_by: "policy:<name>"`, and nobody is asked (no Slack message, no `approval.requested`);
    it stays in the approval list as the record of what the call agreed to. What it approves happens when the call
    ends (`schedule_approved_callbacks`)."""
    problems = _problems(target_phone, proposed_action, proposed_value_minor, currency, ttl_seconds)
    if problems:
        raise Invalid(problems[0]["message"], code="APPROVAL_INVALID", field=problems[0]["field"], errors=problems)
    now = clock.now_seconds()
    approval = Approval(id=new_id("apr"), tenant_id=tenant_id, workflow_id=workflow_id, run_id=run_id,
                        call_id=call_id, target_phone=target_phone, proposed_action=proposed_action,
                        proposed_value_minor=proposed_value_minor, currency=currency, rationale=rationale,
                        context=context, status="pending", created_at=now,
                        expires_at=now + timedelta(seconds=ttl_seconds))
    if approved_by_policy:
        approval = approval.model_copy(update={
            "status": "approved", "decided_at": now, "decided_by": f"policy:{approved_by_policy}",
            "note": f"Approved by the rule book's {approved_by_policy} (no human approval required)"})
    repository.create(approval)
    if approved_by_policy:
        count_business_event("ApprovalApprovedByPolicy")
        _record_decision_on_timeline(approval)
        publish_event(tenant_id, "approval.decided", ApprovalView.of(approval).model_dump(mode="json"))
        return approval
    count_business_event("ApprovalRequested")
    (notifier or default_notifier()).notify(approval)
    publish_event(tenant_id, "approval.requested", ApprovalView.of(approval).model_dump(mode="json"))
    return approval


def list_approvals(principal: Principal, workflow_id: str | None = None,
                   status: ApprovalStatus | None = None) -> list[Approval]:
    """Newest first; every status unless one is asked for (expiry applied before filtering)."""
    now = clock.now()
    approvals = [approval.as_of(now) for approval in
                 repository.list_for_tenant(principal.tenant_id, workflow_id=workflow_id)]
    return [approval for approval in approvals if status is None or approval.status == status]


def decide(decider: Principal | Actor, approval_id: str, decision: Decision, note: str | None = None,
           notifier: ApprovalNotifier | None = None) -> DecisionView:
    actor = actor_of(decider) if isinstance(decider, Principal) else decider
    note = (note or "").strip()[:MAX_NOTE_CHARS] or None
    now = clock.now()
    if decision == "transfer":
        _ensure_transferable(actor.tenant_id, approval_id)
    decided = repository.record_decision(actor.tenant_id, approval_id, status=DECIDED_STATUS[decision],
                                         decided_at=now.replace(microsecond=0), decided_by=actor.label,
                                         note=note, now=now, decision_detail="transfer" if decision == "transfer"
                                         else None)
    if decided is None:
        _refuse(actor.tenant_id, approval_id)
    (notifier or default_notifier()).decided(decided)  # the Slack message shows the outcome, wherever it was made
    count_business_event("ApprovalDecided")
    _record_decision_on_timeline(decided)
    publish_event(decided.tenant_id, "approval.decided", ApprovalView.of(decided).model_dump(mode="json"))
    _act_on(decided)
    return DecisionView(id=decided.id, status=decided.status, decided_at=decided.decided_at,
                        decided_by=decided.decided_by)


def _act_on(approval: Approval) -> None:
    """What an approval sets in motion once approved: today, an approved callback is scheduled (once)."""
    if approval.status != "approved" or approval.proposed_action != "callback":
        return
    context = approval.context or {}
    callbacks.schedule_from_approval(
        approval.tenant_id, approval_id=approval.id, workflow_id=approval.workflow_id, run_id=approval.run_id,
        target_phone=approval.target_phone, origin_call_id=approval.call_id,
        callee_words=[str(context.get("callee_said") or ""), str(context.get("when_text") or "")])


def schedule_approved_callbacks(tenant_id: int, approval_ids: list[str]) -> None:
    """The call asked for these approvals and is over: act on those already approved (a callback the callback
    policy approved itself, or one a human approved while the call went on). Idempotent (one callback per call)."""
    for approval_id in approval_ids:
        approval = repository.find(tenant_id, approval_id)
        if approval is not None:
            _act_on(approval)


def _ensure_transferable(tenant_id: int, approval_id: str) -> None:
    approval = repository.find(tenant_id, approval_id)
    if approval is None:
        raise NotFound("No such approval in this workspace", code="APPROVAL_NOT_FOUND")
    if approval.status == "pending" and not may_transfer(approval):
        raise Invalid("This approval cannot be decided with a transfer: its workflow has no transfer number (or "
                      "the callee is not holding on a live call)", code="TRANSFER_NOT_AVAILABLE", field="decision")


def _record_decision_on_timeline(approval: Approval) -> None:
    from shared.timeline import service as timeline
    from shared.timeline.models import TimelineContact, TimelineEvent

    timeline.record(approval.tenant_id, TimelineEvent(
        id=new_id("tle"), tenant_id=approval.tenant_id, at=approval.decided_at or clock.now(), kind="decision",
        workflow_id=approval.workflow_id, run_id=approval.run_id,
        summary=f"{approval.proposed_action.capitalize()} {approval.status}"
                f"{' (transfer instead)' if approval.decision_detail == 'transfer' else ''} by {approval.decided_by}",
        contact=TimelineContact(phone=approval.target_phone),
        payload={"approval_id": approval.id, "proposed_action": approval.proposed_action, "status": approval.status,
                 "proposed_value_minor": approval.proposed_value_minor, "currency": approval.currency,
                 "decided_by": approval.decided_by, "note": approval.note, "call_id": approval.call_id,
                 "decision_detail": approval.decision_detail,
                 "context": approval.context}))


def _refuse(tenant_id: int, approval_id: str) -> None:
    """Why the conditional write failed: unknown here, decided already, or past its deadline."""
    current = repository.find(tenant_id, approval_id)
    if current is None:
        raise NotFound("No such approval in this workspace", code="APPROVAL_NOT_FOUND")
    if current.status != "pending":
        raise Conflict(f"This approval was already {current.status}", code="APPROVAL_ALREADY_DECIDED")
    raise Conflict("This approval expired before a decision", code="APPROVAL_EXPIRED")


def get_decision(tenant_id: int, approval_id: str) -> Approval:
    """What the waiting call polls: the approval, with a pending one past its deadline read as expired."""
    approval = repository.find(tenant_id, approval_id)
    if approval is None:
        raise NotFound("No such approval in this workspace", code="APPROVAL_NOT_FOUND")
    return approval.as_of(clock.now())
