"""What the Claude conversation agent is told: the rule book's system prompt, the limits it must keep, and
the call so far as one user message (one message keeps the roles simple whoever spoke last)."""

from __future__ import annotations

from shared.callbacks.models import CallbackBrief
from shared.conversation.models import RuleBook, Transcript

TOOL_NAME = "next_action"
TOOL_DESCRIPTION = ("Your next move on the live phone call: exactly one action. Use 'continue' to speak; "
                    "'propose_concession' for any discount, waiver or credit you would give (the platform checks "
                    "the limits); 'request_callback' when the callee asks to be called back; 'opt_out' when they "
                    "ask not to be called; 'end' when the call is over.")


def system_prompt(rule_book: RuleBook) -> str:
    policy, callback = rule_book.concession_policy, rule_book.callback_policy
    handlers = "\n".join(f"- If they say something like \"{h.trigger}\": {h.rebuttal}"
                         for h in rule_book.objection_handlers)
    return "\n\n".join([
        rule_book.system_prompt,
        "You are speaking on a live phone call: answer in one or two short spoken sentences, in the call's "
        f"language ({rule_book.language}). Always answer by calling the next_action tool.",
        f"Goals, most important first: {'; '.join(rule_book.goals) or 'none'}.",
        f"Concessions allowed: {', '.join(policy.allowed) or 'none'} (currency {policy.currency}); you may give up "
        f"to {policy.auto_approve_percent}% or {policy.auto_approve_limit_minor} minor units without approval.",
        f"Callbacks: {'allowed' if callback.allowed else 'not allowed'}.",
        f"Objection handling:\n{handlers}" if handlers else "",
    ]).strip()


def user_message(transcript: Transcript, utterance: str) -> str:
    lines = [f"{'You' if turn.speaker == 'agent' else 'Callee'}: {turn.text}" for turn in transcript.turns]
    return "The call so far:\n" + "\n".join(lines) + f"\n\nThe callee just said: {utterance}\n\nYour next action?"


def callback_instructions(brief: CallbackBrief) -> str:
    """The system prompt's part for a callback call (added to the call's rule book: voice/call_context.py): the callee
    asked for this call, when, and what was said last time, so the agent picks up where the last call left off."""
    lines = "\n".join(f"- {'You' if speaker == 'agent' else 'Callee'}: {text}"
                      for speaker, text in brief.previous_lines)
    return "\n".join(part for part in [
        "THIS IS A CALLBACK THE CALLEE ASKED FOR. On the earlier call "
        f"({brief.asked_at.strftime('%Y-%m-%d %H:%M UTC')}) they asked to be called back \"{brief.requested_text}\"; "
        "say so early (your opener already mentions it), thank them for taking the call, and pick up where that "
        "call left off rather than starting the pitch from the beginning.",
        f"Summary of the earlier call: {brief.previous_summary}" if brief.previous_summary else "",
        f"How the earlier call ended:\n{lines}" if lines else "",
    ] if part)
