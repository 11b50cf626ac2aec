"""Where scanned and checked content comes from: files, git's index, git history.

A hook must check what is being committed, which is the index, not the working
file (with sealer's git filter the working file is plaintext and the index
holds the sealed blob). git is asked through `sealer.git`; blobs are read
through one `git cat-file --batch` process. Every item says why it has no
data (binary, too large, unreadable) so that callers can report it and go on
with the rest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sealer import git
from sealer.errors import Exit

DEFAULT_MAX_SIZE = 32 * 1024 * 1024
_SNIFF = 8000  # git's own binary test: a NUL byte in the first 8000 bytes
_SKIP_MODES = (b"120000", b"160000")  # symlinks and submodules have no file content
_ZERO = "0" * 40


@dataclass
class Item:
    path: str  # as shown to the user
    data: bytes | None = None  # None: not scanned, see `note`
    note: str | None = None  # why it was not scanned
    error: bool = False  # `note` is a failure to read, not a deliberate skip
    commit: str | None = None  # the commit that introduced this version (--since)
    previous: bytes | None = None  # the version before `commit`, if any


def require_repo() -> str:
    top = git.toplevel()
    if top is None:
        raise git.GitError(
            "not inside a git repository",
            hint="--staged and --since read git; run inside a work tree",
            exit_code=Exit.USAGE,
        )
    return str(top)


def classify(path: str, data: bytes, max_size: int) -> Item:
    if max_size and len(data) > max_size:
        return Item(path, note=f"skipped: larger than {max_size} bytes (--max-size)")
    if b"\0" in data[:_SNIFF]:
        return Item(path, note="skipped: binary file")
    return Item(path, data)


def read_file(path: str, max_size: int, *, named: bool = True) -> Item | None:
    """A working-tree file; None for one that vanished while walking (not named)."""
    try:
        if max_size and os.path.getsize(path) > max_size:
            return Item(path, note=f"skipped: larger than {max_size} bytes (--max-size)")
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return Item(path, note="cannot read: no such file", error=True) if named else None
    except IsADirectoryError:
        return Item(path, note="cannot read: is a directory", error=True)
    except OSError as e:
        return Item(path, note=f"cannot read: {e.strerror}", error=True)
    return classify(path, data, max_size)


def worktree(paths: Sequence[str], max_size: int) -> Iterator[Item]:
    """Named files, and the files under named directories (git's view when in a repo).

    A working file that sealer's git filter decrypted is its plaintext by design;
    what git holds is the sealed blob, so that blob is scanned in its place
    (see `SealedInGit`).
    """
    names: list[tuple[str, bool]] = []  # (path, named on the command line)
    for path in paths or ["."]:
        if os.path.isdir(path) and not os.path.islink(path):
            names.extend((name, False) for name in _directory_files(path))
        else:
            names.append((path, True))
    sealed = SealedInGit.find([n for n, _ in names])
    try:
        for name, named in names:
            blob = sealed.blob_of(name) if sealed else None
            if blob is not None:
                assert sealed is not None
                yield sealed.item(name, blob, max_size)
                continue
            item = read_file(name, max_size, named=named)
            if item is not None:
                yield item
    finally:
        if sealed is not None:
            sealed.close()


class SealedInGit:
    """Working files that sealer's git filter keeps sealed in git: their index blobs.

    A tracked file with `filter=sealer`, in a repository where that filter is
    configured, reaches git only through clean, which seals it (or fails); its
    working copy is the plaintext smudge wrote. Scanning the index blob instead
    reports exactly what git holds: nothing for sealed values, but any
    plaintext value or comment the blob itself carries. Untracked files and
    repositories without the filter configured are scanned as files.
    """

    def __init__(self, top: str, blobs: dict[str, str]):
        self.top = top
        self.blobs = blobs  # absolute path -> index blob id, for covered files only
        self._reader: git.Blobs | None = None

    @classmethod
    def find(cls, names: Sequence[str]) -> SealedInGit | None:
        found = git.toplevel()
        if found is None or not names:
            return None
        top = str(found)
        configured = git.query(["config", "--get-regexp", r"^filter\.sealer\.(process|clean)$"],
                               top)  # fmt: skip
        if not configured or not configured.strip():
            return None
        index: dict[str, str] = {}
        for record in git.run(["ls-files", "-s", "-z"], top).split(b"\0"):
            meta, _, raw = record.partition(b"\t")
            fields = meta.split()
            if len(fields) == 3 and fields[2] == b"0" and fields[0] not in _SKIP_MODES:
                index[raw.decode("utf-8", "surrogateescape")] = fields[1].decode()
        relative: dict[str, str] = {}  # path from the top -> absolute path
        for name in names:
            rel = os.path.relpath(os.path.abspath(name), top)
            if rel in index:
                relative[rel] = os.path.abspath(name)
        if not relative:
            return None
        stdin = b"".join(r.encode("utf-8", "surrogateescape") + b"\0" for r in relative)
        out = git.query(["check-attr", "-z", "--stdin", "filter"], top, input=stdin) or b""
        attrs = out.decode("utf-8", "surrogateescape").split("\0")
        covered = {
            relative[attrs[i]]: index[attrs[i]]
            for i in range(0, len(attrs) - 2, 3)
            if attrs[i + 2] == "sealer" and attrs[i] in relative
        }
        return cls(top, covered) if covered else None

    def blob_of(self, name: str) -> str | None:
        return self.blobs.get(os.path.abspath(name))

    def item(self, name: str, blob: str, max_size: int) -> Item:
        if self._reader is None:
            self._reader = git.Blobs(self.top)
        return _blob_item(self._reader, name, blob, max_size)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


def _directory_files(directory: str) -> list[str]:
    """Tracked and untracked-but-not-ignored files in a repo; every file elsewhere."""
    if git.toplevel(directory) is not None:
        out = git.run(["ls-files", "-z", "-co", "--exclude-standard", "--", "."], directory)
        names = sorted({n for n in out.decode("utf-8", "surrogateescape").split("\0") if n})
        return [
            os.path.normpath(os.path.join(directory, n))
            for n in names
            if not os.path.islink(os.path.join(directory, n))
        ]
    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(
            d for d in dirs if d != ".git" and not os.path.islink(os.path.join(root, d))
        )
        found.extend(
            os.path.normpath(os.path.join(root, f))
            for f in sorted(files)
            if not os.path.islink(os.path.join(root, f))
        )
    return found


def index_entries(paths: Sequence[str] | None, cwd: str | None = None) -> list[tuple[str, str]]:
    """(path, blob id) of the index entries for `paths` (relative to cwd), or of every
    staged change (added, copied, modified, renamed) when `paths` is None."""
    if paths is None:
        top = require_repo()
        out = git.run(["diff", "--cached", "--raw", "-z", "--no-renames", "--diff-filter=ACMR",
                       "--no-abbrev"], top)  # fmt: skip
        fields = out.split(b"\0")
        entries: list[tuple[str, str]] = []
        for meta, name in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.split()
            if len(parts) >= 4 and parts[1] not in _SKIP_MODES:
                path = os.path.relpath(os.path.join(top, name.decode("utf-8", "surrogateescape")))
                entries.append((path, parts[3].decode()))
        return entries
    require_repo()
    out = (
        git.run(["--literal-pathspecs", "ls-files", "-s", "-z", "--", *paths], cwd)
        if paths
        else b""
    )
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, blob, stage = meta.split()
        if mode in _SKIP_MODES or stage not in (b"0", b"2"):
            continue
        entries.append((name.decode("utf-8", "surrogateescape"), blob.decode()))
    return entries


def staged(paths: Sequence[str], max_size: int) -> Iterator[Item]:
    """Index versions: of the named paths (files or directories), else of staged changes.

    A named file that is not in the index (pre-commit's `--files` on an untracked
    file) is read from the working tree instead.
    """
    entries = index_entries(list(paths) if paths else None)
    if paths:
        seen = {os.path.normpath(p) for p, _ in entries}
        for p in paths:
            if os.path.normpath(p) not in seen and not os.path.isdir(p):
                item = read_file(p, max_size)
                assert item is not None
                yield item
    with git.Blobs() as blobs:
        for path, blob in entries:
            yield _blob_item(blobs, path, blob, max_size)


def _blob_item(blobs: git.Blobs, path: str, blob: str, max_size: int) -> Item:
    data, size = blobs.sized(blob, max_size)
    if data is None:
        if size:
            return Item(path, note=f"skipped: larger than {max_size} bytes (--max-size)")
        return Item(path, note=f"cannot read: blob {blob[:12]} is missing", error=True)
    return classify(path, data, max_size)


def since(rev: str | None, max_size: int) -> Iterator[Item]:
    """Every file version that the commits in REV..HEAD introduced, with its predecessor.

    `rev` None: every commit HEAD reaches, the root commit included (whose files
    all count as introduced there).
    """
    top = require_repo()
    if rev is not None:
        if git.query(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top) is None:
            raise git.GitError(
                f"--since {rev}: no such commit in this repository",
                hint="name a commit, a branch or a tag", exit_code=Exit.USAGE,
            )  # fmt: skip
    elif git.query(["rev-parse", "--verify", "--quiet", "HEAD"], top) is None:
        return  # no commit yet: no history to scan
    commits = f"{rev}..HEAD" if rev is not None else "HEAD"
    out = git.run(["log", "-z", "--raw", "--root", "--no-renames", "--no-abbrev",
                   "--diff-filter=ACMR", "--format=%x01%H", commits], top)  # fmt: skip
    done: set[tuple[str, str]] = set()
    with git.Blobs(top) as blobs:
        for commit, path, old, new in _log_changes(out):
            if (path, new) in done:
                continue
            done.add((path, new))
            shown = os.path.relpath(os.path.join(top, path))
            item = _blob_item(blobs, shown, new, max_size)
            item.commit = commit
            if item.data is not None and old != _ZERO:
                item.previous = blobs.sized(old, max_size)[0]
            yield item


def _log_changes(out: bytes) -> Iterator[tuple[str, str, str, str]]:
    commit = ""
    fields = out.split(b"\0")
    i = 0
    while i < len(fields):
        field = fields[i].strip(b"\n")
        if field.startswith(b"\x01"):
            commit = field[1:].split(b"\n")[0].decode()
            rest = field[1:].split(b"\n", 1)
            field = rest[1].strip(b"\n") if len(rest) > 1 else b""
        if field.startswith(b":"):
            parts = field[1:].split()
            name = fields[i + 1].decode("utf-8", "surrogateescape")
            i += 2
            if len(parts) >= 4 and parts[1] not in _SKIP_MODES:
                yield commit, name, parts[2].decode(), parts[3].decode()
            continue
        i += 1


def is_audit_log(path: str) -> bool:
    """sealer's audit log holds signatures and hashes by design; it is never scanned."""
    return Path(path).as_posix().endswith(".sealer/audit.jsonl")


def is_ignore_file(path: str) -> bool:
    """The scanner's own ignore file lists fingerprints (hashes), not secrets."""
    return Path(path).as_posix().endswith(".sealer/scan-ignore")
