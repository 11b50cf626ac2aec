"""`sealer diff`: what changed in sealed files between two stored states, without a key."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("args", nargs=-1, metavar="[REV1 [REV2]] [[--] PATH…]")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for programs.")
@click.option("--markdown", is_flag=True, help="Markdown for a pull-request comment.")
@click.option(
    "--values", is_flag=True, help="Open both versions with your key and show changed values."
)
@click.option(
    "--exit-code", is_flag=True, help="Exit 1 when a sealed file changed (as `git diff`)."
)
def diff(
    args: tuple[str, ...], as_json: bool, markdown: bool, values: bool, exit_code: bool
) -> int:
    """Show which key paths, recipients and keys changed in sealed files.

    \b
    sealer diff                  HEAD against the index (what `git commit` would record)
    sealer diff REV              REV against the index
    sealer diff REV1 REV2        REV1 against REV2 (also REV1..REV2)
    sealer diff BASE...HEAD      the merge base against HEAD: what a pull request brings
    sealer diff … -- PATH…       only these files or directories

    Needs no key: values are compared by ciphertext (sealer keeps the
    ciphertext of every unchanged value). Re-keys are matched with their
    signed audit entries. `--values` needs a key and prints plaintext.
    """
    import sys

    from sealer import git
    from sealer.errors import ConfigError
    from sealer.review import history, render

    if as_json and markdown:
        raise click.UsageError("--json and --markdown do not go together")
    root = git.toplevel(Path.cwd())
    if root is None:
        raise ConfigError("not in a git repository", hint="run sealer diff inside a clone")
    revs, paths = _split(root, args)
    sides = history.resolve(root, revs)
    result = history.review(root, sides, [_from_root(root, p) for p in paths])
    if values:
        from sealer.datakey import Keyring

        history.open_values(root, result, Keyring())
    out = (
        render.as_json(result)
        if as_json
        else render.markdown(result)
        if markdown
        else render.text(result)
    )
    sys.stdout.write(out)
    return 1 if exit_code and result.files else 0


def _split(root: Path, args: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Revisions first, then paths, told apart as git does without `--`.

    click consumes `--` itself, so an argument is a revision while it names a
    commit (or a range) and fewer than two came before; the rest are paths.
    """
    from sealer import git

    revs: list[str] = []
    for i, arg in enumerate(args):
        if len(revs) < 2 and (".." in arg or git.rev(root, arg) is not None):
            revs.append(arg)
        else:
            return revs, list(args[i:])
    return revs, []


def _from_root(root: Path, path: str) -> str:
    """A path as given (relative to the current directory) made relative to the top."""
    import os

    return os.path.relpath(os.path.abspath(path), root)
