"""The Ansible recipe, run by the real ansible-playbook with community.sops and sops."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import AgeKey, tool
from tests.recipes.conftest import PASSWORD, Recipe, seal_as_recipe_says


def playbook(workdir: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("ansible-playbook"), "-i", "localhost,", "playbook.yml", "-e", f"out_dir={out}"],
        cwd=workdir,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}, **env,
             "ANSIBLE_NOCOLOR": "1", "ANSIBLE_PYTHON_INTERPRETER": "auto_silent"},
        capture_output=True,
        text=True,
    )  # fmt: skip


def test_playbook_loads_sealed_vars_and_writes_the_config(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    workdir = recipe("ansible")
    seal_as_recipe_says(workdir / "secrets.sops.yaml", age_key)
    out = tmp_path / "etc"
    out.mkdir()
    done = playbook(workdir, out, {"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "app.conf").read_text() == f"user=app\npassword={PASSWORD}\n"
    assert (out / "app.conf").stat().st_mode & 0o777 == 0o600
    assert PASSWORD not in done.stdout + done.stderr  # no_log keeps it out of the output


def test_playbook_fails_without_the_key(recipe: Recipe, age_key: AgeKey, tmp_path: Path) -> None:
    workdir = recipe("ansible")
    seal_as_recipe_says(workdir / "secrets.sops.yaml", age_key)
    done = playbook(workdir, tmp_path, {})
    assert done.returncode != 0
    assert not (tmp_path / "app.conf").exists()
