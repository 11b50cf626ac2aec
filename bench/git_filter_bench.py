"""Fresh clone + decrypting checkout of 1,000 sealed files: sealer vs git-crypt vs a sops filter.

Builds two origin repositories in a temp directory: one with 1,000 YAML files
of 10 values each sealed by sealer (SOPS files, so `sops -d` opens them too),
one with the same plaintext under git-crypt. Then times, in the same run:

- sealer's process filter configured at clone time (`git clone -c
  filter.sealer.process=...`), and a plain clone followed by `sealer git install`;
- git-crypt: per-file smudge configured at clone time, and clone + `git-crypt unlock`;
- a per-file sops filter (`sops -d` as the smudge command) at clone time;
- a clone with no filter at all (the floor);
- `git status` (first and second) and `git add -A` with nothing changed, in
  sealer's clone.

Each figure is the median of --runs runs (wall time of the whole command). Run:
    PATH=/tmp/venv/bin:$PATH python bench/git_filter_bench.py [--files 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SEALER_CLONE = "sealer: process filter at clone time"
SEALER_INSTALL = "sealer: clone, then `sealer git install`"
GC_CLONE = "git-crypt: per-file smudge at clone time"
GC_UNLOCK = "git-crypt: clone, then `git-crypt unlock`"
SOPS_CLONE = "sops: per-file smudge (`sops -d`) at clone time"


def sh(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"{args} failed ({proc.returncode}):\n{proc.stderr.decode()}")


def plaintext(i: int) -> str:
    lines = [f"# service {i}", "database:"]
    lines += [f"  host: db{i}.internal", f"  user: svc{i}", f"  password: pw-{i:04d}-x9"]
    lines += ["api:", f"  token: tok-{i:04d}-{'ab' * 8}", f"  url: https://api{i}.example"]
    lines += [
        f"replicas: {i % 7 + 1}",
        "debug: false",
        f"region: eu-{i % 3}",
        f"owner: team{i % 9}",
    ]
    return "\n".join(lines) + "\n"


def build(work: Path, files: int, env: dict[str, str]) -> tuple[Path, Path, Path]:
    from sealer import document, formats, recipients

    key_file = work / "age.txt"
    sh(["age-keygen", "-o", str(key_file)])
    recipient = next(
        line.split(": ")[1] for line in key_file.read_text().splitlines() if "public key" in line
    )
    policy = document.Policy(groups=((recipients.key_type("age").parse_recipients(recipient)[0],),))
    fmt = formats.get("yaml")
    sealed_repo, crypt_repo = work / "origin-sealer", work / "origin-git-crypt"
    for repo in (sealed_repo, crypt_repo):
        sh(["git", "init", "-q", "-b", "main", str(repo)], env=env)
    (sealed_repo / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: ^secrets/\n    age: {recipient}\n"
    )
    (sealed_repo / ".gitattributes").write_text(
        "/secrets/** filter=sealer diff=sealer merge=sealer\n"
    )
    (crypt_repo / ".gitattributes").write_text("secrets/** filter=git-crypt diff=git-crypt\n")
    sh(["git-crypt", "init"], cwd=crypt_repo, env=env)
    crypt_key = work / "git-crypt.key"
    sh(["git-crypt", "export-key", str(crypt_key)], cwd=crypt_repo, env=env)
    for i in range(files):
        rel = f"secrets/d{i % 10}/service{i:04d}.yaml"
        for repo in (sealed_repo, crypt_repo):
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        text = plaintext(i)
        (sealed_repo / rel).write_text(document.seal_text(fmt, text, policy=policy))
        (crypt_repo / rel).write_text(text)
    for repo in (sealed_repo, crypt_repo):
        (repo / "README.md").write_text("benchmark repository\n")
        sh(["git", "add", "-A"], cwd=repo, env=env)
        sh(["git", "commit", "-q", "-m", "1000 sealed files"], cwd=repo, env=env)
    blob = subprocess.run(
        ["git", "cat-file", "blob", "HEAD:secrets/d0/service0000.yaml"],
        cwd=crypt_repo, capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert blob.startswith(b"\0GITCRYPT\0"), "git-crypt did not encrypt"
    return sealed_repo, crypt_repo, crypt_key


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    runs: int, prepare: Callable[[], None], action: Callable[[], None]
) -> list[tuple[float, float]]:
    """(wall, CPU of every process started) per run; the CPU time is what other load
    on the machine inflates least."""
    times = []
    for _ in range(runs + 1):  # the first run warms caches and is not counted
        prepare()
        cpu, start = children_cpu(), time.perf_counter()
        action()
        times.append((time.perf_counter() - start, children_cpu() - cpu))
    return times[1:]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sops-runs", type=int, default=1, help="runs of the slow sops filter")
    args = parser.parse_args()
    bindir = str(Path(sys.executable).parent)
    for tool in ("git", "git-crypt", "age-keygen", "sops", "sealer"):
        if not shutil.which(tool, path=bindir + os.pathsep + os.environ["PATH"]):
            raise SystemExit(f"{tool} is not installed (make sysdeps; pip install -e '.[test]')")
    work = Path(tempfile.mkdtemp(prefix="sealer-git-bench-"))
    env = {
        **os.environ,
        "PATH": bindir + os.pathsep + os.environ["PATH"],
        "HOME": str(work / "home"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "SOPS_DISABLE_VERSION_CHECK": "1",
    }
    (work / "home").mkdir()
    os.environ.update(env)
    try:
        return run(work, env, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, env: dict[str, str], args: argparse.Namespace) -> int:
    sealed_repo, crypt_repo, crypt_key = build(work, args.files, env)
    env["SEALER_AGE_KEY_FILE"] = env["SOPS_AGE_KEY_FILE"] = str(work / "age.txt")
    dest = work / "clone"

    def fresh() -> None:
        shutil.rmtree(dest, ignore_errors=True)

    def clone(origin: Path, *config: str) -> Callable[[], None]:
        extra = [a for c in config for a in ("-c", c)]
        return lambda: sh(["git", "clone", "-q", *extra, str(origin), str(dest)], env=env)

    def then(first: Callable[[], None], cmd: list[str]) -> Callable[[], None]:
        def both() -> None:
            first()
            sh(cmd, cwd=dest, env=env)

        return both

    sops_smudge = "sops -d --input-type yaml --output-type yaml /dev/stdin"
    sealer_process = ("filter.sealer.process=sealer git process", "filter.sealer.required=true")
    crypt_smudge = f"filter.git-crypt.smudge=git-crypt smudge --key-file={crypt_key}"
    sops_filter = (f"filter.sealer.smudge={sops_smudge}", "filter.sealer.required=true")
    cases: dict[str, tuple[int, Callable[[], None]]] = {
        "plain clone, no filter (floor)": (args.runs, clone(sealed_repo)),
        SEALER_CLONE: (
            args.runs,
            clone(sealed_repo, *sealer_process),
        ),
        SEALER_INSTALL: (
            args.runs, then(clone(sealed_repo), ["sealer", "git", "install", "--no-hook"]),
        ),
        GC_CLONE: (
            args.runs,
            clone(crypt_repo, crypt_smudge, "filter.git-crypt.required=true"),
        ),
        GC_UNLOCK: (
            args.runs, then(clone(crypt_repo), ["git-crypt", "unlock", str(crypt_key)]),
        ),
        SOPS_CLONE: (
            args.sops_runs,
            clone(sealed_repo, *sops_filter),
        ),
    }  # fmt: skip
    results: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for name, (runs, action) in cases.items():
        if runs == 0:
            continue
        measured = timed(runs, fresh, action)
        times = [wall for wall, _ in measured]
        results[name] = statistics.median(times)
        cpu[name] = statistics.median(c for _, c in measured)
        spread = f"[{min(times):.2f}-{max(times):.2f}]" if len(times) > 1 else ""
        line = f"{name:52s} {results[name]:8.2f} s {spread:13s} CPU {cpu[name]:6.2f} s"
        print(line, flush=True)
    if SOPS_CLONE in results:
        check = (dest / "secrets/d0/service0000.yaml").read_text()
        assert "password: pw-0000-x9" in check, "the sops clone did not decrypt"  # re-indented

    # nothing changed: status and add in sealer's clone (filter configured, fresh clone)
    fresh()
    clone(sealed_repo, *sealer_process)()
    assert (dest / "secrets/d0/service0000.yaml").read_text() == plaintext(0)
    for name, cmd in [
        ("sealer clone: first `git status`", ["git", "status", "--porcelain"]),
        ("sealer clone: second `git status`", ["git", "status", "--porcelain"]),
        ("sealer clone: `git add -A`, nothing changed", ["git", "add", "-A"]),
    ]:
        start = time.perf_counter()
        out = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, check=True)
        results[name] = time.perf_counter() - start
        assert out.stdout == b"", out.stdout
        print(f"{name:52s} {results[name]:8.2f} s", flush=True)
    touched = subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=dest, env=env)
    assert touched.returncode == 0, "git add -A staged a change"

    print()
    for label, other, mine in [
        ("git-crypt clone-time smudge / sealer clone-time", GC_CLONE, SEALER_CLONE),
        ("git-crypt unlock / sealer install", GC_UNLOCK, SEALER_INSTALL),
        ("sops per-file smudge / sealer clone-time", SOPS_CLONE, SEALER_CLONE),
    ]:
        if other in results:
            wall, used = results[other] / results[mine], cpu[other] / cpu[mine]
            print(f"{label:52s} {wall:8.1f}x wall, {used:5.1f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
