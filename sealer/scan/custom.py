"""Custom rules and allowlists from a repository's `.gitleaks.toml` or `.sealer/scan.toml`.

Both files use gitleaks' schema (v8), so a team moving over keeps its file:

    [[rules]]            id, description, regex, secretGroup, entropy, keywords,
                         and [[rules.allowlists]] (or the older [rules.allowlist])
    [allowlist]          paths, regexes, stopwords, regexTarget (or [[allowlists]],
                         with targetRules to limit one to some rules)
    [extend]             disabledRules (sealer's rule ids); useDefault: sealer's own
                         rules always run

Custom rules run next to sealer's built-in ones; allowlists apply to every
finding. The file is committed, so it is untrusted: regexes are compiled by
RE2 (linear time, bounded memory), sizes are capped, and `extend.path` /
`extend.url` (another file to load) are refused rather than followed. What
does not apply to a file scan is reported and skipped: `commits`, path-only
rules (`path` without `regex`) and composite (`required`) rules.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sealer.errors import ConfigError
from sealer.scan.candidate import WINDOW, Candidate, line_windows
from sealer.scan.rules import Rule

NAMES = (".gitleaks.toml", ".sealer/scan.toml")
MAX_FILE = 1 << 20  # bytes of one config file
MAX_RULES = 1000
MAX_PATTERN = 4096  # characters of one regex
_RE2_MEM = 8 << 20  # bytes of RE2 program memory per regex


def _re2(pattern: str, where: str) -> Any:
    import re2

    if len(pattern) > MAX_PATTERN:
        raise ConfigError(
            f"{where}: regex longer than {MAX_PATTERN} characters",
            hint="shorten it, or split the rule in two",
        )
    options = re2.Options()
    options.max_mem = _RE2_MEM
    options.log_errors = False  # the error is ours to report
    try:
        return re2.compile(pattern.encode(), options)
    except re2.error as e:
        raise ConfigError(
            f"{where}: not a regex RE2 accepts: {e}",
            hint="gitleaks and sealer use RE2 syntax: no look-around, no backreferences",
        ) from None


def _get(table: dict[str, Any], name: str, default: Any = None) -> Any:
    """gitleaks reads its TOML case-insensitively (`secretGroup`, `secretgroup`)."""
    for key, value in table.items():
        if key.lower() == name.lower():
            return value
    return default


@dataclass
class Allowlist:
    rules: frozenset[str] | None = None  # targetRules; None: every rule
    paths: list[Any] = field(default_factory=list)
    regexes: list[Any] = field(default_factory=list)
    target: str = "secret"  # secret, match or line
    stopwords: list[bytes] = field(default_factory=list)
    all_of: bool = False  # condition = "AND"

    def allows(self, rule: str, path: str, secret: bytes, match: bytes, line: bytes) -> bool:
        if self.rules is not None and rule not in self.rules:
            return False
        text = {"match": match, "line": line}.get(self.target, secret)
        low = secret.lower()
        checks = [
            *([any(p.search(path.encode()) for p in self.paths)] if self.paths else []),
            *([any(r.search(text) for r in self.regexes)] if self.regexes else []),
            *([any(w in low for w in self.stopwords)] if self.stopwords else []),
        ]
        return bool(checks) and (all(checks) if self.all_of else any(checks))


@dataclass
class Custom:
    """What a repository's scan config adds: rules, allowlists, disabled rule ids."""

    rules: list[Rule] = field(default_factory=list)
    allowlists: list[Allowlist] = field(default_factory=list)
    rule_allowlists: dict[str, list[Allowlist]] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)  # what was skipped, for warnings

    def allows(
        self, rule: str, path: str, data: bytes, start: int, end: int, secret: bytes
    ) -> bool:
        """Whether a finding of `rule` at data[start:end] is allowed (or its rule disabled)."""
        if rule in self.disabled:
            return True
        lists = [*self.allowlists, *self.rule_allowlists.get(rule, [])]
        if not lists:
            return False
        line_start = data.rfind(b"\n", max(0, start - WINDOW), start) + 1
        line_end = data.find(b"\n", end, end + WINDOW)
        line = data[line_start : line_end if line_end >= 0 else len(data)]
        match = data[start:end]
        return any(a.allows(rule, path, secret, match, line) for a in lists)


def load(top: str | None) -> Custom:
    """The scan config files found at the repository's top, merged."""
    custom = Custom()
    for name in NAMES:
        path = Path(top or ".") / name
        if path.is_file():
            _merge(custom, path, name)
    return custom


def _merge(custom: Custom, path: Path, name: str) -> None:
    raw = path.read_bytes()
    if len(raw) > MAX_FILE:
        raise ConfigError(f"{name}: larger than {MAX_FILE} bytes", hint="trim the rule file")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{name}: not valid TOML: {e}", hint="fix the file") from None
    extend = _get(doc, "extend", {})
    if _get(extend, "path") or _get(extend, "url"):
        custom.notes.append(f"{name}: extend.path/url ignored: a committed file loads no other")
    custom.disabled |= frozenset(str(r) for r in _get(extend, "disabledRules", []))
    rules = _get(doc, "rules", [])
    if len(rules) > MAX_RULES:
        raise ConfigError(f"{name}: more than {MAX_RULES} rules", hint="split or trim the file")
    for i, table in enumerate(rules):
        rule = _rule(table, f"{name}: rules[{i}]", custom.notes)
        if rule is None:
            continue
        custom.rules.append(rule)
        lists = [*_as_list(_get(table, "allowlist")), *_as_list(_get(table, "allowlists"))]
        custom.rule_allowlists.setdefault(rule.id, []).extend(
            _allowlist(a, f"{name}: rules[{i}] allowlist", custom.notes) for a in lists
        )
    for table in [*_as_list(_get(doc, "allowlist")), *_as_list(_get(doc, "allowlists"))]:
        custom.allowlists.append(_allowlist(table, f"{name}: allowlist", custom.notes))


def _as_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value)


def _allowlist(table: dict[str, Any], where: str, notes: list[str]) -> Allowlist:
    if _get(table, "commits"):
        notes.append(f"{where}: commits ignored (sealer allows findings by fingerprint)")
    targets = _get(table, "targetRules")
    return Allowlist(
        rules=frozenset(str(t) for t in targets) if targets else None,
        paths=[_re2(str(p), f"{where}: paths") for p in _get(table, "paths", [])],
        regexes=[_re2(str(r), f"{where}: regexes") for r in _get(table, "regexes", [])],
        target=str(_get(table, "regexTarget", "secret") or "secret").lower(),
        stopwords=[str(w).lower().encode() for w in _get(table, "stopwords", [])],
        all_of=str(_get(table, "condition", "OR")).upper() == "AND",
    )


def _rule(table: dict[str, Any], where: str, notes: list[str]) -> Rule | None:
    rule_id = str(_get(table, "id", "")).strip()
    if not rule_id:
        raise ConfigError(f"{where}: a rule without an id", hint="give every rule an id")
    regex = _get(table, "regex")
    if not regex:
        notes.append(f"{where}: {rule_id}: path-only rule skipped (sealer scans contents)")
        return None
    if _get(table, "required"):
        notes.append(f"{where}: {rule_id}: composite rule skipped (`required` is not supported)")
        return None
    if _get(table, "skipReport"):
        return None
    compiled = _re2(str(regex), f"{where}: {rule_id}")
    group = int(_get(table, "secretGroup", 0) or 0)
    keywords = tuple(str(k).lower().encode() for k in _get(table, "keywords", []))
    return Rule(
        rule_id,
        str(_get(table, "description", "") or f"custom rule {rule_id}"),
        keywords,
        entropy=float(_get(table, "entropy", 0.0) or 0.0),
        finder=_finder(compiled, group, bool(keywords)),
        show=0,
        placeholders=False,
    )


def _finder(rx: Any, group: int, keyed: bool) -> Any:
    def find(data: bytes, positions: list[int]) -> Iterator[Candidate]:
        spans = line_windows(data, positions) if keyed else [(0, len(data))]
        seen: set[tuple[int, int]] = set()
        for start, end in spans:
            for m in rx.finditer(data, start, end):
                span = _secret_span(m, group)
                if span is None or span in seen or span[0] == span[1]:
                    continue
                seen.add(span)
                yield Candidate(span[0], span[1], data[span[0] : span[1]])

    return find


def _secret_span(m: Any, group: int) -> tuple[int, int] | None:
    """gitleaks' choice: `secretGroup` if set, else the first non-empty group, else the match."""
    groups: int = m.re.groups
    if group > 0:
        return (m.start(group), m.end(group)) if group <= groups and m.start(group) >= 0 else None
    for g in range(1, groups + 1):
        if m.start(g) >= 0 and m.end(g) > m.start(g):
            return int(m.start(g)), int(m.end(g))
    return int(m.start()), int(m.end())
