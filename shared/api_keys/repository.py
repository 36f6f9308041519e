"""API keys in the single table (patterns 8–9).

The item is keyed by the sha256 of the secret, so authenticating a key is one strongly consistent
GetItem on the main table (a revoked key fails on the very next request). GSI1 lists a tenant's
keys and finds one by id.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError

from shared.api_keys.models import ApiKey
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import Gsi1, TableItem


class _ApiKeyItem(TableItem, discriminator="ApiKey"):
    by_tenant = Gsi1()
    key_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    scope = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by_user_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    last_used_at = UTCDateTimeAttribute(null=True)
    last_used_ip = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_reason = UnicodeAttribute(null=True)


def _key_from(item: _ApiKeyItem) -> ApiKey:
    return ApiKey(id=item.key_id, tenant_id=item.tenant_id, name=item.name, prefix=item.prefix,
                  scope=item.scope, created_at=item.created_at, created_by_user_id=item.created_by_user_id,
                  expires_at=item.expires_at, last_used_at=item.last_used_at, last_used_ip=item.last_used_ip,
                  revoked_at=item.revoked_at, revoked_reason=item.revoked_reason)


def key_from_raw(raw: dict) -> ApiKey:
    return _key_from(_ApiKeyItem.from_raw_data(raw))


def connection_model() -> type[TableItem]:
    """A model whose connection reads the table (for batched reads across item types)."""
    return _ApiKeyItem


def _is_condition_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def create(key: ApiKey, secret_hash: str) -> None:
    item = _ApiKeyItem(
        keys.api_key_pk(secret_hash), keys.APIKEY,
        GSI1PK=keys.tenant_pk(key.tenant_id), GSI1SK=keys.api_key_listing_sk(key.id),
        key_id=key.id, tenant_id=key.tenant_id, name=key.name, prefix=key.prefix, scope=key.scope,
        created_at=key.created_at, created_by_user_id=key.created_by_user_id, expires_at=key.expires_at,
    )
    try:
        item.save(condition=_ApiKeyItem.PK.does_not_exist())
    except PutError as error:
        if _is_condition_failure(error):
            raise Conflict("API key collision; try again", code="API_KEY_COLLISION") from error
        raise


def find_by_secret_hash(secret_hash: str) -> ApiKey | None:
    """The key for a presented secret; strongly consistent, so a revocation is seen at once."""
    try:
        return _key_from(_ApiKeyItem.get(keys.api_key_pk(secret_hash), keys.APIKEY, consistent_read=True))
    except DoesNotExist:
        return None


def record_use(secret_hash: str, used_at: datetime, source_ip: str | None) -> None:
    """Stamp last_used_at/ip, unless the key was revoked or deleted meanwhile."""
    item = _ApiKeyItem(keys.api_key_pk(secret_hash), keys.APIKEY)
    actions = [_ApiKeyItem.last_used_at.set(used_at)]
    actions.append(_ApiKeyItem.last_used_ip.set(source_ip) if source_ip else _ApiKeyItem.last_used_ip.remove())
    try:
        item.update(actions=actions, condition=_ApiKeyItem.PK.exists() & _ApiKeyItem.revoked_at.does_not_exist())
    except UpdateError as error:
        if not _is_condition_failure(error):
            raise


def list_for_tenant(tenant_id: int) -> list[ApiKey]:
    items = _ApiKeyItem.by_tenant.query(keys.tenant_pk(tenant_id),
                                        _ApiKeyItem.GSI1SK.startswith(keys.APIKEY_PREFIX),
                                        scan_index_forward=False)
    return [_key_from(item) for item in items]


def _find_item(tenant_id: int, key_id: str) -> _ApiKeyItem | None:
    sort_key = _ApiKeyItem.GSI1SK == keys.api_key_listing_sk(key_id)
    items = _ApiKeyItem.by_tenant.query(keys.tenant_pk(tenant_id), sort_key)
    return next(iter(items), None)


def find(tenant_id: int, key_id: str) -> ApiKey | None:
    item = _find_item(tenant_id, key_id)
    return _key_from(item) if item else None


def revoke(tenant_id: int, key_id: str, revoked_at: datetime, reason: str | None) -> ApiKey | None:
    """Revoke once; revoking again leaves the first revocation as it was. None if no such key."""
    item = _find_item(tenant_id, key_id)
    if item is None:
        return None
    if item.revoked_at is None:
        actions = [_ApiKeyItem.revoked_at.set(revoked_at)]
        if reason:
            actions.append(_ApiKeyItem.revoked_reason.set(reason))
        try:
            item.update(actions=actions, condition=_ApiKeyItem.revoked_at.does_not_exist()
                        & (_ApiKeyItem.tenant_id == tenant_id))
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise
            item.refresh(consistent_read=True)
    return _key_from(item)


def delete_inactive(tenant_id: int, key_id: str, now: datetime) -> bool | None:
    """Delete a revoked or expired key. None if no such key; False if it is still active."""
    item = _find_item(tenant_id, key_id)
    if item is None:
        return None
    inactive = _ApiKeyItem.revoked_at.exists() | (_ApiKeyItem.expires_at <= now)
    try:
        item.delete(condition=inactive & (_ApiKeyItem.tenant_id == tenant_id))
    except DeleteError as error:
        if _is_condition_failure(error):
            return False
        raise
    return True
