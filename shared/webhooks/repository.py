"""Webhook endpoints in the single table (patterns WH1–WH3; their deliveries: delivery_repository.py).

An endpoint lives on its tenant's webhooks partition (a handful each: the fan-out reads them all with one Query);
its signing secret is stored sealed.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from shared.platform.crypto import Envelope
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, condition_failed
from shared.webhooks.models import Endpoint


class _EndpointItem(TableItem, discriminator="WebhookEndpoint"):
    endpoint_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    url = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    events = ListAttribute(of=UnicodeAttribute)
    enabled = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    failing_since = UTCDateTimeAttribute(null=True)
    disabled_reason = UnicodeAttribute(null=True)
    # The sealed signing secret (shared.platform.crypto.Envelope).
    ciphertext = BinaryAttribute(legacy_encoding=False)
    nonce = BinaryAttribute(legacy_encoding=False)
    wrapped_key = BinaryAttribute(legacy_encoding=False)
    key_id = UnicodeAttribute()
    algorithm = UnicodeAttribute()


def _endpoint_from(item: _EndpointItem) -> Endpoint:
    return Endpoint(id=item.endpoint_id, tenant_id=item.tenant_id, url=item.url, description=item.description,
                    events=list(item.events or []), enabled=bool(item.enabled), created_at=item.created_at,
                    updated_at=item.updated_at, failing_since=item.failing_since,
                    disabled_reason=item.disabled_reason)


# --- Endpoints (WH1–WH3) --------------------------------------------------------------------------------------------

def create_endpoint(endpoint: Endpoint, secret: Envelope) -> None:
    _EndpointItem(keys.webhook_endpoints_pk(endpoint.tenant_id), keys.webhook_endpoint_sk(endpoint.id),
                  endpoint_id=endpoint.id, tenant_id=endpoint.tenant_id, url=endpoint.url,
                  description=endpoint.description, events=list(endpoint.events), enabled=endpoint.enabled,
                  created_at=endpoint.created_at, updated_at=endpoint.updated_at, ciphertext=secret.ciphertext,
                  nonce=secret.nonce, wrapped_key=secret.wrapped_key, key_id=secret.key_id,
                  algorithm=secret.algorithm).save(condition=_EndpointItem.PK.does_not_exist())


def list_endpoints(tenant_id: int) -> list[Endpoint]:
    """Every endpoint of the tenant, oldest first (a few dozen at most: MAX_WEBHOOK_ENDPOINTS)."""
    items = _EndpointItem.query(keys.webhook_endpoints_pk(tenant_id),
                                _EndpointItem.SK.startswith(keys.WEBHOOK_ENDPOINT_PREFIX), consistent_read=True)
    return [_endpoint_from(item) for item in items]


def _endpoint_item(tenant_id: int, endpoint_id: str) -> _EndpointItem | None:
    try:
        return _EndpointItem.get(keys.webhook_endpoints_pk(tenant_id), keys.webhook_endpoint_sk(endpoint_id),
                                 consistent_read=True)
    except DoesNotExist:
        return None


def get_endpoint(tenant_id: int, endpoint_id: str) -> Endpoint | None:
    item = _endpoint_item(tenant_id, endpoint_id)
    return _endpoint_from(item) if item else None


def get_endpoint_and_secret(tenant_id: int, endpoint_id: str) -> tuple[Endpoint, Envelope] | None:
    item = _endpoint_item(tenant_id, endpoint_id)
    if item is None:
        return None
    return _endpoint_from(item), Envelope(ciphertext=item.ciphertext, nonce=item.nonce, wrapped_key=item.wrapped_key,
                                          key_id=item.key_id, algorithm=item.algorithm)


def update_endpoint(tenant_id: int, endpoint_id: str, *, updated_at: datetime, url: str | None = None,
                    events: list[str] | None = None, enabled: bool | None = None,
                    description: str | None = None) -> Endpoint | None:
    """Change what was given; enabling it or giving it a new URL clears the failure record (it was about the old
    state). None when there is no such endpoint."""
    item = _EndpointItem(keys.webhook_endpoints_pk(tenant_id), keys.webhook_endpoint_sk(endpoint_id))
    actions = [_EndpointItem.updated_at.set(updated_at)]
    if url is not None:
        actions += [_EndpointItem.url.set(url), _EndpointItem.failing_since.remove()]
    if events is not None:
        actions.append(_EndpointItem.events.set(events))
    if description is not None:
        actions.append(_EndpointItem.description.set(description) if description else
                       _EndpointItem.description.remove())
    if enabled is not None:
        actions.append(_EndpointItem.enabled.set(enabled))
        if enabled:
            actions.append(_EndpointItem.disabled_reason.remove())
            if url is None:
                actions.append(_EndpointItem.failing_since.remove())
    try:
        item.update(actions=actions, condition=_EndpointItem.PK.exists() & (_EndpointItem.tenant_id == tenant_id))
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return _endpoint_from(item)


def delete_endpoint(tenant_id: int, endpoint_id: str) -> bool:
    item = _EndpointItem(keys.webhook_endpoints_pk(tenant_id), keys.webhook_endpoint_sk(endpoint_id))
    try:
        item.delete(condition=_EndpointItem.PK.exists())
    except DeleteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def mark_failing(tenant_id: int, endpoint_id: str, since: datetime) -> None:
    """Start the failure record (the first failed attempt since the last success); kept if already started."""
    _update_quietly(tenant_id, endpoint_id, [_EndpointItem.failing_since.set(since)],
                    _EndpointItem.PK.exists() & _EndpointItem.failing_since.does_not_exist())


def mark_healthy(tenant_id: int, endpoint_id: str) -> None:
    _update_quietly(tenant_id, endpoint_id, [_EndpointItem.failing_since.remove()],
                    _EndpointItem.PK.exists() & _EndpointItem.failing_since.exists())


def disable_failing(tenant_id: int, endpoint_id: str, *, failing_before: datetime, reason: str,
                    at: datetime) -> bool:
    """Disable an enabled endpoint failing since `failing_before` or earlier; True only for the write that did it
    (so exactly one caller emails the admins)."""
    condition = ((_EndpointItem.enabled == True) & (_EndpointItem.failing_since <= failing_before)  # noqa: E712
                 & _EndpointItem.PK.exists())
    return _update_quietly(tenant_id, endpoint_id, [_EndpointItem.enabled.set(False), _EndpointItem.updated_at.set(at),
                                                    _EndpointItem.disabled_reason.set(reason)], condition)


def _update_quietly(tenant_id: int, endpoint_id: str, actions: list, condition) -> bool:
    item = _EndpointItem(keys.webhook_endpoints_pk(tenant_id), keys.webhook_endpoint_sk(endpoint_id))
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True
