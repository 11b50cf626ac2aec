"""Hostile inputs for the untrusted-input tests: files an attacker without keys can commit.

Each helper builds the real thing an attacker would ship (a shared library whose
constructor leaves a mark, a file whose metadata is spelled differently); the
tests then assert what sealer did with it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    import os

    return subprocess.run(
        [sys.executable, "-m", "sealer", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
