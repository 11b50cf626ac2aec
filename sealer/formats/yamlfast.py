"""A line reader for the plain block YAML most sealed and config files are written in.

libyaml hands every scalar to Python as an event object with two marks, and
building sealer's tree from those events costs more than the events
themselves. A file made of block mappings and lists (`key: value`, `key:`,
`- value`, `- key: value`) of one-line scalars (plain, or quoted without
escapes), one-line flow lists of such scalars (`key: [a, "b"]`, `key: []`)
and `key: {}`, comments and blank lines, after an optional `---` first line,
plus the `sops:` metadata block, is read here instead, one regular-expression
match per line, into exactly the tree, spans and styles the libyaml reader
(yaml.py) builds for it. The reader is
that reader with its event loop replaced: comments are placed by the same code
(`_attach_comments`), from the same key and value positions.

Anything outside that subset makes `parse` return None and the libyaml reader
parses the file, so errors, anchors, tags, other flow collections, block scalars,
multi-line scalars, lists of lists and several documents keep one
implementation. The metadata block is read by yamldata.
tests/formats/yamlfast_test.py checks that both readers agree wherever this
one answers.
"""

from __future__ import annotations

import re
from typing import Any

from sealer.formats import Parsed, yamldata
from sealer.formats import yamlscalar as ys
from sealer.formats.yaml import MAX_DEPTH, SOPS_KEY, CollStyle, Style, _Box, _Parser, data_end
from sealer.formats.yamldata import Outside, outside
from sealer.tree import Mapping, Scalar, Sequence, Span
from sealer.values import Value

# One line: an optional list dash, an optional `key:`, an optional scalar, then
# blanks and a comment, each optional. The key is a plain word of at most 1024
# characters (libyaml's limit for a simple key); the scalar is double-quoted
# without escapes, single-quoted without '', or plain, starting with no YAML
# indicator (a `-`, `?` or `:` only when something other than a blank follows).
# A plain scalar's group runs to the last non-blank of the line, comment
# included (`[^\n]*` is the fastest class); _lines cuts it at ` #`. Optional
# parts are written `(?:X|)`, not `(?:X)?`: the same match, a third faster in re.
# `^` and the possessive blanks (`*+`) keep a line that does not match from
# being tried again at every position and with every split of its blanks.
_LINE = re.compile(
    r"^( *+)(- ++|)(?:([A-Za-z0-9_][A-Za-z0-9_./-]{0,1023}):(?=[ \n])( *+)|)"
    r"(?:\"([^\"\\\n]*)\"|'([^'\n]*)'"
    r"|((?:[^\s'\"\[\]{},&*!|>%@`#?:-]|[-?:](?=[^\s]))[^\n]*(?<! ))"
    r"|(\[(?:[^\n\[\]{}'\"]|'[^'\n]*'|\"[^\"\\\n]*\")*\]|\{\})|([|>]-?)|)"
    r"( *(?:#[^\n]*|))\n",
    re.M,
)
# One item of a one-line flow list, with the blanks around it and its comma: a
# quoted scalar as above, or a plain one without the characters that end or
# complicate it in a flow collection (`,[]{}`, `:`, `#`, quotes).
_FLOW_ITEM = re.compile(
    r"( *)(?:\"([^\"\\\n]*)\"|'([^'\n]*)'"
    r"|((?:[^\s'\"\[\]{},&*!|>%@`#?:-]|-(?=[^\s,\[\]{}]))[^,\[\]{}:#'\"\n]*(?<! )))( *)(,|)"
)
# A `key: |` line (a block scalar's header, nothing after it), which _data
# looks for before the line reader reaches it, to read the content lines apart.
_BLOCK_HEAD = re.compile(r" *(?:- +)?[A-Za-z0-9_][A-Za-z0-9_./-]{0,1023}: +[|>]-?\n")
_BLOCK_VALUE = re.compile(r": +[|>]-?\n")
_BLANKS = re.compile(" *")
# _EXCLUDED: the libyaml reader marks every key and scalar as text in which a
# `#` starts no comment. Here only quoted scalars can hold a ` #` (keys are
# plain words, a plain scalar is cut at its ` #`, tabs are outside the subset),
# so only they are marked, and comments land exactly as before.
# The metadata entry: `sops:` at the top level with its mapping on the lines below.
_META = re.compile(r"sops: *\n")
_TOP_LEVEL = re.compile(r"^[^ \n]", re.M)


def parse(text: str) -> Parsed | None:
    """The parsed file, or None when the text is outside the subset."""
    if not text.endswith("\n") or outside(text, comments=True):
        return None
    try:
        return _Reader(text).run()
    except Outside:
        return None


class _Reader(_Parser):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        # a `key:` with nothing after it: (its mapping, key, where its empty value sits)
        self.pending: tuple[_Box, str, int] | None = None
        # a `key: |` line just read: (its mapping, key, where `|` is, the header)
        self.block: tuple[_Box, str, int, str] | None = None

    def run(self) -> Parsed:
        text = self.text
        # a first line `---` (an explicit document start) is all the document
        # markers the reader takes; it holds nothing to read
        first = 4 if text.startswith("---\n") else 0
        # the first top-level `sops:` line (find is 0 + 1 when there is none)
        meta_match = _META.match(text, text.find("\nsops:") + 1) or _META.match(text)
        meta: tuple[Any, Span] | None = None
        if meta_match is None:  # no metadata (or a `sops` key the reader refuses)
            self._data(first, len(text))
        else:
            ms = meta_match.start()
            top = _TOP_LEVEL.search(text, meta_match.end())
            me = top.start() if top is not None else len(text)
            self._data(first, ms)
            box = self._key_line(0, ms)  # the `sops` key closes what is open, as a key would
            meta = self._metadata(ms, me)
            if self.track:  # as the libyaml reader records the key and the block
                self.tokens.append((ms, box))
                self.excluded += [(ms, ms + len(SOPS_KEY)), meta[1]]
            self._data(me, len(text))
        if not self.stack:
            raise Outside  # blank lines only: the libyaml reader makes the empty document
        end = len(text)
        self._settle()
        root = self.stack[0]
        self._close(-1, end)
        doc = self.doc
        doc.root, doc.box, doc.end, doc.region_end = root.node, root, end, end  # type: ignore[assignment]
        doc.flow_insert = data_end(root.node) or root.start + 1
        if meta is not None:
            doc.meta, doc.meta_span, doc.meta_key_start = meta[0], meta[1], meta[1][0]
        self.docs.append(doc)
        if self.track:
            self._attach_comments()
        return Parsed(
            text=text,
            docs=[doc.root],
            metadata=doc.meta,
            meta_spans=[] if doc.meta_span is None else [doc.meta_span],
            ctx=self.docs,
        )

    def _data(self, pos: int, endpos: int) -> None:
        """The lines from pos to endpos; each block scalar's content is read apart."""
        text = self.text
        at = pos
        while True:
            # `: |` first (a fast search for a literal start), then its whole line
            found = _BLOCK_VALUE.search(text, at, endpos)
            if found is None:
                self._lines(pos, endpos)
                return
            at = found.end()
            header = _BLOCK_HEAD.match(text, text.rfind("\n", 0, found.start()) + 1, at)
            if header is None or header.start() < pos:
                continue  # not a `key: |` line of its own
            self._lines(pos, at)
            pos = at = self._block(at, endpos)

    def _block(self, pos: int, endpos: int) -> int:
        """The content of the block scalar whose header ends at pos; where reading goes on.

        Taken: `|` and `|-` with any number of lines, `>` and `>-` with one (the
        shape sealed values have), content indented by the first line's blanks,
        no line of blanks only and no empty first line."""
        text = self.text
        assert self.block is not None
        box, key, at, header = self.block
        self.block = None
        column = _BLANKS.match(text, pos).end() - pos if pos < endpos else 0  # type: ignore[union-attr]
        if column <= box.indent:
            raise Outside  # an empty block scalar, or none: the next line is not its content
        lines: list[str] = []
        end = i = pos
        blanks = 0
        while i < endpos:
            nl = text.index("\n", i)
            line = text[i:nl]
            if not line:
                blanks += 1
            elif line[:column].strip(" ") or not line.strip(" "):
                if not line.strip(" "):
                    raise Outside  # a line of blanks only
                break  # a less indented line ends the block
            else:
                lines += [""] * blanks + [line[column:]]
                blanks, end = 0, nl + 1
            i = nl + 1
        if header[0] == ">" and len(lines) > 1:
            raise Outside  # folding is left to libyaml
        value = "\n".join(lines) + ("" if header.endswith("-") else "\n")
        st = Style(header[0], False, column, source=text, parent_indent=box.indent)
        box.node.items.append((key, Scalar(value, (at, end), st)))  # type: ignore[arg-type]
        if self.track:
            self.excluded.append((at, end))
            self.tokens.append((at, box))
        return end

    def _lines(self, pos: int, endpos: int) -> None:
        text, stack, track = self.text, self.stack, self.track
        tokens, excluded = self.tokens, self.excluded
        keywords, resolve = ys.KEYWORDS, ys.resolve_plain
        string_keys: set[str] = set()  # keys known to resolve to a string
        box: _Box | None = None
        column = -1  # box's column; the names below are box's, bound when box changes
        matches = _LINE.findall(text, pos, endpos)
        for indent, dash, key, gap, dq, sq, plain, flow, block, tail in matches:
            n = len(indent)
            if not key:
                at = pos + n + len(dash)
                if not dash:  # a blank line or only a comment (a lone scalar continues one)
                    if plain or flow or block or text[at] in "\"'":
                        raise Outside
                    pos = at + len(tail) + 1
                    continue
                # `- scalar`: an item of the list at column n
                if flow or block:
                    raise Outside  # `- [...]`, `- |`: left to libyaml
                seq = self._item(n, pos + n)
                pos, value, style, end = self._value(at, dq, sq, plain, tail)
                node = Scalar(value, (at, end), seq.styles.get(style) or self._style(seq, style))
                seq.node.items.append(node)  # type: ignore[arg-type]
                seq.starts.append(at)
                if track:
                    if style:  # see _EXCLUDED
                        excluded.append((at, end))
                    tokens.append((at, seq))
                column = -1  # the next key line finds its mapping again
                continue
            start = pos + n + len(dash)
            if dash:  # `- key: ...`: an item that is a mapping, its keys at this column
                seq = self._item(n, pos + n)
                if len(stack) >= MAX_DEPTH:
                    raise Outside
                item = Mapping()
                seq.node.items.append(item)  # type: ignore[arg-type]
                seq.starts.append(start)
                box = self._open(item, start, start - pos, seq)
                column = -1
            if start - pos != column or self.pending is not None:
                if not dash:
                    box = self._key_line(n, start)
                assert box is not None and isinstance(box.node, Mapping)
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
            if track:
                tokens.append((start, box))
            at = colon + 1 + len(gap)
            if plain:  # the common case, inline: a plain value
                pos = at + len(plain) + len(tail) + 1
                if track and " #" in plain:  # the rest of the line is a comment
                    plain = plain[: plain.index(" #")].rstrip(" ")
                if ": " in plain or plain[-1] == ":":
                    raise Outside  # a mapping where a scalar was expected
                # ys.is_plain_word, inline: this runs once per value
                value = plain if plain[0].isalpha() and plain not in keywords else resolve(plain)
                style, end = "", at + len(plain)
            elif text[at] in "\"'":
                pos, value, style, end = self._value(at, dq, sq, plain, tail)
            elif flow:  # `key: [...]` on one line, or `key: {}`
                if tail[:1] == "#":
                    raise Outside  # `#` right after the bracket: not a comment
                self._flow(box, key, at, at - pos, flow)
                pos = at + len(flow) + len(tail) + 1
                continue
            elif block:  # `key: |`: the content lines are read by _block, after this call
                if tail or at + len(block) + 1 != endpos:
                    raise Outside  # a comment after the header, or a line _data did not expect
                self.block = (box, key, at, block)
                pos = endpos
                continue
            else:  # `key:` and nothing more: a mapping or list below, or null
                self.pending = (box, key, colon + 1)
                pos = at + len(tail) + 1
                continue
            add_item((key, Scalar(value, (at, end), styles.get(style) or self._style(box, style))))
            if track:
                if style:
                    excluded.append((at, end))
                tokens.append((at, box))
        if pos != endpos:
            raise Outside  # some line is not in the subset

    def _flow(self, box: _Box, key: str, at: int, column: int, flow: str) -> None:
        """`key: {}`, or a flow list of one-line scalars, `key: [a, "b", 'c']`, as the
        libyaml reader builds it: a flow collection whose items are flow scalars."""
        if len(self.stack) >= MAX_DEPTH:
            raise Outside
        if flow == "{}":  # a box too: comments after it on its line are filed under it
            empty = _Box(Mapping(), at, column, True, box)
            empty.end = at + 1
            empty.node.span, empty.node.style = (at, at + 2), CollStyle(column, True, [])
            box.node.items.append((key, empty.node))  # type: ignore[arg-type]
            self.boxes.append(empty)
            return
        seq = _Box(Sequence(), at, column, True, box, is_mapping=False)
        items = _FLOW_ITEM.findall(flow, 1, len(flow) - 1)
        i = 1
        for lead, dq, sq, plain, trail, comma in items:
            start = at + i + len(lead)
            if dq or sq or flow[i + len(lead)] in "\"'":
                style, value = flow[i + len(lead)], dq or sq
                end = start + len(value) + 2
            elif plain:
                value = plain if ys.is_plain_word(plain) else ys.resolve_plain(plain)
                style, end = "", start + len(plain)
            else:
                raise Outside  # an empty item: `[a, , b]`
            i = end - at + len(trail) + len(comma)
            st = seq.styles.get(style)
            if st is None:
                st = Style(style, True, column + 2, source=self.text, parent_indent=column)
                seq.styles[style] = st
            seq.node.items.append(Scalar(value, (start, end), st))  # type: ignore[arg-type]
            seq.starts.append(start)
            if self.track:
                if style:  # see _EXCLUDED
                    self.excluded.append((start, end))
                self.tokens.append((start, seq))
        commas = [comma for *_, comma in items]
        if (
            (i != len(flow) - 1 or commas != [","] * (len(items) - 1) + [""])
            if items
            else flow[1:-1].strip(" ")
        ):
            raise Outside  # a missing or trailing comma, or something no item pattern took
        seq.end = at + len(flow) - 1
        seq.node.span = (at, at + len(flow))
        seq.node.style = CollStyle(column, True, seq.starts)
        box.node.items.append((key, seq.node))  # type: ignore[arg-type]
        self.boxes.append(seq)

    def _value(
        self, at: int, dq: str, sq: str, plain: str, tail: str
    ) -> tuple[int, Value, str, int]:
        """(where the next line starts, value, quoting, end) of the scalar at `at`."""
        if plain:
            after = at + len(plain) + len(tail) + 1
            if self.track and " #" in plain:
                plain = plain[: plain.index(" #")].rstrip(" ")
            if ": " in plain or plain[-1] == ":":
                raise Outside
            value = plain if ys.is_plain_word(plain) else ys.resolve_plain(plain)
            return after, value, "", at + len(plain)
        quote = self.text[at]
        if quote not in "\"'":
            raise Outside  # no scalar here
        if tail[:1] == "#":
            raise Outside  # `#` right after the closing quote: not a comment
        end = at + len(dq if quote == '"' else sq) + 2
        return end + len(tail) + 1, dq if quote == '"' else sq, quote, end

    def _item(self, n: int, dash: int) -> _Box:
        """The list a `-` at column n (at `dash`) adds an item to, opened if it starts here."""
        stack = self.stack
        if not stack:
            raise Outside  # a list at the top level
        if self.pending is not None:
            parent, key, _ = self.pending
            if n >= parent.indent:  # the key's value: a list here (at the key's column too)
                self.pending = None
                if len(stack) >= MAX_DEPTH:
                    raise Outside
                node = Sequence()
                parent.node.items.append((key, node))  # type: ignore[arg-type]
                return self._open(node, dash, n, parent, is_mapping=False)
            self._settle()
        self._close(n, dash)
        box = stack[-1]
        if box.is_mapping or box.indent != n:
            raise Outside  # a dash where a key belongs, or at a column no list sits at
        return box

    def _key_line(self, n: int, start: int) -> _Box:
        """The mapping a key at column n (starting at `start`) belongs to."""
        stack = self.stack
        if not stack:
            if n != 0:
                raise Outside  # an indented top level
            return self._open(Mapping(), start, 0, None)
        box = stack[-1]
        if self.pending is not None:
            parent, key, _ = self.pending
            if n > box.indent:  # the key's value is the mapping that starts here
                self.pending = None
                if len(stack) >= MAX_DEPTH:
                    raise Outside
                node = Mapping()
                parent.node.items.append((key, node))  # type: ignore[arg-type]
                return self._open(node, start, n, parent)
            self._settle()
        if n > box.indent:
            raise Outside  # more indented than a key with a value on its line
        self._close(n, start)
        box = stack[-1]
        if not box.is_mapping and box.indent == n and box.parent and box.parent.indent == n:
            self._close(n - 1, start, 1)  # a list at its key's column ends at the next key
            box = stack[-1]
        if not box.is_mapping or box.indent != n:
            raise Outside  # back to a column no open mapping sits at
        return box

    def _open(
        self, node: Mapping | Sequence, start: int, column: int, parent: _Box | None,
        is_mapping: bool = True,
    ) -> _Box:  # fmt: skip
        box = _Box(node, start, column, False, parent, is_mapping)
        self.stack.append(box)
        self.boxes.append(box)
        return box

    def _settle(self) -> None:
        """A `key:` with nothing below it holds null."""
        if self.pending is not None:
            parent, key, at = self.pending
            self.pending = None
            parent.node.items.append((key, Scalar(None, (at, at), self._style(parent, ""))))  # type: ignore[arg-type]
            if self.track:
                self.tokens.append((at, parent))

    def _close(self, n: int, end: int, most: int = 1 << 30) -> None:
        """Close (at most `most` of) the collections more indented than column n at `end`."""
        stack = self.stack
        while stack and stack[-1].indent > n and most > 0:
            most -= 1
            box = stack.pop()
            box.end = end
            box.node.span = (box.start, end)
            box.node.style = CollStyle(box.indent, False, box.starts)

    def _style(self, box: _Box, quoting: str) -> Style:
        st = box.styles.get(quoting)
        if st is None:
            st = Style(quoting, False, box.indent + 2, source=self.text,
                            parent_indent=box.indent)  # fmt: skip
            box.styles[quoting] = st
        return st

    def _metadata(self, start: int, end: int) -> tuple[Any, Span]:
        """The `sops:` block between start and end, and where it sits: to the end of its
        last line, or past the empty lines after it when that is a `|` block's."""
        found = yamldata.metadata(self.text[start:end])
        if found is None:
            raise Outside
        meta, literal_last = found
        if literal_last:
            return meta, (start, end)
        last = len(self.text[start:end].rstrip(" \n"))
        return meta, (start, self.text.index("\n", start + last) + 1)
