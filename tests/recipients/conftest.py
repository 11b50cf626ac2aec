"""Fixtures for the recipient tests: GnuPG home, SSH keys (moto_server and the SoftHSM2
token are in tests/conftest.py, which the attack tests share).

Services are started once per test session (per xdist worker) and bound to
127.0.0.1; every test gets fresh keys on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.recipients.keys import GpgHome, SshKey, make_gpg_home, make_ssh_key


@pytest.fixture(scope="session")
def gpg_home() -> Iterator[GpgHome]:
    home = make_gpg_home()
    yield home
    home.close()


@pytest.fixture
def gpg(gpg_home: GpgHome, monkeypatch: pytest.MonkeyPatch) -> GpgHome:
    monkeypatch.setenv("GNUPGHOME", str(gpg_home.home))
    return gpg_home


@pytest.fixture
def ssh_key(tmp_path: Path) -> SshKey:
    return make_ssh_key(tmp_path / "ssh", "ed25519")
