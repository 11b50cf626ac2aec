"""`sealer init`: one command sets a repository up; a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer import repoinit
from tests.audit.keys import make_person
from tests.helpers import AgeKey, Result, run, sealer, tool

PRE_COMMIT = tool("pre-commit")


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return run([tool("git"), *args], cwd=repo, env=env, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    (path / "README").write_text("hello\n")
    _git(path, "add", "README")
    _git(path, "commit", "-qm", "first")
    return path


def _snapshot(repo: Path, home: Path) -> dict[str, bytes]:
    """Every file init may write: the work tree, git's config, hooks and sealer's pin, the keys."""
    files = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts]
    git_dir = repo / ".git"
    files += [git_dir / "config", *git_dir.glob("hooks/*"), *git_dir.glob("sealer/*")]
    files += [p for p in home.rglob("*") if p.is_file()]
    return {str(p): p.read_bytes() for p in sorted(files) if p.is_file()}


def _init(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return sealer("init", *args, cwd=repo, env=env, check=True)


def test_init_makes_a_key_writes_rules_installs_and_says_what_to_commit(
    repo: Path, isolated_env: Path
) -> None:
    out = _init(repo)
    recipient = out.stdout.strip()
    assert recipient.startswith("age1")
    key_file = isolated_env / ".config" / "sealer" / "age" / "keys.txt"
    assert f"# public key: {recipient}\n" in key_file.read_text()
    assert (repo / ".sealer.yaml").read_text() == repoinit.rules_text(
        [recipient], ["secrets-dir", "enc"]
    )
    assert (repo / ".pre-commit-config.yaml").read_text() == "repos:\n" + repoinit.hooks_block(
        False, "  "
    )
    assert _git(repo, "config", "filter.sealer.process").strip() == "sealer git process"
    assert out.stderr.endswith(
        "sealer: wrote .pre-commit-config.yaml with sealer's hooks\n"
        "sealer: now commit them: git add .sealer.yaml .gitattributes .pre-commit-config.yaml"
        " && git commit\n"
        "sealer: and run `pre-commit install` to turn the hooks on\n"
    )
    # what it set up works: a file under secrets/ is stored sealed, shown plain
    (repo / "secrets").mkdir()
    (repo / "secrets" / "db.env").write_text("PASSWORD=s3cret-value\n")
    _git(repo, "add", "-A")
    stored = _git(repo, "cat-file", "blob", ":secrets/db.env")
    assert "PASSWORD=ENC[AES256_GCM," in stored and "s3cret-value" not in stored


def test_running_init_twice_changes_nothing(repo: Path, tmp_path: Path, isolated_env: Path) -> None:
    alice = make_person(tmp_path / "people", "alice")
    env = {"SEALER_SIGNING_KEY": str(alice.ssh.private)}
    _init(repo, "--audit", "--layout", "env", env=env)
    before = _snapshot(repo, isolated_env)
    second = _init(repo, "--audit", "--layout", "env", env=env)
    assert _snapshot(repo, isolated_env) == before
    assert "kept .sealer.yaml as it is" in second.stderr
    assert ".pre-commit-config.yaml already has sealer's hooks" in second.stderr
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "set up sealer")
    _init(repo, "--audit", "--layout", "env", env=env)  # pins the trust root, now committed
    committed = _snapshot(repo, isolated_env)
    again = _init(repo, "--audit", "--layout", "env", env=env)
    assert _snapshot(repo, isolated_env) == committed
    assert "now commit them" not in again.stderr
    assert _git(repo, "status", "--porcelain") == ""
    verified = sealer("audit", "verify", cwd=repo, env=env)
    assert verified.returncode == 0, verified.stderr


def test_an_existing_key_and_rules_file_are_reused(repo: Path, age_key: AgeKey) -> None:
    rules = "creation_rules:\n  - path_regex: x\n    age: " + age_key.recipient + "\n"
    (repo / ".sealer.yaml").write_text(rules)
    env = {"SEALER_AGE_KEY_FILE": str(age_key.file)}
    out = _init(repo, "--no-hooks", env=env)
    assert out.stdout == age_key.recipient + "\n"
    assert f"sealer: using your age key from SEALER_AGE_KEY_FILE {age_key.file}" in out.stderr
    assert (repo / ".sealer.yaml").read_text() == rules
    assert not (repo / ".pre-commit-config.yaml").exists()


def test_hooks_are_appended_to_an_existing_config_and_run_under_pre_commit(
    repo: Path, isolated_env: Path
) -> None:
    existing = (
        "default_stages: [pre-commit]\n"
        "repos:\n"
        "- repo: local\n"
        "  hooks:\n"
        "  - id: nothing\n"
        "    name: nothing\n"
        "    entry: 'true'\n"
        "    language: system\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(existing)
    _init(repo)
    config = (repo / ".pre-commit-config.yaml").read_text()
    assert config == existing + repoinit.hooks_block(False, "")
    (repo / "secrets").mkdir()
    (repo / "secrets" / "app.yaml").write_text("token: not-in-git\n")
    _git(repo, "add", "-A")
    env = {"PRE_COMMIT_HOME": str(isolated_env / "pre-commit")}
    out = run([PRE_COMMIT, "run", "--all-files"], cwd=repo, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "sealer - files rules cover are sealed and verify" in out.stdout


def test_a_config_it_cannot_extend_safely_is_left_alone_with_the_entry_to_add(repo: Path) -> None:
    existing = "repos: []\nci:\n  autofix_prs: false\n"
    (repo / ".pre-commit-config.yaml").write_text(existing)
    out = _init(repo)
    assert (repo / ".pre-commit-config.yaml").read_text() == existing
    assert "hint: .pre-commit-config.yaml does not end with a block `repos:` list" in out.stderr
    assert "  - repo: local" in out.stderr


def test_the_hooks_init_writes_match_the_published_ones() -> None:
    from ruamel.yaml import YAML

    from tests.helpers import REPO

    yaml = YAML(typ="safe", pure=True)
    published = yaml.load((REPO / ".pre-commit-hooks.yaml").read_text())
    written = yaml.load("repos:\n" + repoinit.hooks_block(True, "  "))
    assert isinstance(published, list) and isinstance(written, dict)
    ours = written["repos"][0]["hooks"]
    fields = ("id", "name", "entry", "stages", "pass_filenames", "always_run", "types")
    assert [{k: h.get(k) for k in fields} for h in ours] == [
        {k: h.get(k) for k in fields} for h in published
    ]


def test_audit_without_a_signing_key_stops_before_writing_anything(
    repo: Path, isolated_env: Path
) -> None:
    before = _snapshot(repo, isolated_env)
    out = sealer("init", "--audit", cwd=repo)
    assert out.returncode == 5
    assert out.stderr.startswith("sealer: error: no SSH key to sign the audit entry with\n")
    assert _snapshot(repo, isolated_env) == before


def _prompt(name: str) -> str:
    """The question `sealer init` asks on a terminal for one layout, with click's default hint."""
    regex, what = repoinit.LAYOUTS[name]
    hint = "[Y/n]" if name in repoinit.DEFAULT_LAYOUTS else "[y/N]"
    return f"Seal {what} ({regex})? {hint}: "


def test_on_a_terminal_init_asks_for_each_layout_and_writes_the_chosen_ones(repo: Path) -> None:
    import sys

    from tests.recipients.terminal import on_terminal

    answers = {"secrets-dir": "n", "enc": "n", "env": "y", "k8s": "y"}
    status, shown = on_terminal(
        [sys.executable, "-m", "sealer", "init", "--no-hooks"],
        [(_prompt(name).encode(), answer.encode()) for name, answer in answers.items()],
        cwd=str(repo),
        timeout=180,
    )
    assert status == 0, shown
    # each question, in order, as the terminal showed it (the helper marks answered ones <…>),
    # followed by the answer the terminal echoed
    transcript = "".join(f"<{_prompt(name)}>{answer}\r\n" for name, answer in answers.items())
    assert shown.startswith(transcript), shown
    assert "sealer: wrote .sealer.yaml: env, k8s sealed for 1 recipient(s)\r\n" in shown
    recipient = shown.rstrip("\r\n").rsplit("\r\n", 1)[-1]
    assert recipient.startswith("age1")
    assert (repo / ".sealer.yaml").read_text() == repoinit.rules_text([recipient], ["env", "k8s"])


def test_without_a_terminal_init_asks_nothing_and_uses_the_default_layouts(repo: Path) -> None:
    out = sealer("init", "--no-hooks", cwd=repo, input="", check=True)  # stdin: an empty pipe
    recipient = out.stdout.strip()
    assert "Seal " not in out.stderr and "?" not in out.stderr
    assert "sealer: wrote .sealer.yaml: secrets-dir, enc sealed for 1 recipient(s)\n" in out.stderr
    assert (repo / ".sealer.yaml").read_text() == repoinit.rules_text(
        [recipient], ["secrets-dir", "enc"]
    )


def test_outside_a_repository_init_fails_before_asking_anything(tmp_path: Path) -> None:
    import sys

    from tests.recipients.terminal import on_terminal

    status, shown = on_terminal(
        [sys.executable, "-m", "sealer", "init"], cwd=str(tmp_path), timeout=180
    )
    assert status == 5, shown
    assert shown.startswith("sealer: error: not in a git repository\r\n"), shown
    assert "Seal " not in shown


def test_declining_every_layout_says_the_defaults_are_used_and_a_rerun_asks_nothing(
    repo: Path,
) -> None:
    import sys

    from tests.recipients.terminal import on_terminal

    command = [sys.executable, "-m", "sealer", "init", "--no-hooks"]
    status, shown = on_terminal(
        command,
        [(_prompt(name).encode(), b"n") for name in repoinit.LAYOUTS],
        cwd=str(repo),
        timeout=180,
    )
    assert status == 0, shown
    assert "sealer: no layout chosen: using the defaults, secrets-dir, enc\r\n" in shown
    assert "sealer: wrote .sealer.yaml: secrets-dir, enc sealed for 1 recipient(s)\r\n" in shown
    recipient = shown.rstrip("\r\n").rsplit("\r\n", 1)[-1]
    written = (repo / ".sealer.yaml").read_text()
    assert written == repoinit.rules_text([recipient], ["secrets-dir", "enc"])
    status, shown = on_terminal(command, cwd=str(repo), timeout=180)
    assert status == 0, shown
    assert "Seal " not in shown  # the rules file is kept, so there is nothing to choose
    assert "sealer: kept .sealer.yaml as it is" in shown
    assert (repo / ".sealer.yaml").read_text() == written
