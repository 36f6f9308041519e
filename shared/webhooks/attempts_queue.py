"""The webhook-deliveries queue: one message per scheduled attempt of a delivery, delayed until it is due.

A message names the delivery and the attempt's token; it is acted on only while that token is the delivery's
scheduled one (a manual retry or a finished attempt makes older messages stale). A wait longer than SQS's 15-minute
delay is a chain: the consumer sends the message on again until `due_at`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.platform import clock, queues
from shared.platform.settings import get_settings
from shared.webhooks.retry_schedule import next_hop_seconds


class AttemptMessage(BaseModel):
    tenant_id: int
    endpoint_id: str
    delivery_id: str
    token: str
    due_at: datetime


def enqueue_attempt(message: AttemptMessage) -> None:
    """Queue the attempt, delayed towards its due time (at most 15 minutes a hop)."""
    queues.send(get_settings().webhook_deliveries_queue_url, message.model_dump_json(),
                delay_seconds=next_hop_seconds(clock.now(), message.due_at),
                attributes={"delivery_id": message.delivery_id, "endpoint_id": message.endpoint_id,
                            "tenant_id": str(message.tenant_id)},
                unconfigured_code="WEBHOOK_DELIVERIES_UNAVAILABLE")
