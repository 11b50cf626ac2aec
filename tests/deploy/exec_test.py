"""`sealer exec`: values reach the command, nothing decrypted outlives it, signals pass."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from sealer.deploy import exec as runner
from tests.deploy.conftest import Seal
from tests.helpers import sealer

SHOW_ENV = "import json, os; print(json.dumps(dict(os.environ)))"

# A command that records where its file is, then waits; SIGTERM makes it exit 3.
WAITER = """\
import os, pathlib, signal, sys, time
out = pathlib.Path(sys.argv[1])
def on_term(signo, frame):
    pathlib.Path(str(out) + ".term").write_text(str(signo))
    sys.exit(3)
signal.signal(signal.SIGTERM, on_term)
pathlib.Path(str(out) + ".new").write_text(sys.argv[2])
os.replace(str(out) + ".new", out)  # whole, so the test never reads it half-written
while True:
    time.sleep(0.05)
"""


def wait_for(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def plaintext_under(secret: bytes, *roots: Path) -> list[Path]:
    """Files under `roots` (and all of this test's private directory) that hold `secret`."""
    found = []
    for root in (*roots, Path(os.environ["SEALER_PRIVATE_DIR"])):
        if not root.exists():
            continue
        for path in [root] if root.is_file() else root.rglob("*"):
            try:
                if path.is_file() and secret in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


def start(*args: str, **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sealer", "exec", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,  # type: ignore[arg-type]
    )


def start_waiter(in_tmp: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """sealer exec --file app.yaml running WAITER; returns it and the private file's path."""
    (in_tmp / "waiter.py").write_text(WAITER)
    proc = start("--file", "app.yaml", "--", sys.executable, "waiter.py", "where", "{}")
    wait_for(lambda: (in_tmp / "where").exists(), "the command to start")
    return proc, Path((in_tmp / "where").read_text())


@pytest.fixture
def secret_file(seal: Seal) -> tuple[Path, bytes]:
    secret = uuid.uuid4().hex
    return seal("app.yaml", f"db:\n  password: {secret}\n"), secret.encode()


def test_the_command_sees_values_as_environment_variables(seal: Seal) -> None:
    seal("app.yaml", "db:\n  password: hunter2\n  port: 5432\nhosts: [a, b]\nflag: true\n")
    seal("more.env", "API_TOKEN=t0ken\n")
    r = sealer(
        "exec", "--env", "app.yaml", "--env", "more.env", "--", sys.executable, "-c", SHOW_ENV
    )
    assert r.returncode == 0, r.stderr
    env = json.loads(r.stdout)
    assert {k: env[k] for k in ("db_password", "db_port", "hosts_0", "hosts_1", "flag")} == {
        "db_password": "hunter2",
        "db_port": "5432",
        "hosts_0": "a",
        "hosts_1": "b",
        "flag": "true",
    }
    assert env["API_TOKEN"] == "t0ken"
    assert env["HOME"] == os.environ["HOME"]  # inherited by default


def test_no_inherit_starts_from_an_empty_environment(seal: Seal) -> None:
    seal("app.env", "ONLY=this\n")
    r = sealer("exec", "--no-inherit", "--env", "app.env", "--", sys.executable, "-c", SHOW_ENV)
    assert r.returncode == 0, r.stderr
    env = json.loads(r.stdout)
    env.pop("LC_CTYPE", None)  # the child's Python may add it for a C locale
    assert env == {"ONLY": "this"}


def test_a_name_set_by_two_files_stops_before_the_command_runs(seal: Seal, in_tmp: Path) -> None:
    seal("a.yaml", "token: 1\n")
    seal("b.env", "token=2\n")
    r = sealer("exec", "--env", "a.yaml", "--env", "b.env", "--", "touch", "ran")
    assert r.returncode == 4
    assert 'token is set by both a.yaml ["token"] and b.env ["token"]' in r.stderr
    assert not (in_tmp / "ran").exists()


def test_an_invalid_name_and_a_nul_value_are_errors(seal: Seal, in_tmp: Path) -> None:
    seal("bad.yaml", "my-key: 1\n")
    r = sealer("exec", "--env", "bad.yaml", "--", "touch", "ran")
    assert r.returncode == 4
    assert "bad.yaml: [\"my-key\"]: 'my-key' is not a valid environment variable" in r.stderr
    seal("nul.json", '{"k": "hunter\\u0000two"}')
    r = sealer("exec", "--env", "nul.json", "--", "touch", "ran")
    assert r.returncode == 4
    assert 'nul.json: ["k"]: the value holds a NUL byte' in r.stderr
    assert "hunter" not in r.stderr
    assert not (in_tmp / "ran").exists()


def test_files_are_private_substituted_and_gone_after_exit(
    secret_file: tuple[Path, bytes], in_tmp: Path
) -> None:
    _, secret = secret_file
    script = (
        "import os, stat, sys; p = sys.argv[1]; d = os.path.dirname(p);"
        "print(p, oct(stat.S_IMODE(os.stat(d).st_mode)), oct(stat.S_IMODE(os.stat(p).st_mode)));"
        "sys.stdout.write(open(sys.argv[2]).read())"
    )
    r = sealer("exec", "--file", "app.yaml", "--file", "app.yaml:copy", "--",
               sys.executable, "-c", script, "{app.yaml}", "{copy}")  # fmt: skip
    assert r.returncode == 0, r.stderr
    first, content = r.stdout.split("\n", 1)
    where, dir_mode, file_mode = first.split()
    assert where.startswith(os.environ["SEALER_PRIVATE_DIR"] + "/sealer-exec-")
    assert (dir_mode, file_mode) == ("0o700", "0o600")
    assert secret in content.encode()
    assert not Path(where).parent.exists()
    assert plaintext_under(secret, in_tmp) == []


def test_braces_that_name_no_file_are_left_alone(secret_file: tuple[Path, bytes]) -> None:
    r = sealer("exec", "--file", "app.yaml:conf", "--", "echo", "{conf}", "{other}", "{print $1}")
    assert r.returncode == 0, r.stderr
    path, other, awk = r.stdout.split(" ", 2)
    assert path.endswith("/conf") and (other, awk) == ("{other}", "{print $1}\n")
    r = sealer("exec", "--file", "app.yaml:a", "--file", "app.yaml:b", "--", "cat", "{}")
    assert r.returncode == 1
    assert "{} stands for the only --file, but there are 2 files" in r.stderr


def test_fifo_files_are_served_from_memory(secret_file: tuple[Path, bytes]) -> None:
    _, secret = secret_file
    script = (
        "import os, stat, sys; print(stat.S_ISFIFO(os.stat(sys.argv[1]).st_mode));"
        "print(open(sys.argv[1]).read())"
    )
    r = sealer("exec", "--fifo", "--file", "app.yaml", "--", sys.executable, "-c", script, "{}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("True\n") and secret.decode() in r.stdout


def test_a_command_that_never_opens_its_fifo_does_not_hang_sealer(
    secret_file: tuple[Path, bytes],
) -> None:
    r = sealer("exec", "--fifo", "--file", "app.yaml", "--", "true", "{}")
    assert r.returncode == 0, r.stderr


def test_without_shm_files_are_fifos_in_the_temp_directory(tmp_path: Path) -> None:
    base, fifo = runner.base_dir(False, shm=tmp_path / "no-shm")
    assert (base, fifo) == (Path(os.environ.get("TMPDIR", "/tmp")), True)
    assert runner.base_dir(False) == (Path(os.environ["SEALER_PRIVATE_DIR"]), False)


def test_the_exit_status_passes_through(secret_file: tuple[Path, bytes]) -> None:
    r = sealer("exec", "--env", "app.yaml", "--", "sh", "-c", "exit 7")
    assert r.returncode == 7
    assert sealer("exec", "--", "no-such-command-xyz").returncode == 127
    assert sealer("exec", "--", "/etc/hostname").returncode == 126


def test_a_command_killed_by_a_signal_leaves_nothing(
    secret_file: tuple[Path, bytes], in_tmp: Path
) -> None:
    _, secret = secret_file
    script = "import os, sys; print(sys.argv[1], flush=True); os.kill(os.getpid(), 9)"
    r = sealer("exec", "--file", "app.yaml", "--", sys.executable, "-c", script, "{}")
    assert r.returncode == -signal.SIGKILL  # sealer dies of the same signal
    assert not Path(r.stdout.strip()).parent.exists()
    assert plaintext_under(secret, in_tmp) == []


def test_sigterm_reaches_the_command_and_files_go(
    secret_file: tuple[Path, bytes], in_tmp: Path
) -> None:
    _, secret = secret_file
    proc, private = start_waiter(in_tmp)
    assert secret in private.read_bytes()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=15)
    assert proc.returncode == 3  # the command's own exit status
    assert (in_tmp / "where.term").read_text() == str(int(signal.SIGTERM))
    assert not private.parent.exists()
    assert plaintext_under(secret, in_tmp) == []


def test_sealer_killed_outright_leaves_no_plaintext(
    secret_file: tuple[Path, bytes], in_tmp: Path
) -> None:
    _, secret = secret_file
    proc, private = start_waiter(in_tmp)
    proc.kill()
    proc.communicate(timeout=15)
    assert proc.returncode == -signal.SIGKILL
    # the kernel sends the command SIGTERM, the guardian removes the directory
    wait_for(lambda: (in_tmp / "where.term").exists(), "the command to get SIGTERM")
    wait_for(lambda: not private.parent.exists(), "the guardian to remove the directory")
    assert plaintext_under(secret, in_tmp) == []


def guardian_of(run_dir: Path) -> int:
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(run_dir).encode() in argv and b"-S" in argv:
                return int(proc.name)
    raise AssertionError(f"no guardian for {run_dir}")


def test_the_next_run_sweeps_what_a_killed_sealer_and_guardian_left(
    secret_file: tuple[Path, bytes], in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a run directory of its own, so exec runs of tests in parallel do not sweep it first
    runtime = in_tmp / f"sealer-test-{uuid.uuid4().hex[:8]}"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("SEALER_EXEC_DIR", str(runtime))
    _, secret = secret_file
    proc, private = start_waiter(in_tmp)
    os.kill(guardian_of(private.parent), signal.SIGKILL)
    proc.kill()
    proc.communicate(timeout=15)
    wait_for(lambda: (in_tmp / "where.term").exists(), "the command to get SIGTERM")
    time.sleep(0.2)
    assert private.exists()  # nobody was left to clean up: the next run does
    r = sealer("exec", "--file", "app.yaml", "--", "true")
    assert r.returncode == 0, r.stderr
    assert not private.parent.exists()
    assert plaintext_under(secret, in_tmp) == []
    runtime.rmdir()


def test_a_live_run_is_not_swept(secret_file: tuple[Path, bytes], in_tmp: Path) -> None:
    proc, private = start_waiter(in_tmp)
    assert private.parent not in runner.sweep(Path(os.environ["SEALER_PRIVATE_DIR"]))
    assert private.exists()
    proc.terminate()
    proc.communicate(timeout=15)


COUNT_INTS = """\
import pathlib, signal, sys
# sigwaitinfo, not a handler: Python runs a handler once for signals that
# arrive close together, which would hide a duplicate
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
pathlib.Path(sys.argv[1]).write_text("ready")
got = 0
while signal.sigtimedwait([signal.SIGINT], 1.0 if got else 30.0):
    got += 1
sys.exit(got)
"""


def test_ctrl_c_at_a_terminal_reaches_the_command_once(seal: Seal, in_tmp: Path) -> None:
    seal("app.env", "A=1\n")
    (in_tmp / "count.py").write_text(COUNT_INTS)
    master, slave = os.openpty()

    def controlling_tty() -> None:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "sealer", "exec", "--env", "app.env", "--",
         sys.executable, "count.py", "ready"],
        stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling_tty,
    )  # fmt: skip
    os.close(slave)
    try:
        wait_for(lambda: (in_tmp / "ready").exists(), "the command to start")
        os.write(master, b"\x03")  # ^C: the terminal signals the whole foreground group
        assert proc.wait(timeout=15) == 1
    finally:
        os.close(master)


def test_a_signal_sent_to_sealer_alone_is_forwarded(seal: Seal, in_tmp: Path) -> None:
    seal("app.env", "A=1\n")
    (in_tmp / "count.py").write_text(COUNT_INTS)
    proc = start("--env", "app.env", "--", sys.executable, "count.py", "ready")
    wait_for(lambda: (in_tmp / "ready").exists(), "the command to start")
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=15)
    assert proc.returncode == 1
