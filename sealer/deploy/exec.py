"""`sealer exec`: run a command with decrypted values, and leave no plaintext behind.

Values of `--env` files become environment variables (nothing is written).
`--file` contents go into a fresh 0700 directory on /dev/shm (memory), or into
FIFOs that are written once from sealer's memory when /dev/shm is missing or
`--fifo` is given. The directory is removed:

* when the command exits, however it exits (sealer waits for it, then removes);
* when sealer is interrupted or terminated (the signal is forwarded, sealer waits);
* when sealer is killed outright (SIGKILL): the command gets SIGTERM from the
  kernel (PR_SET_PDEATHSIG) and a guardian process, started before anything
  was written and outside sealer's process group, removes the directory as soon
  as sealer's end of a pipe closes;
* if the guardian is killed as well: by the next `sealer exec` of the same user,
  which removes every run directory whose lock nobody holds any more.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sealer import privatedir
from sealer.deploy.flatten import Variable
from sealer.errors import Exit, FileError, SealerError

DIR_PREFIX = "sealer-exec-"
# Signals sealer passes on to the command (SIGCHLD tells it the command ended).
FORWARD = (
    signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM,
    signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH, signal.SIGALRM,
)  # fmt: skip
SI_KERNEL = 0x80  # si_code of a signal the kernel sent (a terminal's ^C goes to the group)
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.-]*)\}")

# The guardian: a fresh interpreter (none of sealer's memory) in its own session.
# It removes the run directory once its stdin, whose writing end only sealer
# holds, reaches EOF: that happens however sealer ends, SIGKILL included.
GUARDIAN = """\
import os, shutil, signal, sys
for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT):
    signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_SETMASK, [])
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdout.close()
while sys.stdin.buffer.read(4096):
    pass
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


# Variables that hold a private key, passphrase or PIN themselves: sealer needed them
# to open the files, CMD does not get them (README, "sealer exec").
KEY_VARIABLES = (
    "SEALER_AGE_KEY", "SOPS_AGE_KEY", "SEALER_SSH_PASSPHRASE", "SEALER_PKCS11_PIN",
)  # fmt: skip
# Variables that choose code a program loads or runs, or where it finds programs and
# libraries. Only a sealed value may set one: a plaintext value's key name is not
# authenticated (sops' MAC hashes values, not key paths; with mac_only_encrypted
# not even the values), so anyone who can commit could otherwise add `LD_PRELOAD:`.
DANGEROUS_NAMES = frozenset(
    (
        "PATH", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "CDPATH",
        "PROMPT_COMMAND", "GLOBIGNORE", "HOME", "TMPDIR", "SHELL", "EDITOR", "VISUAL",
        "PAGER", "LESSOPEN", "GCONV_PATH", "HOSTALIASES", "RESOLV_HOST_CONF",
        "PERL5LIB", "PERL5OPT", "PERLLIB", "RUBYLIB", "RUBYOPT", "NODE_OPTIONS",
        "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
        "CLASSPATH", "LUA_PATH", "LUA_CPATH", "TCLLIBPATH", "PHPRC", "PHP_INI_SCAN_DIR",
        "GEM_PATH", "GEM_HOME", "BUNDLE_GEMFILE", "OPENSSL_CONF", "OPENSSL_ENGINES",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "XDG_CONFIG_HOME", "XDG_DATA_DIRS",
    )
)  # fmt: skip
DANGEROUS_PREFIXES = (
    "LD_", "DYLD_", "PYTHON", "BASH_FUNC_", "GIT_", "SEALER_", "SOPS_", "MALLOC_", "GLIBC_",
)  # fmt: skip


class CommandError(SealerError):
    exit_code = Exit.ERROR


def is_dangerous(name: str) -> bool:
    return name in DANGEROUS_NAMES or name.startswith(DANGEROUS_PREFIXES)


def child_environment(
    inherited: Mapping[bytes, bytes], values: Mapping[str, bytes]
) -> dict[bytes, bytes]:
    """CMD's environment: the inherited one without key material, then the values."""
    env = {k: v for k, v in inherited.items() if k.decode("utf-8", "replace") not in KEY_VARIABLES}
    env.update({name.encode(): value for name, value in values.items()})
    return env


class CommandNotFound(CommandError):
    exit_code = Exit.COMMAND_NOT_FOUND


class CannotRun(CommandError):
    exit_code = Exit.CANNOT_RUN


@dataclass(frozen=True)
class FileSpec:
    source: str
    name: str


def parse_file_spec(text: str) -> FileSpec:
    """`FILE[:NAME]`; NAME defaults to FILE's base name."""
    source, sep, name = text.rpartition(":")
    if not sep or not _NAME.match(name) or not source:
        source, name = text, os.path.basename(text)
    if not _NAME.match(name):
        raise CommandError(
            f"--file {text}: {name!r} cannot name a file",
            hint="add :NAME with letters, digits, _, . and - (not starting with .)",
        )
    return FileSpec(source, name)


def substitute(args: Sequence[str], files: Mapping[str, str]) -> list[str]:
    """Replace `{NAME}` by the path of file NAME and `{}` by the only file's path.

    Braces around anything else (`{print $1}`, `{x}` for an unknown name) stay.
    """

    def repl(m: re.Match[str]) -> str:
        name = m[1]
        if name == "":
            if len(files) != 1:
                raise CommandError(
                    f"{{}} stands for the only --file, but there are {len(files) or 'no'} files",
                    hint="name each file and write {NAME}: --file FILE:NAME",
                )
            return next(iter(files.values()))
        return files.get(name, m[0])

    return [_PLACEHOLDER.sub(repl, a) for a in args]


def resolve(program: str, path: str | None) -> str:
    """The executable sealer starts, found on sealer's own PATH."""
    if "/" in program:
        found: str | None = program if os.path.exists(program) else None
    else:
        found = shutil.which(program, path=path)
    if found is None:
        raise CommandNotFound(f"{program}: command not found")
    if not os.access(found, os.X_OK) or os.path.isdir(found):
        raise CannotRun(f"{program}: cannot run it (not an executable file)")
    return found


# --- the private directory ---------------------------------------------------


def base_dir(fifo: bool, shm: Path | None = None) -> tuple[Path, bool]:
    """Where run directories go, and whether files must be FIFOs (no tmpfs).

    `SEALER_EXEC_DIR` names another memory-backed directory (e.g. /run/user/UID);
    else `SEALER_PRIVATE_DIR` or /dev/shm, as for every private directory.
    """
    if shm is None:
        chosen = os.environ.get("SEALER_EXEC_DIR")
        memory = Path(chosen) if chosen else privatedir.memory_dir()
    else:
        memory = shm
    if memory is not None and memory.is_dir() and os.access(memory, os.W_OK | os.X_OK):
        return memory, fifo
    return Path(tempfile.gettempdir()), True


def sweep(base: Path) -> list[Path]:
    """Remove run directories of this user whose sealer and guardian are both gone."""
    removed = privatedir.abandoned(DIR_PREFIX, base)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


class RunDir:
    """A locked 0700 run directory with a guardian that outlives sealer."""

    def __init__(self, base: Path):
        private = privatedir.PrivateDir(DIR_PREFIX, base)
        self.path, self.lock_fd = private.path, private.lock_fd
        self._guard_w: int | None = None
        self.guardian: subprocess.Popen[bytes] | None = None

    def start_guardian(self) -> None:
        r, w = os.pipe()
        try:
            self.guardian = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", GUARDIAN, str(self.path)],
                stdin=r,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(self.lock_fd,),
                start_new_session=True,
            )
        finally:
            os.close(r)
        self._guard_w = w
        assert self.guardian.stdout is not None
        if self.guardian.stdout.readline() != b"ready\n":
            raise CommandError("could not start the clean-up guardian process")
        self.guardian.stdout.close()

    def write(self, name: str, data: bytes) -> Path:
        path = self.path / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return path

    def fifo(self, name: str) -> Path:
        path = self.path / name
        os.mkfifo(path, 0o600)
        return path

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._guard_w is not None:
            os.close(self._guard_w)  # the guardian finds nothing left and exits
            self._guard_w = None
        with contextlib.suppress(OSError):
            os.close(self.lock_fd)


class FifoWriter(threading.Thread):
    """Serves one FIFO once, from memory: the plaintext never lands in a file."""

    def __init__(self, path: Path, data: bytes):
        super().__init__(daemon=True)
        self.path, self.data = path, data
        self.opened = threading.Event()

    def run(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY)
        except OSError:
            return
        self.opened.set()
        try:
            view = memoryview(self.data)
            while view:
                view = view[os.write(fd, view) :]
        except OSError:
            pass  # the reader went away
        finally:
            os.close(fd)

    def release(self) -> None:
        """Unblock a writer still waiting for a reader, so the thread ends."""
        if not self.opened.is_set():
            with contextlib.suppress(OSError):
                os.close(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK))
        self.join(timeout=1)


# --- running the command -----------------------------------------------------


Prctl = Callable[[int, int], int]


def _libc_prctl() -> Prctl | None:
    try:
        prctl: Prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


def _child_setup(prctl: Prctl | None, parent: int, core: tuple[int, int]) -> None:
    """Runs in the child between fork and exec: undo sealer's own hardening."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    resource.setrlimit(resource.RLIMIT_CORE, core)
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # sealer died before the line above took effect
            os.kill(os.getpid(), signal.SIGTERM)


@contextlib.contextmanager
def _hardened() -> Iterator[tuple[Prctl | None, tuple[int, int]]]:
    """No core dumps and no ptrace of sealer while it holds plaintext."""
    prctl = _libc_prctl()
    core = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, core[1]))
    if prctl is not None:
        prctl(PR_SET_DUMPABLE, 0)
    try:
        yield prctl, core
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, core)


def run(
    argv: Sequence[str],
    env: Mapping[bytes, bytes],
    files: Sequence[tuple[FileSpec, bytes]] = (),
    *,
    fifo: bool = False,
    shm: Path | None = None,
) -> int:
    """Run `argv` and return its exit status (negative: killed by that signal)."""
    program = resolve(argv[0], os.environ.get("PATH"))
    names = [spec.name for spec, _ in files]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CommandError(f"two --file entries are named {dupes[0]}", hint="give one :NAME")
    waitset = {*FORWARD, signal.SIGCHLD}
    run_dir: RunDir | None = None
    writers: list[FifoWriter] = []
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, waitset)
    try:
        with _hardened() as (prctl, core):
            paths: dict[str, str] = {}
            pending: list[tuple[Path, bytes]] = []
            if files:
                base, use_fifo = base_dir(fifo, shm)
                sweep(base)
                try:
                    run_dir = RunDir(base)
                    run_dir.start_guardian()
                    for spec, data in files:
                        if use_fifo:
                            pending.append((run_dir.fifo(spec.name), data))
                            paths[spec.name] = str(pending[-1][0])
                        else:
                            paths[spec.name] = str(run_dir.write(spec.name, data))
                except OSError as e:
                    raise FileError(f"cannot make the private directory: {e.strerror}") from None
            args = substitute(argv[1:], paths)
            parent = os.getpid()
            try:
                child = subprocess.Popen(
                    [argv[0], *args],
                    executable=program,
                    env=dict(env),
                    preexec_fn=lambda: _child_setup(prctl, parent, core),
                )
            except OSError as e:
                raise CannotRun(f"{argv[0]}: cannot run it: {e.strerror}") from None
            for path, data in pending:
                writers.append(FifoWriter(path, data))
                writers[-1].start()
            return _supervise(child, waitset)
    finally:
        for w in writers:
            w.release()
        if run_dir is not None:
            run_dir.remove()
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def _supervise(child: subprocess.Popen[bytes], waitset: set[signal.Signals]) -> int:
    """Pass signals on until the command ends; its wait status as an exit code."""
    same_group = os.getpgid(child.pid) == os.getpgrp()
    while True:
        info = signal.sigwaitinfo(waitset)
        if info.si_signo == signal.SIGCHLD:
            pid, status = os.waitpid(child.pid, os.WNOHANG)
            if pid == child.pid:
                child.returncode = os.waitstatus_to_exitcode(status)
                return child.returncode
            continue
        if info.si_code == SI_KERNEL and same_group:
            continue  # the terminal sent it to the whole group: the command has it
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, info.si_signo)


def exit_like(status: int) -> int:
    """sealer's own exit for the command's status: the same code, or the same signal."""
    if status >= 0:
        return status
    sig = -status
    sys.stdout.flush()
    sys.stderr.flush()
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP have no handler
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    return 128 + sig  # a signal whose default is to carry on (SIGCHLD, SIGWINCH, ...)


def refuse_plaintext_dangerous(
    variables: Sequence[Variable], sealed_paths: frozenset[tuple[str | int, ...]], file: str
) -> None:
    """A variable from a value that was not sealed may not have a dangerous name."""
    from sealer.envelope import show_path

    for var in variables:
        if var.path not in sealed_paths and is_dangerous(var.name):
            raise CommandError(
                f"{show_path(var.path)}: a plaintext value may not set {var.name}",
                hint="only a sealed value may set PATH, LD_*, PYTHON* and the like "
                "(README, 'sealer exec'); seal it, or set it outside sealer",
                file=file,
            )
