"""Key services for the tests: the real `sops keyservice` and `sealer keyservice`.

Each listens on 127.0.0.1 (a free port) or on a unix socket in the test's
directory, holds the age key it was started with, and is stopped afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import AgeKey, make_age_key, tool


@dataclass
class KeyService:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    @property
    def said(self) -> str:
        return self.log.read_text()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(url: str) -> bool:
    if url.startswith("unix://"):
        family, where = socket.AF_UNIX, url.removeprefix("unix://")
        if not os.path.exists(where):
            return False
        address: object = where
    else:
        family = socket.AF_INET
        host, port = url.removeprefix("tcp://").rsplit(":", 1)
        address = (host, int(port))
    with socket.socket(family) as s:
        try:
            s.connect(address)  # type: ignore[arg-type]
        except OSError:
            return False
    return True


def start(argv: list[str], url: str, key: AgeKey | None, directory: Path) -> KeyService:
    env = {**os.environ}
    if key is not None:
        env["SOPS_AGE_KEY_FILE"] = str(key.file)
    log = directory / f"keyservice-{len(list(directory.glob('keyservice-*')))}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=out, env=env)
    service = KeyService(url, proc, log)
    deadline = time.monotonic() + 20
    while not _listening(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            service.stop()
            raise AssertionError(f"{argv} did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return service


def start_sops(directory: Path, key: AgeKey | None, unix: bool = False) -> KeyService:
    if unix:
        path = directory / "sops.sock"
        argv = [tool("sops"), "keyservice", "--network", "unix", "--address", str(path)]
        return start(argv, f"unix://{path}", key, directory)
    port = free_port()
    argv = [tool("sops"), "keyservice", "--network", "tcp", "--address", f"127.0.0.1:{port}"]
    return start(argv, f"tcp://127.0.0.1:{port}", key, directory)


def start_sealer(directory: Path, key: AgeKey | None, unix: bool = False) -> KeyService:
    base = [sys.executable, "-m", "sealer", "keyservice"]
    if unix:
        path = directory / "sealer.sock"
        argv = [*base, "--network", "unix", "--address", str(path)]
        return start(argv, f"unix://{path}", key, directory)
    port = free_port()
    argv = [*base, "--network", "tcp", "--address", f"127.0.0.1:{port}"]
    return start(argv, f"tcp://127.0.0.1:{port}", key, directory)


@pytest.fixture
def server_key(tmp_path: Path) -> AgeKey:
    """The key only the key service holds."""
    return make_age_key(tmp_path / "server-keys", "server")


class Services:
    """Key services started for one test in its directory, all stopped at its end."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.started: list[KeyService] = []

    def sops(self, key: AgeKey | None, unix: bool = False) -> KeyService:
        self.started.append(start_sops(self.directory, key, unix))
        return self.started[-1]

    def sealer(self, key: AgeKey | None, unix: bool = False) -> KeyService:
        self.started.append(start_sealer(self.directory, key, unix))
        return self.started[-1]


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    started = Services(tmp_path)
    yield started
    for s in started.started:
        s.stop()
