"""Reading inputs and writing outputs: atomic writes, private files, honest errors.

Text is decoded as UTF-8 with `surrogateescape`, so binary files pass through
losslessly and text formats can refuse bytes that are not UTF-8. Every write is
atomic: a temp file in the same directory, fsync, rename, fsync of the
directory. A failed write leaves the old file as it was.
"""

from __future__ import annotations

import os
import re
import sys

from sealer.errors import FileError, FormatError

_SURROGATE = "[\udc80-\udcff]"  # compiled on first use: only non-ASCII text needs it


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def require_utf8(text: str) -> None:
    """Text formats refuse input that is not UTF-8 (binary files are sealed whole)."""
    if not text.isascii():
        m = re.search(_SURROGATE, text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            raise FormatError(
                f"line {line}: the file is not UTF-8 text",
                hint="convert it to UTF-8, or seal it whole with --input-type binary",
            )


def read(path: str) -> str:
    """A file's content ('-' is stdin), decoded for the formats."""
    try:
        if path == "-":
            return decode(sys.stdin.buffer.read())
        with open(path, "rb") as f:
            return decode(f.read())
    except FileNotFoundError:
        raise FileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileError(f"{path}: is a directory") from None
    except OSError as e:
        raise FileError(f"{path}: cannot read: {e.strerror}") from None


def write_atomic(path: str, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically; keeps the old file's mode unless given one."""
    import tempfile

    directory = os.path.dirname(path) or "."
    name = os.path.basename(path)
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        except OSError as e:
            raise FileError(f"{path}: cannot write: {e.strerror}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".sealer-tmp", dir=directory)
    except OSError as e:
        raise FileError(f"{path}: cannot write: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        _unlink_quietly(tmp)
        raise FileError(f"{path}: cannot write: {e.strerror}") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _fsync_dir(directory)


# try/except rather than contextlib.suppress: contextlib is 2% of a small
# decrypt's start-up, and nothing else on that path needs it.
def _unlink_quietly(path: str) -> None:
    try:  # noqa: SIM105
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_output(path: str | None, text: str, *, private: bool = False) -> None:
    """stdout when `path` is None or '-', else an atomic write.

    `private` (plaintext): always 0600, even over an existing file with a wider
    mode; the atomic write makes a new file anyway, so nothing else is kept.
    """
    data = encode(text)
    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(path, data, mode=0o600 if private else None)
