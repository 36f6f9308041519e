"""The voice webhooks' service: each carrier request about a live call becomes the TwiML of the next turn.

Answered synchronously (the caller is on the line): one GetItem of the call, one of the workflow, the turn
engine, one UpdateItem of the call. `answer` speaks the opener (AI disclosure and recording notice first)
or handles an answering machine; `turn` feeds what the callee said to the engine; `hold` keeps a callee
waiting for a human's decision on a concession, then continues with it. An opt-out writes the DNC list
before the goodbye is spoken.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.calls import repository as calls
from shared.calls import twiml
from shared.calls.models import Call
from shared.conversation import engine
from shared.conversation.models import (
    Action,
    Continue,
    End,
    OptOut,
    ProposeConcession,
    RequestCallback,
    Transcript,
)
from shared.platform import clock
from shared.platform.errors import NotFound
from shared.platform.settings import get_settings
from shared.providers.telephony.calls import webhook_url
from shared.workflows.models import Workflow

MAX_SILENCES = 2
STILL_THERE = "Sorry, I didn't catch that. Are you still there?"
NO_RESPONSE = "I can't hear you, so I'll let you go. Goodbye."
STILL_CHECKING = "Thanks for holding, I'm still checking."
# On hold the carrier asks again every HOLD_PAUSE_SECONDS (so a decision reaches the callee promptly), but the
# callee hears quiet, with one short reminder at most every HOLD_REMINDER_SECONDS — not a line every poll.
HOLD_PAUSE_SECONDS = 5
HOLD_REMINDER_SECONDS = 25
APPROVAL_TTL_SECONDS = 300
CALLBACK_SAY = "I've passed your request on; someone from our team will confirm the callback. Thank you, goodbye."


class _Turn:
    """One webhook's context: the call, its workflow and how to speak on it."""

    def __init__(self, provider: str, call: Call, workflow: Workflow) -> None:
        self.provider, self.call, self.workflow = provider, call, workflow
        self.rule_book = workflow.rule_book
        self.voice = twiml.voice_for(self.rule_book.persona, self.rule_book.language)
        self.now = clock.now()

    def url(self, kind: str) -> str:
        return webhook_url(get_settings().public_base_url, self.provider, kind, self.call.tenant_id, self.call.id)

    def transcript(self) -> Transcript:
        return Transcript.model_validate({"turns": self.call.transcript})

    def said(self, *turns: tuple[str, str]) -> list[dict[str, Any]]:
        return [*self.call.transcript, *({"speaker": speaker, "text": text, "at": _iso(self.now)}
                                         for speaker, text in turns if text)]

    def speak(self, text: str) -> str:
        return twiml.speak_and_listen(text, gather_url=self.url("gather"), language=self.rule_book.language,
                                      voice=self.voice, fallback_url=self.url("gather"))

    def goodbye(self, text: str) -> str:
        return twiml.goodbye(text, voice=self.voice, language=self.rule_book.language)


def _load(provider: str, tenant_id: int, call_id: str) -> _Turn:
    from shared.workflows import repository as workflows

    call = calls.get(tenant_id, call_id)
    workflow = workflows.get(tenant_id, call.workflow_id) if call else None
    if call is None or workflow is None:
        raise NotFound("No such call", code="CALL_NOT_FOUND")
    return _Turn(provider, call, workflow)


def answer(provider: str, tenant_id: int, call_id: str, params: dict[str, str]) -> str:
    """The call connected: a machine gets the voicemail (or a hang-up); a person hears the opener at once."""
    turn = _load(provider, tenant_id, call_id)
    if turn.call.is_final:
        return twiml.hang_up()
    if params.get("AnsweredBy", "").startswith(("machine", "fax")):
        voicemail = engine.on_machine(turn.rule_book)
        calls.update(tenant_id, call_id, answered_by="machine", outcome="voicemail", answered_at=turn.now,
                     transcript=turn.said(("agent", voicemail.message or "")))
        return twiml.voicemail(voicemail.message, voice=turn.voice, language=turn.rule_book.language)
    opener = engine.opening(turn.rule_book).say
    calls.update(tenant_id, call_id, answered_by="human", answered_at=turn.call.answered_at or turn.now,
                 transcript=turn.said(("agent", opener)))
    return turn.speak(opener)


def turn(provider: str, tenant_id: int, call_id: str, params: dict[str, str]) -> str:
    """The callee spoke (SpeechResult), or said nothing (the Gather's fallback)."""
    current = _load(provider, tenant_id, call_id)
    if current.call.is_final:
        return twiml.hang_up()
    utterance = (params.get("SpeechResult") or "").strip()
    if not utterance:
        return _silence(current)
    action = engine.next_action(current.rule_book, current.transcript(), utterance, agent=_agent(current),
                                now=current.now)
    return _act(current, utterance, action)


def hold(provider: str, tenant_id: int, call_id: str, params: dict[str, str]) -> str:
    """The callee waits on a concession: keep holding while it is pending, then say what was decided."""
    del params
    current = _load(provider, tenant_id, call_id)
    call = current.call
    if call.is_final:
        return twiml.hang_up()
    if not call.pending_approval_id or not call.pending_concession:
        return current.speak("Thank you for holding. How else can I help?")
    from shared.approvals import service as approvals

    decision = approvals.get_decision(tenant_id, call.pending_approval_id)
    if decision.status == "pending":
        reminder = STILL_CHECKING if _seconds_since_agent_spoke(current) >= HOLD_REMINDER_SECONDS else ""
        if reminder:
            calls.update(tenant_id, call_id, transcript=current.said(("agent", reminder)))
        return twiml.hold(reminder, hold_url=current.url("hold"), pause_seconds=HOLD_PAUSE_SECONDS,
                          voice=current.voice, language=current.rule_book.language)
    concession = ProposeConcession.model_validate(call.pending_concession)
    reply = engine.after_decision(current.rule_book, concession, approved=decision.status == "approved").say
    calls.update(tenant_id, call_id, pending_approval_id=None, pending_concession=None,
                 transcript=current.said(("agent", reply)))
    return current.speak(reply)


def _seconds_since_agent_spoke(current: _Turn) -> float:
    """Since the agent's last line (the hold message or the last reminder), by the transcript's stamps."""
    spoken = [turn.get("at") for turn in current.call.transcript if turn.get("speaker") == "agent"]
    try:
        last = datetime.fromisoformat(spoken[-1]) if spoken and spoken[-1] else None
    except ValueError:
        last = None
    return float("inf") if last is None else (current.now - last).total_seconds()


def _silence(current: _Turn) -> str:
    silences = current.call.silences + 1
    if silences > MAX_SILENCES:
        calls.update(current.call.tenant_id, current.call.id, silences=silences, outcome="no_response",
                     transcript=current.said(("agent", NO_RESPONSE)))
        return current.goodbye(NO_RESPONSE)
    calls.update(current.call.tenant_id, current.call.id, silences=silences,
                 transcript=current.said(("agent", STILL_THERE)))
    return current.speak(STILL_THERE)


def _act(current: _Turn, utterance: str, action: Action) -> str:
    call = current.call
    tenant_id = call.tenant_id
    heard = _objections_heard(current, utterance)
    if isinstance(action, OptOut):
        _opt_out(call)
        calls.update(tenant_id, call.id, outcome="opted_out", silences=0, objections=heard,
                     transcript=current.said(("callee", utterance), ("agent", action.say_goodbye)))
        return current.goodbye(action.say_goodbye)
    if isinstance(action, End):
        calls.update(tenant_id, call.id, outcome=action.outcome, silences=0, objections=heard,
                     transcript=current.said(("callee", utterance), ("agent", action.say)))
        return current.goodbye(action.say)
    if isinstance(action, ProposeConcession):
        approval_id = _ask_for_concession(current, action, utterance)
        calls.update(tenant_id, call.id, pending_approval_id=approval_id, silences=0, objections=heard,
                     pending_concession=action.model_dump(mode="json"), approval_ids=[*call.approval_ids, approval_id],
                     transcript=current.said(("callee", utterance), ("agent", action.say_hold_message)))
        return twiml.hold(action.say_hold_message, hold_url=current.url("hold"), pause_seconds=HOLD_PAUSE_SECONDS,
                          voice=current.voice, language=current.rule_book.language)
    if isinstance(action, RequestCallback):
        approval_id = _ask_for_callback(current, action, utterance)
        calls.update(tenant_id, call.id, outcome="callback", silences=0, objections=heard,
                     approval_ids=[*call.approval_ids, approval_id],
                     transcript=current.said(("callee", utterance), ("agent", CALLBACK_SAY)))
        return current.goodbye(CALLBACK_SAY)
    # Continue; anything else here (the engine never lets a live turn leave a voicemail) asks again.
    say = action.say if isinstance(action, Continue) else "Sorry, could you say that again?"
    calls.update(tenant_id, call.id, silences=0, objections=heard,
                 transcript=current.said(("callee", utterance), ("agent", say)))
    return current.speak(say)


def _objections_heard(current: _Turn, utterance: str) -> list[str]:
    """The call's objections so far, plus the rule-book objection this utterance raises (for the weekly report)."""
    from shared.conversation.scripted_agent import matching_handler

    handler = matching_handler(current.rule_book, utterance)
    label = (handler.objection_id or handler.trigger) if handler else None
    return [*current.call.objections, label] if label and label not in current.call.objections else \
        current.call.objections


def _opt_out(call: Call) -> None:
    from shared.compliance.service import add_for_tenant

    add_for_tenant(call.tenant_id, call.target_phone, "Asked not to be called again, during a call",
                   source="call", actor=f"call:{call.id}")


def _ask_for_concession(current: _Turn, action: ProposeConcession, utterance: str) -> str:
    from shared.approvals import service as approvals
    from shared.conversation import concessions

    policy = current.rule_book.concession_policy
    offer = concessions.describe(policy, action)
    approval = approvals.request_approval(
        current.call.tenant_id, workflow_id=current.call.workflow_id, run_id=current.call.run_id,
        target_phone=current.call.target_phone, proposed_action="concession",
        proposed_value_minor=action.value_minor, currency=policy.currency,
        rationale=f"The callee asked for {offer}, above the auto-approve limit; they are holding on the line.",
        context={"kind": action.kind, "percent": action.percent, "callee_said": utterance,
                 "auto_approve_percent": policy.auto_approve_percent, "hard_max_percent": policy.hard_max_percent},
        ttl_seconds=APPROVAL_TTL_SECONDS, call_id=current.call.id)
    return approval.id


def _ask_for_callback(current: _Turn, action: RequestCallback, utterance: str) -> str:
    from shared.approvals import service as approvals

    approval = approvals.request_approval(
        current.call.tenant_id, workflow_id=current.call.workflow_id, run_id=current.call.run_id,
        target_phone=current.call.target_phone, proposed_action="callback", proposed_value_minor=None,
        currency=current.rule_book.concession_policy.currency,
        rationale=f"The callee asked to be called back {action.when_text}.",
        context={"when_text": action.when_text, "callee_said": utterance,
                 "handled_by": current.rule_book.callback_policy.handled_by},
        ttl_seconds=3600, call_id=current.call.id)
    return approval.id


def _agent(current: _Turn) -> Any:
    """Claude (a fast model) when configured and the call is a real one; the scripted agent otherwise."""
    settings = get_settings()
    if current.provider != "sandbox" and settings.anthropic_api_key is not None:
        from shared.providers.llm.anthropic_agent import AnthropicAgent

        return AnthropicAgent(api_key=settings.anthropic_api_key.get_secret_value(),
                              model=settings.anthropic_live_model, base_url=settings.anthropic_base_url)
    from shared.conversation.scripted_agent import ScriptedSandboxAgent

    return ScriptedSandboxAgent()


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
