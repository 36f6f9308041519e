"""`POST /dsr/export`: everything stored about one contact, with a ZIP of its recordings when there are any.

Reads only (see footprint.py); the ZIP is written to the media bucket at `dsr/{tenant}/{request_id}.zip`
and handed out as a presigned GET URL. The request id starts with a prefix of the contact's hash, so an
erase finds and deletes earlier exports of the same contact.
"""

from __future__ import annotations

import io
import zipfile

from shared.auth.principal import Principal
from shared.calls.models import CallTransfer
from shared.dsr import repository
from shared.dsr.footprint import Footprint, contact_of, find
from shared.dsr.models import (
    AudienceRecord,
    CallRecord,
    ConsentAuditRecord,
    ContactView,
    DncRecord,
    DsrExport,
    DsrRequest,
    TransferRecord,
    WebhookDeliveryRecord,
)
from shared.platform import clock
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event, get_logger

EXPORT_PREFIX = "dsr"
HASH_PREFIX_CHARS = 16


def exports_prefix(tenant_id: int, contact_hash: str) -> str:
    """Every export ZIP of one contact starts with this key prefix."""
    return f"{EXPORT_PREFIX}/{tenant_id}/{contact_hash[:HASH_PREFIX_CHARS]}-"


def export_contact(principal: Principal, request: DsrRequest) -> DsrExport:
    from shared.approvals.models import ApprovalView
    from shared.timeline.models import TimelineEventView

    contact = contact_of(principal.tenant_id, request)
    found = find(contact)
    now = clock.now()
    zip_url = _recordings_zip(found) if found.recordings else None
    export = DsrExport(
        contact=ContactView(phone_e164=contact.phone, email=contact.email),
        audience=[AudienceRecord(workflow_id=workflow_id, workflow_name=found.workflows[workflow_id].name,
                                 phone_e164=target.phone_e164, variables=dict(target.variables or {}),
                                 sandbox_behaviour=target.sandbox_behaviour)
                  for workflow_id, target in found.audience],
        calls=[_call_record(found, call) for call in found.calls],
        approvals=[ApprovalView.of(approval.as_of(now)) for approval in found.approvals],
        callbacks=found.callbacks,
        timeline=[TimelineEventView(at=event.at, kind=event.kind, direction=event.direction,
                                    workflow_id=event.workflow_id, run_id=event.run_id, summary=event.summary,
                                    payload=event.payload) for event in found.timeline],
        dnc=_dnc_records(found),
        consent_audit=_consent_audit(found),
        webhook_deliveries=[WebhookDeliveryRecord(endpoint_id=delivery.endpoint_id, event_id=delivery.event_id,
                                                  event_type=delivery.event_type, status=delivery.status,
                                                  created_at=delivery.created_at, body=delivery.body)
                            for delivery in found.webhook_deliveries],
        recordings_zip_url=zip_url,
        generated_at=now,
    )
    count_business_event("DsrExported")
    get_logger().info("dsr export", extra={"tenant_id": principal.tenant_id, "contact_hash": contact.hash[:12],
                                           "calls": len(export.calls), "recordings": len(found.recordings)})
    return export


def _call_record(found: Footprint, call) -> CallRecord:
    return CallRecord(id=call.id, workflow_id=call.workflow_id, run_id=call.run_id, attempt=call.attempt,
                      is_test=call.is_test, target_phone=call.target_phone, status=call.status,
                      provider=call.provider, answered_by=call.answered_by, outcome=call.outcome,
                      transcript=call.transcript, objections=call.objections, approval_ids=call.approval_ids,
                      duration_seconds=call.duration_seconds, charged_minor=call.charged_minor,
                      created_at=call.created_at, answered_at=call.answered_at, ended_at=call.ended_at,
                      recordings=[_zip_name(key) for key in found.recordings.get(call.id, [])],
                      analysis=call.analysis.model_dump(mode="json") if call.analysis else None,
                      transfer=_transfer_record(call.transfer))


def _transfer_record(transfer: CallTransfer | None) -> TransferRecord | None:
    if transfer is None:
        return None
    return TransferRecord(status=transfer.status, to_last4=transfer.to_last4, whisper=transfer.whisper,
                          message=transfer.message, requested_at=transfer.requested_at,
                          answered_at=transfer.answered_at, ended_at=transfer.ended_at,
                          duration_seconds=transfer.duration_seconds, charged_minor=transfer.charged_minor,
                          recording=_zip_name(transfer.recording.key) if transfer.recording else None)


def _dnc_records(found: Footprint) -> list[DncRecord]:
    records = []
    if found.dnc_entry is not None:
        entry = found.dnc_entry
        records.append(DncRecord(record="entry", id=entry.id, phone_e164=entry.phone_e164, action=None,
                                 source=None, reason=entry.reason, actor=None, at=entry.added_at))
    records += [DncRecord(record="audit", id=audit.id, phone_e164=audit.phone_e164, action=audit.action,
                          source=audit.source, reason=audit.reason, actor=audit.actor, at=audit.at)
                for audit in sorted(found.dnc_audit, key=lambda audit: audit.at)]
    return records


def _consent_audit(found: Footprint) -> list[ConsentAuditRecord]:
    """The consent attestations of the workflows the contact is (or was) an audience member or callee of."""
    from shared.workflows import repository as workflows

    involved = dict.fromkeys([workflow_id for workflow_id, _ in found.audience]
                             + [run.workflow_id for run, _ in found.progress])
    return [ConsentAuditRecord.model_validate(row) for workflow_id in involved
            for row in workflows.attestations(found.contact.tenant_id, workflow_id)]


def _zip_name(key: str) -> str:
    # recordings/{tenant}/{call_id}/{file} → {call_id}/{file}: no tenant or contact in the archive's names
    return key.split("/", 2)[2]


def _recordings_zip(found: Footprint) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:  # audio is compressed already
        for keys in found.recordings.values():
            for key in keys:
                archive.writestr(_zip_name(key), repository.read_bytes(key))
    request_id = f"{found.contact.hash[:HASH_PREFIX_CHARS]}-{new_id('dsr')}"
    key = f"{EXPORT_PREFIX}/{found.contact.tenant_id}/{request_id}.zip"
    return repository.put_archive(key, buffer.getvalue())
