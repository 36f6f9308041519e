"""API key routes. Logged-in users only: an API key cannot manage API keys.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from shared.api_keys.models import ApiKeyView, MintedApiKey, ScopeLabel
from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.platform.http.input_types import PrintableName, PrintableText, timestamp_text_only

router = APIGatewayHttpRouter()
TAGS = ["API keys"]
KeyId = Annotated[str, Path(min_length=1, max_length=64)]


class MintKeyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: Annotated[str, Field(min_length=1, max_length=120), PrintableName]
    scope: ScopeLabel = "admin"
    expires_in_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = None  # stated in the document too
    expires_at: Annotated[datetime | None, BeforeValidator(timestamp_text_only)] = None


class RevokeKeyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: Annotated[str | None, Field(max_length=80), PrintableText] = None


class KeyList(BaseModel):
    keys: list[ApiKeyView]


class KeyDeleted(BaseModel):
    deleted: bool
    id: str


@router.get("/api-keys", summary="List every key of the workspace (secrets never returned)", tags=TAGS,
            middlewares=[requires(Scope.READ, users_only=True)])
def list_keys() -> KeyList:
    from shared.api_keys import service

    return KeyList(keys=service.list_keys(current_principal(router)))


@router.post("/api-keys", summary="Mint a key; the secret is in this response only", tags=TAGS,
             status_code=201, middlewares=[requires(Scope.WRITE, users_only=True)])
def mint_key(body: Annotated[MintKeyRequest, Body()]) -> MintedApiKey:
    from shared.api_keys import service

    return service.mint_key(current_principal(router), name=body.name, scope=body.scope,
                            expires_in_days=body.expires_in_days, expires_at=body.expires_at)


@router.post("/api-keys/<id>/revoke", summary="Revoke a key (idempotent); it fails on its next use", tags=TAGS,
             middlewares=[requires(Scope.WRITE, users_only=True)])
def revoke_key(id: KeyId, body: Annotated[RevokeKeyRequest | None, Body()] = None) -> ApiKeyView:
    from shared.api_keys import service

    return service.revoke_key(current_principal(router), id, body.reason if body else None)


@router.delete("/api-keys/<id>", summary="Hard-delete a revoked or expired key (409 while active)", tags=TAGS,
               middlewares=[requires(Scope.ADMIN, users_only=True)])
def delete_key(id: KeyId) -> KeyDeleted:
    from shared.api_keys import service

    service.delete_key(current_principal(router), id)
    return KeyDeleted(deleted=True, id=id)
