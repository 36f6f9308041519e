"""Runs and their targets' progress in the single table (patterns RN1–RN4 in ACCESS_PATTERNS.md).

A run lives on the tenant's partition (`RUN#{workflow}#{run}`; run ids are time-ordered, so a descending
Query lists a workflow's runs newest first). Its counters are one map, changed by atomic ADDs where
the event happens — never read-modify-write. A run's targets' progress lives on the run's own
partition (`TARGET#{e164}`): one item per target the dialer touched.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, UpdateError

from shared.dialer.models import Run, TargetProgress
from shared.platform.aws import client
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, condition_failed


class _RunItem(TableItem, discriminator="Run"):
    run_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    workflow_id = UnicodeAttribute()
    status = UnicodeAttribute()
    trigger = UnicodeAttribute()
    is_test = BooleanAttribute(default=False)
    segment = NumberAttribute(default=1)
    currency = UnicodeAttribute()
    targets_total = NumberAttribute(default=0)
    started_at = UTCDateTimeAttribute()
    ended_at = UTCDateTimeAttribute(null=True)
    paused_at = UTCDateTimeAttribute(null=True)
    counters = MapAttribute(default=dict)


class _TargetItem(TableItem, discriminator="RunTarget"):
    phone = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    done = BooleanAttribute(default=False)
    outcome = UnicodeAttribute(null=True)


def _run_from(item: _RunItem) -> Run:
    counters = item.counters.as_dict() if hasattr(item.counters, "as_dict") else dict(item.counters or {})
    return Run(id=item.run_id, tenant_id=int(item.tenant_id), workflow_id=item.workflow_id, status=item.status,
               trigger=item.trigger, is_test=item.is_test, segment=int(item.segment), currency=item.currency,
               targets_total=int(item.targets_total), started_at=item.started_at, ended_at=item.ended_at,
               paused_at=item.paused_at, counters={name: int(value) for name, value in counters.items()})


def _key(tenant_id: int, workflow_id: str, run_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.run_sk(workflow_id, run_id)


def create(run: Run) -> None:
    _RunItem(*_key(run.tenant_id, run.workflow_id, run.id), run_id=run.id, tenant_id=run.tenant_id,
             workflow_id=run.workflow_id, status=run.status, trigger=run.trigger, is_test=run.is_test,
             segment=run.segment, currency=run.currency, targets_total=run.targets_total,
             started_at=run.started_at, counters={}).save(condition=_RunItem.PK.does_not_exist())


def get(tenant_id: int, workflow_id: str, run_id: str) -> Run | None:
    try:
        return _run_from(_RunItem.get(*_key(tenant_id, workflow_id, run_id), consistent_read=True))
    except DoesNotExist:
        return None


def newest(tenant_id: int, workflow_id: str, limit: int) -> list[Run]:
    items = _RunItem.query(keys.tenant_pk(tenant_id), _RunItem.SK.startswith(keys.runs_prefix(workflow_id)),
                           scan_index_forward=False, limit=limit)
    return [_run_from(item) for item in items]


def resume(run: Run, *, targets_total: int) -> Run | None:
    """paused → running as the next segment; None when the run was not paused any more."""
    item = _RunItem(*_key(run.tenant_id, run.workflow_id, run.id))
    try:
        item.update(actions=[_RunItem.status.set("running"), _RunItem.segment.add(1),
                             _RunItem.targets_total.set(targets_total), _RunItem.paused_at.remove()],
                    condition=(_RunItem.status == "paused") & (_RunItem.segment == run.segment))
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _run_from(item)


def set_status(run: Run, status: str, *, at: datetime, expected: tuple[str, ...], segment: int | None = None) -> bool:
    """Move the run to `status` if it is in one of `expected` (and at `segment`, when given)."""
    item = _RunItem(*_key(run.tenant_id, run.workflow_id, run.id))
    actions = [_RunItem.status.set(status)]
    if status == "paused":
        actions.append(_RunItem.paused_at.set(at))
    if status in ("completed", "failed"):
        actions.append(_RunItem.ended_at.set(at))
    condition = _RunItem.status.is_in(*expected)
    if segment is not None:
        condition &= _RunItem.segment == segment
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def add_counters(tenant_id: int, workflow_id: str, run_id: str, deltas: dict[str, int]) -> None:
    deltas = {name: value for name, value in deltas.items() if value}
    if deltas:
        item = _RunItem(*_key(tenant_id, workflow_id, run_id))
        item.update(actions=[_RunItem.counters[name].add(value) for name, value in deltas.items()])


# --- Targets' progress ----------------------------------------------------------------------------------------

def _progress_from(item: _TargetItem) -> TargetProgress:
    return TargetProgress(phone=item.phone, attempts=int(item.attempts), done=item.done, outcome=item.outcome)


def get_progress(tenant_id: int, run_id: str, e164: str) -> TargetProgress | None:
    try:
        return _progress_from(_TargetItem.get(keys.run_targets_pk(tenant_id, run_id), keys.run_target_sk(e164),
                                              consistent_read=True))
    except DoesNotExist:
        return None


def finished_numbers(tenant_id: int, run_id: str) -> set[str]:
    """The run's targets it is done with (a resume leaves them out). One Query of the run's partition."""
    items = _TargetItem.query(keys.run_targets_pk(tenant_id, run_id), _TargetItem.SK.startswith(keys.RUN_TARGET_PREFIX),
                              filter_condition=_TargetItem.done == True,  # noqa: E712 (a DynamoDB condition)
                              attributes_to_get=["phone"])
    return {item.phone for item in items}


def attempted_numbers(tenant_id: int, run_id: str) -> set[str]:
    items = _TargetItem.query(keys.run_targets_pk(tenant_id, run_id), _TargetItem.SK.startswith(keys.RUN_TARGET_PREFIX),
                              filter_condition=_TargetItem.attempts > 0, attributes_to_get=["phone"])
    return {item.phone for item in items}


def record_attempt(tenant_id: int, run_id: str, e164: str, attempt: int) -> bool:
    """Claim `attempt` for the target: False when it (or a later one) was claimed already or the target is done."""
    item = _TargetItem(keys.run_targets_pk(tenant_id, run_id), keys.run_target_sk(e164), phone=e164)
    condition = (_TargetItem.attempts.does_not_exist() | (_TargetItem.attempts < attempt)) & (
        _TargetItem.done.does_not_exist() | (_TargetItem.done == False))  # noqa: E712
    try:
        item.update(actions=[_TargetItem.phone.set(e164), _TargetItem.attempts.set(attempt)], condition=condition)
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def finish_target(tenant_id: int, run_id: str, e164: str, outcome: str) -> bool:
    """Mark the target done; False when it was done already (so counters are added once)."""
    item = _TargetItem(keys.run_targets_pk(tenant_id, run_id), keys.run_target_sk(e164), phone=e164)
    try:
        item.update(actions=[_TargetItem.phone.set(e164), _TargetItem.done.set(True), _TargetItem.outcome.set(outcome)],
                    condition=_TargetItem.done.does_not_exist() | (_TargetItem.done == False))  # noqa: E712
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


# --- DSR (data-subject requests): forget one target's progress on a run (its key spells the number) -----------

def forget_target(tenant_id: int, run_id: str, e164: str) -> bool:
    """Delete the target's progress item; True when there was one. The run's counters stay as they are."""
    if get_progress(tenant_id, run_id, e164) is None:
        return False
    _TargetItem(keys.run_targets_pk(tenant_id, run_id), keys.run_target_sk(e164)).delete()
    return True


def save_manifest(bucket: str, key: str, items: list[dict[str, Any]]) -> None:
    """A run segment's targets, as the JSON array the Distributed Map reads from S3."""
    client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps(items, separators=(",", ":")).encode(),
                            ContentType="application/json")
