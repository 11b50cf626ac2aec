"""`.sealer/allowed_signers`: who may sign audit entries (OpenSSH `allowed_signers`).

One key per line: `principals [options] keytype base64 [comment]`. A key
authorises an entry when its principals (comma-separated patterns, `*` and `?`
wildcards, `!` to exclude) match the entry's actor email, its `namespaces=`
option (if any) allows sealer's namespace, and its `valid-after=` /
`valid-before=` window (if any) holds at the entry's trusted time (the time the
signer wrote, but never earlier than the commits before the entry nor later than
now: `sealer.audit.verify.trusted_time`). `cert-authority`
lines are not honoured: entries must be signed by a listed key itself.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime

from sealer.audit import sshsig
from sealer.errors import ConfigError

_KEY_PREFIXES = ("ssh-", "ecdsa-", "sk-")


@dataclass(frozen=True)
class Line:
    number: int
    principals: tuple[str, ...]
    options: dict[str, str]
    public_key: bytes


def _tokens(line: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch.isspace() and not quoted:
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(ch)
    if quoted:
        raise ValueError("unterminated quote")
    if current:
        out.append("".join(current))
    return out


def _split_commas(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _options(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _split_commas(text):
        name, eq, value = part.partition("=")
        out[name.strip().lower()] = value.strip().strip('"') if eq else ""
    return out


def parse(text: str, where: str = "allowed_signers") -> list[Line]:
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            tokens = _tokens(stripped)
            if len(tokens) < 3:
                raise ValueError("expected: principals [options] keytype base64")
            principals = tuple(p.strip() for p in tokens[0].strip('"').split(",") if p.strip())
            rest = tokens[1:]
            options = {} if rest[0].startswith(_KEY_PREFIXES) else _options(rest.pop(0))
            public_key = sshsig.parse_public_key_text(" ".join(rest[:2]))
        except (ValueError, ConfigError, IndexError) as e:
            raise ConfigError(f"{where}: line {number}: {e}") from None
        lines.append(Line(number, principals, options, public_key))
    return lines


def _matches(patterns: list[str], value: str) -> bool:
    matched = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if fnmatch.fnmatchcase(value, pattern[1:]):
                return False
        elif fnmatch.fnmatchcase(value, pattern):
            matched = True
    return matched


def _parse_time(text: str) -> datetime:
    """`YYYYMMDD[HHMM[SS]][Z]`; sealer reads it as UTC with or without the Z."""
    digits = text.rstrip("Zz")
    fmt = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}.get(len(digits))
    if fmt is None:
        raise ValueError(f"bad time {text!r}")
    return datetime.strptime(digits, fmt).replace(tzinfo=UTC)


def why_not(
    lines: list[Line], public_key: bytes, principal: str, namespace: str, when: datetime | None
) -> str | None:
    """None if some line authorises the key for `principal`; else the reason it does not."""
    candidates = [
        line
        for line in lines
        if line.public_key == public_key and "cert-authority" not in line.options
    ]
    if not candidates:
        return f"key {sshsig.fingerprint(public_key)} is not in allowed_signers"
    reasons = []
    for line in candidates:
        if not _matches(list(line.principals), principal):
            reasons.append(
                f"line {line.number} is for {','.join(line.principals)}, not {principal}"
            )
            continue
        if "namespaces" in line.options and not _matches(
            line.options["namespaces"].split(","), namespace
        ):
            reasons.append(f"line {line.number} does not allow namespace {namespace}")
            continue
        window = _window_problem(line, when)
        if window:
            reasons.append(window)
            continue
        return None
    return "; ".join(reasons)


def _window_problem(line: Line, when: datetime | None) -> str | None:
    try:
        after = line.options.get("valid-after")
        before = line.options.get("valid-before")
        if when is not None and after and when < _parse_time(after):
            return f"line {line.number} is valid only after {after}"
        if when is not None and before and when >= _parse_time(before):
            return f"line {line.number} expired at {before}"
    except ValueError as e:
        return f"line {line.number}: {e}"
    return None


def line_for(principal: str, public_key: bytes, namespace: str) -> str:
    """An allowed_signers line for one person, restricted to sealer's namespace."""
    return f'{principal} namespaces="{namespace}" {sshsig.public_key_text(public_key)}\n'
