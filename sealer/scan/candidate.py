"""What a rule reports before the engine's filters, and the text windows rules search."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

WINDOW = 2048  # bytes either side of a keyword on very long (minified) lines


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int  # span of the secret in the scanned bytes
    end: int
    secret: bytes  # what the fingerprint is computed over (normalised); never printed


# finder(data, positions of the rule's keywords) -> candidates
Finder = Callable[[bytes, list[int]], Iterator[Candidate]]


def line_windows(data: bytes, positions: list[int]) -> list[tuple[int, int]]:
    """The lines (capped at WINDOW either side) holding sorted keyword positions, each once."""
    out: dict[tuple[int, int], None] = {}
    n = len(data)
    last_end = -1
    for i in positions:
        if i < last_end:
            continue
        start = max(data.rfind(b"\n", max(0, i - WINDOW), i) + 1, i - WINDOW, 0)
        end = data.find(b"\n", i, i + WINDOW)
        end = min(i + WINDOW, n) if end < 0 else end
        out[(start, end)] = None
        last_end = end
    return list(out)
