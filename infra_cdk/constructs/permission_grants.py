"""What each catalog `Permission` becomes: IAM statements (and the environment that goes with them).

Every action is named, every resource is one of ours; the one `*` is the task-token actions of Step
Functions, which support no resource (acknowledged below). A new `Permission` in the catalog needs
one entry in `GRANTS` (tests/infra checks that none is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager

from functions.catalog import CALLBACK_SCHEDULE_GROUP, Permission
from infra_cdk.constructs.campaign_scheduler import SCHEDULER_SERVICE, CampaignScheduler
from infra_cdk.constructs.credentials_key import TENANT_CONTEXT_KEY, CredentialsKey
from infra_cdk.constructs.data_table import DataTable
from infra_cdk.constructs.dialer_state_machine import DialerArns
from infra_cdk.constructs.event_queues import EventQueue
from infra_cdk.constructs.media_bucket import KEY_READ_ACTIONS, KEY_WRITE_ACTIONS, MediaBucket

# No Scan: request paths query by key (CONVENTIONS.md, single-table discipline).
TABLE_READ_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
]
# ConditionCheckItem too: a transactional write may hold conditions on other items.
TABLE_WRITE_ACTIONS = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
# DynamoDB calls KMS with the caller's credentials for a table under a customer-managed key.
TABLE_KEY_READ_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"]
TABLE_KEY_WRITE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
SEND_EMAIL_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"]
SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
SECRET_KEY_ACTIONS = ["kms:Decrypt"]
# A presigned GET is signed with the function's own role, so handing out a media URL needs GetObject — and, the
# bucket being SSE-KMS, kms:Decrypt of its key (infra_cdk/constructs/media_bucket.py): S3 decrypts as the signer.
MEDIA_READ_ACTIONS = ["s3:GetObject"]
# Write alone does not read back: a function that only stores uploads cannot hand out their contents.
MEDIA_WRITE_ACTIONS = ["s3:PutObject"]
MEDIA_OBJECTS_REASON = (
    "Object keys are minted per request (tenant, purpose and a new id), so media grants name the media "
    "bucket's objects (<bucket>/*): one bucket of ours, object actions only, no List, no Delete, no "
    "bucket configuration."
)
# The calls API presigns GETs of recordings only (not previews, reports or DSR bundles).
RECORDINGS_PREFIX = "recordings/*"
# DSR erase: find a contact's objects under the prefixes that hold personal data, and delete them.
MEDIA_ERASE_PREFIXES = ["recordings/*", "dsr/*", "manifests/*"]
MEDIA_LIST_ACTIONS = ["s3:ListBucket"]
MEDIA_DELETE_ACTIONS = ["s3:DeleteObject"]
# Producers only send: receiving and deleting belong to the consumer's event source mapping.
QUEUE_SEND_ACTIONS = ["sqs:SendMessage"]
# Sending to a queue under a customer-managed key: SQS asks KMS for a data key with the sender's credentials.
QUEUE_KEY_SEND_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]
# Start a run; stop it (pause) and read its status. Executions are the dialer's only.
START_DIALER_ACTIONS = ["states:StartExecution"]
DIALER_EXECUTION_ACTIONS = ["states:StopExecution", "states:DescribeExecution"]
DIALER_EXECUTIONS_REASON = (
    "Pausing a run stops its execution, whose name is minted per run: the grant names the dialer state "
    "machine's executions only (execution:<dialer>:*), with StopExecution and DescribeExecution alone."
)
TASK_RESULT_ACTIONS = ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"]
TASK_RESULT_REASON = (
    "Releasing a dialer step: states:SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat take a task "
    "token, not an ARN, and support no resource-level permissions, so AWS requires Resource '*' for them; "
    "a token is only known to the step it was issued to."
)
SCHEDULE_ACTIONS = [
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
]
PASS_ROLE_ACTIONS = ["iam:PassRole"]
SCHEDULES_REASON = (
    "A schedule is created per scheduled run with a minted name: the grant names the schedules of the "
    "stack's campaign schedule group only (schedule/<group>/*), with Create/Update/Delete/Get alone."
)
# Envelope encryption: a data key per secret, decrypted to read it back. No Encrypt: data keys do that.
CREDENTIALS_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]


@dataclass(frozen=True)
class GrantTargets:
    """The stack's resources that permissions point at."""

    data_table: DataTable
    jwt_secret: secretsmanager.ISecret
    media_stream_secret: secretsmanager.ISecret
    email_identity_arn: str
    media_bucket: MediaBucket
    #: Queue name (`QueueTrigger.queue`) → the queue and its DLQ.
    queues: Mapping[str, EventQueue]
    credentials_key: CredentialsKey
    #: The dialer state machine and its executions (ARNs built from its explicit name).
    dialer: DialerArns
    campaign_scheduler: CampaignScheduler


@dataclass(frozen=True)
class Access:
    statements: tuple[iam.PolicyStatement, ...]
    environment: Mapping[str, str] = field(default_factory=dict)
    #: cdk-nag findings the statements cause on purpose, as (finding id, reason).
    acknowledgments: tuple[tuple[str, str], ...] = ()


def _table_read(targets: GrantTargets) -> Access:
    table = targets.data_table
    return Access(
        statements=(
            iam.PolicyStatement(
                sid="ReadDataTable",
                actions=TABLE_READ_ACTIONS,
                resources=[table.table.table_arn, *table.index_arns],
            ),
            iam.PolicyStatement(
                sid="DecryptDataTable", actions=TABLE_KEY_READ_ACTIONS, resources=[table.key.key_arn]
            ),
        )
    )


def _table_write(targets: GrantTargets) -> Access:
    table = targets.data_table
    return Access(
        statements=(
            iam.PolicyStatement(
                sid="WriteDataTable", actions=TABLE_WRITE_ACTIONS, resources=[table.table.table_arn]
            ),
            iam.PolicyStatement(
                sid="EncryptDataTable", actions=TABLE_KEY_WRITE_ACTIONS, resources=[table.key.key_arn]
            ),
        )
    )


def _send_email(targets: GrantTargets) -> Access:
    return Access(
        statements=(
            iam.PolicyStatement(
                sid="SendEmailAsSender", actions=SEND_EMAIL_ACTIONS, resources=[targets.email_identity_arn]
            ),
        )
    )


def _read_jwt_secret(targets: GrantTargets) -> Access:
    return _read_secret(targets.jwt_secret, "JwtSigningSecret", "JWT_SECRET_ARN")


def _read_media_stream_secret(targets: GrantTargets) -> Access:
    return _read_secret(targets.media_stream_secret, "MediaStreamSecret", "MEDIA_STREAM_SECRET_ARN")


def _read_secret(secret: secretsmanager.ISecret, name: str, variable: str) -> Access:
    secret_arn = secret.secret_arn
    statements = [iam.PolicyStatement(sid=f"Read{name}", actions=SECRET_READ_ACTIONS, resources=[secret_arn])]
    key = secret.encryption_key
    if key is not None:
        # Secrets Manager decrypts with the caller's credentials: only through it, only for this secret.
        statements.append(iam.PolicyStatement(
            sid=f"Decrypt{name}",
            actions=SECRET_KEY_ACTIONS,
            resources=[key.key_arn],
            conditions={"StringEquals": {
                "kms:ViaService": f"secretsmanager.{Stack.of(key).region}.amazonaws.com",
                "kms:EncryptionContext:SecretARN": secret_arn,
            }},
        ))
    return Access(statements=tuple(statements), environment={variable: secret_arn})


def _media(sid: str, actions: list[str], key_actions: list[str]) -> Callable[[GrantTargets], Access]:
    def grant(targets: GrantTargets) -> Access:
        media = targets.media_bucket
        return Access(
            statements=(iam.PolicyStatement(sid=sid, actions=actions, resources=[media.objects_arn]),
                        media.key_use(f"{sid}Key", key_actions)),
            environment={"MEDIA_BUCKET": media.bucket.bucket_name},
            acknowledgments=((f"AwsSolutions-IAM5[Resource::<{media.logical_id}.Arn>/*]", MEDIA_OBJECTS_REASON),),
        )

    return grant


def _read_recordings(targets: GrantTargets) -> Access:
    media = targets.media_bucket
    return Access(
        statements=(iam.PolicyStatement(sid="ReadRecordings", actions=MEDIA_READ_ACTIONS,
                                        resources=[media.bucket.arn_for_objects(RECORDINGS_PREFIX)]),
                    media.key_use("ReadRecordingsKey", KEY_READ_ACTIONS)),
        environment={"MEDIA_BUCKET": media.bucket.bucket_name},
        acknowledgments=((f"AwsSolutions-IAM5[Resource::<{media.logical_id}.Arn>/{RECORDINGS_PREFIX}]",
                          "Recording keys are minted per call (recordings/{tenant}/{call}/): GetObject under "
                          "that prefix only, to presign the tenant's own recordings."),),
    )


def _erase_media(targets: GrantTargets) -> Access:
    media = targets.media_bucket
    return Access(
        statements=(
            iam.PolicyStatement(sid="ListPersonalMedia", actions=MEDIA_LIST_ACTIONS,
                                resources=[media.bucket.bucket_arn],
                                conditions={"StringLike": {"s3:prefix": MEDIA_ERASE_PREFIXES}}),
            iam.PolicyStatement(sid="DeletePersonalMedia", actions=MEDIA_DELETE_ACTIONS,
                                resources=[media.bucket.arn_for_objects(prefix) for prefix in MEDIA_ERASE_PREFIXES]),
        ),
        environment={"MEDIA_BUCKET": media.bucket.bucket_name},
        acknowledgments=((f"AwsSolutions-IAM5[Resource::<{media.logical_id}.Arn>/recordings/*]",
                          "A DSR erase deletes every recording of the contact's calls: keys are minted per call."),
                         (f"AwsSolutions-IAM5[Resource::<{media.logical_id}.Arn>/dsr/*]",
                          "A DSR erase deletes the contact's earlier export bundles, minted per request."),
                         (f"AwsSolutions-IAM5[Resource::<{media.logical_id}.Arn>/manifests/*]",
                          "A DSR erase removes the contact from dialer manifests, minted per run.")),
    )


def _send_to_queue(queue_name: str) -> Callable[[GrantTargets], Access]:
    def grant(targets: GrantTargets) -> Access:
        if queue_name not in targets.queues:
            raise ValueError(f"no catalog function is triggered by queue {queue_name!r}: nothing would consume it")
        event_queue = targets.queues[queue_name]
        statements = [iam.PolicyStatement(sid=f"SendTo{event_queue.node.id}", actions=QUEUE_SEND_ACTIONS,
                                          resources=[event_queue.queue.queue_arn])]
        if event_queue.encryption_key is not None:
            statements.append(iam.PolicyStatement(sid=f"EncryptFor{event_queue.node.id}",
                                                  actions=QUEUE_KEY_SEND_ACTIONS,
                                                  resources=[event_queue.encryption_key.key_arn]))
        return Access(statements=tuple(statements),
                      environment={event_queue.url_variable: event_queue.queue.queue_url})

    return grant


def _credentials_key(targets: GrantTargets) -> Access:
    key = targets.credentials_key.key
    return Access(
        statements=(
            iam.PolicyStatement(
                sid="EnvelopeEncryptTenantCredentials",
                actions=CREDENTIALS_KEY_ACTIONS,
                resources=[key.key_arn],
                # Every call must name the tenant in its encryption context (ciphertexts are bound to it).
                conditions={"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": [TENANT_CONTEXT_KEY]}},
            ),
        ),
        environment={"CREDENTIALS_KMS_KEY_ID": key.key_arn},
    )


def _start_dialer(targets: GrantTargets) -> Access:
    dialer = targets.dialer
    return Access(
        statements=(
            iam.PolicyStatement(sid="StartDialerRuns", actions=START_DIALER_ACTIONS, resources=[dialer.state_machine]),
            iam.PolicyStatement(sid="StopDialerRuns", actions=DIALER_EXECUTION_ACTIONS, resources=[dialer.executions]),
        ),
        environment={"DIALER_STATE_MACHINE_ARN": dialer.state_machine},
        acknowledgments=((dialer.executions_finding, DIALER_EXECUTIONS_REASON),),
    )


def _send_task_result(targets: GrantTargets) -> Access:
    del targets  # task tokens name no resource
    return Access(
        statements=(iam.PolicyStatement(sid="ReleaseDialerSteps", actions=TASK_RESULT_ACTIONS, resources=["*"]),),
        acknowledgments=(("AwsSolutions-IAM5[Resource::*]", TASK_RESULT_REASON),),
    )


def _manage_schedules(targets: GrantTargets) -> Access:
    campaign_scheduler = targets.campaign_scheduler
    return Access(
        statements=(
            iam.PolicyStatement(
                sid="ManageCampaignSchedules", actions=SCHEDULE_ACTIONS, resources=[campaign_scheduler.schedules_arn]
            ),
            iam.PolicyStatement(
                sid="PassSchedulerRole",
                actions=PASS_ROLE_ACTIONS,
                resources=[campaign_scheduler.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SCHEDULER_SERVICE}},
            ),
        ),
        environment={
            "CAMPAIGN_SCHEDULE_GROUP": campaign_scheduler.group_name,
            "SCHEDULER_ROLE_ARN": campaign_scheduler.role.role_arn,
            "SCHEDULED_RUNS_FUNCTION_ARN": campaign_scheduler.target_function_arn,
        },
        acknowledgments=((campaign_scheduler.schedules_finding, SCHEDULES_REASON),),
    )


def _manage_callback_schedules(targets: GrantTargets) -> Access:
    campaign_scheduler = targets.campaign_scheduler
    return Access(
        statements=(
            iam.PolicyStatement(sid="ManageCallbackSchedules", actions=SCHEDULE_ACTIONS,
                                resources=[campaign_scheduler.callback_schedules_arn]),
            iam.PolicyStatement(
                sid="PassSchedulerRoleForCallbacks",
                actions=PASS_ROLE_ACTIONS,
                resources=[campaign_scheduler.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SCHEDULER_SERVICE}},
            ),
        ),
        environment={
            "CALLBACK_SCHEDULE_GROUP": campaign_scheduler.callback_group_name,
            "SCHEDULER_ROLE_ARN": campaign_scheduler.role.role_arn,
            # The target itself is built before it is registered (its own ARN in its environment would be a circular
            # reference): it re-arms a moved callback with the ARN it was invoked as (functions/callbacks_due).
            **({"CALLBACKS_DUE_FUNCTION_ARN": campaign_scheduler.target_function_arn_of(CALLBACK_SCHEDULE_GROUP)}
               if campaign_scheduler.has_target(CALLBACK_SCHEDULE_GROUP) else {}),
        },
        acknowledgments=((campaign_scheduler.callback_schedules_finding, SCHEDULES_REASON),),
    )


GRANTS: dict[Permission, Callable[[GrantTargets], Access]] = {
    Permission.TABLE_READ: _table_read,
    Permission.TABLE_WRITE: _table_write,
    Permission.SEND_EMAIL: _send_email,
    Permission.READ_JWT_SECRET: _read_jwt_secret,
    Permission.READ_MEDIA_STREAM_SECRET: _read_media_stream_secret,
    Permission.MEDIA_READ: _media("ReadMedia", MEDIA_READ_ACTIONS, KEY_READ_ACTIONS),
    Permission.MEDIA_WRITE: _media("WriteMedia", MEDIA_WRITE_ACTIONS, KEY_WRITE_ACTIONS),
    Permission.MEDIA_ERASE: _erase_media,
    Permission.RECORDINGS_READ: _read_recordings,
    Permission.SEND_PAYMENT_EVENTS: _send_to_queue("payment-events"),
    Permission.SEND_SLACK_ACTIONS: _send_to_queue("slack-actions"),
    Permission.CREDENTIALS_KEY: _credentials_key,
    Permission.SEND_CALL_EVENTS: _send_to_queue("call-events"),
    Permission.SEND_CALL_ANALYSIS: _send_to_queue("call-analysis"),
    Permission.START_DIALER: _start_dialer,
    Permission.SEND_TASK_RESULT: _send_task_result,
    Permission.MANAGE_SCHEDULES: _manage_schedules,
    Permission.MANAGE_CALLBACK_SCHEDULES: _manage_callback_schedules,
    Permission.SEND_WEBHOOK_EVENTS: _send_to_queue("webhook-events"),
    Permission.SEND_WEBHOOK_DELIVERIES: _send_to_queue("webhook-deliveries"),
}
