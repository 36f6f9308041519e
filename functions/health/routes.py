"""Public routes: health and provider status, the OpenAPI document, Swagger UI."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from shared.providers.status import ProviderStatus

router = APIGatewayHttpRouter()
TAGS = ["Health"]


class Health(BaseModel):
    status: str
    version: str
    environment: str
    sandbox: bool
    providers: dict[str, ProviderStatus]


@router.get("/healthz", summary="Service health and provider configuration (sandbox vs real)", tags=TAGS)
def health() -> Health:
    from shared.platform.settings import get_settings
    from shared.providers.status import provider_statuses

    settings = get_settings()
    providers = provider_statuses()
    return Health(status="ok", version=settings.version, environment=settings.environment,
                  sandbox=any(status.sandbox for status in providers.values()), providers=providers)


@router.get("/openapi.json", include_in_schema=False)
def openapi_document():
    from functions.openapi.document import merged_openapi

    return merged_openapi()


@router.get("/docs", include_in_schema=False)
def swagger_ui():
    from functions.openapi.document import swagger_page

    return Response(status_code=200, content_type="text/html", body=swagger_page())
