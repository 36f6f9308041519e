"""Use counters of the objection library in the single table (patterns OL1–OL2).

One item per used objection under one shared partition; an UpdateItem `ADD` creates it on first use,
so nothing has to be seeded.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem


class _ObjectionUseItem(TableItem, discriminator="ObjectionUse"):
    use_count = NumberAttribute(default=0)


def use_counts() -> dict[str, int]:
    """Every objection's use count, by objection id (objections never used are absent)."""
    items = _ObjectionUseItem.query(keys.OBJECTION_LIBRARY_PK, _ObjectionUseItem.SK.startswith(keys.OBJECTION_PREFIX))
    return {item.SK.removeprefix(keys.OBJECTION_PREFIX): int(item.use_count or 0) for item in items}


def add_use(objection_id: str) -> None:
    """Count one use, atomically (concurrent rule books never lose a count)."""
    item = _ObjectionUseItem(keys.OBJECTION_LIBRARY_PK, keys.objection_sk(objection_id))
    item.update(actions=[_ObjectionUseItem.use_count.add(1), _ObjectionUseItem.type.set(_ObjectionUseItem)])
