"""Runs through the API: readiness, start, one run at a time, pause and resume, the runs list, funds."""

import json

import pytest

from tests.integration.conftest import mint_key, sign_up_and_log_in
from tests.integration.dialer_fixtures import (
    US_PROMPT,
    ensure_dialer_aws,
    ready_workflow,
    sandbox_numbers,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("callable_time")]


def test_a_workflow_that_is_not_ready_gets_a_409_naming_every_missing_piece(api):
    ensure_dialer_aws()
    owner = sign_up_and_log_in(api)
    workflow = api.post("/workflows", {"nl_prompt": US_PROMPT}, token=owner.token).body

    refused = api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token)

    assert refused.status == 409 and refused.body["code"] == "WORKFLOW_NOT_READY"
    assert [problem["field"] for problem in refused.body["errors"]] == ["audience", "compliance"]
    assert api.get(f"/workflows/{workflow['id']}", token=owner.token).body["status"] == "draft"


def test_run_starts_the_dialer_and_the_workflow_goes_live(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(3))

    started = api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token)

    assert started.status == 201, started.body
    assert started.body["status"] == "running" and started.body["targets_queued"] == 3
    assert started.body["run_id"].startswith("run_")
    detail = api.get(f"/workflows/{workflow['id']}", token=owner.token).body
    assert detail["status"] == "live" and detail["runs_count"] == 1
    runs = api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"]
    assert runs[0]["id"] == started.body["run_id"] and runs[0]["status"] == "running"
    assert runs[0]["targets_total"] == 3 and runs[0]["targets_dialed"] == 0 and runs[0]["approvals_pending"] == 0


def test_a_second_run_while_one_is_running_is_refused_and_so_are_retire_and_delete(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))
    assert api.post(f"/workflows/{workflow['id']}/run", token=owner.token).status == 201

    again = api.post(f"/workflows/{workflow['id']}/run", token=owner.token)
    retire = api.post(f"/workflows/{workflow['id']}/retire", token=owner.token)
    delete = api.delete(f"/workflows/{workflow['id']}", token=owner.token)

    assert again.status == 409 and again.body["code"] == "RUN_IN_PROGRESS"
    assert retire.status == 409 and delete.status == 409


def test_pause_then_run_resumes_the_same_run(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))
    run_id = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body["run_id"]

    paused = api.post(f"/workflows/{workflow['id']}/pause", token=owner.token)
    from shared.dialer.runs import finish  # the execution's last step: what the state machine does after a pause
    finish({"tenant_id": owner.tenant_id, "workflow_id": workflow["id"], "run_id": run_id, "segment": 1})
    resumed = api.post(f"/workflows/{workflow['id']}/run", token=owner.token)

    assert paused.status == 200 and paused.body["status"] == "paused" and paused.body["run_status"] == "paused"
    assert resumed.status == 201 and resumed.body["run_id"] == run_id and resumed.body["resumed"] is True
    runs = api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"]
    assert len(runs) == 1 and runs[0]["status"] == "running"


def test_pausing_a_workflow_that_is_not_live_is_a_409(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1))

    refused = api.post(f"/workflows/{workflow['id']}/pause", token=owner.token)

    assert refused.status == 409 and refused.body["code"] == "WORKFLOW_NOT_LIVE"


def test_a_wallet_that_cannot_pay_for_a_call_is_a_402_and_a_test_workflow_still_runs(api):
    owner = sign_up_and_log_in(api)
    billed = ready_workflow(api, owner, sandbox_numbers(1))
    free = ready_workflow(api, owner, sandbox_numbers(1, first=5), is_test=True)
    from shared.billing import repository, reservations

    reservations.reserve(owner.tenant_id, repository.get_wallet(owner.tenant_id).available_minor, "hold-everything")

    refused = api.post(f"/workflows/{billed['id']}/run", token=owner.token)
    test_run = api.post(f"/workflows/{free['id']}/run", token=owner.token)

    assert refused.status == 402 and refused.body["code"] == "INSUFFICIENT_FUNDS"
    assert test_run.status == 201


def test_a_retired_workflow_cannot_run(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1))
    api.post(f"/workflows/{workflow['id']}/retire", token=owner.token)

    refused = api.post(f"/workflows/{workflow['id']}/run", token=owner.token)

    assert refused.status == 409 and refused.body["code"] == "WORKFLOW_RETIRED"


def test_runs_of_another_workspace_are_not_found_and_a_read_key_cannot_start_one(api):
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1))
    read_key = mint_key(api, owner, scope="read")["secret"]

    assert api.post(f"/workflows/{workflow['id']}/run", token=stranger.token).status == 404
    assert api.get(f"/workflows/{workflow['id']}/runs", token=stranger.token).status == 404
    assert api.post(f"/workflows/{workflow['id']}/run", token=read_key).status == 403
    assert api.get(f"/workflows/{workflow['id']}/runs", token=read_key).status == 200


def test_the_same_idempotency_key_starts_one_run(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1))
    headers = {"Idempotency-Key": "start-once"}

    first = api.post(f"/workflows/{workflow['id']}/run", token=owner.token, headers=headers)
    second = api.post(f"/workflows/{workflow['id']}/run", token=owner.token, headers=headers)

    assert first.status == second.status == 201 and first.body["run_id"] == second.body["run_id"]


def _schedule_of(owner, workflow):
    from shared.platform.aws import client

    scheduler = client("scheduler")
    try:
        return scheduler.get_schedule(Name=f"wf-{owner.tenant_id}-{workflow['id']}", GroupName="campaign-runs")
    except scheduler.exceptions.ResourceNotFoundException:
        return None


def test_a_daily_workflow_gets_a_schedule_that_pause_removes_and_the_schedule_starts_runs(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1))  # the prompt says "every day": schedule_kind daily
    assert workflow["rule_book"]["schedule_kind"] == "daily"

    run_id = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body["run_id"]
    armed = _schedule_of(owner, workflow)
    api.post(f"/workflows/{workflow['id']}/pause", token=owner.token)
    disarmed = _schedule_of(owner, workflow)

    assert armed["ScheduleExpression"] == "cron(0 9 ? * MON,TUE,WED,THU,FRI,SAT,SUN *)"
    assert armed["ScheduleExpressionTimezone"] == "America/New_York"
    assert json.loads(armed["Target"]["Input"]) == {"tenant_id": owner.tenant_id, "workflow_id": workflow["id"]}
    assert disarmed is None
    from shared.dialer.runs import finish

    finish({"tenant_id": owner.tenant_id, "workflow_id": workflow["id"], "run_id": run_id, "segment": 1})
    from functions.scheduled_runs.handler import lambda_handler

    fired = lambda_handler(json.loads(armed["Target"]["Input"]), None)
    assert fired["started"] is True and fired["run_id"] == run_id  # the paused run resumes
    runs = api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"]
    assert runs[0]["status"] == "running"


def test_a_scheduled_run_of_a_workflow_that_is_not_ready_starts_nothing(api):
    ensure_dialer_aws()
    owner = sign_up_and_log_in(api)
    workflow = api.post("/workflows", {"nl_prompt": US_PROMPT}, token=owner.token).body
    from functions.scheduled_runs.handler import lambda_handler

    fired = lambda_handler({"tenant_id": owner.tenant_id, "workflow_id": workflow["id"]}, None)

    assert fired == {"started": False, "code": "WORKFLOW_NOT_READY"}
