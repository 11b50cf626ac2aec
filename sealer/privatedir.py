"""Private directories for plaintext: 0700, on /dev/shm when it exists, locked while used.

A directory's `.lock` is held (flock) by the process using it, so a directory
whose lock can be taken belongs to a process that is gone — killed before it
could clean up. Whoever made it decides what happens to such leftovers:
`sealer edit` reports them (they may hold unsaved work), `sealer exec` removes
them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

LOCK = ".lock"


def base() -> Path:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return Path(tempfile.gettempdir())


class PrivateDir:
    """A fresh private directory, locked until `close` (or until the process dies)."""

    def __init__(self, prefix: str, where: Path | None = None):
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=where or base()))
        tmp = self.path / ".lock.new"
        self.lock_fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        os.rename(tmp, self.path / LOCK)  # a .lock only ever exists while held

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.lock_fd)


def abandoned(prefix: str, where: Path | None = None) -> list[Path]:
    """This user's directories with `prefix` whose owner process is gone."""
    found: list[Path] = []
    try:
        entries = list(os.scandir(where or base()))
    except OSError:
        return found
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid():
                continue
            fd = os.open(os.path.join(entry.path, LOCK), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live process holds it
        finally:
            os.close(fd)
        found.append(Path(entry.path))
    return found
