"""The one way to find the credential a provider adapter is built with (the onboarding domain owns them).

    credential = resolve_credential(principal.tenant_id, "twilio")
    if credential is None:
        adapter = SandboxTelephony(...)                      # nothing configured: the sandbox runs
    else:
        adapter = TwilioTelephony(account_sid=credential.primary_id, auth_token=credential.secret)

Order: the tenant's own (BYOK) credential when the tenant is in byok mode AND that credential passed live
validation; otherwise the bundled credential from settings (the platform's own account); otherwise None,
and the caller uses its sandbox adapter. A byok tenant whose key is missing or was refused by the provider
therefore falls back to bundled, never to a key known not to work.

Providers: "anthropic", "twilio", "exotel", "cartesia", "deepgram" (`shared.onboarding.providers`).
The secret is decrypted here (data keys cached ≤ 300 s) and must never be logged or returned by an API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.onboarding import repository
from shared.onboarding.providers import find
from shared.platform import crypto
from shared.platform.settings import get_settings


@dataclass(frozen=True)
class ResolvedCredential:
    provider: str
    source: Literal["byok", "bundled"]
    secret: str = field(repr=False)  # kept out of repr: a logged object must not leak it
    primary_id: str | None = None  # Twilio account SID, Exotel API key
    extra: dict[str, str] = field(default_factory=dict)  # Exotel: account_sid, subdomain

    @property
    def fields(self) -> dict[str, str]:
        """The values by the catalogue's field names, e.g. twilio → {"account_sid", "auth_token"}."""
        slots = {"primary_id": self.primary_id, "secret": self.secret}
        values = {spec.name: slots.get(spec.slot) if spec.slot != "extra" else self.extra.get(spec.name)
                  for spec in find(self.provider).fields}
        return {name: value for name, value in values.items() if value}


def resolve_credential(tenant_id: int, provider: str) -> ResolvedCredential | None:
    mode, sealed = repository.mode_and_sealed_secret(tenant_id, provider)
    if mode == "byok" and sealed is not None and sealed[0].validated:
        stored, envelope = sealed
        secret = crypto.decrypt(tenant_id, envelope).decode()
        return ResolvedCredential(provider=provider, source="byok", secret=secret, primary_id=stored.primary_id,
                                  extra=dict(stored.extra))
    return bundled_credential(provider)


def bundled_credential(provider: str) -> ResolvedCredential | None:
    """The platform's own credential, from settings; None unless every required field is configured."""
    settings = get_settings()
    configured = {
        "anthropic": {"api_key": settings.anthropic_api_key},
        "twilio": {"account_sid": settings.twilio_account_sid, "auth_token": settings.twilio_auth_token},
        "exotel": {"api_key": settings.exotel_api_key, "api_token": settings.exotel_api_token,
                   "account_sid": settings.exotel_account_sid, "subdomain": settings.exotel_subdomain,
                   "voicebot_app_id": settings.exotel_voicebot_app_id},
        "cartesia": {"api_key": settings.cartesia_api_key},
        "deepgram": {"api_key": settings.deepgram_api_key},
    }.get(provider)
    spec = find(provider)
    if configured is None or spec is None:
        return None
    values = {name: value.get_secret_value() if hasattr(value, "get_secret_value") else value
              for name, value in configured.items() if value}
    if any(field_spec.required and field_spec.name not in values for field_spec in spec.fields):
        return None
    by_slot = {field_spec.slot: values.get(field_spec.name) for field_spec in spec.fields if field_spec.slot != "extra"}
    extra = {field_spec.name: values[field_spec.name] for field_spec in spec.fields
             if field_spec.slot == "extra" and field_spec.name in values}
    return ResolvedCredential(provider=provider, source="bundled", secret=by_slot["secret"],
                              primary_id=by_slot.get("primary_id"), extra=extra)
