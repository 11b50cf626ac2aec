"""YAML: structure and byte positions from libyaml's event parser, then splicing.

libyaml (through `ruamel.yaml.clib`) reports every scalar with its marks but no
comments, so comments are found in the text between scalars and attached to the
mapping or sequence go-yaml would put them in (that decides their AAD). Aliases
are expanded for the MAC as sops expands them. The `sops:` entry is removed from
every document; the first document's copy is the metadata.
"""

import bisect
import re
from functools import cached_property
from typing import Any

from sealer.errors import FormatError
from sealer.fileio import require_utf8
from sealer.formats import BOM, Edit, Leaf, Parsed, parse_past_bom
from sealer.formats import yamlscalar as ys
from sealer.records import Record
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence, Span, to_python
from sealer.values import Comment, Value

SOPS_KEY = "sops"
META_INDENT = 4  # sops' default YAML indent
MAX_ALIAS_COPIES = 100_000  # nodes expanded from aliases; stops "billion laughs"
MAX_DEPTH = 100  # nested mappings and lists; real configuration stays far below
# A tag as libyaml scans it: verbatim `!<…>`, else up to a blank (and, in a flow
# collection, up to a flow indicator). An anchor is `&` and exactly the name the
# event reports: libyaml ends a name at `:`, so `&an:chor` is anchor `an`
# followed by the scalar `:chor`. Compiled on first use (properties are rare).
_TAG = r"!<[^>]*>|\S+"
_FLOW_TAG = r"!<[^>]*>|[^\s,\[\]{}]+"
_SEPARATION = r"(?:[ \t\r\n]+|#[^\n]*)*"  # between a property and what it qualifies
# tags dropped when a value is sealed (its type tag says it); `!!binary` too: in front
# of ENC[…] it would make go-yaml base64-decode the ciphertext
_DROP_TAGS = {t for t in ys._RESOLVABLE if not t.endswith(":str")} | {ys.BINARY_TAG}


class Style(Record):
    """How a scalar was written, so an opened value is written the same way."""

    style: str  # '' plain, '"', "'", '|', '>'
    flow: bool  # inside a flow collection
    indent: int  # block scalar content column; else the parent's column + 2
    tag_start: int | None = None  # a resolvable non-str tag, dropped when sealing
    newline_end: bool = True  # a block scalar's text ended with a line break
    crlf: bool = False  # a block scalar written with CRLF line breaks
    source: str = ""  # the file's text (to find a list dash before a scalar)
    parent_indent: int = 0  # the column of the mapping or list holding it
    tagged: bool = False  # an explicit !!str or custom tag stays in front of it
    # a block scalar with a comment on its header line (`key: | # c`): where its
    # indicators end and where its body starts; the comment between is a leaf
    header: tuple[int, int] | None = None


class CollStyle(Record):
    """Where a mapping or sequence sits: its column, flow or block, where items start."""

    indent: int
    flow: bool
    starts: list[int]  # per key or item (comments not counted)


class _Box:
    """A collection while parsing, with what comment placement needs."""

    __slots__ = (
        "comments", "end", "flow", "indent", "is_mapping", "is_meta", "key_start", "keys",
        "node", "parent", "pending_key", "start", "starts", "styles",
    )  # fmt: skip

    def __init__(
        self,
        node: Mapping | Sequence,
        start: int,
        indent: int,
        flow: bool,
        parent: "_Box | None",
        is_mapping: bool = True,
    ) -> None:
        self.node = node
        self.start = start
        self.indent = indent
        self.flow = flow
        self.parent = parent
        self.is_mapping = is_mapping
        self.end = 1 << 62
        self.starts: list[int] = []  # where each item starts
        self.pending_key: str | None = None
        self.key_start = 0
        self.is_meta = False
        self.comments: list[tuple[int, int, CommentNode]] = []
        self.keys: set[str] = set()
        self.styles: dict[str, Style] = {}  # by quoting: untagged plain and quoted scalars


class _Doc:
    __slots__ = (
        "box", "comments", "end", "flow_insert", "meta", "meta_key_start", "meta_span",
        "null_end", "region_end", "root", "root_indent",
    )  # fmt: skip

    def __init__(self, root: Mapping) -> None:
        self.root = root
        self.region_end = 0
        self.box: _Box | None = None
        self.end = 0  # where a new top-level entry (the metadata) goes
        self.root_indent = 0
        self.meta_span: Span | None = None
        self.meta: Any = None
        self.meta_key_start = 0
        self.flow_insert = 0  # a flow top level: where a new entry goes
        self.comments: list[tuple[int, int, CommentNode]] = []
        self.null_end = 0  # a document written as a null (`--- null`): where it ends


class YamlFormat:
    name = "yaml"

    def parse(self, text: str) -> Parsed:
        require_utf8(text)
        if text.startswith(BOM):  # libyaml skips the mark without counting it
            return parse_past_bom(self.parse, text)
        from sealer.formats import yamlfast  # plain block YAML, without libyaml's events

        return yamlfast.parse(text) or _Parser(text).run()

    def render_sealed(self, node: Leaf, sealed: str) -> tuple[Span, str] | list[Edit]:
        assert node.span is not None
        if isinstance(node, CommentNode):
            return node.span, sealed
        st: Style = node.style
        start, end = node.span
        if st.tag_start is not None:
            start = st.tag_start
        if st.style in ("|", ">"):
            nl = "\r\n" if st.crlf else "\n"
            tail = nl if st.newline_end else ""
            if st.header is not None:  # the comment between header and body stays a leaf
                return _around_header(
                    start, end, st, f"{st.style}-{nl}{' ' * st.indent}{sealed}{tail}"
                )
            return (start, end), f"{st.style}-{nl}{' ' * st.indent}{sealed}{tail}"
        if st.style == '"':
            return (start, end), f'"{sealed}"'
        if st.style == "'" or st.flow:  # plain ENC[...] cannot stand in a flow collection
            return (start, end), f"'{sealed}'"
        if start and (st.source[start - 1].isalnum() or st.source[start - 1] in "-_"):
            # `&an:chor`: the scalar `:chor` right after anchor `an`; ENC[…] there would
            # lengthen the anchor's name, so a blank goes between them
            return (start, end), " " + sealed
        return (start, end), sealed

    def render_plain(self, node: Leaf, value: Value) -> tuple[Span, str] | list[Edit]:
        assert node.span is not None
        if isinstance(node, CommentNode):
            assert isinstance(value, Comment)
            return node.span, value.text
        if isinstance(value, Comment):  # sops seals a comment in a list as an element
            dash = self._dash_before(node)
            return (dash, node.span[1]), "#" + value.text
        if node.style.header is not None:
            return _around_header(*node.span, node.style, _render_plain(value, node.style))
        return node.span, _render_plain(value, node.style)

    @staticmethod
    def _dash_before(node: Scalar) -> int:
        assert node.span is not None
        text = node.style.source
        i = node.span[0]
        while i > 0 and text[i - 1] in " \t":
            i -= 1
        if i == 0 or text[i - 1] != "-":
            raise FormatError("a sealed comment is not an element of a block list")
        return i - 1

    def set_value(self, parsed: Parsed, path: Any, value: Any) -> list[Edit]:
        from sealer.formats import yamledit

        return yamledit.set_value(parsed, path, value)

    def unset_value(self, parsed: Parsed, path: Any) -> list[Edit]:
        from sealer.formats import yamledit

        return yamledit.unset_value(parsed, path)

    def metadata_edits(self, parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
        text = parsed.text
        edits: list[Edit] = [(s, e, "") for s, e in parsed.meta_spans]
        if edits and edits[-1][1] == len(text) and not text.endswith("\n"):
            # a file without a final line break is sealed without one (see below):
            # the line break before `sops:` was the plaintext's last character
            s, e, _ = edits[-1]
            s -= 1 if text[s - 1 : s] == "\n" else 0
            edits[-1] = (s - (1 if text[s - 1 : s] == "\r" else 0), e, "")
        if meta is None:
            return edits
        for doc in parsed.ctx:
            if doc.box is not None and doc.box.flow:
                at = doc.flow_insert
                sep = ", " if data_end(doc.root) else ""
                import json

                edits.append((at, at, f"{sep}sops: {json.dumps(meta)}"))
                continue
            pad = " " * doc.root_indent
            body = ys.emit_block(meta, META_INDENT, doc.root_indent + META_INDENT)
            block = "\n".join([pad + "sops:", *body]) + "\n"
            if doc.end and text[doc.end - 1] != "\n":
                block = "\n" + block
                if doc.end == len(text) and not _ends_in_block_scalar(doc.root):
                    block = block.removesuffix("\n")  # no final line break: none after it either
            if doc.null_end:  # `--- null`: the metadata mapping takes the null's place
                edits.append((doc.end, doc.null_end, ""))
            at = max(doc.end, doc.null_end)
            edits.append((at, at, block))
        return edits


FORMAT = YamlFormat()


def _around_header(start: int, end: int, st: Style, text: str) -> list[Edit]:
    """A block scalar's new text as two edits that leave the comment on its header line.

    The header (or a quoted scalar that replaces the block) goes where the
    indicators were; the body lines after the comment's line break.
    """
    assert st.header is not None
    head, _, body = text.partition("\r\n" if st.crlf else "\n")
    return [(start, st.header[0], head), (st.header[1], end, body)]


def _render_plain(value: Value, st: Style) -> str:
    block = st.style in ("|", ">")
    if not isinstance(value, str):  # `!!binary |` bytes, a typed block: one line
        ys.check_value(value)
        one_line = ys.render_value(value, st.flow)
        # the block's span held its line break: the one-line form keeps it
        nl = "\r\n" if st.crlf else "\n"
        return one_line + nl if block and st.newline_end else one_line
    tail = "" if block and st.newline_end else None  # None: the span had no line break
    plain_style = st.style == "" or (st.style == "'" and st.flow)
    if plain_style and ys.plain_ok(value, st.flow, st.tagged):
        return value
    if st.style == "'" and ys.single_quoted_ok(value):
        return ys.single_quoted(value)
    if st.style == '"':
        return ys.double_quoted(value)
    if not st.flow and ys.block_ok(value) and (block or "\n" in value.rstrip("\n")):
        indicator = ""
        if ys.needs_indicator(value):
            step = st.indent - st.parent_indent
            if not 1 <= step <= 9:
                return ys.double_quoted(value) + ("\n" if tail is not None else "")
            indicator = str(step)
        text = ys.folded(value, st.indent, indicator) if st.style == ">" else None
        text = text or ys.literal(value, st.indent, indicator)
        text = text if tail is not None else text.removesuffix("\n")
        return text.replace("\n", "\r\n") if st.crlf else text
    return ys.double_quoted(value) + ("\n" if tail is not None else "")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.anchors: dict[str, Node] = {}
        self.copies = 0
        self.excluded: list[Span] = []  # scalar text and metadata: no comments in there
        self.tokens: list[tuple[int, _Box]] = []  # (start, container) of keys and values
        self.docs: list[_Doc] = []
        self.doc: _Doc = _Doc(Mapping())
        self.stack: list[_Box] = []
        self.boxes: list[_Box] = []
        # Where keys, values and scalar text are only matters for placing comments;
        # a file without a `#` (every sealed file sealer writes) skips that bookkeeping.
        self.track = "#" in text

    @cached_property
    def line_starts(self) -> list[int]:
        """Where each line starts (only errors, metadata and comments need line numbers)."""
        return [0, *(m.end() for m in re.finditer("\n", self.text))]

    def col(self, index: int) -> int:
        return index - self.text.rfind("\n", 0, index) - 1

    def line_of(self, index: int) -> int:
        return bisect.bisect_right(self.line_starts, index)

    def run(self) -> Parsed:
        from sealer.formats import libyaml

        CParser, self.events, error = libyaml.load()
        MarkedYAMLError, YAMLError = error.MarkedYAMLError, error.YAMLError
        parser = CParser(self.text)
        try:
            self._events(parser)
        except MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            raise FormatError(
                f"{where}{e.problem or 'invalid YAML'}", hint="fix the YAML syntax"
            ) from None
        except YAMLError:
            raise FormatError("invalid YAML", hint="fix the YAML syntax") from None
        if not self.docs:
            # no document at all (an empty file, or only comments): one empty
            # document, so its comments are sealed and the metadata has a place
            doc = _Doc(Mapping())
            doc.end = doc.region_end = len(self.text)
            self.docs.append(doc)
        self._attach_comments()
        return Parsed(
            text=self.text,
            docs=[d.root for d in self.docs],
            metadata=self.docs[0].meta if self.docs else None,
            meta_spans=[d.meta_span for d in self.docs if d.meta_span is not None],
            ctx=self.docs,
        )

    # -- events --------------------------------------------------------------

    def _events(self, parser: Any) -> None:
        e = self.events
        scalar, alias = e.ScalarEvent, e.AliasEvent
        starts = (e.MappingStartEvent, e.SequenceStartEvent)
        ends = (e.MappingEndEvent, e.SequenceEndEvent)
        get = parser.get_event
        while True:
            ev = get()
            cls = type(ev)
            if cls is scalar:
                self._scalar(ev)
            elif cls in starts:
                self._start(ev, cls is e.MappingStartEvent)
            elif cls in ends:
                self._end(ev)
            elif cls is alias:
                self._alias(ev)
            elif cls is e.DocumentStartEvent:
                self.doc = _Doc(Mapping())
                self.anchors = {}
            elif cls is e.DocumentEndEvent:
                if self.doc.box is None and not self.doc.null_end:
                    self.doc.end = ev.start_mark.index
                self.doc.region_end = ev.end_mark.index
                self.docs.append(self.doc)
            elif cls is e.StreamEndEvent:
                if self.docs:
                    self.docs[-1].region_end = len(self.text)
                return

    def _start(self, ev: Any, is_mapping: bool) -> None:
        start = ev.start_mark.index
        if len(self.stack) >= MAX_DEPTH:
            raise FormatError(
                f"line {ev.start_mark.line + 1}: mappings and lists nest more than {MAX_DEPTH} deep"
            )
        parent = self.stack[-1] if self.stack else None
        node: Mapping | Sequence = Mapping() if is_mapping else Sequence()
        flow = bool(ev.flow_style) or (parent is not None and parent.flow)
        column = self.col(start)
        if ev.anchor is not None or ev.tag is not None:
            # `--- !!map` / `key: &a`: the collection's column is its first entry's, not
            # its properties' (the metadata of a tagged root goes at column 0); it still
            # starts at its properties (a comment after them is its own, as for go-yaml)
            first, _ = self._skip_properties(start, ev.anchor, ev.tag is not None, parent)
            column = self.col(first)
        box = _Box(node, start, column, flow, parent, is_mapping=is_mapping)
        if parent is None:
            if not is_mapping:
                raise FormatError("YAML documents whose top level is a sequence are not supported")
            assert isinstance(node, Mapping)
            self.doc.root, self.doc.box, self.doc.root_indent = node, box, box.indent
        elif parent.is_meta:
            box.is_meta = True
            self._add(parent, node, start, ev)
        elif parent.parent is None and parent.pending_key == SOPS_KEY:
            parent.pending_key = None
            box.is_meta = True
            if not is_mapping:
                raise FormatError("the sops metadata entry is not a mapping")
            self.doc.meta_key_start = parent.key_start
        else:
            self._add(parent, node, start, ev)
        if ev.anchor:
            self.anchors[ev.anchor] = node
        self.stack.append(box)
        self.boxes.append(box)

    def _end(self, ev: Any) -> None:
        box = self.stack.pop()
        box.end = ev.start_mark.index
        box.node.span = (box.start, ev.end_mark.index)
        box.node.style = CollStyle(box.indent, box.flow, box.starts)
        if box.parent is None:
            self.doc.end = ev.end_mark.index if box.flow else ev.start_mark.index
            self.doc.flow_insert = data_end(box.node) or box.start + 1
        elif box.is_meta and not box.parent.is_meta:
            self._meta_done(box)

    def _scalar(self, ev: Any) -> None:
        start, end = ev.start_mark.index, ev.end_mark.index
        style = ev.style or ""
        tag = None if ev.ctag is None else ev.tag  # ctag: skips the property in the common case
        anchor = ev.anchor
        box = self.stack[-1] if self.stack else None
        if box is not None and box.pending_key is None and box.is_mapping and not anchor:
            # a key: only its text and position matter (the common, fast case)
            text = ev.value
            if tag is None:
                key = text if style != "" or ys.is_plain_word(text) else ys.resolve_plain(text)
            else:
                key = ys.resolve(text, style, tag)
            if type(key) is str and not self.track:
                box.pending_key, box.key_start = key, start
            else:
                self._key(box, key, start, end, ev)
            return
        tag_start = None
        if anchor is not None or tag is not None:
            start, tag_start = self._skip_properties(start, anchor, tag is not None, box)
        text = ev.value
        if style == "" and tag is None:
            value: Value = text if ys.is_plain_word(text) else ys.resolve_plain(text)
        else:
            value = ys.resolve(text, style, tag)
        if box is None:
            if value is not None:
                raise FormatError("YAML documents whose top level is a scalar are not supported")
            self.doc.end = ev.start_mark.index
            if ev.end_mark.index > ev.start_mark.index:  # `--- null`: the metadata replaces it
                self.doc.null_end = ev.end_mark.index
            return
        if box.is_meta:
            self._add(box, Scalar(value, (start, end)), start, ev)
            return
        if tag is None and style in ("", "'", '"'):  # one Style per collection and quoting
            st = box.styles.get(style)
            if st is None:
                st = Style(style, box.flow, box.indent + 2, source=self.text,
                           parent_indent=box.indent)  # fmt: skip
                box.styles[style] = st
        else:
            newline_end = True
            indent = self._content_indent(start, style, box)
            if style in ("|", ">"):
                end = self._block_end(start, end, indent)
                newline_end = self.text[end - 1 : end] == "\n"
            drop = tag_start if tag in _DROP_TAGS else None
            crlf = style in ("|", ">") and "\r\n" in self.text[start:end]
            tagged = tag is not None and tag not in _DROP_TAGS
            header = self._header_comment(start, end) if style in ("|", ">") else None
            st = Style(style, box.flow, indent, drop, newline_end, crlf, self.text, box.indent,
                       tagged, header)  # fmt: skip
        if self.track:
            if style in ('"', "'") and self.text[end : end + 1] == "#":
                raise _glued_comment(self.line_of(end))
            if st.header is None:
                self.excluded.append((ev.start_mark.index, end))
            else:  # the comment on the header line is found and sealed as any other
                self.excluded += [(ev.start_mark.index, st.header[0]), (st.header[1], end)]
        node = Scalar(value, (start, end), st)
        if box.is_mapping and box.pending_key is None:  # an anchored key
            if not isinstance(value, str):
                raise self._key_error(ev, value, True)
            self._key(box, value, start, ev.end_mark.index, ev)
            return
        if self.track:
            self.tokens.append((start, box))
        key = box.pending_key
        if (key is not None and key in box.keys) or (box.parent is None and key == SOPS_KEY):
            self._add(box, node, start, ev)  # raises the duplicate-key or metadata error
        elif key is not None:  # a mapping's value (the common case): what _add does for it
            box.pending_key = None
            box.node.items.append((key, node))  # type: ignore[arg-type]
            box.keys.add(key)
            box.starts.append(box.key_start)
        else:
            self._add(box, node, start, ev)
        if anchor:
            self.anchors[anchor] = node

    def _skip_properties(
        self, start: int, anchor: str | None, tag: bool, box: _Box | None
    ) -> tuple[int, int | None]:
        """Where the node after its anchor and tag starts, and where its tag starts."""
        text = self.text
        tag_start = None
        i = start
        for _ in range(int(anchor is not None) + int(tag)):
            if text.startswith("!", i):
                tag_start = i
                flow = box is not None and box.flow
                m = re.compile(_FLOW_TAG if flow else _TAG).match(text, i)
                assert m is not None
                i = m.end()
            else:
                assert anchor is not None and text.startswith("&" + anchor, i)
                i += 1 + len(anchor)
            i = re.compile(_SEPARATION).match(text, i).end()  # type: ignore[union-attr]
        return i, tag_start

    def _header_comment(self, start: int, end: int) -> tuple[int, int] | None:
        """(end of the indicators, start of the body) of a header line with a comment."""
        if not self.track:
            return None
        nl = self.text.find("\n", start, end)
        line = self.text[start : nl if nl >= 0 else end]
        if "#" not in line:
            return None
        indicators = re.compile(r"[|>][-+1-9]*").match(line)
        assert indicators is not None
        if line[indicators.end() : indicators.end() + 1] == "#":
            raise _glued_comment(self.line_of(start))
        return start + indicators.end(), nl + 1 if nl >= 0 else end

    def _block_end(self, start: int, end: int, indent: int) -> int:
        """A block scalar's own text ends after its last content line, unless it keeps (`+`).

        A content line is one with more than `indent` characters: a line of
        blanks longer than the indentation holds blanks of the value.
        """
        text = self.text
        nl = text.find("\n", start, end)
        header = text[start : nl if nl >= 0 else end].split("#", 1)[0]
        if "+" in header or nl < 0:
            return end
        pos = end
        while pos > nl + 1:
            line_start = text.rfind("\n", nl, pos - 1) + 1
            if len(text[line_start:pos].rstrip("\r\n")) > indent:
                return pos
            pos = line_start
        return nl + 1

    def _content_indent(self, start: int, style: str, box: _Box) -> int:
        if style in ("|", ">"):
            header = self.text[start : start + 4]
            digit = re.match(r"[|>][-+]?([1-9])", header)
            if digit:
                return box.indent + int(digit.group(1))
            nl = self.text.find("\n", start)
            m = re.compile(r"(?:[ \t]*\r?\n)*( *)").match(self.text, nl + 1) if nl >= 0 else None
            if m and m.group(1):
                return len(m.group(1))
        return box.indent + 2

    def _alias(self, ev: Any) -> None:
        box = self.stack[-1] if self.stack else None
        if box is None:
            raise FormatError("YAML documents whose top level is an alias are not supported")
        source = self.anchors.get(ev.anchor)
        if source is None:
            raise FormatError(f"line {ev.start_mark.line + 1}: unknown alias *{ev.anchor}")
        start = ev.start_mark.index
        if not box.is_meta and self.track:
            self.tokens.append((start, box))
        self._add(box, self._copy(source), start, ev)

    def _copy(self, node: Node) -> Node:
        self.copies += 1
        if self.copies > MAX_ALIAS_COPIES:
            raise FormatError("aliases expand to too many values (an alias bomb?)")
        if isinstance(node, Scalar):
            node.aliased = True
            return Scalar(node.value, None, node.style)
        if isinstance(node, Mapping):
            items = [(k, self._copy(v) if v is not None else None) for k, v in node.items]
            return Mapping([(k, v) for k, v in items if isinstance(k, str)], None, node.style)
        if isinstance(node, Sequence):
            copies = [self._copy(v) for v in node.items if not isinstance(v, CommentNode)]
            return Sequence(copies, None, node.style)
        return node

    def _key(self, box: _Box, key: Value, start: int, end: int, ev: Any) -> None:
        if not isinstance(key, str):
            raise self._key_error(ev, key, True)
        box.pending_key, box.key_start = key, start
        if self.track:
            self.excluded.append((ev.start_mark.index, end))
            if not box.is_meta:
                self.tokens.append((start, box))

    def _key_error(self, ev: Any, key: Value, is_scalar: bool) -> FormatError:
        shown = repr(key) if key is not None else "null" if is_scalar else "a collection"
        return FormatError(
            f"line {ev.start_mark.line + 1}: mapping key {shown} is not a string",
            hint="sops supports only string keys; quote the key",
        )

    def _add(self, box: _Box, node: Node, start: int, ev: Any) -> None:
        if not box.is_mapping:
            assert isinstance(box.node, Sequence)
            box.node.items.append(node)
            box.starts.append(start)
            return
        if box.pending_key is None:  # a collection or alias as a key
            raise self._key_error(ev, None, False)
        key, box.pending_key = box.pending_key, None
        if box.parent is None and key == SOPS_KEY:
            raise FormatError("the sops metadata entry is not a mapping")
        if key in box.keys:
            raise FormatError(
                f"line {self.line_of(box.key_start)}: duplicate key {key!r}",
                hint="sops refuses duplicate keys; remove one of them",
            )
        assert isinstance(box.node, Mapping)
        box.node.items.append((key, node))
        box.keys.add(key)
        box.starts.append(box.key_start)

    def _meta_done(self, box: _Box) -> None:
        assert box.parent is not None
        if box.parent.flow:  # {…, sops: {…}}: from the end of the entry before it
            end = box.node.span[1] if box.node.span else box.start
            start = data_end(box.parent.node) or self.doc.meta_key_start
        else:
            last = content_end(box.node)
            nl = self.text.find("\n", last - 1 if self.text[last - 1 : last] == "\n" else last)
            end = len(self.text) if nl < 0 else nl + 1
            start = self.line_starts[self.line_of(self.doc.meta_key_start) - 1]
        if self.doc.meta_span is not None:
            raise FormatError("the file has two sops metadata entries")
        self.doc.meta_span = (start, end)
        self.doc.meta = to_python(box.node)
        if self.track:
            self.excluded.append((start, end))

    # -- comments ----------------------------------------------------------------

    def _attach_comments(self) -> None:
        if not self.docs:
            return
        text = self.text
        d = 0
        excluded: list[Span] = []
        ex_starts: list[int] = []
        starts: list[int] = []
        eol = -1  # the end of the last comment: a ` #` inside it starts no other
        found: list[tuple[int, int, CommentNode, _Doc]] = []
        for pos in _hashes(text):
            if pos < eol:
                continue
            if not ex_starts:  # built on the first candidate: most sealed files have none
                excluded = sorted(self.excluded)
                ex_starts = [s for s, _ in excluded] or [-1]
                starts = [t[0] for t in self.tokens]
            i = bisect.bisect_right(ex_starts, pos) - 1
            if i >= 0 and excluded and pos < excluded[i][1]:
                continue
            while d < len(self.docs) - 1 and pos >= self.docs[d].region_end:
                d += 1
            doc = self.docs[d]
            eol = text.find("\n", pos)
            eol = len(text) if eol < 0 else eol
            if text[eol - 1 : eol] == "\r":
                eol -= 1
            node = CommentNode(text[pos + 1 : eol], (pos + 1, eol))
            inline = text[text.rfind("\n", 0, pos) + 1 : pos].strip() != ""
            node.inline = inline
            found.append((pos, eol, node, doc))
        segments = self._segments([(p, n, d) for p, _, n, d in found if not n.inline], starts)
        # go-yaml files a run of comment lines below some data in pieces (see _segments)
        for pos, _, node, doc in found:
            inside = self._flow_owner(pos)  # in or after a flow collection: that one
            if inside is not None:
                owner: _Box | None = inside
            elif pos in segments:
                owner = segments[pos]
            else:
                owner = self._owner(pos, bisect.bisect_left(starts, pos), doc)
            target = owner.comments if owner is not None else doc.comments
            item_starts = owner.starts if owner is not None else []
            index = bisect.bisect_right(item_starts, pos)
            if node.inline and index > 0:
                index -= 1
            target.append((index, pos, node))
        for doc in self.docs:
            if doc.box is None:
                doc.root.items.extend((c, None) for _, _, c in doc.comments)
        for box in self.boxes:
            _merge(box)

    def _segments(
        self, lines: list[tuple[int, CommentNode, _Doc]], starts: list[int]
    ) -> dict[int, _Box | None]:
        """Per comment line below some data: the collection go-yaml files it under.

        go-yaml's scanner (`yaml_parser_scan_comments`) reads a run of comment
        lines (blank lines between them allowed) that follows a line of data in
        pieces (see _pieces): feet of what came before and a head of what
        follows. A head goes with the next key or item. The first foot, split
        off where a line starts left of the indent, or at a blank line when it
        does not itself start left of the indent, belongs to the data above it
        (that data's collection; after `key:`, the collection that is its
        value). Every other foot waits for the end of a block mapping: the
        blocks the line after the run closes end, innermost first, each at the
        first piece at its column, else where the block inside it ended
        (go-yaml's `yaml_parser_unroll_indent`); a foot goes to the first
        mapping that ends at or after it (a list's end takes none), else to the
        next key's collection. After a document's last data the run is read as
        sealing leaves it: followed by the `sops:` entry at the root's column.
        """
        text = self.text
        out: dict[int, _Box | None] = {}
        i = 0
        while i < len(lines):
            j = i + 1  # the run is lines[i:j]: only blank lines between them
            while j < len(lines) and _blank_between(text, lines[j - 1][0], lines[j][0]):
                j += 1
            self._file_run([p for p, _, _ in lines[i:j]], lines[i][2], starts, out)
            i = j
        return out

    def _file_run(
        self, run: list[int], doc: _Doc, starts: list[int], out: dict[int, _Box | None]
    ) -> None:
        """File one run of comment lines (see _segments) into `out`."""
        text = self.text
        k = bisect.bisect_left(starts, run[0])
        prev = self.tokens[k - 1] if k > 0 else None
        if prev is None or doc.box is None or prev[0] < doc.box.start:
            return  # no data above it in this document: it all heads what follows
        data = prev[1]
        while data.flow and data.parent is not None:
            data = data.parent
        # the last line of data above the run, found without copying the text above
        # (a copy per run made files with many comments quadratic)
        bol = _bol(text, run[0])
        end = bol
        while end > 0 and text[end - 1] in " \t\r\n":
            end -= 1
        right_below = text.count("\n", end, bol) <= 1
        data_line = text[text.rfind("\n", 0, end) + 1 : end]
        value_below = data_line.split(" #", 1)[0].rstrip().endswith(":")
        # what follows the run: the collection it is in, and its column
        after = bisect.bisect_left(starts, run[-1])
        nxt: _Box | None = doc.box
        next_col = doc.root_indent  # nothing: the `sops:` entry sealing appends
        next_at = doc.meta_key_start if doc.meta_span is not None else doc.end
        if (
            after < len(starts)
            and starts[after] < doc.region_end
            and not (doc.meta_span is not None and starts[after] == doc.meta_key_start)
        ):
            nxt = self.tokens[after][1]
            while nxt.flow and nxt.parent is not None:
                nxt = nxt.parent
            line = text[_bol(text, starts[after]) : starts[after]]
            next_col = len(line) - len(line.lstrip())  # the dash of `- item` counts
            next_at = starts[after]
        blank_after = text[_eol(text, run[-1]) : _bol(text, next_at)].count("\n") > 1
        lines = [
            (
                pos,
                self.col(pos),
                n > 0 and text[_eol(text, run[n - 1]) : _bol(text, pos)].count("\n") > 1,
            )
            for n, pos in enumerate(run)
        ]
        pieces = _pieces(lines, data.indent, right_below, value_below, next_col, blank_after)
        # the foot of a value (a flow collection's too) goes with its key; after a
        # `key:` whose value is the collection that follows, with that collection
        inner = nxt
        while inner is not None and inner is not data:
            inner = inner.parent
        data_foot = nxt if value_below and nxt is not data and inner is data else data
        for piece, _, kind in pieces:
            if kind == "data":
                out.update((p, data_foot) for p in piece)
        # the blocks that the line after the run closes end, innermost first, each at
        # its first piece at its column (else where the one inside it ended); there a
        # mapping takes the feet that start at or before its end; a list takes none,
        # they wait for the next end or for what follows the run
        # (one pass over the pieces for all blocks, and an index into `waiting`:
        # a search per block and a pop(0) per piece made hostile runs quadratic)
        first_at: dict[int, int] = {}  # column -> where its first piece starts
        for piece, col, _ in pieces:
            first_at[col] = min(first_at.get(col, piece[0]), piece[0])
        mark = run[0] - 1
        box: _Box | None = data
        waiting = [p for p in pieces if p[2] == "own"]
        w = 0  # waiting[:w] are released
        released: list[int] = []
        while box is not None and box.parent is not None and box.indent > next_col:
            mark = first_at.get(box.indent, mark)
            while w < len(waiting) and waiting[w][0][0] <= mark:
                released += waiting[w][0]
                w += 1
            if box.is_mapping:
                out.update((p, box) for p in released)
                released = []
            box = box.parent
        for piece, _, kind in pieces:
            if kind != "data" and piece[0] not in out:
                out.update((p, nxt) for p in piece)

    def _owner(self, pos: int, k: int, doc: _Doc) -> _Box | None:
        """The collection go-yaml would file a comment under (its AAD is that path)."""
        if doc.box is None:
            return None
        flow = self._flow_owner(pos)
        if flow is not None:
            return flow
        prev = self.tokens[k - 1] if k > 0 and self.tokens[k - 1][0] >= doc.box.start else None
        line_start = self.text.rfind("\n", 0, pos)
        if prev is not None and prev[0] > line_start:
            # after a key or value on its line: go-yaml's line comment of that node, filed
            # with the collection holding it (`hr: # c` above a list is the mapping's),
            # or after a collection's anchor or tag (`key: &a # c`): that collection's
            i = bisect.bisect_left(self.box_starts, pos) - 1
            if i >= 0 and max(prev[0], line_start) < self.boxes[i].start:
                return self.boxes[i]
            owner = prev[1]
            while owner.flow and owner.parent is not None:
                owner = owner.parent
            return owner
        nxt = self.tokens[k] if k < len(self.tokens) else None
        if nxt is not None and nxt[0] >= doc.region_end:
            nxt = None
        col = self.col(pos)
        nxt_col = self.col(nxt[0]) if nxt is not None else 0
        if nxt is not None and col <= nxt_col:
            # a head comment: it belongs with the next key or item
            box: _Box | None = nxt[1]
            while box is not None and box.flow:
                box = box.parent
            return box or doc.box
        # a foot (or line) comment: the deepest open collection it is indented into
        box = prev[1] if prev is not None else None
        while box is not None:
            open_here = not box.flow and box.start <= pos < box.end and box.indent <= col
            if open_here and (nxt is None or box.start <= nxt[0] < box.end or col > nxt_col):
                return box
            box = box.parent
        return doc.box

    def _flow_owner(self, pos: int) -> _Box | None:
        """The flow collection a comment is inside, or that ends just before it on its line.

        go-yaml files a comment in `{…}`, or on the line after its closing
        bracket, with that collection (sops seals it with that path).
        """
        flows = self.flow_spans
        if not flows:
            return None
        inside = [(span, b) for span, b in flows if span[0] < pos < span[1]]
        if inside:
            return max(inside, key=lambda f: f[0][0])[1]
        end = pos
        while end > 0 and self.text[end - 1] in " \t":
            end -= 1
        if self.text[end - 1 : end] in ("}", "]"):
            for span, b in flows:
                if span[1] == end:
                    return b
        return None

    @cached_property
    def box_starts(self) -> list[int]:
        return [b.start for b in self.boxes]  # in document order: boxes open in order

    @cached_property
    def flow_spans(self) -> list[tuple[Span, _Box]]:
        return [(b.node.span, b) for b in self.boxes if b.flow and b.node.span is not None]


def _glued_comment(line: int) -> FormatError:
    # libyaml reads `"v"#c` and `|#c` without the comment, go-yaml with it: sealer
    # would leave the comment's text in clear where sops seals it
    return FormatError(
        f"line {line}: a comment is not separated from what comes before it by a blank",
        hint="put a space before the #",
    )


def _pieces(
    lines: list[tuple[int, int, bool]],
    indent: int,
    right_below: bool,
    value_below: bool,
    next_col: int,
    blank_after: bool,
) -> list[tuple[list[int], int, str]]:
    """A run of comment lines split as go-yaml's scanner splits it.

    `lines`: (position, column, blank line before it) of each comment line;
    `indent`: the column of the innermost block collection open at the run;
    `right_below`: the run starts on the line below the data; `value_below`:
    that data line is a `key:` whose value follows; `next_col`: the column of
    the line after the run, `blank_after`: a blank line before that line.
    Returns (line positions, column, kind) per piece, kind "data" (a foot of
    the data above), "own" (a foot filed by position) or "head" (of what
    follows).

    A piece ends as a foot where a line (a comment or what follows the run)
    starts left of `indent` at another column than the piece's first line,
    and at the first blank line of a run that starts right below the data,
    when the piece starts right below it (not below a `key:`) or left of
    `indent`. The last piece is otherwise a head.
    """
    pieces: list[tuple[list[int], int, str]] = []
    piece: list[int] = []
    col0 = 0  # the piece's column
    first = False  # the piece starts right below the data
    prior = True  # no foot split off yet: the next foot may be the data's
    first_blank = right_below
    for n, (pos, col, blank_before) in enumerate([*lines, (-1, next_col, blank_after)]):
        at_blank = False
        if blank_before:
            at_blank = first_blank and ((first and not value_below) or col0 < indent)
            first_blank = False
        if piece and (at_blank or (col < indent and col != col0)):
            # go-yaml keeps the prior token as the foot's anchor unless the piece
            # split at a blank line starts left of the indent
            data = prior and not (at_blank and col0 < indent)
            pieces.append((piece, col0, "data" if data else "own"))
            piece, prior = [], False
        if pos < 0:
            break
        if not piece:
            col0, first = col, n == 0 and right_below
        piece.append(pos)
    if piece:
        pieces.append((piece, col0, "head"))
    return pieces


def _blank_between(text: str, a: int, b: int) -> bool:
    """Whether only blank lines lie between the lines holding `a` and `b`."""
    return not text[_eol(text, a) : _bol(text, b)].strip()


def _bol(text: str, pos: int) -> int:
    """Where the line holding `pos` begins."""
    return text.rfind("\n", 0, pos) + 1


def _eol(text: str, pos: int) -> int:
    """Where the line holding `pos` ends (its line break, or the end of the text)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _hashes(text: str) -> list[int]:
    """Where a `#` could start a comment: at a line start or after a blank."""
    out = []
    pos = text.find("#")
    while pos >= 0:
        if pos == 0 or text[pos - 1] in " \t\n":
            out.append(pos)
        pos = text.find("#", pos + 1)
    return out


def _ends_in_block_scalar(node: Node | None) -> bool:
    """Whether a collection's last entry is a `|` or `>` scalar (its line break is its own)."""
    while isinstance(node, Mapping | Sequence):
        values: list[Node | None]
        if isinstance(node, Sequence):
            values = [v for v in node.items if not isinstance(v, CommentNode)]
        else:
            values = [v for k, v in node.items if isinstance(k, str)]
        node = values[-1] if values else None
    return isinstance(node, Scalar) and node.style is not None and node.style.style in ("|", ">")


def content_end(node: Node | None) -> int:
    """Where a node's own text ends (a block collection's end mark lies further on)."""
    if node is None or node.span is None:
        return 0
    if isinstance(node, Mapping | Sequence):
        if node.style is not None and node.style.flow:
            return node.span[1]
        children = node.items if isinstance(node, Sequence) else [v for _, v in node.items]
        ends = [content_end(c) for c in children if not isinstance(c, CommentNode)]
        return max([node.span[0], *ends])
    return node.span[1]


def data_end(node: Mapping | Sequence) -> int:
    """The end of a collection's last data entry, or 0 if it has none."""
    if isinstance(node, Sequence):
        values: list[Node | None] = [v for v in node.items if not isinstance(v, CommentNode)]
    else:
        values = [v for k, v in node.items if isinstance(k, str)]
    return content_end(values[-1]) if values else 0


def _merge(box: _Box) -> None:
    if not box.comments:
        return
    box.comments.sort(key=lambda c: (c[0], c[1]))
    items: list[Any] = []
    old = box.node.items
    ci = 0
    comments = box.comments
    is_mapping = isinstance(box.node, Mapping)
    for i in range(len(old) + 1):
        while ci < len(comments) and comments[ci][0] == i:
            c = comments[ci][2]
            items.append((c, None) if is_mapping else c)
            ci += 1
        if i < len(old):
            items.append(old[i])
    box.node.items = items
