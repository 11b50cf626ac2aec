"""SIGKILL at random points, and two writers at once, for the commands that write
sealed files: afterwards every file is the old or the new version, never partial,
no plaintext is left outside the documented private directory, and no update is
lost silently.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import AgeKey, sealer

SECRET_OLD = "old-secret-value-3141"
SECRET_NEW = "new-secret-value-2718"
ROUNDS = 12


def spawn(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sealer", *args],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_at_random(proc: subprocess.Popen[bytes], rng: random.Random, span: float) -> None:
    time.sleep(rng.uniform(0, span))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def typical_run(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    spawn(args, env, cwd).wait()
    return time.perf_counter() - started


def files_holding(directory: Path, needle: str, skip: set[Path]) -> list[Path]:
    return [
        p
        for p in directory.rglob("*")
        if p.is_file() and p not in skip and needle.encode() in p.read_bytes()
    ]


def test_sigkill_during_set_leaves_old_or_new(in_tmp: Path, age_key: AgeKey) -> None:
    rng = random.Random(1)
    target = in_tmp / "s.yaml"
    env = {"SEALER_AGE_KEY": age_key.secret}
    span = typical_run(["--version"], env, in_tmp) * 4
    for round_ in range(ROUNDS):
        target.write_text(f"a: 1\nsecret: {SECRET_OLD}\n")
        sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
        before = target.read_bytes()
        proc = spawn(["set", "s.yaml", "secret", f'"{SECRET_NEW}"'], env, in_tmp)
        kill_at_random(proc, rng, span)
        after = target.read_bytes()
        opened = sealer("get", "s.yaml", "secret", env=env)
        assert opened.returncode == 0, (round_, opened.stderr)
        assert opened.stdout in (SECRET_OLD, SECRET_NEW)
        assert (opened.stdout == SECRET_OLD) == (after == before)
        assert files_holding(in_tmp, SECRET_NEW, set()) == []
        assert files_holding(in_tmp, SECRET_OLD, set()) == []


def test_sigkill_during_encrypt_in_place(in_tmp: Path, age_key: AgeKey) -> None:
    rng = random.Random(2)
    target = in_tmp / "s.yaml"
    plain = f"a: 1\nsecret: {SECRET_OLD}\n"
    span = typical_run(["--version"], {}, in_tmp) * 4
    for _ in range(ROUNDS):
        target.write_text(plain)
        proc = spawn(["encrypt", "-i", "--age", age_key.recipient, "s.yaml"], {}, in_tmp)
        kill_at_random(proc, rng, span)
        text = target.read_text()
        if text != plain:  # then it is the whole sealed file
            out = sealer("decrypt", "s.yaml", env={"SEALER_AGE_KEY": age_key.secret})
            assert out.returncode == 0 and out.stdout == plain
        assert files_holding(in_tmp, SECRET_OLD, {target}) == []


@pytest.fixture
def private_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This test's own directory for sealer's private files: never the real /dev/shm,
    and outside the test's working directory, which is searched for plaintext."""
    path = tmp_path_factory.mktemp("private-edit") / f"sealer-test-{uuid.uuid4().hex[:12]}"
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def test_sigkill_during_edit_keeps_plaintext_only_in_the_private_dir(
    in_tmp: Path, age_key: AgeKey, private_dir: Path
) -> None:
    rng = random.Random(3)
    target = in_tmp / "s.yaml"
    target.write_text(f"secret: {SECRET_OLD}\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    editor = in_tmp / "ed.sh"
    editor.write_text(f"#!/bin/sh\nsleep 0.2\nsed -i 's/{SECRET_OLD}/{SECRET_NEW}/' \"$1\"\n")
    editor.chmod(0o755)
    env = {
        "SEALER_AGE_KEY": age_key.secret,
        "EDITOR": str(editor),
        "SEALER_PRIVATE_DIR": str(private_dir),
    }
    span = typical_run(["edit", "s.yaml"], env, in_tmp) * 1.2
    sealer("set", "s.yaml", "secret", f'"{SECRET_OLD}"', env={"SEALER_AGE_KEY": age_key.secret})
    for _ in range(ROUNDS):
        proc = spawn(["edit", "s.yaml"], env, in_tmp)
        kill_at_random(proc, rng, span)
        value = sealer("get", "s.yaml", "secret", env={"SEALER_AGE_KEY": age_key.secret})
        assert value.returncode == 0 and value.stdout in (SECRET_OLD, SECRET_NEW)
        for secret in (SECRET_OLD, SECRET_NEW):
            assert files_holding(in_tmp, secret, {editor}) == []
        # only the documented place: the private directory's sealer-edit-*, reported
        # on the next edit
        assert all(p.name.startswith("sealer-edit-") for p in private_dir.iterdir())
        for leftover in private_dir.glob("sealer-edit-*"):
            assert leftover.stat().st_mode & 0o777 == 0o700
        sealer("set", "s.yaml", "secret", f'"{SECRET_OLD}"', env={"SEALER_AGE_KEY": age_key.secret})
    report = sealer("edit", "s.yaml", env={**env, "EDITOR": "true"})
    for leftover in private_dir.glob("sealer-edit-*"):
        if (leftover / ".lock").exists():
            assert str(leftover) in report.stderr


def test_concurrent_sets_lose_no_update(in_tmp: Path, age_key: AgeKey) -> None:
    target = in_tmp / "s.yaml"
    target.write_text("a: 0\nb: 0\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    for n in range(1, 6):
        procs = [spawn(["set", "s.yaml", key, str(n)], env, in_tmp) for key in ("a", "b")]
        assert [p.wait() for p in procs] == [0, 0]
        opened = sealer("decrypt", "s.yaml", env=env, check=True).stdout
        assert opened == f"a: {n}\nb: {n}\n"


def test_a_writer_that_waits_too_long_fails_clearly(in_tmp: Path, age_key: AgeKey) -> None:
    """While another process holds the file (an edit at its write), set gives up clearly."""
    import fcntl

    target = in_tmp / "s.yaml"
    target.write_text("a: 0\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    fd = os.open(target, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        code = (
            "import sys\nfrom sealer import filelock\nfilelock.WAIT_SECONDS = 0.5\n"
            "from sealer.main import main\nsys.exit(main(['set', 's.yaml', 'a', '1']))\n"
        )
        out = subprocess.run([sys.executable, "-c", code], cwd=in_tmp, capture_output=True,
                             text=True, env={**os.environ, "SEALER_AGE_KEY": age_key.secret})  # fmt: skip
    finally:
        os.close(fd)
    assert out.returncode == 6
    assert "another sealer process is changing this file" in out.stderr
