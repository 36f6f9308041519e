"""Tenants, users, email logins and verification tokens in the single table (patterns 1–6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from shared.accounts.models import EmailVerification, Tenant, User, UserCredentials
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, failed_condition_positions, transaction


class _Counter(TableItem, discriminator="Counter"):
    value = NumberAttribute(default=0)


class _TenantItem(TableItem, discriminator="Tenant"):
    tenant_id = NumberAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    plan_tier = UnicodeAttribute()
    country = UnicodeAttribute()
    currency = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class _UserItem(TableItem, discriminator="User"):
    user_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    email = UnicodeAttribute()
    full_name = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    email_verified_at = UTCDateTimeAttribute(null=True)
    auth_provider = UnicodeAttribute()
    password_hash = UnicodeAttribute(null=True)
    token_version = NumberAttribute(default=0)
    # Logged-out sessions: token id (jti) → the token's expiry (epoch seconds); pruned as they expire.
    revoked_tokens = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()


class _EmailLoginItem(TableItem, discriminator="EmailLogin"):
    tenant_id = NumberAttribute()
    user_id = UnicodeAttribute()


class _VerifyTokenItem(TableItem, discriminator="VerifyToken"):
    tenant_id = NumberAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)


def allocate_tenant_id() -> int:
    counter = _Counter(keys.TENANT_COUNTER_PK, keys.COUNTER)
    counter.update(actions=[_Counter.value.add(1), _Counter.type.set(_Counter)])
    return int(counter.value)


def _tenant_from(item: _TenantItem) -> Tenant:
    return Tenant(id=item.tenant_id, name=item.name, status=item.status, plan_tier=item.plan_tier,
                  country=item.country, currency=item.currency, created_at=item.created_at)


def _user_from(item: _UserItem) -> User:
    return User(id=item.user_id, tenant_id=item.tenant_id, email=item.email, full_name=item.full_name,
                role=item.role, status=item.status, email_verified=item.email_verified_at is not None,
                email_verified_at=item.email_verified_at, auth_provider=item.auth_provider,
                created_at=item.created_at)


def create_account(tenant: Tenant, owner: User, *, password_hash: str | None, verify_token_hash: str,
                   verify_expires_at: datetime, add_writes: Callable[[object], None]) -> None:
    """Write tenant, owner, email login and verification token atomically (plus `add_writes`).

    Raises Conflict(EMAIL_TAKEN) when the email already has an account; nothing is written then.
    """
    tenant_pk = keys.tenant_pk(tenant.id)
    try:
        with transaction() as tx:
            tx.save(_EmailLoginItem(keys.email_pk(owner.email), keys.EMAIL, tenant_id=tenant.id,
                                    user_id=owner.id), condition=_EmailLoginItem.PK.does_not_exist())
            tx.save(_TenantItem(tenant_pk, keys.PROFILE, tenant_id=tenant.id, name=tenant.name,
                                status=tenant.status, plan_tier=tenant.plan_tier, country=tenant.country,
                                currency=tenant.currency, created_at=tenant.created_at),
                    condition=_TenantItem.PK.does_not_exist())
            tx.save(_UserItem(tenant_pk, keys.user_sk(owner.id), user_id=owner.id, tenant_id=tenant.id,
                              email=owner.email, full_name=owner.full_name, role=owner.role,
                              status=owner.status, auth_provider=owner.auth_provider,
                              password_hash=password_hash, token_version=0, revoked_tokens={},
                              created_at=owner.created_at),
                    condition=_UserItem.PK.does_not_exist())
            tx.save(_VerifyTokenItem(keys.verify_token_pk(verify_token_hash), keys.VERIFY,
                                     tenant_id=tenant.id, user_id=owner.id, email=owner.email,
                                     expires_at=verify_expires_at,
                                     ttl=int(verify_expires_at.timestamp()) + 7 * 24 * 3600))
            add_writes(tx)
    except TransactWriteError as error:
        if 0 in failed_condition_positions(error):
            raise Conflict("An account with this email already exists", code="EMAIL_TAKEN",
                           field="email") from error
        raise


def get_tenant(tenant_id: int) -> Tenant | None:
    try:
        return _tenant_from(_TenantItem.get(keys.tenant_pk(tenant_id), keys.PROFILE))
    except DoesNotExist:
        return None


def get_credentials(tenant_id: int, user_id: str) -> UserCredentials | None:
    """The user with its secrets; strongly consistent so a revocation is seen at once."""
    try:
        item = _UserItem.get(keys.tenant_pk(tenant_id), keys.user_sk(user_id), consistent_read=True)
    except DoesNotExist:
        return None
    return _credentials_of(item)


def has_verified_user(tenant_id: int) -> bool:
    """Whether any user of the tenant has confirmed an email address (pattern 4, filtered)."""
    users = _UserItem.query(keys.tenant_pk(tenant_id), _UserItem.SK.startswith(keys.USER_PREFIX),
                            filter_condition=_UserItem.email_verified_at.exists(), consistent_read=True,
                            attributes_to_get=["PK", "SK"])
    return next(iter(users), None) is not None


def list_users(tenant_id: int) -> list[User]:
    """Every user of the tenant (pattern 4)."""
    items = _UserItem.query(keys.tenant_pk(tenant_id), _UserItem.SK.startswith(keys.USER_PREFIX),
                            consistent_read=True)
    return [_user_from(item) for item in items]


def credentials_from_raw(raw: dict) -> UserCredentials:
    return _credentials_of(_UserItem.from_raw_data(raw))


def _credentials_of(item: _UserItem) -> UserCredentials:
    return UserCredentials(user=_user_from(item), password_hash=item.password_hash,
                           token_version=item.token_version, revoked_token_ids=frozenset(_revocations_of(item)))


def find_login(email: str) -> tuple[int, str] | None:
    """(tenant id, user id) registered for an email address."""
    try:
        item = _EmailLoginItem.get(keys.email_pk(email), keys.EMAIL)
    except DoesNotExist:
        return None
    return item.tenant_id, item.user_id


def revoke_token(tenant_id: int, user_id: str, token_id: str, token_expires: int, now: int) -> None:
    """Deny one session token until it expires; forget revocations of tokens that have expired."""
    try:
        item = _UserItem.get(keys.tenant_pk(tenant_id), keys.user_sk(user_id), consistent_read=True)
    except DoesNotExist:
        return
    revoked = _revocations_of(item)
    actions = [_UserItem.revoked_tokens[token_id].set(token_expires)]
    actions += [_UserItem.revoked_tokens[jti].remove() for jti, expires in revoked.items()
                if expires <= now and jti != token_id]
    item.update(actions=actions, condition=_UserItem.PK.exists())


def _revocations_of(item: _UserItem) -> dict[str, int]:
    revoked = item.revoked_tokens
    raw = revoked.as_dict() if isinstance(revoked, MapAttribute) else (revoked or {})
    return {jti: int(expires) for jti, expires in raw.items()}


def revoke_user_tokens(tenant_id: int, user_id: str) -> None:
    """Bump the token version: every JWT issued before now stops working."""
    user = _UserItem(keys.tenant_pk(tenant_id), keys.user_sk(user_id))
    try:
        user.update(actions=[_UserItem.token_version.add(1)], condition=_UserItem.PK.exists())
    except UpdateError as error:
        if "ConditionalCheckFailed" not in str(error.cause_response_code):
            raise


def get_verification(token_hash: str) -> EmailVerification | None:
    try:
        item = _VerifyTokenItem.get(keys.verify_token_pk(token_hash), keys.VERIFY, consistent_read=True)
    except DoesNotExist:
        return None
    return EmailVerification(tenant_id=item.tenant_id, user_id=item.user_id, email=item.email,
                             expires_at=item.expires_at, verified_at=item.verified_at)


def mark_email_verified(token_hash: str, verification: EmailVerification, verified_at: datetime) -> None:
    """Stamp the token and the user together; a concurrent redemption of the same token is a no-op."""
    token = _VerifyTokenItem(keys.verify_token_pk(token_hash), keys.VERIFY)
    user = _UserItem(keys.tenant_pk(verification.tenant_id), keys.user_sk(verification.user_id))
    try:
        with transaction() as tx:
            tx.update(token, actions=[_VerifyTokenItem.verified_at.set(verified_at)],
                      condition=_VerifyTokenItem.verified_at.does_not_exist())
            tx.update(user, actions=[_UserItem.email_verified_at.set(verified_at)],
                      condition=_UserItem.PK.exists())
    except TransactWriteError as error:
        if not failed_condition_positions(error):
            raise
