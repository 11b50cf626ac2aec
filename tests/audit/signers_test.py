"""allowed_signers: principals, namespaces, validity windows, refusals with reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sealer.audit import NAMESPACE, signers, sshsig
from sealer.errors import ConfigError
from tests.audit.keys import make_ssh_key

WHEN = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def key(tmp_path: Path) -> tuple[str, bytes]:
    k = make_ssh_key(tmp_path, "alice")
    return k.public_text, sshsig.parse_public_key_text(k.public_text)


def _why(
    text: str, blob: bytes, who: str = "alice@example.invalid", ns: str = NAMESPACE
) -> str | None:
    return signers.why_not(signers.parse(text), blob, who, ns, WHEN)


def test_principal_patterns_and_exclusions(key: tuple[str, bytes]) -> None:
    text, blob = key
    assert _why(f"*@example.invalid {text}\n", blob) is None
    assert _why(f'"bob@x,alice@example.invalid" {text}\n', blob) is None
    assert _why(f"*@example.invalid,!alice@* {text}\n", blob) == (
        "line 1 is for *@example.invalid,!alice@*, not alice@example.invalid"
    )


def test_a_namespaces_option_must_allow_sealers_namespace(key: tuple[str, bytes]) -> None:
    text, blob = key
    assert _why(f'alice@example.invalid namespaces="git,{NAMESPACE}" {text}\n', blob) is None
    assert _why(f'alice@example.invalid namespaces="git" {text}\n', blob) == (
        f"line 1 does not allow namespace {NAMESPACE}"
    )


def test_validity_windows_hold_at_the_entry_time(key: tuple[str, bytes]) -> None:
    text, blob = key
    assert _why(f'alice@example.invalid valid-after="20260101Z" {text}\n', blob) is None
    assert _why(f'alice@example.invalid valid-after="20270101" {text}\n', blob) == (
        "line 1 is valid only after 20270101"
    )
    assert _why(f'alice@example.invalid valid-before="202605010000Z" {text}\n', blob) == (
        "line 1 expired at 202605010000Z"
    )


def test_cert_authority_lines_do_not_authorise_the_key_itself(key: tuple[str, bytes]) -> None:
    text, blob = key
    assert _why(f"alice@example.invalid cert-authority {text}\n", blob) == (
        f"key {sshsig.fingerprint(blob)} is not in allowed_signers"
    )


def test_comments_blank_lines_and_a_broken_line(key: tuple[str, bytes]) -> None:
    text, blob = key
    assert _why(f"# who\n\nalice@example.invalid {text}\n", blob) is None
    with pytest.raises(ConfigError, match="allowed_signers: line 2: "):
        signers.parse(f"alice@example.invalid {text}\nbob@x ssh-ed25519\n")
