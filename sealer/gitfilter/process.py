"""git's long-running filter process protocol (version 2), with pluggable handlers.

One process serves every file of one git command: a handshake
(`git-filter-client` -> `git-filter-server`, `version=2`, capabilities), then
requests of `key=value` lines and content, each answered with a status, content
and a second, usually empty, status list (gitattributes(5), "Long Running Filter
Process"). What a request means is the handler's business; this module only
speaks the protocol, so git's own t0021 suite can drive it through a rot13
handler (tests/gitfilter/rot13_filter.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from sealer.gitfilter.pktline import ProtocolError, Reader, Writer

VERSION = "2"
LIST_AVAILABLE = "list_available_blobs"


@dataclass(frozen=True)
class Request:
    """One request: every `key=value` line git sent, in order, and the content."""

    meta: tuple[tuple[str, str], ...]
    content: bytes = b""

    def get(self, key: str) -> str | None:
        for k, v in self.meta:
            if k == key:
                return v
        return None

    @property
    def command(self) -> str:
        return self.get("command") or ""

    @property
    def pathname(self) -> str:
        return self.get("pathname") or ""


@dataclass(frozen=True)
class Response:
    """`status` is success, error, abort or delayed; content only goes with success.

    Content may be an iterable of chunks: it is streamed after `status=success`,
    and if producing it raises an error, the reply ends with `status=error`.
    """

    status: str = "success"
    content: bytes | Iterable[bytes] = b""


class Handler(Protocol):
    def capabilities(self, offered: Sequence[str]) -> Sequence[str]:
        """What to announce, out of what git offered (a subset of it)."""
        ...

    def handle(self, request: Request) -> Response: ...

    def available(self, request: Request) -> Sequence[str]:
        """Paths of delayed blobs now ready (`list_available_blobs`)."""
        ...


Report = Callable[[Request, Exception], None]


def report_to_stderr(request: Request, error: Exception) -> None:
    print(f"sealer: error: {request.pathname}: {error}", file=sys.stderr, flush=True)


class Server:
    def __init__(self, handler: Handler, stdin: BinaryIO, stdout: BinaryIO, report: Report):
        self.handler = handler
        self.reader = Reader(stdin)
        self.writer = Writer(stdout)
        self.report = report

    def run(self) -> None:
        """Handshake, then serve requests until git closes the pipe."""
        try:
            self.handshake()
        except EOFError:
            raise ProtocolError("git closed the pipe during the handshake") from None
        while True:
            try:
                lines = self.reader.text_list()
            except EOFError:
                return
            self.serve(Request(_pairs(lines)))

    def handshake(self) -> None:
        hello = self.reader.text_list()
        if not hello or hello[0] != "git-filter-client":
            raise ProtocolError(f"expected git-filter-client, got {hello[:1]}")
        versions = [line.removeprefix("version=") for line in hello[1:]]
        if VERSION not in versions:
            raise ProtocolError(f"git offers filter protocol versions {versions}, not 2")
        self.writer.text("git-filter-server")
        self.writer.text(f"version={VERSION}")
        self.writer.flush()
        offered = [
            line.removeprefix("capability=")
            for line in self.reader.text_list()
            if line.startswith("capability=")
        ]
        for capability in self.handler.capabilities(offered):
            if capability not in offered:
                raise ProtocolError(f"git does not offer the {capability!r} capability")
            self.writer.text(f"capability={capability}")
        self.writer.flush()

    def serve(self, request: Request) -> None:
        if request.command == LIST_AVAILABLE:
            for path in self.handler.available(request):
                self.writer.text(f"pathname={path}")
            self.writer.flush()
            self.writer.text("status=success")
            self.writer.flush()
            return
        request = Request(request.meta, self.reader.content())
        try:
            response = self.handler.handle(request)
        except Exception as error:  # one bad file must not stop the others
            self.report(request, error)
            response = Response("error")
        self.reply(request, response)

    def reply(self, request: Request, response: Response) -> None:
        self.writer.text(f"status={response.status}")
        self.writer.flush()
        if response.status != "success":
            return
        final = ""
        chunks = [response.content] if isinstance(response.content, bytes) else response.content
        try:
            for chunk in chunks:
                self.writer.content(chunk)
        except Exception as error:  # reported through the second status list
            self.report(request, error)
            final = "error"
        self.writer.flush()
        if final:
            self.writer.text(f"status={final}")
        self.writer.flush()


def _pairs(lines: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep:
            raise ProtocolError(f"expected key=value, got {line!r}")
        pairs.append((key, value))
    return tuple(pairs)


def serve(
    handler: Handler,
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
    report: Report = report_to_stderr,
) -> None:
    """Serve git on stdin/stdout until it closes the pipe."""
    Server(handler, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer, report).run()
