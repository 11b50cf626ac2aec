"""`sealer check`: files that rules say must be sealed are sealed, intact, and verify.

For every file it is given: if a creation rule's `path_regex` matches it (a rule
without `path_regex` is a default for sealing, not a claim that every file is
secret), it must parse as a sealed file; with a key its MAC must verify, without
one its structure must be intact (recipients, a MAC, every value that the file's
own selection rule encrypts is an `ENC[…]` value). A sealed file no rule covers
is checked the same way. A plaintext file must not be the twin of a sealed one
(`secrets.dec.yaml` or `secrets.yaml.dec` next to `secrets.yaml`, `app.env`
next to `app.enc.env`). With `staged`, content comes from git's index: what
will be committed, not the working file (which git's filter may have decrypted).

It is also a keyless drift gate: a covered sealed file must be sealed as its
rule says (recipients by key group, threshold, selection rule,
`mac_only_encrypted`; `policy.drift`), and a path whose version in HEAD (or
`against`) is sealed must still be sealed, whatever the committed
`.gitattributes` or rules say now (a rename counts as the same path). Rules
files are never covered, not even by a rule whose `path_regex` matches them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sealer import document, enc, envelope, fileio, formats, git, policy, rules
from sealer.errors import Exit, FormatError, NoKeyError, SealerError
from sealer.metadata import Metadata
from sealer.scan import sources

if TYPE_CHECKING:
    from sealer.datakey import Keyring

PLAIN_MARKS = ("dec", "decrypted", "plain", "plaintext", "cleartext", "unsealed", "unencrypted")
SEALED_MARKS = ("enc", "encrypted", "sealed", "sops")
_TEXT_FORMATS = ("yaml", "json", "dotenv", "ini")


class DriftError(FormatError):
    """A covered file that is sealed, but not as its creation rule says."""

    def __init__(self, file: str, changes: list[str]):
        super().__init__(
            "not sealed as its creation rule says:\n" + "\n".join(f"  {c}" for c in changes),
            hint=f"a key holder runs `sealer updatekeys {file}` (then `sealer rotate {file}` "
            "if someone should lose access); if the rule is what is wrong, fix the rule",
            file=file,
        )
        self.changes = changes


@dataclass(frozen=True)
class Problem:
    path: str
    error: SealerError


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what was checked)

    @property
    def exit_code(self) -> int:
        codes = {int(p.error.exit_code) for p in self.problems}
        if not codes:
            return 0
        return codes.pop() if len(codes) == 1 else int(Exit.ERROR)


class Content:
    """File contents from the working tree, or from git's index."""

    def __init__(self, staged: bool):
        self.staged = staged
        self._blobs: git.Blobs | None = None
        self._index: dict[str, str] | None = None
        self._fetched: dict[str, bytes] = {}
        self._by_clean: set[str] | None = None
        # working-tree check: files sealer's git filter keeps sealed (plaintext here)
        self.stored: sources.SealedInGit | None = None

    def use_git_for_filtered(self, paths: Sequence[str]) -> None:
        """Read tracked `filter=sealer` files from the index: git holds them sealed."""
        self.stored = sources.SealedInGit.find(paths)
        if self.stored is not None:
            self._fetched.update(
                git.batch_read(list(self.stored.blobs.values()), cwd=self.stored.top)
            )

    def from_git(self, path: str) -> bool:
        return self.stored is not None and self.stored.blob_of(path) is not None

    def index(self) -> dict[str, str]:
        """Path (relative to cwd, normalised) -> blob id of every index entry."""
        if self._index is None:
            top = sources.require_repo()
            entries = sources.index_entries(["."], cwd=top)
            self._index = {os.path.relpath(os.path.join(top, p)): b for p, b in entries}
        return self._index

    def prefetch(self, paths: Sequence[str]) -> None:
        """Read the index blobs of `paths` in one go (staged): one git round trip, not one each."""
        if self.staged:
            index = self.index()
            blobs = [b for p in paths if (b := index.get(os.path.normpath(p))) is not None]
            self._fetched.update(git.batch_read(blobs))

    def sealed_by_clean(self, path: str) -> bool:
        """Staged, and a blob that sealer's clean filter sealed itself (see cleaned.py)."""
        if not self.staged:
            return False
        if self._by_clean is None:
            from sealer.gitfilter import cleaned

            top = Path(sources.require_repo())
            self._by_clean = cleaned.load(cleaned.record_path(str(git.git_dir(top))))
        blob = self.index().get(os.path.normpath(path))
        return blob is not None and blob in self._by_clean

    def blob(self, oid: str) -> bytes | None:
        if oid in self._fetched:
            return self._fetched[oid]
        if self._blobs is None:
            self._blobs = git.Blobs()
        return self._blobs.sized(oid)[0]

    def read(self, path: str) -> bytes | None:
        """The content, or None if there is no such file (in the index when staged)."""
        if self.staged:
            blob = self.index().get(os.path.normpath(path))
            if blob is not None:
                return self.blob(blob)
        elif self.stored is not None:
            blob = self.stored.blob_of(path)
            if blob is not None and blob in self._fetched:
                return self._fetched[blob]
        try:
            return Path(path).read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise FileNotFoundError(path) from None

    def exists(self, path: str) -> bool:
        if self.staged and os.path.normpath(path) in self.index():
            return True
        return os.path.isfile(path)

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()


def files_to_check(paths: Sequence[str], staged: bool) -> list[str]:
    if staged:
        if not paths:
            return [p for p, _ in sources.index_entries(None)]
        found = [p for p, _ in sources.index_entries(list(paths))]
        in_index = {os.path.normpath(p) for p in found}
        extra = [p for p in paths if os.path.normpath(p) not in in_index and not os.path.isdir(p)]
        return extra + found
    out: list[str] = []
    for path in paths or ["."]:
        if os.path.isdir(path):
            out.extend(sources._directory_files(path))
        else:
            out.append(path)
    return out


def sealed_before(rev: str, staged: bool) -> dict[str, tuple[str, str]]:
    """Changed paths (relative to cwd) -> (their path, blob id) in `rev`: renames followed.

    One `git diff --raw` against `rev`; empty when `rev` does not exist (a first commit).
    """
    top = sources.require_repo()
    if git.query(["rev-parse", "-q", "--verify", f"{rev}^{{tree}}"], top) is None:
        return {}
    out = git.run([
        "diff", *(["--cached"] if staged else []), "--raw", "-z", "-M", "--no-abbrev",
        "--diff-filter=ACMRT", rev, "--",
    ], top)  # fmt: skip
    fields = out.split(b"\0")
    found: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(fields) and fields[i].startswith(b":"):
        parts = fields[i].split()
        names = 2 if parts[4][:1] in (b"R", b"C") else 1
        old, new = fields[i + 1], fields[i + names]
        i += 1 + names
        if parts[4][:1] == b"A" or parts[0] in (b":160000", b":120000"):
            continue
        path = os.path.relpath(os.path.join(top, new.decode("utf-8", "surrogateescape")))
        found[path] = (old.decode("utf-8", "surrogateescape"), parts[2].decode())
    return found


class Checker:
    def __init__(
        self,
        content: Content,
        *,
        structure_only: bool,
        config: Path | None,
        before: dict[str, tuple[str, str]] | None = None,
        against: str = "HEAD",
    ):
        self.content = content
        self.structure_only = structure_only
        self.config = config
        self.before = before or {}
        self.against = against
        self._keyring: Keyring | None = None
        self._rules_for_dir: dict[str, Path | None] = {}
        self._rules: dict[Path, rules.Rules] = {}
        self._covered: dict[str, bool] = {}
        self._rel_dirs: dict[tuple[str, Path], str] = {}

    def check(self, path: str, report: Report) -> None:
        if sources.is_audit_log(path):
            return
        try:
            note = self._check(path)
        except SealerError as e:
            report.problems.append(Problem(path, e))
            return
        if note and self.content.from_git(path):
            note += " (as git holds it; the working file is its plaintext)"
        if note:
            report.notes.append((path, note))

    def _read(self, path: str) -> str:
        try:
            data = self.content.read(path)
        except OSError as e:
            raise _io_error(path, e) from None
        if data is None:
            raise _io_error(path, None)
        return fileio.decode(data)

    def _check(self, path: str) -> str | None:
        """Content is read only where it matters: covered files, text formats, twins."""
        if not self.content.exists(path):
            raise _io_error(path, None)
        fmt_name = formats.name_for_path(path)
        if self.content.sealed_by_clean(path):
            # sealed, MAC fresh: clean wrote it; a key would only verify it again. The
            # rules may have changed since, so a covered one is still held to its rule.
            if self.covered(path):
                fmt, own = formats.get(fmt_name), self._read(path)
                self._drift(path, document.read_metadata(fmt, own, file=path)[1], fmt, own)
            return "sealed by sealer's git filter (not opened again)"
        if self.covered(path):
            return self._sealed(path, self._read(path), fmt_name, covered=True)
        text = None
        earlier = self.before.get(os.path.normpath(path))
        if earlier is not None:
            text = self._read(path)
            if not _is_sealed(fmt_name, text) and self._was_sealed(*earlier):
                raise FormatError(
                    f"{self.against}:{earlier[0]} is sealed, but this version is not",
                    hint="a path sealed before stays sealed, whatever .gitattributes or the "
                    "rules say now: restore the rule (and `sealer git install`) and `git add` "
                    "it again, or `git rm --cached` it",
                    file=path,
                )
        if fmt_name in _TEXT_FORMATS:
            text = self._read(path)
            if "sops" in text and _is_sealed(fmt_name, text):
                return self._sealed(path, text, fmt_name) + " (no rule covers it)"
        twin = self._sealed_twin(path)
        if twin is None or _is_sealed(fmt_name, text if text is not None else self._read(path)):
            return None
        raise FormatError(
            f"plaintext twin of the sealed file {twin}",
            hint="do not commit decrypted copies; delete it or add it to .gitignore "
            "(git rm --cached to unstage it)",
            file=path,
        )

    def _was_sealed(self, old_path: str, blob: str) -> bool:
        data = self.content.blob(blob)
        return data is not None and _is_sealed(formats.name_for_path(old_path), fileio.decode(data))

    def reads(self, path: str) -> bool:
        """Whether checking `path` reads its content (covered, or text clean did not seal)."""
        if self.covered(path):
            return True  # clean's own output too: its metadata against the rule
        return formats.name_for_path(path) in _TEXT_FORMATS and not self.content.sealed_by_clean(
            path
        )

    def covered(self, path: str) -> bool:
        """Whether a creation rule with a path_regex matches `path` (never a rules file)."""
        if rules.is_rules_file(path):
            return False
        found = self._covered.get(path)
        if found is None:
            found = self._covered[path] = self._match(path)
        return found

    def _match(self, path: str) -> bool:
        rules_path = self._rules_path(path)
        if rules_path is None:
            return False
        if rules_path not in self._rules:
            self._rules[rules_path] = rules.load(rules_path)
        loaded = self._rules[rules_path]
        rel = self._relative(path, rules_path)
        return any(rules.path_matches(loaded, i, rel) for i in range(len(loaded.rules)))

    def _relative(self, path: str, rules_path: Path) -> str:
        """`rules.relative_to_rules`, resolving each directory once (not every file's path)."""
        if os.path.islink(path):
            return rules.relative_to_rules(path, rules_path)
        directory, name = os.path.split(path)
        key = (directory, rules_path)
        base = self._rel_dirs.get(key)
        if base is None:
            base = self._rel_dirs[key] = rules.relative_to_rules(directory or ".", rules_path)
        return name if base == "." else f"{base}/{name}"

    def _rules_path(self, path: str) -> Path | None:
        if self.config is not None:
            return self.config
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in self._rules_for_dir:
            self._rules_for_dir[directory] = rules.find(Path(directory))
        return self._rules_for_dir[directory]

    def _sealed(self, path: str, text: str, fmt_name: str, covered: bool = False) -> str:
        fmt = formats.get(fmt_name)
        parsed, meta = document.read_metadata(fmt, text, file=path)
        if covered:
            self._drift(path, meta, fmt, text)
        if not self.structure_only:
            try:
                document.open_text(fmt, text, self.keyring(), file=path)
            except NoKeyError:
                pass
            else:
                # the MAC covers values, not comments: a plaintext one is caught here
                check_structure(parsed, meta, path)
                return "sealed; MAC verified"
        check_structure(parsed, meta, path)
        return "sealed; structure intact (no key to verify the MAC)"

    def _drift(self, path: str, meta: Metadata, fmt: formats.Format, text: str) -> None:
        """Keyless: a covered file's recipients, groups, threshold and selection are its rule's."""
        changes = policy.drift(meta, path, self.config, fmt=fmt, plaintext=text)
        if changes:
            raise DriftError(path, changes)

    def keyring(self) -> Keyring:
        from sealer.datakey import Keyring

        if self._keyring is None:
            self._keyring = Keyring()
        return self._keyring

    def _sealed_twin(self, path: str) -> str | None:
        for candidate in twin_candidates(path):
            if not self.content.exists(candidate):
                continue
            try:
                data = self.content.read(candidate)
            except OSError:
                continue
            if data is not None:
                fmt_name = formats.name_for_path(candidate)
                if _is_sealed(fmt_name, fileio.decode(data)):
                    return candidate
        return None


def _is_sealed(fmt_name: str, text: str) -> bool:
    try:
        return document.is_sealed(formats.get(fmt_name), text)
    except SealerError:
        return False


def _io_error(path: str, error: OSError | None) -> SealerError:
    from sealer.errors import FileError

    if error is None or isinstance(error, FileNotFoundError):
        return FileError("no such file", file=path)
    return FileError(f"cannot read: {error.strerror}", file=path)


def check_structure(parsed: formats.Parsed, meta: Metadata, path: str) -> None:
    """A sealed file's shape, without a key: recipients, a MAC, every selected value sealed."""
    if not meta.groups or not all(meta.groups):
        raise FormatError("the sealed file names no recipients", file=path)
    for group in meta.groups:
        for stanza in group:
            if not stanza.enc:
                raise FormatError(f"a {stanza.type} recipient has no wrapped data key", file=path)
    if not enc.is_sealed(meta.mac):
        raise FormatError(
            "the file has no MAC (or it is not an ENC[...] value)",
            hint="restore the file from git, or seal it again",
            file=path,
        )
    envelope.require_sealed(
        parsed.docs,
        meta.selection,
        path,
        hint="the file was changed by hand; restore it, or seal it again",
    )


def twin_candidates(path: str) -> list[str]:
    """Names a sealed original of the plaintext file `path` would have."""
    directory, name = os.path.split(path)
    parts = name.split(".")
    names: list[str] = []
    lowered = [p.lower() for p in parts]
    for i in range(1, len(parts)):
        if lowered[i] in PLAIN_MARKS:
            names.append(".".join(parts[:i] + parts[i + 1 :]))
            names.extend(".".join([*parts[:i], m, *parts[i + 1 :]]) for m in SEALED_MARKS)
    if not any(p in PLAIN_MARKS or p in SEALED_MARKS for p in lowered[1:]):
        for m in SEALED_MARKS:
            if len(parts) > 1:
                names.append(".".join([*parts[:-1], m, parts[-1]]))
            names.append(f"{name}.{m}")
    return [os.path.join(directory, n) for n in names if n and n != name and n.strip(".")]


def run(
    paths: Sequence[str],
    *,
    staged: bool,
    structure_only: bool = False,
    config: Path | None = None,
    against: str | None = None,
) -> Report:
    """Check `paths`; a path sealed in `against` (with `staged`: HEAD) must still be sealed."""
    report = Report()
    content = Content(staged)
    try:
        rev = against or ("HEAD" if staged else None)
        before = sealed_before(rev, staged) if rev else None
        checker = Checker(
            content, structure_only=structure_only, config=config, before=before,
            against=rev or "HEAD",
        )  # fmt: skip
        files = files_to_check(paths, staged)
        if staged:
            content.prefetch([p for p in files if checker.reads(p)])
        else:
            content.use_git_for_filtered(files)
        for path in files:
            checker.check(path, report)
    finally:
        content.close()
    return report


def as_json(report: Report) -> dict[str, object]:
    """The report for `sealer check --json`: one entry per file with a problem or a note."""
    files: list[dict[str, object]] = []
    for problem in report.problems:
        e = problem.error
        entry: dict[str, object] = {
            "path": problem.path, "ok": False, "exit_code": int(e.exit_code),
            "error": e.message, "hint": e.hint,
        }  # fmt: skip
        if isinstance(e, DriftError):
            entry["drift"] = e.changes
        files.append(entry)
    files += [{"path": path, "ok": True, "checked": note} for path, note in report.notes]
    return {"ok": not report.problems, "exit_code": report.exit_code, "files": files}
