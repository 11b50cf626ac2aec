"""`sealer init`: set a git repository up for sealed files in one command."""

from __future__ import annotations

import click

from sealer.repoinit import DEFAULT_LAYOUTS, LAYOUTS


@click.command()
@click.option(
    "--layout",
    "layouts",
    multiple=True,
    type=click.Choice(list(LAYOUTS)),
    help="Files that must be sealed (repeatable); asked on a terminal, else "
    + ", ".join(DEFAULT_LAYOUTS)
    + ".",
)
@click.option(
    "--age", "age_recipients", multiple=True, metavar="R", help="Also seal for this age recipient."
)
@click.option("--audit", is_flag=True, help="Set up the signed audit trail (needs an SSH key).")
@click.option("--no-hooks", is_flag=True, help="Leave .pre-commit-config.yaml alone.")
@click.option("--no-git-install", is_flag=True, help="Do not run `sealer git install`.")
def init(
    layouts: tuple[str, ...],
    age_recipients: tuple[str, ...],
    audit: bool,
    no_hooks: bool,
    no_git_install: bool,
) -> int:
    """Set this git repository up for sealed files; running it again changes nothing.

    Makes an age key unless you have one, writes .sealer.yaml (unless a rules
    file exists) with your recipient and rules for the chosen layouts, runs
    `sealer git install`, adds sealer's hooks to .pre-commit-config.yaml and,
    with --audit, sets up the audit trail. Then says what to commit.
    """
    import sys

    from sealer import repoinit

    root = repoinit.repository()  # before any question: outside a repository there is none
    chosen = list(layouts)
    if not chosen and not repoinit.has_rules(root):
        chosen = _ask()
        if not chosen:
            chosen = list(DEFAULT_LAYOUTS)
            click.echo(f"sealer: no layout chosen: using the defaults, {', '.join(chosen)}",
                       err=True)  # fmt: skip
    recipients = [r for value in age_recipients for r in value.split(",") if r.strip()]
    done = repoinit.init(
        chosen, recipients, audit=audit, hooks=not no_hooks, git_install=not no_git_install
    )
    for line in done.said:
        click.echo(f"sealer: {line}", err=True)
    if done.commit:
        paths = " ".join(dict.fromkeys(done.commit))
        click.echo(f"sealer: now commit them: git add {paths} && git commit", err=True)
    if not no_hooks:
        click.echo("sealer: and run `pre-commit install` to turn the hooks on", err=True)
    sys.stdout.write(done.recipient + "\n")
    return 0


def _ask() -> list[str]:
    import sys

    if not sys.stdin.isatty():
        return list(DEFAULT_LAYOUTS)
    chosen = []
    for name, (regex, what) in LAYOUTS.items():
        if click.confirm(f"Seal {what} ({regex})?", default=name in DEFAULT_LAYOUTS, err=True):
            chosen.append(name)
    return chosen
