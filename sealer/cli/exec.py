"""`sealer exec`: run a command with sealed values in its environment or in private files."""

from __future__ import annotations

import click

from sealer.cli.keyservice import keyservice_options


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option(
    "--env",
    "env_files",
    multiple=True,
    metavar="FILE",
    help="Put FILE's values in the environment (nested keys joined with _); repeatable.",
)
@click.option(
    "--file",
    "file_specs",
    multiple=True,
    metavar="FILE[:NAME]",
    help="Decrypt FILE to a private path, written into ARGS as {NAME} (or {}); repeatable.",
)
@click.option("--fifo", is_flag=True, help="Serve --file contents through FIFOs, readable once.")
@click.option("--no-inherit", is_flag=True, help="Start CMD with only the sealed values.")
@keyservice_options
@click.argument("command", nargs=-1, required=True, metavar="-- CMD [ARGS]...")
def exec_(
    env_files: tuple[str, ...],
    file_specs: tuple[str, ...],
    fifo: bool,
    no_inherit: bool,
    command: tuple[str, ...],
) -> int:
    """Run CMD with decrypted values; nothing decrypted is left behind when it ends.

    Signals sent to sealer are passed on to CMD, and CMD's exit status is
    sealer's. README.md ("Deploy") says where files live and when they go.
    """
    import os

    from sealer.datakey import Keyring
    from sealer.deploy import exec as runner
    from sealer.deploy import flatten
    from sealer.deploy.source import open_file

    keyring = Keyring()
    groups = []
    for path in env_files:
        source = open_file(path, keyring)
        variables = flatten.flatten(source.data(), fmt_name=source.fmt.name, file=path)
        runner.refuse_plaintext_dangerous(variables, source.sealed_paths, path)
        groups.append((path, variables))
    values = flatten.merge(groups)
    specs = [runner.parse_file_spec(s) for s in file_specs]
    files = [(spec, open_file(spec.source, keyring).content) for spec in specs]
    env = runner.child_environment({} if no_inherit else os.environb, values)
    status = runner.run(list(command), env, files, fifo=fifo)
    return runner.exit_like(status)
