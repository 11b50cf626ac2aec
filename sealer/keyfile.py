"""Making age keys and adding them to a key file (0600, in a 0700 directory)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from sealer import identities
from sealer.errors import FileError


def generate(output: str | None) -> str:
    """Create an age identity, store it, and return its recipient."""
    from pyrage import x25519

    ident = x25519.Identity.generate()
    recipient = str(ident.to_public())
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    block = f"# created: {stamp}\n# public key: {recipient}\n{ident}\n"
    if output == "-":
        sys.stdout.write(block)
        return recipient
    path = Path(output) if output else identities.sealer_key_file()
    append_private(path, block)
    sys.stderr.write(f"sealer: wrote a new key to {path}\n")
    return recipient


def append_private(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            if f.tell() > 0:
                f.write("\n")
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise FileError(f"{path}: cannot write the key file: {e.strerror}") from None
