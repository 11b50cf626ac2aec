"""SSH recipients: age's SSH stanzas in sops' `age` list, keys from where sops reads them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sealer.metadata import Stanza
from sealer.recipients import for_stanza, ssh
from tests.helpers import AgeKey, run, sealer, sops, tool
from tests.recipients.keys import SshKey, make_ssh_key
from tests.recipients.roundtrip import SECRET, no_tty, seal_file

PLAIN = f"db:\n  password: {SECRET}\n"


def seal(tmp_path: Path, *spec: str, name: str = "s.yaml", text: str = PLAIN) -> Path:
    return seal_file(tmp_path, *spec, text=text, name=name)


def test_ssh_stanza_sits_in_the_age_list_as_sops_writes_it(ssh_key: SshKey, tmp_path: Path) -> None:
    text = seal(tmp_path, "--ssh", ssh_key.public).read_text()
    assert f"recipient: {ssh_key.public}" in text
    assert "    age:\n" in text
    # sops writes the same shape for the same key
    by_sops = sops("encrypt", "--age", ssh_key.public, str(tmp_path / "plain-s.yaml"), check=True)
    assert f"recipient: {ssh_key.public}" in by_sops.stdout


def test_stanzas_route_by_recipient() -> None:
    age_kt = for_stanza(Stanza("age", {"recipient": "age1xyz", "enc": ""}))
    ssh_kt = for_stanza(Stanza("age", {"recipient": "ssh-ed25519 AAAA", "enc": ""}))
    assert age_kt is not None and age_kt.NAME == "age"
    assert ssh_kt is not None and ssh_kt.NAME == "ssh"


def test_age_flag_and_rules_take_ssh_keys_like_sops(ssh_key: SshKey, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--age", ssh_key.public)
    assert sealer("decrypt", str(sealed), env=ssh_key.env, check=True).stdout == PLAIN
    (tmp_path / ".sealer.yaml").write_text(f"creation_rules:\n  - age: '{ssh_key.public}'\n")
    (tmp_path / "r.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", str(tmp_path / "r.yaml"), check=True)
    assert sealer("decrypt", str(tmp_path / "r.yaml"), env=ssh_key.env, check=True).stdout == PLAIN


def test_ssh_flag_takes_a_pub_file(ssh_key: SshKey, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--ssh", f"{ssh_key.private}.pub")
    assert sealer("decrypt", str(sealed), env=ssh_key.env, check=True).stdout == PLAIN


@pytest.mark.parametrize("name", ["id_ed25519", "id_rsa"])
def test_default_key_files_in_home(name: str, isolated_env: Path, tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path / "k", name.removeprefix("id_"))
    (isolated_env / ".ssh").mkdir(exist_ok=True)
    shutil.copy(key.private, isolated_env / ".ssh" / name)
    sealed = seal(tmp_path, "--ssh", key.public)
    assert sealer("decrypt", str(sealed), check=True).stdout == PLAIN


def test_passphrase_protected_key(tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path / "k", "ed25519", passphrase="correct horse")
    sealed = seal(tmp_path, "--ssh", key.public)
    env = {**key.env, "SEALER_SSH_PASSPHRASE": "correct horse"}
    assert sealer("decrypt", str(sealed), env=env, check=True).stdout == PLAIN
    wrong = sealer("decrypt", str(sealed), env={**key.env, "SEALER_SSH_PASSPHRASE": "nope"})
    assert wrong.returncode == 128
    assert "wrong passphrase for the SSH key" in wrong.stderr
    asked = no_tty("decrypt", str(sealed), env=key.env)
    assert asked.returncode == 128
    assert "passphrase-protected and there is no terminal to ask" in asked.stderr
    assert "SEALER_SSH_PASSPHRASE" in asked.stderr


def test_passphrase_protected_pem_rsa_key_uses_its_pub_file(tmp_path: Path) -> None:
    path = tmp_path / "id_rsa_pem"
    keygen = [tool("ssh-keygen"), "-q", "-t", "rsa", "-b", "2048", "-m", "PEM"]
    run([*keygen, "-N", "pw-12345", "-f", str(path)], check=True)
    public = Path(f"{path}.pub").read_text().strip()
    sealed = seal(tmp_path, "--ssh", public)
    env = {"SOPS_AGE_SSH_PRIVATE_KEY_FILE": str(path), "SEALER_SSH_PASSPHRASE": "pw-12345"}
    assert sealer("decrypt", str(sealed), env=env, check=True).stdout == PLAIN


def test_a_stanza_for_another_key_never_asks_for_a_passphrase(
    age_key: AgeKey, tmp_path: Path
) -> None:
    mine = make_ssh_key(tmp_path / "mine", "ed25519", passphrase="secret")  # sealer:allow
    other = make_ssh_key(tmp_path / "other", "ed25519")
    sealed = seal(tmp_path, "--ssh", other.public, "--age", age_key.recipient)
    env = {**mine.env, "SOPS_AGE_KEY_FILE": str(age_key.file)}
    out = no_tty("decrypt", str(sealed), env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == PLAIN
    alone = no_tty("decrypt", str(sealed), env=mine.env)
    assert alone.returncode == 128
    assert "passphrase" not in alone.stderr
    fp = ssh.fingerprint(ssh._parse_public(other.public)[1])
    assert f"ssh-ed25519 {fp} ed25519@test" in alone.stderr


@pytest.mark.parametrize("key", ["ssh-ed25519 AAAAnope", "ssh-ed25519 AAAA", "ssh-rsa !!!"])
def test_damaged_public_keys_are_refused_plainly(key: str, tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(PLAIN)
    for flag in ("--ssh", "--age"):
        out = sealer("encrypt", flag, key, str(tmp_path / "x.yaml"))
        assert (out.returncode, out.stdout) == (5, "")
        assert "not an SSH recipient" in out.stderr


def test_ecdsa_keys_are_refused_plainly(ssh_key: SshKey, tmp_path: Path) -> None:
    path = tmp_path / "id_ecdsa"
    run([tool("ssh-keygen"), "-q", "-t", "ecdsa", "-N", "", "-f", str(path)], check=True)
    public = Path(f"{path}.pub").read_text().strip()
    (tmp_path / "x.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--ssh", public, str(tmp_path / "x.yaml"))
    assert out.returncode == 5
    assert "not an SSH recipient" in out.stderr
    sealed = seal(tmp_path, "--ssh", ssh_key.public)
    ident = sealer("decrypt", str(sealed), env={"SOPS_AGE_SSH_PRIVATE_KEY_FILE": str(path)})
    assert ident.returncode == 5
    assert "ecdsa-sha2-nistp256 keys cannot be used" in ident.stderr
    assert "supports ssh-ed25519 and ssh-rsa" in ident.stderr


def test_sops_written_ssh_file_opens(tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path / "k", "rsa")
    (tmp_path / "p.yaml").write_text(PLAIN)
    by_sops = sops("encrypt", "--age", key.public, str(tmp_path / "p.yaml"), check=True)
    (tmp_path / "e.yaml").write_text(by_sops.stdout)
    opened = sealer("decrypt", str(tmp_path / "e.yaml"), env=key.env, check=True)
    assert f"password: {SECRET}" in opened.stdout


def test_tags_are_read_from_the_age_header(ssh_key: SshKey, tmp_path: Path) -> None:
    stanza_text = seal(tmp_path, "--ssh", ssh_key.public).read_text()
    import re

    block = re.search(r"(-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----)",
                      stanza_text, re.S)  # fmt: skip
    assert block is not None
    enc = "\n".join(line.strip() for line in block.group(1).splitlines())
    blob = ssh._parse_public(ssh_key.public)[1]
    assert ssh.stanza_tags(enc) == {("ssh-ed25519", ssh.tag(blob))}
