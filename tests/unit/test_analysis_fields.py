"""The rule book's `analysis_fields` (issue 13 §2): the defaults, a rule book stored before they existed, and the
validator's field-by-field problems."""

import pytest
from pydantic import ValidationError

from shared.workflows.rule_book import RuleBook
from shared.workflows.validator import find_problems
from tests.unit.test_rule_book import rule_book_fields, valid_rule_book

DEFAULT_NAMES = ["summary", "sentiment", "interested", "callback_requested_at", "concession_percent", "objections",
                 "next_step"]


def _problems(fields: list[dict]) -> list[tuple[str, str]]:
    return [(problem.field, problem.message) for problem in find_problems(valid_rule_book(analysis_fields=fields),
                                                                          ["IN"])]


def test_a_rule_book_stored_before_analysis_fields_existed_reads_as_the_defaults():
    stored = rule_book_fields()
    stored.pop("analysis_fields", None)

    rule_book = RuleBook.model_validate(stored)

    assert [field.name for field in rule_book.analysis_fields] == DEFAULT_NAMES
    assert {field.name: field.type for field in rule_book.analysis_fields} == {
        "summary": "string", "sentiment": "string", "interested": "boolean", "callback_requested_at": "datetime",
        "concession_percent": "number", "objections": "string_list", "next_step": "string"}
    assert rule_book.analysis_fields[1].choices == ["positive", "neutral", "negative"]
    assert find_problems(rule_book, ["IN"]) == []


def test_the_defaults_are_a_fresh_list_for_every_rule_book():
    first, second = valid_rule_book(), valid_rule_book()

    first.analysis_fields.pop()

    assert len(second.analysis_fields) == len(DEFAULT_NAMES)


def test_custom_fields_round_trip_through_json():
    fields = [{"name": "budget", "type": "number", "description": "Their monthly budget in dollars", "choices": None},
              {"name": "plan", "type": "string", "description": "Plan chosen", "choices": ["basic", "pro"]}]

    rule_book = valid_rule_book(analysis_fields=fields)

    assert RuleBook.model_validate(rule_book.model_dump(mode="json")).analysis_fields == rule_book.analysis_fields
    assert rule_book.model_dump(mode="json")["analysis_fields"] == fields


@pytest.mark.parametrize(("field", "where"), [
    ({"name": "Budget", "type": "number", "description": "x"}, ("analysis_fields", 0, "name")),
    ({"name": "budget", "type": "money", "description": "x"}, ("analysis_fields", 0, "type")),
    ({"name": "budget", "type": "number", "description": ""}, ("analysis_fields", 0, "description")),
    ({"name": "budget", "type": "number"}, ("analysis_fields", 0, "description")),
    ({"name": "budget", "type": "number", "description": "x", "unit": "usd"}, ("analysis_fields", 0, "unit")),
])
def test_a_malformed_field_is_refused_at_its_place(field, where):
    with pytest.raises(ValidationError) as refused:
        valid_rule_book(analysis_fields=[field])

    assert refused.value.errors()[0]["loc"] == where


def test_more_than_twenty_fields_are_refused():
    fields = [{"name": f"field_{index}", "type": "string", "description": "x"} for index in range(21)]

    with pytest.raises(ValidationError) as refused:
        valid_rule_book(analysis_fields=fields)

    assert refused.value.errors()[0]["loc"] == ("analysis_fields",)


def test_a_name_used_twice_is_a_problem_on_the_second():
    fields = [{"name": "budget", "type": "number", "description": "x"},
              {"name": "budget", "type": "string", "description": "y"}]

    assert _problems(fields) == [("analysis_fields.1.name", "The name 'budget' is used twice")]


@pytest.mark.parametrize(("field", "message"), [
    ({"name": "paid", "type": "boolean", "description": "x", "choices": ["yes", "no"]},
     "Only a string field may have choices"),
    ({"name": "plan", "type": "string", "description": "x", "choices": ["pro"]}, "Give between 2 and 10 choices"),
    ({"name": "plan", "type": "string", "description": "x", "choices": ["Pro", "pro"]},
     "Choices must be distinct, non-empty and at most 60 characters"),
    ({"name": "plan", "type": "string", "description": "   "}, "The description must not be empty"),
])
def test_choices_and_descriptions_are_checked(field, message):
    (problem,) = _problems([field])

    assert problem[1] == message and problem[0].startswith("analysis_fields.0.")
