"""One very large value per format (100 MB by default), sealed and opened by sealer and sops.

Shows that nothing in either tool is worse than linear in a value's size and
what a large value costs in time and memory. Both tools run as commands, in the
same run, on the same plaintext, with an age key; each figure is one run (wall
time and the child's peak RSS), and the opened output is compared with the
input: "identical" byte for byte, "value intact" when the tool re-formats the
file (sops writes JSON and INI its own way) but the value came back whole.

    python bench/large_value_bench.py [--mb 100] [--formats yaml,json,dotenv,ini,binary]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from crypt_bench import age_key_env, tool  # bench/ is on sys.path when this script runs

NAMES = {"yaml": "big.yaml", "json": "big.json", "dotenv": "big.env", "ini": "big.ini",
         "binary": "big.bin"}  # fmt: skip


def plaintext(fmt: str, size: int) -> bytes:
    value = "x" * size
    return {
        "yaml": f"k: {value}\n",
        "json": f'{{"k": "{value}"}}',
        "dotenv": f"K={value}\n",
        "ini": f"[s]\nk = {value}\n",
        "binary": "",
    }[fmt].encode() or bytes(range(256)) * (size // 256)


def measure(cmd: list[str], env: dict[str, str], out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one command, stdout to `out`."""
    with out.open("wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--formats", default=",".join(NAMES))
    args = ap.parse_args()
    sealer, sops = tool("sealer"), tool("sops")
    print(f"{'format':>7} | {'tool':>6} {'encrypt':>8} {'MB':>5} {'decrypt':>8} {'MB':>5} opened")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        recipient, env = age_key_env(d)
        for fmt in args.formats.split(","):
            plain = d / NAMES[fmt]
            data = plaintext(fmt, args.mb * 1_000_000)
            plain.write_bytes(data)
            type_flags = ["--input-type", fmt, "--output-type", fmt]
            runs = {
                "sealer": ([sealer, "encrypt", "--age", recipient, str(plain)],
                           [sealer, "decrypt"]),
                "sops": ([sops, "encrypt", *type_flags, "--age", recipient, str(plain)],
                         [sops, "decrypt", *type_flags]),
            }  # fmt: skip
            for name, (encrypt, decrypt) in runs.items():
                sealed = d / f"sealed-{name}-{NAMES[fmt]}"
                enc_s, enc_mb = measure(encrypt, env, sealed)
                opened = d / f"opened-{name}"
                dec_s, dec_mb = measure([*decrypt, str(sealed)], env, opened)
                back = opened.read_bytes()
                value = b"x" * (args.mb * 1_000_000)
                same = (
                    "identical"
                    if back == data
                    else "value intact"
                    if fmt != "binary" and value in back
                    else "NO"
                )
                print(f"{fmt:>7} | {name:>6} {enc_s:>7.2f}s {enc_mb:>5} {dec_s:>7.2f}s "
                      f"{dec_mb:>5} {same}")  # fmt: skip
                sealed.unlink()
                opened.unlink()
            plain.unlink()


if __name__ == "__main__":
    main()
