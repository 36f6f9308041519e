"""Find everything stored about one contact of one tenant, by phone (E.164) and/or email.

No Scan: every read is a Query or GetItem on keys the contact determines — the tenant's workflows and
their audience pages, each run's target item and the calls its attempts made (call ids are derived from
run, number and attempt), the timeline partitions of the contact, its DNC entry and the DNC audit rows
on its GSI1 contact partition, the approvals about the number, its cool-down stamp, and the recordings
under each call's prefix. Rows pseudonymised by an earlier erase are found through the pseudonym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from shared.approvals.models import Approval
from shared.audience.models import Target
from shared.callbacks import service as callbacks
from shared.callbacks.models import CallbackView
from shared.calls.models import Call, recordings_prefix
from shared.compliance.models import DncAuditRecord, DncEntry
from shared.dialer.models import Run, TargetProgress
from shared.dsr import repository
from shared.dsr.models import Contact, DsrRequest
from shared.dsr.pseudonyms import mentions
from shared.dsr.pseudonyms import phone_pseudonym as pseudonym_of
from shared.platform.errors import BadRequest
from shared.timeline.models import TimelineEvent
from shared.webhooks.models import Delivery
from shared.workflows.models import Workflow

MAX_RUNS_PER_WORKFLOW = 10_000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # one @, a dotted domain, no spaces


@dataclass
class Footprint:
    contact: Contact
    workflows: dict[str, Workflow] = field(default_factory=dict)
    audience: list[tuple[str, Target]] = field(default_factory=list)  # (workflow id, target)
    runs: list[Run] = field(default_factory=list)
    progress: list[tuple[Run, TargetProgress]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    callbacks: list[CallbackView] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    dnc_entry: DncEntry | None = None
    dnc_audit: list[DncAuditRecord] = field(default_factory=list)
    cooldown_epoch: int | None = None
    recordings: dict[str, list[str]] = field(default_factory=dict)  # call id → object keys
    #: Signed-webhook deliveries (kept 30 days) whose body or the receiver's answer names the contact.
    webhook_deliveries: list[Delivery] = field(default_factory=list)


def contact_of(tenant_id: int, request: DsrRequest) -> Contact:
    """The request's one identifier, normalised. 400 with the field at fault: IDENTIFIER_REQUIRED (none),
    AMBIGUOUS_IDENTIFIER (more than one), INVALID_PHONE_NUMBER / INVALID_EMAIL / INVALID_CONTACT_IDENTIFIER."""
    given = {name: value.strip() for name, value in request.model_dump().items() if value and value.strip()}
    if not given:
        raise BadRequest("Identify the contact with contact_identifier (a phone number or an email address)",
                         code="IDENTIFIER_REQUIRED", field="contact_identifier")
    if len(given) > 1:
        raise BadRequest(f"Identify the contact with exactly one of contact_identifier, phone or email "
                         f"(got {', '.join(given)})", code="AMBIGUOUS_IDENTIFIER", field="contact_identifier")
    [(field_name, value)] = given.items()
    is_email = field_name == "email" or (field_name == "contact_identifier" and "@" in value)
    if is_email:
        if not _EMAIL.fullmatch(value):
            raise BadRequest(f"{field_name}: not a valid email address", code="INVALID_EMAIL", field=field_name)
        return Contact(tenant_id=tenant_id, phone=None, email=value.lower())
    e164 = _e164(tenant_id, value)
    if e164 is None:
        if field_name == "phone":
            raise BadRequest("phone: not a valid phone number", code="INVALID_PHONE_NUMBER", field="phone")
        raise BadRequest("contact_identifier: neither a valid phone number nor an email address",
                         code="INVALID_CONTACT_IDENTIFIER", field="contact_identifier")
    return Contact(tenant_id=tenant_id, phone=e164, email=None)


def _e164(tenant_id: int, raw: str) -> str | None:
    """As the timeline normalises: the tenant's country is the default region (read only when needed)."""
    from shared.accounts import repository as accounts
    from shared.phones import to_e164

    text = unquote(raw).strip()
    tenant = None if text.startswith(("+", "00")) else accounts.get_tenant(tenant_id)
    return to_e164(text, tenant.country if tenant else None)


def find(contact: Contact) -> Footprint:
    from shared.workflows import repository as workflows

    found = Footprint(contact=contact)
    found.workflows = {workflow.id: workflow for workflow in workflows.list_for_tenant(contact.tenant_id)}
    _audience(found)
    _timeline(found)
    if contact.phone:
        _runs_and_progress(found)
        _dnc(found)
        _approvals(found)
        found.callbacks = (callbacks.for_contact(contact.tenant_id, contact.phone)
                           + callbacks.for_contact(contact.tenant_id, pseudonym_of(contact.phone)))
        _calls(found)
        from shared.compliance import cooldown_repository

        found.cooldown_epoch = cooldown_repository.last_attempt_epoch(contact.tenant_id, contact.phone)
    _webhook_deliveries(found)
    found.recordings = {call.id: recording_keys(contact.tenant_id, call.id) for call in found.calls}
    found.recordings = {call_id: keys for call_id, keys in found.recordings.items() if keys}
    return found


def names_contact(contact: Contact, target: Target) -> bool:
    if contact.phone and target.phone_e164 == contact.phone:
        return True
    if contact.email:
        return any(isinstance(value, str) and value.strip().lower() == contact.email
                   for value in (target.variables or {}).values())
    return False


def _audience(found: Footprint) -> None:
    from shared.audience import repository as audience

    for workflow_id in found.workflows:
        found.audience += [(workflow_id, target) for target in audience.iter_targets(found.contact.tenant_id,
                                                                                        workflow_id)
                           if names_contact(found.contact, target)]


def _timeline(found: Footprint) -> None:
    from shared.timeline import repository as timeline

    contact, events = found.contact, {}
    identifiers = [("phone", contact.phone), ("email", contact.email)]
    for kind, value in identifiers:
        if value:
            events.update({event.id: event for event in timeline.all_events(contact.tenant_id, kind, value)})
    found.timeline = sorted(events.values(), key=lambda event: event.at, reverse=True)


def _runs_and_progress(found: Footprint) -> None:
    from shared.dialer import repository as runs

    tenant_id, phone = found.contact.tenant_id, found.contact.phone or ""
    for workflow_id in found.workflows:
        found.runs += runs.newest(tenant_id, workflow_id, MAX_RUNS_PER_WORKFLOW)
    for run in found.runs:
        progress = runs.get_progress(tenant_id, run.id, phone)
        if progress is not None:
            found.progress.append((run, progress))


def _dnc(found: Footprint) -> None:
    from shared.compliance import repository as dnc
    from shared.dsr.pseudonyms import phone_pseudonym

    tenant_id, phone = found.contact.tenant_id, found.contact.phone or ""
    found.dnc_entry = dnc.get_entry(tenant_id, phone)
    found.dnc_audit = (dnc.contact_audit_rows(tenant_id, phone)
                       + dnc.contact_audit_rows(tenant_id, phone_pseudonym(phone)))


def _approvals(found: Footprint) -> None:
    from shared.approvals import repository as approvals
    from shared.dsr.pseudonyms import phone_pseudonym

    tenant_id, phone = found.contact.tenant_id, found.contact.phone or ""
    found.approvals = approvals.for_target(tenant_id, phone) + approvals.for_target(tenant_id, phone_pseudonym(phone))


def _calls(found: Footprint) -> None:
    from shared.calls import repository as calls
    from shared.dialer.dial import call_id_for
    from shared.dsr.pseudonyms import phone_pseudonym

    phone = found.contact.phone or ""
    call_ids: dict[str, None] = {}
    for run, progress in found.progress:
        call_ids.update({call_id_for(run.id, phone, attempt): None for attempt in range(1, progress.attempts + 1)})
    for event in found.timeline:
        if isinstance(event.payload.get("call_id"), str):
            call_ids[event.payload["call_id"]] = None
    call_ids.update({approval.call_id: None for approval in found.approvals if approval.call_id})
    wanted = {phone, phone_pseudonym(phone)}
    for call_id in call_ids:
        call = calls.get(found.contact.tenant_id, call_id)
        if call is not None and call.target_phone in wanted:
            found.calls.append(call)
    found.calls.sort(key=lambda call: call.created_at)


def _webhook_deliveries(found: Footprint) -> None:
    """A Query per endpoint of the tenant (a handful), over the deliveries its 30-day retention keeps."""
    from shared.webhooks import delivery_repository
    from shared.webhooks import repository as webhooks

    contact = found.contact
    needles = contact.spellings()
    for endpoint in webhooks.list_endpoints(contact.tenant_id):
        found.webhook_deliveries += [
            delivery for delivery in delivery_repository.iter_deliveries(contact.tenant_id, endpoint.id)
            if mentions(delivery.body, needles) or mentions(delivery.last_response_body or "", needles)]


def recording_keys(tenant_id: int, call_id: str) -> list[str]:
    """The objects under the call's recordings prefix; none when the bucket does not exist."""
    return repository.keys_under(recordings_prefix(tenant_id, call_id))

