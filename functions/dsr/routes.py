"""Data-subject request routes: export everything about one contact (write scope), erase it (admin scope).

The services are imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.dsr.models import DsrErasure, DsrExport, DsrRequest

router = APIGatewayHttpRouter()
TAGS = ["Data-subject requests"]


@router.post("/dsr/export", summary="Everything stored about one contact (by phone or email): audience rows, "
             "calls and transcripts, approvals, timeline, DNC and consent audit rows, a recordings ZIP URL",
             tags=TAGS, middlewares=[requires(Scope.WRITE)])
def export_contact(body: Annotated[DsrRequest, Body()]) -> DsrExport:
    from shared.dsr.export import export_contact

    return export_contact(current_principal(router), body)


@router.post("/dsr/erase", summary="Erase one contact: delete or pseudonymise every row naming it, delete its "
             "recordings; the number stays blocked under a keyed hash (idempotent, admin)",
             tags=TAGS, middlewares=[requires(Scope.ADMIN)])
def erase_contact(body: Annotated[DsrRequest, Body()]) -> DsrErasure:
    from shared.dsr.erase import erase_contact

    return erase_contact(current_principal(router), body)
