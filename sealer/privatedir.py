"""Private directories for plaintext: 0700, in memory when it can be, locked while used.

They go to `SEALER_PRIVATE_DIR` when it is set, else /dev/shm, else (a machine
without /dev/shm) the temp directory, on disk; callers warn about the last.

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
SHM = Path("/dev/shm")


def _usable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def memory_dir() -> Path | None:
    """`SEALER_PRIVATE_DIR` (taken to be memory-backed), else /dev/shm; None: neither.

    A `SEALER_PRIVATE_DIR` that is not a writable directory is an error, never
    a silent fall back to the disk.
    """
    chosen = os.environ.get("SEALER_PRIVATE_DIR")
    if chosen:
        if not _usable(Path(chosen)):
            from sealer.errors import FileError

            raise FileError(f"SEALER_PRIVATE_DIR {chosen}: not a directory you can write to")
        return Path(chosen)
    return SHM if _usable(SHM) else None


def base() -> Path:
    """Where private directories go: memory when there is one, else the temp directory."""
    return memory_dir() or Path(tempfile.gettempdir())


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
