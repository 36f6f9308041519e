"""The shared objection library: public and read-only, the same for every tenant.

The service is imported inside the route, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from shared.objections.models import Category, ObjectionView

router = APIGatewayHttpRouter()
TAGS = ["Objection library"]


class ObjectionList(BaseModel):
    objections: list[ObjectionView]


@router.get("/objections", summary="The seeded objection library with suggested rebuttals and use counts", tags=TAGS)
def list_objections(category: Annotated[Category | None, Query()] = None) -> ObjectionList:
    from shared.objections import service

    return ObjectionList(objections=service.list_objections(category))
