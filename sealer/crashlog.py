"""The log written when sealer hits a bug: versions and the traceback, nothing else.

Exception messages inside sealer never carry secret values, and no local
variables are recorded, so the log is safe to attach to a bug report.
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


def write_crash_log(error: BaseException) -> str:
    """Write the log for an unexpected error and return its path."""
    lines = [
        f"sealer {__version__}",
        f"python {platform.python_version()} on {platform.platform()}",
        f"argv[0] {sys.argv[0]}",
        "",
        *traceback.format_exception(type(error), error, error.__traceback__),
    ]
    text = "\n".join(line.rstrip("\n") for line in lines) + "\n"
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
