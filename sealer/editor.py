"""`sealer edit`: the plaintext in an editor, on a private file, never losing work.

The plaintext goes to a 0600 file in a fresh 0700 directory `sealer-edit-*`
(on /dev/shm when there is one; see privatedir.py). After the editor exits:
no change, nothing written; content that no longer parses sends the user back
to the editor (on a terminal) or keeps the edits in the private file and says
where; any failure leaves the sealed file as it was. The file is written
atomically, and only if nobody changed it while the editor was open.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sealer import document, fileio, policy
from sealer.datakey import Keyring
from sealer.errors import SealerError
from sealer.filelock import replace_if_unchanged
from sealer.privatedir import LOCK, PrivateDir, abandoned, base, memory_dir

if TYPE_CHECKING:
    from sealer.formats import Format

SCRATCH_PREFIX = "sealer-edit-"


class EditorFailed(SealerError):
    pass


def _report_abandoned() -> None:
    """Say where a killed `sealer edit` left plaintext (it may be unsaved work).

    A leftover that holds nothing but its lock (killed before the plaintext was
    written, or while cleaning up) has nothing to lose: it is removed quietly.
    """
    for leftover in abandoned(SCRATCH_PREFIX):
        if _only_locks(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
            continue
        sys.stderr.write(
            f"sealer: warning: an earlier `sealer edit` stopped without cleaning up; its "
            f"plaintext is in {leftover} (only you can read it): keep what you need, then "
            f"remove it with: rm -r {leftover}\n"
        )


def _only_locks(directory: Path) -> bool:
    try:
        return all(name in (LOCK, f"{LOCK}.new") for name in os.listdir(directory))
    except OSError:
        return False


def editor_command() -> list[str]:
    for var in ("SEALER_EDITOR", "SOPS_EDITOR", "EDITOR", "VISUAL"):
        value = os.environ.get(var)
        if value:
            return shlex.split(value)
    for name in ("vim", "nano", "vi"):
        if shutil.which(name):
            return [name]
    raise EditorFailed("no editor found", hint="set SEALER_EDITOR or EDITOR, e.g. EDITOR=nano")


def edit(
    path: str,
    fmt: Format,
    keyring: Keyring,
    *,
    new_policy: Callable[[], document.Policy],
    ignore_mac: bool = False,
    interactive: bool | None = None,
    config: str | None = None,
) -> bool:
    """Edit a sealed file (or create one); True if it was written.

    Re-sealing goes through `policy.reseal`: the file as committed may name
    other recipients than its rule (`config`, else the rules file found).
    """
    interactive = sys.stdin.isatty() if interactive is None else interactive
    exists = os.path.exists(path)
    original = fileio.read(path) if exists else None
    opened = None
    if original is not None:
        opened = document.open_text(fmt, original, keyring, file=path, ignore_mac=ignore_mac)
    plaintext = opened.plaintext if opened else ""
    _report_abandoned()
    if memory_dir() is None:
        sys.stderr.write(
            f"sealer: warning: no /dev/shm here, so the plaintext goes to a private file on "
            f"disk in {base()} while you edit (removed afterwards, but a disk may keep its "
            "blocks); set SEALER_PRIVATE_DIR to a memory-backed directory to avoid that\n"
        )
    private = PrivateDir(SCRATCH_PREFIX)
    workdir = private.path
    keep = False
    try:
        scratch = workdir / Path(path).name
        _write_private(scratch, plaintext)
        while True:
            _run_editor(scratch)
            edited = fileio.read(str(scratch))
            if edited == plaintext:
                return False
            try:
                if opened is not None:
                    sealed, _ = policy.reseal(
                        fmt, edited, opened, path, strict=False, config=config
                    )
                else:
                    sealed = document.seal_text(fmt, edited, policy=new_policy(), file=path)
            except SealerError as e:
                if interactive and _ask_again(e):
                    continue
                keep = True
                failed = EditorFailed(
                    f"{e}; the sealed file is unchanged",
                    hint=f"your edits are kept in {scratch} (readable only by you); "
                    "fix them and run `sealer encrypt` on it, then delete it",
                )
                failed.exit_code = e.exit_code
                raise failed from None
            break
        if sealed == original:
            return False
        try:
            replace_if_unchanged(path, original, fileio.encode(sealed), doing="you were editing it")
        except SealerError as e:
            keep = True
            e.hint = f"your edits are kept in {scratch} (readable only by you)"
            raise
        return True
    except KeyboardInterrupt:
        keep = _differs(workdir, Path(path).name, plaintext)
        if keep:
            sys.stderr.write(f"sealer: interrupted; your edits are kept in {workdir}\n")
        raise
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        private.close()


def _differs(workdir: Path, name: str, plaintext: str) -> bool:
    try:
        return fileio.read(str(workdir / name)) != plaintext
    except SealerError:
        return False


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(fileio.encode(text))


def _run_editor(path: Path) -> None:
    command = [*editor_command(), str(path)]
    try:
        status = subprocess.call(command)
    except OSError as e:
        raise EditorFailed(
            f"cannot run the editor {command[0]!r}: {e.strerror}; the file is unchanged",
            hint="set SEALER_EDITOR or EDITOR to an editor that exists",
        ) from None
    if status != 0:
        raise EditorFailed(f"the editor exited with status {status}; the file is unchanged")


def _ask_again(error: SealerError) -> bool:
    sys.stderr.write(f"sealer: error: {error}\n")
    if error.hint:
        sys.stderr.write(f"sealer: hint: {error.hint}\n")
    sys.stderr.write("sealer: press Enter to edit again, or Ctrl-C to give up (edits are kept)\n")
    try:
        return sys.stdin.readline() != ""
    except KeyboardInterrupt:
        return False
