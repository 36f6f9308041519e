"""Data-subject requests: who the request is about, and what export and erase answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.approvals.models import ApprovalView
from shared.callbacks.models import CallbackView
from shared.timeline.models import TimelineEventView


class DsrRequest(BaseModel):
    """`POST /dsr/export` and `POST /dsr/erase`: the contact, by exactly one identifier — the reference's
    `contact_identifier` (a phone number in any common spelling, or an email address), or the `phone` /
    `email` aliases."""

    model_config = ConfigDict(extra="ignore")
    contact_identifier: str | None = Field(None, max_length=254,
                                           description="The contact's phone number (E.164 or national) or email")
    phone: str | None = Field(None, max_length=64, description="Alias of contact_identifier for a phone number")
    email: str | None = Field(None, max_length=254, description="Alias of contact_identifier for an email")


@dataclass(frozen=True)
class Contact:
    """The normalised identifiers of one contact of one tenant (at least one is set)."""

    tenant_id: int
    phone: str | None  # E.164
    email: str | None  # lower-cased

    @property
    def hash(self) -> str:
        from shared.dsr.pseudonyms import contact_hash

        return contact_hash("phone", self.phone) if self.phone else contact_hash("email", self.email or "")

    def spellings(self) -> tuple[str, ...]:
        """Every text form of the contact that must not survive an erase."""
        from shared.dsr.pseudonyms import phone_spellings

        return (*(phone_spellings(self.phone) if self.phone else ()), *((self.email,) if self.email else ()))


class ContactView(BaseModel):
    phone_e164: str | None
    email: str | None


class AudienceRecord(BaseModel):
    """One audience row naming the contact, with its script variables and the sandbox callee it named (if any)."""

    workflow_id: str
    workflow_name: str
    phone_e164: str
    variables: dict[str, str]
    sandbox_behaviour: str | None = None


class TransferRecord(BaseModel):
    """A call's warm transfer to a person: what the person heard (the whisper quotes the contact), the message the
    contact left when nobody answered, how and when it ended and what the leg cost."""

    status: str
    to_last4: str
    whisper: str
    message: str | None
    requested_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int
    charged_minor: int
    recording: str | None  # the leg's recording: its object name in the recordings ZIP


class CallRecord(BaseModel):
    """One call attempt to the contact, with what was said."""

    id: str
    workflow_id: str
    run_id: str
    attempt: int
    is_test: bool
    target_phone: str
    status: str
    provider: str | None
    answered_by: str | None
    outcome: str | None
    transcript: list[dict[str, Any]]
    objections: list[str]
    approval_ids: list[str]
    duration_seconds: int
    charged_minor: int
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    recordings: list[str]  # object names in the recordings ZIP
    analysis: dict[str, Any] | None = None  # the post-call analysis (its fields, who made it, when)
    transfer: TransferRecord | None = None  # the warm transfer to a person, when the call had one (issue 13 §5)


class DncRecord(BaseModel):
    """The contact's DNC entry ("entry") or one of its DNC audit rows ("audit")."""

    record: Literal["entry", "audit"]
    id: str
    phone_e164: str
    action: str | None
    source: str | None
    reason: str | None
    actor: str | None
    at: datetime


class ConsentAuditRecord(BaseModel):
    """A consent attestation of a workflow whose audience holds (or held) the contact."""

    workflow_id: str
    attested_at: datetime
    attested_by_user_id: str
    attestation: dict[str, Any]


class WebhookDeliveryRecord(BaseModel):
    """A signed-webhook delivery that named the contact: the body exactly as it was sent to the tenant's endpoint."""

    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    created_at: datetime
    body: str


class DsrExport(BaseModel):
    """`POST /dsr/export` 200: everything stored about one contact."""

    contact: ContactView
    audience: list[AudienceRecord]
    calls: list[CallRecord]
    approvals: list[ApprovalView]
    callbacks: list[CallbackView]  # the callbacks the contact asked for (issue 13)
    timeline: list[TimelineEventView]
    dnc: list[DncRecord]
    consent_audit: list[ConsentAuditRecord]
    webhook_deliveries: list[WebhookDeliveryRecord] = Field(default_factory=list)
    recordings_zip_url: str | None
    generated_at: datetime


class DsrErasure(BaseModel):
    """`POST /dsr/erase` 200: what was deleted and what was kept under a keyed hash, per store."""

    erased: bool
    contact_hash: str
    deleted: dict[str, int]
    pseudonymised: dict[str, int]
