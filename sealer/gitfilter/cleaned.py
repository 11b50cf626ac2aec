"""Blobs that sealer's clean filter sealed itself: the pre-commit hook need not open them.

Clean writes a fresh MAC over the values it seals, so what it returns is, by
construction, a sealed file whose MAC verifies. It records the object id of
each such output (one line, appended) in `.git/sealer/cleaned`, as do
updatekeys and rotate for the blobs they stage in a filter repository; the hook
(`sealer git reseal-staged`, `sealer check --staged`) then opens only the
staged blobs that are not listed there: those that reached the index some
other way (`git add -p` applies hunks to the blob without clean,
`git update-index`, a tool that writes the index itself). Input that was
already sealed passes through clean unverified and is never listed.

A line may also carry a rule stamp (`policy.stamp`: the path and the shape of
the creation rule the blob was sealed for): while the rule for that path has
the same shape, the hook does not read the blob to compare its metadata with
the rule either.

The list is local to the clone (never committed) and only ever makes the hook
skip work it would otherwise do; a lost or stale line costs time, not safety.
The hook keeps only the lines of blobs still staged, so it stays small.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sealer import git

NAME = "sealer/cleaned"


def object_id(data: bytes, object_format: str) -> str:
    """The id git gives a blob with this content (sha1, or sha256 repositories)."""
    h = hashlib.sha256() if object_format == "sha256" else hashlib.sha1()
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


class Recorder:
    """Appends the ids of clean's own outputs; finds the file on first use."""

    def __init__(self, cwd: str | None = None):
        self.cwd = cwd
        self._where: tuple[Path, str] | None = None
        self._failed = False

    def _locate(self) -> tuple[Path, str] | None:
        if self._where is None and not self._failed:
            out = git.query(["rev-parse", "--git-common-dir", "--show-object-format"], self.cwd)
            lines = (out or b"").decode("utf-8", "surrogateescape").splitlines()
            if len(lines) != 2:
                self._failed = True  # not in a repository: nothing to record
                return None
            base = Path(self.cwd or ".") / lines[0]
            self._where = (base / NAME, lines[1])
        return self._where

    def object_id(self, data: bytes) -> str | None:
        """The id git gives a blob of `data` here; None outside a repository."""
        where = None if self._failed else self._locate()
        return None if where is None else object_id(data, where[1])

    def record(self, data: bytes, stamp: str | None = None) -> None:
        if self._failed:
            return
        where = self._locate()
        line = object_id(data, where[1]) + (f" {stamp}" if stamp else "") if where else ""
        if where is not None and not add(where[0], [line]):
            self._failed = True  # the hook then opens the file: slower, never less safe


def add(path: Path, oids: Iterable[str]) -> bool:
    """Append lines: a blob id, perhaps a space and its rule stamp (one write per line
    stays whole with concurrent adds)."""
    lines = memoryview("".join(f"{oid}\n" for oid in oids).encode())
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            while lines:
                lines = lines[os.write(fd, lines) :]
        finally:
            os.close(fd)
    except OSError:
        return False  # the hook then opens those files: slower, never less safe
    return True


def record_path(git_common_dir: str) -> Path:
    return Path(git_common_dir) / NAME


def _lines(path: Path) -> list[list[str]]:
    try:
        text = path.read_text("ascii", "replace")
    except OSError:
        return []
    return [fields for line in text.split("\n") if (fields := line.split())]


def load(path: Path) -> set[str]:
    """The blob ids listed."""
    return {fields[0] for fields in _lines(path)}


def stamps(path: Path) -> dict[str, set[str]]:
    """Blob id -> the rule stamps listed with it."""
    found: dict[str, set[str]] = {}
    for fields in _lines(path):
        found.setdefault(fields[0], set()).update(fields[1:2])
    return found


def keep_only(path: Path, wanted: Iterable[str]) -> None:
    """Rewrite the list with only the lines of the blobs `wanted` (atomically; a failure
    leaves it as it was)."""
    keep = set(wanted)
    lines = "".join(sorted({" ".join(f) + "\n" for f in _lines(path) if f[0] in keep}))
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cleaned.")
        with os.fdopen(fd, "w") as f:
            f.write(lines)
        os.replace(tmp, path)
    except OSError:
        return
