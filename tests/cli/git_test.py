"""`sealer git pre-commit`: the installed hook's re-seal and check, in one process."""

from __future__ import annotations

import re
from pathlib import Path

from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.helpers import AgeKey

APP = "db:\n  password: hunter2\n  port: 5432\n"
APP2 = "db:\n  password: hunter3\n  port: 5432\n"


def stage_raw(repo: GitRepo, path: str, data: str) -> str:
    """Put `data` in the index for `path` as it is, past the filter (as `git add -p` can)."""
    blob = repo.git("hash-object", "-w", "--no-filters", "--stdin", input=data).stdout.strip()
    repo.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    return blob


def password_line(sealed: str) -> str:
    found = re.search(r"^ +password: .*$", sealed, re.M)
    assert found is not None, sealed
    return found[0]


def test_the_hook_is_one_process_that_re_seals_a_stale_mac_then_checks(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": APP})
    first = repo.stored("HEAD:secrets/app.yaml")
    repo.write("secrets/app.yaml", APP2)
    repo.git("add", "secrets/app.yaml")
    second = repo.stored(":0:secrets/app.yaml")
    # the new password with the old MAC: what picking one hunk of the sealed diff stages
    stale = first.replace(password_line(first), password_line(second))
    assert stale != first
    stage_raw(repo, "secrets/app.yaml", stale)
    assert repo.sealer("check", "--staged", check=False).returncode == 51
    hook = repo.sealer("git", "pre-commit")
    assert hook.returncode == 0, hook.stderr
    assert hook.stderr == (
        "sealer: secrets/app.yaml: re-sealed the staged version (its MAC was stale)\n"
    )
    assert repo.sealer("check", "--staged").returncode == 0
    assert "hunter3" not in repo.stored(":0:secrets/app.yaml")
    assert repo.git("cat-file", "--filters", ":0:secrets/app.yaml").stdout == APP2


def test_the_installed_hook_refuses_a_covered_file_staged_in_plaintext(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key)
    repo.sealer("git", "install", check=True)  # with the hook this time
    hook = (repo.path / ".git/hooks/pre-commit").read_text()
    assert hook.splitlines()[-1] == "exec sealer git pre-commit"
    stage_raw(repo, "secrets/app.yaml", APP)
    assert repo.sealer("git", "pre-commit", check=False).returncode == 4
    commit = repo.git("commit", "-q", "-m", "leak", check=False)
    assert commit.returncode != 0
    assert commit.stderr == (
        "sealer: error: secrets/app.yaml: the file is not sealed (it has no sops metadata)\n"
        "sealer: hint: seal it with `sealer encrypt -i`\n"
        "sealer: 1 file failed the check\n"
    )
    assert repo.git("rev-list", "--count", "HEAD").stdout == "1\n"
