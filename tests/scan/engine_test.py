"""The engine's own filters: allow markers, sealed values, fingerprints, redaction."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from sealer.scan import engine, generic
from tests.scan.fakes import Fakes


def found(text: str) -> list[str]:
    return [h.rule.id for h in engine.scan(text.encode())]


@pytest.mark.parametrize(
    "marker",
    ["# sealer:allow", "// pragma: allowlist secret", "# gitleaks:allow", "<!-- sealer:allow -->"],
)
def test_inline_allow_markers_silence_their_line_only(marker: str) -> None:
    f = Fakes(1)
    token, other = f.github(), f.github()
    text = f'a = "{token}"  {marker}\nb = "{other}"\n'
    hits = engine.scan(text.encode())
    assert [h.secret.decode() for h in hits] == [other]


@pytest.mark.parametrize(
    "marker", ["# sealer:allow-next-line", "# pragma: allowlist nextline secret"]
)
def test_next_line_markers_silence_the_following_line(marker: str) -> None:
    token = Fakes(2).github()
    assert found(f'{marker}\na = "{token}"\n') == []
    assert found(f'{marker}\n\na = "{token}"\n') == ["github-token"]


def test_a_next_line_marker_does_not_silence_its_own_line() -> None:
    token = Fakes(3).github()
    assert found(f'a = "{token}"  # sealer:allow-next-line\n') == ["github-token"]


def test_sealed_values_and_metadata_are_not_findings() -> None:
    f = Fakes(4)
    sealed = f"ENC[AES256_GCM,data:{f.b64(40)},iv:{f.b64(32)},tag:{f.b64(16)},type:str]"
    assert found(f"password: {sealed}\nDB_PASSWORD={sealed}\n") == []
    assert found(f'"api_token": "{sealed}"') == []


def test_a_plaintext_value_next_to_sealed_ones_is_still_found() -> None:
    f = Fakes(5)
    sealed = f"ENC[AES256_GCM,data:{f.b64(40)},iv:{f.b64(32)},tag:{f.b64(16)},type:str]"
    token = f.github()
    assert found(f"password: {sealed}\napi_token_unencrypted: {token}\n") == ["github-token"]


def test_fingerprint_depends_on_rule_and_secret_only() -> None:
    token = Fakes(6).github()
    a = engine.scan(f'x = "{token}"\n'.encode())
    b = engine.scan(f'\n\n\n    other_name = "{token}"  # moved\n'.encode())
    assert a[0].fingerprint == b[0].fingerprint
    assert a[0].fingerprint.startswith("github-token:")
    assert engine.fingerprint("github-token", token.encode()) == a[0].fingerprint
    assert engine.fingerprint("jwt", token.encode()) != a[0].fingerprint


def test_redaction_shows_at_most_the_known_prefix_and_a_quarter() -> None:
    f = Fakes(7)
    token = f.github()
    assert engine.redact(token.encode(), 4) == token[:4] + "…(40 chars)"
    assert engine.redact(b"abcdefgh", 11) == "ab…(8 chars)"
    secret = f.random_token().encode()
    assert engine.redact(secret, 0) == f"…({len(secret)} chars)"


def test_invalid_utf8_and_nul_free_binary_noise_scan_without_error() -> None:
    token = Fakes(8).github().encode()
    data = b"\xff\xfe broken \xc3\x28 text\n" + b"key = '" + token + b"'\n" + bytes(range(1, 256))
    assert [h.rule.id for h in engine.scan(data)] == ["github-token"]


def test_minified_single_line_finds_secrets_far_apart() -> None:
    f = Fakes(9)
    filler = ";".join(f"var a{i}=function(t){{return t.x{i}}}" for i in range(20000))
    a, b = f.github(), f.stripe()
    text = f'{filler};var k="{a}";{filler};var s="{b}";{filler}'
    assert found(text) == ["github-token", "stripe-key"]


@pytest.mark.parametrize(
    "line",
    [
        'a = "{token} sealer:allow"',
        "a = '{token} # sealer:allow'",
        'docker login --password "{token} gitleaks:allow"',
        "{token} sealer:allow",
        'x = f("{token}", "pragma: allowlist secret")',
    ],
)
def test_a_marker_outside_a_comment_does_not_silence_the_line(line: str) -> None:
    """Issue 20, item 8: the README promises markers "in a comment on the line"."""
    token = Fakes(10).github()
    assert found(line.format(token=token)) == ["github-token"]


@pytest.mark.parametrize(
    "line",
    [
        'a = "{token}"  // sealer:allow',
        'a = "{token}"  /* gitleaks:allow */',
        "a: {token}  # pragma: allowlist secret",
        "key = {token} ; sealer:allow",
        "select '{token}' -- sealer:allow",
        "<x>{token}</x> <!-- sealer:allow -->",
        'a = "it\\"s" + "{token}"  # sealer:allow',
    ],
)
def test_a_marker_in_a_comment_after_strings_silences_the_line(line: str) -> None:
    token = Fakes(11).github()
    assert found(line.format(token=token)) == []


def test_a_next_line_marker_inside_a_string_does_not_count() -> None:
    token = Fakes(12).github()
    assert found(f'a = "sealer:allow-next-line"\nb = "{token}"\n') == ["github-token"]
    assert found(f' * sealer:allow-next-line\nb = "{token}"\n') == []


def test_comment_start_ignores_openers_inside_strings() -> None:
    assert engine.comment_start(b'url = "http://x/#a" # note') == 20
    assert engine.comment_start(b"s = 'a // b'") is None
    assert engine.comment_start(b"--flag value") is None
    assert engine.comment_start(b"-- a comment") == 0


def test_fingerprints_are_the_same_as_in_every_earlier_ignore_file() -> None:
    """A vector: sha256(rule, NUL, secret), first 32 hex digits. Changing it would
    turn every team's accepted findings back into failures."""
    fp = engine.fingerprint("generic-secret", b"not-a-secret-0000")
    assert fp == "generic-secret:2cea9826b4652049b05143f4c287abec"


def test_keywords_overlapping_an_earlier_keyword_are_still_found() -> None:
    """`syspassword` holds `spa` (a NATS seed's keyword) overlapping `password`:
    the one-pass keyword search must not skip the second."""
    hits = engine.scan(b"sysPassword=Kq7tangerine\n")  # sealer:allow
    assert [h.secret for h in hits] == [b"Kq7tangerine"]


class _CountingBytes(bytes):
    """File bytes that add up how many bytes each `find`/`rfind` window spans."""

    spanned = 0

    def find(self, sub: Any, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        _CountingBytes.spanned += _span(len(self), start, end)
        return super().find(sub, start, end)

    def rfind(self, sub: Any, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        _CountingBytes.spanned += _span(len(self), start, end)
        return super().rfind(sub, start, end)


class _CountingPattern:
    """A compiled pattern that adds up how many bytes its searches and matches may
    span: a match without an end bound counts the whole rest of the file, as a
    pattern with blank runs may backtrack over all of it."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern

    def search(self, data: bytes, start: int = 0, end: int = sys.maxsize) -> Any:
        _CountingBytes.spanned += _span(len(data), start, end)
        return self.pattern.search(data, start, end)

    def match(self, data: bytes, start: int = 0, end: int = sys.maxsize) -> Any:
        _CountingBytes.spanned += _span(len(data), start, end)
        return self.pattern.match(data, start, end)

    def fullmatch(self, data: bytes, start: int = 0, end: int = sys.maxsize) -> Any:
        _CountingBytes.spanned += _span(len(data), start, end)
        return self.pattern.fullmatch(data, start, end)


def _span(size: int, start: int | None, end: int | None) -> int:
    lo = 0 if start is None else max(0, start)
    hi = size if end is None else min(size, end)
    return max(0, hi - lo)


def _bytes_examined(unit: bytes, repeats: int) -> tuple[int, int]:
    _CountingBytes.spanned = 0
    hits = engine.scan(_CountingBytes(unit * repeats))
    return len(hits), _CountingBytes.spanned


@pytest.mark.parametrize(
    "unit",
    [
        b'password=="ab" ',
        b"pw:IhqSb1Gg ",  # sealer:allow (a hostile shape, not a secret)
        b"token: ab ",
        b"key: Ab12/Cd34+Ef56/Gh78+Ij ",  # sealer:allow (a hostile shape, not a secret)
        b"key = 'Ab12Cd34Ef56Gh78Ij ",  # a string never closed: read over lines, bounded
        b'wrappedKey = ("Ab12Cd34" + ',  # concatenations that never end
        b"secret: []byte{17, 201, 88, ",  # a list of numbers that never ends
        b'tokens = ["Ab12Cd34Ef56Gh78Ij ',
        b'key = "x"' + b" " * 64,  # blanks after a string, where a next piece could follow
        b"password" + b" " * 64,  # blanks after a name, where an operator could follow
        b'password = "' + b"a" * 64 + b'" ',  # a long weak-looking value
    ],
)
def test_many_names_on_one_long_line_cost_work_linear_in_its_length(
    unit: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A committed one-line file must not stall the hook: the look-backs from each
    name (line start, `assert` before `==`, allow markers) stay bounded, so twice
    the line is about twice the work, not four times."""
    monkeypatch.setattr(generic, "_ASSERTION", _CountingPattern(generic._ASSERTION))
    for name in ("_ASSIGN", "_NEXT_PIECE", "_WEAK_SHAPE"):
        monkeypatch.setattr(generic, name, _CountingPattern(getattr(generic, name)))
    monkeypatch.setattr(engine, "_ALLOW", _CountingPattern(engine._ALLOW))
    monkeypatch.setattr(engine, "_ALLOW_NEXT", _CountingPattern(engine._ALLOW_NEXT))
    hits, small = _bytes_examined(unit, 1000)
    hits_twice, large = _bytes_examined(unit, 2000)
    assert hits_twice == 2 * hits
    assert large <= 2.2 * small
    assert large <= 100 * len(unit) * 2000
