"""The one module that touches cryptography's hazmat layer: AES-256-GCM and randomness.

sops uses a 32-byte nonce (Go's `NewGCMWithNonceSize(..., 32)`) and a 16-byte tag
split off the ciphertext; decryption accepts whatever nonce length a value has.

Start-up matters here (a git filter or deploy script opens one small file per
process), so both primitives come from where they are cheapest to load:
cryptography's AESGCM class straight from its compiled binding, skipping the
Python modules that only re-export it (they pull in typing and enum: a third of
a small decrypt's instructions), and SHA-512 from CPython's built-in module,
which hashlib would reach only after loading and scanning a second OpenSSL.
Each falls back to the public import if the shortcut is not there; a test
checks that the class is the very one cryptography exports, and that the hash
gives hashlib's digests.
"""

from __future__ import annotations

import _thread
import os
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_SIZE = 32
NONCE_SIZE = 32
TAG_SIZE = 16


if TYPE_CHECKING:
    from hashlib import sha512 as _sha512
else:
    try:  # CPython's SHA-512; hashlib falls back to the same code without OpenSSL
        from _sha512 import sha512 as _sha512  # 3.11
    except ImportError:
        try:
            from _sha2 import sha512 as _sha512  # 3.12 and later
        except ImportError:
            from hashlib import sha512 as _sha512
Sha512 = _sha512  # a SHA-512 hash object: update(data), hexdigest()


class AuthenticationFailed(Exception):
    """A ciphertext failed GCM authentication (wrong key, AAD or tampered bytes)."""


_POOL_SIZE = 1 << 16
_pool = b""
_pool_at = 0
_pool_lock = _thread.allocate_lock()  # two threads never get the same bytes


def _forget_pool() -> None:
    global _pool, _pool_at, _pool_lock
    _pool, _pool_at, _pool_lock = b"", 0, _thread.allocate_lock()


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


def aesgcm_class() -> type[AESGCM]:
    """cryptography's AESGCM, loaded without its Python wrappers when it can be."""
    try:
        from cryptography.hazmat.bindings._rust import openssl

        cls: type[AESGCM] = openssl.aead.AESGCM
    except (ImportError, AttributeError):  # 42 has AESGCM in Python; 43 on re-export this one
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        cls = AESGCM
    return cls


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    return aesgcm_class()(key)


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
