"""The RuleBook model: a strict schema Claude can fill, with a description on every field."""

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.workflows.rule_book import ObjectionHandler, RuleBook


def rule_book_fields(**overrides: Any) -> dict[str, Any]:
    """A valid rule book for an Indian renewal campaign, as a dict (other tests break one field at a time)."""
    fields: dict[str, Any] = {
        "system_prompt": "You are Priya, an AI assistant for Khata Cloud. Honour any opt-out at once.",
        "opener": ("Hello, this is Priya, an AI assistant calling for Khata Cloud. This call is recorded. "
                   "If you would rather not get these calls, say stop."),
        "disclosures": {"ai_disclosure": "this is Priya, an AI assistant calling for Khata Cloud",
                        "recording_notice": "This call is recorded",
                        "opt_out": "If you would rather not get these calls, say stop"},
        "objection_handlers": [{"trigger": "Too expensive", "rebuttal": "I understand; may I share what is included?",
                                "objection_id": "price-too-expensive"},
                               {"trigger": "Stop calling me", "rebuttal": "Of course, goodbye."}],
        "goals": ["Renew the plan"],
        "qualification_questions": ["What stopped you from renewing?"],
        "concession_policy": {"allowed": ["discount_percent"], "currency": "INR", "auto_approve_percent": 10,
                              "hard_max_percent": 20, "approval_required_above_limit": True},
        "callback_policy": {"allowed": True, "max_days_ahead": 7},
        "voicemail_policy": {"action": "hang_up", "message": None},
        "retry_policy": {"busy": {"max_attempts": 3, "spacing_minutes": 30},
                         "no_answer": {"max_attempts": 3, "spacing_minutes": 120},
                         "voicemail": {"max_attempts": 2, "spacing_minutes": 240}},
        "calling_window": {"start": "10:00", "end": "19:00", "timezone": "Asia/Kolkata",
                           "days": ["mon", "tue", "wed", "thu", "fri"]},
        "max_call_seconds": 180,
        "language": "en-IN",
        "persona": "priya",
        "schedule_kind": "weekdays",
    }
    fields.update(overrides)
    return fields


def valid_rule_book(**overrides: Any) -> RuleBook:
    return RuleBook.model_validate(rule_book_fields(**overrides))


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for field in model.model_fields.values():
        for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
            for inner in (candidate, *getattr(candidate, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in found:
                    found += [m for m in _models(inner) if m not in found]
    return found


def test_every_field_of_every_part_has_a_description_for_the_model():
    undescribed = [f"{model.__name__}.{name}" for model in _models(RuleBook)
                   for name, field in model.model_fields.items() if not field.description]

    assert undescribed == []


def test_the_json_schema_forbids_fields_the_model_does_not_know():
    schema = RuleBook.model_json_schema()

    assert schema["additionalProperties"] is False
    assert all(definition.get("additionalProperties") is False for definition in schema["$defs"].values())


def test_an_unknown_field_is_refused_when_reading_a_generated_rule_book():
    with pytest.raises(ValidationError):
        RuleBook.model_validate(rule_book_fields(status="live"))


def test_objection_ids_lists_each_library_objection_once_in_order():
    book = valid_rule_book()
    book.objection_handlers.append(ObjectionHandler(trigger="Costly", rebuttal="Sure.",
                                                    objection_id="price-too-expensive"))
    book.objection_handlers.append(ObjectionHandler(trigger="Later", rebuttal="Sure.", objection_id="timing-not-now"))

    assert book.objection_ids() == ["price-too-expensive", "timing-not-now"]
