"""Shamir secret sharing over GF(2^8), share-compatible with sops (HashiCorp Vault's).

The field uses the AES polynomial x^8+x^4+x^3+x+1. A share is the secret's
length plus one byte: one y value per secret byte, then the x coordinate
(group index + 1). Reconstruction is Lagrange interpolation at x = 0.
"""

from __future__ import annotations

import os


def _tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 510, [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        # multiply by the generator 3 = x + 1
        x ^= (x << 1) ^ (0x11B if x & 0x80 else 0)
    for i in range(255, 510):
        exp[i] = exp[i - 255]
    return exp, log


_EXP, _LOG = _tables()


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b]) % 255]


def split(secret: bytes, parts: int, threshold: int) -> list[bytes]:
    if not 2 <= threshold <= parts <= 255:
        raise ValueError("need 2 <= threshold <= parts <= 255")
    if not secret:
        raise ValueError("cannot split an empty secret")
    shares = [bytearray(len(secret) + 1) for _ in range(parts)]
    for i in range(parts):
        shares[i][-1] = i + 1
    for idx, byte in enumerate(secret):
        coeffs = [byte, *os.urandom(threshold - 1)]
        for i in range(parts):
            x, y = i + 1, 0
            for c in reversed(coeffs):  # Horner
                y = _mul(y, x) ^ c
            shares[i][idx] = y
    return [bytes(s) for s in shares]


def combine(shares: list[bytes]) -> bytes:
    if len(shares) < 2:
        raise ValueError("at least two shares are needed")
    size = len(shares[0])
    if size < 2 or any(len(s) != size for s in shares):
        raise ValueError("shares must have the same length of at least two bytes")
    xs = [s[-1] for s in shares]
    if len(set(xs)) != len(xs):
        raise ValueError("duplicate share")
    # Lagrange basis at x = 0; in GF(2^8) subtraction is xor.
    basis = []
    for i, xi in enumerate(xs):
        b = 1
        for j, xj in enumerate(xs):
            if i != j:
                b = _mul(b, _div(xj, xi ^ xj))
        basis.append(b)
    out = bytearray(size - 1)
    for idx in range(size - 1):
        acc = 0
        for share, b in zip(shares, basis, strict=True):
            acc ^= _mul(share[idx], b)
        out[idx] = acc
    return bytes(out)
