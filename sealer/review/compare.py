"""Compare two stored versions of one file from their bytes alone: no key is needed.

An unchanged ciphertext is an unchanged value; a changed one is a changed value,
or the same value sealed again under a new data key. Whether the data key was
replaced is told from what stayed: a value that kept its ciphertext, or a key
group entry that kept its wrapped key, proves the key was kept (each opens only
under that key); every shared value re-encrypted and every wrapped key new says
it was replaced. When nothing is shared the answer is "unknown" (the audit
entry, where there is one, settles it: see `sealer.review.history`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sealer import enc, formats, metadata
from sealer.envelope import UserPath, show_path, walk
from sealer.errors import SealerError
from sealer.metadata import Metadata
from sealer.selection import Selection
from sealer.tree import Scalar


@dataclass(frozen=True)
class Version:
    """One stored version of a file: its leaves by path, and its metadata if sealed."""

    leaves: dict[str, str]  # shown path -> the leaf as stored (ENC[…] text or clear value)
    sealed_paths: frozenset[str]  # paths whose stored value is an ENC[…] value
    meta: Metadata | None
    problem: str | None = None  # why it could not be read (shown, never fatal)


@dataclass
class FileDiff:
    path: str
    status: (
        str  # added, deleted, modified, renamed, sealed (was plaintext), unsealed (now plaintext)
    )
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    in_clear: list[str] = field(default_factory=list)  # added or changed values not sealed
    recipients_added: list[str] = field(default_factory=list)
    recipients_removed: list[str] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)  # groups after (before if deleted)
    data_key: str | None = None  # kept, new, unknown; None when there is no "before"
    threshold: tuple[int, int] | None = None
    selection: tuple[str, str] | None = None
    mac_only_encrypted: tuple[bool, bool] | None = None
    problems: list[str] = field(default_factory=list)
    audit: dict[str, Any] | None = None  # filled in by sealer.review.history
    values: dict[str, tuple[Any, Any]] | None = None  # --values only: path -> (old, new)
    blobs: tuple[str | None, str | None] = (None, None)  # where the two versions are stored
    wrapped: str | None = None  # a digest of every wrapped key: the same on a renamed file
    renamed_from: str | None = None

    @property
    def rekeyed(self) -> bool:
        """Whether who can open the file, or its key, changed: an audit entry is due.

        Not for a file deleted or no longer sealed (nothing is sealed for anyone
        any more), nor for one renamed with its wrapped keys unchanged.
        """
        if self.status in ("deleted", "unsealed") or self.renamed_from is not None:
            return False
        return bool(
            self.recipients_added
            or self.recipients_removed
            or self.data_key == "new"
            or self.status in ("added", "sealed")
        )


def read_version(path: str, data: bytes | None) -> Version | None:
    """The leaves and metadata of a stored blob; None when there is no such blob."""
    if data is None:
        return None
    from sealer import fileio

    fmt = formats.get(formats.name_for_path(path))
    try:
        parsed = fmt.parse(fileio.decode(data))
        meta = metadata.from_dict(parsed.metadata) if parsed.metadata is not None else None
    except SealerError as e:
        return Version({}, frozenset(), None, problem=e.message)
    leaves: dict[str, str] = {}
    sealed: set[str] = set()
    many = len(parsed.docs) > 1
    for doc_index, doc in enumerate(parsed.docs):
        prefix = f"(document {doc_index}) " if many else ""

        def visit(
            node: Any, _p: tuple[str, ...], upath: UserPath, _f: bool, at: str = prefix
        ) -> None:
            if not isinstance(node, Scalar):
                return  # comments are not values
            shown = at + show_path(upath)
            leaves[shown] = node.value if isinstance(node.value, str) else repr(node.value)
            if isinstance(node.value, str) and enc.is_sealed(node.value):
                sealed.add(shown)

        walk([doc], Selection(), visit)
    return Version(leaves, frozenset(sealed), meta)


def is_sealed(version: Version | None) -> bool:
    return version is not None and version.meta is not None


def compare(path: str, old: Version | None, new: Version | None) -> FileDiff | None:
    """What changed in `path` between two versions; None if neither is a sealed file."""
    if not is_sealed(old) and not is_sealed(new):
        return None
    if old is None:
        status = "added"
    elif new is None:
        status = "deleted"
    elif old.meta is None:
        status = "sealed"
    elif new.meta is None:
        status = "unsealed"
    else:
        status = "modified"
    diff = FileDiff(path, status)
    before = old.leaves if old else {}
    after = new.leaves if new else {}
    diff.added = [p for p in after if p not in before]
    diff.removed = [p for p in before if p not in after]
    diff.changed = [p for p in after if p in before and before[p] != after[p]]
    sealed_after = new.sealed_paths if new else frozenset()
    diff.in_clear = [p for p in (*diff.added, *diff.changed) if p not in sealed_after]
    for v in (old, new):
        if v is not None and v.problem:
            diff.problems.append(v.problem)
    _compare_meta(diff, old.meta if old else None, new.meta if new else None)
    latest = new if is_sealed(new) else old
    assert latest is not None and latest.meta is not None
    diff.wrapped = wrapped_digest(latest.meta)
    if old is not None and new is not None and old.meta and new.meta:
        diff.data_key = data_key_fate(old, new)
    return diff


def wrapped_digest(meta: Metadata) -> str:
    import hashlib

    stanzas = "\n".join(f"{i}:{s.type}:{s.enc}" for i, g in enumerate(meta.groups) for s in g)
    return hashlib.sha256(stanzas.encode()).hexdigest()


def stored_in_clear(path: str, new: Version) -> FileDiff:
    """A file a creation rule covers that is stored in plaintext: every value in the clear."""
    diff = FileDiff(path, "plaintext")
    diff.in_clear = list(new.leaves)
    diff.problems.append("a creation rule covers this file, but it is stored in plaintext")
    return diff


def groups_of(meta: Metadata) -> list[list[str]]:
    from sealer.rekey import fingerprints

    return [list(g) for g in fingerprints(meta)]


def _compare_meta(diff: FileDiff, old: Metadata | None, new: Metadata | None) -> None:
    old_groups = groups_of(old) if old else []
    new_groups = groups_of(new) if new else []
    diff.recipients = new_groups if new else old_groups
    old_ids = {r for g in old_groups for r in g}
    new_ids = {r for g in new_groups for r in g}
    diff.recipients_added = sorted(new_ids - old_ids)
    diff.recipients_removed = sorted(old_ids - new_ids)
    if old is None or new is None:
        return
    if (old.threshold, len(old.groups)) != (new.threshold, len(new.groups)):
        diff.threshold = (old.threshold, new.threshold)
    old_sel = f"{old.selection.rule}: {old.selection.value}"
    new_sel = f"{new.selection.rule}: {new.selection.value}"
    if old_sel != new_sel:
        diff.selection = (old_sel, new_sel)
    if old.mac_only_encrypted != new.mac_only_encrypted:
        diff.mac_only_encrypted = (old.mac_only_encrypted, new.mac_only_encrypted)


def data_key_fate(old: Version, new: Version) -> str:
    """kept, new or unknown: whether both versions are sealed under one data key."""
    assert old.meta is not None and new.meta is not None
    shared = old.sealed_paths & new.sealed_paths
    if any(old.leaves[p] == new.leaves[p] for p in shared):
        return "kept"
    if len(old.meta.groups) != 1 or len(new.meta.groups) != 1:
        return "new" if shared else "unknown"  # a kept Shamir share proves nothing alone
    old_wrapped = {s.enc for g in old.meta.groups for s in g if s.enc}
    new_wrapped = {s.enc for g in new.meta.groups for s in g if s.enc}
    if old_wrapped & new_wrapped:
        return "kept"
    if shared:
        return "new"
    return "unknown"
