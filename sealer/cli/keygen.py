"""`sealer keygen`: make an age key and store it where sealer looks for keys."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Key file to append to ('-' prints the key); default: sealer's key file.",
)
def keygen(output: str | None) -> int:
    """Make a new age X25519 key; print its recipient (public key) on stdout.

    The secret key is appended to sealer's key file
    ($XDG_CONFIG_HOME/sealer/age/keys.txt, mode 0600) unless --output says
    otherwise. Give the recipient to whoever seals files for you.
    """
    from sealer import keyfile

    recipient = keyfile.generate(output)
    if output != "-":  # with -o - the key block (which names the recipient) is the output
        click.echo(recipient)
    return 0
