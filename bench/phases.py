"""Where a one-file `sealer decrypt` / `sealer encrypt --age` spends its instructions.

Each phase is counted with callgrind (`valgrind --tool=callgrind`), which
counts the same on a busy or a quiet machine: the script runs a series of
Python programs, each doing one phase more than the last, and reports the
differences. The programs do what the command does, in the same order, with
the modules the command loads imported up front (the "imports" phase), so no
later phase pays for an import:

    decrypt: interpreter start, imports, read + parse, data key (age unwrap),
             open values + MAC, render + splice, write
    encrypt: interpreter start, imports, read + parse, data key (new + age
             wrap), seal values + MAC, metadata + render + splice, write

and, for reference, the real command (`sealer decrypt FILE` through the
installed launcher). Run with the venv real_bench.py
installs (a regular install, `.pyc` written):

    python bench/phases.py [--venv /tmp/sealer-bench-venv] FILE...

FILE is a plaintext config file; the script seals it for a fresh age key.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

DECRYPT = [
    ("interpreter start", "pass\n"),
    ("imports", "IMPORTS"),
    (
        "read + parse",
        "fmt = formats.for_file(F, None, None)\n"
        "text = fileio.read(F)\n"
        "parsed, meta = document.read_metadata(fmt, text, F)\n",
    ),
    ("data key (age unwrap)", "key = Keyring(None).unwrap(meta, file=F)\n"),
    (
        "open values + MAC",
        "result = envelope.open_tree(parsed.docs, key, meta.selection,"
        " meta.mac_only_encrypted, False)\n"
        "envelope.check_mac(meta.mac, result.mac_hex, key, meta.lastmodified)\n",
    ),
    (
        "render + splice",
        "edits = [(*s, r) for s, r in (fmt.render_plain(n, v) for n, v in result.replacements)]\n"
        "edits += fmt.metadata_edits(parsed, None)\n"
        "plaintext = splice(parsed.text, edits)\n",
    ),
    ("write", "fileio.write_output(None, plaintext, private=True)\n"),
]
ENCRYPT = [
    ("interpreter start", "pass\n"),
    ("imports", "IMPORTS"),
    (
        "read + parse",
        "fmt = formats.for_file(F, None, None)\ntext = fileio.read(F)\nparsed = fmt.parse(text)\n",
    ),
    (
        "data key (new + age wrap)",
        "policy = age_policy(R)(F)\n"
        "key = datakey.new_data_key()\n"
        "groups = datakey.wrap(key, policy.groups, policy.shamir_threshold)\n",
    ),
    (
        "seal values + MAC",
        "result = envelope.seal_tree(parsed.docs, key, policy.selection,"
        " policy.mac_only_encrypted, stash=None)\n"
        "lastmodified = rfc3339_now()\n"
        "mac = envelope.seal_mac(result.mac_hex, key, lastmodified)\n",
    ),
    (
        "metadata + render + splice",
        "meta = Metadata(groups=groups, lastmodified=lastmodified, mac=mac,"
        " selection=policy.selection, shamir_threshold=0,"
        " mac_only_encrypted=policy.mac_only_encrypted)\n"
        "sealed = document._emit(fmt, parsed, result, meta, key)\n",
    ),
    ("write", "fileio.write_output(None, sealed)\n"),
]
HEAD = (
    "import gc, sys\n"
    "gc.disable()\n"  # as the one-file commands run
    "F, R = sys.argv[1], sys.argv[2]\n"
)
NAMES = (
    "from sealer import datakey, document, envelope, fileio, formats\n"
    "from sealer.commands.encrypt import age_policy\n"
    "from sealer.datakey import Keyring\n"
    "from sealer.formats import splice\n"
    "from sealer.metadata import Metadata\n"
    "from sealer.values import rfc3339_now\n"
)


def instructions(cmd: list[str], env: dict[str, str]) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(ln for ln in out.stderr.splitlines() if "refs:" in ln)
    return int(line.split("refs:")[1].strip().replace(",", ""))


def modules_loaded(python: str, argv: list[str], env: dict[str, str]) -> list[str]:
    """The modules the real command loads, in load order (after the interpreter's own)."""
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from sealer.main import main\n"
        f"assert main({argv!r}) == 0\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m not in before))\n"
    )
    out = subprocess.run(
        [python, "-P", "-c", probe], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, check=True,
    )  # fmt: skip
    return out.stderr.split()


def phases(
    python: str, steps: list[tuple[str, str]], mods: list[str], args: list[str],
    env: dict[str, str],
) -> list[tuple[str, int]]:  # fmt: skip
    # ruamel.yaml is loaded the way sealer loads it (an older sealer skipped its __init__)
    skip = ("__main__", "ruamel", "_ruamel_yaml")
    wanted = [m for m in mods if not m.startswith(skip)]
    imports = (
        "import importlib\n"
        f"for m in {wanted!r}:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ImportError:\n"  # made by an extension module (cython_runtime, ...)
        "        pass\n"
    )
    if "sealer.formats.libyaml" in mods:
        imports += "from sealer.formats import libyaml\nlibyaml.load()\n"
    code, last, rows = HEAD, 0, []
    for name, step in steps:
        code += imports + NAMES if step == "IMPORTS" else step
        n = instructions([python, "-P", "-c", code, *args], env)
        rows.append((name, n - last))
        last = n
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", type=Path, default=Path("/tmp/sealer-bench-venv"))
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args()
    python, sealer = str(args.venv / "bin" / "python"), str(args.venv / "bin" / "sealer")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["age-keygen", "-o", str(work / "key.txt")], check=True, capture_output=True)
        recipient = next(
            ln.split(": ")[1]
            for ln in (work / "key.txt").read_text().splitlines()
            if "public key" in ln
        )
        env = {**os.environ, "SOPS_AGE_KEY_FILE": str(work / "key.txt"), "HOME": str(work)}
        for plain in args.files:
            sealed = work / plain.name
            out = subprocess.run([sealer, "encrypt", "--age", recipient, str(plain)],
                                 env=env, capture_output=True, check=True)  # fmt: skip
            sealed.write_bytes(out.stdout)
            print(f"\n{plain.name} ({plain.stat().st_size} bytes), Minstr")
            for what, steps, target, argv in (
                ("decrypt", DECRYPT, sealed, ["decrypt", str(sealed)]),
                ("encrypt", ENCRYPT, plain, ["encrypt", "--age", recipient, str(plain)]),
            ):
                mods = modules_loaded(python, argv, env)
                rows = phases(python, steps, mods, [str(target), recipient], env)
                total = instructions([sealer, *argv], env)
                cells = ", ".join(f"{name} {n / 1e6:.1f}" for name, n in rows)
                print(f"{what}: {cells}; sum {sum(n for _, n in rows) / 1e6:.1f}; "
                      f"`sealer {argv[0]}` {total / 1e6:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
