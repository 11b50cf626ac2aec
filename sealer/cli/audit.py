"""`sealer audit`: set up, extend, show, verify and merge the signed audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sealer.errors import ConfigError, Exit


def _root() -> Path:
    from sealer import git

    root = git.toplevel(Path.cwd())
    if root is None:
        raise ConfigError("not in a git repository", hint="the audit trail lives in a repository")
    return root


@click.group()
def audit() -> None:
    """The signed, hash-chained record of who re-keyed what (.sealer/audit.jsonl)."""


@audit.command()
@click.option("--trust-root", metavar="COMMIT", help="Pin this commit as the trust root.")
@click.option(
    "--principal", metavar="EMAIL", help="Who your key signs as (default: git user.email)."
)
def init(trust_root: str | None, principal: str | None) -> int:
    """Set up the audit trail and pin its trust root in this clone.

    Creates .sealer/allowed_signers (naming you and your SSH signing key) and an
    empty .sealer/audit.jsonl if they are missing, declares the log's merge
    driver, and pins the trust root: COMMIT, or the first commit on this branch
    that has .sealer/allowed_signers (pinned at the first `audit verify` when it
    is not committed yet).
    """
    from sealer.audit import admin

    root = _root()
    for line in admin.init(root, trust_root=trust_root, principal=principal):
        click.echo(f"sealer: {line}", err=True)
    return 0


@audit.command()
@click.option(
    "--trust-root", metavar="COMMIT", help="Verify from this commit instead of the pinned one."
)
@click.option("--no-pin", is_flag=True, help="Do not record HEAD's log as the pinned head.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
def verify(trust_root: str | None, no_pin: bool, as_json: bool) -> int:
    """Check the log, its signatures and signers, and its match with git history.

    Exit 0: verified; 52: a check failed (each failure names the commit, entry
    and file); 5: nothing to verify (no trust root, no commits).
    """
    from sealer.audit.verify import verify_repo
    from sealer.cli import warn
    from sealer.datakey import Keyring

    report = verify_repo(_root(), trust_root=trust_root, keyring=Keyring(), update_pin=not no_pin)
    if as_json:
        out = {
            "ok": report.ok,
            "trust_root": report.trust_root,
            "commits": report.commits,
            "entries": report.entries,
            "data_keys_checked": report.data_keys_checked,
            "problems": [
                {"commit": p.commit, "entry": p.seq, "file": p.file, "message": p.message}
                for p in report.problems
            ],
            "warnings": report.warnings,
        }
        click.echo(json.dumps(out, indent=2))
    for w in report.warnings:
        warn(w)
    for p in report.problems:
        click.echo(f"sealer: audit: {p}", err=True)
    if not report.ok:
        click.echo(
            f"sealer: error: the audit trail fails verification ({len(report.problems)} problems)",
            err=True,
        )
        return int(Exit.AUDIT)
    click.echo(
        f"sealer: audit trail verified: {report.commits} commits, {report.entries} new entries "
        f"since the trust root {(report.trust_root or '')[:12]}, "
        f"{report.data_keys_checked} data-key ids checked",
        err=True,
    )
    return 0


@audit.command("log")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON entry per line (carried entries unwrapped)."
)
@click.option("--file", "files", multiple=True, metavar="PATH", help="Only entries for this file.")
@click.option(
    "--actor",
    "actors",
    multiple=True,
    metavar="WHO",
    help="Only entries by this email, name or key.",
)
@click.option(
    "--rev", metavar="REV", help="The log as committed at REV (default: the working tree)."
)
def log_(as_json: bool, files: tuple[str, ...], actors: tuple[str, ...], rev: str | None) -> int:
    """Show the audit trail as a table."""
    from sealer.audit import admin

    root = _root()
    rows = admin.rows(
        root, rev, files=[admin.repo_path(root, f) for f in files], actors=list(actors)
    )
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, sort_keys=True))
        return 0
    click.echo(admin.table(rows), nl=False)
    return 0


@audit.command()
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
def merge(base: str, ours: str, theirs: str) -> int:
    """Merge driver for .sealer/audit.jsonl: `sealer audit merge %O %A %B`.

    Writes the merged log to OURS. Entries only THEIRS added are appended as
    `carry` entries signed by you. Exit 1 (a conflict for git) when a side
    rewrote the log or nothing can sign.
    """
    from sealer.audit import admin

    try:
        admin.merge_files(Path(base), Path(ours), Path(theirs))
    except admin.MergeConflict as e:
        click.echo(f"sealer: audit merge: {e}", err=True)
        return 1
    return 0


@audit.command()
@click.argument("principal")
@click.argument("public_key", metavar="KEY")
def allow(principal: str, public_key: str) -> int:
    """Let PRINCIPAL (an email) sign entries with KEY (a .pub file or `ssh-ed25519 AAAA…`).

    Adds the line to .sealer/allowed_signers and a signed signers.update entry;
    the key can sign from the next commit on.
    """
    from sealer.audit import admin

    admin.change_signers(_root(), add=(principal, public_key))
    return 0


@audit.command()
@click.argument("who", metavar="PRINCIPAL|FINGERPRINT")
def deny(who: str) -> int:
    """Remove every allowed_signers line for PRINCIPAL (or the key with FINGERPRINT)."""
    from sealer.audit import admin

    admin.change_signers(_root(), remove=who)
    return 0


@audit.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
def record(paths: tuple[str, ...]) -> int:
    """Record newly sealed files (file.create entries), e.g. after `sealer encrypt`."""
    from sealer.audit import admin
    from sealer.datakey import Keyring

    count = admin.record(_root(), list(paths), Keyring())
    click.echo(f"sealer: recorded {count} files", err=True)
    return 0
