"""A lock on a file that is replaced by atomic renames.

`flock` locks an inode; an atomic write puts a new inode at the path. So after
taking the lock we check that the path still names the locked inode, and try
again if a writer replaced it meanwhile.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sealer.errors import FileError

WAIT_SECONDS = 10.0


@contextmanager
def locked(path: str, wait: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on an existing file while changing it; waits up to `wait` s."""
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            yield  # a new file: nothing to race with but its creator
            return
        except OSError as e:
            raise FileError(f"{path}: cannot open: {e.strerror}") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise FileError(
                            f"{path}: another sealer process is changing this file",
                            hint="wait for it to finish, then try again",
                        ) from None
                    time.sleep(0.05)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                yield
                return
        finally:
            os.close(fd)


def replace_if_unchanged(path: str, original: str | None, data: bytes, *, doing: str) -> None:
    """Write `data` atomically, under the lock, only if the file still holds `original`.

    `original` None: the file did not exist. `doing` names what took the time
    (e.g. "editing it"), for the message when someone else got there first.
    """
    from sealer import fileio

    with locked(path):
        current = None
        if os.path.exists(path):
            try:
                current = fileio.read(path)
            except FileError:
                current = None
        if current != original:
            raise FileError(
                f"{path}: the file changed while {doing}; it was not overwritten",
                hint="run the command again on the file as it is now",
            )
        fileio.write_atomic(path, data)
