"""A rot13 personality of sealer's filter-process layer: a port of git's test filter.

git's own filter tests (t/t0021-conversion.sh, t2080, t2082) drive
`test-tool rot13-filter [--always-delay] --log=<path> <capabilities>`
(t/helper/test-rot13-filter.c, v2.38+). This script behaves and logs the same
way, but speaks the protocol through `sealer.gitfilter.process`, so running
those scripts with it substituted validates sealer's protocol code the way git
validates filters (tests/gitfilter/run_git_suite.sh does the substitution).

Special paths: `clean-write-fail.r`/`smudge-write-fail.r` die mid-reply,
`error.r` answers status=error, `abort.r` status=abort, `test-delay*`,
`missing-delay.a` and `invalid-delay.a` exercise delayed checkout.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NoReturn, TextIO

from sealer.gitfilter.pktline import MAX_DATA
from sealer.gitfilter.process import Request, Response, serve

# a deliberate bug, to check that git's suite notices (run_git_suite.sh)
_MUTATE = os.environ.get("SEALER_ROT13_MUTATE", "")
_ROT13 = bytes.maketrans(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b"nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM",
)


def rot13(data: bytes) -> bytes:
    # the C filter works on a NUL-terminated string
    return data.split(b"\0", 1)[0].translate(_ROT13)


@dataclass
class Delay:
    count: int
    requested: int
    output: bytes | None = None


class Rot13:
    def __init__(self, log: TextIO, capabilities: list[str], always_delay: bool):
        self.log = log
        self.caps = capabilities
        self.always_delay = always_delay
        self.delay = {
            name: Delay(count, 0)
            for name, count in [
                ("test-delay10.a", 1),
                ("test-delay11.a", 1),
                ("test-delay20.a", 2),
                ("test-delay10.b", 1),
                ("missing-delay.a", 1),
                ("invalid-delay.a", 1),
            ]
        }

    def write(self, text: str) -> None:
        self.log.write(text)
        self.log.flush()

    def die(self, message: str) -> NoReturn:
        self.log.flush()
        print(f"fatal: {message}", file=sys.stderr, flush=True)
        sys.exit(128)

    def capabilities(self, offered: Sequence[str]) -> Sequence[str]:
        for cap in ("clean", "smudge", "delay"):
            if cap not in offered:
                self.die(f"required '{cap}' capability not available from remote")
        for cap in self.caps:
            if cap not in offered:
                self.die(f"our capability '{cap}' is not available from remote")
        self.write("init handshake complete\n")
        return self.caps

    def available(self, request: Request) -> Sequence[str]:
        self.write(f"IN: {request.command}")
        paths: list[str] = []
        sent: list[str] = []
        for name, entry in self.delay.items():
            if not entry.requested:
                continue
            entry.count -= 1
            if name == "invalid-delay.a":
                sent.append("unfiltered")  # a path that was never delayed
            if name != "missing-delay.a" and entry.count == 0:
                paths.append(name)
                sent.append(name)
        self.write("".join(f" {p}" for p in sorted(paths)) + " [OK]\n")
        return sent

    def handle(self, request: Request) -> Response:
        command, path = request.command, request.pathname
        if request.meta[0][0] != "command":
            self.die(f"expected key 'command', got '{request.meta[0][0]}'")
        self.write(f"IN: {command}")
        if len(request.meta) < 2 or request.meta[1][0] != "pathname" or not path:
            self.die("unexpected EOF while expecting pathname")
        self.write(f" {path}")
        for key, value in request.meta[2:]:
            if (key, value) == ("can-delay", "1"):
                entry = self.delay.get(path)
                if entry is not None and not entry.requested:
                    entry.requested = 1
                elif entry is None and self.always_delay:
                    self.delay[path] = Delay(1, 1)
            elif key in ("ref", "treeish", "blob"):
                self.write(f" {key}={value}")
            else:
                self.die(f"Unknown message '{key}={value}'")
        self.write(f" {len(request.content)} [OK] -- ")
        return self.respond(command, path, request.content)

    def respond(self, command: str, path: str, content: bytes) -> Response:
        entry = self.delay.get(path)
        if entry is not None and entry.output is not None:
            output = entry.output
        elif path in ("error.r", "abort.r"):
            output = b""
        elif command in ("clean", "smudge") and command in self.caps:
            output = rot13(content)
        else:
            self.die(f"bad command '{command}'")
        if path == "error.r":
            self.write("[ERROR]\n")
            return Response("error")
        if path == "abort.r":
            self.write("[ABORT]\n")
            return Response("error" if _MUTATE == "abort-as-error" else "abort")
        if command == "smudge" and entry is not None and entry.requested == 1:
            self.write("[DELAYED]\n")
            entry.requested = 2
            entry.output = output
            return Response("delayed")
        return Response("success", self.stream(command, path, output))

    def stream(self, command: str, path: str, output: bytes) -> Iterator[bytes]:
        if path == f"{command}-write-fail.r":
            self.write("[WRITE FAIL]\n")
            self.die(f"{command} write error")
        self.write(f"OUT: {len(output)} ")
        yield output
        self.write("." * -(-len(output) // MAX_DATA) + " [OK]\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rot13-filter")
    parser.add_argument("--always-delay", action="store_true")
    parser.add_argument("--log", required=True)
    parser.add_argument("capabilities", nargs="+")
    args = parser.parse_args(argv)
    with open(args.log, "a", encoding="utf-8", errors="surrogateescape") as log:
        handler = Rot13(log, args.capabilities, args.always_delay)
        handler.write("START\n")
        serve(handler)
        handler.write("STOP\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
