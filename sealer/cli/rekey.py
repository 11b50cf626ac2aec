"""`sealer updatekeys`, `sealer rotate` and `sealer groups`, recorded in the audit trail."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sealer import recipients
from sealer.cli.common import recipient_options, rules_path
from sealer.errors import Exit, SealerError

PROGRESS_FROM = 5  # files; fewer get no progress bar


def _edit_options(f: Any) -> Any:
    """--add-X / --rm-X for every registered key type, so new types get flags by themselves."""
    for name in reversed(recipients.names()):
        f = click.option(
            f"--rm-{name}",
            f"rm_{name}",
            multiple=True,
            metavar="R[,R…]",
            help=f"Remove these {name} recipients (from every key group).",
        )(f)
        f = click.option(
            f"--add-{name}",
            f"add_{name}",
            multiple=True,
            metavar="R[,R…]",
            help=f"Add these {name} recipients (to the first key group).",
        )(f)
    return f


def _edits(options: dict[str, Any]) -> Any:
    from sealer.rekey import Edits

    add: list[Any] = []
    remove: list[str] = []
    for name in recipients.names():
        kt = None
        for value in options.get(f"add_{name}") or ():
            kt = kt or recipients.key_type(name)
            add.extend(kt.parse_recipients(value))
        for value in options.get(f"rm_{name}") or ():
            kt = kt or recipients.key_type(name)
            remove.extend(r.id for r in kt.parse_recipients(value))
    return Edits(tuple(add), tuple(remove))


def _common(f: Any) -> Any:
    f = _edit_options(f)
    f = click.option(
        "--dry-run", "-n", is_flag=True, help="Show what would change; change nothing."
    )(f)
    f = click.option("--config", metavar="PATH", help="Rules file to use instead of searching.")(f)
    return click.argument("paths", nargs=-1, metavar="[PATH…]")(f)


@click.command()
@_common
@click.option("--rotate", is_flag=True, help="Also make a new data key (re-encrypts every value).")
def updatekeys(
    paths: tuple[str, ...], dry_run: bool, config: str | None, rotate: bool, **options: Any
) -> int:
    """Re-wrap each file's data key for the recipients its rule names now.

    Values keep their exact bytes. With --add-…/--rm-… the file's current
    recipients are changed instead of reading the rules. PATHs are files or
    directories; none means every sealed file in the repository. Each change
    is signed into .sealer/audit.jsonl when the repository has an audit trail.
    """
    return _run(paths, dry_run, config, rotate=rotate, use_rules=True, options=options)


@click.command()
@_common
def rotate(paths: tuple[str, ...], dry_run: bool, config: str | None, **options: Any) -> int:
    """Give each file a new data key and re-encrypt every value.

    The recipients stay as they are unless --add-…/--rm-… change them. Rotate
    after removing someone: the old data key may still be in their hands.
    """
    return _run(paths, dry_run, config, rotate=True, use_rules=False, options=options)


def _run(
    paths: tuple[str, ...],
    dry_run: bool,
    config: str | None,
    *,
    rotate: bool,
    use_rules: bool,
    options: dict[str, Any],
) -> int:
    from sealer import rekey
    from sealer.cli import report, warn
    from sealer.datakey import Keyring

    cwd = Path.cwd()
    edits = _edits(options)
    found, root = rekey.targets(paths, cwd)
    writer = None if dry_run else rekey.audit_writer(root)
    if root is not None and writer is None and not dry_run:
        warn("this repository has no audit trail (`sealer audit init`); the change is not recorded")
    keyring = Keyring()
    failed: list[SealerError] = []
    changed = 0
    staged_index = False
    batch = rekey.IndexWrites(root) if root is not None else None
    with _progress(found) as items:
        for target in items:
            try:
                p = rekey.plan(
                    target,
                    keyring,
                    rotate=rotate,
                    edits=edits,
                    use_rules=use_rules,
                    config=rules_path(config),
                )
            except SealerError as e:
                report(e.with_file(target.name))
                failed.append(e)
                continue
            for w in p.warnings:
                warn(f"{target.name}: {w}")
            if dry_run:
                click.echo(f"{target.name}: {p.summary()}")
            elif p.new_text is not None and batch is not None and target.where == "index":
                batch.add(p)  # stored, logged and staged together below
            elif p.new_text is not None:
                if writer:  # the line on disk before the change it records (audit.log.Writer)
                    writer.write(writer.sign(p.entry()))
                try:
                    rekey.write(p)
                except SealerError as e:  # changed meanwhile: the next files still go on
                    report(e)
                    failed.append(e)
                    continue
                changed += 1
                staged_index |= target.where == "index"
                if len(found) < PROGRESS_FROM:
                    click.echo(f"sealer: {target.name}: {p.summary()}", err=True)
            removal = rekey.removal_warning(p)
            if removal:
                warn(removal)
    if batch is not None:
        stored, meanwhile = batch.store()
        for problem in meanwhile:
            report(problem)
        failed.extend(meanwhile)
        if writer:  # every line signed, then written with one fsync, then staged
            writer.write_all(writer.sign_all(p.entry() for p, _ in stored))
        batch.stage(stored)  # only once their log lines are on disk
        if len(found) < PROGRESS_FROM:
            for p, _ in stored:
                click.echo(f"sealer: {p.target.name}: {p.summary()}", err=True)
        changed += len(stored)
        staged_index |= bool(stored)
    if staged_index and writer and root is not None:
        from sealer import git
        from sealer.audit import LOG

        git.run(["add", "--", LOG], root)
    if not dry_run:
        click.echo(f"sealer: {changed} of {len(found)} files changed", err=True)
    return int(failed[0].exit_code) if failed else int(Exit.OK)


def _progress(items: list[Any]) -> Any:
    if len(items) < PROGRESS_FROM:
        from contextlib import nullcontext

        return nullcontext(items)
    return click.progressbar(
        items, label="re-keying", file=sys.stderr, item_show_func=lambda t: t.name if t else ""
    )


# --- sealer groups add|delete (sops' `groups` command) ----------------------


@click.group()
def groups() -> None:
    """Add a key group to a sealed file, or delete one (as `sops groups`).

    The file keeps its data key; every group is wrapped again. Without -i the
    result is printed; with -i the file is changed and, in a repository with
    an audit trail, the change is signed into .sealer/audit.jsonl.
    """


def _group_options(f: Any) -> Any:
    f = click.option(
        "--shamir-secret-sharing-threshold",
        "threshold",
        type=click.IntRange(min=0),
        default=0,
        help="Key groups needed to open the file from now on.",
    )(f)
    f = click.option("-i", "--in-place", is_flag=True, help="Change FILE instead of printing.")(f)
    return click.option("-f", "--file", "file", required=True, metavar="FILE")(f)


@groups.command("add")
@_group_options
@recipient_options
def groups_add(file: str, in_place: bool, threshold: int, **options: Any) -> int:
    """Add a key group of the recipients named (--age, --pgp, --kms, …) to FILE."""
    from sealer import groups as key_groups
    from sealer.cli.common import cli_recipients

    group = cli_recipients(options, from_env=False)
    return _change_groups(file, in_place, lambda t, k: key_groups.add(t, k, group, threshold))


@groups.command("delete")
@_group_options
@click.argument("index", type=click.IntRange(min=0))
def groups_delete(file: str, in_place: bool, threshold: int, index: int) -> int:
    """Delete key group INDEX (0 is the first) from FILE."""
    from sealer import groups as key_groups

    return _change_groups(file, in_place, lambda t, k: key_groups.delete(t, k, index, threshold))


def _change_groups(file: str, in_place: bool, make: Any) -> int:
    from sealer import fileio, rekey
    from sealer.datakey import Keyring

    path = Path(file).absolute()  # the file's own repository, wherever sealer runs
    (target,), root = rekey.targets([str(path)], path.parent)
    p = make(target, Keyring())
    if not in_place:
        sys.stdout.buffer.write(fileio.encode(p.new_text))
        return int(Exit.OK)
    writer = rekey.audit_writer(root)
    if root is not None and writer is None:
        from sealer.cli import warn

        warn("this repository has no audit trail (`sealer audit init`); the change is not recorded")
    if writer:  # the line on disk before the change it records (audit.log.Writer)
        writer.write(writer.sign(p.entry()))
    rekey.write(p)
    if writer and target.where == "index" and root is not None:
        from sealer import git
        from sealer.audit import LOG

        git.run(["add", "--", LOG], root)
    click.echo(f"sealer: {target.name}: key groups {len(p.before)} -> {len(p.after)}", err=True)
    return int(Exit.OK)
