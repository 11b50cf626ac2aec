"""Issue 13, point 1: the previous sealed version is committed content, not a policy.

In every scenario mallory (push access, no key the rules name) commits a
sealed file crafted with her own tools; alice pulls, types a real secret into
her plaintext working tree and commits through sealer's filter and hook. The
secret must end up readable by the rule's recipients only, and sealed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.attacks.twousers import Team, recipients_of, team
from tests.helpers import Result, run

PLACEHOLDER = "db:\n  user: app\n  password: change-me\n"
SECRET = "pw-prod-9d41c7e2"


def real_secret(t: Team) -> str:
    """alice pulls mallory's commit, types the real password, commits and pushes."""
    t.alice.pull()
    assert t.alice.read("secrets/app.yaml") == PLACEHOLDER  # alice's key opens it
    t.alice.write("secrets/app.yaml", PLACEHOLDER.replace("change-me", SECRET))
    t.alice.commit_all("the real password")
    t.alice.push()
    return t.alice.stored("HEAD:secrets/app.yaml")


def mallory_commits(t: Team, sealed: str) -> None:
    t.mallory.write("secrets/app.yaml", sealed)
    t.mallory.commit_all("placeholder")
    t.mallory.push()


def mallory_seals(t: Team, *args: str) -> str:
    """PLACEHOLDER sealed by mallory with `sealer encrypt ARGS` (her rules file, not the repo's)."""
    scratch = t.mallory.home / "work" / "app.yaml"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.write_text(PLACEHOLDER)
    return t.mallory.sealer("encrypt", *args, str(scratch)).stdout


def test_a_placeholder_sealed_for_an_extra_recipient_is_not_reused(tmp_path: Path) -> None:
    t = team(tmp_path, {"README.md": "team repo\n"})
    sealed = mallory_seals(t, "--age", t.alice.key.recipient, "--age", t.mallory.key.recipient)
    mallory_commits(t, sealed)
    stored = real_secret(t)
    assert SECRET not in stored
    assert recipients_of(stored) == [t.alice.key.recipient]
    assert t.mallory.opens(stored).returncode != 0
    assert SECRET in t.alice.opens(stored).stdout
    assert t.alice.sealer("check", "--staged", "secrets/app.yaml").returncode == 0


def test_a_spoofed_recipient_label_does_not_hand_over_the_data_key(tmp_path: Path) -> None:
    t = team(tmp_path, {"README.md": "team repo\n"})
    sealed = mallory_seals(t, "--age", t.alice.key.recipient, "--age", t.mallory.key.recipient)
    spoofed = sealed.replace(t.mallory.key.recipient, t.alice.key.recipient)
    assert recipients_of(spoofed) == [t.alice.key.recipient] * 2  # status shows alice twice
    mallory_commits(t, spoofed)
    stored = real_secret(t)
    # mallory's stanza still opens the data key she chose; it must not be alice's new one
    assert t.mallory.opens(stored).returncode != 0
    assert recipients_of(stored) == [t.alice.key.recipient]
    assert SECRET in t.alice.opens(stored).stdout


def test_a_previous_version_that_selects_nothing_does_not_unseal_the_next(
    tmp_path: Path,
) -> None:
    t = team(tmp_path, {"README.md": "team repo\n"})
    rules = t.mallory.home / "nothing.yaml"
    rules.write_text(
        f"creation_rules:\n  - encrypted_regex: ^NOTHING$\n    age: {t.alice.key.recipient}\n"
    )
    mallory_commits(t, mallory_seals(t, "--config", str(rules)))
    stored = real_secret(t)
    assert SECRET not in stored
    assert "encrypted_regex" not in stored
    assert t.alice.sealer("check", "--staged").returncode == 0


def test_a_file_moved_to_another_rule_is_sealed_for_the_new_rule(tmp_path: Path) -> None:
    """No attacker: `git mv dev/app.yaml prod/app.yaml`, then a prod secret goes in."""
    t = team(tmp_path, {"README.md": "team repo\n"})
    dev = t.mallory  # here just a colleague with access to dev only
    t.alice.write(
        ".sealer.yaml",
        "creation_rules:\n"
        f"  - path_regex: ^dev/\n    age: {t.alice.key.recipient},{dev.key.recipient}\n"
        f"  - path_regex: ^prod/\n    age: {t.alice.key.recipient}\n",
    )
    t.alice.sealer("git", "install")
    t.alice.write("dev/app.yaml", PLACEHOLDER)
    t.alice.commit_all("dev config")
    assert sorted(recipients_of(t.alice.stored("HEAD:dev/app.yaml"))) == sorted(
        [t.alice.key.recipient, dev.key.recipient]
    )
    (t.alice.clone / "prod").mkdir()
    t.alice.git("mv", "dev/app.yaml", "prod/app.yaml")
    t.alice.write("prod/app.yaml", PLACEHOLDER.replace("change-me", SECRET))
    t.alice.commit_all("promote to prod")
    stored = t.alice.stored("HEAD:prod/app.yaml")
    assert recipients_of(stored) == [t.alice.key.recipient]
    assert dev.opens(stored).returncode != 0
    assert SECRET in t.alice.opens(stored).stdout


def test_an_unchanged_file_keeps_its_blob_and_a_change_after_a_rotation_is_stable(
    tmp_path: Path,
) -> None:
    """The other side of the decision: no churn where nothing new is sealed."""
    t = team(tmp_path, {"README.md": "team repo\n"})
    sealed = mallory_seals(t, "--age", t.alice.key.recipient, "--age", t.mallory.key.recipient)
    mallory_commits(t, sealed)
    t.alice.pull()
    (t.alice.clone / "secrets/app.yaml").touch()
    assert t.alice.git("status", "--porcelain").stdout == ""
    first = real_secret(t)
    t.alice.write("secrets/app.yaml", PLACEHOLDER.replace("change-me", SECRET + "-2"))
    t.alice.commit_all("again")
    second = t.alice.stored("HEAD:secrets/app.yaml")
    changed = [a for a, b in zip(first.splitlines(), second.splitlines(), strict=True) if a != b]
    assert len(changed) <= 3  # the password, mac, lastmodified: the data key is now alice's


def test_sealer_set_and_edit_on_a_sealed_working_tree_do_not_reuse_it(tmp_path: Path) -> None:
    """The same placeholder, in a clone that keeps files sealed in the working tree."""
    t = team(tmp_path, {"README.md": "team repo\n"})
    sealed = mallory_seals(t, "--age", t.alice.key.recipient, "--age", t.mallory.key.recipient)
    mallory_commits(t, sealed)
    plain = tmp_path / "alice-plain"
    t.alice.git("clone", "-q", str(t.origin), str(plain))
    t.alice.clone = plain  # no `sealer git install` here: sealed files in the tree
    result = t.alice.sealer("set", "secrets/app.yaml", '["db"]["password"]', f'"{SECRET}"')
    stored = t.alice.read("secrets/app.yaml")
    assert recipients_of(stored) == [t.alice.key.recipient]
    assert t.mallory.opens(stored).returncode != 0
    assert "sealed afresh with a new data key for the rule's recipients" in result.stderr
    editor = f"sed -i s/change-me/{SECRET}-2/"
    t.alice.git("checkout", "-q", "secrets/app.yaml")
    edited = run_with_editor(t, editor)
    assert edited.returncode == 0, edited.stderr
    stored = t.alice.read("secrets/app.yaml")
    assert recipients_of(stored) == [t.alice.key.recipient]
    assert t.mallory.opens(stored).returncode != 0


def run_with_editor(t: Team, editor: str) -> Result:
    return run(
        [sys.executable, "-m", "sealer", "edit", "secrets/app.yaml"],
        cwd=t.alice.clone, env={**t.alice.env, "SEALER_EDITOR": editor}, check=False,
    )  # fmt: skip
