"""Kubernetes Secrets: sealed on `data` and `stringData` unless a rule says otherwise.

sops users write `encrypted_regex: ^(data|stringData)$` by hand for every
Secret, so that `apiVersion`, `kind` and `metadata` stay readable (and tools
can still find the object). sealer makes that the default for a file whose
every document is a `v1` `kind: Secret`, when neither a creation rule nor the
command line chose a selection. Its `data` values must be base64, as the API
server requires: a plain value there is refused before anything is sealed.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import TYPE_CHECKING

from sealer.errors import FormatError
from sealer.selection import Selection
from sealer.tree import Mapping, Scalar

if TYPE_CHECKING:
    from sealer.document import Policy
    from sealer.tree import Node

SECRET_SELECTION = Selection("encrypted_regex", "^(data|stringData)$")


def _get(doc: Mapping, key: str) -> Node | None:
    for k, v in doc.items:
        if k == key:
            return v
    return None


def _scalar(doc: Mapping, key: str) -> object:
    node = _get(doc, key)
    return node.value if isinstance(node, Scalar) else None


def is_secret(docs: list[Mapping]) -> bool:
    """Whether every document is a core `v1` Secret."""
    return bool(docs) and all(
        _scalar(d, "kind") == "Secret" and _scalar(d, "apiVersion") == "v1" for d in docs
    )


def selection_for(policy: Policy, docs: list[Mapping]) -> Selection:
    """The selection a new file is sealed with: the policy's, or the Secret default."""
    if not policy.selection_chosen and is_secret(docs):
        return SECRET_SELECTION
    return policy.selection


def check_data(docs: list[Mapping]) -> None:
    """Refuse a Secret whose `data` holds a value that is not base64 (never showing it)."""
    if not is_secret(docs):
        return
    bad: list[str] = []
    for doc in docs:
        data = _get(doc, "data")
        if not isinstance(data, Mapping):
            continue
        for key, node in data.items:
            if isinstance(key, str) and not _is_base64(node):
                bad.append(f"data.{key}")
    if bad:
        raise FormatError(
            f"{', '.join(bad)}: a Secret's data values must be base64",
            hint="put plain text under stringData, or encode it (`base64 -w0`)",
        )


def _is_base64(node: object) -> bool:
    if not isinstance(node, Scalar):
        return node is None
    value = node.value
    if value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    text = value.replace("\r", "").replace("\n", "")  # Go's decoder skips only line breaks
    try:
        b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(text) % 4 == 0
