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
    sealed: str = ""  # the file as read, for `sealed_paths`

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

    @property
    def sealed_paths(self) -> frozenset[tuple[str | int, ...]]:
        """Paths (as in `data()`) of the values that were ENC[...] in the file: the only
        ones whose key path is authenticated (it is their additional data)."""
        from sealer import enc, envelope, metadata
        from sealer.tree import Scalar

        parsed = document.parse(self.fmt, self.sealed, self.path)
        meta = metadata.from_dict(parsed.metadata)
        found: set[tuple[str | int, ...]] = set()

        def visit(node: object, _p: object, upath: tuple[str | int, ...], flag: bool) -> None:
            value = node.value if isinstance(node, Scalar) else None
            if flag and isinstance(value, str) and enc.is_sealed(value):
                found.add(upath)

        envelope.walk(parsed.docs[:1], meta.selection, visit)
        return frozenset(found)


def open_file(path: str, keyring: Keyring, input_type: str | None = None) -> Source:
    """Read and decrypt `path` (a sealed file of any format)."""
    fmt = formats.get(input_type or formats.name_for_path(path))
    text = fileio.read(path)
    opened = document.open_text(fmt, text, keyring, file=path, remember=False)
    return Source(path, fmt, opened.plaintext, text)
