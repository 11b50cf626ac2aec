"""`sealer completion SHELL`: the script that gives sealer tab completion in that shell."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> int:
    """Print the tab-completion script for SHELL (bash, zsh or fish).

    \b
    bash:  eval "$(sealer completion bash)"    (e.g. in ~/.bashrc)
    zsh:   eval "$(sealer completion zsh)"     (e.g. in ~/.zshrc)
    fish:  sealer completion fish > ~/.config/fish/completions/sealer.fish

    The script asks sealer itself for the completions, so it stays right as
    commands and options change.
    """
    from click.shell_completion import get_completion_class

    from sealer.cli import cli

    found = get_completion_class(shell)
    assert found is not None  # click ships all three SHELLS
    click.echo(found(cli, {}, "sealer", "_SEALER_COMPLETE").source(), nl=False)
    return 0
