"""The `sealer` command line: a click group whose subcommands load on first use.

Start-up time matters (git filters, deploy scripts), so a command's module, and
whatever it imports, is loaded only when that command runs. Every command module
under `sealer/cli/` is thin: it parses options and calls the library.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

import click

from sealer import __version__
from sealer.errors import Exit, SealerError

# name -> "module:attribute" of a click.Command; keep sorted by name.
COMMANDS: dict[str, str] = {
    "audit": "sealer.cli.audit:audit",
    "check": "sealer.cli.check:check",
    "completion": "sealer.cli.completion:completion",
    "decrypt": "sealer.cli.crypt:decrypt",
    "diff": "sealer.cli.diff:diff",
    "edit": "sealer.cli.edit:edit",
    "encrypt": "sealer.cli.crypt:encrypt",
    "exec": "sealer.cli.exec:exec_",
    "export": "sealer.cli.export:export",
    "get": "sealer.cli.values:get",
    "git": "sealer.cli.git:git",
    "groups": "sealer.cli.rekey:groups",
    "init": "sealer.cli.init:init",
    "keygen": "sealer.cli.keygen:keygen",
    "keyservice": "sealer.cli.keyservice:keyservice",
    "publish": "sealer.cli.publish:publish",
    "rotate": "sealer.cli.rekey:rotate",
    "scan": "sealer.cli.scan:scan",
    "set": "sealer.cli.values:set_",
    "status": "sealer.cli.status:status",
    "unset": "sealer.cli.values:unset",
    "updatekeys": "sealer.cli.rekey:updatekeys",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, _, attr = target.partition(":")
        command = getattr(import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sealer")
@click.option(
    "--debug",
    is_flag=True,
    help="Say on stderr what sealer does (files, rules, recipients; never values or keys).",
)
def cli(debug: bool) -> None:
    """Keep secrets in ordinary config files in git, sealed per value.

    Files are SOPS-compatible: `sops -d` opens what sealer writes and sealer
    opens what sops writes. Exit codes are listed in README.md.
    """
    if debug:
        from sealer import log

        log.enabled = True


def warn(message: str) -> None:
    click.echo(f"sealer: warning: {message}", err=True)


def run_cli(argv: list[str]) -> int:
    """Run a command line through click; errors are left to `sealer.main.guarded`."""
    try:
        rv: Any = cli.main(args=argv, prog_name="sealer", standalone_mode=False)
    except click.exceptions.Exit as e:
        return int(e.exit_code)
    except click.UsageError as e:
        command = e.ctx.command_path if e.ctx is not None else "sealer"
        _usage_error(e.format_message(), f"see `{command} --help`")
        return int(Exit.USAGE)
    except click.ClickException as e:
        _usage_error(e.format_message(), None)
        return int(e.exit_code)
    except click.exceptions.Abort:
        click.echo("sealer: interrupted", err=True)
        return int(Exit.INTERRUPTED)
    return int(rv) if isinstance(rv, int) else 0


def _usage_error(message: str, hint: str | None) -> None:
    """Click's errors in sealer's own format: `sealer: error:` and `sealer: hint:`."""
    lines = [f"sealer: error: {line}" for line in message.splitlines() if line]
    if hint:
        lines.append(f"sealer: hint: {hint}")
    sys.stderr.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point (kept for callers of `sealer.cli.main`); see `sealer.main`."""
    from sealer.main import main as real_main

    return real_main(argv)


def report(error: SealerError) -> None:
    from sealer.main import report as real_report

    real_report(error)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
