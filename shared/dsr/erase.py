"""`POST /dsr/erase` (admin): delete or pseudonymise every row naming one contact; delete its recordings.

What goes and what stays:
- deleted: audience rows (pages rewritten, summary count fixed), each run's target item, the contact's
  timeline events (every copy), its cool-down stamp, its recordings and earlier DSR export ZIPs, the
  messages about its approvals in the tenant's Slack (chat.delete), and its items in the runs' S3 manifests;
- pseudonymised (kept for audit and billing, the number replaced by `erased:<keyed hash>`): calls (the
  transcript, the post-call analysis and anything quoting the callee wiped; status, duration and charge kept, so the
  run's counters and the ledger still add up), approvals (the decision kept), DNC audit rows, callbacks (a scheduled
  one is cancelled first, `skip_reason: erased`, and its schedule deleted: it is never placed), and the signed-webhook
  deliveries that named the contact (kept for the endpoint's history, the event's data replaced by {"erased": true});
- the number stays blocked: its DNC entry (if any) moves to a hashed suppression item, and one is written
  even when it had none — an erased contact is never called again (`compliance.repository.erased_numbers`).
Idempotent: a second erase finds only pseudonymised rows and changes nothing.
"""

from __future__ import annotations

import json
from collections import Counter

from shared.auth.principal import Principal
from shared.callbacks import service as callbacks
from shared.dsr import repository
from shared.dsr.footprint import Footprint, contact_of, find, names_contact
from shared.dsr.models import DsrErasure, DsrRequest
from shared.dsr.pseudonyms import PSEUDONYM_PREFIX, mentions, phone_pseudonym
from shared.platform import clock
from shared.platform.observability import count_business_event, get_logger


def erase_contact(principal: Principal, request: DsrRequest) -> DsrErasure:
    contact = contact_of(principal.tenant_id, request)
    found = find(contact)
    deleted: Counter[str] = Counter()
    pseudonymised: Counter[str] = Counter()
    if contact.phone:
        _keep_blocked(found, pseudonymised)  # first: the number is never unprotected
    _erase_audience(found, deleted)
    if contact.phone:
        _erase_run_targets(found, deleted)
        _pseudonymise_calls(found, pseudonymised, deleted)
        _pseudonymise_approvals(found, pseudonymised, deleted)
        pseudonymised["callbacks"] += callbacks.erase_contact(contact.tenant_id, contact.phone,
                                                              phone_pseudonym(contact.phone))
        from shared.compliance import cooldown_repository

        deleted["cooldown"] += int(cooldown_repository.forget_attempts(contact.tenant_id, contact.phone))
    _delete_timeline(found, deleted)
    _redact_webhook_deliveries(found, pseudonymised)
    deleted["export_archives"] += repository.delete_keys(_export_keys(found))
    count_business_event("DsrErased")
    get_logger().info("dsr erase", extra={"tenant_id": principal.tenant_id, "contact_hash": contact.hash[:12],
                                          "deleted": dict(deleted), "pseudonymised": dict(pseudonymised)})
    return DsrErasure(erased=True, contact_hash=contact.hash, deleted=_counts(deleted, _STORES_DELETED),
                      pseudonymised=_counts(pseudonymised, _STORES_PSEUDONYMISED))


_STORES_DELETED = ("audience", "run_targets", "manifest_items", "timeline", "cooldown", "recordings",
                   "export_archives", "slack_messages")
_STORES_PSEUDONYMISED = ("calls", "approvals", "callbacks", "dnc_audit", "dnc_entry", "webhook_deliveries")


def _counts(counter: Counter[str], stores: tuple[str, ...]) -> dict[str, int]:
    """Every store named, 0 when nothing of the contact was there."""
    return {**dict.fromkeys(stores, 0), **dict(counter)}


def _keep_blocked(found: Footprint, pseudonymised: Counter[str]) -> None:
    from shared.compliance import repository as dnc

    contact = found.contact
    phone = contact.phone or ""
    dnc.keep_blocked_under_hash(contact.tenant_id, contact.hash, entry=found.dnc_entry, erased_at=clock.now())
    pseudonymised["dnc_entry"] += int(found.dnc_entry is not None)
    spellings = contact.spellings()
    pseudonymised["dnc_audit"] += dnc.pseudonymise_audit_rows(contact.tenant_id, phone, phone_pseudonym(phone),
                                                              keep_reason=lambda text: not mentions(text, spellings))


def _erase_audience(found: Footprint, deleted: Counter[str]) -> None:
    from shared.audience import repository as audience

    tenant_id = found.contact.tenant_id
    for workflow_id in dict.fromkeys(workflow_id for workflow_id, _ in found.audience):
        summary = audience.get_summary(tenant_id, workflow_id)
        kept, removed = [], 0
        for target in audience.iter_targets(tenant_id, workflow_id):
            if names_contact(found.contact, target):
                removed += 1
            else:
                kept.append(target)
        if not removed:
            continue
        written = audience.write_pages(tenant_id, workflow_id, 0, kept)
        old_pages = summary.page_count if summary else 0
        if old_pages > written:
            audience.delete_pages(tenant_id, workflow_id, range(written, old_pages))
        audience.save_summary(tenant_id, workflow_id, total_targets=len(kept), page_count=written,
                              updated_at=clock.now_seconds(), expected=summary)
        deleted["audience"] += removed


def _erase_run_targets(found: Footprint, deleted: Counter[str]) -> None:
    from shared.dialer import repository as runs

    phone = found.contact.phone or ""
    for run, _progress in found.progress:
        deleted["run_targets"] += int(runs.forget_target(found.contact.tenant_id, run.id, phone))
    for run in found.runs:
        deleted["manifest_items"] += _erase_from_manifests(found.contact.tenant_id, run.id, run.segment, phone)


def _erase_from_manifests(tenant_id: int, run_id: str, segments: int, phone: str) -> int:
    """Rewrite the run's S3 manifests (the Distributed Map's items) without the number."""
    from shared.dialer.manifest import manifest_key

    removed = 0
    for segment in range(1, segments + 1):
        key = manifest_key(tenant_id, run_id, segment)
        items = repository.read_json(key)
        if items is None:
            continue
        remaining = [item for item in items if item.get("phone") != phone]
        if len(remaining) != len(items):
            repository.write_json(key, remaining)
            removed += len(items) - len(remaining)
    return removed


def _pseudonymise_calls(found: Footprint, pseudonymised: Counter[str], deleted: Counter[str]) -> None:
    from shared.calls import repository as calls

    pseudonym = phone_pseudonym(found.contact.phone or "")
    for call in found.calls:
        if not call.target_phone.startswith(PSEUDONYM_PREFIX):
            # The recording's objects are deleted below: the call stops pointing at them (no URL to nothing).
            # The post-call analysis is read from the contact's words (a summary quotes them): it goes too.
            # A transfer's whisper and message quote the contact too (its recording is under the same prefix).
            calls.update(found.contact.tenant_id, call.id, target_phone=pseudonym, transcript=[], recording=None,
                         analysis=None, pending_concession=None, next_step=None, task_token=None, transfer=None)
            pseudonymised["calls"] += 1
        deleted["recordings"] += repository.delete_keys(found.recordings.get(call.id, []))


def _pseudonymise_approvals(found: Footprint, pseudonymised: Counter[str], deleted: Counter[str]) -> None:
    from shared.approvals import repository as approvals

    pseudonym = phone_pseudonym(found.contact.phone or "")
    for approval in found.approvals:
        if approval.target_phone != pseudonym:
            approvals.pseudonymise(found.contact.tenant_id, approval.id, pseudonym)
            pseudonymised["approvals"] += 1
    from shared.approvals.notifier import delete_slack_message

    deleted["slack_messages"] += sum(delete_slack_message(approval) for approval in found.approvals)


def _delete_timeline(found: Footprint, deleted: Counter[str]) -> None:
    from shared.timeline import repository as timeline

    for event in found.timeline:
        timeline.delete_event(found.contact.tenant_id, event)
        deleted["timeline"] += 1


def _redact_webhook_deliveries(found: Footprint, pseudonymised: Counter[str]) -> None:
    """A delivery stays (its endpoint's history, its webhook-id for deduplication) but no longer says anything
    about the contact: the event's `data` becomes `{"erased": true}` and the receiver's echoed answer goes."""
    from shared.webhooks import delivery_repository

    for delivery in found.webhook_deliveries:
        pseudonymised["webhook_deliveries"] += int(delivery_repository.redact(delivery, _erased_body(delivery.body)))


def _erased_body(body: str) -> str:
    try:
        event = json.loads(body)
    except ValueError:
        event = {}
    kept = {name: event[name] for name in ("type", "timestamp") if isinstance(event, dict) and name in event}
    return json.dumps({**kept, "data": {"erased": True}}, separators=(",", ":"))


def _export_keys(found: Footprint) -> list[str]:
    from shared.dsr.export import exports_prefix

    return repository.keys_under(exports_prefix(found.contact.tenant_id, found.contact.hash))

