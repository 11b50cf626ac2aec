"""The merge driver: a three-way merge of sealed files per key path.

git hands the driver the *stored* blobs (`%O %A %B`), so they are sealed. The
driver opens them, merges the plaintexts, and writes the *sealed* result to
`%A`, re-sealed with ours' data key: unchanged values keep ours' ciphertext,
values taken from theirs keep theirs' (same data key), so `lastmodified` and
`mac` never conflict. Whatever is left in `%A` is stored as a blob, even for a
conflict, so a conflict is stored as the two sealed versions between markers
(see conflict.py); smudge shows them with plaintext values.

How the plaintexts merge: every scalar that sits under mapping keys only
(`db.password`, an .env key, an INI option) is replaced by a token naming its
key path; the three token skeletons are merged line by line (diff3), and each
token gets the value the three-way rule picks (one side changed it: that
side; both changed it alike: either; differently: a conflict on that key). So
edits of different keys never conflict, even on adjacent lines, while added
and removed keys, comments and list items merge the way git merges lines. If
both sides only inserted lines at the same place, both insertions are kept
when the result still parses without a duplicate key. Anything that would
not parse falls back to a conflict over the lines that differ.
"""

from __future__ import annotations

import difflib
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sealer import document, fileio, policy
from sealer.envelope import Stash, show_path
from sealer.errors import SealerError
from sealer.formats import splice
from sealer.gitfilter import conflict
from sealer.gitfilter.filter import Filter, Warn, format_for, lf
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence

if TYPE_CHECKING:
    from sealer.formats import Format

KeyPath = tuple[str | int, ...]  # (document index, key, key, ...)
Span = tuple[int, int]


# -- diff3 over lines -------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """A stretch of the merge: agreed lines, or a conflict of base/ours/theirs lines."""

    lines: list[str]
    base: list[str] | None = None  # None: agreed
    ours: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)


def _matches(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(m.a, m.b, m.size) for m in matcher.get_matching_blocks()]


def diff3(base: list[str], ours: list[str], theirs: list[str]) -> Iterator[Chunk]:
    """Three-way merge of line lists (the sync-region algorithm of merge3)."""
    am, bm = _matches(base, ours), _matches(base, theirs)
    sync: list[tuple[int, int, int, int]] = []  # base start, end, ours start, theirs start
    ia = ib = 0
    while ia < len(am) and ib < len(bm):
        abase, amatch, alen = am[ia]
        bbase, bmatch, blen = bm[ib]
        start, end = max(abase, bbase), min(abase + alen, bbase + blen)
        if start < end:
            sync.append((start, end, amatch + start - abase, bmatch + start - bbase))
        if abase + alen < bbase + blen:
            ia += 1
        else:
            ib += 1
    sync.append((len(base), len(base), len(ours), len(theirs)))
    iz = ia = ib = 0
    for zstart, zend, astart, bstart in sync:
        o, a, b = base[iz:zstart], ours[ia:astart], theirs[ib:bstart]
        if a or b:
            if a == b:
                yield Chunk(a)
            elif a == o:
                yield Chunk(b)
            elif b == o:
                yield Chunk(a)
            else:
                yield Chunk([], o, a, b)
        if zend > zstart:
            yield Chunk(base[zstart:zend])
        n = zend - zstart
        iz, ia, ib = zend, astart + n, bstart + n


# -- per-key merge of plaintexts ------------------------------------------------------


@dataclass
class Outcome:
    """A clean merge (`merged`), or a conflict as two whole versions of the file."""

    merged: str | None
    ours: str = ""
    theirs: str = ""
    conflicts: list[str] = field(default_factory=list)


class _Fallback(Exception):
    """This way of merging cannot produce a valid file; try the next one."""


_CONFLICT = object()


def _pick(o: str | None, a: str | None, b: str | None) -> str | object | None:
    if a == b:
        return a
    if a == o:
        return b
    if b == o:
        return a
    return _CONFLICT


def leaves(docs: list[Mapping], text: str) -> dict[KeyPath, Span]:
    """Spans of the scalars that sit under mapping keys only, by key path.

    Scalars inside lists, aliases, empty values and keys seen twice are left
    out: they merge as lines. A span's trailing line breaks stay outside it.
    """
    out: dict[KeyPath, Span] = {}
    seen: set[KeyPath] = set()

    def walk(node: Node | None, path: KeyPath) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items:
                if isinstance(key, str):
                    walk(value, (*path, key))
        elif isinstance(node, Scalar) and node.span is not None and not node.aliased:
            start, end = node.span
            while end > start and text[end - 1] in "\r\n":
                end -= 1
            if path in seen:
                out.pop(path, None)
            elif end > start:
                out[path] = (start, end)
            seen.add(path)

    for i, doc in enumerate(docs):
        walk(doc, (i,))
    return out


def _duplicate_key(node: Node | None) -> bool:
    if isinstance(node, Mapping):
        keys = [k for k, _ in node.items if isinstance(k, str)]
        if len(keys) != len(set(keys)):
            return True
        return any(_duplicate_key(v) for _, v in node.items)
    if isinstance(node, Sequence):
        return any(_duplicate_key(v) for v in node.items if not isinstance(v, CommentNode))
    return False


def _valid(fmt: Format, text: str) -> bool:
    try:
        parsed = fmt.parse(text)
    except SealerError:
        return False
    return parsed.metadata is None and not any(_duplicate_key(d) for d in parsed.docs)


class _Merger:
    def __init__(self, fmt: Format, texts: tuple[str, str, str]):
        self.fmt = fmt
        self.texts = texts
        nonce = secrets.token_hex(8)
        while any(nonce in t for t in texts):
            nonce = secrets.token_hex(8)
        self.token = re.compile(rf"sealermerge{nonce}x(\d+)")
        self.prefix = f"sealermerge{nonce}x"
        self.paths: list[KeyPath] = []
        self.ids: dict[KeyPath, int] = {}
        self.raw: list[dict[KeyPath, str]] = []
        self.skeletons = [self._skeleton(t) for t in texts]

    def _skeleton(self, text: str) -> list[str]:
        values: dict[KeyPath, str] = {}
        self.raw.append(values)
        if not text:
            return []
        edits = []
        for path, (start, end) in leaves(self.fmt.parse(text).docs, text).items():
            if path not in self.ids:
                self.ids[path] = len(self.paths)
                self.paths.append(path)
            values[path] = text[start:end]
            edits.append((start, end, f"{self.prefix}{self.ids[path]}"))
        return conflict.lines(splice(text, edits))

    def run(self) -> Outcome:
        chunks = list(diff3(*self.skeletons))
        for union in (True, False):
            try:
                return self._attempt(chunks, union)
            except _Fallback:
                continue
        ours, theirs = self.texts[1], self.texts[2]
        return Outcome(None, ours, theirs, ["the whole file"])

    def _attempt(self, chunks: list[Chunk], union: bool) -> Outcome:
        ours: list[str] = []
        theirs: list[str] = []
        line_conflicts = 0
        for chunk in chunks:
            if chunk.base is None:
                ours += chunk.lines
                theirs += chunk.lines
            elif union and not chunk.base:
                ours += chunk.ours + chunk.theirs
                theirs += chunk.ours + chunk.theirs
            else:
                ours += chunk.ours
                theirs += chunk.theirs
                line_conflicts += 1
        value_conflicts: dict[KeyPath, None] = {}
        merged_ours = self._fill("".join(ours), 1, value_conflicts)
        merged_theirs = self._fill("".join(theirs), 2, value_conflicts)
        self._check_dropped("".join(ours) + "".join(theirs))
        names = [self._show(p) for p in value_conflicts]
        if line_conflicts:
            names.append(f"{line_conflicts} place(s) where both sides changed lines")
        if merged_ours == merged_theirs:
            if not _valid(self.fmt, merged_ours):
                raise _Fallback
            return Outcome(merged_ours)
        if not (_valid(self.fmt, merged_ours) and _valid(self.fmt, merged_theirs)):
            raise _Fallback
        return Outcome(None, merged_ours, merged_theirs, names)

    def _fill(self, skeleton: str, side: int, conflicts: dict[KeyPath, None]) -> str:
        def value(m: re.Match[str]) -> str:
            path = self.paths[int(m[1])]
            o, a, b = (r.get(path) for r in self.raw)
            picked = _pick(o, a, b)
            if picked is _CONFLICT:
                conflicts[path] = None
                picked = None
            if picked is None:  # a conflict, or a line one side kept and the other removed
                picked = a if side == 1 else b
            if not isinstance(picked, str):
                raise _Fallback
            return picked

        return self.token.sub(value, skeleton)

    def _check_dropped(self, merged_skeletons: str) -> None:
        """A value one side changed must not vanish because the other side removed its line."""
        present = {int(i) for i in self.token.findall(merged_skeletons)}
        for path, i in self.ids.items():
            if i in present:
                continue
            o, a, b = (r.get(path) for r in self.raw)
            if (a is not None and a != o) or (b is not None and b != o):
                raise _Fallback

    def _show(self, path: KeyPath) -> str:
        doc, keys = path[0], path[1:]
        shown = show_path(keys)
        return shown if doc == 0 else f"document {doc}: {shown}"


def merge_texts(fmt: Format, base: str | None, ours: str, theirs: str) -> Outcome:
    """Merge three plaintexts per key path (base None: the file was added on both sides)."""
    if ours == theirs or theirs == base:
        return Outcome(ours)
    if ours == base:
        return Outcome(theirs)
    return _Merger(fmt, (base or "", ours, theirs)).run()


# -- the driver -----------------------------------------------------------------------


@dataclass
class _Version:
    plaintext: str
    opened: document.Opened | None
    sealed: str = ""  # the stored text (LF line ends)


def _open_version(filt: Filter, fmt: Format, path: str, data: bytes, label: str) -> _Version:
    text, _ = lf(fileio.decode(data), fmt)
    if conflict.find(text) is not None:  # a virtual base made of a conflict: take ours
        text = conflict.split(text)[0]
    parsed = document.parse(fmt, text, f"{path} ({label})")
    if parsed.metadata is None:
        return _Version(text, None)
    opened = filt.open_sealed(fmt, parsed, f"{path} ({label})")
    return _Version(opened.plaintext, opened, text)


def _previous(ours: _Version, theirs: _Version) -> document.Opened | None:
    """Ours' opened file (else theirs'), with theirs' ciphertexts too if the data key matches."""
    first = ours.opened or theirs.opened
    if first is None:
        return None
    entries = {k: list(v) for k, v in first.stash.entries.items()}
    other = theirs.opened
    if other is not None and other is not first and other.key == first.key:
        for k, v in other.stash.entries.items():
            entries.setdefault(k, []).extend(v)
    return first._replace(stash=Stash(first.key, entries))


def _seal(fmt: Format, text: str, ours: _Version, theirs: _Version, path: str, warn: Warn) -> str:
    """The merged text sealed: `policy.reseal` against ours (both sides are committed content).

    A result equal to one side is that side's blob as it is: it is in the
    repository already, so nothing new becomes readable (see policy.py).
    """
    for side in (ours, theirs):
        if side.opened is not None and side.opened.mac_hex and side.plaintext == text:
            return side.sealed
    return policy.reseal(fmt, text, _previous(ours, theirs), path, warn=warn)[0]


def merge_files(base: str, ours: str, theirs: str, path: str, marker_size: int) -> int:
    """`merge.sealer.driver`: merge into the file `ours`; 0 when clean, 1 on a conflict."""
    fmt = format_for(path)
    filt = Filter()
    try:
        base_data = Path(base).read_bytes()
        mine, other = (
            _open_version(filt, fmt, path, Path(p).read_bytes(), label)
            for p, label in ((ours, "ours"), (theirs, "theirs"))
        )
        origin = _open_version(filt, fmt, path, base_data, "base").plaintext if base_data else None
        outcome = merge_texts(fmt, origin, mine.plaintext, other.plaintext)
        if outcome.merged is not None:
            result = _seal(fmt, outcome.merged, mine, other, path, filt.warn)
        else:
            sealed = [
                _seal(fmt, t, mine, other, path, filt.warn) for t in (outcome.ours, outcome.theirs)
            ]
            result = conflict.render(sealed[0], sealed[1], marker_size)
    except (SealerError, OSError) as e:
        message = e.message if isinstance(e, SealerError) else str(e)
        print(f"sealer: error: cannot merge {path}: {message}", file=sys.stderr)
        if isinstance(e, SealerError) and e.hint:
            for line in e.hint.splitlines():
                print(f"sealer: hint: {line}", file=sys.stderr)
        print(
            f"sealer: hint: {path} is left as ours (sealed) and marked conflicted; "
            f"`git checkout --theirs {path}` takes theirs",
            file=sys.stderr,
        )
        return 1
    finally:
        filt.repo.close()
    fileio.write_atomic(ours, fileio.encode(result))
    if outcome.merged is not None:
        return 0
    print(
        f"sealer: conflict: {path}: changed on both sides: {', '.join(outcome.conflicts)}",
        file=sys.stderr,
    )
    return 1
