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

    def record(self, data: bytes) -> None:
        if self._failed:
            return
        where = self._locate()
        if where is not None and not add(where[0], [object_id(data, where[1])]):
            self._failed = True  # the hook then opens the file: slower, never less safe


def add(path: Path, oids: Iterable[str]) -> bool:
    """Append blob ids (clean's one line per write stays whole with concurrent adds)."""
    lines = memoryview("".join(f"{oid}\n" for oid in oids).encode())
    try:
        path.parent.mkdir(exist_ok=True)
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


def load(path: Path) -> set[str]:
    try:
        text = path.read_text("ascii", "replace")
    except OSError:
        return set()
    return {line for line in text.split("\n") if line}


def keep_only(path: Path, wanted: Iterable[str]) -> None:
    """Rewrite the list with only `wanted` (atomically; a failure leaves it as it was)."""
    lines = "".join(f"{oid}\n" for oid in sorted(wanted))
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cleaned.")
        with os.fdopen(fd, "w") as f:
            f.write(lines)
        os.replace(tmp, path)
    except OSError:
        return
