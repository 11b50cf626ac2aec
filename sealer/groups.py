"""`groups add` and `groups delete`: add a key group to a sealed file, or drop one.

sops' semantics: a new group goes last; `delete` takes a 0-based index; a
threshold given replaces the file's, and without one a file that had one group
needs every group (sops sets the threshold to the number of groups). The data
key stays; every group is wrapped again (with Shamir shares once there are
two or more groups). The result is a `rekey.Plan`, so it is written and
recorded in the audit trail like every other re-key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sealer import datakey, document, rekey
from sealer.audit import log as audit_log
from sealer.errors import ConfigError

if TYPE_CHECKING:
    from sealer.recipients import Recipient


def add(
    target: rekey.Target,
    keyring: datakey.Keyring,
    group: Sequence[Recipient],
    threshold: int = 0,
) -> rekey.Plan:
    """The file with `group` as its last key group."""
    if not group:
        raise ConfigError(
            "the new key group names no recipients",
            hint="name them with --age, --pgp, --kms, --ssh or --pkcs11",
            file=target.name,
        )
    opened = _open(target, keyring)
    groups = [*rekey.current_recipients(opened.meta, target.name), list(group)]
    current = opened.meta.shamir_threshold if len(opened.meta.groups) > 1 else 0
    return _plan(target, opened, groups, threshold or current or len(groups))


def delete(
    target: rekey.Target, keyring: datakey.Keyring, index: int, threshold: int = 0
) -> rekey.Plan:
    """The file without its key group number `index` (0-based, as in sops)."""
    opened = _open(target, keyring)
    groups = rekey.current_recipients(opened.meta, target.name)
    if not 0 <= index < len(groups):
        raise ConfigError(
            f"the file has no key group {index} (it has {len(groups)}, numbered from 0)",
            file=target.name,
        )
    if len(groups) == 1:
        raise ConfigError(
            "that is the file's only key group: without it nobody could open the file",
            hint="add the new group first (`sealer groups add`), then delete this one",
            file=target.name,
        )
    del groups[index]
    wanted = threshold or opened.meta.threshold
    if len(groups) < wanted:
        raise ConfigError(
            f"removing this key group leaves fewer key groups ({len(groups)}) than the "
            f"Shamir threshold ({wanted})",
            hint="give a lower threshold with --shamir-secret-sharing-threshold",
            file=target.name,
        )
    return _plan(target, opened, groups, wanted)


def _open(target: rekey.Target, keyring: datakey.Keyring) -> document.Opened:
    return document.open_text(target.fmt, target.text, keyring, file=target.name)


def _plan(
    target: rekey.Target,
    opened: document.Opened,
    groups: Sequence[Sequence[Recipient]],
    threshold: int,
) -> rekey.Plan:
    if len(groups) > 1 and not 2 <= threshold <= len(groups):
        raise ConfigError(
            f"a Shamir threshold of {threshold} does not fit {len(groups)} key groups",
            hint=f"give --shamir-secret-sharing-threshold between 2 and {len(groups)}",
            file=target.name,
        )
    rekeyed = document.rekeyed(opened, groups, threshold if len(groups) > 1 else 0)
    text = document.seal_text(target.fmt, opened.plaintext, previous=rekeyed, file=target.name)
    return rekey.Plan(
        target,
        rekey.fingerprints(opened.meta),
        rekey.fingerprints(rekeyed.meta),
        False,
        audit_log.data_key_id(opened.key),
        text,
    )
