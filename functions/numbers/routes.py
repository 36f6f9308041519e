"""Phone number routes: search the carrier's inventory, buy, import, list and release.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
Search is a POST that changes nothing, so it needs only the read scope; releasing is destructive
(admin).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.numbers.models import AvailableNumberView, PhoneNumber

router = APIGatewayHttpRouter()
TAGS = ["Numbers"]
NumberId = Annotated[str, Path(min_length=1, max_length=64)]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2,4}$")]
AreaCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,6}$")]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    country: CountryCode
    area_code: AreaCode | None = None
    limit: Annotated[StrictInt, Field(ge=1, le=50)] = 10


class NumberRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    phone_e164: PhoneText


class NumberList(BaseModel):
    numbers: list[PhoneNumber]


class AvailableNumbers(BaseModel):
    numbers: list[AvailableNumberView]


@router.get("/numbers", summary="The workspace's numbers (provisioned and imported, active and released)",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def list_numbers() -> NumberList:
    from shared.numbers import service

    return NumberList(numbers=service.list_numbers(current_principal(router)))


@router.post("/numbers/search", summary="Search the carrier's available numbers (changes nothing)", tags=TAGS,
             middlewares=[requires(Scope.READ)])
def search_numbers(body: Annotated[SearchRequest, Body()]) -> AvailableNumbers:
    from shared.numbers import service

    found = service.search_available(current_principal(router), body.country, body.area_code, body.limit)
    return AvailableNumbers(numbers=found)


@router.post("/numbers/provision", summary="Buy a number from search, webhooks wired (Idempotency-Key honoured)",
             tags=TAGS, status_code=201, middlewares=[requires(Scope.WRITE)])
def provision_number(body: Annotated[NumberRequest, Body()]) -> PhoneNumber:
    from shared.numbers import service

    return service.provision_number(current_principal(router), body.phone_e164)


@router.post("/numbers/import", summary="Bring a number your carrier account holds; its webhooks are wired",
             tags=TAGS, status_code=201, middlewares=[requires(Scope.WRITE)])
def import_number(body: Annotated[NumberRequest, Body()]) -> PhoneNumber:
    from shared.numbers import service

    return service.import_number(current_principal(router), body.phone_e164)


@router.post("/numbers/<id>/release", summary="Release a number: webhooks unwired, monthly rent stops (idempotent)",
             tags=TAGS, middlewares=[requires(Scope.ADMIN)])
def release_number(id: NumberId) -> PhoneNumber:
    from shared.numbers import service

    return service.release_number(current_principal(router), id)
