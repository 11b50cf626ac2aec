"""SSHSIG in both directions against the real ssh-keygen, namespaces enforced."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer.audit import NAMESPACE, sshsig
from tests.audit.keys import SshKey, add_to_agent, make_ssh_key, ssh_agent
from tests.helpers import run, tool

MESSAGE = b'{"action":"recipients.update","seq":0}'


def keygen_verify(key: SshKey, sig: bytes, message: bytes, tmp: Path, namespace: str) -> int:
    signers = tmp / "allowed_signers"
    signers.write_text(f'alice@example.invalid namespaces="{NAMESPACE}" {key.public_text}\n')
    sig_file = tmp / "msg.sig"
    sig_file.write_text(sshsig.armor(sig))
    args = ["-Y", "verify", "-f", str(signers), "-I", "alice@example.invalid"]
    args += ["-n", namespace, "-s", str(sig_file)]
    return run([tool("ssh-keygen"), *args], input=message).returncode


def keygen_sign(key: Path, message: bytes, namespace: str = NAMESPACE, **kw: object) -> bytes:
    args = [tool("ssh-keygen"), "-Y", "sign", "-n", namespace, "-f", str(key)]
    out = run(args, input=message, check=True, **kw)  # type: ignore[arg-type]
    return sshsig.dearmor(out.stdout)


def test_ssh_keygen_accepts_what_sealer_signs_in_its_namespace_only(tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path, "alice")
    signer = sshsig.load_signer(str(key.private))
    assert isinstance(signer, sshsig.Ed25519Signer)
    sig = signer.sign(MESSAGE, NAMESPACE)
    assert keygen_verify(key, sig, MESSAGE, tmp_path, NAMESPACE) == 0
    assert keygen_verify(key, sig, MESSAGE + b" ", tmp_path, NAMESPACE) != 0
    assert keygen_verify(key, sig, MESSAGE, tmp_path, "git") != 0


@pytest.mark.parametrize("kind", ["ed25519", "rsa", "ecdsa"])
def test_sealer_verifies_what_ssh_keygen_signs(tmp_path: Path, kind: str) -> None:
    key = make_ssh_key(tmp_path, kind, kind)
    sig = keygen_sign(key.private, MESSAGE)
    public = sshsig.verify(MESSAGE, sig, NAMESPACE)
    assert sshsig.fingerprint(public) == key.fingerprint
    with pytest.raises(sshsig.BadSignature, match="does not verify"):
        sshsig.verify(MESSAGE + b"x", sig, NAMESPACE)


def test_a_signature_made_for_git_is_not_an_audit_signature(tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path, "alice")
    sig = keygen_sign(key.private, MESSAGE, namespace="git")
    with pytest.raises(sshsig.BadSignature, match="namespace 'git' is not"):
        sshsig.verify(MESSAGE, sig, NAMESPACE)


@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_other_key_types_sign_through_ssh_keygen(tmp_path: Path, kind: str) -> None:
    key = make_ssh_key(tmp_path, kind, kind)
    signer = sshsig.load_signer(str(key.private))
    assert isinstance(signer, sshsig.KeygenSigner)
    sig = signer.sign(MESSAGE, NAMESPACE)
    assert sshsig.fingerprint(sshsig.verify(MESSAGE, sig, NAMESPACE)) == key.fingerprint
    assert keygen_verify(key, sig, MESSAGE, tmp_path, NAMESPACE) == 0


def test_a_passphrase_key_signs_through_the_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_ssh_key(tmp_path, "carol", passphrase="correct horse")
    with ssh_agent(tmp_path) as sock:
        add_to_agent(sock, key, "correct horse", tmp_path)
        monkeypatch.setenv("SSH_AUTH_SOCK", sock)
        key.private.unlink()  # only the agent holds the secret half now
        for spec in (str(key.public), "key::" + key.public_text):
            sig = sshsig.load_signer(spec).sign(MESSAGE, NAMESPACE)
            assert sshsig.fingerprint(sshsig.verify(MESSAGE, sig, NAMESPACE)) == key.fingerprint
            assert keygen_verify(key, sig, MESSAGE, tmp_path, NAMESPACE) == 0


def test_fingerprint_and_key_text_match_ssh_keygen(tmp_path: Path) -> None:
    key = make_ssh_key(tmp_path, "alice")
    blob = sshsig.parse_public_key_text(key.public_text)
    assert sshsig.fingerprint(blob) == key.fingerprint
    assert key.public_text.startswith(sshsig.public_key_text(blob))


def test_a_malformed_signature_is_refused() -> None:
    with pytest.raises(sshsig.BadSignature, match="not an SSHSIG"):
        sshsig.verify(MESSAGE, b"NOTSIG" + bytes(20), NAMESPACE)
    with pytest.raises(sshsig.BadSignature, match="truncated"):
        sshsig.verify(MESSAGE, b"SSHSIG\x00\x00\x00\x01\x00\x00\x01\x00", NAMESPACE)
