"""Re-seal staged files whose MAC a partial `git add -p` left stale (the pre-commit hook).

`git add -p` applies the picked hunks of the sealed diff straight to the
staged blob; clean does not run. Picking some value lines but not the `mac`
line stages a file whose values open but whose MAC does not match, and a
commit of it could not be checked out anywhere. Before the commit, every such
staged file that a key opens is sealed again with a fresh MAC (its values,
hence its ciphertexts, stay as staged). Files whose values do not open are
left for `sealer check --staged` to report.

The hook runs on every commit, so its cost is a fixed number of git processes,
not a few per file: one `git diff --cached --raw` for the staged blobs, one
`git check-attr` for which of them the filter covers, one `git cat-file
--batch` for the contents of those that must be opened, and one `git
update-index --index-info` for what was re-sealed. Blobs that clean sealed
itself (listed in `.git/sealer/cleaned`, see cleaned.py) have a fresh MAC by
construction and are not opened at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sealer import document, fileio, policy
from sealer.errors import ConfigError, IntegrityError, SealerError
from sealer.git import batch_read, git_dir, run, toplevel
from sealer.gitfilter import cleaned
from sealer.gitfilter.filter import Filter, format_for

_SKIP_MODES = ("120000", "160000")  # symlinks and submodules hold no file content


class Staged:
    """The staged changes of a work tree: path -> (mode, blob id), and filter coverage."""

    def __init__(self, root: Path):
        self.root = root
        out = run(["diff", "--cached", "--raw", "-z", "--no-renames", "--diff-filter=ACMR",
                   "--no-abbrev"], root)  # fmt: skip
        fields = out.split(b"\0")
        self.entries: dict[str, tuple[str, str]] = {}
        for meta, name in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.decode().split()
            if len(parts) >= 4 and parts[1] not in _SKIP_MODES:
                self.entries[fileio.decode(name)] = (parts[1], parts[3])
        self.record = cleaned.record_path(str(git_dir(root)))

    def covered(self) -> list[str]:
        """The staged paths whose `filter` attribute is sealer's."""
        if not self.entries:
            return []
        attrs = _z(run(["check-attr", "-z", "--stdin", "filter"], self.root,
                       input=_nul(list(self.entries))))  # fmt: skip
        return [attrs[i] for i in range(0, len(attrs) - 2, 3) if attrs[i + 2] == "sealer"]

    def sealed_by_clean(self) -> set[str]:
        """Blob ids of staged entries that clean sealed itself; prunes the list to them."""
        listed = cleaned.load(self.record)
        if not listed:
            return set()
        staged = {oid for _, oid in self.entries.values()}
        kept = listed & staged
        if len(kept) < len(listed):
            cleaned.keep_only(self.record, kept)
        return kept


def _z(data: bytes) -> list[str]:
    return [p for p in fileio.decode(data).split("\0") if p]


def _nul(paths: Sequence[str]) -> bytes:
    return b"".join(fileio.encode(p) + b"\0" for p in paths)


def reseal_staged() -> list[str]:
    root = toplevel(Path.cwd())
    if root is None:
        raise ConfigError("not inside a git working tree")
    staged = Staged(root)
    covered = staged.covered()
    if not covered:
        return []
    done = staged.sealed_by_clean()
    todo = [p for p in covered if staged.entries[p][1] not in done]
    if not todo:
        return []
    contents = batch_read([staged.entries[p][1] for p in todo], cwd=str(root))
    said: list[str] = []
    updates: list[str] = []
    filt = Filter()
    try:
        for path in todo:
            mode, oid = staged.entries[path]
            data = contents.get(oid)
            sealed = None if data is None else _resealed(filt, root, path, data)
            if sealed is not None:
                updates.append(f"{mode} {_write_blob(root, sealed)}\t{path}")
                said.append(f"{path}: re-sealed the staged version (its MAC was stale)")
    finally:
        filt.repo.close()
    if updates:
        run(["update-index", "-z", "--index-info"], root,
            input=b"".join(fileio.encode(u) + b"\0" for u in updates))  # fmt: skip
    return said


def _resealed(filt: Filter, root: Path, path: str, data: bytes) -> str | None:
    """The file sealed again with a fresh MAC, or None: it verifies, or it is not ours to fix.

    The staged blob is committed content like any other: `policy.reseal` seals it
    afresh if it differs from its rule or its data key was not made in this clone.
    """
    text = fileio.decode(data)
    fmt = format_for(path)
    try:
        parsed = document.parse(fmt, text, path)
        if parsed.metadata is None:
            return None
        try:
            filt.open_sealed(fmt, parsed, path)
            return None
        except IntegrityError:
            opened = filt.open_sealed(fmt, parsed, path, ignore_mac=True)
    except SealerError:
        return None  # no key, damaged values, not parseable: `sealer check` reports it
    fresh = opened._replace(mac_hex="")  # an empty MAC makes seal_text write a new one
    here = os.path.relpath(root / path)  # rules are found from the file's directory
    return policy.reseal(fmt, opened.plaintext, fresh, here, warn=filt.warn)[0]


def _write_blob(root: Path, text: str) -> str:
    """Store one re-sealed file (rare: only blobs a partial `git add -p` left stale)."""
    out = run(["hash-object", "-w", "--no-filters", "--stdin"], root, input=fileio.encode(text))
    return out.decode().strip()
