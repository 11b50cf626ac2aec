"""`sealer get`, `sealer set` and `sealer unset`."""

from __future__ import annotations

from typing import Any

import click

from sealer.cli.common import format_for, input_type_option


def _keyring(order: str | None) -> Any:
    from sealer.datakey import Keyring

    return Keyring(order.split(",") if order else None)


@click.command()
@click.argument("file")
@click.argument("path", metavar="PATH")
@input_type_option
@click.option("--decryption-order", metavar="TYPES", help="Key types to try first.")
def get(file: str, path: str, input_type: str | None, decryption_order: str | None) -> int:
    """Print the value at PATH ('["a"][0]["b"]' or a.0.b) of a sealed FILE.

    A string prints as is; anything else prints in the file's format.
    """
    from sealer import fileio, keyedit, paths
    from sealer.commands.decrypt import render_subtree

    fmt = format_for(file, input_type, None)
    value = keyedit.get(file, fmt, paths.parse(path), _keyring(decryption_order))
    fileio.write_output(None, render_subtree(fmt.name, value))
    return 0


@click.command("set")
@click.argument("file")
@click.argument("path", metavar="PATH")
@click.argument("value", required=False)
@click.option(
    "--value-stdin", is_flag=True, help="Read the value from stdin (not the command line)."
)
@click.option("--value-file", metavar="FILE", help="Read the value from FILE.")
@click.option(
    "--string",
    "as_string",
    is_flag=True,
    help="Take the value as text, not JSON (one trailing newline is dropped from stdin/files).",
)
@input_type_option
@click.option("--decryption-order", metavar="TYPES", help="Key types to try first.")
def set_(
    file: str,
    path: str,
    value: str | None,
    value_stdin: bool,
    value_file: str | None,
    as_string: bool,
    input_type: str | None,
    decryption_order: str | None,
) -> int:
    """Set PATH in a sealed FILE to VALUE (JSON, as in sops: '"text"', 5, true, {"a": 1}).

    Missing keys are added. Only the changed value (and lastmodified/mac) change
    in the sealed file; setting the value it already has changes nothing.
    """
    import sys

    from sealer import fileio, keyedit, paths

    sources = [value is not None, value_stdin, value_file is not None]
    if sum(sources) != 1:
        raise click.UsageError("give exactly one of VALUE, --value-stdin or --value-file")
    if value_stdin:
        raw = fileio.decode(sys.stdin.buffer.read())
    elif value_file is not None:
        raw = fileio.read(value_file)
    else:
        assert value is not None
        raw = value
    if as_string:
        parsed: Any = raw.removesuffix("\n") if value is None else raw
    else:
        parsed = keyedit.parse_json_value(raw)
    fmt = format_for(file, input_type, None)
    changed = keyedit.set_value(file, fmt, paths.parse(path), parsed, _keyring(decryption_order))
    if not changed:
        click.echo(f"sealer: {file}: unchanged", err=True)
    return 0


@click.command()
@click.argument("file")
@click.argument("path", metavar="PATH")
@input_type_option
@click.option("--idempotent", is_flag=True, help="A missing PATH is not an error.")
@click.option("--decryption-order", metavar="TYPES", help="Key types to try first.")
def unset(
    file: str, path: str, input_type: str | None, idempotent: bool, decryption_order: str | None
) -> int:
    """Remove PATH from a sealed FILE."""
    from sealer import keyedit, paths

    fmt = format_for(file, input_type, None)
    try:
        keyedit.unset_value(file, fmt, paths.parse(path), _keyring(decryption_order))
    except paths.PathError:
        if idempotent:
            return 0
        raise
    return 0
