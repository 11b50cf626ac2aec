"""`audit verify` judges each version by parsing it, not by looking for the bytes `sops`.

Regression tests for issue 14, point 2: on 74d6504 a re-key whose metadata key was
spelled `"\\u0073ops"` (JSON) or `"\\x73ops"` (YAML) - which sops and sealer both read
as sealed - passed `audit verify` with no entry, and so did a blob that stopped
parsing as sealed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.attacks.hostile import AUDITED as FILES
from tests.attacks.hostile import AuditRepo as Repo
from tests.attacks.hostile import audit_repo
from tests.audit.keys import Person


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return audit_repo(tmp_path)


def _rekey_for(r: Repo, who: Person, name: str) -> None:
    """Replace `name` by a file sealed for `who` alone, under a new data key."""
    (r.root / name).write_text(FILES[name].replace("t0ps3cret", "mallory-chose-this"))
    r.sealer("mallory", "encrypt", "-i", "--age", who.age_recipient, name)


@pytest.mark.parametrize(
    ("name", "plain", "escaped"),
    [
        ("secrets/app.json", '"sops":', '"\\u0073ops":'),
        ("secrets/app.yaml", "\nsops:", '\n"\\x73ops":'),
    ],
)
def test_a_rekey_with_an_escaped_metadata_key_needs_an_entry(
    repo: Repo, name: str, plain: str, escaped: str
) -> None:
    mallory = repo.people["mallory"]
    _rekey_for(repo, mallory, name)
    path = repo.root / name
    text = path.read_text()
    assert text.count(plain) == 1
    path.write_text(text.replace(plain, escaped))
    assert b"sops" not in path.read_bytes()  # what 74d6504 looked for
    # sealer itself reads the escaped key as metadata and opens the file for mallory
    opened = repo.run("mallory", sys.executable, "-m", "sealer", "decrypt", name)
    assert opened.returncode == 0, opened.stderr
    assert "mallory-chose-this" in opened.stdout
    c = repo.commit("mallory", "innocent formatting change")
    alice = repo.people["alice"].age_recipient
    assert repo.failures() == [
        f"commit {c[:12]}: {name}: changed recipients or data key "
        f"(+{mallory.age_recipient} -{alice}) with no audit entry"
    ]


def test_a_blob_that_stops_parsing_as_sealed_needs_an_entry(repo: Repo) -> None:
    name = "secrets/app.yaml"
    path = repo.root / name
    path.write_text(path.read_text().replace("\nsops:", "\nsops: [broken]\nx:"))
    c = repo.commit("mallory", "break the metadata")
    alice = repo.people["alice"].age_recipient
    assert repo.failures() == [
        f"commit {c[:12]}: {name}: stopped parsing as a sealed file (-{alice}) with no audit entry"
    ]
