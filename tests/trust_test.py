"""Which data keys a clone trusts: the ones it made, recorded under its git directory."""

from __future__ import annotations

from pathlib import Path

from sealer import datakey
from sealer.audit.log import data_key_id as audit_data_key_id
from sealer.git import common_git_dir
from sealer.trust import Trust, data_key_id
from tests.helpers import run


def test_the_id_is_the_audit_trails_data_key_id() -> None:
    key = datakey.new_data_key()
    assert data_key_id(key) == audit_data_key_id(key)


def test_a_key_made_here_is_trusted_by_every_worktree_and_only_here(tmp_path: Path) -> None:
    repo, other = tmp_path / "repo", tmp_path / "other"
    for r in (repo, other):
        run(["git", "init", "-q", "-b", "main", str(r)], check=True)
    run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    run(["git", "-C", str(repo), "worktree", "add", "-q", str(tmp_path / "wt")], check=True)
    key = datakey.new_data_key()
    Trust(common_git_dir(str(repo / "sub" / "dir"))).add(key)
    assert Trust(common_git_dir(str(tmp_path / "wt"))).trusts(key)
    assert not Trust(common_git_dir(str(other))).trusts(key)
    assert not Trust(common_git_dir(str(repo))).trusts(datakey.new_data_key())
    store = repo / ".git" / "sealer" / "trusted-data-keys"
    assert store.read_text() == data_key_id(key) + "\n"
    assert store.stat().st_mode & 0o777 == 0o600


def test_outside_git_every_key_is_trusted(tmp_path: Path) -> None:
    assert common_git_dir(str(tmp_path)) is None
    assert Trust(None).trusts(datakey.new_data_key())
