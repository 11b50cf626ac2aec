"""The Docker recipe's entrypoint, run under a temporary root laid out as the image."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import AgeKey
from tests.recipes.conftest import COMMON, PASSWORD, Recipe, common_secrets


def build_root(context: Path, root: Path) -> tuple[list[str], list[str]]:
    """Place files as the Dockerfile's COPY lines do; return its ENTRYPOINT and CMD."""
    entrypoint: list[str] = []
    cmd: list[str] = []
    for line in (context / "Dockerfile").read_text().splitlines():
        word, _, rest = line.partition(" ")
        if word == "COPY":
            src, dest = shlex.split(rest)
            (root / dest.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(context / src, root / dest.lstrip("/"))
        elif word == "ENTRYPOINT":
            entrypoint = json.loads(rest)
        elif word == "CMD":
            cmd = json.loads(rest)
    return entrypoint, cmd


def image(recipe: Recipe, key: AgeKey, tmp_path: Path) -> tuple[Path, list[str], dict[str, str]]:
    context = recipe("docker")
    common_secrets(context / "config/secrets.yaml", key)
    shutil.copy(COMMON / "deploy.sh", context / "deploy.sh")
    root = tmp_path / "root"
    entrypoint, cmd = build_root(context, root)
    secret = root / "run/secrets/sealer_age_key"  # as `docker run -v key:/run/secrets/…`
    secret.parent.mkdir(parents=True)
    secret.write_text(key.secret)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALER_", "SOPS_"))}
    env["SEALER_AGE_KEY_FILE"] = str(secret)
    env["SEALER_SECRETS"] = str(root / "app/config/secrets.yaml")
    argv = [str(root / "usr/local/bin" / entrypoint[0]), *(str(root) + c for c in cmd)]
    return root, argv, env


def test_entrypoint_runs_cmd_with_the_values(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    _, argv, env = image(recipe, age_key, tmp_path)
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"deploying as deploy with a password of {len(PASSWORD)} characters\n"


WAIT = """\
import pathlib, signal, sys, time
here = pathlib.Path(sys.argv[1])
def stop(signo, frame):
    here.joinpath("stopped").write_text("TERM")
    sys.exit(3)
signal.signal(signal.SIGTERM, stop)
here.joinpath("ready").write_text("")
while True:
    time.sleep(0.05)
"""


def test_docker_stop_reaches_the_command_through_the_entrypoint(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    root, argv, env = image(recipe, age_key, tmp_path)
    (root / "app/wait.py").write_text(WAIT)
    proc = subprocess.Popen([argv[0], sys.executable, str(root / "app/wait.py"), str(root)],
                            env=env)  # fmt: skip
    deadline = time.monotonic() + 15
    while not (root / "ready").exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)  # docker stop signals the container's main process
    assert proc.wait(timeout=15) == 3  # the command's status is the container's
    assert (root / "stopped").read_text() == "TERM"


def test_without_the_key_secret_the_container_does_not_start(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    root, argv, env = image(recipe, age_key, tmp_path)
    (root / "run/secrets/sealer_age_key").unlink()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert done.returncode == 6
    assert "SEALER_AGE_KEY_FILE: key file" in done.stderr and "does not exist" in done.stderr
