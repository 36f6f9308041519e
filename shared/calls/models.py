"""One call attempt to one target: its carrier, status, conversation and outcome — and the calls API's views of it.

The stored record is written by the dialer and the status events (control plane) and, once a call streams
through the voice plane, by the voice plane: utterances with their offset and whether they were cut off,
per-turn latency and the recording. The views (`CallSummary`, `CallDetail`) are what `GET /calls` answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

CallStatus = Literal["placing", "queued", "initiated", "ringing", "in-progress", "completed", "busy", "no-answer",
                     "failed", "canceled"]
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
CallOutcome = Literal["converted", "not_interested", "callback", "opted_out", "voicemail", "failed", "busy",
                      "no_answer", "no_response", "transferred"]
CallReason = Literal["campaign", "callback"]
RECORDINGS_PREFIX = "recordings"


def recordings_prefix(tenant_id: int, call_id: str) -> str:
    """Where a call's recordings live in the media bucket (the voice plane writes there; DSR erase deletes it)."""
    return f"{RECORDINGS_PREFIX}/{tenant_id}/{call_id}/"


#: How the API names the two sides; the turn-by-turn path stored the callee as "callee".
ApiSpeaker = Literal["agent", "contact"]


class Utterance(BaseModel):
    """One stored transcript entry (`Call.transcript` holds their JSON). The turn-by-turn path writes
    {speaker, text, at}; the voice plane writes {speaker, text, offset_ms, interrupted} (and may add `at`)."""

    speaker: Literal["agent", "callee", "contact"]
    text: str
    at: datetime | None = None
    offset_ms: int | None = Field(None, ge=0, description="From the start of the conversation (answer)")
    interrupted: bool = False  # the callee barged in before the agent finished

    @field_validator("at")
    @classmethod
    def _in_utc(cls, at: datetime | None) -> datetime | None:
        return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


class Recording(BaseModel):
    """Both channels of a call in the media bucket, under `recordings/{tenant}/{call}/` (the voice plane)."""

    key: str
    duration_ms: int = Field(ge=0)
    channels: int = Field(2, ge=1, le=2)  # contact and agent on separate channels


class CallAnalysis(BaseModel):
    """The post-call analysis of a connected call (shared.call_analysis): one value per analysis field of the rule book
    the call was made under, null where the call did not tell."""

    fields: dict[str, Any] = Field(description="By the rule book's `analysis_fields` names: string, number, boolean, "
                                               "RFC 3339 datetime or list of strings; null when the call did not tell")
    generator: Literal["anthropic", "offline-composer"] = Field(
        description="Claude (structured output), or the deterministic offline composer (no Anthropic key)")
    model: str | None = Field(None, description="Claude's model id; null for the offline composer")
    analyzed_at: datetime
    #: Set when Claude was asked and failed, and the offline composer answered instead (e.g. LLM_UNAVAILABLE).
    fallback_reason: str | None = None


TransferStatus = Literal["requested", "ringing", "connected", "no_answer", "busy", "failed"]
#: A transfer still under way: the carrier has yet to report how the dial to the person ended.
TRANSFER_PENDING: tuple[str, ...] = ("requested", "ringing")


class CallTransfer(BaseModel):
    """A warm transfer of the call to the rule book's transfer number (shared.transfers): asked for by the voice plane,
    dialed by the carrier when the media stream ends, its leg billed and recorded like a call."""

    status: TransferStatus
    to_last4: str = Field(description="The transfer number's last four digits (the number is the rule book's)")
    requested_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int = 0
    charged_minor: int = 0
    recording: Recording | None = None
    whisper: str = Field(description="The one sentence the person heard before the callee was connected")
    #: What the callee said for the person when the transfer was not answered (the agent took a message).
    message: str | None = None


class Call(BaseModel):
    id: str  # one per (run, target, attempt): the carrier idempotency key
    tenant_id: int
    workflow_id: str
    run_id: str
    segment: int
    target_phone: str
    #: The sandbox callee the target's audience row named (issue 13 §6): played by the sandbox carrier (real carriers
    #: ignore it), kept so the next attempt plays it too; None when the row named none (the last digit decides).
    sandbox_behaviour: str | None = None
    attempt: int
    is_test: bool
    status: CallStatus = "placing"
    provider: str | None = None
    provider_call_sid: str | None = None
    #: The number the call was placed from (None: the carrier account's default caller id, e.g. the sandbox).
    from_number: str | None = None
    answered_by: Literal["human", "machine"] | None = None
    outcome: CallOutcome | None = None
    transcript: list[dict[str, Any]] = Field(default_factory=list)  # Utterance JSON, in the order spoken
    silences: int = 0  # turns the callee said nothing in a row
    objections: list[str] = Field(default_factory=list)  # rule-book objection triggers the callee raised
    pending_approval_id: str | None = None
    pending_concession: dict[str, Any] | None = None
    approval_ids: list[str] = Field(default_factory=list)
    reservation_id: str | None = None
    charged_minor: int = 0
    duration_seconds: int = 0
    #: End of the callee's speech → first agent audio sent, one per agent turn (the voice plane measures them).
    turn_latencies_ms: list[int] = Field(default_factory=list)
    recording: Recording | None = None
    analysis: CallAnalysis | None = None  # once the call is over and analysed (connected calls only)
    task_token: str | None = None
    #: The dialer step to hand back to the state machine once the call is over (set by the final status event).
    next_step: dict[str, Any] | None = None
    created_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    # --- Callbacks (issue 13 §4) ---
    #: Why the call was placed: a campaign's dialer step, or a callback the callee asked for (older rows: campaign).
    reason: CallReason = "campaign"
    callback_id: str | None = None  # the callback this call places
    # --- Transfers (issue 13 §5) ---
    transfer: CallTransfer | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


# --- The calls API (GET /calls, GET /calls/{id}) -------------------------------------------------------------

class CallSummary(BaseModel):
    """One call in a listing. Money is in the wallet's minor units (cents, paise)."""

    model_config = {"populate_by_name": True}

    id: str
    workflow_id: str
    run_id: str
    reason: CallReason = Field(description="campaign: a run's dialer placed it; callback: the callee asked for it")
    to: str = Field(description="The number called (E.164)")
    from_: str | None = Field(alias="from", description="The number called from; null: the carrier's default")
    status: CallStatus
    outcome: CallOutcome | None
    started_at: str = Field(description="When the call was placed (RFC 3339)")
    answered_at: str | None
    ended_at: str | None
    duration_seconds: int
    cost_minor: int
    currency: str
    has_recording: bool


class TranscriptLine(BaseModel):
    speaker: ApiSpeaker
    text: str
    offset_ms: int = Field(description="Milliseconds from the answer (from the dial when never answered)")
    interrupted: bool


class Latency(BaseModel):
    """Voice-to-voice per agent turn: end of the callee's speech → first agent audio sent."""

    turns: int
    p50_ms: int
    p95_ms: int


class RecordingLink(BaseModel):
    url: str = Field(description="A short-lived presigned GET URL")
    duration_ms: int
    channels: int


class TransferView(BaseModel):
    """`GET /calls/{id}`'s `transfer`: the warm transfer to a person, when the call had one."""

    status: TransferStatus
    to_last4: str
    duration_seconds: int
    charged_minor: int
    whisper: str
    message: str | None = Field(None, description="The callee's message when the person did not answer")
    recording_url: str | None = Field(None, description="A short-lived presigned GET URL of the transfer leg's "
                                                        "recording (both sides), once the carrier delivered it")


class CallDetail(CallSummary):
    callback_id: str | None = Field(description="The callback this call placed (reason callback); else null")
    transcript: list[TranscriptLine]
    latency: Latency | None = Field(description="null until the call has latency measurements")
    recording: RecordingLink | None
    analysis: CallAnalysis | None = Field(description="The post-call analysis: null until it is done, and for calls "
                                                      "nobody answered or an answering machine took")
    transfer: TransferView | None = Field(None, description="The warm transfer to a person; null when none")


class CallPage(BaseModel):
    calls: list[CallSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
