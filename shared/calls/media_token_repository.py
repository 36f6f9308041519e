"""Media-stream tokens already spent (pattern MT1): one item per token nonce, written once.

Spending is one conditional PutItem (`attribute_not_exists(PK)`): of two sockets presenting the same token,
exactly one wins, whichever voice-plane task they reach. The item expires by TTL shortly after the token
itself would have (the signature's expiry already refuses it by then; TTL only tidies up).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import PutError

from shared.platform.storage import keys
from shared.platform.storage.table import TableItem, condition_failed

#: How long a spent nonce is kept past its token's expiry (TTL deletion is lazy; expiry is checked on the token).
KEEP_AFTER_EXPIRY_SECONDS = 300


class _SpentMediaToken(TableItem, discriminator="SpentMediaToken"):
    tenant_id = NumberAttribute()
    expires_at = NumberAttribute()  # epoch seconds of the token's own expiry


def spend(nonce: str, *, tenant_id: int, expires_at: int) -> bool:
    """True the first time this nonce is spent; False when it was spent before (a replay)."""
    item = _SpentMediaToken(keys.media_token_pk(nonce), keys.MEDIA_TOKEN, tenant_id=tenant_id, expires_at=expires_at,
                            ttl=expires_at + KEEP_AFTER_EXPIRY_SECONDS)
    try:
        item.save(condition=_SpentMediaToken.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True
