"""Per-key three-way merge: the plaintext algorithm, and the driver under real git merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer import formats
from sealer.gitfilter import conflict
from sealer.gitfilter.merge import diff3, merge_texts
from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import AgeKey, make_age_key, sops


def merged(name: str, base: str | None, ours: str, theirs: str) -> str:
    outcome = merge_texts(formats.get(name), base, ours, theirs)
    assert outcome.merged is not None, outcome.conflicts
    return outcome.merged


def test_diff3_merges_separate_changes_and_reports_overlapping_ones() -> None:
    base, ours, theirs = list("abcdef"), list("aBcdef"), list("abcdeF")
    chunks = list(diff3(base, ours, theirs))
    assert [c.base for c in chunks] == [None] * len(chunks)
    assert "".join("".join(c.lines) for c in chunks) == "aBcdeF"
    clash = list(diff3(list("abc"), list("aXc"), list("aYc")))
    assert [(c.base, c.ours, c.theirs) for c in clash if c.base is not None] == [
        (["b"], ["X"], ["Y"])
    ]


# (format, base, ours, theirs, expected): different keys on adjacent lines merge
ADJACENT = [
    ("yaml", "db:\n  user: a\n  password: p\n", "db:\n  user: b\n  password: p\n",
     "db:\n  user: a\n  password: q\n", "db:\n  user: b\n  password: q\n"),
    ("dotenv", "A=1\nB=2\n", "A=10\nB=2\n", "A=1\nB=20\n", "A=10\nB=20\n"),
    ("json", '{"a": 1,\n "b": 2}\n', '{"a": 10,\n "b": 2}\n', '{"a": 1,\n "b": 20}\n',
     '{"a": 10,\n "b": 20}\n'),
    ("ini", "[s]\na = 1\nb = 2\n", "[s]\na = 10\nb = 2\n", "[s]\na = 1\nb = 20\n",
     "[s]\na = 10\nb = 20\n"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "base", "ours", "theirs", "expected"), ADJACENT)
def test_changes_to_different_keys_on_adjacent_lines_merge(
    name: str, base: str, ours: str, theirs: str, expected: str
) -> None:
    assert merged(name, base, ours, theirs) == expected


def test_the_same_key_changed_on_both_sides_is_a_conflict_on_that_key_only() -> None:
    outcome = merge_texts(
        formats.get("yaml"), "a: 1\nb: 2\nc: 3\n", "a: 5\nb: 8\nc: 3\n", "a: 1\nb: 9\nc: 4\n"
    )
    assert outcome.merged is None
    assert outcome.conflicts == ["b"]
    assert (outcome.ours, outcome.theirs) == ("a: 5\nb: 8\nc: 4\n", "a: 5\nb: 9\nc: 4\n")
    rendered = conflict.render(outcome.ours, outcome.theirs)
    assert rendered == "a: 5\n<<<<<<< ours\nb: 8\n=======\nb: 9\n>>>>>>> theirs\nc: 4\n"


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    assert merged("dotenv", "A=1\nB=2\n", "A=3\nB=2\n", "A=3\nB=4\n") == "A=3\nB=4\n"


def test_keys_added_at_the_same_place_on_both_sides_are_all_kept() -> None:
    assert merged("dotenv", "A=1\n", "A=1\nB=2\n", "A=1\nC=3\n") == "A=1\nB=2\nC=3\n"
    assert merged("yaml", "a:\n  x: 1\n", "a:\n  x: 1\n  y: 2\n", "a:\n  x: 1\n  z: 3\n") == (
        "a:\n  x: 1\n  y: 2\n  z: 3\n"
    )


def test_the_same_key_added_on_both_sides_with_different_values_conflicts() -> None:
    outcome = merge_texts(formats.get("dotenv"), "A=1\n", "A=1\nB=2\n", "A=1\nB=3\n")
    assert outcome.merged is None and outcome.conflicts == ["B"]


def test_a_key_removed_on_one_side_and_another_changed_on_the_other() -> None:
    assert (
        merged("yaml", "a: 1\nb: 2\nc: 3\n", "a: 1\nc: 3\n", "a: 1\nb: 2\nc: 4\n") == "a: 1\nc: 4\n"
    )


def test_a_key_removed_on_one_side_and_changed_on_the_other_conflicts() -> None:
    outcome = merge_texts(formats.get("yaml"), "a: 1\nb: 2\n", "a: 1\n", "a: 1\nb: 3\n")
    assert outcome.merged is None
    assert "b: 3" in outcome.theirs and "b:" not in outcome.ours


def test_list_items_merge_as_lines() -> None:
    base = "hosts:\n  - a\n  - b\n  - c\n  - d\n"
    assert merged("yaml", base, base.replace("- a", "- A"), base.replace("- d", "- D")) == (
        "hosts:\n  - A\n  - b\n  - c\n  - D\n"
    )


def test_a_file_added_on_both_sides_merges_per_key() -> None:
    outcome = merge_texts(formats.get("dotenv"), None, "A=1\nB=2\n", "A=1\nB=3\n")
    assert outcome.conflicts == ["B"]
    assert merged("dotenv", None, "A=1\nB=2\n", "A=1\nB=2\n") == "A=1\nB=2\n"


def test_multi_line_values_merge_per_key() -> None:
    base = "cert: |\n  line one\n  line two\nkey: k1\n"
    ours = base.replace("line two", "line 2")
    theirs = base.replace("k1", "k2")
    assert merged("yaml", base, ours, theirs) == "cert: |\n  line one\n  line 2\nkey: k2\n"


# -- the driver, through git ----------------------------------------------------------

APP = "db:\n  user: admin\n  password: base-pw-0a1b\n  port: 5432\nlog: info\n"


@pytest.fixture
def repo(tmp_path: Path, age_key: AgeKey) -> GitRepo:
    return new_repo(tmp_path / "repo", age_key, files={"secrets/app.yaml": APP})


def branch(repo: GitRepo, name: str, old: str, new: str, start: str = "main") -> None:
    repo.git("checkout", "-q", "-b", name, start)
    repo.write("secrets/app.yaml", repo.read("secrets/app.yaml").replace(old, new))
    repo.commit(f"{name}: one change")
    repo.git("checkout", "-q", "main")


def test_disjoint_changes_merge_clean_and_the_result_verifies(
    repo: GitRepo, age_key: AgeKey
) -> None:
    branch(repo, "theirs", "password: base-pw-0a1b", "password: theirs-pw-2c3d")
    branch(repo, "ours", "port: 5432", "port: 6000")
    repo.git("merge", "-q", "--ff-only", "ours")
    result = repo.git("merge", "--no-edit", "theirs")
    assert result.returncode == 0 and "CONFLICT" not in result.stdout
    assert repo.read("secrets/app.yaml") == APP.replace("base-pw-0a1b", "theirs-pw-2c3d").replace(
        "5432", "6000"
    )
    assert repo.status() == ""
    stored = repo.stored("HEAD:secrets/app.yaml")
    theirs_line = next(
        x for x in repo.stored("theirs:secrets/app.yaml").splitlines() if "password" in x
    )
    ours_line = next(x for x in repo.stored("ours:secrets/app.yaml").splitlines() if "port" in x)
    assert theirs_line in stored.splitlines() and ours_line in stored.splitlines()
    (repo.path / "merged.yaml").write_text(stored)
    opened = sops(
        "-d", str(repo.path / "merged.yaml"), env={"SOPS_AGE_KEY_FILE": str(age_key.file)}
    )
    assert opened.returncode == 0, opened.stderr
    assert "password: theirs-pw-2c3d" in opened.stdout and "port: 6000" in opened.stdout
    assert_no_plaintext(repo.path, ["base-pw-0a1b", "theirs-pw-2c3d"])


def test_conflicting_changes_show_plaintext_markers_and_store_nothing_plain(
    repo: GitRepo, age_key: AgeKey
) -> None:
    branch(repo, "theirs", "base-pw-0a1b", "theirs-pw-4e5f")
    branch(repo, "ours", "base-pw-0a1b", "ours-pw-6a7b")
    repo.git("merge", "-q", "--ff-only", "ours")
    result = repo.git("merge", "--no-edit", "theirs", check=False)
    assert result.returncode == 1
    assert "changed on both sides: db.password" in result.stderr
    text = repo.read("secrets/app.yaml")
    markers = "<<<<<<< ours\n  password: ours-pw-6a7b\n=======\n  password: theirs-pw-4e5f\n"
    assert text == APP.replace("  password: base-pw-0a1b\n", markers + ">>>>>>> theirs\n")
    assert repo.status() == "UU secrets/app.yaml\n"
    refused = repo.git("add", "secrets/app.yaml", check=False)
    assert refused.returncode != 0
    assert "unresolved merge conflict markers" in refused.stderr
    secrets = ["base-pw-0a1b", "theirs-pw-4e5f", "ours-pw-6a7b"]
    assert_no_plaintext(repo.path, secrets)
    repo.write("secrets/app.yaml", APP.replace("base-pw-0a1b", "resolved-pw-8c9d"))
    repo.git("add", "secrets/app.yaml")
    repo.git("commit", "-q", "--no-edit")
    assert repo.status() == ""
    (repo.path / "m.yaml").write_text(repo.stored("HEAD:secrets/app.yaml"))
    opened = sops("-d", str(repo.path / "m.yaml"), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert "password: resolved-pw-8c9d" in opened.stdout
    assert_no_plaintext(repo.path, [*secrets, "resolved-pw-8c9d"])


def test_a_merge_without_a_key_conflicts_with_a_clear_message_and_keeps_ours(
    repo: GitRepo, tmp_path: Path
) -> None:
    branch(repo, "theirs", "base-pw-0a1b", "theirs-pw-1111")
    branch(repo, "ours", "port: 5432", "port: 7000")
    locked = repo.clone(tmp_path / "locked", make_age_key(tmp_path / "nobody"))
    locked.git("checkout", "-q", "-b", "ours", "origin/ours")
    result = locked.git("merge", "--no-edit", "origin/theirs", check=False)
    assert result.returncode == 1
    assert "cannot merge secrets/app.yaml" in result.stderr
    assert "no identity can open" in result.stderr
    assert "left as ours (sealed)" in result.stderr
    assert locked.read("secrets/app.yaml") == locked.stored("ours:secrets/app.yaml")
    assert locked.status() == "UU secrets/app.yaml\n"
    assert_no_plaintext(locked.path, ["base-pw-0a1b", "theirs-pw-1111"])


def test_a_conflict_checks_out_sealed_in_a_locked_clone_of_the_merge_state(
    repo: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    branch(repo, "theirs", "log: info", "log: debug")
    branch(repo, "ours", "log: info", "log: warn")
    repo.git("merge", "-q", "--ff-only", "ours")
    repo.git("merge", "--no-edit", "theirs", check=False)
    assert "<<<<<<< ours\nlog: warn\n=======\nlog: debug\n>>>>>>> theirs\n" in repo.read(
        "secrets/app.yaml"
    )
    repo.git("merge", "--abort")
    assert repo.read("secrets/app.yaml") == APP.replace("info", "warn")
    assert repo.status() == ""
