"""The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value grammar of SOPS.

One sealed value is AES-256-GCM of the value's SOPS bytes (see values.py) with
the key path as additional data. The `type:` field is not authenticated; it only
says how to parse the plaintext.
"""

import binascii
import re

from sealer import primitives
from sealer.records import Record
from sealer.values import Value, from_bytes, to_bytes

# sops' own pattern: anchored at the start only, greedy groups. Compiled on
# first use: opening a file needs only _FIELDS below.
_ENC = r"ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]"
PREFIX = "ENC[AES256_GCM,"


class Sealed(Record):
    data: bytes
    iv: bytes
    tag: bytes
    type: str


class BadValue(Exception):
    """Not the ENC grammar, or bad base64 in it."""


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX) and re.match(_ENC, text) is not None


# What sops writes, which is all sealer accepts. `[^,]*` keeps matching linear
# however large a value is (binary files seal whole); the fields hold no commas.
_FIELDS = re.compile(r"ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:(\w+)\]\Z")


def parse(text: str) -> Sealed:
    """The parts of a value as sops writes it; anything else raises BadValue."""
    return Sealed(*_parts(text))


def _parts(text: str) -> tuple[bytes, bytes, bytes, str]:
    """(data, iv, tag, type) of an ENC[...] value; a plain tuple, as opening needs it."""
    m = _FIELDS.match(text)
    if m is None:
        if re.match(_ENC, text) is None:
            raise BadValue("not an ENC[...] value")
        raise BadValue("an ENC[...] value is damaged (text after it, or a bad type)")
    data, iv, tag, kind = m.groups()
    if (
        (data[-1:] == "=" and data[-3:] not in _PADDED_ENDS)
        or (iv[-1:] == "=" and iv[-3:] not in _PADDED_ENDS)
        or (tag[-1:] == "=" and tag[-3:] not in _PADDED_ENDS)
    ):
        raise BadValue("bad base64 in an ENC[...] value")
    a2b = binascii.a2b_base64
    try:
        return (
            a2b(data, strict_mode=True),
            a2b(iv, strict_mode=True),
            a2b(tag, strict_mode=True),
            kind,
        )
    except ValueError as e:  # binascii.Error, or a character that is not ASCII
        raise BadValue("bad base64 in an ENC[...] value") from e


# Go's decoder accepts stray low bits before the padding; a changed byte of a
# sealed value is damage, so sealer takes only the canonical encoding: the last
# three characters of a padded field, with no stray bits before the padding.
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_PADDED_ENDS = frozenset(
    [c + "==" for c in "AQgw"] + [a + c + "=" for a in _B64 for c in "AEIMQUYcgkosw048"]
)


class Cipher:
    """Seals and opens the values of one file under its data key."""

    __slots__ = ("_gcm",)

    def __init__(self, key: bytes) -> None:
        self._gcm = primitives.Gcm(key)

    def seal(self, tag: str, plain: bytes, aad: str, iv: bytes | None = None) -> str:
        """One value's `ENC[...]` text from its SOPS type and bytes (see values.to_bytes).

        Empty strings and comments stay empty, as in sops.
        """
        if not plain and tag in ("str", "comment"):
            return ""
        nonce = iv if iv is not None else primitives.random_bytes(primitives.NONCE_SIZE)
        data, mac = self._gcm.seal(nonce, plain, aad.encode("utf-8", "surrogateescape"))
        b64 = binascii.b2a_base64  # inline: this runs once per value
        return (
            f"ENC[AES256_GCM,data:{b64(data, newline=False).decode()},"
            f"iv:{b64(nonce, newline=False).decode()},tag:{b64(mac, newline=False).decode()},"
            f"type:{tag}]"
        )

    def open(self, text: str, aad: str) -> tuple[str, bytes]:
        """(type tag, plaintext bytes); raises BadValue or primitives.AuthenticationFailed."""
        data, iv, tag, kind = _parts(text)
        return kind, self._gcm.open(iv, data, tag, aad.encode("utf-8", "surrogateescape"))


def encrypt(value: Value, key: bytes, aad: str, iv: bytes | None = None) -> str:
    """Seal one value. Empty strings and comments stay empty, as in sops."""
    return Cipher(key).seal(*to_bytes(value), aad, iv)


def decrypt_bytes(text: str, key: bytes, aad: str) -> tuple[str, bytes]:
    """(type tag, plaintext bytes); raises BadValue or primitives.AuthenticationFailed."""
    return Cipher(key).open(text, aad)


def decrypt(text: str, key: bytes, aad: str) -> Value:
    """Open one value; raises BadValue, AuthenticationFailed or ValueError (bad payload)."""
    if text == "":
        return ""
    tag, plain = decrypt_bytes(text, key, aad)
    return from_bytes(tag, plain)
