"""Cost of the audit trail: verifying 10,000 entries, and signing one, against ssh-keygen.

Run from the repository root: `python bench/audit_bench.py [--entries N] [--commits C]`.

1. The log alone: N entries signed with an Ed25519 key, checked by
   `sealer.audit.verify.check_log` (canonical bytes, chain, SSHSIG, signers), against
   the peer way of checking SSHSIG, one `ssh-keygen -Y verify` per entry (timed on
   a sample, scaled to N).
2. A real repository: N entries appended over C commits, each entry naming one of
   10 sealed files with its real recipients and data-key id; `sealer audit verify`
   runs as a user runs it (subprocess, start-up included, with an identity so the
   data-key ids are checked too), best of 3.
3. Signing one entry: pure-Python Ed25519 against `ssh-keygen -Y sign`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sealer import document, formats  # noqa: E402 - the repo root is added above
from sealer.audit import NAMESPACE, signers, sshsig  # noqa: E402
from sealer.audit.log import Actor, Writer, data_key_id, split_lines  # noqa: E402
from sealer.audit.verify import check_log  # noqa: E402
from sealer.datakey import Keyring  # noqa: E402
from sealer.rekey import fingerprints  # noqa: E402


def sh(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    data: bytes | None = None,
) -> bytes:
    return subprocess.run(
        args, cwd=cwd, env=env, input=data, capture_output=True, check=True
    ).stdout


def keys(d: Path) -> tuple[Path, str, Path]:
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", str(d / "id"))
    sh("age-keygen", "-o", str(d / "age.txt"))
    recipient = next(
        line.split(": ")[1]
        for line in (d / "age.txt").read_text().splitlines()
        if "public key" in line
    )
    return d / "id", recipient, d / "age.txt"


def fields(name: str, groups: tuple[tuple[str, ...], ...], dk: str) -> dict[str, object]:
    return {
        "action": "recipients.update",
        "file": name,
        "recipients": {"added": [], "removed": [], "after": [list(g) for g in groups]},
        "rotated": False,
        "data_key_id": dk,
    }


def bench_log(d: Path, key: Path, n: int) -> float:
    who = Actor("Bench", "bench@example.invalid", sshsig.load_signer(str(key)))
    log = d / "log.jsonl"
    w = Writer(log, who, None)
    groups = (("age1bench",),)
    w.append(fields(f"f{i % 10}.yaml", groups, data_key_id(bytes(32))) for i in range(n))
    data = log.read_bytes()
    allowed = signers.parse(signers.line_for(who.email, who.signer.public_key, NAMESPACE))
    t, cpu = time.perf_counter(), time.process_time()
    problems = check_log(data, allowed)
    ours, ours_cpu = time.perf_counter() - t, time.process_time() - cpu
    assert problems == [], problems[:3]
    (d / "allowed").write_text(signers.line_for(who.email, who.signer.public_key, NAMESPACE))
    sample = 200
    t = time.perf_counter()
    for line in split_lines(data)[:sample]:
        from sealer.audit.log import parse_line

        e = parse_line(line, 0, check_seq=False)
        (d / "e.sig").write_text(sshsig.armor(e.signature))
        sh("ssh-keygen", "-Y", "verify", "-f", str(d / "allowed"), "-I", who.email, "-n", NAMESPACE,
           "-s", str(d / "e.sig"), data=e.payload())  # fmt: skip
    peer = (time.perf_counter() - t) / sample * n
    size = len(data)
    print(f"log alone, {n} entries ({size / n:.0f} bytes each): sealer {ours:.2f} s wall, "
          f"{ours_cpu:.2f} s CPU ({ours / n * 1000:.3f} ms/entry); "
          f"ssh-keygen -Y verify per entry {peer:.1f} s "
          f"(from {sample}); ratio {peer / ours:.0f}x")  # fmt: skip
    return ours


def bench_repo(d: Path, key: Path, recipient: str, age_file: Path, n: int, commits: int) -> float:
    repo = d / "repo"
    repo.mkdir()
    who_env = {f"GIT_{r}_{f}": v for r in ("AUTHOR", "COMMITTER")
               for f, v in (("NAME", "Bench"), ("EMAIL", "bench@example.invalid"))}  # fmt: skip
    env = {**os.environ, "SEALER_SIGNING_KEY": str(key), "SEALER_AGE_KEY_FILE": str(age_file),
           **who_env}  # fmt: skip
    os.environ.update(env)
    sealer = [sys.executable, "-m", "sealer"]
    sh("git", "init", "-q", cwd=repo, env=env)
    sh(*sealer, "audit", "init", cwd=repo, env=env)
    files = []
    for i in range(10):
        name = f"s{i}.yaml"
        (repo / name).write_text(f"password: secret{i}\n")
        sh(*sealer, "encrypt", "--age", recipient, "-i", name, cwd=repo, env=env)
        text = (repo / name).read_text()
        opened = document.open_text(formats.get("yaml"), text, Keyring())
        files.append((name, fingerprints(opened.meta), data_key_id(opened.key)))
    sh("git", "add", "-A", cwd=repo, env=env)
    sh("git", "commit", "-qm", "root", cwd=repo, env=env)
    sh(*sealer, "audit", "init", cwd=repo, env=env)
    who = Actor("Bench", "bench@example.invalid", sshsig.load_signer(str(key)))
    per = n // commits
    for c in range(commits):
        w = Writer(repo / ".sealer" / "audit.jsonl", who, None)
        w.append(fields(*files[(c * per + i) % 10]) for i in range(per))
        sh("git", "add", "-A", cwd=repo, env=env)
        sh("git", "commit", "-qm", f"c{c}", cwd=repo, env=env)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(3):
        t, cpu = time.perf_counter(), _children_cpu()
        out = subprocess.run([*sealer, "audit", "verify", "--no-pin"], cwd=repo, env=env,
                             capture_output=True, text=True, check=False)  # fmt: skip
        best, best_cpu = min(best, time.perf_counter() - t), min(best_cpu, _children_cpu() - cpu)
        assert out.returncode == 0, out.stderr
    print(f"repository, {per * commits} entries over {commits} commits: `sealer audit verify` "
          f"{best:.2f} s wall, {best_cpu:.2f} s CPU incl. git (best of 3); "
          f"{out.stderr.strip().splitlines()[-1]}")  # fmt: skip
    return best


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_sign(d: Path, key: Path) -> None:
    signer = sshsig.load_signer(str(key))
    message = b'{"action":"recipients.update"}'
    rounds = 200
    t = time.perf_counter()
    for _ in range(rounds):
        signer.sign(message, NAMESPACE)
    native = (time.perf_counter() - t) / rounds
    keygen = sshsig.KeygenSigner(key, signer.public_key)
    t = time.perf_counter()
    for _ in range(20):
        keygen.sign(message, NAMESPACE)
    sub = (time.perf_counter() - t) / 20
    print(f"sign one entry: Ed25519 in Python {native * 1000:.3f} ms; ssh-keygen -Y sign "
          f"{sub * 1000:.1f} ms; ratio {sub / native:.0f}x")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sealer-audit-bench-") as tmp:
        d = Path(tmp)
        os.environ["HOME"] = str(d)
        os.environ["XDG_CONFIG_HOME"] = str(d / ".config")
        key, recipient, age_file = keys(d)
        log_time = bench_log(d, key, args.entries)
        repo_time = bench_repo(d, key, recipient, age_file, args.entries, args.commits)
        bench_sign(d, key)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
        budget = 10.0
        print(f"budget {budget:.0f} s for {args.entries} entries: log alone "
              f"{'within' if log_time < budget else 'OVER'}, repository "
              f"{'within' if repo_time < budget else 'OVER'}")  # fmt: skip


if __name__ == "__main__":
    main()
