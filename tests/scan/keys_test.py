"""Private keys without PEM lines (sealer/scan/keys.py): base64 PKCS#12 bundles, and
PEM keys and JSON Web Keys inside base64-encoded text.

The bundles are made here, with keys the test generates (cryptography and the
`openssl` command), never copied from anywhere.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
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


def test_an_rsa_bundle_without_a_password_is_found_too() -> None:
    # its public exponent (65537) is an INTEGER too, but not a work factor
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _, cert = _key_and_cert()
    der = pkcs12.serialize_key_and_certificates(
        b"push", key, None, [cert], serialization.NoEncryption()
    )
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


def _pem(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def _values_file(pem: str) -> str:
    """A Helm-style values file holding a certificate and a key, base64-encoded whole."""
    _, cert = _key_and_cert()
    crt = cert.public_bytes(serialization.Encoding.PEM).decode()
    indent = lambda block: "".join("        " + line + "\n" for line in block.splitlines())  # noqa: E731
    text = f"identity:\n  tls:\n    crtPEM: |\n{indent(crt)}    keyPEM: |\n{indent(pem)}"
    return base64.b64encode(text.encode()).decode()


def test_a_pem_key_inside_base64_encoded_text_is_found() -> None:
    key, _ = _key_and_cert()
    assert rule_ids(f"values: {_values_file(_pem(key))}\n") == ["private-key-encoded-pem"]


def test_an_encrypted_pem_key_inside_base64_encoded_text_is_not_reported() -> None:
    key, _ = _key_and_cert()
    assert rule_ids(f"values: {_values_file(_pem(key, b'correct horse'))}\n") == []


def test_a_json_web_key_set_encoded_in_base64_is_found_by_its_private_member() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.private_numbers()

    def b64url(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()

    public = {"kty": "EC", "crv": "P-256", "x": b64url(numbers.public_numbers.x),
              "y": b64url(numbers.public_numbers.y)}  # fmt: skip
    private = {**public, "d": b64url(numbers.private_value)}
    encoded = base64.b64encode(json.dumps({"keys": [private]}, indent=4).encode()).decode()
    assert rule_ids(f"JWKS={encoded}\n") == ["jwk-private-key"]
    only_public = base64.b64encode(json.dumps({"keys": [public]}, indent=4).encode()).decode()
    assert rule_ids(f"JWKS={only_public}\n") == []


class _CountingRuns:
    """`keys._B64_TEXT` adding up the bytes its searches go through."""

    consumed = 0

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern

    def finditer(self, data: bytes, start: int, end: int) -> Iterator[re.Match[bytes]]:
        last = start
        for m in self.pattern.finditer(data, start, end):
            _CountingRuns.consumed += m.end() - last
            last = m.end()
            yield m
        _CountingRuns.consumed += end - last


@pytest.mark.parametrize("unit", [b"jrdhki ", b"QUJDjrdhkiQUJDREVGSElKS0xN ", b"ufjjvkfursblrv."])
def test_many_encoded_keywords_cost_work_linear_in_the_file(
    unit: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A committed file full of keyword look-alikes must not make the scan search
    back over the same bytes for each: twice the file is about twice the work."""
    monkeypatch.setattr(keys, "_B64_TEXT", _CountingRuns(keys._B64_TEXT))

    def consumed(repeats: int) -> int:
        _CountingRuns.consumed = 0
        engine.scan(unit * repeats)
        return _CountingRuns.consumed

    small, large = consumed(2000), consumed(4000)
    assert small > 0
    assert large <= 2.2 * small
