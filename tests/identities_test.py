"""Where keys come from: every source is read and merged; named sources must exist."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sealer import identities
from sealer.errors import ConfigError, FileError
from tests.helpers import make_age_key, run, sealer, tool
from tests.recipients.terminal import on_terminal


def test_all_sources_are_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [make_age_key(tmp_path / "k", str(i)) for i in range(6)]
    monkeypatch.setenv("SEALER_AGE_KEY", keys[0].secret)
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(keys[1].file))
    monkeypatch.setenv("SEALER_AGE_KEY_CMD", f"cat {keys[2].file}")
    identities.sealer_key_file().parent.mkdir(parents=True)
    identities.sealer_key_file().write_text(keys[3].file.read_text())
    monkeypatch.setenv("SOPS_AGE_KEY", keys[4].secret + " " + keys[0].secret)
    identities.sops_key_file().parent.mkdir(parents=True)
    identities.sops_key_file().write_text(keys[5].file.read_text())
    assert identities.age_secret_keys() == [k.secret for k in keys]


def test_missing_named_key_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(tmp_path / "missing.txt"))
    with pytest.raises(FileError, match=r"SOPS_AGE_KEY_FILE: key file .* does not exist"):
        identities.age_secret_keys()


def test_default_key_files_may_be_absent() -> None:
    assert identities.age_secret_keys() == []


def test_garbage_in_a_key_file_is_reported_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys.txt"
    path.write_text("# comment\nnot-a-key-but-maybe-a-secret\n")
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(path))
    with pytest.raises(ConfigError) as caught:
        identities.age_secret_keys()
    assert "not-a-key" not in str(caught.value) and "not an age secret key" in str(caught.value)


def test_failing_key_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEALER_AGE_KEY_CMD", "sh -c 'exit 7'")
    with pytest.raises(ConfigError, match="exited with status 7"):
        identities.age_secret_keys()


def damaged(secret: str) -> str:
    """The key with one data character changed, so its bech32 checksum fails."""
    i = len("AGE-SECRET-KEY-") + 6
    return secret[:i] + ("Q" if secret[i] != "Q" else "P") + secret[i + 1 :]


def test_a_key_with_a_bad_checksum_is_a_config_error_naming_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_age_key(tmp_path / "k", "me")
    plain = tmp_path / "s.yaml"
    plain.write_text("a: 1\n")
    sealer("encrypt", "-i", "--age", key.recipient, str(plain), check=True)
    bad = damaged(key.secret)
    assert identities.age_keys_by_source() == {}
    path = tmp_path / "keys.txt"
    path.write_text(f"# mine\n{bad}\n")
    result = sealer("decrypt", str(plain), env={"SEALER_AGE_KEY_FILE": str(path)})
    assert result.returncode == 5, result.stderr
    assert f"SEALER_AGE_KEY_FILE {path}: an age secret key is damaged" in result.stderr
    assert bad[16:] not in result.stderr and key.secret[16:] not in result.stderr
    result = sealer("decrypt", str(plain), env={"SOPS_AGE_KEY": bad})
    assert result.returncode == 5 and "SOPS_AGE_KEY: an age secret key" in result.stderr


# --- passphrase-protected identity files (`age -p`) --------------------------


def _protect(key_file: Path, passphrase: str, armored: bool = False) -> Path:
    """The key file encrypted by Debian's age with a passphrase typed at its prompt."""
    out = key_file.with_suffix(".age")
    args = [tool("age"), "-p", *(["-a"] if armored else []), "-o", str(out), str(key_file)]
    typed = passphrase.encode()
    status, shown = on_terminal(args, [(b"passphrase", typed), (b"onfirm", typed)])
    assert status == 0, shown
    return out


def _sealed_for(tmp_path: Path, recipient: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("pw: hunter2\n")
    sealer("encrypt", "-i", "--age", recipient, str(path), check=True)
    return path


@pytest.mark.parametrize("armored", [False, True])
def test_a_protected_key_file_opens_with_the_passphrase_command(
    tmp_path: Path, armored: bool
) -> None:
    key = make_age_key(tmp_path / "k")
    protected = _protect(key.file, "correct horse", armored)
    sealed = _sealed_for(tmp_path, key.recipient)
    env = {"SOPS_AGE_KEY_FILE": str(protected), "SEALER_AGE_PASSPHRASE_CMD": "echo correct horse"}
    opened = sealer("decrypt", str(sealed), env=env, check=True)
    assert opened.stdout == "pw: hunter2\n"


def test_the_passphrase_is_asked_on_the_terminal(tmp_path: Path) -> None:
    key = make_age_key(tmp_path / "k")
    protected = _protect(key.file, "s3same")
    sealed = _sealed_for(tmp_path, key.recipient)
    args = [sys.executable, "-m", "sealer", "decrypt", str(sealed)]
    prompt = f"Enter passphrase for identity file {protected}: ".encode()
    status, shown = on_terminal(
        args, [(prompt, b"s3same")], env={"SOPS_AGE_KEY_FILE": str(protected)}
    )
    assert status == 0, shown
    assert "pw: hunter2" in shown and "s3same" not in shown


def test_without_a_terminal_or_command_the_error_says_what_to_do(tmp_path: Path) -> None:
    key = make_age_key(tmp_path / "k")
    protected = _protect(key.file, "s3same")
    sealed = _sealed_for(tmp_path, key.recipient)
    result = sealer("decrypt", str(sealed), env={"SOPS_AGE_KEY_FILE": str(protected)})
    assert result.returncode == 128
    assert (
        f"  {key.recipient}: identity file {protected} is protected by a passphrase and there "
        "is no terminal to ask (set SEALER_AGE_PASSPHRASE_CMD to a command that prints the "
        "passphrase (a password manager's CLI), or run sealer on a terminal)"
    ) in result.stderr


def test_a_wrong_passphrase_is_an_error_not_a_silent_miss(tmp_path: Path) -> None:
    key = make_age_key(tmp_path / "k")
    protected = _protect(key.file, "s3same")
    sealed = _sealed_for(tmp_path, key.recipient)
    env = {"SOPS_AGE_KEY_FILE": str(protected), "SEALER_AGE_PASSPHRASE_CMD": "echo guess"}
    result = sealer("decrypt", str(sealed), env=env)
    assert result.returncode == 128
    assert f"identity file {protected}: wrong passphrase (or the file is damaged)" in result.stderr
    assert "guess" not in result.stderr


def test_a_plain_key_that_opens_the_file_spares_the_passphrase(tmp_path: Path) -> None:
    plain, other = make_age_key(tmp_path / "k", "plain"), make_age_key(tmp_path / "k", "other")
    protected = _protect(other.file, "s3same")
    sealed = _sealed_for(tmp_path, plain.recipient)
    env = {
        "SOPS_AGE_KEY_FILE": str(protected),
        "SEALER_AGE_KEY_FILE": str(plain.file),
        "SEALER_AGE_PASSPHRASE_CMD": "false",  # running it would fail the decrypt
    }
    assert sealer("decrypt", str(sealed), env=env, check=True).stdout == "pw: hunter2\n"


def test_pyrage_and_age_agree_on_protected_identity_files(tmp_path: Path) -> None:
    import pyrage

    key = make_age_key(tmp_path / "k")
    protected = tmp_path / "k" / "by-pyrage.age"
    protected.write_bytes(pyrage.passphrase.encrypt(key.file.read_bytes(), "pw"))
    sealed_by_age = tmp_path / "m.age"
    run([tool("age"), "-r", key.recipient, "-o", str(sealed_by_age)], input="msg", check=True)
    args = [tool("age"), "-d", "-i", str(protected), str(sealed_by_age)]
    status, shown = on_terminal(args, [(b"passphrase", b"pw")])
    assert status == 0 and shown.rstrip().endswith("msg"), shown


def test_sops_opens_with_the_same_protected_key_file(tmp_path: Path) -> None:
    key = make_age_key(tmp_path / "k")
    protected = _protect(key.file, "s3same")
    sealed = _sealed_for(tmp_path, key.recipient)
    args = [tool("sops"), "decrypt", str(sealed)]
    env = {"SOPS_AGE_KEY_FILE": str(protected)}
    status, shown = on_terminal(args, [(b"passphrase", b"s3same")], env=env)
    assert status == 0, shown
    assert "pw: hunter2" in shown
