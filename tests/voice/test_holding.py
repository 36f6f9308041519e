"""A callee holding for a human's decision on a concession: one hold line, then quiet with at most a reminder now
and then; what they say meanwhile starts no model turn (an opt-out still ends the call); the conversation resumes
with the decision the moment it is made, or with the fallback once the approval expires. The last test decides
the approval through shared.approvals.service on moto, as the dashboard would."""

from __future__ import annotations

import asyncio

from shared.approvals import service as approvals
from shared.calls import repository as calls
from shared.calls.models import Call
from shared.conversation import engine
from shared.conversation.models import ProposeConcession
from shared.platform import clock
from tests.voice.recording_effects import RecordingEffects
from tests.voice.test_brain import CALLEE, FAST, a_call, conversation, run, with_concessions
from voice.brain import ConversationTiming
from voice.effects import StoredCallEffects

RULE_BOOK = with_concessions(auto=10, hard=30)
ASKED_15 = ProposeConcession(kind="discount_percent", percent=15, say_hold_message="")


def test_a_percent_above_the_auto_approve_limit_holds_the_callee_and_resumes_with_the_approval():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, RULE_BOOK)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Can you do 15% off?")
            assert await call.until(lambda: effects.recorded("pending_approval_id") == ["apr_concession_1"])
            assert call.spoken()[-1] == engine.HOLD and brain.mode == "holding"
            await call.agent_speaks()
            await call.callee_says("Hello? Are you there?")  # holding: no model turn
            await asyncio.sleep(0.1)
            assert call.model_turns() == 0 and call.spoken()[-1] == engine.HOLD
            effects.decisions["apr_concession_1"] = "approved"
            assert await call.until(lambda: brain.mode == "talking")
            assert await call.until(lambda: len(call.spoken()) == 3)
            assert brain.limits.percent == 15  # the agent (and the model) may name it from now on
            await call.callee_says("Great, tell me more.")
            assert await call.until(lambda: call.model_turns() == 1)

    run(scenario)
    assert [(asked.kind, asked.percent) for asked in effects.concessions] == [("discount_percent", 15)]
    assert effects.timeline[-1] != ("say", engine.HOLD)
    assert engine.after_decision(RULE_BOOK, ASKED_15, approved=True).say in [text for kind, text in effects.timeline
                                                                             if kind == "say"]
    assert effects.recorded("pending_approval_id") == ["apr_concession_1", None]
    assert effects.recorded("approval_ids") == [["apr_concession_1"]]


def test_a_denied_or_expired_approval_ends_the_hold_with_the_fallback():
    for status in ("denied", "expired"):
        effects = RecordingEffects()

        async def scenario(effects=effects, status=status):
            brain, call = conversation(effects, RULE_BOOK)
            async with call:
                await call.after_the_opener(RULE_BOOK)
                await call.callee_says("Can you do 15% off?")
                assert await call.until(lambda: brain.mode == "holding")
                effects.decisions["apr_concession_1"] = status
                assert await call.until(lambda: brain.mode == "talking" and len(call.spoken()) == 3)
                assert call.spoken()[-1] == engine.after_decision(RULE_BOOK, ASKED_15, approved=False).say
                assert brain.limits.percent == 10

        run(scenario)


def test_a_long_hold_hears_a_short_reminder_at_most_every_so_often_and_quiet_in_between():
    effects = RecordingEffects()
    timing = ConversationTiming(**{**FAST.__dict__, "hold_reminder_seconds": 0.3})

    async def scenario():
        brain, call = conversation(effects, RULE_BOOK, timing)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Can you do 15% off?")
            assert await call.until(lambda: brain.mode == "holding")
            await asyncio.sleep(0.75)
            reminders = call.spoken().count(engine.STILL_CHECKING)
            assert 1 <= reminders <= 2, call.spoken()
            assert call.spoken().count(engine.HOLD) == 1

    run(scenario)


def test_an_opt_out_while_holding_still_ends_the_call_at_once():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, RULE_BOOK)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Can you do 15% off?")
            assert await call.until(lambda: brain.mode == "holding")
            await call.callee_says("Forget it, stop calling me.")
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert effects.opted_out == [CALLEE] and effects.timeline[-1] == ("say", engine.GOODBYE)


def test_the_hold_resumes_when_the_approval_is_decided_through_the_approvals_service(table):
    stored = a_call(RULE_BOOK)
    calls.delete(stored.tenant_id, stored.call_id)
    calls.claim(Call(id=stored.call_id, tenant_id=stored.tenant_id, workflow_id=stored.workflow_id,
                     run_id=stored.run_id, segment=1, target_phone=stored.target_phone, attempt=1, is_test=False,
                     status="in-progress", created_at=clock.now()))
    effects = StoredCallEffects()
    timing = ConversationTiming(**{**FAST.__dict__, "approval_poll_seconds": 0.05})

    async def scenario():
        brain, call = conversation(effects, RULE_BOOK, timing)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says("Could you do 15% off?")
            assert await call.until(lambda: (calls.get(stored.tenant_id, stored.call_id).pending_approval_id
                                             is not None), timeout=5)
            approval_id = calls.get(stored.tenant_id, stored.call_id).pending_approval_id
            pending = approvals.get_decision(stored.tenant_id, approval_id)
            assert pending.status == "pending" and pending.call_id == stored.call_id
            assert pending.context["percent"] == 15 and "holding on the line" in pending.rationale
            await asyncio.to_thread(approvals.decide, approvals.Actor(stored.tenant_id, "user:manager"), approval_id,
                                    "approve")
            assert await call.until(lambda: brain.mode == "talking", timeout=5)
            assert await call.until(lambda: call.spoken()[-1] == engine.after_decision(
                RULE_BOOK, ASKED_15, approved=True).say, timeout=5)
            assert await call.until(lambda: calls.get(stored.tenant_id, stored.call_id).pending_approval_id is None,
                                    timeout=5)
            kept = calls.get(stored.tenant_id, stored.call_id)
            assert kept.approval_ids == [approval_id] and kept.answered_by == "human"

    run(scenario)
