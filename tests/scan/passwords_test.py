"""Passwords assigned in config and code: where the generic rule draws the line.

A literal password in a committed file is a leak whatever its strength, so a weak
one people really set (`secret`, `changeme`, `myPassword`) is found; what stays
out is what is not a password at all: the setting's own name, an absence, a type,
a mask, a reference, a code identifier, a mode word, prose.
"""

from __future__ import annotations

import pytest

from sealer.scan import engine


def rule_ids(text: str) -> list[str]:
    return [h.rule.id for h in engine.scan(text.encode())]


@pytest.mark.parametrize(
    "line",
    [
        'conf.auth.password = "password"',  # sealer:allow
        "BACKUP_PASS=password",  # sealer:allow
        "  queue_admin_password: password",  # sealer:allow
        'cache.node.password="secret3"',  # sealer:allow
        "  password : 'secret',",  # sealer:allow
        '  - "BROKER_PASSWORD=!ChangeMe!"',  # sealer:allow
        'private static final String SEARCH_PASSWORD = "changeme";',  # sealer:allow
        'client.Password = "qwerty"',  # sealer:allow
        'LoginPassword="SomePassword",',  # sealer:allow
        '"masterPassword": "myPassword",',  # sealer:allow
        'val password: String = "myPassword2024"',  # sealer:allow
        "  password:   somePASSWORD",  # sealer:allow
        "db = connect(user='app', password='test')",  # sealer:allow
        'relay_password = "p@ssw0rd!"',  # sealer:allow
    ],
)
def test_weak_passwords_people_set_are_found(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    "line",
    [
        'password = "password"',  # the setting's own name
        'passphrase: "passphrase2"',
        "password = 'newPassword'",  # a field's name
        'defaultPassword = "defaultPassword"',
        'password = "your-password"',  # addressed to the reader
        'password = "change-me"',  # an instruction
        'password = "xxxxxxxx"',  # a mask
        'password = "secret!!!"',  # a word stressed, as documentation writes it
        "password = *passwd",  # a pointer dereferenced
        'password: "wrong"',  # what a test checks
        "# Password: Test",  # a comment: a bare word is as often prose
        "  #   relayPassword: secret",
        """self.assertEqual(out, '{"user": "me", "password": "secret"}')""",  # expected output
        'FlagPassword = "password"',  # the name of a command-line flag
        'api_token = "changeme"',  # a token is not set to a weak word
        'client_secret = "secret2"',
    ],
)
def test_what_is_not_a_password_stays_quiet(line: str) -> None:
    assert rule_ids(line) == []
