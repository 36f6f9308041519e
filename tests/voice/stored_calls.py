"""A call as the dialer leaves it for the voice plane — its workflow (with a rule book) and the call item, on its
carrier — so tests run the real `load_call_context` (the table reads, the carrier, the keys) behind the socket."""

from __future__ import annotations

import itertools
import time

from shared.calls import repository as calls
from shared.calls.models import Call
from shared.platform import clock
from shared.workflows import repository as workflows
from shared.workflows.composer import OfflineComposer
from shared.workflows.models import Compliance, Workflow
from shared.workflows.ports import GenerationRequest
from shared.workflows.rule_book import RuleBook

PROMPT = "Renewal reminders for our accounting software (Khata Cloud); offer up to 10% off the annual plan."
_numbers = itertools.count(1)


def a_rule_book(persona: str | None = None) -> RuleBook:
    request = GenerationRequest(prompt=PROMPT, persona_override=persona, tenant_country="US")
    return OfflineComposer().generate(request).rule_book


def a_stored_call(tenant_id: int, *, provider: str, rule_book: RuleBook | None = None) -> str:
    """A fresh workflow and in-progress call of the tenant on `provider`; the call's id."""
    number, now = next(_numbers), clock.now()
    workflow_id, call_id = f"wf_voice_{number}", f"call_voice_{time.time_ns()}_{number}"
    workflows.save(Workflow(id=workflow_id, tenant_id=tenant_id, name="voice test", status="live", nl_prompt=PROMPT,
                            is_test=False, author_user_id=None, rule_book=rule_book or a_rule_book(),
                            rule_book_id="rb_voice", compliance=Compliance(), created_at=now, updated_at=now))
    calls.claim(Call(id=call_id, tenant_id=tenant_id, workflow_id=workflow_id, run_id="run_voice", segment=1,
                     target_phone="+14155550123", attempt=1, is_test=False, status="in-progress", provider=provider,
                     created_at=now))
    return call_id


def kept_call(tenant_id: int, call_id: str, timeout: float = 10.0) -> Call:
    """The call once the voice plane has written what it kept (after the socket closed)."""
    deadline = time.monotonic() + timeout
    while True:
        call = calls.get(tenant_id, call_id)
        if (call is not None and call.transcript) or time.monotonic() > deadline:
            assert call is not None and call.transcript, "the voice plane never wrote the call's transcript"
            return call
        time.sleep(0.05)
