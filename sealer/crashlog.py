"""The log written when sealer hits a bug: versions and where it happened, nothing else.

A bug's exception message could quote a value sealer was handling, so the log
records each exception's type and the traceback's frames (file, line, function,
source line) but no messages and no variables: it is safe to attach to a bug
report. The same text is what `--debug` prints for an unexpected error.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from pathlib import Path

from sealer import __version__


def _log_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(base) / "sealer"


def describe(error: BaseException) -> list[str]:
    """The exception chain as types and frames, oldest first, without messages."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        cause = current.__cause__
        current = (
            cause
            if cause is not None
            else (None if current.__suppress_context__ else current.__context__)
        )
    lines: list[str] = []
    for exc in reversed(chain):
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(exc.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__} (message not recorded)")
        lines.append("")
    return lines


def write_crash_log(error: BaseException) -> str:
    """Write the log for an unexpected error and return its path."""
    lines = [
        f"sealer {__version__}",
        f"python {platform.python_version()} on {platform.platform()}",
        f"argv[0] {sys.argv[0]}",
        "",
        *describe(error),
    ]
    text = "\n".join(lines) + "\n"
    try:
        directory = _log_dir()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return str(path)
    except OSError:
        sys.stderr.write(text)
        return "(stderr, the log directory was not writable)"
