"""Private keys without PEM lines: base64 DER, base64-encoded PEM, JSON Web Keys.

`privateKey = "MIIEvQIBADANBgkq…"` is a whole RSA key in one string; so is
`tls.key: LS0tLS1CRUdJTi…` (a PEM file, base64-encoded again, as Kubernetes
secrets hold it) and the `d` or `k` member of a JSON Web Key. Each is told
apart from certificates, public keys and ciphertext by what it decodes to,
not by its name.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from sealer.scan import filters
from sealer.scan.candidate import Candidate, line_windows

# a base64 run, maybe wrapped over lines (or `\n` escapes) as long as each piece is long
_B64_RUN = re.compile(
    rb"(?<![A-Za-z0-9+/])([A-Za-z0-9+/]{60,}(?:(?:\\[nr]|\s)+[A-Za-z0-9+/]{16,})*={0,2})"
)
_NOT_B64 = re.compile(rb"\\[nr]|\s")
_MAX_KEY = 16 * 1024


def _decode(text: bytes) -> bytes | None:
    text = _NOT_B64.sub(b"", text)
    try:
        return base64.b64decode(text + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _der_length(der: bytes, i: int) -> tuple[int, int] | None:
    """(length, offset of the contents) of the DER element whose length byte is at `i`."""
    if i >= len(der):
        return None
    first = der[i]
    if first < 0x80:
        return first, i + 1
    n = first & 0x7F
    if n == 0 or n > 3 or i + 1 + n > len(der):
        return None
    return int.from_bytes(der[i + 1 : i + 1 + n], "big"), i + 1 + n


def is_private_key_der(der: bytes) -> bool:
    """PKCS#1 RSA, SEC1 EC or PKCS#8 private key (not a certificate or public key).

    All three are a SEQUENCE whose first member is a small INTEGER version:
    PKCS#1 `0` then the modulus (INTEGER), PKCS#8 `0`/`1` then an algorithm
    (SEQUENCE) then the key (OCTET STRING), SEC1 `1` then the key (OCTET STRING).
    Certificates and public keys start with a SEQUENCE inside the SEQUENCE.
    """
    if len(der) < 32 or der[0] != 0x30:
        return False
    head = _der_length(der, 1)
    if head is None:
        return False
    i = head[1]
    if der[i : i + 2] != b"\x02\x01" or der[i + 2] not in (0, 1):
        return False
    version, nxt = der[i + 2], der[i + 3 : i + 4]
    if version == 0 and nxt == b"\x02":
        return True  # PKCS#1 RSAPrivateKey
    if version == 1 and nxt == b"\x04":
        return True  # SEC1 ECPrivateKey
    if nxt == b"\x30":  # PKCS#8: AlgorithmIdentifier, then the key as an OCTET STRING
        alg = _der_length(der, i + 4)
        return alg is not None and der[alg[1] + alg[0] : alg[1] + alg[0] + 1] == b"\x04"
    return False


def der_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """Base64 DER private keys: `MII…`, `MHc…`, `MC4…` runs that decode to one."""
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for m in _B64_RUN.finditer(data, start, min(len(data), end + _MAX_KEY)):
            if m.start(1) in seen or m.start(1) > end:
                continue
            seen.add(m.start(1))
            if data.rfind(b"-----BEGIN", max(0, m.start(1) - 300), m.start(1)) >= 0:
                continue  # a PEM block's body: the PEM rule judges it (encrypted, `...`)
            run = m.group(1)
            der = _decode(run[:96])
            if der is None or not is_private_key_der(der):
                continue
            if filters.entropy(_NOT_B64.sub(b"", run)) < 4.5:
                continue
            yield Candidate(m.start(1), m.end(1), _NOT_B64.sub(b"", run))


# `-----BEGIN`, or `Bag Attributes` (what `openssl pkcs12 -nodes` writes before each
# PEM block, the private key's among them), base64-encoded
_PEM_B64 = re.compile(
    rb"(?<![A-Za-z0-9+/])((?:LS0tLS1CRUdJTi|QmFnIEF0dHJpYnV0ZXM)[A-Za-z0-9+/]{40,}={0,2})"
)
_PEM_KEY_BEGIN = re.compile(rb"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY-----")


def encoded_pem_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """A PEM private key base64-encoded once more (`tls.key: LS0tLS1CRUdJTi…`)."""
    for start, end in line_windows(data, positions):
        for m in _PEM_B64.finditer(data, start, min(len(data), end + _MAX_KEY)):
            if m.start(1) > end:
                break
            text = m.group(1)
            pem = _decode(text[: 4 * 1024 if text.startswith(b"LS0t") else _MAX_KEY])
            if pem is None:
                continue
            begin = _PEM_KEY_BEGIN.search(pem)
            if begin is None or (text.startswith(b"LS0t") and begin.start() != 0):
                continue
            if b"ENCRYPTED" in pem[begin.start() : begin.start() + 300]:
                continue
            yield Candidate(m.start(1), m.end(1), m.group(1))


_JWK_MEMBER = re.compile(
    rb"[\"']?\b(?P<n>d|k)\b[\"']?[ \t]*[:=][ \t]*[\"'](?P<s>[A-Za-z0-9_-]{16,})[\"']"
)
_JWK_SPAN = 1024


def jwk_private_members(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """The private `d` (RSA, EC, OKP) or `k` (symmetric) member of a JSON Web Key:
    found near a `kty` member, in the same object."""
    seen: set[int] = set()
    for i in positions:
        # the object around it, or (YAML) the span before it: not the file's start
        lo = max(data.rfind(b"{", max(0, i - _JWK_SPAN), i), i - _JWK_SPAN, 0)
        hi = data.find(b"}", i, i + _JWK_SPAN)
        hi = hi if hi >= 0 else min(len(data), i + _JWK_SPAN)
        for m in _JWK_MEMBER.finditer(data, lo, hi):
            if m.start("s") in seen:
                continue
            seen.add(m.start("s"))
            yield Candidate(m.start("s"), m.end("s"), m["s"])
