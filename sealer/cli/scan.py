"""`sealer scan`: look for hard-coded secrets in files, staged content or new commits."""

from __future__ import annotations

import click


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH…]")
@click.option("--staged", is_flag=True, help="Scan the index (what the next commit holds).")
@click.option("--since", "rev", metavar="REV", help="Scan what the commits in REV..HEAD added.")
@click.option(
    "--all-history", is_flag=True, help="Scan what every commit added, the root commit included."
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--sarif", is_flag=True, help="Print the findings as SARIF 2.1.0.")
@click.option("--ignore-file", metavar="PATH", help="Ignore file [default: .sealer/scan-ignore].")
@click.option("--add-ignore", is_flag=True, help="Accept every finding: add it to the ignore file.")
@click.option(
    "--max-size",
    type=int,
    default=None,
    metavar="BYTES",
    help="Skip larger files (0: no limit) [default: 32 MiB].",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list the files that were skipped.")
def scan(
    paths: tuple[str, ...],
    staged: bool,
    rev: str | None,
    all_history: bool,
    as_json: bool,
    sarif: bool,
    ignore_file: str | None,
    add_ignore: bool,
    max_size: int | None,
    verbose: bool,
) -> int:
    """Look for hard-coded secrets: cloud and API keys, VCS/CI tokens, private keys,
    passwords in connection strings and in secret-named variables.

    PATHs are files or directories (in a git work tree: its tracked and
    unignored files); without any, the current directory. --staged scans the
    index versions instead (without PATHs: the staged changes), --since REV the
    file versions the commits in REV..HEAD introduced, --all-history those of
    every commit HEAD reaches (the root commit included). Sealed ENC[…] values
    and sealer's audit log are skipped; a working file that sealer's git filter
    keeps sealed in git is scanned as the sealed blob git holds (its plaintext
    is not a leak). Nothing is sent anywhere.

    A line with `sealer:allow` (or `pragma: allowlist secret`, `gitleaks:allow`)
    in a comment is not reported, nor is a fingerprint listed in the ignore file.
    Exit 0: nothing found; 1: secrets found; 6: a file could not be read.
    """
    from sealer.scan.command import ScanOptions, run

    if sum([staged, rev is not None, all_history]) > 1:
        raise click.UsageError("use only one of --staged, --since and --all-history")
    if (rev is not None or all_history) and paths:
        raise click.UsageError("--since and --all-history scan whole commits; they take no PATH")
    if as_json and sarif:
        raise click.UsageError("use either --json or --sarif, not both")
    options = ScanOptions(
        paths=list(paths),
        staged=staged,
        since=rev,
        all_history=all_history,
        output="json" if as_json else "sarif" if sarif else "human",
        ignore_file=ignore_file,
        add_ignore=add_ignore,
        max_size=max_size,
        verbose=verbose,
    )
    return run(options)
