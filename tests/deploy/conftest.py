"""Fixtures for the deploy tests: sealed files, and a moto_server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sealer import document, formats, recipients
from tests.helpers import AgeKey

Seal = Callable[[str, str], Path]


def seal_file(path: Path, plaintext: str, recipient: str, fmt_name: str | None = None) -> Path:
    """Seal `plaintext` for one age recipient into `path` (format from its name)."""
    fmt = formats.get(fmt_name or formats.name_for_path(str(path)))
    group = tuple(recipients.key_type("age").parse_recipients(recipient))
    sealed = document.seal_text(fmt, plaintext, policy=document.Policy(groups=(group,)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(sealed.encode("utf-8", "surrogateescape"))
    return path


@pytest.fixture
def seal(in_tmp: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> Seal:
    """seal(name, plaintext) -> path of a sealed file in the test's directory.

    The test's key is made available through SEALER_AGE_KEY_FILE.
    """
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(age_key.file))

    def make(name: str, plaintext: str) -> Path:
        return seal_file(in_tmp / name, plaintext, age_key.recipient)

    return make
