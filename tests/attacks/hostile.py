"""Hostile inputs for the untrusted-input tests: files an attacker without keys can commit.

Each helper builds the real thing an attacker would ship (a shared library whose
constructor leaves a mark, a file whose metadata is spelled differently); the
tests then assert what sealer did with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.audit.keys import make_person
from tests.helpers import tool

PLAIN = "db:\n  password: hunter2\n"


def marking_library(directory: Path) -> tuple[Path, Path]:
    """A shared library that creates `marker` as soon as it is loaded; (library, marker)."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / "loaded"
    source = directory / "evil.c"
    source.write_text(
        "#include <fcntl.h>\n#include <unistd.h>\n"
        "__attribute__((constructor)) static void mark(void) {\n"
        f'  int fd = open("{marker}", O_WRONLY | O_CREAT, 0600);\n'
        "  if (fd >= 0) close(fd);\n}\n"
    )
    library = directory / "evil.so"
    subprocess.run(
        [tool("gcc"), "-shared", "-fPIC", "-o", str(library), str(source)],
        check=True,
        capture_output=True,
    )
    return library, marker


def sealer_in(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`sealer ARGS` in `cwd`, killed after `timeout` seconds (a hang fails the test)."""
    return subprocess.run(
        [sys.executable, "-m", "sealer", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


AUDITED = {"secrets/app.json": '{"token": "t0ps3cret"}\n', "secrets/app.yaml": "token: t0ps3cret\n"}


class AuditRepo:
    """A repository with an audit trail: alice signs, mallory only commits."""

    def __init__(self, base: Path):
        self.base, self.root = base, base / "repo"
        self.root.mkdir(parents=True)
        self.people = {n: make_person(base / "people", n) for n in ("alice", "mallory")}

    def run(self, who: str, *args: str) -> subprocess.CompletedProcess[str]:
        home = self.base / "home"
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "GIT_CONFIG_NOSYSTEM": "1",
            **self.people[who].env(),
        }
        return subprocess.run(
            args, cwd=self.root, env=env, capture_output=True, text=True, check=False
        )

    def ok(self, who: str, *args: str) -> str:
        out = self.run(who, *args)
        assert out.returncode == 0, f"{args}: {out.stderr}"
        return out.stdout

    def sealer(self, who: str, *args: str) -> str:
        return self.ok(who, sys.executable, "-m", "sealer", *args)

    def commit(self, who: str, label: str) -> str:
        self.ok(who, "git", "add", "-A")
        self.ok(who, "git", "commit", "-qm", label)
        return self.ok(who, "git", "rev-parse", "HEAD").strip()

    def failures(self) -> list[str]:
        out = self.run("alice", sys.executable, "-m", "sealer", "audit", "verify")
        assert out.returncode == 52, out.stderr
        prefix = "sealer: audit: "
        return [x.removeprefix(prefix) for x in out.stderr.splitlines() if x.startswith(prefix)]


def audit_repo(tmp_path: Path) -> AuditRepo:
    """Two files sealed for alice, recorded, committed, and the trust root pinned."""
    r = AuditRepo(tmp_path)
    r.ok("alice", "git", "init", "-q", "-b", "main")
    r.sealer("alice", "audit", "init")
    (r.root / "secrets").mkdir()
    for name, text in AUDITED.items():
        (r.root / name).write_text(text)
        r.sealer("alice", "encrypt", "-i", "--age", r.people["alice"].age_recipient, name)
    r.sealer("alice", "audit", "record", *AUDITED)
    r.commit("alice", "root")
    r.sealer("alice", "audit", "init")
    verified = r.run("alice", sys.executable, "-m", "sealer", "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    return r
