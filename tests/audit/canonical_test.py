"""RFC 8785 encoding and the strict reader, cross-checked against the rfc8785 package."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from sealer.audit import canonical

scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_encoding_matches_the_rfc8785_package(value: object) -> None:
    assert canonical.dumps(value) == rfc8785.dumps(value)


@given(values)
def test_canonical_bytes_read_back_to_the_same_value(value: object) -> None:
    line = canonical.dumps({"x": value})
    assert canonical.loads(line) == {"x": value}


def test_members_sort_by_utf16_code_units() -> None:
    # U+10000 is a surrogate pair (D800 DC00) and sorts before U+FFFD in UTF-16
    value = {"\ufffd": 1, "\U00010000": 2, "a": 3}
    assert canonical.dumps(value) == '{"a":3,"\U00010000":2,"\ufffd":1}'.encode()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"a":1,"a":2}', "duplicate member 'a'"),
        (b'{"a": 1}', "not in RFC 8785 canonical form"),
        (b'{"b":1,"a":2}', "not in RFC 8785 canonical form"),
        (b'{"a":"\\u0041"}', "not in RFC 8785 canonical form"),
        (b'{"a":1.5}', "number 1.5 is not an integer"),
        (b'{"a":1e3}', "number 1e3 is not an integer"),
        (b'{"a":9007199254740993}', "outside"),
        (b'{"a":NaN}', "NaN is not JSON"),
        (b'{"a":"\\ud800"}', "lone surrogate"),
        (b'{"a":1} ', "not in RFC 8785 canonical form"),
        (b"\xff", "not UTF-8"),
        (b"{", "not JSON"),
    ],
)
def test_non_canonical_lines_are_refused_with_the_reason(line: bytes, reason: str) -> None:
    with pytest.raises(canonical.NonCanonical, match=reason.replace("(", r"\(")):
        canonical.loads(line)


def test_python_json_would_silently_take_the_last_duplicate() -> None:
    # why the strict reader exists: the stdlib keeps one of two duplicate members
    assert json.loads('{"a":1,"a":2}') == {"a": 2}
