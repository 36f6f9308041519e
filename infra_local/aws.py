"""AWS on the laptop: moto in-process for the life of the stack, and the steps that set it up.

Once `start_moto()` has run, every boto3 and pynamodb call in every thread of the process reaches moto's
in-memory backends, exactly as the functions' code would reach AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Step Functions really runs executions; Lambda tasks are dispatched in-process, never in Docker.
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


def start_moto() -> Any:
    """Start moto and return the mock, whose `stop()` ends it."""
    from moto import mock_aws

    mock = mock_aws(config=MOTO_CONFIG)
    mock.start()
    return mock


def create_table() -> None:
    from shared.platform.storage.table import create_table as create_single_table

    create_single_table()


def verify_email_sender() -> None:
    """SES refuses to send from an unverified address, in moto as in a sandboxed AWS account."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    sender = get_settings().email_sender
    if sender:
        client("ses").verify_email_identity(EmailAddress=sender)


def create_media_bucket() -> None:
    """The bucket of uploads and generated audio (`settings.media_bucket`); see infra_local/sandbox_media.py."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    settings = get_settings()
    location = {} if settings.aws_region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": settings.aws_region}
    }
    client("s3").create_bucket(Bucket=settings.media_bucket, **location)


def load_ncpr_sample() -> None:
    """India's do-not-call registry is ops-loaded in the cloud; locally a small sample stands in for it."""
    from ops.load_ncpr import load_local_sample

    load_local_sample()


def create_queues() -> None:
    """Each catalog queue with its dead-letter queue, redriven after the trigger's `max_receives`.

    Named as the catalog names them, so their URLs are the ones infra_local/environment.py announced.
    """
    import json

    from functions.catalog import FUNCTIONS
    from infra_local.environment import DEAD_LETTER_SUFFIX
    from shared.platform.aws import client

    sqs = client("sqs")
    for spec in FUNCTIONS:
        trigger = spec.queue_trigger
        if trigger is None:
            continue
        dlq_url = sqs.create_queue(QueueName=trigger.queue + DEAD_LETTER_SUFFIX)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(trigger.max_receives)}
        sqs.create_queue(QueueName=trigger.queue, Attributes={
            "VisibilityTimeout": str(trigger.visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(redrive),
        })


def create_dialer() -> None:
    """The dialer state machine (the definition CDK deploys) and the role it runs as."""
    from infra_local.state_machines import create_dialer_state_machine

    create_dialer_state_machine()


def create_scheduled_runs() -> None:
    """The schedule group campaign runs are scheduled in, and the role Scheduler would assume to invoke
    `scheduled_runs`; infra_local/schedule_ticker.py fires the schedules, which moto never does."""
    from infra_local.schedule_ticker import create_campaign_schedule_group
    from infra_local.state_machines import create_scheduler_role

    create_scheduler_role()
    create_campaign_schedule_group()


#: What the stack creates in moto before serving, in order. A capability that needs a bucket, a queue,
#: a key or a state machine adds its step here.
BOOTSTRAP_STEPS: list[Callable[[], None]] = [
    create_table,
    verify_email_sender,
    create_media_bucket,
    load_ncpr_sample,
    create_queues,
    create_dialer,
    create_scheduled_runs,
]


def bootstrap() -> None:
    for step in BOOTSTRAP_STEPS:
        step()
