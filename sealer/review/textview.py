"""What `git diff` shows of a sealed file to someone without its key.

Each sealed value becomes `sealed:` and a short digest of its ciphertext, so a
line changes exactly when its value's ciphertext changed (a changed value, or a
new data key); the metadata block becomes the recipients, key groups,
threshold and selection rule, one per line, without wrapped keys, MAC or
timestamp (they change on every edit and say nothing to a reviewer).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sealer import formats, metadata
from sealer.errors import SealerError

# An ENC[…] value as sops writes it: base64 fields and a type word, no `]` inside.
_SEALED = re.compile(r"ENC\[AES256_GCM,[A-Za-z0-9+/=:,_ ]*\]")


def short_id(sealed: str) -> str:
    return "sealed:" + hashlib.sha256(sealed.encode()).hexdigest()[:12]


def summary(meta: metadata.Metadata) -> dict[str, Any]:
    from sealer.rekey import fingerprints

    groups = [list(g) for g in fingerprints(meta)]
    out: dict[str, Any] = {}
    if len(groups) == 1:
        out["recipients"] = groups[0]
    else:
        out["key_groups"] = groups
        out["threshold"] = meta.threshold
    out[meta.selection.rule] = meta.selection.value
    if meta.mac_only_encrypted:
        out["mac_only_encrypted"] = True
    return out


def keyless_view(path: str, text: str) -> str | None:
    """The reviewer's view of a sealed file; None when `text` is not one."""
    fmt = formats.get(formats.name_for_path(path))
    try:
        parsed = fmt.parse(text)
        if parsed.metadata is None:
            return None
        meta = metadata.from_dict(parsed.metadata)
        edits = fmt.metadata_edits(parsed, summary(meta))
    except SealerError:
        return None
    viewed = formats.splice(text, edits)
    return _SEALED.sub(lambda m: short_id(m.group(0)), viewed)
