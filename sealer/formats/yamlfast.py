"""A line reader for the plain block YAML most sealed and config files are written in.

libyaml hands every scalar to Python as an event object with two marks, and
building sealer's tree from those events costs more than the events
themselves. A file made only of `key: value` lines (block mappings, plain or
simply quoted one-line scalars, blank lines) and the `sops:` metadata block is
read here instead, one regular-expression match per line, into exactly the
tree, spans and styles the libyaml reader (yaml.py) builds for it.

Anything outside that subset makes `parse` return None and the libyaml reader
parses the file, so errors, comments, lists, anchors, tags, flow and block
scalars, multi-line plain scalars and several documents keep one
implementation. The metadata block is read by yamldata.
tests/formats/yamlfast_test.py checks that both readers agree wherever this one
answers.
"""

from __future__ import annotations

import re
from typing import Any

from sealer.formats import Parsed, yamldata
from sealer.formats import yamlscalar as ys
from sealer.formats.yaml import MAX_DEPTH, SOPS_KEY, CollStyle, Style, _Box, _Doc, data_end
from sealer.formats.yamldata import Outside, outside
from sealer.tree import Mapping, Scalar, Span

# One line: `indent key: value trailing-blanks`, `indent key:` or a blank line.
# The key is a plain word of at most 1024 characters (libyaml's limit for a
# simple key); the value is a double-quoted scalar without escapes, a
# single-quoted one without '', or a plain one that starts with no YAML
# indicator (a `-`, `?` or `:` only when something other than a blank follows).
_LINE = re.compile(
    r"( *)(?:([A-Za-z0-9_][A-Za-z0-9_./-]{0,1023}):"
    r"(?:( +)(?:\"([^\"\\\n]*)\"|'([^'\n]*)'"
    r"|((?:[^\s'\"\[\]{},&*!|>%@`#?:-]|[-?:](?=[^\s]))[^\n]*(?<! ))))?( *))?\n"
)
# The metadata entry: `sops:` at the top level with its mapping on the lines below.
_META = re.compile(r"sops: *\n")
_TOP_LEVEL = re.compile(r"^[^ \n]", re.M)


def parse(text: str) -> Parsed | None:
    """The parsed file, or None when the text is outside the subset."""
    if not text.endswith("\n") or outside(text):
        return None
    try:
        return _Reader(text).run()
    except Outside:
        return None


class _Open:
    """A block mapping being read."""

    __slots__ = ("indent", "keys", "node", "starts", "styles")

    def __init__(self, node: Mapping, indent: int) -> None:
        self.node = node
        self.indent = indent
        self.keys: set[str] = set()
        self.starts: list[int] = []
        self.styles: dict[str, Style] = {}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: list[_Open] = []
        self.root = Mapping()
        self.start = -1  # where the top-level mapping starts
        # a `key:` with nothing after it: (its mapping, key, where its empty value sits)
        self.pending: tuple[_Open, str, int] | None = None

    def run(self) -> Parsed:
        text = self.text
        # the first top-level `sops:` line (find is 0 + 1 when there is none)
        meta_match = _META.match(text, text.find("\nsops:") + 1) or _META.match(text)
        meta: tuple[Any, Span] | None = None
        if meta_match is None:  # no metadata (or a `sops` key the reader refuses)
            self._lines(0, len(text))
        else:
            ms = meta_match.start()
            top = _TOP_LEVEL.search(text, meta_match.end())
            me = top.start() if top is not None else len(text)
            self._lines(0, ms)
            self._key_line(0, ms)  # the `sops` key closes what is open, as a key would
            meta = self._metadata(ms, me)
            self._lines(me, len(text))
        if not self.stack:
            raise Outside  # blank lines only: the libyaml reader makes the empty document
        end = len(text)
        self._settle(end)
        self._close(-1, end)
        root = self.root
        doc = _Doc(root)
        doc.box = _Box(root, self.start, 0, False, None)
        doc.box.end = doc.end = doc.region_end = end
        doc.flow_insert = data_end(root) or self.start + 1
        if meta is not None:
            doc.meta, doc.meta_span, doc.meta_key_start = meta[0], meta[1], meta[1][0]
        return Parsed(
            text=text,
            docs=[root],
            metadata=doc.meta,
            meta_spans=[] if doc.meta_span is None else [doc.meta_span],
            ctx=[doc],
        )

    def _lines(self, pos: int, endpos: int) -> None:
        text, stack = self.text, self.stack
        keywords, resolve = ys.KEYWORDS, ys.resolve_plain
        string_keys: set[str] = set()  # keys known to resolve to a string
        box: _Open | None = None
        column = -1  # box's column; the names below are box's, bound when box changes
        for indent, key, gap, dq, sq, plain, trail in _LINE.findall(text, pos, endpos):
            n = len(indent)
            if not key:  # a blank line
                pos += n + 1
                continue
            start = pos + n
            if n != column or self.pending is not None:
                box = self._key_line(n, start)
                column, keys, styles, top = box.indent, box.keys, box.styles, box is stack[0]
                add_start, add_item = box.starts.append, box.node.items.append
            assert box is not None
            if key in keys or (top and key == SOPS_KEY):
                raise Outside  # a duplicate key, or sops metadata that is not a mapping
            if key not in string_keys:
                if not ys.is_plain_word(key) and type(resolve(key)) is not str:
                    raise Outside  # a key that is not a string (true, 1, null, a date, ...)
                string_keys.add(key)
            keys.add(key)
            add_start(start)
            colon = start + len(key)
            if not gap:
                self.pending = (box, key, colon + 1)
                pos = colon + len(trail) + 2
                continue
            at = colon + 1 + len(gap)
            if plain:
                if ": " in plain or plain[-1] == ":":
                    raise Outside  # a mapping where a scalar was expected
                # ys.is_plain_word, inline: this runs once per value
                value = plain if plain[0].isalpha() and plain not in keywords else resolve(plain)
                style, end = "", at + len(plain)
            elif text[at] == '"':
                value, style, end = dq, '"', at + len(dq) + 2
            else:
                value, style, end = sq, "'", at + len(sq) + 2
            add_item((key, Scalar(value, (at, end), styles.get(style) or self._style(box, style))))
            pos = end + len(trail) + 1
        if pos != endpos:
            raise Outside  # some line is not in the subset

    def _key_line(self, n: int, start: int) -> _Open:
        """The mapping a key at column n (starting at `start`) belongs to."""
        stack = self.stack
        if not stack:
            if n != 0:
                raise Outside  # an indented top level
            self.start = start
            self.root = Mapping(span=(start, 0))
            stack.append(_Open(self.root, 0))
            return stack[0]
        box = stack[-1]
        if self.pending is not None:
            parent, key, at = self.pending
            self.pending = None
            if n > box.indent:  # the key's value is the mapping that starts here
                if len(stack) >= MAX_DEPTH:
                    raise Outside
                node = Mapping(span=(start, 0))
                parent.node.items.append((key, node))
                box = _Open(node, n)
                stack.append(box)
                return box
            parent.node.items.append((key, Scalar(None, (at, at), self._style(parent, ""))))
        if n > box.indent:
            raise Outside  # more indented than a key with a value on its line
        if n < box.indent:
            self._close(n, start)
            box = stack[-1]
            if box.indent != n:
                raise Outside  # back to a column no open mapping sits at
        return box

    def _settle(self, at: int) -> None:
        """At the end: a `key:` with nothing below it holds null."""
        if self.pending is not None:
            parent, key, where = self.pending
            self.pending = None
            parent.node.items.append((key, Scalar(None, (where, where), self._style(parent, ""))))

    def _close(self, n: int, end: int) -> None:
        """Close the mappings more indented than column n; they end at `end`."""
        stack = self.stack
        while stack and stack[-1].indent > n:
            box = stack.pop()
            node = box.node
            assert node.span is not None
            node.span = (node.span[0], end)
            node.style = CollStyle(box.indent, False, box.starts)

    def _style(self, box: _Open, quoting: str) -> Style:
        st = box.styles.get(quoting)
        if st is None:
            st = Style(quoting, False, box.indent + 2, source=self.text,
                            parent_indent=box.indent)  # fmt: skip
            box.styles[quoting] = st
        return st

    def _metadata(self, start: int, end: int) -> tuple[Any, Span]:
        """The `sops:` block between start and end, and where it sits (its blank lines after)."""
        meta = yamldata.metadata(self.text[start:end])
        if meta is None:
            raise Outside
        last = len(self.text[start:end].rstrip(" \n"))
        return meta, (start, self.text.index("\n", start + last) + 1)
