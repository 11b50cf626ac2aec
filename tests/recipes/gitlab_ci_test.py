"""The GitLab CI recipe: the job's script lines, run as the runner runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ruamel.yaml import YAML

from tests.helpers import AgeKey
from tests.recipes.conftest import COMMON, PASSWORD, Recipe, common_secrets


def run_job(workdir: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ci = YAML(typ="safe", pure=True).load((workdir / "gitlab-ci.yml").read_text())
    job = ci["deploy"]
    # the runner joins script lines into one shell script run with errexit
    script = "set -eo pipefail\n" + "\n".join(job["script"]) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALER_", "SOPS_"))}
    env.update(variables, CI="true", GITLAB_CI="true")
    return subprocess.run(["bash", "-c", script], cwd=workdir, env=env, capture_output=True,
                          text=True)  # fmt: skip


def test_job_deploys_with_a_file_variable_holding_the_key(
    recipe: Recipe, age_key: AgeKey, tmp_path: Path
) -> None:
    workdir = recipe("gitlab-ci")
    common_secrets(workdir / "config/secrets.yaml", age_key)
    shutil.copy(COMMON / "deploy.sh", workdir / "deploy.sh")
    # a File variable: GitLab writes the value to a temp file and passes its path
    key_file = tmp_path / "runner-tmp" / "SEALER_AGE_KEY_FILE"
    key_file.parent.mkdir()
    key_file.write_text(age_key.secret)
    done = run_job(workdir, {"SEALER_AGE_KEY_FILE": str(key_file)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"deploying as deploy with a password of {len(PASSWORD)} characters\n"
    # and as a masked Variable holding the key itself
    done = run_job(workdir, {"SEALER_AGE_KEY": age_key.secret})
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def test_job_fails_without_the_variable(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("gitlab-ci")
    common_secrets(workdir / "config/secrets.yaml", age_key)
    shutil.copy(COMMON / "deploy.sh", workdir / "deploy.sh")
    done = run_job(workdir, {})
    assert done.returncode == 128
    assert "no identity can open the data key" in done.stderr
