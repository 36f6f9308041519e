"""Generate a rule book, validate it, and give the generator one chance to repair what the validator found."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import replace

from shared.platform import clock
from shared.workflows.ports import GenerationRequest, RuleBookGenerator
from shared.workflows.rule_book import RuleBook, RuleBookMetadata
from shared.workflows.validator import ensure_valid, find_problems


def generate_rule_book(generator: RuleBookGenerator, request: GenerationRequest,
                       audience_countries: Collection[str]) -> RuleBook:
    """A valid rule book for the prompt, stamped with who made it; 422 (RULE_BOOK_INVALID) after one failed repair."""
    rule_book = generator.generate(request)
    problems = find_problems(rule_book, audience_countries)
    if problems:
        repair = replace(request, previous_attempt=rule_book, problems=tuple(problems))
        rule_book = generator.generate(repair)
        ensure_valid(rule_book, audience_countries)
    return _stamped(rule_book, generator, request.prompt)


def _stamped(rule_book: RuleBook, generator: RuleBookGenerator, prompt: str) -> RuleBook:
    # The generator's own model id, when it has one (the Anthropic adapter); the composer has none.
    model = getattr(generator, "model", None)
    metadata = RuleBookMetadata(generator=generator.name, model=model if isinstance(model, str) else None,
                                generated_at=clock.now_seconds(),
                                prompt_sha256=hashlib.sha256(prompt.encode("utf-8")).hexdigest())
    return rule_book.model_copy(update={"metadata": metadata})
