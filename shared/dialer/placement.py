"""Placing one call, for the dialer's step (a campaign's target) and for a due callback (`callback_calls.py`).

In order: claim the call (one conditional transaction on its id, so a retried step or a schedule fired twice never
dials twice), reserve the funds for its longest length (never for a test workflow), hand it to the carrier, then
record the carrier's call id. What to do with each way it can end (wait, skip, finish the target) is the caller's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from shared.calls import repository as calls
from shared.calls.models import FINAL_STATUSES, Call
from shared.platform import clock
from shared.platform.ids import new_id
from shared.platform.observability import get_logger
from shared.platform.settings import get_settings

PlacementResult = Literal["placed", "duplicate", "no_funds", "throttled", "rejected"]
#: The sandbox callee of a callback call: they asked to be called back and are ready now (INTERFACES_13).
CALLBACK_SANDBOX_BEHAVIOUR = "convert"


@dataclass(frozen=True)
class Placement:
    """How placing `call` went: placed; a call with its id exists already (duplicate); no funds (the call is
    recorded failed); the carrier said wait (`retry_after_seconds`; the claim is undone); the carrier refused it
    (recorded failed)."""

    result: PlacementResult
    call: Call
    retry_after_seconds: float = 0.0


def place(call: Call, workflow: Any, carrier: Any) -> Placement:
    from shared.billing import reservations
    from shared.platform.errors import PaymentRequired
    from shared.providers.telephony.calls import CallRejected, CarrierThrottled

    if calls.claim(call) is None:
        return Placement("duplicate", call)
    if not workflow.is_test:
        try:
            reservation_id = new_id("rsv")  # fresh per claim: a claim undone after a 429 never reuses a hold
            reservations.reserve(call.tenant_id, _expected_cost(call.tenant_id, workflow), reservation_id)
        except PaymentRequired:
            calls.update(call.tenant_id, call.id, status="failed", outcome="failed", ended_at=clock.now())
            return Placement("no_funds", call)
        call = calls.update(call.tenant_id, call.id, reservation_id=reservation_id)
    outbound = _outbound(call, workflow, carrier)
    try:
        placed = carrier.place_call(outbound)
    except CarrierThrottled as throttled:
        _undo_claim(call, workflow)
        return Placement("throttled", call, throttled.retry_after_seconds)
    except CallRejected:
        _undo_reservation(call, workflow)
        calls.update(call.tenant_id, call.id, status="failed", outcome="failed", ended_at=clock.now())
        return Placement("rejected", call)
    except Exception:
        _undo_claim(call, workflow)  # nothing was dialed: the caller's retry may dial
        raise
    # The status events may have come first (and closed the call): then only the carrier's ids are added.
    if calls.update_if(call.tenant_id, call.id, status_not_in=tuple(FINAL_STATUSES),
                       provider_call_sid=placed.provider_call_sid, from_number=outbound.from_e164,
                       status="queued") is None:
        calls.update(call.tenant_id, call.id, provider_call_sid=placed.provider_call_sid,
                     from_number=outbound.from_e164)
    get_logger().info("call placed", extra={"call_id": call.id, "carrier": carrier.name, "attempt": call.attempt,
                                            "reason": call.reason, "to_last4": call.target_phone[-4:]})
    return Placement("placed", call)


def _expected_cost(tenant_id: int, workflow: Any) -> int:
    from shared.billing import repository as billing

    wallet = billing.get_wallet(tenant_id)
    rate = wallet.rate_per_minute_minor if wallet else 0
    return max(1, math.ceil(workflow.rule_book.max_call_seconds / 60) * rate)


def _outbound(call: Call, workflow: Any, carrier: Any) -> Any:
    from shared.providers.telephony.calls import OutboundCall, webhook_url

    base = get_settings().public_base_url
    script: dict[str, Any] = {}
    if carrier.name == "sandbox":
        from shared.conversation.sandbox_callees import callee_for

        # The audience row's behaviour; a callback's callee asked for the call and is ready now.
        behaviour = CALLBACK_SANDBOX_BEHAVIOUR if call.reason == "callback" else call.sandbox_behaviour
        script = asdict(callee_for(call.target_phone, workflow.rule_book, behaviour=behaviour))
    return OutboundCall(call_id=call.id, to_e164=call.target_phone, from_e164=_caller_id(call.tenant_id, carrier),
                        voice_url=webhook_url(base, carrier.name, "voice", call.tenant_id, call.id),
                        status_url=webhook_url(base, carrier.name, "status", call.tenant_id, call.id),
                        amd_url=webhook_url(base, carrier.name, "amd", call.tenant_id, call.id),
                        time_limit_seconds=workflow.rule_book.max_call_seconds, machine_detection=True,
                        sandbox_script=script)


def _caller_id(tenant_id: int, carrier: Any) -> str | None:
    """The tenant's number on this carrier (one Query); the sandbox carrier calls from its own."""
    if carrier.name == "sandbox":
        return None
    from shared.numbers import repository as numbers

    for number in numbers.list_for_tenant(tenant_id):
        if number.status == "active" and number.provider == carrier.name:
            return number.phone_e164
    return None


def _undo_reservation(call: Call, workflow: Any) -> None:
    if not workflow.is_test and call.reservation_id:
        from shared.billing import reservations

        reservations.release(call.tenant_id, call.reservation_id)


def _undo_claim(call: Call, workflow: Any) -> None:
    _undo_reservation(call, workflow)
    calls.delete(call.tenant_id, call.id)
