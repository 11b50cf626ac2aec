"""git, through its command line: repository facts, the index, and history for verification.

Every call goes through `run`, whose failure names the command, its exit code
and what git said. Blobs are read through one long-lived `git cat-file --batch`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sealer.errors import SealerError

ZERO = "0" * 40


class GitError(SealerError):
    pass


def run(
    args: list[str], cwd: Path, *, input: bytes | None = None, ok: tuple[int, ...] = (0,)
) -> bytes:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    if proc.returncode not in ok:
        said = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"`git {' '.join(args)}` exited {proc.returncode}: {said}")
    return proc.stdout


def toplevel(cwd: Path) -> Path | None:
    proc = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(proc.stdout.strip()).resolve() if proc.returncode == 0 else None


def git_dir(root: Path) -> Path:
    out = run(["rev-parse", "--git-common-dir"], root).decode().strip()
    path = Path(out)
    return path if path.is_absolute() else root / path


def rev(root: Path, name: str) -> str | None:
    out = run(["rev-parse", "--verify", "-q", name + "^{commit}"], root, ok=(0, 1)).decode().strip()
    return out or None


def symbolic_head(root: Path) -> str | None:
    out = run(["symbolic-ref", "-q", "HEAD"], root, ok=(0, 1)).decode().strip()
    return out or None


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    proc = subprocess.run(
        ["git", "merge-base", "--is-ancestor", ancestor, descendant],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def attribute(root: Path, name: str, path: str) -> str:
    out = run(["check-attr", "-z", name, "--", path], root).split(b"\0")
    return out[2].decode() if len(out) > 2 else "unspecified"


def filtered(root: Path, files: list[Path]) -> set[Path]:
    """Those of `files` (under root) whose `filter` attribute is `sealer`, in one git call."""
    if not files:
        return set()
    names = {f.resolve().relative_to(root).as_posix(): f for f in files}
    out = run(
        ["check-attr", "-z", "--stdin", "filter"],
        root,
        input=b"\0".join(n.encode() for n in names) + b"\0",
    )
    fields = out.split(b"\0")
    found = set()
    for i in range(0, len(fields) - 2, 3):
        if fields[i + 2] == b"sealer":
            found.add(names[fields[i].decode()])
    return found


def index_entry(root: Path, path: str) -> tuple[str, str] | None:
    """(mode, blob id) of `path` (relative to root) in the index, if staged at stage 0."""
    out = run(["ls-files", "-s", "-z", "--", path], root)
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, sha, stage = meta.decode().split()
        if stage == "0" and name.decode() == path:
            return mode, sha
    return None


def write_index(root: Path, path: str, data: bytes, mode: str) -> str:
    """Store `data` as a blob and stage it for `path`, leaving the working tree alone."""
    sha = run(["hash-object", "-w", "--stdin"], root, input=data).decode().strip()
    run(["update-index", "--cacheinfo", f"{mode},{sha},{path}"], root)
    return sha


def index_map(root: Path) -> dict[str, tuple[str, str]]:
    """Every stage-0 index entry: path (relative to root) -> (mode, blob id), in one git call."""
    out = run(["ls-files", "-s", "-z"], root)
    found: dict[str, tuple[str, str]] = {}
    for record in out.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.decode().split()
        if len(fields) == 3 and fields[2] == "0":
            found[name.decode("utf-8", "surrogateescape")] = (fields[0], fields[1])
    return found


def write_blobs(root: Path, contents: list[bytes]) -> list[str]:
    """Store many blobs with one `git hash-object` (through files in a private temp dir)."""
    import tempfile

    if not contents:
        return []
    with tempfile.TemporaryDirectory(prefix="sealer-blobs-") as tmp:
        names = []
        for i, data in enumerate(contents):
            name = f"{tmp}/{i}"
            with open(name, "wb") as f:
                f.write(data)
            names.append(name)
        out = run(["hash-object", "-w", "--no-filters", "--stdin-paths"], root,
                  input="".join(f"{n}\n" for n in names).encode())  # fmt: skip
    ids = out.decode().split()
    if len(ids) != len(contents):
        raise GitError(f"`git hash-object` stored {len(ids)} of {len(contents)} blobs")
    return ids


def stage(root: Path, entries: list[tuple[str, str, str]]) -> None:
    """Stage (mode, blob id, path) entries with one `git update-index --index-info`."""
    lines = b"".join(f"{mode} {blob}\t{path}".encode("utf-8", "surrogateescape") + b"\0"
                     for mode, blob, path in entries)  # fmt: skip
    run(["update-index", "-z", "--index-info"], root, input=lines)


def ls_files(root: Path, paths: list[str]) -> list[str]:
    out = run(["ls-files", "-z", "--full-name", "--", *paths], root)
    return [p.decode() for p in out.split(b"\0") if p]


class Blobs:
    """Blob contents by id (or `rev:path`), from one `git cat-file --batch` process."""

    def __init__(self, root: Path):
        self._proc = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def get(self, name: str) -> bytes | None:
        found = self.read(name)
        return found[1] if found else None

    def read(self, name: str) -> tuple[str, bytes] | None:
        """(object id, content) of a blob, or None if there is no such blob."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) != 3:
            return None
        data = self._proc.stdout.read(int(header[2]))
        self._proc.stdout.read(1)
        return (header[0].decode(), data) if header[1] == b"blob" else None

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait()


@dataclass
class Commit:
    id: str
    parents: list[str]
    # path -> (old blob id, new blob id), None where absent; against the first parent
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def walk(root: Path, trust_root: str, head: str) -> list[Commit]:
    """Commits descending from `trust_root` up to `head`, parents first, with their changes.

    Merges are compared with their first parent (what the merge brought in).
    """
    args = [
        "log", "-z", "--raw", "--no-renames", "--no-abbrev", "--topo-order", "--reverse",
        "--ancestry-path", "--diff-merges=first-parent", "--format=%x01%H %P",
        f"{trust_root}..{head}",
    ]  # fmt: skip
    out = run(args, root)
    commits: list[Commit] = []
    for chunk in out.split(b"\x01")[1:]:
        head_line, _, rest = chunk.partition(b"\0")
        ids = head_line.decode().split()
        commit = Commit(ids[0], ids[1:])
        fields = rest.split(b"\0")
        i = 0
        while i + 1 < len(fields):
            meta = fields[i].decode().strip()
            if not meta.startswith(":"):
                i += 1
                continue
            _old_mode, _new_mode, old, new, _status = meta[1:].split()
            path = fields[i + 1].decode("utf-8", "surrogateescape")
            commit.changes[path] = (None if old == ZERO else old, None if new == ZERO else new)
            i += 2
        commits.append(commit)
    return commits


def tree_blobs(root: Path, commit: str, paths: list[str]) -> dict[str, str]:
    """path -> blob id of those `paths` (files or directories) in `commit`."""
    out = run(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths], root)
    found: dict[str, str] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        _mode, kind, sha = meta.decode().split()
        if kind == "blob":
            found[name.decode("utf-8", "surrogateescape")] = sha
    return found
