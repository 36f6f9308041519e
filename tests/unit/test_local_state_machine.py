"""The dialer state machine on the laptop (infra_local/state_machines.py): the real definition runs in moto,
and its Lambda tasks reach stand-in handlers through the invoke patch, as the local stack's runtime would."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from functions.catalog import DIALER_FUNCTIONS, LambdaFunction
from infra_local.state_machines import (
    DIALER_STATE_MACHINE_NAME,
    LambdaDispatch,
    create_dialer_state_machine,
    function_name_of,
    install_lambda_dispatch,
    local_state_machine_arn,
)

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
BUCKET = "dialer-manifests"
RUN_INPUT = {"tenant_id": 7, "run_id": "run_1", "workflow_id": "wf_1", "segment": 1}

Handler = Callable[[dict[str, Any]], Any]


class FakeRuntime:
    """Stands in for LocalLambdaRuntime: one invocation at a time, handlers by function name, calls recorded."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def invoke(self, function: LambdaFunction, event: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append((function.name, event))
            return self.handlers[function.name](event)

    def events_of(self, name: str) -> list[dict[str, Any]]:
        return [event for called, event in self.calls if called == name]


@pytest.fixture
def moto_aws(monkeypatch) -> Iterator[None]:
    from moto import mock_aws

    from infra_local.aws import MOTO_CONFIG
    from shared.platform.aws import client, reset_clients
    from shared.platform.settings import reset_settings

    for name, value in {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "local",
                        "AWS_SECRET_ACCESS_KEY": "local", "MOTO_ACCOUNT_ID": ACCOUNT_ID}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DIALER_STATE_MACHINE_ARN",
                       local_state_machine_arn(DIALER_STATE_MACHINE_NAME, region=REGION, account_id=ACCOUNT_ID))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    reset_settings()
    reset_clients()
    # Retry intervals really sleep in moto (2 s, then 4 s here): the test needs the attempts, not the waits.
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    monkeypatch.setattr(retrier_decl, "time", type("FastTime", (), {"sleep": staticmethod(lambda _: None)}))
    with mock_aws(config=MOTO_CONFIG):
        client("s3").create_bucket(Bucket=BUCKET)
        yield
    reset_clients()


@contextmanager
def _dispatching_to(runtime: FakeRuntime) -> Iterator[None]:
    uninstall = install_lambda_dispatch(runtime.invoke, DIALER_FUNCTIONS)
    try:
        yield
    finally:
        uninstall()


def _prepare_targets(phones: list[str]) -> Handler:
    def prepare(event: dict[str, Any]) -> dict[str, Any]:
        from shared.platform.aws import client

        key = f"manifests/{event['run_id']}.json"
        client("s3").put_object(Bucket=BUCKET, Key=key, Body=json.dumps([{"phone": phone} for phone in phones]))
        return {"bucket": BUCKET, "key": key, "count": len(phones), "max_concurrency": 2}

    return prepare


def _dial_and_release(event: dict[str, Any]) -> dict[str, Any]:
    """Answers through its own token at once, as `dialer_dial` does for a target it skips."""
    from shared.platform.aws import client

    client("stepfunctions").send_task_success(taskToken=event["task_token"],
                                              output=json.dumps({**event["step"], "next": "done"}))
    return {"placed": False}


def _run(definition_input: dict[str, Any], timeout_seconds: float = 15.0) -> dict[str, Any]:
    from shared.platform.aws import client

    stepfunctions = client("stepfunctions")
    arn = stepfunctions.start_execution(stateMachineArn=create_dialer_state_machine(), name=f"run-{uuid.uuid4()}",
                                        input=json.dumps(definition_input))["executionArn"]
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        execution = stepfunctions.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(0.05)
    raise AssertionError(f"the execution still runs after {timeout_seconds} s")


def test_an_execution_dials_every_target_of_the_manifest_then_reaches_finish_run(moto_aws) -> None:
    # Given stand-in handlers for the three dialer tasks, dispatched through the invoke patch
    runtime = FakeRuntime({"dialer_prepare": _prepare_targets(["+15550000008", "+15550000009"]),
                           "dialer_dial": _dial_and_release, "dialer_finish": lambda event: {"closed": True}})
    with _dispatching_to(runtime):
        # When the dialer runs one run
        execution = _run(RUN_INPUT)

    # Then every target was dialled once with the run's fields, and the run was finished with its manifest
    assert execution["status"] == "SUCCEEDED", execution
    dialled = sorted(event["step"]["target"]["phone"] for event in runtime.events_of("dialer_dial"))
    assert dialled == ["+15550000008", "+15550000009"]
    first_step = runtime.events_of("dialer_dial")[0]["step"]
    assert {key: first_step[key] for key in RUN_INPUT} == RUN_INPUT and first_step["attempt"] == 1
    (finish,) = runtime.events_of("dialer_finish")
    assert finish["manifest"]["count"] == 2 and "failure" not in finish
    assert json.loads(execution["output"])["Payload"] == {"closed": True}


def test_a_raising_task_is_retried_then_caught_and_the_run_still_finishes(moto_aws) -> None:
    # Given a prepare step that always raises
    def broken_prepare(event: dict[str, Any]) -> Any:
        raise RuntimeError("the table is on fire")

    runtime = FakeRuntime({"dialer_prepare": broken_prepare, "dialer_finish": lambda event: {"closed": True}})
    with _dispatching_to(runtime):
        # When the dialer runs
        execution = _run(RUN_INPUT)

    # Then the step was tried three times (two retries), then caught: FinishRun gets the failure
    assert execution["status"] == "SUCCEEDED", execution
    assert len(runtime.events_of("dialer_prepare")) == 3
    (finish,) = runtime.events_of("dialer_finish")
    assert finish["failure"]["Error"] == "RuntimeError"
    assert "the table is on fire" in finish["failure"]["Cause"]
    assert not runtime.events_of("dialer_dial")


def test_a_run_without_targets_goes_straight_to_finish_run(moto_aws) -> None:
    runtime = FakeRuntime({"dialer_prepare": _prepare_targets([]), "dialer_finish": lambda event: {"closed": True}})
    with _dispatching_to(runtime):
        execution = _run(RUN_INPUT)

    assert execution["status"] == "SUCCEEDED", execution
    assert not runtime.events_of("dialer_dial") and len(runtime.events_of("dialer_finish")) == 1


def test_the_dispatch_answers_an_unhandled_error_for_an_exception_and_an_unknown_function() -> None:
    def explode(function: LambdaFunction, event: dict[str, Any]) -> Any:
        raise ValueError("bad step")

    dispatch = LambdaDispatch(explode, DIALER_FUNCTIONS)
    headers: dict[str, Any] = {}
    assert json.loads(dispatch("dialer_finish", b"{}", headers)) == {"errorMessage": "bad step",
                                                                     "errorType": "ValueError"}
    assert headers == {"x-amz-function-error": "Unhandled"}
    unknown: dict[str, Any] = {}
    assert json.loads(dispatch("nope", b"{}", unknown))["errorType"] == "ResourceNotFoundException"
    assert unknown == {"x-amz-function-error": "Unhandled"}


def test_the_dispatch_passes_the_event_and_returns_the_result_as_json() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def echo(function: LambdaFunction, event: dict[str, Any]) -> Any:
        seen.append((function.name, event))
        return {"ok": True}

    headers: dict[str, Any] = {}
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:dialer_dial"
    assert json.loads(LambdaDispatch(echo, DIALER_FUNCTIONS)(arn, b'{"a": 1}', headers)) == {"ok": True}
    assert seen == [("dialer_dial", {"a": 1})] and headers == {}


@pytest.mark.parametrize("identifier", ["dialer_dial", "dialer_dial:$LATEST", f"{ACCOUNT_ID}:function:dialer_dial",
                                        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:dialer_dial:live"])
def test_the_function_name_is_found_in_every_form_lambda_accepts(identifier: str) -> None:
    assert function_name_of(identifier) == "dialer_dial"

