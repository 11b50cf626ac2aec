"""PGP recipients through GnuPG with throwaway GNUPGHOMEs, checked against sops."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sealer.recipients import pgp
from tests.helpers import run, sealer, sops, tool
from tests.recipients.keys import GpgHome, make_gpg_home
from tests.recipients.roundtrip import SECRET, seal_file

PLAIN = f"db:\n  password: {SECRET}\n"


@pytest.fixture
def stranger() -> Iterator[GpgHome]:
    """Someone else's key: a second GnuPG home."""
    home = make_gpg_home("Stranger <stranger@example.invalid>")
    yield home
    home.close()


def seal(tmp_path: Path, *spec: str, name: str = "s.yaml", text: str = PLAIN) -> Path:
    return seal_file(tmp_path, *spec, text=text, name=name)


def test_stanza_is_sops_pgp_metadata(gpg: GpgHome, tmp_path: Path) -> None:
    text = seal(tmp_path, "--pgp", gpg.fingerprint).read_text()
    meta = text[text.index("sops:") :]
    assert f"fp: {gpg.fingerprint}" in meta
    assert "-----BEGIN PGP MESSAGE-----" in meta
    assert "created_at: " in meta


def test_files_sealed_by_sops_for_pgp_open_and_the_other_way(gpg: GpgHome, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    by_sops = sops("encrypt", "--pgp", gpg.fingerprint, str(tmp_path / "p.yaml"), check=True)
    (tmp_path / "by-sops.yaml").write_text(by_sops.stdout)
    opened = sealer("decrypt", str(tmp_path / "by-sops.yaml"), check=True)
    assert f"password: {SECRET}" in opened.stdout
    mine = seal(tmp_path, "--pgp", gpg.fingerprint)
    assert f"password: {SECRET}" in sops("decrypt", str(mine), check=True).stdout


def test_a_message_for_another_key_is_not_mine_without_asking_gpg(
    gpg: GpgHome, stranger: GpgHome, tmp_path: Path
) -> None:
    exported = run(
        [tool("gpg"), "--batch", "--armor", "--export", stranger.fingerprint],
        env=stranger.env,
        check=True,
    )
    (tmp_path / "stranger.asc").write_text(exported.stdout)
    run([tool("gpg"), "--batch", "--import", str(tmp_path / "stranger.asc")], check=True)
    sealed = seal(tmp_path, "--pgp", stranger.fingerprint)
    # a gpg that logs each call: only the key listing may run, never --decrypt
    log = tmp_path / "gpg.log"
    wrapper = tmp_path / "gpg-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {tool("gpg")} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    out = sealer("decrypt", str(sealed), env={"SOPS_GPG_EXEC": str(wrapper)})
    assert out.returncode == 128
    assert stranger.fingerprint in out.stderr
    calls = log.read_text().splitlines()
    assert calls == ["--batch --with-colons --list-secret-keys"]
    # the stranger opens it with their own home
    opened = sealer("decrypt", str(sealed), env=stranger.env, check=True)
    assert opened.stdout == PLAIN


def test_recipient_key_ids_match_gpg(gpg: GpgHome, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pgp", gpg.fingerprint).read_text()
    start = sealed.index("-----BEGIN PGP MESSAGE-----")
    end = sealed.index("-----END PGP MESSAGE-----") + len("-----END PGP MESSAGE-----")
    message = "\n".join(line.strip() for line in sealed[start:end].splitlines())
    listed = run(
        [tool("gpg"), "--batch", "--list-only", "--list-packets"], input=message, check=True
    )
    expected = {
        line.split("keyid ")[1].split()[0].upper()
        for line in (listed.stdout + listed.stderr).splitlines()
        if "keyid " in line
    }
    assert expected
    assert pgp.recipient_key_ids(pgp.dearmor(message)) == expected


def test_unknown_fingerprint_says_to_import_the_key(gpg: GpgHome, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    fp = "0123456789ABCDEF0123456789ABCDEF01234567"
    out = sealer("encrypt", "--pgp", fp, str(tmp_path / "p.yaml"))
    assert out.returncode == 5
    assert f"cannot seal for PGP key {fp}: gpg failed" in out.stderr
    assert "import the public key first" in out.stderr


def test_not_a_fingerprint_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--pgp", "A27381B4", str(tmp_path / "p.yaml"))
    assert out.returncode == 5
    assert "not a PGP fingerprint: A27381B4" in out.stderr


def test_missing_gpg_is_named(gpg: GpgHome, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pgp", gpg.fingerprint)
    out = sealer("decrypt", str(sealed), env={"SOPS_GPG_EXEC": "/nonexistent/gpg"})
    assert out.returncode == 128  # noted, not fatal: another key may still open the file
    assert "/nonexistent/gpg is not installed (install GnuPG, or set SOPS_GPG_EXEC)" in out.stderr


def test_rules_and_fingerprints_with_spaces(gpg: GpgHome, tmp_path: Path) -> None:
    spaced = " ".join(gpg.fingerprint[i : i + 4] for i in range(0, 40, 4))
    (tmp_path / ".sealer.yaml").write_text(f"creation_rules:\n  - pgp: '{spaced}'\n")
    (tmp_path / "r.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", str(tmp_path / "r.yaml"), check=True)
    assert f"fp: {gpg.fingerprint}" in (tmp_path / "r.yaml").read_text()
    assert sealer("decrypt", str(tmp_path / "r.yaml"), check=True).stdout == PLAIN
    assert os.environ["GNUPGHOME"] == str(gpg.home)
