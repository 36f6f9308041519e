"""The providers a tenant can bring its own keys for, with the fields each one needs.

Every field says where its value goes in `PUT /onboarding/credentials/{provider}` (`slot`): the
provider's account id is `primary_id`, the one secret is `secret`, anything else is `extra.{name}`.
"""

from __future__ import annotations

from shared.onboarding.models import ProviderField, ProviderInfo

#: Exotel serves each region from its own API host; only these may be named (the host is called with the
#: tenant's secret, so it must never be a host of the tenant's choosing).
EXOTEL_SUBDOMAIN_PATTERN = r"^@?api(\.in)?\.exotel\.com$"


def _field(name: str, label: str, slot: str, *, required: bool = True, pattern: str | None = None) -> ProviderField:
    return ProviderField(name=name, label=label, secret=slot == "secret", required=required, slot=slot,
                         pattern=pattern)


PROVIDERS: tuple[ProviderInfo, ...] = (
    ProviderInfo(id="anthropic", name="Anthropic", category="llm",
                 fields=[_field("api_key", "API key", "secret", pattern=r"^sk-ant-[A-Za-z0-9_-]+$")],
                 docs_url="https://docs.anthropic.com/en/api/getting-started"),
    ProviderInfo(id="twilio", name="Twilio", category="telephony",
                 fields=[_field("account_sid", "Account SID", "primary_id", pattern=r"^AC[0-9a-fA-F]{32}$"),
                         _field("auth_token", "Auth token", "secret", pattern=r"^[0-9a-fA-F]{32}$")],
                 docs_url="https://www.twilio.com/docs/iam/api/account"),
    ProviderInfo(id="exotel", name="Exotel", category="telephony",
                 fields=[_field("api_key", "API key", "primary_id"),
                         _field("api_token", "API token", "secret"),
                         _field("account_sid", "Account SID", "extra"),
                         _field("subdomain", "API host (api.exotel.com or api.in.exotel.com)", "extra",
                                pattern=EXOTEL_SUBDOMAIN_PATTERN),
                         # Calls are connected to this flow (a Voicebot applet streaming to us); without it
                         # Exotel can still provision numbers, but places no calls.
                         _field("voicebot_app_id", "App id of the Voicebot flow (App Bazaar > My Apps)", "extra",
                                required=False, pattern=r"^[0-9]{1,12}$")],
                 docs_url="https://developer.exotel.com/api"),
    ProviderInfo(id="cartesia", name="Cartesia", category="tts",
                 fields=[_field("api_key", "API key", "secret")],
                 docs_url="https://docs.cartesia.ai/api-reference"),
    ProviderInfo(id="deepgram", name="Deepgram", category="stt",
                 fields=[_field("api_key", "API key", "secret")],
                 docs_url="https://developers.deepgram.com/reference"),
)

#: What a byok tenant needs validated before it can complete onboarding (speech-to-text is optional).
REQUIRED_CATEGORIES: tuple[str, ...] = ("llm", "telephony", "tts")


def find(provider_id: str) -> ProviderInfo | None:
    return next((provider for provider in PROVIDERS if provider.id == provider_id), None)


def in_category(category: str) -> list[str]:
    return [provider.id for provider in PROVIDERS if provider.category == category]
