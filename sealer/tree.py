"""The document model every format builds: sops's tree, plus where each leaf sits.

Mirrors sops' `TreeBranch` (an ordered mapping whose keys may be comments) and
lists whose elements may be comments. Leaves also record their text span and a
format-specific style, so sealing replaces only those bytes (DESIGN decision 3).

Plain classes with `__slots__` rather than dataclasses: `dataclasses` imports
`inspect`, a noticeable share of the start-up of `sealer decrypt`.
"""

from __future__ import annotations

from typing import Any

from sealer.values import Value

Span = tuple[int, int]


class Scalar:
    __slots__ = ("aliased", "span", "style", "value")

    def __init__(
        self, value: Value, span: Span | None, style: Any = None, aliased: bool = False
    ) -> None:
        self.value = value
        self.span = span  # None: not in the text on its own (an alias copy)
        self.style = style  # the format's presentation hint (quoting, block style, ...)
        self.aliased = aliased  # an alias elsewhere copies this scalar (YAML anchors)

    def __repr__(self) -> str:
        return f"Scalar(span={self.span})"


class CommentNode:
    __slots__ = ("inline", "span", "style", "text")

    def __init__(
        self, text: str, span: Span | None, inline: bool = False, style: Any = None
    ) -> None:
        self.text = text  # what follows the comment character
        self.span = span
        self.inline = inline
        self.style = style

    def __repr__(self) -> str:
        return f"CommentNode(span={self.span})"


class Mapping:
    __slots__ = ("items", "span", "style")

    def __init__(
        self,
        items: list[tuple[str | CommentNode, Node | None]] | None = None,
        span: Span | None = None,
        style: Any = None,
    ) -> None:
        self.items = items if items is not None else []
        self.span = span
        self.style = style

    def __repr__(self) -> str:
        return f"Mapping({len(self.items)} items, span={self.span})"


class Sequence:
    __slots__ = ("items", "span", "style")

    def __init__(
        self, items: list[Node] | None = None, span: Span | None = None, style: Any = None
    ) -> None:
        self.items = items if items is not None else []
        self.span = span
        self.style = style

    def __repr__(self) -> str:
        return f"Sequence({len(self.items)} items, span={self.span})"


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
