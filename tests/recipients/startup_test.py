"""Start-up: opening a file imports only the key types it needs, local ones first.

Checked with `python -X importtime`, which lists every module a process imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers import AgeKey, run
from tests.recipients.keys import MotoServer
from tests.recipients.roundtrip import seal_file

PLAIN = "db:\n  password: hunter2\n"
HEAVY = ("boto3", "botocore", "pkcs11", "gnupg")


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """Modules imported by `sealer ARGS` (which must succeed)."""
    out = run([sys.executable, "-X", "importtime", "-m", "sealer", *args], env=env)
    assert out.returncode == 0, out.stderr
    modules = set()
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert "sealer.datakey" in modules  # the listing is there at all
    return modules


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def seal(tmp_path: Path, *spec: str, name: str = "s.yaml", text: str = PLAIN) -> Path:
    return seal_file(tmp_path, *spec, text=text, name=name)


def test_age_only_file_imports_no_boto3_pkcs11_or_gnupg(age_key: AgeKey, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--age", age_key.recipient)
    modules = imported("decrypt", str(sealed), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert heavy(modules) == set()
    assert (
        not {"sealer.recipients.awskms", "sealer.recipients.pkcs11", "sealer.recipients.pgp"}
        & modules
    )


def test_local_key_first_spares_the_kms_call(
    age_key: AgeKey, aws: MotoServer, tmp_path: Path
) -> None:
    sealed = seal(tmp_path, "--kms", aws.create_key(), "--age", age_key.recipient)
    with_age = imported("decrypt", str(sealed), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert heavy(with_age) == set()
    # the same file without the age key goes to KMS, which imports boto3
    without = imported("decrypt", str(sealed))
    assert "boto3" in without
    # and --decryption-order puts KMS first even with the age key at hand
    ordered = imported(
        "decrypt", "--decryption-order", "kms", str(sealed),
        env={"SOPS_AGE_KEY_FILE": str(age_key.file)},
    )  # fmt: skip
    assert "boto3" in ordered
    env_order = imported(
        "decrypt", str(sealed),
        env={"SOPS_AGE_KEY_FILE": str(age_key.file), "SOPS_DECRYPTION_ORDER": "kms,age"},
    )  # fmt: skip
    assert "boto3" in env_order
