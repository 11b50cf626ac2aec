"""Blobs of the repository a filter runs in: the previous sealed version of a path.

One `git cat-file --batch` co-process per filter process, started on first
use (only clean needs it). Measured here (2 cores): starting it and reading the
first blob takes 15-20 ms and each further blob about 0.07 ms; importing pygit2
and reading one blob takes 75-100 ms. A filter that git starts once per command
pays that start-up every time, so the co-process is the cheaper choice.
"""

from __future__ import annotations

import subprocess
from typing import IO

# Where clean looks for the previous version of a path, in order: the index,
# "ours" while a merge is in progress, then HEAD.
PREVIOUS = (":0:{}", ":2:{}", "HEAD:{}")


class Repo:
    def __init__(self, cwd: str | None = None):
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=self.cwd,
            )
        return self._proc

    def blob(self, spec: str) -> bytes | None:
        """The content of the blob `spec` names (e.g. `HEAD:a.yaml`), or None."""
        found = self.object(spec)
        return found[1] if found else None

    def object(self, spec: str) -> tuple[str, bytes] | None:
        """(object id, content) of the blob `spec` names, or None."""
        if "\n" in spec:  # --batch reads one name per line
            return self._one(spec)
        proc = self._batch()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
        except BrokenPipeError:
            return self._one(spec)
        if len(header) != 3 or header[1] not in (b"blob", b"tree", b"commit", b"tag"):
            return None
        data = _read(proc.stdout, int(header[2]) + 1)[:-1]
        return (header[0].decode(), data) if header[1] == b"blob" else None

    def _one(self, spec: str) -> tuple[str, bytes] | None:
        def git(*args: str) -> bytes | None:
            proc = subprocess.run(["git", *args], capture_output=True, cwd=self.cwd, check=False)
            return proc.stdout if proc.returncode == 0 else None

        oid, data = git("rev-parse", "--verify", "-q", spec), git("cat-file", "blob", spec)
        return (oid.decode().strip(), data) if oid is not None and data is not None else None

    def staged_only(self, path: str, oid: str) -> bool:
        """Whether blob `oid` is what the index holds for `path` and HEAD does not."""
        staged, head = self.object(f":0:{path}"), self.object(f"HEAD:{path}")
        return staged is not None and staged[0] == oid and (head is None or head[0] != oid)

    def previous(self, path: str) -> tuple[str, bytes] | None:
        """The first of index, ours, HEAD that holds `path`: (which, content)."""
        found = self.previous_object(path)
        return None if found is None else (found[0], found[2])

    def previous_object(self, path: str) -> tuple[str, str, bytes] | None:
        """`previous`, with the blob's id: (which, object id, content)."""
        for pattern in PREVIOUS:
            spec = pattern.format(path)
            found = self.object(spec)
            if found is not None:
                return spec, found[0], found[1]
        return None

    def fds(self) -> list[int]:
        """The co-process's pipe descriptors (a forked worker closes its copies)."""
        if self._proc is None:
            return []
        pipes = (self._proc.stdin, self._proc.stdout)
        return [p.fileno() for p in pipes if p is not None]

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait()
            self._proc = None


def _read(stream: IO[bytes], n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)
