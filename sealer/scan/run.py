"""Scan a stream of items (files, index blobs, commits) into one result."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from sealer.scan import engine
from sealer.scan.custom import Custom
from sealer.scan.ignore import IgnoreFile
from sealer.scan.sources import Item, is_audit_log, is_ignore_file


@dataclass(frozen=True)
class Finding:
    rule: str
    description: str
    path: str
    line: int
    column: int  # 1-based, in characters
    end_line: int
    end_column: int  # 1-based, exclusive
    redacted: str  # never the whole secret
    fingerprint: str
    commit: str | None = None


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    ignored: int = 0  # findings suppressed by the ignore file
    scanned: int = 0


def scan_items(
    items: Iterable[Item], ignore: IgnoreFile | None, custom: Custom | None = None
) -> Result:
    result = Result()
    for item in items:
        if is_audit_log(item.path):
            result.skipped.append((item.path, "skipped: sealer's audit log"))
            continue
        if is_ignore_file(item.path):
            result.skipped.append((item.path, "skipped: the scanner's ignore file"))
            continue
        if item.data is None:
            target = result.errors if item.error else result.skipped
            target.append((item.path, item.note or "not scanned"))
            continue
        result.scanned += 1
        extra = custom.rules if custom is not None else ()
        hits = engine.scan(item.data, extra)
        if hits and custom is not None:
            data = item.data
            hits = [
                h
                for h in hits
                if not custom.allows(h.rule.id, item.path, data, h.start, h.end, h.secret)
            ]
        if hits and item.previous is not None:
            before = {h.fingerprint for h in engine.scan(item.previous, extra)}
            hits = [h for h in hits if h.fingerprint not in before]
        lines = _LineIndex(item.data) if hits else None
        for hit in hits:
            if ignore is not None and any(f in ignore for f in hit.accepted_as):
                result.ignored += 1
                continue
            assert lines is not None
            line, column = lines.position(hit.start)
            end_line, end_column = lines.position(hit.end)
            result.findings.append(
                Finding(
                    hit.rule.id,
                    hit.rule.description,
                    item.path,
                    line,
                    column,
                    end_line,
                    end_column,
                    hit.redacted(),
                    hit.fingerprint,
                    item.commit,
                )
            )
    return result


class _LineIndex:
    def __init__(self, data: bytes):
        self.data = data
        self.starts = [0]
        i = data.find(b"\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = data.find(b"\n", i + 1)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and character column of a byte offset."""
        line = bisect.bisect_right(self.starts, offset) - 1
        prefix = self.data[self.starts[line] : offset]
        return line + 1, len(prefix.decode("utf-8", "replace")) + 1
