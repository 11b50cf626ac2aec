"""age X25519 recipients (`age1…`), the `age` list of the sops metadata.

The stanza is sops' `{recipient, enc}` where `enc` is an ASCII-armored age file
holding the data key (or the group's Shamir share). Identities come from
identities.py (sealer's and sops' key files and variables).
"""

from __future__ import annotations

from sealer import identities
from sealer.errors import ConfigError, NotMine, SealerError
from sealer.metadata import Stanza
from sealer.recipients import LOCAL, shown, split_list

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import ClassVar

    from sealer.recipients import Recipient

NAME = "age"
STANZA_TYPES = ("age",)


class AgeRecipient:
    key_type: ClassVar[str] = "age"
    __slots__ = ("recipient",)

    def __init__(self, recipient: str) -> None:
        self.recipient = recipient

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AgeRecipient) and other.recipient == self.recipient

    def __hash__(self) -> int:
        return hash(("age", self.recipient))

    def __repr__(self) -> str:
        return f"AgeRecipient({self.recipient!r})"

    @property
    def id(self) -> str:
        return self.recipient

    def wrap(self, file_key: bytes) -> Stanza:
        import pyrage

        enc = pyrage.encrypt(file_key, [_parse(self.recipient)], armored=True).decode("ascii")
        return Stanza("age", {"enc": enc, "recipient": self.recipient})


def _parse(recipient: str) -> object:
    from pyrage import x25519

    try:
        return x25519.Recipient.from_str(recipient)
    except Exception:  # pyrage raises its own RecipientError or ValueError
        raise ConfigError(
            f"not an age recipient: {shown(recipient)}",
            hint="age recipients look like age1… (see `sealer keygen`)",
        ) from None


def parse_recipients(value: object) -> list[Recipient]:
    out: list[Recipient] = []
    for item in split_list(value):
        if item.startswith("ssh-"):  # sops takes SSH keys in its age list too
            from sealer.recipients import ssh

            out += ssh.parse_recipients(item)
            continue
        if is_plugin_recipient(item):  # and age plugin recipients (age1yubikey1…)
            from sealer.recipients import ageplugin

            out += ageplugin.parse_recipients(item)
            continue
        _parse(item)
        out.append(AgeRecipient(item))
    return out


def is_plugin_recipient(text: str) -> bool:
    """`age1NAME1…` (more than one `1`), as sops tells them from X25519 recipients."""
    return text.startswith("age1") and not text.startswith("age1pq1") and text.count("1") > 1


def claims(stanza: Stanza) -> bool:
    """The `age` list also holds SSH and plugin recipients: recipients/ssh.py, ageplugin.py."""
    recipient = str(stanza.fields.get("recipient", ""))
    return not recipient.startswith("ssh-") and not is_plugin_recipient(recipient)


class AgeIdentities:
    """All X25519 identities found; tries those whose recipient matches first."""

    kind = LOCAL

    def __init__(self, secret_keys: Iterable[str], sources: Mapping[str, str] | None = None):
        from pyrage import x25519

        self._ids: dict[str, object] = {}
        for text in secret_keys:
            if text.startswith("AGE-PLUGIN-"):  # a plugin's: recipients/ageplugin.py
                continue
            try:
                ident = x25519.Identity.from_str(text)
            except Exception:  # pyrage's IdentityError: a typo or a truncated copy
                source = (sources or {}).get(text, "an age key source")
                raise ConfigError(
                    f"{source}: an age secret key is damaged (its checksum does not match)",
                    hint="copy the key again from where it is kept; `age-keygen -y` checks one",
                ) from None
            self._ids[str(ident.to_public())] = ident

    def __bool__(self) -> bool:
        return bool(self._ids)

    @property
    def recipients(self) -> list[str]:
        return list(self._ids)

    def unwrap(self, stanza: Stanza) -> bytes:
        import pyrage

        if stanza.type != "age" or not self._ids:
            raise NotMine()
        enc = stanza.enc.encode("ascii", "replace")
        mine = self._ids.get(str(stanza.fields.get("recipient", "")))
        # A matching recipient is the common case; a hand-edited recipient
        # field still opens with any identity, as in sops.
        candidates = [mine] if mine is not None else list(self._ids.values())
        try:
            data: bytes = pyrage.decrypt(enc, candidates)
        except Exception:  # pyrage.DecryptError and friends: not ours
            raise NotMine() from None
        return data


class ProtectedIdentities:
    """The keys of a passphrase-protected identity file, unlocked on first need.

    Tried after every plain key; asked for once per process, so a wrong
    passphrase is not asked again for each stanza.
    """

    kind = LOCAL

    def __init__(self, protected: identities.ProtectedKeyFile):
        self._file = protected
        self._ids: AgeIdentities | None = None
        self._failed: SealerError | None = None

    def unwrap(self, stanza: Stanza) -> bytes:
        if stanza.type != "age":
            raise NotMine()
        if self._failed is not None:
            raise self._failed
        if self._ids is None:
            try:
                keys = identities.unlock(self._file)
            except SealerError as e:
                self._failed = e
                raise
            self._ids = AgeIdentities(keys)
        return self._ids.unwrap(stanza)


def load_identities() -> list[AgeIdentities | ProtectedIdentities]:
    keys = identities.age_keys_by_source()
    ids = AgeIdentities(keys, keys)
    found: list[AgeIdentities | ProtectedIdentities] = [ids] if ids else []
    return found + [ProtectedIdentities(p) for p in identities.protected_key_files()]


def stanza_id(stanza: Stanza) -> str:
    return str(stanza.fields.get("recipient", "age"))
