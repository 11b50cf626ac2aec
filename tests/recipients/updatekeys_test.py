"""`sealer updatekeys` re-wraps for every recipient type with all its settings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import AgeKey, sealer
from tests.recipients.hsm import Token
from tests.recipients.keys import MotoServer, SshKey
from tests.recipients.roundtrip import SECRET, seal_file

PLAIN = f"db:\n  password: {SECRET}\n"


def test_re_wrapping_keeps_kms_context_token_uri_and_ssh_key(
    tmp_path: Path, aws: MotoServer, hsm: Token, ssh_key: SshKey, age_key: AgeKey
) -> None:
    arn = aws.create_key()
    spec = ["--kms", arn, "--encryption-context", "app:billing"]
    spec += ["--pkcs11", hsm.uri("sealer-rsa"), "--ssh", ssh_key.public]
    sealed = seal_file(tmp_path, *spec, text=PLAIN)
    sealer("updatekeys", "--add-age", age_key.recipient, sealed.name, cwd=tmp_path, check=True)
    text = sealed.read_text()
    assert f"recipient: {age_key.recipient}" in text
    assert "app: billing" in text
    assert f"uri: {hsm.uri('sealer-rsa')}" in text
    assert f"recipient: {ssh_key.public}" in text
    no_aws = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    no_token = {"SEALER_PKCS11_PIN": "wrong"}
    alone = {
        "kms": {**no_token},
        "pkcs11": {**no_aws},
        "ssh": {**no_aws, **no_token, **ssh_key.env},
        "age": {**no_aws, **no_token, "SOPS_AGE_KEY_FILE": str(age_key.file)},
    }
    for name, env in alone.items():
        out = sealer("decrypt", "--decryption-order", name, str(sealed), env=env)
        assert out.returncode == 0, (name, out.stderr)
        assert out.stdout == PLAIN
