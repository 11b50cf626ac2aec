"""`get`, `set` and `unset` on a sealed file: open, change the plaintext, re-seal.

Re-sealing is against the opened file, so only the changed value (and
`lastmodified`/`mac`) change in the sealed bytes; setting a value to what it
already is changes nothing at all. The opened file is committed content, so
`policy.reseal` seals afresh when it differs from its rule or when this clone
did not make its data key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sealer import document, fileio, policy
from sealer.datakey import Keyring
from sealer.errors import Exit, SealerError
from sealer.filelock import locked
from sealer.formats import splice
from sealer.paths import Path, PathError, lookup
from sealer.tree import to_python

if TYPE_CHECKING:
    from sealer.formats import Format


class BadValueArgument(SealerError):
    """The VALUE given to `set` is not JSON: a command-line mistake, not the file's."""

    exit_code = Exit.USAGE


def parse_json_value(text: str) -> Any:
    """A VALUE argument: JSON, as in sops (`"text"`, `5`, `true`, `{"a": 1}`)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise BadValueArgument(
            "the value is not JSON",
            hint="""quote strings as JSON ('"text"'), or pass --string to take it as text""",
        ) from None


def get(path: str, fmt: Format, keypath: Path, keyring: Keyring) -> Any:
    opened = document.open_text(fmt, fileio.read(path), keyring, file=path)
    data = to_python(fmt.parse(opened.plaintext).docs[0])
    try:
        return lookup(data, keypath)
    except PathError as e:
        raise e.with_file(path) from None


def change(path: str, fmt: Format, keyring: Keyring, edit: Any) -> bool:
    """Apply `edit(parsed_plaintext) -> edits` to a sealed file; True if it changed."""
    with locked(path):
        text = fileio.read(path)
        opened = document.open_text(fmt, text, keyring, file=path)
        try:
            parsed = fmt.parse(opened.plaintext)
            new_plain = splice(opened.plaintext, edit(parsed))
        except SealerError as e:
            raise e.with_file(path) from None
        if new_plain == opened.plaintext:
            return False
        sealed = policy.reseal(fmt, new_plain, opened, path, strict=False)[0]
        if sealed == text:
            return False
        fileio.write_atomic(path, fileio.encode(sealed))
        return True


def set_value(path: str, fmt: Format, keypath: Path, value: Any, keyring: Keyring) -> bool:
    return change(path, fmt, keyring, lambda parsed: fmt.set_value(parsed, keypath, value))


def unset_value(path: str, fmt: Format, keypath: Path, keyring: Keyring) -> bool:
    return change(path, fmt, keyring, lambda parsed: fmt.unset_value(parsed, keypath))
