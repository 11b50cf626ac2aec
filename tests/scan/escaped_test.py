"""Credentials in URL-encoded queries and HTML-escaped quotes."""

from __future__ import annotations

import pytest

from tests.scan.scanned import found


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (
            'next = "/login?r=%2Fapi%3Fpage%3D2%26access_token%3DHk4vRt9qWm2zLx7p%26v%3D1"',  # sealer:allow
            "Hk4vRt9qWm2zLx7p",
        ),
        (
            '<a href="/dl?token=&quot;Qm7vRx2zW9pLq4&quot;">get</a>',  # sealer:allow
            "Qm7vRx2zW9pLq4",
        ),
        ('<div data-x="password:&quot;Lm4#pQ9wz&quot;">', "Lm4#pQ9wz"),  # sealer:allow
    ],
)
def test_escaped_secrets_are_found(line: str, secret: str) -> None:
    assert found(line) == [("escaped-secret", secret)]


@pytest.mark.parametrize(
    "line",
    [
        "r=%2Fapi%3Fpage%3D2%26next_token%3Dpage-2-of-9",  # words and numbers
        "r=%2Fapi%3Fbypass%3DHk4vRt9qWm2zLx7p",  # `pass` inside another word
        '<a href="/dl?token=&quot;{{ token }}&quot;">',
        '<input value="password:&quot;password&quot;">',  # the word itself
        "q=%26password%3D%24DB_PASSWORD",  # an encoded reference
    ],
)
def test_escaped_look_alikes_are_quiet(line: str) -> None:
    assert found(line) == []


def test_libcurl_bearer_option_is_a_bearer_token() -> None:
    token = "Zr8kW3eQv5Tn2mLpHk4vRt9qWm2z"  # sealer:allow
    line = f'curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, "{token}");'
    assert found(line) == [("bearer-token", token)]
