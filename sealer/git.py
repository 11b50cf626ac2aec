"""git, the one outside system every part of sealer asks about the repository.

Every call to git goes through this module: the filter's previous versions,
the hook's index reads, the scanner's history, the audit trail's history walk,
`git install`'s config. One way to run it (`run`, or `query` where a failure is
an answer), one error (`GitError`, naming the command, its exit code and what
git said), one blob reader (`Blobs`, a `git cat-file --batch` co-process).

- git runs from an argument list, never a shell, with the caller's environment:
  inside a hook git sets `GIT_DIR` and `GIT_INDEX_FILE` (a temporary index for
  `git commit -a`), inside a filter the repository's own settings apply, and
  sealer must read exactly what that git sees.
- `PINNED` settings keep a user's config from changing output that is parsed
  here (`log.showSignature` puts signature checks into every `git log`).
- Repository facts a git filter needs per file (`common_git_dir`) are read from
  the file system, without starting git.
"""

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from sealer.errors import Exit, SealerError
from sealer.records import Record

ZERO = "0" * 40
# a user setting that would change output parsed here (and verify a signature per commit)
PINNED = ("-c", "log.showSignature=false")


class GitError(SealerError):
    """git could not answer: not a repository, an unknown revision, a failed command."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = Exit.ERROR):
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


def _complete(
    args: Sequence[str],
    cwd: Path | str | None,
    input: bytes | None,
    env: Mapping[str, str] | None,
    timeout: float | None,
    stderr: int | None = subprocess.PIPE,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *PINNED, *args], cwd=cwd, input=input, stdout=subprocess.PIPE, stderr=stderr,
            check=False, env={**os.environ, **env} if env else None, timeout=timeout,
        )  # fmt: skip
    except FileNotFoundError as e:
        missing = "git is not installed" if e.filename == "git" else f"no directory {cwd}"
        raise GitError(f"cannot run `git {args[0]}`: {missing}") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {' '.join(args)}` did not answer within {timeout} s") from None


def run(
    args: Sequence[str],
    cwd: Path | str | None = None,
    *,
    input: bytes | None = None,
    ok: tuple[int, ...] = (0,),
    env: Mapping[str, str] | None = None,
    show_stderr: bool = False,
) -> bytes:
    """git's stdout; an exit code not in `ok` raises GitError with what git said.

    `env` adds to (never replaces) the caller's environment. `show_stderr`: git's
    messages (and those of the filters it runs) go to the user as they come.
    """
    proc = _complete(args, cwd, input, env, None, None if show_stderr else subprocess.PIPE)
    if proc.returncode not in ok:
        said = proc.stderr.decode("utf-8", "replace").strip() if proc.stderr else "(see above)"
        raise GitError(f"`git {' '.join(args)}` exited {proc.returncode}: {said}")
    return proc.stdout


def query(
    args: Sequence[str],
    cwd: Path | str | None = None,
    *,
    input: bytes | None = None,
    timeout: float | None = None,
) -> bytes | None:
    """git's stdout, or None when git says no (no such revision, no such setting, not a repo)."""
    proc = _complete(args, cwd, input, None, timeout)
    return proc.stdout if proc.returncode == 0 else None


def toplevel(cwd: Path | str | None = None) -> Path | None:
    """The top of the work tree around `cwd`, or None outside one."""
    out = query(["rev-parse", "--show-toplevel"], cwd)
    top = out.decode("utf-8", "surrogateescape").strip() if out else ""
    return Path(top).resolve() if top else None


def common_git_dir(start: str) -> str | None:
    """The git directory shared by the worktrees of the repository around `start`.

    Found without running git (a git filter asks for every file): $GIT_DIR, else
    the first `.git` directory or `gitdir:` file above `start`; a worktree's
    git directory points at the shared one with its `commondir` file.
    """
    git_dir = os.environ.get("GIT_DIR")
    if not git_dir:
        d = os.path.realpath(start)
        while True:
            candidate = os.path.join(d, ".git")
            if os.path.isdir(candidate):
                git_dir = candidate
                break
            if os.path.isfile(candidate):
                git_dir = _gitdir_file(candidate)
                break
            parent = os.path.dirname(d)
            if parent == d:
                return None
            d = parent
    if git_dir is None:
        return None
    common = os.environ.get("GIT_COMMON_DIR")
    if common:
        return common
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as f:
            return os.path.join(git_dir, f.read().strip())
    except OSError:
        return git_dir


def _gitdir_file(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            line = f.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    return os.path.join(os.path.dirname(path), line[len("gitdir:") :].strip())


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
    return query(["merge-base", "--is-ancestor", ancestor, descendant], root) is not None


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


class Commit(Record):
    id: str
    parents: list[str]
    # path -> (old blob id, new blob id), None where absent; against the first parent
    changes: dict[str, tuple[str | None, str | None]]


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
        commit = Commit(ids[0], ids[1:], {})
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


class Blobs:
    """Objects by name (`HEAD:a.yaml`, `:0:a.yaml`, an id) from one `git cat-file --batch`.

    The co-process starts on first use. Measured here (2 cores): starting it and
    reading the first blob takes 15-20 ms and each further blob about 0.07 ms.
    pygit2 (libgit2 in process) was measured against it and lost every
    per-command comparison: its import alone costs more than a whole `git log`
    walk, and it reads large delta-compressed blobs (every version of an audit
    log) with ~11 times the instructions (bench/README.md, "Reading git
    history").
    """

    def __init__(self, cwd: Path | str | None = None):
        self.cwd = None if cwd is None else str(cwd)
        self._proc: subprocess.Popen[bytes] | None = None

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", *PINNED, "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=self.cwd,
            )
        return self._proc

    def __enter__(self) -> "Blobs":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def blob(self, name: str) -> bytes | None:
        """The content of the blob `name` names, or None."""
        found = self.object(name)
        return found[1] if found else None

    def object(self, name: str) -> tuple[str, bytes] | None:
        """(object id, content) of the blob `name` names, or None."""
        if "\n" in name:  # --batch reads one name per line
            return self._one(name)
        proc = self._batch()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
        except BrokenPipeError:
            return self._one(name)
        found = _found(header)
        if found is None:
            return None
        data = _read(proc.stdout, found[2] + 1)[:-1]
        return (found[0], data) if found[1] == b"blob" else None

    def sized(self, name: str, max_size: int = 0) -> tuple[bytes | None, int]:
        """(content, size) of a blob; (None, 0) when `name` names no blob, content None
        for a blob over max_size."""
        proc = self._batch()
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        stdin.flush()
        found = _found(stdout.readline().split())
        if found is None:
            return None, 0
        size = found[2]
        if found[1] != b"blob":
            _discard(stdout, size + 1)
            return None, 0
        if max_size and size > max_size:
            _discard(stdout, size + 1)
            return None, size
        data = _read(stdout, size + 1)[:-1]
        return data, size

    def _one(self, name: str) -> tuple[str, bytes] | None:
        oid = query(["rev-parse", "--verify", "-q", name], self.cwd)
        data = query(["cat-file", "blob", name], self.cwd)
        return (oid.decode().strip(), data) if oid is not None and data is not None else None

    def fds(self) -> list[int]:
        """The co-process's pipe descriptors (a forked worker closes its copies)."""
        if self._proc is None:
            return []
        pipes = (self._proc.stdin, self._proc.stdout)
        return [p.fileno() for p in pipes if p is not None]

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait()
            self._proc = None


def _found(header: Sequence[bytes]) -> tuple[str, bytes, int] | None:
    """(object id, type, size) from the fields of a `cat-file --batch` reply line,
    or None for "<name> missing" (or "ambiguous"), which may hold three fields
    too when the name holds a space: only a found object's reply ends in digits."""
    if len(header) != 3 or not header[2].isdigit():
        return None
    return header[0].decode(), header[1], int(header[2])


def _read(stream: IO[bytes], n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _discard(stream: IO[bytes], n: int) -> None:
    while n > 0:
        n -= len(stream.read(min(n, 1 << 20)) or b"x" * n)


def batch_read(names: Sequence[str], cwd: Path | str | None = None) -> dict[str, bytes]:
    """The contents of many blobs at once: all names in, all contents out, one process.

    A reply per name costs a round trip to git (a few ms on a busy machine);
    here git streams every answer while its input is still being written.
    Missing objects, and objects that are not blobs, are left out.
    """
    unique = list(dict.fromkeys(names))
    if not unique:
        return {}
    out = query(["cat-file", "--batch"], cwd, input="".join(f"{n}\n" for n in unique).encode())
    out = out or b""
    pos, found = 0, {}
    for name in unique:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = _found(out[pos:end].split())
        pos = end + 1
        if header is None:
            continue  # "<name> missing"
        size = header[2]
        if header[1] == b"blob":
            found[name] = out[pos : pos + size]
        pos += size + 1
    return found
