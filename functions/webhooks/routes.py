"""Event webhook routes: the tenant's endpoints (read / write; delete: admin), a test event, deliveries and retry.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.platform.events import EVENT_TYPES, EventType
from shared.platform.http.input_types import PrintableText
from shared.webhooks.models import CreatedEndpoint, DeliveryPage, DeliveryQueued, EndpointList, EndpointView

router = APIGatewayHttpRouter()
TAGS = ["Webhooks"]
ID = r"^[A-Za-z0-9_-]+$"
EndpointId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID)]
#: The shape of a URL; where it may point (https, public addresses) is checked by the service (400 WEBHOOK_URL_…).
WebhookUrl = Annotated[str, Field(min_length=8, max_length=2048, pattern=r"^https?://[^\x00-\x20\x7f]+$",
                                  description="https URL of your receiver (it must resolve to public addresses)",
                                  examples=["https://hooks.example.com/callfunnel"])]
EventList = Annotated[list[EventType], Field(min_length=1, max_length=4 * len(EVENT_TYPES),
                                             description="The event types to receive",
                                             examples=[["call.completed", "approval.requested"]])]
Description = Annotated[str | None, Field(max_length=200), PrintableText]


class CreateWebhookRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    url: WebhookUrl
    events: EventList
    description: Description = None


class UpdateWebhookRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    url: WebhookUrl | None = None
    events: EventList | None = None
    enabled: bool | None = None
    description: Description = None


class WebhookDeleted(BaseModel):
    deleted: bool
    id: str


@router.post("/webhooks", summary="Add an endpoint for events; its signing secret (whsec_…) is in this response only",
             tags=TAGS, status_code=201, middlewares=[requires(Scope.WRITE)])
def create_webhook(body: Annotated[CreateWebhookRequest, Body()]) -> CreatedEndpoint:
    from shared.webhooks import service

    return service.create_endpoint(current_principal(router), url=body.url, events=body.events,
                                   description=body.description)


@router.get("/webhooks", summary="The workspace's webhook endpoints (secrets never returned)", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def list_webhooks() -> EndpointList:
    from shared.webhooks import service

    return service.list_endpoints(current_principal(router))


@router.get("/webhooks/<id>", summary="One webhook endpoint", tags=TAGS, middlewares=[requires(Scope.READ)])
def get_webhook(id: EndpointId) -> EndpointView:
    from shared.webhooks import service

    return service.get_endpoint(current_principal(router), id)


@router.put("/webhooks/<id>", summary="Change an endpoint's url, events, enabled or description", tags=TAGS,
            middlewares=[requires(Scope.WRITE)])
def update_webhook(id: EndpointId, body: Annotated[UpdateWebhookRequest, Body()]) -> EndpointView:
    from shared.webhooks import service

    return service.update_endpoint(current_principal(router), id, url=body.url, events=body.events,
                                   enabled=body.enabled, description=body.description)


@router.delete("/webhooks/<id>", summary="Delete an endpoint: no more events are sent to it", tags=TAGS,
               middlewares=[requires(Scope.ADMIN)])
def delete_webhook(id: EndpointId) -> WebhookDeleted:
    from shared.webhooks import service

    service.delete_endpoint(current_principal(router), id)
    return WebhookDeleted(deleted=True, id=id)


@router.post("/webhooks/<id>/test", summary="Send a signed webhook.test event to this endpoint (enabled or not)",
             tags=TAGS, status_code=202, middlewares=[requires(Scope.WRITE)])
def test_webhook(id: EndpointId) -> DeliveryQueued:
    from shared.webhooks import service

    return service.send_test(current_principal(router), id)


@router.get("/webhooks/<id>/deliveries", summary="The endpoint's deliveries, newest first (kept 30 days)",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def list_deliveries(id: EndpointId, limit: Annotated[int, Query(ge=1, le=100)] = 50,
                    cursor: Annotated[str | None, Query(min_length=1, max_length=200)] = None) -> DeliveryPage:
    from shared.webhooks import service

    return service.list_deliveries(current_principal(router), id, limit=limit, cursor=cursor)


@router.post("/webhooks/<id>/deliveries/<delivery_id>/retry",
             summary="Attempt a delivery again now (same webhook-id; any queued retry is replaced)", tags=TAGS,
             status_code=202, middlewares=[requires(Scope.WRITE)])
def retry_delivery(id: EndpointId, delivery_id: DeliveryId) -> DeliveryQueued:
    from shared.webhooks import service

    return service.retry_delivery(current_principal(router), id, delivery_id)
