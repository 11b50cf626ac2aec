"""AWS KMS recipients against a real moto_server on 127.0.0.1, checked against sops."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import sealer, sops
from tests.recipients.keys import MotoServer
from tests.recipients.roundtrip import SECRET, seal_file

PLAIN = f"db:\n  password: {SECRET}\n"
ROLE = "arn:aws:iam::123456789012:role/sealer-deploy"


def seal(tmp_path: Path, *spec: str, name: str = "s.yaml", text: str = PLAIN) -> Path:
    return seal_file(tmp_path, *spec, text=text, name=name)


def test_stanza_is_sops_kms_metadata(aws: MotoServer, tmp_path: Path) -> None:
    arn = aws.create_key("eu-west-1")
    text = seal(tmp_path, "--kms", arn, "--encryption-context", "app:web,tier:prod").read_text()
    meta = text[text.index("sops:") :]
    assert f"- arn: {arn}" in meta
    assert 'aws_profile: ""' in meta
    assert re.search(r"context:\n( +)app: web\n\1tier: prod\n", meta)
    assert "role:" not in meta
    assert "created_at: " in meta


def test_wrong_encryption_context_fails(aws: MotoServer, tmp_path: Path) -> None:
    arn = aws.create_key()
    sealed = seal(tmp_path, "--kms", arn, "--encryption-context", "app:web")
    sealed.write_text(sealed.read_text().replace("app: web", "app: api"))
    out = sealer("decrypt", str(sealed))
    assert out.returncode == 128
    assert f"{arn}: AWS KMS Decrypt failed: InvalidCiphertextException" in out.stderr
    assert "the encryption context differs from the one sealed with" in out.stderr
    assert SECRET not in out.stdout + out.stderr
    assert sops("decrypt", str(sealed)).returncode != 0  # sops agrees


def test_unknown_key_fails_naming_the_arn(aws: MotoServer, tmp_path: Path) -> None:
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--kms", missing, str(tmp_path / "p.yaml"))
    assert out.returncode == 1
    assert f"AWS KMS Encrypt with {missing} failed: NotFoundException" in out.stderr
    # a key that existed when the file was sealed and is gone now
    arn = aws.create_key(alias="vanishing")
    sealed = seal(tmp_path, "--kms", arn)
    aws.reset()
    out = sealer("decrypt", str(sealed))
    assert out.returncode == 128
    assert f"sealer: hint:   {arn}: AWS KMS Decrypt failed: NotFoundException" in out.stderr


def test_alias_arns_seal_and_open_in_sealer_and_sops(aws: MotoServer, tmp_path: Path) -> None:
    alias = aws.create_key("ap-south-1", alias="sealer-test")
    sealed = seal(tmp_path, "--kms", alias)
    assert f"arn: {alias}" in sealed.read_text()
    assert sealer("decrypt", str(sealed), check=True).stdout == PLAIN
    assert f"password: {SECRET}" in sops("decrypt", str(sealed), check=True).stdout


def test_role_is_assumed_and_recorded(aws: MotoServer, tmp_path: Path) -> None:
    arn = aws.create_key()
    sealed = seal(tmp_path, "--kms", f"{arn}+{ROLE}")
    assert f"role: {ROLE}" in sealed.read_text()
    assert sealer("decrypt", str(sealed), check=True).stdout == PLAIN
    assert f"password: {SECRET}" in sops("decrypt", str(sealed), check=True).stdout
    # sops' own arn+role form opens in sealer
    (tmp_path / "p2.yaml").write_text(PLAIN)
    by_sops = sops("encrypt", "--kms", f"{arn}+{ROLE}", str(tmp_path / "p2.yaml"), check=True)
    (tmp_path / "by-sops.yaml").write_text(by_sops.stdout)
    assert f"role: {ROLE}" in by_sops.stdout
    opened = sealer("decrypt", str(tmp_path / "by-sops.yaml"), check=True)
    assert f"    password: {SECRET}\n" in opened.stdout


def test_a_role_that_is_not_an_arn_is_refused(aws: MotoServer, tmp_path: Path) -> None:
    arn = aws.create_key()
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--kms", f"{arn}+deployer", str(tmp_path / "p.yaml"))
    assert out.returncode == 5
    assert "is not an ARN: deployer" in out.stderr


def test_aws_profile_picks_credentials(
    aws: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    arn = aws.create_key()
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (isolated_env / ".aws").mkdir()
    (isolated_env / ".aws" / "credentials").write_text(
        "[deploy]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    sealed = seal(tmp_path, "--kms", arn, "--aws-profile", "deploy")
    assert "aws_profile: deploy" in sealed.read_text()
    assert sealer("decrypt", str(sealed), check=True).stdout == PLAIN
    assert f"password: {SECRET}" in sops("decrypt", str(sealed), check=True).stdout
    out = sealer("encrypt", "--kms", arn, "--aws-profile", "nope", str(tmp_path / "plain-s.yaml"))
    assert out.returncode == 5
    assert "AWS profile 'nope' is not configured" in out.stderr


def test_no_credentials_is_named(
    aws: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = aws.create_key()
    sealed = seal(tmp_path, "--kms", arn)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    out = sealer("decrypt", str(sealed))
    assert out.returncode == 128
    assert f"{arn}: AWS KMS Decrypt failed: no AWS credentials" in out.stderr


def test_rules_name_kms_keys_like_sops(aws: MotoServer, tmp_path: Path) -> None:
    plain_arn, group_arn = aws.create_key(), aws.create_key("eu-north-1")
    (tmp_path / ".sealer.yaml").write_text(
        "creation_rules:\n"
        "  - path_regex: one\\.yaml$\n"
        f"    kms: {plain_arn}+{ROLE}\n"
        "  - key_groups:\n"
        "      - kms:\n"
        f"          - arn: {group_arn}\n"
        "            context: {team: payments}\n"
    )
    for name, arn in (("one.yaml", plain_arn), ("two.yaml", group_arn)):
        (tmp_path / name).write_text(PLAIN)
        out = sealer("encrypt", "-i", str(tmp_path / name), check=True)
        assert out.stdout == ""
        text = (tmp_path / name).read_text()
        assert f"arn: {arn}" in text
        assert sealer("decrypt", str(tmp_path / name), check=True).stdout == PLAIN
        assert f"password: {SECRET}" in sops("decrypt", str(tmp_path / name), check=True).stdout
    assert f"role: {ROLE}" in (tmp_path / "one.yaml").read_text()
    assert "team: payments" in (tmp_path / "two.yaml").read_text()


def test_not_an_arn_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--kms", "alias/sealer", str(tmp_path / "p.yaml"))
    assert out.returncode == 5
    assert "not an AWS KMS key ARN: alias/sealer" in out.stderr
    out = sealer(
        "encrypt", "--kms", "arn:aws:kms:us-east-1:1:key/x", "--encryption-context", "oops",
        str(tmp_path / "p.yaml"),
    )  # fmt: skip
    assert out.returncode == 5
    assert "encryption context 'oops' is not key:value" in out.stderr
