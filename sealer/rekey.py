"""updatekeys and rotate: change who a sealed file is sealed for, or its data key.

updatekeys re-wraps the file's data key for the recipients its rule names now
(or the current ones plus/minus one-off changes); every value keeps its bytes.
rotate makes a new data key and re-encrypts every value. In a repository whose
sealed files go through sealer's git filter (plaintext in the working tree,
sealed in git), the sealed blob in the index is what changes; the working tree
stays plaintext. Every change is recorded in the audit log when the repository
has one (`.sealer/`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sealer import datakey, document, envelope, fileio, formats, git, policy, recipients, rules
from sealer.audit import log as audit_log
from sealer.errors import ConfigError, FileError, FormatError, SealerError
from sealer.filelock import replace_if_unchanged
from sealer.metadata import Metadata
from sealer.policy import stanza_fingerprint
from sealer.trust import Trust

if TYPE_CHECKING:
    from sealer.recipients import Recipient

Groups = tuple[tuple[str, ...], ...]


def fingerprints(meta: Metadata) -> Groups:
    """Each key group's recipients, sorted; groups in file order."""
    return tuple(tuple(sorted({stanza_fingerprint(s) for s in g})) for g in meta.groups)


def _flat(groups: Groups) -> set[str]:
    return {r for g in groups for r in g}


@dataclass(frozen=True)
class Edits:
    """One-off changes: recipients to add (to the first key group) and to remove (everywhere)."""

    add: tuple[Recipient, ...] = ()
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


@dataclass(frozen=True)
class Target:
    """A sealed file to change: where its sealed bytes live and its name in the log."""

    path: Path  # the working-tree file
    name: str  # repository-relative path (or the path given), as the log names it
    fmt: formats.Format
    text: str  # the sealed text
    where: Literal["worktree", "index"]
    root: Path | None
    mode: str = "100644"
    blob: str | None = None  # where == "index": the blob id the text was read from


@dataclass(frozen=True)
class Plan:
    target: Target
    before: Groups
    after: Groups
    rotate: bool
    data_key_id: str
    new_text: str | None  # None: already as wanted, nothing to write
    warnings: tuple[str, ...] = ()
    plaintext: str = ""  # what new_text opens to
    stamp: str = ""  # new_text is sealed as the rule says: its `policy.stamp`

    @property
    def added(self) -> list[str]:
        return sorted(_flat(self.after) - _flat(self.before))

    @property
    def removed(self) -> list[str]:
        return sorted(_flat(self.before) - _flat(self.after))

    def entry(self) -> dict[str, Any]:
        return {
            "action": "datakey.rotate" if self.rotate else "recipients.update",
            "file": self.target.name,
            "recipients": {
                "added": self.added,
                "removed": self.removed,
                "after": [list(g) for g in self.after],
            },
            "rotated": self.rotate,
            "data_key_id": self.data_key_id,
        }

    def summary(self) -> str:
        parts = [f"+{r}" for r in self.added] + [f"-{r}" for r in self.removed]
        if self.rotate:
            parts.append("new data key")
        if self.new_text is None:
            return "up to date"
        return ", ".join(parts) or "key groups re-wrapped"


def current_recipients(meta: Metadata, file: str) -> list[list[Recipient]]:
    """The file's recipients as objects that can wrap a key again."""
    groups: list[list[Recipient]] = []
    for group in meta.groups:
        out: list[Recipient] = []
        for stanza in group:
            r = recipients.recipient_of(stanza)
            if r is None:
                raise ConfigError(
                    f"the file has a {stanza.type} recipient ({stanza_fingerprint(stanza)}) "
                    "that sealer cannot wrap a key for",
                    hint="use sops for this file, or replace that recipient in its rule",
                    file=file,
                )
            out.append(r)
        groups.append(out)
    return groups


def _edit(
    groups: list[list[Recipient]], edits: Edits, file: str
) -> tuple[list[list[Recipient]], list[str]]:
    warnings: list[str] = []
    present = {r.id for g in groups for r in g}
    for gone in edits.remove:
        if gone not in present:
            warnings.append(f"{gone} is not a recipient of this file")
    groups = [[r for r in g if r.id not in edits.remove] for g in groups]
    for i, g in enumerate(groups):
        if not g:
            raise ConfigError(
                f"removing those recipients leaves key group {i + 1} empty",
                hint="add a recipient to that group in the same command (--add-…)",
                file=file,
            )
    for r in edits.add:
        if r.id not in {x.id for g in groups for x in g}:
            groups[0].append(r)
    return groups, warnings


def plan(
    target: Target,
    keyring: datakey.Keyring,
    *,
    rotate: bool,
    edits: Edits = Edits(),
    use_rules: bool = True,
    config: Path | None = None,
) -> Plan:
    """What updatekeys (`use_rules`) or rotate would make of one file."""
    opened = document.open_text(target.fmt, target.text, keyring, file=target.name)
    meta = opened.meta
    warnings: list[str] = []
    wanted = rule = None
    if use_rules and not edits:
        wanted = rule = rules.policy_for(target.path, config)
        groups: Sequence[Sequence[Recipient]] = wanted.groups
        threshold = wanted.shamir_threshold
    else:
        groups, warnings = _edit(current_recipients(meta, target.name), edits, target.name)
        threshold = meta.shamir_threshold
    before = fingerprints(meta)
    if wanted is not None:
        selection = policy.selection_for(wanted, target.fmt, opened.plaintext)
        wanted = wanted._replace(selection=selection)
        same = not policy.differences(policy.of_metadata(meta), policy.of_policy(wanted))
    else:
        same = _same(before, groups, threshold, meta)
    if not rotate and same:
        return Plan(
            target, before, before, False, audit_log.data_key_id(opened.key), None, tuple(warnings)
        )
    old_threshold = meta.threshold if len(meta.groups) > 1 else 1
    new_threshold = (threshold or len(groups)) if len(groups) > 1 else 1
    if not rotate and new_threshold != old_threshold:
        rotate = True  # the old shares, kept in git history, would still open the old key
        warnings.append(
            f"the Shamir threshold changes ({old_threshold} -> {new_threshold}): "
            "sealed with a new data key, as the old key shares would still open the old one"
        )
    key = datakey.new_data_key() if rotate else opened.key
    if rotate:
        opened = document.Opened(opened.plaintext, meta, key, envelope.Stash(key), mac_hex="")
        Trust.near(str(target.path)).add(key)  # made here: later re-seals may reuse it
    if wanted is not None:  # the rule's selection too: it decides which values are sealed
        opened = opened._replace(
            meta=meta.with_(
                selection=wanted.selection, mac_only_encrypted=wanted.mac_only_encrypted
            ),
            mac_hex="" if _selection_changes(meta, wanted) else opened.mac_hex,
        )
    rekeyed = document.rekeyed(opened, groups, threshold if len(groups) > 1 else 0)
    new_text = document.seal_text(target.fmt, opened.plaintext, previous=rekeyed, file=target.name)
    after = fingerprints(rekeyed.meta)
    return Plan(
        target, before, after, rotate, audit_log.data_key_id(key), new_text, tuple(warnings),
        opened.plaintext, policy.stamp(target.name, rule) if rule is not None else "",
    )  # fmt: skip


def _selection_changes(meta: Metadata, wanted: document.Policy) -> bool:
    return (meta.selection, meta.mac_only_encrypted) != (
        wanted.selection,
        wanted.mac_only_encrypted,
    )


def _same(
    before: Groups, groups: Sequence[Sequence[Recipient]], threshold: int, meta: Metadata
) -> bool:
    wanted = sorted(tuple(sorted({r.id for r in g})) for g in groups)
    same_threshold = len(groups) <= 1 or threshold == meta.shamir_threshold
    return sorted(before) == wanted and same_threshold


def removal_warning(p: Plan) -> str | None:
    if p.rotate or not p.removed or p.new_text is None:
        return None
    who = ", ".join(p.removed)
    return (
        f"{p.target.name}: removed {who} without rotating the data key: they may still hold "
        f"the old data key and read every value in the file; run `sealer rotate {p.target.name}` "
        "(or updatekeys --rotate)"
    )


def write(p: Plan) -> None:
    """Write the re-sealed file: the working-tree file, or the index blob for filter repos."""
    assert p.new_text is not None
    data = fileio.encode(p.new_text)
    t = p.target
    if t.where == "worktree":
        replace_if_unchanged(str(t.path), t.text, data, doing="sealer was re-keying it")
        return
    assert t.root is not None
    entry = git.index_entry(t.root, t.name)
    staged = fileio.decode(git.run(["cat-file", "blob", entry[1]], t.root)) if entry else None
    if staged != t.text:
        raise _changed_meanwhile(t.name)
    git.write_index(t.root, t.name, data, t.mode)


class IndexWrites:
    """Re-sealed index blobs of a filter repository, stored and staged together.

    Re-keying every file of a large repository wrote each blob with its own
    `git hash-object` and `git update-index` (and read the index twice more
    per file to check it had not changed). Here the whole batch takes one
    `git ls-files` (is every blob still the one read?), one `git hash-object
    --stdin-paths` and, once the audit log has its lines, one `git
    update-index --index-info`. Storing blobs changes nothing visible; only the
    final staging does, and only for the files whose log lines were written.
    """

    def __init__(self, root: Path):
        self.root = root
        self.plans: list[Plan] = []

    def add(self, p: Plan) -> None:
        assert p.new_text is not None and p.target.where == "index"
        self.plans.append(p)

    def store(self) -> tuple[list[tuple[Plan, str]], list[SealerError]]:
        """Write the new blobs: (plan, blob id) for each, and the files changed meanwhile."""
        if not self.plans:
            return [], []
        current = git.index_map(self.root)
        ready: list[Plan] = []
        failed: list[SealerError] = []
        for p in self.plans:
            entry = current.get(p.target.name)
            if entry is None or entry[1] != p.target.blob:
                failed.append(_changed_meanwhile(p.target.name))
            else:
                ready.append(p)
        texts = [fileio.encode(p.new_text or "") for p in ready]
        return list(zip(ready, git.write_blobs(self.root, texts), strict=True)), failed

    def stage(self, stored: Sequence[tuple[Plan, str]]) -> None:
        """Stage the blobs, and list them for the pre-commit hook (sealed here, MAC fresh).

        The staged entries carry no stat data, so the next git command has clean
        compare every working file with its new blob: each working file that holds
        its blob's plaintext is listed in the clone's plaintext digests, so that
        clean recognises it without opening the blob (gitfilter/digests.py).
        """
        if stored:
            from sealer.gitfilter import cleaned
            from sealer.gitfilter.digests import Digests

            git.stage(self.root, [(p.target.mode, blob, p.target.name) for p, blob in stored])
            git_dir = str(git.git_dir(self.root))
            cleaned.add(cleaned.record_path(git_dir), [f"{b} {p.stamp}".strip() for p, b in stored])
            Digests(git_dir).remember(
                (p.target.fmt.name, blob, data)
                for p, blob in stored
                if (data := _holds_plaintext(p)) is not None
            )


def _holds_plaintext(p: Plan) -> bytes | None:
    """The working file's bytes, if they are the plaintext `p.new_text` opens to."""
    from sealer.gitfilter.filter import lf

    try:
        with open(p.target.path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data if lf(fileio.decode(data), p.target.fmt)[0] == p.plaintext else None


def _changed_meanwhile(name: str) -> FileError:
    return FileError(
        f"{name}: the staged file changed while sealer was re-keying it; it was not overwritten",
        hint="run the command again on the file as it is now",
    )


# --- finding the files -------------------------------------------------------


def _maybe_sealed(fmt: formats.Format, text: str) -> bool:
    if "sops" not in text:
        return False
    try:
        return document.is_sealed(fmt, text)
    except SealerError:
        return False


class _Index:
    """The index entries and staged blobs of the filtered files of a directory, read once."""

    def __init__(self, root: Path, files: Sequence[Path]):
        self.entries = git.index_map(root)
        # `files` are `root / name` for names git listed: no symlink to resolve
        self.names = {f: f.relative_to(root).as_posix() for f in files}
        oids = [e[1] for n in self.names.values() if (e := self.entries.get(n)) is not None]
        self.blobs = git.batch_read(oids, cwd=str(root))


def _target(
    path: Path,
    root: Path | None,
    *,
    explicit: bool,
    filtered: bool | None = None,
    index: _Index | None = None,
) -> Target | None:
    """The sealed file at `path`: the working-tree file, else (filter repos) the index blob."""
    if index is not None and path in index.names:
        name = index.names[path]
    else:
        name = path.resolve().relative_to(root).as_posix() if root else str(path)
    fmt = formats.get(formats.name_for_path(str(path)))
    text = fileio.read(str(path)) if path.exists() or explicit else ""
    if _maybe_sealed(fmt, text):
        return Target(path, name, fmt, text, "worktree", root)
    if filtered is None and root is not None:
        filtered = git.attribute(root, "filter", name) == "sealer"
    if root is not None and filtered:
        entry = index.entries.get(name) if index is not None else git.index_entry(root, name)
        if entry is not None:
            data = index.blobs.get(entry[1]) if index is not None else None
            if data is None:
                data = git.run(["cat-file", "blob", entry[1]], root)
            staged = fileio.decode(data)
            if _maybe_sealed(fmt, staged):
                return Target(path, name, fmt, staged, "index", root, entry[0], entry[1])
    if explicit:
        raise FormatError(
            "the file is not sealed", hint="seal it first with `sealer encrypt -i`", file=str(path)
        )
    return None


def targets(paths: Iterable[str], cwd: Path) -> tuple[list[Target], Path | None]:
    """Sealed files named by `paths` (files or directories; none: the whole repository)."""
    root = git.toplevel(cwd)
    paths = list(paths)
    found: list[Target] = []
    if not paths:
        if root is None:
            raise ConfigError("name the files to change (not in a git repository)")
        paths = ["."]
    for p in paths:
        path = Path(p)
        if root is not None and not path.resolve().is_relative_to(root):
            raise FileError(
                f"{p}: not inside the repository at {root}",
                hint="run the command from the file's own repository (its audit trail "
                "records it there)",
            )
        if path.is_dir():
            files = _files_under(path, root, cwd)
            sealed_by_filter = git.filtered(root, files) if root else set()
            index = _Index(root, sorted(sealed_by_filter)) if root and sealed_by_filter else None
            for name in files:
                t = _target(
                    name, root, explicit=False, filtered=name in sealed_by_filter, index=index
                )
                if t is not None:
                    found.append(t)
        else:
            t = _target(path, root, explicit=True)
            assert t is not None
            found.append(t)
    return found, root


def _files_under(directory: Path, root: Path | None, cwd: Path) -> list[Path]:
    if root is not None:
        names = git.ls_files(cwd, [str(directory)])
        return [root / n for n in names if (root / n).is_file() and not n.startswith(".sealer/")]
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out.extend(Path(dirpath) / f for f in sorted(filenames))
    return out


def audit_writer(root: Path | None) -> audit_log.Writer | None:
    """The log writer of the repository's audit trail, or None when it has none."""
    if root is None or not (root / ".sealer").is_dir():
        return None
    actor = audit_log.current_actor(root)
    return audit_log.Writer(root / ".sealer" / "audit.jsonl", actor, git.rev(root, "HEAD"))
