"""The systemd recipe: `systemd-analyze verify`, then ExecStart= run as systemd runs it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.helpers import AgeKey, tool
from tests.recipes.conftest import COMMON, PASSWORD, Recipe, common_secrets


def unit_settings(text: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def installed_unit(recipe: Recipe, key: AgeKey, tmp_path: Path) -> Path:
    """app.service with its paths pointing at real files on this machine."""
    src = recipe("systemd") / "app.service"
    app = tmp_path / "app"
    shutil.copy(COMMON / "deploy.sh", app)
    sealed = common_secrets(tmp_path / "etc/app/secrets.yaml", key)
    key_copy = tmp_path / "etc/sealer/app-age-key.txt"
    key_copy.parent.mkdir(parents=True)
    key_copy.write_text(key.secret + "\n")
    key_copy.chmod(0o400)
    text = (
        src.read_text()
        .replace("/usr/local/bin/sealer", tool("sealer"))
        .replace("/usr/local/bin/app", str(app))
        .replace("/etc/app/secrets.yaml", str(sealed))
        .replace("/etc/sealer/app-age-key.txt", str(key_copy))
    )
    unit = tmp_path / "units" / "app.service"
    unit.parent.mkdir()
    unit.write_text(text)
    return unit


def test_unit_passes_systemd_analyze_verify(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    unit = installed_unit(recipe, age_key, tmp_path)
    done = subprocess.run([tool("systemd-analyze"), "verify", str(unit)], capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if "app.service" in line] == []


def test_unit_with_a_typo_fails_verify(recipe: Recipe, age_key: AgeKey, tmp_path: Path) -> None:
    # the check above has teeth: a bad setting is reported
    unit = installed_unit(recipe, age_key, tmp_path)
    unit.write_text(unit.read_text().replace("KillMode=mixed", "KillMode=mixd"))
    done = subprocess.run([tool("systemd-analyze"), "verify", str(unit)], capture_output=True,
                          text=True)  # fmt: skip
    assert "app.service:17: Failed to parse kill mode specification, ignoring: mixd" in done.stderr


def test_execstart_with_the_credential_runs_the_app(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    unit = installed_unit(recipe, age_key, tmp_path)
    settings = unit_settings(unit.read_text())
    # LoadCredential=ID:PATH -> $CREDENTIALS_DIRECTORY/ID, a private copy
    creds = tmp_path / "credentials"
    creds.mkdir(mode=0o700)
    for spec in settings["LoadCredential"]:
        ident, _, path = spec.partition(":")
        shutil.copy(path, creds / ident)
        (creds / ident).chmod(0o400)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALER_", "SOPS_"))}
    env["CREDENTIALS_DIRECTORY"] = str(creds)
    for assignment in settings["Environment"]:
        name, _, value = assignment.partition("=")
        env[name] = value.replace("%d", str(creds))
    (exec_start,) = settings["ExecStart"]
    done = subprocess.run(shlex.split(exec_start), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"deploying as deploy with a password of {len(PASSWORD)} characters\n"
    assert env["SEALER_AGE_KEY_FILE"] == f"{creds}/sealer-age-key"
