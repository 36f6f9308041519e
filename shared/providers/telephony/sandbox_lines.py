"""The sandbox carrier's books: which numbers a tenant's sandbox account holds, in the single table.

The only storage code of the sandbox adapter (pattern N5). One item per number the account has
touched; a pre-owned number that was never touched has no item.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem


class _SandboxLineItem(TableItem, discriminator="SandboxLine"):
    phone_e164 = UnicodeAttribute()
    held = BooleanAttribute()
    voice_url = UnicodeAttribute(null=True)
    status_callback_url = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class SandboxLine:
    phone_e164: str
    held: bool
    voice_url: str | None
    status_callback_url: str | None


def get(tenant_id: int, e164: str) -> SandboxLine | None:
    try:
        item = _SandboxLineItem.get(keys.sandbox_line_pk(tenant_id), keys.sandbox_line_sk(e164), consistent_read=True)
    except DoesNotExist:
        return None
    return SandboxLine(item.phone_e164, item.held, item.voice_url, item.status_callback_url)


def put(tenant_id: int, line: SandboxLine) -> None:
    _SandboxLineItem(keys.sandbox_line_pk(tenant_id), keys.sandbox_line_sk(line.phone_e164),
                     phone_e164=line.phone_e164, held=line.held, voice_url=line.voice_url or None,
                     status_callback_url=line.status_callback_url or None).save()
