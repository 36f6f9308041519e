"""Carrier pacing: at most `calls_per_second` dials per carrier account, across every concurrent dialer step.

One item per account holds the earliest moment the next dial may start; taking the slot is one conditional
UpdateItem (`next_at <= now`). A step that loses waits until then and tries again (pattern PC1).
"""

from __future__ import annotations

import math
from datetime import datetime

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, condition_failed

PACING_SK = "PACING"


class _PacingItem(TableItem, discriminator="CarrierPacing"):
    next_at_ms = NumberAttribute(default=0)


def take_slot(carrier_account: str, calls_per_second: float, now: datetime) -> float:
    """0 when this dial may go now (the slot is taken), else the seconds to wait before trying again."""
    now_ms = int(now.timestamp() * 1000)
    interval_ms = max(1, math.ceil(1000 / calls_per_second))
    item = _PacingItem(keys.carrier_pacing_pk(carrier_account), PACING_SK)
    try:
        item.update(actions=[_PacingItem.next_at_ms.set(now_ms + interval_ms),
                             _PacingItem.ttl.set(now_ms // 1000 + 3600)],
                    condition=_PacingItem.next_at_ms.does_not_exist() | (_PacingItem.next_at_ms <= now_ms))
        return 0.0
    except UpdateError as error:
        if not condition_failed(error):
            raise
    try:
        current = _PacingItem.get(keys.carrier_pacing_pk(carrier_account), PACING_SK, consistent_read=True)
    except DoesNotExist:
        return interval_ms / 1000
    return max(0.001, (int(current.next_at_ms) - now_ms) / 1000)
