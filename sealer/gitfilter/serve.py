"""The sealer personality of the filter protocol: clean, smudge, and delayed smudges.

Clean runs in this process, one file at a time. Smudges that git allows to be
delayed (`can-delay=1`, a checkout) are answered `delayed` at once and opened
by a pool of forked worker processes, one per CPU, while git goes on with its
checkout; `list_available_blobs` hands back what is done. On a 2-core machine
this roughly halves the filter's share of a checkout of many sealed files. A
worker that dies fails its file (git reports it) rather than leaving git
waiting. Warnings and errors of workers are printed here, so a locked checkout
still warns once per git command.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sealer.errors import FormatError, SealerError
from sealer.gitfilter import process
from sealer.gitfilter.filter import Filter, format_for
from sealer.gitfilter.process import Request, Response

if TYPE_CHECKING:  # imported when the first smudge is delayed: start-up matters
    from concurrent.futures import Future, ProcessPoolExecutor


def error_lines(path: str, error: Exception) -> list[str]:
    """How an error for one file is reported (a crash log for a bug)."""
    if isinstance(error, SealerError):
        lines = [f"sealer: error: {error.with_file(path)}"]
        return lines + [f"sealer: hint: {line}" for line in (error.hint or "").splitlines()]
    from sealer.crashlog import write_crash_log

    log = write_crash_log(error)
    return [
        f"sealer: error: {path}: unexpected {type(error).__name__}; this is a bug",
        f"sealer: hint: details are in {log}; please report them",
    ]


class Reported(Exception):
    """An error already formatted (by a worker)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def report(path: str, error: Exception) -> None:
    lines = error.lines if isinstance(error, Reported) else error_lines(path, error)
    print("\n".join(lines), file=sys.stderr, flush=True)


@dataclass
class Job:
    """What a worker sends back for one smudge."""

    output: bytes | None
    warnings: list[str] = field(default_factory=list)
    locked: str | None = None
    error: list[str] = field(default_factory=list)


_worker: Filter | None = None
_warnings: list[str] = []


def _init_worker(close: list[int]) -> None:
    """A forked worker: no access to git's pipes or the parent's cat-file pipes."""
    global _worker
    for fd in close:
        with contextlib.suppress(OSError):
            os.close(fd)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    _worker = Filter(warn=_warnings.append)
    _worker.locked = 1  # the parent warns, once


def _smudge(path: str, data: bytes, blob: str | None) -> Job:
    assert _worker is not None
    _warnings.clear()
    _worker.last_locked = None
    try:
        out = _worker.smudge(path, data, blob)
    except Exception as e:  # reported by the parent when git asks for the blob
        return Job(None, list(_warnings), error=error_lines(path, e))
    return Job(out, list(_warnings), _worker.last_locked)


# Stanzas of hardware keys (PKCS#11 tokens): a token session cannot cross a fork, and
# each worker logging in would spend one of the token's PIN tries. Files sealed for
# one are opened by the parent, one at a time, with the PIN asked once.
_HARDWARE_MARKERS = (b"pkcs11",)


def _needs_parent(content: bytes) -> bool:
    return any(marker in content for marker in _HARDWARE_MARKERS)


def default_workers() -> int:
    value = os.environ.get("SEALER_GIT_WORKERS")
    if value and value.isdigit():
        return int(value)
    return min(os.cpu_count() or 1, 8)


class ProcessHandler:
    def __init__(self, filt: Filter, workers: int | None = None):
        self.filter = filt
        self.workers = default_workers() if workers is None else workers
        self.delay = False
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[str, tuple[bytes, Future[Job]]] = {}
        self.done: dict[str, tuple[bytes, Job]] = {}
        self.primed = False

    def capabilities(self, offered: Sequence[str]) -> Sequence[str]:
        wanted = ["clean", "smudge"] + (["delay"] if self.workers > 1 else [])
        taken = [c for c in wanted if c in offered]
        self.delay = "delay" in taken
        return taken

    def handle(self, request: Request) -> Response:
        path = request.pathname
        if request.command == "clean":
            return Response("success", self.filter.clean(path, request.content))
        if request.command != "smudge":
            raise FormatError(f"unknown filter command {request.command!r}")
        if path in self.done:
            return self._deliver(path)
        if (
            self.delay
            and request.get("can-delay") == "1"
            and path not in self.pending
            and self.primed
            and not _needs_parent(request.content)
        ):
            pool = self._pool(path)
            job = pool.submit(_smudge, path, request.content, request.get("blob"))
            self.pending[path] = (request.content, job)
            return Response("delayed")
        smudged = self.filter.smudge(path, request.content, request.get("blob"))
        # The first file is opened here, so identities are loaded (passphrases asked)
        # once, before workers are forked with them.
        self.primed = True
        return Response("success", smudged)

    def available(self, request: Request) -> Sequence[str]:
        """Paths whose smudge finished; waits for one if none has (empty: all delivered)."""
        from concurrent.futures import FIRST_COMPLETED, wait

        if not self.pending:
            return []
        wait([job for _, job in self.pending.values()], return_when=FIRST_COMPLETED)
        ready = [p for p, (_, job) in self.pending.items() if job.done()]
        for p in ready:
            data, job = self.pending.pop(p)
            try:
                self.done[p] = (data, job.result())
            except Exception as e:  # a worker died (killed, out of memory): this file fails
                self.done[p] = (data, Job(None, error=error_lines(p, e)))
        return ready

    def _deliver(self, path: str) -> Response:
        data, job = self.done.pop(path)
        for warning in job.warnings:
            self.filter.warn(warning)
        if job.locked:
            self.filter.note_locked(job.locked)
        if job.output is None:
            raise Reported(job.error)
        self.filter.smudged[(path, hashlib.sha256(job.output).digest())] = data
        return Response("success", job.output)

    def _pool(self, path: str) -> ProcessPoolExecutor:
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            format_for(path)  # imported once here rather than in every worker
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker,
                initargs=(self.filter.repo.fds(),),
            )
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def serve_git() -> None:
    """Serve one git command on stdin/stdout (filter.sealer.process)."""
    filt = Filter()
    handler = ProcessHandler(filt)
    try:
        process.serve(handler, report=lambda r, e: report(r.pathname, e))
    finally:
        handler.close()
        filt.repo.close()
