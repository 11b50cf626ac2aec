"""Finding a key path in a parsed document, for `get`, `set` and `unset`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sealer.paths import Path, PathError, show
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence


@dataclass
class Found:
    """Where a path leads: the deepest existing node and what is missing below it."""

    node: Node  # the node at path[:depth]
    parents: list[tuple[Mapping | Sequence, str | int]]  # (container, key/index) per step
    depth: int  # how many components exist
    path: Path

    @property
    def complete(self) -> bool:
        return self.depth == len(self.path)

    @property
    def missing(self) -> Path:
        return self.path[self.depth :]


def data_items(m: Mapping) -> list[tuple[str, Node | None]]:
    return [(k, v) for k, v in m.items if isinstance(k, str)]


def seq_items(s: Sequence) -> list[Node]:
    return [v for v in s.items if not isinstance(v, CommentNode)]


def find(root: Mapping, path: Path) -> Found:
    node: Node = root
    parents: list[tuple[Mapping | Sequence, str | int]] = []
    for depth, part in enumerate(path):
        if isinstance(node, Mapping):
            key = str(part)
            child = next((v for k, v in data_items(node) if k == key), _MISSING)
            if child is _MISSING:
                return Found(node, parents, depth, path)
            parents.append((node, key))
            node = child if child is not None else Scalar(None, None)
        elif isinstance(node, Sequence):
            items = seq_items(node)
            index = _index(part)
            if index is None:
                raise PathError(f"{show(path[: depth + 1])}: a list needs a numeric index")
            if index < 0:
                index += len(items)
            if not 0 <= index < len(items):
                if index == len(items):
                    return Found(node, parents, depth, path)
                raise PathError(f"{show(path[: depth + 1])}: no such list element")
            parents.append((node, index))
            node = items[index]
        else:
            raise PathError(f"{show(path[:depth])}: not a mapping or list")
    return Found(node, parents, len(path), path)


_MISSING: Any = object()


def _index(part: str | int) -> int | None:
    if isinstance(part, int):
        return part
    text = part.lstrip("-")
    return int(part) if text.isdigit() else None


def nested(missing: Path, value: Any) -> Any:
    """The value to insert for a path whose last components do not exist yet."""
    for part in reversed(missing[1:]):
        if isinstance(part, int):
            raise PathError("cannot create a list element inside a new key")
        value = {str(part): value}
    return value
