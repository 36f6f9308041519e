"""India's National Customer Preference Register (NCPR) in the single table (patterns NCPR1–NCPR2).

One global item per registered +91 number (`PK=NCPR#{e164}, SK=NCPR`), loaded by ops from the
regulator's file (`ops/load_ncpr.py`) with BatchWriteItem. Not tenant data: every tenant's calls to
India are checked against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from shared.compliance.repository_batch import key_of
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, batch_get


class _NcprItem(TableItem, discriminator="NcprRegistration"):
    phone_e164 = UnicodeAttribute()
    preference = UnicodeAttribute(null=True)  # the register's category code, kept as given
    loaded_at = UTCDateTimeAttribute()


def register(registrations: Iterable[tuple[str, str | None]], loaded_at: datetime) -> int:
    """Write (e164, preference) registrations, 25 a request; a number loaded twice is overwritten."""
    written = 0
    with _NcprItem.batch_write() as batch:
        for e164, preference in registrations:
            batch.save(_NcprItem(keys.ncpr_pk(e164), keys.NCPR, phone_e164=e164, preference=preference,
                                 loaded_at=loaded_at))
            written += 1
    return written


def registered_numbers(e164s: Iterable[str]) -> set[str]:
    """Which of these numbers are on the NCPR (BatchGetItem, 100 a request)."""
    found = batch_get(_NcprItem, ((keys.ncpr_pk(e164), keys.NCPR) for e164 in e164s), attributes=["PK", "SK"])
    return {key_of(raw)[0].removeprefix(keys.NCPR_PREFIX) for raw in found}
