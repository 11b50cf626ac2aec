"""Issue 13, point 3: a conflict in a covered file leaves no plaintext under .git.

alice has rerere switched on in her own global git config, as many people
do; `sealer git install` switches it off for the repository (rerere would
copy the smudged, plaintext conflict into .git/rr-cache) and says so.
"""

from __future__ import annotations

from pathlib import Path

from tests.attacks.twousers import team
from tests.gitfilter.objects import assert_no_plaintext

APP = "db:\n  password: pw-base-0\n"


def test_a_conflict_with_rerere_on_globally_leaves_no_plaintext_in_git(tmp_path: Path) -> None:
    t = team(tmp_path, {"secrets/app.yaml": APP})
    t.alice.git("config", "--global", "rerere.enabled", "true")
    said = t.alice.sealer("git", "install").stderr
    t.alice.git("checkout", "-q", "-b", "other")
    t.alice.write("secrets/app.yaml", APP.replace("pw-base-0", "pw-theirs-4e1"))
    t.alice.commit_all("theirs")
    t.alice.git("checkout", "-q", "main")
    t.alice.write("secrets/app.yaml", APP.replace("pw-base-0", "pw-ours-91c"))
    t.alice.commit_all("ours")
    merge = t.alice.git("merge", "other", check=False)
    assert merge.returncode != 0
    conflicted = t.alice.read("secrets/app.yaml")
    assert "pw-ours-91c" in conflicted and "pw-theirs-4e1" in conflicted  # plaintext for alice
    t.alice.write("secrets/app.yaml", APP.replace("pw-base-0", "pw-merged-77"))
    t.alice.commit_all("resolved")
    assert_no_plaintext(t.alice.clone, ["pw-ours-91c", "pw-theirs-4e1", "pw-merged-77"])
    assert not (t.alice.clone / ".git" / "rr-cache").exists()
    assert "rerere.enabled=false" in said
    assert t.alice.git("config", "rerere.enabled").stdout.strip() == "false"
