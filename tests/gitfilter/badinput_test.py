"""Bad input: each gives a clear message, and no plaintext reaches the object store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import AgeKey


@pytest.fixture
def repo(tmp_path: Path, age_key: AgeKey) -> GitRepo:
    return new_repo(tmp_path / "repo", age_key, files={"secrets/app.json": '{"key": "ok-1a"}\n'})


def test_a_covered_file_that_does_not_parse_is_not_added(repo: GitRepo) -> None:
    repo.write("secrets/app.json", '{"key": "bad-json-2b",\n')
    result = repo.git("add", "secrets/app.json", check=False)
    assert result.returncode == 128
    assert "sealer: error: secrets/app.json: " in result.stderr
    assert "clean filter 'sealer' failed" in result.stderr
    assert repo.git("diff", "--cached", "--quiet", check=False).returncode == 0
    assert_no_plaintext(repo.path, ["bad-json-2b", "ok-1a"])


def test_a_covered_file_without_a_matching_rule_is_not_added(repo: GitRepo) -> None:
    repo.write(".sealer.yaml", repo.read(".sealer.yaml").replace("secrets/.*", "^nothing/"))
    repo.write("secrets/new.env", "TOKEN=no-rule-3c\n")
    result = repo.git("add", "secrets/new.env", check=False)
    assert result.returncode == 128
    assert "secrets/new.env: no creation rule in" in result.stderr
    assert_no_plaintext(repo.path, ["no-rule-3c"])


def test_a_recipient_that_cannot_be_reached_stops_the_add(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
    repo.write(".sealer.yaml", f"creation_rules:\n  - path_regex: secrets/\n    kms: {arn}\n")
    for var, value in {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(var, value)
    repo.write("secrets/kms.env", "TOKEN=unreachable-4d\n")
    result = repo.git("add", "secrets/kms.env", check=False)
    assert result.returncode == 128
    assert f"secrets/kms.env: AWS KMS Encrypt with {arn} failed" in result.stderr
    assert_no_plaintext(repo.path, ["unreachable-4d"])


def test_a_corrupted_sealed_blob_in_history(repo: GitRepo, tmp_path: Path) -> None:
    good = repo.stored("HEAD:secrets/app.json")
    damaged = good.replace('"key": "ENC[AES256_GCM,data:', '"key": "ENC[AES256_GCM,data:AAAA')
    assert damaged != good
    oid = repo.git("hash-object", "-w", "--no-filters", "--stdin", input=damaged).stdout.strip()
    repo.git("update-index", "--cacheinfo", f"100644,{oid},secrets/app.json")
    repo.git("commit", "-q", "--no-verify", "-m", "damaged")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    result = repo.git("checkout", "HEAD@{1}", check=False)
    assert result.returncode != 0
    assert "secrets/app.json: key: a sealed value failed authentication" in result.stderr
    assert "smudge filter sealer failed" in result.stderr
    raw = repo.git("log", "-p", "--no-textconv", "-1", "HEAD@{1}")
    assert raw.returncode == 0 and "data:AAAA" in raw.stdout
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").stdout == "main\n"  # not moved
    repo.git("checkout", "--", "secrets/app.json")  # git left the file out; restore it
    assert repo.read("secrets/app.json") == '{"key": "ok-1a"}\n'
    assert repo.status() == ""
    assert_no_plaintext(repo.path, ["ok-1a"])
