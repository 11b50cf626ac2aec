"""Check sealer against sops' own PGP-encrypted test files, from a copy of the sops sources.

The files (getsops/sops `pgp/sops_functional_tests_key.asc`,
`functional-tests/res/*`, `example.*`; MPL-2.0) are not part of this
repository: see tests/vectors/sops/README.md. Given a directory holding them,
this imports the test key into a throwaway GNUPGHOME and opens every file with
`sealer decrypt` and `sops decrypt`, then prints one line per file:

    python -m tests.recipients.sops_vectors DIR

It exits 1 if sealer fails on a file sops opens, or gets other data out of it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.helpers import run
from tests.recipients.keys import make_gpg_home

KEY = "pgp/sops_functional_tests_key.asc"
FILES = [
    *(f"functional-tests/res/{n}" for n in (
        "format.enc.yaml", "format.enc.json", "format.enc.env", "format.enc.ini",
        "format-2.enc.ini", "comments.enc.yaml", "comments_unencrypted_comments.yaml",
        "multiple_keys.yaml", "no_mac.yaml",
    )),
    "example.yaml", "example.json", "example.ini", "example.txt",
]  # fmt: skip
IGNORE_MAC = {"functional-tests/res/no_mac.yaml"}


def _data(path: str, text: str) -> object:
    if path.endswith(".json"):
        return json.loads(text)
    if path.endswith(".yaml"):
        from ruamel.yaml import YAML

        return json.loads(json.dumps(YAML(typ="safe").load(text), default=str))
    return text.rstrip("\n")  # sealer keeps the blank line that stood before [sops]


def check(root: Path) -> int:
    home = make_gpg_home()  # a key of its own too; the sops key is imported beside it
    failures = 0
    try:
        run(["gpg", "--batch", "--import", str(root / KEY)], env=home.env, check=True)
        env = {**home.env, "SOPS_DISABLE_VERSION_CHECK": "1"}
        for rel in FILES:
            path = root / rel
            extra = ["--ignore-mac"] if rel in IGNORE_MAC else []
            ours = run([sys.executable, "-m", "sealer", "decrypt", *extra, str(path)], env=env)
            theirs = run(["sops", "decrypt", *extra, str(path)], env=env)
            if ours.returncode != 0:
                verdict = f"FAIL sealer exit {ours.returncode}: {ours.stderr.strip()[:200]}"
            elif theirs.returncode != 0:
                verdict = f"sops fails (exit {theirs.returncode}), sealer opens it"
            elif ours.stdout == theirs.stdout:
                verdict = "ok, identical output"
            elif _data(rel, ours.stdout) == _data(rel, theirs.stdout):
                verdict = "ok, same data (sealer keeps the file's layout)"
            else:
                verdict = "FAIL different data"
            failures += verdict.startswith("FAIL")
            print(f"{rel}: {verdict}")
    finally:
        home.close()
    print(f"{len(FILES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("SOPS_DISABLE_VERSION_CHECK", "1")
    sys.exit(check(Path(sys.argv[1])))
