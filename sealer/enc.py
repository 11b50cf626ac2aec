"""The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value grammar of SOPS.

One sealed value is AES-256-GCM of the value's SOPS bytes (see values.py) with
the key path as additional data. The `type:` field is not authenticated; it only
says how to parse the plaintext.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

from sealer import primitives
from sealer.values import Value, from_bytes, to_bytes

# sops' own pattern: anchored at the start only, greedy groups.
_ENC = re.compile(r"ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")
PREFIX = "ENC[AES256_GCM,"


class Sealed(NamedTuple):
    data: bytes
    iv: bytes
    tag: bytes
    type: str


class BadValue(Exception):
    """Not the ENC grammar, or bad base64 in it."""


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX) and _ENC.match(text) is not None


def parse(text: str) -> Sealed:
    m = _ENC.match(text)
    if m is None:
        raise BadValue("not an ENC[...] value")
    try:
        data, iv, tag = (base64.b64decode(m[i], validate=True) for i in (1, 2, 3))
    except (binascii.Error, ValueError) as e:
        raise BadValue("bad base64 in an ENC[...] value") from e
    sealed = Sealed(data, iv, tag, m[4])
    if render(sealed) != text:
        # Go's decoder would accept stray bits or trailing text; a changed byte
        # of a sealed value is damage, so sealer does not.
        raise BadValue("an ENC[...] value is not in canonical form")
    return sealed


def render(sealed: Sealed) -> str:
    b64 = base64.b64encode
    return (
        f"ENC[AES256_GCM,data:{b64(sealed.data).decode()},iv:{b64(sealed.iv).decode()},"
        f"tag:{b64(sealed.tag).decode()},type:{sealed.type}]"
    )


def encrypt(value: Value, key: bytes, aad: str, iv: bytes | None = None) -> str:
    """Seal one value. Empty strings and comments stay empty, as in sops."""
    tag, plain = to_bytes(value)
    if not plain and tag in ("str", "comment"):
        return ""
    nonce = iv if iv is not None else primitives.random_bytes(primitives.NONCE_SIZE)
    data, mac = primitives.seal(key, nonce, plain, aad.encode("utf-8", "surrogateescape"))
    return render(Sealed(data, nonce, mac, tag))


def decrypt_bytes(text: str, key: bytes, aad: str) -> tuple[str, bytes]:
    """(type tag, plaintext bytes); raises BadValue or primitives.AuthenticationFailed."""
    s = parse(text)
    plain = primitives.open_(key, s.iv, s.data, s.tag, aad.encode("utf-8", "surrogateescape"))
    return s.type, plain


def decrypt(text: str, key: bytes, aad: str) -> Value:
    """Open one value; raises BadValue, AuthenticationFailed or ValueError (bad payload)."""
    if text == "":
        return ""
    tag, plain = decrypt_bytes(text, key, aad)
    return from_bytes(tag, plain)
