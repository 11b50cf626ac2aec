"""RFC 8785 (JCS) canonical JSON for the subset the audit log writes, and a strict reader.

The log holds objects, arrays, strings, integers within ±(2^53 - 1), booleans
and null; never floats. For that subset JCS is: no whitespace, object members
sorted by the UTF-16 code units of their names, strings escaped exactly as
ECMAScript's JSON.stringify does, UTF-8 output. `loads` accepts a line only if
re-encoding it gives the same bytes, which rejects duplicate names, extra
spaces, other escapes and member orders (parser differentials, malleability).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_INT = 2**53 - 1
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class NonCanonical(ValueError):
    """A line that is not the RFC 8785 encoding of the JSON it holds."""


_ESCAPE = re.compile('[\x00-\x1f"\\\\\ud800-\udfff]')


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _SHORT:
        return _SHORT[ch]
    if ch >= "\ud800":
        raise NonCanonical("a string holds a lone surrogate (not Unicode text)")
    return f"\\u{ord(ch):04x}"


def _string(s: str) -> str:
    return '"' + _ESCAPE.sub(_escape, s) + '"'


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            raise NonCanonical(f"integer {value} is outside ±(2^53 - 1)")
        out.append(str(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for i, name in enumerate(sorted(value, key=_utf16_key)):
            if not isinstance(name, str):
                raise NonCanonical("object member names must be strings")
            if i:
                out.append(",")
            out.append(_string(name))
            out.append(":")
            _encode(value[name], out)
        out.append("}")
    else:
        raise NonCanonical(f"{type(value).__name__} values are not part of the log's JSON")


def _utf16_key(name: Any) -> bytes:
    return str(name).encode("utf-16-be", "surrogatepass")


def dumps(value: Any) -> bytes:
    """The RFC 8785 bytes of `value` (no trailing newline)."""
    out: list[str] = []
    _encode(value, out)
    return "".join(out).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise NonCanonical(f"duplicate member {name!r}")
        result[name] = value
    return result


def _no_float(text: str) -> Any:
    raise NonCanonical(f"number {text} is not an integer")


def _no_constant(text: str) -> Any:
    raise NonCanonical(f"{text} is not JSON")


def loads(line: bytes) -> Any:
    """Parse one line, accepting it only if it is exactly its own canonical encoding."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise NonCanonical("the line is not UTF-8") from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as e:
        raise NonCanonical(f"not JSON: {e.msg} at column {e.colno}") from None
    if dumps(value) != line:
        raise NonCanonical("not in RFC 8785 canonical form (spacing, member order or escapes)")
    return value
