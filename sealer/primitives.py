"""The one module that touches cryptography's hazmat layer: AES-256-GCM and randomness.

sops uses a 32-byte nonce (Go's `NewGCMWithNonceSize(..., 32)`) and a 16-byte tag
split off the ciphertext; decryption accepts whatever nonce length a value has.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_SIZE = 32
NONCE_SIZE = 32
TAG_SIZE = 16


class Sha512:
    """SHA-512 through cryptography, whose OpenSSL is loaded anyway (hashlib loads another)."""

    __slots__ = ("_h",)

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import hashes

        self._h = hashes.Hash(hashes.SHA512())

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def hexdigest(self) -> str:
        return self._h.finalize().hex()


class AuthenticationFailed(Exception):
    """A ciphertext failed GCM authentication (wrong key, AAD or tampered bytes)."""


_pool = b""
_pool_pid = 0
_POOL_SIZE = 1 << 16


def random_bytes(n: int) -> bytes:
    """Bytes from the OS CSPRNG; drawn in 64 KiB batches (one syscall per ~2000 IVs).

    The batch is tied to the process id, so a forked child never reuses its
    parent's bytes.
    """
    global _pool, _pool_pid
    if n > _POOL_SIZE // 4:
        return os.urandom(n)
    pid = os.getpid()
    if len(_pool) < n or pid != _pool_pid:
        _pool, _pool_pid = os.urandom(_POOL_SIZE), pid
    out, _pool = _pool[:n], _pool[n:]
    return out


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM; returns (ciphertext, tag)."""
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise TypeError("key must be 32 bytes")
    out = _aead(key).encrypt(nonce, plaintext, aad)
    return out[:-TAG_SIZE], out[-TAG_SIZE:]


def open_(key: bytes, nonce: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
    """Inverse of `seal`; raises AuthenticationFailed whatever went wrong."""
    if len(tag) != TAG_SIZE or not nonce:
        raise AuthenticationFailed()
    try:
        return _aead(key).decrypt(nonce, ciphertext + tag, aad)
    except Exception as e:  # InvalidTag, or a nonce/key the library refuses
        raise AuthenticationFailed() from e
