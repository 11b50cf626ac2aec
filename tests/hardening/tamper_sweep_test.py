"""Flip every byte of a sealed file, one at a time: each result either opens to the
original plaintext (a byte nothing depends on, such as a blank, which then stays
as flipped) or fails with sealer's own error. It never opens to a different
plaintext, and never crashes.
"""

from __future__ import annotations

import os
from collections import Counter
from unittest.mock import patch

import pytest

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.errors import SealerError
from sealer.recipients.age import AgeRecipient
from sealer.tree import CommentNode, Mapping, Sequence, to_python
from tests.helpers import AgeKey

SAMPLES = {
    "yaml": "# settings\ndb:\n  user: admin # who\n  password: 'pw-123'\n  port: 5432\n  notes: |\n    two\n    lines\nlist: [a, \"b\"]\n",
    "json": '{\n  "db": {"user": "admin", "password": "pw-123", "port": 5432},\n  "list": ["a", true, 1.5]\n}\n',
    "dotenv": "# settings\nUSER=admin\nPASSWORD=pw-123\nMULTI=a\\nb\n",
    "ini": '; settings\nname = x\n\n[db]\n; who\nuser = admin\npassword = "pw-123"\n',
    "binary": "raw\x00bytes pw-123\n",
}


def meaning(fmt: formats.Format, text: str) -> tuple[object, list[str]]:
    """What a plaintext says: its data and its comments (a flipped blank is not news)."""
    if fmt.name == "binary":
        return text, []
    parsed = fmt.parse(text)
    comments: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, CommentNode):
            comments.append(node.text.strip())
        elif isinstance(node, Mapping):
            for k, v in node.items:
                walk(k)
                walk(v)
        elif isinstance(node, Sequence):
            for v in node.items:
                walk(v)

    for doc in parsed.docs:
        walk(doc)
    return [to_python(d) for d in parsed.docs], comments


@pytest.mark.parametrize("fmt_name", list(SAMPLES))
def test_every_flipped_byte_fails_or_opens_to_the_original(fmt_name: str, age_key: AgeKey) -> None:
    fmt = formats.get(fmt_name)
    plain = SAMPLES[fmt_name]
    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    sealed = document.seal_text(fmt, plain, policy=policy).encode("utf-8", "surrogateescape")
    outcomes: Counter[str] = Counter()
    with patch.dict(os.environ, {"SEALER_AGE_KEY": age_key.secret}):
        keyring = Keyring()
        for i in range(len(sealed)):
            bent = sealed[:i] + bytes([sealed[i] ^ 0x01]) + sealed[i + 1 :]
            text = bent.decode("utf-8", "surrogateescape")
            try:
                opened = document.open_text(fmt, text, keyring, file="f")
            except SealerError as e:
                outcomes[type(e).__name__] += 1
                continue
            assert meaning(fmt, opened.plaintext) == meaning(fmt, plain), (
                f"byte {i} ({chr(sealed[i])!r}) gave another plaintext"
            )
            outcomes["same"] += 1
    assert outcomes["IntegrityError"] > 0 and sum(outcomes.values()) == len(sealed)
    # a damaged recipient stanza is indistinguishable from one for someone else: no key
    assert set(outcomes) <= {"same", "IntegrityError", "FormatError", "NoKeyError"}, outcomes
