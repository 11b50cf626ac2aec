"""A monorepo: N sealed files (8 values, 50 team folders) and 2N ordinary files.

Times, on one repository built from scratch, the steps a team runs on it:

- `git add -A` (clean seals the N files through the process filter), then the
  installed pre-commit hook's command on its own (`sealer git pre-commit`),
  then `git commit` with the hook;
- a clone with the filter configured at clone time (decrypts N files), and a
  clone without a filter (the floor);
- in that clone: `git status` (twice), `sealer check --staged .`, `sealer scan .`
  (and how many findings: every value is sealed in git, so the goal is 0);
- `sealer audit init`, then `sealer updatekeys` of every file for a second
  recipient, and its `git commit` (with the hook), then `sealer audit verify`;
- git-crypt on the same plaintext where it applies: `git add -A`, clone + unlock,
  `git status`.

Each figure is one run: wall time, and in brackets the CPU time of every
process the step started (what a busy machine inflates least). The N=10,000
repository takes minutes to build. Run:

    PATH=$PWD/.venv/bin:$PATH python bench/scale_bench.py --files 1000 --files 10000 \
        [--git-crypt-max 1000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEAMS = 50
VALUES = 8


def sh(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, ok: bool = True
) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True)
    if ok and proc.returncode != 0:
        raise SystemExit(f"{args} failed ({proc.returncode}):\n{proc.stderr.decode()[-3000:]}")
    return proc


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Steps(dict[str, tuple[float, float]]):
    """step -> (wall seconds, CPU seconds of every process it started)."""

    def time(
        self, name: str, *commands: tuple[list[str], Path], env: dict[str, str], ok: bool = True
    ) -> bytes:
        """Run the commands in turn as one step; the last one's stdout."""
        cpu, start = children_cpu(), time.perf_counter()
        out = b""
        for args, cwd in commands:
            out = sh(args, cwd, env, ok).stdout
        self[name] = (time.perf_counter() - start, children_cpu() - cpu)
        print(f"  {name}: {self[name][0]:.2f} s ({self[name][1]:.2f} CPU)", file=sys.stderr)
        return out


def sealed_text(i: int) -> str:
    """Eight values of the kinds a service's secrets file holds.

    Random values carry a letter prefix: 24 hex digits that happen to be all
    decimal (once in about 80,000) are a YAML integer too large to seal.
    """
    rnd = secrets.token_hex
    return (
        f"# service {i}\n"
        "database:\n"
        f"  host: db{i}.internal\n"
        f"  user: svc{i}\n"
        f"  password: pw_{rnd(12)}\n"
        "api:\n"
        f"  token: tok_{rnd(16)}\n"
        f"  url: https://api{i}.example\n"
        f"replicas: {i % 7 + 1}\n"
        "debug: false\n"
        f"signing_key: sk_{rnd(24)}\n"
    )


def ordinary_text(i: int) -> str:
    return f'"""Module {i}."""\n\n\ndef handler_{i}(event):\n    return event.get("id", {i})\n'


def write_tree(root: Path, files: int) -> None:
    for i in range(files):
        team = f"teams/team{i % TEAMS:02d}"
        secret = root / team / "secrets" / f"service{i:05d}.yaml"
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text(sealed_text(i))
        for j in (2 * i, 2 * i + 1):
            src = root / team / "src" / f"module{j:05d}.py"
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_text(ordinary_text(j))


def age_key(path: Path, env: dict[str, str]) -> str:
    sh(["age-keygen", "-o", str(path)], env=env)
    return next(
        line.split(": ")[1] for line in path.read_text().splitlines() if "public key" in line
    )


def rules(*recipients: str) -> str:
    return (
        f"creation_rules:\n  - path_regex: ^teams/[^/]+/secrets/\n    age: {','.join(recipients)}\n"
    )


def run(files: int, work: Path, env: dict[str, str], git_crypt: bool) -> Steps:
    t = Steps()
    key, other = work / "age.txt", work / "age-other.txt"
    recipient, second = age_key(key, env), age_key(other, env)
    env = {**env, "SEALER_AGE_KEY_FILE": str(key)}

    origin = work / "origin"
    sh(["git", "init", "-q", "-b", "main", str(origin)], env=env)
    (origin / ".sealer.yaml").write_text(rules(recipient))
    sh(["sealer", "git", "install"], origin, env)
    sh(["git", "add", "-A"], origin, env)
    sh(["git", "commit", "-q", "-m", "rules"], origin, env)
    write_tree(origin, files)
    t.time("git add -A (seals N files)", (["git", "add", "-A"], origin), env=env)
    t.time("hook: sealer git pre-commit", (["sealer", "git", "pre-commit"], origin), env=env)
    t.time("git commit (with the hook)", (["git", "commit", "-q", "-m", "import"], origin), env=env)
    sh(["git", "reset", "-q", "--soft", "HEAD~1"], origin, env)  # the same commit, no hook
    t.time("git commit --no-verify (same commit)", (["git", "commit", "-q", "--no-verify",
           "-m", "import"], origin), env=env)  # fmt: skip

    clone = work / "clone"
    process = ["-c", "filter.sealer.process=sealer git process"]
    required = ["-c", "filter.sealer.required=true"]
    t.time(
        "clone, no filter (floor)",
        (["git", "clone", "-q", str(origin), str(work / "plain")], work),
        env=env,
    )
    t.time(
        "clone with the filter (decrypts N files)",
        (["git", "clone", "-q", *process, *required, str(origin), str(clone)], work),
        env=env,
    )
    sh(["sealer", "git", "install", "--no-checkout"], clone, env)
    t.time("git status (first)", (["git", "status", "--porcelain"], clone), env=env)
    t.time("git status (second)", (["git", "status", "--porcelain"], clone), env=env)
    status = sh(["git", "status", "--porcelain"], clone, env).stdout
    assert status == b"", status[:500]
    t.time("sealer check --staged .", (["sealer", "check", "--staged", "."], clone), env=env)
    scan = t.time("sealer scan .", (["sealer", "scan", "--json", "."], clone), env=env, ok=False)
    t["sealer scan . findings"] = (len(json.loads(scan)["findings"]), 0.0)

    signing = work / "id_ed25519"
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(signing)], env=env)
    env = {**env, "SEALER_SIGNING_KEY": str(signing)}
    sh(["sealer", "audit", "init"], clone, env)
    sh(["git", "add", "-A"], clone, env)
    sh(["git", "commit", "-q", "-m", "audit init"], clone, env)
    (clone / ".sealer.yaml").write_text(rules(recipient, second))
    t.time("sealer updatekeys (every file)", (["sealer", "updatekeys"], clone), env=env)
    sh(["git", "add", ".sealer.yaml"], clone, env)
    t.time(
        "git commit of it (with the hook)",
        (["git", "commit", "-q", "-m", "add a recipient"], clone),
        env=env,
    )
    changed = sh(["git", "diff", "--name-only", "HEAD~1", "HEAD"], clone, env).stdout.split()
    assert len(changed) >= files, f"updatekeys changed {len(changed)} files"
    t.time("sealer audit verify", (["sealer", "audit", "verify"], clone), env=env)

    if git_crypt:
        t.update(_git_crypt(files, work, env))
    return t


def _git_crypt(files: int, work: Path, env: dict[str, str]) -> Steps:
    t = Steps()
    repo = work / "gc-origin"
    sh(["git", "init", "-q", "-b", "main", str(repo)], env=env)
    sh(["git-crypt", "init"], repo, env)
    (repo / ".gitattributes").write_text("teams/*/secrets/** filter=git-crypt diff=git-crypt\n")
    sh(["git", "add", "-A"], repo, env)
    sh(["git", "commit", "-q", "-m", "attributes"], repo, env)
    crypt_key = work / "git-crypt.key"
    sh(["git-crypt", "export-key", str(crypt_key)], repo, env)
    write_tree(repo, files)
    t.time("git-crypt: git add -A", (["git", "add", "-A"], repo), env=env)
    sh(["git", "commit", "-q", "-m", "import"], repo, env)
    clone = work / "gc-clone"
    t.time("git-crypt: clone + unlock", (["git", "clone", "-q", str(repo), str(clone)], work),
           (["git-crypt", "unlock", str(crypt_key)], clone), env=env)  # fmt: skip
    t.time("git-crypt: git status (first)", (["git", "status", "--porcelain"], clone), env=env)
    t.time("git-crypt: git status (second)", (["git", "status", "--porcelain"], clone), env=env)
    return t


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, action="append", help="N (repeatable)")
    parser.add_argument(
        "--git-crypt-max",
        type=int,
        default=10_000,
        help="run git-crypt only for N up to this (it starts a process per file); 0: never",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    args = parser.parse_args()
    sizes = args.files or [1000]
    bindir = str(Path(sys.executable).parent)
    path = bindir + os.pathsep + os.environ["PATH"]
    for tool in ("git", "age-keygen", "ssh-keygen", "sealer", "git-crypt"):
        if not shutil.which(tool, path=path):
            raise SystemExit(f"{tool} is not installed (make sysdeps; pip install -e '.[test]')")
    results: dict[int, Steps] = {}
    for files in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"sealer-scale-{files}-"))
        (work / "home").mkdir()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SEALER_", "SOPS_"))},
            "PATH": path,
            "HOME": str(work / "home"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "SEALER_PRIVATE_DIR": str(work / "home"),
            # no background `git gc --auto` after the big commit: it packs and prunes
            # loose objects while the clone is copying them
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "gc.auto",
            "GIT_CONFIG_VALUE_0": "0",
        }
        try:
            results[files] = run(files, work, env, files <= args.git_crypt_max)
        finally:
            if args.keep:
                print(f"kept {work}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)
        print(f"N={files}: {json.dumps(results[files])}", file=sys.stderr, flush=True)
    print(table(results))
    return 0


def table(results: dict[int, Steps]) -> str:
    """Wall time (CPU time of all processes in brackets) per step and N."""
    sizes = sorted(results)
    head = "| step | " + " | ".join(f"N={n:,}" for n in sizes) + " |"
    if len(sizes) > 1:
        head += f" growth {sizes[0]:,}→{sizes[-1]:,} |"
    lines = [head, "| --- |" + " --- |" * (len(sizes) + (len(sizes) > 1))]
    steps = list(dict.fromkeys(step for n in sizes for step in results[n]))
    for step in steps:
        cells = []
        for n in sizes:
            wall, cpu = results[n].get(step, (-1.0, 0.0))
            if wall < 0:
                cells.append("not run")
            else:
                cells.append(f"{wall:.0f}" if "findings" in step else f"{wall:.2f} s ({cpu:.2f})")
        if len(sizes) > 1:
            first = results[sizes[0]].get(step, (0.0, 0.0))[0]
            last = results[sizes[-1]].get(step, (-1.0, 0.0))[0]
            cells.append(f"{last / first:.1f}x" if first > 0 and last >= 0 else "")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines.append("")
    for n in sizes:
        r = results[n]
        hook, add = r["hook: sealer git pre-commit"], r["git add -A (seals N files)"]
        lines.append(
            f"N={n:,}: the hook takes {hook[0]:.2f} s = {100 * hook[0] / add[0]:.0f}% of "
            f"`git add -A` ({100 * hook[1] / add[1]:.0f}% in CPU time)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
