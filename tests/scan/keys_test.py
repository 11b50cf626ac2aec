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
from tests.helpers import sealer
from tests.scan.scanned import rule_ids


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


def _openssl_bundles(tmp_path: Path, algorithm: str) -> dict[str, bytes]:
    """`openssl pkcs12 -export` of a new key and its self-signed certificate: the key
    in the clear (`-keypbe NONE`), and the usual way with an empty password (key
    shrouded, certificates encrypted, MAC'd)."""
    pem, crt, out = tmp_path / "key.pem", tmp_path / "cert.pem", tmp_path / "bundle.p12"
    subprocess.run(["openssl", "genpkey", "-algorithm", algorithm, "-out", str(pem)], check=True)
    digest = ["-sm3"] if algorithm == "SM2" else []
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", str(pem), *digest, "-days", "30",
                    "-subj", "/CN=push.internal.test", "-out", str(crt)], check=True)  # fmt: skip
    export = ["openssl", "pkcs12", "-export", "-in", str(crt), "-inkey", str(pem),
              "-out", str(out), "-passout", "pass:"]  # fmt: skip
    bundles = {}
    for name, flags in (("plain", ["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"]),
                        ("empty password", [])):  # fmt: skip
        subprocess.run([*export, *flags], check=True)
        bundles[name] = out.read_bytes()
    return bundles


def test_a_bundle_is_walked_not_opened(tmp_path: Path) -> None:
    # a bundle is never decrypted (a committed one may ask for any KDF work): only a
    # key bag in plain SafeContents counts, even when an empty password would open it
    bundles = _openssl_bundles(tmp_path, "ED25519")
    assert rule_ids(_go_const(bundles["plain"])) == ["private-key-der"]
    assert keys.is_pkcs12_der(bundles["empty password"])
    assert rule_ids(_go_const(bundles["empty password"])) == []


def test_a_bundle_with_a_key_cryptography_cannot_load_does_not_stop_the_scan(
    tmp_path: Path,
) -> None:
    # SM2: OpenSSL makes it, the `cryptography` package raises UnsupportedAlgorithm
    bundles = _openssl_bundles(tmp_path, "SM2")
    (tmp_path / "a_plain.go").write_text(_go_const(bundles["plain"]))
    (tmp_path / "b_empty.go").write_text(_go_const(bundles["empty password"]))
    (tmp_path / "d_other.py").write_text('PASSWORD = "Vq7-rT2!mz9Lk4pW"\n')  # sealer:allow
    result = sealer("scan", "--json", "a_plain.go", "b_empty.go", "d_other.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = [(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("a_plain.go", "private-key-der"), ("d_other.py", "generic-secret")]


def test_a_walk_that_meets_an_indefinite_length_stops_and_reports_nothing() -> None:
    der = _bundle(serialization.NoEncryption())
    assert keys.pkcs12_holds_plain_key(der)
    # the same bundle with its outer SEQUENCE in BER's indefinite form (0x80 … 00 00)
    head = keys._der_length(der, 1)
    assert head is not None
    ber = b"\x30\x80" + der[head[1] :] + b"\x00\x00"
    assert keys.pkcs12_holds_plain_key(ber) is False
    assert keys.pkcs12_holds_plain_key(der[: len(der) // 2]) is False


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
    """One of `keys`' patterns, adding up the bytes its searches and matches go
    through: a search all of its range, a match what it consumed or (failing) the
    base64 characters it could have read."""

    consumed = 0
    _READABLE = re.compile(rb"[A-Za-z0-9+/=]*")

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern

    def finditer(self, data: bytes, start: int, end: int) -> Iterator[re.Match[bytes]]:
        last = start
        for m in self.pattern.finditer(data, start, end):
            _CountingRuns.consumed += m.end() - last
            last = m.end()
            yield m
        _CountingRuns.consumed += end - last

    def match(self, data: bytes, start: int, end: int) -> re.Match[bytes] | None:
        m = self.pattern.match(data, start, end)
        readable = self._READABLE.match(data, start, end)
        assert readable is not None
        _CountingRuns.consumed += (m.end() if m else readable.end()) - start + 1
        return m


_PATTERNS = ("_B64_TEXT", "_RUN_START", "_B64_RUN", "_PEM_START", "_PEM_B64")
_LONG_LINE = b"MII" + b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 2 + b"\n"


@pytest.mark.parametrize(
    "unit",
    [b"jrdhki ", b"QUJDjrdhkiQUJDREVGSElKS0xN ", b"ufjjvkfursblrv.", b"x ufjjvkfursblrv\n",
     b"mii\n", b"LS0tLS1CRUdJTi\n", b"QmFnIEF0dHJpYnV0ZXM\n", _LONG_LINE],
)  # fmt: skip
def test_many_encoded_keywords_cost_work_linear_in_the_file(
    unit: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A committed file full of keyword look-alikes must not make the scan search
    the same bytes again for each: twice the file is about twice the work."""
    for name in _PATTERNS:
        monkeypatch.setattr(keys, name, _CountingRuns(getattr(keys, name)))

    def consumed(repeats: int) -> int:
        _CountingRuns.consumed = 0
        engine.scan(unit * repeats)
        return _CountingRuns.consumed

    small, large = consumed(2000), consumed(4000)
    assert small > 0
    assert large <= 2.2 * small
