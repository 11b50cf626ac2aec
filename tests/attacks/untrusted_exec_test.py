"""`sealer exec`: CMD gets no key material, and no unauthenticated value sets LD_PRELOAD.

Regression tests for issue 14, point 4: on 74d6504 CMD inherited SEALER_AGE_KEY /
SOPS_AGE_KEY, and a value outside the MAC (mac_only_encrypted), or a plaintext
value whose key was renamed (sops' MAC hashes values, not key names), could set
LD_PRELOAD, PATH and the like.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.attacks.hostile import marking_library, sealer_in
from tests.helpers import AgeKey

SHOW_ENV = "import json, os; print(json.dumps(dict(os.environ)))"


def test_cmd_does_not_inherit_key_material(age_key: AgeKey, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("password: s3cret\n")
    sealed = sealer_in(tmp_path, "encrypt", "--age", age_key.recipient, "p.yaml")
    (tmp_path / "s.yaml").write_text(sealed.stdout)
    env = {
        "SEALER_AGE_KEY": age_key.secret,
        "SOPS_AGE_KEY": age_key.secret,
        "SEALER_SSH_PASSPHRASE": "ssh-pass",
        "SEALER_PKCS11_PIN": "1234",
        "KEEP_ME": "yes",
    }
    out = sealer_in(
        tmp_path, "exec", "--env", "s.yaml", "--", sys.executable, "-c", SHOW_ENV, env=env
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["password"] == "s3cret"  # sealer:allow
    assert seen["KEEP_ME"] == "yes"
    for name in ("SEALER_AGE_KEY", "SOPS_AGE_KEY", "SEALER_SSH_PASSPHRASE", "SEALER_PKCS11_PIN"):
        assert name not in seen
    assert age_key.secret not in out.stdout


@pytest.mark.parametrize("how", ["added outside the MAC", "renamed plaintext key"])
def test_an_unsealed_value_cannot_set_ld_preload(age_key: AgeKey, tmp_path: Path, how: str) -> None:
    library, marker = marking_library(tmp_path / "lib")
    (tmp_path / "p.yaml").write_text(f"password: s3cret\nnote: {library}\n")
    extra = ["--mac-only-encrypted"] if how == "added outside the MAC" else []
    args = ["encrypt", "--age", age_key.recipient, "--encrypted-regex", "^password$", *extra]
    sealed = sealer_in(tmp_path, *args, "p.yaml")
    assert sealed.returncode == 0, sealed.stderr
    if how == "added outside the MAC":
        text = sealed.stdout.replace("\nsops:", f"\nLD_PRELOAD: {library}\nsops:", 1)
    else:
        text = sealed.stdout.replace("\nnote:", "\nLD_PRELOAD:", 1)
    (tmp_path / "s.yaml").write_text(text)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    assert sealer_in(tmp_path, "decrypt", "s.yaml", env=env).returncode == 0  # the MAC holds
    out = sealer_in(tmp_path, "exec", "--env", "s.yaml", "--", "true", env=env)
    assert not marker.exists(), "CMD ran with the file's LD_PRELOAD"
    assert out.returncode == 1
    assert (
        "sealer: error: s.yaml: LD_PRELOAD: a plaintext value may not set LD_PRELOAD" in out.stderr
    )


def test_a_sealed_value_may_set_any_name(age_key: AgeKey, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("PYTHONWARNINGS: ignore\n")
    sealed = sealer_in(tmp_path, "encrypt", "--age", age_key.recipient, "p.yaml")
    (tmp_path / "s.yaml").write_text(sealed.stdout)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    out = sealer_in(
        tmp_path, "exec", "--env", "s.yaml", "--", sys.executable, "-c", SHOW_ENV, env=env
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["PYTHONWARNINGS"] == "ignore"
