"""What one live call's pipeline needs to know, read once when its media stream is accepted.

That includes the keys its providers are called with: a call on a real carrier speaks through Deepgram, Claude and
Cartesia with its tenant's resolved credentials (`resolve_credential`: the tenant's own keys in onboarding mode
`byok` once validated, else the platform's bundled ones). They are resolved here, in the worker thread the server
loads the call in (a table read and a decrypt each), never in the event loop. A call on the sandbox carrier needs
none: it always speaks through the stand-ins (voice/sandbox), so a sandbox call never spends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from shared.callbacks.models import CallbackBrief
from shared.callbacks.service import brief_for
from shared.calls import repository as calls
from shared.calls.media_tokens import MediaStreamGrant
from shared.conversation.callback_lines import opener_line
from shared.onboarding.credentials import ResolvedCredential, resolve_credential
from shared.platform.errors import NotFound, Unavailable
from shared.providers.llm.anthropic_agent_prompt import callback_instructions
from shared.workflows import repository as workflows
from shared.workflows.rule_book import RuleBook

#: The carrier the local stack's sandbox plays (`name` of shared/providers/telephony/sandbox*.py).
SANDBOX_CARRIER = "sandbox"
logger = logging.getLogger("callfunnel.voice")


@dataclass(frozen=True)
class MediaStream:
    """The carrier's `start` message: which stream and call this socket carries, and the custom parameters."""

    stream_sid: str
    carrier_call_sid: str | None
    custom_parameters: dict[str, str] = field(default_factory=dict)
    carrier: str = "twilio"  # whose wire format the socket speaks (voice.serializers)


@dataclass(frozen=True)
class ProviderKeys:
    """The credentials a real call's providers are called with (each says whether it is the tenant's or ours)."""

    deepgram: ResolvedCredential
    anthropic: ResolvedCredential
    cartesia: ResolvedCredential


@dataclass(frozen=True)
class CallContext:
    tenant_id: int
    call_id: str
    workflow_id: str
    run_id: str
    target_phone: str
    rule_book: RuleBook
    stream: MediaStream
    provider: str | None = None  # the carrier the call was placed with (`Call.provider`)
    keys: ProviderKeys | None = None  # None on the sandbox carrier: the stand-ins need none
    #: A callback call (`reason: callback`): what the callee asked for and what was said last time. The rule book
    #: above is then already briefed with it (its opener and system prompt say so: `for_callback`).
    callback: CallbackBrief | None = None

    @property
    def on_sandbox_carrier(self) -> bool:
        return self.provider == SANDBOX_CARRIER


def load_call_context(grant: MediaStreamGrant, stream: MediaStream) -> CallContext:
    """The call the token was minted for, its workflow's rule book (two consistent reads) and, on a real carrier,
    its providers' keys. Raises Unavailable (the server closes the socket with 1011) when a key is missing."""
    call = calls.get(grant.tenant_id, grant.call_id)
    workflow = workflows.get(grant.tenant_id, call.workflow_id) if call else None
    if call is None or workflow is None:
        raise NotFound("No such call", code="CALL_NOT_FOUND")
    keys = None if call.provider == SANDBOX_CARRIER else provider_keys(call.tenant_id, call.id)
    brief = brief_for(call.tenant_id, call.callback_id) if call.reason == "callback" and call.callback_id else None
    rule_book = for_callback(workflow.rule_book, brief) if brief else workflow.rule_book
    return CallContext(tenant_id=call.tenant_id, call_id=call.id, workflow_id=call.workflow_id, run_id=call.run_id,
                       target_phone=call.target_phone, rule_book=rule_book, stream=stream,
                       provider=call.provider, keys=keys, callback=brief)


def for_callback(rule_book: RuleBook, brief: CallbackBrief) -> RuleBook:
    """The rule book a callback call speaks by: its opener (after the disclosures) says this is the callback the
    callee asked for, and the system prompt carries what they asked and what was said last time (every agent — Claude
    in the voice plane, the turn-by-turn agent, the sandbox — reads both from the rule book)."""
    return rule_book.model_copy(update={
        "opener": f"{rule_book.opener.rstrip()} {opener_line(brief)}",
        "system_prompt": f"{rule_book.system_prompt}\n\n{callback_instructions(brief)}"})


def provider_keys(tenant_id: int, call_id: str) -> ProviderKeys:
    """Deepgram's, Anthropic's and Cartesia's credential for this tenant; all three, or the call cannot be served."""
    resolved = {provider: resolve_credential(tenant_id, provider) for provider in ("deepgram", "anthropic", "cartesia")}
    missing = sorted(provider for provider, credential in resolved.items() if credential is None)
    if missing:
        logger.warning("call %s cannot be served: no %s key (neither a validated BYOK key nor a bundled one)", call_id,
                       " / ".join(missing))
        raise Unavailable(f"No {', '.join(missing)} key for this call", code="PROVIDER_NOT_CONFIGURED")
    return ProviderKeys(**resolved)
