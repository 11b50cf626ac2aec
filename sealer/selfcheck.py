"""The write-time safety net: sealer opens what it sealed before anyone sees it.

Sealing splices ciphertexts into the user's bytes at spans a format reader
reported. A reader bug (a span one character off, metadata placed where YAML
no longer parses) would otherwise produce a file nobody can open, or leave
part of a value in clear, and `encrypt -i` or the git filter would store it.
So every sealed text is read back with the same format reader, opened with
the data key still in hand (MAC included) and compared with the plaintext it
was made from: the same bytes, or failing that the same data and comments
(a documented canonical form, such as a dropped `!!int` tag, changes bytes
but not data).

A mismatch is a bug in sealer, not in the user's file: it raises
`SelfCheckError`, which is not a `SealerError`, so the command exits 3 with a
crash log (types and frames only, never a value) and writes nothing.
"""

from __future__ import annotations

from sealer.errors import SealerError
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence
from sealer.values import Comment

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from sealer.formats import Format, Parsed


class SelfCheckError(Exception):
    """Sealed output that does not open to its plaintext: a bug, never the user's fault."""


def verify(fmt: Format, plain: Parsed, sealed: str, key: bytes) -> str:
    """`sealed` if it opens with `key` to the data of `plain`; SelfCheckError otherwise."""
    from sealer import document, metadata

    try:
        parsed = fmt.parse(sealed)
        if parsed.metadata is None:
            raise SelfCheckError("the sealed output has no sops metadata")
        meta = metadata.from_dict(parsed.metadata)
        opened = document.open_parsed(fmt, parsed, meta, key, remember=False)
    except SealerError as e:
        # the message may name a key path, never a value; the crash log keeps only the type
        raise SelfCheckError(f"sealer cannot open its own output: {e.message}") from e
    if opened.plaintext == plain.text:
        return sealed
    try:
        reopened = fmt.parse(opened.plaintext)
    except SealerError as e:
        raise SelfCheckError("the opened output does not parse") from e
    if shape(reopened.docs) != shape(plain.docs):
        raise SelfCheckError("the sealed output opens to other data than its plaintext")
    return sealed


def shape(docs: list[Mapping]) -> list[Any]:
    """Documents as comparable data: keys, typed values and comments, in order."""
    return [_shape(d) for d in docs]


def _shape(node: Node | None) -> Any:
    if isinstance(node, Mapping):
        return [
            ("#", k.text) if isinstance(k, CommentNode) else (k, _shape(v)) for k, v in node.items
        ]
    if isinstance(node, Sequence):
        return ("[", [_shape(v) for v in node.items])
    if isinstance(node, CommentNode):
        return ("#", node.text)
    if isinstance(node, Scalar):
        value = node.value
        if isinstance(value, Comment):  # sops writes a comment in a list as an element
            return ("#", value.text)
        # the type too: 1, 1.0 and True are equal in Python, not in the file
        return (type(value).__name__, repr(value))
    return None
