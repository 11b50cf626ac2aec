"""The merge driver of `.sealer/audit.jsonl`: both sides' entries, one valid chain.

Our log stays as it is (it is the merge commit's first parent, whose log must
be a prefix). Every entry only their side added is appended after ours as a
`carry` entry holding the original line verbatim (its author's signature
intact), chained and signed by whoever merges. When one side added nothing,
the result is simply the other side's log and nothing is signed.
"""

from __future__ import annotations

from collections.abc import Callable

from sealer.audit.log import Writer, split_lines


class MergeConflict(Exception):
    """The logs cannot be merged (a side rewrote history); git reports a conflict."""


def _prefix(a: list[bytes], b: list[bytes]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def merge(base: bytes, ours: bytes, theirs: bytes, writer: Callable[[], Writer]) -> bytes:
    """The merged log; `writer()` (called only when both sides grew) signs carry entries."""
    b, o, t = split_lines(base), split_lines(ours), split_lines(theirs)
    if o[: len(b)] != b or t[: len(b)] != b:
        raise MergeConflict(
            "a side's log does not extend the common ancestor's (history rewritten?)"
        )
    if t[: len(o)] == o:
        return theirs
    if o[: len(t)] == t:
        return ours
    common = _prefix(o, t)
    signer = writer()
    signer.seq, signer.prev = len(o), _hash(o[-1])
    lines = list(o)
    for line in t[common:]:
        signed = signer.sign({"action": "carry", "carried": line.decode("utf-8")})
        lines.append(signed)
        signer.seq, signer.prev = signer.seq + 1, _hash(signed)
    return b"".join(line + b"\n" for line in lines)


def _hash(line: bytes) -> str:
    from sealer.audit.log import line_hash

    return line_hash(line)
