"""`sealer diff`: sealed changes between commits, told without a key, in real git repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audit.keys import Person, make_person
from tests.gitfilter.gitrepo import new_repo
from tests.helpers import AgeKey, Result, make_age_key, run, sealer, tool

CONFIG = "db:\n  user: app\n  password: pw-1\n  host_unencrypted: db1\nlist: [a, b]\n"


class Repo:
    """Sealed files kept sealed in the working tree (no filter): what `sealer encrypt -i` makes."""

    def __init__(self, path: Path, env: dict[str, str]):
        self.path = path
        self.env = env
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return run([tool("git"), *args], cwd=self.path, env=self.env, check=True).stdout.strip()

    def sealer(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> Result:
        return sealer(*args, cwd=self.path, env={**self.env, **(env or {})}, check=check)

    def write(self, rel: str, text: str) -> None:
        (self.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.path / rel).write_text(text)

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message)


@pytest.fixture
def alice(tmp_path: Path) -> Person:
    return make_person(tmp_path / "people", "alice")


@pytest.fixture
def repo(tmp_path: Path, alice: Person) -> Repo:
    repo = Repo(tmp_path / "repo", alice.env())
    repo.write("app.yaml", CONFIG)
    repo.sealer("encrypt", "--age", alice.age_recipient, "-i", "app.yaml")
    repo.write("README", "not sealed\n")
    repo.commit("first")
    return repo


NO_KEY = {"SEALER_AGE_KEY_FILE": "/dev/null"}


def _last_commit(repo: Repo) -> str:
    """`sealer diff HEAD~1 HEAD` as someone without a key sees it."""
    return repo.sealer("diff", "HEAD~1", "HEAD", env=NO_KEY).stdout


def _set(repo: Repo, path: str, value: str) -> None:
    repo.sealer("set", "--string", "app.yaml", path, value)


def test_changed_added_and_removed_key_paths_are_named_without_a_key(repo: Repo) -> None:
    _set(repo, "db.password", "pw-2")
    _set(repo, "db.port", "5432")
    repo.sealer("unset", "app.yaml", "db.user")
    _set(repo, "db.host_unencrypted", "db2")
    repo.commit("second")
    out = repo.sealer("diff", "HEAD~1", "HEAD", env=NO_KEY)
    assert out.stdout == (
        "sealed files changed between HEAD~1 and HEAD:\n"
        "app.yaml: modified\n"
        "  added: db.port\n"
        "  removed: db.user\n"
        "  changed: db.password, db.host_unencrypted\n"
        "  in the clear: db.host_unencrypted\n"
    )
    assert "pw-" not in out.stdout + out.stderr


def test_no_revision_compares_head_with_the_index_and_paths_filter(repo: Repo) -> None:
    repo.write("other.yaml", "token: t-1\n")
    repo.sealer(
        "encrypt", "--age", make_age_key(repo.path.parent / "k2").recipient, "-i", "other.yaml"
    )
    _set(repo, "db.password", "pw-2")
    assert repo.sealer("diff").stdout == ""  # nothing staged yet: the index is HEAD
    repo.git("add", "-A")
    staged = repo.sealer("diff", env=NO_KEY).stdout
    assert staged.startswith("sealed files changed between HEAD and index:\napp.yaml: modified\n")
    assert "other.yaml: new sealed file\n" in staged
    only = repo.sealer("diff", "HEAD", "other.yaml", env=NO_KEY).stdout
    assert "app.yaml" not in only and "other.yaml: new sealed file" in only
    assert repo.sealer("diff", "--exit-code", "--", "app.yaml", check=False).returncode == 1


def test_added_recipient_has_its_signed_audit_entry(repo: Repo, tmp_path: Path) -> None:
    repo.sealer("audit", "init")
    repo.sealer("audit", "record", "app.yaml")
    repo.commit("audit")
    bob = make_age_key(tmp_path / "bob")
    repo.sealer("updatekeys", "--add-age", bob.recipient, "app.yaml")
    repo.commit("bob joins")
    out = _last_commit(repo)
    assert out == (
        "sealed files changed between HEAD~1 and HEAD:\n"
        "app.yaml: modified\n"
        f"  recipients added: {bob.recipient}\n"
        "  data key: kept\n"
        "  audit: signed and verified (entry 1 recipients.update by alice@example.invalid)\n"
    )


def test_rotation_is_told_from_ciphertexts_and_from_the_audit_entry(repo: Repo) -> None:
    repo.sealer("audit", "init")
    repo.commit("audit")
    repo.sealer("rotate", "app.yaml")
    repo.commit("rotate")
    report = json.loads(repo.sealer("diff", "HEAD~1", "HEAD", "--json", env=NO_KEY).stdout)
    (file,) = report["files"]
    assert file["data_key"] == "new"
    assert file["changed"] == ["db.user", "db.password", "list[0]", "list[1]"]
    assert file["recipients_added"] == [] and file["recipients_removed"] == []
    assert file["audit"]["status"] == "verified"
    assert [(e["action"], e["rotated"]) for e in file["audit"]["entries"]] == [
        ("datakey.rotate", True)
    ]


def test_a_rekey_without_its_audit_entry_is_flagged(repo: Repo, tmp_path: Path) -> None:
    repo.sealer("audit", "init")
    repo.commit("audit")
    mallory = make_age_key(tmp_path / "mallory")
    plain = repo.sealer("decrypt", "app.yaml").stdout
    repo.write("app.yaml", plain)  # re-sealed by hand for someone else: no entry
    repo.sealer("encrypt", "--age", mallory.recipient, "-i", "app.yaml")
    repo.commit("quietly re-keyed")
    out = _last_commit(repo)
    assert f"  recipients added: {mallory.recipient}\n" in out
    assert "  recipients removed: " in out
    assert "  data key: new (every value re-encrypted)\n" in out
    assert "  audit: FAILED: commit " in out and "with no audit entry" in out
    md = repo.sealer("diff", "HEAD~1", "HEAD", "--markdown", env=NO_KEY).stdout
    assert "> **Needs attention**: 0 file(s) stored in plaintext, 1 re-key(s) " in md


def test_a_file_that_lost_its_sealing_is_called_out(repo: Repo) -> None:
    repo.write("app.yaml", repo.sealer("decrypt", "app.yaml").stdout)
    repo.commit("oops")
    out = _last_commit(repo)
    assert out.startswith(
        "sealed files changed between HEAD~1 and HEAD:\napp.yaml: NOW PLAINTEXT (was sealed)\n"
    )
    assert "  in the clear: db.user, db.password, list[0], list[1]\n" in out


def test_threshold_and_selection_changes_are_shown(
    repo: Repo, alice: Person, tmp_path: Path
) -> None:
    bob = make_age_key(tmp_path / "bob")
    plain = repo.sealer("decrypt", "app.yaml").stdout
    repo.write("app.yaml", plain)
    repo.write(
        ".sealer.yaml",
        (
            "creation_rules:\n  - encrypted_regex: ^password$\n    shamir_threshold: 2\n"
            f"    key_groups:\n      - age: [{alice.age_recipient}]\n      - age: [{bob.recipient}]\n"
        ),
    )
    repo.sealer("encrypt", "-i", "app.yaml")
    repo.commit("two groups")
    report = json.loads(repo.sealer("diff", "HEAD~1", "HEAD", "--json", env=NO_KEY).stdout)
    (file,) = [f for f in report["files"] if f["path"] == "app.yaml"]
    assert file["threshold"] == [1, 2]
    assert file["selection"] == ["unencrypted_suffix: _unencrypted", "encrypted_regex: ^password$"]
    assert file["recipients"] == [[alice.age_recipient], [bob.recipient]]
    assert file["not_sealed"] == ["db.user", "list[0]", "list[1]"]


def test_values_are_shown_only_with_a_key_and_when_asked(repo: Repo) -> None:
    _set(repo, "db.password", "pw-2")
    repo.commit("second")
    assert "pw-" not in repo.sealer("diff", "HEAD~1", "HEAD").stdout
    out = repo.sealer("diff", "HEAD~1", "HEAD", "--values").stdout
    assert '  value: db.password: "pw-1" -> "pw-2"\n' in out
    locked = repo.sealer("diff", "HEAD~1", "HEAD", "--values", env=NO_KEY, check=False)
    assert locked.returncode == 128 and "pw-" not in locked.stdout


def test_markdown_keeps_committed_names_inside_code(repo: Repo) -> None:
    _set(repo, "x|y`![a](https://example.invalid/t.png)", "v")
    repo.commit("odd key")
    md = repo.sealer("diff", "HEAD~1", "HEAD", "--markdown", env=NO_KEY).stdout
    assert md == (
        "### Sealed files: HEAD~1 → HEAD\n\n"
        "#### `app.yaml`: modified\n\n"
        "| | |\n| --- | --- |\n"
        "| added | `x\\|yˋ![a](https://example.invalid/t.png)` |\n\n"
        "_Made by `sealer diff --markdown` from the sealed files alone; no key was used._\n"
    )


def test_merge_base_range_is_what_a_pull_request_brings(repo: Repo) -> None:
    repo.git("checkout", "-qb", "feature")
    _set(repo, "db.password", "pw-2")
    repo.commit("feature change")
    repo.git("checkout", "-q", "main")
    _set(repo, "db.user", "root")
    repo.commit("main change")
    out = repo.sealer("diff", "main...feature", env=NO_KEY).stdout
    assert out == (
        "sealed files changed between merge base of main...feature and feature:\n"
        "app.yaml: modified\n"
        "  changed: db.password\n"
    )


def test_a_locked_clone_of_a_filter_repository_gets_the_same_review(
    tmp_path: Path, age_key: AgeKey
) -> None:
    keyed = new_repo(tmp_path / "keyed", age_key, files={"secrets/db.env": "USER=app\nPW=one\n"})
    keyed.write("secrets/db.env", "USER=app\nPW=two\n")
    keyed.commit("change")
    locked = keyed.clone(tmp_path / "locked", None)
    assert locked.sealer("diff", "HEAD~1", "HEAD").stdout == (
        "sealed files changed between HEAD~1 and HEAD:\nsecrets/db.env: modified\n  changed: PW\n"
    )


def test_renames_and_deletions_need_no_audit_entry(repo: Repo) -> None:
    repo.sealer("audit", "init")
    repo.write("gone.yaml", "x: 1\n")
    repo.sealer("encrypt", "--age", _recipient(repo), "-i", "gone.yaml")
    repo.sealer("audit", "record", "app.yaml", "gone.yaml")
    repo.commit("audit")
    repo.git("mv", "app.yaml", "config.yaml")
    repo.git("rm", "-q", "gone.yaml")
    repo.commit("rename and delete")
    out = _last_commit(repo)
    assert out == (
        "sealed files changed between HEAD~1 and HEAD:\n"
        "config.yaml: renamed\n"
        "  renamed from: app.yaml\n"
        "gone.yaml: sealed file removed\n"
        "  removed: x\n"
        f"  recipients removed: {_recipient(repo)}\n"
    )


def test_a_staged_rekey_is_checked_against_the_signers_of_head(repo: Repo, tmp_path: Path) -> None:
    repo.sealer("audit", "init")
    repo.commit("audit")
    carol = make_age_key(tmp_path / "carol")
    repo.sealer("updatekeys", "--add-age", carol.recipient, "app.yaml")
    repo.git("add", "-A")
    out = repo.sealer("diff", env=NO_KEY).stdout
    assert (
        "  audit: signed and verified (entry 0 recipients.update by alice@example.invalid)\n" in out
    )
    # an entry signed by someone HEAD's allowed_signers does not name
    log = repo.path / ".sealer" / "audit.jsonl"
    repo.git("reset", "-q", "--hard")
    mallory = make_person(tmp_path / "people", "mallory")
    sealer("updatekeys", "--add-age", carol.recipient, "app.yaml", cwd=repo.path,
           env={**mallory.env(), "SEALER_AGE_KEY_FILE": repo.env["SEALER_AGE_KEY_FILE"]})  # fmt: skip
    assert log.read_text().count("\n") == 1
    repo.git("add", "-A")
    out = repo.sealer("diff", env=NO_KEY).stdout
    assert "  audit: FAILED: entry 0: signer not authorised" in out


def test_a_keyless_git_log_shows_yaml_values_as_digests(tmp_path: Path, age_key: AgeKey) -> None:
    from sealer.review.textview import short_id

    keyed = new_repo(tmp_path / "keyed", age_key, files={"secrets/a.yaml": "a: one\nb: two\n"})
    keyed.write("secrets/a.yaml", "a: one\nb: three\n")
    keyed.commit("change b")
    locked = keyed.clone(tmp_path / "locked", None)
    stored = [keyed.stored(f"{rev}:secrets/a.yaml").splitlines() for rev in ("HEAD~1", "HEAD")]
    a_line, old_b, new_b = stored[1][0], stored[0][1], stored[1][1]
    patch = locked.git("log", "-p", "-1", "--format=").stdout
    hunk = patch[patch.index("@@") :]
    assert hunk.splitlines()[1:4] == [
        f" a: {short_id(a_line[3:])}",
        f"-b: {short_id(old_b[3:])}",
        f"+b: {short_id(new_b[3:])}",
    ]
    assert f"        - {age_key.recipient}" in hunk and "lastmodified" not in hunk


def _recipient(repo: Repo) -> str:
    text = Path(repo.env["SEALER_AGE_KEY_FILE"]).read_text()
    return next(line.split(": ", 1)[1] for line in text.splitlines() if "public key" in line)


def test_a_covered_file_committed_in_plaintext_is_called_out(repo: Repo, alice: Person) -> None:
    rules = f"creation_rules:\n  - path_regex: ^secrets/\n    age: {alice.age_recipient}\n"
    repo.write(".sealer.yaml", rules)
    repo.commit("rules")
    repo.write("secrets/db.env", "PASSWORD=plain-pw-9\n")
    repo.write(".sealer.yaml", "creation_rules: []\n")  # dropping the rule does not hide it
    repo.commit("plaintext, sneaked in")
    out = _last_commit(repo)
    assert out == (
        "sealed files changed between HEAD~1 and HEAD:\n"
        "secrets/db.env: PLAINTEXT, though a rule says it must be sealed\n"
        "  in the clear: PASSWORD\n"
        "  problem: a creation rule covers this file, but it is stored in plaintext\n"
    )
    md = repo.sealer("diff", "HEAD~1", "HEAD", "--markdown", env=NO_KEY).stdout
    assert "> **Needs attention**: 1 file(s) stored in plaintext, 0 re-key(s)" in md
