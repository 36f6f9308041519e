"""The do-not-call list, its audit trail and number checks, as the domain and the API see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

DncAction = Literal["added", "refreshed", "removed"]
DncSource = Literal["api", "import", "call"]


class DncEntry(BaseModel):
    """One number on a tenant's DNC list; `id` stays the same when the number is re-added."""

    id: str
    phone_e164: str
    reason: str | None
    added_at: datetime


class DncPage(BaseModel):
    """`GET /dnc`: entries in number order, `total` = entries on the whole list."""

    entries: list[DncEntry]
    total: int
    limit: int
    offset: int


class DncAuditRecord(BaseModel):
    """An immutable row per DNC change (kept; only a DSR erase pseudonymises it)."""

    id: str
    tenant_id: int
    action: DncAction
    source: DncSource
    phone_e164: str
    reason: str | None
    actor: str  # "user:usr_…", "api_key:key_…", or "call:<sid>"
    at: datetime


class NumberCheck(BaseModel):
    """`GET /dnc/check`: what an upload or the dialer would decide for one number."""

    phone_e164: str
    on_dnc: bool
    on_ncpr: bool
    in_cooldown: bool
    would_be_filtered: bool


class DncImportResult(BaseModel):
    added: int
    skipped_existing: int
    skipped_invalid: int


class DncImportRow(BaseModel):
    """A row of a DNC import, before normalisation (a number in any common spelling)."""

    phone: str | None
    reason: str | None = None


@dataclass(frozen=True)
class Screening:
    """Which of a batch of E.164 numbers are blocked, and by what (a number can be in several sets)."""

    dnc: frozenset[str] = field(default_factory=frozenset)
    ncpr: frozenset[str] = field(default_factory=frozenset)
    cooldown: frozenset[str] = field(default_factory=frozenset)
