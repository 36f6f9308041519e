"""The analysis's tool schema from the rule book's fields, and how a raw answer is made to fit them (issue 13 §2)."""

import pytest

from shared.call_analysis.models import answer_schema, conform
from shared.workflows.rule_book import AnalysisField, default_analysis_fields

BUDGET = AnalysisField(name="budget", type="number", description="Their monthly budget")


def test_the_default_fields_become_one_required_nullable_property_each():
    schema = answer_schema(default_analysis_fields())

    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["required"] == ["summary", "sentiment", "interested", "callback_requested_at", "concession_percent",
                                  "objections", "next_step"]
    properties = schema["properties"]
    assert properties["summary"]["type"] == ["string", "null"]
    assert properties["sentiment"]["enum"] == ["positive", "neutral", "negative", None]
    assert properties["interested"]["type"] == ["boolean", "null"]
    assert properties["callback_requested_at"] | {"description": ""} == {
        "type": ["string", "null"], "format": "date-time", "description": ""}
    assert "RFC 3339" in properties["callback_requested_at"]["description"]
    assert properties["concession_percent"]["type"] == ["number", "null"]
    assert properties["objections"]["type"] == "array" and properties["objections"]["items"]["type"] == "string"
    assert properties["next_step"]["description"] == default_analysis_fields()[-1].description


def test_a_tenants_own_field_is_in_the_schema_with_its_description():
    schema = answer_schema([BUDGET])

    assert schema["properties"] == {"budget": {"type": ["number", "null"], "description": "Their monthly budget"}}
    assert schema["required"] == ["budget"]


def test_the_schema_is_a_valid_json_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(answer_schema(default_analysis_fields()))
    Draft202012Validator(answer_schema(default_analysis_fields())).validate(
        {"summary": None, "sentiment": "neutral", "interested": None, "callback_requested_at": None,
         "concession_percent": 10, "objections": [], "next_step": "Call back"})


@pytest.mark.parametrize(("field", "raw", "expected"), [
    (AnalysisField(name="f", type="string", description="x"), "  two   words ", "two words"),
    (AnalysisField(name="f", type="string", description="x"), {"not": "text"}, None),
    (AnalysisField(name="f", type="string", description="x", choices=["positive", "negative"]), "Positive",
     "positive"),
    (AnalysisField(name="f", type="string", description="x", choices=["positive", "negative"]), "meh", None),
    (AnalysisField(name="f", type="number", description="x"), "15%", 15),
    (AnalysisField(name="f", type="number", description="x"), 12.5, 12.5),
    (AnalysisField(name="f", type="number", description="x"), True, None),
    (AnalysisField(name="f", type="number", description="x"), "lots", None),
    (AnalysisField(name="f", type="boolean", description="x"), "yes", True),
    (AnalysisField(name="f", type="boolean", description="x"), 1, None),
    (AnalysisField(name="f", type="datetime", description="x"), "2026-05-21T10:00:00Z", "2026-05-21T10:00:00Z"),
    (AnalysisField(name="f", type="datetime", description="x"), "2026-05-21T10:00:00+05:30",
     "2026-05-21T10:00:00+05:30"),
    (AnalysisField(name="f", type="datetime", description="x"), "2026-05-21T10:00:00", "2026-05-21T10:00:00+05:30"),
    (AnalysisField(name="f", type="datetime", description="x"), "tomorrow", None),
    (AnalysisField(name="f", type="string_list", description="x"), ["price", " ", 3, "timing"], ["price", "timing"]),
    (AnalysisField(name="f", type="string_list", description="x"), None, []),
    (AnalysisField(name="f", type="string_list", description="x"), "price", ["price"]),
])
def test_each_value_is_made_to_fit_its_type_or_is_null(field, raw, expected):
    assert conform([field], {"f": raw}, timezone="Asia/Kolkata") == {"f": expected}


def test_missing_fields_are_null_and_unknown_keys_are_dropped():
    assert conform([BUDGET], {"surprise": "x"}) == {"budget": None}
