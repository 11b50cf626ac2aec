"""Where private directories go; the tests themselves never use the real /dev/shm."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sealer import privatedir


def test_every_test_has_its_own_private_dir_not_dev_shm() -> None:
    chosen = Path(os.environ["SEALER_PRIVATE_DIR"])
    assert privatedir.memory_dir() == chosen
    assert not chosen.is_relative_to(privatedir.SHM)


def test_without_sealer_private_dir_it_is_dev_shm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEALER_PRIVATE_DIR")
    assert privatedir.memory_dir() == Path("/dev/shm")  # only asked, nothing is created there
