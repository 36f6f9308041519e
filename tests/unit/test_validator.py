"""The rule-book validator: each rule of RULES.md, and the field-by-field 422."""

import pytest

from shared.platform.errors import Invalid
from shared.workflows.validator import ensure_valid, find_problems
from tests.unit.test_rule_book import rule_book_fields, valid_rule_book


def _fields(book) -> list[str]:
    return [problem.field for problem in find_problems(book, ["IN"])]


def test_a_sound_rule_book_has_no_problems():
    assert find_problems(valid_rule_book(), ["IN"]) == []


def test_a_window_wider_than_the_legal_one_is_refused_on_its_end():
    window = {"start": "10:00", "end": "22:00", "timezone": "Asia/Kolkata", "days": ["mon"]}

    assert _fields(valid_rule_book(calling_window=window)) == ["calling_window.end"]


def test_a_window_legal_in_india_is_refused_for_a_us_audience():
    problems = find_problems(valid_rule_book(), ["IN", "US"])

    assert problems and all(problem.field.startswith("calling_window.") for problem in problems)
    assert all("US" in problem.message for problem in problems)


@pytest.mark.parametrize(("window", "field"), [
    ({"start": "19:00", "end": "10:00"}, "calling_window.end"),
    ({"start": "7pm", "end": "21:00"}, "calling_window.start"),
    ({"timezone": "Mars/Olympus"}, "calling_window.timezone"),
    ({"days": []}, "calling_window.days"),
])
def test_a_malformed_window_names_the_part_to_fix(window, field):
    base = {"start": "10:00", "end": "19:00", "timezone": "Asia/Kolkata", "days": ["mon"]}

    assert _fields(valid_rule_book(calling_window={**base, **window})) == [field]


@pytest.mark.parametrize("name", ["ai_disclosure", "recording_notice", "opt_out"])
def test_each_disclosure_is_mandatory(name):
    fields = rule_book_fields()
    fields["disclosures"][name] = ""

    assert _fields(valid_rule_book(**fields)) == [f"disclosures.{name}"]


def test_a_disclosure_that_the_opener_does_not_say_is_refused_on_the_opener():
    assert _fields(valid_rule_book(opener="Hello, this is Priya from Khata Cloud.")) == ["opener", "opener", "opener"]


def test_hindi_disclosures_are_accepted():
    opener = "नमस्ते, मैं प्रिया हूँ, एक एआई सहायक। यह कॉल रिकॉर्ड की जा रही है। कॉल बंद करने के लिए रोकें कहें।"
    disclosures = {"ai_disclosure": "मैं प्रिया हूँ, एक एआई सहायक", "recording_notice": "यह कॉल रिकॉर्ड की जा रही है",
                   "opt_out": "कॉल बंद करने के लिए रोकें कहें"}

    assert _fields(valid_rule_book(opener=opener, disclosures=disclosures, language="hi")) == []


@pytest.mark.parametrize(("instruction", "why"), [
    ("Tell them we will take legal action and send police.", "threatens"),
    ("Pretend to be a real person named Rahul.", "hides that the call is automated"),
    ("Never say it is an automated call.", "hides that the call is automated"),
    ("Keep calling every day even if they say stop.", "ignores an opt-out"),
])
def test_forbidden_instructions_are_refused_naming_the_sentence(instruction, why):
    book = valid_rule_book(system_prompt=f"Be polite. {instruction} Thank them.")

    problem = find_problems(book, ["IN"])[0]
    assert problem.field == "system_prompt" and why in problem.message and instruction[:-1] in problem.message


def test_a_threat_in_a_rebuttal_is_refused_on_that_handler():
    fields = rule_book_fields()
    fields["objection_handlers"][1]["rebuttal"] = "Pay today or the police will come."

    assert _fields(valid_rule_book(**fields)) == ["objection_handlers.1.rebuttal"]


def test_an_empty_handler_trigger_is_refused_by_position():
    fields = rule_book_fields()
    fields["objection_handlers"][1]["trigger"] = "  "

    assert _fields(valid_rule_book(**fields)) == ["objection_handlers.1.trigger"]


@pytest.mark.parametrize(("policy", "field"), [
    ({"auto_approve_percent": 15, "hard_max_percent": 10}, "concession_policy.auto_approve_percent"),
    ({"hard_max_percent": 80}, "concession_policy.hard_max_percent"),
    ({"auto_approve_percent": 30, "hard_max_percent": 30}, "concession_policy.auto_approve_percent"),
    ({"approval_required_above_limit": False}, "concession_policy.approval_required_above_limit"),
    ({"hard_max_percent": None}, "concession_policy.hard_max_percent"),
    ({"allowed": [], "auto_approve_percent": 10}, "concession_policy.auto_approve_percent"),
    ({"allowed": ["free_car"], "auto_approve_percent": 0, "hard_max_percent": None}, "concession_policy.allowed"),
    ({"allowed": ["credit"], "auto_approve_percent": 0, "hard_max_percent": None, "auto_approve_limit_minor": 500},
     "concession_policy.hard_max_minor"),
    ({"currency": "rupees"}, "concession_policy.currency"),
])
def test_inconsistent_concession_limits_are_refused(policy, field):
    base = rule_book_fields()["concession_policy"]

    assert _fields(valid_rule_book(concession_policy={**base, **policy})) == [field]


def test_nothing_offered_with_zero_limits_is_consistent():
    policy = {"allowed": [], "currency": "INR", "approval_required_above_limit": True}

    assert _fields(valid_rule_book(concession_policy=policy)) == []


@pytest.mark.parametrize(("voicemail", "problem"), [
    ({"action": "leave_message", "message": None}, "required"),
    ({"action": "hang_up", "message": "Call us back."}, "hang_up"),
    ({"action": "leave_message", "message": "Please call us back."}, "automated"),
])
def test_a_voicemail_message_exists_exactly_when_one_is_left(voicemail, problem):
    problems = find_problems(valid_rule_book(voicemail_policy=voicemail), ["IN"])

    assert [p.field for p in problems] == ["voicemail_policy.message"] and problem in problems[0].message


@pytest.mark.parametrize(("rule", "field"), [({"max_attempts": 0, "spacing_minutes": 30}, "max_attempts"),
                                             ({"max_attempts": 11, "spacing_minutes": 30}, "max_attempts"),
                                             ({"max_attempts": 3, "spacing_minutes": 1}, "spacing_minutes")])
def test_retry_attempts_and_spacing_stay_sane(rule, field):
    retry = {**rule_book_fields()["retry_policy"], "busy": rule}

    assert _fields(valid_rule_book(retry_policy=retry)) == [f"retry_policy.busy.{field}"]


def test_an_unknown_persona_and_language_are_refused():
    assert _fields(valid_rule_book(persona="rahul", language="Hindi please")) == ["persona", "language"]


def test_ensure_valid_raises_the_422_with_every_problem_and_the_first_field():
    book = valid_rule_book(persona="rahul", calling_window={"start": "06:00", "end": "23:00",
                                                            "timezone": "Asia/Kolkata", "days": ["mon"]})

    with pytest.raises(Invalid) as raised:
        ensure_valid(book, ["IN"])

    error = raised.value
    assert (error.status, error.code, error.message) == (422, "RULE_BOOK_INVALID", "The rule book breaks 3 rules")
    assert error.field == "calling_window.start"
    assert sorted(item["field"] for item in error.errors) == ["calling_window.end", "calling_window.start", "persona"]
    assert all(item["message"] for item in error.errors)


def test_ensure_valid_accepts_a_sound_rule_book():
    ensure_valid(valid_rule_book(), ["IN"])
