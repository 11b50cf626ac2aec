"""What sops' MAC (which sealer keeps, for interop) detects and what it does not.

Issue 14, point 4: SECURITY.md said an added value fails the MAC; the MAC is
SHA-512 over the values' bytes with no key paths, separators or lengths. These
tests pin down the claims SECURITY.md now makes, for sealer and sops alike.
(On 74d6504 they pass too: what changed is SECURITY.md, which said otherwise.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.attacks.hostile import sealer_in
from tests.helpers import AgeKey, sops

PLAIN = 'a_unencrypted: "ab"\nb_unencrypted: "c"\npassword: s3cret\n'


@pytest.fixture
def sealed(age_key: AgeKey, tmp_path: Path) -> str:
    (tmp_path / "p.yaml").write_text(PLAIN)
    out = sealer_in(tmp_path, "encrypt", "--age", age_key.recipient, "p.yaml")
    assert out.returncode == 0, out.stderr
    return out.stdout


def _opens(tmp_path: Path, age_key: AgeKey, text: str) -> tuple[int, int]:
    """(sealer's exit, sops' exit) opening `text`."""
    (tmp_path / "t.yaml").write_text(text)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    ours = sealer_in(tmp_path, "decrypt", "t.yaml", env=env)
    theirs = sops("decrypt", str(tmp_path / "t.yaml"), env=env)
    return ours.returncode, theirs.returncode


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('a_unencrypted: "ab"', 'a_unencrypted: "ax"'),  # a changed value
        ('b_unencrypted: "c"\n', 'b_unencrypted: "c"\nx_unencrypted: "new"\n'),  # added
        ('a_unencrypted: "ab"\n', ""),  # a deleted value
        ('a_unencrypted: "ab"\nb_unencrypted: "c"', 'b_unencrypted: "c"\na_unencrypted: "ab"'),
    ],
)
def test_the_mac_detects_changed_added_deleted_and_reordered_values(
    sealed: str, age_key: AgeKey, tmp_path: Path, old: str, new: str
) -> None:
    assert sealed.count(old) == 1
    ours, theirs = _opens(tmp_path, age_key, sealed.replace(old, new))
    assert ours == 51
    assert theirs != 0


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("password:", 'x: ""\npassword:'),  # an added empty value
        ('"ab"\nb_unencrypted: "c"', '"a"\nb_unencrypted: "bc"'),  # bytes moved across
        ("a_unencrypted:", "z_unencrypted:"),  # a renamed plaintext key
    ],
)
def test_what_sops_mac_does_not_detect_is_documented(
    sealed: str, age_key: AgeKey, tmp_path: Path, old: str, new: str
) -> None:
    assert sealed.count(old) == 1
    assert _opens(tmp_path, age_key, sealed.replace(old, new)) == (0, 0)
    security = " ".join((Path(__file__).resolve().parents[2] / "SECURITY.md").read_text().split())
    assert "bytes moved between neighbouring plaintext values" in security
    assert 'an added or removed empty string or null value (`x: ""`)' in security
    assert "a renamed plaintext key" in security
