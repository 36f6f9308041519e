"""Workflows on the tenant's partition, plus their consent-attestation audit rows (append-only)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError

from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem
from shared.workflows.models import Compliance, Workflow
from shared.workflows.rule_book import RuleBook


class _WorkflowItem(TableItem, discriminator="Workflow"):
    workflow_id = UnicodeAttribute()
    tenant_id = NumberAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    nl_prompt = UnicodeAttribute()
    is_test = BooleanAttribute(default=False)
    author_user_id = UnicodeAttribute(null=True)
    rule_book = JSONAttribute()
    rule_book_id = UnicodeAttribute()
    compliance = JSONAttribute(default=dict)
    active_run_id = UnicodeAttribute(null=True)
    runs_count = NumberAttribute(default=0)
    archived_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class _ConsentAttestationItem(TableItem, discriminator="ConsentAttestation"):
    tenant_id = NumberAttribute()
    workflow_id = UnicodeAttribute()
    attested_by_user_id = UnicodeAttribute()
    attestation = JSONAttribute()
    attested_at = UTCDateTimeAttribute()


def _workflow_from(item: _WorkflowItem) -> Workflow:
    return Workflow(id=item.workflow_id, tenant_id=item.tenant_id, name=item.name, status=item.status,
                    nl_prompt=item.nl_prompt, is_test=item.is_test, author_user_id=item.author_user_id,
                    rule_book=RuleBook.model_validate(item.rule_book), rule_book_id=item.rule_book_id,
                    compliance=Compliance.model_validate(item.compliance or {}), active_run_id=item.active_run_id,
                    runs_count=item.runs_count, archived_at=item.archived_at, created_at=item.created_at,
                    updated_at=item.updated_at, version=item.version or 0)


def _item_from(workflow: Workflow) -> _WorkflowItem:
    item = _WorkflowItem(
        keys.tenant_pk(workflow.tenant_id), keys.workflow_sk(workflow.id), workflow_id=workflow.id,
        tenant_id=workflow.tenant_id, name=workflow.name, status=workflow.status, nl_prompt=workflow.nl_prompt,
        is_test=workflow.is_test, author_user_id=workflow.author_user_id,
        rule_book=workflow.rule_book.model_dump(mode="json"), rule_book_id=workflow.rule_book_id,
        compliance=workflow.compliance.model_dump(mode="json"), active_run_id=workflow.active_run_id,
        runs_count=workflow.runs_count, archived_at=workflow.archived_at, created_at=workflow.created_at,
        updated_at=workflow.updated_at,
    )
    if workflow.version:  # unset on a new workflow: pynamodb then saves on condition it does not exist
        item.version = workflow.version
    return item


def get(tenant_id: int, workflow_id: str) -> Workflow | None:
    try:
        return _workflow_from(_WorkflowItem.get(keys.tenant_pk(tenant_id), keys.workflow_sk(workflow_id),
                                                consistent_read=True))
    except DoesNotExist:
        return None


def list_for_tenant(tenant_id: int) -> list[Workflow]:
    items = _WorkflowItem.query(keys.tenant_pk(tenant_id), _WorkflowItem.SK.startswith(keys.WORKFLOW_PREFIX))
    return [_workflow_from(item) for item in items]


def save(workflow: Workflow) -> Workflow:
    """Create (version 0) or update under optimistic locking: a concurrent change makes this a 409."""
    item = _item_from(workflow)
    try:
        item.save()
    except PutError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise Conflict("The workflow changed meanwhile; read it again and retry",
                           code="WORKFLOW_CHANGED") from error
        raise
    return workflow.model_copy(update={"version": item.version})


def record_attestation(workflow: Workflow, compliance: Compliance, attestation_id: str) -> None:
    at: datetime = compliance.consent_attested_at
    _ConsentAttestationItem(
        keys.tenant_pk(workflow.tenant_id), keys.consent_attestation_sk(workflow.id, at, attestation_id),
        tenant_id=workflow.tenant_id, workflow_id=workflow.id,
        attested_by_user_id=compliance.consent_attested_by_user_id or "",
        attestation=compliance.model_dump(mode="json"), attested_at=at,
    ).save(condition=_ConsentAttestationItem.PK.does_not_exist())


# --- DSR (data-subject requests): a workflow's consent attestation rows -------------------------------------

def attestations(tenant_id: int, workflow_id: str) -> list[dict]:
    """Every consent attestation of a workflow, oldest first: workflow_id, attested_at, attested_by_user_id,
    attestation (the compliance settings as attested)."""
    prefix = keys.consent_attestation_sk(workflow_id, datetime(1970, 1, 1), "").split("#", 2)
    items = _ConsentAttestationItem.query(keys.tenant_pk(tenant_id),
                                          _ConsentAttestationItem.SK.startswith(f"{prefix[0]}#{prefix[1]}#"))
    return [{"workflow_id": item.workflow_id, "attested_at": item.attested_at,
             "attested_by_user_id": item.attested_by_user_id, "attestation": item.attestation or {}}
            for item in items]
