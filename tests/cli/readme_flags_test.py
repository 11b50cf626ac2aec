"""README's "Command-line reference" lists exactly the flags each command's --help has."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click

from sealer.cli import cli
from tests.helpers import REPO


def commands(cmd: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None
            yield from commands(sub, f"{path} {name}")
    yield path, cmd


def flags_in_help(cmd: click.Command) -> set[str]:
    return {
        o
        for p in cmd.params
        if isinstance(p, click.Option) and not p.hidden
        for o in (*p.opts, *p.secondary_opts)
    }


def flags_in_readme() -> dict[str, set[str]]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Command-line reference\n", 1)[1].split("\n## ", 1)[0]
    found: dict[str, set[str]] = {}
    for block in section.split("\n#### ")[1:]:
        heading, _, table = block.partition("\n")
        command = heading.strip().strip("`")
        rows = [r for r in table.splitlines() if r.startswith("| `")]
        found[command] = {
            span.split()[0]
            for row in rows
            for span in re.findall(r"`([^`]+)`", row.split(" | ")[0])
        }
    return found


def test_every_flag_of_every_command_is_in_the_readme_and_no_other() -> None:
    documented = flags_in_readme()
    for path, cmd in commands(cli, "sealer"):
        flags = flags_in_help(cmd)
        if not flags:
            assert path not in documented, path
            continue
        assert documented.get(path) == flags, path
    assert set(documented) <= {p for p, _ in commands(cli, "sealer")}
