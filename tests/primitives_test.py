"""AES-256-GCM and the batched CSPRNG: no two callers ever get the same bytes."""

from __future__ import annotations

import os
import threading

import pytest

from sealer import primitives


def test_random_bytes_never_repeat_within_a_batch_or_across_batches() -> None:
    seen = [primitives.random_bytes(primitives.NONCE_SIZE) for _ in range(5000)]  # > 2 batches
    assert all(len(b) == primitives.NONCE_SIZE for b in seen)
    assert len(set(seen)) == len(seen)


def test_a_forked_child_does_not_reuse_its_parents_batch() -> None:
    primitives.random_bytes(1)  # the parent holds a batch with bytes left in it
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, primitives.random_bytes(32))
        os._exit(0)
    os.close(write)
    child = os.read(read, 32)
    os.close(read)
    os.waitpid(pid, 0)
    assert len(child) == 32
    assert child != primitives.random_bytes(32)  # the parent's next bytes


def test_threads_never_share_bytes() -> None:
    out: list[list[bytes]] = [[] for _ in range(4)]

    def draw(mine: list[bytes]) -> None:
        mine.extend(primitives.random_bytes(32) for _ in range(3000))

    threads = [threading.Thread(target=draw, args=(o,)) for o in out]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [b for o in out for b in o]
    assert len(set(every)) == len(every) == 12000


def test_gcm_round_trip_and_tamper() -> None:
    gcm = primitives.Gcm(b"k" * 32)
    nonce = primitives.random_bytes(primitives.NONCE_SIZE)
    data, tag = gcm.seal(nonce, b"secret", b"a:")
    assert gcm.open(nonce, data, tag, b"a:") == b"secret"
    with pytest.raises(primitives.AuthenticationFailed):
        gcm.open(nonce, data, tag, b"b:")
    with pytest.raises(primitives.AuthenticationFailed):
        gcm.open(nonce, bytes([data[0] ^ 1]) + data[1:], tag, b"a:")
    with pytest.raises(TypeError):
        primitives.Gcm(b"short")


def test_the_start_up_shortcuts_are_the_public_primitives() -> None:
    """AESGCM from cryptography's binding is the public class; SHA-512 is hashlib's."""
    import hashlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    assert primitives.aesgcm_class() is AESGCM
    from cryptography.hazmat.bindings._rust import openssl

    assert openssl.aead.AESGCM is AESGCM  # the shortcut exists in this release, not a fallback
    for data in (b"", b"abc", os.urandom(1000)):
        h = primitives.Sha512()
        h.update(data[:7])
        h.update(data[7:])
        assert h.hexdigest() == hashlib.sha512(data).hexdigest()
    assert primitives.Sha512 is not hashlib.sha512  # CPython's own, not OpenSSL via hashlib
