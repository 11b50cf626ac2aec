"""What `sealer scan` does: pick the content, scan it, report, and choose the exit code."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from sealer import git
from sealer.errors import Exit
from sealer.scan import custom as scan_config
from sealer.scan import ignore as ignore_file
from sealer.scan import report, sources
from sealer.scan.rules import BY_ID
from sealer.scan.run import Result, scan_items


@dataclass
class ScanOptions:
    paths: list[str] = field(default_factory=list)
    staged: bool = False
    since: str | None = None
    all_history: bool = False  # every commit HEAD reaches, root included
    output: str = "human"  # human, json, sarif
    ignore_file: str | None = None
    add_ignore: bool = False
    max_size: int | None = None
    verbose: bool = False


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def run(options: ScanOptions) -> int:
    try:
        return _run(options)
    except git.GitError as e:
        e.exit_code = Exit.USAGE  # exit 1 means findings: git failing must not read as that
        raise


def _run(options: ScanOptions) -> int:
    max_size = sources.DEFAULT_MAX_SIZE if options.max_size is None else options.max_size
    found = git.toplevel()
    top = None if found is None else str(found)
    path = Path(options.ignore_file) if options.ignore_file else ignore_file.default_path(top)
    custom = scan_config.load(top)
    for note in custom.notes:
        _err(f"sealer: warning: {note}")
    ignores = ignore_file.load(path, [*BY_ID, *(r.id for r in custom.rules)])
    for problem in ignores.problems:
        _err(f"sealer: warning: {path}: {problem}")
    if options.since is not None or options.all_history:
        items = sources.since(options.since, max_size)
    elif options.staged:
        items = sources.staged(options.paths, max_size)
    else:
        items = sources.worktree(options.paths, max_size)
    result = scan_items(items, None if options.add_ignore else ignores, custom)
    if options.add_ignore:
        return _add_ignore(ignores, result)
    out = {"json": report.as_json, "sarif": report.as_sarif}.get(options.output, report.human)
    sys.stdout.write(out(result))
    sys.stdout.flush()
    _notes(result, options.verbose)
    if result.findings:
        return int(Exit.ERROR)
    return int(Exit.IO) if result.errors else 0


def _notes(result: Result, verbose: bool) -> None:
    for path, message in result.errors:
        _err(f"sealer: error: {path}: {message}")
    quiet = (
        "skipped: binary file",
        "skipped: sealer's audit log",
        "skipped: the scanner's ignore file",
    )
    for path, reason in result.skipped:
        if verbose or reason not in quiet:
            _err(f"sealer: warning: {path}: {reason}")
    if result.findings:
        files = len({(f.commit, f.path) for f in result.findings})
        n = len(result.findings)
        _err(
            f"sealer: error: {n} possible secret{'s' if n != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}"
        )
        _err("sealer: hint: move real secrets into a sealed file and rotate them")
        _err(
            "sealer: hint: not a secret? put `sealer:allow` in a comment on that line, "
            "or accept it with `sealer scan --add-ignore`"
        )
    elif verbose:
        _err(f"sealer: scanned {result.scanned} files, nothing found")


def _add_ignore(ignores: ignore_file.IgnoreFile, result: Result) -> int:
    new = {f.fingerprint: f"{f.rule} in {f.path}" for f in reversed(result.findings)}
    added = ignore_file.add(ignores, new)
    _notes(Result(errors=result.errors, skipped=result.skipped), False)
    _err(f"sealer: added {added} fingerprint{'s' if added != 1 else ''} to {ignores.path}")
    return int(Exit.IO) if result.errors else 0
