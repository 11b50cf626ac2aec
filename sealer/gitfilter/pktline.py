"""git's pkt-line framing (gitprotocol-common): length-prefixed packets and flushes.

A packet is four hex digits giving its total length (prefix included) and at
most 65516 bytes of data. `0000` is a flush, which is not the same thing as an
empty packet (`0004`). Text packets end with LF; readers accept them without.
"""

from __future__ import annotations

from typing import BinaryIO

MAX_DATA = 65516  # 65520 bytes per packet, minus the 4-byte length
FLUSH = b"0000"


class ProtocolError(Exception):
    """The peer broke the pkt-line framing or the filter protocol."""


class Reader:
    """Reads packets from a binary stream (git's side of the filter pipe)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def _exactly(self, n: int) -> bytes:
        data = self.stream.read(n)
        if len(data) != n:
            raise ProtocolError(f"the stream ended inside a packet ({len(data)} of {n} bytes)")
        return data

    def packet(self) -> bytes | None:
        """One packet's data, or None for a flush. EOFError at a clean end of stream."""
        head = self.stream.read(4)
        if not head:
            raise EOFError
        if len(head) != 4:
            raise ProtocolError("the stream ended inside a packet length")
        try:
            size = int(head, 16)
        except ValueError:
            raise ProtocolError(f"bad packet length {head!r}") from None
        if size == 0:
            return None
        if size < 4 or size > MAX_DATA + 4:
            raise ProtocolError(f"bad packet length {head!r}")
        return self._exactly(size - 4)

    def text(self) -> str | None:
        """A text packet without its trailing LF, or None for a flush."""
        data = self.packet()
        if data is None:
            return None
        if data.endswith(b"\n"):
            data = data[:-1]
        return data.decode("utf-8", "surrogateescape")

    def text_list(self) -> list[str]:
        """Text packets up to the next flush."""
        lines: list[str] = []
        while (line := self.text()) is not None:
            lines.append(line)
        return lines

    def content(self) -> bytes:
        """Binary packets up to the next flush, joined."""
        chunks: list[bytes] = []
        while (data := self.packet()) is not None:
            chunks.append(data)
        return b"".join(chunks)


class Writer:
    """Writes packets to a binary stream; a flush packet also flushes the stream."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def packet(self, data: bytes) -> None:
        if len(data) > MAX_DATA:
            raise ValueError(f"a packet holds at most {MAX_DATA} bytes")
        self.stream.write(b"%04x" % (len(data) + 4) + data)

    def text(self, line: str) -> None:
        self.packet(line.encode("utf-8", "surrogateescape") + b"\n")

    def flush(self) -> None:
        self.stream.write(FLUSH)
        self.stream.flush()

    def content(self, data: bytes) -> int:
        """`data` as packets of at most MAX_DATA bytes (none for empty data); their count."""
        view = memoryview(data)
        for start in range(0, len(data), MAX_DATA):
            self.packet(bytes(view[start : start + MAX_DATA]))
        return -(-len(data) // MAX_DATA)
