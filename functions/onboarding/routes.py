"""Onboarding routes: the public provider catalogue, bundled/byok mode, sealed provider credentials.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.onboarding.models import (
    CompletedOnboarding,
    DeletedCredential,
    Mode,
    ModeView,
    OnboardingStatus,
    ProviderCatalogue,
    SavedCredential,
)
from shared.platform.http.input_types import PrintableText

router = APIGatewayHttpRouter()
TAGS = ["Onboarding"]
ProviderId = Annotated[str, Path(min_length=1, max_length=64)]
CredentialText = Annotated[str, Field(max_length=1024), PrintableText]


class ModeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    mode: Mode


class CredentialRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    primary_id: Annotated[str | None, Field(max_length=256), PrintableText] = None
    secret: Annotated[str, Field(min_length=1, max_length=1024), PrintableText]
    extra: Annotated[dict[str, CredentialText], Field(max_length=16)] = {}


@router.get("/onboarding/providers", summary="Providers a tenant can bring its own keys for, with their fields",
            tags=TAGS)
def list_providers() -> ProviderCatalogue:
    from shared.onboarding import service

    return service.catalogue()


@router.get("/onboarding/status", summary="Mode, validation state per provider and the completion checklist",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def get_status() -> OnboardingStatus:
    from shared.onboarding import service

    return service.get_status(current_principal(router))


@router.put("/onboarding/mode", summary="Switch between bundled and byok (saved keys stay, dormant in bundled)",
            tags=TAGS, middlewares=[requires(Scope.WRITE)])
def set_mode(body: Annotated[ModeRequest, Body()]) -> ModeView:
    from shared.onboarding import service

    return service.set_mode(current_principal(router), body.mode)


@router.put("/onboarding/credentials/<provider>",
            summary="Save a provider credential (AES-256-GCM at rest) and validate it live; 503 without a key",
            tags=TAGS, middlewares=[requires(Scope.WRITE)])
def save_credential(provider: ProviderId, body: Annotated[CredentialRequest, Body()]) -> SavedCredential:
    from shared.onboarding import service

    return service.save_credential(current_principal(router), provider, primary_id=body.primary_id,
                                   secret=body.secret, extra=body.extra)


@router.delete("/onboarding/credentials/<provider>",
               summary="Delete a provider credential; onboarding flips back to incomplete", tags=TAGS,
               middlewares=[requires(Scope.ADMIN)])
def delete_credential(provider: ProviderId) -> DeletedCredential:
    from shared.onboarding import service

    return service.delete_credential(current_principal(router), provider)


@router.post("/onboarding/complete", summary="Mark onboarding done (409 listing what is missing)", tags=TAGS,
             middlewares=[requires(Scope.WRITE)])
def complete() -> CompletedOnboarding:
    from shared.onboarding import service

    return service.complete(current_principal(router))
