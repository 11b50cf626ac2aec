"""The ignore file: findings a team has accepted as not secret, by fingerprint.

One `RULE:HASH` per line, where HASH covers the rule and the secret only: no
path, no line number, no timestamp, so moving code or re-running the scanner
never changes the file and two branches adding entries merge cleanly (entries
are kept sorted). Text after `#` is a comment. A bad line is reported (without
echoing it: it might be a pasted secret) and skipped; the rest still applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sealer import fileio
from sealer.errors import ConfigError

NAME = ".sealer/scan-ignore"
_ENTRY = re.compile(r"[a-z0-9][a-z0-9-]*:[0-9a-f]{32}")
HEADER = """\
# sealer scan: findings accepted as not secret (false positives), one RULE:HASH
# per line. The hash covers the rule and the secret only (no path, line or date),
# so entries never churn. Add with `sealer scan --add-ignore`; '#' starts a comment.
# Never list a real secret here: rotate it and remove it from the code instead.
"""


@dataclass
class IgnoreFile:
    path: Path
    entries: dict[str, str] = field(default_factory=dict)  # fingerprint -> comment
    problems: list[str] = field(default_factory=list)

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self.entries


def default_path(top: str | None) -> Path:
    return Path(top or ".") / NAME


def load(path: Path, known_rules: Iterable[str]) -> IgnoreFile:
    result = IgnoreFile(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return result
    except OSError as e:
        result.problems.append(f"cannot read: {e.strerror}")
        return result
    known = set(known_rules)
    text = raw.decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        entry, _, comment = line.partition("#")
        entry = entry.strip()
        if not entry:
            continue
        if not _ENTRY.fullmatch(entry):
            result.problems.append(
                f"line {number}: not a fingerprint (expected RULE:32 hex digits)"
            )
            continue
        rule = entry.split(":", 1)[0]
        if rule not in known:
            result.problems.append(f"line {number}: unknown rule {rule!r}")
            continue
        result.entries[entry] = comment.strip()
    return result


def add(ignore: IgnoreFile, new: dict[str, str]) -> int:
    """Add fingerprints (with a comment each), rewrite the file sorted; returns how many."""
    if ignore.problems:
        raise ConfigError(
            f"{ignore.path}: the ignore file has problems; not rewriting it",
            hint="fix or remove the lines reported above, then run again",
        )
    added = {fp: c for fp, c in new.items() if fp not in ignore.entries}
    if not added:
        return 0
    ignore.entries.update(added)
    lines = [f"{fp}  # {c}" if c else fp for fp, c in sorted(ignore.entries.items())]
    ignore.path.parent.mkdir(parents=True, exist_ok=True)
    fileio.write_atomic(str(ignore.path), (HEADER + "\n".join(lines) + "\n").encode())
    return len(added)
