"""The write-time safety net: sealer opens what it sealed before anyone sees it.

Sealing splices ciphertexts into the user's bytes at spans a format reader
reported. A reader bug (a span one character off, metadata placed where YAML
no longer parses) would otherwise produce a file nobody can open, or leave
part of a value in clear, and `encrypt -i` or the git filter would store it.
So every sealed text is read back with the same format reader, opened with
the data key still in hand (MAC included) and compared with the plaintext it
was made from: the same keys, typed values and comments in the same order.
(Bytes are not compared: opening may write a documented canonical form, such
as a dropped `!!int` tag, and rendering every value back would cost as much
again; positions are what a reader bug gets wrong, and a value spliced at the
wrong place no longer parses, decrypts or authenticates where it should.)

A mismatch is a bug in sealer, not in the user's file: it raises
`SelfCheckError`, which is not a `SealerError`, so the command exits 3 with a
crash log (types and frames only, never a value) and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealer.errors import SealerError
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence
from sealer.values import Comment, Raw, Value

if TYPE_CHECKING:
    from sealer.formats import Format, Parsed


class SelfCheckError(Exception):
    """Sealed output that does not open to its plaintext: a bug, never the user's fault."""


def verify(fmt: Format, plain: Parsed, sealed: str, key: bytes) -> str:
    """`sealed` if it opens with `key` to the data of `plain`; SelfCheckError otherwise."""
    from sealer import envelope, metadata

    try:
        parsed = fmt.parse(sealed)
        if parsed.metadata is None:
            raise SelfCheckError("the sealed output has no sops metadata")
        meta = metadata.from_dict(parsed.metadata)
        result = envelope.open_tree(
            parsed.docs, key, meta.selection, meta.mac_only_encrypted, remember=False
        )
        envelope.check_mac(meta.mac, result.mac_hex, key, meta.lastmodified)
    except SealerError as e:
        # the message may name a key path, never a value; the crash log keeps only the type
        raise SelfCheckError(f"sealer cannot open its own output: {e.message}") from e
    opened = {id(node): value for node, value in result.replacements}
    if len(parsed.docs) != len(plain.docs) or not all(
        _same(a, b, opened) for a, b in zip(parsed.docs, plain.docs, strict=True)
    ):
        raise SelfCheckError("the sealed output opens to other data than its plaintext")
    return sealed


def _same(node: Node | None, plain: Node | None, opened: dict[int, Value]) -> bool:
    """Whether a node of the sealed output, opened, is the plaintext's node: same keys,
    typed values and comments in the same order (one walk of both trees)."""
    if isinstance(node, Scalar):
        if not isinstance(plain, Scalar):
            return isinstance(plain, CommentNode) and _comment(node, opened) == plain.text
        value = opened.get(id(node), node.value)
        if type(value) is str:  # the common case: equal text, and text on both sides
            return type(plain.value) is str and value == plain.value
        if isinstance(value, Comment):
            return False
        if isinstance(value, Raw) and isinstance(plain.value, str):  # bytes that are not UTF-8
            return value.data == plain.value.encode("utf-8", "surrogateescape")
        # the type too: 1, 1.0 and True are equal in Python, not in the file
        return type(value) is type(plain.value) and repr(value) == repr(plain.value)
    if isinstance(node, Mapping):
        if not isinstance(plain, Mapping) or len(node.items) != len(plain.items):
            return False
        for (key, child), (plain_key, plain_child) in zip(node.items, plain.items, strict=True):
            if isinstance(key, CommentNode):
                if not isinstance(plain_key, CommentNode):
                    return False
                if _comment(key, opened) != plain_key.text:
                    return False
            elif key != plain_key or not _same(child, plain_child, opened):
                return False
        return True
    if isinstance(node, Sequence):
        if not isinstance(plain, Sequence) or len(node.items) != len(plain.items):
            return False
        return all(_same(a, b, opened) for a, b in zip(node.items, plain.items, strict=True))
    if isinstance(node, CommentNode):
        return isinstance(plain, CommentNode) and _comment(node, opened) == plain.text
    return node is None and plain is None


def _comment(node: Scalar | CommentNode, opened: dict[int, Value]) -> str | None:
    """A comment's opened text (sops writes a comment in a list as an element)."""
    found = opened.get(id(node))
    if isinstance(found, Comment):
        return found.text
    return node.text if isinstance(node, CommentNode) else None
