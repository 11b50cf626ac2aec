"""Key material written as its bytes: a list of sixteen numbers or more.

C, Go, Java and Python programs keep a fixed key as the bytes themselves, not
as a string: `Secret: []byte{17, 201, 88, …}`, `aesKey := radio.AES128Key{61,
140, …}`, `#define AESKEY {0x35, 0x34, …}`, `byte[] key = new byte[] {(byte) 0x9f,
…}`, `key = bytes([223, 66, …])`. Sixteen bytes is the shortest key in use (AES-128),
so shorter lists (`Token: []byte{0xde, 0xad, 0xbe, 0xef}`) are test values.

Read only where the generic rule has already found a secret's or key's name and
its assignment, the name's last word saying key, secret, token or seed
(`names_key_bytes`): this module says whether the text after it is such a list.
A number that is not a byte (outside -128..255) means the list is not a key.
A list counting up or down by one step (`{0, 1, 2, …, 15}`, `{0x00, 0x11, …}`) or
repeating a few numbers is a stand-in, as `abcdef` is in a string.
"""

from __future__ import annotations

import itertools
import re

from sealer.scan.candidate import Candidate

_MIN_BYTES = 16
_MAX_BYTES = 512  # an RSA key in bytes is longer, but the first 512 decide
# what may stand before the opening bracket: a type or constructor
# (`[]byte`, `radio.AES128Key`, `new byte[]`, `bytes(`, `bytearray(`, `(uint8_t[])`)
_OPEN = re.compile(
    rb"(?:new[ \t]+)?(?:\[\][\w.]{1,40}|[A-Za-z_][\w.]{0,60}(?:\[\d*\])*|\([\w \t]{1,30}\[\d*\]\))?"
    rb"[ \t]*(?:\([ \t]*)?[{\[][ \t\r\n\\]*"
)
# one number (decimal, hex or C octal, maybe negative: Java bytes are signed), maybe
# after a cast such as `(byte)`, then a comma, blanks, or a macro's line continuation
_NUMBER = re.compile(
    rb"(?:\([a-z_][\w \t]{0,20}\)[ \t]*)?(-?(?:0[xX][0-9a-fA-F]{1,2}|\d{1,3}))(?![\w.])"
    rb"[ \t]*(?:,[ \t\r\n\\]*)?"
)


# the name's last word: `aesKey`, `SESSION_KEY`, `Secret`, `seed`; not `keyCodes`,
# `keyLengths`, `KEY_ORDER`, `key_sizes`, `keymap` (numbers about keys, not a key)
_KEY_NAME = re.compile(rb"(?i:key|secret|token|seed)\Z")


def names_key_bytes(name: bytes) -> bool:
    """Whether a list of numbers under this name could be a key's bytes: the name's
    last word says key, secret, token or seed."""
    return _KEY_NAME.search(name) is not None


def key_bytes(data: bytes, i: int) -> Candidate | None:
    """The list of numbers at `i` (after a name and its `=`), if it holds key material:
    sixteen numbers or more that neither count by one step nor repeat a few values.
    The candidate spans the numbers as written; its secret, which the fingerprint
    covers, is the bytes in hex (`_normal_form`), so reformatting the list (gofmt,
    black, clang-format; hex or decimal) keeps an ignore entry valid."""
    m = _OPEN.match(data, i)
    if m is None:
        return None
    pos = first = m.end()
    values: list[int] = []
    while len(values) < _MAX_BYTES:
        n = _NUMBER.match(data, pos)
        if n is None or n.end() == pos:
            break
        value = _number(n[1])
        if not -128 <= value <= 255:
            return None  # not a byte (`keyLengths = [16, 24, …, 512]`): not key material
        values.append(value)
        last = n.end(1)
        pos = n.end()
    if len(values) < _MIN_BYTES or not _random_enough(values):
        return None
    return Candidate(first, last, _normal_form(values))


def _normal_form(values: list[int]) -> bytes:
    """The bytes the list holds, in hex: `{0x4e, 0xa1}`, `[78, 161]` and `{(byte) 0x4e,
    (byte) -95}` are all `4ea1` (a signed Java byte is its low eight bits)."""
    return bytes(v & 0xFF for v in values).hex().encode()


def _number(text: bytes) -> int:
    sign = -1 if text.startswith(b"-") else 1
    digits = text.lstrip(b"-")
    if digits[:2] in (b"0x", b"0X"):
        return sign * int(digits[2:], 16)
    if len(digits) > 1 and digits.startswith(b"0") and digits.isdigit():
        return sign * int(digits, 8) if all(c < 0x38 for c in digits) else sign * int(digits)
    return sign * int(digits)


def _random_enough(values: list[int]) -> bool:
    """Not a counting run (`0, 1, 2, …`, `15, 14, …`, `0x00, 0x11, 0x22, …`) and at
    least eight different values among the first sixteen."""
    head = values[:_MIN_BYTES]
    steps = {b - a for a, b in itertools.pairwise(head)}
    return len(steps) > 1 and len(set(head)) >= 8
