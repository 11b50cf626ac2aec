"""File formats: parse text into the sops tree with spans, render values, place metadata.

A format never re-serialises a document. It reports where every leaf sits, and
sealing or opening replaces exactly those spans (and adds or removes the
metadata block); every other byte stays as the user wrote it.
"""

import importlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from sealer.errors import FormatError
from sealer.records import Record
from sealer.tree import CommentNode, Mapping, Scalar, Span
from sealer.values import Value

Leaf = Scalar | CommentNode
Edit = tuple[int, int, str]


class Parsed(Record):
    text: str
    docs: list[Mapping]  # data only; the metadata entry is not in here
    metadata: dict[str, Any] | None  # the raw sops mapping, None for a plaintext file
    meta_spans: list[Span]  # where metadata sits, per document
    ctx: Any = None  # format-specific: where to insert metadata, indentation, ...


class Format(Protocol):
    name: str

    def parse(self, text: str) -> Parsed: ...

    def render_sealed(self, node: Leaf, sealed: str) -> tuple[Span, str] | list[Edit]:
        """The span to replace and its text for a leaf sealed as `sealed` (or edits)."""
        ...

    def render_plain(self, node: Leaf, value: Value) -> tuple[Span, str] | list[Edit]:
        """The span to replace and its text for a leaf opened to `value` (or edits)."""
        ...

    def metadata_edits(self, parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
        """Edits that drop the old metadata and, unless `meta` is None, add `meta`."""
        ...

    def set_value(self, parsed: Parsed, path: Any, value: Any) -> list[Edit]:
        """Edits of plaintext giving `path` the (JSON-like) `value`, adding keys as needed."""
        ...

    def unset_value(self, parsed: Parsed, path: Any) -> list[Edit]:
        """Edits of plaintext that remove `path`."""
        ...


# format name -> module (each module has FORMAT, an object satisfying Format)
MODULES = {
    "yaml": "sealer.formats.yaml",
    "json": "sealer.formats.json",
    "dotenv": "sealer.formats.dotenv",
    "ini": "sealer.formats.ini",
    "binary": "sealer.formats.binary",
}
EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".env": "dotenv",
    ".ini": "ini",
}


BOM = "\ufeff"  # a UTF-8 byte-order mark, as decoded


def parse_past_bom(parse: Callable[[str], Parsed], text: str) -> Parsed:
    """Parse a text that starts with a byte-order mark, keeping the mark and exact positions.

    The reader sees a line break where the mark was: the same length, so every
    span points at the same characters of `text`, and a leading blank line
    means nothing in YAML or JSON. The parsed text keeps the mark, so sealing
    and opening write it back byte for byte.
    """
    import re

    try:
        parsed = parse("\n" + text[1:])
    except FormatError as e:  # the reader counted the added line break
        e.message = re.sub(r"^line (\d+)", lambda m: f"line {int(m[1]) - 1}", e.message)
        raise
    return parsed._replace(text=text)


def get(name: str) -> Format:
    if name not in MODULES:
        raise FormatError(f"unknown format {name!r}", hint=f"known: {', '.join(MODULES)}")
    fmt: Format = importlib.import_module(MODULES[name]).FORMAT
    return fmt


def name_for_path(path: str) -> str:
    """The format sops would pick for a file name; anything unknown is binary."""
    lower = path.lower()
    for ext, name in EXTENSIONS.items():
        if lower.endswith(ext):
            return name
    return "binary"


def for_file(path: str, input_type: str | None = None, override: str | None = None) -> Format:
    """The format to read `path` as: `input_type`, else from `override` or the name."""
    return get(input_type or name_for_path(override or path))


def leaf_edits(rendered: Iterable[tuple[Span, str] | list[Edit]]) -> list[Edit]:
    """Edits from rendered leaves: one span each, or a list (a YAML block scalar with a
    comment on its header line is rewritten on both sides of that comment)."""
    edits: list[Edit] = []
    for r in rendered:
        if isinstance(r, list):
            edits += r
        else:
            (start, end), text = r
            edits.append((start, end, text))
    return edits


def splice(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping (start, end, replacement) edits to `text`."""
    if not edits:
        return text
    from operator import itemgetter

    edits.sort(key=itemgetter(0, 1))  # stable: insertions at one place keep their order
    out: list[str] = []
    pos = 0
    for start, end, repl in edits:
        if start < pos:
            raise AssertionError("overlapping edits")
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)
