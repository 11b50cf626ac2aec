"""The GitHub Actions recipe, its `run:` steps executed as the runner executes them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.helpers import AgeKey
from tests.recipes.conftest import COMMON, PASSWORD, Recipe, common_secrets

SKIPPED_IDS = {"install"}  # pip install needs the network; sealer is installed here


def expressions(value: str, secrets: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", lambda m: secrets.get(m[1], ""), value)


def parse_github_env(text: str) -> dict[str, str]:
    """The runner's reading of $GITHUB_ENV: NAME=value lines and NAME<<DELIM blocks."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            out[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if line:
            name, _, value = line.partition("=")
            out[name] = value
        i += 1
    return out


def run_steps(workflow: Path, workdir: Path, secrets: dict[str, str]) -> dict[str, Any]:
    wf = YAML(typ="safe", pure=True).load(workflow.read_text())
    (job,) = wf["jobs"].values()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALER_", "SOPS_"))}
    env.update({k: expressions(str(v), secrets) for k, v in job.get("env", {}).items()})
    masks: list[str] = []
    logs: dict[str, str] = {}
    for n, step in enumerate(job["steps"]):
        if "run" not in step or step.get("id") in SKIPPED_IDS:
            continue
        github_env = workdir / f".github_env_{n}"
        github_env.write_text("")
        script = workdir / f".step_{n}.sh"
        script.write_text(expressions(step["run"], secrets))
        step_env = {**env, "GITHUB_ENV": str(github_env), "GITHUB_ACTIONS": "true", "CI": "true"}
        # the runner's default shell: bash --noprofile --norc -eo pipefail {0}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workdir, env=step_env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, (step["name"], done.stderr)
        for line in done.stdout.splitlines():
            if line.startswith("::add-mask::"):
                data = line.removeprefix("::add-mask::")
                masks.append(data.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%"))
        # workflow commands are consumed by the runner, not shown in the log
        logs[step["name"]] = "".join(
            line for line in done.stdout.splitlines(keepends=True) if not line.startswith("::")
        )
        env.update(parse_github_env(github_env.read_text()))
    return {"masks": masks, "logs": logs, "env": env}


def test_workflow_steps_deploy_with_masked_values(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("github-actions")
    common_secrets(workdir / "config/secrets.yaml", age_key)
    shutil.copy(COMMON / "deploy.sh", workdir / "deploy.sh")
    result = run_steps(workdir / "deploy.yml", workdir, {"SEALER_AGE_KEY": age_key.secret})
    logs = result["logs"]
    assert list(logs) == ["Load secrets", "Deploy", "Deploy (values for this command only)"]
    assert logs["Load secrets"] == ""
    assert PASSWORD in result["masks"] and "deploy" in result["masks"]
    assert result["env"]["DB_PASSWORD"] == PASSWORD  # later steps see it
    expected = f"deploying as deploy with a password of {len(PASSWORD)} characters\n"
    assert logs["Deploy"] == expected
    assert logs["Deploy (values for this command only)"] == expected
    assert all(PASSWORD not in log for log in logs.values())


def test_without_the_repository_secret_the_job_fails(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("github-actions")
    common_secrets(workdir / "config/secrets.yaml", age_key)
    try:
        run_steps(workdir / "deploy.yml", workdir, {})
    except AssertionError as e:
        assert "Load secrets" in str(e) and "no identity can open the data key" in str(e)
    else:
        raise AssertionError("the job passed without a key")
