""".env: round trips that once changed bytes on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.recipients.age import AgeRecipient
from tests.helpers import AgeKey, sops

DOTENV = formats.get("dotenv")


@pytest.mark.parametrize("text", ["USER=admin\nPASSWORD=hunter2", "# only\nA=1\n# end"])
def test_a_file_without_a_final_line_break_comes_back_without_one(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    sealed = document.seal_text(DOTENV, text, policy=policy)
    assert not sealed.endswith("\n") and "hunter2" not in sealed
    monkeypatch.setenv("SEALER_AGE_KEY", age_key.secret)
    assert document.open_text(DOTENV, sealed, Keyring()).plaintext == text
    path = tmp_path / "s.env"
    path.write_text(sealed)
    shown = sops("decrypt", str(path), env={"SOPS_AGE_KEY": age_key.secret}, check=True).stdout
    assert text.splitlines()[-1] in shown
