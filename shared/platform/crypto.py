"""Envelope encryption of tenant secrets (BYOK provider credentials).

Each secret gets its own 256-bit data key; the secret is sealed with AES-256-GCM (random 96-bit nonce,
AAD = the tenant id) and the data key is stored wrapped next to it:

* in the cloud the wrapper is KMS (`GenerateDataKey` / `Decrypt` on `settings.credentials_kms_key_id`,
  encryption context `{"tenant_id": "<tid>"}`), so a key can only be unwrapped for the tenant it was
  made for, and every unwrap is in CloudTrail;
* locally it is a master key from the environment (`CALLFUNNEL_LOCAL_MEK`, base64 of 32 bytes) that
  wraps the data key with AES-256-GCM under the same tenant binding.

Neither configured → 503 `ENCRYPTION_UNAVAILABLE`. Unwrapped data keys are cached for at most 300 s
per (tenant, wrapped key): the KMS call is the expensive part of reading a credential.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from dataclasses import dataclass

from shared.platform.errors import CallFunnelError, Unavailable
from shared.platform.settings import get_settings

KMS_ALGORITHM = "AES-256-GCM+KMS/1"
LOCAL_ALGORITHM = "AES-256-GCM+MEK/1"
NONCE_BYTES = 12
DATA_KEY_CACHE_SECONDS = 300


class DecryptionFailed(CallFunnelError):
    """The envelope does not open: tampered, or sealed for another tenant or under another master key."""

    status = 500
    default_code = "DECRYPTION_FAILED"


@dataclass(frozen=True)
class Envelope:
    ciphertext: bytes  # AES-GCM output (ciphertext + 16-byte tag)
    nonce: bytes
    wrapped_key: bytes  # KMS CiphertextBlob, or nonce + AES-GCM of the data key under the MEK
    key_id: str  # the KMS key ARN, or "local-mek:<fingerprint>"
    algorithm: str


def encrypt(tenant_id: int, plaintext: bytes) -> Envelope:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    settings = get_settings()
    if settings.credentials_kms_key_id:
        data_key, wrapped_key, key_id, algorithm = _kms_data_key(tenant_id, settings.credentials_kms_key_id)
    else:
        mek = _master_key()
        data_key = AESGCM.generate_key(bit_length=256)
        wrap_nonce = os.urandom(NONCE_BYTES)
        wrapped_key = wrap_nonce + AESGCM(mek).encrypt(wrap_nonce, data_key, _aad(tenant_id))
        key_id, algorithm = _mek_id(mek), LOCAL_ALGORITHM
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _aad(tenant_id))
    return Envelope(ciphertext=ciphertext, nonce=nonce, wrapped_key=wrapped_key, key_id=key_id,
                    algorithm=algorithm)


def ensure_available() -> None:
    """Raise 503 `ENCRYPTION_UNAVAILABLE` unless a secret could be sealed here (checked before asking a provider
    for one, so nothing is issued that could not be stored)."""
    if not get_settings().credentials_kms_key_id:
        _master_key()


def decrypt(tenant_id: int, envelope: Envelope) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data_key = _unwrapped_key(tenant_id, envelope)
    try:
        return AESGCM(data_key).decrypt(envelope.nonce, envelope.ciphertext, _aad(tenant_id))
    except (InvalidTag, ValueError) as error:
        raise DecryptionFailed("A stored secret could not be decrypted") from error


def clear_key_cache() -> None:
    with _cache_lock:
        _key_cache.clear()


def _aad(tenant_id: int) -> bytes:
    return str(int(tenant_id)).encode()


def _context(tenant_id: int) -> dict[str, str]:
    return {"tenant_id": str(int(tenant_id))}


def _unavailable() -> Unavailable:
    return Unavailable("Credential encryption is not configured (no KMS key and no local master key)",
                       code="ENCRYPTION_UNAVAILABLE")


def _master_key() -> bytes:
    configured = get_settings().local_master_key
    if configured is None:
        raise _unavailable()
    try:
        mek = base64.b64decode(configured.get_secret_value(), validate=True)
    except ValueError as error:
        raise Unavailable("The local master key is not valid base64", code="ENCRYPTION_UNAVAILABLE") from error
    if len(mek) != 32:
        raise Unavailable("The local master key must be 32 bytes", code="ENCRYPTION_UNAVAILABLE")
    return mek


def _mek_id(mek: bytes) -> str:
    # A fingerprint, not the key: tells which MEK sealed an envelope without revealing it.
    return "local-mek:" + hashlib.sha256(b"callfunnel-mek-id" + mek).hexdigest()[:16]


def _kms_data_key(tenant_id: int, key_id: str) -> tuple[bytes, bytes, str, str]:
    from shared.platform.aws import client

    answer = client("kms").generate_data_key(KeyId=key_id, KeySpec="AES_256",
                                             EncryptionContext=_context(tenant_id))
    return answer["Plaintext"], answer["CiphertextBlob"], answer["KeyId"], KMS_ALGORITHM


# --- unwrapping, cached -------------------------------------------------------------------------------------
_key_cache: dict[tuple[int, bytes], tuple[float, bytes]] = {}
_cache_lock = threading.Lock()


def _unwrapped_key(tenant_id: int, envelope: Envelope) -> bytes:
    # The tenant is part of the cache key: a hit must never skip the tenant binding of the unwrap.
    cache_key = (int(tenant_id), envelope.wrapped_key)
    now = time.monotonic()
    with _cache_lock:
        cached = _key_cache.get(cache_key)
        if cached and cached[0] > now:
            return cached[1]
    data_key = _unwrap(tenant_id, envelope)
    with _cache_lock:
        _key_cache[cache_key] = (now + DATA_KEY_CACHE_SECONDS, data_key)
    return data_key


def _unwrap(tenant_id: int, envelope: Envelope) -> bytes:
    if envelope.algorithm == KMS_ALGORITHM:
        return _kms_unwrap(tenant_id, envelope)
    if envelope.algorithm == LOCAL_ALGORITHM:
        return _mek_unwrap(tenant_id, envelope)
    raise DecryptionFailed(f"Unknown envelope algorithm {envelope.algorithm!r}")


def _kms_unwrap(tenant_id: int, envelope: Envelope) -> bytes:
    from botocore.exceptions import ClientError

    from shared.platform.aws import client

    try:
        answer = client("kms").decrypt(CiphertextBlob=envelope.wrapped_key, KeyId=envelope.key_id,
                                       EncryptionContext=_context(tenant_id))
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        # A blob altered where it names its key comes back as AccessDenied rather than InvalidCiphertext.
        if code in ("InvalidCiphertextException", "IncorrectKeyException", "AccessDeniedException"):
            raise DecryptionFailed("A stored secret could not be decrypted") from error
        raise Unavailable("The key service could not decrypt the secret", code="ENCRYPTION_UNAVAILABLE") from error
    return answer["Plaintext"]


def _mek_unwrap(tenant_id: int, envelope: Envelope) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    mek = _master_key()
    if envelope.key_id != _mek_id(mek):
        raise DecryptionFailed("The secret was sealed under another master key")
    nonce, sealed = envelope.wrapped_key[:NONCE_BYTES], envelope.wrapped_key[NONCE_BYTES:]
    try:
        return AESGCM(mek).decrypt(nonce, sealed, _aad(tenant_id))
    except (InvalidTag, ValueError) as error:
        raise DecryptionFailed("A stored secret could not be decrypted") from error
