"""Keys under a two-word label in notes and tickets."""

from __future__ import annotations

import pytest

from tests.scan.scanned import found


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("SECRET KEY:Qm7vRt2xW9pLz4", "Qm7vRt2xW9pLz4"),  # sealer:allow
        ("access key: Hk4vRt9qWm2zLx7p", "Hk4vRt9qWm2zLx7p"),  # sealer:allow
        ("Authentication key : Zr8kW3eQv5Tn2m", "Zr8kW3eQv5Tn2m"),  # sealer:allow
    ],
)
def test_keys_under_a_two_word_label(line: str, secret: str) -> None:
    assert found(line) == [("labelled-key", secret)]


@pytest.mark.parametrize(
    "line",
    [
        "Secret key: the key used to sign sessions",
        "API key: YOUR_API_KEY",
        "Activation key : ABCDE-FGHIJ-KLMNO-PQRST-UVWXY",  # a product key opens no account
        "cache key: user_profile_settings",
        "private key: ${PRIVATE_KEY}",
        "Signing key: C:\\keys\\release.snk",  # where the key is kept
        "Signing key: C:/keys/Qm7vRt2x.pfx",
    ],
)
def test_labels_followed_by_prose_or_references_are_quiet(line: str) -> None:
    assert found(line) == []
