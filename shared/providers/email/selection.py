"""Which email adapter sends here: SES when a sender address is configured, else none (mail is skipped)."""

from __future__ import annotations

from functools import lru_cache

from shared.platform.settings import get_settings
from shared.providers.email.port import DisabledEmailSender, EmailSender
from shared.providers.email.ses import SesEmailSender


@lru_cache(maxsize=1)
def get_email_sender() -> EmailSender:
    sender = get_settings().email_sender
    if not sender:
        return DisabledEmailSender()
    return SesEmailSender(sender)


def email_mode() -> str:
    """For /healthz: which adapter sends mail here."""
    settings = get_settings()
    if not settings.email_sender:
        return "disabled"
    return "sandbox" if settings.is_local else "ses"
