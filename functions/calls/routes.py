"""Calls routes: a tenant's calls newest first, one call with its transcript, latency and recording, and the
recording itself (a redirect to a short-lived URL). Read scope.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.calls.models import CallDetail, CallPage, CallReason, CallStatus

router = APIGatewayHttpRouter()
TAGS = ["Calls"]
ID = r"^[A-Za-z0-9_-]+$"
CallId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID)]
IdFilter = Annotated[str | None, Query(min_length=1, max_length=64, pattern=ID)]
RECORDING_REDIRECT = {302: {"description": "Redirect to the recording (a presigned URL valid for minutes)",
                            "content": {},  # no body
                            "headers": {"Location": {"description": "The recording's URL",
                                                     "schema": {"type": "string", "format": "uri"}}}}}


@router.get("/calls", summary="The workspace's calls, newest first; filter by workflow_id, run_id, phone, status, "
                              "reason",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def list_calls(workflow_id: IdFilter = None, run_id: IdFilter = None,
               phone: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
               status: Annotated[CallStatus | None, Query()] = None,
               reason: Annotated[CallReason | None, Query()] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               cursor: Annotated[str | None, Query(min_length=1, max_length=400)] = None) -> CallPage:
    from shared.calls import service

    return service.list_calls(current_principal(router), workflow_id=workflow_id, run_id=run_id, phone=phone,
                              status=status, reason=reason, limit=limit, cursor=cursor)


@router.get("/calls/<id>", summary="One call: summary, transcript (offsets in ms), latency, recording link",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def get_call(id: CallId) -> CallDetail:
    from shared.calls import service

    return service.get_call(current_principal(router), id)


@router.get("/calls/<id>/recording", summary="The call's recording: 302 to a short-lived URL; 404 when none",
            tags=TAGS, responses=RECORDING_REDIRECT, middlewares=[requires(Scope.READ)])
def get_recording(id: CallId):  # a Response annotation would document a JSON body
    from shared.calls import service

    return Response(302, headers={"Location": service.recording_url(current_principal(router), id)})
