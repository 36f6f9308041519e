"""The customer timeline: record what happened to a contact; read one contact's history, newest first.

Writers (DNC changes, the dialer, messaging) call `record`/`record_many` in the same request as the
change they describe — the timeline is audit-like, so a lost event is a bug, not a tolerated failure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

from shared.auth.principal import Principal
from shared.platform import clock
from shared.platform.errors import BadRequest
from shared.platform.ids import new_id
from shared.timeline import repository
from shared.timeline.models import TimelineContact, TimelineEvent, TimelineEventView, TimelinePage

DEFAULT_N = 50
MAX_N = 500


def record(tenant_id: int, event: TimelineEvent) -> TimelineEvent:
    repository.save(tenant_id, _owned(tenant_id, event))
    return event


def record_many(tenant_id: int, events: list[TimelineEvent]) -> None:
    if events:
        repository.save_many(tenant_id, [_owned(tenant_id, event) for event in events])


def _owned(tenant_id: int, event: TimelineEvent) -> TimelineEvent:
    # The partition comes from the caller's tenant; an event claiming another tenant is a programming error.
    if event.tenant_id != tenant_id:
        raise ValueError("timeline event belongs to another tenant")
    if not event.contact.identifiers():
        raise ValueError("timeline event names no contact")
    return event


def dnc_event(tenant_id: int, e164: str, action: str, *, reason: str | None = None, source: str = "api",
              actor: str | None = None, at: datetime | None = None) -> TimelineEvent:
    """A `dnc` event for a number put on (added/refreshed/imported) or taken off (removed) the list."""
    verb = "removed from" if action == "removed" else "added to"
    payload: dict[str, Any] = {"action": action, "source": source, "reason": reason, "actor": actor}
    return TimelineEvent(id=new_id("tle"), tenant_id=tenant_id, at=at or clock.now(), kind="dnc",
                         summary=f"Number {verb} the DNC list", payload=payload,
                         contact=TimelineContact(phone=e164))


def record_dnc(tenant_id: int, e164s: list[str], action: str, *, reason: str | None = None, source: str = "api",
               actor: str | None = None, at: datetime | None = None) -> None:
    """One `dnc` event per number (batched): the single call DNC changes make."""
    events = [dnc_event(tenant_id, e164, action, reason=reason, source=source, actor=actor, at=at)
              for e164 in e164s]
    if len(events) == 1:
        record(tenant_id, events[0])
    else:
        record_many(tenant_id, events)


def timeline(principal: Principal, phone: str | None = None, email: str | None = None,
             user_id: str | None = None, n: int = DEFAULT_N, before: datetime | None = None) -> TimelinePage:
    """One contact's events, newest first (one Query). The contact is the first identifier given."""
    if not 1 <= n <= MAX_N:
        raise BadRequest(f"n: must be between 1 and {MAX_N}", code="VALIDATION_ERROR", field="n")
    kind, value = _identifier(principal.tenant_id, phone, email, user_id)
    events = repository.newest(principal.tenant_id, kind, value, limit=n, before=before)
    views = [TimelineEventView(at=event.at, kind=event.kind, direction=event.direction,
                               workflow_id=event.workflow_id, run_id=event.run_id, summary=event.summary,
                               payload=event.payload) for event in events]
    return TimelinePage(count=len(views), events=views)


def _identifier(tenant_id: int, phone: str | None, email: str | None, user_id: str | None) -> tuple[str, str]:
    if phone is not None and phone.strip():
        return "phone", _e164(tenant_id, phone)
    if email is not None and email.strip():
        return "email", email.strip().lower()
    if user_id is not None and user_id.strip():
        return "user", user_id.strip()
    raise BadRequest("Identify the contact with ?phone=, ?email= or ?user_id=", code="IDENTIFIER_REQUIRED",
                     field="phone")


def _e164(tenant_id: int, raw: str) -> str:
    """The number in E.164; the tenant's country is the default region (read only when it is needed)."""
    from shared.accounts import repository as accounts
    from shared.phones import to_e164

    text = unquote(raw).strip()
    tenant = None if text.startswith(("+", "00")) else accounts.get_tenant(tenant_id)
    e164 = to_e164(text, tenant.country if tenant else None)
    if e164 is None:
        raise BadRequest("phone: not a valid phone number", code="INVALID_PHONE_NUMBER", field="phone")
    return e164
