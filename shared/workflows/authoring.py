"""Turning a plain-language prompt into a validated rule book for a tenant (create and regenerate)."""

from __future__ import annotations

from shared.workflows.ports import GeneratedRuleBook, GenerationRequest


def author_rule_book(*, prompt: str, persona_override: str | None, tenant_country: str,
                     audience_countries: set[str]) -> GeneratedRuleBook:
    """Generate with the tenant's generator (Claude or the offline composer), validate, repair once,
    and count the library objections the rule book uses. Raises Invalid (422) when it stays invalid.
    The answer carries the generator's short name for the workflow, when it gave one."""
    from shared.objections import library
    from shared.objections import service as objections
    from shared.workflows.generation import generate_rule_book
    from shared.workflows.generator_selection import get_generator

    request = GenerationRequest(prompt=prompt, persona_override=persona_override, tenant_country=tenant_country,
                                objection_library=library.seeded_objections())
    generated = generate_rule_book(get_generator(), request, audience_countries or {tenant_country})
    rule_book = generated.rule_book
    if persona_override:
        rule_book = rule_book.model_copy(update={"persona": persona_override})
    objections.record_use(rule_book.objection_ids())
    return GeneratedRuleBook(rule_book, generated.name)
