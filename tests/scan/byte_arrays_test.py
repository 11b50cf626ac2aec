"""Key material written as a list of numbers, after a secret's or key's name."""

from __future__ import annotations

import pytest

from sealer.scan import byte_arrays, engine

# sixteen invented bytes, in no order
BYTES = "17, 201, 88, 3, 250, 64, 129, 47, 9, 176, 33, 222, 95, 140, 7, 61"
HEX = (
    "0x4e, 0xa1, 0x07, 0xd3, 0x5c, 0x92, 0x1b, 0xe8, 0x36, 0x7f, 0xc4, 0x20, 0x9a, 0x61, 0xb5, 0x0d"
)


def found(text: str) -> list[bytes]:
    data = text.encode()
    return [data[h.start : h.end] for h in engine.scan(data)]


@pytest.mark.parametrize(
    "line",
    [
        f"\tSecret: []byte{{{BYTES}}},",  # sealer:allow - Go, in a struct literal
        f"\taesKey := crypto.AES128Key{{{BYTES}}}",  # sealer:allow - a named array type
        f"#define SESSION_KEY {{{HEX}}}",  # sealer:allow - a C macro
        f"static const uint8_t key[16] = {{{HEX}}};",  # sealer:allow - a C array
        f"byte[] secretKey = new byte[] {{{BYTES}}};",  # sealer:allow - Java
        f"signing_key = bytes([{BYTES}])",  # sealer:allow - Python
    ],
)
def test_a_list_of_sixteen_numbers_named_as_a_key_is_found(line: str) -> None:
    assert found(line) == [(BYTES if BYTES in line else HEX).encode()]


def test_a_macro_continued_over_lines_is_read_to_its_end() -> None:
    text = "#define APP_KEY {0x35, 0x34, 0x65, 0x9b, 0x1c, 0x2e, 023, 010, \\\n"  # sealer:allow
    text += "                041, 033, 043, 000, 0x7a, 0x11, 0xc0, 0x5d}\n"
    assert found(text) == [text[text.index("0x35") : text.index("}")].encode()]


@pytest.mark.parametrize(
    "line",
    [
        "Token: []byte{0xde, 0xad, 0xbe, 0xef},",  # four bytes: a test value, not a key
        "token := ResetToken{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}",  # counting
        "key := ResetToken{16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}",
        "secret = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, "
        "0xcc, 0xdd, 0xee, 0xff]",  # counting by one step
        "key = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]",  # a few values repeated
        f"weights = [{BYTES}]",  # numbers, but not under a key's name
        f"sort_key = [{BYTES}]",  # a key that is not a cryptographic one
    ],
)
def test_short_counting_or_unnamed_lists_are_not_keys(line: str) -> None:
    assert found(line) == []


def test_the_list_is_read_from_the_position_given() -> None:
    data = f"x = {{{BYTES}}}".encode()
    c = byte_arrays.key_bytes(data, 4)
    assert c is not None and data[c.start : c.end] == BYTES.encode()
    assert byte_arrays.key_bytes(b"x = {1, 2, 3}", 4) is None


def test_a_list_reformatted_keeps_its_fingerprint() -> None:
    """The fingerprint covers the bytes, not their text: gofmt, black or a switch to
    hex must not turn an accepted finding back into a failure."""
    signed = ", ".join(f"(byte) {v - 256 if v > 127 else v}" for v in map(int, BYTES.split(", ")))
    texts = [
        f"\tSecret: []byte{{{BYTES}}},",  # sealer:allow
        "\tSecret: []byte{\n\t\t" + BYTES.replace(", ", ",\n\t\t") + ",\n\t}",  # sealer:allow
        "\tSecret: []byte{" + ", ".join(f"0x{int(v):02x}" for v in BYTES.split(", ")) + "}",
        f"byte[] secret = new byte[] {{{signed}}};",  # sealer:allow
    ]
    prints = [h.fingerprint for t in texts for h in engine.scan(t.encode())]
    expected = bytes(int(v) for v in BYTES.split(", ")).hex().encode()
    assert prints == [engine.fingerprint(engine.GENERIC, expected)] * len(texts)


@pytest.mark.parametrize(
    "line",
    [
        # numbers about keys, not a key: the name's last word is not key/secret/token/seed
        "const keyCodes = [13, 27, 32, 9, 8, 46, 33, 34, 35, 36, 45, 112, 113, 114, 120, 17];",
        f"KEY_ORDER = [{BYTES}]",
        f"key_sizes := []int{{{BYTES}}}",
        f"keymap = [{BYTES}]",
        # not bytes: a number outside -128..255 is no key's byte
        "secretKey = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 7, 11, 200, 3, 90]",
        "token = [-3, 77, 140, 9, 201, 33, 68, 250, 12, 99, 181, 45, 6, 222, -129, 58]",
    ],
)
def test_lists_of_other_numbers_or_under_other_names_are_not_keys(line: str) -> None:
    assert found(line) == []


@pytest.mark.parametrize("name", ["walletSecretSeed", "aesKey", "SESSION_SECRET", "csrf_token"])
def test_a_list_under_a_name_ending_in_key_secret_token_or_seed_is_read(name: str) -> None:
    assert found(f"{name} = [{BYTES}]") == [BYTES.encode()]  # sealer:allow
