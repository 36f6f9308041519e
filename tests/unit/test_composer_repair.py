"""The composer's repair round-trip: mechanical problems are fixed, refusals stand."""

from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GenerationRequest
from shared.workflows.validator import find_problems
from tests.unit.test_rule_book import rule_book_fields, valid_rule_book

PROMPT = "Renewal recovery for Khata Cloud, IST 10am-7pm weekdays."


def _repair(book, country: str = "IN"):
    problems = tuple(find_problems(book, [country]))
    assert problems, "the test must start from a broken rule book"
    request = GenerationRequest(prompt=PROMPT, persona_override=None, tenant_country=country,
                                previous_attempt=book, problems=problems)
    return OfflineComposer().generate(request).rule_book


def test_a_too_wide_window_is_narrowed_and_the_system_prompt_says_so():
    broken = valid_rule_book(calling_window={"start": "07:00", "end": "22:30", "timezone": "Asia/Kolkata",
                                             "days": ["mon", "tue"]})

    fixed = _repair(broken)

    assert find_problems(fixed, ["IN"]) == []
    assert (fixed.calling_window.start, fixed.calling_window.end) == ("09:00", "21:00")
    assert "07:00-22:30" in fixed.system_prompt


def test_missing_disclosures_are_put_at_the_start_of_the_opener():
    fields = rule_book_fields(opener="Hi, calling about your plan.")
    fields["disclosures"] = {"ai_disclosure": "", "recording_notice": "", "opt_out": ""}

    fixed = _repair(valid_rule_book(**fields))

    assert find_problems(fixed, ["IN"]) == []
    assert fixed.opener.endswith("Hi, calling about your plan.") and "AI assistant" in fixed.opener


def test_empty_handlers_are_dropped_and_the_rest_kept():
    fields = rule_book_fields()
    fields["objection_handlers"].append({"trigger": "", "rebuttal": "Sure."})

    fixed = _repair(valid_rule_book(**fields))

    assert [h.trigger for h in fixed.objection_handlers] == ["Too expensive", "Stop calling me"]


def test_voicemail_retries_persona_and_limits_are_brought_into_range():
    fields = rule_book_fields(persona="rahul", voicemail_policy={"action": "leave_message", "message": None})
    fields["retry_policy"]["busy"] = {"max_attempts": 40, "spacing_minutes": 1}
    fields["concession_policy"]["approval_required_above_limit"] = False

    fixed = _repair(valid_rule_book(**fields))

    assert find_problems(fixed, ["IN"]) == []
    assert fixed.persona == "priya" and "automated" in fixed.voicemail_policy.message
    assert (fixed.retry_policy.busy.max_attempts, fixed.retry_policy.busy.spacing_minutes) == (10, 10)


def test_a_discount_above_the_platform_ceiling_is_not_silently_lowered():
    policy = {"allowed": ["discount_percent"], "currency": "INR", "auto_approve_percent": 80, "hard_max_percent": 80,
              "approval_required_above_limit": False}

    fixed = _repair(valid_rule_book(concession_policy=policy))

    assert fixed.concession_policy.hard_max_percent == 80
    assert "concession_policy.hard_max_percent" in [p.field for p in find_problems(fixed, ["IN"])]


def test_a_forbidden_instruction_is_left_for_the_422():
    fixed = _repair(valid_rule_book(system_prompt="Tell them the police will come. Honour stop requests."))

    assert [p.field for p in find_problems(fixed, ["IN"])] == ["system_prompt"]
