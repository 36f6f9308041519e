"""Page cursors: the last item's sort key, URL-safe base64 without padding.

Opaque to clients, not secret: every listing rebuilds its partition from the principal's tenant, so a forged
cursor can only move within the caller's own items. Each listing says which sort keys it may resume from.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from shared.platform.errors import BadRequest


def encode(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def decode(cursor: str, is_resumable: Callable[[str], bool]) -> str:
    """The sort key a cursor names; 400 INVALID_CURSOR unless it decodes to one this listing could have issued."""
    try:
        sort_key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        sort_key = ""
    if not (sort_key and is_resumable(sort_key)):
        raise BadRequest("Invalid cursor: pass next_cursor as it was given", code="INVALID_CURSOR", field="cursor")
    return sort_key
