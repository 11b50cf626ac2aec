"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sealer import formats
from sealer.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
FORMAT_NAMES = list(formats.MODULES)
# Key types with a command-line flag of their own (--age, ...); each takes a
# comma-separated list and may be repeated.
RECIPIENT_FLAGS: dict[str, str] = {
    "age": "age recipients (age1…)",
}


def input_type_option(f: F) -> F:
    return click.option(
        "--input-type",
        type=click.Choice(FORMAT_NAMES),
        help="Format of the input; by default from the file name (unknown: binary).",
    )(f)


def filename_override_option(f: F) -> F:
    return click.option(
        "--filename-override",
        metavar="NAME",
        help="File name to pick the format and rules by (for stdin).",
    )(f)


def recipient_options(f: F) -> F:
    for name, text in reversed(RECIPIENT_FLAGS.items()):
        f = click.option(
            f"--{name}",
            f"{name}_recipients",
            multiple=True,
            metavar="R[,R…]",
            help=f"Seal for these {text}; repeatable.",
        )(f)
    return f


def format_for(path: str, input_type: str | None, override: str | None) -> formats.Format:
    name = input_type or formats.name_for_path(override or path)
    return formats.get(name)


def cli_recipients(options: dict[str, Any]) -> list[Any]:
    """Recipients named by --age and the other recipient flags, in one key group."""
    from sealer import recipients

    found: list[Any] = []
    for name in RECIPIENT_FLAGS:
        for value in options.get(f"{name}_recipients") or ():
            found.extend(recipients.key_type(name).parse_recipients(value))
    return found


def rules_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise ConfigError(f"{value}: no such rules file")
    return path
