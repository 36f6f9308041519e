"""generate_rule_book: validate, one repair round-trip, then the 422; metadata stamped. A small fake generator."""

import hashlib
from datetime import UTC, datetime

import pytest

from shared.platform import clock
from shared.platform.errors import Invalid
from shared.workflows.generation import generate_rule_book
from shared.workflows.ports import GeneratedRuleBook, GenerationRequest
from tests.unit.test_rule_book import valid_rule_book

REQUEST = GenerationRequest(prompt="Renewal calls, IST 10am-7pm", persona_override=None, tenant_country="IN")
TOO_WIDE = {"start": "06:00", "end": "23:00", "timezone": "Asia/Kolkata", "days": ["mon"]}


class ScriptedGenerator:
    """Answers each request with the next rule book of its script, and remembers the requests."""

    name = "anthropic"
    model = "claude-test"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[GenerationRequest] = []

    def generate(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer if isinstance(answer, GeneratedRuleBook) else GeneratedRuleBook(answer)


def test_a_valid_first_answer_is_returned_stamped_without_a_repair():
    clock.freeze(datetime(2026, 5, 18, 9, 30, tzinfo=UTC))
    generator = ScriptedGenerator(valid_rule_book())

    book = generate_rule_book(generator, REQUEST, ["IN"]).rule_book

    assert len(generator.requests) == 1
    assert book.metadata.generator == "anthropic" and book.metadata.model == "claude-test"
    assert book.metadata.generated_at == datetime(2026, 5, 18, 9, 30, tzinfo=UTC)
    assert book.metadata.prompt_sha256 == hashlib.sha256(REQUEST.prompt.encode()).hexdigest()


def test_an_invalid_answer_gets_one_repair_with_the_attempt_and_its_problems():
    broken, repaired = valid_rule_book(calling_window=TOO_WIDE), valid_rule_book()
    generator = ScriptedGenerator(broken, repaired)

    book = generate_rule_book(generator, REQUEST, ["IN"]).rule_book

    repair = generator.requests[1]
    assert repair.previous_attempt == broken and repair.prompt == REQUEST.prompt
    assert {problem.field for problem in repair.problems} == {"calling_window.start", "calling_window.end"}
    assert book.calling_window == repaired.calling_window


def test_a_failed_repair_is_the_422_of_the_repaired_rule_book_and_there_is_no_third_try():
    generator = ScriptedGenerator(valid_rule_book(calling_window=TOO_WIDE), valid_rule_book(persona="rahul"))

    with pytest.raises(Invalid) as raised:
        generate_rule_book(generator, REQUEST, ["IN"])

    assert raised.value.code == "RULE_BOOK_INVALID" and raised.value.field == "persona"
    assert len(generator.requests) == 2


def test_the_prompt_hash_identifies_the_prompt():
    first = generate_rule_book(ScriptedGenerator(valid_rule_book()), REQUEST, ["IN"]).rule_book
    other = GenerationRequest(prompt="Another prompt", persona_override=None, tenant_country="IN")
    second = generate_rule_book(ScriptedGenerator(valid_rule_book()), other, ["IN"]).rule_book

    assert first.metadata.prompt_sha256 != second.metadata.prompt_sha256


def test_the_offline_composer_is_labelled_with_no_model():
    from shared.workflows.composer import OfflineComposer

    book = generate_rule_book(OfflineComposer(), REQUEST, ["IN"]).rule_book

    assert (book.metadata.generator, book.metadata.model) == ("offline-composer", None)
