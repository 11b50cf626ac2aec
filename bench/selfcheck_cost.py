"""Instructions of `sealer encrypt --age` with the write-time self-check on and off,
and of `sealer decrypt` on the result, for the files of crypt_bench.py.

Counted with callgrind (`valgrind --tool=callgrind`), which counts the same on a
busy or a quiet machine. Each command runs in a fresh interpreter, through
`sealer.main.main` as the installed `sealer` launcher does; "off" replaces
`sealer.selfcheck.verify` with a function that returns the sealed text as it
is (a seam for this measurement only: sealer itself has no switch). A run
without callgrind writes the `.pyc` files first, so no figure includes
compiling. The sealer measured is the one `python` imports (the venv's, or a
`git archive` of another commit put first on PYTHONPATH).

    python bench/selfcheck_cost.py [--sizes 10,10000] [--shapes secrets,config,commented]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from crypt_bench import age_key_env, commented_file, config_file, secrets_file

RUN = """import sys
if sys.argv[1] == "off":
    import sealer.selfcheck
    sealer.selfcheck.verify = lambda fmt, plain, sealed, key: sealed
from sealer.main import main
sys.exit(main(sys.argv[2:]))
"""


def instructions(args: list[str], env: dict[str, str]) -> int:
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args],
        env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", out.stderr)
    assert found is not None, out.stderr
    return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,10000")
    ap.add_argument("--shapes", default="secrets,config,commented")
    args = ap.parse_args()
    makers = {"secrets": secrets_file, "config": config_file, "commented": commented_file}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        recipient, env = age_key_env(d)
        env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        run = d / "run.py"
        run.write_text(RUN)
        print(f"{'file':>9} {'values':>6} | {'check off':>10} {'check on':>10} {'cost':>6} | "
              f"{'decrypt':>10}")  # fmt: skip
        for shape in args.shapes.split(","):
            for n in map(int, args.sizes.split(",")):
                plain = d / f"{shape}-{n}.yaml"
                plain.write_text(makers[shape](n))
                enc = ["encrypt", "--age", recipient, str(plain)]
                off = instructions([str(run), "off", *enc], env)
                on = instructions([str(run), "on", *enc], env)
                sealed = d / f"{shape}-{n}.sealed.yaml"
                made = subprocess.run([sys.executable, str(run), "on", *enc], env=env,
                                      check=True, capture_output=True)  # fmt: skip
                sealed.write_bytes(made.stdout)
                dec = instructions([str(run), "on", "decrypt", str(sealed)], env)
                print(f"{shape:>9} {n:>6} | {off / 1e6:>9.1f}M {on / 1e6:>9.1f}M "
                      f"{(on - off) / off:>+6.0%} | {dec / 1e6:>9.1f}M")  # fmt: skip
    print("instructions (callgrind) of one process each; cost = what the self-check adds")


if __name__ == "__main__":
    main()
