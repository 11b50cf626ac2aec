"""Gates a candidate secret must pass: entropy, and "this is not a placeholder".

Shared by the rule table and the generic assignment rule. Every function takes
the candidate as bytes (the scanner works on bytes, so any encoding scans).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

_PLACEHOLDER = re.compile(
    rb"example|sample|dummy|fake|placeholder|redacted|changeme|change[_-]me|replace[_-]?me"
    rb"|your[_-]|<[^>]*>|\$\{|\{\{|\$\(|%\(|xxxx|\*\*\*|\.\.\.|todo|insert[_-]|[_-]here\b"
    rb"|not[_-]?a[_-]?(?:real|secret)|do[_-]?not[_-]?use|lorem|ipsum|foobar|####|\.\.$"
    # the UUIDs documentation shows (RFC 4122's, and the one most tutorials copy)
    rb"|550e8400-e29b-41d4|123e4567-e89b-12d3"
)
_SEQUENCES = (
    b"abcdef", b"bcdefg", b"123456", b"234567", b"012345", b"qwerty", b"asdfgh",
    b"987654", b"876543", b"765432", b"654321", b"543210",
)  # fmt: skip
_REPEAT = re.compile(rb"(.)\1{5,}")
UUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def entropy(value: bytes) -> float:
    """Shannon entropy in bits per byte, as gitleaks computes it over the secret."""
    n = len(value)
    if n == 0:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: bytes, *, runs: bool = True) -> bool:
    """Documentation and test stand-ins: `<token>`, `${VAR}`, `xxxx`, `your-key-here`…

    `runs`: also a run of six equal characters or a keyboard/alphabet sequence
    (not for encoded keys, whose DER headers are full of `AAAA`).
    """
    low = value.lower()
    if _PLACEHOLDER.search(low):
        return True
    return runs and (
        _REPEAT.search(low) is not None
        or any(s in low for s in _SEQUENCES)
        or _alphabet_run(low) >= 7
    )


def _alphabet_run(low: bytes) -> int:
    """The longest run of consecutive letters or digits (`klmnopq`, `6789`)."""
    best = run = 1
    for a, b in itertools.pairwise(low):
        run = run + 1 if b == a + 1 and (0x61 <= b <= 0x7A or 0x30 <= b <= 0x39) else 1
        best = max(best, run)
    return best


def is_uuid(value: bytes) -> bool:
    return UUID.fullmatch(value) is not None
