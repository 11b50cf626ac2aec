"""Typed leaf values and their SOPS byte form: what gets encrypted and hashed.

sops serialises each leaf with Go's formatting (`strconv.Itoa`, `FormatFloat(f,
'f', -1, 64)`, `True`/`False`, `time.MarshalText`) and tags the ciphertext with
`type:str|int|float|bool|time|bytes|comment`. The same bytes feed the MAC, so
these rules must match Go exactly; FORMAT.md ("Values") states them.
"""

import math
import re
import time

from sealer.errors import FormatError
from sealer.records import Record


class Comment(Record):
    """A comment line's text (after the comment character), as a leaf."""

    text: str


class GoTime(Record):
    """A timestamp kept as Go's `time.MarshalText` form, so it round-trips exactly."""

    text: str


class Raw(Record):
    """Bytes that are not text: the binary store's content (tag `str`) or legacy `bytes`."""

    data: bytes


class WideInt(float):
    """An integer literal too wide for 64 bits, read as a float the way sops reads it.

    Left in plaintext it is hashed as that float, as sops does; sealing it
    would lose digits, so the sealing step refuses it.
    """

    __slots__ = ()


Value = str | bool | int | float | GoTime | Raw | Comment | None


def go_float(x: float) -> str:
    """`strconv.FormatFloat(x, 'f', -1, 64)`: shortest round-trip digits, no exponent."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    from decimal import Decimal  # here: only floats need it, most files have none

    text = format(Decimal(repr(x)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_bytes(value: Value) -> tuple[str, bytes]:
    """The `type:` tag and the exact bytes sops encrypts and hashes for a value."""
    if isinstance(value, str):
        return "str", value.encode("utf-8", "surrogateescape")
    if isinstance(value, bool):
        return "bool", b"True" if value else b"False"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise FormatError(
                "integer does not fit in 64 bits",
                hint="sops cannot seal it; quote the value so it is a string",
            )
        return "int", str(value).encode()
    if isinstance(value, float):
        return "float", go_float(value).encode()
    if isinstance(value, GoTime):
        return "time", value.text.encode()
    if isinstance(value, Comment):
        return "comment", value.text.encode("utf-8", "surrogateescape")
    if isinstance(value, Raw):
        return "str", value.data
    raise TypeError(f"cannot serialise {type(value).__name__}")


_GO_BOOL = {
    "1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
    "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False,
}  # fmt: skip


def from_bytes(tag: str, data: bytes) -> Value:
    """Inverse of `to_bytes`, with Go's parsers' leniency; raises ValueError."""
    if tag == "str":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return Raw(data)
    if tag == "comment":
        return Comment(data.decode("utf-8", "surrogateescape"))
    text = data.decode("ascii")
    if tag == "int":
        digits = text[1:] if text[:1] in ("+", "-") else text
        if not (digits.isascii() and digits.isdecimal()):  # Go: [+-]?[0-9]+, 0-9 only
            raise ValueError("not an integer")
        return int(text)
    if tag == "float":
        return parse_go_float(text)
    if tag == "bool":
        return _GO_BOOL[text]
    if tag == "time":
        return GoTime(canonical_time(text))
    if tag == "bytes":
        return Raw(data)
    raise ValueError("unknown type tag")


def parse_go_float(text: str) -> float:
    t = text.lower().lstrip("+-")
    if t in ("inf", "infinity", "nan"):
        return float(text)
    if "_" in text or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", text, re.I | re.A):
        raise ValueError("not a float")
    value = float(text)
    if math.isinf(value):
        raise ValueError("float out of range")
    return value


# --- timestamps ------------------------------------------------------------

# Patterns compiled on first use (re caches them): most runs never need them,
# and compiling costs more start-up than the rest of this module.
_TS = (
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<h>\d{1,2}):(?P<mi>\d{1,2}):(?P<s>\d{1,2})"
    r"(?:\.(?P<f>\d+))?"
    r"(?:[ \t]*(?P<z>Z|[+-]\d{1,2}(?::\d{2})?))?)?\Z"
)  # with re.A: Go's digits are 0-9 only, `٢٠٠١-١٢-١٤` is a string to go-yaml


def parse_yaml_timestamp(text: str) -> GoTime | None:
    """Resolve a plain scalar the way go-yaml v3 does, or None if it is no timestamp.

    go-yaml accepts `2006-1-2T15:4:5.999999999Z07:00` (T or t), `2006-1-2
    15:4:5.999999999` (no zone, UTC) and `2006-1-2`.
    """
    if text[4:5] != "-":  # every layout starts with a 4-digit year (`version: 3.11.0` does not)
        return None
    m = re.match(_TS, text, re.A)
    if not m:
        return None
    if m["h"] is not None:
        sep = text[len(m["y"]) + len(m["mo"]) + len(m["d"]) + 2]
        zone = m["z"]
        if sep in "Tt":
            # RFC 3339 layouts: a zone is required, separated by nothing.
            if zone is None or not re.fullmatch(r".*\d(Z|[+-]\d\d:\d\d)", text, re.A):
                return None
        else:
            # The space-separated layout has a single space and no zone.
            if zone is not None or text.count(" ") != 1 or "\t" in text:
                return None
    try:
        return GoTime(_format_go_time(m))
    except ValueError:
        return None


def _days_in(year: int, month: int) -> int:
    """Go's `daysIn`: proleptic Gregorian, year 0 included (datetime starts at 1)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _format_go_time(m: re.Match[str]) -> str:
    year, month, day = int(m["y"]), int(m["mo"]), int(m["d"])
    hour = int(m["h"] or 0)
    minute, second = int(m["mi"] or 0), int(m["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("time out of range")
    if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month)):
        raise ValueError("no such date")
    frac = (m["f"] or "")[:9].rstrip("0")
    zone = m["z"]
    if zone in (None, "Z"):
        suffix = "Z"
    else:
        sign, rest = zone[0], zone[1:]
        hh, _, mm = rest.partition(":")
        offset = int(hh) * 60 + int(mm or 0)
        if int(hh) > 23 or int(mm or 0) > 59:
            raise ValueError("zone out of range")
        suffix = "Z" if offset == 0 else f"{sign}{int(hh):02d}:{int(mm or 0):02d}"
    stamp = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    return stamp + (f".{frac}" if frac else "") + suffix


def canonical_time(text: str) -> str:
    """Check an RFC 3339 timestamp (Go `UnmarshalText`) and return its Go text form."""
    m = re.match(_TS, text, re.A)
    if not m or m["h"] is None or m["z"] is None:
        raise ValueError("not an RFC 3339 time")
    return _format_go_time(m)


def rfc3339_now() -> str:
    """`lastmodified`: UTC, whole seconds, `Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def mac_aad(lastmodified: str) -> str:
    """The MAC's additional data: `lastmodified` re-formatted as Go does (seconds, Z)."""
    m = re.fullmatch(
        r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|z|[+-]\d\d:\d\d)",
        lastmodified,
        re.A,
    )
    if not m:
        raise FormatError("metadata field lastmodified is not an RFC 3339 time")
    zone = m[7]
    if zone in ("Z", "z") or zone[1:] == "00:00":
        zone = "Z"
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}{zone}"
