"""JSON: a tokenizer that keeps positions, so only value tokens change.

Numbers follow sops 3.13.2: an integer token that fits in 64 bits is an `int`,
every other number a `float`. The metadata is a `"sops"` member, last in the
top-level object, indented like the file's first member.
"""

import json
import math
import re
from typing import Any

from sealer.errors import FormatError
from sealer.fileio import require_utf8
from sealer.formats import BOM, Edit, Leaf, Parsed, parse_past_bom
from sealer.records import Record
from sealer.tree import Mapping, Node, Scalar, Sequence, Span, to_python
from sealer.values import Comment, GoTime, Raw, Value, WideInt

_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
      (?P<str>"[^"\\\x00-\x1f]*(?:\\["\\/bfnrtu][^"\\\x00-\x1f]*)*")
    | (?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
    | (?P<lit>true|false|null)
    | (?P<punct>[{}\[\]:,])
    )""",
    re.X,
)
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
MAX_DEPTH = 100  # nested objects and arrays, as for YAML


class _Ctx(Record):
    root_open: int  # index of the top-level '{'
    root_close: int  # index of the top-level '}'
    last_value_end: int | None  # end of the last data member's value
    indent: str | None  # one level of indentation, None for a one-line file


class JsonFormat:
    name = "json"

    def parse(self, text: str) -> Parsed:
        require_utf8(text)
        if text.startswith(BOM):  # RFC 8259 lets a reader ignore it; it is written back
            return parse_past_bom(self.parse, text)
        return _Parser(text).run()

    def render_sealed(self, node: Leaf, sealed: str) -> tuple[Span, str]:
        assert node.span is not None
        return node.span, json.dumps(sealed)

    def render_plain(self, node: Leaf, value: Value) -> tuple[Span, str]:
        assert node.span is not None
        return node.span, render_value(value)

    def set_value(self, parsed: Parsed, path: Any, value: Any) -> list[Edit]:
        return set_value(parsed, path, value)

    def unset_value(self, parsed: Parsed, path: Any) -> list[Edit]:
        return unset_value(parsed, path)

    def metadata_edits(self, parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
        edits: list[Edit] = [(s, e, "") for s, e in parsed.meta_spans]
        if meta is None:
            return edits
        ctx: _Ctx = parsed.ctx
        if ctx.indent is None:
            body = json.dumps(meta, separators=(",", ":"), ensure_ascii=False)
            member = f'"sops":{body}'
            if ctx.last_value_end is None:
                edits.append((ctx.root_open + 1, ctx.root_open + 1, member))
            else:
                edits.append((ctx.last_value_end, ctx.last_value_end, "," + member))
            return edits
        body = json.dumps(meta, indent=ctx.indent, ensure_ascii=False).replace(
            "\n", "\n" + ctx.indent
        )
        member = f'\n{ctx.indent}"sops": {body}'
        if ctx.last_value_end is None:
            edits.append((ctx.root_open + 1, ctx.root_open + 1, member + "\n"))
        else:
            edits.append((ctx.last_value_end, ctx.last_value_end, "," + member))
        return edits


FORMAT = JsonFormat()


def render_value(value: Value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise FormatError("JSON cannot hold NaN or infinity")
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(value, GoTime):
        return json.dumps(value.text)
    if isinstance(value, Raw):
        raise FormatError("a value is not valid UTF-8 text")
    if isinstance(value, Comment):
        raise FormatError("a sealed comment in a list cannot be shown in JSON")
    raise TypeError(type(value).__name__)


def parse_number(token: str) -> int | float:
    if _INT.match(token):
        n = int(token)
        if -(2**63) <= n < 2**63:
            return n
        return WideInt(token)
    return float(token)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.meta: Any = None
        self.meta_spans: list[Span] = []
        self.depth = 0

    def error(self, message: str, at: int | None = None) -> FormatError:
        at = self.pos if at is None else at
        line = self.text.count("\n", 0, at) + 1
        col = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return FormatError(f"line {line}, column {col}: {message}", hint="fix the JSON syntax")

    def next(self) -> tuple[str, str, int, int]:
        m = _TOKEN.match(self.text, self.pos)
        if m is None:
            rest = self.text[self.pos :].lstrip(" \t\r\n")
            at = len(self.text) - len(rest)
            raise self.error("unexpected end of input" if not rest else "invalid token", at)
        kind = m.lastgroup
        assert kind is not None
        self.pos = m.end()
        return kind, m.group(kind), m.start(kind), m.end(kind)

    def run(self) -> Parsed:
        _, tok, start, _ = self.next()
        if tok != "{":
            raise self.error("the top level must be an object", start)
        root, ctx = self.obj(start, top=True)
        if self.text[self.pos :].strip(" \t\r\n"):
            raise self.error("data after the top-level object")
        assert isinstance(root, Mapping)
        return Parsed(self.text, [root], self.meta, self.meta_spans, ctx)

    def value(self) -> Node:
        kind, tok, start, end = self.next()
        if kind == "str":
            return Scalar(self.string(tok, start), (start, end))
        if kind == "num":
            return Scalar(parse_number(tok), (start, end))
        if kind == "lit":
            return Scalar({"true": True, "false": False, "null": None}[tok], (start, end))
        if tok == "{":
            node, _ = self.obj(start)
            return node
        if tok == "[":
            return self.arr(start)
        raise self.error(f"unexpected {tok!r}", start)

    def string(self, token: str, at: int) -> str:
        """A string token's text; one that decodes to no text (a lone surrogate) is refused."""
        text: str = json.loads(token)
        if "\\u" in token and not text.isascii() and re.search("[\ud800-\udfff]", text):
            # \uD800-\uDFFF alone is half a character: it cannot be sealed as UTF-8, and
            # sops would quietly seal U+FFFD instead, changing the value
            error = self.error(
                "a string holds a lone UTF-16 surrogate escape (half a character)", at
            )
            error.hint = "write the whole character, or both escapes of its surrogate pair"
            raise error
        return text

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("nesting is too deep")

    def obj(self, open_at: int, top: bool = False) -> tuple[Mapping, _Ctx | None]:
        self.enter()
        node = Mapping()
        last_end: int | None = None
        indent: str | None = None
        members: list[tuple[int, int]] = []  # (key start, value end) per member
        positions: list[tuple[int, int]] = []  # the same, data members only
        seen: set[str] = set()
        kind, tok, start, end = self.next()
        if tok != "}":
            while True:
                if kind != "str":
                    raise self.error("expected a string key", start)
                key = self.string(tok, start)
                key_start = start
                if top and indent is None:
                    indent = _indent_before(self.text, key_start)
                if self.next()[1] != ":":
                    raise self.error("expected ':'")
                value = self.value()
                value_end = self.pos
                if top and key == "sops":
                    if self.meta is not None:
                        raise self.error("two sops entries", key_start)
                    self.meta = to_python(value)
                    self.meta_spans.append(self._meta_span(members, key_start, value_end))
                else:
                    if key in seen:
                        raise self.error(f"duplicate key {key!r}", key_start)
                    seen.add(key)
                    node.items.append((key, value))
                    positions.append((key_start, value_end))
                    last_end = value_end
                members.append((key_start, value_end))
                kind, tok, start, end = self.next()
                if tok == "}":
                    break
                if tok != ",":
                    raise self.error("expected ',' or '}'", start)
                kind, tok, start, end = self.next()
        node.span = (open_at, end)
        node.style = positions
        self.depth -= 1
        if not top:
            return node, None
        return node, _Ctx(open_at, start, last_end, indent)

    def _meta_span(self, members: list[tuple[int, int]], key_start: int, value_end: int) -> Span:
        if members:  # drop from the end of the previous member's value
            return (members[-1][1], value_end)
        # the first member: drop it, its comma and the space up to the next member
        m = re.compile(r"[ \t\r\n]*,?[ \t\r\n]*").match(self.text, value_end)
        assert m is not None
        after = m.end()
        if self.text[m.start() : after].strip(" \t\r\n") == "":  # the only member
            nl = self.text.find("\n", value_end, after)
            return (
                key_start - len(_ws_before(self.text, key_start)),
                nl + 1 if nl >= 0 else value_end,
            )
        return (key_start, after)

    def arr(self, open_at: int) -> Sequence:
        self.enter()
        node = Sequence()
        positions: list[tuple[int, int]] = []
        save = self.pos
        _, tok, start, end = self.next()
        if tok != "]":
            self.pos = save
            while True:
                item = self.value()
                node.items.append(item)
                assert item.span is not None
                positions.append(item.span)
                _, tok, start, end = self.next()
                if tok == "]":
                    break
                if tok != ",":
                    raise self.error("expected ',' or ']'", start)
        node.span = (open_at, end)
        node.style = positions
        self.depth -= 1
        return node


def _ws_before(text: str, index: int) -> str:
    i = index
    while i > 0 and text[i - 1] in " \t\r\n":
        i -= 1
    return text[i:index]


def _indent_before(text: str, index: int) -> str | None:
    ws = _ws_before(text, index)
    if "\n" not in ws:
        return None
    return ws.rsplit("\n", 1)[1] or None


# -- set and unset -------------------------------------------------------------


def _line_indent(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    line = text[start:at]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _render_at(parsed: Parsed, at: int, value: Any) -> str:
    """A JSON value written at position `at`, indented like the file."""
    ctx: _Ctx = parsed.ctx
    if not isinstance(value, dict | list) or not value or ctx.indent is None:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return render_value(value)
    body = json.dumps(value, indent=ctx.indent, ensure_ascii=False)
    return body.replace("\n", "\n" + _line_indent(parsed.text, at))


def set_value(parsed: Parsed, path: Any, value: Any) -> list[Edit]:
    from sealer.formats.navigate import find, nested

    found = find(parsed.docs[0], path)
    text = parsed.text
    if found.complete:
        assert found.node.span is not None
        start, end = found.node.span
        return [(start, end, _render_at(parsed, start, value))]
    container = found.node
    positions: list[tuple[int, int]] = container.style or []
    assert container.span is not None
    if isinstance(container, Mapping):
        key = str(found.missing[0])
        member_value = nested(found.missing, value)
        entry_head = json.dumps(key, ensure_ascii=False) + ": "
    elif isinstance(container, Sequence) and len(found.missing) == 1:
        member_value, entry_head = value, ""
    else:
        raise FormatError("the path goes through a missing list element")
    if positions:
        at = positions[-1][1]
        first = positions[0][0]
        ws = _ws_before(text, first)
        sep = ("\n" + ws.rsplit("\n", 1)[1]) if "\n" in ws else " "
        entry = entry_head + _render_at(parsed, first, member_value)
        return [(at, at, "," + sep + entry)]
    at = container.span[0] + 1
    return [(at, at, entry_head + _render_at(parsed, at, member_value))]


def unset_value(parsed: Parsed, path: Any) -> list[Edit]:
    from sealer.formats.navigate import find
    from sealer.paths import PathError, show

    found = find(parsed.docs[0], path)
    if not found.complete:
        raise PathError(f"{show(path)}: no such key")
    container, key = found.parents[-1]
    positions: list[tuple[int, int]] = container.style
    index = (
        [k for k, _ in container.items].index(str(key))
        if isinstance(container, Mapping)
        else int(key)
    )
    start, end = positions[index]
    if index > 0:
        return [(positions[index - 1][1], end, "")]
    if len(positions) > 1:
        return [(start, positions[1][0], "")]
    assert container.span is not None
    return [(container.span[0] + 1, container.span[1] - 1, "")]
