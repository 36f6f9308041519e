"""The Claude conversation agent against a local fake of the Messages API, over real HTTP: it forces the
`next_action` tool, reads the action back, and turns every failure into a safe "say that again"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.conversation import engine
from shared.conversation.models import Continue, End, ProposeConcession, Transcript
from shared.providers.llm.anthropic_agent import SAY_AGAIN, AnthropicAgent
from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from tests.fakes.anthropic_api import FakeAnthropicApi

PROMPT = "Renewal recovery for Khata Cloud. You may offer 10% off; anything more needs my approval."
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def fake():
    with FakeAnthropicApi() as server:
        yield server


@pytest.fixture
def book():
    request = GenerationRequest(prompt=PROMPT, persona_override=None, tenant_country="IN")
    return OfflineComposer().generate(request).rule_book


def an_agent(fake, timeout_seconds: float = 6.0) -> AnthropicAgent:
    return AnthropicAgent(api_key="test-key", model="claude-haiku-4-5", base_url=fake.base_url,
                          timeout_seconds=timeout_seconds)


def a_transcript(book) -> Transcript:
    return Transcript().add("agent", engine.opening(book).say, T0)


def test_the_agent_forces_the_next_action_tool_with_the_action_schema_and_sends_the_call_so_far(fake, book):
    fake.answer_tool({"action": {"type": "continue", "say": "Happy to explain."}}, name="next_action")

    action = an_agent(fake).propose(book, a_transcript(book), "What is this about?")

    assert action == Continue(say="Happy to explain.")
    body = fake.requests[0].body
    assert body["model"] == "claude-haiku-4-5"
    assert body["tool_choice"] == {"type": "tool", "name": "next_action"}
    schema = body["tools"][0]["input_schema"]
    assert schema["type"] == "object" and set(schema["$defs"]) >= {"Continue", "ProposeConcession", "OptOut", "End"}
    assert body["system"].startswith(book.system_prompt)
    message = body["messages"][0]["content"]
    assert book.opener in message and "The callee just said: What is this about?" in message


def test_a_concession_from_claude_still_goes_through_the_engine_limits(fake, book):
    fake.answer_tool({"action": {"type": "propose_concession", "kind": "discount_percent", "percent": 50,
                                 "value_minor": None, "say_hold_message": "One moment."}}, name="next_action")
    agent = an_agent(fake)

    proposed = agent.propose(book, a_transcript(book), "50% off?")
    action = engine.next_action(book, a_transcript(book), "50% off?", agent=agent, now=T0)

    assert isinstance(proposed, ProposeConcession) and proposed.percent == 50
    assert isinstance(action, Continue) and "not able to offer 50% off" in action.say


def test_an_end_action_is_read_back(fake, book):
    fake.answer_tool({"action": {"type": "end", "outcome": "converted", "say": "Thank you, goodbye."}},
                     name="next_action")

    assert an_agent(fake).propose(book, a_transcript(book), "Yes!") == End(outcome="converted",
                                                                           say="Thank you, goodbye.")


@pytest.mark.parametrize("script", [
    lambda fake: fake.answer_status(500),
    lambda fake: fake.answer_status(401),
    lambda fake: fake.answer_status(429),
    lambda fake: fake.answer_text("I would say hello."),
    lambda fake: fake.answer_tool({"action": {"type": "dance"}}, name="next_action"),
], ids=["server-error", "auth", "rate-limited", "no-tool", "unreadable-action"])
def test_any_failure_becomes_a_safe_say_that_again_not_an_exception(fake, book, script):
    script(fake)

    assert an_agent(fake).propose(book, a_transcript(book), "Hello?") == Continue(say=SAY_AGAIN)
    assert len(fake.requests) == 1  # no retries: a caller is waiting


def test_a_slow_model_is_cut_off_at_the_timeout_with_a_safe_say_that_again(fake, book):
    fake.answer_slowly(2.0)

    started = datetime.now(UTC)
    action = an_agent(fake, timeout_seconds=0.3).propose(book, a_transcript(book), "Hello?")

    assert action == Continue(say=SAY_AGAIN)
    assert (datetime.now(UTC) - started).total_seconds() < 1.5
