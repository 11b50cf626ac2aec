"""Small pieces with exact answers: Go number formats, timestamps, Shamir, paths, flattening."""

from __future__ import annotations

import os

import pytest

from sealer import metadata, paths, shamir
from sealer.errors import FormatError
from sealer.values import GoTime, from_bytes, go_float, mac_aad, parse_yaml_timestamp, to_bytes


@pytest.mark.parametrize(
    ("x", "text"),
    [(1.0, "1"), (1e21, "1000000000000000000000"), (1.5e-7, "0.00000015"), (-0.0, "-0"),
     (0.1, "0.1"), (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (float("nan"), "NaN"),
     (123456789.125, "123456789.125")],
)  # fmt: skip
def test_go_float_format(x: float, text: str) -> None:
    assert go_float(x) == text


def test_value_bytes_and_back() -> None:
    assert to_bytes(True) == ("bool", b"True")
    assert to_bytes(-5) == ("int", b"-5")
    assert to_bytes(GoTime("2024-01-02T00:00:00Z")) == ("time", b"2024-01-02T00:00:00Z")
    assert from_bytes("bool", b"t") is True and from_bytes("float", b"1e3") == 1000.0
    with pytest.raises(FormatError):
        to_bytes(2**64)
    with pytest.raises(ValueError):
        from_bytes("int", b"12abc")


def test_timestamps_as_go_yaml_reads_them() -> None:
    assert parse_yaml_timestamp("2024-1-2") == GoTime("2024-01-02T00:00:00Z")
    assert parse_yaml_timestamp("2024-01-02T03:04:05.120+00:00") == GoTime(
        "2024-01-02T03:04:05.12Z"
    )
    assert parse_yaml_timestamp("2024-02-30") is None
    assert parse_yaml_timestamp("2000-02-29") == GoTime("2000-02-29T00:00:00Z")  # leap: /400
    assert parse_yaml_timestamp("1900-02-29") is None  # not leap: /100
    assert parse_yaml_timestamp("2024-13-01") is None and parse_yaml_timestamp("2024-04-31") is None
    assert parse_yaml_timestamp("0000-01-01") == GoTime("0000-01-01T00:00:00Z")  # Go has year 0
    assert parse_yaml_timestamp("3.11.0") is None and parse_yaml_timestamp("2024") is None
    assert parse_yaml_timestamp("2024-01-02T03:04:05") is None  # T form needs a zone


def test_mac_aad_normalises_like_go() -> None:
    assert mac_aad("2026-01-01T00:00:00+00:00") == "2026-01-01T00:00:00Z"
    assert mac_aad("2026-01-01T00:00:00.5Z") == "2026-01-01T00:00:00Z"
    assert mac_aad("2026-01-01T00:00:00+02:00") == "2026-01-01T00:00:00+02:00"


def test_shamir_any_threshold_subset_recovers() -> None:
    secret = os.urandom(32)
    shares = shamir.split(secret, 5, 3)
    assert all(len(s) == 33 and s[-1] == i + 1 for i, s in enumerate(shares))
    assert shamir.combine([shares[4], shares[0], shares[2]]) == secret
    assert shamir.combine(shares) == secret
    assert shamir.combine(shares[:2]) != secret  # below the threshold: garbage, not the key


def test_paths_both_syntaxes() -> None:
    assert paths.parse('["a"][0]["b.c"]') == ("a", 0, "b.c")
    assert paths.parse("a.0.b") == ("a", "0", "b")
    with pytest.raises(paths.PathError):
        paths.parse("a..b")
    with pytest.raises(paths.PathError):  # an index is 0-9, as for sops (Go)
        paths.parse('["a"][١]')


def test_metadata_numbers_are_ascii_digits_as_in_go() -> None:
    assert metadata._as_int("2", "shamir_threshold") == 2
    with pytest.raises(FormatError):
        metadata._as_int("２", "shamir_threshold")  # a full-width 2: not a number to Go
    assert paths.lookup({"a": [{"b": 1}]}, ("a", "0", "b")) == 1


def test_flatten_round_trip_like_sops() -> None:
    data = {"age": [{"enc": "x\ny", "recipient": "r"}], "key_groups": [{"pgp": [{"fp": "F"}]}]}
    flat = metadata.flatten(data)
    assert flat[0] == ("age__list_0__map_enc", "x\ny")
    assert metadata.unflatten(flat) == data
    with pytest.raises(FormatError, match="incomplete list"):
        metadata.unflatten([("a__list_1", "x")])
