"""Everyday git flows with sealer installed, in real repositories.

After every scenario the object store (and every file under .git) is swept
for the plaintext secrets (tests/gitfilter/objects.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import AgeKey, make_age_key, run

FILES = {
    "secrets/app.yaml": "# prod database\ndb:\n  user: admin\n  password: pw-alpha-7f3a\n"
    "  port: 5432\n",
    "secrets/deep/er/api.env": "API_URL=https://api.example\nAPI_TOKEN=tok-bravo-91c2\n",
    "secrets/cloud.json": '{\n  "region": "eu-west-1",\n  "secret_key": "key-charlie-44d1"\n}\n',
    "secrets/legacy.ini": "[smtp]\nhost = mail.example\npassword = pw-delta-0b7e\n",
    "README.md": "# plain file, never sealed\n",
    "src/main.py": "print('hello')\n",
}
SECRETS = ["pw-alpha-7f3a", "tok-bravo-91c2", "key-charlie-44d1", "pw-delta-0b7e"]


@pytest.fixture
def origin(tmp_path: Path, age_key: AgeKey) -> GitRepo:
    return new_repo(tmp_path / "origin", age_key, files=FILES)


def plaintext_everywhere(repo: GitRepo) -> None:
    for rel, text in FILES.items():
        assert repo.read(rel) == text, rel


def sealed_in_git(repo: GitRepo) -> None:
    for rel in FILES:
        stored = repo.stored(f"HEAD:{rel}")
        if rel.startswith("secrets/"):
            assert "ENC[AES256_GCM," in stored and not any(s in stored for s in SECRETS)
        else:
            assert stored == FILES[rel]


def test_commit_stores_sealed_blobs_and_the_tree_stays_plaintext(origin: GitRepo) -> None:
    plaintext_everywhere(origin)
    sealed_in_git(origin)
    assert origin.status() == ""
    assert_no_plaintext(origin.path, SECRETS)


def test_clone_then_install_shows_plaintext_and_a_clean_status(
    origin: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    clone = origin.clone(tmp_path / "clone", age_key)
    plaintext_everywhere(clone)
    assert clone.status() == ""
    assert clone.status() == ""
    assert_no_plaintext(clone.path, SECRETS)


def test_clone_with_the_filter_configured_at_clone_time(
    origin: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    dest = tmp_path / "clone"
    run(
        ["git", "clone", "-q", "-c", "filter.sealer.process=sealer git process",
         "-c", "filter.sealer.required=true", str(origin.path), str(dest)],
        env={"SEALER_AGE_KEY_FILE": str(age_key.file)}, check=True,
    )  # fmt: skip
    clone = GitRepo(dest, age_key)
    plaintext_everywhere(clone)
    assert clone.status() == ""
    assert_no_plaintext(clone.path, SECRETS)


def test_touch_and_add_of_an_unchanged_file_stages_nothing(origin: GitRepo) -> None:
    before = origin.git("rev-parse", ":secrets/app.yaml").stdout
    for rel in FILES:
        (origin.path / rel).touch()
    origin.git("add", "-A")
    assert origin.git("diff", "--cached", "--quiet", check=False).returncode == 0
    assert origin.git("rev-parse", ":secrets/app.yaml").stdout == before
    assert origin.status() == ""


# file -> (old value, the value's line start, the metadata lines' starts)
ONE_VALUE = {
    "secrets/app.yaml": ("pw-alpha-7f3a", "  password: ", "    lastmodified:", "    mac:"),
    "secrets/deep/er/api.env": ("tok-bravo-91c2", "API_TOKEN=", "sops_lastmodified=", "sops_mac="),
    "secrets/cloud.json": (
        "key-charlie-44d1",
        '  "secret_key": ',
        '    "lastmodified":',
        '    "mac":',
    ),
    "secrets/legacy.ini": ("pw-delta-0b7e", "password = ", "lastmodified = ", "mac = "),
}


@pytest.mark.parametrize("rel", list(ONE_VALUE))
def test_changing_one_value_changes_one_value_line_plus_metadata(origin: GitRepo, rel: str) -> None:
    old, value_line, lastmodified_line, mac_line = ONE_VALUE[rel]
    new = old + "-NEW"
    before = origin.stored(f"HEAD:{rel}").splitlines()
    origin.write(rel, FILES[rel].replace(old, new))
    origin.commit("change one value", rel)
    after = origin.stored(f"HEAD:{rel}").splitlines()
    assert len(before) == len(after)
    changed = [a for a, b in zip(before, after, strict=True) if a != b]
    kinds = [
        p for a in changed for p in (value_line, lastmodified_line, mac_line) if a.startswith(p)
    ]
    assert len(kinds) == len(changed)  # nothing else changed
    assert kinds.count(value_line) == 1 and kinds.count(mac_line) == 1
    diff = origin.git("show", "--format=", "HEAD").stdout  # textconv: plaintext diff
    assert f"-{FILES[rel].splitlines()[0]}" not in diff
    assert old in diff and new in diff
    assert_no_plaintext(origin.path, [*SECRETS, new])


def test_locked_clone_checks_out_sealed_bytes_with_a_clean_status(
    origin: GitRepo, tmp_path: Path
) -> None:
    clone = origin.clone(tmp_path / "locked", None)
    for rel in FILES:
        assert clone.read(rel) == clone.stored(f"HEAD:{rel}")
    assert clone.status() == ""
    for rel in FILES:
        (clone.path / rel).touch()
    add = clone.git("add", "-A")
    assert clone.git("diff", "--cached", "--quiet", check=False).returncode == 0
    out = clone.git("checkout", "-f", "HEAD~0", "--", ".")
    assert out.returncode == 0
    assert add.stderr.count("no identity can open") <= 1
    assert_no_plaintext(clone.path, SECRETS)


def test_locked_checkout_warns_once_per_git_command(origin: GitRepo, tmp_path: Path) -> None:
    clone = origin.clone(tmp_path / "locked", None, install=False)
    result = clone.sealer("git", "install", "--no-hook")
    assert result.stderr.count("no identity can open") == 1
    assert "checked out 4 covered file(s) again" in result.stderr


def test_add_patch_stages_one_value_and_the_hook_reseals_the_mac(
    tmp_path: Path, age_key: AgeKey
) -> None:
    lines = ["first: f-one-aa11"] + [f"k{i}: v{i}" for i in range(12)] + ["last: l-two-bb22"]
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/a.yaml": "\n".join(lines) + "\n"})
    repo.sealer("git", "install")  # with the pre-commit hook
    edited = (
        "\n".join(lines).replace("f-one-aa11", "f-one-NEW1").replace("l-two-bb22", "l-two-NEW2")
    )
    repo.write("secrets/a.yaml", edited + "\n")
    picked = repo.git("add", "-p", "secrets/a.yaml", input="y\nn\nn\nn\nn\n")
    assert picked.returncode == 0
    staged = repo.git("diff", "--cached").stdout
    assert "+first: f-one-NEW1" in staged and "l-two-NEW2" not in staged
    repo.git("commit", "-q", "-m", "partial")
    clone = repo.clone(tmp_path / "c", age_key)
    assert clone.read("secrets/a.yaml").startswith("first: f-one-NEW1\n")
    assert clone.read("secrets/a.yaml").endswith("last: l-two-bb22\n")
    assert repo.status() == " M secrets/a.yaml\n"
    assert_no_plaintext(repo.path, ["f-one-aa11", "f-one-NEW1", "l-two-bb22", "l-two-NEW2"])


def test_stash_and_pop(origin: GitRepo) -> None:
    origin.write(
        "secrets/app.yaml", FILES["secrets/app.yaml"].replace("pw-alpha-7f3a", "stashed-e5")
    )
    origin.git("stash")
    assert origin.read("secrets/app.yaml") == FILES["secrets/app.yaml"]
    assert origin.status() == ""
    origin.git("stash", "pop")
    assert "stashed-e5" in origin.read("secrets/app.yaml")
    assert origin.status() == " M secrets/app.yaml\n"
    assert_no_plaintext(origin.path, [*SECRETS, "stashed-e5"])


def _two_branches(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("secrets/app.yaml", FILES["secrets/app.yaml"].replace("port: 5432", "port: 6543"))
    repo.commit("feature: port")
    repo.git("checkout", "-q", "main")
    repo.write("secrets/app.yaml", FILES["secrets/app.yaml"].replace("user: admin", "user: root"))
    repo.commit("main: user")


def test_rebase_onto_a_branch_that_changed_another_key(origin: GitRepo) -> None:
    _two_branches(origin)
    origin.git("checkout", "-q", "feature")
    origin.git("rebase", "-q", "main")
    text = origin.read("secrets/app.yaml")
    assert "user: root" in text and "port: 6543" in text
    assert origin.status() == ""
    assert_no_plaintext(origin.path, SECRETS)


def test_cherry_pick_and_revert(origin: GitRepo) -> None:
    _two_branches(origin)
    origin.git("cherry-pick", "feature")
    text = origin.read("secrets/app.yaml")
    assert "user: root" in text and "port: 6543" in text
    origin.git("revert", "--no-edit", "HEAD~1")  # main's user change, under the picked port
    text = origin.read("secrets/app.yaml")
    assert "user: admin" in text and "port: 6543" in text
    assert origin.status() == ""
    assert_no_plaintext(origin.path, SECRETS)


def test_worktree(origin: GitRepo, tmp_path: Path) -> None:
    origin.git("worktree", "add", "-q", "-b", "wt", str(tmp_path / "wt"))
    wt = GitRepo(tmp_path / "wt", origin.key)
    plaintext_everywhere(wt)
    assert wt.status() == ""
    wt.write("secrets/app.yaml", FILES["secrets/app.yaml"].replace("pw-alpha-7f3a", "wt-pw-9911"))
    wt.commit("from the worktree", "secrets/app.yaml")
    assert "wt-pw-9911" not in origin.stored("wt:secrets/app.yaml")
    assert wt.status() == ""
    assert_no_plaintext(origin.path, [*SECRETS, "wt-pw-9911"])


@pytest.mark.parametrize("autocrlf", ["true", "false", "input"])
def test_core_autocrlf(origin: GitRepo, tmp_path: Path, age_key: AgeKey, autocrlf: str) -> None:
    dest = tmp_path / "crlf"
    clone = GitRepo(dest, age_key)
    run(["git", "clone", "-q", "-c", f"core.autocrlf={autocrlf}", str(origin.path), str(dest)],
        env=clone.env, check=True)  # fmt: skip
    clone.sealer("git", "install", "--no-hook")
    eol = "\r\n" if autocrlf == "true" else "\n"
    for rel, text in FILES.items():
        assert (dest / rel).read_bytes() == text.replace("\n", eol).encode(), rel
    assert clone.status() == ""
    for rel in FILES:
        (dest / rel).touch()
    clone.git("add", "-A")
    assert clone.git("diff", "--cached", "--quiet", check=False).returncode == 0
    rel = "secrets/deep/er/api.env"
    (dest / rel).write_bytes(
        FILES[rel].replace("tok-bravo-91c2", "crlf-tok").replace("\n", eol).encode()
    )
    clone.commit("crlf edit", rel)  # a data key this clone did not make: sealed afresh
    first = clone.stored(f"HEAD:{rel}")
    (dest / rel).write_bytes(
        FILES[rel].replace("tok-bravo-91c2", "crlf-tok2").replace("\n", eol).encode()
    )
    clone.commit("crlf edit again", rel)
    stored = clone.stored(f"HEAD:{rel}")
    assert "\r" not in stored and "crlf-tok" not in stored
    changed = sum(a != b for a, b in zip(first.splitlines(), stored.splitlines(), strict=True))
    assert changed <= 3
    assert clone.status() == ""
    assert_no_plaintext(clone.path, [*SECRETS, "crlf-tok", "crlf-tok2"])


def test_rename_delete_and_mixed_files(origin: GitRepo, tmp_path: Path, age_key: AgeKey) -> None:
    blob = origin.git("rev-parse", "HEAD:secrets/app.yaml").stdout
    (origin.path / "secrets/moved").mkdir()
    origin.git("mv", "secrets/app.yaml", "secrets/moved/app-renamed.yaml")
    origin.git("rm", "-q", "secrets/legacy.ini")
    origin.write("notes.txt", "unsealed notes\n")
    origin.commit("rename, delete, add a plain file")
    assert origin.git("rev-parse", "HEAD:secrets/moved/app-renamed.yaml").stdout == blob
    assert "R100" in origin.git("show", "--name-status", "--format=", "HEAD").stdout
    clone = origin.clone(tmp_path / "c", age_key)
    assert clone.read("secrets/moved/app-renamed.yaml") == FILES["secrets/app.yaml"]
    assert not (clone.path / "secrets/legacy.ini").exists()
    assert clone.read("notes.txt") == "unsealed notes\n"
    assert clone.status() == ""
    assert_no_plaintext(clone.path, SECRETS)


def test_checkout_and_switch_between_branches(origin: GitRepo) -> None:
    _two_branches(origin)
    origin.git("switch", "-q", "feature")
    assert "port: 6543" in origin.read("secrets/app.yaml")
    assert origin.status() == ""
    origin.git("checkout", "-q", "main")
    assert "user: root" in origin.read("secrets/app.yaml")
    assert origin.status() == ""
    assert_no_plaintext(origin.path, SECRETS)


def test_a_second_key_holder_edits_and_the_first_reads(
    origin: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    clone = origin.clone(tmp_path / "c", age_key)
    clone.write("secrets/app.yaml", FILES["secrets/app.yaml"].replace("admin", "operator"))
    clone.commit("edit in clone")
    origin.git("pull", "-q", str(clone.path), "main")
    assert "user: operator" in origin.read("secrets/app.yaml")
    assert origin.status() == ""
    other = make_age_key(tmp_path / "nobody")
    locked = origin.clone(tmp_path / "l", other)
    assert "ENC[AES256_GCM," in locked.read("secrets/app.yaml")
    assert_no_plaintext(origin.path, SECRETS)


def test_a_checkout_of_many_files_is_delayed_to_worker_processes(
    tmp_path: Path, age_key: AgeKey
) -> None:
    files = {f"secrets/s{i:02d}.env": f"A=1\nTOKEN=many-{i:02d}-zz\n" for i in range(30)}
    origin = new_repo(tmp_path / "o", age_key, files=files)
    dest = tmp_path / "c"
    cloned = run(
        ["git", "clone", "-q", "-c", "filter.sealer.process=sealer git process",
         "-c", "filter.sealer.required=true", str(origin.path), str(dest)],
        env={"SEALER_AGE_KEY_FILE": str(age_key.file), "SEALER_GIT_WORKERS": "2",
             "GIT_TRACE_PACKET": "1"}, check=True,
    )  # fmt: skip
    # the first file is opened by the filter itself, loading identities once before
    # workers fork; the other 29 go to the workers
    assert cloned.stderr.count("clone< status=delayed") == 29
    assert "clone> command=list_available_blobs" in cloned.stderr
    clone = GitRepo(dest, age_key)
    for rel, text in files.items():
        assert clone.read(rel) == text
    assert clone.status() == ""
    assert_no_plaintext(clone.path, [f"many-{i:02d}-zz" for i in range(30)])


def test_the_per_file_clean_and_smudge_commands(
    origin: GitRepo, tmp_path: Path, age_key: AgeKey
) -> None:
    dest = tmp_path / "perfile"
    run(
        ["git", "clone", "-q", "-c", "filter.sealer.smudge=sealer git smudge -- %f",
         "-c", "filter.sealer.clean=sealer git clean -- %f", "-c", "filter.sealer.required=true",
         str(origin.path), str(dest)],
        env={"SEALER_AGE_KEY_FILE": str(age_key.file)}, check=True,
    )  # fmt: skip
    clone = GitRepo(dest, age_key)
    plaintext_everywhere(clone)
    assert clone.status() == ""
    for rel in FILES:
        (dest / rel).touch()
    clone.git("add", "-A")
    assert clone.git("diff", "--cached", "--quiet", check=False).returncode == 0
    clone.write(
        "secrets/app.yaml", FILES["secrets/app.yaml"].replace("pw-alpha-7f3a", "per-file-pw")
    )
    clone.commit("per-file edit", "secrets/app.yaml")
    assert "per-file-pw" not in clone.stored("HEAD:secrets/app.yaml")
    assert clone.status() == ""
    assert_no_plaintext(clone.path, [*SECRETS, "per-file-pw"])


def test_a_locked_clone_can_add_a_new_secret_for_the_key_holders(
    origin: GitRepo, tmp_path: Path
) -> None:
    locked = origin.clone(tmp_path / "locked", None)
    locked.write("secrets/new.env", "NEW_TOKEN=from-a-locked-clone\n")
    locked.commit("a contributor without the key adds a secret")
    assert "from-a-locked-clone" not in locked.stored("HEAD:secrets/new.env")
    origin.git("pull", "-q", str(locked.path), "main")
    assert origin.read("secrets/new.env") == "NEW_TOKEN=from-a-locked-clone\n"
    assert origin.status() == ""
    assert_no_plaintext(locked.path, [*SECRETS, "from-a-locked-clone"])
