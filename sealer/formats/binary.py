"""Any other file, sealed whole: sops' binary store.

The plaintext is the file's bytes as one `str` value at key `data`; the sealed
file is JSON `{"data": "ENC[…]", "sops": {…}}` indented with a tab, as sops
writes it.
"""

from __future__ import annotations

import json
from typing import Any

from sealer.errors import FormatError
from sealer.formats import Edit, Leaf, Parsed
from sealer.formats import json as json_format
from sealer.tree import Mapping, Scalar, Span
from sealer.values import Raw, Value


class BinaryFormat:
    name = "binary"

    def parse(self, text: str) -> Parsed:
        if _looks_sealed(text):
            parsed = json_format.FORMAT.parse(text)
            root = parsed.docs[0]
            keys = [k for k, _ in root.items]
            if keys != ["data"]:
                raise FormatError("a sealed binary file holds exactly one key, data")
            return Parsed(text, parsed.docs, parsed.metadata, [(0, len(text))], "sealed")
        node = Scalar(text, (0, len(text)))
        return Parsed(text, [Mapping([("data", node)])], None, [], "plain")

    def render_sealed(self, node: Leaf, sealed: str) -> tuple[Span, str]:
        assert node.span is not None
        return node.span, '{\n\t"data": ' + json.dumps(sealed)

    def render_plain(self, node: Leaf, value: Value) -> tuple[Span, str]:
        # the whole file becomes the value; metadata_edits then adds nothing
        if isinstance(value, Raw):
            return (0, 0), value.data.decode("utf-8", "surrogateescape")
        if not isinstance(value, str):
            raise FormatError("a sealed binary file holds a non-string value")
        return (0, 0), value

    def set_value(self, parsed: Parsed, path: Any, value: Any) -> list[Edit]:
        raise FormatError("a binary file is sealed whole; it has no keys to set")

    def unset_value(self, parsed: Parsed, path: Any) -> list[Edit]:
        raise FormatError("a binary file is sealed whole; it has no keys to unset")

    def metadata_edits(self, parsed: Parsed, meta: dict[str, Any] | None) -> list[Edit]:
        if meta is None:  # opening: drop the whole JSON envelope
            return [(0, len(parsed.text), "")]
        body = json.dumps(meta, indent="\t").replace("\n", "\n\t")
        tail = f',\n\t"sops": {body}\n}}\n'
        end = len(parsed.text)
        if parsed.text == "":  # an empty value is not encrypted (as in sops)
            return [(0, 0, '{\n\t"data": ""' + tail)]
        return [(end, end, tail)]


def _looks_sealed(text: str) -> bool:
    head = text.lstrip()[:1]
    if head != "{" or '"sops"' not in text:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and "sops" in data and "data" in data


FORMAT = BinaryFormat()
