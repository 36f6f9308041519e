"""Report routes: the weekly PDF digest (the service, and reportlab, imported on use)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope

router = APIGatewayHttpRouter()
TAGS = ["Reports"]
PDF = "application/pdf"
LastDay = Annotated[str | None, Query(max_length=40, description="Last day (default today): ISO date or datetime")]
PDF_RESPONSE = {200: {"description": "The report as a PDF download",
                      "content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/reports/weekly", tags=TAGS, responses=PDF_RESPONSE, middlewares=[requires(Scope.READ)],
            summary="PDF digest for a date range (from ≤ to, at most 31 days; defaults to the last 7 days)")
def weekly_report(from_: Annotated[str | None, Query(alias="from", max_length=40,
                                                     description="First day (default to - 6 days)")] = None,
                  to: LastDay = None):  # a Response annotation would make Powertools JSON-encode the bytes
    from shared.reports import service

    report = service.weekly_report(current_principal(router), from_, to)
    return Response(200, content_type=PDF, body=report.pdf, compress=False,
                    headers={"Content-Disposition": f"attachment; filename={report.filename}"})
