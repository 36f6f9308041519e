"""A tenant's onboarding in the single table (patterns OB1–OB5).

Two item types on the tenant's partition, both sorting under `ONBOARDING` so the whole state is one
Query: the mode/completion item (`SK=ONBOARDING`, versioned) and one sealed credential per provider
(`SK=ONBOARDING#CREDENTIAL#{provider}`). Completion is written in the same transaction that checks the
credentials it relies on, and cleared in the same transaction that deletes one.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import TransactWriteError

from shared.onboarding.models import Mode, OnboardingState, StoredCredential
from shared.platform.crypto import Envelope
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, batch_get, item_type, transaction


class _OnboardingRecord(TableItem):
    """Common parent of this domain's items, so one Query returns both types."""


class _OnboardingItem(_OnboardingRecord, discriminator="Onboarding"):
    mode = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class _CredentialItem(_OnboardingRecord, discriminator="ProviderCredential"):
    tenant_id = NumberAttribute()
    provider = UnicodeAttribute()
    primary_id = UnicodeAttribute(null=True)
    extra = MapAttribute(default=dict)
    secret_last4 = UnicodeAttribute()
    saved_at = UTCDateTimeAttribute()
    validated = BooleanAttribute(null=True)
    validated_at = UTCDateTimeAttribute(null=True)
    validation_error = UnicodeAttribute(null=True)
    # The sealed secret (shared.platform.crypto.Envelope).
    ciphertext = BinaryAttribute(legacy_encoding=False)
    nonce = BinaryAttribute(legacy_encoding=False)
    wrapped_key = BinaryAttribute(legacy_encoding=False)
    key_id = UnicodeAttribute()
    algorithm = UnicodeAttribute()


def _credential_from(item: _CredentialItem) -> StoredCredential:
    return StoredCredential(tenant_id=item.tenant_id, provider=item.provider, primary_id=item.primary_id,
                            extra={str(k): str(v) for k, v in (item.extra.as_dict() if item.extra else {}).items()},
                            secret_last4=item.secret_last4, saved_at=item.saved_at, validated=item.validated,
                            validated_at=item.validated_at, validation_error=item.validation_error)


def load(tenant_id: int) -> OnboardingState:
    """Mode, completion and every saved credential of a tenant: one strongly consistent Query."""
    state = OnboardingState(tenant_id=tenant_id)
    items = _OnboardingRecord.query(keys.tenant_pk(tenant_id), _OnboardingRecord.SK.startswith(keys.ONBOARDING),
                                    consistent_read=True)
    for item in items:
        if isinstance(item, _OnboardingItem):
            state.mode, state.completed_at, state.version = item.mode, item.completed_at, item.version
        elif isinstance(item, _CredentialItem):
            state.credentials[item.provider] = _credential_from(item)
    return state


def _envelope_of(item: _CredentialItem) -> Envelope:
    return Envelope(ciphertext=item.ciphertext, nonce=item.nonce, wrapped_key=item.wrapped_key,
                    key_id=item.key_id, algorithm=item.algorithm)


def _onboarding_item(state: OnboardingState, mode: Mode, completed_at: datetime | None) -> _OnboardingItem:
    item = _OnboardingItem(keys.tenant_pk(state.tenant_id), keys.ONBOARDING, mode=mode, completed_at=completed_at)
    if state.version is not None:
        item.version = state.version  # save() then conditions on the version we read (optimistic lock)
    return item


def _credential_item(credential: StoredCredential, envelope: Envelope) -> _CredentialItem:
    return _CredentialItem(
        keys.tenant_pk(credential.tenant_id), keys.credential_sk(credential.provider),
        tenant_id=credential.tenant_id, provider=credential.provider, primary_id=credential.primary_id,
        extra=dict(credential.extra), secret_last4=credential.secret_last4, saved_at=credential.saved_at,
        validated=credential.validated, validated_at=credential.validated_at,
        validation_error=credential.validation_error, ciphertext=envelope.ciphertext, nonce=envelope.nonce,
        wrapped_key=envelope.wrapped_key, key_id=envelope.key_id, algorithm=envelope.algorithm,
    )


def _changed_meanwhile() -> Conflict:
    return Conflict("Onboarding changed while this request ran; try again", code="ONBOARDING_CHANGED")


def _run(writes) -> None:
    try:
        with transaction() as tx:
            writes(tx)
    except TransactWriteError as error:
        if getattr(error, "cause_response_code", None) == "TransactionCanceledException":
            raise _changed_meanwhile() from error
        raise


def save_mode(state: OnboardingState, mode: Mode, completed_at: datetime | None) -> None:
    _run(lambda tx: tx.save(_onboarding_item(state, mode, completed_at)))


def save_credential(credential: StoredCredential, envelope: Envelope, *, clear_completion_of: OnboardingState | None
                    ) -> None:
    """Replace the tenant's credential for the provider; clear completion in the same transaction if asked."""
    def writes(tx) -> None:
        tx.save(_credential_item(credential, envelope))
        if clear_completion_of is not None:
            tx.save(_onboarding_item(clear_completion_of, clear_completion_of.mode, None))

    _run(writes)


def delete_credential(state: OnboardingState, provider: str) -> None:
    """Delete the credential and clear completion atomically (the credential must still exist)."""
    def writes(tx) -> None:
        tx.delete(_CredentialItem(keys.tenant_pk(state.tenant_id), keys.credential_sk(provider)),
                  condition=_CredentialItem.PK.exists())
        if state.version is not None:
            tx.save(_onboarding_item(state, state.mode, None))

    _run(writes)


def mark_complete(state: OnboardingState, completed_at: datetime, relies_on: list[str]) -> None:
    """Record completion, provided the validated credentials it relies on are still there and validated."""
    def writes(tx) -> None:
        for provider in relies_on:
            tx.condition_check(_CredentialItem, keys.tenant_pk(state.tenant_id), keys.credential_sk(provider),
                               condition=_CredentialItem.validated == True)  # noqa: E712 - a DynamoDB condition
        tx.save(_onboarding_item(state, state.mode, completed_at))

    _run(writes)


def mode_and_sealed_secret(tenant_id: int, provider: str) -> tuple[Mode, tuple[StoredCredential, Envelope] | None]:
    """The tenant's mode and its credential for one provider (with the sealed secret): one BatchGetItem."""
    wanted = [(keys.tenant_pk(tenant_id), keys.ONBOARDING), (keys.tenant_pk(tenant_id), keys.credential_sk(provider))]
    mode: Mode = "bundled"
    sealed = None
    for raw in batch_get(_OnboardingItem, wanted, consistent=True):
        if item_type(raw) == "Onboarding":
            mode = _OnboardingItem.from_raw_data(raw).mode
        elif item_type(raw) == "ProviderCredential":
            item = _CredentialItem.from_raw_data(raw)
            sealed = (_credential_from(item), _envelope_of(item))
    return mode, sealed
