"""The model's tools (INTERFACES item 5) and what the model is told about them.

Claude gets four tools through the call's LLM context, with handlers registered on the LLM service (pipecat's
own function-calling path, which the sandbox's stand-in model drives too):
- `end_call` {outcome, say}: the farewell is spoken, the outcome recorded, the call ends;
- `propose_concession` {kind, percent, value_minor}: judged by the rule book (granted, refused, or the callee
  holds while a human decides) — the model never names an amount itself;
- `request_callback` {when_text}: passed to the callback policy;
- `transfer_to_human` {reason}: the callee wants a person — passed to the transfer policy (connected when the rule
  book names a transfer number, else a callback is offered), like the engine's own rule on the callee's words.
A handler only reads the arguments and hands them to the brain (`ToolActions`), which applies the engine's rules
and acts in its own task; the model gets a one-line result and is not asked again (`run_llm=False`): the brain
says the words the rules chose.
"""

from __future__ import annotations

from typing import Any, Protocol

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.adapters.llm.schemas.tools_schema import ToolsSchema
from pipecat.frames.frames import FunctionCallResultProperties
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.services.llm_service import FunctionCallParams, LLMService

from shared.conversation.models import ProposeConcession
from shared.workflows.rule_book import CONCESSION_KINDS, RuleBook

END_CALL, PROPOSE_CONCESSION, REQUEST_CALLBACK = "end_call", "propose_concession", "request_callback"
TRANSFER_TO_HUMAN = "transfer_to_human"
END_OUTCOMES = ("converted", "not_interested", "failed")


class ToolActions(Protocol):
    """What the brain does for each tool; each returns what the model is told happened."""

    async def end_call(self, outcome: str, say: str) -> str: ...

    async def propose_concession(self, concession: ProposeConcession) -> str: ...

    async def request_callback(self, when_text: str) -> str: ...

    async def transfer_to_human(self, reason: str) -> str: ...


END_CALL_SCHEMA = FunctionSchema(
    name=END_CALL,
    description="End the call once the conversation is over: the callee agreed, declined, or the call cannot go "
                "on. `say` is spoken as your last words before the line closes.",
    properties={
        "outcome": {"type": "string", "enum": list(END_OUTCOMES),
                    "description": "converted: the callee agreed to the goal; not_interested: they declined; "
                                   "failed: the call could not go on."},
        "say": {"type": "string", "description": "Your last sentence: a short, polite goodbye."},
    },
    required=["outcome", "say"])

PROPOSE_CONCESSION_SCHEMA = FunctionSchema(
    name=PROPOSE_CONCESSION,
    description="Before offering any discount, fee waiver, credit or other concession, propose it here. The "
                "rules decide: it is granted and offered, refused, or the callee holds while a person decides. "
                "Never state an amount yourself.",
    properties={
        "kind": {"type": "string", "enum": list(CONCESSION_KINDS), "description": "What is conceded."},
        "percent": {"type": ["integer", "null"], "description": "The percent, for discount_percent."},
        "value_minor": {"type": ["integer", "null"],
                        "description": "The amount in minor units (cents, paise), for fee_waiver and credit."},
    },
    required=["kind", "percent", "value_minor"])

REQUEST_CALLBACK_SCHEMA = FunctionSchema(
    name=REQUEST_CALLBACK,
    description="The callee asked to be called back at another time: pass it on. The rules confirm it (or say "
                "callbacks cannot be booked) and end the call when one is booked.",
    properties={"when_text": {"type": "string",
                              "description": "When, in the callee's words, e.g. 'tomorrow morning'."}},
    required=["when_text"])

TRANSFER_TO_HUMAN_SCHEMA = FunctionSchema(
    name=TRANSFER_TO_HUMAN,
    description="The callee wants to speak to a person (a human, an agent, a manager): pass it on. The rules connect "
                "them to a colleague when the campaign has a transfer number (the call with you then ends), or offer "
                "a callback.",
    properties={"reason": {"type": "string",
                           "description": "Why they want a person, in a few words, e.g. 'billing dispute'."}},
    required=["reason"])

TOOLS = ToolsSchema(standard_tools=[END_CALL_SCHEMA, PROPOSE_CONCESSION_SCHEMA, REQUEST_CALLBACK_SCHEMA,
                                    TRANSFER_TO_HUMAN_SCHEMA])


def tool_guidance(rule_book: RuleBook) -> str:
    """The system prompt's part about the tools: when to use each (appended to the rule book's prompt)."""
    policy = rule_book.concession_policy
    limit = (f"Discounts up to {policy.auto_approve_percent}% are granted at once; above that a person decides. "
             if "discount_percent" in policy.allowed else "")
    return (
        "Tools: act through them, never only in words.\n"
        f"- {END_CALL}: when the conversation is over (the callee agreed: converted; declined: not_interested; "
        "it cannot go on: failed). Put your goodbye in `say`; say nothing else after calling it.\n"
        f"- {PROPOSE_CONCESSION}: before offering any discount, fee waiver or credit. Never name an amount "
        f"yourself: the system says what was decided. {limit}If a person must decide, the callee is put on "
        "hold for you; wait.\n"
        f"- {REQUEST_CALLBACK}: when the callee asks to be called back later.\n"
        f"- {TRANSFER_TO_HUMAN}: when the callee asks to speak to a person; never pretend to be one.\n"
        "If the callee asks not to be called again, the system ends the call for you.")


def register_tools(llm: LLMService, context: LLMContext, actions: ToolActions, rule_book: RuleBook) -> None:
    """Advertise the tools in the call's context, register their handlers, and tell the model when to use them."""
    context.set_tools(TOOLS)
    llm.append_system_instruction(tool_guidance(rule_book))

    async def end_call(params: FunctionCallParams) -> None:
        arguments = params.arguments
        outcome = str(arguments.get("outcome", ""))
        if outcome not in END_OUTCOMES:
            await params.result_callback(f"error: outcome must be one of {', '.join(END_OUTCOMES)}")
            return  # the model is asked again, to correct the call
        await _done(params, await actions.end_call(outcome, str(arguments.get("say") or "").strip()))

    async def propose_concession(params: FunctionCallParams) -> None:
        arguments = params.arguments
        percent = _amount(arguments.get("percent"))
        concession = ProposeConcession(kind=str(arguments.get("kind", "")),
                                       percent=None if percent is None else min(percent, 100),
                                       value_minor=_amount(arguments.get("value_minor")), say_hold_message="")
        await _done(params, await actions.propose_concession(concession))

    async def request_callback(params: FunctionCallParams) -> None:
        when = str(params.arguments.get("when_text") or "").strip() or "later"
        await _done(params, await actions.request_callback(when))

    llm.register_function(END_CALL, end_call)
    llm.register_function(PROPOSE_CONCESSION, propose_concession)
    async def transfer_to_human(params: FunctionCallParams) -> None:
        reason = str(params.arguments.get("reason") or "").strip()[:200] or "asked to speak to a person"
        await _done(params, await actions.transfer_to_human(reason))

    llm.register_function(REQUEST_CALLBACK, request_callback)
    llm.register_function(TRANSFER_TO_HUMAN, transfer_to_human)


async def _done(params: FunctionCallParams, result: str) -> None:
    # The brain speaks the rules' words itself: asking the model again would add a reply (and a round trip).
    await params.result_callback(result, properties=FunctionCallResultProperties(run_llm=False))


def _amount(value: Any) -> int | None:
    """A whole, non-negative amount from the model's arguments (it may send "15" or 15.0), else None."""
    try:
        amount = int(float(value))
    except (TypeError, ValueError):
        return None
    return amount if amount >= 0 else None
