"""Key groups with a Shamir threshold mixing every recipient type, checked against sops."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.helpers import AgeKey, make_age_key, sealer, sops
from tests.recipients.hsm import Token
from tests.recipients.keys import GpgHome, MotoServer, SshKey
from tests.recipients.roundtrip import SECRET

PLAIN = f"db:\n  password: {SECRET}\n  port: 5432\n"
GROUPS = ("age", "kms", "pkcs11")


@pytest.fixture
def two_of_three(
    tmp_path: Path, age_key: AgeKey, aws: MotoServer, hsm: Token
) -> tuple[Path, dict[str, dict[str, str]], dict[str, str]]:
    """A file sealed 2-of-3 for (age, KMS, PKCS#11); the env that each group needs; their ids."""
    arn = aws.create_key("eu-west-3")
    (tmp_path / ".sealer.yaml").write_text(
        "creation_rules:\n"
        "  - shamir_threshold: 2\n"
        "    key_groups:\n"
        f"      - age: [{age_key.recipient}]\n"
        "      - kms:\n"
        f"          - arn: {arn}\n"
        "            context: {purpose: keygroups}\n"
        f"      - pkcs11: ['{hsm.uri('sealer-aes')}']\n"
    )
    (tmp_path / "g.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", str(tmp_path / "g.yaml"), check=True)
    empty_store = tmp_path / "no-tokens"
    (empty_store / "tokens").mkdir(parents=True)
    (empty_store / "softhsm2.conf").write_text(f"directories.tokendir = {empty_store}/tokens\n")
    have = {
        "age": {"SOPS_AGE_KEY_FILE": str(age_key.file)},
        "kms": {},  # credentials are in the environment (the aws fixture)
        "pkcs11": {},  # SOFTHSM2_CONF and the PIN too (the hsm fixture)
    }
    lack = {
        "age": {"SOPS_AGE_KEY_FILE": ""},
        "kms": {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
        "pkcs11": {"SOFTHSM2_CONF": str(empty_store / "softhsm2.conf")},
    }
    ids = {
        "age": age_key.recipient,
        "kms": arn,
        "pkcs11": "pkcs11:token=sealer-test;object=sealer-aes",
    }
    env = {g: {**have[g]} for g in GROUPS}
    env.update({f"no-{g}": lack[g] for g in GROUPS})
    return tmp_path / "g.yaml", env, ids


def _env(env: dict[str, dict[str, str]], present: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for g in GROUPS:
        out.update(env[g] if g in present else env[f"no-{g}"])
    return out


def test_metadata_has_three_groups_and_the_threshold(
    two_of_three: tuple[Path, dict[str, dict[str, str]], dict[str, str]],
) -> None:
    sealed, _, ids = two_of_three
    text = sealed.read_text()
    assert "shamir_threshold: 2" in text
    assert "key_groups:" in text
    for ident in ids.values():
        assert ident in text


@pytest.mark.parametrize("present", list(itertools.combinations(GROUPS, 2)))
def test_any_two_groups_open_it(
    present: tuple[str, ...],
    two_of_three: tuple[Path, dict[str, dict[str, str]], dict[str, str]],
) -> None:
    sealed, env, _ = two_of_three
    out = sealer("decrypt", str(sealed), env=_env(env, present))
    assert out.returncode == 0, out.stderr
    assert out.stdout == PLAIN


@pytest.mark.parametrize("present", GROUPS)
def test_one_group_is_not_enough_and_the_error_names_what_is_missing(
    present: str,
    two_of_three: tuple[Path, dict[str, dict[str, str]], dict[str, str]],
) -> None:
    sealed, env, ids = two_of_three
    out = sealer("decrypt", str(sealed), env=_env(env, (present,)))
    assert out.returncode == 128
    assert out.stdout == ""
    assert "no identity opens enough key groups (1 of the 2 needed)" in out.stderr
    for i, group in enumerate(GROUPS):
        line = f"sealer: hint: group {i + 1}: {ids[group]}"
        assert (line in out.stderr) == (group != present), out.stderr
    if present != "kms":
        assert "AWS KMS Decrypt failed: no AWS credentials" in out.stderr
    if present != "pkcs11":
        assert "PKCS#11 token not found: token 'sealer-test'" in out.stderr


def test_sops_opens_it_with_age_and_kms(
    two_of_three: tuple[Path, dict[str, dict[str, str]], dict[str, str]],
) -> None:
    sealed, env, _ = two_of_three
    out = sops("decrypt", str(sealed), env=env["age"], check=True)
    assert f"password: {SECRET}" in out.stdout


def test_every_type_in_one_file_three_of_four_groups(
    tmp_path: Path,
    aws: MotoServer,
    hsm: Token,
    gpg: GpgHome,
    ssh_key: SshKey,
) -> None:
    age_key = make_age_key(tmp_path / "age")
    arn = aws.create_key()
    (tmp_path / "p.yaml").write_text(PLAIN)
    (tmp_path / ".sealer.yaml").write_text(
        "creation_rules:\n"
        "  - shamir_threshold: 3\n"
        "    key_groups:\n"
        f"      - age: [{age_key.recipient}]\n"
        f"        ssh: ['{ssh_key.public}']\n"
        f"      - pgp: [{gpg.fingerprint}]\n"
        f"      - kms: ['{arn}']\n"
        f"      - pkcs11: ['{hsm.uri('sealer-rsa')}']\n"
    )
    sealer("encrypt", "-i", str(tmp_path / "p.yaml"), check=True)
    # without age: ssh opens group 1, with pgp and kms; the token is not needed
    out = sealer("decrypt", str(tmp_path / "p.yaml"), env=ssh_key.env, check=True)
    assert out.stdout == PLAIN
    # sops: age, pgp and kms (it does not know the pkcs11 group)
    via = sops("decrypt", str(tmp_path / "p.yaml"), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert via.returncode == 0, via.stderr
    assert f"password: {SECRET}" in via.stdout
    # pkcs11 + pgp + age, no AWS
    no_aws = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    env = {**no_aws, "SOPS_AGE_KEY_FILE": str(age_key.file)}
    assert sealer("decrypt", str(tmp_path / "p.yaml"), env=env, check=True).stdout == PLAIN
