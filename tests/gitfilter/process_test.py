"""The filter-process server: in memory, and driven by real git through the rot13 personality."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sealer.gitfilter.pktline import MAX_DATA, ProtocolError, Reader, Writer
from sealer.gitfilter.process import Request, Response, Server
from tests.gitfilter.rot13_filter import rot13
from tests.helpers import run

ROT13 = Path(__file__).with_name("rot13_filter.py")


def git_side(*requests: tuple[list[str], bytes | None], caps: Sequence[str] = ()) -> bytes:
    """What git writes: handshake, then requests (key=value lines and optional content)."""
    out = io.BytesIO()
    w = Writer(out)
    for line in ("git-filter-client", "version=2"):
        w.text(line)
    w.flush()
    for cap in caps or ("clean", "smudge", "delay"):
        w.text(f"capability={cap}")
    w.flush()
    for lines, content in requests:
        for line in lines:
            w.text(line)
        w.flush()
        if content is not None:
            w.content(content)
            w.flush()
    return out.getvalue()


class Upper:
    """A test handler: clean upper-cases; 'bad' fails; 'late' fails while streaming."""

    def __init__(self, caps: Sequence[str] = ("clean", "smudge")):
        self.caps = caps
        self.seen: list[Request] = []

    def capabilities(self, offered: Sequence[str]) -> Sequence[str]:
        return [c for c in self.caps if c in offered]

    def handle(self, request: Request) -> Response:
        self.seen.append(request)
        if request.pathname == "bad":
            raise ValueError("cannot")
        if request.pathname == "late":
            return Response("success", self._late(request.content))
        if request.pathname == "abort":
            return Response("abort")
        return Response("success", request.content.upper())

    def _late(self, content: bytes) -> Iterator[bytes]:
        yield content[:3]
        raise ValueError("failed half way")

    def available(self, request: Request) -> Sequence[str]:
        return ["later.a"]


def serve(handler: Upper, data: bytes) -> tuple[Reader, list[tuple[str, Exception]]]:
    out = io.BytesIO()
    errors: list[tuple[str, Exception]] = []
    Server(handler, io.BytesIO(data), out, lambda r, e: errors.append((r.pathname, e))).run()
    return Reader(io.BytesIO(out.getvalue())), errors


def test_handshake_answers_version_2_and_a_subset_of_the_capabilities() -> None:
    reader, _ = serve(Upper(("clean",)), git_side())
    assert reader.text_list() == ["git-filter-server", "version=2"]
    assert reader.text_list() == ["capability=clean"]
    with pytest.raises(EOFError):
        reader.packet()


def test_a_capability_git_does_not_offer_is_never_announced() -> None:
    reader, _ = serve(Upper(("clean", "smudge")), git_side(caps=["clean"]))
    reader.text_list()
    assert reader.text_list() == ["capability=clean"]


@pytest.mark.parametrize(
    ("hello", "message"),
    [
        (["git-filter-server", "version=2"], "expected git-filter-client"),
        (["git-filter-client", "version=3"], "not 2"),
    ],
)
def test_a_bad_welcome_is_a_protocol_error(hello: list[str], message: str) -> None:
    out = io.BytesIO()
    w = Writer(out)
    for line in hello:
        w.text(line)
    w.flush()
    with pytest.raises(ProtocolError, match=message):
        serve(Upper(), out.getvalue())


def test_requests_with_unknown_keys_empty_and_large_content_are_served() -> None:
    big = b"x" * (MAX_DATA * 2 + 10)
    data = git_side(
        (["command=clean", "pathname=a", "future-key=whatever"], b"abc"),
        (["command=smudge", "pathname=empty", "blob=1234"], b""),
        (["command=clean", "pathname=big"], big),
    )
    handler = Upper()
    reader, errors = serve(handler, data)
    reader.text_list()
    reader.text_list()
    for expected in (b"ABC", b"", big.upper()):
        assert reader.text_list() == ["status=success"]
        assert reader.content() == expected
        assert reader.text_list() == []  # the second, empty status list
    assert errors == []
    assert handler.seen[0].get("future-key") == "whatever"
    assert handler.seen[1].get("blob") == "1234"


def test_an_error_on_one_file_answers_error_and_the_next_file_is_served() -> None:
    data = git_side(
        (["command=clean", "pathname=bad"], b"abc"), (["command=clean", "pathname=ok"], b"d")
    )
    reader, errors = serve(Upper(), data)
    reader.text_list()
    reader.text_list()
    assert reader.text_list() == ["status=error"]
    assert reader.text_list() == ["status=success"]
    assert reader.content() == b"D"
    assert reader.text_list() == []
    assert [(p, str(e)) for p, e in errors] == [("bad", "cannot")]


def test_a_failure_while_streaming_ends_with_a_second_status_error() -> None:
    reader, errors = serve(Upper(), git_side((["command=clean", "pathname=late"], b"abcdef")))
    reader.text_list()
    reader.text_list()
    assert reader.text_list() == ["status=success"]
    assert reader.content() == b"abc"
    assert reader.text_list() == ["status=error"]
    assert [p for p, _ in errors] == ["late"]


def test_abort_and_list_available_blobs() -> None:
    data = git_side(
        (["command=smudge", "pathname=abort"], b"x"), (["command=list_available_blobs"], None)
    )
    reader, _ = serve(Upper(), data)
    reader.text_list()
    reader.text_list()
    assert reader.text_list() == ["status=abort"]
    assert reader.text_list() == ["pathname=later.a"]
    assert reader.text_list() == ["status=success"]


# -- with real git, through the rot13 personality ---------------------------------------


def rot13_repo(tmp: Path, caps: str, required: bool = True) -> Path:
    repo = tmp / "repo"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    cmd = f"{sys.executable} {ROT13} --log={tmp / 'filter.log'} {caps}"
    run(["git", "config", "filter.rot.process", cmd], cwd=repo, check=True)
    run(["git", "config", "filter.rot.required", str(required).lower()], cwd=repo, check=True)
    (repo / ".gitattributes").write_text("*.r filter=rot\n")
    return repo


def blob(repo: Path, spec: str) -> bytes:
    return run(["git", "cat-file", "blob", spec], cwd=repo, check=True).stdout_bytes


def test_git_uses_only_the_negotiated_capability(tmp_path: Path) -> None:
    repo = rot13_repo(tmp_path, "clean")
    (repo / "a.r").write_text("hello\n")
    run(["git", "add", "a.r"], cwd=repo, check=True)
    assert blob(repo, ":a.r") == b"uryyb\n"
    (repo / "a.r").unlink()
    run(["git", "-c", "filter.rot.required=false", "checkout", "--", "a.r"], cwd=repo, check=True)
    assert (repo / "a.r").read_bytes() == b"uryyb\n"  # no smudge: not announced
    log = (tmp_path / "filter.log").read_text()
    assert "IN: smudge" not in log and "IN: clean a.r 6 [OK] -- OUT: 6 . [OK]" in log


def test_empty_and_multi_packet_files_round_trip_through_git(tmp_path: Path) -> None:
    repo = rot13_repo(tmp_path, "clean smudge")
    big = ("The quick brown fox jumps over the lazy dog. " * 25_000).encode()  # 1.1 MB
    (repo / "big.r").write_bytes(big)
    (repo / "empty.r").write_bytes(b"")
    run(["git", "add", "."], cwd=repo, check=True)
    run(["git", "commit", "-q", "-m", "x"], cwd=repo, check=True)
    assert blob(repo, "HEAD:big.r") == rot13(big)
    assert blob(repo, "HEAD:empty.r") == b""
    for name in ("big.r", "empty.r"):
        (repo / name).unlink()
    run(["git", "checkout", "--", "."], cwd=repo, check=True)
    assert (repo / "big.r").read_bytes() == big
    assert (repo / "empty.r").read_bytes() == b""
    packets = -(-len(big) // MAX_DATA)
    log = (tmp_path / "filter.log").read_text()
    assert packets == 18
    assert f"OUT: {len(big)} {'.' * packets} [OK]" in log
    assert "IN: clean empty.r 0 [OK] -- OUT: 0  [OK]" in log


def test_an_error_on_one_file_leaves_the_others_filtered(tmp_path: Path) -> None:
    repo = rot13_repo(tmp_path, "clean smudge", required=False)
    for name in ("a.r", "error.r", "z.r"):
        (repo / name).write_text(f"{name} text\n")
    result = run(["git", "add", "."], cwd=repo)
    assert result.returncode == 0
    assert blob(repo, ":a.r") == rot13(b"a.r text\n")
    assert blob(repo, ":error.r") == b"error.r text\n"  # stored unfiltered
    assert blob(repo, ":z.r") == rot13(b"z.r text\n")
    log = (tmp_path / "filter.log").read_text()
    assert log.count("START") == 1  # one process served all three
    assert "IN: clean error.r 13 [OK] -- [ERROR]" in log


def test_abort_stops_filtering_the_rest_of_the_command(tmp_path: Path) -> None:
    repo = rot13_repo(tmp_path, "clean smudge", required=False)
    for name in ("abort.r", "b.r"):
        (repo / name).write_text(f"{name} text\n")
    run(["git", "add", "abort.r"], cwd=repo, check=True)
    run(["git", "add", "b.r"], cwd=repo, check=True)
    assert blob(repo, ":b.r") == rot13(b"b.r text\n")  # a new git command filters again
    (repo / "c.r").write_text("c\n")
    # Change abort.r so git must clean it again. Unchanged, git re-reads it only while
    # its index entry is racily clean (written in the same second as the index), so a
    # slow first add made git skip it, nothing aborted, and c.r was filtered.
    (repo / "abort.r").write_text("abort.r changed text\n")
    run(["git", "add", "abort.r", "c.r"], cwd=repo, check=True)
    assert blob(repo, ":c.r") == b"c\n"  # after abort, git passed c.r through unfiltered
    log = (tmp_path / "filter.log").read_text()
    assert "[ABORT]" in log and "IN: clean c.r" not in log


@pytest.mark.parametrize(("workers", "delay"), [("1", False), ("2", True)])
def test_sealer_announces_delay_only_with_workers_to_use_it(
    tmp_path: Path, workers: str, delay: bool
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    command = f"{sys.executable} -m sealer git process"
    run(["git", "config", "filter.sealer.process", command], cwd=repo, check=True)
    (repo / ".gitattributes").write_text("*.env filter=sealer\n")
    (repo / "a.env").write_text("A=1\n")
    env = {"GIT_TRACE_PACKET": "1", "SEALER_GIT_WORKERS": workers}
    traced = run(["git", "add", "a.env"], cwd=repo, env=env)
    offered = [line.split("git> ")[1] for line in traced.stderr.splitlines() if "git> capa" in line]
    taken = [line.split("git< ")[1] for line in traced.stderr.splitlines() if "git< capa" in line]
    assert offered == ["capability=clean", "capability=smudge", "capability=delay"]
    assert taken == ["capability=clean", "capability=smudge"] + (
        ["capability=delay"] if delay else []
    )
