"""`sealer decrypt` for one file or stdin: open it and write the plaintext."""

from __future__ import annotations

import sys

from sealer import document, fileio, formats
from sealer.datakey import Keyring
from sealer.errors import Exit, IntegrityError, SealerError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def decrypt(
    file: str,
    *,
    in_place: bool = False,
    output: str | None = None,
    extract: str | None = None,
    ignore_mac: bool = False,
    order: list[str] | None = None,
    input_type: str | None = None,
    filename_override: str | None = None,
) -> int:
    name = filename_override or file
    fmt = formats.for_file(file, input_type, filename_override)
    text = fileio.read(file)
    opened = document.open_text(fmt, text, Keyring(order), file=name, recover=ignore_mac)
    for warning in opened.warnings:
        sys.stderr.write(f"sealer: warning: {name}: {warning}\n")
    if opened.unopened and in_place:
        raise IntegrityError(
            f"{len(opened.unopened)} sealed value{'s' if len(opened.unopened) != 1 else ''} "
            "failed authentication; the file is unchanged",
            hint="recover to another file with --ignore-mac -o PATH (or stdout)",
            file=name,
        )
    if extract is not None:
        try:
            value = extract_value(fmt, opened.plaintext, extract)
        except SealerError as e:
            raise e.with_file(name) from None
        fileio.write_output(output, value, private=True)
    else:
        fileio.write_output(file if in_place else output, opened.plaintext, private=not in_place)
    return _report_unopened(name, opened.unopened)


def _report_unopened(name: str, unopened: list[str]) -> int:
    """Recovery: which values stayed sealed; exit 51 if any did (what opened was written)."""
    for path in unopened:
        sys.stderr.write(
            f"sealer: error: {name}: {path}: a sealed value failed authentication; "
            "left sealed in the output\n"
        )
    if not unopened:
        return 0
    sys.stderr.write(
        "sealer: hint: every other value was opened and written; "
        "restore the damaged ones from git or set them again\n"
    )
    return int(Exit.INTEGRITY)


def extract_value(fmt: formats.Format, plaintext: str, path_text: str) -> str:
    from sealer import paths
    from sealer.tree import to_python

    path = paths.parse(path_text)
    data = to_python(fmt.parse(plaintext).docs[0])
    return render_subtree(fmt.name, paths.lookup(data, path))


def render_subtree(fmt_name: str, value: Any) -> str:
    """A value as `--extract` and `get` print it: strings raw, the rest in the file's format."""
    import json

    from sealer.formats import yamlscalar as ys
    from sealer.values import GoTime, Raw

    if isinstance(value, str):
        return value
    if isinstance(value, Raw):
        return value.data.decode("utf-8", "surrogateescape")
    if fmt_name == "yaml":
        if isinstance(value, dict):
            return "\n".join(ys.emit_block(value, 4)) + "\n"
        if isinstance(value, list):
            return "\n".join(ys.emit_sequence(value, 4)) + "\n"
        return ys.scalar(value) + "\n"

    def default(o: Any) -> Any:
        if isinstance(o, GoTime):
            return o.text
        raise TypeError

    return json.dumps(value, indent=4, ensure_ascii=False, default=default) + "\n"
