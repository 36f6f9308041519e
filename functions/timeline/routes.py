"""Customer timeline route: one contact's events across channels, newest first (read scope).

The service is imported inside the route, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import AwareDatetime

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.timeline.models import TimelinePage

router = APIGatewayHttpRouter()
TAGS = ["Customer timeline"]
Identifier = Annotated[str | None, Query(max_length=254)]


@router.get("/timeline", summary="One contact's events, newest first: ?phone= | ?email= | ?user_id=, "
            "?n=1..500 (default 50), ?before=RFC 3339", tags=TAGS, middlewares=[requires(Scope.READ)])
def get_timeline(phone: Identifier = None, email: Identifier = None, user_id: Identifier = None,
                 n: Annotated[int, Query(ge=1, le=500)] = 50,
                 before: Annotated[AwareDatetime | None, Query()] = None) -> TimelinePage:
    from shared.timeline import service

    return service.timeline(current_principal(router), phone=phone, email=email, user_id=user_id, n=n,
                            before=before)
