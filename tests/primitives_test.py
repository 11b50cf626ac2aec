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


def test_sha512_gives_hashlibs_digest_over_several_updates() -> None:
    import hashlib

    for data in (b"", b"abc", os.urandom(1000)):
        h = primitives.Sha512()
        h.update(data[:7])
        h.update(data[7:])
        assert h.hexdigest() == hashlib.sha512(data).hexdigest()


def test_only_public_modules_of_dependencies_are_imported() -> None:
    """No `_rust` binding, `_sha512`/`_sha2` or `_thread` (issue 16): public APIs only."""
    import ast
    from pathlib import Path

    import sealer

    private = []
    for path in Path(sealer.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] != "sealer" and any(
                    part.startswith("_") and not part.startswith("__") for part in name.split(".")
                ):
                    private.append(f"{path.name}: {name}")
    assert private == []
