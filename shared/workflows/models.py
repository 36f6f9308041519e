"""Workflows (campaigns) as the domain and the API see them. Lifecycle: draft → live → paused → retired."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from shared.workflows.rule_book import RuleBook

WorkflowStatus = Literal["draft", "live", "paused", "retired"]
STATUSES: tuple[str, ...] = ("draft", "live", "paused", "retired")


class Compliance(BaseModel):
    """The consent attestation (TCPA / DPDP / GDPR) a logged-in user made for the workflow."""

    consent_attestation_text: str | None = None
    tcpa_sender_id: str | None = None
    dpdp_consent_method: str | None = None
    consent_attested_by_user_id: str | None = None
    consent_attested_at: datetime | None = None


class Workflow(BaseModel):
    id: str
    tenant_id: int
    name: str
    status: WorkflowStatus
    nl_prompt: str
    is_test: bool
    author_user_id: str | None
    rule_book: RuleBook
    rule_book_id: str
    compliance: Compliance
    active_run_id: str | None = None  # set by the dialer while a run is running
    runs_count: int = 0
    archived_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0


class WorkflowSummary(BaseModel):
    """One row of `GET /api/workflows`."""

    id: str
    name: str
    status: WorkflowStatus
    persona: str
    schedule_kind: str
    rule_book_id: str
    is_test: bool
    updated_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, workflow: Workflow) -> "WorkflowSummary":
        return cls(id=workflow.id, name=workflow.name, status=workflow.status, persona=workflow.rule_book.persona,
                   schedule_kind=workflow.rule_book.schedule_kind, rule_book_id=workflow.rule_book_id,
                   is_test=workflow.is_test, updated_at=workflow.updated_at, created_at=workflow.created_at)


class WorkflowList(BaseModel):
    tenant_id: int
    workflows: list[WorkflowSummary]


class WorkflowDetail(WorkflowSummary):
    """`GET /api/workflows/{id}` and the answer of every call that changes a workflow."""

    nl_prompt: str
    author_user_id: str | None
    rule_book: dict[str, Any]
    audience_count: int
    runs_count: int
    compliance: Compliance
    archived_at: datetime | None

    @classmethod
    def of(cls, workflow: Workflow, audience_count: int) -> "WorkflowDetail":  # type: ignore[override]
        summary = WorkflowSummary.of(workflow).model_dump()
        return cls(**summary, nl_prompt=workflow.nl_prompt, author_user_id=workflow.author_user_id,
                   rule_book=workflow.rule_book.model_dump(mode="json"), audience_count=audience_count,
                   runs_count=workflow.runs_count, compliance=workflow.compliance, archived_at=workflow.archived_at)


class WorkflowChanges(BaseModel):
    """What `PUT /api/workflows/{id}` may change; everything else is the server's."""

    name: str | None = None
    nl_prompt: str | None = None
    persona: str | None = None
    schedule_kind: str | None = None
    rule_book: dict[str, Any] | None = None  # top-level rule-book fields to replace
