"""The dialer state machine (Amazon States Language, JSONPath), built as plain data.

CDK deploys exactly this document (`infra_cdk/constructs/dialer_state_machine.py`, with the functions'
ARNs as tokens) and the local stack and the tests run the same document on moto, so the laptop executes
what the cloud executes. No CDK import here: the local stack builds it in milliseconds.

Shape (execution input: `{tenant_id, run_id, workflow_id, segment}`; `segment` counts resumes of a run):

    PrepareManifest ─▶ HasTargets ─▶ CallTargets (Distributed Map over the S3 manifest) ─▶ FinishRun
                                     └ per target (STANDARD child):  Dial ─▶ NextStep ─┬▶ TargetDone
                                                                      ▲                 │
                                                                      └ WaitBeforeDial ◀┘

`Dial` is a `.waitForTaskToken` Lambda task: the `dialer_dial` function either answers at once through
the token (wait for the recipient's window, skip, give up) or places the call and keeps the token on the
call; the call's final status event releases it with the next step (done, or wait then retry). The
token thereby holds one of the Map's `MaxConcurrency` slots (the tenant's concurrent-call limit) for
as long as the call lasts. Waits come from the functions (`wait_seconds`), never from the definition,
so the sandbox can shorten them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

STATE_MACHINE = "dialer"
#: A call (ringing, the conversation, a human deciding an approval) never holds its slot longer than this.
CALL_TIMEOUT_SECONDS = 2 * 3600
_LAMBDA_TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                     "Lambda.TooManyRequestsException", "Lambda.Unknown"]
_RETRY_TRANSIENT = {"ErrorEquals": _LAMBDA_TRANSIENT, "IntervalSeconds": 1, "MaxAttempts": 4, "BackoffRate": 2.0}
#: A step that failed (an exception in the function) is tried again: every step is idempotent per
#: (run, target, attempt), so a retry never dials twice.
_RETRY_FAILED = {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 2, "BackoffRate": 2.0}

RUN_FIELDS = ("tenant_id", "run_id", "workflow_id", "segment")


def dialer_definition(function_arn: Callable[[str], str]) -> dict[str, Any]:
    """The definition, with `function_arn(name)` giving the ARN of a catalog function."""
    return {
        "Comment": "CallFunnel dialer: one run of one workflow, every target paced, re-checked and called",
        "StartAt": "PrepareManifest",
        "States": {
            "PrepareManifest": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_arn("dialer_prepare"), "Payload.$": "$"},
                "ResultSelector": {"bucket.$": "$.Payload.bucket", "key.$": "$.Payload.key",
                                   "count.$": "$.Payload.count", "max_concurrency.$": "$.Payload.max_concurrency"},
                "ResultPath": "$.manifest",
                "Retry": [_RETRY_TRANSIENT, _RETRY_FAILED],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "FinishRun"}],
                "Next": "HasTargets",
            },
            "HasTargets": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.manifest.count", "NumericGreaterThan": 0, "Next": "CallTargets"}],
                "Default": "FinishRun",
            },
            "CallTargets": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {"Bucket.$": "$.manifest.bucket", "Key.$": "$.manifest.key"},
                },
                "MaxConcurrencyPath": "$.manifest.max_concurrency",
                "ItemSelector": {**{f"{name}.$": f"$.{name}" for name in RUN_FIELDS},
                                 "target.$": "$$.Map.Item.Value", "attempt": 1},
                "ToleratedFailurePercentage": 100.0,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Dial",
                    "States": _target_states(function_arn),
                },
                "ResultPath": None,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "FinishRun"}],
                "Next": "FinishRun",
            },
            "FinishRun": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_arn("dialer_finish"), "Payload.$": "$"},
                "Retry": [_RETRY_TRANSIENT, _RETRY_FAILED],
                "End": True,
            },
        },
    }


def _target_states(function_arn: Callable[[str], str]) -> dict[str, Any]:
    return {
        "Dial": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": function_arn("dialer_dial"),
                           "Payload": {"task_token.$": "$$.Task.Token", "step.$": "$"}},
            # No HeartbeatSeconds: the step may answer through its own token before the task starts waiting.
            "TimeoutSeconds": CALL_TIMEOUT_SECONDS,
            "Retry": [_RETRY_TRANSIENT, _RETRY_FAILED],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "TargetDone"}],
            "Next": "NextStep",
        },
        "NextStep": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.next", "StringEquals": "wait", "Next": "WaitBeforeDial"}],
            "Default": "TargetDone",
        },
        "WaitBeforeDial": {"Type": "Wait", "SecondsPath": "$.wait_seconds", "Next": "Dial"},
        # A tiny result per target: without a ResultWriter the Map's output (all results) must stay < 256 KB.
        "TargetDone": {"Type": "Pass", "Parameters": {}, "End": True},
    }
