"""Regexes that arrive with data: RE2 syntax and linear-time matching, as in sops.

A selection rule (`encrypted_regex`, …) in a file's metadata or a rules file's
`path_regex` is data an attacker may have written. sops compiles them with Go's
`regexp` (RE2), whose matching time is linear in the input; Python's `re`
backtracks, so `^(a+)+$` would hang on a long key. These patterns therefore run in
RE2 (`google-re2`, the C++ library Go's package was ported from). A pattern RE2
refuses (backreferences, lookaround, possessive repeats) is an error, never run by
another engine with other results. FORMAT.md, "Regexes", lists what differs from
Python's `re`.

Only whether a pattern occurs somewhere in a text is ever asked, so matching goes
through `re2.Set` (no match object, no offsets to map back to `str` indices).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sealer.errors import ConfigError

HINT = (
    "sops' regexes are RE2 (Go's regexp): no backreferences, lookahead, lookbehind "
    "or possessive repeats; see FORMAT.md, 'Regexes'"
)


_MEMO_TEXT = 256  # characters
_MEMO_ENTRIES = 65536


class Pattern:
    """A compiled RE2 pattern; `search(text)` says whether it occurs in `text`."""

    __slots__ = ("_match", "_seen", "source")

    def __init__(self, source: str, match: Callable[[str], list[int] | None]):
        self.source = source
        self._match = match  # re2.Set.Match: the indices of the patterns found, or None
        # Key names repeat (every section of a config has the same keys) and a call
        # into RE2 costs a few microseconds: remember short texts, a bounded number.
        self._seen: dict[str, bool] = {}

    def search(self, text: str) -> bool:
        found = self._seen.get(text)
        if found is None:
            found = self._match(text) is not None
            if len(text) <= _MEMO_TEXT and len(self._seen) < _MEMO_ENTRIES:
                self._seen[text] = found
        return found

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"


def compile_(source: str, where: str) -> Pattern:
    """`source` as an RE2 pattern; `where` (e.g. `rules.yaml: path_regex`) names it in errors."""
    try:
        return _compiled(source)
    except _Refused as e:
        raise ConfigError(
            f"{where}: {_shown(source)} is not an RE2 regex: {e}", hint=HINT
        ) from None


class _Refused(Exception):
    pass


@cache
def _compiled(source: str) -> Pattern:
    import re2  # about 10 ms: only files that carry a regex pay it

    options = re2.Options()
    options.log_errors = False  # errors are ours to report, not RE2's on stderr
    _refuse_c_only_syntax(source)
    try:
        re2.compile(source, options)  # for its error message; Set.Add only says "failed"
    except re2.error as e:
        reason = e.args[0] if e.args else "invalid"
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise _Refused(text) from None
    found = re2.Set.SearchSet(options)
    found.Add(source)
    found.Compile()
    return Pattern(source, found.Match)


def _refuse_c_only_syntax(source: str) -> None:
    r"""`\C` (any byte) is RE2's C++ extension; Go's regexp, and so sops, refuses it."""
    i = source.find("\\")
    while i != -1 and i + 1 < len(source):
        if source[i + 1] == "C":
            raise _Refused("invalid escape sequence: \\C")
        i = source.find("\\", i + 2)


def _shown(source: str) -> str:
    return repr(source if len(source) <= 60 else source[:57] + "...")
