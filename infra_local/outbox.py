"""The sandbox outbox: email that the functions sent through SES, as moto kept it.

moto stores sent messages without a time, so each one is stamped when the outbox first collects it:
the server collects after every request (and before reading the outbox) and prints what is new.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
import threading
from dataclasses import dataclass
from typing import Any

from shared.platform import clock

LINK_PATTERN = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class SentEmail:
    id: str
    sender: str
    to: list[str]
    subject: str
    body: str
    links: list[str]
    sent_at: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.sender, "to": self.to, "subject": self.subject,
                "body": self.body, "links": self.links, "sent_at": self.sent_at}

    def announcement(self) -> str:
        lines = [f"[outbox] email to {', '.join(self.to)}: {self.subject}"]
        lines.extend(f"[outbox]   {link}" for link in self.links)
        return "\n".join(lines)


class Outbox:
    def __init__(self, *, account_id: str, region: str) -> None:
        self._account_id = account_id
        self._region = region
        self._seen: list[SentEmail] = []
        self._lock = threading.Lock()

    def sent(self) -> list[SentEmail]:
        """Every email collected so far, oldest first."""
        return list(self._seen)

    def collect_new(self) -> list[SentEmail]:
        """Emails sent since the last call, oldest first."""
        from moto.ses.models import ses_backends

        sent = ses_backends[self._account_id][self._region].sent_messages
        with self._lock:
            stamped_at = clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            new = [_describe(message, stamped_at) for message in sent[len(self._seen):]]
            self._seen.extend(new)
        return new


def _describe(message: Any, sent_at: str) -> SentEmail:
    """moto keeps three shapes: simple (`send_email`), raw MIME and templated messages."""
    if hasattr(message, "raw_data"):
        subject, body = _parse_raw(message.raw_data)
        recipients = list(message.destinations)
    elif hasattr(message, "template"):
        subject, body = f"(template {message.template})", message.template_data
        recipients = _addresses(message.destinations)
    else:
        subject, body = message.subject, message.body or ""
        recipients = _addresses(message.destinations)
    links = list(dict.fromkeys(html.unescape(link) for link in LINK_PATTERN.findall(body)))
    return SentEmail(message.id, message.source or "", recipients, subject or "", body, links, sent_at)


def _addresses(destinations: dict[str, list[str]]) -> list[str]:
    return [address for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(kind, [])]


def _parse_raw(raw_data: str) -> tuple[str, str]:
    parsed = email.message_from_string(raw_data, policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain", "html"))
    return str(parsed.get("Subject", "")), body.get_content() if body else ""
