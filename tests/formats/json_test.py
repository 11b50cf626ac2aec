"""JSON: what sealer does with the corner cases of the grammar sops also meets."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.errors import FormatError
from sealer.recipients.age import AgeRecipient
from tests.helpers import AgeKey, sealer

JSON = formats.get("json")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": "\\uDFAA"}', "line 1, column 7"),  # a low surrogate alone
        ('{"a": "x\\ud83d"}', "line 1, column 7"),  # a high surrogate without its pair
        ('{\n  "\\uD800k": 1}', "line 2, column 3"),  # in a key
    ],
)
def test_a_lone_surrogate_escape_is_refused_clearly(text: str, where: str) -> None:
    with pytest.raises(FormatError) as caught:
        JSON.parse(text)
    assert str(caught.value) == (
        f"{where}: a string holds a lone UTF-16 surrogate escape (half a character)"
    )
    assert caught.value.hint == "write the whole character, or both escapes of its surrogate pair"


def test_a_surrogate_pair_is_one_character() -> None:
    parsed = JSON.parse('{"smile": "\\ud83d\\ude00"}')
    assert parsed.docs[0].items[0][1].value == "\U0001f600"  # type: ignore[union-attr]


def test_the_cli_refuses_a_lone_surrogate_without_a_crash(tmp_path: Path, age_key: AgeKey) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"a":"\\uDFAA"}')
    out = sealer("encrypt", "--age", age_key.recipient, str(path))
    assert out.returncode == 4
    assert out.stderr.startswith(f"sealer: error: {path}: line 1, column 6: a string holds a lone")


def test_a_byte_order_mark_is_kept(age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> None:
    text = '\ufeff{\n  "user": "admin",\n  "n": 1\n}\n'
    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    sealed = document.seal_text(JSON, text, policy=policy)
    assert sealed.startswith('\ufeff{\n  "user": "ENC[') and "admin" not in sealed
    monkeypatch.setenv("SEALER_AGE_KEY", age_key.secret)
    assert document.open_text(JSON, sealed, Keyring()).plaintext == text
