"""INI: round trips that once failed on real files."""

from __future__ import annotations

import pytest

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.recipients.age import AgeRecipient
from tests.helpers import AgeKey

INI = formats.get("ini")


def test_comments_at_the_end_of_the_last_section_open_again(
    age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the sealed comments sit right above the [sops] section sealer appends; they
    # were read as that section's and stayed sealed when the file was opened
    text = "[server]\nport=8080\n; port=9090\n;   the old port\n"
    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    sealed = document.seal_text(INI, text, policy=policy)
    assert "old port" not in sealed
    monkeypatch.setenv("SEALER_AGE_KEY", age_key.secret)
    assert document.open_text(INI, sealed, Keyring()).plaintext == text
