"""Where keys come from: every source is read and merged; named sources must exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer import identities
from sealer.errors import ConfigError, FileError
from tests.helpers import make_age_key, sealer


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
