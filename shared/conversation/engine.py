"""The transport-free conversation turn engine: rule book + transcript + utterance → the next action.

The agent writes the words; the engine holds the rules whatever the agent says: the opener (AI disclosure
and recording notice) comes first, an opt-out ends the call at once, concessions stay inside the rule book's
limits (above the auto-approve limit a human decides while the callee holds), callbacks follow the callback
policy, a callee asking for a person is transferred when the transfer policy names a number (else offered a
callback), and calls end at the turn and time limits.
"""

from __future__ import annotations

from datetime import datetime

from shared.conversation import concessions, phrases
from shared.conversation.models import (
    Action,
    Agent,
    Continue,
    End,
    OptOut,
    ProposeConcession,
    RequestCallback,
    Transcript,
    TransferToHuman,
    Voicemail,
)
from shared.platform import clock
from shared.workflows.rule_book import RuleBook

MAX_AGENT_TURNS = 20
GOODBYE = "I'm sorry for the trouble. I've removed your number and you won't be called again. Goodbye."
OUT_OF_TIME = "I'm afraid we're out of time for this call. Thank you for your time, goodbye."
HOLD = "Let me check that with my team, please hold for a moment."
NO_CALLBACK = "I'm sorry, I can't book a callback on this call, but I'm happy to help you now."
STILL_THERE = "Sorry, I didn't catch that. Are you still there?"
NO_RESPONSE = "I can't hear you, so I'll let you go. Goodbye."
STILL_CHECKING = "Thanks for holding, I'm still checking."
CONNECTING = "Of course — I'll connect you with a colleague now, one moment."
NO_TRANSFER_CALLBACK = ("I'm sorry, I can't connect you with a colleague on this call, but I can arrange for someone "
                        "to call you back. Would you like that?")
NO_TRANSFER = "I'm sorry, I can't connect you with a colleague on this call, but I'm happy to help you myself."
TRANSFER_FAILED = ("I'm sorry, my colleague couldn't take the call just now. Can I take a message? Someone will "
                   "get back to you.")
TRANSFER_UNAVAILABLE = ("I'm sorry, I can't put you through to a colleague from this line. Can I take a message? "
                        "Someone will get back to you.")
TRANSFER_FAILED_CALLBACK = "I'm sorry, I can't connect you right now. I'll arrange for someone to call you back."
MESSAGE_TAKEN = "Thank you, I've passed your message on. Goodbye."


def opening(rule_book: RuleBook) -> Continue:
    """The first words of every call. The opener must carry both disclosures; if the rule book's opener
    somehow lost one, the disclosure sentence is said first rather than skipped."""
    missing = [sentence for sentence in (rule_book.disclosures.ai_disclosure, rule_book.disclosures.recording_notice)
               if phrases.normalise(sentence) not in phrases.normalise(rule_book.opener)]
    return Continue(say=" ".join([*(_sentence(s) for s in missing), rule_book.opener]))


def on_machine(rule_book: RuleBook) -> Voicemail:
    """An answering machine picked up: leave the rule book's message, or hang up."""
    policy = rule_book.voicemail_policy
    return Voicemail(message=policy.message if policy.action == "leave_message" else None)


def next_action(rule_book: RuleBook, transcript: Transcript, utterance: str, *, agent: Agent,
                now: datetime | None = None) -> Action:
    """The action answering the callee's `utterance`; `transcript` holds the turns before it."""
    if phrases.is_opt_out(utterance):
        return OptOut(say_goodbye=GOODBYE)
    if _out_of_time(rule_book, transcript, now or clock.now()):
        return End(outcome="failed", say=OUT_OF_TIME)
    if phrases.asks_callback(utterance):
        return _callback(rule_book, RequestCallback(when_text=phrases.when_text(utterance), say=""))
    if phrases.asks_for_person(utterance):
        return _transfer(rule_book, TransferToHuman(reason="asked to speak to a person", say=""))
    return enforce(rule_book, agent.propose(rule_book, transcript, utterance))


def after_decision(rule_book: RuleBook, concession: ProposeConcession, approved: bool) -> Continue:
    """What the caller says once a human decided a concession the callee was holding for."""
    offer = concessions.describe(rule_book.concession_policy, concession)
    if approved:
        return Continue(say=f"Thank you for holding. Good news: I can offer you {offer}. Shall we go ahead?")
    return Continue(say=f"Thank you for holding. I'm sorry, I can't offer {offer} this time. "
                        "Is there anything else I can help you with?")


def enforce(rule_book: RuleBook, action: Action) -> Action:
    """The rule book's limits on what the agent proposed (the streamed call's tools go through this too):
    a concession is granted, refused or held for a human; a callback follows the callback policy."""
    if isinstance(action, ProposeConcession):
        return _concession(rule_book, action)
    if isinstance(action, RequestCallback):
        return _callback(rule_book, action)
    if isinstance(action, TransferToHuman):
        return _transfer(rule_book, action)
    if isinstance(action, Voicemail):
        # A person is on the line (machines are detected by the carrier): an agent cannot leave a voicemail here.
        return Continue(say="Sorry, could you say that again?")
    return action


def _concession(rule_book: RuleBook, proposed: ProposeConcession) -> Action:
    policy = rule_book.concession_policy
    offer = concessions.describe(policy, proposed)
    verdict = concessions.judge(policy, proposed)
    if verdict == "grant":
        return Continue(say=f"I can offer you {offer}. Shall we go ahead?")
    if verdict == "refuse":
        return Continue(say=f"I'm sorry, I'm not able to offer {offer}. Is there anything else I can help with?")
    return proposed.model_copy(update={"say_hold_message": proposed.say_hold_message or HOLD})


def _callback(rule_book: RuleBook, requested: RequestCallback) -> Action:
    if not rule_book.callback_policy.allowed:
        return Continue(say=NO_CALLBACK)
    who = rule_book.callback_policy.handled_by or "someone from our team"
    say = requested.say or f"Of course. I'll arrange for {who} to call you back {requested.when_text}. Thank you!"
    return requested.model_copy(update={"say": say})


def _transfer(rule_book: RuleBook, requested: TransferToHuman) -> Action:
    """The callee wants a person: connect them when the transfer policy has a number and allows it, else offer a
    callback (or, without callbacks, keep helping)."""
    policy = rule_book.transfer_policy
    if policy.number and policy.when_callee_asks:
        return requested.model_copy(update={"say": requested.say or CONNECTING})
    return Continue(say=NO_TRANSFER_CALLBACK if rule_book.callback_policy.allowed else NO_TRANSFER)


def transfer_on_approval(rule_book: RuleBook) -> TransferToHuman | None:
    """A human deciding an approval chose "transfer instead": the transfer, when the policy allows it."""
    policy = rule_book.transfer_policy
    if policy.number and policy.on_approval:
        return TransferToHuman(reason="a colleague chose to take over the call", say=CONNECTING)
    return None


def _out_of_time(rule_book: RuleBook, transcript: Transcript, now: datetime) -> bool:
    if transcript.agent_turns() >= MAX_AGENT_TURNS:
        return True
    started = transcript.started_at
    return started is not None and (now - started).total_seconds() >= rule_book.max_call_seconds


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "।")) else f"{text}."
