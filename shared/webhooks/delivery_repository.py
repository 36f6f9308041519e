"""An endpoint's deliveries in the single table (patterns WH4–WH5): one per (endpoint, event), newest first, kept
30 days. A delivery's id is derived from (endpoint, event), so a redelivered event never creates a second one.
Attempts are claimed and finished with conditional writes on `schedule_token`: only the queued message that names
the scheduled attempt acts, once; a manual retry replaces the token, so older messages go stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, condition_failed
from shared.webhooks.models import Delivery, DeliveryStatus

DELIVERY_RETENTION = timedelta(days=30)
DSR_PAGE_SIZE = 500
SENDING_PREFIX = "sending:"


class _DeliveryItem(TableItem, discriminator="WebhookDelivery"):
    delivery_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    endpoint_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    next_attempt_at = UTCDateTimeAttribute(null=True)
    schedule_token = UnicodeAttribute(null=True)
    last_attempt_at = UTCDateTimeAttribute(null=True)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    last_response_body = UnicodeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)


def _delivery_from(item: _DeliveryItem) -> Delivery:
    return Delivery(id=item.delivery_id, tenant_id=item.tenant_id, endpoint_id=item.endpoint_id,
                    event_id=item.event_id, event_type=item.event_type, body=item.body, status=item.status,
                    attempts=int(item.attempts or 0), created_at=item.created_at,
                    next_attempt_at=item.next_attempt_at, schedule_token=item.schedule_token,
                    last_attempt_at=item.last_attempt_at,
                    last_status_code=int(item.last_status_code) if item.last_status_code is not None else None,
                    last_error=item.last_error, last_response_body=item.last_response_body,
                    delivered_at=item.delivered_at)


def create_delivery(delivery: Delivery) -> bool:
    """Record a new delivery; False when this (endpoint, event) has one already."""
    item = _DeliveryItem(keys.webhook_deliveries_pk(delivery.tenant_id, delivery.endpoint_id),
                         keys.webhook_delivery_sk(delivery.id), delivery_id=delivery.id, tenant_id=delivery.tenant_id,
                         endpoint_id=delivery.endpoint_id, event_id=delivery.event_id,
                         event_type=delivery.event_type, body=delivery.body, status=delivery.status,
                         attempts=delivery.attempts, created_at=delivery.created_at,
                         next_attempt_at=delivery.next_attempt_at, schedule_token=delivery.schedule_token,
                         ttl=int((delivery.created_at + DELIVERY_RETENTION).timestamp()))
    try:
        item.save(condition=_DeliveryItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def get_delivery(tenant_id: int, endpoint_id: str, delivery_id: str) -> Delivery | None:
    try:
        item = _DeliveryItem.get(keys.webhook_deliveries_pk(tenant_id, endpoint_id),
                                 keys.webhook_delivery_sk(delivery_id), consistent_read=True)
    except DoesNotExist:
        return None
    return _delivery_from(item)


def list_deliveries(tenant_id: int, endpoint_id: str, *, limit: int,
                    after_sort_key: str | None) -> tuple[list[Delivery], str | None]:
    """A page of deliveries, newest first, and the sort key to resume after (None on the last page)."""
    pk = keys.webhook_deliveries_pk(tenant_id, endpoint_id)
    start = {"PK": {"S": pk}, "SK": {"S": after_sort_key}} if after_sort_key else None
    result = _DeliveryItem.query(pk, _DeliveryItem.SK.startswith(keys.WEBHOOK_DELIVERY_PREFIX),
                                 scan_index_forward=False, limit=limit, last_evaluated_key=start)
    deliveries = [_delivery_from(item) for item in result]
    last = result.last_evaluated_key
    return deliveries, (last["SK"]["S"] if last else None)


def is_delivery_sort_key(sort_key: str) -> bool:
    """Whether a cursor names a sort key this listing could have issued."""
    return sort_key.startswith(keys.WEBHOOK_DELIVERY_PREFIX) and len(sort_key) <= 64


def claim_attempt(delivery: Delivery, token: str, at: datetime) -> Delivery | None:
    """Take the scheduled attempt `token` (or retake it after a crash mid-send): count it and mark it sending.
    None when that attempt is no longer the scheduled one (done, superseded by a retry, or taken)."""
    item = _delivery_item(delivery)
    condition = ((_DeliveryItem.status == "pending")
                 & _DeliveryItem.schedule_token.is_in(token, SENDING_PREFIX + token))
    try:
        item.update(actions=[_DeliveryItem.schedule_token.set(SENDING_PREFIX + token),
                             _DeliveryItem.attempts.add(1), _DeliveryItem.last_attempt_at.set(at)],
                    condition=condition)
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _delivery_from(item)


def finish_attempt(delivery: Delivery, token: str, *, status: DeliveryStatus, next_attempt_at: datetime | None,
                   next_token: str | None, status_code: int | None, error: str | None,
                   response_body: str | None, delivered_at: datetime | None) -> bool:
    """Record what attempt `token` got, and what comes next; False when a manual retry took over meanwhile."""
    item = _delivery_item(delivery)
    actions = [_DeliveryItem.status.set(status), _set_or_remove(_DeliveryItem.next_attempt_at, next_attempt_at),
               _set_or_remove(_DeliveryItem.schedule_token, next_token),
               _set_or_remove(_DeliveryItem.last_status_code, status_code),
               _set_or_remove(_DeliveryItem.last_error, error),
               _set_or_remove(_DeliveryItem.last_response_body, response_body)]
    if delivered_at is not None:
        actions.append(_DeliveryItem.delivered_at.set(delivered_at))
    try:
        item.update(actions=actions, condition=_DeliveryItem.schedule_token == SENDING_PREFIX + token)
    except UpdateError as failure:
        if condition_failed(failure):
            return False
        raise
    return True


def give_up(delivery: Delivery, token: str, reason: str) -> bool:
    """Fail the scheduled attempt `token` without sending it (its endpoint is gone or disabled)."""
    item = _delivery_item(delivery)
    try:
        item.update(actions=[_DeliveryItem.status.set("failed"), _DeliveryItem.next_attempt_at.remove(),
                             _DeliveryItem.schedule_token.remove(), _DeliveryItem.last_error.set(reason)],
                    condition=(_DeliveryItem.status == "pending")
                    & _DeliveryItem.schedule_token.is_in(token, SENDING_PREFIX + token))
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def schedule_now(tenant_id: int, endpoint_id: str, delivery_id: str, token: str, at: datetime) -> Delivery | None:
    """A manual retry: pending again, due now, under a new token (any queued attempt becomes stale)."""
    item = _DeliveryItem(keys.webhook_deliveries_pk(tenant_id, endpoint_id), keys.webhook_delivery_sk(delivery_id))
    try:
        item.update(actions=[_DeliveryItem.status.set("pending"), _DeliveryItem.next_attempt_at.set(at),
                             _DeliveryItem.schedule_token.set(token)],
                    condition=_DeliveryItem.PK.exists() & (_DeliveryItem.tenant_id == tenant_id))
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _delivery_from(item)


def iter_deliveries(tenant_id: int, endpoint_id: str) -> Iterator[Delivery]:
    """Every kept delivery of one endpoint (a Query of its partition, page by page: DSR reads, no request path)."""
    after: str | None = None
    while True:
        page, after = list_deliveries(tenant_id, endpoint_id, limit=DSR_PAGE_SIZE, after_sort_key=after)
        yield from page
        if after is None:
            return


def redact(delivery: Delivery, body: str) -> bool:
    """Replace what a delivery sends (and the receiver's echoed answer) after its contact was erased."""
    item = _delivery_item(delivery)
    try:
        item.update(actions=[_DeliveryItem.body.set(body), _DeliveryItem.last_response_body.remove()],
                    condition=_DeliveryItem.PK.exists())
    except UpdateError as error:
        if condition_failed(error):
            return False  # expired (TTL) meanwhile
        raise
    return True


def _delivery_item(delivery: Delivery) -> _DeliveryItem:
    return _DeliveryItem(keys.webhook_deliveries_pk(delivery.tenant_id, delivery.endpoint_id),
                         keys.webhook_delivery_sk(delivery.id))


def _set_or_remove(attribute, value):
    return attribute.remove() if value is None else attribute.set(value)
