"""Pure onboarding rules: what a credential must contain, and what completion requires in each mode."""

from __future__ import annotations

import re

from shared.onboarding import providers
from shared.onboarding.models import ChecklistItem, OnboardingState, ProviderInfo
from shared.platform.errors import BadRequest


def check_fields(provider: ProviderInfo, primary_id: str | None, secret: str, extra: dict[str, str]
                 ) -> tuple[str | None, str, dict[str, str]]:
    """The credential's values, trimmed and checked against the provider's field schema.

    Extra values the provider does not use are dropped (they would only be stored for nothing); all
    problems are reported at once, each with its field. The secret is only checked for presence here:
    a secret in the wrong format is a verdict (`secret_format_problem`), saved unvalidated, not a 400.
    """
    values = {"primary_id": (primary_id or "").strip() or None, "secret": secret.strip() or None}
    kept_extra: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    for field in provider.fields:
        if field.slot == "extra":
            name, value = f"extra.{field.name}", (extra.get(field.name) or "").strip() or None
        else:
            name, value = field.slot, values[field.slot]
        if value is None:
            if field.required:
                problems.append({"field": name, "message": f"{field.label} ({field.name}) is required"})
            continue
        if field.pattern and field.slot != "secret" and not re.fullmatch(field.pattern, value):
            problems.append({"field": name, "message": f"{field.label} ({field.name}) must match {field.pattern}"})
        if field.slot == "extra":
            kept_extra[field.name] = value
    if problems:
        raise BadRequest(f"Invalid {provider.name} credential: " + "; ".join(p["message"] for p in problems),
                         code="VALIDATION_ERROR", field=problems[0]["field"], errors=problems)
    uses_primary_id = any(field.slot == "primary_id" for field in provider.fields)
    return (values["primary_id"] if uses_primary_id else None), values["secret"], kept_extra


def secret_format_problem(provider: ProviderInfo, secret: str) -> str | None:
    """Why the (trimmed) secret cannot be the provider's, by its format alone; None when it may be."""
    for field in provider.fields:
        if field.slot == "secret" and field.pattern and not re.fullmatch(field.pattern, secret):
            return f"rejected by format check: {field.label} ({field.name}) must match {field.pattern}"
    return None


def _validated_in(state: OnboardingState, category: str) -> list[str]:
    return [provider_id for provider_id in providers.in_category(category)
            if (saved := state.credentials.get(provider_id)) is not None and saved.validated]


def checklist(state: OnboardingState) -> list[ChecklistItem]:
    if state.mode == "bundled":
        return [ChecklistItem(item="bundled providers selected", done=True)]
    return [ChecklistItem(item=f"{category} credential validated", done=bool(_validated_in(state, category)))
            for category in providers.REQUIRED_CATEGORIES]


def missing_categories(state: OnboardingState) -> list[dict[str, str]]:
    """What stops completion, as `[{"field": category, "message"}]` (empty when ready)."""
    if state.mode == "bundled":
        return []
    return [{"field": category,
             "message": f"a validated {category} credential is missing (one of: "
                        f"{', '.join(providers.in_category(category))})"}
            for category in providers.REQUIRED_CATEGORIES if not _validated_in(state, category)]


def relied_on(state: OnboardingState) -> list[str]:
    """One validated provider per required category: the credentials a completion depends on."""
    if state.mode == "bundled":
        return []
    return [_validated_in(state, category)[0] for category in providers.REQUIRED_CATEGORIES]
