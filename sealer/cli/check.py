"""`sealer check`: what the `sealer-sealed` pre-commit hook runs, usable in CI as it is."""

from __future__ import annotations

import click


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH…]")
@click.option("--staged", is_flag=True, help="Check the index versions (what will be committed).")
@click.option("--structure-only", is_flag=True, help="Do not load keys; check structure only.")
@click.option("--config", metavar="PATH", help="Rules file to use instead of searching.")
@click.option(
    "--against",
    metavar="REV",
    help="A path sealed in REV must still be sealed (default with --staged: HEAD).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was checked for every file.")
def check(
    paths: tuple[str, ...],
    staged: bool,
    structure_only: bool,
    config: str | None,
    against: str | None,
    as_json: bool,
    verbose: bool,
) -> int:
    """Check that files which rules say must be sealed are sealed and intact.

    A file is covered when a creation rule's path_regex in .sealer.yaml (or
    .sops.yaml) matches it. A covered file, and any other sealed file, must
    parse as sealed; its MAC is verified when a key is at hand, otherwise its
    structure is checked (recipients, MAC, every selected value an ENC[…]
    value). A plaintext twin of a sealed file (secrets.dec.yaml next to
    secrets.yaml) is refused.

    A covered sealed file must be sealed as its rule says: the same recipients
    in the same key groups, threshold, selection rule and mac_only_encrypted
    (checked without a key; the difference is printed). A path sealed in REV
    (--against; with --staged, HEAD) must still be sealed, whatever
    .gitattributes or the rules say now. Rules files are never covered.

    PATHs are files or directories; without any, the current directory (with
    --staged: the staged changes). --staged reads git's index, not the working
    files. Exit 0 when all is well, else the code of the problems found
    (4: not sealed / damaged / a twin, 51: MAC mismatch; mixed: 1).
    """
    from pathlib import Path

    from sealer import check as checking
    from sealer.cli import report
    from sealer.cli.common import rules_path

    config_path: Path | None = rules_path(config)
    result = checking.run(
        list(paths), staged=staged, structure_only=structure_only, config=config_path,
        against=against,
    )  # fmt: skip
    if as_json:
        import json

        click.echo(json.dumps(checking.as_json(result), indent=2))
        return result.exit_code
    if verbose:
        for path, note in result.notes:
            click.echo(f"sealer: {path}: {note}", err=True)
    for problem in result.problems:
        report(problem.error)
    if result.problems:
        n = len(result.problems)
        click.echo(f"sealer: {n} file{'s' if n != 1 else ''} failed the check", err=True)
    return result.exit_code
