"""The tenant's DNC list, and screening numbers against DNC + NCPR (India) + the 7-day cool-down.

Numbers arrive in any common spelling and are normalised to E.164 with the tenant's country as the
default region (the tenant is read only when a number has no country code). Every change to the
list — add, re-add, remove, import — writes an immutable audit row naming who made it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import unquote

from shared.auth.principal import Principal
from shared.compliance import cooldown_repository, ncpr_repository, repository
from shared.compliance.models import (
    DncAuditRecord,
    DncEntry,
    DncImportResult,
    DncImportRow,
    DncPage,
    DncSource,
    NumberCheck,
    Screening,
)
from shared.phones import PhoneNormaliser, is_indian, to_e164
from shared.platform import clock
from shared.platform.errors import BadRequest, NotFound
from shared.platform.events import publish_event
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event
from shared.timeline import service as timeline

PHONE_FIELD = "phone_e164"
MAX_IMPORT_ROWS = 100_000
_SAVE_ATTEMPTS = 3


def _has_country_code(raw: str) -> bool:
    text = raw.strip()
    return text.startswith("+") or text.startswith("00")


def _tenant_country(tenant_id: int) -> str | None:
    from shared.accounts import repository as accounts

    tenant = accounts.get_tenant(tenant_id)
    return tenant.country if tenant else None


def normalise(tenant_id: int, raw: str, field: str = PHONE_FIELD) -> str:
    """E.164 of a number as typed (URL-encoded "+" accepted); BadRequest on `field` when invalid."""
    text = unquote(raw).strip()
    region = None if _has_country_code(text) else _tenant_country(tenant_id)
    e164 = to_e164(text, region)
    if e164 is None:
        raise BadRequest(f"{field}: not a valid phone number", code="INVALID_PHONE_NUMBER", field=field)
    return e164


def actor_of(principal: Principal) -> str:
    return f"user:{principal.user_id}" if principal.is_user else f"api_key:{principal.api_key_id}"


def _audit(tenant_id: int, action: str, source: DncSource, e164: str, reason: str | None, actor: str,
           at: datetime) -> DncAuditRecord:
    return DncAuditRecord(id=new_id("dnca"), tenant_id=tenant_id, action=action, source=source,
                          phone_e164=e164, reason=reason, actor=actor, at=at)


def add_for_tenant(tenant_id: int, e164: str, reason: str | None, *, source: DncSource, actor: str) -> DncEntry:
    """Put a (normalised) number on the list, or refresh its reason and timestamp; audited.

    Also the entry point for "stop calling me" during a call (source="call").
    """
    for _ in range(_SAVE_ATTEMPTS):
        now = clock.now_seconds()
        current = repository.get_entry(tenant_id, e164)
        entry = DncEntry(id=current.id if current else new_id("dnc"), phone_e164=e164, reason=reason, added_at=now)
        audit = _audit(tenant_id, "refreshed" if current else "added", source, e164, reason, actor, now)
        if repository.save_entry(tenant_id, entry, audit, replaces_id=current.id if current else None):
            count_business_event("DncNumberAdded")
            timeline.record_dnc(tenant_id, [e164], audit.action, reason=reason, source=source, actor=actor, at=now)
            _announce_opt_out(tenant_id, entry, source, refreshed=current is not None)
            return entry
    raise BadRequest("The number changed while it was being added; try again", code="DNC_BUSY", field=PHONE_FIELD)


#: Where a DNC addition means "this contact asked not to be contacted": in a call, or entered by the tenant one by
#: one. A bulk import is the tenant's own list arriving, not news to its systems: no event per row.
OPT_OUT_SOURCES = ("call", "api")


def _announce_opt_out(tenant_id: int, entry: DncEntry, source: DncSource, *, refreshed: bool) -> None:
    if source in OPT_OUT_SOURCES:
        publish_event(tenant_id, "contact.opted_out", {"phone_e164": entry.phone_e164, "reason": entry.reason,
                                                       "source": source, "added_at": entry.added_at,
                                                       "already_listed": refreshed})


def add_number(principal: Principal, phone: str, reason: str | None) -> DncEntry:
    e164 = normalise(principal.tenant_id, phone)
    return add_for_tenant(principal.tenant_id, e164, reason or None, source="api", actor=actor_of(principal))


def remove_number(principal: Principal, phone: str) -> str:
    """Take a number off the list (audited); returns it in E.164. NotFound when it was not listed."""
    e164 = normalise(principal.tenant_id, phone)
    audit = _audit(principal.tenant_id, "removed", "api", e164, None, actor_of(principal), clock.now_seconds())
    if not repository.delete_entry(principal.tenant_id, e164, audit):
        raise NotFound("This number is not on your DNC list", code="DNC_ENTRY_NOT_FOUND", field=PHONE_FIELD)
    timeline.record_dnc(principal.tenant_id, [e164], "removed", source="api", actor=audit.actor, at=audit.at)
    return e164


def list_numbers(principal: Principal, *, limit: int, offset: int) -> DncPage:
    entries = repository.list_entries(principal.tenant_id, limit=limit, offset=offset)
    return DncPage(entries=entries, total=repository.count_entries(principal.tenant_id), limit=limit, offset=offset)


def check_number(principal: Principal, phone: str) -> NumberCheck:
    """DNC + NCPR + cool-down for one number, read-only."""
    e164 = normalise(principal.tenant_id, phone)
    tenant_id = principal.tenant_id
    on_dnc = bool(repository.listed_numbers(tenant_id, [e164]) or repository.erased_numbers(tenant_id, [e164]))
    on_ncpr = is_indian(e164) and bool(ncpr_repository.registered_numbers([e164]))
    in_cooldown = bool(cooldown_repository.numbers_in_cooldown(tenant_id, [e164], clock.now()))
    return NumberCheck(phone_e164=e164, on_dnc=on_dnc, on_ncpr=on_ncpr, in_cooldown=in_cooldown,
                       would_be_filtered=on_dnc or on_ncpr or in_cooldown)


def screen(tenant_id: int, e164s: Iterable[str], now: datetime | None = None) -> Screening:
    """Which of these numbers are blocked, checked DNC → NCPR (+91 only) → cool-down.

    Each check only asks about the numbers the previous ones let through (fewer keys, fewer
    requests), so a number is reported under its first reason only. Batched: 100 keys a request.
    """
    pending = list(dict.fromkeys(e164s))
    # A DSR-erased number stays blocked under its keyed hash, like a DNC entry.
    dnc = repository.listed_numbers(tenant_id, pending) | repository.erased_numbers(tenant_id, pending) if pending \
        else set()
    pending = [e164 for e164 in pending if e164 not in dnc]
    indian = [e164 for e164 in pending if is_indian(e164)]
    ncpr = ncpr_repository.registered_numbers(indian) if indian else set()
    pending = [e164 for e164 in pending if e164 not in ncpr]
    cooldown = cooldown_repository.numbers_in_cooldown(tenant_id, pending, now or clock.now()) if pending else set()
    return Screening(dnc=frozenset(dnc), ncpr=frozenset(ncpr), cooldown=frozenset(cooldown))


def is_erased(tenant_id: int, e164: str) -> bool:
    """Whether a DSR erase removed this number from the tenant (screening reports it as DNC; a callback says why)."""
    return e164 in repository.erased_numbers(tenant_id, [e164])


def record_call_attempt(tenant_id: int, e164: str, at: datetime) -> None:
    """The dialer stamps every attempt: it starts the number's 7-day cool-down for this tenant."""
    cooldown_repository.record_call_attempt(tenant_id, e164, at)


def import_rows(principal: Principal, rows: list[DncImportRow]) -> DncImportResult:
    """Bulk add: new numbers are added (audited), listed ones skipped (not refreshed), junk counted.

    A number repeated within the import counts once as added, then as skipped_existing.
    """
    if len(rows) > MAX_IMPORT_ROWS:
        raise BadRequest(f"At most {MAX_IMPORT_ROWS} rows per import", code="TOO_MANY_ROWS", field="rows")
    tenant_id = principal.tenant_id
    normaliser = PhoneNormaliser(_tenant_country(tenant_id))
    wanted: dict[str, str | None] = {}
    invalid = repeated = 0
    for row in rows:
        e164 = normaliser(row.phone)
        if e164 is None:
            invalid += 1
        elif e164 in wanted:
            repeated += 1
        else:
            wanted[e164] = (row.reason or "").strip()[:200] or None
    existing = repository.listed_numbers(tenant_id, wanted) if wanted else set()
    now, actor = clock.now_seconds(), actor_of(principal)
    new = [(e164, reason) for e164, reason in wanted.items() if e164 not in existing]
    entries = [DncEntry(id=new_id("dnc"), phone_e164=e164, reason=reason, added_at=now) for e164, reason in new]
    audits = [_audit(tenant_id, "added", "import", e164, reason, actor, now) for e164, reason in new]
    if entries:
        repository.add_entries(tenant_id, entries, audits)
        timeline.record_dnc(tenant_id, [e.phone_e164 for e in entries], "added", source="import", actor=actor, at=now)
        count_business_event("DncNumberAdded", len(entries))
    return DncImportResult(added=len(entries), skipped_existing=len(existing) + repeated, skipped_invalid=invalid)


def import_csv(principal: Principal, data: bytes) -> DncImportResult:
    """A CSV with a phone column (phone_e164, phone, mobile, …) and an optional `reason` column."""
    from shared.audience.uploads import parse_csv

    rows = [DncImportRow(phone=row.phone, reason=_reason_of(row.variables)) for row in parse_csv(data)]
    return import_rows(principal, rows)


def _reason_of(variables: dict[str, str]) -> str | None:
    return next((value for name, value in variables.items() if name.strip().lower() == "reason"), None)


def import_numbers(principal: Principal, *, csv_data: bytes | None, rows: list[DncImportRow] | None) -> DncImportResult:
    """`POST /dnc/import`: a CSV file (multipart field `file`) or JSON rows, one of the two."""
    if csv_data is not None:
        return import_csv(principal, csv_data)
    if rows is not None:
        return import_rows(principal, rows)
    raise BadRequest("Send a CSV file (multipart field 'file') or JSON {\"rows\": [...]}", code="VALIDATION_ERROR",
                     field="rows")
