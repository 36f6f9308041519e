"""Queue-triggered functions: an encrypted, TLS-only queue with a DLQ, polled in batches with partial failures."""

from __future__ import annotations

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction, Permission, QueueTrigger
from infra_cdk.constructs.event_queues import queue_consumers, queue_url_variable, visibility_timeout_seconds
from shared.platform.settings import Settings
from tests.infra.synthesis import Resource, Synthesis
from tests.infra.template_queries import (
    actions_of,
    as_list,
    lambda_of,
    referenced_id,
    role_statements,
    statements_with_action,
)

pytestmark = pytest.mark.infra

CONSUMERS = [spec for spec in FUNCTIONS if spec.queue_trigger is not None]
KEYED_CONSUMERS = [spec for spec in CONSUMERS if spec.queue_trigger.customer_managed_key]
#: Each queue's send permission, by the queue it sends to.
QUEUE_OF_SEND_PERMISSION = {Permission.SEND_PAYMENT_EVENTS: "payment-events",
                            Permission.SEND_SLACK_ACTIONS: "slack-actions",
                            Permission.SEND_CALL_EVENTS: "call-events",
                            Permission.SEND_CALL_ANALYSIS: "call-analysis",
                            Permission.SEND_WEBHOOK_EVENTS: "webhook-events",
                            Permission.SEND_WEBHOOK_DELIVERIES: "webhook-deliveries"}
SENDERS = [spec for spec in FUNCTIONS if set(QUEUE_OF_SEND_PERMISSION) & spec.permissions]
consumer = pytest.mark.parametrize("spec", CONSUMERS, ids=[spec.name for spec in CONSUMERS])
sender = pytest.mark.parametrize("spec", SENDERS, ids=[spec.name for spec in SENDERS])
TLS_ONLY = {"Bool": {"aws:SecureTransport": "false"}}


def _mapping(synthesis: Synthesis, spec: LambdaFunction) -> Resource:
    function_id, _ = lambda_of(synthesis, spec)
    (mapping,) = [
        m["Properties"] for m in synthesis.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    return mapping


def _queue_of(synthesis: Synthesis, spec: LambdaFunction) -> tuple[str, Resource]:
    queue_id = referenced_id(_mapping(synthesis, spec)["EventSourceArn"])
    return queue_id, synthesis.resources[queue_id]


def _dead_letter_queue_of(synthesis: Synthesis, spec: LambdaFunction) -> tuple[str, Resource]:
    _, queue = _queue_of(synthesis, spec)
    dlq_id = referenced_id(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
    return dlq_id, synthesis.resources[dlq_id]


def _sqs_statements(statements: list[dict]) -> list[dict]:
    return [s for s in statements if any(a.startswith("sqs:") for a in as_list(s["Action"]))]


def test_the_catalog_has_a_queue_consumer_and_a_sender() -> None:
    # Guards the parametrised tests below against passing over empty lists.
    assert CONSUMERS and SENDERS


def test_one_queue_and_one_dead_letter_queue_per_catalog_queue(synthesis: Synthesis) -> None:
    assert len(synthesis.of_type("AWS::SQS::Queue")) == 2 * len(queue_consumers())
    assert len(synthesis.of_type("AWS::Lambda::EventSourceMapping")) == len(CONSUMERS)


@consumer
def test_the_event_source_mapping_polls_in_catalog_batches_with_partial_failures(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    mapping = _mapping(synthesis, spec)
    assert mapping["BatchSize"] == spec.queue_trigger.batch_size
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@consumer
def test_a_message_goes_to_the_dead_letter_queue_after_the_catalog_receive_count(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, queue = _queue_of(synthesis, spec)
    assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] == spec.queue_trigger.max_receives


@consumer
def test_the_visibility_timeout_is_at_least_six_times_the_function_timeout(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    _, queue = _queue_of(synthesis, spec)
    visibility = queue["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * spec.timeout_seconds
    assert visibility >= spec.queue_trigger.visibility_timeout_seconds


@consumer
def test_the_dead_letter_queue_keeps_messages_14_days(synthesis: Synthesis, spec: LambdaFunction) -> None:
    _, dlq = _dead_letter_queue_of(synthesis, spec)
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


@consumer
@pytest.mark.parametrize("which", ["queue", "dead-letter queue"])
def test_both_queues_are_encrypted_tls_only_and_retained(synthesis: Synthesis, spec: LambdaFunction,
                                                         which: str) -> None:
    queue_id, queue = (_queue_of if which == "queue" else _dead_letter_queue_of)(synthesis, spec)
    if spec.queue_trigger.customer_managed_key:
        assert queue["Properties"]["KmsMasterKeyId"] == _queue_key_arn(synthesis)
        assert "SqsManagedSseEnabled" not in queue["Properties"]
    else:
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert (queue["DeletionPolicy"], queue["UpdateReplacePolicy"]) == ("Retain", "Retain")
    (policy,) = [
        p["Properties"] for p in synthesis.of_type("AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": queue_id}]
    ]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Action"], statement["Condition"]) == ("Deny", "sqs:*", TLS_ONLY)


@consumer
def test_the_consumer_may_receive_and_delete_from_its_queue_only(synthesis: Synthesis, spec: LambdaFunction) -> None:
    queue_id, _ = _queue_of(synthesis, spec)
    statements = _sqs_statements(role_statements(synthesis, spec))
    receiving = [s for s in statements if "sqs:ReceiveMessage" in as_list(s["Action"])]
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= actions_of(receiving)
    assert all(s["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]} for s in receiving)
    # Anything else is a send its catalog permissions grant (checked queue by queue below), never on its own.
    others = [s for s in statements if s not in receiving]
    assert actions_of(others) <= {"sqs:SendMessage"}
    assert bool(others) == bool(set(QUEUE_OF_SEND_PERMISSION) & spec.permissions)


def _queue_id_of(synthesis: Synthesis, queue: str) -> str:
    queue_id, _ = _queue_of(synthesis, next(c for c in CONSUMERS if c.queue_trigger.queue == queue))
    return queue_id


@sender
def test_a_sender_may_send_to_its_queues_only_and_is_told_their_urls(synthesis: Synthesis,
                                                                     spec: LambdaFunction) -> None:
    queues = {QUEUE_OF_SEND_PERMISSION[p] for p in spec.permissions if p in QUEUE_OF_SEND_PERMISSION}
    statements = role_statements(synthesis, spec)
    sending = statements_with_action(statements, "sqs:SendMessage")
    assert all(as_list(s["Action"]) == ["sqs:SendMessage"] for s in sending)
    assert sorted(map(str, (s["Resource"] for s in sending))) == sorted(
        str({"Fn::GetAtt": [_queue_id_of(synthesis, queue), "Arn"]}) for queue in queues)
    _, function = lambda_of(synthesis, spec)
    for queue in queues:
        assert function["Properties"]["Environment"]["Variables"][queue_url_variable(queue)] == {
            "Ref": _queue_id_of(synthesis, queue)}


def _queue_key_arn(synthesis: Synthesis) -> dict:
    (key_id,) = [key_id for key_id, key in synthesis.of_type("AWS::KMS::Key").items()
                 if key["Properties"]["Description"].startswith("Encrypts the webhook queues")]
    return {"Fn::GetAtt": [key_id, "Arn"]}


def test_the_webhook_queues_use_the_customer_managed_queue_key_which_rotates_and_is_retained(
        synthesis: Synthesis) -> None:
    assert {spec.queue_trigger.queue for spec in KEYED_CONSUMERS} == {"webhook-events", "webhook-deliveries"}
    key = synthesis.resources[_queue_key_arn(synthesis)["Fn::GetAtt"][0]]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Retain", "Retain")


@sender
def test_a_sender_uses_the_queue_key_only_for_queues_under_it(synthesis: Synthesis, spec: LambdaFunction) -> None:
    keyed = {p for p in spec.permissions if p in QUEUE_OF_SEND_PERMISSION
             and any(c.queue_trigger.queue == QUEUE_OF_SEND_PERMISSION[p] for c in KEYED_CONSUMERS)}
    on_key = [s for s in role_statements(synthesis, spec) if s["Resource"] == _queue_key_arn(synthesis)
              and "kms:GenerateDataKey" in as_list(s["Action"])]
    assert len(on_key) == len(keyed)
    assert all(sorted(as_list(s["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey"] for s in on_key)


@pytest.mark.parametrize("spec", KEYED_CONSUMERS, ids=[spec.name for spec in KEYED_CONSUMERS])
def test_a_consumer_of_a_keyed_queue_may_decrypt_with_the_queue_key(synthesis: Synthesis,
                                                                   spec: LambdaFunction) -> None:
    decrypting = [s for s in statements_with_action(role_statements(synthesis, spec), "kms:Decrypt")
                  if s["Resource"] == _queue_key_arn(synthesis)]
    assert decrypting


@pytest.mark.parametrize("spec", [s for s in FUNCTIONS if s not in CONSUMERS and s not in SENDERS],
                         ids=lambda spec: spec.name)
def test_functions_neither_sending_nor_consuming_have_no_sqs_action(synthesis: Synthesis,
                                                                   spec: LambdaFunction) -> None:
    assert not [a for a in actions_of(role_statements(synthesis, spec)) if a.startswith("sqs:")]


def test_the_queue_url_variable_is_the_alias_of_the_settings_field() -> None:
    assert queue_url_variable("payment-events") == "PAYMENT_EVENTS_QUEUE_URL"
    assert Settings.model_fields["payment_events_queue_url"].alias == queue_url_variable("payment-events")


def test_a_trigger_visibility_shorter_than_six_function_timeouts_is_raised_to_it() -> None:
    assert visibility_timeout_seconds(QueueTrigger("q", visibility_timeout_seconds=60), 60) == 360
    assert visibility_timeout_seconds(QueueTrigger("q", visibility_timeout_seconds=900), 60) == 900


def test_two_functions_triggered_by_one_queue_are_refused() -> None:
    twins = tuple(LambdaFunction(name, f"functions.{name}.handler.lambda_handler", name,
                                 queue_trigger=QueueTrigger("shared")) for name in ("a", "b"))
    with pytest.raises(ValueError, match="triggers both a and b"):
        queue_consumers(twins)
