"""Outbound email: a small port, with SES as the adapter (moto's SES is the local outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


class EmailSender(Protocol):
    def send(self, email: Email) -> bool:
        """True when the message was handed to the provider."""


class DisabledEmailSender:
    """No sender address configured: mails are skipped (signup's mail is best-effort)."""

    def send(self, email: Email) -> bool:
        return False


@lru_cache(maxsize=1)
def get_email_sender() -> EmailSender:
    from shared.platform.settings import get_settings

    sender = get_settings().email_sender
    if not sender:
        return DisabledEmailSender()
    from shared.providers.email.ses import SesEmailSender

    return SesEmailSender(sender)


def email_mode() -> str:
    """For /healthz: which adapter sends mail here."""
    from shared.platform.settings import get_settings

    settings = get_settings()
    if not settings.email_sender:
        return "disabled"
    return "sandbox" if settings.is_local else "ses"
