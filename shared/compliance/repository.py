"""A tenant's DNC list and its audit trail in the single table (patterns DNC1–DNC6).

Entries live in one partition per tenant (`TENANT#{tid}#DNC`, sorted by number), audit rows in
another (`TENANT#{tid}#DNCAUDIT`, sorted by time). Both carry GSI1 keys naming the contact, so a DSR
export or erase finds every row about one number without a scan. A single change writes the entry and
its audit row in one transaction; a bulk import writes the audit rows first, so no entry ever exists
without the audit row that explains it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from shared.compliance.models import DncAuditRecord, DncEntry
from shared.compliance.repository_batch import BATCH_GET_LIMIT, key_of, requests_for, small_partition
from shared.platform.pseudonyms import contact_hash
from shared.platform.storage import keys
from shared.platform.storage.table import Gsi1, TableItem, batch_get, transaction

_CONTACT_DNC_SK = "DNC"


class _DncEntryItem(TableItem, discriminator="DncEntry"):
    by_contact = Gsi1()
    entry_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    phone_e164 = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    added_at = UTCDateTimeAttribute()


class _DncAuditItem(TableItem, discriminator="DncAudit"):
    by_contact = Gsi1()
    audit_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    action = UnicodeAttribute()
    source = UnicodeAttribute()
    phone_e164 = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    actor = UnicodeAttribute()
    at = UTCDateTimeAttribute()


def _entry_item(tenant_id: int, entry: DncEntry) -> _DncEntryItem:
    return _DncEntryItem(keys.dnc_pk(tenant_id), keys.dnc_sk(entry.phone_e164),
                         GSI1PK=keys.contact_pk(tenant_id, entry.phone_e164), GSI1SK=_CONTACT_DNC_SK,
                         entry_id=entry.id, tenant_id=tenant_id, phone_e164=entry.phone_e164,
                         reason=entry.reason, added_at=entry.added_at)


def _audit_item(audit: DncAuditRecord) -> _DncAuditItem:
    return _DncAuditItem(keys.dnc_audit_pk(audit.tenant_id), keys.dnc_audit_sk(audit.at, audit.id),
                         GSI1PK=keys.contact_pk(audit.tenant_id, audit.phone_e164),
                         GSI1SK=keys.dnc_audit_sk(audit.at, audit.id), audit_id=audit.id,
                         tenant_id=audit.tenant_id, action=audit.action, source=audit.source,
                         phone_e164=audit.phone_e164, reason=audit.reason, actor=audit.actor, at=audit.at)


def _entry_from(item: _DncEntryItem) -> DncEntry:
    return DncEntry(id=item.entry_id, phone_e164=item.phone_e164, reason=item.reason, added_at=item.added_at)


def _audit_from(item: _DncAuditItem) -> DncAuditRecord:
    return DncAuditRecord(id=item.audit_id, tenant_id=item.tenant_id, action=item.action, source=item.source,
                          phone_e164=item.phone_e164, reason=item.reason, actor=item.actor, at=item.at)


def get_entry(tenant_id: int, e164: str) -> DncEntry | None:
    try:
        return _entry_from(_DncEntryItem.get(keys.dnc_pk(tenant_id), keys.dnc_sk(e164), consistent_read=True))
    except DoesNotExist:
        return None


def save_entry(tenant_id: int, entry: DncEntry, audit: DncAuditRecord, *, replaces_id: str | None) -> bool:
    """Create (`replaces_id=None`) or refresh an entry, with its audit row, atomically.

    False when the entry changed meanwhile (created, removed or re-created by someone else): re-read.
    """
    item = _entry_item(tenant_id, entry)
    expected = (_DncEntryItem.PK.does_not_exist() if replaces_id is None
                else _DncEntryItem.entry_id == replaces_id)
    try:
        with transaction() as tx:
            tx.save(item, condition=expected)
            tx.save(_audit_item(audit), condition=_DncAuditItem.PK.does_not_exist())
    except TransactWriteError as error:
        if getattr(error, "cause_response_code", None) == "TransactionCanceledException":
            return False
        raise
    return True


def delete_entry(tenant_id: int, e164: str, audit: DncAuditRecord) -> bool:
    """Remove an entry with its audit row, atomically. False when the number was not on the list."""
    item = _DncEntryItem(keys.dnc_pk(tenant_id), keys.dnc_sk(e164))
    try:
        with transaction() as tx:
            tx.delete(item, condition=_DncEntryItem.PK.exists())
            tx.save(_audit_item(audit), condition=_DncAuditItem.PK.does_not_exist())
    except TransactWriteError as error:
        if getattr(error, "cause_response_code", None) == "TransactionCanceledException":
            return False
        raise
    return True


def add_entries(tenant_id: int, entries: list[DncEntry], audits: list[DncAuditRecord]) -> None:
    """Bulk add (BatchWriteItem, 25 a request): audit rows first, then the entries."""
    with _DncAuditItem.batch_write() as batch:
        for audit in audits:
            batch.save(_audit_item(audit))
    with _DncEntryItem.batch_write() as batch:
        for entry in entries:
            batch.save(_entry_item(tenant_id, entry))


def listed_numbers(tenant_id: int, e164s: Iterable[str]) -> set[str]:
    """Which of these numbers are on the tenant's DNC list.

    Reads the whole list (Query) when that takes fewer requests than BatchGetItem of the numbers
    (100 a request), which is the usual case for an upload; else batch-gets them.
    """
    pk, wanted = keys.dnc_pk(tenant_id), list(dict.fromkeys(e164s))
    if len(wanted) > BATCH_GET_LIMIT:
        listed = small_partition(_DncEntryItem, pk, keys.DNC_PREFIX, ["SK"], requests_for(len(wanted)) // 2)
        if listed is not None:
            on_list = {raw["SK"]["S"].removeprefix(keys.DNC_PREFIX) for raw in listed}
            return {e164 for e164 in wanted if e164 in on_list}
    found = batch_get(_DncEntryItem, ((pk, keys.dnc_sk(e164)) for e164 in wanted), attributes=["PK", "SK"])
    return {key_of(raw)[1].removeprefix(keys.DNC_PREFIX) for raw in found}


def list_entries(tenant_id: int, *, limit: int, offset: int) -> list[DncEntry]:
    """Entries in number order. Offset pagination reads past `offset` items (the contract's paging)."""
    query = _DncEntryItem.query(keys.dnc_pk(tenant_id), _DncEntryItem.SK.startswith(keys.DNC_PREFIX),
                                limit=offset + limit, page_size=min(offset + limit, 1000))
    return [_entry_from(item) for index, item in enumerate(query) if index >= offset]


def count_entries(tenant_id: int) -> int:
    return _DncEntryItem.count(keys.dnc_pk(tenant_id), _DncEntryItem.SK.startswith(keys.DNC_PREFIX))


def audit_trail(tenant_id: int) -> list[DncAuditRecord]:
    """Every DNC change of a tenant, oldest first (audits, DSR export)."""
    query = _DncAuditItem.query(keys.dnc_audit_pk(tenant_id), _DncAuditItem.SK.startswith(keys.DNC_AUDIT_PREFIX))
    return [_audit_from(item) for item in query]


# --- DSR (data-subject requests): a contact's DNC rows, pseudonymised audit rows, erased numbers kept blocked -----
# An erased number's entry leaves the DNC partition (its key spells the number) for an `ErasedDncEntry` keyed
# by a keyed hash of the number (shared/platform/pseudonyms.py), so the number stays blocked without being stored.



class _ErasedDncItem(TableItem, discriminator="ErasedDncEntry"):
    entry_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    added_at = UTCDateTimeAttribute(null=True)
    erased_at = UTCDateTimeAttribute()


def contact_audit_rows(tenant_id: int, contact_key: str) -> list[DncAuditRecord]:
    """The DNC audit rows naming a contact (GSI1, pattern DNC6); `contact_key` is an E.164 or its pseudonym."""
    query = _DncAuditItem.by_contact.query(keys.contact_pk(tenant_id, contact_key),
                                           _DncAuditItem.GSI1SK.startswith(keys.DNC_AUDIT_PREFIX))
    return [_audit_from(item) for item in query]


def pseudonymise_audit_rows(tenant_id: int, e164: str, pseudonym: str, keep_reason: Callable[[str], bool]) -> int:
    """Replace the number in every audit row naming it (and its GSI1 contact key) with `pseudonym`.

    A reason for which `keep_reason` is False (it quotes the contact) is removed. Returns the rows changed.
    """
    changed = 0
    query = _DncAuditItem.by_contact.query(keys.contact_pk(tenant_id, e164),
                                           _DncAuditItem.GSI1SK.startswith(keys.DNC_AUDIT_PREFIX))
    for item in query:
        actions = [_DncAuditItem.phone_e164.set(pseudonym),
                   _DncAuditItem.GSI1PK.set(keys.contact_pk(tenant_id, pseudonym))]
        if item.reason and not keep_reason(item.reason):
            actions.append(_DncAuditItem.reason.remove())
        item.update(actions=actions)
        changed += 1
    return changed


def keep_blocked_under_hash(tenant_id: int, digest: str, *, entry: DncEntry | None, erased_at: datetime) -> None:
    """Block the number by its hash from now on (idempotent), then drop its plaintext entry, if any.

    The hashed item is written first, so there is no moment at which the number is unprotected.
    """
    try:
        existing = _ErasedDncItem.get(keys.dnc_erased_pk(tenant_id), keys.dnc_erased_sk(digest), consistent_read=True)
    except DoesNotExist:
        existing = None
    if existing is None:
        _ErasedDncItem(keys.dnc_erased_pk(tenant_id), keys.dnc_erased_sk(digest), entry_id=entry.id if entry else "",
                       tenant_id=tenant_id, added_at=entry.added_at if entry else None, erased_at=erased_at).save()
    if entry is not None:
        _DncEntryItem(keys.dnc_pk(tenant_id), keys.dnc_sk(entry.phone_e164)).delete()


def erased_numbers(tenant_id: int, e164s: Iterable[str]) -> set[str]:
    """Which of these numbers a DSR erase removed from the tenant (they stay blocked, like DNC entries).

    For screening next to `listed_numbers`: one Query when the (usually empty) partition is small, else
    BatchGetItem of the numbers' hashes, 100 a request.
    """
    wanted = list(dict.fromkeys(e164s))
    if not wanted:
        return set()
    pk = keys.dnc_erased_pk(tenant_id)
    found = small_partition(_ErasedDncItem, pk, keys.DNC_ERASED_PREFIX, ["SK"],
                            max(1, requests_for(len(wanted)) // 2))
    if found == []:
        return set()  # the usual case: nothing erased, so no number needs hashing (~4 µs each)
    by_digest = {contact_hash("phone", e164): e164 for e164 in wanted}
    if found is None:
        found = batch_get(_ErasedDncItem, ((pk, keys.dnc_erased_sk(digest)) for digest in by_digest),
                          attributes=["PK", "SK"])
    return {by_digest[sk] for raw in found if (sk := raw["SK"]["S"].removeprefix(keys.DNC_ERASED_PREFIX)) in by_digest}
