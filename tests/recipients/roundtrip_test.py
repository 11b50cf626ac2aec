"""Every recipient type through every format, with the real CLI (and sops where it can)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_age_key
from tests.recipients.hsm import Token
from tests.recipients.keys import GpgHome, MotoServer, make_ssh_key
from tests.recipients.roundtrip import FORMATS, roundtrip, sops_roundtrip


@pytest.mark.parametrize("fmt", FORMATS)
def test_age_round_trip(fmt: str, tmp_path: Path) -> None:
    key = make_age_key(tmp_path)
    env = {"SOPS_AGE_KEY_FILE": str(key.file)}
    roundtrip(fmt, ["--age", key.recipient], env, sops=True, directory=tmp_path)
    sops_roundtrip(fmt, ["--age", key.recipient], env, directory=tmp_path)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_ssh_round_trip(fmt: str, kind: str, tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path, kind)
    roundtrip(fmt, ["--ssh", key.public], key.env, sops=True, directory=tmp_path)
    sops_roundtrip(fmt, ["--age", key.public], key.env, directory=tmp_path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_kms_round_trip(fmt: str, aws: MotoServer, tmp_path: Path) -> None:
    arn = aws.create_key("eu-central-1")
    spec = ["--kms", arn, "--encryption-context", "app:sealer,env:test"]
    roundtrip(fmt, spec, aws.env, sops=True, directory=tmp_path)
    sops_roundtrip(fmt, spec, aws.env, directory=tmp_path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_pgp_round_trip(fmt: str, gpg: GpgHome, tmp_path: Path) -> None:
    roundtrip(fmt, ["--pgp", gpg.fingerprint], gpg.env, sops=True, directory=tmp_path)
    sops_roundtrip(fmt, ["--pgp", gpg.fingerprint], gpg.env, directory=tmp_path)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", ["sealer-rsa", "sealer-aes"])
def test_pkcs11_round_trip(fmt: str, key: str, hsm: Token, tmp_path: Path) -> None:
    sealed = roundtrip(fmt, ["--pkcs11", hsm.uri(key)], hsm.env, directory=tmp_path)
    assert hsm.uri(key) in sealed.replace("\\n", "\n")
