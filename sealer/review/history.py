"""Which sealed files changed between two stored states, and what the audit trail says.

A side is a commit or the index (`INDEX`): stored, sealed blobs. The working
tree is never read: where the git filter is installed it holds plaintext.
A file added with exactly the wrapped keys of a removed one is shown as that
file renamed, compared with the version it came from.

Each re-key (recipients added or removed, a new data key, a newly sealed file)
is matched with the audit entries the newer side added for that file. Between
two commits where the older is an ancestor of the newer, `sealer audit verify`'s
own walk runs from the older one as trust root (keyless: data-key ids are not
checked); against the index, each new entry's signature is checked against the
older side's `.sealer/allowed_signers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sealer import git, rules
from sealer.audit import LOG, SIGNERS
from sealer.audit.log import REKEY_ACTIONS, Entry, LogError, check_chain, line_hash, split_lines
from sealer.errors import Exit, SealerError
from sealer.review.compare import FileDiff, Version, compare, read_version, stored_in_clear

INDEX = "index"


class RevisionError(SealerError):
    exit_code = Exit.USAGE


@dataclass(frozen=True)
class Sides:
    old: str  # a commit id
    new: str  # a commit id, or INDEX
    old_name: str
    new_name: str


@dataclass
class Review:
    sides: Sides
    files: list[FileDiff] = field(default_factory=list)
    audit_problems: list[str] = field(default_factory=list)  # about no file in particular


def resolve(root: Path, revs: list[str]) -> Sides:
    """`[]`: HEAD and the index; `[A]`: A and the index; `[A, B]`, `A..B`: A and B;
    `A...B`: their merge base and B (what a pull request brings)."""
    if len(revs) == 1 and "..." in revs[0]:
        a, b = (_commit(root, part or "HEAD") for part in revs[0].split("...", 1))
        base = git.run(["merge-base", a, b], root, ok=(0, 1)).decode().strip()
        if not base:
            raise RevisionError(f"{revs[0]}: the two revisions have no common ancestor")
        return Sides(base, b, f"merge base of {revs[0]}", revs[0].split("...", 1)[1] or "HEAD")
    if len(revs) == 1 and ".." in revs[0]:
        revs = [part or "HEAD" for part in revs[0].split("..", 1)]
    if len(revs) > 2:
        raise RevisionError("give at most two revisions (REV1 REV2, REV1..REV2 or REV1...REV2)")
    old = revs[0] if revs else "HEAD"
    new = revs[1] if len(revs) == 2 else INDEX
    return Sides(_commit(root, old), INDEX if new == INDEX else _commit(root, new), old, new)


def _commit(root: Path, name: str) -> str:
    found = git.rev(root, name)
    if found is None:
        raise RevisionError(f"{name}: not a commit of this repository")
    return found


def changed_paths(
    root: Path, sides: Sides, paths: list[str]
) -> list[tuple[str, str | None, str | None]]:
    """(path, old blob, new blob) of every file that differs between the sides."""
    if sides.new == INDEX:
        args = ["diff-index", "--cached", sides.old]
    else:
        args = ["diff-tree", "-r", sides.old, sides.new]
    out = git.run(
        [*args[:1], "-z", "--raw", "--no-renames", "--no-abbrev", *args[1:], "--", *paths], root
    )
    fields = out.split(b"\0")
    found = []
    for i in range(0, len(fields) - 1, 2):
        meta = fields[i].decode().strip()
        if not meta.startswith(":"):
            continue
        _om, _nm, old, new, _status = meta[1:].split()
        name = fields[i + 1].decode("utf-8", "surrogateescape")
        found.append((name, None if old == git.ZERO else old, None if new == git.ZERO else new))
    return found


def review(root: Path, sides: Sides, paths: list[str]) -> Review:
    result = Review(sides)
    blobs = git.Blobs(root)
    versions: dict[str, tuple[Version | None, Version | None]] = {}
    covered = Coverage(blobs, sides)
    try:
        for name, old, new in changed_paths(root, sides, paths):
            if name.startswith(".sealer/"):
                continue
            pair = (
                read_version(name, blobs.blob(old) if old else None),
                read_version(name, blobs.blob(new) if new else None),
            )
            diff = compare(name, *pair)
            if diff is None and pair[1] is not None and covered(name):
                diff = stored_in_clear(name, pair[1])
            if diff is not None:
                diff.blobs = (old, new)
                versions[name] = pair
                result.files.append(diff)
        result.files = _pair_renames(result.files, versions)
        if any(d.rekeyed for d in result.files):
            _audit(root, blobs, result)
    finally:
        blobs.close()
    return result


class Coverage:
    """Whether a creation rule's path_regex covers a path, by either side's top-level rules file.

    Either side: a change that drops the rule and adds the plaintext together is
    still caught by the older side's rules. Nested rules files are not read.
    """

    def __init__(self, blobs: git.Blobs, sides: Sides):
        self._loaded: list[rules.Rules] | None = None
        self._blobs = blobs
        self._sides = sides

    def _rules(self) -> list[rules.Rules]:
        if self._loaded is None:
            self._loaded = []
            for side in (self._sides.old, self._sides.new):
                for name in rules.NAMES:
                    data = self._blobs.blob(_spec(side, name))
                    if data is not None:
                        self._loaded.append(_load_rules(name, data))
                        break
        return self._loaded

    def __call__(self, path: str) -> bool:
        from sealer.errors import ConfigError

        for loaded in self._rules():
            try:
                if any(rules.path_matches(loaded, i, path) for i in range(len(loaded.rules))):
                    return True
            except ConfigError:
                continue  # a broken regex is `sealer check`'s to report
        return False


def _load_rules(name: str, data: bytes) -> rules.Rules:
    """A committed rules file, through `rules.load` (which reads files) via a private copy."""
    import tempfile

    from sealer.errors import ConfigError

    with tempfile.TemporaryDirectory(prefix="sealer-diff-") as d:
        copy = Path(d) / name
        copy.write_bytes(data)
        try:
            return rules.load(copy)
        except ConfigError:
            return rules.Rules(name, [], {})


def _pair_renames(
    files: list[FileDiff], versions: dict[str, tuple[Version | None, Version | None]]
) -> list[FileDiff]:
    """An added file with exactly the wrapped keys of a deleted one is that file, renamed:
    shown once, compared with the file it came from."""
    gone = {d.wrapped: d for d in files if d.status == "deleted" and d.wrapped}
    out: list[FileDiff] = []
    paired: set[str] = set()
    for d in files:
        origin = gone.get(d.wrapped) if d.status == "added" and d.wrapped else None
        if origin is None or origin.path in paired:
            out.append(d)
            continue
        renamed = compare(d.path, versions[origin.path][0], versions[d.path][1])
        assert renamed is not None
        renamed.status, renamed.renamed_from = "renamed", origin.path
        renamed.blobs = (origin.blobs[0], d.blobs[1])
        paired.add(origin.path)
        out.append(renamed)
    return [d for d in out if d.path not in paired]


def _spec(side: str, path: str) -> str:
    return f":{path}" if side == INDEX else f"{side}:{path}"


def _lines(blobs: git.Blobs, side: str) -> list[bytes]:
    try:
        return split_lines(blobs.blob(_spec(side, LOG)) or b"")
    except LogError:
        return []  # reported by the checks below, as verify reports it


def _audit(root: Path, blobs: git.Blobs, result: Review) -> None:
    sides = result.sides
    if blobs.blob(_spec(sides.new, SIGNERS)) is None:
        for d in result.files:
            if d.rekeyed:
                d.audit = {"status": "no audit trail", "entries": [], "problems": []}
        return
    old_lines, new_lines = _lines(blobs, sides.old), _lines(blobs, sides.new)
    problems: list[tuple[str | None, str]] = []
    n = len(old_lines)
    if new_lines[:n] != old_lines:
        problems.append(
            (None, f"the log at {sides.new_name} does not extend the log at {sides.old_name}")
        )
        added: list[Entry] = []
    else:
        added, chain = check_chain(new_lines[n:], n, line_hash(new_lines[n - 1]) if n else None)
        problems += [(None, f"entry {e.seq}: {e.reason}") for e in chain]
    problems += _signature_problems(root, blobs, sides, added)
    for d in result.files:
        if d.rekeyed:
            _file_audit(d, added, old_lines, problems)
    result.audit_problems = sorted({m for f, m in problems if f is None})


def _signature_problems(
    root: Path, blobs: git.Blobs, sides: Sides, added: list[Entry]
) -> list[tuple[str | None, str]]:
    """What `sealer audit verify` would say from the older side (keyless), per file."""
    from sealer.audit import signers, verify

    has_signers = blobs.blob(_spec(sides.old, SIGNERS)) is not None
    if sides.new != INDEX and has_signers and git.is_ancestor(root, sides.old, sides.new):
        report, _ = verify.verify_history(root, sides.old, sides.new)
        return [(p.file, _problem_text(p)) for p in report.problems]
    where = sides.old if has_signers else sides.new
    text = (blobs.blob(_spec(where, SIGNERS)) or b"").decode("utf-8", "replace")
    allowed = signers.parse(text, SIGNERS)
    out: list[tuple[str | None, str]] = []
    for entry in added:
        reason = verify.signer_problem(entry, allowed)
        if reason:
            out.append((entry.effective().file, f"entry {entry.seq}: {reason}"))
    return out


def _problem_text(p: Any) -> str:
    where = [f"commit {p.commit[:12]}"] if p.commit else []
    if p.seq is not None:
        where.append(f"entry {p.seq}")
    return ": ".join([*where, p.message])


def _file_audit(
    d: FileDiff, added: list[Entry], old_lines: list[bytes], problems: list[tuple[str | None, str]]
) -> None:
    entries = [e.effective() for e in added]
    mine = [e for e in entries if e.file == d.path and e.action in REKEY_ACTIONS]
    own_problems = [m for f, m in problems if f == d.path]
    d.audit = {
        "entries": [
            {
                "seq": e.position,
                "action": e.action,
                "actor": e.email,
                "rotated": bool(e.data.get("rotated")),
                "data_key_id": e.data.get("data_key_id"),
            }
            for e in mine
        ],
        "problems": own_problems,
    }
    if own_problems:
        d.audit["status"] = "failed"
    elif not mine:
        d.audit["status"] = "missing"
        d.audit["problems"] = ["no audit entry records this change"]
    else:
        d.audit["status"] = "verified"
        if d.data_key == "unknown":
            d.data_key = _data_key_from_log(d.path, mine[-1], old_lines)


def _data_key_from_log(path: str, last: Entry, old_lines: list[bytes]) -> str:
    """kept or new, by the signed data-key ids of this file's last entries."""
    if last.data.get("rotated"):
        return "new"
    before, _ = check_chain(old_lines)
    previous = [e.effective() for e in before]
    ids = [
        e.data.get("data_key_id") for e in previous if e.file == path and e.action in REKEY_ACTIONS
    ]
    if ids:
        return "kept" if ids[-1] == last.data.get("data_key_id") else "new"
    return "unknown"


def open_values(root: Path, result: Review, keyring: Any) -> None:
    """`--values`: the old and new plaintext of every added, removed and changed path.

    Needs a key for each sealed version; a version no identity opens is an error.
    """
    from sealer import document, fileio, formats

    blobs = git.Blobs(root)
    try:
        for d in result.files:
            sides: list[dict[str, str]] = []
            for blob in d.blobs:
                data = blobs.blob(blob) if blob else None
                if data is None:
                    sides.append({})
                    continue
                fmt = formats.get(formats.name_for_path(d.path))
                text = fileio.decode(data)
                if document.parse(fmt, text, d.path).metadata is not None:
                    text = document.open_text(
                        fmt, text, keyring, file=d.path, remember=False
                    ).plaintext
                version = read_version(d.path, fileio.encode(text))
                sides.append(version.leaves if version else {})
            old, new = sides
            d.values = {p: (old.get(p), new.get(p)) for p in (*d.removed, *d.changed, *d.added)}
    finally:
        blobs.close()
