"""Translate a rule's `path_regex` into .gitattributes patterns that match the same paths.

sops' `path_regex` is searched (unanchored) in the path relative to the rules
file's directory; .gitattributes patterns are globs (wildmatch with `/`
special). A regex built from literals, `.`, `.*`, `.+`, `[^/]*`, simple
character classes, `?` and alternation translates exactly into a few globs:
`.` is `?` or `/`; `.*` is `*` (inside one path component) or `*/**/*`
(across components). Anything else (repetition counts, `\\d`, lookarounds,
flags, ...) returns None, and the caller lists the matching files one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PATTERNS = 32

# elements of a translated sequence
# literal text; any one char (`.`); any string (`.*`); a character class; `[^/]*`; `[^/]`
LIT, ANY1, ANYSTR, CLASS, SEG, ONE = "lit", "any1", "anystr", "class", "seg", "one"
Item = tuple[str, str]
Seq = list[Item]


class Unsupported(Exception):
    pass


@dataclass
class _Alt:
    items: list[list[Item] | _Group]
    start: bool = False  # anchored with ^
    end: bool = False  # anchored with $


@dataclass
class _Group:
    alts: list[_Alt]
    optional: bool = False


class _Parser:
    def __init__(self, regex: str):
        self.s = regex
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self) -> str:
        c = self.peek()
        self.i += 1
        return c

    def alternatives(self, depth: int) -> list[_Alt]:
        alts = [self.sequence(depth)]
        while self.peek() == "|":
            self.take()
            alts.append(self.sequence(depth))
        return alts

    def sequence(self, depth: int) -> _Alt:
        alt = _Alt([])
        if self.peek() == "^" and depth == 0:
            self.take()
            alt.start = True
        while self.peek() and self.peek() not in "|)":
            c = self.take()
            if c == "$" or (c == "\\" and self.peek() == "Z"):
                if c == "\\":
                    self.take()
                if depth or (self.peek() and self.peek() not in "|"):
                    raise Unsupported
                alt.end = True
            elif c == "(":
                if self.s.startswith("?:", self.i):
                    self.i += 2
                elif self.peek() == "?":
                    raise Unsupported  # lookarounds, flags, named groups
                group = _Group(self.alternatives(depth + 1))
                if self.take() != ")":
                    raise Unsupported
                group.optional = self._optional()
                alt.items.append(group)
            else:
                item = self.atom(c)
                if self.peek() in ("*", "+"):
                    alt.items.append(self.repeat(item))
                elif self._optional():
                    alt.items.append(_Group([_Alt([[item]]), _Alt([])]))
                else:
                    alt.items.append([item])
        return alt

    def _optional(self) -> bool:
        if self.peek() == "?":
            self.take()
            if self.peek() in ("?", "+"):
                raise Unsupported
            return True
        if self.peek() in ("*", "+", "{"):
            raise Unsupported
        return False

    def repeat(self, item: Item) -> list[Item]:
        op = self.take()
        if self.peek() in ("?", "+"):
            self.take()  # lazy or possessive: same set of matches
        if item == (ANY1, ""):
            return [(ANYSTR, "")] if op == "*" else [(ANY1, ""), (ANYSTR, "")]
        if item == (ONE, ""):
            return [(SEG, "")] if op == "*" else [(ONE, ""), (SEG, "")]
        raise Unsupported

    def atom(self, c: str) -> Item:
        if c == ".":
            return (ANY1, "")
        if c == "[":
            return self.char_class()
        if c == "\\":
            e = self.take()
            if not e or e.isalnum():
                raise Unsupported  # \d, \w, \b, back-references, ...
            return (LIT, e)
        if c in "*+?{}^$":
            raise Unsupported
        return (LIT, c)

    def char_class(self) -> Item:
        """A class as a glob class body (`!` for negation), ranges kept."""
        negate = self.peek() == "^"
        if negate:
            self.take()
        body = ""
        chars: list[str] = []  # single members, for the `/` check
        ranges: list[tuple[str, str]] = []
        first = True
        while True:
            c = self.take()
            if not c:
                raise Unsupported
            if c == "]" and not first:
                break
            first = False
            if c == "\\":
                c = self.take()
                if not c or c.isalnum():
                    raise Unsupported
            elif c == "[":
                raise Unsupported  # [:classes:]
            elif c == "-" and chars and self.peek() not in ("]", ""):
                low, high = chars.pop(), self.take()
                if high == "\\":
                    high = self.take()
                if not high:
                    raise Unsupported
                ranges.append((low, high))
                body += "-" + _class_char(high)
                continue
            chars.append(c)
            body += _class_char(c)
        has_slash = "/" in chars or any(lo <= "/" <= hi for lo, hi in ranges)
        if negate:
            if chars == ["/"] and not ranges:
                return (ONE, "")
            if not has_slash:
                raise Unsupported  # would match "/" too, which a glob class cannot
            return (CLASS, "!" + body)
        if has_slash:
            raise Unsupported
        return (CLASS, body)


def _class_char(c: str) -> str:
    return "\\" + c if c in "[]!\\-^" else c


def _expand(items: list[list[Item] | _Group]) -> list[Seq]:
    seqs: list[Seq] = [[]]
    for item in items:
        if isinstance(item, _Group):
            options = [s for alt in item.alts for s in _alt_seqs(alt, nested=True)]
            if item.optional:
                options.append([])
        else:
            options = [item]
        seqs = [s + o for s in seqs for o in options]
        if len(seqs) > MAX_PATTERNS:
            raise Unsupported
    return seqs


def _alt_seqs(alt: _Alt, nested: bool = False) -> list[Seq]:
    seqs = _expand(alt.items)
    if nested:
        return seqs
    head: Seq = [] if alt.start else [(ANYSTR, "")]
    tail: Seq = [] if alt.end else [(ANYSTR, "")]
    return [head + s + tail for s in seqs]


def _class_glob(body: str) -> str:
    return "[" + body + "]"


def _globs(seq: Seq) -> list[str]:
    out = [""]
    previous = ""
    for kind, value in seq:
        if kind == ANYSTR and previous == ANYSTR:
            continue  # `.*.*` is `.*`
        previous = kind
        if kind == LIT:
            options = [_escape(value)]
        elif kind == CLASS:
            options = [_class_glob(value)]
        elif kind == SEG:
            options = ["*"]
        elif kind == ONE:
            options = ["?"]
        elif kind == ANY1:
            options = ["?", "/"]
        else:
            options = ["*", "*/**/*"]
        out = [o + x for o in out for x in options]
        if len(out) > MAX_PATTERNS * 4:
            raise Unsupported
    return out


def _escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def _simplify(patterns: list[str]) -> list[str]:
    """Merge `P*S` and `P*/**/*S` (P empty or ending in `/`) into `P**/*S`; dedupe."""
    found = list(dict.fromkeys(patterns))
    changed = True
    while changed:
        changed = False
        present = set(found)
        for p in found:
            i = p.find("*/**/*")
            while i != -1:
                head, tail = p[:i], p[i + 6 :]
                if (head == "" or head.endswith("/")) and head + "*" + tail in present:
                    merged = head + "**/*" + tail
                    if tail == "":
                        merged = head + "**"
                    found = [merged if q == p else q for q in found if q != head + "*" + tail]
                    changed = True
                    break
                i = p.find("*/**/*", i + 1)
            if changed:
                break
    return found


def translate(regex: str) -> list[str] | None:
    """Globs (relative to the rules file's directory, no leading `/`) matching what
    `re.search(regex, path)` matches; None when the regex is outside the supported set."""
    parser = _Parser(regex)
    try:
        alts = parser.alternatives(0)
        if parser.i != len(regex):
            raise Unsupported
        seqs = [s for alt in alts for s in _alt_seqs(alt)]
        patterns = [g for s in seqs for g in _globs(s)]
    except Unsupported:
        return None
    # a relative file path never starts or ends with "/" nor holds "//"
    patterns = [
        p for p in _simplify(patterns)
        if p and not p.startswith("/") and not p.endswith("/") and "//" not in p
    ]  # fmt: skip
    if len(patterns) > MAX_PATTERNS:
        return None
    return sorted(patterns)
