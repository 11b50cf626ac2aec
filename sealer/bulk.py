"""`encrypt`/`decrypt --recursive DIR --out DIR`: a whole tree, one bad file stops nothing.

Every regular file under DIR (not following symlinks, skipping `.git`) gets a
counterpart at the same relative path under OUT. A file that fails is reported
at once and the run goes on; the exit status says whether any failed.

decrypt: sealed files are opened (plaintext 0600, new directories 0700); other
files are copied unchanged, so OUT is the tree as it deploys.
encrypt: every file is sealed for `--age` or its rule; files that are already
sealed and the rules files themselves are copied unchanged. A file no rule
covers is a failure: encrypt never puts plaintext into OUT. Nor does a file with
sops metadata whose selected values are not all sealed (checked without a key).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sealer import document, fileio, formats
from sealer.datakey import Keyring
from sealer.errors import Exit, FileError, SealerError
from sealer.rules import NAMES as RULES_FILES

PolicyFor = Callable[[Path], document.Policy]


@dataclass
class Outcome:
    done: list[Path] = field(default_factory=list)
    copied: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, SealerError]] = field(default_factory=list)

    def exit_code(self) -> int:
        codes = {int(e.exit_code) for _, e in self.failed}
        if not codes:
            return 0
        return codes.pop() if len(codes) == 1 else int(Exit.ERROR)


def files_under(root: Path) -> list[Path]:
    """Regular files below `root`, relative to it, sorted; `.git` and symlinks left out."""
    found: list[Path] = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root))
    return found


def check_dirs(src: Path, out: Path) -> None:
    if not src.is_dir():
        raise FileError(f"{src}: not a directory", hint="--recursive takes a directory")
    s, o = src.resolve(), out.resolve()
    if o == s or s in o.parents:
        raise FileError(f"{out}: the output directory is inside {src}", hint="put it elsewhere")


class Progress:
    """A one-line bar on a terminal; nothing when stderr is not one."""

    def __init__(self, total: int, verb: str, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.total, self.verb, self.count = total, verb, 0

    def _bar(self, label: str) -> None:
        width = max(10, min(30, shutil.get_terminal_size().columns - 40))
        filled = width * self.count // max(self.total, 1)
        pct = 100 * self.count // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        line = f"{self.verb} [{bar}] {self.count}/{self.total} {pct:3d}% {label}"
        self.stream.write("\r\x1b[K" + line[: shutil.get_terminal_size().columns - 1])
        self.stream.flush()

    def step(self, label: str) -> None:
        self.count += 1
        if self.enabled:
            self._bar(label)

    def say(self, text: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        if self.enabled and self.count:
            self._bar("")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _mkdirs(directory: Path, mode: int) -> None:
    """Like mkdir -p, but every directory it makes gets `mode` (less the umask)."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for d in reversed(missing):
        d.mkdir(mode=mode, exist_ok=True)


def _write(target: Path, text: str, mode: int, private: bool) -> None:
    _mkdirs(target.parent, 0o700 if private else 0o777)
    fileio.write_atomic(str(target), fileio.encode(text), mode=mode)


def _decrypt_one(src: Path, out: Path, keyring: Keyring, ignore_mac: bool) -> bool:
    fmt = formats.get(formats.name_for_path(str(src)))
    text = fileio.read(str(src))
    parsed = document.parse(fmt, text, str(src))
    if parsed.metadata is None:
        _write(out, text, src.stat().st_mode & 0o7777, private=True)
        return False
    opened = document.open_text(fmt, text, keyring, file=str(src), ignore_mac=ignore_mac)
    _write(out, opened.plaintext, 0o600, private=True)
    return True


def _encrypt_one(src: Path, out: Path, policy_for: PolicyFor) -> bool:
    text = fileio.read(str(src))
    mode = src.stat().st_mode & 0o7777
    fmt = formats.get(formats.name_for_path(str(src)))
    if src.name in RULES_FILES:
        _write(out, text, mode, private=False)
        return False
    parsed = document.parse(fmt, text, str(src))
    if parsed.metadata is not None:
        _check_copied(parsed, str(src))
        _write(out, text, mode, private=False)
        return False
    sealed = document.seal_text(fmt, text, policy=policy_for(src), file=str(src))
    _write(out, sealed, mode, private=False)
    return True


def _check_copied(parsed: formats.Parsed, path: str) -> None:
    """A file with sops metadata is copied only if it is sealed throughout: a hand-typed
    plaintext value (or a file with no MAC or recipients) must not reach --out."""
    from sealer import check, metadata

    check.check_structure(parsed, metadata.from_dict(parsed.metadata), path)


def _run(
    src: Path, out: Path, verb: str, one: Callable[[Path, Path], bool], stream: TextIO | None
) -> Outcome:
    check_dirs(src, out)
    files = files_under(src)
    progress = Progress(len(files), verb, stream)
    outcome = Outcome()
    for rel in files:
        try:
            changed = one(src / rel, out / rel)
        except SealerError as e:
            e.with_file(str(src / rel))
            outcome.failed.append((rel, e))
            progress.say(f"sealer: error: {e}")
        except OSError as e:
            error = FileError(f"{src / rel}: {e.strerror}")
            outcome.failed.append((rel, error))
            progress.say(f"sealer: error: {error}")
        else:
            (outcome.done if changed else outcome.copied).append(rel)
        progress.step(str(rel))
    progress.close()
    return outcome


def decrypt_tree(
    src: Path,
    out: Path,
    keyring: Keyring,
    *,
    ignore_mac: bool = False,
    stream: TextIO | None = None,
) -> Outcome:
    return _run(
        src, out, "decrypting", lambda s, o: _decrypt_one(s, o, keyring, ignore_mac), stream
    )


def encrypt_tree(
    src: Path, out: Path, policy_for: PolicyFor, *, stream: TextIO | None = None
) -> Outcome:
    return _run(src, out, "encrypting", lambda s, o: _encrypt_one(s, o, policy_for), stream)


def summary(outcome: Outcome, verb: str) -> str:
    parts = [f"{verb} {len(outcome.done)} file{'s' * (len(outcome.done) != 1)}"]
    parts.append(f"copied {len(outcome.copied)} unchanged")
    if outcome.failed:
        names = ", ".join(str(p) for p, _ in outcome.failed)
        parts.append(f"{len(outcome.failed)} failed: {names}")
    return "sealer: " + "; ".join(parts)


def report(outcome: Outcome, verb: str, stream: TextIO | None = None) -> int:
    """Print the summary line and return the exit status of the run."""
    (stream or sys.stderr).write(summary(outcome, verb) + "\n")
    return outcome.exit_code()
