"""sops' key service: open data keys through a remote process that holds the keys.

A key service is a gRPC server (`sops keyservice`, `sealer keyservice`) that
wraps and unwraps data keys with the keys of the host it runs on; the sealed
file stays with the client and only the wrapped data key travels. Addresses
come from `--keyservice` or `SEALER_KEYSERVICE` / `SOPS_KEYSERVICE` (comma
separated, `tcp://HOST:PORT` or `unix:///path`): the user's choice, never a
committed file's. As in sops, the local keys are tried first unless
`--enable-local-keyservice=false` (or `SOPS_ENABLE_LOCAL_KEYSERVICE=false`).

This module is imported on every open and stays small: gRPC and protobuf load
only when a key service is named (client.py, server.py, proto.py).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sealer.metadata import Stanza
    from sealer.recipients import Identity, KeyType, Recipient

_addresses: list[str] | None = None  # from the command line; None: the environment's
_local: bool | None = None


def configure(addresses: list[str] | None = None, local: bool | None = None) -> None:
    """What the command line said (options left out keep the environment's say)."""
    global _addresses, _local
    if addresses:
        _addresses = list(addresses)
    if local is not None:
        _local = local


def addresses() -> list[str]:
    if _addresses is not None:
        return _addresses
    value = os.environ.get("SEALER_KEYSERVICE") or os.environ.get("SOPS_KEYSERVICE") or ""
    return [a.strip() for a in value.split(",") if a.strip()]


def local_enabled() -> bool:
    if _local is not None:
        return _local
    value = os.environ.get("SEALER_ENABLE_LOCAL_KEYSERVICE")
    value = value or os.environ.get("SOPS_ENABLE_LOCAL_KEYSERVICE") or "true"
    return value.strip().lower() not in ("false", "0", "no")


def identities(kt: KeyType) -> list[Identity]:
    """A key type's identities: local ones (unless disabled), then each key service's."""
    found: list[Identity] = list(kt.load_identities()) if local_enabled() else []
    remote = addresses()
    if remote:
        from sealer.keyservice import client

        found += client.identities(kt.NAME, remote)
    return found


def wrap(recipient: Recipient, key: bytes) -> Stanza:
    """The recipient's stanza: wrapped here, else (or only) by a key service, as in sops."""
    remote = addresses()
    if not remote:
        return recipient.wrap(key)
    from sealer.keyservice import client

    return client.wrap(recipient, key, remote, local=local_enabled())
