"""Workflow rules: create from a prompt, read, edit, regenerate, attest consent, retire, soft-delete.

Every read is by the principal's tenant: another tenant's workflow id is simply not found (404).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.audience.models import AudienceIngestResult
from shared.auth.principal import Principal
from shared.platform import clock
from shared.platform.errors import BadRequest, Conflict, Invalid, NotFound, PayloadTooLarge, safe_field_name
from shared.platform.ids import new_id
from shared.platform.observability import count_business_event
from shared.workflows import repository, schedules
from shared.workflows.authoring import author_rule_book
from shared.workflows.composer_title import workflow_title
from shared.workflows.models import Compliance, Workflow, WorkflowChanges, WorkflowDetail, WorkflowList, WorkflowSummary
from shared.workflows.rule_book import RuleBook

NAME_LENGTH = 80
MAX_UPLOAD_BYTES = 6 * 1024 * 1024  # a Lambda request payload's limit (API Gateway's is 10 MB)


def create_workflow(principal: Principal, *, nl_prompt: str, persona_override: str | None, is_test: bool,
                    author_user_id: str | None) -> WorkflowDetail:
    country = tenant_country(principal.tenant_id)
    generated = author_rule_book(prompt=nl_prompt, persona_override=persona_override, tenant_country=country,
                                 audience_countries={country})
    now = clock.now_seconds()
    # Claude's short title when it gave one, else the composer's reading of the prompt (never the prompt cut off)
    name = (generated.name or workflow_title(nl_prompt))[:NAME_LENGTH]
    workflow = Workflow(id=new_id("wf"), tenant_id=principal.tenant_id, name=name, status="draft",
                        nl_prompt=nl_prompt, is_test=is_test, author_user_id=author_user_id or principal.user_id,
                        rule_book=generated.rule_book, rule_book_id=new_id("rb"), compliance=Compliance(),
                        created_at=now, updated_at=now)
    workflow = repository.save(workflow)
    count_business_event("WorkflowCreated")
    return _detail(workflow)


def list_workflows(principal: Principal, status: str | None) -> WorkflowList:
    workflows = sorted(repository.list_for_tenant(principal.tenant_id), key=lambda w: w.created_at, reverse=True)
    return WorkflowList(tenant_id=principal.tenant_id,
                        workflows=[WorkflowSummary.of(w) for w in workflows if status is None or w.status == status])


def get_workflow(principal: Principal, workflow_id: str) -> WorkflowDetail:
    return _detail(_find(principal, workflow_id))


def update_workflow(principal: Principal, workflow_id: str, changes: WorkflowChanges) -> WorkflowDetail:
    workflow = _editable(_find(principal, workflow_id))
    rule_book_fields: dict[str, Any] = dict(changes.rule_book or {})
    for field in ("persona", "schedule_kind"):
        if getattr(changes, field) is not None:
            rule_book_fields[field] = getattr(changes, field)
    rule_book = _edited_rule_book(workflow.rule_book, rule_book_fields) if rule_book_fields else workflow.rule_book
    if rule_book_fields or changes.nl_prompt is not None:  # the prompt's numbers bind the rule book (validator)
        _validate(rule_book, workflow, changes.nl_prompt or workflow.nl_prompt)
    updates: dict[str, Any] = {"rule_book": rule_book, "updated_at": clock.now_seconds()}
    if changes.name is not None:
        updates["name"] = changes.name.strip()
    if changes.nl_prompt is not None:
        updates["nl_prompt"] = changes.nl_prompt
    if rule_book_fields:
        updates["rule_book_id"] = new_id("rb")
    return _detail(repository.save(workflow.model_copy(update=updates)))


def regenerate_rule_book(principal: Principal, workflow_id: str, nl_prompt: str | None) -> WorkflowDetail:
    """A fresh generation; on a 422 the workflow keeps its current rule book."""
    workflow = _editable(_find(principal, workflow_id))
    prompt = nl_prompt or workflow.nl_prompt
    country = tenant_country(principal.tenant_id)
    rule_book = author_rule_book(prompt=prompt, persona_override=None, tenant_country=country,
                                 audience_countries=audience_countries(workflow, country)).rule_book
    updated = workflow.model_copy(update={"rule_book": rule_book, "rule_book_id": new_id("rb"), "nl_prompt": prompt,
                                          "updated_at": clock.now_seconds()})
    return _detail(repository.save(updated))


def attest_compliance(principal: Principal, workflow_id: str, *, consent_attestation_text: str,
                      tcpa_sender_id: str | None, dpdp_consent_method: str | None) -> Compliance:
    workflow = _find(principal, workflow_id)
    if workflow.status == "retired":
        raise Conflict("A retired workflow cannot be changed", code="WORKFLOW_RETIRED")
    compliance = Compliance(consent_attestation_text=consent_attestation_text, tcpa_sender_id=tcpa_sender_id,
                            dpdp_consent_method=dpdp_consent_method, consent_attested_by_user_id=principal.user_id,
                            consent_attested_at=clock.now_seconds())
    repository.record_attestation(workflow, compliance, new_id("att"))
    repository.save(workflow.model_copy(update={"compliance": compliance, "updated_at": clock.now_seconds()}))
    return compliance


def upload_audience(principal: Principal, workflow_id: str, *, csv_data: bytes | None,
                    rows: list[dict[str, Any]] | None, mode: str) -> AudienceIngestResult:
    """A CSV file or JSON rows (exactly one of them) become the workflow's audience."""
    from shared.audience import service as audience
    from shared.audience.uploads import parse_json_rows, read_csv

    if (csv_data is None) == (rows is None):
        raise BadRequest("Send either a CSV file (multipart field 'file') or JSON {\"rows\": [...]}",
                         code="VALIDATION_ERROR", field="file")
    if csv_data is not None and len(csv_data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"Uploads are limited to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", field="file")
    workflow = _find(principal, workflow_id)
    if workflow.status == "retired":
        raise Conflict("A retired workflow cannot take an audience", code="WORKFLOW_RETIRED")
    parsed = read_csv(csv_data) if csv_data is not None else parse_json_rows(rows or [])
    return audience.ingest_audience(principal.tenant_id, workflow.id, tenant_country(principal.tenant_id), parsed,
                                    mode=mode)


def retire_workflow(principal: Principal, workflow_id: str) -> WorkflowDetail:
    """Terminal: a retired workflow never runs again. Retiring twice is a no-op."""
    workflow = _find(principal, workflow_id)
    if workflow.status == "retired":
        return _detail(workflow)
    _ensure_not_running(workflow)
    retired = workflow.model_copy(update={"status": "retired", "updated_at": clock.now_seconds()})
    return _detail(repository.save(retired))


def delete_workflow(principal: Principal, workflow_id: str) -> WorkflowDetail:
    """Soft delete: retired and archived, kept for the audit trail."""
    workflow = _find(principal, workflow_id)
    if workflow.archived_at is not None:
        return _detail(workflow)
    _ensure_not_running(workflow)
    now = clock.now_seconds()
    return _detail(repository.save(workflow.model_copy(update={"status": "retired", "archived_at": now,
                                                               "updated_at": now})))


def _find(principal: Principal, workflow_id: str) -> Workflow:
    workflow = repository.get(principal.tenant_id, workflow_id)
    if workflow is None:
        raise NotFound("No such workflow in this workspace", code="WORKFLOW_NOT_FOUND")
    return workflow


def _editable(workflow: Workflow) -> Workflow:
    if workflow.status == "live":
        raise Conflict("The workflow is live; pause it before editing", code="WORKFLOW_LIVE")
    if workflow.status == "retired":
        raise Conflict("A retired workflow cannot be changed", code="WORKFLOW_RETIRED")
    return workflow


def _ensure_not_running(workflow: Workflow) -> None:
    """Refuse while a run is going; otherwise stop its schedule (a retired workflow never runs again)."""
    if workflow.active_run_id is not None:
        raise Conflict("A run is in progress; pause it first", code="RUN_IN_PROGRESS")
    schedules.disarm(workflow)


def _edited_rule_book(current: RuleBook, fields: dict[str, Any]) -> RuleBook:
    # `metadata` is the server's (generator, model, when): ignored like the workflow's own server-owned fields,
    # so a client can PUT back the rule book its GET returned, edited.
    fields = {name: value for name, value in fields.items() if name != "metadata"}
    unknown = sorted(set(fields) - set(RuleBook.model_fields))
    if unknown:
        # A fixed message, and the client's key only as a safe field name: it is echoed back.
        raise BadRequest("The rule book has a field that cannot be set", code="VALIDATION_ERROR",
                         field=safe_field_name(f"rule_book.{unknown[0]}"))
    try:
        return RuleBook.model_validate({**current.model_dump(mode="json"), **fields})
    except ValidationError as error:
        problems = [{"field": safe_field_name("rule_book." + ".".join(str(part) for part in issue["loc"])),
                     "message": issue["msg"]}
                    for issue in error.errors()]
        raise Invalid("The rule book edit is not valid", code="RULE_BOOK_INVALID", field=problems[0]["field"],
                      errors=problems) from error


def _validate(rule_book: RuleBook, workflow: Workflow, prompt: str) -> None:
    from shared.workflows.validator import ensure_valid

    country = tenant_country(workflow.tenant_id)
    ensure_valid(rule_book, audience_countries(workflow, country), prompt)


def rule_book_of(tenant_id: int, workflow_id: str) -> RuleBook | None:
    """The workflow's current rule book (what the calls after it ends are read against); None when it is gone."""
    workflow = repository.get(tenant_id, workflow_id)
    return workflow.rule_book if workflow is not None else None


def tenant_country(tenant_id: int) -> str:
    from shared.accounts import repository as accounts

    tenant = accounts.get_tenant(tenant_id)
    return tenant.country if tenant else "US"


def audience_countries(workflow: Workflow, default: str) -> set[str]:
    """Countries of the stored audience (the calling window must be legal in each); else the tenant's."""
    from shared.audience import service as audience
    from shared.phones import country_of

    countries = {country_of(target.phone_e164) for target in audience.iter_targets(workflow.tenant_id, workflow.id)}
    return {country for country in countries if country} or {default}


def _detail(workflow: Workflow) -> WorkflowDetail:
    from shared.audience import service as audience

    return WorkflowDetail.of(workflow, audience.count_targets(workflow.tenant_id, workflow.id))
