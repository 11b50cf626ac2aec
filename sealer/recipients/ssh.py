"""SSH recipients (`ssh-ed25519`, `ssh-rsa`) as age's SSH stanzas, in sops' `age` list.

sops keeps SSH keys in its `age` list: the stanza is `{recipient: "ssh-ed25519
AAAA…", enc: <armored age file>}` whose header holds an `ssh-ed25519` or
`ssh-rsa` stanza. Identities are the private keys sops reads:
`SOPS_AGE_SSH_PRIVATE_KEY_FILE`, `SOPS_AGE_SSH_PRIVATE_KEY_CMD`, then
`~/.ssh/id_ed25519` and `~/.ssh/id_rsa`. A passphrase-protected key is asked
for its passphrase (`SEALER_SSH_PASSPHRASE`, else the terminal) only when a
stanza carries its tag, so "not mine" never prompts.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sealer.errors import ConfigError, FileError, NotMine, SealerError
from sealer.metadata import Stanza
from sealer.recipients import LOCAL, ask_terminal, shown, split_list

if TYPE_CHECKING:
    from sealer.recipients import Recipient

NAME = "ssh"
STANZA_TYPES = ("age",)
KIND = LOCAL
KEY_TYPES = ("ssh-ed25519", "ssh-rsa")  # what age's SSH support accepts


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def tag(blob: bytes) -> str:
    """age's stanza tag: the first 4 bytes of SHA-256 over the SSH wire-format public key."""
    return _b64(hashlib.sha256(blob).digest()[:4])


def fingerprint(blob: bytes) -> str:
    """`SHA256:…`, as `ssh-keygen -l` prints it."""
    return "SHA256:" + _b64(hashlib.sha256(blob).digest())


def _parse_public(text: str) -> tuple[str, bytes, str]:
    """`ssh-ed25519 AAAA… comment` → (type, wire blob, comment)."""
    parts = text.split(None, 2)
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise ConfigError(
            f"not an SSH recipient: {shown(text)}",
            hint="SSH recipients are ssh-ed25519 or ssh-rsa public keys (a .pub line)",
        )
    try:
        blob = base64.b64decode(parts[1], validate=True)
        kind = _read_string(blob, 0)[0]
    except ValueError:  # not base64, or too short to hold the key type
        raise ConfigError(f"not an SSH recipient: {shown(text)}") from None
    if kind != parts[0].encode():
        raise ConfigError(f"SSH recipient's key type does not match its data: {shown(text)}")
    return parts[0], blob, parts[2] if len(parts) > 2 else ""


@dataclass(frozen=True)
class SshRecipient:
    key_type: ClassVar[str] = "ssh"
    recipient: str

    @property
    def id(self) -> str:
        return self.recipient

    def wrap(self, file_key: bytes) -> Stanza:
        import pyrage
        from pyrage import ssh

        enc = pyrage.encrypt(file_key, [ssh.Recipient.from_str(self.recipient)], armored=True)
        return Stanza("age", {"enc": enc.decode("ascii"), "recipient": self.recipient})


def parse_recipients(value: object) -> list[Recipient]:
    """Public keys (`ssh-ed25519 AAAA…`) or paths of .pub files, comma-separated or a list."""
    out: list[Recipient] = []
    for item in split_list(value):
        lines = [item]
        if " " not in item:  # not a key line: a .pub file
            path = Path(item).expanduser()
            if not path.is_file():
                raise ConfigError(
                    f"not an SSH public key or a .pub file: {shown(item)}",
                    hint="give the key (ssh-ed25519 AAAA…) or the path of its .pub file",
                )
            lines = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
        for line in lines:
            _parse_public(line)
            out.append(SshRecipient(line))
    return out


def recipient_of(stanza: Stanza) -> Recipient:
    return SshRecipient(str(stanza.fields.get("recipient", "")))


def claims(stanza: Stanza) -> bool:
    return str(stanza.fields.get("recipient", "")).startswith("ssh-")


def stanza_id(stanza: Stanza) -> str:
    recipient = str(stanza.fields.get("recipient", ""))
    try:
        kind, blob, comment = _parse_public(recipient)
    except ConfigError:
        return recipient[:60]
    return " ".join(p for p in (kind, fingerprint(blob), comment) if p)


# --- the age header of an `enc` blob ----------------------------------------


def stanza_tags(enc: str) -> set[tuple[str, str]]:
    """(type, tag) of every SSH stanza in an armored age file's header."""
    lines = [ln.strip() for ln in enc.strip().splitlines()]
    if len(lines) < 3 or not lines[0].startswith("-----BEGIN AGE"):
        return set()
    try:
        data = base64.b64decode("".join(lines[1:-1]))
    except ValueError:
        return set()
    header = data.split(b"\n---", 1)[0].decode("ascii", "replace")
    found = set()
    for line in header.splitlines():
        args = line.split(" ")
        if args[0] == "->" and len(args) >= 3 and args[1] in KEY_TYPES:
            found.add((args[1], args[2]))
    return found


# --- private keys ------------------------------------------------------------


def _read_string(buf: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 4 > len(buf):
        raise ValueError("truncated")
    n = int.from_bytes(buf[pos : pos + 4], "big")
    if pos + 4 + n > len(buf):
        raise ValueError("truncated")
    return buf[pos + 4 : pos + 4 + n], pos + 4 + n


def _openssh_header(data: bytes) -> tuple[bytes, bool]:
    """(public key blob, encrypted?) from an `openssh-key-v1` file, without its passphrase."""
    text = data.decode("ascii", "replace")
    body = "".join(
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("-----")
    )
    raw = base64.b64decode(body)
    magic = b"openssh-key-v1\0"
    if not raw.startswith(magic):
        raise ValueError("not an OpenSSH private key")
    cipher, pos = _read_string(raw, len(magic))
    _kdf, pos = _read_string(raw, pos)
    _kdf_options, pos = _read_string(raw, pos)
    count = int.from_bytes(raw[pos : pos + 4], "big")
    if count != 1:
        raise ValueError("more than one key in the file")
    blob, _ = _read_string(raw, pos + 4)
    return blob, cipher != b"none"


@dataclass
class SshIdentity:
    """One SSH private key; decrypted (passphrase) on the first stanza that names it."""

    source: str
    data: bytes
    blob: bytes
    encrypted: bool
    kind: int = LOCAL
    _identity: Any = field(default=None, repr=False)

    @property
    def key_type(self) -> str:
        return _read_string(self.blob, 0)[0].decode("ascii", "replace")

    def unwrap(self, stanza: Stanza) -> bytes:
        import pyrage

        if stanza.type != "age" or (self.key_type, tag(self.blob)) not in stanza_tags(stanza.enc):
            raise NotMine()
        try:
            data: bytes = pyrage.decrypt(stanza.enc.encode("ascii"), [self._pyrage_identity()])
        except pyrage.DecryptError:  # a tag collision (4 bytes): not ours after all
            raise NotMine() from None
        return data

    def _pyrage_identity(self) -> Any:
        from pyrage import ssh

        if self._identity is None:
            plain = self._decrypted() if self.encrypted else self.data
            try:
                self._identity = ssh.Identity.from_buffer(plain)
            except Exception as e:  # pyrage.IdentityError: a key type age cannot use
                raise ConfigError(f"{self.source}: cannot use this SSH key: {e}") from None
        return self._identity

    def _decrypted(self) -> bytes:
        from cryptography.hazmat.primitives import serialization as ser

        password = _passphrase(self.source).encode("utf-8")
        try:
            if self.data.lstrip().startswith(b"-----BEGIN OPENSSH"):
                key: Any = ser.load_ssh_private_key(self.data, password)
            else:
                key = ser.load_pem_private_key(self.data, password)
        except ValueError:
            raise SealerError(
                f"{self.source}: wrong passphrase for the SSH key",
                hint="set SEALER_SSH_PASSPHRASE, or type it when asked",
            ) from None
        out: bytes = key.private_bytes(
            ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption()
        )
        return out


def _passphrase(source: str) -> str:
    if "SEALER_SSH_PASSPHRASE" in os.environ:
        return os.environ["SEALER_SSH_PASSPHRASE"]
    return ask_terminal(
        f"Passphrase for {source}: ",
        SealerError(
            f"{source}: the SSH key is passphrase-protected and there is no terminal to ask",
            hint="set SEALER_SSH_PASSPHRASE",
        ),
    )


def identity_from(data: bytes, source: str, pub_path: Path | None = None) -> SshIdentity:
    """An identity from private key bytes (OpenSSH or PEM format)."""
    from cryptography.hazmat.primitives import serialization as ser

    try:
        if data.lstrip().startswith(b"-----BEGIN OPENSSH"):
            blob, encrypted = _openssh_header(data)
        else:
            encrypted = False
            try:
                key: Any = ser.load_pem_private_key(data, None)
                line = key.public_key().public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH)
                blob = base64.b64decode(line.split()[1])
            except TypeError:  # encrypted PEM: the public key is only in the .pub file
                encrypted = True
                if pub_path is None or not pub_path.is_file():
                    raise ConfigError(
                        f"{source}: the key is encrypted and has no .pub file beside it",
                        hint="keep the public key next to it as <file>.pub (ssh-keygen -y)",
                    ) from None
                blob = _parse_public(pub_path.read_text().strip())[1]
    except (ValueError, IndexError):
        raise ConfigError(f"{source}: not an SSH private key") from None
    ident = SshIdentity(source, data, blob, encrypted)
    if ident.key_type not in KEY_TYPES:
        raise ConfigError(
            f"{source}: {ident.key_type} keys cannot be used",
            hint="age (and so sops) supports ssh-ed25519 and ssh-rsa keys",
        )
    return ident


def _from_file(path: Path, source: str) -> SshIdentity:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FileError(f"{source}: cannot read SSH key {path}: {e.strerror}") from None
    return identity_from(data, f"{source} {path}", Path(str(path) + ".pub"))


def _from_cmd(cmd: str) -> SshIdentity:
    from sealer.identities import run_key_command

    source = "SOPS_AGE_SSH_PRIVATE_KEY_CMD"
    ident = identity_from(run_key_command(cmd, source), source)
    if ident.encrypted:
        raise ConfigError(f"{source}: the command printed a passphrase-protected key")
    return ident


def load_identities() -> list[SshIdentity]:
    env = os.environ
    found: list[SshIdentity] = []
    if env.get("SOPS_AGE_SSH_PRIVATE_KEY_FILE"):
        path = Path(env["SOPS_AGE_SSH_PRIVATE_KEY_FILE"]).expanduser()
        found.append(_from_file(path, "SOPS_AGE_SSH_PRIVATE_KEY_FILE"))
    if env.get("SOPS_AGE_SSH_PRIVATE_KEY_CMD"):
        found.append(_from_cmd(env["SOPS_AGE_SSH_PRIVATE_KEY_CMD"]))
    for name in ("id_ed25519", "id_rsa"):
        path = Path.home() / ".ssh" / name
        if path.is_file():
            found.append(_from_file(path, "SSH key"))
    unique = {i.blob: i for i in reversed(found)}
    return [i for i in found if unique[i.blob] is i]
