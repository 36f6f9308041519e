"""Delivering one event to one endpoint: the first attempt and every retry (the webhook-deliveries consumer).

Each attempt re-checks the endpoint's URL against the SSRF rules (its DNS answer may have changed since it was
saved) and connects only to the addresses it checked; it signs the stored body anew (a fresh `webhook-timestamp`,
the same `webhook-id`), reads at most `MAX_RESPONSE_BYTES` of the answer and stores them. A 2xx delivers; a
timeout, a connection failure, a refused address, 429 or 5xx is retried on the schedule of `retry_schedule`; any
other answer (4xx, a redirect, which is never followed) fails the delivery at once.

Exactly-once effects under at-least-once messages: an attempt is claimed with a conditional write on its token; the
next attempt's message is queued *before* this attempt's outcome is recorded, so a crash in between repeats the
attempt (the receiver deduplicates on `webhook-id`) rather than stranding the delivery.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.platform import clock, crypto
from shared.platform.errors import BadRequest
from shared.platform.events import TenantEvent
from shared.platform.ids import base62, random_base62
from shared.platform.observability import count_business_event, get_logger
from shared.platform.settings import get_settings
from shared.providers.webhooks.pinned_http import PinnedHttpTransport
from shared.webhooks import delivery_repository, endpoint_health, repository
from shared.webhooks.attempts_queue import AttemptMessage, enqueue_attempt
from shared.webhooks.destinations import Resolver, check_destination
from shared.webhooks.models import Delivery, Endpoint
from shared.webhooks.ports import TransportFailure, WebhookTransport
from shared.webhooks.retry_schedule import next_attempt_at, retry_after_seconds
from shared.webhooks.signing import signed_headers

#: Stored per attempt (and shown in the deliveries list): the start of the endpoint's answer.
MAX_RESPONSE_BYTES = 1024
#: A message that arrives this early is on time (SQS delays are whole seconds).
ON_TIME = timedelta(seconds=1)
DELIVERED, RETRY_SCHEDULED, FAILED, WAITING, STALE, GAVE_UP = (
    "delivered", "retry_scheduled", "failed", "waiting", "stale", "gave_up")


@dataclass(frozen=True)
class AttemptOutcome:
    delivered: bool
    retryable: bool
    status_code: int | None = None
    error: str | None = None
    response_body: str | None = None
    retry_after: str | None = None


def delivery_id_for(endpoint_id: str, event: TenantEvent) -> str:
    """One id per (endpoint, event), time-ordered by the event: a redelivered event finds its delivery again."""
    digest = int.from_bytes(hashlib.sha256(f"{endpoint_id}:{event.id}".encode()).digest()[:9], "big")
    return f"whd_{base62(int(event.occurred_at.timestamp() * 1000), 8)}{base62(digest, 12)[:12]}"


def start_delivery(endpoint: Endpoint, event: TenantEvent) -> Delivery:
    """Record the delivery of `event` to `endpoint` and queue its first attempt, due now (idempotent)."""
    now = clock.now()
    delivery = Delivery(id=delivery_id_for(endpoint.id, event), tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id,
                        event_id=event.id, event_type=event.type, body=event.body(), status="pending",
                        created_at=now, next_attempt_at=now, schedule_token=random_base62(16))
    if not delivery_repository.create_delivery(delivery):
        existing = delivery_repository.get_delivery(endpoint.tenant_id, endpoint.id, delivery.id)
        if existing is None or existing.status != "pending" or existing.attempts or not existing.schedule_token:
            return existing or delivery  # already under way: its own messages carry it
        delivery = existing  # recorded, but its first message may never have been sent: send it (again)
    enqueue_attempt(_message(delivery, delivery.schedule_token or "", delivery.next_attempt_at or now))
    return delivery


def schedule_retry_now(delivery: Delivery) -> Delivery | None:
    """A manual retry: due now under a new token (an attempt already queued becomes stale)."""
    token, now = random_base62(16), clock.now()
    rescheduled = delivery_repository.schedule_now(delivery.tenant_id, delivery.endpoint_id, delivery.id, token, now)
    if rescheduled is not None:
        enqueue_attempt(_message(rescheduled, token, now))
    return rescheduled


def handle_attempt_message(body: str, *, transport: WebhookTransport | None = None,
                           resolve: Resolver | None = None) -> str:
    """Act on one queued attempt; returns what happened (for logs and tests)."""
    message = AttemptMessage.model_validate_json(body)
    delivery = delivery_repository.get_delivery(message.tenant_id, message.endpoint_id, message.delivery_id)
    if delivery is None or not _is_scheduled(delivery, message.token):
        return STALE
    now = clock.now()
    if message.due_at > now + ON_TIME:
        enqueue_attempt(message)  # a wait longer than one SQS delay: the next hop of the chain
        return WAITING
    found = repository.get_endpoint_and_secret(delivery.tenant_id, delivery.endpoint_id)
    if found is None or not (found[0].enabled or delivery.is_test):
        reason = "the endpoint was deleted" if found is None else "the endpoint is disabled"
        return GAVE_UP if delivery_repository.give_up(delivery, message.token, reason) else STALE
    endpoint, sealed_secret = found
    claimed = delivery_repository.claim_attempt(delivery, message.token, now)
    if claimed is None:
        return STALE
    secret = crypto.decrypt(endpoint.tenant_id, sealed_secret).decode()
    outcome = _send(claimed, endpoint, secret, transport or PinnedHttpTransport(), resolve)
    return _conclude(claimed, endpoint, message.token, outcome, now)


def _is_scheduled(delivery: Delivery, token: str) -> bool:
    sending = delivery_repository.SENDING_PREFIX + token
    return delivery.status == "pending" and delivery.schedule_token in (token, sending)


def _send(delivery: Delivery, endpoint: Endpoint, secret: str, transport: WebhookTransport,
          resolve: Resolver | None) -> AttemptOutcome:
    settings = get_settings()
    try:
        destination = check_destination(endpoint.url, local=settings.is_local, resolve=resolve)
    except BadRequest as refused:
        # Checked again at every send: a name that now resolves somewhere refused is not dialled (and is retried:
        # its DNS may well move back).
        return AttemptOutcome(delivered=False, retryable=True, error=f"destination refused: {refused.message}")
    headers = signed_headers(secret, delivery.event_id, delivery.body)
    try:
        response = transport.post(destination, headers, delivery.body.encode(),
                                  timeout_seconds=settings.webhook_timeout_seconds,
                                  max_response_bytes=MAX_RESPONSE_BYTES)
    except TransportFailure as failure:
        return AttemptOutcome(delivered=False, retryable=True, error=failure.reason)
    status, answer = response.status, response.body[:MAX_RESPONSE_BYTES]  # stored truncated, whatever was read
    if 200 <= status < 300:
        return AttemptOutcome(delivered=True, retryable=False, status_code=status, response_body=answer)
    error = f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
    return AttemptOutcome(delivered=False, retryable=status == 429 or status >= 500, status_code=status, error=error,
                          response_body=answer, retry_after=response.retry_after)


def _conclude(delivery: Delivery, endpoint: Endpoint, token: str, outcome: AttemptOutcome, now: datetime) -> str:
    log = {"tenant_id": delivery.tenant_id, "endpoint_id": endpoint.id, "delivery_id": delivery.id,
           "attempt": delivery.attempts, "status_code": outcome.status_code}
    if outcome.delivered:
        delivery_repository.finish_attempt(delivery, token, status="delivered", next_attempt_at=None,
                                           next_token=None, status_code=outcome.status_code, error=None,
                                           response_body=outcome.response_body, delivered_at=now)
        count_business_event("WebhookDelivered")
        if not delivery.is_test:
            endpoint_health.record_success(endpoint)
        return DELIVERED
    due = _next_attempt(delivery, outcome, now) if outcome.retryable else None
    if due is not None:
        next_token = random_base62(16)
        enqueue_attempt(_message(delivery, next_token, due))  # first: a crash after it repeats, never strands
        delivery_repository.finish_attempt(delivery, token, status="pending", next_attempt_at=due,
                                           next_token=next_token, status_code=outcome.status_code,
                                           error=outcome.error, response_body=outcome.response_body,
                                           delivered_at=None)
        result = RETRY_SCHEDULED
    else:
        delivery_repository.finish_attempt(delivery, token, status="failed", next_attempt_at=None,
                                           next_token=None, status_code=outcome.status_code, error=outcome.error,
                                           response_body=outcome.response_body, delivered_at=None)
        count_business_event("WebhookDeliveryFailed")
        result = FAILED
    get_logger().info(f"webhook attempt failed: {result}", extra={**log, "reason": outcome.error})
    if not delivery.is_test:
        endpoint_health.record_failure(endpoint, now, outcome.error or "no answer")
    return result


def _next_attempt(delivery: Delivery, outcome: AttemptOutcome, now: datetime) -> datetime | None:
    settings = get_settings()
    return next_attempt_at(created_at=delivery.created_at, failed_attempts=delivery.attempts, now=now,
                           retry_after=retry_after_seconds(outcome.retry_after, now),
                           scale=settings.webhook_retry_scale, window_seconds=settings.webhook_retry_window_seconds)


def _message(delivery: Delivery, token: str, due: datetime) -> AttemptMessage:
    return AttemptMessage(tenant_id=delivery.tenant_id, endpoint_id=delivery.endpoint_id, delivery_id=delivery.id,
                          token=token, due_at=due)
