"""Reading git history: `git` subprocesses (sealer.git) against pygit2 (libgit2, in process).

Run from the repository root: `python bench/git_bench.py [--commits C] [--lines L]`.

Builds two repositories in a temporary directory (`--packed`: then `git gc`, as in a clone):

- `log`: C commits, each appending L lines of about 600 bytes to one file, the shape of
  an audit log that `sealer audit verify` reads once per version (defaults: 100 x 100,
  a 10,000-line log at the end);
- `files`: 1,000 small files, then 9 commits that each change 100 of them, the blobs
  that `sealer scan --all-history` reads.

Each operation runs in its own Python process (`python bench/git_bench.py --op NAME
--repo DIR`), both ways, and is timed from outside (wall, best of 3; the process's
start-up included, so the `noop` row is the floor). With `--callgrind`, each runs once
under `valgrind --tool=callgrind --trace-children=yes` and the instructions of every
process (Python and each git it starts) are added up.

Operations:
- walk: the commits after the first, parents first, with each one's changed paths
  against its first parent (`git.walk`: one `git log --raw`; pygit2: Walker + tree diff);
- log-versions: the content of every version of the log (`git.Blobs`, one
  `git cat-file --batch`, a round trip per blob; pygit2: `repo[oid].data`);
- many-blobs: every blob version in `files` (round trips; `git.batch_read`, all names in
  at once; pygit2);
- import: `import pygit2` alone, against `noop`.

`python bench/git_bench.py --count CMD…` prints callgrind's count for any command,
summed over its processes and split by program (e.g. `sealer audit verify` in a
repository that `bench/audit_bench.py` builds).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    **{f"GIT_{r}_{f}": v for r in ("AUTHOR", "COMMITTER")
       for f, v in (("NAME", "Bench"), ("EMAIL", "bench@example.invalid"))},
}  # fmt: skip


def sh(*args: str, cwd: Path, data: bytes | None = None) -> bytes:
    return subprocess.run(
        args, cwd=cwd, env=ENV, input=data, capture_output=True, check=True
    ).stdout


def make_log_repo(path: Path, commits: int, lines: int) -> None:
    rng = random.Random(1)
    sh("git", "init", "-q", "-b", "main", str(path), cwd=path.parent)
    log = path / "audit.jsonl"
    with log.open("w") as f:
        f.write("{}\n")
    sh("git", "add", "-A", cwd=path)
    sh("git", "commit", "-qm", "root", cwd=path)
    for c in range(commits):
        with log.open("a") as f:
            for _ in range(lines):
                f.write(f'{{"entry":"{rng.randbytes(290).hex()}"}}\n')
        (path / "other.txt").write_text(f"{c}\n")
        sh("git", "add", "-A", cwd=path)
        sh("git", "commit", "-qm", f"c{c}", cwd=path)


def make_files_repo(path: Path) -> None:
    rng = random.Random(2)
    sh("git", "init", "-q", "-b", "main", str(path), cwd=path.parent)
    for i in range(1000):
        (path / f"f{i:04}.env").write_text(f"KEY_{i}={rng.randbytes(100).hex()}\n")
    sh("git", "add", "-A", cwd=path)
    sh("git", "commit", "-qm", "root", cwd=path)
    for c in range(9):
        for i in rng.sample(range(1000), 100):
            (path / f"f{i:04}.env").write_text(f"KEY_{i}={rng.randbytes(100).hex()}\n")
        sh("git", "add", "-A", cwd=path)
        sh("git", "commit", "-qm", f"c{c}", cwd=path)


# --- the operations, each run in a fresh process ------------------------------------


def _first(repo: Path) -> str:
    return sh("git", "rev-list", "--max-parents=0", "HEAD", cwd=repo).decode().split()[0]


def walk_git(repo: Path) -> int:
    from sealer import git

    return sum(len(c.changes) for c in git.walk(repo, _first(repo), "HEAD"))


def walk_pygit2(repo: Path) -> int:
    import pygit2

    r = pygit2.Repository(str(repo))
    order = pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.REVERSE
    walker = r.walk(r.head.target, order)
    walker.hide(_first(repo))
    n = 0
    for commit in walker:
        diff = r.diff(commit.parents[0], commit) if commit.parents else commit.tree.diff_to_tree()
        n += sum(1 for _ in diff.deltas)
    return n


def _log_blobs(repo: Path) -> list[str]:
    out = sh("git", "log", "--format=", "--raw", "--no-abbrev", "--", "audit.jsonl", cwd=repo)
    return [line.split()[3] for line in out.decode().splitlines() if line.startswith(":")]


def versions_git(repo: Path) -> int:
    from sealer import git

    with git.Blobs(repo) as blobs:
        return sum(len(blobs.blob(oid) or b"") for oid in _log_blobs(repo))


def versions_pygit2(repo: Path) -> int:
    import pygit2

    r = pygit2.Repository(str(repo))
    return sum(len(r[oid].data) for oid in _log_blobs(repo))


def _all_blobs(repo: Path) -> list[str]:
    out = sh("git", "log", "--format=", "--raw", "--root", "--no-abbrev", cwd=repo)
    return [line.split()[3] for line in out.decode().splitlines() if line.startswith(":")]


def blobs_git(repo: Path) -> int:
    from sealer import git

    with git.Blobs(repo) as blobs:
        return sum(len(blobs.blob(oid) or b"") for oid in _all_blobs(repo))


def blobs_batch(repo: Path) -> int:
    from sealer import git

    return sum(len(v) for v in git.batch_read(_all_blobs(repo), repo).values())


def blobs_pygit2(repo: Path) -> int:
    import pygit2

    r = pygit2.Repository(str(repo))
    return sum(len(r[oid].data) for oid in _all_blobs(repo))


def import_pygit2(repo: Path) -> int:
    import pygit2

    return len(pygit2.__version__)


def noop(repo: Path) -> int:
    return 0


OPS = {
    "noop": ("files", noop),
    "import pygit2": ("files", import_pygit2),
    "walk: git log": ("log", walk_git),
    "walk: pygit2": ("log", walk_pygit2),
    "log-versions: cat-file --batch": ("log", versions_git),
    "log-versions: pygit2": ("log", versions_pygit2),
    "many-blobs: cat-file --batch, a round trip each": ("files", blobs_git),
    "many-blobs: batch_read, all at once": ("files", blobs_batch),
    "many-blobs: pygit2": ("files", blobs_pygit2),
}


# --- driving -------------------------------------------------------------------------


def measure(name: str, repo: Path, callgrind: bool) -> tuple[float, int | None, str]:
    cmd = [sys.executable, __file__, "--op", name, "--repo", str(repo)]
    best = float("inf")
    out = ""
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=ENV).stdout
        best = min(best, time.perf_counter() - t)
    instructions = None
    if callgrind:
        instructions = count_instructions(cmd)
    return best, instructions, out.strip()


def count_instructions(cmd: list[str], by_program: dict[str, int] | None = None) -> int:
    """callgrind's count over `cmd` and every process it starts. Each process logs to
    its own file: a child's stderr is often a pipe its parent reads or discards."""
    with tempfile.TemporaryDirectory(prefix="sealer-git-bench-vg-") as logs:
        vg = ["valgrind", "--tool=callgrind", "--trace-children=yes",
              "--callgrind-out-file=/dev/null", f"--log-file={logs}/%p"]  # fmt: skip
        subprocess.run([*vg, *cmd], capture_output=True, check=True, env=ENV)
        total = 0
        for log in Path(logs).iterdir():
            text = log.read_text()
            program = re.search(r"Command: (\S+)", text)
            found = re.search(r"Collected : ([\d,]+)", text)
            n = int(found.group(1).replace(",", "")) if found else 0
            total += n
            if by_program is not None and program:
                name = Path(program.group(1)).name
                by_program[name] = by_program.get(name, 0) + n
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--packed", action="store_true", help="`git gc` both first, as a clone is")
    ap.add_argument("--op")
    ap.add_argument("--repo", type=Path)
    ap.add_argument("--count", nargs=argparse.REMAINDER, help="callgrind-count a command")
    args = ap.parse_args()
    if args.count:
        by_program: dict[str, int] = {}
        total = count_instructions(args.count, by_program)
        shares = ", ".join(f"{k} {v / 1e6:,.0f}M" for k, v in sorted(by_program.items()))
        print(f"{total / 1e6:,.0f}M instructions, all processes ({shares})")
        return
    if args.op:
        print(OPS[args.op][1](args.repo))
        return
    with tempfile.TemporaryDirectory(prefix="sealer-git-bench-") as tmp:
        repos = {"log": Path(tmp) / "log", "files": Path(tmp) / "files"}
        for p in repos.values():
            p.mkdir()
        make_log_repo(repos["log"], args.commits, args.lines)
        make_files_repo(repos["files"])
        if args.packed:
            for p in repos.values():
                sh("git", "gc", "-q", cwd=p)
        size = (repos["log"] / "audit.jsonl").stat().st_size
        print(f"log: {args.commits} commits, {args.commits * args.lines} lines, "
              f"{size / 1e6:.1f} MB at the end; files: 1,000 files + 9 x 100 changes; "
              f"{'packed' if args.packed else 'loose objects'}")  # fmt: skip
        print("| operation | wall, best of 3 | instructions, all processes | answer |")
        print("| --- | --- | --- | --- |")
        for name, (which, _) in OPS.items():
            wall, ins, answer = measure(name, repos[which], args.callgrind)
            shown = f"{ins / 1e6:,.0f}M" if ins is not None else "-"
            print(f"| {name} | {wall * 1000:.0f} ms | {shown} | {answer} |", flush=True)
        version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
        print(f"load average {os.getloadavg()[0]:.1f} at the end; {version.strip()}")


if __name__ == "__main__":
    main()
