"""The "no plaintext in git" sweep: every object git stores, and every file under .git.

`objects` reads every loose and packed object, reachable or not, through
`git cat-file --batch-all-objects --batch` (which inflates them), so a secret
cannot hide in a compressed or deltified object. `assert_no_plaintext` checks
a list of secrets against all of them, and, unless told otherwise, against the
raw bytes of every other file under the git directory (index, logs, refs,
MERGE_MSG, rr-cache, ...). Reused by the hardening tests.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path


def git_dir(repo: Path) -> Path:
    out = subprocess.run(
        ["git", "rev-parse", "--git-common-dir"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path = Path(out)
    return path if path.is_absolute() else (repo / path).resolve()


def objects(repo: Path) -> Iterator[tuple[str, str, bytes]]:
    """(oid, type, content) of every object in the repository's object store."""
    data = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch", "--unordered"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    pos = 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        oid, kind, size = data[pos:end].decode().split()
        start = end + 1
        yield oid, kind, data[start : start + int(size)]
        pos = start + int(size) + 1


def assert_no_plaintext(
    repo: Path, secrets: Iterable[str | bytes], *, files: bool = True, min_objects: int = 1
) -> int:
    """Fail if any secret occurs in any object (or file under .git); the number of objects."""
    needles = [s.encode() if isinstance(s, str) else s for s in secrets]
    assert needles and all(needles), "give the secrets to look for"
    count = 0
    for oid, kind, content in objects(repo):
        count += 1
        for needle in needles:
            assert needle not in content, f"{needle!r} is in {kind} {oid}"
    assert count >= min_objects, f"only {count} objects in {repo}"
    if files:
        for path in git_dir(repo).rglob("*"):
            if path.is_file() and "objects" not in path.relative_to(git_dir(repo)).parts[:1]:
                raw = path.read_bytes()
                for needle in needles:
                    assert needle not in raw, f"{needle!r} is in {path}"
    return count
