"""Approvals in the single table (patterns AP1–AP5)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from shared.approvals.models import Approval, ApprovalStatus
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem

#: The list is a view of the recent queue, not an archive: a Query reads at most this many items.
LIST_LIMIT = 500


class _ApprovalItem(TableItem, discriminator="Approval"):
    approval_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    workflow_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    call_id = UnicodeAttribute(null=True)
    target_phone = UnicodeAttribute()
    proposed_action = UnicodeAttribute()
    proposed_value_minor = NumberAttribute(null=True)
    currency = UnicodeAttribute()
    rationale = UnicodeAttribute()
    context = JSONAttribute(default=dict)
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    decision_detail = UnicodeAttribute(null=True)
    slack_channel = UnicodeAttribute(null=True)
    slack_ts = UnicodeAttribute(null=True)


def _approval_from(item: _ApprovalItem) -> Approval:
    return Approval(id=item.approval_id, tenant_id=item.tenant_id, workflow_id=item.workflow_id, run_id=item.run_id,
                    call_id=item.call_id, target_phone=item.target_phone, proposed_action=item.proposed_action,
                    proposed_value_minor=item.proposed_value_minor, currency=item.currency,
                    rationale=item.rationale, context=item.context or {}, status=item.status,
                    created_at=item.created_at, expires_at=item.expires_at, decided_at=item.decided_at,
                    decided_by=item.decided_by, note=item.note, decision_detail=item.decision_detail,
                    slack_channel=item.slack_channel,
                    slack_ts=item.slack_ts)


def _is_condition_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def create(approval: Approval) -> None:
    item = _ApprovalItem(
        keys.approvals_pk(approval.tenant_id), keys.approval_sk(approval.id),
        approval_id=approval.id, tenant_id=approval.tenant_id, workflow_id=approval.workflow_id,
        run_id=approval.run_id, call_id=approval.call_id, target_phone=approval.target_phone,
        proposed_action=approval.proposed_action, proposed_value_minor=approval.proposed_value_minor,
        currency=approval.currency, rationale=approval.rationale, context=approval.context,
        status=approval.status, created_at=approval.created_at, expires_at=approval.expires_at,
        decided_at=approval.decided_at, decided_by=approval.decided_by, note=approval.note,  # decided by a policy
    )
    try:
        item.save(condition=_ApprovalItem.PK.does_not_exist())
    except PutError as error:
        if _is_condition_failure(error):
            raise Conflict("Approval id collision; try again", code="APPROVAL_COLLISION") from error
        raise


def find(tenant_id: int, approval_id: str) -> Approval | None:
    try:
        item = _ApprovalItem.get(keys.approvals_pk(tenant_id), keys.approval_sk(approval_id), consistent_read=True)
    except DoesNotExist:
        return None
    return _approval_from(item)


def list_for_tenant(tenant_id: int, *, workflow_id: str | None = None) -> list[Approval]:
    """Newest first; the status filter is the service's (an expired approval is stored as pending)."""
    condition = _ApprovalItem.workflow_id == workflow_id if workflow_id else None
    items = _ApprovalItem.query(keys.approvals_pk(tenant_id), _ApprovalItem.SK.startswith(keys.APPROVAL_PREFIX),
                                filter_condition=condition, scan_index_forward=False, limit=LIST_LIMIT)
    return [_approval_from(item) for item in items]


def record_decision(tenant_id: int, approval_id: str, *, status: ApprovalStatus, decided_at: datetime,
                    decided_by: str, note: str | None, now: datetime,
                    decision_detail: str | None = None) -> Approval | None:
    """Write the decision if the approval is still pending and not past its deadline; None if it was not."""
    item = _ApprovalItem(keys.approvals_pk(tenant_id), keys.approval_sk(approval_id))
    actions = [_ApprovalItem.status.set(status), _ApprovalItem.decided_at.set(decided_at),
               _ApprovalItem.decided_by.set(decided_by)]
    if note:
        actions.append(_ApprovalItem.note.set(note))
    if decision_detail:
        actions.append(_ApprovalItem.decision_detail.set(decision_detail))
    still_open = (_ApprovalItem.PK.exists() & (_ApprovalItem.status == "pending")
                  & (_ApprovalItem.expires_at > now))
    try:
        item.update(actions=actions, condition=still_open)
    except UpdateError as error:
        if _is_condition_failure(error):
            return None
        raise
    return _approval_from(item)


def record_slack_message(tenant_id: int, approval_id: str, *, channel: str, ts: str) -> Approval | None:
    """Remember where the approval's Slack message is (AP6); returns the approval as it now stands (a decision
    may have landed while the message was being posted), None if it is gone."""
    item = _ApprovalItem(keys.approvals_pk(tenant_id), keys.approval_sk(approval_id))
    try:
        item.update(actions=[_ApprovalItem.slack_channel.set(channel), _ApprovalItem.slack_ts.set(ts)],
                    condition=_ApprovalItem.PK.exists())
    except UpdateError as error:
        if _is_condition_failure(error):
            return None
        raise
    return _approval_from(item)


def forget_slack_message(tenant_id: int, approval_id: str) -> None:
    """The Slack message was deleted (DSR erase): nothing to update any more."""
    item = _ApprovalItem(keys.approvals_pk(tenant_id), keys.approval_sk(approval_id))
    item.update(actions=[_ApprovalItem.slack_channel.remove(), _ApprovalItem.slack_ts.remove()],
                condition=_ApprovalItem.PK.exists())


# --- DSR (data-subject requests): one callee's approvals, pseudonymised in place ------------------------------------

def for_target(tenant_id: int, target_phone: str) -> list[Approval]:
    """Every approval about one number (or its pseudonym), newest first: the whole partition, filtered."""
    items = _ApprovalItem.query(keys.approvals_pk(tenant_id), _ApprovalItem.SK.startswith(keys.APPROVAL_PREFIX),
                                filter_condition=_ApprovalItem.target_phone == target_phone,
                                scan_index_forward=False)
    return [_approval_from(item) for item in items]


def pseudonymise(tenant_id: int, approval_id: str, pseudonym: str) -> None:
    """Keep the decision (status, value, who, when); replace the number, drop what may quote the callee."""
    item = _ApprovalItem(keys.approvals_pk(tenant_id), keys.approval_sk(approval_id))
    item.update(actions=[_ApprovalItem.target_phone.set(pseudonym), _ApprovalItem.context.set({}),
                         _ApprovalItem.rationale.set("[erased]"), _ApprovalItem.note.remove()],
                condition=_ApprovalItem.PK.exists())
