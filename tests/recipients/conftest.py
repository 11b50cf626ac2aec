"""Fixtures for the recipient tests: real moto_server, SoftHSM2 token, GnuPG home, SSH keys.

Services are started once per test session (per xdist worker) and bound to
127.0.0.1; every test gets fresh keys on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.recipients.hsm import Token, make_token
from tests.recipients.keys import GpgHome, SshKey, make_gpg_home, make_ssh_key


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Token:
    return make_token(tmp_path_factory.mktemp("softhsm"))


@pytest.fixture
def hsm(token: Token, monkeypatch: pytest.MonkeyPatch) -> Token:
    """The SoftHSM2 token, configured (SOFTHSM2_CONF, PIN) for this test's subprocesses."""
    for name, value in token.env.items():
        monkeypatch.setenv(name, value)
    return token


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
