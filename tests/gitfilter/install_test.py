"""`sealer git install` / `uninstall`: what they write, idempotence, and what they leave alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer.gitfilter.install import BEGIN, END, PRE_COMMIT
from tests.gitfilter.gitrepo import RULES, GitRepo, new_repo
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import REPO, AgeKey

UNRELATED_ATTRIBUTES = "*.png binary\ndocs/** linguist-documentation\n"
SECRET_FILES = {"secrets/a.env": "TOKEN=tok-inst-5e6f\n", "README.md": "hello\n"}


@pytest.fixture
def repo(tmp_path: Path, age_key: AgeKey) -> GitRepo:
    return new_repo(tmp_path / "repo", age_key, files=SECRET_FILES)


def config(repo: GitRepo) -> dict[str, str]:
    out = repo.git("config", "--local", "--list").stdout.splitlines()
    return dict(line.split("=", 1) for line in out)


def test_install_writes_a_marked_block_the_config_and_the_hook(repo: GitRepo) -> None:
    repo.sealer("git", "install")
    attributes = repo.read(".gitattributes")
    block = attributes[attributes.index(BEGIN) : attributes.index(END)]
    assert "/**/*secrets/** filter=sealer diff=sealer merge=sealer" in block
    assert ".sealer.yaml !filter !diff !merge" in block
    assert "/.sealer/audit.jsonl merge=sealer-audit" in block
    cfg = config(repo)
    assert cfg["filter.sealer.process"] == "sealer git process"
    assert cfg["filter.sealer.required"] == "true"
    assert cfg["filter.sealer.clean"] == "sealer git clean -- %f"
    assert cfg["diff.sealer.textconv"] == "sealer git textconv"
    assert cfg["merge.sealer.driver"] == "sealer git merge --marker-size=%L %O %A %B %P"
    assert cfg["merge.sealer-audit.driver"] == "sealer audit merge %O %A %B"
    assert "diff.sealer.cachetextconv" not in cfg
    hook = repo.path / ".git/hooks/pre-commit"
    assert hook.read_text() == PRE_COMMIT.format(sealer="sealer")
    assert hook.read_text() == (REPO / "hooks/pre-commit").read_text()
    assert hook.stat().st_mode & 0o111


def test_install_is_idempotent_and_leaves_unrelated_settings_alone(repo: GitRepo) -> None:
    attributes = UNRELATED_ATTRIBUTES + repo.read(".gitattributes")
    repo.write(".gitattributes", attributes)
    repo.git("config", "--local", "diff.other.textconv", "cat")
    repo.git("config", "--local", "diff.sealer.cachetextconv", "true")
    first = repo.sealer("git", "install")
    assert "removed diff.sealer.cachetextconv" in first.stderr
    after_first = (repo.read(".gitattributes"), config(repo))
    second = repo.sealer("git", "install")
    assert (repo.read(".gitattributes"), config(repo)) == after_first
    assert "removed diff.sealer.cachetextconv" not in second.stderr
    assert repo.read(".gitattributes").startswith(UNRELATED_ATTRIBUTES)
    assert repo.read(".gitattributes").count(BEGIN) == 1
    assert config(repo)["diff.other.textconv"] == "cat"
    assert "diff.sealer.cachetextconv" not in config(repo)


def test_uninstall_removes_what_install_wrote_and_leaves_sealed_files(repo: GitRepo) -> None:
    repo.write(".gitattributes", UNRELATED_ATTRIBUTES + repo.read(".gitattributes"))
    repo.git("config", "--local", "diff.other.textconv", "cat")
    repo.sealer("git", "install")
    assert repo.read("secrets/a.env") == SECRET_FILES["secrets/a.env"]
    out = repo.sealer("git", "uninstall")
    assert "checked out 1 file(s) as stored (sealed)" in out.stderr
    assert repo.read(".gitattributes") == UNRELATED_ATTRIBUTES
    cfg = config(repo)
    assert not any(
        k.startswith(("filter.sealer", "diff.sealer", "merge.sealer", "sealer.")) for k in cfg
    )
    assert cfg["diff.other.textconv"] == "cat"
    assert not (repo.path / ".git/hooks/pre-commit").exists()
    assert repo.read("secrets/a.env") == repo.stored("HEAD:secrets/a.env")  # sealed again
    assert "tok-inst-5e6f" not in repo.read("secrets/a.env")


def test_install_checks_sealed_working_files_out_as_plaintext(
    repo: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    clone = repo.clone(tmp_path / "c", age_key, install=False)
    assert "tok-inst-5e6f" not in clone.read("secrets/a.env")  # no filter yet: sealed
    clone.write("README.md", "changed, not covered\n")
    out = clone.sealer("git", "install", "--no-hook")
    assert "checked out 1 covered file(s) again" in out.stderr
    assert clone.read("secrets/a.env") == SECRET_FILES["secrets/a.env"]
    assert clone.read("README.md") == "changed, not covered\n"
    assert clone.status() == " M README.md\n"


def test_a_modified_covered_file_is_left_alone(
    repo: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    clone = repo.clone(tmp_path / "c", age_key, install=False)
    clone.write("secrets/a.env", "TOKEN=edited-before-install\n")
    out = clone.sealer("git", "install", "--no-hook")
    assert "left 1 modified covered file(s) as they are: secrets/a.env" in out.stderr
    assert clone.read("secrets/a.env") == "TOKEN=edited-before-install\n"


def test_a_regex_without_glob_form_lists_its_files(tmp_path: Path, age_key: AgeKey) -> None:
    repo = GitRepo(tmp_path / "r", age_key)
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write(".sealer.yaml", RULES.format(regex=r"'^env\d+/'", recipient=age_key.recipient))
    repo.write("env1/db.env", "PW=listed-1a2b\n")
    repo.write("envx/db.env", "PW=not-covered\n")
    out = repo.sealer("git", "install", "--no-hook")
    assert r"path_regex .sealer.yaml: ^env\d+/ has no exact .gitattributes form" in out.stderr
    assert "/env1/db.env filter=sealer diff=sealer merge=sealer" in repo.read(".gitattributes")
    repo.commit("x")
    assert "listed-1a2b" not in repo.stored("HEAD:env1/db.env")
    assert repo.stored("HEAD:envx/db.env") == "PW=not-covered\n"
    assert_no_plaintext(repo.path, ["listed-1a2b"])


def test_tracked_sealed_files_outside_every_rule_are_listed(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/x.env": "A=sealed-3c4d\n"})
    repo.git("mv", "secrets/x.env", "elsewhere.env")
    repo.git("commit", "-q", "-m", "moved out of the rule")
    repo.sealer("git", "install", "--no-hook")
    assert "/elsewhere.env filter=sealer" in repo.read(".gitattributes")
    assert repo.read("elsewhere.env") == "A=sealed-3c4d\n"
    assert repo.status() == " M .gitattributes\n"  # the new line, to be committed


def test_a_foreign_pre_commit_hook_is_left_alone(repo: GitRepo) -> None:
    hook = repo.path / ".git/hooks/pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 0\n")
    out = repo.sealer("git", "install")
    assert "left" in out.stderr and "not sealer's" in out.stderr
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"
    repo.sealer("git", "uninstall")
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"


def test_outside_a_repository_install_says_so(tmp_path: Path) -> None:
    out = GitRepo(tmp_path, None).sealer("git", "install", check=False)
    assert out.returncode == 5
    assert "not inside a git working tree" in out.stderr
