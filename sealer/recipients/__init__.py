"""Recipient plugins: who a file is sealed for, and the identities that open it.

In the spirit of age: a `Recipient` wraps the 32-byte data key (or a Shamir
share of it) into a `Stanza` stored in the metadata; an `Identity` unwraps a
stanza or raises `NotMine` without a network call or a PIN prompt. The core
never branches on key type. Built-in key types are listed explicitly below;
third parties add theirs through the `sealer.recipients` entry-point group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from sealer.errors import ConfigError, SealerError
from sealer.metadata import Stanza

LOCAL, NETWORK, HARDWARE = 0, 1, 2  # identity kinds, tried in this order


TYPE_CHECKING = False
if TYPE_CHECKING:  # Protocols only type checkers need: typing stays unloaded at run time
    from typing import ClassVar, Protocol

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


# Optional abilities a key-type module may add (looked up with getattr):
#   KIND: int                      LOCAL (default), NETWORK or HARDWARE
#   claims(stanza) -> bool         for a metadata list shared by several key
#                                  types (sops keeps SSH recipients in `age`)
#   recipient_of(stanza) -> Recipient
#                                  the recipient a stanza was sealed for, with
#                                  all its settings (KMS context, module path),
#                                  to wrap a key for it again (updatekeys)
#   parse_recipients_with(value, settings) -> list[Recipient]
#                                  recipients plus their sibling settings: the
#                                  rule's keys (`aws_profile`) or the command
#                                  line's (`--encryption-context`)


# key type -> module; the module satisfies KeyType
BUILTIN: dict[str, str] = {
    "age": "sealer.recipients.age",
    "ssh": "sealer.recipients.ssh",
    "pgp": "sealer.recipients.pgp",
    "kms": "sealer.recipients.awskms",
    "pkcs11": "sealer.recipients.pkcs11",
    "ageplugin": "sealer.recipients.ageplugin",  # age1NAME1…: after age, which passes them on
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
        # the module itself (a fromlist makes __import__ return it), without importlib
        _loaded[name] = __import__(modules[name].partition(":")[0], fromlist=["NAME"])
    return _loaded[name]


def names() -> list[str]:
    return list(_modules())


def _claims(kt: KeyType, stanza: Stanza) -> bool:
    claims = getattr(kt, "claims", None)
    return stanza.type in kt.STANZA_TYPES and (claims is None or bool(claims(stanza)))


def for_stanza(stanza: Stanza) -> KeyType | None:
    """The key type that opens this stanza: by its list, then by the key type's `claims`."""
    for name in BUILTIN:
        if _claims(key_type(name), stanza):
            return key_type(name)
    for name in _modules():
        if name not in BUILTIN and _claims(key_type(name), stanza):
            return key_type(name)
    return None


# sops key types sealer has no code for (no service to test against here): their
# stanzas pass through untouched and are named as sops names the key.
SOPS_ONLY: dict[str, str] = {
    "gcp_kms": "{resource_id}",
    "azure_kv": "{vault_url}/keys/{name}/{version}",
    "hc_vault": "{vault_address}/v1/{engine_path}/keys/{key_name}",
    "hckms": "{key_id}",
}


def stanza_id(stanza: Stanza) -> str:
    """How a stanza's recipient is shown (`age1…`, an ARN, …)."""
    kt = for_stanza(stanza)
    if kt is not None:
        return kt.stanza_id(stanza)
    if stanza.type in SOPS_ONLY:
        fields = {k: str(v) for k, v in stanza.fields.items()}
        try:
            return SOPS_ONLY[stanza.type].format_map(fields)
        except (KeyError, ValueError):
            pass
    return stanza.type


def type_of(stanza: Stanza) -> str:
    """The key type's name (`ssh` for an SSH stanza in the `age` list), else the list's."""
    kt = for_stanza(stanza)
    return kt.NAME if kt else stanza.type


def recipient_of(stanza: Stanza) -> Recipient | None:
    """The recipient a stanza was sealed for, or None if no key type here can wrap for it."""
    kt = for_stanza(stanza)
    if kt is None:
        return None
    ability = getattr(kt, "recipient_of", None)
    if ability is not None:
        recipient: Recipient = ability(stanza)
        return recipient
    found = kt.parse_recipients(kt.stanza_id(stanza))
    return found[0] if len(found) == 1 else None


def kind(kt: KeyType | None) -> int:
    return int(getattr(kt, "KIND", LOCAL))


def parse_with(kt: KeyType, value: object, settings: Mapping[str, object]) -> list[Recipient]:
    """Recipients of one key type, given the settings beside them (rule or command line)."""
    ability = getattr(kt, "parse_recipients_with", None)
    if ability is not None:
        return list(ability(value, settings))
    return kt.parse_recipients(value)


def ask_terminal(prompt: str, unavailable: SealerError) -> str:
    """A PIN or passphrase typed at the terminal; `unavailable` when there is none.

    Only an identity that knows a stanza is its own may call this (never to
    decide "not mine").
    """
    import getpass

    try:
        with open("/dev/tty"):
            pass
        return getpass.getpass(prompt)
    except OSError:
        raise unavailable from None


_PRIVATE = ("AGE-SECRET-KEY", "AGE-PLUGIN-", "PRIVATE KEY", "-----BEGIN")


def shown(text: str) -> str:
    """A recipient as an error message may quote it: never something that looks private."""
    if any(marker in text.upper() for marker in _PRIVATE):
        return "(this looks like a private key: give the public recipient instead)"
    return text if len(text) <= 80 else text[:77] + "…"


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
