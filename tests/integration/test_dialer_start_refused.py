"""When the workflow engine refuses to start a run, the caller gets the contract's 503 and nothing is left
half-started: the orchestration adapter's error, not a botocore one, reaches the run service."""

import pytest

from shared.platform.settings import reset_settings
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import ready_workflow, sandbox_numbers

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("callable_time")]

UNKNOWN_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:no-such-dialer"


def test_a_run_the_engine_refuses_is_a_503_and_the_workflow_can_run_again(api, monkeypatch):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))
    monkeypatch.setenv("DIALER_STATE_MACHINE_ARN", UNKNOWN_MACHINE)
    reset_settings()

    refused = api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token)

    assert refused.status == 503 and refused.body["code"] == "DIALER_UNAVAILABLE", refused.body
    detail = api.get(f"/workflows/{workflow['id']}", token=owner.token).body
    assert detail["status"] == "paused"
    runs = api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"]
    assert [run["status"] for run in runs] == ["failed"]

    monkeypatch.undo()
    reset_settings()
    assert api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token).status == 201
