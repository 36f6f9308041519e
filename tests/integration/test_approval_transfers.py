"""An approval decided "transfer instead" (issue 13 §5): `POST /approvals/{id}/decide {"decision": "transfer"}` is
accepted only when the approval's workflow has a transfer number (and the callee holds on a live call), stored as
`approved` with `decision_detail: "transfer"` (what the holding call reads), and offered in Slack as a button."""

from __future__ import annotations

import pytest

from shared.approvals import notifier, service
from shared.approvals.models import TRANSFER_ACTION_ID
from shared.approvals.transfer_rule import may_transfer
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import ready_workflow, sandbox_numbers
from tests.integration.test_dialer_calls import carrier  # noqa: F401
from voice.effects import StoredCallEffects

pytestmark = pytest.mark.integration


def _workflow(api, owner, number: str | None) -> str:
    workflow = ready_workflow(api, owner, sandbox_numbers(1))
    if number:
        edited = api.request("PUT", f"/workflows/{workflow['id']}",
                             json_body={"rule_book": {"transfer_policy": {"number": number}}}, token=owner.token)
        assert edited.status == 200, edited.body
    return workflow["id"]


def _holding(tenant_id: int, workflow_id: str, action: str = "concession"):
    return service.request_approval(tenant_id, workflow_id=workflow_id, run_id="run_1", target_phone="+14155550105",
                                    proposed_action=action, proposed_value_minor=None, currency="USD",
                                    rationale="Asked for 15% off; holding", context={"percent": 15},
                                    ttl_seconds=300, call_id="call_1")


def test_a_transfer_decision_is_stored_approved_as_a_transfer_and_read_so_by_the_holding_call(api, carrier):  # noqa: F811
    owner = sign_up_and_log_in(api)
    approval = _holding(owner.tenant_id, _workflow(api, owner, "+14155550123"))

    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "transfer"}, token=owner.token)

    assert reply.status == 200, reply.body
    assert reply.body["status"] == "approved"
    stored = service.get_decision(owner.tenant_id, approval.id)
    assert (stored.status, stored.decision_detail) == ("approved", "transfer")

    class Holding:
        tenant_id = owner.tenant_id

    assert StoredCallEffects().approval_status(Holding(), approval.id) == "transfer"


def test_a_transfer_decision_without_a_transfer_number_is_a_422_on_the_decision(api, carrier):  # noqa: F811
    owner = sign_up_and_log_in(api)
    approval = _holding(owner.tenant_id, _workflow(api, owner, None))

    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "transfer"}, token=owner.token)

    assert reply.status == 422 and reply.body["code"] == "TRANSFER_NOT_AVAILABLE" and reply.body["field"] == "decision"
    assert service.get_decision(owner.tenant_id, approval.id).status == "pending"


def test_a_callback_approval_cannot_be_transferred(api, carrier):  # noqa: F811
    owner = sign_up_and_log_in(api)
    approval = _holding(owner.tenant_id, _workflow(api, owner, "+14155550123"), action="callback")

    reply = api.post(f"/approvals/{approval.id}/decide", {"decision": "transfer"}, token=owner.token)

    assert reply.status == 422 and reply.body["field"] == "decision"


def test_the_slack_message_offers_transfer_only_when_the_workflow_has_a_number(api, carrier):  # noqa: F811
    owner = sign_up_and_log_in(api)
    with_number = _holding(owner.tenant_id, _workflow(api, owner, "+14155550123"))
    without = _holding(owner.tenant_id, _workflow(api, owner, None))

    def buttons(approval):
        message = notifier.slack_message(approval, transferable=may_transfer(approval))
        return [element["action_id"] for block in message["blocks"] if block["type"] == "actions"
                for element in block["elements"]]

    assert buttons(with_number) == ["approval_approve", "approval_deny", TRANSFER_ACTION_ID]
    assert buttons(without) == ["approval_approve", "approval_deny"]
