"""`sealer edit`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sealer.cli.common import cli_recipients, input_type_option, recipient_options, rules_path
from sealer.cli.keyservice import keyservice_options


@click.command()
@click.argument("file")
@recipient_options
@click.option("--config", metavar="PATH", help="Rules file for a new FILE.")
@click.option("--ignore-mac", is_flag=True, help="Open even if the MAC does not match (recovery).")
@click.option("--decryption-order", metavar="TYPES", help="Key types to try first.")
@input_type_option
@keyservice_options
def edit(
    file: str,
    config: str | None,
    ignore_mac: bool,
    decryption_order: str | None,
    input_type: str | None,
    **options: Any,
) -> int:
    """Edit a sealed FILE in $SEALER_EDITOR (or $EDITOR); a missing FILE is created.

    The plaintext lives in a private 0600 file (on /dev/shm when available)
    that is removed afterwards. Content that no longer parses sends you back to
    the editor; on any failure the sealed file stays as it was.
    """
    from sealer import document, editor, rules
    from sealer.cli.common import format_for
    from sealer.datakey import Keyring

    fmt = format_for(file, input_type, None)

    def policy() -> document.Policy:
        direct = cli_recipients(options)
        if direct:
            return rules.policy_with_recipients(direct, Path(file), rules_path(config))
        return rules.policy_for(Path(file), rules_path(config))

    keyring = Keyring(decryption_order.split(",") if decryption_order else None)
    config_path = rules_path(config)
    written = editor.edit(
        file, fmt, keyring, new_policy=policy, ignore_mac=ignore_mac,
        config=None if config_path is None else str(config_path),
    )  # fmt: skip
    if not written:
        click.echo(f"sealer: {file}: no changes", err=True)
    return 0
