"""PGP recipients through GnuPG (`gpg`), sops' `pgp` list: `{fp, created_at, enc}`.

`enc` is the armored PGP message of the data key (or share), made the way sops
makes it when it falls back to gpg. The binary is `$SOPS_GPG_EXEC` or `gpg` on
PATH, with its usual `GNUPGHOME`. Whether a stanza is ours is decided without
gpg-agent: the message's recipient key IDs are read from its packets and
compared with the secret keys gpg lists, so "not mine" never asks for a
passphrase.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from sealer.errors import ConfigError, NotMine, SealerError
from sealer.metadata import Stanza
from sealer.recipients import LOCAL, shown, split_list
from sealer.values import rfc3339_now

if TYPE_CHECKING:
    from sealer.recipients import Recipient

NAME = "pgp"
STANZA_TYPES = ("pgp",)
KIND = LOCAL
_FP = re.compile(r"(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})!?")
WILDCARD = "0" * 16  # a hidden recipient (gpg --throw-keyids)


def gpg_binary() -> str:
    return os.environ.get("SOPS_GPG_EXEC") or "gpg"


def run_gpg(args: list[str], data: bytes = b"") -> bytes:
    """Run gpg; a failure says what gpg said."""
    cmd = [gpg_binary(), *args]
    try:
        out = subprocess.run(cmd, input=data, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise ConfigError(
            f"{cmd[0]} is not installed", hint="install GnuPG, or set SOPS_GPG_EXEC"
        ) from None
    except subprocess.TimeoutExpired:
        raise SealerError(f"{cmd[0]} did not answer within 120 s") from None
    if out.returncode != 0:
        said = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SealerError(
            f"gpg failed (exit {out.returncode}): {said[-1] if said else 'no message'}",
            hint="run `gpg " + " ".join(args) + "` by hand to see why",
        )
    return out.stdout


@dataclass(frozen=True)
class PgpRecipient:
    key_type: ClassVar[str] = "pgp"
    fp: str

    @property
    def id(self) -> str:
        return self.fp

    def wrap(self, file_key: bytes) -> Stanza:
        short = self.fp[-17:] if self.fp.endswith("!") else self.fp[-16:]
        args = ["--batch", "--no-default-recipient", "--yes", "--encrypt", "-a"]
        args += ["-r", self.fp, "--trusted-key", short, "--no-encrypt-to"]
        try:
            enc = run_gpg(args, file_key).decode("ascii").strip()
        except SealerError as e:
            raise ConfigError(
                f"cannot seal for PGP key {self.fp}: {e.message}",
                hint="import the public key first (gpg --import KEY.asc)",
            ) from None
        return Stanza("pgp", {"created_at": rfc3339_now(), "enc": enc, "fp": self.fp})


def parse_recipients(value: object) -> list[Recipient]:
    out: list[Recipient] = []
    for item in split_list(value):
        fp = item.replace(" ", "")
        if not _FP.fullmatch(fp):
            raise ConfigError(
                f"not a PGP fingerprint: {shown(item)}",
                hint="give the full fingerprint, 40 hex digits (gpg --list-keys)",
            )
        out.append(PgpRecipient(fp))
    return out


def stanza_id(stanza: Stanza) -> str:
    return str(stanza.fields.get("fp", "pgp"))


# --- who a message is for -----------------------------------------------------


def dearmor(text: str) -> bytes:
    lines = [ln.strip() for ln in text.strip().splitlines()]
    try:
        start = lines.index("-----BEGIN PGP MESSAGE-----") + 1
        end = lines.index("-----END PGP MESSAGE-----")
    except ValueError:
        raise ValueError("not an armored PGP message") from None
    body = lines[start:end]
    if "" in body:  # armor headers end at the first blank line
        body = body[body.index("") + 1 :]
    return base64.b64decode("".join(ln for ln in body if not ln.startswith("=")))


def recipient_key_ids(data: bytes) -> set[str]:
    """Key IDs of the public-key encrypted session key packets that open the message."""
    ids: set[str] = set()
    pos = 0
    while pos < len(data):
        first = data[pos]
        if not first & 0x80:
            break
        if first & 0x40:  # new format
            tag = first & 0x3F
            n = data[pos + 1]
            if n < 192:
                length, pos = n, pos + 2
            elif n < 224:
                length, pos = ((n - 192) << 8) + data[pos + 2] + 192, pos + 3
            elif n == 255:
                length, pos = int.from_bytes(data[pos + 2 : pos + 6], "big"), pos + 6
            else:
                break  # partial lengths only appear in data packets
        else:  # old format
            tag, size = (first >> 2) & 0x0F, first & 0x03
            if size == 3:
                break
            width = 1 << size
            length = int.from_bytes(data[pos + 1 : pos + 1 + width], "big")
            pos += 1 + width
        if tag == 1:
            body = data[pos : pos + length]
            # v3: version, 8-byte key ID; anything newer we let gpg judge
            ids.add(body[1:9].hex().upper() if body[:1] == b"\x03" else WILDCARD)
        elif tag != 10:  # not a marker packet: the session keys are over
            break
        pos += length
    return ids


class GpgIdentities:
    """The secret keys in gpg's keyring, listed once, on the first pgp stanza."""

    kind = LOCAL

    def __init__(self) -> None:
        self._secret: set[str] | None = None

    def _secret_ids(self) -> set[str]:
        if self._secret is None:
            out = run_gpg(["--batch", "--with-colons", "--list-secret-keys"])
            self._secret = {
                f[4].upper()
                for f in (ln.split(":") for ln in out.decode("utf-8", "replace").splitlines())
                if f[0] in ("sec", "ssb") and len(f) > 4
            }
        return self._secret

    def unwrap(self, stanza: Stanza) -> bytes:
        if stanza.type != "pgp":
            raise NotMine()
        try:
            wanted = recipient_key_ids(dearmor(stanza.enc))
        except (ValueError, IndexError):
            raise NotMine() from None
        if WILDCARD not in wanted and not wanted & self._secret_ids():
            raise NotMine()
        args = ["--quiet", "--yes", "--decrypt"]
        if not sys.stdin.isatty():
            args.insert(0, "--batch")
        key = run_gpg(args, stanza.enc.encode("ascii"))
        if not key:
            raise SealerError("gpg returned no data (an AEAD message an older gpg cannot read?)")
        return key


def load_identities() -> list[GpgIdentities]:
    return [GpgIdentities()]
