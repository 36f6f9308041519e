"""What the dialer's integration tests share: a workflow ready to run, and the AWS pieces a run starts.

The state machine here is a stand-in (one Pass state): these tests drive the dialer's steps themselves;
tests/infra and the contract tests run the real, synthesised definition.
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from shared.platform.settings import reset_settings

US_PROMPT = ("Renewal reminders for our US customers, 9am-8pm Eastern time every day, offer up to 20% off, "
             "auto-approve 10%")
ATTESTATION = {"consent_attestation_text": "Every contact opted in on our web form", "tcpa_sender_id": "ACME"}
#: A Wednesday, 15:00 in New York: inside the window in every US zone.
CALLABLE_MOMENT = datetime.fromisoformat("2026-12-02T20:00:00+00:00")


def ensure_dialer_aws() -> None:
    """A state machine to start and the call-events queue, once per session (moto keeps them)."""
    from shared.platform.aws import client

    if not os.environ.get("DIALER_STATE_MACHINE_ARN"):
        role = client("iam").create_role(RoleName="dialer-test", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
        arn = client("stepfunctions").create_state_machine(name="dialer-test", definition=json.dumps(definition),
                                                           roleArn=role)["stateMachineArn"]
        os.environ["DIALER_STATE_MACHINE_ARN"] = arn
        os.environ["CALL_EVENTS_QUEUE_URL"] = client("sqs").create_queue(QueueName="call-events-test")["QueueUrl"]
        client("s3").create_bucket(Bucket="callfunnel-media")
        client("scheduler").create_schedule_group(Name="campaign-runs")
        os.environ["SCHEDULER_ROLE_ARN"] = role
        os.environ["SCHEDULED_RUNS_FUNCTION_ARN"] = "arn:aws:lambda:us-east-1:123456789012:function:scheduled_runs"
        client("scheduler").create_schedule_group(Name="callbacks")
        os.environ["CALLBACKS_DUE_FUNCTION_ARN"] = "arn:aws:lambda:us-east-1:123456789012:function:callbacks_due"
    reset_settings()


def ready_workflow(api, account, phones: list[str], *, is_test: bool = False, prompt: str = US_PROMPT) -> dict:
    ensure_dialer_aws()
    created = api.post("/workflows", {"nl_prompt": prompt, "is_test": is_test}, token=account.token)
    assert created.status == 201, created.body
    workflow = created.body
    uploaded = api.post(f"/workflows/{workflow['id']}/audience", {"rows": [{"phone": p} for p in phones]},
                        token=account.token)
    assert uploaded.status == 200 and uploaded.body["accepted"] == len(phones), uploaded.body
    attested = api.request("PUT", f"/workflows/{workflow['id']}/compliance", json_body=ATTESTATION,
                           token=account.token)
    assert attested.status == 200, attested.body
    return workflow


def sandbox_numbers(count: int, first: int = 0) -> list[str]:
    """Valid US numbers whose last digits run 0, 1, 2, … (the sandbox callees' behaviours)."""
    return [f"+1415555{first + index:04d}" for index in range(count)]
