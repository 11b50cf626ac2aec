"""The log on its own: schema, chain, signatures both ways with ssh-keygen, and tampering."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

from sealer.audit import NAMESPACE, canonical, signers, sshsig
from sealer.audit.log import GENESIS, Actor, Writer, data_key_id, line_hash, parse_line, split_lines
from sealer.audit.verify import check_log
from sealer.errors import FileError
from tests.audit.keys import SshKey, make_ssh_key
from tests.helpers import REPO, run, tool


def rekey_fields(n: int) -> dict[str, object]:
    return {
        "action": "recipients.update",
        "file": f"secrets/{n}.yaml",
        "recipients": {"added": [f"age1new{n}"], "removed": [], "after": [[f"age1new{n}"]]},
        "rotated": False,
        "data_key_id": data_key_id(bytes([n]) * 32),
    }


def actor(key: SshKey, email: str = "alice@example.invalid") -> Actor:
    return Actor("Alice", email, sshsig.load_signer(str(key.private)))


def allowed(*people: tuple[str, SshKey]) -> list[signers.Line]:
    text = "".join(signers.line_for(email, _blob(k), NAMESPACE) for email, k in people)
    return signers.parse(text)


def _blob(key: SshKey) -> bytes:
    return sshsig.parse_public_key_text(key.public_text)


def write_log(path: Path, who: Actor, n: int) -> bytes:
    w = Writer(path, who, "0" * 40)
    w.append(rekey_fields(i) for i in range(n))
    return path.read_bytes()


@pytest.fixture
def alice(tmp_path: Path) -> SshKey:
    return make_ssh_key(tmp_path / "keys", "alice")


def test_entries_chain_by_hash_and_carry_every_field_of_the_schema(
    tmp_path: Path, alice: SshKey
) -> None:
    data = write_log(tmp_path / "audit.jsonl", actor(alice), 3)
    lines = split_lines(data)
    assert [json.loads(x)["seq"] for x in lines] == [0, 1, 2]
    assert json.loads(lines[0])["prev"] == GENESIS
    assert json.loads(lines[2])["prev"] == line_hash(lines[1])
    first = json.loads(lines[0])
    assert set(first) == {
        "v", "seq", "prev", "time", "actor", "action", "file", "recipients", "rotated",
        "data_key_id", "base_commit", "tool", "sig",
    }  # fmt: skip
    assert first["actor"] == {
        "name": "Alice",
        "email": "alice@example.invalid",
        "key": alice.fingerprint,
    }
    assert all(canonical.dumps(json.loads(x)) == x for x in lines)
    assert check_log(data, allowed(("alice@example.invalid", alice))) == []


def test_a_batch_signed_ahead_is_written_at_once_and_later_entries_chain_on(
    tmp_path: Path, alice: SshKey
) -> None:
    path = tmp_path / "audit.jsonl"
    w = Writer(path, actor(alice), "0" * 40)
    lines = w.sign_all(rekey_fields(i) for i in range(3))
    assert not path.exists()  # signing writes nothing
    w.write_all(lines)
    w.write(w.sign(rekey_fields(3)))
    data = path.read_bytes()
    assert split_lines(data)[:3] == lines
    assert [json.loads(x)["seq"] for x in split_lines(data)] == [0, 1, 2, 3]
    assert Writer(path, actor(alice), None).seq == 4
    assert check_log(data, allowed(("alice@example.invalid", alice))) == []


_APPEND_UNDER_A_SIZE_LIMIT = """
import resource, signal, sys
from pathlib import Path
from sealer.audit import sshsig
from sealer.audit.log import Actor, Writer
from sealer.errors import FileError
from tests.audit.log_test import rekey_fields

log, key, limit = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
w = Writer(log, Actor("Alice", "alice@example.invalid", sshsig.load_signer(key)), None)
lines = w.sign_all(rekey_fields(i) for i in range(2, 12))  # signed before the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    w.write_all(lines)
except FileError as e:
    print(e.message)
"""


def test_two_commands_appending_at_once_cannot_fork_the_chain(
    tmp_path: Path, alice: SshKey
) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, actor(alice), 2)
    first, second = Writer(path, actor(alice), None), Writer(path, actor(alice), None)
    first.append([rekey_fields(2)])
    before = path.read_bytes()
    with pytest.raises(FileError, match="another command changed the audit log") as caught:
        second.append([rekey_fields(3)])  # signed to follow entry 1, as `first`'s was
    assert caught.value.hint == "run the command again"
    assert path.read_bytes() == before  # nothing written
    Writer(path, actor(alice), None).append([rekey_fields(3)])  # a fresh start chains on
    data = path.read_bytes()
    assert [json.loads(x)["seq"] for x in split_lines(data)] == [0, 1, 2, 3]
    assert check_log(data, allowed(("alice@example.invalid", alice))) == []


def test_a_batch_cut_short_by_a_full_disk_leaves_no_torn_line(
    tmp_path: Path, alice: SshKey
) -> None:
    path = tmp_path / "audit.jsonl"
    before = write_log(path, actor(alice), 2)
    limit = len(before) + 1000  # a line and a half of the batch fit; the rest does not
    out = run(
        [
            sys.executable,
            "-c",
            _APPEND_UNDER_A_SIZE_LIMIT,
            str(path),
            str(alice.private),
            str(limit),
        ],
        cwd=REPO,
        check=True,
    )
    assert out.stdout == f"{path}: cannot append: File too large\n"
    assert path.read_bytes() == before  # the partial batch is gone
    Writer(path, actor(alice), None).append([rekey_fields(2)])  # and the next append chains on
    data = path.read_bytes()
    assert [json.loads(x)["seq"] for x in split_lines(data)] == [0, 1, 2]
    assert check_log(data, allowed(("alice@example.invalid", alice))) == []


def test_the_data_key_id_is_a_domain_separated_hash_never_the_key() -> None:
    key = bytes(range(32))
    assert data_key_id(key) == data_key_id(key) != data_key_id(bytes(32))
    assert key.hex() not in data_key_id(key)


def test_ssh_keygen_verifies_every_entry_sealer_signs(tmp_path: Path, alice: SshKey) -> None:
    data = write_log(tmp_path / "audit.jsonl", actor(alice), 2)
    (tmp_path / "allowed").write_text(
        f'alice@example.invalid namespaces="{NAMESPACE}" {alice.public_text}\n'
    )
    for line in split_lines(data):
        entry = parse_line(line, json.loads(line)["seq"])
        (tmp_path / "e.sig").write_text(sshsig.armor(entry.signature))
        args = ["-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", "alice@example.invalid"]
        args += ["-n", NAMESPACE, "-s", str(tmp_path / "e.sig")]
        assert run([tool("ssh-keygen"), *args], input=entry.payload()).returncode == 0


def test_sealer_accepts_an_entry_whose_signature_ssh_keygen_made(
    tmp_path: Path, alice: SshKey
) -> None:
    body = {
        "v": 1, "seq": 0, "prev": GENESIS, "time": "2026-01-01T00:00:00Z",
        "actor": {"name": "Alice", "email": "alice@example.invalid", "key": alice.fingerprint},
        "base_commit": None, "tool": "ssh-keygen", **rekey_fields(0),
    }  # fmt: skip
    payload = canonical.dumps(body)
    args = [tool("ssh-keygen"), "-Y", "sign", "-n", NAMESPACE, "-f", str(alice.private)]
    armored = run(args, input=payload, check=True).stdout
    body["sig"] = base64.b64encode(sshsig.dearmor(armored)).decode()
    data = canonical.dumps(body) + b"\n"
    assert check_log(data, allowed(("alice@example.invalid", alice))) == []
    wrong_ns = run([*args[:4], "git", *args[5:]], input=payload, check=True).stdout
    body["sig"] = base64.b64encode(sshsig.dearmor(wrong_ns)).decode()
    problems = check_log(canonical.dumps(body) + b"\n", allowed(("alice@example.invalid", alice)))
    assert [str(p) for p in problems] == [
        "working tree: entry 0: secrets/0.yaml: bad signature: "
        f"namespace 'git' is not '{NAMESPACE}'"
    ]


# --- the tamper matrix, on the log alone ---------------------------------------

PREV = (
    "entry {n}: prev is not the hash of entry {m} "
    "(an entry before it was changed, removed or moved)"
)


def _messages(
    data: bytes, people: list[signers.Line], pin: tuple[int, str] | None = None
) -> list[str]:
    return [f"entry {p.seq}: {p.message}" for p in check_log(data, people, pin)]


@pytest.fixture
def good(tmp_path: Path, alice: SshKey) -> tuple[list[bytes], list[signers.Line], Actor]:
    who = actor(alice)
    return (
        split_lines(write_log(tmp_path / "audit.jsonl", who, 4)),
        allowed(("alice@example.invalid", alice)),
        who,
    )


def _join(lines: list[bytes]) -> bytes:
    return b"".join(x + b"\n" for x in lines)


def test_an_edited_field_breaks_that_entrys_signature(
    good: tuple[list[bytes], list[signers.Line], Actor],
) -> None:
    lines, people, _ = good
    data = json.loads(lines[2])
    data["recipients"]["added"] = ["age1mallory"]
    lines[2] = canonical.dumps(data)
    assert _messages(_join(lines), people) == [
        "entry 2: bad signature: the signature does not verify",
        PREV.format(n=3, m=2),
    ]


def test_a_deleted_entry_breaks_the_sequence(
    good: tuple[list[bytes], list[signers.Line], Actor],
) -> None:
    lines, people, _ = good
    del lines[1]
    assert _messages(_join(lines), people) == [
        "entry 1: seq is 2, expected 1 (entries deleted or reordered?)",
        "entry 2: seq is 3, expected 2 (entries deleted or reordered?)",
    ]


def test_reordered_entries_break_the_sequence(
    good: tuple[list[bytes], list[signers.Line], Actor],
) -> None:
    lines, people, _ = good
    lines[1], lines[2] = lines[2], lines[1]
    assert _messages(_join(lines), people) == [
        "entry 1: seq is 2, expected 1 (entries deleted or reordered?)",
        "entry 2: seq is 1, expected 2 (entries deleted or reordered?)",
        PREV.format(n=3, m=2),
    ]


def test_a_truncated_log_is_caught_by_the_pinned_head(
    good: tuple[list[bytes], list[signers.Line], Actor],
) -> None:
    lines, people, _ = good
    pin = (4, line_hash(lines[3]))
    assert _messages(_join(lines), people, pin) == []
    assert _messages(_join(lines[:2]), people, pin) == [
        "entry 2: the log has 2 entries but 4 were pinned (truncated or rewritten)"
    ]


def test_a_rewritten_tail_by_an_authorised_key_is_caught_by_the_pinned_head(
    tmp_path: Path, good: tuple[list[bytes], list[signers.Line], Actor]
) -> None:
    lines, people, who = good
    pin = (4, line_hash(lines[3]))
    path = tmp_path / "rewritten.jsonl"
    path.write_bytes(_join(lines[:2]))
    Writer(path, who, None).append([rekey_fields(7), rekey_fields(8), rekey_fields(9)])
    rewritten = path.read_bytes()
    assert _messages(rewritten, people) == []  # valid on its own
    assert _messages(rewritten, people, pin) == [
        "entry 3: the log does not extend the pinned head: this entry differs from the one "
        "accepted before (history rewritten?)"
    ]


def test_a_signer_not_in_allowed_signers_is_refused(
    tmp_path: Path, good: tuple[list[bytes], list[signers.Line], Actor]
) -> None:
    lines, people, _ = good
    mallory = make_ssh_key(tmp_path / "keys", "mallory")
    path = tmp_path / "audit.jsonl"
    Writer(path, actor(mallory, "alice@example.invalid"), None).append([rekey_fields(5)])
    assert _messages(path.read_bytes(), people) == [
        f"entry 4: signer not authorised: key {mallory.fingerprint} is not in allowed_signers"
    ]
    other = allowed(
        ("alice@example.invalid", make_ssh_key(tmp_path / "keys", "a2")), ("bob@x", mallory)
    )
    assert _messages(path.read_bytes()[: -len(split_lines(path.read_bytes())[-1]) - 1], other)[
        0
    ] == (
        f"entry 0: signer not authorised: key {parse_line(lines[0], 0).data['actor']['key']} "
        "is not in allowed_signers"
    )


def test_a_key_listed_for_someone_else_cannot_sign_as_alice(tmp_path: Path) -> None:
    bob = make_ssh_key(tmp_path / "keys", "bob")
    path = tmp_path / "audit.jsonl"
    Writer(path, actor(bob, "alice@example.invalid"), None).append([rekey_fields(0)])
    assert _messages(path.read_bytes(), allowed(("bob@example.invalid", bob))) == [
        "entry 0: signer not authorised: line 1 is for "
        "bob@example.invalid, not alice@example.invalid"
    ]


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda s: s.replace(b'"v":1', b'"v":1,"v":1'), "duplicate member 'v'"),
        (lambda s: s.replace(b'"seq":', b'"seq": '), "not in RFC 8785 canonical form"),
        (lambda s: json.dumps(json.loads(s), sort_keys=True).encode(), "not in RFC 8785"),
        (lambda s: s + b" ", "not in RFC 8785 canonical form"),
    ],
)
def test_a_non_canonical_line_is_refused(
    good: tuple[list[bytes], list[signers.Line], Actor], mangle: object, reason: str
) -> None:
    lines, people, _ = good
    lines[1] = mangle(lines[1])  # type: ignore[operator]
    messages = _messages(_join(lines), people)
    assert messages[0].startswith("entry 1: ") and reason in messages[0]
    assert messages[1:] == [PREV.format(n=2, m=1)]


def test_unknown_fields_and_a_missing_newline_are_refused(
    good: tuple[list[bytes], list[signers.Line], Actor],
) -> None:
    lines, people, _ = good
    data = json.loads(lines[0])
    data["note"] = "x"
    assert _messages(_join([canonical.dumps(data)]), people) == [
        "entry 0: fields wrong for recipients.update: missing [], unexpected ['note']"
    ]
    assert _messages(_join(lines)[:-1], people) == [
        "entry 3: the last line has no newline (truncated write?)"
    ]
