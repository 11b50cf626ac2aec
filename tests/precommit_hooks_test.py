"""The published hooks (.pre-commit-hooks.yaml) under the real pre-commit.

The hook repository is a snapshot of this project (a git repository made from
the working tree, so uncommitted work is tested too). `pre-commit try-repo`
installs sealer from it into a fresh environment, as a team that adds the hooks
gets it, and runs one hook in a target repository; it builds that environment
anew on every call (about half a minute), so each hook's pass and fail case
goes through try-repo and the remaining cases use `pre-commit run` with a config
naming the same snapshot, whose environment is built once per test run.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.audit.keys import make_person
from tests.helpers import REPO, AgeKey, Result, isolate, run, sealer, tool
from tests.scan.fakes import Fakes


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    env: dict[str, str]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this run
    shared = base / "precommit-shared"
    shared.mkdir(exist_ok=True)
    # session fixtures are set up before the per-test isolation: isolate this one too,
    # so the snapshot never depends on the machine's git identity or config
    with pytest.MonkeyPatch.context() as mp, open(shared / "lock", "w") as lock:
        (shared / "home").mkdir(exist_ok=True)
        isolate(mp, shared / "home")
        fcntl.flock(lock, fcntl.LOCK_EX)
        snapshot = shared / "sealer"
        if not (snapshot / ".git").exists():
            _snapshot(snapshot)
        fcntl.flock(lock, fcntl.LOCK_UN)
        rev = run(["git", "rev-parse", "HEAD"], cwd=snapshot, check=True).stdout.strip()
    env = {
        "PRE_COMMIT_HOME": str(shared / "pre-commit-home"),
        "PIP_CACHE_DIR": str(shared / "pip-cache"),
        "PRE_COMMIT_COLOR": "never",
    }
    yield HookRepo(snapshot, rev, env)


def _snapshot(target: Path) -> None:
    """This project's tracked and unignored files, committed in a fresh repository."""
    names = run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, check=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for name in filter(None, names.stdout.split("\0")):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp / name)
    run(["git", "init", "-q", "-b", "main"], cwd=tmp, check=True)
    run(["git", "add", "-A"], cwd=tmp, check=True)
    run(["git", "commit", "-q", "--no-verify", "-m", "snapshot"], cwd=tmp, check=True)
    tmp.rename(target)


@pytest.fixture
def target(tmp_path: Path, age_key: AgeKey) -> Path:
    root = tmp_path / "target"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: (^|/)secrets\\.yaml$\n    age: {age_key.recipient}\n"
    )
    (root / "README.md").write_text("# target\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "start")
    return root


def git(root: Path, *args: str) -> str:
    return run(["git", *args], cwd=root, check=True).stdout


def run_hooks(hooks: HookRepo, root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """`pre-commit run` with every sealer hook, from pre-commit's shared store."""
    config = root.parent / "hooks-config.yaml"
    config.write_text(
        f"repos:\n  - repo: {hooks.path}\n    rev: {hooks.rev}\n    hooks:\n"
        "      - id: sealer-sealed\n      - id: sealer-scan\n      - id: sealer-audit\n"
    )
    command = [tool("pre-commit"), "run", "--config", str(config), *args]
    return run(command, cwd=root, env={**hooks.env, **(env or {})})


def try_repo(
    hooks: HookRepo, root: Path, hook: str, *args: str, env: dict[str, str] | None = None
) -> Result:
    command = [tool("pre-commit"), "try-repo", str(hooks.path), hook, *args]
    return run(command, cwd=root, env={**hooks.env, **(env or {})})


def test_sealed_hook_refuses_a_plaintext_covered_file_and_passes_the_sealed_one(
    hook_repo: HookRepo, target: Path
) -> None:
    (target / "secrets.yaml").write_text("db:\n  password: hunter2\n")
    git(target, "add", "secrets.yaml")
    refused = try_repo(hook_repo, target, "sealer-sealed")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "Failed" in refused.stdout
    assert "secrets.yaml: the file is not sealed" in refused.stdout
    sealer("encrypt", "-i", "secrets.yaml", cwd=target, check=True)
    git(target, "add", "secrets.yaml")
    passed = try_repo(hook_repo, target, "sealer-sealed")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"sealer - files rules cover are sealed and verify\.+Passed", passed.stdout)


def test_sealed_hook_verifies_the_mac_with_a_key_and_refuses_twins(
    hook_repo: HookRepo, target: Path, age_key: AgeKey
) -> None:
    (target / "secrets.yaml").write_text("db:\n  password: hunter2\n")
    sealer("encrypt", "-i", "secrets.yaml", cwd=target, check=True)
    git(target, "add", "secrets.yaml")
    git(target, "commit", "-q", "--no-verify", "-m", "sealed")
    text = (target / "secrets.yaml").read_text()
    (target / "secrets.yaml").write_text(text.replace("data:", "data:AA", 1))
    git(target, "add", "secrets.yaml")
    keyed = {"SEALER_AGE_KEY_FILE": str(age_key.file)}
    tampered = run_hooks(hook_repo, target, "sealer-sealed", env=keyed)
    assert tampered.returncode == 1
    assert "db.password: a sealed value failed authentication" in tampered.stdout
    (target / "secrets.yaml").write_text(text)
    (target / "secrets.dec.yaml").write_text("db:\n  password: hunter2\n")
    git(target, "add", "secrets.yaml", "secrets.dec.yaml")
    twin = run_hooks(hook_repo, target, "sealer-sealed", env=keyed)
    assert twin.returncode == 1
    assert "secrets.dec.yaml: plaintext twin of the sealed file secrets.yaml" in twin.stdout


def test_scan_hook_refuses_a_staged_token_and_passes_an_allow_marked_one(
    hook_repo: HookRepo, target: Path
) -> None:
    token = Fakes(21).github()
    (target / "client.py").write_text(f'TOKEN = "{token}"\n')
    git(target, "add", "client.py")
    refused = try_repo(hook_repo, target, "sealer-scan")
    assert refused.returncode == 1
    assert "client.py:1:10: github-token: GitHub token" in refused.stdout
    assert token[4:] not in refused.stdout + refused.stderr
    (target / "client.py").write_text(f'TOKEN = "{token}"  # sealer:allow (fixture)\n')
    git(target, "add", "client.py")
    passed = try_repo(hook_repo, target, "sealer-scan")
    assert passed.returncode == 0, passed.stdout
    assert re.search(r"sealer - no hard-coded secrets\.+Passed", passed.stdout)


def test_scan_hook_checks_the_staged_version_not_the_working_file(
    hook_repo: HookRepo, target: Path
) -> None:
    token = Fakes(22).stripe()
    (target / "app.py").write_text(f'KEY = "{token}"\n')
    git(target, "add", "app.py")
    (target / "app.py").write_text("KEY = None\n")  # unstaged fix: the commit still has the key
    refused = run_hooks(hook_repo, target, "sealer-scan")
    assert refused.returncode == 1
    assert "app.py:1:8: stripe-key" in refused.stdout


def test_all_files_scans_every_file_not_only_the_staged_diff(
    hook_repo: HookRepo, target: Path
) -> None:
    (target / "old.py").write_text(f'KEY = "{Fakes(23).github()}"\n')
    git(target, "add", "old.py")
    git(target, "commit", "-q", "--no-verify", "-m", "committed without the hook")
    (target / "new.py").write_text("x = 1\n")
    git(target, "add", "new.py")
    staged_only = run_hooks(hook_repo, target, "sealer-scan")
    assert staged_only.returncode == 0, staged_only.stdout
    everything = try_repo(hook_repo, target, "sealer-scan", "--all-files")
    assert everything.returncode == 1
    assert "old.py:1:8: github-token" in everything.stdout
    (target / "secrets.yaml").write_text("db:\n  password: hunter2\n")
    git(target, "add", "secrets.yaml")
    git(target, "commit", "-q", "--no-verify", "-m", "plaintext, without the hook")
    sealed_all = run_hooks(hook_repo, target, "sealer-sealed", "--all-files")
    assert sealed_all.returncode == 1
    assert "secrets.yaml: the file is not sealed" in sealed_all.stdout


def test_installed_hooks_refuse_a_real_commit(hook_repo: HookRepo, target: Path) -> None:
    (target / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.path}\n    rev: {hook_repo.rev}\n    hooks:\n"
        "      - id: sealer-sealed\n      - id: sealer-scan\n"
    )
    git(target, "add", ".pre-commit-config.yaml")
    run([tool("pre-commit"), "install"], cwd=target, env=hook_repo.env, check=True)
    (target / "secrets.yaml").write_text("db:\n  password: hunter2\n")
    git(target, "add", "secrets.yaml")
    refused = run(["git", "commit", "-m", "add secrets"], cwd=target, env=hook_repo.env)
    assert refused.returncode != 0
    assert "the file is not sealed" in refused.stdout + refused.stderr
    assert git(target, "rev-list", "--count", "HEAD").strip() == "1"
    sealer("encrypt", "-i", "secrets.yaml", cwd=target, check=True)
    git(target, "add", "secrets.yaml")
    committed = run(["git", "commit", "-m", "add sealed secrets"], cwd=target, env=hook_repo.env)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert git(target, "rev-list", "--count", "HEAD").strip() == "2"


def test_audit_hook_runs_sealer_audit_verify_at_pre_push(
    hook_repo: HookRepo, tmp_path: Path
) -> None:
    alice = make_person(tmp_path / "people", "alice")
    root = tmp_path / "audited"
    root.mkdir()
    env = alice.env()
    git(root, "init", "-q", "-b", "main")

    def as_alice(*args: str) -> Result:
        return run(list(args), cwd=root, env=env, check=True)

    as_alice("git", "config", "user.email", alice.email)
    sealer("audit", "init", cwd=root, env=env, check=True)
    (root / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: {alice.age_recipient}\n"
    )
    (root / "secrets.yaml").write_text("db:\n  password: hunter2\n")
    sealer("encrypt", "-i", "secrets.yaml", cwd=root, env=env, check=True)
    sealer("audit", "record", "secrets.yaml", cwd=root, env=env, check=True)
    as_alice("git", "add", "-A")
    as_alice("git", "commit", "-q", "--no-verify", "-m", "root")
    sealer("audit", "init", cwd=root, env=env, check=True)
    hook_env = {**env, **hook_repo.env}
    args = ["--hook-stage", "pre-push"]
    verified = try_repo(hook_repo, root, "sealer-audit", *args, env=hook_env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.search(r"sealer - audit trail verifies\.+Passed", verified.stdout)
    log = root / ".sealer" / "audit.jsonl"
    log.write_text(log.read_text().replace('"file.create"', '"file.created"', 1))
    as_alice("git", "commit", "-q", "--no-verify", "-am", "tamper with the trail")
    tampered = run_hooks(hook_repo, root, "sealer-audit", *args, env=hook_env)
    assert tampered.returncode == 1, tampered.stdout
    assert "Failed" in tampered.stdout
