"""Approval rules that need no table: expiry as read, request validation, who a decision is recorded as."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.approvals import service
from shared.approvals.models import Approval
from shared.auth.principal import Principal, Scope
from shared.platform.errors import Invalid

CREATED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def _approval(status: str = "pending") -> Approval:
    return Approval(id="apr_1", tenant_id=7, workflow_id="wf_1", run_id="run_1", target_phone="+919876543210",
                    proposed_action="concession", proposed_value_minor=50_000, currency="INR", rationale="loyal",
                    context={}, status=status, created_at=CREATED, expires_at=CREATED + timedelta(minutes=5))


def _request(**overrides):
    fields = {"workflow_id": "wf_1", "run_id": "run_1", "target_phone": "+919876543210",
              "proposed_action": "concession", "proposed_value_minor": 100, "currency": "INR",
              "rationale": "r", "context": {}} | overrides
    return service.request_approval(7, **fields)


def test_a_pending_approval_reads_as_pending_before_its_deadline():
    assert _approval().status_at(CREATED + timedelta(minutes=4, seconds=59)) == "pending"


def test_a_pending_approval_reads_as_expired_at_its_deadline():
    assert _approval().status_at(CREATED + timedelta(minutes=5)) == "expired"


def test_a_decided_approval_keeps_its_decision_after_the_deadline():
    assert _approval("approved").status_at(CREATED + timedelta(hours=1)) == "approved"


@pytest.mark.parametrize(("field", "value"), [
    ("target_phone", "98765 43210"), ("target_phone", "+9112"), ("proposed_action", "refund"),
    ("proposed_value_minor", -1), ("currency", "inr"), ("currency", "RUPEE"), ("ttl_seconds", 0),
    ("ttl_seconds", 3601),
])
def test_a_malformed_request_is_refused_before_anything_is_stored(field, value):
    # Given one bad field (the table is not reachable in unit tests, so storing would fail loudly)
    # When the engine asks for an approval / Then 422 names the field
    with pytest.raises(Invalid) as refused:
        _request(**{field: value})
    assert refused.value.field == field
    assert refused.value.code == "APPROVAL_INVALID"


def test_every_problem_of_a_request_is_listed():
    with pytest.raises(Invalid) as refused:
        _request(target_phone="x", currency="x")
    assert [problem["field"] for problem in refused.value.errors] == ["target_phone", "currency"]


def test_a_user_decision_is_recorded_as_the_user_id():
    user = Principal(tenant_id=7, kind="user", scope=Scope.WRITE, expires_at=None, user_id="usr_1")
    assert service.actor_of(user) == service.Actor(tenant_id=7, label="usr_1")


def test_an_api_key_decision_is_recorded_as_the_key_id():
    key = Principal(tenant_id=7, kind="api_key", scope=Scope.WRITE, expires_at=None, api_key_id="key_9")
    assert service.actor_of(key) == service.Actor(tenant_id=7, label="api_key:key_9")
