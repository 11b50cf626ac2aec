"""YAML scalars as go-yaml v3 (and so sops) reads them, and how sealer writes them back.

Resolution follows go-yaml v3's `resolve.go`: `yes`/`on` stay strings (YAML
1.2), `017` is octal and `0x1F` hex (YAML 1.1 habits), bare dates are
timestamps, integers beyond 64 bits are refused. Rendering picks the user's
original style where the value allows it, so an opened file matches what was
sealed; FORMAT.md ("YAML") lists the cases where it cannot.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sealer.errors import FormatError
from sealer.values import GoTime, Raw, Value, WideInt, parse_yaml_timestamp

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVABLE = {
    "tag:yaml.org,2002:" + t: "!!" + t for t in ("str", "bool", "int", "float", "null", "timestamp")
}
BINARY_TAG = "tag:yaml.org,2002:binary"

_MAP: dict[str, Value] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
KEYWORDS = _MAP  # plain words that are not their own text (null, true, ...)
# Patterns as text are compiled on first use (re caches them): start-up pays
# only for the ones a file needs.
_YAML_FLOAT = r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z"
_INT64 = range(-(2**63), 2**63)
_INT_LITERAL = r"[-+]?[0-9]+\Z"
_UINT64_MAX = 2**64 - 1


def _go_parse_int(text: str) -> int | None:
    """`strconv.ParseInt(text, 0, 64)` or ParseUint, as go-yaml tries them; None if neither."""
    if not text.lstrip("+-").isalnum():  # `1.5`, `3.11.0`: no need to compile the pattern
        return None
    m = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)", text)
    if not m:
        return None
    sign, digits = m.groups()
    low = digits.lower()
    if low.startswith(("0x", "0o", "0b")):
        value = int(digits[2:], {"x": 16, "o": 8, "b": 2}[low[1]])
    elif len(digits) > 1 and digits[0] == "0":
        value = int(digits, 8)
    else:
        value = int(digits)
    if sign == "-":
        value = -value
    if value in _INT64 or (0 <= value <= _UINT64_MAX and sign != "-"):
        return value
    return None


def _go_parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isinf(value) and "inf" not in text.lower() else value


def is_plain_word(text: str) -> bool:
    """A plain scalar that is its own text: starts with a letter and is no YAML keyword.

    The quick check for the common case; resolve_plain gives the same answer.
    """
    return text[:1].isalpha() and text not in _MAP


def resolve_plain(text: str) -> Value:
    """The value of an untagged plain scalar (go-yaml's `resolve("", text)`)."""
    if text in _MAP:
        return _MAP[text]
    hint = text[:1]
    if hint == ".":
        f = _go_parse_float(text) if re.fullmatch(r"\.[0-9]+([eE][-+]?[0-9]+)?", text) else None
        return text if f is None else f
    if hint.isdigit() or hint in "+-":
        if hint != "0" and len(text) < 19 and text.isascii() and text.isdigit():
            return int(text)  # a plain decimal (the common case): what the checks below give
        stamp = parse_yaml_timestamp(text)
        if stamp is not None:
            return stamp
        plain = text.replace("_", "")
        value = _go_parse_int(plain)
        if value is not None:
            return value
        if plain.count(".") < 2 and re.match(_YAML_FLOAT, plain):
            f = _go_parse_float(plain)
            if f is not None:
                wide = re.match(_INT_LITERAL, plain) and int(plain) not in _INT64
                return WideInt(f) if wide else f
        if plain.startswith(("0b", "-0b", "0o", "-0o")):
            value = _go_parse_int(plain)
            if value is not None:
                return value
    return text


def resolve(text: str, style: str, tag: str | None) -> Value:
    """A scalar's value given its text, style ('' plain) and explicit tag (or None)."""
    if tag in (None, "!") and style != "":
        return text
    if tag is None:
        return resolve_plain(text)
    if tag == _STR_TAG:
        return text
    if tag == BINARY_TAG:
        return binary(text)
    short = _RESOLVABLE.get(tag)
    if short is None:
        return text  # a custom tag: go-yaml hands over the string
    value = resolve_plain(text)
    kind = _kind(value)
    if short == "!!float" and kind == "!!int":
        return float(value)  # type: ignore[arg-type]
    if kind != short:
        raise FormatError(f"a scalar tagged {short} does not hold a {short[2:]}")
    return value


def _kind(value: Value) -> str:
    if value is None:
        return "!!null"
    if isinstance(value, bool):
        return "!!bool"
    if isinstance(value, int):
        return "!!int"
    if isinstance(value, float):
        return "!!float"
    if isinstance(value, GoTime):
        return "!!timestamp"
    return "!!str"


def binary(text: str) -> Value:
    """A `!!binary` scalar's bytes, as go-yaml decodes them (line breaks ignored): text
    when they are UTF-8 (sops shows them as a string then), else Raw bytes."""
    import base64
    import binascii

    try:
        data = base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(
            "a !!binary scalar is not base64", hint="fix the base64 text or drop the tag"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Raw(data)


def check_value(value: Value) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        raise FormatError(
            "an integer does not fit in 64 bits",
            hint="sops cannot seal it; quote it so it is a string",
        )


# --- writing ---------------------------------------------------------------

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARS = set(",[]{}")
_PRINTABLE_CHARS = r"[\t\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
# Most values are short ASCII words; they need none of the checks below.
_SIMPLE = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@+=%-]*")


def _printable(text: str) -> bool:
    """Only characters YAML may print (tabs included); ASCII without compiling the class."""
    if text.isascii():
        return text.replace("\t", " ").isprintable()
    return re.fullmatch(_PRINTABLE_CHARS, text) is not None  # compiled on first use


def plain_ok(text: str, flow: bool, tagged: bool = False) -> bool:
    """Whether `text` can be written as a plain scalar and still read as this string.

    With an explicit `!!str` (or custom) tag the text need not resolve to a string.
    """
    if _SIMPLE.fullmatch(text) and (text[0] not in "yYnNtTfFoO" or text not in _MAP):
        return True
    if not text or text != text.strip(" \t") or "\n" in text or "\r" in text:
        return False
    if not _printable(text) or "\t" in text:
        return False
    first = text[0]
    if first in _INDICATORS and not (first in "-?:" and len(text) > 1 and text[1] not in " \t"):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and (_FLOW_CHARS & set(text) or ":" in text):
        return False
    if text.startswith(("---", "...")):
        return False
    if tagged:
        return True
    value = resolve_plain(text)
    return isinstance(value, str) and value == text


_ESCAPES = {
    "\\": "\\\\", '"': '\\"', "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t",
    "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e",
    "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF",
}  # fmt: skip


# Any character double_quoted must escape or refuse; most values have none.
_NEEDS_ESCAPE = '[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]'


def _needs_escape(text: str) -> bool:
    if text.isascii():  # without compiling the class: \x00-\x1f and \x7f are unprintable
        return not text.isprintable() or "\\" in text or '"' in text
    return re.search(_NEEDS_ESCAPE, text) is not None


def double_quoted(text: str) -> str:
    if not _needs_escape(text):
        return '"' + text + '"'
    out = []
    for ch in text:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " " or ch == "\x7f" or "\x80" <= ch < "\xa0":
            out.append(f"\\x{ord(ch):02X}")
        elif "\ud800" <= ch <= "\udfff":
            raise FormatError("a value is not valid UTF-8 text")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def single_quoted_ok(text: str) -> bool:
    return "\n" not in text and _printable(text) and "\t" not in text


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def block_ok(text: str) -> bool:
    """A literal/folded block can hold it: printable and not blank."""
    if not text or "\r" in text or not _printable(text.replace("\n", "")):
        return False
    return text.strip("\n") != ""


def needs_indicator(text: str) -> bool:
    """A block whose first line starts with a space needs an indentation indicator."""
    return text.lstrip("\n")[:1] in (" ", "\t")


def _chomp(text: str) -> tuple[str, str]:
    """(chomping indicator, body without trailing newlines)."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    return ("-" if trailing == 0 else "" if trailing == 1 else "+"), body


def literal(text: str, indent: int, indicator: str = "") -> str:
    """`|` block with the content at column `indent`; ends with a newline."""
    chomp, body = _chomp(text)
    pad = " " * indent
    lines = [pad + line if line else "" for line in body.split("\n")]
    extra = "\n" * (len(text) - len(body) - 1) if chomp == "+" else ""
    return f"|{indicator}{chomp}\n" + "\n".join(lines) + "\n" + extra


def folded(text: str, indent: int, indicator: str = "") -> str | None:
    """`>` block, or None when the value's lines cannot be folded back exactly."""
    chomp, body = _chomp(text)
    pieces = re.split(r"(\n+)", body)
    if any(p[:1] in (" ", "\t") for p in pieces[::2]):
        return None
    pad = " " * indent
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            if piece:
                out.append(pad + piece + "\n")
        else:
            # n newlines in the value are n empty lines in the source (a lone
            # line break would fold to a space).
            out.append("\n" * len(piece))
    extra = "\n" * (len(text) - len(body) - 1) if chomp == "+" else ""
    return f">{indicator}{chomp}\n" + "".join(out) + extra


def render_value(value: Value, flow: bool) -> str:
    """A typed value as plain text that resolves back to the same value and type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, GoTime):
        # a bare date reads back as this same midnight-UTC time
        return value.text.removesuffix("T00:00:00Z")
    if isinstance(value, Raw):  # bytes that are not UTF-8: as go-yaml writes them
        import base64

        return "!!binary " + base64.b64encode(value.data).decode("ascii")
    raise TypeError(type(value).__name__)


def emit_block(data: dict[str, Any], indent: int, base: int = 0) -> list[str]:
    """Lines of a block mapping (the metadata), in go-yaml's layout with `indent`."""
    lines: list[str] = []
    pad = " " * base
    for key, value in data.items():
        lines.extend(_emit_entry(pad + key + ":", value, indent, base))
    return lines


def emit_sequence(items: list[Any], indent: int) -> list[str]:
    """Lines of a top-level block sequence."""
    return _emit_entry("", items, indent, -indent)[1:]


def _emit_entry(head: str, value: Any, indent: int, col: int) -> list[str]:
    if isinstance(value, dict):
        if not value:
            return [head + " {}"]
        return [head, *emit_block(value, indent, col + indent)]
    if isinstance(value, list):
        if not value:
            return [head + " []"]
        lines = [head]
        for item in value:
            dash = " " * (col + indent) + "- "
            if isinstance(item, dict) and item:
                sub = emit_block(item, indent, col + indent + 2)
                lines.append(dash + sub[0].lstrip(" "))
                lines.extend(sub[1:])
            else:
                lines.extend(_emit_entry(dash.rstrip(), item, indent, col + indent))
        return lines
    if isinstance(value, str) and "\n" in value:
        block = literal(value, col + indent).rstrip("\n").split("\n")
        return [f"{head} {block[0]}", *block[1:]]
    return [f"{head} {scalar(value)}"]


def scalar(value: Any) -> str:
    """A metadata scalar: plain where safe, else double-quoted (as go-yaml emits)."""
    if isinstance(value, str):
        return value if plain_ok(value, flow=False) else double_quoted(value)
    if value is None:
        return "null"
    return render_value(value, flow=False)
