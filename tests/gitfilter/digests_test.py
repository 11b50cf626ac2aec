"""clean recognises a file this clone saw a blob open to from a keyed digest, without a key."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from sealer.gitfilter import digests
from sealer.gitfilter.digests import Digests
from tests.gitfilter.gitrepo import RULES, GitRepo, new_repo
from tests.helpers import AgeKey, make_age_key

APP = "db:\n  password: hunter2\n  port: 5432\n"
APP2 = "db:\n  password: hunter3\n  port: 5432\n"


def locked(repo: GitRepo) -> GitRepo:
    """The same clone, used by someone without any key."""
    return GitRepo(repo.path, None)


def touch(repo: GitRepo, rel: str) -> None:
    """New stat data, same bytes: git has clean look at the file again."""
    path = repo.path / rel
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_a_fresh_clones_files_are_recognised_without_opening_them(
    tmp_path: Path, age_key: AgeKey
) -> None:
    origin = new_repo(tmp_path / "origin", age_key, files={"secrets/app.yaml": APP})
    clone = origin.clone(tmp_path / "clone", age_key)  # install checks the file out again
    assert clone.read("secrets/app.yaml") == APP
    touch(clone, "secrets/app.yaml")
    # without a key, clean could only seal the file afresh (and git would call it modified)
    assert locked(clone).status() == ""


def test_an_edited_file_is_still_modified(tmp_path: Path, age_key: AgeKey) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": APP})
    repo.write("secrets/app.yaml", APP2)
    assert repo.status() == " M secrets/app.yaml\n"


def test_the_digest_of_an_older_version_does_not_hide_a_change(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": APP})
    repo.write("secrets/app.yaml", APP2)
    repo.commit("second")
    repo.write("secrets/app.yaml", APP)  # the first version's bytes: listed, for its own blob
    assert repo.status() == " M secrets/app.yaml\n"
    assert locked(repo).status() == " M secrets/app.yaml\n"


def test_a_list_copied_from_another_clone_matches_nothing(tmp_path: Path, age_key: AgeKey) -> None:
    origin = new_repo(tmp_path / "origin", age_key, files={"secrets/app.yaml": APP})
    clone = origin.clone(tmp_path / "clone", age_key)
    theirs = origin.path / ".git" / digests.NAME
    ours = clone.path / ".git" / digests.NAME
    assert theirs.read_text() != ""
    shutil.copyfile(theirs, ours)  # their tags, made with their key
    touch(clone, "secrets/app.yaml")
    result = locked(clone).git("status", "--porcelain")
    assert result.stdout == " M secrets/app.yaml\n"
    assert "no identity opens the data key of :0:secrets/app.yaml" in result.stderr


def test_the_key_and_the_list_are_private_local_state(tmp_path: Path, age_key: AgeKey) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": APP})
    git_dir = repo.path / ".git"
    key, tags = git_dir / digests.KEY_NAME, git_dir / digests.NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(tags.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == digests.KEY_SIZE
    blob = repo.git("rev-parse", "HEAD:secrets/app.yaml").stdout.strip()
    text = tags.read_text()
    assert blob not in text and "hunter2" not in text
    assert all(len(line) == digests.TAG_HEX for line in text.splitlines())
    assert repo.git("ls-files").stdout.split() == [".gitattributes", ".sealer.yaml",
                                                    "secrets/app.yaml"]  # fmt: skip


def test_after_updatekeys_the_re_staged_files_need_no_key(tmp_path: Path, age_key: AgeKey) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/a.yaml": APP, "secrets/b.yaml": APP2})
    other = make_age_key(tmp_path / "other")
    rules = RULES.format(regex="secrets/.*", recipient=f"{age_key.recipient},{other.recipient}")
    repo.write(".sealer.yaml", rules)
    repo.sealer("updatekeys", check=True)
    # the staged entries carry no stat data: git has clean compare each working file
    assert locked(repo).status() == " M .sealer.yaml\nM  secrets/a.yaml\nM  secrets/b.yaml\n"


def test_a_tag_names_one_blob_and_one_content(tmp_path: Path) -> None:
    (tmp_path / "sealer").mkdir()
    d = Digests(str(tmp_path))
    assert not d.knows("yaml", "a" * 40, b"x")  # no key yet: nothing is known, nothing made
    assert not (tmp_path / digests.KEY_NAME).exists()
    d.remember([("yaml", "a" * 40, b"x")])
    fresh = Digests(str(tmp_path))
    assert fresh.knows("yaml", "a" * 40, b"x")
    assert not fresh.knows("yaml", "b" * 40, b"x")
    assert not fresh.knows("yaml", "a" * 40, b"x\n")
    assert not fresh.knows("json", "a" * 40, b"x")  # the same blob read as another format


def test_a_damaged_key_or_list_only_costs_time(tmp_path: Path) -> None:
    d = Digests(str(tmp_path))
    d.remember([("yaml", "a" * 40, b"x")])
    with open(tmp_path / digests.NAME, "a") as f:
        f.write("not a tag\n\x00\x01 half")
    assert Digests(str(tmp_path)).knows("yaml", "a" * 40, b"x")
    (tmp_path / digests.KEY_NAME).write_bytes(b"short")
    assert not Digests(str(tmp_path)).knows("yaml", "a" * 40, b"x")
    Digests(str(tmp_path)).remember([("yaml", "a" * 40, b"x")])  # no usable key: nothing listed
    assert Digests(None).tag("yaml", "a" * 40, b"x", create=True) is None  # outside a repository


def test_the_list_starts_again_past_its_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "MAX_BYTES", 100)
    d = Digests(str(tmp_path))
    d.remember([("yaml", f"{i:040x}", b"x") for i in range(4)])  # 132 bytes: over the limit
    d.remember([("yaml", "f" * 40, b"y")])
    assert (tmp_path / digests.NAME).stat().st_size == digests.TAG_HEX + 1
    fresh = Digests(str(tmp_path))
    assert fresh.knows("yaml", "f" * 40, b"y")
    assert not fresh.knows("yaml", f"{0:040x}", b"x")


def test_a_blob_staged_under_another_format_is_opened_again(
    tmp_path: Path, age_key: AgeKey
) -> None:
    origin = new_repo(tmp_path / "origin", age_key, files={"secrets/app.yaml": APP})
    clone = origin.clone(tmp_path / "clone", age_key)
    blob = clone.git("rev-parse", ":secrets/app.yaml").stdout.strip()
    # what `git mv` stages, but under a name that makes the same blob JSON
    clone.git("update-index", "--add", "--cacheinfo", f"100644,{blob},secrets/app.json")
    clone.write("secrets/app.json", APP)
    result = clone.git("status", "--porcelain", check=False)
    # the YAML-sealed blob is not the JSON file's unchanged version: clean opens it as JSON
    assert "sealer: error: secrets/app.json" in result.stderr
    assert "A  secrets/app.json" not in result.stdout


def test_a_file_renamed_within_its_format_is_still_recognised(
    tmp_path: Path, age_key: AgeKey
) -> None:
    origin = new_repo(tmp_path / "origin", age_key, files={"secrets/app.yaml": APP})
    clone = origin.clone(tmp_path / "clone", age_key)
    clone.git("mv", "secrets/app.yaml", "secrets/db.yaml")
    touch(clone, "secrets/db.yaml")
    assert locked(clone).status() == "R  secrets/app.yaml -> secrets/db.yaml\n"
