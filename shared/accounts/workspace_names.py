"""What a new workspace is called before its owner renames it.

The owner's name when signup gave one ("Priya Shah's workspace"); else the company the email's domain names
("ops@acme-corp.co.uk" → "Acme Corp"); at a personal mailbox provider the mailbox's own name
("priya.shah@gmail.com" → "Priya Shah's workspace"). Never the raw mailbox ("you's workspace").
"""

from __future__ import annotations

import re

MAX_LENGTH = 120
# Domains that say who hosts the mailbox, not whom it belongs to.
PERSONAL_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "yahoo.co.in", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de", "mail.com", "zoho.com", "yandex.com",
    "rediffmail.com", "fastmail.com", "hey.com", "tutanota.com",
})
# Second-level labels under a country code ("co.uk", "com.au"): the company is the label before them.
SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "firm", "gen", "ind"})
DEFAULT_NAME = "My workspace"


def workspace_name(email: str, full_name: str | None) -> str:
    owner = " ".join((full_name or "").split())
    if owner:
        return _owned_by(owner)
    mailbox, _, domain = email.strip().lower().rpartition("@")
    if domain in PERSONAL_MAIL:
        person = _words(mailbox.split("+", 1)[0])
        return _owned_by(person) if person else DEFAULT_NAME
    return _words(_company_label(domain))[:MAX_LENGTH] or DEFAULT_NAME


def _owned_by(owner: str) -> str:
    suffix = "'s workspace"
    return owner[:MAX_LENGTH - len(suffix)].rstrip() + suffix


def _company_label(domain: str) -> str:
    labels = [label for label in domain.split(".") if label]
    if len(labels) > 2 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) > 1 else (labels[0] if labels else "")


def _words(text: str) -> str:
    """"priya.shah" → "Priya Shah", "acme-corp" → "Acme Corp"; digits-only parts are dropped."""
    parts = [part for part in re.split(r"[._\-\s]+", text) if part and not part.isdigit()]
    return " ".join(part[:1].upper() + part[1:] for part in parts)
