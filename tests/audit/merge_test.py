"""The log's merge driver: plain extension when one side grew, signed carries when both did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

from sealer.audit import signers, sshsig
from sealer.audit.log import Actor, Writer, split_lines
from sealer.audit.merge import MergeConflict, merge
from sealer.audit.verify import check_log
from tests.audit.keys import make_ssh_key
from tests.audit.log_test import allowed, rekey_fields


class Logs(NamedTuple):
    base: bytes
    ours: bytes
    theirs: bytes
    who: Actor
    people: list[signers.Line]


@pytest.fixture
def logs(tmp_path: Path) -> Logs:
    key = make_ssh_key(tmp_path / "keys", "alice")
    who = Actor("Alice", "alice@example.invalid", sshsig.load_signer(str(key.private)))
    base = tmp_path / "base"
    Writer(base, who, None).append([rekey_fields(0), rekey_fields(1)])
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.write_bytes(base.read_bytes())
    theirs.write_bytes(base.read_bytes())
    Writer(ours, who, None).append([rekey_fields(2)])
    Writer(theirs, who, None).append([rekey_fields(3), rekey_fields(4)])
    people = allowed(("alice@example.invalid", key))
    return Logs(base.read_bytes(), ours.read_bytes(), theirs.read_bytes(), who, people)


def _never() -> Writer:
    raise AssertionError("nothing should be signed")


def test_when_one_side_added_nothing_the_result_is_the_other_side(logs: Logs) -> None:
    base, ours, theirs, _, _ = logs
    assert merge(base, base, theirs, _never) == theirs
    assert merge(base, ours, base, _never) == ours
    assert merge(base, ours, ours, _never) == ours


def test_when_both_grew_theirs_are_carried_after_ours_and_signed_by_the_merger(
    logs: Logs, tmp_path: Path
) -> None:
    base, ours, theirs, who, people = logs
    out = tmp_path / "merged"
    out.write_bytes(ours)
    merged = merge(base, ours, theirs, lambda: Writer(out, who, None))
    lines = split_lines(merged)
    assert merged.startswith(ours)
    assert [json.loads(x)["action"] for x in lines[3:]] == ["carry", "carry"]
    assert [json.loads(x)["carried"].encode() for x in lines[3:]] == split_lines(theirs)[2:]
    assert check_log(merged, people) == []


def test_a_side_that_rewrote_the_common_log_is_a_conflict(logs: Logs) -> None:
    base, ours, theirs, _, _ = logs
    rewritten = b"".join(x + b"\n" for x in split_lines(theirs)[1:])
    with pytest.raises(MergeConflict, match="does not extend the common ancestor"):
        merge(base, ours, rewritten, _never)
