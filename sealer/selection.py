"""Which leaves get encrypted: sops' six selection rules, at most one per file.

A port of sops' `Tree.shouldBeEncrypted`: suffix and regex rules look at every
key of the path (ancestors included), comment rules at the comments that precede
the leaf at its own and every enclosing level. Regexes are unanchored searches,
in RE2 as sops runs them (sealer/pattern.py): they come with the data.
"""

from sealer import pattern
from sealer.errors import ConfigError
from sealer.records import Record

RULES = (
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
)
DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"


class Selection(Record):
    rule: str = "unencrypted_suffix"
    value: str = DEFAULT_UNENCRYPTED_SUFFIX

    @classmethod
    def from_fields(cls, fields: dict[str, object], *, where: str) -> "Selection":
        """The one rule set in `fields` (a creation rule or metadata), else the default."""
        found = [(k, fields[k]) for k in RULES if fields.get(k) not in (None, "")]
        if len(found) > 1:
            names = ", ".join(k for k, _ in found)
            raise ConfigError(
                f"{where}: more than one key-selection rule ({names})",
                hint="sops allows only one of " + ", ".join(RULES),
            )
        if not found:
            return cls()
        rule, value = found[0]
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {rule} must be a string")
        selection = cls(rule, value)
        if rule.endswith("regex"):
            pattern.compile_(value, f"{where}: {rule}")
        return selection

    @property
    def pattern(self) -> pattern.Pattern:
        return pattern.compile_(self.value, self.rule)

    @property
    def uses_comments(self) -> bool:
        return self.rule.endswith("comment_regex")

    def encrypts(
        self, path: tuple[str, ...], comments: list[list[str]] | None, is_comment: bool
    ) -> bool:
        rule = self.rule
        if rule == "unencrypted_suffix":
            return not any(k.endswith(self.value) for k in path)
        if rule == "encrypted_suffix":
            return any(k.endswith(self.value) for k in path)
        if rule == "unencrypted_regex":
            return not any(self.pattern.search(k) for k in path)
        if rule == "encrypted_regex":
            return any(self.pattern.search(k) for k in path)
        stack = comments or [[]]
        if rule == "unencrypted_comment_regex":
            return not any(self.pattern.search(c) for level in stack for c in level)
        # encrypted_comment_regex: the matching comment line itself stays plaintext.
        last_level = len(stack) - 1
        for i, level in enumerate(stack):
            for j, c in enumerate(level):
                if is_comment and i == last_level and j == len(level) - 1:
                    continue
                if self.pattern.search(c):
                    return True
        return False
