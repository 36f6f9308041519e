"""Run routes: start or resume a workflow's dialer, pause it, list its runs (services imported on use)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from functions.workflows.routes import TAGS, WorkflowId
from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.dialer.models import RunList, RunPaused, RunStarted

router = APIGatewayHttpRouter()


@router.post("/workflows/<id>/run", summary="Start the dialer (or resume a paused run): readiness 409, funds 402",
             tags=TAGS, status_code=201, middlewares=[requires(Scope.WRITE)])
def run_workflow(id: WorkflowId) -> RunStarted:
    from shared.dialer import runs

    return runs.start_run(current_principal(router), id)


@router.post("/workflows/<id>/pause", summary="Pause the dialer: new dials stop now, calls in flight finish",
             tags=TAGS, middlewares=[requires(Scope.WRITE)])
def pause_workflow(id: WorkflowId) -> RunPaused:
    from shared.dialer import runs

    return runs.pause_run(current_principal(router), id)


@router.get("/workflows/<id>/runs", summary="The workflow's runs, newest first, with every counter", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def list_runs(id: WorkflowId, limit: Annotated[int, Query(ge=1, le=50)] = 20) -> RunList:
    from shared.dialer import runs

    return runs.list_runs(current_principal(router), id, limit)
