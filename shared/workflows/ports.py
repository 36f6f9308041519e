"""Rule-book generation: the port every generator adapter implements, owned by the workflows domain.

It speaks the domain's types, so it lives here, and it names every type an adapter needs (the rule book,
its metadata, the personas, the objection library's entries): an adapter under shared/providers imports
this module and nothing else of the domain (docs/ARCHITECTURE.md).

Adapters: `AnthropicRuleBookGenerator` (Claude through the official SDK, structured output through a
tool whose input schema is the rule book's JSON schema; shared/providers/llm) and the offline composer
(deterministic, for the sandbox; shared/workflows/composer.py). Services receive a generator
(`generator_selection.get_generator()`); they never import an SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from shared.objections.models import Objection
from shared.workflows.personas import PERSONAS
from shared.workflows.rule_book import RuleBook, RuleBookMetadata

__all__ = ["PERSONAS", "GeneratedRuleBook", "GenerationRequest", "Objection", "Problem", "RuleBook",
           "RuleBookGenerator", "RuleBookMetadata"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule book: the dotted field and what is wrong with it."""

    field: str
    message: str


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    persona_override: str | None
    tenant_country: str  # ISO 3166 alpha-2: the default region of the audience
    objection_library: tuple["Objection", ...] = ()
    # A repair round-trip: the previous attempt and what the validator said about it.
    previous_attempt: "RuleBook | None" = None
    problems: tuple[Problem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class GeneratedRuleBook:
    """A generator's answer: the rule book, and a short human name for the workflow ("SaaS renewal
    recovery") when the generator gave one."""

    rule_book: "RuleBook"
    name: str | None = None


class RuleBookGenerator(Protocol):
    #: "anthropic" or "offline-composer": recorded in the rule book's metadata and shown by /healthz.
    name: str

    def generate(self, request: GenerationRequest) -> GeneratedRuleBook:
        """A rule book for the prompt, and a name for its workflow. Raises shared.platform.errors.Upstream when
        the provider fails, Invalid when its output cannot be read as a rule book at all."""
