"""The one module that touches cryptography's hazmat layer: AES-256-GCM and randomness.

sops uses a 32-byte nonce (Go's `NewGCMWithNonceSize(..., 32)`) and a 16-byte tag
split off the ciphertext; decryption accepts whatever nonce length a value has.

Only public APIs: `AESGCM` and SHA-512 from cryptography's documented modules,
the lock from threading. SHA-512 comes from cryptography rather than hashlib:
the first is already loaded for AES-GCM, the second would load and scan a
second OpenSSL at start-up (bench/README.md gives the counts).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_SIZE = 32
NONCE_SIZE = 32
TAG_SIZE = 16


class Sha512:
    """A SHA-512 hash: `update(data)` as often as needed, then `hexdigest()` once."""

    __slots__ = ("_hash", "update")

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import hashes

        self._hash = hashes.Hash(hashes.SHA512())
        self.update = self._hash.update  # the library's own method: no call in between

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


class AuthenticationFailed(Exception):
    """A ciphertext failed GCM authentication (wrong key, AAD or tampered bytes)."""


_POOL_SIZE = 1 << 16
_pool = b""
_pool_at = 0
_pool_lock = threading.Lock()  # two threads never get the same bytes


def _forget_pool() -> None:
    global _pool, _pool_at, _pool_lock
    _pool, _pool_at, _pool_lock = b"", 0, threading.Lock()


# A forked child must never hand out its parent's bytes (two processes sealing
# with one data key would repeat nonces), so it starts with an empty batch (and
# a fresh lock, in case another thread held it at the fork).
os.register_at_fork(after_in_child=_forget_pool)


def random_bytes(n: int) -> bytes:
    """Bytes from the OS CSPRNG; drawn in 64 KiB batches (one syscall per ~2000 IVs)."""
    global _pool, _pool_at
    if n > _POOL_SIZE // 4:
        return os.urandom(n)
    lock = _pool_lock
    lock.acquire()  # not `with`: half the cost, and this runs once per sealed value
    try:
        at = _pool_at
        if at + n > len(_pool):
            _pool, at = os.urandom(_POOL_SIZE), 0
        _pool_at = at + n
        return _pool[at : at + n]
    finally:
        lock.release()


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM; returns (ciphertext, tag)."""
    return Gcm(key).seal(nonce, plaintext, aad)


def open_(key: bytes, nonce: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
    """Inverse of `seal`; raises AuthenticationFailed whatever went wrong."""
    return Gcm(key).open(nonce, ciphertext, tag, aad)


class Gcm:
    """AES-256-GCM under one key, made once for the many values of a file."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) != KEY_SIZE:
            raise TypeError("key must be 32 bytes")
        self._aead = _aead(key)

    def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
        """(ciphertext, tag)."""
        out = self._aead.encrypt(nonce, plaintext, aad)
        return out[:-TAG_SIZE], out[-TAG_SIZE:]

    def open(self, nonce: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
        """The plaintext; raises AuthenticationFailed whatever went wrong."""
        if len(tag) != TAG_SIZE or not nonce:
            raise AuthenticationFailed()
        try:
            return self._aead.decrypt(nonce, ciphertext + tag, aad)
        except Exception as e:  # InvalidTag, or a nonce/key the library refuses
            raise AuthenticationFailed() from e
