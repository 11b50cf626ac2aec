"""clean lists the blobs it sealed; the pre-commit hook opens only the others."""

from __future__ import annotations

import re
from pathlib import Path

from sealer import policy
from sealer.gitfilter.cleaned import object_id
from tests.gitfilter.gitrepo import RULES, GitRepo, new_repo
from tests.helpers import AgeKey, make_age_key

APP = "db:\n  password: hunter2\n  port: 5432\n"


def listed(repo: GitRepo) -> set[str]:
    path = repo.path / ".git" / "sealer" / "cleaned"
    return {line.split()[0] for line in path.read_text().splitlines()} if path.exists() else set()


def staged_blob(repo: GitRepo, path: str) -> str:
    return repo.git("rev-parse", f":0:{path}").stdout.strip()


def staged_app(tmp_path: Path, key: AgeKey) -> GitRepo:
    """A repository with one covered file, added (so sealed by clean)."""
    repo = new_repo(tmp_path / "r", key)
    repo.write("secrets/app.yaml", APP)
    repo.git("add", "secrets/app.yaml")
    return repo


def test_object_id_is_gits() -> None:
    assert object_id(b"hello\n", "sha1") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_clean_lists_what_it_sealed_and_the_hook_prunes_the_list(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = staged_app(tmp_path, age_key)
    blob = staged_blob(repo, "secrets/app.yaml")
    rule = policy.wanted(str(repo.path / "secrets/app.yaml"))
    assert rule is not None  # listed with the stamp of the rule it was sealed for
    record = (repo.path / ".git/sealer/cleaned").read_text()
    assert record == f"{blob} {policy.stamp('secrets/app.yaml', rule)}\n"
    repo.write("secrets/app.yaml", APP.replace("5432", "6543"))
    repo.git("add", "secrets/app.yaml")  # the first blob is no longer staged
    second = staged_blob(repo, "secrets/app.yaml")
    assert {blob, second} <= listed(repo)
    assert repo.sealer("git", "reseal-staged").stderr == ""
    assert listed(repo) == {second}
    check = repo.sealer("check", "--staged", "-v")
    assert "secrets/app.yaml: sealed by sealer's git filter (not opened again)" in check.stderr


def test_a_blob_staged_past_clean_is_opened_and_a_bad_one_refused(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": APP})
    stored = repo.stored("HEAD:secrets/app.yaml")
    # a sealed blob whose MAC no longer matches its values, put in the index directly
    bent = re.sub(r"port: ENC\[AES256_GCM,data:[^,]*", "port: ENC[AES256_GCM,data:Ng==", stored)
    blob = repo.git("hash-object", "-w", "--no-filters", "--stdin", input=bent).stdout.strip()
    repo.git("update-index", "--cacheinfo", f"100644,{blob},secrets/app.yaml")
    assert blob not in listed(repo)
    check = repo.sealer("check", "--staged", check=False)
    assert check.returncode == 51
    assert "secrets/app.yaml: db.port: a sealed value failed authentication" in check.stderr
    # a value that fails authentication is not re-sealed: check reports it, the blob stays
    assert repo.sealer("git", "reseal-staged").stdout == ""
    assert staged_blob(repo, "secrets/app.yaml") == blob


def test_a_rule_changed_after_git_add_still_holds_the_staged_blob_to_it(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = staged_app(tmp_path, age_key)
    assert repo.sealer("git", "pre-commit").returncode == 0
    other = make_age_key(tmp_path / "other")
    repo.write(".sealer.yaml", RULES.format(regex="secrets/.*",
                                            recipient=f"{age_key.recipient},{other.recipient}"))  # fmt: skip
    check = repo.sealer("check", "--staged", check=False)
    assert check.returncode == 4
    assert f"recipient {other.recipient}: in the rule, not in the file" in check.stderr


def test_only_a_stamp_of_the_current_rule_spares_the_hook_reading_the_blob(
    tmp_path: Path, age_key: AgeKey
) -> None:
    """The list is trusted local state (SECURITY.md): a line with the rule's stamp is taken
    at its word, a line with another stamp (or none) is checked against the rule."""
    repo = new_repo(tmp_path / "r", age_key)
    other = make_age_key(tmp_path / "other")
    repo.write("elsewhere/app.yaml", APP)
    sealed = repo.sealer("encrypt", "--age", other.recipient, "elsewhere/app.yaml", check=True)
    blob = repo.git("hash-object", "-w", "--no-filters", "--stdin", input=sealed.stdout)
    oid = blob.stdout.strip()
    repo.git("update-index", "--add", "--cacheinfo", f"100644,{oid},secrets/app.yaml")
    rule = policy.wanted(str(repo.path / "secrets/app.yaml"))
    assert rule is not None
    record = repo.path / ".git/sealer/cleaned"
    record.parent.mkdir(exist_ok=True)
    for line, code in [
        (oid, 4),
        (f"{oid} {policy.stamp('secrets/other.yaml', rule)}", 4),
        (f"{oid} {policy.stamp('secrets/app.yaml', rule)}", 0),
    ]:
        record.write_text(line + "\n")
        check = repo.sealer("check", "--staged", check=False)
        assert check.returncode == code, (line, check.stderr)
