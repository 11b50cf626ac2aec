"""The review-comment recipe: both CI jobs' shell steps on a real history, without a key.

`gh` and `glab` are replaced on PATH by stand-ins that record what they were
asked to post: they are the platforms' boundary, not part of what is tested.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.audit.keys import Person, make_person
from tests.helpers import make_age_key, run, sealer, tool

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "review-comment"
STAND_IN = """#!{python}
import json, os, sys
args = sys.argv[1:]
body = None
if "--body-file" in args:
    with open(args[args.index("--body-file") + 1]) as f:
        body = f.read()
with open(os.environ["RECORD"], "a") as f:
    f.write(json.dumps({{"tool": os.path.basename(sys.argv[0]), "args": args, "body": body}}) + "\\n")
"""


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return run([tool("git"), *args], cwd=cwd, env=env, check=True).stdout


class History:
    """A developer's clone with keys, its bare origin, and a keyless CI checkout of a branch."""

    def __init__(self, tmp_path: Path, alice: Person):
        self.origin = tmp_path / "origin.git"
        self.dev = tmp_path / "dev"
        self.env = alice.env()
        _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.origin))
        _git(tmp_path, "clone", "-q", str(self.origin), str(self.dev))
        self.alice = alice

    def sealer(self, *args: str) -> None:
        sealer(*args, cwd=self.dev, env=self.env, check=True)

    def write(self, rel: str, text: str) -> None:
        (self.dev / rel).write_text(text)

    def commit(self, message: str) -> None:
        _git(self.dev, "add", "-A", env=self.env)
        _git(self.dev, "commit", "-qm", message, env=self.env)

    def ci_checkout(self, tmp_path: Path, branch: str) -> Path:
        _git(self.dev, "push", "-q", "origin", "main", branch, env=self.env)
        ci = tmp_path / f"ci-{branch}"
        _git(tmp_path, "clone", "-q", "--branch", branch, str(self.origin), str(ci))
        return ci


@pytest.fixture
def history(tmp_path: Path) -> History:
    h = History(tmp_path, make_person(tmp_path / "people", "alice"))
    h.write("app.yaml", "db:\n  user: app\n  password: first-pw-1\n")
    h.write("ops.env", "TOKEN=first-token-1\n")
    for name in ("app.yaml", "ops.env"):
        h.sealer("encrypt", "--age", h.alice.age_recipient, "-i", name)
    h.sealer("audit", "init")
    h.sealer("audit", "record", "app.yaml", "ops.env")
    h.commit("base")
    _git(h.dev, "checkout", "-qb", "feature")
    h.sealer("set", "--string", "app.yaml", "db.password", "second-pw-2")
    h.commit("new password")
    bob = make_age_key(tmp_path / "bob")
    h.sealer("updatekeys", "--add-age", bob.recipient, "app.yaml")
    h.commit("bob may read app.yaml")
    mallory = make_age_key(tmp_path / "mallory")
    plain = sealer("decrypt", "ops.env", cwd=h.dev, env=h.env, check=True).stdout
    h.write("ops.env", plain)
    h.sealer("encrypt", "--age", f"{h.alice.age_recipient},{mallory.recipient}", "-i", "ops.env")
    h.commit("ops.env for mallory too, without an audit entry")
    _git(h.dev, "checkout", "-q", "main")
    h.write("README", "main moved on\n")
    h.commit("unrelated change on main")
    _git(h.dev, "checkout", "-q", "feature")
    return h


def _keyless_env(tmp_path: Path) -> dict[str, str]:
    """The CI job's environment: no key of any kind, stand-ins first on PATH."""
    bindir = tmp_path / "stand-ins"
    bindir.mkdir(exist_ok=True)
    for name in ("gh", "glab"):
        (bindir / name).write_text(STAND_IN.format(python=sys.executable))
        (bindir / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALER_", "SOPS_", "GIT"))}
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    env["RECORD"] = str(tmp_path / "posted.jsonl")
    return env


def _posted(env: dict[str, str]) -> list[dict[str, object]]:
    path = Path(env["RECORD"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _install_recipe(ci: Path) -> None:
    target = ci / "recipes" / "review-comment"
    target.mkdir(parents=True)
    for name in ("post-sealed-diff.sh", "github-workflow.yml", "gitlab-ci.yml"):
        (target / name).write_bytes((RECIPE / name).read_bytes())
        (target / name).chmod((RECIPE / name).stat().st_mode)


def _expected(ci: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "sealer", "diff", "--markdown", "origin/main...HEAD"],
        cwd=ci, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


def _check_comment(body: str, history: History) -> None:
    assert "#### `app.yaml`: modified" in body
    assert "| changed | `db.password` |" in body
    assert (
        "| audit | `signed and verified (entry 2 recipients.update by alice@example.invalid)` |"
        in body
    )
    assert "#### `ops.env`: modified" in body
    assert "| audit | `FAILED: commit " in body and "with no audit entry" in body
    assert "> **Needs attention**: 0 file(s) stored in plaintext, 1 re-key(s)" in body
    assert "README" not in body  # main's own change is not the request's
    for secret in ("first-pw-1", "second-pw-2", "first-token-1"):
        assert secret not in body


def test_github_job_comments_on_the_pull_request(history: History, tmp_path: Path) -> None:
    ci = history.ci_checkout(tmp_path, "feature")
    _install_recipe(ci)
    env = _keyless_env(tmp_path)
    workflow = YAML(typ="safe", pure=True).load((RECIPE / "github-workflow.yml").read_text())
    (job,) = workflow["jobs"].values()
    context = {"github.token": "ghs_stand-in", "github.event.pull_request.number": "7",
               "github.base_ref": "main"}  # fmt: skip
    for step in job["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        step_env = {**env, "GITHUB_ACTIONS": "true"}
        for k, v in step.get("env", {}).items():
            step_env[k] = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: context[m[1]], str(v))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=ci, env=step_env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    (posted,) = _posted(env)
    assert posted["tool"] == "gh"
    args = posted["args"]
    assert (
        isinstance(args, list) and args[:3] == ["pr", "comment", "7"] and args[3] == "--body-file"
    )
    body = str(posted["body"])
    assert body == _expected(ci, env)
    _check_comment(body, history)


def test_gitlab_job_notes_on_the_merge_request(history: History, tmp_path: Path) -> None:
    ci = history.ci_checkout(tmp_path, "feature")
    _install_recipe(ci)
    env = _keyless_env(tmp_path)
    ci_config = YAML(typ="safe", pure=True).load((RECIPE / "gitlab-ci.yml").read_text())
    script = "set -eo pipefail\n" + "\n".join(ci_config["sealed-diff"]["script"]) + "\n"
    variables = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "9",
                 "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "GITLAB_TOKEN": "glpat-stand-in"}  # fmt: skip
    done = subprocess.run(
        ["bash", "-c", script], cwd=ci, env={**env, **variables}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    (posted,) = _posted(env)
    assert posted["tool"] == "glab"
    args = posted["args"]
    assert isinstance(args, list) and args[:4] == ["mr", "note", "9", "--message"]
    body = str(args[4])
    assert body + "\n" == _expected(ci, env)  # $(cat …) drops the last newline
    _check_comment(body, history)


def test_nothing_is_posted_when_no_sealed_file_changed(history: History, tmp_path: Path) -> None:
    _git(history.dev, "checkout", "-qb", "docs", "main")
    history.write("README", "only docs\n")
    history.commit("docs")
    ci = history.ci_checkout(tmp_path, "docs")
    _install_recipe(ci)
    env = {**_keyless_env(tmp_path), "GITHUB_ACTIONS": "true", "PR_NUMBER": "8"}
    done = subprocess.run(
        ["./recipes/review-comment/post-sealed-diff.sh", "origin/main"],
        cwd=ci, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "no sealed file changed; nothing to post\n"
    assert _posted(env) == []
