"""Approval routes: the queue of what the AI proposed, and approve / deny (the API twin of Slack's buttons).

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.approvals.models import ApprovalView, Decision, DecisionView
from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.platform.http.input_types import PrintableText

router = APIGatewayHttpRouter()
TAGS = ["Approvals"]
ApprovalId = Annotated[str, Path(min_length=1, max_length=64)]
StatusFilter = Literal["pending", "approved", "denied", "expired"]


class DecideRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    decision: Decision
    note: Annotated[str | None, Field(max_length=500), PrintableText] = None


class ApprovalList(BaseModel):
    approvals: list[ApprovalView]


@router.get("/approvals", summary="The approvals queue, newest first; filter by workflow_id and status", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def list_approvals(workflow_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
                   status: Annotated[StatusFilter | None, Query()] = None) -> ApprovalList:
    from shared.approvals import service

    approvals = service.list_approvals(current_principal(router), workflow_id=workflow_id, status=status)
    return ApprovalList(approvals=[ApprovalView.of(approval) for approval in approvals])


@router.post("/approvals/<id>/decide", summary="Approve or deny a pending approval; the first decision wins",
             tags=TAGS, middlewares=[requires(Scope.WRITE)])
def decide(id: ApprovalId, body: Annotated[DecideRequest, Body()]) -> DecisionView:
    from shared.approvals import service

    return service.decide(current_principal(router), id, body.decision, body.note)
