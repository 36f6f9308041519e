"""The definition CDK synthesised, executed on moto: the Distributed Map, the task tokens and the waits run.

The three task functions are fakes (the real ones have tests of their own): prepare writes a manifest of
three targets to S3; dial answers through its own task token, first "wait 0 s, then dial again", then
"done"; finish records that it ran.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.infra.synthesis import Synthesis
from tests.infra.test_dialer_state_machine import resolved_dialer_definition

pytestmark = pytest.mark.infra

REGION = "us-east-1"
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
BUCKET = "callfunnel-media-test"
MANIFEST_KEY = "manifests/tenant-1/run-1.json"
TARGETS = [{"target_id": f"target-{n}", "phone_e164": f"+1415555010{n}"} for n in range(3)]
RUN = {"tenant_id": "tenant-1", "run_id": "run-1", "workflow_id": "workflow-1", "segment": 0}
EXECUTION_DEADLINE_SECONDS = 20


class FakeDialerTasks:
    """What the three catalog functions do here, dispatched by the function name in the ARN."""

    def __init__(self) -> None:
        self.dials: Counter[str] = Counter()
        self.finished: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, function_name: str, event: dict[str, Any]) -> Any:
        name = function_name.split(":function:", 1)[1].split(":", 1)[0]
        return getattr(self, name)(event)

    def dialer_prepare(self, event: dict[str, Any]) -> dict[str, Any]:
        import boto3

        assert {key: event[key] for key in RUN} == RUN
        boto3.client("s3", region_name=REGION).put_object(Bucket=BUCKET, Key=MANIFEST_KEY, Body=json.dumps(TARGETS))
        return {"bucket": BUCKET, "key": MANIFEST_KEY, "count": len(TARGETS), "max_concurrency": 2}

    def dialer_dial(self, event: dict[str, Any]) -> dict[str, Any]:
        import boto3

        step = event["step"]
        with self._lock:
            self.dials[step["target"]["target_id"]] += 1
            first_call = self.dials[step["target"]["target_id"]] == 1
        answer = {**step, "next": "wait", "wait_seconds": 0, "attempt": step["attempt"] + 1} if first_call else {
            "next": "done"}
        boto3.client("stepfunctions", region_name=REGION).send_task_success(
            taskToken=event["task_token"], output=json.dumps(answer)
        )
        return {}

    def dialer_finish(self, event: dict[str, Any]) -> dict[str, Any]:
        self.finished.append(event)
        return {"status": "completed"}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        yield


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> FakeDialerTasks:
    """moto's Docker-less Lambda echoes payloads; this runs the fakes instead (errors as on AWS)."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    fakes = FakeDialerTasks()

    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any) -> bytes:
        try:
            return json.dumps(fakes(function_name, json.loads(body or "{}"))).encode()
        except Exception as error:  # the definition's Retry/Catch see an Unhandled function error
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}).encode()

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", invoke)
    return fakes


def _wait_for_end(stepfunctions: Any, execution_arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + EXECUTION_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        execution = stepfunctions.describe_execution(executionArn=execution_arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(0.1)
    raise AssertionError(f"the execution still runs after {EXECUTION_DEADLINE_SECONDS} s")


def test_synthesised_definition_dials_every_target_until_done_then_finishes_once(
    synthesis: Synthesis, aws: Any, tasks: FakeDialerTasks
) -> None:
    import boto3


    # Given the synthesised definition deployed on moto, and the bucket the manifest goes to
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    stepfunctions = boto3.client("stepfunctions", region_name=REGION)
    state_machine_arn = stepfunctions.create_state_machine(
        name="CallFunnel-dialer",
        definition=json.dumps(resolved_dialer_definition(synthesis)),
        roleArn="arn:aws:iam::123456789012:role/dialer",
        type="STANDARD",
    )["stateMachineArn"]

    # When a run starts
    execution_arn = stepfunctions.start_execution(
        stateMachineArn=state_machine_arn, name=f"run-{uuid.uuid4()}", input=json.dumps(RUN)
    )["executionArn"]
    execution = _wait_for_end(stepfunctions, execution_arn)

    # Then every target was dialled twice (wait, then done), and the run was finished once
    assert execution["status"] == "SUCCEEDED", execution
    assert tasks.dials == {target["target_id"]: 2 for target in TARGETS}
    assert sum(tasks.dials.values()) == 6
    (finished,) = tasks.finished
    assert {key: finished[key] for key in RUN} == RUN
    assert finished["manifest"]["count"] == len(TARGETS)
