"""Opening a sealed file for deployment: its plaintext, and its values as Python data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sealer import document, fileio, formats
from sealer.datakey import Keyring
from sealer.errors import FormatError, SealerError


@dataclass(frozen=True)
class Source:
    path: str
    fmt: formats.Format
    plaintext: str

    @property
    def content(self) -> bytes:
        """The decrypted file, byte for byte (a binary file's original bytes)."""
        return fileio.encode(self.plaintext)

    def data(self) -> Any:
        """The values as dicts, lists and leaves (`sealer.values`); comments dropped."""
        from sealer.tree import to_python

        if self.fmt.name == "binary":
            raise FormatError(
                "a binary file has no keys to take values from",
                hint="name it .yaml, .json, .env or .ini, or pass it whole with --file",
                file=self.path,
            )
        try:
            parsed = self.fmt.parse(self.plaintext)
        except SealerError as e:
            raise e.with_file(self.path) from None
        return to_python(parsed.docs[0]) if parsed.docs else {}


def open_file(path: str, keyring: Keyring, input_type: str | None = None) -> Source:
    """Read and decrypt `path` (a sealed file of any format)."""
    fmt = formats.get(input_type or formats.name_for_path(path))
    text = fileio.read(path)
    opened = document.open_text(fmt, text, keyring, file=path, remember=False)
    return Source(path, fmt, opened.plaintext)
