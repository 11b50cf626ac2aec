"""Run a command on a real pseudo-terminal and answer its prompts (passphrases, PINs).

The child gets the pty as its controlling terminal, so `/dev/tty` is the pty:
what age, sops and sealer read from the terminal comes from `answers`.
"""

from __future__ import annotations

import os
import pty
import select
import time
from collections.abc import Mapping, Sequence


def on_terminal(
    args: Sequence[str],
    answers: Sequence[tuple[bytes, bytes]] = (),
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    """Run `args`; each time the output shows a prompt, type its answer. (status, output)"""
    full_env = {**os.environ, **(env or {})}
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command
        if cwd:
            os.chdir(cwd)
        os.execvpe(args[0], list(args), full_env)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if pending and pending[0][0] in seen:
            prompt, answer = pending.pop(0)
            seen = seen.replace(prompt, b"<" + prompt + b">", 1)
            os.write(fd, answer + b"\n")
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")
