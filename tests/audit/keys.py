"""SSH keys and people for the audit tests, made by the real ssh-keygen."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import make_age_key, run, tool


@dataclass(frozen=True)
class SshKey:
    private: Path
    public: Path

    @property
    def public_text(self) -> str:
        return self.public.read_text().strip()

    @property
    def fingerprint(self) -> str:
        out = run([tool("ssh-keygen"), "-l", "-f", str(self.public)], check=True).stdout
        return out.split()[1]


def make_ssh_key(directory: Path, name: str, kind: str = "ed25519", passphrase: str = "") -> SshKey:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    args = [tool("ssh-keygen"), "-q", "-t", kind, "-N", passphrase, "-C", name, "-f", str(path)]
    if kind == "rsa":
        args += ["-b", "3072"]
    run(args, check=True)
    return SshKey(path, path.with_name(name + ".pub"))


@dataclass(frozen=True)
class Person:
    """Someone with an SSH signing key, an age key and a git identity."""

    name: str
    email: str
    ssh: SshKey
    age_recipient: str
    age_file: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "SEALER_SIGNING_KEY": str(self.ssh.private),
            "SEALER_AGE_KEY_FILE": str(self.age_file),
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
            **extra,
        }


def make_person(directory: Path, name: str) -> Person:
    ssh = make_ssh_key(directory / name, "id_ed25519")
    age = make_age_key(directory / name, "age")
    return Person(name.capitalize(), f"{name}@example.invalid", ssh, age.recipient, age.file)


@contextmanager
def ssh_agent(directory: Path) -> Iterator[str]:
    """A private ssh-agent on a socket in `directory`; yields SSH_AUTH_SOCK."""
    sock = directory / "agent.sock"
    proc = subprocess.Popen(
        [tool("ssh-agent"), "-D", "-a", str(sock)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert sock.exists(), "ssh-agent did not start"
        yield str(sock)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def add_to_agent(sock: str, key: SshKey, passphrase: str, directory: Path) -> None:
    askpass = directory / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{passphrase}'\n")
    askpass.chmod(0o700)
    env = {
        "SSH_AUTH_SOCK": sock,
        "SSH_ASKPASS": str(askpass),
        "SSH_ASKPASS_REQUIRE": "force",
        "DISPLAY": "none",
    }
    run([tool("ssh-add"), str(key.private)], env=env, input=b"", check=True)
