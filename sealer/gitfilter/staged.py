"""Re-seal staged files whose MAC a partial `git add -p` left stale (the pre-commit hook).

`git add -p` applies the picked hunks of the sealed diff straight to the
staged blob; clean does not run. Picking some value lines but not the `mac`
line stages a file whose values open but whose MAC does not match, and a
commit of it could not be checked out anywhere. Before the commit, every such
staged file that a key opens is sealed again with a fresh MAC (its values,
hence its ciphertexts, stay as staged). Files whose values do not open are
left for `sealer check --staged` to report.
"""

from __future__ import annotations

import os
from pathlib import Path

from sealer import document, fileio, policy
from sealer.audit.git import run, toplevel
from sealer.errors import ConfigError, IntegrityError, SealerError
from sealer.gitfilter.filter import Filter, format_for


def _z(data: bytes) -> list[str]:
    return [p for p in fileio.decode(data).split("\0") if p]


def reseal_staged() -> list[str]:
    root = toplevel(Path.cwd())
    if root is None:
        raise ConfigError("not inside a git working tree")
    staged = _z(run(["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"], root))
    if not staged:
        return []
    attrs = _z(run(["check-attr", "--cached", "-z", "--stdin", "filter"], root, input=_nul(staged)))
    covered = [attrs[i] for i in range(0, len(attrs) - 2, 3) if attrs[i + 2] == "sealer"]
    said = []
    filt = Filter()
    try:
        for path in covered:
            if _reseal(root, filt, path):
                said.append(f"{path}: re-sealed the staged version (its MAC was stale)")
    finally:
        filt.repo.close()
    return said


def _nul(paths: list[str]) -> bytes:
    return b"".join(fileio.encode(p) + b"\0" for p in paths)


def _reseal(root: Path, filt: Filter, path: str) -> bool:
    entry = _z(run(["ls-files", "-s", "-z", "--", f":(literal){path}"], root))
    if not entry:
        return False
    mode, oid, _ = entry[0].split(" ", 2)
    text = fileio.decode(run(["cat-file", "blob", oid], root))
    fmt = format_for(path)
    try:
        parsed = document.parse(fmt, text, path)
        if parsed.metadata is None:
            return False
        try:
            filt.open_sealed(fmt, parsed, path)
            return False
        except IntegrityError:
            opened = filt.open_sealed(fmt, parsed, path, ignore_mac=True)
    except SealerError:
        return False  # no key, damaged values, not parseable: `sealer check` reports it
    here = os.path.relpath(root / path)  # rules are found from the file's directory
    sealed = policy.reseal(fmt, opened.plaintext, opened._replace(mac_hex=""), here, warn=filt.warn)
    new = run(["hash-object", "-w", "--no-filters", "--stdin"], root, input=fileio.encode(sealed))
    run(["update-index", "--cacheinfo", f"{mode},{new.decode().strip()},{path}"], root)
    return True
