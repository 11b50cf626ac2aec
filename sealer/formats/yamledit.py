"""`set` and `unset` on YAML plaintext, as text edits that leave the rest alone.

A changed scalar keeps its style; a new key is added after the last entry of its
mapping, at that mapping's indentation; a removed key takes its own lines with
it. Structures are written in block style (flow style inside flow collections).
"""

from __future__ import annotations

import json
from typing import Any

from sealer.errors import FormatError, SealerError
from sealer.formats import Edit, Parsed
from sealer.formats import yamlscalar as ys
from sealer.formats.navigate import Found, data_items, find, nested, seq_items
from sealer.formats.yaml import CollStyle, Style, _around_header, _render_plain, content_end
from sealer.paths import Path
from sealer.tree import Mapping, Node, Scalar, Sequence

INDENT = 2


def set_value(parsed: Parsed, path: Path, value: Any) -> list[Edit]:
    if not parsed.docs:
        raise FormatError("the file has no YAML document")
    found = find(parsed.docs[0], path)
    if found.complete:
        node = found.node
        header = isinstance(node, Scalar) and isinstance(node.style, Style) and node.style.header
        if header and not isinstance(value, dict | list) and node.span is not None:
            # `key: | # c`: the comment on the header line stays
            assert isinstance(node, Scalar)
            return _around_header(*node.span, node.style, _scalar_text(value, node, flow=False))
        return [_replace(parsed, found, value)]
    container = found.node
    if isinstance(container, Mapping):
        new = nested(found.missing, value)
        return [_insert_key(parsed, found, str(found.missing[0]), new)]
    if isinstance(container, Sequence) and len(found.missing) == 1:
        return [_append(parsed, container, value)]
    raise FormatError("the path goes through a missing list element")


def unset_value(parsed: Parsed, path: Path) -> list[Edit]:
    found = find(parsed.docs[0], path)
    if not found.complete:
        raise _no_such(path)
    container, key = found.parents[-1]
    text = parsed.text
    style: CollStyle | None = container.style
    if isinstance(container, Mapping):
        items = data_items(container)
        index = next(i for i, (k, _) in enumerate(items) if k == key)
    else:
        items = seq_items(container)  # type: ignore[assignment]
        index = int(key)
    node = found.node
    if style is None:  # the root mapping of a document without one
        raise _no_such(path)
    start = style.starts[index]
    end = content_end(node) if node.span else start
    if style.flow:
        return [_flow_remove(text, style.starts, index, end, container)]
    if len(items) == 1 and found.parents[:-1]:
        # the last entry: leave an empty collection, not a null
        empty = "{}" if isinstance(container, Mapping) else "[]"
        assert container.span is not None
        return [(container.span[0], content_end(container), empty)]
    return [(line_start(text, start), line_after(text, end), "")]


def _no_such(path: Path) -> SealerError:
    from sealer.paths import PathError, show

    return PathError(f"{show(path)}: no such key")


# -- positions -------------------------------------------------------------------


def line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def line_after(text: str, i: int) -> int:
    """The start of the line after the one holding position i-1."""
    if i > 0 and text[i - 1] == "\n":
        return i
    nl = text.find("\n", i)
    return len(text) if nl < 0 else nl + 1


# -- rendering ---------------------------------------------------------------------


def _flow(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return ys.scalar(value)


def _block(value: Any, col: int) -> list[str]:
    """Lines of a block mapping or sequence whose entries start at column `col`."""
    if isinstance(value, dict):
        if not value:
            return [" " * col + "{}"]
        return ys.emit_block(value, INDENT, col)
    if not value:
        return [" " * col + "[]"]
    return [" " * col + line for line in ys.emit_sequence(value, INDENT)]


def _scalar_text(value: Any, old: Scalar | None, flow: bool) -> str:
    if old is not None and isinstance(old.style, Style):
        st = old.style
        return _render_plain(value, Style(st.style, flow, st.indent, None, st.newline_end))
    return _render_plain(value, Style("", flow, 0))


def _replace(parsed: Parsed, found: Found, value: Any) -> Edit:
    text = parsed.text
    node = found.node
    parent, _ = found.parents[-1]
    pstyle: CollStyle | None = parent.style
    flow = bool(pstyle and pstyle.flow)
    assert node.span is not None or isinstance(node, Scalar)
    if node.span is None:  # a null value written as nothing (`key:`)
        raise FormatError("cannot set a value that is written as an empty null; write ~ first")
    start, end = node.span[0], content_end(node)
    if isinstance(node, Scalar) and isinstance(node.style, Style) and node.style.tag_start:
        start = node.style.tag_start
    if flow:
        return (start, end, _flow(value))
    if not isinstance(value, dict | list) or not value:
        text_value = _flow(value) if isinstance(value, dict | list) else None
        return (start, end, text_value or _scalar_text(value, _as_scalar(node), flow=False))
    indent = (pstyle.indent if pstyle else 0) + INDENT
    if isinstance(parent, Sequence):
        lines = _block(value, indent)
        return (start, end, lines[0].lstrip(" ") + "".join("\n" + ln for ln in lines[1:]))
    if isinstance(node, Mapping | Sequence) and not (node.style and node.style.flow):
        lines = _block(value, node.style.indent if node.style else indent)
        return (start, end, lines[0].lstrip(" ") + "".join("\n" + ln for ln in lines[1:]))
    # a scalar (or flow collection) after `key:`: the block goes on the next lines
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return (start, end, "".join("\n" + ln for ln in _block(value, indent)))


def _as_scalar(node: Node) -> Scalar | None:
    return node if isinstance(node, Scalar) else None


def _insert_key(parsed: Parsed, found: Found, key: str, value: Any) -> Edit:
    text = parsed.text
    mapping = found.node
    assert isinstance(mapping, Mapping)
    style: CollStyle | None = mapping.style
    key_text = ys.scalar(key)
    if style is not None and style.flow:
        assert mapping.span is not None
        at = mapping.span[1] - 1
        sep = ", " if data_items(mapping) else ""
        return (at, at, f"{sep}{key_text}: {_flow(value)}")
    if style is None:  # the empty root of a document
        at = parsed.ctx[0].end if parsed.ctx else len(text)
        col = 0
    else:
        at = line_after(text, content_end(mapping))
        col = style.indent
    if isinstance(value, dict | list) and value:
        entry = [" " * col + key_text + ":", *_block(value, col + INDENT)]
    else:
        entry = [" " * col + key_text + ": " + _scalar_text(value, None, flow=False)]
    lead = "\n" if at > 0 and text[at - 1] != "\n" else ""
    return (at, at, lead + "\n".join(entry) + "\n")


def _append(parsed: Parsed, seq: Sequence, value: Any) -> Edit:
    text = parsed.text
    style: CollStyle = seq.style
    if style.flow:
        assert seq.span is not None
        at = seq.span[1] - 1
        return (at, at, (", " if seq_items(seq) else "") + _flow(value))
    at = line_after(text, content_end(seq))
    col = style.indent
    if isinstance(value, dict | list) and value:
        lines = _block(value, col + INDENT)
        body = lines[0].lstrip(" ") + "".join("\n" + ln for ln in lines[1:])
    else:
        body = _scalar_text(value, None, flow=False)
    lead = "\n" if at > 0 and text[at - 1] != "\n" else ""
    return (at, at, lead + " " * col + "- " + body + "\n")


def _flow_remove(
    text: str, starts: list[int], index: int, end: int, container: Mapping | Sequence
) -> Edit:
    start = starts[index]
    if index + 1 < len(starts):
        return (start, starts[index + 1], "")
    if index > 0:
        prev_end = text.rfind(",", 0, start)
        return (prev_end, end, "")
    return (start, end, "")
