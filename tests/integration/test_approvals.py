"""Approvals on moto: the queue, approve / deny once, expiry, tenant isolation, scopes (their Slack messages:
test_slack_approvals.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared.approvals import service
from shared.platform import clock
from tests.integration.conftest import mint_key, sign_up_and_log_in
from tests.integration.test_wallet_ledger import make_dynamodb_atomic

pytestmark = pytest.mark.integration

LISTED_FIELDS = {"id", "workflow_id", "run_id", "call_id", "target_phone", "proposed_action",
                 "proposed_value_minor", "currency", "rationale", "context", "status", "created_at", "expires_at",
                 "decided_at", "decided_by", "note"}


def _request(tenant_id: int, *, workflow_id: str = "wf_1", ttl_seconds: int = 300, action: str = "concession"):
    return service.request_approval(tenant_id, workflow_id=workflow_id, run_id="run_1",
                                    target_phone="+919876543210", proposed_action=action,
                                    proposed_value_minor=50_000, currency="INR", rationale="Loyal customer",
                                    context={"turn": 7}, ttl_seconds=ttl_seconds, call_id="call_1")


def test_a_requested_approval_is_listed_as_pending_with_the_contract_fields(api):
    # Given a workspace whose AI asked for a concession
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    # When the queue is read
    reply = api.get("/approvals", token=account.token)
    # Then it is there, pending, with every field of the reference
    assert reply.status == 200, reply.body
    [row] = reply.body["approvals"]
    assert set(row) == LISTED_FIELDS
    assert (row["id"], row["status"], row["proposed_value_minor"], row["context"]) == (
        approval.id, "pending", 50_000, {"turn": 7})


def test_the_queue_is_newest_first_and_filters_by_workflow_and_status(api):
    account = sign_up_and_log_in(api)
    first, second = _request(account.tenant_id, workflow_id="wf_a"), _request(account.tenant_id, workflow_id="wf_b")
    third = _request(account.tenant_id, workflow_id="wf_a")
    service.decide(service.Actor(account.tenant_id, "usr_x"), third.id, "deny")

    every = api.get("/approvals", token=account.token).body["approvals"]
    by_workflow = api.get("/approvals", token=account.token, query="workflow_id=wf_a").body["approvals"]
    pending = api.get("/approvals", token=account.token, query="status=pending").body["approvals"]

    assert [row["id"] for row in every] == [third.id, second.id, first.id]
    assert [row["id"] for row in by_workflow] == [third.id, first.id]
    assert [row["id"] for row in pending] == [second.id, first.id]


def test_approving_records_who_and_when(api):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve", "note": "ok by me"},
                     token=account.token)
    assert reply.status == 200, reply.body
    assert (reply.body["id"], reply.body["status"], reply.body["decided_by"]) == (approval.id, "approved",
                                                                                  account.user_id)
    assert reply.body["decided_at"]
    assert service.get_decision(account.tenant_id, approval.id).note == "ok by me"


def test_a_second_decision_is_refused(api):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "deny"}, token=account.token)
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=account.token)
    assert (reply.status, reply.body["code"]) == (409, "APPROVAL_ALREADY_DECIDED")
    assert service.get_decision(account.tenant_id, approval.id).status == "denied"


def test_a_decision_after_the_deadline_is_refused_and_the_approval_reads_as_expired(api):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id, ttl_seconds=60)
    clock.freeze(approval.expires_at + timedelta(seconds=1))
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=account.token)
    assert (reply.status, reply.body["code"]) == (409, "APPROVAL_EXPIRED")
    assert service.get_decision(account.tenant_id, approval.id).status == "expired"
    listed = api.get("/approvals", token=account.token, query="status=expired").body["approvals"]
    assert [row["id"] for row in listed] == [approval.id]


def test_a_decision_just_before_the_deadline_counts(api):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id, ttl_seconds=60)
    clock.freeze(approval.expires_at - timedelta(seconds=1))
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=account.token)
    assert reply.status == 200, reply.body


def test_another_workspace_can_neither_see_nor_decide_an_approval(api):
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    approval = _request(owner.tenant_id)
    assert api.get("/approvals", token=stranger.token).body["approvals"] == []
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=stranger.token)
    assert (reply.status, reply.body["code"]) == (404, "APPROVAL_NOT_FOUND")
    assert service.get_decision(owner.tenant_id, approval.id).status == "pending"


def test_a_read_key_can_list_but_not_decide(api):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    read_key = mint_key(api, account, scope="read")["secret"]
    assert api.get("/approvals", token=read_key).status == 200
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "approve"}, token=read_key)
    assert reply.status == 403, reply.body
    assert service.get_decision(account.tenant_id, approval.id).status == "pending"


def test_a_write_key_decision_is_recorded_as_the_key(api):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    key = mint_key(api, account, scope="write")
    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "deny"}, token=key["secret"])
    assert (reply.status, reply.body["decided_by"]) == (200, f"api_key:{key['id']}")


def test_the_queue_needs_credentials(api):
    assert api.get("/approvals").status == 401


@pytest.mark.parametrize("body", [{}, {"decision": "maybe"}, {"decision": "approve", "note": "x" * 501}])
def test_a_malformed_decision_is_a_400_naming_the_field(api, body):
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    reply = api.post(f"/approvals/{approval.id}/decide", body, token=account.token)
    assert reply.status == 400, reply.body
    assert reply.body["field"] in {"decision", "note"}


def test_concurrent_decisions_have_exactly_one_winner(api, monkeypatch):
    # Given one pending approval and moto made as atomic per request as DynamoDB
    make_dynamodb_atomic(monkeypatch)
    account = sign_up_and_log_in(api)
    approval = _request(account.tenant_id)
    decisions = ["approve", "deny"] * 4

    # When eight people decide at once
    def attempt(index: int) -> str:
        return api.post(f"/approvals/{approval.id}/decide", {"decision": decisions[index]},
                        token=account.token).body.get("status") or "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))

    # Then exactly one decision was written, and it is the one stored
    winners = [outcome for outcome in outcomes if outcome != "refused"]
    assert len(winners) == 1
    assert service.get_decision(account.tenant_id, approval.id).status == winners[0]
