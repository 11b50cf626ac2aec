"""Scan one file's bytes: keyword prefilter, rules, then the engine-wide filters.

The keyword search runs over the lower-cased bytes with `bytes.find` (C speed),
so a rule's regex only ever sees the lines where its keywords occur. After the
rules: candidates inside a sealed `ENC[…]` value are dropped, inline allow
markers are honoured (only in a comment: a marker inside a string, such as the
secret's own, does not count), and where two findings overlap the earlier rule
in the table (the more specific format) wins.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sealer.scan.rules import RULES, Rule

_ENC = b"ENC[AES256_GCM,"
GENERIC = "generic-secret"
# Markers people already use: sealer's own, detect-secrets' and gitleaks'.
_ALLOW = re.compile(rb"sealer:allow(?!-next-line)|pragma: ?allowlist secret|gitleaks:allow")
_ALLOW_NEXT = re.compile(rb"sealer:allow-next-line|pragma: ?allowlist nextline secret")


@dataclass(frozen=True, slots=True)
class Hit:
    """A secret in a file. `secret` is for fingerprints only and is never printed."""

    rule: Rule
    start: int
    end: int
    secret: bytes
    # generic fingerprints of the hits this one won an overlap against (`_drop_overlaps`)
    won_over: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule.id, self.secret)

    @property
    def accepted_as(self) -> tuple[str, ...]:
        """Ignore-file entries that accept this hit: its own fingerprint, and the generic
        rule's for the same secret, so an entry made when only the generic rule found a
        secret still holds after a more specific rule (a new vendor format) takes it.
        Also the generic fingerprint of a hit this one won an overlap against: a
        repository's own rule now wins over the generic rule, and an entry made when
        the generic rule won must still hold."""
        if self.rule.id == GENERIC:
            return (self.fingerprint, *self.won_over)
        return (self.fingerprint, fingerprint(GENERIC, self.secret), *self.won_over)

    def redacted(self) -> str:
        return redact(self.secret, self.rule.show)


def fingerprint(rule_id: str, secret: bytes) -> str:
    """`rule:hash` of the rule and the secret: no path, no line, no time, so it never churns."""
    digest = hashlib.sha256(rule_id.encode() + b"\0" + secret).hexdigest()[:32]
    return f"{rule_id}:{digest}"


def redact(secret: bytes, show: int) -> str:
    """The rule's known prefix at most (never more than a quarter), then the length."""
    keep = min(show, len(secret) // 4)
    head = secret[:keep].decode("ascii", "replace")
    return f"{head}…({len(secret)} chars)"


class _Keywords:
    """Where every rule's keywords occur, found in one pass over the lower-cased bytes.

    One RE2 automaton over all keywords (a DFA: linear time, one pass however
    many keywords there are) replaces a `bytes.find` pass per keyword, which
    cost a pass over the file each for some 200 keywords. A keyword found
    also serves every rule with a keyword inside it (`access_token$production$`
    holds `token`), at that keyword's own offset.
    """

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        words = sorted({k for r in rules for k in r.keywords}, key=lambda k: (-len(k), k))
        self.words = words
        # keyword -> [(rule index, offset of that rule's keyword inside it)]
        self.serves: dict[bytes, list[tuple[int, int]]] = {
            w: [(i, w.find(k)) for i, r in enumerate(rules) for k in r.keywords if k in w]
            for w in words
        }
        # A match hides keywords that start inside it and run past its end (`sk` in
        # `sk_live_` hides `k_live_`). keyword -> [(offset j inside it, the rest of each
        # keyword that starts with keyword[j:], past the match's end)]
        # The keywords starting with a given text are a run of the sorted list, found by
        # bisection: set-up grows with the keywords' total length, not its square.
        self.overlaps: dict[bytes, list[tuple[int, tuple[bytes, ...]]]] = {}
        ordered = sorted(words)
        for w in words:
            for j in range(1, len(w)):
                tail = w[j:]
                rests = []
                for k in itertools.islice(ordered, bisect.bisect_left(ordered, tail), None):
                    if not k.startswith(tail):
                        break
                    if k != tail:
                        rests.append(k[len(tail) :])
                if rests:
                    self.overlaps.setdefault(w, []).append((j, tuple(rests)))
        self._rx: Any = None

    def _automaton(self) -> Any:
        if self._rx is None:
            import re2

            options = re2.Options()
            options.max_mem = 64 << 20
            self._rx = re2.compile(b"|".join(re2.escape(w) for w in self.words), options)
        return self._rx

    def locate(self, lower: bytes) -> dict[int, list[int]]:
        """rule index -> sorted positions of its keywords."""
        found: dict[int, list[int]] = {}
        serves, overlaps = self.serves, self.overlaps
        for m in self._automaton().finditer(lower):
            at, end = m.span()
            word = lower[at:end]
            for rule, offset in serves[word]:
                found.setdefault(rule, []).append(at + offset)
            for j, rests in overlaps.get(word, ()):
                if lower.startswith(rests, end):  # rare: find which keyword
                    for rest in rests:
                        if lower.startswith(rest, end):
                            hidden = word[j:] + rest
                            for rule, offset in serves[hidden]:
                                found.setdefault(rule, []).append(at + j + offset)
        for positions in found.values():
            if len(positions) > 1:
                positions.sort()
        return found


_KEYWORDS = _Keywords(RULES)
# Where two findings overlap, the earlier rule here wins. A repository's own rules
# (not here: `len(_ORDER)`) name a secret more exactly than the generic rule does,
# so the generic rule comes after them.
_ORDER = {rule.id: i for i, rule in enumerate(RULES)}
_ORDER[GENERIC] = len(_ORDER) + 1


def scan(data: bytes, extra: Sequence[Rule] = ()) -> list[Hit]:
    """Every secret in `data`, in file order, after allow markers and overlaps.

    `extra`: a repository's own rules (sealer.scan.custom), after the built-in ones;
    one without keywords runs over the whole file.
    """
    lower = data.lower()
    hits: list[Hit] = []
    todo = [(RULES[i], sorted(set(found))) for i, found in _KEYWORDS.locate(lower).items()]
    for rule in extra:
        found = sorted(i for k in rule.keywords for i in _find_all(lower, k))
        if found or not rule.keywords:
            todo.append((rule, found))
    lines = _Lines(data, lower)
    for rule, positions in todo:
        for c in rule.candidates(data, positions):
            if not lines.in_sealed_value(c.start, c.end) and not lines.allowed(c.start):
                hits.append(Hit(rule, c.start, c.end, c.secret))
    return _drop_overlaps(hits)


def _find_all(lower: bytes, keyword: bytes) -> Iterator[int]:
    i = lower.find(keyword)
    while i >= 0:
        yield i
        i = lower.find(keyword, i + 1)


class _Lines:
    """Per-line facts the filters need, found once per file rather than per hit, so
    many hits on one long line cost linear time: line starts, the `ENC[` openers
    (with where each closes), and whether a line carries an allow marker."""

    def __init__(self, data: bytes, lower: bytes) -> None:
        self.data = data
        self.lower = lower
        self.newlines = [m.start() for m in re.finditer(rb"\n", data)]
        self.encs = [m.start() for m in re.finditer(re.escape(_ENC), data)]
        self._closes: dict[int, int] = {}
        self._allowed: dict[int, bool] = {}

    def line_start(self, i: int) -> int:
        """Offset of the start of the line holding `i` (`data.rfind(b"\n", 0, i) + 1`)."""
        k = bisect.bisect_left(self.newlines, i)
        return self.newlines[k - 1] + 1 if k else 0

    def in_sealed_value(self, start: int, end: int) -> bool:
        """Whether `data[start:end]` lies inside one `ENC[…]` value on its line."""
        k = bisect.bisect_right(self.encs, start - len(_ENC))
        if k == 0 or self.encs[k - 1] < self.line_start(start):
            return self.data[start : start + len(_ENC)] == _ENC
        enc = self.encs[k - 1]
        close = self._closes.get(enc)
        if close is None:
            close = self._closes[enc] = self.data.find(b"]", enc)
        return close < 0 or close >= end - 1

    def allowed(self, start: int) -> bool:
        """Whether the hit's line, or the line before it, carries an allow marker."""
        line_start = self.line_start(start)
        known = self._allowed.get(line_start)
        if known is None:
            known = self._allowed[line_start] = _allowed(self.lower, line_start)
        return known


def _allowed(lower: bytes, line_start: int) -> bool:
    line_end = lower.find(b"\n", line_start)
    if _marker_in_comment(_ALLOW, lower, line_start, line_end if line_end >= 0 else len(lower)):
        return True
    if line_start == 0:
        return False
    previous = lower.rfind(b"\n", 0, line_start - 1) + 1
    return _marker_in_comment(_ALLOW_NEXT, lower, previous, line_start - 1)


def _marker_in_comment(marker: re.Pattern[bytes], lower: bytes, start: int, end: int) -> bool:
    """Whether `marker` occurs on the line `lower[start:end]` after a comment opener."""
    m = marker.search(lower, start, end)
    if m is None:
        return False
    opened = comment_start(lower[start:end])
    return opened is not None and start + opened <= m.start()


# `#`, `//`, `/*`, `<!--`, `{-`, `(*`; `-- ` (SQL, Lua: not `--flag`); `;`, `%` and
# `rem` at the start of a line or after a blank; `*` continuing a block comment.
_OPENER = re.compile(
    rb"#|//|/\*|<!--|\{-|\(\*|--(?=[ \t]|$)|(?:(?<=[ \t])|^)(?:;|%|rem\b)|^[ \t]*\*(?![*/])"
)
_QUOTES = b"\"'`"


def comment_start(line: bytes) -> int | None:
    """Offset where a comment starts on one (lower-cased) line, outside string quotes."""
    quote = 0
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if quote:
            if c == 0x5C:  # backslash escapes the next byte inside a string
                i += 2
                continue
            if c == quote:
                quote = 0
        elif c in _QUOTES:
            quote = c
        elif _OPENER.match(line, i) is not None:
            return i
        i += 1
    return None


def _drop_overlaps(hits: list[Hit]) -> list[Hit]:
    if len(hits) < 2:
        return hits
    kept: list[Hit] = []  # disjoint, sorted by start
    starts: list[int] = []
    for hit in sorted(hits, key=lambda h: (_ORDER.get(h.rule.id, len(_ORDER)), h.start)):
        i = bisect.bisect_left(starts, hit.start)
        if i > 0 and kept[i - 1].end > hit.start:
            _lost_to(kept, i - 1, hit)
            continue
        if i < len(kept) and kept[i].start < hit.end:
            _lost_to(kept, i, hit)
            continue
        kept.insert(i, hit)
        starts.insert(i, hit.start)
    return kept


def _lost_to(kept: list[Hit], i: int, loser: Hit) -> None:
    """A generic hit lost an overlap to a repository's own rule (one not in `_ORDER`):
    the winner is accepted by the loser's fingerprint too, as releases where the
    generic rule won reported that one (an ignore entry made then must still hold)."""
    winner = kept[i]
    if loser.rule.id == GENERIC and winner.rule.id not in _ORDER:
        kept[i] = dataclasses.replace(winner, won_over=(*winner.won_over, loser.fingerprint))
