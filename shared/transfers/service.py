"""Warm transfers to a person (issue 13 §5): the steps of a transfer after the voice plane decided it.

1. The voice plane asks for it (`request_transfer`): the call gets `transfer` (status `requested`, the whisper) while
   the agent says it is connecting them, then it closes the media stream.
2. Twilio asks the `<Connect>`'s action what follows the stream (`answer_stream_end`): a `<Dial>` to the rule book's
   transfer number (status `ringing`), whose `<Number url>` is the whisper (`answer_whisper`), recorded both sides
   from the answer — or `<Hangup/>` when no transfer was asked for.
3. The `<Dial>`'s action says how it ended (`record_dial_result`): answered → `connected`, the leg billed per started
   minute like a call (its own ledger entry), a `transfer` timeline event and `call.transferred`; not answered
   (no-answer, busy, failed) → the call streams back to the voice plane with `transfer=<status>`, where the agent
   apologises, takes a message (`take_message`) and proposes a callback (the callback approval path).
4. The recording callback (`keep_recording`) stores the leg's recording under the call's recordings prefix (so DSR
   export and erase find it with the call's other recordings) and points the transfer at it in a write of its own,
   so it may land before, during or after the dial's result without either losing the other's fields.

Each step is one conditional write on the transfer's status, so a repeated webhook changes nothing twice. Exotel's
Voicebot applet has no action after its stream: a transfer on Exotel is recorded `failed` at once and the agent
takes a message there and then (docs/ARCHITECTURE.md, "Transfers").
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.billing.service import charge_call_leg
from shared.calls import conversation, twiml
from shared.calls import repository as calls
from shared.calls.conversation import TWIML, VoiceAnswer
from shared.calls.models import TRANSFER_PENDING, Call, CallTransfer, Recording, TransferStatus, recordings_prefix
from shared.media import repository as media
from shared.onboarding.call_selection import get_call_carrier_named
from shared.platform import clock
from shared.platform.errors import NotFound, Unavailable
from shared.platform.events import publish_event
from shared.platform.ids import new_id
from shared.platform.observability import get_logger
from shared.platform.pseudonyms import is_pseudonym
from shared.platform.settings import get_settings
from shared.providers.telephony.calls import RecordingDownloads, webhook_url
from shared.timeline import service as timeline
from shared.timeline.models import TimelineContact, TimelineEvent
from shared.workflows.service import rule_book_of

RECORDING_FILE = "transfer.wav"
#: Twilio's DialCallStatus → the transfer's status ("answered" is what a bridged dial reports on some accounts).
DIAL_STATUSES: dict[str, TransferStatus] = {"completed": "connected", "answered": "connected", "busy": "busy",
                                            "no-answer": "no_answer", "failed": "failed", "canceled": "failed"}
NOT_ANSWERED_SUMMARY = {"no_answer": "Transfer not answered; the agent took a message",
                        "busy": "Transfer not answered (line busy); the agent took a message",
                        "failed": "Transfer not answered (the call could not be put through); the agent took a message"}
#: Said to the callee when the stream cannot come back after a failed transfer (no voice plane configured).
CANNOT_CONTINUE = "I'm sorry, my colleague isn't available right now. Someone will get back to you. Goodbye."


def request_transfer(tenant_id: int, call_id: str, *, number: str, whisper: str,
                     status: TransferStatus = "requested") -> CallTransfer | None:
    """The voice plane is connecting the callee to a person at `number`: one transfer per call (None when the call
    has one already). `status` is `failed` where the carrier cannot dial out after the stream (Exotel)."""
    transfer = CallTransfer(status=status, to_last4=number[-4:], requested_at=clock.now(), whisper=whisper)
    return transfer if calls.set_transfer_if(tenant_id, call_id, transfer, from_statuses=None) else None


def answer_stream_end(provider: str, tenant_id: int, call_id: str) -> VoiceAnswer:
    """The media stream ended: dial the requested transfer (once), else hang up."""
    call = _call(tenant_id, call_id)
    transfer = call.transfer
    if call.is_final or transfer is None or transfer.status != "requested":
        return VoiceAnswer(TWIML, twiml.hang_up())
    rule_book = rule_book_of(tenant_id, call.workflow_id)
    number = rule_book.transfer_policy.number if rule_book is not None else None
    if number is None or number[-4:] != transfer.to_last4:  # the rule book changed since: nobody to dial
        _settle_not_answered(call, transfer, "failed")
        return VoiceAnswer(TWIML, twiml.hang_up())
    if calls.set_transfer_if(tenant_id, call_id, transfer.model_copy(update={"status": "ringing"}),
                             from_statuses=("requested",)) is None:
        return VoiceAnswer(TWIML, twiml.hang_up())  # a repeated action request: the first one dialed

    def url(kind: Any) -> str:
        return webhook_url(get_settings().public_base_url, provider, kind, tenant_id, call_id)

    return VoiceAnswer(TWIML, twiml.dial_transfer(
        number, caller_id=call.from_number, ring_seconds=rule_book.transfer_policy.ring_seconds,
        action=url("dial-result"), whisper_url=url("whisper"), recording_callback=url("transfer-recording")))


def answer_whisper(tenant_id: int, call_id: str) -> VoiceAnswer:
    """What the person hears on answering, before the callee is connected."""
    transfer = _call(tenant_id, call_id).transfer
    return VoiceAnswer(TWIML, twiml.say(transfer.whisper) if transfer is not None else twiml.hang_up())


def record_dial_result(provider: str, tenant_id: int, call_id: str, params: dict[str, str]) -> VoiceAnswer:
    """How the transfer's dial ended. Answered: the leg is billed and announced, and the call ends. Not answered:
    the callee goes back to the agent, who takes a message."""
    call = _call(tenant_id, call_id)
    transfer = call.transfer
    status = DIAL_STATUSES.get((params.get("DialCallStatus") or "").strip().lower(), "failed")
    if transfer is None or transfer.status not in TRANSFER_PENDING:
        return VoiceAnswer(TWIML, twiml.hang_up())  # a repeat, or no transfer of ours
    if status == "connected":
        _settle_connected(call, transfer, _seconds(params.get("DialCallDuration")))
        return VoiceAnswer(TWIML, twiml.hang_up())
    if not _settle_not_answered(call, transfer, status) or call.is_final:
        return VoiceAnswer(TWIML, twiml.hang_up())
    try:
        return conversation.stream_to_voice_plane(provider, tenant_id, call_id, transfer=status)
    except Unavailable:
        return VoiceAnswer(TWIML, twiml.apologise_and_hang_up(CANNOT_CONTINUE))


def keep_recording(provider: str, tenant_id: int, call_id: str, params: dict[str, str]) -> Recording | None:
    """The carrier's recording of the transfer leg is ready: copy it under the call's recordings prefix and point the
    transfer at it. None when there is nothing to keep (not completed, no transfer, an erased contact)."""
    call = _call(tenant_id, call_id)
    url = (params.get("RecordingUrl") or "").strip()
    if (params.get("RecordingStatus") or "completed").strip().lower() != "completed" or not url:
        return None
    if call.transfer is None or is_pseudonym(call.target_phone):
        return None
    carrier = get_call_carrier_named(tenant_id, provider)
    if not isinstance(carrier, RecordingDownloads):
        return None
    audio = carrier.fetch_recording(url)
    key = f"{recordings_prefix(tenant_id, call_id)}{RECORDING_FILE}"
    duration_ms = _seconds(params.get("RecordingDuration")) * 1000
    media.put_recording(key, audio, "audio/wav", duration_ms)
    recording = Recording(key=key, duration_ms=duration_ms, channels=2 if params.get("RecordingChannels") != "1" else 1)
    # Its own write, beside the transfer's JSON: the dial's result, settling the same transfer at the same moment,
    # rewrites that JSON from what it read and would otherwise drop the pointer (or refuse this write).
    if calls.set_transfer_recording(tenant_id, call_id, recording, contact_phone=call.target_phone) is None:
        return None  # a DSR erase dropped the transfer meanwhile: nothing points at the object
    return recording


def take_message(tenant_id: int, call_id: str, message: str) -> None:
    """The callee's message for the person who did not answer, kept on the transfer (the agent proposes a callback
    next). Not after a DSR erase, and only once."""
    call = _call(tenant_id, call_id)
    transfer = call.transfer
    if transfer is None or transfer.message or is_pseudonym(call.target_phone):
        return
    calls.set_transfer_if(tenant_id, call_id, transfer.model_copy(update={"message": message.strip()[:1000]}),
                          from_statuses=(transfer.status,))


# --- Settling a dial ---------------------------------------------------------------------------------------------

def _settle_connected(call: Call, transfer: CallTransfer, seconds: int) -> None:
    now = clock.now()
    connected = transfer.model_copy(update={"status": "connected", "answered_at": now - timedelta(seconds=seconds),
                                            "ended_at": now, "duration_seconds": seconds})
    if calls.set_transfer_if(call.tenant_id, call.id, connected, from_statuses=TRANSFER_PENDING) is None:
        return  # the same result again: settled once already
    minutes, charged = 0, 0
    if not call.is_test:  # test workflows are never billed, like their calls
        minutes, charged = charge_call_leg(
            call.tenant_id, seconds, reference_id=f"{call.id}#transfer",
            description=f"Transfer of the call to …{call.target_phone[-4:]} to …{transfer.to_last4}, "
                        f"{max(1, -(-seconds // 60))} min")
    if charged:
        connected = connected.model_copy(update={"charged_minor": charged})
        calls.set_transfer_if(call.tenant_id, call.id, connected, from_statuses=("connected",))
    _on_timeline(call, connected, f"Transferred to a person (…{connected.to_last4}, {_talk(seconds)})")
    publish_event(call.tenant_id, "call.transferred", {
        "call_id": call.id, "workflow_id": call.workflow_id, "run_id": call.run_id, "to": call.target_phone,
        "transfer_to_last4": connected.to_last4, "status": connected.status, "requested_at": connected.requested_at,
        "answered_at": connected.answered_at, "ended_at": connected.ended_at,
        "duration_seconds": connected.duration_seconds, "minutes_billed": minutes,
        "charged_minor": connected.charged_minor, "whisper": connected.whisper, "is_test": call.is_test})
    get_logger().info("transfer connected", extra={"tenant_id": call.tenant_id, "call_id": call.id,
                                                   "duration_seconds": seconds, "charged_minor": charged})


def _settle_not_answered(call: Call, transfer: CallTransfer, status: TransferStatus) -> bool:
    ended = transfer.model_copy(update={"status": status, "ended_at": clock.now()})
    if calls.set_transfer_if(call.tenant_id, call.id, ended, from_statuses=TRANSFER_PENDING) is None:
        return False
    _on_timeline(call, ended, NOT_ANSWERED_SUMMARY[status])
    return True


def _on_timeline(call: Call, transfer: CallTransfer, summary: str) -> None:
    timeline.record(call.tenant_id, TimelineEvent(
        id=new_id("tle"), tenant_id=call.tenant_id, at=transfer.ended_at or clock.now(), kind="transfer",
        direction="outbound", workflow_id=call.workflow_id, run_id=call.run_id, summary=summary,
        contact=TimelineContact(phone=call.target_phone),
        payload={"call_id": call.id, "status": transfer.status, "to_last4": transfer.to_last4,
                 "duration_seconds": transfer.duration_seconds, "charged_minor": transfer.charged_minor,
                 "whisper": transfer.whisper, "is_test": call.is_test}))


def _call(tenant_id: int, call_id: str) -> Call:
    call = calls.get(tenant_id, call_id)
    if call is None:
        raise NotFound("No such call", code="CALL_NOT_FOUND")
    return call


def _seconds(value: str | None) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _talk(seconds: int) -> str:
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
