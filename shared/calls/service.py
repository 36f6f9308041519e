"""The calls API: a tenant's calls newest first (filtered by workflow, run, number or status), one call with
its transcript, latency and recording, and the recording itself.

Every filter is served by a key (CL3–CL5 in ACCESS_PATTERNS.md). Given several, the most selective one picks
the listing (a number's few calls, then a run's, a workflow's, a status's) and the others are checked on the
calls read from it, at most `MAX_READ_PER_PAGE` a request: a sparse match costs more pages, never a request
that reads a whole history. The cursor is the listing sort key the page ended on (base64url), checked for
shape; it can only ever move within the caller's own tenant, whose id comes from the principal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime

from shared.auth.principal import Principal
from shared.billing.service import wallet_currency
from shared.calls import repository
from shared.calls.models import (
    Call,
    CallDetail,
    CallPage,
    CallReason,
    CallStatus,
    CallSummary,
    Latency,
    RecordingLink,
    TranscriptLine,
    TransferView,
    Utterance,
    recordings_prefix,
)
from shared.media.service import url_for
from shared.phones import to_e164
from shared.platform import clock, cursors
from shared.platform.errors import BadRequest, NotFound
from shared.platform.settings import get_settings
from shared.platform.storage import keys

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_READ_PER_PAGE = 500
_CURSOR_SORT_KEY = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#[A-Za-z0-9_-]{1,64}")


def list_calls(principal: Principal, *, workflow_id: str | None = None, run_id: str | None = None,
               phone: str | None = None, status: CallStatus | None = None, reason: CallReason | None = None,
               limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> CallPage:
    after = cursors.decode(cursor, _CURSOR_SORT_KEY.fullmatch) if cursor else None
    e164 = _e164(phone) if phone is not None else None
    dimension, value = _listing(workflow_id, run_id, e164, status, reason)
    calls, last = repository.page(principal.tenant_id, dimension=dimension, value=value, limit=limit, after=after,
                                  keep=_matching(workflow_id, run_id, e164, status, reason),
                                  max_read=MAX_READ_PER_PAGE)
    currency = wallet_currency(principal) if calls else ""
    return CallPage(calls=[_summary(call, currency) for call in calls],
                    next_cursor=cursors.encode(last) if last else None)


def get_call(principal: Principal, call_id: str) -> CallDetail:
    call = _owned_call(principal, call_id)
    return CallDetail(**_summary(call, wallet_currency(principal)).model_dump(by_alias=True),
                      callback_id=call.callback_id, transcript=transcript_of(call),
                      latency=latency_of(call.turn_latencies_ms), recording=_recording_link(call),
                      analysis=call.analysis, transfer=_transfer_view(call))


def recording_url(principal: Principal, call_id: str) -> str:
    """Where the call's recording can be fetched (a short-lived presigned URL); 404 when it has none."""
    link = _recording_link(_owned_call(principal, call_id))
    if link is None:
        raise NotFound("This call has no recording", code="RECORDING_NOT_FOUND")
    return link.url


def _owned_call(principal: Principal, call_id: str) -> Call:
    call = repository.get(principal.tenant_id, call_id)
    if call is None:
        raise NotFound("Call not found", code="CALL_NOT_FOUND", field="id")
    return call


# --- Listing ---------------------------------------------------------------------------------------------

def _listing(workflow_id: str | None, run_id: str | None, e164: str | None, status: str | None,
             reason: str | None = None) -> tuple[str | None, str | None]:
    """The listing to read: the most selective filter given (None: all the tenant's calls by time). Only callback
    calls have a reason listing (`campaign` is nearly every call: filtered on the listing read instead)."""
    callbacks_only = reason if reason is not None and reason != "campaign" else None
    for dimension, value in ((keys.CALLS_BY_PHONE, e164), (keys.CALLS_BY_RUN, run_id),
                             (keys.CALLS_BY_REASON, callbacks_only), (keys.CALLS_BY_WORKFLOW, workflow_id),
                             (keys.CALLS_BY_STATUS, status)):
        if value is not None:
            return dimension, value
    return None, None


def _matching(workflow_id: str | None, run_id: str | None, e164: str | None, status: str | None,
              reason: str | None = None) -> Callable[[Call], bool]:
    wanted = {name: value for name, value in (("workflow_id", workflow_id), ("run_id", run_id),
                                              ("target_phone", e164), ("status", status), ("reason", reason))
              if value is not None}
    return lambda call: all(getattr(call, name) == value for name, value in wanted.items())


def _e164(raw: str) -> str:
    """E.164, also when the `+` of an unencoded query string arrived as a space."""
    text = raw.strip()
    e164 = to_e164(text, None) or (to_e164(f"+{text}", None) if text[:1].isdigit() else None)
    if e164 is None:
        raise BadRequest("phone: not a valid phone number (E.164, e.g. +14155550123)",
                         code="INVALID_PHONE_NUMBER", field="phone")
    return e164




# --- Views -----------------------------------------------------------------------------------------------

def _summary(call: Call, currency: str) -> CallSummary:
    return CallSummary(id=call.id, workflow_id=call.workflow_id, run_id=call.run_id, reason=call.reason,
                       to=call.target_phone,
                       from_=call.from_number, status=call.status, outcome=call.outcome,
                       started_at=clock.iso(call.created_at) or "", answered_at=clock.iso(call.answered_at),
                       ended_at=clock.iso(call.ended_at), duration_seconds=call.duration_seconds,
                       cost_minor=call.charged_minor, currency=currency, has_recording=call.recording is not None)


def transcript_of(call: Call) -> list[TranscriptLine]:
    """The utterances as the API shows them. The voice plane stores each one's offset; the turn-by-turn
    path stored wall-clock stamps, measured here from the conversation's start (the answer, or the first
    line when that was stamped earlier — the opener is spoken as the carrier reports the answer)."""
    utterances = [Utterance.model_validate(entry) for entry in call.transcript]
    stamps = [utterance.at for utterance in utterances if utterance.at is not None]
    start = min([call.answered_at or call.created_at, *stamps])
    return [TranscriptLine(speaker="agent" if utterance.speaker == "agent" else "contact", text=utterance.text,
                           offset_ms=_offset_ms(utterance, start), interrupted=utterance.interrupted)
            for utterance in utterances]


def _offset_ms(utterance: Utterance, start: datetime) -> int:
    if utterance.offset_ms is not None:
        return utterance.offset_ms
    if utterance.at is None:
        return 0
    return max(0, round((utterance.at - start).total_seconds() * 1000))


def latency_of(measurements_ms: list[int]) -> Latency | None:
    """Turns measured and their p50/p95 (nearest rank); None before any measurement."""
    if not measurements_ms:
        return None
    ordered = sorted(measurements_ms)

    def percentile(p: int) -> int:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return Latency(turns=len(ordered), p50_ms=percentile(50), p95_ms=percentile(95))


def _recording_link(call: Call) -> RecordingLink | None:
    recording = call.recording
    # Only ever an object under this tenant's and this call's own prefix.
    if recording is None or not recording.key.startswith(recordings_prefix(call.tenant_id, call.id)):
        return None
    return RecordingLink(url=url_for(recording.key, get_settings().recording_url_ttl_seconds),
                         duration_ms=recording.duration_ms, channels=recording.channels)


def _transfer_view(call: Call) -> TransferView | None:
    transfer = call.transfer
    if transfer is None:
        return None
    recording = transfer.recording
    url = (url_for(recording.key, get_settings().recording_url_ttl_seconds)
           if recording is not None and recording.key.startswith(recordings_prefix(call.tenant_id, call.id)) else None)
    return TransferView(status=transfer.status, to_last4=transfer.to_last4, duration_seconds=transfer.duration_seconds,
                        charged_minor=transfer.charged_minor, whisper=transfer.whisper, message=transfer.message,
                        recording_url=url)
