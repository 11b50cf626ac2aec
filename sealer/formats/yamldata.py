"""Plain block YAML to Python data, without libyaml, for the small files read often.

The `sops:` metadata block of a sealed file and a `.sops.yaml` rules file are
written as block mappings and lists of one-line scalars, plus literal block
scalars (`|`, `|-`) for the wrapped data keys. Reading those here saves loading
libyaml and ruamel.yaml's modules, a large share of a short command's start-up.

`load` returns the data exactly as the libyaml reader's tree gives it
(`to_python`), or None for anything outside this subset: comments, the
characters yamlfast leaves out (tabs, CR, control characters, ...), flow
collections other than `[]` and `{}`, anchors, tags, folded or kept block
scalars, multi-line plain or quoted scalars, quoted keys, duplicate or
non-string keys, nesting deeper than the libyaml reader allows, several
documents.
tests/formats/yamldata_test.py checks it against the libyaml reader.
"""

from __future__ import annotations

import re
from typing import Any

from sealer.formats import yamlscalar as ys
from sealer.formats.yaml import MAX_DEPTH

_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]{0,1023}):(?: +(.*))?\Z")  # libyaml: 1024 at most
_PLAIN = re.compile(r"(?:[^\s'\"\[\]{},&*!|>%@`#?:-]|[-?:](?=[^\s])).*\Z")
_EMPTY = {"[]": list, "{}": dict}
# Characters the subset leaves to libyaml: tabs, CR and the other line breaks
# YAML knows, the byte-order mark, and everything YAML does not allow in a
# stream (control characters, surrogates from undecodable bytes); here also
# comments (`#`), which only the line reader (yamlfast) places.
_OUTSIDE = "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
_OUTSIDE_END = {False: "#]", True: "]"}  # compiled on first use: ASCII text skips it
_ASCII_IN = {
    False: bytes(c for c in range(0x20, 0x7F) if c != ord("#")) + b"\n",
    True: bytes(range(0x20, 0x7F)) + b"\n",
}
SOPS_KEY = "sops"


class Outside(Exception):
    """The text is outside the subset (the libyaml reader takes it)."""


def outside(text: str, comments: bool = False) -> bool:
    """Whether the text holds a character the subset leaves to libyaml."""
    if text.isascii():  # bytes.translate checks 1 MB in about a millisecond, re in five
        return bool(text.encode("ascii").translate(None, _ASCII_IN[comments]))
    return re.search(_OUTSIDE + _OUTSIDE_END[comments], text) is not None


def load(text: str) -> dict[str, Any] | None:
    """A file's top-level mapping, as to_python gives the libyaml reader's first document.

    None when the text is outside the subset, or has a top-level `sops` entry
    (the libyaml reader takes that out as metadata).
    """
    data = _top(text)
    return None if data is None or SOPS_KEY in data else data


def metadata(text: str) -> tuple[dict[str, Any], bool] | None:
    """The value of the one `sops:` entry that makes up text, if it is a mapping, and
    whether its last value is a `|` block (libyaml's span of it takes the empty lines
    after it too)."""
    reader = _Reader(text)
    data = _top(text, reader)
    if data is None or list(data) != [SOPS_KEY] or not isinstance(data[SOPS_KEY], dict):
        return None
    meta: dict[str, Any] = data[SOPS_KEY]
    return meta, reader.literal_last


def _top(text: str, reader: _Reader | None = None) -> dict[str, Any] | None:
    if not text.endswith("\n") or outside(text):
        return None
    try:
        return (reader or _Reader(text)).top()
    except Outside:
        return None


def scalar(text: str) -> Any:
    """A one-line scalar in the subset: plain, or quoted without escapes."""
    if text[:1] == '"':
        if len(text) < 2 or text[-1] != '"' or '"' in text[1:-1] or "\\" in text:
            raise Outside
        return text[1:-1]
    if text[:1] == "'":
        if len(text) < 2 or text[-1] != "'" or "'" in text[1:-1]:
            raise Outside
        return text[1:-1]
    if not _PLAIN.match(text) or ": " in text or text[-1] == ":":
        raise Outside
    return text if ys.is_plain_word(text) else ys.resolve_plain(text)


def key_of(text: str) -> str:
    """A plain key that resolves to itself as a string (not true, 1, null, a date)."""
    if not ys.is_plain_word(text) and type(ys.resolve_plain(text)) is not str:
        raise Outside
    return text


class _Reader:
    """Recursive descent over lines; a list item's first line counts from after its dash."""

    def __init__(self, region: str) -> None:
        self.lines: list[tuple[int, str]] = []  # (column, text after the indent, no blanks at end)
        self.raw = region.split("\n")[:-1]
        for raw in self.raw:
            rest = raw.lstrip(" ")
            self.lines.append((len(raw) - len(rest), rest.rstrip(" ")))
        self.i = 0
        self.depth = 0  # collections open, counted as the libyaml reader counts them
        self.literal_last = False  # the value read last was a `|` block

    def _next(self) -> tuple[int, str] | None:
        """The next line that is not blank (the cursor moves to it)."""
        while self.i < len(self.lines) and not self.lines[self.i][1]:
            self.i += 1
        return self.lines[self.i] if self.i < len(self.lines) else None

    def top(self) -> dict[str, Any]:
        first = self._next()
        if first is None or first[0] != 0:
            raise Outside
        data = self._mapping(0)
        if self._next() is not None:
            raise Outside  # a line the mappings above did not take
        return data

    def _block(self, col: int) -> Any:
        line = self._next()
        assert line is not None and line[0] == col
        return self._sequence(col) if line[1][:2] in ("- ", "-") else self._mapping(col)

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Outside  # the libyaml reader refuses it (and recursion stays shallow)

    def _mapping(self, col: int) -> dict[str, Any]:
        self._enter()
        data: dict[str, Any] = {}
        while (line := self._next()) is not None and line[0] == col:
            m = _KEY.match(line[1])
            if m is None:
                raise Outside  # a list item or other text where a key belongs
            key = key_of(m.group(1))
            if key in data:
                raise Outside
            value = m.group(2)
            if value in ("|", "|-"):
                data[key] = self._literal(col, value == "|")
                self.literal_last = True
                continue
            self.literal_last = False
            self.i += 1
            if value is not None:
                data[key] = _EMPTY[value]() if value in _EMPTY else scalar(value)
                continue
            below = self._next()
            if below is not None and below[0] > col:
                data[key] = self._block(below[0])
            elif below is not None and below[0] == col and below[1][:2] == "- ":
                data[key] = self._sequence(col)  # a list may sit at its key's column
            else:
                data[key] = None
        if line is not None and line[0] > col:
            raise Outside  # more indented than the keys around it
        self.depth -= 1
        return data

    def _sequence(self, col: int) -> list[Any]:
        self._enter()
        items: list[Any] = []
        while (line := self._next()) is not None and line[0] == col and line[1][:2] == "- ":
            rest = line[1][2:]
            inner = col + 2 + len(rest) - len(rest.lstrip(" "))
            rest = rest.lstrip(" ")
            if _KEY.match(rest):  # `- key: value`: a mapping whose keys sit after the dash
                self.lines[self.i] = (inner, rest)
                items.append(self._mapping(inner))
            else:  # a scalar (a nested list or a block scalar is no scalar here: Outside)
                items.append(_EMPTY[rest]() if rest in _EMPTY else scalar(rest))
                self.literal_last = False
                self.i += 1
        if line is not None and (line[0] > col or (line[0] == col and line[1][:1] == "-")):
            raise Outside
        self.depth -= 1
        return items

    def _literal(self, col: int, clip: bool) -> str:
        """A `|` or `|-` block scalar under a key at column col (the cursor is on its line)."""
        self.i += 1
        start = self.i
        while self.i < len(self.lines) and (
            self.lines[self.i][0] > col or not self.raw[self.i].strip(" ")
        ):
            raw = self.raw[self.i]
            if raw and not raw.strip(" "):
                raise Outside  # a line of blanks: its blanks may be content
            self.i += 1
        body = self.raw[start : self.i]
        while body and body[-1] == "":
            body.pop()  # trailing empty lines belong to no one (clip and strip drop them)
            self.i -= 1
        if not body or body[0] == "":
            raise Outside  # empty, or starts with an empty line (the indent is then guessed)
        indent = len(body[0]) - len(body[0].lstrip(" "))
        if any(line and len(line) - len(line.lstrip(" ")) < indent for line in body):
            raise Outside
        text = "\n".join(line[indent:] for line in body)
        return text + "\n" if clip else text
