"""The generic assignment rule: secrets, tokens and keys assigned in code and config."""

from __future__ import annotations

import pytest

from sealer.scan import engine


def rule_ids(text: str) -> list[str]:
    return [h.rule.id for h in engine.scan(text.encode())]


@pytest.mark.parametrize(
    "line",
    [
        '\tsessionKey, _ := hex.DecodeString("9be3c0a17f5d28e6b4a0c1d7e2f38a95")',  # sealer:allow
        'secret, err = base64.StdEncoding.DecodeString("Zq0vRt7+Lm2x9NcK4pWb1A==")',  # sealer:allow
    ],
)
def test_go_assignments_with_a_second_result_are_read(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('opts.ClientSecret = "quuxfrobnitz"', True),  # sealer:allow - one run of letters
        ('config.JWT.Secret = "pinecone"', True),  # sealer:allow - the JWT's secret
        ("cookieSecret: 'wq3-vz8-kk1x'", True),  # sealer:allow
        ("# GITHUB_CLIENT_SECRET=9kq2m4ls8dj3l5k2p0vxq7", True),  # sealer:allow - unquoted
        ("consumer_key: 'anonymous'", False),  # OAuth 1.0's anonymous consumer
        ('signingKey: "some-key"', False),  # words joined: a name
        ("clientSecret: 'bar123'", False),  # a word and a number
        ('String SESSION_KEY = "key:session:token";', False),  # a key path
        ("KEY_SPEC_AUTH_KEY = -0x7", False),  # a number
        ('"Api-Key=1234%n" +', False),  # a format string
        ("authKey: auth", False),  # unquoted, a bare word is a name
        ('token = "quuxfrobnitz"', False),  # a bare token: a lexer's, a test's label
    ],
)
def test_a_credential_named_for_its_owner_holds_whatever_literal_is_chosen(
    line: str, found: bool
) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found
