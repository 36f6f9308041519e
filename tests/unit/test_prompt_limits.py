"""The rule book honours the numbers of the prompt: "offer up to 15% off" is a hard maximum of 15%, whoever
wrote the rule book (the composer, Claude, or an edit through the API)."""

from __future__ import annotations

import pytest

from shared.platform.errors import Invalid
from shared.workflows.composer import OfflineComposer
from shared.workflows.generation import generate_rule_book
from shared.workflows.ports import GenerationRequest
from shared.workflows.prompt_limits import PromptLimits, limits_in
from shared.workflows.validator import find_problems
from tests.unit.test_generation import ScriptedGenerator
from tests.unit.test_rule_book import valid_rule_book

README_PROMPT = "Renewal recovery for our SaaS customers, 10am-7pm ET, offer up to 15% off, auto-approve 10%"


def _concessions(**policy) -> dict:
    return {"allowed": ["discount_percent"], "currency": "USD", "auto_approve_percent": 10, "hard_max_percent": 15,
            "approval_required_above_limit": True, **policy}


@pytest.mark.parametrize(("prompt", "limits"), [
    (README_PROMPT, PromptLimits(15, 10)),
    ("Renewals, auto-approve up to 10%, anything more needs my approval", PromptLimits(None, 10)),
    ("You may offer 10% off the annual plan; anything more needs my approval.", PromptLimits(None, 10)),
    ("Offer 10% off to lapsed members.", PromptLimits(10, 10)),
    ("Invite them to the webinar. No offers.", PromptLimits(0, 0)),
    ("Post-purchase NPS survey: one question, 0-10, and why.", PromptLimits(None, None)),
    ("Up to 10% off monthly plans and up to 20% off annual ones, auto-approve 5%", PromptLimits(20, 5)),
    # Numbers written out, and the ways an owner says "never more than"
    ("Offer up to 15 percent off, auto-approve 10 per cent", PromptLimits(15, 10)),
    ("Offer 5 percent discount, auto-approve up to 3%, never exceed 5%", PromptLimits(5, 3)),
    ("Win them back with a discount; auto-approve 5%, never more than 12% without exception", PromptLimits(12, 5)),
    ("Discounts must not exceed 8%; auto-approve 4%, ask me above that", PromptLimits(8, 4)),
])
def test_the_limits_a_prompt_states(prompt, limits):
    assert limits_in(prompt) == limits


def test_the_composer_writes_the_prompts_numbers():
    book = OfflineComposer().generate(GenerationRequest(prompt=README_PROMPT, persona_override=None,
                                                        tenant_country="US")).rule_book

    assert (book.concession_policy.hard_max_percent, book.concession_policy.auto_approve_percent) == (15, 10)
    assert find_problems(book, ["US"], README_PROMPT) == []


@pytest.mark.parametrize(("policy", "field"), [
    (_concessions(hard_max_percent=20), "concession_policy.hard_max_percent"),
    (_concessions(auto_approve_percent=12), "concession_policy.auto_approve_percent"),
])
def test_a_rule_book_above_the_prompts_limits_is_refused_naming_the_field(policy, field):
    book = valid_rule_book(concession_policy=policy)

    assert find_problems(book, ["IN"]) == []  # within the platform's ceilings…
    assert [problem.field for problem in find_problems(book, ["IN"], README_PROMPT)] == [field]  # …not the prompt's


def test_a_prompt_without_offers_refuses_any_discount():
    problems = find_problems(valid_rule_book(concession_policy=_concessions()), ["IN"], "Invite them. No offers.")

    assert [problem.field for problem in problems] == ["concession_policy.hard_max_percent",
                                                       "concession_policy.auto_approve_percent"]


def test_a_generator_that_keeps_writing_more_than_the_prompt_allows_gets_the_422():
    too_generous = valid_rule_book(concession_policy=_concessions(hard_max_percent=20))
    request = GenerationRequest(prompt=README_PROMPT, persona_override=None, tenant_country="IN")
    generator = ScriptedGenerator(too_generous, too_generous)

    with pytest.raises(Invalid) as raised:
        generate_rule_book(generator, request, ["IN"])

    assert raised.value.status == 422 and raised.value.field == "concession_policy.hard_max_percent"
    assert "up to 15%" in generator.requests[1].problems[0].message


def test_the_composers_repair_lowers_a_limit_to_the_prompts():
    request = GenerationRequest(prompt=README_PROMPT, persona_override=None, tenant_country="IN")
    generator = ScriptedGenerator(valid_rule_book(concession_policy=_concessions(hard_max_percent=20)))
    generator.generate = lambda repair, first=generator.generate: (
        first(repair) if repair.previous_attempt is None else OfflineComposer().generate(repair))

    book = generate_rule_book(generator, request, ["IN"]).rule_book

    assert book.concession_policy.hard_max_percent == 15
