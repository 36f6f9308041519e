"""Event webhooks, as the tenant manages them: endpoints (URL, the events they want, on/off), a test event, and the
deliveries of each endpoint with a retry-now. Everything is scoped to the principal's tenant.

An endpoint's URL passes the SSRF rules when it is saved (shared/webhooks/destinations.py) and again before every
attempt. Its signing secret (`whsec_…`) is generated here, sealed at rest and shown once, in the creation's answer.
"""

from __future__ import annotations

from shared.auth.principal import Principal
from shared.platform import clock, crypto, cursors
from shared.platform.errors import BadRequest, NotFound
from shared.platform.events import EventType, new_event
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event
from shared.platform.settings import get_settings
from shared.webhooks import delivery_repository, repository
from shared.webhooks.delivery import schedule_retry_now, start_delivery
from shared.webhooks.destinations import check_destination
from shared.webhooks.models import (
    TEST_EVENT_TYPE,
    CreatedEndpoint,
    DeliveryPage,
    DeliveryQueued,
    DeliveryView,
    Endpoint,
    EndpointList,
    EndpointView,
)
from shared.webhooks.signing import generate_secret


def create_endpoint(principal: Principal, *, url: str, events: list[EventType],
                    description: str | None) -> CreatedEndpoint:
    tenant_id = principal.tenant_id
    _check_url(url)
    limit = get_settings().max_webhook_endpoints
    if len(repository.list_endpoints(tenant_id)) >= limit:
        raise BadRequest(f"This workspace already has {limit} webhook endpoints; delete one first",
                         code="WEBHOOK_LIMIT_REACHED")
    secret = generate_secret()
    sealed = crypto.encrypt(tenant_id, secret.encode())  # 503 ENCRYPTION_UNAVAILABLE before anything is stored
    now = clock.now_seconds()
    endpoint = Endpoint(id=new_id("whk"), tenant_id=tenant_id, url=url, description=_description(description),
                        events=_distinct(events), enabled=True, created_at=now, updated_at=now)
    repository.create_endpoint(endpoint, sealed)
    count_business_event("WebhookEndpointCreated")
    return CreatedEndpoint(secret=secret, **EndpointView.of(endpoint).model_dump())


def list_endpoints(principal: Principal) -> EndpointList:
    return EndpointList(webhooks=[EndpointView.of(endpoint)
                                  for endpoint in repository.list_endpoints(principal.tenant_id)])


def get_endpoint(principal: Principal, endpoint_id: str) -> EndpointView:
    return EndpointView.of(_find(principal.tenant_id, endpoint_id))


def update_endpoint(principal: Principal, endpoint_id: str, *, url: str | None, events: list[EventType] | None,
                    enabled: bool | None, description: str | None) -> EndpointView:
    current = _find(principal.tenant_id, endpoint_id)  # 404 before the URL is looked up: nothing to learn
    if url is None and events is None and enabled is None and description is None:
        return EndpointView.of(current)  # nothing to change
    if url is not None:
        _check_url(url)
    updated = repository.update_endpoint(principal.tenant_id, endpoint_id, updated_at=clock.now_seconds(), url=url,
                                         events=_distinct(events) if events is not None else None, enabled=enabled,
                                         description=None if description is None else _description(description) or "")
    if updated is None:
        raise _not_found()
    return EndpointView.of(updated)


def delete_endpoint(principal: Principal, endpoint_id: str) -> None:
    """Its deliveries stay listed nowhere (their partition expires within 30 days); queued attempts give up."""
    if not repository.delete_endpoint(principal.tenant_id, endpoint_id):
        raise _not_found()


def send_test(principal: Principal, endpoint_id: str) -> DeliveryQueued:
    """A `webhook.test` event to this endpoint alone, enabled or not (check it before turning it back on)."""
    endpoint = _find(principal.tenant_id, endpoint_id)
    event = new_event(principal.tenant_id, TEST_EVENT_TYPE,
                      {"endpoint_id": endpoint.id, "message": "A test event from CallFunnel: your endpoint works."})
    delivery = start_delivery(endpoint, event)
    count_business_event("WebhookTestSent")
    return DeliveryQueued(delivery=DeliveryView.of(delivery))


def list_deliveries(principal: Principal, endpoint_id: str, *, limit: int, cursor: str | None) -> DeliveryPage:
    _find(principal.tenant_id, endpoint_id)
    after = cursors.decode(cursor, delivery_repository.is_delivery_sort_key) if cursor else None
    deliveries, last = delivery_repository.list_deliveries(principal.tenant_id, endpoint_id, limit=limit,
                                                           after_sort_key=after)
    return DeliveryPage(deliveries=[DeliveryView.of(delivery) for delivery in deliveries],
                        next_cursor=cursors.encode(last) if last else None)


def retry_delivery(principal: Principal, endpoint_id: str, delivery_id: str) -> DeliveryQueued:
    """Attempt a delivery again now, whatever its status (receivers deduplicate on its webhook-id)."""
    _find(principal.tenant_id, endpoint_id)
    delivery = delivery_repository.get_delivery(principal.tenant_id, endpoint_id, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery for this endpoint", code="WEBHOOK_DELIVERY_NOT_FOUND")
    rescheduled = schedule_retry_now(delivery)
    if rescheduled is None:
        raise NotFound("No such delivery for this endpoint", code="WEBHOOK_DELIVERY_NOT_FOUND")
    count_business_event("WebhookRetryRequested")
    return DeliveryQueued(delivery=DeliveryView.of(rescheduled))


def _check_url(url: str) -> None:
    check_destination(url, local=get_settings().is_local)


def _find(tenant_id: int, endpoint_id: str) -> Endpoint:
    endpoint = repository.get_endpoint(tenant_id, endpoint_id)
    if endpoint is None:
        raise _not_found()
    return endpoint


def _not_found() -> NotFound:
    return NotFound("No such webhook endpoint in this workspace", code="WEBHOOK_NOT_FOUND")


def _distinct(events: list[EventType]) -> list[EventType]:
    return list(dict.fromkeys(events))


def _description(description: str | None) -> str | None:
    return (description or "").strip() or None

