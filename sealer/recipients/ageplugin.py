"""age plugin recipients (`age1NAME1…`) and identities (`AGE-PLUGIN-NAME-1…`).

Hardware keys reach age through plugins: a binary `age-plugin-NAME` on PATH
that speaks the age plugin protocol over stdin/stdout (C2SP age-plugin.md);
age-plugin-yubikey, -tpm, -se and -fido2-hmac are the common ones. pyrage
runs the protocol; this module says which plugin, and carries the plugin's
messages and PIN requests to the terminal. The stanza is the one of
recipients/age.py (sops' `age` list), so sops and age open what this seals.

Plugin code (this module and the plugin processes) is loaded only when a
file names a plugin recipient: an age-only decrypt never comes here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sealer.errors import ConfigError, NotMine, SealerError
from sealer.metadata import Stanza
from sealer.recipients import HARDWARE, ask_terminal, shown, split_list
from sealer.recipients.age import is_plugin_recipient

if TYPE_CHECKING:
    from typing import ClassVar

    from sealer.recipients import Recipient

NAME = "ageplugin"
STANZA_TYPES = ("age",)
KIND = HARDWARE  # a plugin may ask for a PIN or a touch: tried after local and network keys

_NAME = r"[a-z0-9._+-]+"  # the spec's NAME, lower case as in recipients
_RECIPIENT = re.compile(rf"age1({_NAME})1[02-9ac-hj-np-z]+")
_IDENTITY = re.compile(rf"AGE-PLUGIN-({_NAME.upper()})-1[02-9AC-HJ-NP-Z]+")


def plugin_name(recipient: str) -> str:
    found = _RECIPIENT.fullmatch(recipient)
    if found is None:
        raise ConfigError(
            f"not an age plugin recipient: {shown(recipient)}",
            hint="plugin recipients look like age1NAME1… (age-plugin-NAME prints them)",
        )
    return found.group(1)


class PluginRecipient:
    key_type: ClassVar[str] = "ageplugin"
    __slots__ = ("recipient",)

    def __init__(self, recipient: str) -> None:
        self.recipient = recipient

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PluginRecipient) and other.recipient == self.recipient

    def __hash__(self) -> int:
        return hash(("ageplugin", self.recipient))

    def __repr__(self) -> str:
        return f"PluginRecipient({self.recipient!r})"

    @property
    def id(self) -> str:
        return self.recipient

    def wrap(self, file_key: bytes) -> Stanza:
        import pyrage
        from pyrage import plugin

        name = plugin_name(self.recipient)
        ui = TerminalUI(name)
        try:  # the plugin starts here: a missing one fails already
            recipient = plugin.Recipient.from_str(self.recipient)
            wrapper = plugin.RecipientPluginV1(name, [recipient], [], ui)
            enc = pyrage.encrypt(file_key, [wrapper], armored=True).decode("ascii")
        except Exception as e:  # pyrage.EncryptError: plugin missing or refusing
            raise ui.error(e, "seal for") from None
        return Stanza("age", {"enc": enc, "recipient": self.recipient})


def parse_recipients(value: object) -> list[Recipient]:
    out: list[Recipient] = []
    for item in split_list(value):
        plugin_name(item)
        from pyrage import plugin

        try:
            plugin.Recipient.from_str(item)
        except Exception:  # pyrage's RecipientError: a bad checksum or a typo
            raise ConfigError(
                f"not an age plugin recipient: {shown(item)} (its checksum does not match)",
                hint="copy it again from what age-plugin-NAME printed",
            ) from None
        out.append(PluginRecipient(item))
    return out


def claims(stanza: Stanza) -> bool:
    return is_plugin_recipient(str(stanza.fields.get("recipient", "")))


def stanza_id(stanza: Stanza) -> str:
    return str(stanza.fields.get("recipient", "age"))


class TerminalUI:
    """pyrage's plugin callbacks: messages to stderr, questions to the terminal.

    Without a terminal a question gets no answer (the protocol's `fail`); the
    plugin then gives up and `error` says that a terminal was needed.
    """

    def __init__(self, name: str):
        self.name = name
        self.unanswered: str | None = None

    def display_message(self, message: str) -> None:
        import sys

        sys.stderr.write(f"sealer: age-plugin-{self.name}: {message}\n")
        sys.stderr.flush()

    def confirm(self, message: str, yes_string: str, no_string: str | None) -> bool | None:
        choices = f"{yes_string}/{no_string}" if no_string else yes_string
        answer = self._ask(f"{message} [{choices}] ", secret=False)
        return None if answer is None else answer.strip() in ("", yes_string, "y", "yes")

    def request_public_string(self, description: str) -> str | None:
        return self._ask(f"{description} ", secret=False)

    def request_passphrase(self, description: str) -> str | None:
        return self._ask(f"{description}: ", secret=True)

    def _ask(self, prompt: str, *, secret: bool) -> str | None:
        unavailable = ConfigError("no terminal")
        try:
            if secret:
                return ask_terminal(f"age-plugin-{self.name}: {prompt}", unavailable)
            with open("/dev/tty", "r+") as tty:
                tty.write(f"age-plugin-{self.name}: {prompt}")
                tty.flush()
                return tty.readline().rstrip("\n")
        except (ConfigError, OSError):
            self.unanswered = prompt.strip().rstrip(":")
            return None

    def error(self, e: Exception, doing: str) -> SealerError:
        """The error to report for pyrage's `e`, with what the plugin needed."""
        if self.unanswered is not None:
            return ConfigError(
                f'age-plugin-{self.name} asked "{self.unanswered}" and there is no terminal '
                "to answer it",
                hint="run sealer on a terminal to use this plugin key",
            )
        reason = str(e).replace("\u2068", "").replace("\u2069", "").strip()
        if "on the PATH" in reason:
            return ConfigError(
                f"age-plugin-{self.name} is not on PATH, so sealer cannot {doing} this recipient",
                hint=f"install age-plugin-{self.name} (it comes with the key's tools)",
            )
        return ConfigError(f"age-plugin-{self.name}: {reason.splitlines()[0]}")


class PluginIdentities:
    """The identities of one plugin; it is started only for a plugin stanza."""

    kind = HARDWARE

    def __init__(self, name: str, identities: list[str]):
        self.name = name
        self.identities = identities

    def unwrap(self, stanza: Stanza) -> bytes:
        import pyrage
        from pyrage import plugin

        if stanza.type != "age" or not claims(stanza):
            raise NotMine()
        ui = TerminalUI(self.name)
        try:  # the plugin starts here: a missing one fails already
            ids = [plugin.Identity.from_str(i) for i in self.identities]
            unwrapper = plugin.IdentityPluginV1(self.name, ids, ui)
            data: bytes = pyrage.decrypt(stanza.enc.encode("ascii", "replace"), [unwrapper])
        except Exception as e:  # pyrage.DecryptError
            if ui.unanswered is None and "No matching keys" in str(e):
                raise NotMine() from None
            raise ui.error(e, "open") from None
        return data


def load_identities() -> list[PluginIdentities]:
    """Plugin identities from the age key sources, one entry per plugin."""
    from sealer import identities

    by_plugin: dict[str, list[str]] = {}
    for text in identities.age_keys_by_source():
        found = _IDENTITY.fullmatch(text)
        if found:
            by_plugin.setdefault(found.group(1).lower(), []).append(text)
    return [PluginIdentities(name, ids) for name, ids in by_plugin.items()]
