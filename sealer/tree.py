"""The document model every format builds: sops's tree, plus where each leaf sits.

Mirrors sops' `TreeBranch` (an ordered mapping whose keys may be comments) and
lists whose elements may be comments. Leaves also record their text span and a
format-specific style, so sealing replaces only those bytes (DESIGN decision 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sealer.values import Value

Span = tuple[int, int]


@dataclass(slots=True, eq=False)
class Scalar:
    value: Value
    span: Span | None  # None: not in the text on its own (an alias copy)
    style: Any = None  # the format's presentation hint (quoting, block style, ...)
    aliased: bool = False  # an alias elsewhere copies this scalar (YAML anchors)


@dataclass(slots=True, eq=False)
class CommentNode:
    text: str  # what follows the comment character
    span: Span | None
    inline: bool = False
    style: Any = None


@dataclass(slots=True, eq=False)
class Mapping:
    items: list[tuple[str | CommentNode, Node | None]] = field(default_factory=list)
    span: Span | None = None
    style: Any = None


@dataclass(slots=True, eq=False)
class Sequence:
    items: list[Node] = field(default_factory=list)
    span: Span | None = None
    style: Any = None


Node = Scalar | CommentNode | Mapping | Sequence


def to_python(node: Node | None) -> Any:
    """Plain Python data (dicts, lists, values) for a node; comments are dropped."""
    if isinstance(node, Mapping):
        return {k: to_python(v) for k, v in node.items if isinstance(k, str)}
    if isinstance(node, Sequence):
        return [to_python(v) for v in node.items if not isinstance(v, CommentNode)]
    if isinstance(node, Scalar):
        return node.value
    return None
