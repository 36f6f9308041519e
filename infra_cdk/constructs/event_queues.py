"""The SQS queues that trigger catalog functions (`QueueTrigger`), each with its dead-letter queue.

One queue per distinct `QueueTrigger.queue`; functions that send to it are told its URL in an
environment variable named after it (`queue_url_variable`), which is also the settings field's alias.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.catalog import FUNCTIONS, LambdaFunction, QueueTrigger, queue_url_variable

DLQ_RETENTION = Duration.days(14)  # SQS's maximum: time to look at a poisoned message and redrive it
#: AWS: a queue that triggers a Lambda needs a visibility timeout of at least six times the function's
#: timeout, or a batch still being retried by the event source mapping becomes visible again.
VISIBILITY_PER_FUNCTION_TIMEOUT = 6




def queue_consumers(functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> dict[str, LambdaFunction]:
    """Each queue name and the one function it triggers (two consumers would split its messages)."""
    consumers: dict[str, LambdaFunction] = {}
    for spec in functions:
        if spec.queue_trigger is None:
            continue
        if spec.queue_trigger.queue in consumers:
            raise ValueError(f"queue {spec.queue_trigger.queue!r} triggers both "
                             f"{consumers[spec.queue_trigger.queue].name} and {spec.name}")
        consumers[spec.queue_trigger.queue] = spec
    return consumers


def visibility_timeout_seconds(trigger: QueueTrigger, consumer_timeout_seconds: int) -> int:
    """The trigger's visibility timeout, raised to AWS's 6 × function timeout when it is shorter."""
    return max(trigger.visibility_timeout_seconds, VISIBILITY_PER_FUNCTION_TIMEOUT * consumer_timeout_seconds)


class EventQueue(Construct):
    """A queue and its DLQ: both encrypted (SQS-managed keys, or the stack's queue key when the trigger asks for a
    customer-managed key) and TLS-only; after `max_receives` a message moves to the DLQ."""

    def __init__(self, scope: Construct, construct_id: str, *, consumer: LambdaFunction,
                 queue_key: kms.IKey | None = None) -> None:
        super().__init__(scope, construct_id)
        trigger = consumer.queue_trigger
        if trigger is None:
            raise ValueError(f"{consumer.name} has no queue trigger")
        if trigger.customer_managed_key and queue_key is None:
            raise ValueError(f"queue {trigger.queue!r} asks for a customer-managed key and none was given")
        self.trigger = trigger
        #: The queue's KMS key; None: SQS-managed encryption (senders need no KMS grant).
        self.encryption_key = queue_key if trigger.customer_managed_key else None
        encryption = ({"encryption": sqs.QueueEncryption.KMS, "encryption_master_key": self.encryption_key}
                      if self.encryption_key else {"encryption": sqs.QueueEncryption.SQS_MANAGED})
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            retention_period=DLQ_RETENTION,
            **encryption,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            visibility_timeout=Duration.seconds(visibility_timeout_seconds(trigger, consumer.timeout_seconds)),
            **encryption,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=trigger.max_receives),
            # Messages in flight are money events: they must not vanish with a stack deletion.
            removal_policy=RemovalPolicy.RETAIN,
        )

    @property
    def url_variable(self) -> str:
        return queue_url_variable(self.trigger.queue)
