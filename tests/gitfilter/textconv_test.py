"""Diffs: plaintext for key holders, sealed text for locked clones, no cached plaintext."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer.review.textview import short_id
from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import AgeKey

ENV = "USER=app\nPASSWORD=old-pw-7d8e\n"


@pytest.fixture
def repo(tmp_path: Path, age_key: AgeKey) -> GitRepo:
    repo = new_repo(tmp_path / "repo", age_key, files={"secrets/db.env": ENV})
    repo.write("secrets/db.env", ENV.replace("old-pw-7d8e", "new-pw-9f0a"))
    repo.commit("rotate the password")
    return repo


def test_diff_log_and_show_show_plaintext_to_key_holders(repo: GitRepo) -> None:
    repo.write("secrets/db.env", ENV.replace("old-pw-7d8e", "wip-pw-1b2c"))
    diff = repo.git("diff").stdout
    assert "-PASSWORD=new-pw-9f0a\n+PASSWORD=wip-pw-1b2c\n" in diff
    log = repo.git("log", "-p").stdout
    assert "-PASSWORD=old-pw-7d8e\n+PASSWORD=new-pw-9f0a\n" in log
    assert "ENC[" not in log
    show = repo.git("show", "HEAD").stdout
    assert "+PASSWORD=new-pw-9f0a" in show
    assert repo.git("for-each-ref", "refs/notes/").stdout == ""  # no cachetextconv notes
    assert_no_plaintext(repo.path, ["old-pw-7d8e", "new-pw-9f0a", "wip-pw-1b2c"])


def test_a_locked_clone_reads_which_values_and_recipients_changed(
    repo: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    locked = repo.clone(tmp_path / "locked", None)
    stored = repo.stored("HEAD:secrets/db.env")
    user = next(line for line in stored.splitlines() if line.startswith("USER="))
    before, after = (
        next(
            line
            for line in repo.stored(f"{rev}:secrets/db.env").splitlines()
            if "PASSWORD=" in line
        )
        for rev in ("HEAD~1", "HEAD")
    )
    log = locked.git("log", "-p", "-1")
    assert log.returncode == 0
    assert log.stdout.endswith(
        "@@ -1,4 +1,4 @@\n"
        f" USER={short_id(user[5:])}\n"
        f"-PASSWORD={short_id(before[9:])}\n"
        f"+PASSWORD={short_id(after[9:])}\n"
        f" sops_recipients__list_0={age_key.recipient}\n"
        " sops_unencrypted_suffix=_unencrypted\n"
    )
    assert "ENC[" not in log.stdout and "mac" not in log.stdout
    assert "old-pw-7d8e" not in log.stdout and "new-pw-9f0a" not in log.stdout


def test_textconv_prints_sealed_opened_and_plain_files(repo: GitRepo, tmp_path: Path) -> None:
    sealed = tmp_path / "db.env"
    sealed.write_text(repo.stored("HEAD:secrets/db.env"))
    assert repo.sealer("git", "textconv", str(sealed)).stdout == ENV.replace(
        "old-pw-7d8e", "new-pw-9f0a"
    )
    plain = tmp_path / "plain.env"
    plain.write_text("A=1\n")
    assert repo.sealer("git", "textconv", str(plain)).stdout == "A=1\n"
    damaged = tmp_path / "damaged.env"
    text = sealed.read_text().replace("USER=ENC[AES256_GCM,data:", "USER=ENC[AES256_GCM,data:AA")
    damaged.write_text(text)
    out = repo.sealer("git", "textconv", str(damaged))
    assert out.returncode == 0 and out.stdout == text
    assert "shown as stored" in out.stderr
