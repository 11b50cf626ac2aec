"""`sealer git …`: install the filter, diff and merge drivers, and the commands git runs."""

from __future__ import annotations

import sys

import click


@click.group()
def git() -> None:
    """git integration: plaintext in the working tree, sealed values in git.

    `sealer git install` sets it up in a repository; git then runs the other
    subcommands itself.
    """


@git.command()
@click.option("--no-checkout", is_flag=True, help="Do not re-check-out the covered files.")
@click.option("--no-hook", is_flag=True, help="Do not install the pre-commit hook.")
@click.argument("patterns", nargs=-1, metavar="[PATTERN]...")
def install(no_checkout: bool, no_hook: bool, patterns: tuple[str, ...]) -> int:
    """Set up the sealer filter, diff and merge drivers in this repository.

    Writes a marked block of .gitattributes entries for the paths the
    .sealer.yaml/.sops.yaml rules cover (plus any PATTERN given), the
    repository-local git config, and a pre-commit hook, then checks the covered
    files out again so the working tree shows plaintext. Running it again
    updates what it wrote; nothing else is touched.
    """
    from sealer.gitfilter import install as setup

    for line in setup.install(extra=list(patterns), checkout=not no_checkout, hook=not no_hook):
        click.echo(f"sealer: {line}", err=True)
    return 0


@git.command()
@click.option("--no-checkout", is_flag=True, help="Leave the working tree as it is.")
def uninstall(no_checkout: bool) -> int:
    """Remove what `sealer git install` wrote, and check covered files out sealed."""
    from sealer.gitfilter import install as setup

    for line in setup.uninstall(checkout=not no_checkout):
        click.echo(f"sealer: {line}", err=True)
    return 0


@git.command()
def process() -> int:
    """The long-running filter git starts once per command (filter.sealer.process)."""
    from sealer.gitfilter.serve import serve_git

    serve_git()
    return 0


@git.command()
@click.argument("file", metavar="FILE")
def clean(file: str) -> int:
    """Seal stdin for FILE and print it (filter.sealer.clean; FILE is never read)."""
    return _one("clean", file)


@git.command()
@click.argument("file", metavar="FILE")
def smudge(file: str) -> int:
    """Open sealed stdin for FILE and print it (filter.sealer.smudge; FILE is never read)."""
    return _one("smudge", file)


def _one(command: str, path: str) -> int:
    from sealer.gitfilter.filter import Filter

    filt = Filter()
    try:
        data = sys.stdin.buffer.read()
        out = filt.clean(path, data) if command == "clean" else filt.smudge(path, data)
    finally:
        filt.repo.close()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


@git.command("reseal-staged")
def reseal_staged() -> int:
    """Re-seal staged files whose MAC a partial `git add -p` left stale (pre-commit hook)."""
    from sealer.gitfilter.staged import reseal_staged as reseal

    for line in reseal():
        click.echo(f"sealer: {line}", err=True)
    return 0


@git.command("pre-commit")
@click.pass_context
def pre_commit(ctx: click.Context) -> int:
    """What the installed pre-commit hook runs: `reseal-staged`, then `check --staged`.

    One process instead of two: the hook runs on every commit, and a Python
    start-up is most of what it costs when few files are staged.
    """
    from sealer.cli.check import check

    ctx.invoke(reseal_staged)
    return int(ctx.invoke(check, staged=True))


@git.command()
@click.argument("file", metavar="FILE")
def textconv(file: str) -> int:
    """Print FILE as `git diff` should show it (diff.sealer.textconv)."""
    from sealer.gitfilter.textconv import textconv as convert

    sys.stdout.buffer.write(convert(file))
    sys.stdout.buffer.flush()
    return 0


@git.command()
@click.option("--marker-size", type=int, default=7, show_default=True, help="git's %L.")
@click.argument("base", metavar="BASE")
@click.argument("ours", metavar="OURS")
@click.argument("theirs", metavar="THEIRS")
@click.argument("path", metavar="PATH")
def merge(base: str, ours: str, theirs: str, path: str, marker_size: int) -> int:
    """Merge sealed BASE, OURS and THEIRS into OURS, per key path (merge.sealer.driver).

    Exits 0 when the merge is clean and 1 on a conflict; OURS then holds both
    sealed versions between conflict markers, which check out as plaintext.
    """
    from sealer.gitfilter.merge import merge_files

    return merge_files(base, ours, theirs, path, marker_size)
