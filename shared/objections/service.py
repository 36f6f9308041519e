"""The shared objection library: the seeded objections with how often rule books have used them."""

from __future__ import annotations

from collections.abc import Iterable

from shared.objections import repository
from shared.objections.library import by_id, seeded_objections
from shared.objections.models import ObjectionView

#: A rule book holds a bounded number of handlers; ADD cannot be batched, so bound the UpdateItems too.
MAX_RECORDED_PER_RULE_BOOK = 25


def list_objections(category: str | None = None) -> list[ObjectionView]:
    """Every seeded objection (optionally one category), in library order, with its use count (one Query)."""
    counts = repository.use_counts()
    return [ObjectionView(**objection.model_dump(), use_count=counts.get(objection.id, 0))
            for objection in seeded_objections() if category is None or objection.category == category]


def record_use(objection_ids: Iterable[str]) -> list[str]:
    """Count one use of each library objection a rule book uses; unknown ids are ignored. Returns those counted."""
    known = by_id()
    counted = [objection_id for objection_id in dict.fromkeys(objection_ids) if objection_id in known]
    for objection_id in counted[:MAX_RECORDED_PER_RULE_BOOK]:
        repository.add_use(objection_id)
    return counted[:MAX_RECORDED_PER_RULE_BOOK]
