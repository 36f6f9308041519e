"""The Claude rule-book generator against a local fake of the Messages API, over real HTTP."""

from __future__ import annotations

import time
import warnings

import pytest

from shared.objections.models import Objection
from shared.platform.errors import Invalid, Upstream
from shared.platform.settings import get_settings
from shared.providers.llm.anthropic_generator import AnthropicRuleBookGenerator
from shared.workflows.ports import GenerationRequest, Problem
from shared.workflows.rule_book import RuleBook
from tests.fakes.anthropic_api import FakeAnthropicApi

LIBRARY = (Objection(id="price-too-expensive", category="price", trigger_text="It's too expensive.",
                     rebuttal_template="I understand.", language="en"),
           Objection(id="price-mehenga", category="price", trigger_text="Bahut mehenga hai.",
                     rebuttal_template="Samajh gayi.", language="hi"))
OPENER = ("Hi, this is Amelia, an automated AI assistant calling for Acme. This call is recorded. "
          "If you'd rather not get these calls, just say stop.")


def a_rule_book(**changes) -> dict:
    rule_book = {
        "system_prompt": "You call Acme's lapsed customers to renew. If they ask to stop, apologise and end the call.",
        "opener": OPENER,
        "disclosures": {"ai_disclosure": "an automated AI assistant calling for Acme",
                        "recording_notice": "This call is recorded.", "opt_out": "just say stop"},
        "objection_handlers": [{"trigger": "It's too expensive.", "rebuttal": "I understand.",
                                "objection_id": "price-too-expensive"}],
        "goals": ["renew the subscription"],
        "qualification_questions": ["Are you still using Acme?"],
        "concession_policy": {"allowed": ["discount_percent"], "currency": "USD", "auto_approve_percent": 10,
                              "hard_max_percent": 20, "approval_required_above_limit": True},
        "callback_policy": {"allowed": True},
        "voicemail_policy": {"action": "hang_up"},
        "retry_policy": {outcome: {"max_attempts": 2, "spacing_minutes": 60}
                         for outcome in ("busy", "no_answer", "voicemail")},
        "calling_window": {"start": "10:00", "end": "19:00", "timezone": "America/New_York",
                           "days": ["mon", "tue", "wed", "thu", "fri"]},
        "language": "en",
        "persona": "amelia",
        "schedule_kind": "manual",
    }
    rule_book.update(changes)
    return rule_book


def a_request(**changes) -> GenerationRequest:
    fields = {"prompt": "renewal recovery for SaaS, 10am-7pm, up to 20% off", "persona_override": None,
              "tenant_country": "US", "objection_library": LIBRARY}
    return GenerationRequest(**{**fields, **changes})


@pytest.fixture
def fake():
    with FakeAnthropicApi() as server:
        yield server


def generator(fake: FakeAnthropicApi, model: str = "claude-opus-5", deadline: float = 20.0):
    return AnthropicRuleBookGenerator(api_key="sk-test", model=model, base_url=fake.base_url,
                                      deadline_seconds=deadline)


def test_the_rule_book_schema_is_the_one_tool_and_it_is_forced(fake):
    # Given Claude answers with a rule book; When we generate
    fake.answer_tool(a_rule_book())
    generator(fake).generate(a_request())
    # Then the one request carried the model, the rule book's schema as the only tool, and forced it
    sent = fake.requests[0]
    assert sent.path == "/v1/messages"
    assert sent.body["model"] == "claude-opus-5"
    assert [tool["name"] for tool in sent.body["tools"]] == ["submit_rule_book"]
    schema = sent.body["tools"][0]["input_schema"]
    assert schema["properties"] == {"name": schema["properties"]["name"], **RuleBook.model_json_schema()["properties"]}
    assert schema["required"] == ["name", *RuleBook.model_json_schema()["required"]]
    assert sent.body["tool_choice"] == {"type": "tool", "name": "submit_rule_book"}
    assert sent.body["thinking"] == {"type": "disabled"}


def test_the_tool_input_comes_back_as_a_rule_book_labelled_anthropic(fake):
    fake.answer_tool(a_rule_book())
    rule_book = generator(fake).generate(a_request()).rule_book
    assert rule_book.opener == OPENER
    assert rule_book.objection_ids() == ["price-too-expensive"]
    assert (rule_book.metadata.generator, rule_book.metadata.model) == ("anthropic", "claude-opus-5")


def test_claudes_short_name_becomes_the_workflows_name_and_stays_out_of_the_rule_book(fake):
    fake.answer_tool({"name": "  SaaS renewal recovery. ", **a_rule_book()})

    generated = generator(fake).generate(a_request())

    assert generated.name == "SaaS renewal recovery"
    assert generated.rule_book.opener == OPENER and "name" not in generated.rule_book.model_dump()


def test_without_a_usable_name_the_platform_names_the_workflow_itself(fake):
    fake.answer_tool(a_rule_book())

    assert generator(fake).generate(a_request()).name is None


def test_the_system_prompt_asks_for_the_prompts_own_numbers_and_a_short_name(fake):
    fake.answer_tool(a_rule_book())
    generator(fake).generate(a_request())

    system = fake.requests[0].body["system"]
    assert '"offer up to 15% off" means a hard maximum of 15%' in system and "2 to 6 words" in system


def test_the_system_prompt_states_the_rules_and_the_objection_library(fake):
    fake.answer_tool(a_rule_book())
    generator(fake).generate(a_request(persona_override="priya"))
    system, first = fake.requests[0].body["system"], fake.requests[0].body["messages"][0]["content"]
    for rule in ("08:00-21:00", "09:00-21:00", "automated AI call", "recorded", "stop calling", "auto-approve"):
        assert rule in system
    assert "price-too-expensive" in system and "Bahut mehenga hai." in system
    assert "renewal recovery for SaaS" in first and "priya" in first and "US" in first


def test_a_repair_sends_the_previous_attempt_and_every_problem(fake):
    # Given a first attempt the validator rejected
    previous = RuleBook.model_validate(a_rule_book(persona="zed"))
    problems = (Problem("persona", "Unknown persona 'zed'"), Problem("calling_window.end", "Later than 21:00"))
    fake.answer_tool(a_rule_book())
    # When we ask for a repair
    generator(fake).generate(a_request(previous_attempt=previous, problems=problems))
    # Then Claude sees its previous tool call and a tool_result listing each problem
    messages = fake.requests[0].body["messages"]
    assert [message["role"] for message in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"][0]["input"]["persona"] == "zed"
    result = messages[2]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == messages[1]["content"][0]["id"]
    assert "persona: Unknown persona 'zed'" in result["content"]
    assert "calling_window.end: Later than 21:00" in result["content"]


def test_without_problems_there_is_no_repair_turn(fake):
    fake.answer_tool(a_rule_book())
    generator(fake).generate(a_request(previous_attempt=RuleBook.model_validate(a_rule_book())))
    assert len(fake.requests[0].body["messages"]) == 1


def test_a_rejected_key_is_a_502_auth_failure_without_retry(fake):
    fake.answer_status(401)
    with pytest.raises(Upstream) as failure:
        generator(fake).generate(a_request())
    assert (failure.value.status, failure.value.code) == (502, "LLM_AUTH_FAILED")
    assert len(fake.requests) == 1


@pytest.mark.parametrize("status", [429, 500, 529])
def test_a_busy_or_failing_provider_is_retried_once_then_a_502(fake, status):
    fake.answer_status(status)
    with pytest.raises(Upstream) as failure:
        generator(fake).generate(a_request())
    assert (failure.value.status, failure.value.code) == (502, "LLM_UNAVAILABLE")
    assert len(fake.requests) == 2


def test_one_passing_failure_is_absorbed_by_the_retry(fake):
    fake.answer_status(500)
    fake.answer_tool(a_rule_book())
    assert generator(fake).generate(a_request()).rule_book.persona == "amelia"
    assert len(fake.requests) == 2


def test_a_slow_provider_times_out_within_the_deadline_as_a_502(fake):
    fake.answer_slowly(3.0, a_rule_book())
    started = time.monotonic()
    with pytest.raises(Upstream) as failure:
        generator(fake, deadline=0.5).generate(a_request())
    assert failure.value.code == "LLM_UNAVAILABLE"
    assert time.monotonic() - started < 2.0  # the deadline held: no second full-length attempt


def test_an_unreachable_provider_is_a_502():
    unreachable = AnthropicRuleBookGenerator(api_key="sk-test", model="claude-opus-5",
                                             base_url="http://127.0.0.1:9", deadline_seconds=2)
    with pytest.raises(Upstream) as failure:
        unreachable.generate(a_request())
    assert failure.value.code == "LLM_UNAVAILABLE"


def test_a_tool_input_that_is_not_a_rule_book_is_a_422_field_by_field(fake):
    broken = a_rule_book(opener=None)
    del broken["calling_window"]
    fake.answer_tool(broken)
    with pytest.raises(Invalid) as failure:
        generator(fake).generate(a_request())
    fields = {problem["field"] for problem in failure.value.errors}
    assert failure.value.status == 422 and {"opener", "calling_window"} <= fields


def test_an_answer_without_the_tool_is_a_502(fake):
    fake.answer_text("Here is your rule book: ...")
    with pytest.raises(Upstream) as failure:
        generator(fake).generate(a_request())
    assert failure.value.code == "LLM_BAD_RESPONSE"


def test_a_model_that_refuses_forced_tools_gets_auto_tool_choice(fake):
    fake.answer_tool(a_rule_book())
    generator(fake, model="claude-opus-5-5").generate(a_request())
    assert fake.requests[0].body["tool_choice"] == {"type": "auto"}
    assert "thinking" not in fake.requests[0].body


def test_the_default_model_is_an_opus_the_sdk_does_not_call_deprecated():
    from anthropic._data import DEPRECATED_MODELS

    model = get_settings().anthropic_model
    assert model.startswith("claude-opus-") and model not in DEPRECATED_MODELS


def test_the_default_model_raises_no_deprecation_warning(fake):
    fake.answer_tool(a_rule_book())
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        generator(fake, model=get_settings().anthropic_model).generate(a_request())


def test_claude_is_selected_when_an_anthropic_key_is_configured(monkeypatch):
    from shared.platform.settings import reset_settings
    from shared.workflows.generator_selection import get_generator

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    reset_settings()
    assert get_generator().name == "anthropic"


def test_the_offline_composer_is_selected_without_a_key(monkeypatch):
    from shared.platform.settings import reset_settings
    from shared.workflows.generator_selection import get_generator

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    reset_settings()
    assert get_generator().name == "offline-composer"


def test_a_repair_shares_the_first_calls_deadline_and_answers_422_when_none_is_left(fake):
    # Given a generator whose request budget is spent by the first generation
    fake.answer_tool(a_rule_book())
    spent = generator(fake, deadline=0.5)
    spent.generate(a_request())
    time.sleep(0.6)
    problems = (Problem("calling_window.end", "Later than 21:00"),)
    # When the repair round-trip is asked for
    with pytest.raises(Invalid) as refused:
        spent.generate(a_request(previous_attempt=RuleBook.model_validate(a_rule_book()), problems=problems))
    # Then the validator's problems come back as the 422, without a second call to Claude
    assert refused.value.field == "calling_window.end" and refused.value.errors[0]["message"] == "Later than 21:00"
    assert len(fake.requests) == 1
