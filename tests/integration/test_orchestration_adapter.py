"""The orchestration adapter (Step Functions + EventBridge Scheduler on moto): it keeps every botocore error
to itself and answers with the port's exception, so the dialer and the workflows never catch botocore."""

from __future__ import annotations

import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from shared.platform.aws import client
from shared.platform.errors import Unavailable
from shared.providers.orchestration.aws import AwsOrchestrator
from shared.providers.orchestration.port import OrchestrationUnavailable, Schedule
from tests.integration.dialer_fixtures import ensure_dialer_aws

UNKNOWN_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:no-such-machine"


@pytest.fixture
def orchestrator(aws) -> AwsOrchestrator:
    ensure_dialer_aws()
    return AwsOrchestrator()


def _schedule(group: str = "campaign-runs", expression: str = "cron(30 9 ? * MON *)") -> Schedule:
    return Schedule(name=f"wf-test-{uuid.uuid4().hex[:8]}", group=group, expression=expression,
                    timezone="America/New_York", target_arn="arn:aws:lambda:us-east-1:123456789012:function:x",
                    role_arn="arn:aws:iam::123456789012:role/dialer-test", input={"tenant_id": 1, "workflow_id": "wf"})


def test_an_execution_the_engine_refuses_is_the_ports_error_not_botocores(orchestrator):
    with pytest.raises(OrchestrationUnavailable) as refused:
        orchestrator.start_execution(UNKNOWN_MACHINE, f"run-{uuid.uuid4()}", {"run_id": "r"})

    assert isinstance(refused.value, Unavailable) and not isinstance(refused.value, ClientError)
    assert isinstance(refused.value.__cause__, ClientError)  # kept for the log, never for a caller to match


def test_a_schedule_is_created_then_updated_under_the_same_name(orchestrator):
    schedule = _schedule()
    orchestrator.put_schedule(schedule)
    orchestrator.put_schedule(Schedule(**{**schedule.__dict__, "expression": "cron(0 10 ? * TUE *)"}))

    saved = client("scheduler").get_schedule(Name=schedule.name, GroupName=schedule.group)
    assert saved["ScheduleExpression"] == "cron(0 10 ? * TUE *)"
    assert saved["ScheduleExpressionTimezone"] == "America/New_York"


def test_deleting_a_schedule_twice_is_quiet(orchestrator):
    schedule = _schedule()
    orchestrator.put_schedule(schedule)

    orchestrator.delete_schedule(schedule.name, schedule.group)
    orchestrator.delete_schedule(schedule.name, schedule.group)

    with pytest.raises(client("scheduler").exceptions.ResourceNotFoundException):
        client("scheduler").get_schedule(Name=schedule.name, GroupName=schedule.group)


def test_a_schedule_the_scheduler_refuses_is_the_ports_error(orchestrator, monkeypatch):
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    stubber = Stubber(scheduler)
    stubber.add_client_error("create_schedule", service_error_code="ValidationException", http_status_code=400)
    monkeypatch.setattr("shared.providers.orchestration.aws.client", lambda service: scheduler)

    with stubber, pytest.raises(OrchestrationUnavailable) as refused:
        orchestrator.put_schedule(_schedule())

    assert "ValidationException" in refused.value.message


def test_releasing_a_step_that_no_longer_waits_is_not_an_error(orchestrator):
    assert orchestrator.release_task("not-a-task-token", {"next": "done"}) is False
