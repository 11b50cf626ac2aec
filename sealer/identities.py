"""Where private keys come from: sealer's key file and variables, and sops'.

All sources are read and merged, as sops does:
`SEALER_AGE_KEY`, `SEALER_AGE_KEY_FILE`, `SEALER_AGE_KEY_CMD`, sealer's key file
(`$XDG_CONFIG_HOME/sealer/age/keys.txt`), then `SOPS_AGE_KEY`,
`SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY_CMD` and sops' key file
(`$XDG_CONFIG_HOME/sops/age/keys.txt`). A named source that cannot be read is an
error; a default key file that does not exist is not. A key file may be
protected by a passphrase (`age -p`, scrypt), as age and sops allow: it is
opened when a stanza needs it (see `unlock`).
"""

from __future__ import annotations

import os
import re

from sealer.errors import ConfigError, FileError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

_AGE_SECRET = re.compile(r"AGE-SECRET-KEY-[1][0-9A-Z]+")  # [1]: not a key itself
# a plugin identity names a key a plugin holds; compiled (and cached by re) on first use
_AGE_PLUGIN = r"AGE-PLUGIN-[0-9A-Z._+-]+-[1][0-9A-Z]+"


# Paths are strings here: pathlib costs start-up that `sealer decrypt` need not pay.


def _config_home() -> str:
    return os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")


def _key_file(tool: str) -> str:
    return os.path.join(_config_home(), tool, "age", "keys.txt")


def sealer_key_file() -> Path:
    from pathlib import Path

    return Path(_key_file("sealer"))


def sops_key_file() -> Path:
    from pathlib import Path

    return Path(_key_file("sops"))


def pkcs11_module() -> str | None:
    """The PKCS#11 module the user chose: `SEALER_PKCS11_MODULE`, else the first line of
    `$XDG_CONFIG_HOME/sealer/pkcs11-module`. Never a path from a file being opened:
    loading a module runs its code (SECURITY.md, "Untrusted sealed and rules files")."""
    chosen = os.environ.get("SEALER_PKCS11_MODULE")
    if chosen:
        return chosen
    path = os.path.join(_config_home(), "sealer", "pkcs11-module")
    try:
        with open(path, encoding="utf-8") as f:
            lines = [x.strip() for x in f.read().splitlines()]
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise FileError(f"cannot read {path}: {reason}") from None
    return next((x for x in lines if x and not x.startswith("#")), None)


def _keys_in(text: str, source: str) -> list[str]:
    keys: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for word in line.split():
            plugin = word.startswith("AGE-PLUGIN-") and re.fullmatch(_AGE_PLUGIN, word)
            if not (plugin or _AGE_SECRET.fullmatch(word)):
                raise ConfigError(
                    f"{source}: a line is not an age secret key",
                    hint="key files hold age secret keys (AGE-SECRET-KEY-…), age plugin "
                    "identities (AGE-PLUGIN-…) and # comments",
                )
            keys.append(word)
    return keys


# What an age-encrypted file starts with: binary, or ASCII-armored (`age -p -a`).
_ENCRYPTED = (b"age-encryption.org/", b"-----BEGIN AGE ENCRYPTED FILE-----")


class ProtectedKeyFile:
    """A passphrase-protected identity file (`age -p`): opened only when a stanza needs it.

    A plain class: a Record's class creation would cost every decrypt's start-up.
    """

    __slots__ = ("data", "path")

    def __init__(self, path: str, data: bytes):
        self.path = path
        self.data = data


_protected: dict[str, ProtectedKeyFile] = {}  # path -> file, filled by age_keys_by_source


def _read_key_file(path: str, source: str, *, required: bool) -> list[str]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        if required:
            raise FileError(f"{source}: key file {path} does not exist") from None
        return []
    except OSError as e:
        raise FileError(f"{source}: cannot read key file {path}: {e.strerror}") from None
    if data.lstrip().startswith(_ENCRYPTED):
        _protected[path] = ProtectedKeyFile(path, data)
        return []
    try:
        return _keys_in(data.decode("utf-8"), f"{source} {path}")
    except UnicodeDecodeError:
        raise FileError(f"{source}: cannot read key file {path}: not UTF-8 text") from None


def protected_key_files() -> list[ProtectedKeyFile]:
    """The passphrase-protected key files among the sources (after `age_keys_by_source`)."""
    return list(_protected.values())


def unlock(protected: ProtectedKeyFile) -> list[str]:
    """The age secret keys inside a passphrase-protected identity file.

    The passphrase comes from `SEALER_AGE_PASSPHRASE_CMD` (a command that prints
    it: the user's own environment) or else from the terminal; without either,
    a clear error. Only called for a stanza that an age identity may open.
    """
    import pyrage

    source = f"identity file {protected.path}"
    passphrase = _passphrase(protected.path)
    try:
        text = pyrage.passphrase.decrypt(protected.data, passphrase)
    except Exception:  # pyrage.DecryptError: a wrong passphrase or a damaged file
        raise ConfigError(
            f"{source}: wrong passphrase (or the file is damaged)",
            hint="check the passphrase with `age -d` on the file",
        ) from None
    return _keys_in(bytes(text).decode("utf-8", "replace"), source)


def _passphrase(path: str) -> str:
    from sealer.recipients import ask_terminal

    cmd = os.environ.get("SEALER_AGE_PASSPHRASE_CMD")
    if cmd:
        out = run_key_command(cmd, "SEALER_AGE_PASSPHRASE_CMD").decode("utf-8", "replace")
        return out.removesuffix("\n").removesuffix("\r")
    unavailable = ConfigError(
        f"identity file {path} is protected by a passphrase and there is no terminal to ask",
        hint="set SEALER_AGE_PASSPHRASE_CMD to a command that prints the passphrase "
        "(a password manager's CLI), or run sealer on a terminal",
    )
    return ask_terminal(f"Enter passphrase for identity file {path}: ", unavailable)


def run_key_command(cmd: str, source: str) -> bytes:
    """What a key command (`…_KEY_CMD`) prints; errors never repeat the command line."""
    import shlex
    import subprocess

    try:
        out = subprocess.run(shlex.split(cmd), capture_output=True, check=False, timeout=60)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{source}: the key command did not finish in 60 s") from None
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "cannot run it"
        raise ConfigError(f"{source}: could not run the key command: {reason}") from None
    if out.returncode != 0:
        raise ConfigError(
            f"{source}: the key command exited with status {out.returncode}",
            hint="run it by hand to see why; its output must be the key",
        )
    return bytes(out.stdout)


def _run_key_cmd(cmd: str, source: str) -> list[str]:
    return _keys_in(run_key_command(cmd, source).decode("utf-8", "replace"), source)


def age_secret_keys() -> list[str]:
    """Every age secret key available, deduplicated, in source order."""
    return list(age_keys_by_source())


def age_keys_by_source() -> dict[str, str]:
    """Every age secret key available, in source order, with where it was found."""
    env = os.environ
    keys: dict[str, str] = {}
    _protected.clear()

    def add(found: list[str], source: str) -> None:
        for key in found:
            keys.setdefault(key, source)

    for prefix in ("SEALER", "SOPS"):
        if env.get(f"{prefix}_AGE_KEY"):
            add(_keys_in(env[f"{prefix}_AGE_KEY"], f"{prefix}_AGE_KEY"), f"{prefix}_AGE_KEY")
        if env.get(f"{prefix}_AGE_KEY_FILE"):
            path = os.path.expanduser(env[f"{prefix}_AGE_KEY_FILE"])
            source = f"{prefix}_AGE_KEY_FILE {path}"
            add(_read_key_file(path, f"{prefix}_AGE_KEY_FILE", required=True), source)
        if env.get(f"{prefix}_AGE_KEY_CMD"):
            source = f"{prefix}_AGE_KEY_CMD"
            add(_run_key_cmd(env[source], source), source)
        path = _key_file(prefix.lower())
        add(_read_key_file(path, "key file", required=False), f"key file {path}")
    return keys
