"""Recipient plugins: who a file is sealed for, and the identities that open it.

In the spirit of age: a `Recipient` wraps the 32-byte data key (or a Shamir
share of it) into a `Stanza` stored in the metadata; an `Identity` unwraps a
stanza or raises `NotMine` without a network call or a PIN prompt. The core
never branches on key type. Built-in key types are listed explicitly below;
third parties add theirs through the `sealer.recipients` entry-point group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import import_module
from typing import ClassVar, Protocol, runtime_checkable

from sealer.errors import ConfigError
from sealer.metadata import Stanza

LOCAL, NETWORK, HARDWARE = 0, 1, 2  # identity kinds, tried in this order


@runtime_checkable
class Recipient(Protocol):
    key_type: ClassVar[str]

    @property
    def id(self) -> str:
        """How users name this recipient (`age1…`, a key ARN, …)."""
        ...

    def wrap(self, file_key: bytes) -> Stanza: ...


class Identity(Protocol):
    kind: int  # LOCAL, NETWORK or HARDWARE

    def unwrap(self, stanza: Stanza) -> bytes:
        """Return the wrapped key, or raise NotMine (cheaply) if this is not ours."""
        ...


class KeyType(Protocol):
    """What a plugin module provides, as module-level attributes."""

    NAME: str  # CLI flag and rules key: "age"
    STANZA_TYPES: tuple[str, ...]  # metadata lists it reads: ("age",)

    def parse_recipients(self, value: object) -> list[Recipient]: ...
    def load_identities(self) -> list[Identity]: ...
    def stanza_id(self, stanza: Stanza) -> str: ...


# key type -> module; the module satisfies KeyType
BUILTIN: dict[str, str] = {
    "age": "sealer.recipients.age",
}
ENTRY_POINT_GROUP = "sealer.recipients"

_loaded: dict[str, KeyType] = {}
_all: dict[str, str] | None = None


def _modules() -> dict[str, str]:
    """Built-ins plus plugins; scanning entry points costs start-up, so only on demand."""
    global _all
    if _all is None:
        from importlib.metadata import entry_points

        _all = dict(BUILTIN)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            _all.setdefault(ep.name, ep.value)
    return _all


def key_type(name: str) -> KeyType:
    if name not in _loaded:
        modules = BUILTIN if name in BUILTIN else _modules()
        if name not in modules:
            raise ConfigError(f"unknown key type {name!r}", hint=f"known: {', '.join(names())}")
        _loaded[name] = import_module(modules[name].partition(":")[0])
    return _loaded[name]


def names() -> list[str]:
    return list(_modules())


def for_stanza_type(stanza_type: str) -> KeyType | None:
    """The key type that reads a metadata list, trying built-ins before plugins."""
    for name in BUILTIN:
        if stanza_type in key_type(name).STANZA_TYPES:
            return key_type(name)
    for name in _modules():
        if name not in BUILTIN and stanza_type in key_type(name).STANZA_TYPES:
            return key_type(name)
    return None


def stanza_id(stanza: Stanza) -> str:
    """How a stanza's recipient is shown (`age1…`, an ARN, …)."""
    kt = for_stanza_type(stanza.type)
    return kt.stanza_id(stanza) if kt else stanza.type


def split_list(value: object) -> Iterator[str]:
    """Recipients given as a comma-separated string or a list of strings (sops' forms)."""
    items: Iterable[object]
    if value is None:
        return
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise ConfigError("recipients must be a string or a list of strings")
    for item in items:
        if not isinstance(item, str):
            raise ConfigError("recipients must be a string or a list of strings")
        item = item.strip()
        if item:
            yield item
