"""Key paths on the command line: sops' `'["a"][0]["b"]'` or the dotted `a.0.b`.

In the dotted form a component made of digits is an index when it meets a list
and a key when it meets a mapping; use the bracket form for keys holding dots.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sealer.errors import SealerError

Path = tuple[str | int, ...]


class PathError(SealerError):
    pass


_BRACKET = re.compile(r'\[\s*(?:(-?\d+)|("(?:[^"\\]|\\.)*")|(\'(?:[^\'\\]|\\.)*\'))\s*\]', re.A)


def parse(text: str) -> Path:
    text = text.strip()
    if not text:
        raise PathError("empty key path")
    if text.startswith("["):
        out: list[str | int] = []
        pos = 0
        while pos < len(text):
            m = _BRACKET.match(text, pos)
            if not m:
                raise PathError(
                    f"bad key path {text!r}", hint="""write it as '["a"][0]["b"]' or a.0.b"""
                )
            if m[1] is not None:
                out.append(int(m[1]))
            elif m[2] is not None:
                out.append(json.loads(m[2]))
            else:
                out.append(m[3][1:-1].replace("\\'", "'"))
            pos = m.end()
        return tuple(out)
    parts = text.split(".")
    if any(p == "" for p in parts):
        raise PathError(f"bad key path {text!r}", hint="no empty components: a.b.c")
    return tuple(parts)


def show(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f'["{p}"]' for p in path)


def lookup(data: Any, path: Path) -> Any:
    """Follow `path` through plain Python data (dicts and lists)."""
    node = data
    for i, part in enumerate(path):
        where = show(path[: i + 1])
        if isinstance(node, dict):
            key = str(part)
            if key not in node:
                raise PathError(f"{where}: no such key")
            node = node[key]
        elif isinstance(node, list):
            index = part if isinstance(part, int) else int(part) if str(part).isdigit() else None
            if index is None or not -len(node) <= index < len(node):
                raise PathError(f"{where}: no such list element")
            node = node[index]
        else:
            raise PathError(f"{where}: not a mapping or list")
    return node
