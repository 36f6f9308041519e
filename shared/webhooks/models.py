"""Webhook endpoints (where a tenant wants its events) and deliveries (one event to one endpoint), as stored and as
the API shows them. The signing secret is stored sealed (shared.platform.crypto) and shown once, at creation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.platform.events import EventType

DeliveryStatus = Literal["pending", "delivered", "failed"]
#: `POST /webhooks/{id}/test` sends it to that endpoint alone (enabled or not); it never counts toward disabling.
TEST_EVENT_TYPE = "webhook.test"


class Endpoint(BaseModel):
    id: str
    tenant_id: int
    url: str
    description: str | None
    events: list[EventType]
    enabled: bool
    created_at: datetime
    updated_at: datetime
    #: Since when every attempt failed (the first failure after the last success); None while healthy.
    failing_since: datetime | None = None
    disabled_reason: str | None = None

    def receives(self, event_type: str) -> bool:
        return self.enabled and event_type in self.events


class EndpointView(BaseModel):
    """One endpoint in `GET /webhooks` (never with its secret)."""

    id: str
    url: str
    description: str | None
    events: list[EventType]
    enabled: bool
    created_at: datetime
    updated_at: datetime
    failing_since: datetime | None = Field(description="Since when every delivery attempt failed; null while healthy")
    disabled_reason: str | None = Field(description="Why we disabled it (e.g. failing for days); null otherwise")

    @classmethod
    def of(cls, endpoint: Endpoint) -> "EndpointView":
        return cls(**endpoint.model_dump(exclude={"tenant_id"}))


class CreatedEndpoint(EndpointView):
    """`POST /webhooks` 201: the only response that carries the signing secret (a replay of the same
    Idempotency-Key answers null: copy it now)."""

    secret: str | None = Field(description="`whsec_…`: verify our signatures with it (Standard Webhooks). Shown once")


class EndpointList(BaseModel):
    webhooks: list[EndpointView]


class Delivery(BaseModel):
    id: str
    tenant_id: int
    endpoint_id: str
    event_id: str  # the webhook-id, the same on every attempt
    event_type: EventType
    body: str  # exactly the bytes every attempt sends (and signs)
    status: DeliveryStatus
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime | None = None
    #: The scheduled attempt a queued message must name to be acted on (`sending:<token>` while it is sent).
    schedule_token: str | None = None
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    last_response_body: str | None = None
    delivered_at: datetime | None = None

    @property
    def is_test(self) -> bool:
        return self.event_type == TEST_EVENT_TYPE


class DeliveryView(BaseModel):
    """One row of `GET /webhooks/{id}/deliveries`."""

    id: str
    event_id: str = Field(description="The `webhook-id` header: the same on every attempt of this event")
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = Field(description="The HTTP status of the last attempt; null: no answer")
    next_attempt_at: datetime | None = Field(description="When the next attempt is due; null once final")
    created_at: datetime
    last_attempt_at: datetime | None
    last_error: str | None = Field(description="Why the last attempt failed (timeout, refused address, …)")
    last_response_body: str | None = Field(description="The start of the endpoint's last answer (≤ 1 KB)")
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> "DeliveryView":
        return cls(**delivery.model_dump(include=set(cls.model_fields)))


class DeliveryPage(BaseModel):
    deliveries: list[DeliveryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class DeliveryQueued(BaseModel):
    """`POST /webhooks/{id}/test` and `.../retry` 202: the delivery, queued for an attempt now."""

    delivery: DeliveryView
