"""The data key: made fresh per file, wrapped per recipient, rebuilt from key groups.

One key group: every recipient wraps the whole 32-byte key. Two or more groups:
the key is split with Shamir (sops-compatible shares) and each group's recipients
wrap that group's share; opening needs `threshold` groups.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sealer import primitives, recipients, shamir
from sealer.errors import NoKeyError, NotMine, SealerError
from sealer.metadata import Metadata, Stanza
from sealer.recipients import Identity, KeyType, Recipient


def new_data_key() -> bytes:
    return primitives.random_bytes(primitives.KEY_SIZE)


def wrap(
    key: bytes, groups: Sequence[Sequence[Recipient]], threshold: int = 0
) -> tuple[tuple[Stanza, ...], ...]:
    """Stanzas for every recipient of every group."""
    if not groups or not all(groups):
        raise ValueError("every key group needs a recipient")
    if len(groups) == 1:
        return (tuple(r.wrap(key) for r in groups[0]),)
    shares = shamir.split(key, len(groups), threshold or len(groups))
    return tuple(tuple(r.wrap(share) for r in g) for g, share in zip(groups, shares, strict=True))


def decryption_order() -> list[str]:
    value = os.environ.get("SEALER_DECRYPTION_ORDER") or os.environ.get("SOPS_DECRYPTION_ORDER")
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class Keyring:
    """Identities loaded on first need, once per process (one per git filter run)."""

    def __init__(self, order: Sequence[str] | None = None):
        self.order = list(order) if order is not None else decryption_order()
        self._identities: dict[str, list[Identity]] = {}

    def identities(self, kt: KeyType) -> list[Identity]:
        if kt.NAME not in self._identities:
            self._identities[kt.NAME] = list(kt.load_identities())
        return self._identities[kt.NAME]

    def _rank(self, stanza: Stanza) -> tuple[int, int]:
        kt = recipients.for_stanza_type(stanza.type)
        name = kt.NAME if kt else stanza.type
        named = self.order.index(name) if name in self.order else len(self.order)
        return named, int(getattr(kt, "KIND", recipients.LOCAL))

    def _open_group(self, group: tuple[Stanza, ...], size: int) -> bytes | None:
        for stanza in sorted(group, key=self._rank):
            kt = recipients.for_stanza_type(stanza.type)
            if kt is None:
                continue
            for identity in self.identities(kt):
                try:
                    secret = identity.unwrap(stanza)
                except NotMine:
                    continue
                if len(secret) == size:
                    return secret
        return None

    def unwrap(self, meta: Metadata, *, file: str | None = None) -> bytes:
        """The file's data key, or NoKeyError naming the recipients the file wants."""
        if not meta.groups:
            raise NoKeyError("the file names no recipients", file=file)
        if len(meta.groups) == 1:
            key = self._open_group(meta.groups[0], primitives.KEY_SIZE)
            if key is not None:
                return key
            raise self._missing(meta, [0], file)
        shares: list[bytes] = []
        failed: list[int] = []
        for i, group in enumerate(meta.groups):
            share = self._open_group(group, primitives.KEY_SIZE + 1)
            if share is None:
                failed.append(i)
            else:
                shares.append(share)
                if len(shares) >= meta.threshold:
                    try:
                        return shamir.combine(shares)
                    except ValueError:
                        break
        raise self._missing(meta, failed, file, opened=len(shares))

    def _missing(
        self, meta: Metadata, groups: list[int], file: str | None, opened: int = 0
    ) -> SealerError:
        wanted = []
        for i in groups:
            ids = ", ".join(recipients.stanza_id(s) for s in meta.groups[i])
            label = f"group {i + 1}: " if len(meta.groups) > 1 else ""
            wanted.append(f"{label}{ids or 'no recipients'}")
        types = sorted({s.type for i in groups for s in meta.groups[i]})
        if len(meta.groups) > 1:
            message = (
                f"no identity opens enough key groups ({opened} of the {meta.threshold} needed)"
            )
        else:
            message = "no identity can open the data key"
        return NoKeyError(
            f"{message}; the file is sealed for {', '.join(types)} recipients",
            hint="the file wants a key for one of:\n" + "\n".join(wanted),
            file=file,
        )
