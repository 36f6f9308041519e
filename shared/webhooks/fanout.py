"""The webhook-events consumer: one published event → one delivery per enabled endpoint subscribed to its type.

Idempotent: a redelivered event finds the deliveries it made (their ids derive from endpoint and event) and queues
only a first attempt that may never have been queued. A failure propagates, so SQS retries the event (then parks it
in the dead-letter queue).
"""

from __future__ import annotations

from shared.platform.events import TenantEvent
from shared.platform.observability import get_logger
from shared.webhooks import repository
from shared.webhooks.delivery import start_delivery


def handle_event_message(body: str) -> int:
    """Fan one queued event out; returns how many endpoints it goes to."""
    event = TenantEvent.model_validate_json(body)
    endpoints = [endpoint for endpoint in repository.list_endpoints(event.tenant_id) if endpoint.receives(event.type)]
    for endpoint in endpoints:
        start_delivery(endpoint, event)
    if endpoints:
        get_logger().info("event fanned out", extra={"tenant_id": event.tenant_id, "event_type": event.type,
                                                     "event_id": event.id, "endpoints": len(endpoints)})
    return len(endpoints)
