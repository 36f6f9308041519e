"""What the agent of a callback call says about it: the callee asked for this call, so the opener and the first
reply say so (the system prompt's part is `shared.providers.llm.anthropic_agent_prompt.callback_instructions`)."""

from __future__ import annotations

from shared.callbacks.models import CallbackBrief


def opener_line(brief: CallbackBrief) -> str:
    """Said after the opener's disclosures: why we are calling again. Never the callee's relative words ("tomorrow"):
    by the time this is said, their "tomorrow" is today."""
    del brief  # the system prompt carries what was asked and when
    return "When we last spoke, you asked us to call you back, so I'm calling as promised."


def first_reply_line(brief: CallbackBrief) -> str:
    """The sandbox agent's reminder at the start of its first reply (a model is told to do the same)."""
    del brief  # one sentence for every callback; the opener already named the time
    return "Thanks for taking our call back."
