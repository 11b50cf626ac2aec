"""Regexes that come with a file run in linear time, with sops' (RE2) syntax.

Regression tests for issue 14, point 3: on 74d6504 a file's own
`encrypted_regex: '^(a+)+$'` hung `decrypt` and `check --structure-only` (no key
needed to plant it), and a rules file's `path_regex` hung `encrypt` and `check`:
Python's `re` backtracks. Each run here has a generous timeout; a hang fails it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.attacks.hostile import sealer_in
from tests.helpers import AgeKey

EVIL = "^(a+)+$"
LONG_KEY = "a" * 100_000 + "b"


def sealed_with_regex(tmp_path: Path, age_key: AgeKey, regex: str) -> Path:
    """A JSON file sealed with `encrypted_regex: ^x$`, its rule then swapped for `regex`."""
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"x": "secret", LONG_KEY: "public"}) + "\n")
    out = sealer_in(
        tmp_path, "encrypt", "--age", age_key.recipient, "--encrypted-regex", "^x$", plain.name
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('"encrypted_regex":"^x$"') == 1
    sealed = tmp_path / "s.json"
    sealed.write_text(out.stdout.replace('"^x$"', json.dumps(regex)))
    return sealed


def test_a_files_own_regex_cannot_hang_check_or_decrypt(age_key: AgeKey, tmp_path: Path) -> None:
    sealed_with_regex(tmp_path, age_key, EVIL + "|^x$")  # still selects x: the MAC holds
    out = sealer_in(tmp_path, "check", "--structure-only", "s.json", timeout=60)
    assert out.returncode == 0, out.stderr
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    out = sealer_in(tmp_path, "decrypt", "s.json", env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"x": "secret", LONG_KEY: "public"}


def test_a_rules_path_regex_cannot_hang_encrypt_or_check(age_key: AgeKey, tmp_path: Path) -> None:
    (tmp_path / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: '{EVIL}'\n    age: {age_key.recipient}\n"
        f"  - age: {age_key.recipient}\n"
    )
    name = "a" * 200 + ".yaml"  # 2^200 ways to split the a's for a backtracking engine
    (tmp_path / name).write_text("password: hunter2\n")
    out = sealer_in(tmp_path, "check", name, timeout=60)
    assert out.returncode == 0, out.stderr
    out = sealer_in(tmp_path, "encrypt", "-i", name, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "hunter2" not in (tmp_path / name).read_text()


@pytest.mark.parametrize(
    ("regex", "reason"),
    [
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("^x(?=y)", "invalid perl operator: (?="),
        ("(?<!y)x", "invalid perl operator: (?<!"),
        ("x\\Z", "invalid escape sequence: \\Z"),
        ("\\C", "invalid escape sequence: \\C"),
    ],
)
def test_syntax_sops_refuses_is_refused_not_run_differently(
    age_key: AgeKey, tmp_path: Path, regex: str, reason: str
) -> None:
    sealed_with_regex(tmp_path, age_key, regex)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    out = sealer_in(tmp_path, "decrypt", "s.json", env=env, timeout=60)
    assert out.returncode == 5, out.stderr
    assert out.stdout == ""
    assert (
        f"s.json: metadata: encrypted_regex: {regex!r} is not an RE2 regex: {reason}" in out.stderr
    )
    assert "sealer: hint: sops' regexes are RE2 (Go's regexp)" in out.stderr


def test_a_rules_path_regex_sops_refuses_is_an_error(age_key: AgeKey, tmp_path: Path) -> None:
    (tmp_path / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: '(?<=x)y'\n    age: {age_key.recipient}\n"
    )
    (tmp_path / "p.yaml").write_text("k: v\n")
    out = sealer_in(tmp_path, "encrypt", "p.yaml", timeout=60)
    assert out.returncode == 5, out.stderr
    assert (
        "creation_rules[0].path_regex: '(?<=x)y' is not an RE2 regex: invalid perl operator: (?<="
        in out.stderr
    )
