"""Which adapter each provider port uses here: the real provider when configured, else the sandbox."""

from __future__ import annotations

from pydantic import BaseModel


class ProviderStatus(BaseModel):
    configured: bool
    mode: str  # the adapter in use: the provider's name, or the sandbox adapter's ("offline-composer", …)
    sandbox: bool


def provider_statuses() -> dict[str, ProviderStatus]:
    from shared.platform.settings import get_settings
    from shared.providers.email.selection import email_mode

    settings = get_settings()

    def pick(configured: bool, real: str, sandbox: str = "sandbox") -> ProviderStatus:
        return ProviderStatus(configured=configured, mode=real if configured else sandbox, sandbox=not configured)

    email = email_mode()
    return {
        "llm": pick(settings.anthropic_api_key is not None, "anthropic", "offline-composer"),
        "telephony": _telephony(settings),
        "tts": pick(settings.cartesia_api_key is not None, "cartesia", "sandbox-mp3"),
        "stt": pick(settings.deepgram_api_key is not None, "deepgram"),
        "payments": pick(settings.payments_api_key is not None, "stripe", "sandbox-processor"),
        "slack": _slack(settings),
        "email": ProviderStatus(configured=email != "disabled", mode=email, sandbox=email != "ses"),
    }


def _telephony(settings) -> ProviderStatus:
    """Bundled carriers: Exotel (for India) and/or Twilio; the sandbox carrier when neither is set."""
    carriers = [name for name, configured in (
        ("twilio", settings.twilio_account_sid and settings.twilio_auth_token),
        ("exotel", settings.exotel_api_key and settings.exotel_api_token and settings.exotel_account_sid),
    ) if configured]
    return ProviderStatus(configured=bool(carriers), mode="+".join(carriers) or "sandbox-carrier",
                          sandbox=not carriers)


def _slack(settings) -> ProviderStatus:
    """"Add to Slack" for each tenant's own workspace: Slack itself, the local stack's sandbox Slack, or nothing
    (no app credentials: tenants decide approvals through the API only)."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return ProviderStatus(configured=False, mode="disabled", sandbox=False)
    real = settings.slack_api_base_url.startswith("https://slack.com/")
    return ProviderStatus(configured=True, mode="slack-oauth" if real else "sandbox-slack", sandbox=not real)
