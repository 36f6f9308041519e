"""Generate a rule book, validate it, and give the generator one chance to repair what the validator found."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import replace

from shared.platform import clock
from shared.workflows.ports import GeneratedRuleBook, GenerationRequest, RuleBookGenerator
from shared.workflows.rule_book import RuleBook, RuleBookMetadata
from shared.workflows.validator import ensure_valid, find_problems


def generate_rule_book(generator: RuleBookGenerator, request: GenerationRequest,
                       audience_countries: Collection[str]) -> GeneratedRuleBook:
    """A valid rule book for the prompt, stamped with who made it, and the generator's name for the workflow;
    422 (RULE_BOOK_INVALID) after one failed repair."""
    generated = generator.generate(request)
    rule_book = generated.rule_book
    problems = find_problems(rule_book, audience_countries, request.prompt)
    if problems:
        repair = replace(request, previous_attempt=rule_book, problems=tuple(problems))
        repaired = generator.generate(repair)
        rule_book, name = repaired.rule_book, repaired.name or generated.name
        ensure_valid(rule_book, audience_countries, request.prompt)
    else:
        name = generated.name
    return GeneratedRuleBook(_stamped(rule_book, generator, request.prompt), name)


def _stamped(rule_book: RuleBook, generator: RuleBookGenerator, prompt: str) -> RuleBook:
    # The generator's own model id, when it has one (the Anthropic adapter); the composer has none.
    model = getattr(generator, "model", None)
    metadata = RuleBookMetadata(generator=generator.name, model=model if isinstance(model, str) else None,
                                generated_at=clock.now_seconds(),
                                prompt_sha256=hashlib.sha256(prompt.encode("utf-8")).hexdigest())
    return rule_book.model_copy(update={"metadata": metadata})
