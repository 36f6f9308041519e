"""The token a carrier's media stream must present to the voice plane (RULES: ≤ 60 s, one call, single use).

The voice webhook mints one per answered call and puts it in the `<Stream>` it answers with; the voice plane
verifies it before it runs anything for the socket. A token is `v1.<payload>.<signature>`, all base64url
(URL-safe, no padding): the payload is compact JSON of the tenant id, our call id, the expiry (epoch seconds
on the one clock) and a random nonce; the signature is HMAC-SHA256 over `v1.<payload>`. The key is
MEDIA_STREAM_SECRET (or the secret MEDIA_STREAM_SECRET_ARN names: the cloud, so the voice webhook and the voice
plane need not hold the JWT secret), else a key derived from the JWT signing secret (the laptop needs no new
secret, yet a JWT is never a valid stream token and back). Single use: the nonce is spent with a conditional put.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from shared.calls import media_token_repository
from shared.platform import clock
from shared.platform.errors import Unauthorized
from shared.platform.secrets import secret_string
from shared.platform.settings import get_settings

VERSION = "v1"
MAX_TTL_SECONDS = 60
_DERIVATION_LABEL = b"callfunnel-media-stream-token-v1"


class MediaTokenRejected(Unauthorized):
    """The socket's token is missing, forged, expired, spent, or for another call."""

    default_code = "MEDIA_TOKEN_INVALID"


@dataclass(frozen=True)
class MediaToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class MediaStreamGrant:
    """What a verified token allows: streaming media for this one call of this tenant."""

    tenant_id: int
    call_id: str
    expires_at: datetime


def mint(tenant_id: int, call_id: str) -> MediaToken:
    ttl = min(get_settings().media_stream_token_ttl_seconds, MAX_TTL_SECONDS)
    expires = clock.epoch_seconds() + ttl
    payload = _b64(json.dumps({"tid": tenant_id, "cid": call_id, "exp": expires, "n": secrets.token_hex(16)},
                              separators=(",", ":")).encode())
    signed = f"{VERSION}.{payload}"
    return MediaToken(token=f"{signed}.{_b64(_signature(signed))}", expires_at=datetime.fromtimestamp(expires, UTC))


def verify(token: str | None, *, call_id: str | None = None) -> MediaStreamGrant:
    """The grant a valid token carries, spending it; `call_id`: the call the socket says it is for, when it says.

    Checks run cheapest first and the nonce is spent last, so a forged, expired or misdirected token never
    costs a write (nor burns a good token)."""
    claims = _signed_claims(token or "")
    now = clock.epoch_seconds()
    expires = claims["exp"]
    if expires <= now:
        raise MediaTokenRejected("The media-stream token has expired", code="MEDIA_TOKEN_EXPIRED")
    if expires > now + MAX_TTL_SECONDS:
        raise MediaTokenRejected("The media-stream token lives longer than allowed")
    if call_id is not None and call_id != claims["cid"]:
        raise MediaTokenRejected("The media-stream token is for another call", code="MEDIA_TOKEN_WRONG_CALL")
    if not media_token_repository.spend(claims["n"], tenant_id=claims["tid"], expires_at=expires):
        raise MediaTokenRejected("The media-stream token was already used", code="MEDIA_TOKEN_REUSED")
    return MediaStreamGrant(tenant_id=claims["tid"], call_id=claims["cid"],
                            expires_at=datetime.fromtimestamp(expires, UTC))


def reset_key() -> None:
    """Forget the cached key (tests change the environment)."""
    _key.cache_clear()


def _signed_claims(token: str) -> dict:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        raise MediaTokenRejected("The media-stream token is malformed")
    signed = f"{parts[0]}.{parts[1]}"
    try:
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError) as error:
        raise MediaTokenRejected("The media-stream token is malformed") from error
    if not hmac.compare_digest(signature, _signature(signed)):
        raise MediaTokenRejected("The media-stream token's signature does not match")
    claims = json.loads(_unb64(parts[1]))  # signed by us: well-formed
    return {"tid": int(claims["tid"]), "cid": str(claims["cid"]), "exp": int(claims["exp"]), "n": str(claims["n"])}


def _signature(signed: str) -> bytes:
    return hmac.new(_key(), signed.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=1)
def _key() -> bytes:
    settings = get_settings()
    if settings.media_stream_secret is not None:
        return settings.media_stream_secret.get_secret_value().encode()
    if settings.media_stream_secret_arn:
        return secret_string(settings.media_stream_secret_arn).encode()
    if settings.jwt_secret is not None:
        root = settings.jwt_secret.get_secret_value()
    elif settings.jwt_secret_arn:
        root = secret_string(settings.jwt_secret_arn)
    else:
        raise RuntimeError("MEDIA_STREAM_SECRET(_ARN), JWT_SECRET or JWT_SECRET_ARN must be configured")
    return hmac.new(root.encode(), _DERIVATION_LABEL, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
