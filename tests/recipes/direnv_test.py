"""The direnv recipe, with the real direnv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import AgeKey, tool
from tests.recipes.conftest import PASSWORD, Recipe, seal_as_recipe_says


def direnv(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("direnv"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True)  # fmt: skip


def test_entering_the_directory_sets_the_values(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("direnv")
    seal_as_recipe_says(workdir / "secrets.env", age_key)
    env = {**os.environ, "SEALER_AGE_KEY_FILE": str(age_key.file)}
    assert direnv("allow", str(workdir), cwd=workdir, env=env).returncode == 0
    done = direnv("exec", str(workdir), "sh", "-c", 'printf "%s|%s" "$API_TOKEN" "$DB_PASSWORD"',
                  cwd=workdir, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"tok-1234567890|{PASSWORD}"


def test_an_unallowed_envrc_sets_nothing(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("direnv")
    seal_as_recipe_says(workdir / "secrets.env", age_key)
    env = {**os.environ, "SEALER_AGE_KEY_FILE": str(age_key.file)}
    done = direnv("exec", str(workdir), "sh", "-c", 'printf "%s" "${API_TOKEN-}"', cwd=workdir,
                  env=env)  # fmt: skip
    assert done.stdout == ""
    assert "is blocked" in done.stderr
