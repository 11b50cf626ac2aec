"""clean lists the blobs it sealed; the pre-commit hook opens only the others."""

from __future__ import annotations

import re
from pathlib import Path

from sealer.gitfilter.cleaned import object_id
from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.helpers import AgeKey

APP = "db:\n  password: hunter2\n  port: 5432\n"


def listed(repo: GitRepo) -> set[str]:
    path = repo.path / ".git" / "sealer" / "cleaned"
    return set(path.read_text().split()) if path.exists() else set()


def staged_blob(repo: GitRepo, path: str) -> str:
    return repo.git("rev-parse", f":0:{path}").stdout.strip()


def test_object_id_is_gits() -> None:
    assert object_id(b"hello\n", "sha1") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_clean_lists_what_it_sealed_and_the_hook_prunes_the_list(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key)
    repo.write("secrets/app.yaml", APP)
    repo.git("add", "secrets/app.yaml")
    blob = staged_blob(repo, "secrets/app.yaml")
    assert blob in listed(repo)
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
