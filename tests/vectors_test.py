"""The vectors in tests/vectors/: each opens as its header says (FORMAT.md, "Test vectors")."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer import document, formats
from sealer.errors import IntegrityError
from sealer.tree import to_python
from tests.helpers import VECTORS

ALL = sorted(VECTORS.glob("*.vector"))


def load(path: Path) -> tuple[dict[str, str], str]:
    raw = path.read_bytes().decode("utf-8", "surrogateescape")
    head, _, body = raw.partition("\n\n")
    header = dict(line.split(": ", 1) for line in head.splitlines())
    return header, body


def test_there_are_vectors_for_every_format() -> None:
    kinds = {load(p)[0]["format"] for p in ALL}
    assert kinds == {"yaml", "json", "dotenv", "ini", "binary"}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    header, sealed = load(path)
    fmt = formats.get(header["format"])
    key = bytes.fromhex(header["data-key"])
    parsed, meta = document.read_metadata(fmt, sealed)
    expect = header["expect"]
    if expect == "integrity-error":
        with pytest.raises(IntegrityError):
            document.open_parsed(fmt, parsed, meta, key)
        return
    opened = document.open_parsed(fmt, parsed, meta, key)
    plain = path.with_suffix(".plain").read_bytes().decode("utf-8", "surrogateescape")
    if expect == "plaintext":
        assert opened.plaintext == plain
        # and sealing it again against itself gives the vector's bytes back
        assert document.seal_text(fmt, opened.plaintext, previous=opened) == sealed
    else:
        assert expect == "same-data"
        got = to_python(fmt.parse(opened.plaintext).docs[0])
        assert got == to_python(fmt.parse(plain).docs[0])
