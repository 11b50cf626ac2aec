"""`sealer git install` / `uninstall`: attributes, local config, hook, and a fresh checkout.

What gets covered: every path a creation rule's `path_regex` matches (in each
`.sealer.yaml`/`.sops.yaml` of the repository, relative to its directory),
plus tracked files whose content is already sealed, plus any pattern the user
names. A rule without `path_regex` only says how to seal a file, not which
files must be sealed, so it covers nothing by itself. A regex that
`pathglob.translate` can express becomes glob lines (which also cover files
added later); for any other regex the matching files are listed one by one,
and the pre-commit hook (`sealer check --staged`) refuses a commit in which a
covered file is not sealed. Everything goes into one marked block of
`.gitattributes`; sealer's own files are excluded at its end.

Config is repository-local and lives in sections named after sealer's
drivers (`filter.sealer`, `diff.sealer`, `merge.sealer`), plus
`sealer.gitinstall` as the mark; `diff.sealer.cachetextconv` is never set
(it would store plaintext as git notes) and is removed if found.
`rerere.enabled` is set to false (rerere would keep conflict plaintext in
`.git/rr-cache`); uninstall leaves it so.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sealer import __version__, fileio, pattern, rules
from sealer.errors import ConfigError
from sealer.git import query, run, toplevel
from sealer.gitfilter import pathglob
from sealer.gitfilter.repo import Repo

BEGIN = "# BEGIN sealer: written by `sealer git install`; `sealer git uninstall` removes it"
END = "# END sealer"
ATTRIBUTES = "filter=sealer diff=sealer merge=sealer"
NOT_OURS = "!filter !diff !merge"
SECTIONS = ("filter.sealer", "diff.sealer", "merge.sealer")
MARK = "sealer.gitinstall"
HOOK_MARK = "# sealer: installed by `sealer git install`"
# sealer's own files are never filtered: the rules, the attributes, the audit trail
OWN_FILES = [*rules.NAMES, "/.gitattributes", "/.sealer/**"]
# the hook `sealer git install` writes to .git/hooks/pre-commit (also in hooks/pre-commit)
PRE_COMMIT = f"""#!/bin/sh
{HOOK_MARK}; `sealer git uninstall` removes it.
# Re-seals staged files whose MAC a partial `git add -p` left stale, then refuses
# a commit in which a file that the rules cover is staged without being sealed
# (or sealed otherwise than its rule says), or a path sealed in HEAD is not.
{{sealer}} git reseal-staged || exit $?
exec {{sealer}} check --staged
"""


def sealer_command() -> str:
    """How git should run sealer: `sealer` when it is on PATH, else this interpreter."""
    if shutil.which("sealer"):
        return "sealer"
    return f"{shlex.quote(sys.executable)} -m sealer"


def git_config(command: str) -> dict[str, str]:
    return {
        "filter.sealer.process": f"{command} git process",
        "filter.sealer.clean": f"{command} git clean -- %f",
        "filter.sealer.smudge": f"{command} git smudge -- %f",
        "filter.sealer.required": "true",
        "diff.sealer.textconv": f"{command} git textconv",
        "merge.sealer.name": "sealer: per-key merge of sealed files",
        "merge.sealer.driver": f"{command} git merge --marker-size=%L %O %A %B %P",
        MARK: f"sealer {__version__}",
    }


def _root() -> Path:
    root = toplevel(Path.cwd())
    if root is None:
        raise ConfigError("not inside a git working tree", hint="run it in your repository")
    return root


def _z(data: bytes) -> list[str]:
    return [p for p in fileio.decode(data).split("\0") if p]


def quote(pattern: str) -> str:
    """A .gitattributes pattern, C-quoted when it holds blanks, quotes or control characters."""
    if not any(c in pattern for c in ' \t"\\') and pattern.isprintable():
        return pattern
    out = []
    for c in pattern:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif not c.isprintable():
            out.extend(f"\\{b:03o}" for b in fileio.encode(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def literal(path: str) -> str:
    """A pattern matching exactly one path relative to the repository root."""
    return "/" + "".join("\\" + c if c in "*?[]\\" else c for c in path)


# -- what is covered ---------------------------------------------------------------------


@dataclass
class Coverage:
    globs: list[str] = field(default_factory=list)  # anchored patterns from rules
    files: list[str] = field(default_factory=list)  # paths that must be covered
    untranslated: list[str] = field(default_factory=list)  # "rules file: regex"


def _rules_files(all_files: list[str]) -> dict[str, Path]:
    """Rules file per directory (relative, '' for the root); .sealer.yaml wins."""
    found: dict[str, Path] = {}
    for name in reversed(rules.NAMES):
        for f in all_files:
            p = PurePosixPath(f)
            if p.name == name:
                found[str(p.parent) if str(p.parent) != "." else ""] = Path(f)
    return found


def _governing(path: str, dirs: list[str]) -> str | None:
    parent = PurePosixPath(path).parent
    for d in (parent, *parent.parents):
        key = "" if str(d) == "." else str(d)
        if key in dirs:
            return key
    return None


def coverage(root: Path, all_files: list[str], sealed: list[str]) -> Coverage:
    """What sealer's block must cover; `sealed` are the tracked files stored sealed."""
    cov = Coverage()
    env = os.environ.get("SEALER_CONFIG") or os.environ.get("SOPS_CONFIG")
    if env:
        config = Path(env).resolve()
        try:
            base = config.parent.relative_to(root).as_posix()
        except ValueError:
            base = ""
        files = {"" if base == "." else base: config}
    else:
        files = {d: root / p for d, p in _rules_files(all_files).items()}
    regexes: dict[str, list[pattern.Pattern]] = {}
    for d, path in files.items():
        regexes[d] = []
        for i, rule in enumerate(rules.load(path).rules):
            if rule.get("path_regex") is None:
                continue
            source = str(rule["path_regex"])
            where = f"{path}: creation_rules[{i}].path_regex"
            regexes[d].append(pattern.compile_(source, where))
            globs = pathglob.translate(source)
            if globs is None:
                cov.untranslated.append(f"{os.path.relpath(path, root)}: {source}")
                continue
            prefix = f"/{d}/" if d else "/"
            cov.globs += [prefix + g for g in globs if prefix + g not in cov.globs]
    dirs = list(files)
    own = {str(p) for p in _rules_files(all_files).values()} | {".gitattributes"}
    for f in all_files:
        if f in own or f.startswith(".sealer/"):
            continue
        governing = _governing(f, dirs)
        if governing is None:
            continue
        rel = f[len(governing) + 1 :] if governing else f
        if any(r.search(rel) for r in regexes[governing]):
            cov.files.append(f)
    listed = set(cov.files)
    cov.files += [f for f in sealed if f not in listed and f not in own]
    return cov


def _sealed(root: Path, tracked: list[str]) -> list[str]:
    """Tracked files whose staged content is sealed (has sops metadata)."""
    from sealer import document
    from sealer.errors import SealerError
    from sealer.gitfilter.filter import format_for, lf

    repo = Repo(str(root))
    out = []
    try:
        for f in tracked:
            data = repo.blob(f":0:{f}")
            if data is None or b"ENC[AES256_GCM," not in data:
                continue
            try:
                fmt = format_for(f)
                if document.is_sealed(fmt, lf(fileio.decode(data), fmt)[0]):
                    out.append(f)
            except SealerError:
                continue
    finally:
        repo.close()
    return out


# -- .gitattributes -----------------------------------------------------------------------


def _strip_block(text: str) -> str:
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    inside = False
    for line in lines:
        if line.rstrip("\r\n") == BEGIN:
            inside = True
        elif inside and line.rstrip("\r\n") == END:
            inside = False
        elif not inside:
            out.append(line)
    return "".join(out)


def _write_attributes(root: Path, block: list[str]) -> None:
    """Replace sealer's block (keeping the file's line ends); the file is not touched if equal."""
    path = root / ".gitattributes"
    old = fileio.decode(path.read_bytes()) if path.exists() else ""
    eol = "\r\n" if "\r\n" in old else "\n"
    text = _strip_block(old)
    if block:
        if text and not text.endswith("\n"):
            text += eol
        text += eol.join([BEGIN, *block, END]) + eol
    if text != old:
        fileio.write_atomic(str(path), fileio.encode(text))


def _block(globs: list[str], files: list[str], audit: list[str]) -> list[str]:
    lines = [f"{quote(p)} {ATTRIBUTES}" for p in globs]
    lines += [f"{quote(literal(f))} {ATTRIBUTES}" for f in files]
    lines += [f"{quote(p)} {NOT_OURS}" for p in OWN_FILES]
    return lines + audit


def _filter_attr(root: Path, paths: list[str]) -> dict[str, str]:
    if not paths:
        return {}
    out = _z(run(["check-attr", "-z", "--stdin", "filter"], root, input=_nul(paths)))
    return {out[i]: out[i + 2] for i in range(0, len(out) - 2, 3)}


def _nul(paths: list[str]) -> bytes:
    return b"".join(fileio.encode(p) + b"\0" for p in paths)


def _audit_declared(root: Path) -> bool:
    """Whether .gitattributes names the audit log's merge driver outside sealer's block."""
    path = root / ".gitattributes"
    text = _strip_block(path.read_text(encoding="utf-8")) if path.exists() else ""
    return any("merge=sealer-audit" in line for line in text.splitlines())


def _audit_lines(root: Path, command: str) -> list[str]:
    """The audit log's merge driver, when this sealer has one (`sealer audit merge`)."""
    try:
        from sealer.audit import admin
    except ImportError:
        return []
    _set(root, "merge.sealer-audit.name", "sealer audit log (keeps the hash chain)")
    driver = admin.MERGE_DRIVER.replace("sealer ", f"{command} ", 1)
    _set(root, "merge.sealer-audit.driver", driver)
    return [] if _audit_declared(root) else [admin.GITATTRIBUTES_LINE]


# -- config, hook, checkout --------------------------------------------------------------


def _set(root: Path, key: str, value: str) -> None:
    run(["config", "--local", key, value], root)


def _unset_section(root: Path, section: str) -> bool:
    return query(["config", "--local", "--remove-section", section], root) is not None


def _unset(root: Path, key: str) -> bool:
    """Remove every value of `key`; whether there was one (git config exits 5 if not)."""
    return query(["config", "--local", "--unset-all", key], root) is not None


def _no_rerere(root: Path) -> list[str]:
    """Turn rerere off here: it copies both sides of a conflict, in plaintext, into .git.

    rerere reads the conflicted working-tree file, which smudge shows as
    plaintext, and keeps it in `rr-cache/*/preimage` and `postimage`. A global
    `rerere.enabled=true`, or an existing rr-cache directory, would turn it on.
    """
    _set(root, "rerere.enabled", "false")
    said = [
        "git config: rerere.enabled=false (rerere would keep the plaintext of both sides "
        "of a conflict in .git/rr-cache)"
    ]
    cache = Path(fileio.decode(run(["rev-parse", "--git-path", "rr-cache"], root)).strip())
    cache = cache if cache.is_absolute() else root / cache
    if cache.is_dir() and any(cache.iterdir()):
        said.append(
            f"warning: {cache} holds earlier conflict resolutions, which may include "
            f"plaintext: remove it with `rm -r {cache}`"
        )
    return said


def _hook_path(root: Path) -> Path:
    out = fileio.decode(run(["rev-parse", "--git-path", "hooks/pre-commit"], root)).strip()
    return Path(out) if Path(out).is_absolute() else root / out


def _install_hook(root: Path, command: str) -> str:
    path = _hook_path(root)
    if path.exists() and HOOK_MARK not in path.read_text(errors="replace"):
        return f"left {path} alone (not sealer's); run `sealer check --staged` from it"
    path.parent.mkdir(parents=True, exist_ok=True)
    fileio.write_atomic(str(path), PRE_COMMIT.format(sealer=command).encode(), mode=0o755)
    return f"installed the pre-commit hook {path.relative_to(root)}"


def _modified(root: Path) -> set[str]:
    return set(_z(run(["diff", "--name-only", "-z"], root)))


def _checkout(root: Path, paths: list[str]) -> None:
    """Write `paths` again from the index, through whatever filter is configured now.

    git skips files whose stat data says they are up to date, so they are
    removed first. A file that cannot be smudged is written as stored.
    """
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(root / p)
    if paths:
        run(
            ["-c", "filter.sealer.required=false", "checkout", "--pathspec-from-file=-",
             "--pathspec-file-nul", "--"],
            root, input=_nul(paths), env={"GIT_LITERAL_PATHSPECS": "1"}, show_stderr=True,
        )  # fmt: skip


def _recheckout(
    root: Path, covered: list[str], modified: set[str], done: str, left: str
) -> list[str]:
    """Check the unmodified covered files out again; say what was done and what was left."""
    again = [f for f in covered if f not in modified]
    _checkout(root, again)
    said = [done.format(len(again))]
    kept = sorted(set(covered) & modified)
    if kept:
        said.append(left.format(len(kept), ", ".join(kept)))
    return said


def _files(root: Path) -> tuple[list[str], list[str]]:
    tracked = _z(run(["ls-files", "-z", "--cached"], root))
    others = _z(run(["ls-files", "-z", "--others", "--exclude-standard"], root))
    tracked = list(dict.fromkeys(tracked))
    return tracked, sorted({*tracked, *others})


def install(extra: list[str], checkout: bool = True, hook: bool = True) -> list[str]:
    """Set everything up (again); returns what was done, for the user."""
    root = _root()
    command = sealer_command()
    said: list[str] = []
    modified = _modified(root)
    tracked, all_files = _files(root)
    sealed = _sealed(root, tracked)
    cov = coverage(root, all_files, sealed)
    audit = _audit_lines(root, command)
    globs = cov.globs + [p for p in extra if p not in cov.globs]
    _write_attributes(root, _block(globs, [], audit))
    attrs = _filter_attr(root, cov.files)
    listed = [f for f in cov.files if attrs.get(f) != "sealer"]
    _write_attributes(root, _block(globs, listed, audit))
    said.append(
        f".gitattributes: {len(globs)} pattern(s) and {len(listed)} listed file(s) "
        "marked filter=sealer diff=sealer merge=sealer (commit it)"
    )
    for regex in cov.untranslated:
        said.append(
            f"warning: path_regex {regex} has no exact .gitattributes form; its files are "
            "listed one by one: run `sealer git install` again after adding new ones"
        )
    for key, value in git_config(command).items():
        _set(root, key, value)
    if _unset(root, "diff.sealer.cachetextconv"):
        said.append("warning: removed diff.sealer.cachetextconv (it stores plaintext as notes)")
    said.append("git config: filter.sealer (process, required), diff.sealer, merge.sealer")
    said += _no_rerere(root)
    if hook:
        said.append(_install_hook(root, command))
    covered = [f for f, v in _filter_attr(root, tracked).items() if v == "sealer"]
    if checkout:
        said += _recheckout(
            root, covered, modified, "checked out {} covered file(s) again",
            "left {} modified covered file(s) as they are: {}",
        )  # fmt: skip
    stored_sealed = set(sealed)
    plain = [f for f in covered if f not in stored_sealed]
    if plain:
        said.append(
            f"{len(plain)} covered file(s) are stored in plaintext; `git add` seals them: "
            + ", ".join(plain[:10])
            + (" …" if len(plain) > 10 else "")
        )
    return said


def uninstall(checkout: bool = True) -> list[str]:
    root = _root()
    said: list[str] = []
    tracked, _ = _files(root)
    covered = [f for f, v in _filter_attr(root, tracked).items() if v == "sealer"]
    modified = _modified(root)
    path = root / ".gitattributes"
    if path.exists() and BEGIN in path.read_text(encoding="utf-8"):
        _write_attributes(root, [])
        said.append("removed sealer's block from .gitattributes (commit it)")
    for section in SECTIONS:
        _unset_section(root, section)
    _unset(root, MARK)
    said.append("removed the filter.sealer, diff.sealer and merge.sealer config")
    if not _audit_declared(root):
        _unset_section(root, "merge.sealer-audit")
    hook = _hook_path(root)
    if hook.exists() and HOOK_MARK in hook.read_text(errors="replace"):
        hook.unlink()
        said.append(f"removed the pre-commit hook {hook.relative_to(root)}")
    if checkout:
        said += _recheckout(
            root, covered, modified, "checked out {} file(s) as stored (sealed)",
            "warning: {} modified file(s) keep their plaintext: {}",
        )  # fmt: skip
    return said
