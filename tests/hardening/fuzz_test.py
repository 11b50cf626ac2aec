"""Fuzz targets for every parser of untrusted input, seeded from the test vectors.

Each target takes arbitrary or mutated bytes and may only end in sealer's own
errors (or the documented per-layer ones: `enc.BadValue`, `ProtocolError`,
`NotMine`) — never another exception and never a hang. The suite runs a short
pass; `SEALER_FUZZ_EXAMPLES=20000 pytest tests/hardening/fuzz_test.py` runs a
long one.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealer import document, enc, formats, metadata
from sealer.errors import NotMine, SealerError
from sealer.gitfilter.pktline import ProtocolError, Reader
from sealer.metadata import Stanza
from sealer.primitives import AuthenticationFailed
from sealer.recipients.age import AgeIdentities
from tests.helpers import VECTORS

EXAMPLES = int(os.environ.get("SEALER_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = sorted(VECTORS.glob("*.vector"))


def _vector(path: Path) -> tuple[dict[str, str], bytes]:
    head, _, body = path.read_bytes().partition(b"\n\n")
    header = dict(line.decode().split(": ", 1) for line in head.splitlines())
    return header, body


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, str], bytes]:
    """A vector's sealed file with a few bytes changed, inserted or deleted."""
    header, body = _vector(draw(st.sampled_from(SEEDS)))
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["set", "insert", "delete", "dup"]))
        if op == "set":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            end = min(len(data), at + draw(st.integers(1, 64)))
            data[at:at] = data[at:end]
    return header, bytes(data)


@FUZZ
@given(case=mutated())
def test_mutated_sealed_files_open_or_fail_cleanly(case: tuple[dict[str, str], bytes]) -> None:
    header, data = case
    fmt = formats.get(header["format"])
    text = data.decode("utf-8", "surrogateescape")
    try:
        parsed, meta = document.read_metadata(fmt, text)
        document.open_parsed(fmt, parsed, meta, bytes.fromhex(header["data-key"]))
    except SealerError:
        pass


@FUZZ
@given(fmt_name=st.sampled_from(list(formats.MODULES)), data=st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_fail_cleanly(fmt_name: str, data: bytes) -> None:
    with contextlib.suppress(SealerError):
        formats.get(fmt_name).parse(data.decode("utf-8", "surrogateescape"))


yaml_alphabet = st.sampled_from(
    [*list(" \n-:?,[]{}#&*!|>'\"%@`abc01.~\t"), "&a ", "*a", "!!str ", "---\n", "...\n", "<<: "]
)


@FUZZ
@given(pieces=st.lists(yaml_alphabet, max_size=80))
def test_yaml_shaped_noise_parses_or_fails_cleanly(pieces: list[str]) -> None:
    with contextlib.suppress(SealerError):
        formats.get("yaml").parse("".join(pieces))


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=200), st.from_regex(r"ENC\[AES256_GCM,data:.*,iv:.*,tag:.*,type:.*\]")
    )
)
def test_enc_grammar(text: str) -> None:
    with contextlib.suppress(enc.BadValue, AuthenticationFailed, ValueError):
        enc.decrypt(text, b"k" * 32, "a:")


@given(
    text=st.from_regex(r"ENC\[AES256_GCM,data:[^,]*,iv:[^,]*,tag:[^,]*,type:\w+\]", fullmatch=True)
)
def test_enc_fields_fail_only_as_bad_values(text: str) -> None:
    """Whatever the fields hold (é, stray `=`, bits after padding): BadValue or the parts."""
    with contextlib.suppress(enc.BadValue):
        enc.parse(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
metadata_keys = st.sampled_from(
    ["age", "kms", "pgp", "pkcs11", "key_groups", "shamir_threshold", "lastmodified", "mac",
     "version", "mac_only_encrypted", "encrypted_regex", "unencrypted_suffix", "enc", "recipient"]
)  # fmt: skip


@FUZZ
@given(data=st.dictionaries(metadata_keys | st.text(max_size=8), json_values, max_size=8))
def test_metadata_from_arbitrary_mappings(data: dict[str, object]) -> None:
    try:
        meta = metadata.from_dict(data)
        metadata.to_dict(meta)
    except SealerError:
        pass


@FUZZ
@given(
    items=st.lists(
        st.tuples(
            st.from_regex(r"[a-z_]{0,6}(__(map|list)_[a-z0-9]{0,3}){0,4}", fullmatch=True),
            st.text(max_size=8),
        ),
        max_size=10,
    )
)
def test_flattened_metadata(items: list[tuple[str, str]]) -> None:
    with contextlib.suppress(SealerError):
        metadata.unflatten(items)


@pytest.fixture(scope="module")
def identities() -> AgeIdentities:
    from pyrage import x25519

    return AgeIdentities([str(x25519.Identity.generate())])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    enc_text=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300).map(
            lambda b: (
                "-----BEGIN AGE ENCRYPTED FILE-----\n"
                + __import__("base64").b64encode(b"age-encryption.org/v1\n-> X25519 " + b).decode()
                + "\n-----END AGE ENCRYPTED FILE-----\n"
            )
        ),
    ),
    recipient=st.text(max_size=70),
)
def test_age_stanzas(identities: AgeIdentities, enc_text: str, recipient: str) -> None:
    with contextlib.suppress(NotMine, SealerError):
        identities.unwrap(Stanza("age", {"enc": enc_text, "recipient": recipient}))


@FUZZ
@given(
    stream=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from(
                [b"0000", b"0004", b"0005x", b"000agit-filter", b"ffff", b"0001", b"00zz"]
            ),
            max_size=20,
        ).map(b"".join),
    )
)
def test_pkt_lines(stream: bytes) -> None:
    reader = Reader(io.BytesIO(stream))
    try:
        while True:
            reader.text_list()
            reader.content()
    except (EOFError, ProtocolError):
        pass


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=300).map(str.encode)))
def test_audit_log_lines(data: bytes) -> None:
    from sealer.audit import log

    try:
        for seq, line in enumerate(log.split_lines(data)):
            log.parse_line(line, seq)
    except SealerError:
        pass


def test_deep_nesting_and_alias_bombs_are_refused_quickly() -> None:
    from sealer.errors import FormatError

    for text in ("a: " + "[" * 5000 + "]" * 5000 + "\n", "a: " + "{b: " * 200 + "1" + "}" * 200):
        with pytest.raises(FormatError, match="nest"):
            formats.get("yaml").parse(text)
    with pytest.raises(FormatError, match="nesting"):
        formats.get("json").parse('{"a": ' + "[" * 5000 + "]" * 5000 + "}")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(FormatError, match="alias bomb"):
        formats.get("yaml").parse(bomb)


def test_long_lines_and_large_values() -> None:
    """Big values parse whole (100 MB per format: bench/large_value_bench.py, no timing here)."""
    for name, text in [("yaml", "k: " + "x" * 5_000_000 + "\n"),
                       ("json", '{"k": "' + "x" * 5_000_000 + '"}'),
                       ("dotenv", "K=" + "x" * 5_000_000 + "\n")]:  # fmt: skip
        parsed = formats.get(name).parse(text)
        assert parsed.docs[0].items[0][1].value == "x" * 5_000_000  # type: ignore[union-attr]
