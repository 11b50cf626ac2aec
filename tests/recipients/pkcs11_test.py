"""PKCS#11 recipients against a real SoftHSM2 token initialised by the tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import AgeKey, sealer, sops, tool
from tests.recipients.hsm import MODULE, PIN, Token
from tests.recipients.roundtrip import FORMATS, SAMPLES, SECRET, SUFFIX, no_tty, seal_file

PLAIN = f"db:\n  password: {SECRET}\n"


def seal(tmp_path: Path, *spec: str, name: str = "s.yaml", text: str = PLAIN) -> Path:
    return seal_file(tmp_path, *spec, text=text, name=name)


def test_sealing_for_rsa_needs_no_pin(hsm: Token, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-rsa"))
    text = sealed.read_text()
    assert "mechanism: RSA-PKCS-OAEP" in text
    assert f"uri: {hsm.uri('sealer-rsa')}" in text
    opened = sealer("decrypt", str(sealed), check=True)
    assert opened.stdout == PLAIN


def test_aes_stanza_records_its_mechanism(hsm: Token, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-aes"))
    assert "mechanism: AES-KEY-WRAP+AES-GCM" in sealed.read_text()


@pytest.mark.parametrize("fmt", FORMATS[:4])
def test_sops_opens_a_file_with_pkcs11_stanzas_by_its_age_key(
    fmt: str, hsm: Token, age_key: AgeKey, tmp_path: Path
) -> None:
    sealed = seal(
        tmp_path,
        *("--age", age_key.recipient, "--pkcs11", hsm.uri("sealer-rsa")),
        name=f"s{SUFFIX[fmt]}",
        text=SAMPLES[fmt],
    )
    assert "pkcs11" in sealed.read_text()
    out = sops("decrypt", str(sealed), env={"SOPS_AGE_KEY_FILE": str(age_key.file)}, check=True)
    assert SECRET in out.stdout
    # and sealer still opens it by the token alone
    assert sealer("decrypt", str(sealed), check=True).stdout == SAMPLES[fmt]


def test_sops_opens_key_groups_where_one_group_is_only_pkcs11(
    hsm: Token, age_key: AgeKey, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    from tests.helpers import make_age_key

    second = make_age_key(other)
    (tmp_path / ".sealer.yaml").write_text(
        "creation_rules:\n  - key_groups:\n"
        f"      - age: [{age_key.recipient}]\n"
        f"      - pkcs11: ['{hsm.uri('sealer-aes')}']\n"
        f"      - age: [{second.recipient}]\n"
        "    shamir_threshold: 2\n"
    )
    sealed = seal(tmp_path, name="g.yaml")
    keys = tmp_path / "both.txt"
    keys.write_text(age_key.file.read_text() + second.file.read_text())
    out = sops("decrypt", str(sealed), env={"SOPS_AGE_KEY_FILE": str(keys)}, check=True)
    assert f"password: {SECRET}" in out.stdout
    # sealer with one age key and the token
    opened = sealer("decrypt", str(sealed), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == PLAIN


def test_wrong_pin_is_a_clear_error(hsm: Token, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-aes"))
    out = sealer("decrypt", str(sealed), env={"SEALER_PKCS11_PIN": "0000"})
    assert out.returncode == 128
    assert f"wrong PIN for PKCS#11 token '{hsm.label}'" in out.stderr
    assert out.stdout == ""


def test_no_pin_and_no_terminal_says_where_a_pin_comes_from(hsm: Token, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-rsa"))
    out = no_tty("decrypt", str(sealed), env={"SEALER_PKCS11_PIN": ""})
    assert out.returncode == 128
    assert "needs a PIN and there is no terminal" in out.stderr
    assert "SEALER_PKCS11_PIN_SOURCE" in out.stderr


def test_pin_from_a_pin_source(hsm: Token, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEALER_PKCS11_PIN")
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    monkeypatch.setenv("SEALER_PKCS11_PIN_SOURCE", str(pin_file))
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-aes"))
    opened = sealer("decrypt", str(sealed))
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == PLAIN


def test_a_pin_in_a_recipient_uri_is_refused(hsm: Token, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    for query in (f"pin-value={PIN}", f"pin-source=file:{tmp_path / 'pin'}"):
        uri = hsm.uri("sealer-aes") + "?" + query
        out = sealer("encrypt", "--pkcs11", uri, str(tmp_path / "p.yaml"))
        assert out.returncode == 5
        name = query.partition("=")[0]
        assert f"sealer: error: {name} in a PKCS#11 URI is not used: token 'sealer-test'" in (
            out.stderr
        )
        assert "the PIN comes from SEALER_PKCS11_PIN" in out.stderr
        assert PIN not in out.stderr


def test_module_from_the_environment(hsm: Token, tmp_path: Path) -> None:
    uri = hsm.uri("sealer-rsa")
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer(
        "encrypt", "--pkcs11", uri, str(tmp_path / "p.yaml"), env={"SEALER_PKCS11_MODULE": ""}
    )
    assert out.returncode == 5
    assert "no PKCS#11 module for token 'sealer-test', object 'sealer-rsa'" in out.stderr
    assert "SEALER_PKCS11_MODULE" in out.stderr
    enc = sealer(
        "encrypt", "--pkcs11", uri + f"?module-path={MODULE}", str(tmp_path / "p.yaml"), check=True
    )
    assert "module-path" not in enc.stdout
    (tmp_path / "e.yaml").write_text(enc.stdout)
    assert sealer("decrypt", str(tmp_path / "e.yaml"), check=True).stdout == PLAIN


def test_module_from_the_users_config_file(hsm: Token, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-rsa"))
    config = tmp_path / "config"
    (config / "sealer").mkdir(parents=True)
    (config / "sealer" / "pkcs11-module").write_text(f"# SoftHSM2\n{MODULE}\n")
    env = {"SEALER_PKCS11_MODULE": "", "XDG_CONFIG_HOME": str(config)}
    assert sealer("decrypt", str(sealed), env=env, check=True).stdout == PLAIN


def test_missing_token_is_a_clear_error(hsm: Token, tmp_path: Path) -> None:
    absent = "pkcs11:token=absent;object=sealer-rsa"
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--pkcs11", absent, str(tmp_path / "p.yaml"))
    assert out.returncode == 1
    assert "PKCS#11 token not found: token 'absent', object 'sealer-rsa'" in out.stderr
    assert f"tokens present in {MODULE}: '{hsm.label}'" in out.stderr
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-rsa"))
    sealed.write_text(sealed.read_text().replace(f"token={hsm.label}", "token=absent"))
    out = sealer("decrypt", str(sealed))
    assert out.returncode == 128
    assert "pkcs11:token=absent;object=sealer-rsa: PKCS#11 token not found" in out.stderr


def test_missing_object_is_a_clear_error(hsm: Token, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--pkcs11", hsm.uri("no-such-key"), str(tmp_path / "p.yaml"))
    assert out.returncode == 1
    assert "no RSA public key or AES key on the token matches" in out.stderr
    assert "object 'no-such-key'" in out.stderr
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-rsa"))
    sealed.write_text(sealed.read_text().replace("object=sealer-rsa", "object=gone"))
    out = sealer("decrypt", str(sealed))
    assert out.returncode == 128
    assert (
        "no RSA private key on the token matches token 'sealer-test', object 'gone'" in out.stderr
    )


@pytest.mark.parametrize("key", ["sealer-rsa-nounwrap", "sealer-aes-nounwrap"])
def test_key_without_unwrap_permission_is_a_clear_error(
    key: str, hsm: Token, tmp_path: Path
) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri(key))
    out = sealer("decrypt", str(sealed))
    assert out.returncode == 128
    assert f"object '{key}' does not permit unwrapping (CKA_UNWRAP is false)" in out.stderr


def test_token_keys_never_leave_the_token_and_no_data_key_stays_on_it(
    hsm: Token, tmp_path: Path
) -> None:
    before = hsm.objects()
    keys = [o for o in before if o["class"] in ("PRIVATE_KEY", "SECRET_KEY")]
    assert len(keys) == 4
    for obj in keys:
        assert obj["extractable"] is False, obj
        assert obj["sensitive"] is True, obj
        assert obj["never_extractable"] is True, obj
        assert obj["secret_readable"] is False, obj
    for key in ("sealer-rsa", "sealer-aes"):
        sealed = seal(tmp_path, "--pkcs11", hsm.uri(key), name=f"{key}.yaml")
        assert sealer("decrypt", str(sealed), check=True).stdout == PLAIN
    # sealing and opening left no object behind: the unwrapped value lived in a
    # session object that was destroyed, never in a token object
    assert sorted(map(str, hsm.objects())) == sorted(map(str, before))


def test_stanza_holds_no_pin_and_enc_is_base64(hsm: Token, tmp_path: Path) -> None:
    sealed = seal(tmp_path, "--pkcs11", hsm.uri("sealer-aes"))
    text = sealed.read_text()
    assert PIN not in text
    enc = re.search(r"enc: (\S+)", text)
    assert enc is not None
    import base64

    # wrapped K (40) + nonce (12) + sealed 32-byte key + tag (16)
    assert len(base64.b64decode(enc.group(1))) == 40 + 12 + 32 + 16


def test_not_a_pkcs11_uri_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--pkcs11", "token=x;object=y", str(tmp_path / "p.yaml"))
    assert out.returncode == 5
    assert "not a PKCS#11 URI" in out.stderr
    out = sealer("encrypt", "--pkcs11", "pkcs11:object=y", str(tmp_path / "p.yaml"))
    assert out.returncode == 5
    assert "must name a token and a key" in out.stderr


def test_softhsm_tools_are_installed() -> None:
    assert shutil.which("softhsm2-util") == tool("softhsm2-util")
    assert Path(MODULE).is_file()
