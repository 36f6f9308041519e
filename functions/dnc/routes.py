"""Compliance & DNC routes: the tenant's do-not-call list and number checks (reads: read scope; changes: write).

Numbers are accepted in any common spelling and answered in E.164. The service is imported inside
the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, File, Path, Query, UploadFile
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.compliance.models import DncEntry, DncImportResult, DncImportRow, DncPage, NumberCheck
from shared.platform.http.input_types import PrintableText

router = APIGatewayHttpRouter()
TAGS = ["Compliance & DNC"]
PhoneText = Annotated[str, Field(min_length=1, max_length=64)]
Reason = Annotated[str | None, Field(max_length=200), PrintableText]


class AddNumberRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    phone_e164: PhoneText
    reason: Reason = None


class ImportRowRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    phone_e164: Annotated[str | None, Field(max_length=64)] = None
    reason: Annotated[str | None, Field(max_length=200)] = None


class AddedEntry(BaseModel):
    entry: DncEntry


class RemovedEntry(BaseModel):
    deleted: bool
    phone_e164: str


@router.get("/dnc", summary="List DNC entries in number order: {entries, total, limit, offset} "
            "(?limit=1..1000, default 100; ?offset)", tags=TAGS, middlewares=[requires(Scope.READ)])
def list_numbers(limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> DncPage:
    from shared.compliance import service

    return service.list_numbers(current_principal(router), limit=limit, offset=offset)


@router.post("/dnc/add", summary="Add a number to DNC; re-adding refreshes its timestamp and reason (audited)",
             tags=TAGS, middlewares=[requires(Scope.WRITE)])
def add_number(body: Annotated[AddNumberRequest, Body()]) -> AddedEntry:
    from shared.compliance import service

    return AddedEntry(entry=service.add_number(current_principal(router), body.phone_e164, body.reason))


@router.delete("/dnc/<phone_e164>", summary="Remove a number from DNC (URL-encode the leading +); 404 if not listed",
               tags=TAGS, middlewares=[requires(Scope.WRITE)])
def remove_number(phone_e164: Annotated[str, Path(min_length=1, max_length=96)]) -> RemovedEntry:
    from shared.compliance import service

    return RemovedEntry(deleted=True, phone_e164=service.remove_number(current_principal(router), phone_e164))


@router.get("/dnc/check", summary="Test a number against DNC + NCPR (India) + 7-day cool-down, without side effects",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def check_number(phone_e164: Annotated[str, Query(min_length=1, max_length=64)]) -> NumberCheck:
    from shared.compliance import service

    return service.check_number(current_principal(router), phone_e164)


@router.post("/dnc/import", summary="Bulk-import: CSV upload (multipart field 'file': phone column + optional "
             "reason) or JSON {rows: [{phone_e164, reason?}]}; listed numbers are skipped, not refreshed",
             tags=TAGS, middlewares=[requires(Scope.WRITE)])
def import_numbers(file: Annotated[UploadFile | None, File()] = None,
                   rows: Annotated[list[ImportRowRequest] | None, Body(embed=True)] = None) -> DncImportResult:
    from shared.compliance import service

    parsed = None if rows is None else [DncImportRow(phone=row.phone_e164, reason=row.reason) for row in rows]
    return service.import_numbers(current_principal(router), csv_data=file.content if file else None, rows=parsed)
