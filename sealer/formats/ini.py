"""INI files as sops reads them (go-ini with non-unique sections), with positions.

Each section is a top-level key (`DEFAULT` for keys before the first header);
every value is a whitespace-trimmed string. go-ini's rules apply: `=` or `:`
separates key and value; an unquoted value ends at the first `#` or `;` (the
rest is a comment); one pair of surrounding quotes is removed; backticks and
triple double-quotes (which may span lines) quote values; a trailing `\\`
continues a value. Comment lines start with `#` or `;`. Metadata lives in a
`[sops]` section at the end.
"""

import re
from typing import Any

from sealer import metadata
from sealer.errors import FormatError
from sealer.fileio import require_utf8
from sealer.formats import Edit, Leaf, Parsed
from sealer.records import Record
from sealer.tree import CommentNode, Mapping, Scalar, Span
from sealer.values import Comment, Value

SOPS_SECTION = "sops"
DEFAULT = "DEFAULT"


class Style(Record):
    quote: str  # '', '"', "'", '`' or '\"\"\"': what surrounds the value in the file


class IniFormat:
    name = "ini"

    def parse(self, text: str) -> Parsed:
        require_utf8(text)
        return _Parser(text).run()

    def render_sealed(self, node: Leaf, sealed: str) -> tuple[Span, str]:
        assert node.span is not None
        return node.span, sealed

    def render_plain(self, node: Leaf, value: Value) -> tuple[Span, str]:
        assert node.span is not None
        if isinstance(value, Comment):
            return node.span, value.text
        if not isinstance(value, str):
            raise FormatError("an INI value opened to a non-string")
        return node.span, _quote_for(value, node.style.quote if node.style else "")

    def metadata_edits(self, parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
        return metadata_edits(parsed, meta)

    def set_value(self, parsed: Parsed, path: Any, value: Any) -> list[Edit]:
        section, key = _section_key(path)
        if isinstance(value, dict | list) or value is None:
            raise FormatError(f"{section}.{key}: an INI value must be a string or number")
        text = metadata_text(value)
        sect = _find_section(parsed, section)
        if sect is not None:
            for k, node in sect.items:
                if k == key and isinstance(node, Scalar) and node.span is not None:
                    return [(*node.span, _quote_for(text, node.style.quote))]
        line = f"{key} = {_quote_for(text, '') if _plain_ok(text) else f'`{text}`'}\n"
        if sect is not None:
            at = sect.style
            at = at + 1 if at < len(parsed.text) else at
            lead = "\n" if at and parsed.text[at - 1] != "\n" else ""
            return [(at, at, lead + line)]
        if section == DEFAULT:
            return [(0, 0, line)]
        at = len(parsed.text)
        lead = "" if not parsed.text else ("\n" if parsed.text.endswith("\n") else "\n\n")
        return [(at, at, f"{lead}[{section}]\n{line}")]

    def unset_value(self, parsed: Parsed, path: Any) -> list[Edit]:
        section, key = _section_key(path)
        sect = _find_section(parsed, section)
        for k, node in sect.items if sect is not None else []:
            if k == key and isinstance(node, Scalar) and node.span is not None:
                text = parsed.text
                start = text.rfind("\n", 0, node.span[0]) + 1
                nl = text.find("\n", node.span[1])
                return [(start, len(text) if nl < 0 else nl + 1, "")]
        from sealer.paths import PathError

        raise PathError(f"{section}.{key}: no such key")


FORMAT = IniFormat()


def _quote_for(value: str, quote: str) -> str:
    """Text that go-ini reads back as `value`, inside the file's existing quotes."""
    if quote in ("`", '"""'):
        if quote not in value:
            return value
        raise FormatError(f"a value contains the {quote} that quotes it")
    if quote in ('"', "'"):
        if quote not in value and not re.search(r"[#;]", value):
            return value
        raise FormatError("a value cannot be written inside its quotes")
    if value != value.strip() or re.search(r"[#;\n]", value) or _surrounded(value):
        raise FormatError(
            "a value with # or ; (or surrounding spaces or quotes) needs quoting",
            hint="write it as key = `value` in the plaintext",
        )
    if value.endswith("\\"):
        raise FormatError("a value ending in \\ would continue on the next line")
    return value


def _plain_ok(value: str) -> bool:
    try:
        _quote_for(value, "")
    except FormatError:
        return False
    return True


def _section_key(path: Any) -> tuple[str, str]:
    if len(path) == 1:
        return DEFAULT, str(path[0])
    if len(path) == 2:
        return str(path[0]), str(path[1])
    raise FormatError("INI key paths are SECTION.KEY (or KEY for the default section)")


def _find_section(parsed: Parsed, name: str) -> Mapping | None:
    for k, node in parsed.docs[0].items:
        if k == name and isinstance(node, Mapping):
            return node
    return None


def _surrounded(value: str) -> bool:
    return len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""


def _meta_value(value: Any) -> str:
    text = metadata_text(value)
    text = text.replace("\n", "\\n")
    if "`" not in text and (re.search(r"[#;]", text) or text != text.strip() or _surrounded(text)):
        return f"`{text}`"
    return text


def metadata_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Section:
    def __init__(self, name: str, header_start: int):
        self.name = name
        self.node = Mapping()
        self.keys: set[str] = set()
        self.header_start = header_start
        self.end = header_start


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 1 if text.startswith("\ufeff") else 0
        self.number = 0

    def error(self, message: str) -> FormatError:
        return FormatError(f"line {self.number}: {message}", hint="fix the INI syntax")

    def line(self) -> tuple[int, int, str] | None:
        """The next line: (start, end without the line break, text)."""
        if self.pos >= len(self.text):
            return None
        start = self.pos
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end
        self.pos = end + 1
        self.number += 1
        return start, end, self.text[start:end]

    def run(self) -> Parsed:
        sections = [_Section(DEFAULT, 0)]
        pending: list[CommentNode] = []
        while (got := self.line()) is not None:
            start, end, raw = got
            stripped = raw.lstrip()
            indent = len(raw) - len(stripped)
            if not stripped.strip():
                continue
            at = start + indent
            if stripped[0] in "#;":
                pending.append(_comment(self.text, at, end))
                continue
            if stripped[0] == "[":
                close = stripped.rfind("]")
                if close < 0:
                    raise self.error("unclosed section header")
                name = stripped[1:close]
                if not name:
                    raise self.error("empty section name")
                section = _Section(name, start)
                # comments above a section header are that section's, except above the
                # metadata sealer appends: they were the end of the last section
                before = sections[-1] if name == SOPS_SECTION else section
                before.node.items.extend((c, None) for c in pending)
                pending = []
                rest = at + close + 1
                hash_at = _first_of(self.text, "#;", rest, end)
                if hash_at >= 0:
                    section.node.items.append((_comment(self.text, hash_at, end), None))
                section.end = end
                sections.append(section)
                continue
            section = sections[-1]
            key, value, vspan, quote, inline = self.key_value(at, end)
            if key in section.keys:
                raise self.error(f"duplicate key {key!r} in section [{section.name}]")
            section.keys.add(key)
            section.node.items.append((key, Scalar(value, vspan, Style(quote))))
            # go-ini files comments above a key (and its inline one) after the key
            section.node.items.extend((c, None) for c in pending)
            pending = []
            if inline is not None:
                section.node.items.append((inline, None))
            section.end = self.pos - 1
        if pending:  # trailing comments: sops drops them; they stay with the last section
            sections[-1].node.items.extend((c, None) for c in pending)
        return self._result(sections)

    def key_value(self, at: int, end: int) -> tuple[str, str, Span, str, CommentNode | None]:
        text = self.text
        line = text[at:end]
        if line[0] in '"`':
            q = '"""' if line.startswith('"""') and len(line) > 6 else line[0]
            close = line.find(q, len(q))
            if close < 0:
                raise self.error("missing closing key quote")
            delim = _first_of(line, "=:", close + len(q), len(line))
            if delim < 0:
                raise self.error("no = or : after the key")
            key = line[len(q) : close].strip()
        else:
            delim = _first_of(line, "=:", 0, len(line))
            if delim < 0:
                raise self.error("not key = value, a section header or a comment")
            if delim == 0:
                raise self.error("empty key name")
            key = line[:delim].strip()
        if key == "-":
            raise self.error("auto-increment keys (-) are not supported")
        return (key, *self.value(at + delim + 1, end))

    def value(self, vstart: int, end: int) -> tuple[str, Span, str, CommentNode | None]:
        text = self.text
        i = vstart
        while i < end and text[i] in " \t\f\v\r":
            i += 1
        if i >= end:
            return "", (i, i), "", None
        for q in ('"""', "`"):
            if text.startswith(q, i) and (q == "`" or end - i > 3):
                close = text.rfind(q, i + len(q), end)
                if close >= 0:
                    return text[i + len(q) : close], (i + len(q), close), q, None
                return self.multiline(i, q)
        line_end = end
        if text[line_end - 1 : line_end] == "\r":
            line_end -= 1
        body = text[i:line_end].rstrip()
        if body.endswith("\\"):
            return self.continued(i, body)
        inline = None
        cut = _first_of(text, "#;", i, i + len(body))
        if cut >= 0:
            inline = _comment(text, cut, end)
            body = text[i:cut].rstrip()
        vend = i + len(body)
        for q in ('"', "'"):
            if (
                len(body) >= 2
                and body[0] == q
                and body[-1] == q
                and body.find(q, 1) == len(body) - 1
            ):
                return body[1:-1], (i + 1, vend - 1), q, inline
        return body, (i, vend), "", inline

    def multiline(self, i: int, q: str) -> tuple[str, Span, str, CommentNode | None]:
        start = i + len(q)
        while (got := self.line()) is not None:
            lstart, _, raw = got
            close = raw.rfind(q)
            if close >= 0:
                return self.text[start : lstart + close], (start, lstart + close), q, None
        raise self.error(f"missing closing {q}")

    def continued(self, i: int, body: str) -> tuple[str, Span, str, CommentNode | None]:
        value = body[:-1]
        span_end = i + len(body)
        while (got := self.line()) is not None:
            lstart, _, raw = got
            nxt = raw.strip()
            if not nxt:
                break
            value += nxt
            span_end = lstart + len(raw.rstrip())
            if not value.endswith("\\"):
                break
            value = value[:-1]
        return value, (i, span_end), "", None

    def _result(self, sections: list[_Section]) -> Parsed:
        root = Mapping()
        meta = None
        spans: list[Span] = []
        for s in sections:
            if s.name == SOPS_SECTION:
                if meta is not None:
                    raise FormatError("the file has two [sops] sections")
                items = [
                    (k, v.value.replace("\\n", "\n") if isinstance(v.value, str) else v.value)
                    for k, v in s.node.items
                    if isinstance(k, str) and isinstance(v, Scalar)
                ]
                meta = metadata.unflatten(items)
                spans.append(self._section_span(s))
                continue
            if s.name == DEFAULT and not s.node.items:
                continue
            s.node.style = s.end  # where the section's last line ends
            root.items.append((s.name, s.node))
        return Parsed(self.text, [root], meta, spans, None)

    def _section_span(self, s: _Section) -> Span:
        start = s.header_start
        # one blank line before the header belongs to the block sealer adds
        if self.text[max(0, start - 2) : start] == "\n\n":
            start -= 1
        end = s.end + 1 if s.end < len(self.text) else s.end
        return start, min(end, len(self.text))


def _first_of(text: str, chars: str, start: int, end: int) -> int:
    found = [i for c in chars if (i := text.find(c, start, end)) >= 0]
    return min(found) if found else -1


def _comment(text: str, at: int, end: int) -> CommentNode:
    """A comment from its `#`/`;` to the end of the line; the text after `; ` is sealed."""
    if text[end - 1 : end] == "\r":
        end -= 1
    i = at
    char = text[at]
    while i < end and text[i] in (char, " "):
        i += 1
    return CommentNode(text[i:end], (i, end))


def metadata_block(meta: dict[str, Any]) -> str:
    lines = [f"{key} = {_meta_value(value)}" for key, value in metadata.flatten(meta)]
    return "[sops]\n" + "\n".join(lines) + "\n"


def metadata_edits(parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
    edits: list[Edit] = [(s, e, "") for s, e in parsed.meta_spans]
    if meta is None:
        return edits
    text = parsed.text
    lead = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    edits.append((len(text), len(text), lead + metadata_block(meta)))
    return edits
