"""Outbound email: a small port, with SES as the adapter (moto's SES is the local outbox).

Services get a sender through `shared.providers.email.selection.get_email_sender()`.
"""

from __future__ import annotations

from dataclasses import dataclass
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
