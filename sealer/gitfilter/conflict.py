"""Conflict markers: render two versions of a file as one, and split them apart again.

A conflicted merge is kept as two complete versions of the file, "ours" and
"theirs", that agree except where the conflict is. Rendered, the lines they
share appear once and each differing run of lines sits between git's markers.
The merge driver stores the rendering of the two *sealed* versions (every
value sealed, so nothing plaintext reaches the object store); smudge and
textconv split it, open both halves and render the two plaintexts, so the
markers in the working tree surround plaintext values.
"""

from __future__ import annotations

import difflib
import re

MARKER_SIZE = 7
OURS = "ours"
THEIRS = "theirs"


# a marker line: at least 7 of one character; all but `=` may carry a label
_MARKER = re.compile(r"(<{7,}|\|{7,}|>{7,})(?: [^\n]*)?\n?\Z|(={7,})\n?\Z")


def find(text: str) -> tuple[int, int] | None:
    """(1-based line, marker size) of the first complete conflict block in `text`, or None."""
    state, start, size = 0, 0, 0
    for number, line in enumerate(lines(text), 1):
        kind, width = _kind(line)
        if kind == "<":
            state, start, size = 1, number, width
        elif state in (1, 2) and kind == "|" and width == size:
            state = 2
        elif state in (1, 2) and kind == "=" and width == size:
            state = 3
        elif state == 3 and kind == ">" and width == size:
            return start, size
    return None


def _kind(line: str) -> tuple[str, int]:
    """The marker character and width of a marker line, else ("", 0)."""
    m = _MARKER.match(line) if line[:1] in ("<", "|", "=", ">") else None
    if m is None:
        return "", 0
    marker = m[1] or m[2]
    return marker[0], len(marker)


def split(text: str) -> tuple[str, str]:
    """The ours and theirs versions of a text with conflict blocks (a base part is dropped)."""
    ours: list[str] = []
    theirs: list[str] = []
    side = "both"
    size = 0
    for line in lines(text):
        kind, width = _kind(line)
        if side == "both" and kind == "<":
            side, size = "ours", width
            continue
        if side in ("ours", "base") and kind == "|" and width == size:
            side = "base"
            continue
        if side in ("ours", "base") and kind == "=" and width == size:
            side = "theirs"
            continue
        if side == "theirs" and kind == ">" and width == size:
            side = "both"
            continue
        if side in ("both", "ours"):
            ours.append(line)
        if side in ("both", "theirs"):
            theirs.append(line)
    return "".join(ours), "".join(theirs)


def render(
    ours: str,
    theirs: str,
    size: int = MARKER_SIZE,
    labels: tuple[str, str] = (OURS, THEIRS),
) -> str:
    """One text: shared lines once, each differing run of lines between markers."""
    a = _terminated(lines(ours))
    b = _terminated(lines(theirs))
    out: list[str] = []
    pending_a: list[str] = []
    pending_b: list[str] = []

    def conflict() -> None:
        if pending_a or pending_b:
            out.append("<" * size + f" {labels[0]}\n")
            out.extend(pending_a)
            out.append("=" * size + "\n")
            out.extend(pending_b)
            out.append(">" * size + f" {labels[1]}\n")
            pending_a.clear()
            pending_b.clear()

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            conflict()
            out.extend(a[i1:i2])
        else:
            pending_a.extend(a[i1:i2])
            pending_b.extend(b[j1:j2])
    conflict()
    return "".join(out)


def lines(text: str) -> list[str]:
    """Lines with their LF; only LF ends a line (unlike str.splitlines)."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def _terminated(text_lines: list[str]) -> list[str]:
    if text_lines and not text_lines[-1].endswith("\n"):
        text_lines[-1] += "\n"  # a marker must start on a line of its own
    return text_lines
