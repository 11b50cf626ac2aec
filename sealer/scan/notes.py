"""Keys written down in notes and tickets under a label of two words.

`Secret Key: …`, `access key:…`, `API key : …`, `Authentication key:…` — prose
names a key with a separate word, where code would join them (`secret_key`); the
generic rule reads one identifier before the colon, `key`, which alone says
nothing. Here the word before it decides, and the value must look random (a
word or a name is prose). Product and activation keys (`ABCDE-12345-…`) are
left out: they license software, they open no account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sealer.scan import generic
from sealer.scan.candidate import Candidate, line_windows

_LABELLED_KEY = re.compile(
    rb"(?<![\w-])(?i:secret|access|api|private|auth|authentication|master|encryption|signing)"
    rb"[ \t]+(?i:key)[ \t]*:[ \t]*"
    rb"(?P<s>[^\s\"'`<>,;()\[\]{}\\]{8,128})(?=[\s\"'<>,;)]|\Z)"
)
# `release.snk`, `C:/keys/signing.pfx`: where the key is kept, not the key
_FILE_NAME = re.compile(rb"\.[A-Za-z][A-Za-z0-9]{1,4}\Z")


def labelled_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """`Secret Key:AIhq…`, `access key: …`, `Authentication key:…` in prose; not a
    path or file name (`Signing key: C:\\keys\\release.snk`)."""
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for m in _LABELLED_KEY.finditer(data, start, end):
            if _FILE_NAME.search(m["s"]):
                continue
            if m.start("s") not in seen and generic.looks_random(m["s"]):
                seen.add(m.start("s"))
                yield Candidate(m.start("s"), m.end("s"), m["s"])
