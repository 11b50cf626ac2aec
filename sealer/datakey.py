"""The data key: made fresh per file, wrapped per recipient, rebuilt from key groups.

One key group: every recipient wraps the whole 32-byte key. Two or more groups:
the key is split with Shamir (sops-compatible shares) and each group's recipients
wrap that group's share; opening needs `threshold` groups.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sealer import primitives, recipients
from sealer.errors import NoKeyError, NotMine, SealerError
from sealer.log import debug
from sealer.metadata import Metadata, Stanza

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sealer.recipients import Identity, KeyType, Recipient


def new_data_key() -> bytes:
    return primitives.random_bytes(primitives.KEY_SIZE)


def wrap(
    key: bytes, groups: Sequence[Sequence[Recipient]], threshold: int = 0
) -> tuple[tuple[Stanza, ...], ...]:
    """Stanzas for every recipient of every group."""
    if not groups or not all(groups):
        raise ValueError("every key group needs a recipient")
    from sealer.keyservice import wrap as wrap_for  # here, or by a key service if named

    if len(groups) == 1:
        return (tuple(wrap_for(r, key) for r in groups[0]),)
    from sealer import shamir  # key groups only: most files have one

    shares = shamir.split(key, len(groups), threshold or len(groups))
    return tuple(tuple(wrap_for(r, s) for r in g) for g, s in zip(groups, shares, strict=True))


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
            from sealer import keyservice  # local keys, then any key service named

            self._identities[kt.NAME] = keyservice.identities(kt)
            debug(f"{len(self._identities[kt.NAME])} {kt.NAME} identity sources loaded")
        return self._identities[kt.NAME]

    def _rank(self, stanza: Stanza) -> tuple[int, int]:
        """Key types named in the decryption order first, then local, network, hardware.

        A stanza is named by its key type or by its metadata list, so `age` in
        SOPS_DECRYPTION_ORDER also covers SSH recipients, as in sops.
        """
        kt = recipients.for_stanza(stanza)
        names = [n for n in (kt.NAME if kt else None, stanza.type) if n in self.order]
        named = min((self.order.index(n) for n in names), default=len(self.order))
        return named, recipients.kind(kt)

    def _try(self, stanza: Stanza, size: int, failures: list[str]) -> bytes | None:
        """The secret a stanza holds, or None; why an identity failed goes to `failures`."""
        kt = recipients.for_stanza(stanza)
        if kt is None:
            return None
        for identity in self.identities(kt):
            try:
                secret = identity.unwrap(stanza)
            except NotMine:
                continue
            except SealerError as e:  # the key is ours but could not be used (service, token, …)
                why = f"{e.message} ({e.hint})" if e.hint else e.message
                failures.append(f"{recipients.stanza_id(stanza)}: {why}")
                continue
            if len(secret) == size:
                debug(f"opened with {kt.NAME} recipient {recipients.stanza_id(stanza)}")
                return secret
        debug(f"no {kt.NAME} identity opens {recipients.stanza_id(stanza)}")
        return None

    def unwrap(self, meta: Metadata, *, file: str | None = None) -> bytes:
        """The file's data key, or NoKeyError naming the recipients the file wants.

        Stanzas of all groups are tried in one order (see `_rank`), so a group
        that opens locally spares a network call or a PIN prompt elsewhere; the
        first failure of a network or hardware key is noted, not fatal, since
        another stanza or group may still open the file.
        """
        if not meta.groups:
            raise NoKeyError("the file names no recipients", file=file)
        multi = len(meta.groups) > 1
        size = primitives.KEY_SIZE + (1 if multi else 0)
        need = meta.threshold if multi else 1
        attempts = sorted(
            ((gi, si, s) for gi, g in enumerate(meta.groups) for si, s in enumerate(g)),
            key=lambda t: (*self._rank(t[2]), t[0], t[1]),
        )
        opened: dict[int, bytes] = {}
        failures: dict[int, list[str]] = {i: [] for i in range(len(meta.groups))}
        for gi, _, stanza in attempts:
            if gi in opened:
                continue
            secret = self._try(stanza, size, failures[gi])
            if secret is not None:
                opened[gi] = secret
                if len(opened) >= need:
                    break
        if len(opened) >= need:
            if not multi:
                return opened[0]
            from sealer import shamir

            try:
                return shamir.combine(list(opened.values()))
            except ValueError:
                pass
        missing = [i for i in range(len(meta.groups)) if i not in opened]
        raise self._missing(meta, missing, file, len(opened), failures)

    def _missing(
        self,
        meta: Metadata,
        groups: list[int],
        file: str | None,
        opened: int = 0,
        failures: dict[int, list[str]] | None = None,
    ) -> SealerError:
        wanted = []
        for i in groups:
            ids = ", ".join(recipients.stanza_id(s) for s in meta.groups[i])
            label = f"group {i + 1}: " if len(meta.groups) > 1 else ""
            wanted.append(f"{label}{ids or 'no recipients'}")
            wanted += [f"  {why}" for why in (failures or {}).get(i, [])]
        types = sorted({recipients.type_of(s) for i in groups for s in meta.groups[i]})
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
