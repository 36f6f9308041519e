"""The rule book: everything the AI caller may say and do in one campaign.

This model is also the JSON schema Claude fills through a tool, so every field carries a description
written for the model, and the types stay plain (strings, numbers, lists, small enums). Rules that
need context — legal calling windows, known personas, consistent limits — live in `validator.py`,
so a wrong value comes back as a field-by-field 422 rather than an unreadable parse error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: What the caller may concede, and which of them are money amounts (limits in minor units).
CONCESSION_KINDS: tuple[str, ...] = ("discount_percent", "fee_waiver", "credit", "extended_trial",
                                     "free_shipping", "payment_extension", "free_session")
MONEY_CONCESSIONS: frozenset[str] = frozenset({"fee_waiver", "credit"})

#: What a post-call analysis field may hold: text, a number, yes/no, a moment (RFC 3339), or a list of short texts.
AnalysisFieldType = Literal["string", "number", "boolean", "datetime", "string_list"]
ANALYSIS_FIELD_TYPES: tuple[str, ...] = ("string", "number", "boolean", "datetime", "string_list")
MAX_ANALYSIS_FIELDS = 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Disclosures(_Strict):
    ai_disclosure: str = Field(description="The exact sentence of the opener that says the call is automated / made "
                                           "by an AI assistant, e.g. 'I am an AI assistant calling on behalf of X'.")
    recording_notice: str = Field(description="The exact sentence of the opener that says the call is recorded.")
    opt_out: str = Field(description="The exact sentence (in the opener or system prompt) that offers an early "
                                     "opt-out, e.g. 'If you would rather not get these calls, say stop'.")


class ObjectionHandler(_Strict):
    trigger: str = Field(description="What the callee says, e.g. 'too expensive' or 'abhi time nahi hai'.")
    rebuttal: str = Field(description="How the caller answers that objection, politely and truthfully.")
    objection_id: str | None = Field(None, description="The id of the library objection this handler comes from, "
                                                       "if any.")


class ConcessionPolicy(_Strict):
    allowed: list[str] = Field(description="What the caller may offer, among: " + ", ".join(CONCESSION_KINDS)
                               + ". Empty when the campaign makes no offers.")
    currency: str = Field(description="ISO 4217 currency of the money limits, e.g. 'INR' or 'USD'.")
    auto_approve_percent: int = Field(0, description="Discount percent the caller may give without a human "
                                                     "(0 when discounts are not allowed).")
    hard_max_percent: int | None = Field(None, description="Discount percent never exceeded, even with approval "
                                                           "(null when discounts are not allowed).")
    auto_approve_limit_minor: int = Field(0, description="Money concession (fee waiver, credit) the caller may give "
                                                         "without a human, in minor units (cents, paise).")
    hard_max_minor: int | None = Field(None, description="Money concession never exceeded, in minor units "
                                                         "(null when no money concession is allowed).")
    approval_required_above_limit: bool = Field(description="True when anything above the auto-approve limits, up "
                                                            "to the hard maximum, goes to a human for approval.")


class CallbackPolicy(_Strict):
    allowed: bool = Field(description="Whether the caller may promise a callback at a time the callee picks.")
    max_days_ahead: int = Field(7, description="How far ahead a callback may be booked, in days (0-30).")
    requires_approval: bool = Field(False, description="True when a human must accept each callback request.")
    handled_by: str | None = Field(None, description="Who calls back, e.g. 'front desk' or 'sales manager'.")


class VoicemailPolicy(_Strict):
    action: Literal["hang_up", "leave_message"] = Field(description="What to do when an answering machine picks up.")
    message: str | None = Field(None, description="The voicemail text; required with leave_message, else null. It "
                                                  "must also say the call is automated.")


class TransferPolicy(_Strict):
    number: str | None = Field(None, description="The phone number (E.164, e.g. '+14155550123') a callee is "
                                                 "transferred to when they want a person; null when the campaign "
                                                 "transfers nobody (then a callback is offered instead).")
    when_callee_asks: bool = Field(True, description="Transfer when the callee asks for a person (a real person, "
                                                     "a human, an agent, a manager).")
    on_approval: bool = Field(True, description="Allow a human deciding an approval to transfer the holding "
                                                "callee instead of answering.")
    ring_seconds: int = Field(20, description="How long the transfer number rings before the transfer counts as "
                                              "not answered, 5-60 seconds.")

    @property
    def enabled(self) -> bool:
        return self.number is not None


class RetryRule(_Strict):
    max_attempts: int = Field(description="Total attempts for this outcome, 1-10.")
    spacing_minutes: int = Field(description="Minutes between attempts, 10-10080.")


class RetryPolicy(_Strict):
    busy: RetryRule = Field(description="When the line was busy.")
    no_answer: RetryRule = Field(description="When nobody answered.")
    voicemail: RetryRule = Field(description="When an answering machine picked up.")


class CallingWindow(_Strict):
    start: str = Field(description="First minute calls may start, 24-hour 'HH:MM'.")
    end: str = Field(description="Time by which calls must stop, 24-hour 'HH:MM', later than start.")
    timezone: str = Field(description="IANA time zone of start/end, e.g. 'Asia/Kolkata', 'America/New_York'.")
    recipient_local: bool = Field(False, description="True when start/end apply in each recipient's own time zone "
                                                     "(derived from their number); timezone is then the reference.")
    days: list[Weekday] = Field(description="Days calls may be placed.")


class AnalysisField(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$",
                      description="The key the value is stored under: snake_case, at most 40 characters.")
    type: AnalysisFieldType = Field(description="string, number, boolean, datetime (RFC 3339) or string_list.")
    description: str = Field(min_length=1, max_length=300,
                             description="What to extract from the call, written for the analyst that reads the "
                                         "transcript.")
    choices: list[str] | None = Field(None, description="For a string field: the only values it may take (2-10), e.g. "
                                                        "positive, neutral, negative. Null otherwise.")


#: Every rule book's analysis fields unless the tenant changes them (also what a rule book stored before they
#: existed reads as).
DEFAULT_ANALYSIS_FIELDS: tuple[AnalysisField, ...] = (
    AnalysisField(name="summary", type="string",
                  description="Two or three sentences: what was discussed and how the call ended."),
    AnalysisField(name="sentiment", type="string", choices=["positive", "neutral", "negative"],
                  description="The callee's overall attitude during the call."),
    AnalysisField(name="interested", type="boolean",
                  description="Whether the callee showed interest in what was offered (null when it is unclear)."),
    AnalysisField(name="callback_requested_at", type="datetime",
                  description="When the callee asked to be called back, as a moment (null when they did not ask or "
                              "named no time)."),
    AnalysisField(name="concession_percent", type="number",
                  description="The discount percent agreed on the call (null when no discount was agreed)."),
    AnalysisField(name="objections", type="string_list",
                  description="The objections the callee raised, a few words each (empty when none)."),
    AnalysisField(name="next_step", type="string",
                  description="What the business should do next, in one short sentence."),
)


def default_analysis_fields() -> list[AnalysisField]:
    return [field.model_copy(deep=True) for field in DEFAULT_ANALYSIS_FIELDS]


class RuleBookMetadata(_Strict):
    generator: Literal["anthropic", "offline-composer"] = Field(description="Set by the platform.")
    model: str | None = Field(None, description="Set by the platform.")
    generated_at: datetime | None = Field(None, description="Set by the platform.")
    prompt_sha256: str | None = Field(None, description="Set by the platform.")


class RuleBook(_Strict):
    system_prompt: str = Field(description="Instructions for the AI caller: who it calls for, the goal, tone, what "
                                           "it may and may not do. Must require honouring any opt-out at once.")
    opener: str = Field(description="The first words of every call: the caller's name, the business, that this is "
                                    "an automated AI call, that it is recorded, and how to opt out.")
    disclosures: Disclosures = Field(description="The disclosure sentences, quoted from the opener.")
    objection_handlers: list[ObjectionHandler] = Field(description="Likely objections and their rebuttals.")
    goals: list[str] = Field(description="What a successful call achieves, most important first.")
    qualification_questions: list[str] = Field(description="Questions the caller asks to qualify the callee.")
    concession_policy: ConcessionPolicy = Field(description="What may be offered and the limits.")
    callback_policy: CallbackPolicy = Field(description="Whether and how callbacks may be promised.")
    voicemail_policy: VoicemailPolicy = Field(description="What to do on an answering machine.")
    retry_policy: RetryPolicy = Field(description="Retries by call outcome.")
    calling_window: CallingWindow = Field(description="When calls may be placed; inside the legal window of every "
                                                      "audience country (US 08:00-21:00, India 09:00-21:00 local).")
    max_call_seconds: int = Field(300, description="Hard limit on one call's length, 30-1800 seconds.")
    language: str = Field(description="Language of the call as a BCP 47 tag, e.g. 'en', 'hi', 'en-IN'.")
    persona: str = Field(description="The voice persona: amelia, rohan, kai, anya, leo or priya.")
    schedule_kind: Literal["once", "daily", "weekdays", "manual"] = Field(description="How runs are scheduled.")
    analysis_fields: list[AnalysisField] = Field(
        default_factory=default_analysis_fields, max_length=MAX_ANALYSIS_FIELDS,
        description="What the post-call analysis extracts from every connected call. Leave it out to get the "
                    "defaults (summary, sentiment, interested, callback_requested_at, concession_percent, objections, "
                    "next_step); give it only when the campaign asks to capture something else, and then keep the "
                    "defaults and add to them.")
    transfer_policy: TransferPolicy = Field(
        default_factory=TransferPolicy,
        description="Warm transfers to a person: the number and when to use it. Leave the number null unless the "
                    "campaign names a number (or team line) to transfer callees to.")
    metadata: RuleBookMetadata | None = Field(None, description="Filled in by the platform; leave it null.")

    def objection_ids(self) -> list[str]:
        """The library objections this rule book uses, once each, in order."""
        seen: dict[str, None] = {}
        for handler in self.objection_handlers:
            if handler.objection_id:
                seen.setdefault(handler.objection_id, None)
        return list(seen)
