"""sealer.pattern: RE2 syntax and semantics as FORMAT.md ("Regexes") states them."""

from __future__ import annotations

import pytest

from sealer import pattern
from sealer.errors import ConfigError


@pytest.mark.parametrize(
    ("source", "text", "found"),
    [
        ("\\w", "é", False),  # ASCII classes
        ("\\pL", "é", True),
        ("[[:alpha:]]", "a", True),
        ("x$", "x\n", False),  # $ only at the very end
        ("(?m)x$", "x\ny", True),
        ("a.b", "a\nb", False),
        ("(?s)a.b", "a\nb", True),
        ("a{,2}", "aa", False),  # a literal, not a repeat
        ("a{,2}", "xa{,2}", True),
        ("x\\z", "x", True),
        ("\\x{263a}", "☺", True),
        ("\\Qa.b\\E", "axb", False),
        ("(?<n>k)", "key", True),
        ("password|secret", "db_password", True),
    ],
)
def test_search_has_re2_semantics(source: str, text: str, found: bool) -> None:
    assert pattern.compile_(source, "test").search(text) is found


def test_matching_is_linear_in_the_text() -> None:
    assert pattern.compile_("^(a+)+$", "test").search("a" * 1_000_000 + "b") is False


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("(?P=n)", "invalid perl operator: (?P"),
        ("a++", "bad repetition operator: ++"),
        ("(?>a)", "invalid perl operator: (?>"),
        ("a{1001}", "invalid repetition size: {1001}"),
        ("\\C", "invalid escape sequence: \\C"),
        ("x\\\\C", None),  # an escaped backslash then C is fine
    ],
)
def test_what_sops_refuses_is_refused(source: str, reason: str | None) -> None:
    if reason is None:
        assert pattern.compile_(source, "test").search("x\\C")
        return
    with pytest.raises(ConfigError) as e:
        pattern.compile_(source, "r.yaml: path_regex")
    assert e.value.message == f"r.yaml: path_regex: {source!r} is not an RE2 regex: {reason}"
    assert e.value.hint == pattern.HINT
