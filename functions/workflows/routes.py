"""Workflow routes: campaigns authored from plain language, their audiences and consent.

Services are imported inside the routes (cheap cold starts). Server-owned fields (id, status,
tenant_id, rule_book_id, timestamps, compliance…) in a request body are ignored, never applied.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, File, Path, Query, UploadFile
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from shared.audience.models import AudienceIngestResult
from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.platform.http.input_types import PrintableText
from shared.workflows.models import Compliance, WorkflowChanges, WorkflowDetail, WorkflowList, WorkflowStatus
from shared.workflows.personas import PersonaName

router = APIGatewayHttpRouter()
TAGS = ["Workflows"]
WorkflowId = Annotated[str, Path(min_length=1, max_length=64)]
Prompt = Annotated[str, Field(min_length=1, max_length=4000)]


class CreateWorkflowRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    nl_prompt: Prompt
    persona_override: PersonaName | None = None
    is_test: StrictBool = False
    author_user_id: Annotated[str | None, Field(max_length=64), PrintableText] = None


class UpdateWorkflowRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: Annotated[str | None, Field(min_length=1, max_length=120), PrintableText] = None
    nl_prompt: Prompt | None = None
    persona: PersonaName | None = None
    schedule_kind: Literal["once", "daily", "weekdays", "manual"] | None = None
    rule_book: dict[str, Any] | None = None


class RegenerateRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    nl_prompt: Prompt | None = None


class ComplianceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    consent_attestation_text: Annotated[str, Field(min_length=1, max_length=5000)]
    tcpa_sender_id: Annotated[str | None, Field(max_length=200), PrintableText] = None
    dpdp_consent_method: Annotated[str | None, Field(max_length=200), PrintableText] = None


@router.get("/workflows", summary="List the workspace's workflows, newest first", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def list_workflows(status: Annotated[WorkflowStatus | None, Query()] = None) -> WorkflowList:
    from shared.workflows import service

    return service.list_workflows(current_principal(router), status)


@router.post("/workflows", summary="Create a workflow from a plain-language prompt (422 with the validator's "
             "errors if the generated rule book is rejected)", tags=TAGS, status_code=201,
             middlewares=[requires(Scope.WRITE)])
def create_workflow(body: Annotated[CreateWorkflowRequest, Body()]) -> WorkflowDetail:
    from shared.workflows import service

    return service.create_workflow(current_principal(router), nl_prompt=body.nl_prompt,
                                   persona_override=body.persona_override, is_test=body.is_test,
                                   author_user_id=body.author_user_id)


@router.get("/workflows/<id>", summary="Workflow detail with its rule book", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def get_workflow(id: WorkflowId) -> WorkflowDetail:
    from shared.workflows import service

    return service.get_workflow(current_principal(router), id)


@router.put("/workflows/<id>", summary="Edit name, prompt, persona, schedule or rule-book fields (409 while live)",
            tags=TAGS, middlewares=[requires(Scope.WRITE)])
def update_workflow(id: WorkflowId, body: Annotated[UpdateWorkflowRequest, Body()]) -> WorkflowDetail:
    from shared.workflows import service

    return service.update_workflow(current_principal(router), id, WorkflowChanges(**body.model_dump()))


@router.delete("/workflows/<id>", summary="Soft-delete: retired and archived (refused while a run is running)",
               tags=TAGS, middlewares=[requires(Scope.ADMIN)])
def delete_workflow(id: WorkflowId) -> WorkflowDetail:
    from shared.workflows import service

    return service.delete_workflow(current_principal(router), id)


@router.post("/workflows/<id>/retire", summary="Retire for good (refused while a run is running)", tags=TAGS,
             middlewares=[requires(Scope.ADMIN)])
def retire_workflow(id: WorkflowId) -> WorkflowDetail:
    from shared.workflows import service

    return service.retire_workflow(current_principal(router), id)


@router.post("/workflows/<id>/regenerate-rule-book", summary="Generate the rule book again, from the stored or a "
             "new prompt; a rejected generation (422) keeps the current one", tags=TAGS,
             middlewares=[requires(Scope.WRITE)])
def regenerate_rule_book(id: WorkflowId,
                         body: Annotated[RegenerateRequest | None, Body()] = None) -> WorkflowDetail:
    from shared.workflows import service

    return service.regenerate_rule_book(current_principal(router), id, body.nl_prompt if body else None)


@router.post("/workflows/<id>/audience", summary="Attach an audience: CSV upload (multipart field 'file') or JSON "
             "{rows: [{phone, ...}]}; numbers normalised to E.164 and screened (DNC, NCPR, 7-day cool-down). "
             "mode=replace (default) makes the upload the whole audience; mode=append adds to it", tags=TAGS,
             middlewares=[requires(Scope.WRITE)])
def upload_audience(id: WorkflowId,
                    mode: Annotated[Literal["replace", "append"], Query()] = "replace",
                    file: Annotated[UploadFile | None, File()] = None,
                    rows: Annotated[list[dict[str, Any]] | None, Body(embed=True)] = None) -> AudienceIngestResult:
    from shared.workflows import service

    return service.upload_audience(current_principal(router), id, csv_data=file.content if file else None,
                                   rows=rows, mode=mode)


@router.put("/workflows/<id>/compliance", summary="Attest consent (TCPA / DPDP / GDPR) as the logged-in user; API "
            "keys are refused: the audit trail needs a human", tags=TAGS,
            middlewares=[requires(Scope.WRITE, users_only=True)])
def attest_compliance(id: WorkflowId, body: Annotated[ComplianceRequest, Body()]) -> Compliance:
    from shared.workflows import service

    return service.attest_compliance(current_principal(router), id,
                                     consent_attestation_text=body.consent_attestation_text,
                                     tcpa_sender_id=body.tcpa_sender_id, dpdp_consent_method=body.dpdp_consent_method)
