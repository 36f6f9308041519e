"""Onboarding as the API shows it: the provider catalogue, the tenant's mode, credentials and checklist.

Secrets never appear here: a credential is shown by its last four characters only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

Mode = Literal["bundled", "byok"]
Category = Literal["llm", "telephony", "tts", "stt"]
Slot = Literal["primary_id", "secret", "extra"]


class ProviderField(BaseModel):
    name: str
    label: str
    secret: bool
    required: bool
    #: Where the value goes in `PUT /onboarding/credentials/{provider}`: primary_id, secret, or extra.{name}.
    slot: Slot
    pattern: str | None = None


class ProviderInfo(BaseModel):
    id: str
    name: str
    category: Category
    fields: list[ProviderField]
    docs_url: str


class ProviderCatalogue(BaseModel):
    providers: list[ProviderInfo]


class StoredCredential(BaseModel):
    """One saved credential without its secret (the sealed envelope stays in the repository)."""

    tenant_id: int
    provider: str
    primary_id: str | None
    extra: dict[str, str]
    secret_last4: str
    saved_at: datetime
    validated: bool | None
    validated_at: datetime | None
    validation_error: str | None


class OnboardingState(BaseModel):
    """Everything stored about one tenant's onboarding (read in one Query)."""

    tenant_id: int
    mode: Mode = "bundled"
    completed_at: datetime | None = None
    credentials: dict[str, StoredCredential] = {}
    version: int | None = None  # of the mode/completion item; None until it is first written


class CredentialView(BaseModel):
    provider: str
    primary_id: str | None
    secret_last4: str
    saved_at: datetime
    validated_at: datetime | None

    @classmethod
    def of(cls, credential: StoredCredential) -> "CredentialView":
        return cls(provider=credential.provider, primary_id=credential.primary_id,
                   secret_last4=credential.secret_last4, saved_at=credential.saved_at,
                   validated_at=credential.validated_at)


class SavedCredential(BaseModel):
    """`PUT /onboarding/credentials/{provider}`: saved even when the provider refused it."""

    saved: bool
    validated: bool
    error: str | None = None
    credential: CredentialView


class ProviderState(BaseModel):
    saved: bool
    validated: bool | None
    validated_at: datetime | None
    error: str | None = None


class ChecklistItem(BaseModel):
    item: str
    done: bool


class OnboardingStatus(BaseModel):
    mode: Mode
    providers: dict[str, ProviderState]
    checklist: list[ChecklistItem]
    complete: bool
    completed_at: datetime | None


class ModeView(BaseModel):
    mode: Mode
    complete: bool


class CompletedOnboarding(BaseModel):
    complete: bool
    completed_at: datetime


class DeletedCredential(BaseModel):
    deleted: bool
    provider: str
