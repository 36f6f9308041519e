"""Callback routes: the callbacks callees asked for, newest due first; one; cancel a scheduled one.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.callbacks.models import CallbackList, CallbackStatus, CallbackView

router = APIGatewayHttpRouter()
TAGS = ["Callbacks"]
ID = r"^[A-Za-z0-9_-]+$"
CallbackId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID)]


@router.get("/callbacks", summary="The callbacks callees asked for, newest due first; filter by status, workflow_id",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def list_callbacks(status: Annotated[CallbackStatus | None, Query()] = None,
                   workflow_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=ID)] = None,
                   ) -> CallbackList:
    from shared.callbacks import service

    return service.list_callbacks(current_principal(router), status=status, workflow_id=workflow_id)


@router.get("/callbacks/<id>", summary="One callback: when it is due, what the callee asked, the call it placed",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def get_callback(id: CallbackId) -> CallbackView:
    from shared.callbacks import service

    return service.get_callback(current_principal(router), id)


@router.delete("/callbacks/<id>", summary="Cancel a scheduled callback (its schedule is deleted); 409 once placed",
               tags=TAGS, middlewares=[requires(Scope.WRITE)])
def cancel_callback(id: CallbackId) -> CallbackView:
    from shared.callbacks import service

    return service.cancel_callback(current_principal(router), id)
