"""Re-keying working files (`rotate`, `groups add`): the audit line goes to disk before the file."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audit.keys import make_person
from tests.helpers import make_age_key, run, sealer, tool


def _limited(max_bytes: int) -> None:
    """In the child: no file may grow past `max_bytes` (EFBIG, not a SIGXFSZ kill)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


@pytest.mark.parametrize(
    ("command", "action"),
    [(("rotate", "s.yaml"), "datakey.rotate"), (("groups", "add"), "recipients.update")],
)
def test_re_keying_writes_the_audit_line_before_the_file_it_records(
    tmp_path: Path, command: tuple[str, ...], action: str
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    run([tool("git"), "init", "-q"], cwd=repo, check=True)
    alice = make_person(tmp_path / "people", "alice")
    env = alice.env()
    sealer("audit", "init", cwd=repo, env=env, check=True)
    secret = repo / "s.yaml"
    secret.write_text("".join(f"k{i}: value number {i}\n" for i in range(400)))
    sealer("encrypt", "--age", alice.age_recipient, "-i", "s.yaml", cwd=repo, env=env, check=True)
    sealer("audit", "record", "s.yaml", cwd=repo, env=env, check=True)
    log = repo / ".sealer" / "audit.jsonl"
    sealed, lines = secret.read_bytes(), log.read_bytes()
    limit = len(lines) + 8192  # room for the rotate line, none for the re-sealed file
    assert len(sealed) > limit
    if command[0] == "groups":
        bob = make_age_key(tmp_path / "bob")
        command = (*command, "-f", "s.yaml", "-i", "--age", bob.recipient)
    out = subprocess.run(
        [sys.executable, "-m", "sealer", *command],
        cwd=repo,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limited(limit),
    )
    assert out.returncode != 0
    assert "s.yaml: cannot write: File too large" in out.stderr, out.stderr
    assert secret.read_bytes() == sealed  # no change made...
    after = log.read_bytes()  # ...but its line is there: written first, as promised
    assert after.startswith(lines)
    assert after.count(b"\n") == lines.count(b"\n") + 1
    assert f'"action":"{action}"'.encode() in after[len(lines) :]
