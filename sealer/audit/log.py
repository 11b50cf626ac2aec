"""Entries of `.sealer/audit.jsonl`: their schema, the hash chain, signing and appending.

A line is exactly the RFC 8785 bytes of one entry, then `\\n`. `prev` is the
SHA-256 of the previous line's bytes (without its newline); `seq` is the line's
index. The signature covers the canonical bytes of the entry without `sig`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sealer import __version__, git
from sealer.audit import NAMESPACE, canonical, sshsig
from sealer.errors import ConfigError, FileError, SealerError

VERSION = 1
GENESIS = "sha256:" + "0" * 64
DATA_KEY_ID_PREFIX = b"sealer-audit data-key-id v1\x00"
REKEY_ACTIONS = ("file.create", "recipients.update", "datakey.rotate")
ACTIONS = (*REKEY_ACTIONS, "signers.update", "carry")
_COMMON = {"v", "seq", "prev", "time", "actor", "action", "base_commit", "tool", "sig"}
_FIELDS = {
    **{a: {"file", "recipients", "rotated", "data_key_id"} for a in REKEY_ACTIONS},
    "signers.update": {"file", "signers"},
    "carry": {"carried"},
}
_HASH = re.compile(r"sha256:[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class LogError(SealerError):
    """A line of the log that is malformed; `seq` says which (0-based)."""

    def __init__(self, seq: int, message: str):
        super().__init__(f"entry {seq}: {message}")
        self.seq = seq
        self.reason = message


def line_hash(line: bytes) -> str:
    return "sha256:" + hashlib.sha256(line).hexdigest()


def data_key_id(key: bytes) -> str:
    """A public name for a data key: SHA-256 over a domain prefix and the key."""
    return "sha256:" + hashlib.sha256(DATA_KEY_ID_PREFIX + key).hexdigest()


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Entry:
    """One parsed line; `data` is the JSON object, `line` its exact bytes."""

    line: bytes
    data: dict[str, Any]
    at: int | None = None  # where a carried entry sits in this log (its carry entry's seq)

    @property
    def seq(self) -> int:
        return int(self.data["seq"])

    @property
    def position(self) -> int:
        """The entry's place in this log: its seq, or for a carried entry its carrier's."""
        return self.at if self.at is not None else self.seq

    @property
    def action(self) -> str:
        return str(self.data["action"])

    @property
    def file(self) -> str | None:
        value = self.data.get("file")
        return str(value) if value is not None else None

    @property
    def email(self) -> str:
        return str(self.data["actor"]["email"])

    @property
    def signature(self) -> bytes:
        return base64.b64decode(self.data["sig"])

    def payload(self) -> bytes:
        """The signed bytes: the canonical entry without `sig`.

        Dropping one member of a canonical object leaves the canonical object
        without it, so this cuts `,"sig":"…"` out of the line (a raw `"` cannot
        occur inside a JSON string); it re-encodes only if that is ambiguous.
        """
        needle = b',"sig":"' + str(self.data["sig"]).encode() + b'"'
        if self.line.count(needle) == 1:
            return self.line.replace(needle, b"")
        return canonical.dumps({k: v for k, v in self.data.items() if k != "sig"})

    def effective(self) -> Entry:
        """The entry this one stands for: a carry entry's carried original, else itself."""
        entry = self
        while entry.action == "carry":
            entry = parse_line(entry.data["carried"].encode(), entry.seq, check_seq=False)
        return entry if entry is self else replace(entry, at=self.position)


def _type_problem(data: dict[str, Any]) -> str | None:
    actor = data["actor"]
    if not isinstance(actor, dict) or set(actor) != {"name", "email", "key"}:
        return "actor must be {name, email, key}"
    if not all(isinstance(v, str) for v in actor.values()):
        return "actor fields must be strings"
    if not isinstance(data["seq"], int) or data["seq"] < 0 or data["v"] != VERSION:
        return "bad seq or version"
    if not isinstance(data["prev"], str) or not _HASH.fullmatch(data["prev"]):
        return "prev must be sha256:<64 hex digits>"
    if not isinstance(data["time"], str) or not _TIME.fullmatch(data["time"]):
        return "time must be UTC, as 2026-01-31T12:00:00Z"
    if not (data["base_commit"] is None or isinstance(data["base_commit"], str)):
        return "base_commit must be a commit id or null"
    if not isinstance(data["sig"], str):
        return "sig must be base64 text"
    try:
        base64.b64decode(data["sig"], validate=True)
    except binascii.Error:
        return "sig must be base64 text"
    return _action_problem(data)


def _action_problem(data: dict[str, Any]) -> str | None:
    action = data["action"]
    if action in REKEY_ACTIONS:
        rec = data["recipients"]
        if not isinstance(rec, dict) or set(rec) != {"added", "removed", "after"}:
            return "recipients must be {added, removed, after}"
        if not _str_list(rec["added"]) or not _str_list(rec["removed"]):
            return "recipients added/removed must be lists of strings"
        if not isinstance(rec["after"], list) or not all(_str_list(g) for g in rec["after"]):
            return "recipients after must be a list of key groups (lists of strings)"
        if not isinstance(data["rotated"], bool):
            return "rotated must be true or false"
        if not isinstance(data["data_key_id"], str) or not _HASH.fullmatch(data["data_key_id"]):
            return "data_key_id must be sha256:<64 hex digits>"
    elif action == "signers.update":
        s = data["signers"]
        if not isinstance(s, dict) or set(s) != {"added", "removed", "file_sha256"}:
            return "signers must be {added, removed, file_sha256}"
        if not _str_list(s["added"]) or not _str_list(s["removed"]):
            return "signers added/removed must be lists of strings"
    elif action == "carry" and not isinstance(data["carried"], str):
        return "carried must be the original line as a string"
    if "file" in data and not isinstance(data["file"], str):
        return "file must be a string"
    return None


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def parse_line(line: bytes, seq: int, *, check_seq: bool = True) -> Entry:
    """Strictly parse one line: canonical bytes, a known action, exactly its fields."""
    try:
        data = canonical.loads(line)
    except canonical.NonCanonical as e:
        raise LogError(seq, str(e)) from None
    if not isinstance(data, dict):
        raise LogError(seq, "not a JSON object")
    action = data.get("action")
    if action not in _FIELDS:
        raise LogError(seq, f"unknown action {action!r}")
    expected = _COMMON | _FIELDS[action]
    if set(data) != expected:
        missing, extra = sorted(expected - set(data)), sorted(set(data) - expected)
        raise LogError(seq, f"fields wrong for {action}: missing {missing}, unexpected {extra}")
    problem = _type_problem(data)
    if problem:
        raise LogError(seq, problem)
    if check_seq and data["seq"] != seq:
        raise LogError(seq, f"seq is {data['seq']}, expected {seq} (entries deleted or reordered?)")
    return Entry(line, data)


def split_lines(data: bytes) -> list[bytes]:
    """The log's lines; the file is empty or ends with a newline, and has no blank lines."""
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise LogError(data.count(b"\n"), "the last line has no newline (truncated write?)")
    lines = data[:-1].split(b"\n")
    for i, line in enumerate(lines):
        if not line:
            raise LogError(i, "blank line")
    return lines


def check_chain(
    lines: list[bytes], start: int = 0, prev: str | None = None
) -> tuple[list[Entry], list[LogError]]:
    """Parse `lines` (positions `start`…) and check seq and prev along the chain.

    Goes on past a bad line, so that one edit is reported where it is (its
    signature) and where it shows (the next entry's prev).
    """
    expected = prev if prev is not None else GENESIS
    entries: list[Entry] = []
    problems: list[LogError] = []
    for i, line in enumerate(lines, start):
        try:
            entry = parse_line(line, i)
        except LogError as e:
            problems.append(e)
        else:
            if entry.data["prev"] != expected:
                problems.append(
                    LogError(
                        i,
                        f"prev is not the hash of entry {i - 1} "
                        "(an entry before it was changed, removed or moved)",
                    )
                    if i
                    else LogError(i, "prev of the first entry is not the genesis value")
                )
            entries.append(entry)
        expected = line_hash(line)
    return entries, problems


# --- writing -----------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    name: str
    email: str
    signer: sshsig.Signer

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "email": self.email,
            "key": sshsig.fingerprint(self.signer.public_key),
        }


def _git(args: list[str], cwd: Path | None) -> str | None:
    out = git.query(args, cwd)
    return None if out is None else out.decode("utf-8", "surrogateescape").strip()


def signing_key_spec(cwd: Path | None = None) -> str:
    """`SEALER_SIGNING_KEY`, else git's `user.signingkey`, else ~/.ssh/id_{ed25519,ecdsa,rsa}."""
    spec = os.environ.get("SEALER_SIGNING_KEY") or _git(["config", "user.signingkey"], cwd)
    if spec:
        return spec
    for name in ("id_ed25519", "id_ecdsa", "id_rsa"):
        candidate = Path.home() / ".ssh" / name
        if candidate.is_file():
            return str(candidate)
    raise ConfigError(
        "no SSH key to sign the audit entry with",
        hint="set SEALER_SIGNING_KEY or `git config user.signingkey` to a key file "
        "(or its .pub, to sign with ssh-agent)",
    )


def current_actor(cwd: Path | None = None) -> Actor:
    ident = _git(["var", "GIT_AUTHOR_IDENT"], cwd) or ""
    m = re.match(r"(.*?) <(.*?)>", ident)
    if not m or not m[2]:
        raise ConfigError(
            "git does not know who you are (no user.email)",
            hint="git config user.name 'Your Name'; git config user.email you@example.com",
        )
    return Actor(m[1], m[2], sshsig.load_signer(signing_key_spec(cwd)))


def base_commit(cwd: Path | None) -> str | None:
    return _git(["rev-parse", "--verify", "-q", "HEAD"], cwd)


def build(
    fields: dict[str, Any],
    actor: Actor,
    seq: int,
    prev: str,
    base: str | None,
    time: str | None = None,
) -> bytes:
    """A signed, canonical line (without the newline) for an entry with these fields."""
    data = {
        "v": VERSION,
        "seq": seq,
        "prev": prev,
        "time": time or now(),
        "actor": actor.as_json(),
        "base_commit": base,
        "tool": f"sealer/{__version__}",
        **fields,
    }
    payload = canonical.dumps(data)
    data["sig"] = base64.b64encode(actor.signer.sign(payload, NAMESPACE)).decode()
    line = canonical.dumps(data)
    parse_line(line, seq)  # never write a line that the verifier would refuse
    return line


def tail(path: Path) -> tuple[int, str]:
    """(number of entries, hash of the last line) of the log at `path`."""
    count, last, _ = _tail_and_size(path)
    return count, last


def _tail_and_size(path: Path) -> tuple[int, str, int]:
    """`tail`, and the size in bytes of the log it was read from."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0, GENESIS, 0
    except OSError as e:
        raise FileError(f"{path}: cannot read: {e.strerror}") from None
    lines = split_lines(data)
    if not lines:
        return 0, GENESIS, len(data)
    last = parse_line(lines[-1], len(lines) - 1)
    return len(lines), line_hash(last.line), len(data)


class Writer:
    """Appends signed entries to a log file: each batch with one `write` and one fsync.

    Durability: when `write` or `write_all` returns, its lines are on disk
    (fsync). Callers change what the lines record (stage a blob, write a file)
    only after that, so a crash can leave lines whose change was never made,
    never a change without its line. A batch is one fsync, not one
    per line: re-keying 10,000 files spent most of its time waiting for 10,000
    fsyncs, and a batch's changes are staged only once the whole batch is on disk.
    """

    def __init__(self, path: Path, actor: Actor, base: str | None):
        self.path, self.actor, self.base = path, actor, base
        self.seq, self.prev, self.size = _tail_and_size(path)

    def sign(self, fields: dict[str, Any]) -> bytes:
        """The next line, signed but not yet written (so a failure to sign changes nothing)."""
        return build(fields, self.actor, self.seq, self.prev, self.base)

    def sign_all(self, entries: Iterable[dict[str, Any]]) -> list[bytes]:
        """The next lines, chained to each other, signed but not yet written."""
        lines: list[bytes] = []
        seq, prev = self.seq, self.prev
        for fields in entries:
            line = build(fields, self.actor, seq, prev, self.base)
            lines.append(line)
            seq, prev = seq + 1, line_hash(line)
        return lines

    def write(self, line: bytes) -> None:
        self.write_all([line])

    def write_all(self, lines: Sequence[bytes]) -> None:
        """Append lines from `sign`/`sign_all` (in order), then one fsync.

        On an error (disk full) the log is cut back to its size before the
        batch, so no torn line is left for the next append to glue onto.
        """
        if not lines:
            return
        data = memoryview(b"".join(line + b"\n" for line in lines))
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                # Two sealer commands appending at once would both chain to the same
                # last line and fork the log. Appenders take this lock, and the log
                # must still be the size it was when these lines were signed to follow
                # its last line (one fstat, not a re-read).
                fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size != self.size:
                    raise FileError(
                        f"{self.path}: another command changed the audit log while this "
                        "one ran; nothing was written or changed",
                        hint="run the command again",
                    )
                try:
                    while data:
                        data = data[os.write(fd, data) :]
                    os.fsync(fd)
                except OSError:
                    # a batch cut short (disk full) must not leave a torn last line
                    # for the next append to glue onto: back to the size before it
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, size)
                    raise
            finally:
                os.close(fd)
        except OSError as e:
            raise FileError(f"{self.path}: cannot append: {e.strerror}") from None
        self.seq += len(lines)
        self.prev = line_hash(lines[-1])
        self.size += sum(len(line) + 1 for line in lines)

    def append(self, entries: Iterable[dict[str, Any]]) -> None:
        self.write_all(self.sign_all(entries))
