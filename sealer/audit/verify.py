"""`sealer audit verify`: the log against itself, its signers and git history.

For every commit C from the pinned trust root to HEAD (parents first), with P
its first parent:
  1. every line is RFC 8785 canonical and well-formed; seq and prev chain;
  2. P's log is a byte prefix of C's (the log only grows); at a merge, every
     entry the other parents added is in C, inherited or carried;
  3. every entry C adds is signed (SSHSIG, sealer's namespace) by a key that
     P's `.sealer/allowed_signers` authorises for the entry's actor email;
  4. a change of `.sealer/allowed_signers` has a `signers.update` entry;
  5. every sealed file whose recipients or wrapped data key changed in C has an
     entry for it in C, whose `recipients.after` matches the committed file (and
     whose data-key id matches, where a local identity can open the file). Each
     version is parsed by its format (never matched for bytes), and a file that
     stops parsing as sealed has changed too (its entry says `after: []`).
Then the log at HEAD must extend the head pinned by the last successful run on
this branch, and the working tree's log must extend HEAD's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sealer import document, formats, git
from sealer.audit import LOG, NAMESPACE, SIGNERS, signers, sshsig
from sealer.audit.log import REKEY_ACTIONS, Entry, LogError, check_chain, line_hash, split_lines
from sealer.errors import ConfigError, SealerError

WORKTREE = "working tree"


@dataclass(frozen=True)
class Problem:
    commit: str | None
    seq: int | None
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = [
            f"commit {self.commit[:12]}" if self.commit and self.commit != WORKTREE else WORKTREE
        ]
        if self.seq is not None:
            where.append(f"entry {self.seq}")
        if self.file:
            where.append(self.file)
        return f"{': '.join(where)}: {self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commits: int = 0
    entries: int = 0
    data_keys_checked: int = 0
    trust_root: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def trusted_time(entry: Entry, history: datetime | None = None) -> datetime:
    """The time an entry's signer's `valid-after`/`valid-before` window is checked at.

    The signer writes `time` itself, so it only counts between two bounds the signer
    does not choose: not before `history` (the newest committer time in the history
    the entry was committed on top of: an entry cannot be backdated behind commits
    that came before it) and not after now (the verifier's clock: an entry cannot
    claim a time to come).
    """
    when = datetime.fromisoformat(entry.data["time"])  # validated: YYYY-MM-DDTHH:MM:SSZ
    if history is not None and history > when:
        when = history
    return min(when, datetime.now(UTC))


def signer_problem(
    entry: Entry, allowed: list[signers.Line], history: datetime | None = None
) -> str | None:
    """Why an entry's own signature does not count, or None when it does."""
    try:
        public_key = sshsig.verify(entry.payload(), entry.signature, NAMESPACE)
    except sshsig.BadSignature as e:
        return f"bad signature: {e}"
    if sshsig.fingerprint(public_key) != entry.data["actor"]["key"]:
        return "actor.key is not the key that signed the entry"
    when = trusted_time(entry, history)
    reason = signers.why_not(allowed, public_key, entry.email, NAMESPACE, when)
    return f"signer not authorised: {reason}" if reason else None


def check_log(
    data: bytes,
    allowed: list[signers.Line],
    pin: tuple[int, str] | None = None,
    *,
    commit: str | None = None,
) -> list[Problem]:
    """A whole log on its own: canonical lines, chain, signatures, and the pinned head.

    Carried entries are checked against the same signers (there is no history
    here to place them in).
    """
    try:
        lines = split_lines(data)
    except LogError as e:
        return [Problem(commit, e.seq, e.reason)]
    entries, chain = check_chain(lines)
    problems = [Problem(commit, e.seq, e.reason) for e in chain]
    for entry in entries:
        for signed in _carry_chain(entry):
            reason = signer_problem(signed, allowed)
            if reason:
                problems.append(Problem(commit, entry.seq, reason, entry.effective().file))
    if pin is not None:
        problems += _pin_problems(lines, pin, commit)
    return sorted(problems, key=lambda p: p.seq if p.seq is not None else -1)


def _carry_chain(entry: Entry) -> list[Entry]:
    from sealer.audit.log import parse_line

    out = [entry]
    while out[-1].action == "carry":
        out.append(parse_line(out[-1].data["carried"].encode(), out[-1].seq, check_seq=False))
    return out


def _pin_problems(lines: list[bytes], pin: tuple[int, str], commit: str | None) -> list[Problem]:
    count, last = pin
    if count == 0:
        return []
    if len(lines) < count:
        return [
            Problem(
                commit,
                len(lines),
                f"the log has {len(lines)} entries but {count} were pinned "
                "(truncated or rewritten)",
            )
        ]
    if line_hash(lines[count - 1]) != last:
        return [
            Problem(
                commit,
                count - 1,
                "the log does not extend the pinned head: this entry differs from the one "
                "accepted before (history rewritten?)",
            )
        ]
    return []


# --- sealed files in history -------------------------------------------------


@dataclass(frozen=True)
class KeyState:
    groups: tuple[tuple[str, ...], ...]
    wrapped: str  # hash of every stanza: changes with recipients and with the data key
    meta: Any


# A blob that is not (or no longer) a sealed file: no recipients, no data key.
NOT_SEALED = KeyState((), "not sealed", None)


def key_state(path: str, data: bytes | None) -> KeyState | None:
    """Recipients and wrapped-key identity of a sealed file's blob; None if not sealed.

    The blob is parsed by its format's real parser, as `sealer decrypt` and sops
    would read it: metadata spelled with escapes (`"\u0073ops"` in JSON,
    `"\x73ops"` in YAML) is still metadata, so no byte pattern decides this.
    """
    from sealer import fileio
    from sealer.rekey import fingerprints

    if data is None:
        return None
    try:
        fmt = formats.get(formats.name_for_path(path))
        _parsed, meta = document.read_metadata(fmt, fileio.decode(data), path)
    except (SealerError, ImportError, RecursionError):
        return None
    stanzas = [[{"type": s.type, **s.fields} for s in g] for g in meta.groups]
    wrapped = hashlib.sha256(json.dumps(stanzas, sort_keys=True, default=str).encode()).hexdigest()
    return KeyState(fingerprints(meta), wrapped, meta)


# --- history -----------------------------------------------------------------


class _History:
    def __init__(self, root: Path, keyring: Any):
        self.root = root
        self.blobs = git.Blobs(root)
        self.keyring = keyring
        self.report = Report()
        self.logs: dict[str, list[bytes]] = {}
        self.state: dict[str, dict[str, str | None]] = {}  # commit -> {LOG, SIGNERS} blob ids
        self._signers: dict[str | None, list[signers.Line]] = {}
        self._states: dict[tuple[str, str], KeyState | None] = {}
        self._data_keys: dict[str, str | None] = {}  # KeyState.wrapped -> data-key id
        self.committed: dict[str, int] = {}  # commit -> committer time (seconds)
        self.times: dict[str, int] = {}  # commit -> newest committer time in its history

    def history_time(self, parents: list[str]) -> datetime | None:
        """The newest committer time in the parents' histories (see `trusted_time`)."""
        known = [self.times[p] for p in parents if p in self.times]
        return datetime.fromtimestamp(max(known), UTC) if known else None

    def load_times(self, trust_root: str, head: str) -> None:
        out = git.run(["log", "--format=%H %ct", f"{trust_root}..{head}"], self.root)
        out += git.run(["show", "-s", "--format=%H %ct", trust_root], self.root)
        for line in out.decode().split("\n"):
            if line:
                commit, _, seconds = line.partition(" ")
                self.committed[commit] = int(seconds)
        self.times[trust_root] = self.committed.get(trust_root, 0)

    def note_time(self, c: git.Commit) -> None:
        own = self.committed.get(c.id, 0)
        self.times[c.id] = max([own, *(self.times[p] for p in c.parents if p in self.times)])

    def problem(self, commit: str, seq: int | None, message: str, file: str | None = None) -> None:
        self.report.problems.append(Problem(commit, seq, message, file))

    def allowed(self, commit: str) -> list[signers.Line]:
        blob = self.state[commit][SIGNERS]
        if blob not in self._signers:
            data = self.blobs.blob(blob) if blob else b""
            try:
                self._signers[blob] = signers.parse(
                    (data or b"").decode("utf-8", "replace"), SIGNERS
                )
            except ConfigError as e:
                self.problem(commit, None, e.message)
                self._signers[blob] = []
        return self._signers[blob]

    def read_log(self, commit: str) -> list[bytes]:
        blob = self.state[commit][LOG]
        data = (self.blobs.blob(blob) if blob else b"") or b""
        return split_lines(data)

    def start(self, trust_root: str) -> None:
        found = git.tree_blobs(self.root, trust_root, [LOG, SIGNERS])
        self.state[trust_root] = {LOG: found.get(LOG), SIGNERS: found.get(SIGNERS)}
        if found.get(SIGNERS) is None:
            self.problem(trust_root, None, f"the trust root has no {SIGNERS}")
        try:
            lines = self.read_log(trust_root)
        except LogError as e:
            self.problem(trust_root, e.seq, e.reason)
            lines = []
        entries, chain = check_chain(lines)
        for bad in chain:
            self.problem(trust_root, bad.seq, bad.reason)
        for entry in entries:  # bootstrap: the trust root's own signers
            reason = signer_problem(entry, self.allowed(trust_root))
            if reason:
                self.problem(trust_root, entry.seq, reason, entry.effective().file)
        self.logs[trust_root] = lines

    def step(self, c: git.Commit) -> None:
        p1 = c.parents[0] if c.parents else None
        if p1 is None or p1 not in self.state:
            self.problem(
                c.id, None, "its first parent is outside the history verified from the trust root"
            )
            self.state[c.id] = {
                k: v for k, v in git.tree_blobs(self.root, c.id, [LOG, SIGNERS]).items()
            }
            self.state[c.id].setdefault(LOG, None)
            self.state[c.id].setdefault(SIGNERS, None)
            self.logs[c.id] = []
            return
        self.state[c.id] = dict(self.state[p1])
        for path in (LOG, SIGNERS):
            if path in c.changes:
                self.state[c.id][path] = c.changes[path][1]
        parent_lines = self.logs[p1]
        if self.state[c.id][LOG] == self.state[p1][LOG]:
            lines = parent_lines
        else:
            try:
                lines = self.read_log(c.id)
            except LogError as e:
                self.problem(c.id, e.seq, e.reason)
                lines = parent_lines
        self.logs[c.id] = lines
        new = self._new_entries(c, p1, parent_lines, lines)
        self._check_signers_change(c, p1, new)
        self._reconcile(c, new)

    def _new_entries(
        self, c: git.Commit, p1: str, parent_lines: list[bytes], lines: list[bytes]
    ) -> list[tuple[Entry, bool]]:
        """(effective entry, authored here) for each entry C adds; checks steps 1-3."""
        n = len(parent_lines)
        if lines[:n] != parent_lines:
            at = next(
                (i for i, (a, b) in enumerate(zip(parent_lines, lines, strict=False)) if a != b),
                len(lines),
            )
            self.problem(
                c.id,
                at,
                f"the log does not extend its parent's ({p1[:12]}): "
                "entries were changed or removed",
            )
            return []
        added, chain = check_chain(lines[n:], n, line_hash(lines[n - 1]) if n else None)
        for e in chain:
            self.problem(c.id, e.seq, e.reason)
        inherited = 0
        others: dict[str, list[bytes]] = {}
        for parent in c.parents[1:]:
            theirs = self.logs.get(parent)
            if theirs is None:
                continue
            if lines[: len(theirs)] == theirs:
                inherited = max(inherited, len(theirs))
            common = 0
            while common < min(len(theirs), n) and theirs[common] == parent_lines[common]:
                common += 1
            others[parent] = theirs[common:]
        out: list[tuple[Entry, bool]] = []
        carried: set[bytes] = set()
        for entry in added:
            if entry.seq < inherited:
                out.append((entry.effective(), False))
                continue
            reason = signer_problem(entry, self.allowed(p1), self.history_time(c.parents))
            if reason:
                self.problem(c.id, entry.seq, reason, entry.effective().file)
            if entry.action == "carry":
                original = entry.data["carried"].encode()
                self._check_carried(c, p1, entry, original, others, parent_lines)
                carried.add(original)
            out.append((entry.effective(), True))
        present = set(lines) | carried
        for parent, theirs in others.items():
            for line in theirs:
                if line not in present:
                    seq = json.loads(line).get("seq")
                    self.problem(
                        c.id, seq, f"the merge drops entry {seq} of parent {parent[:12]}'s log"
                    )
        self.report.entries += len(added)
        return out

    def _check_carried(
        self,
        c: git.Commit,
        p1: str,
        entry: Entry,
        original: bytes,
        others: dict[str, list[bytes]],
        parent_lines: list[bytes],
    ) -> None:
        """A carried line comes from a merged parent's log, or (rebase, squash merge) is
        itself signed by someone P's allowed_signers authorises; never a replay."""
        if any(original in theirs for theirs in others.values()):
            return
        if original in parent_lines or any(
            e.action == "carry" and e.data["carried"].encode() == original
            for e in (Entry(x, json.loads(x)) for x in parent_lines if b'"carry"' in x)
        ):
            self.problem(c.id, entry.seq, "carries an entry the log already has (a replay)")
            return
        for signed in _carry_chain(entry)[1:]:
            reason = signer_problem(signed, self.allowed(p1), self.history_time(c.parents))
            if reason:
                self.problem(c.id, entry.seq, f"the carried entry's {reason}", signed.file)

    def _check_signers_change(self, c: git.Commit, p1: str, new: list[tuple[Entry, bool]]) -> None:
        if self.state[c.id][SIGNERS] == self.state[p1][SIGNERS]:
            return
        blob = self.state[c.id][SIGNERS]
        data = (self.blobs.blob(blob) if blob else b"") or b""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        updates = [e for e, _ in new if e.action == "signers.update"]
        if not updates:
            self.problem(
                c.id, None, "allowed_signers changed with no signers.update entry", SIGNERS
            )
        elif updates[-1].data["signers"]["file_sha256"] != digest:
            self.problem(
                c.id,
                updates[-1].position,
                "the signers.update entry does not match the committed file",
                SIGNERS,
            )

    def _reconcile(self, c: git.Commit, new: list[tuple[Entry, bool]]) -> None:
        by_file: dict[str, list[Entry]] = {}
        for entry, authored in new:
            if entry.file is not None:
                by_file.setdefault(entry.file, []).append(entry)
            rec = entry.data.get("recipients")
            if authored and rec and rec["removed"] and not entry.data["rotated"]:
                self.report.warnings.append(
                    f"commit {c.id[:12]}: entry {entry.position}: {entry.file}: "
                    f"{', '.join(rec['removed'])} removed without rotating the data key"
                )
        states: dict[str, tuple[KeyState | None, KeyState | None]] = {}
        for path, (old, new_blob) in c.changes.items():
            if not path.startswith(".sealer/"):
                states[path] = (self._state(path, old), self._state(path, new_blob))
        gone = {b.wrapped for b, a in states.values() if b is not None and a is None}
        for path, (before, after) in states.items():
            if after is None and before is not None and c.changes[path][1] is not None:
                after = NOT_SEALED  # still there but no longer parses as sealed: a change
            if after is None or (before is not None and before.wrapped == after.wrapped):
                continue
            if before is None and after.wrapped in gone:
                continue  # a rename: same recipients, same wrapped key
            self._match(c, path, before, after, by_file.get(path, []))
        for path in sorted(by_file.keys() - states.keys()):  # claims about unchanged files
            if by_file[path][-1].action in REKEY_ACTIONS:
                now = self._state(path, f"{c.id}:{path}")
                if now is not None:
                    self._match(c, path, now, now, by_file[path])

    def _state(self, path: str, blob: str | None) -> KeyState | None:
        """The key state of a blob (an id or `commit:path`), cached by blob id and format."""
        found = self.blobs.object(blob) if blob else None
        if found is None:
            return None
        cache_key = (found[0], formats.name_for_path(path))
        if cache_key not in self._states:
            self._states[cache_key] = key_state(path, found[1])
        return self._states[cache_key]

    def _match(
        self,
        c: git.Commit,
        path: str,
        before: KeyState | None,
        after: KeyState,
        entries: list[Entry],
    ) -> None:
        if not entries:
            old = {r for g in before.groups for r in g} if before else set()
            now = {r for g in after.groups for r in g}
            diff = [f"+{r}" for r in sorted(now - old)] + [f"-{r}" for r in sorted(old - now)]
            what = (
                "created sealed"
                if before is None
                else "stopped parsing as a sealed file"
                if after is NOT_SEALED
                else "changed recipients or data key"
            )
            self.problem(
                c.id, None, f"{what} ({' '.join(diff) or 're-wrapped'}) with no audit entry", path
            )
            return
        last = entries[-1]
        claimed = tuple(tuple(g) for g in last.data["recipients"]["after"])
        if claimed != after.groups:
            self.problem(
                c.id,
                last.position,
                f"the entry says recipients are {list(map(list, claimed))}, "
                f"the committed file has {list(map(list, after.groups))}",
                path,
            )
        self._check_data_key(c, path, after, last)

    def _check_data_key(self, c: git.Commit, path: str, after: KeyState, last: Entry) -> None:
        from sealer.audit.log import data_key_id

        if self.keyring is None or after.meta is None:
            return
        if after.wrapped not in self._data_keys:
            try:
                self._data_keys[after.wrapped] = data_key_id(
                    self.keyring.unwrap(after.meta, file=path)
                )
            except SealerError:  # no identity here opens it: the check is skipped
                self._data_keys[after.wrapped] = None
        found = self._data_keys[after.wrapped]
        if found is None:
            return
        self.report.data_keys_checked += 1
        if found != last.data["data_key_id"]:
            self.problem(
                c.id,
                last.position,
                "the entry's data_key_id is not the committed file's data key",
                path,
            )

    def close(self) -> None:
        self.blobs.close()


def verify_history(
    root: Path, trust_root: str, head: str, keyring: Any = None
) -> tuple[Report, list[bytes]]:
    """Verify from `trust_root` to `head`; also returns the log at `head`."""
    h = _History(root, keyring)
    h.report.trust_root = trust_root
    try:
        h.start(trust_root)
        h.load_times(trust_root, head)
        commits = git.walk(root, trust_root, head)
        children: dict[str, int] = {}
        for c in commits:
            for p in c.parents:
                children[p] = children.get(p, 0) + 1
        for c in commits:
            h.step(c)
            h.note_time(c)
            h.report.commits += 1
            for p in c.parents:  # keep memory flat on long histories
                children[p] -= 1
                if children[p] == 0 and p != head:
                    h.logs.pop(p, None)
        return h.report, h.logs.get(head, h.logs.get(trust_root, []))
    finally:
        h.close()


# --- trust root and pinned heads (per clone, in the git directory) ------------

PIN_FILE = "sealer/audit-trust.json"


def _pin_path(root: Path) -> Path:
    return git.git_dir(root) / PIN_FILE


def load_pin(root: Path) -> dict[str, Any]:
    try:
        data = json.loads(_pin_path(root).read_text())
    except FileNotFoundError:
        return {"trust_root": None, "heads": {}}
    except (OSError, ValueError) as e:
        raise ConfigError(f"{_pin_path(root)}: cannot read the pinned trust root: {e}") from None
    data.setdefault("heads", {})
    return data if isinstance(data, dict) else {"trust_root": None, "heads": {}}


def save_pin(root: Path, pin: dict[str, Any]) -> None:
    from sealer import fileio

    path = _pin_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fileio.write_atomic(str(path), (json.dumps(pin, indent=2, sort_keys=True) + "\n").encode())


def first_signers_commit(root: Path, head: str) -> str | None:
    """The oldest commit on HEAD's first-parent line that has .sealer/allowed_signers."""
    out = git.run(["log", "--reverse", "--first-parent", "--format=%H", head, "--", SIGNERS], root)
    for commit in out.decode().split():
        if git.tree_blobs(root, commit, [SIGNERS]):
            return commit
    return None


def verify_repo(
    root: Path, *, trust_root: str | None = None, keyring: Any = None, update_pin: bool = True
) -> Report:
    head = git.rev(root, "HEAD")
    if head is None:
        raise ConfigError("the repository has no commits to verify")
    pin = load_pin(root)
    chosen = trust_root or pin.get("trust_root")
    warnings = []
    if chosen is None:
        chosen = first_signers_commit(root, head)
        if chosen is None:
            raise ConfigError(
                f"no {SIGNERS} in this branch's history: there is no audit trail to verify",
                hint="set one up with `sealer audit init`",
            )
        if not pin.get("pending"):
            warnings.append(
                f"no trust root pinned in this clone; trusting {chosen[:12]}, the first commit "
                f"with {SIGNERS} (run `sealer audit init` to pin it)"
            )
    resolved = git.rev(root, chosen)
    if resolved is None:
        raise ConfigError(f"trust root {chosen} is not a commit of this repository")
    if not git.is_ancestor(root, resolved, head):
        report = Report(trust_root=resolved)
        report.problems.append(
            Problem(head, None, f"the trust root {resolved[:12]} is not in HEAD's history")
        )
        return report
    report, head_lines = verify_history(root, resolved, head, keyring)
    report.warnings[:0] = warnings
    ref = git.symbolic_head(root) or "HEAD"
    pinned = pin["heads"].get(ref)
    if pinned and not git.is_ancestor(root, pinned["commit"], head):
        report.problems += _pin_problems(head_lines, (pinned["entries"], pinned["last"]), head)
        report.warnings.append(
            f"{ref} no longer contains {pinned['commit'][:12]}, verified before (history rewritten)"
        )
    report.problems += _worktree_problems(root, head, head_lines)
    if report.ok and update_pin:
        pin.pop("pending", None)
        pin["trust_root"] = resolved
        pin["heads"][ref] = {
            "commit": head,
            "entries": len(head_lines),
            "last": line_hash(head_lines[-1]) if head_lines else None,
        }
        save_pin(root, pin)
    return report


def _worktree_problems(root: Path, head: str, head_lines: list[bytes]) -> list[Problem]:
    """Uncommitted entries must extend HEAD's log and be signed by HEAD's signers."""
    try:
        data = (root / LOG).read_bytes()
    except FileNotFoundError:
        return []
    try:
        lines = split_lines(data)
    except LogError as e:
        return [Problem(WORKTREE, e.seq, e.reason)]
    n = len(head_lines)
    if lines[:n] != head_lines:
        return [
            Problem(WORKTREE, None, "the log in the working tree does not extend the committed log")
        ]
    if len(lines) == n:
        return []
    added, chain = check_chain(lines[n:], n, line_hash(lines[n - 1]) if n else None)
    if chain:
        return [Problem(WORKTREE, e.seq, e.reason) for e in chain]
    found = git.tree_blobs(root, head, [SIGNERS])
    blob = git.run(["cat-file", "blob", found[SIGNERS]], root) if SIGNERS in found else b""
    allowed = signers.parse(blob.decode("utf-8", "replace"), SIGNERS)
    seconds = int(git.run(["show", "-s", "--format=%ct", head], root).decode().strip() or 0)
    history = datetime.fromtimestamp(seconds, UTC)
    problems = []
    for entry in added:
        reason = signer_problem(entry, allowed, history)
        if reason:
            problems.append(Problem(WORKTREE, entry.seq, reason, entry.effective().file))
    return problems
