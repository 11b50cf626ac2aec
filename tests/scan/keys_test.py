"""Private keys without PEM lines (sealer/scan/keys.py): base64 PKCS#12 bundles.

The bundles are made here, with keys the test generates (cryptography and the
`openssl` command), never copied from anywhere.
"""

from __future__ import annotations

import base64
import datetime
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from sealer.scan import engine, keys


def rule_ids(text: str) -> list[str]:
    return [h.rule.id for h in engine.scan(text.encode())]


def _key_and_cert() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push.internal.test")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _bundle(encryption: serialization.KeySerializationEncryption) -> bytes:
    key, cert = _key_and_cert()
    return pkcs12.serialize_key_and_certificates(b"push", key, cert, None, encryption)


def _go_const(der: bytes) -> str:
    return f"const certificateP12 = `{base64.b64encode(der).decode()}`\n"


def test_a_pkcs12_bundle_without_a_password_is_a_private_key() -> None:
    der = _bundle(serialization.NoEncryption())
    assert keys.is_pkcs12_der(der)
    assert rule_ids(_go_const(der)) == ["private-key-der"]


def test_a_pkcs12_bundle_with_a_password_is_not_reported() -> None:
    # as a passphrase-encrypted PEM key: useless without the password
    der = _bundle(serialization.BestAvailableEncryption(b"correct horse"))
    assert keys.is_pkcs12_der(der)
    assert rule_ids(_go_const(der)) == []


def test_a_certificate_only_bundle_is_not_reported() -> None:
    _, cert = _key_and_cert()
    der = pkcs12.serialize_key_and_certificates(
        b"ca", None, cert, None, serialization.NoEncryption()
    )
    assert rule_ids(_go_const(der)) == []


def test_a_bundle_asking_for_many_iterations_is_not_opened(tmp_path: Path) -> None:
    # a committed file must not make the scan slow: an empty-password bundle whose KDF
    # and MAC counts add up past the bound is left unopened (so not reported)
    key, cert = _key_and_cert()
    pem = tmp_path / "push.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )

    def export(*flags: str) -> bytes:
        out = tmp_path / "push.p12"
        subprocess.run(
            ["openssl", "pkcs12", "-export", "-in", str(pem), "-out", str(out),
             "-passout", "pass:", *flags],
            check=True,
        )  # fmt: skip
        return out.read_bytes()

    assert rule_ids(_go_const(export("-iter", "2048"))) == ["private-key-der"]
    slow = export("-iter", "60000")
    assert keys.pkcs12_opens_without_password(slow) is False
    assert rule_ids(_go_const(slow)) == []


def test_at_most_eight_bundles_are_opened_per_file() -> None:
    text = "".join(_go_const(_bundle(serialization.NoEncryption())) for _ in range(10))
    assert rule_ids(text) == ["private-key-der"] * 8
