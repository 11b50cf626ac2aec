"""pkt-line framing: lengths, flush versus empty packet, splitting, broken streams."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealer.gitfilter.pktline import MAX_DATA, ProtocolError, Reader, Writer


def test_text_packets_carry_their_length_and_a_line_feed() -> None:
    out = io.BytesIO()
    w = Writer(out)
    w.text("git-filter-server")
    w.flush()
    assert out.getvalue() == b"0016git-filter-server\n0000"


def test_flush_and_empty_packet_are_different() -> None:
    r = Reader(io.BytesIO(b"00040000"))
    assert r.packet() == b""
    assert r.packet() is None


def test_text_is_read_with_or_without_line_feed() -> None:
    r = Reader(io.BytesIO(b"000ahello\n0009world0000"))
    assert r.text_list() == ["hello", "world"]


def test_content_is_split_into_packets_of_at_most_65516_bytes() -> None:
    out = io.BytesIO()
    data = bytes(range(256)) * 600  # 153,600 bytes: three packets
    assert Writer(out).content(data) == 3
    raw = out.getvalue()
    assert raw[:4] == b"fff0"  # 65520 = 65516 + 4
    assert Reader(io.BytesIO(raw + b"0000")).content() == data


def test_empty_content_is_no_packet_at_all() -> None:
    out = io.BytesIO()
    assert Writer(out).content(b"") == 0
    assert out.getvalue() == b""


def test_a_packet_larger_than_the_maximum_is_refused() -> None:
    with pytest.raises(ValueError):
        Writer(io.BytesIO()).packet(b"x" * (MAX_DATA + 1))
    with pytest.raises(ProtocolError, match="bad packet length"):
        Reader(io.BytesIO(b"fff1" + b"x" * 65520)).packet()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"00", "inside a packet length"),
        (b"zzzz", "bad packet length"),
        (b"0002", "bad packet length"),
        (b"000ahel", "ended inside a packet"),
    ],
)
def test_broken_streams_are_protocol_errors(raw: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        Reader(io.BytesIO(raw)).packet()


def test_end_of_stream_between_packets_is_eof() -> None:
    with pytest.raises(EOFError):
        Reader(io.BytesIO(b"")).packet()


@given(st.binary(max_size=200_000))
def test_content_round_trips(data: bytes) -> None:
    out = io.BytesIO()
    w = Writer(out)
    w.content(data)
    w.flush()
    assert Reader(io.BytesIO(out.getvalue())).content() == data
