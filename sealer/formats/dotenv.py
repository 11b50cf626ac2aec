"""`.env` files exactly as sops reads them: `KEY=VALUE` lines and `#` comment lines.

Split at the first `=`; no trimming, no quote handling, no `export` prefix; the
two characters `\\n` in a value are a newline. Metadata is a block of
`sops_…=…` lines at the end (sops' flattened form).
"""

from __future__ import annotations

from typing import Any

from sealer import metadata
from sealer.errors import FormatError
from sealer.fileio import require_utf8
from sealer.formats import Edit, Leaf, Parsed
from sealer.tree import CommentNode, Mapping, Scalar, Span
from sealer.values import Comment, Raw, Value

PREFIX = "sops_"


class DotenvFormat:
    name = "dotenv"

    def parse(self, text: str) -> Parsed:
        require_utf8(text)
        root = Mapping()
        meta_items: list[tuple[str, Any]] = []
        meta_spans: list[Span] = []
        seen: set[str] = set()
        pos = 0
        number = 0
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            number += 1
            line = text[pos:end]
            if line.startswith("#"):
                root.items.append((CommentNode(line[1:], (pos + 1, end)), None))
            elif line:
                eq = line.find("=")
                if eq < 0:
                    raise FormatError(
                        f"line {number}: not KEY=VALUE and not a # comment",
                        hint="sops' .env format has one KEY=VALUE per line",
                    )
                key, value = line[:eq], line[eq + 1 :].replace("\\n", "\n")
                if key.startswith(PREFIX):
                    meta_items.append((key[len(PREFIX) :], value))
                    meta_spans.append((pos, min(end + 1, len(text))))
                elif key in seen:
                    raise FormatError(f"line {number}: duplicate key {key!r}")
                else:
                    seen.add(key)
                    root.items.append((key, Scalar(value, (pos + eq + 1, end))))
            pos = end + 1
        meta = metadata.unflatten(meta_items) if meta_items else None
        return Parsed(text, [root], meta, meta_spans, None)

    def render_sealed(self, node: Leaf, sealed: str) -> tuple[Span, str]:
        assert node.span is not None
        return node.span, sealed

    def render_plain(self, node: Leaf, value: Value) -> tuple[Span, str]:
        assert node.span is not None
        if isinstance(value, Comment):
            return node.span, value.text
        return node.span, to_text(value).replace("\n", "\\n")

    def set_value(self, parsed: Parsed, path: Any, value: Any) -> list[Edit]:
        key = _single_key(path)
        if isinstance(value, dict | list):
            raise FormatError(f"{key}: a .env value cannot be a list or mapping")
        text = to_text(value).replace("\n", "\\n")
        for k, node in parsed.docs[0].items:
            if k == key and isinstance(node, Scalar) and node.span is not None:
                return [(*node.span, text)]
        if key.startswith(PREFIX) or "=" in key or "\n" in key or key.startswith("#") or not key:
            raise FormatError(f"{key!r} cannot be a .env key")
        at = len(parsed.text)
        lead = "\n" if parsed.text and not parsed.text.endswith("\n") else ""
        return [(at, at, f"{lead}{key}={text}\n")]

    def unset_value(self, parsed: Parsed, path: Any) -> list[Edit]:
        key = _single_key(path)
        for k, node in parsed.docs[0].items:
            if k == key and isinstance(node, Scalar) and node.span is not None:
                start = parsed.text.rfind("\n", 0, node.span[0]) + 1
                return [(start, min(node.span[1] + 1, len(parsed.text)), "")]
        from sealer.paths import PathError

        raise PathError(f"{key}: no such key")

    def metadata_edits(self, parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
        text = parsed.text
        edits: list[Edit] = [(s, e, "") for s, e in parsed.meta_spans]
        if edits and edits[-1][1] == len(text) and not text.endswith("\n"):
            # sealed from a file without a final line break (see below): the line
            # break before the metadata lines was the plaintext's last character
            i = len(edits) - 1
            while i > 0 and edits[i - 1][1] == edits[i][0]:
                i -= 1
            start, end, _ = edits[i]
            if text[start - 1 : start] == "\n":
                edits[i] = (start - 1, end, "")
        if meta is None:
            return edits
        lines = [
            PREFIX + key + "=" + to_text(value).replace("\n", "\\n") + "\n"
            for key, value in metadata.flatten(meta)
        ]
        at = len(text)
        block = "".join(lines)
        if text and not text.endswith("\n"):  # no final line break: none after the metadata
            block = "\n" + block.removesuffix("\n")
        edits.append((at, at, block))
        return edits


FORMAT = DotenvFormat()


def _single_key(path: Any) -> str:
    if len(path) != 1:
        raise FormatError(".env files are flat: a key path has one component")
    return str(path[0])


def to_text(value: Any) -> str:
    """A value as .env text (sops' `ValToString` for what is not a string)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Raw):
        raise FormatError("a value is not valid UTF-8 text")
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    if value is None:
        return ""
    return str(getattr(value, "text", value))
