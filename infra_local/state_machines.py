"""Step Functions on the laptop: the dialer state machine in moto, and its Lambda tasks run in-process.

moto executes the very definition CDK deploys (`infra_cdk/state_machines/dialer.py`). Its Lambda backend
without Docker would only echo each task's payload, so `install_lambda_dispatch` replaces that backend's
`invoke` with a dispatch by function name to the catalog function, through the stack's runtime: the
handler's return value becomes the task's result, and an exception becomes an `Unhandled` function error,
so the definition's Retry and Catch behave as on AWS.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from functions.catalog import FUNCTIONS, LambdaFunction

DIALER_STATE_MACHINE_NAME = "callfunnel-dialer"
STATES_ROLE_NAME = "callfunnel-local-states"
SCHEDULER_ROLE_NAME = "callfunnel-local-scheduler"
FUNCTION_ERROR_HEADER = "x-amz-function-error"

Invoke = Callable[[LambdaFunction, dict[str, Any]], Any]


def local_function_arn(name: str, *, region: str, account_id: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def local_state_machine_arn(name: str, *, region: str, account_id: str) -> str:
    """moto's ARNs are deterministic: the functions are told this one before the state machine exists."""
    return f"arn:aws:states:{region}:{account_id}:stateMachine:{name}"


def local_role_arn(name: str, *, account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{name}"


def _assume_role_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def create_dialer_state_machine() -> str:
    """Bootstrap step: the role Step Functions assumes, and the dialer state machine; returns its ARN."""
    from infra_cdk.state_machines.dialer import dialer_definition
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    # moto warns on every parse that it ignores ToleratedFailurePercentage: noise on the stack's console.
    logging.getLogger("moto.stepfunctions.parser.asl.parse.preprocessor").setLevel(logging.ERROR)
    region = get_settings().aws_region
    account_id = client("sts").get_caller_identity()["Account"]
    role_arn = _role(STATES_ROLE_NAME, "states.amazonaws.com")
    definition = dialer_definition(lambda name: local_function_arn(name, region=region, account_id=account_id))
    stepfunctions = client("stepfunctions")
    try:
        arn = stepfunctions.create_state_machine(
            name=DIALER_STATE_MACHINE_NAME, definition=json.dumps(definition), roleArn=role_arn, type="STANDARD",
        )["stateMachineArn"]
    except stepfunctions.exceptions.StateMachineAlreadyExists:
        arn = local_state_machine_arn(DIALER_STATE_MACHINE_NAME, region=region, account_id=account_id)
        stepfunctions.update_state_machine(stateMachineArn=arn, definition=json.dumps(definition), roleArn=role_arn)
    announced = get_settings().dialer_state_machine_arn
    if announced and announced != arn:
        raise RuntimeError(f"the functions were told the dialer is {announced}, but moto created {arn}")
    return arn


def create_scheduler_role() -> None:
    """Bootstrap step: the role EventBridge Scheduler would assume to invoke `scheduled_runs` (moto does not
    check it, but the ARN the functions put on their schedules then names a real role)."""
    _role(SCHEDULER_ROLE_NAME, "scheduler.amazonaws.com")


def _role(name: str, service: str) -> str:
    """The role's ARN, created if it does not exist yet (bootstrapping twice in one moto is harmless)."""
    from shared.platform.aws import client

    iam = client("iam")
    try:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=_assume_role_policy(service))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]


def function_name_of(identifier: str) -> str:
    """"name", "name:qualifier", a full or partial ARN (with or without a qualifier) → the function's name."""
    if ":function:" in identifier:
        identifier = identifier.split(":function:", 1)[1]
    return identifier.split(":", 1)[0]


class LambdaDispatch:
    """What moto's Lambda backend does instead of echoing: run the catalog function named by the request."""

    def __init__(self, invoke: Invoke, functions: Iterable[LambdaFunction] = FUNCTIONS) -> None:
        self._invoke = invoke
        self._functions = {function.name: function for function in functions}

    def __call__(self, function_name: str, body: Any, response_headers: dict[str, Any]) -> bytes:
        name = function_name_of(function_name)
        function = self._functions.get(name)
        if function is None:
            return self._error(response_headers, "ResourceNotFoundException",
                               f"Function not found in the catalog: {name}")
        try:
            raw = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
            event = json.loads(raw) if raw else {}
            result = self._invoke(function, event)
            return json.dumps(result).encode("utf-8")
        except Exception as error:
            sys.stderr.write(f"{function.name} failed as a state machine task:\n")
            traceback.print_exc(file=sys.stderr)
            return self._error(response_headers, type(error).__name__, str(error))

    @staticmethod
    def _error(response_headers: dict[str, Any], error_type: str, message: str) -> bytes:
        response_headers[FUNCTION_ERROR_HEADER] = "Unhandled"
        return json.dumps({"errorMessage": message, "errorType": error_type}).encode("utf-8")


def install_lambda_dispatch(invoke: Invoke, functions: Iterable[LambdaFunction] = FUNCTIONS) -> Callable[[], None]:
    """Patch moto's Docker-less Lambda backend to run catalog functions through `invoke`; returns the undo."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    dispatch = LambdaDispatch(invoke, functions)
    original = LambdaSimpleBackend.invoke

    def invoke_catalog_function(self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
                                response_headers: Any) -> bytes:
        del self, qualifier, headers
        return dispatch(function_name, body, response_headers)

    LambdaSimpleBackend.invoke = invoke_catalog_function  # type: ignore[method-assign]

    def uninstall() -> None:
        LambdaSimpleBackend.invoke = original  # type: ignore[method-assign]

    return uninstall
