"""Private keys without PEM lines: base64 DER, base64-encoded PEM, JSON Web Keys.

`privateKey = "MIIEvQIBADANBgkq…"` is a whole RSA key in one string; so is
`tls.key: LS0tLS1CRUdJTi…` (a PEM file, base64-encoded again, as Kubernetes
secrets hold it), a PKCS#12 bundle holding a key in the clear, and the `d`
or `k` member of a JSON Web Key. Each is told apart from certificates, public
keys and ciphertext by what it decodes to, not by its name.
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


def _first_member(der: bytes) -> int | None:
    """Offset of the first member of the SEQUENCE `der` starts with (32 bytes or more)."""
    if len(der) < 32 or der[0] != 0x30:
        return None
    head = _der_length(der, 1)
    return None if head is None else head[1]


def is_private_key_der(der: bytes) -> bool:
    """PKCS#1 RSA, SEC1 EC or PKCS#8 private key (not a certificate or public key).

    All three are a SEQUENCE whose first member is a small INTEGER version:
    PKCS#1 `0` then the modulus (INTEGER), PKCS#8 `0`/`1` then an algorithm
    (SEQUENCE) then the key (OCTET STRING), SEC1 `1` then the key (OCTET STRING).
    Certificates and public keys start with a SEQUENCE inside the SEQUENCE.
    """
    i = _first_member(der)
    if i is None or der[i : i + 2] != b"\x02\x01" or der[i + 2] not in (0, 1):
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


# PFX (RFC 7292): SEQUENCE { version INTEGER 3, authSafe ContentInfo { pkcs7-data, … } }
_PKCS7_DATA = bytes.fromhex("06092a864886f70d010701")
# a SafeBag holding a PKCS#8 private key as it is, not shrouded (1.2.840.113549.1.12.10.1.1)
_KEY_BAG = bytes.fromhex("060b2a864886f70d010c0a0101")


def is_pkcs12_der(der: bytes) -> bool:
    """The start of a PKCS#12 (PFX) bundle: version 3, then a pkcs7-data ContentInfo."""
    i = _first_member(der)
    if i is None or der[i : i + 4] != b"\x02\x01\x03\x30":
        return False
    info = _der_length(der, i + 4)
    return info is not None and der[info[1] : info[1] + len(_PKCS7_DATA)] == _PKCS7_DATA


def _element(der: bytes, i: int, end: int, tag: int) -> tuple[int, int] | None:
    """(start, end) of the contents of the DER element at `i` if its tag is `tag` and
    it ends by `end`; None for any other tag, an indefinite (BER) length or overrun."""
    if i >= end or der[i] != tag:
        return None
    length = _der_length(der, i + 1)
    if length is None or length[1] + length[0] > end:
        return None
    return length[1], length[1] + length[0]


def _members(der: bytes, span: tuple[int, int]) -> Iterator[tuple[int, int]]:
    """(start, end) of each SEQUENCE inside `span`, stopping at anything else."""
    i, end = span
    while (member := _element(der, i, end, 0x30)) is not None:
        yield member
        i = member[1]


def _data_content(der: bytes, info: tuple[int, int]) -> tuple[int, int] | None:
    """The OCTET STRING a pkcs7-data ContentInfo carries (`[0] EXPLICIT`), if it is one."""
    start, end = info
    if der[start : start + len(_PKCS7_DATA)] != _PKCS7_DATA:
        return None  # encryptedData, envelopedData: not read
    explicit = _element(der, start + len(_PKCS7_DATA), end, 0xA0)
    return None if explicit is None else _element(der, explicit[0], explicit[1], 0x04)


def pkcs12_holds_plain_key(der: bytes) -> bool:
    """Whether a PKCS#12 bundle carries a private key in the clear: a `keyBag` in
    SafeContents that are plain `data`, not encrypted.

    The bundle is walked, never opened: no KDF runs and nothing is decrypted, so a
    committed bundle costs time linear in its size whatever it asks for. A bundle
    whose key is shrouded or whose SafeContents are encrypted (with a password or an
    empty one) is not reported, like a passphrase-encrypted PEM key; so is anything
    the walk cannot read (BER indefinite lengths, unexpected tags).
    """
    pfx = _element(der, 0, len(der), 0x30)
    version = None if pfx is None else _element(der, pfx[0], pfx[1], 0x02)
    if pfx is None or version is None or der[version[0] : version[1]] != b"\x03":
        return False
    auth_info = _element(der, version[1], pfx[1], 0x30)
    auth_safe = None if auth_info is None else _data_content(der, auth_info)
    safes = None if auth_safe is None else _element(der, auth_safe[0], auth_safe[1], 0x30)
    if safes is None:
        return False
    for info in _members(der, safes):
        contents = _data_content(der, info)
        bags = None if contents is None else _element(der, contents[0], contents[1], 0x30)
        if bags is None:
            continue
        for bag_start, _ in _members(der, bags):
            if der[bag_start : bag_start + len(_KEY_BAG)] == _KEY_BAG:
                return True
    return False


# where a `_B64_RUN` may start: sixty base64 characters after a non-base64 one
_RUN_START = re.compile(rb"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{60}")


def der_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """Base64 DER private keys: `MII…`, `MHc…`, `MC4…` runs that decode to one, and
    base64 PKCS#12 bundles holding a key in the clear (`pkcs12_holds_plain_key`).

    A run must start on a keyword's line; it is read from there up to `_MAX_KEY`,
    and no later search starts inside it, so each byte is read a bounded number of
    times however many keywords the file holds."""
    n = len(data)
    cursor = 0
    for start, end in line_windows(data, positions):
        if cursor > end:
            continue  # the line is inside the run just read
        for s in _RUN_START.finditer(data, max(start, cursor), min(n, end + 60)):
            if s.start() < cursor:  # a later line of the run just read
                continue
            m = _B64_RUN.match(data, s.start(), min(n, s.start() + _MAX_KEY))
            if m is None:
                continue
            cursor = m.end()
            if data.rfind(b"-----BEGIN", max(0, m.start(1) - 300), m.start(1)) >= 0:
                continue  # a PEM block's body: the PEM rule judges it (encrypted, `...`)
            run = m.group(1)
            der = _decode(run[:96])
            if der is None:
                continue
            if is_pkcs12_der(der):
                whole = _decode(run)
                if whole is None or not pkcs12_holds_plain_key(whole):
                    continue
            elif not is_private_key_der(der):
                continue
            if filters.entropy(_NOT_B64.sub(b"", run)) < 4.5:
                continue
            yield Candidate(m.start(1), m.end(1), _NOT_B64.sub(b"", run))


# `-----BEGIN`, or `Bag Attributes` (what `openssl pkcs12 -nodes` writes before each
# PEM block, the private key's among them), base64-encoded
_PEM_START = re.compile(rb"(?<![A-Za-z0-9+/])(?:LS0tLS1CRUdJTi|QmFnIEF0dHJpYnV0ZXM)")
_PEM_B64 = re.compile(
    rb"(?<![A-Za-z0-9+/])((?:LS0tLS1CRUdJTi|QmFnIEF0dHJpYnV0ZXM)[A-Za-z0-9+/]{40,}={0,2})"
)
_PEM_KEY_BEGIN = re.compile(rb"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY-----")


def encoded_pem_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """A PEM private key base64-encoded once more (`tls.key: LS0tLS1CRUdJTi…`), at the
    sorted `positions` of its two keywords. A run must start on a keyword's line and
    is read up to `_MAX_KEY` from there; no later search starts inside it."""
    n = len(data)
    cursor = 0
    for start, end in line_windows(data, positions):
        if cursor > end:
            continue  # the line is inside the run just read
        for s in _PEM_START.finditer(data, max(start, cursor), end):
            m = _PEM_B64.match(data, s.start(), min(n, s.start() + _MAX_KEY))
            if m is None:
                continue
            cursor = m.end()
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


# `PRIVATE KEY` and `"kty"` as they read inside base64 text, at each of the three
# offsets a text can have within a base64 group (the characters its own bytes fix)
ENCODED_PRIVATE_KEY = (b"ufjjvkfursblrv", b"bssvzbveugs0vz", b"quklwqvrfietfw")
ENCODED_KTY = (b"imt0es", b"jrdhki", b"ia3r5i")
_B64_TEXT = re.compile(rb"[A-Za-z0-9+/]{16,}={0,2}")
_B64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_texts(data: bytes, positions: list[int]) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, decoded bytes) of each base64 run holding one of the sorted
    `positions`, each run once. A run reaching past `_MAX_KEY` either side of its
    position is not read, and the search goes on from where the last one stopped, so
    each byte is searched at most twice however many positions there are."""
    cursor = 0
    n = len(data)
    for i in positions:
        if i < cursor:
            continue
        lo, hi = max(cursor, i - _MAX_KEY), min(n, i + _MAX_KEY)
        run = next((m for m in _B64_TEXT.finditer(data, lo, hi) if m.end() > i), None)
        if run is None or run.start() > i:
            cursor = run.start() if run is not None else hi
            continue
        cursor = run.end()
        start, end = run.span()
        if (start > 0 and data[start - 1] in _B64_CHARS) or (end < n and data[end] in _B64_CHARS):
            continue  # cut by the bound: longer than a key's document
        text = _decode(run.group())
        if text is not None:
            yield start, end, text


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
