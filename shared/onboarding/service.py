"""BYOK onboarding: choose bundled or byok, save provider credentials sealed and live-validated, complete.

Rules:
* bundled mode needs nothing from the tenant; byok needs a validated credential for an LLM, a telephony
  and a TTS provider before onboarding can be completed (speech-to-text is optional);
* saved credentials survive a switch to bundled (dormant) and count again on the switch back;
* deleting a credential always flips onboarding back to incomplete; any other change that breaks the
  checklist of the current mode does too;
* a secret is sealed before anything else happens (503 without a key to seal it with), validated with
  the provider, then stored once together with the verdict — never logged or returned;
* a secret the provider, or its format check, rejects is still saved (unvalidated, with the reason), as
  the reference's `{"saved": true, "validated": false, "error"}` says; a malformed one is never sent out.
  Only a missing or empty secret (or a malformed account id/host) is a 400.
"""

from __future__ import annotations

from shared.auth.principal import Principal
from shared.onboarding import providers, repository, validation
from shared.onboarding.models import (
    CompletedOnboarding,
    CredentialView,
    DeletedCredential,
    Mode,
    ModeView,
    OnboardingState,
    OnboardingStatus,
    ProviderCatalogue,
    ProviderInfo,
    ProviderState,
    SavedCredential,
    StoredCredential,
)
from shared.onboarding.rules import check_fields, checklist, missing_categories, relied_on, secret_format_problem
from shared.platform import clock, crypto
from shared.platform.errors import Conflict, NotFound
from shared.platform.observability import count_business_event, get_logger


def catalogue() -> ProviderCatalogue:
    return ProviderCatalogue(providers=list(providers.PROVIDERS))


def _provider(provider_id: str) -> ProviderInfo:
    provider = providers.find(provider_id)
    if provider is None:
        raise NotFound(f"Unknown provider '{provider_id}'", code="PROVIDER_NOT_FOUND", field="provider")
    return provider


def _status_of(state: OnboardingState) -> OnboardingStatus:
    states = {}
    for provider in providers.PROVIDERS:
        saved = state.credentials.get(provider.id)
        states[provider.id] = (ProviderState(saved=False, validated=None, validated_at=None) if saved is None else
                               ProviderState(saved=True, validated=saved.validated, validated_at=saved.validated_at,
                                             error=saved.validation_error))
    return OnboardingStatus(mode=state.mode, providers=states, checklist=checklist(state),
                            complete=state.completed_at is not None, completed_at=state.completed_at)


def get_status(principal: Principal) -> OnboardingStatus:
    return _status_of(repository.load(principal.tenant_id))


def _checklist_holds(state: OnboardingState) -> bool:
    return all(item.done for item in checklist(state))


def set_mode(principal: Principal, mode: Mode) -> ModeView:
    state = repository.load(principal.tenant_id)
    after = state.model_copy(update={"mode": mode})
    completed_at = state.completed_at if _checklist_holds(after) else None
    if state.version is None or state.mode != mode or completed_at != state.completed_at:
        repository.save_mode(state, mode, completed_at)
    count_business_event("OnboardingModeSet")
    return ModeView(mode=mode, complete=completed_at is not None)


def save_credential(principal: Principal, provider_id: str, *, primary_id: str | None, secret: str,
                    extra: dict[str, str]) -> SavedCredential:
    provider = _provider(provider_id)
    primary_id, secret, extra = check_fields(provider, primary_id, secret, extra)
    tenant_id = principal.tenant_id
    envelope = crypto.encrypt(tenant_id, secret.encode())  # first: no key to seal with → 503, nothing sent out
    format_problem = secret_format_problem(provider, secret)
    verdict = (validation.Verdict(validated=False, error=format_problem) if format_problem
               else validation.validate(provider.id, primary_id, secret, extra))
    now = clock.now_seconds()
    credential = StoredCredential(tenant_id=tenant_id, provider=provider.id, primary_id=primary_id, extra=extra,
                                  secret_last4=secret[-4:], saved_at=now, validated=verdict.validated,
                                  validated_at=now if verdict.validated else None,
                                  validation_error=verdict.error)
    state = repository.load(tenant_id)
    after = state.model_copy(update={"credentials": {**state.credentials, provider.id: credential}})
    breaks_completion = state.completed_at is not None and not _checklist_holds(after)
    repository.save_credential(credential, envelope, clear_completion_of=state if breaks_completion else None)
    get_logger().info("provider credential saved", extra={"tenant_id": tenant_id, "provider": provider.id,
                                                          "validated": verdict.validated})
    count_business_event("ProviderCredentialSaved")
    return SavedCredential(saved=True, validated=verdict.validated, error=verdict.error,
                           credential=CredentialView.of(credential))


def delete_credential(principal: Principal, provider_id: str) -> DeletedCredential:
    provider = _provider(provider_id)
    state = repository.load(principal.tenant_id)
    if provider.id not in state.credentials:
        raise NotFound(f"No saved {provider.name} credential", code="CREDENTIAL_NOT_FOUND", field="provider")
    repository.delete_credential(state, provider.id)
    count_business_event("ProviderCredentialDeleted")
    return DeletedCredential(deleted=True, provider=provider.id)


def complete(principal: Principal) -> CompletedOnboarding:
    state = repository.load(principal.tenant_id)
    missing = missing_categories(state)
    if missing:
        raise Conflict("Onboarding is not ready: " + "; ".join(problem["message"] for problem in missing),
                       code="ONBOARDING_INCOMPLETE", field=missing[0]["field"], errors=missing)
    if state.completed_at is not None:
        return CompletedOnboarding(complete=True, completed_at=state.completed_at)
    now = clock.now_seconds()
    repository.mark_complete(state, now, relied_on(state))
    count_business_event("OnboardingCompleted")
    return CompletedOnboarding(complete=True, completed_at=now)
