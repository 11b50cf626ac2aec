"""A sealed file's PKCS#11 stanza names a token and a key, never a module to load or a PIN.

Regression tests for issue 14, point 1: on 74d6504 a stanza's `module-path` was
dlopen()ed (code ran as the user), its `pin-value` replaced the user's PIN and its
`pin-source` named a file sealer read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.attacks.hostile import PLAIN, marking_library, sealer_in
from tests.recipients.hsm import MODULE, Token


def sealed_for_token(hsm: Token, directory: Path, key: str, query: str) -> Path:
    """A file sealed for the token, whose stanza URI an attacker extended by `query`."""
    (directory / "plain.yaml").write_text(PLAIN)
    out = sealer_in(directory, "encrypt", "--pkcs11", hsm.uri(key), "plain.yaml")
    assert out.returncode == 0, out.stderr
    uri = f"uri: {hsm.uri(key)}"
    assert uri in out.stdout
    sealed = directory / "s.yaml"
    sealed.write_text(out.stdout.replace(uri, f"{uri}?{query}"))
    return sealed


def test_a_stanzas_module_path_is_never_loaded(hsm: Token, tmp_path: Path) -> None:
    library, marker = marking_library(tmp_path / "lib")
    sealed = sealed_for_token(hsm, tmp_path, "sealer-rsa", f"module-path={library}")
    for command in (["decrypt", "s.yaml"], ["status", "s.yaml"]):
        out = sealer_in(tmp_path, *command, env={"SEALER_PKCS11_MODULE": ""})
        assert not marker.exists(), f"{command[0]} loaded the stanza's module"
    out = sealer_in(tmp_path, "decrypt", "s.yaml", env={"SEALER_PKCS11_MODULE": ""})
    assert out.returncode == 128
    assert "no PKCS#11 module for token 'sealer-test', object 'sealer-rsa'" in out.stderr
    assert "a module-path in a URI is never loaded" in out.stderr
    assert str(library) not in out.stderr  # no hint to trust the file's library
    # the user's own module opens it, the stanza's is still not loaded
    out = sealer_in(tmp_path, "decrypt", "s.yaml")
    assert out.returncode == 0, out.stderr
    assert out.stdout == PLAIN
    assert not marker.exists()
    assert sealed.exists()


@pytest.mark.parametrize("query", ["pin-value=0000", "pin-source=file:{wrong}"])
def test_a_stanzas_pin_is_never_used_or_read(hsm: Token, tmp_path: Path, query: str) -> None:
    wrong = tmp_path / "wrong-pin"
    wrong.write_text("0000\n")
    sealed_for_token(hsm, tmp_path, "sealer-aes", query.format(wrong=wrong))
    out = sealer_in(tmp_path, "decrypt", "s.yaml")
    assert "wrong PIN" not in out.stderr  # the user's PIN was used, no try was spent
    assert out.returncode == 0, out.stderr
    assert out.stdout == PLAIN


def test_a_rules_files_pin_source_is_refused_not_read(hsm: Token, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong-pin"
    wrong.write_text("0000\n")
    (tmp_path / ".sealer.yaml").write_text(
        f"creation_rules:\n  - pkcs11: ['{hsm.uri('sealer-aes')}?pin-source=file:{wrong}']\n"
    )
    (tmp_path / "plain.yaml").write_text(PLAIN)
    out = sealer_in(tmp_path, "encrypt", "plain.yaml")
    assert out.returncode == 5, out.stderr
    assert "pin-source in a PKCS#11 URI is not used: token 'sealer-test'" in out.stderr
    assert "wrong PIN" not in out.stderr


def test_the_module_comes_from_the_user(hsm: Token, tmp_path: Path) -> None:
    assert Path(MODULE).is_file()
    sealed_for_token(hsm, tmp_path, "sealer-rsa", "module-name=softhsm2")
    out = sealer_in(tmp_path, "decrypt", "s.yaml")
    assert out.returncode == 0, out.stderr
    assert out.stdout == PLAIN
