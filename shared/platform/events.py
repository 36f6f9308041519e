"""Domain events for the tenant's own systems: `publish_event(tenant_id, "call.completed", {...})`.

Any domain calls it once its own change is committed; the event goes to the webhook-events queue, whose consumer
(`shared.webhooks.fanout`) delivers it — signed, retried — to every enabled endpoint of the tenant subscribed to
its type. Publishing never blocks or fails the caller: one SQS send with short timeouts; when it cannot be sent
(queue not configured, SQS unreachable, data not serialisable) the failure is logged and counted
(`WebhookEventsUnpublished`), and the caller carries on.

Why no outbox item: the event is a notification *about* a record its domain has already committed and the API
serves (calls, approvals, runs, the DNC list, the ledger), so a receiver can always reconcile from the API; SQS's
SendMessage fails only when SQS itself is unreachable, and an outbox would put a second write into every domain's
transaction for that case. The send happens after the commit (an event never announces a change that was rolled
back); it is at most once from here, at least once from the queue on (receivers deduplicate on `webhook-id`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel

from shared.platform import clock
from shared.platform.ids import new_id

EventType = Literal[
    "call.started", "call.completed", "call.analyzed", "call.transferred",
    "approval.requested", "approval.decided",
    "run.started", "run.completed",
    "contact.opted_out",
    "wallet.low_balance",
    "webhook.test",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
#: An event's data stays small (a summary, ids, an outcome): SQS takes 256 KB, a stored delivery ≤ 400 KB.
MAX_EVENT_BYTES = 64 * 1024


class TenantEvent(BaseModel):
    """What travels on the webhook-events queue. `id` becomes the `webhook-id` of every delivery of it."""

    id: str
    tenant_id: int
    type: EventType
    occurred_at: datetime
    data: dict[str, Any]

    def body(self) -> str:
        """The body every endpoint receives: `{"type", "timestamp", "data"}` (Standard Webhooks' payload shape)."""
        return json.dumps({"type": self.type, "timestamp": clock.iso(self.occurred_at), "data": self.data},
                          separators=(",", ":"), ensure_ascii=False)


def new_event(tenant_id: int, event_type: EventType, data: Mapping[str, Any]) -> TenantEvent:
    """An event happening now; `data` is made JSON-safe here (datetimes become RFC 3339 text)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    safe = json.loads(json.dumps(dict(data), default=_json_default))
    return TenantEvent(id=new_id("evt"), tenant_id=tenant_id, type=event_type, occurred_at=clock.now(), data=safe)


def publish_event(tenant_id: int, event_type: EventType, data: Mapping[str, Any]) -> str | None:
    """Announce what just happened to the tenant's webhook endpoints; the event id, or None when it could not be
    sent (logged, counted). Never raises: call it after your own write has committed."""
    from shared.platform.observability import count_business_event, get_logger

    try:
        event = new_event(tenant_id, event_type, data)
        body = event.model_dump_json()
        if len(body.encode()) > MAX_EVENT_BYTES:
            raise ValueError(f"event data over {MAX_EVENT_BYTES} bytes")
        _send(event, body)
    except Exception as error:  # best-effort by design: the caller's change stands whatever happens here
        get_logger().warning("event not published", extra={"tenant_id": tenant_id, "event_type": event_type,
                                                            "error_type": type(error).__name__,
                                                            "reason": str(error)[:200]})
        count_business_event("WebhookEventsUnpublished")
        return None
    return event.id


def _send(event: TenantEvent, body: str) -> None:
    from shared.platform import queues
    from shared.platform.settings import get_settings

    queues.send(get_settings().webhook_events_queue_url, body, quick=True,
                attributes={"event_id": event.id, "event_type": event.type, "tenant_id": str(event.tenant_id)},
                unconfigured_code="WEBHOOK_EVENTS_UNAVAILABLE")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.iso(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
