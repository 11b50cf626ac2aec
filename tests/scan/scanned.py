"""What the engine finds in a text, in the two shapes the rule tests assert on."""

from __future__ import annotations

from sealer.scan import engine


def rule_ids(text: str) -> list[str]:
    """The rule of each finding, in order."""
    return [h.rule.id for h in engine.scan(text.encode())]


def found(text: str) -> list[tuple[str, str]]:
    """(rule, secret) of each finding, in order."""
    return [(h.rule.id, h.secret.decode()) for h in engine.scan(text.encode())]
