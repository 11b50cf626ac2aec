"""Issue 13, point 2 and the drift gate: committed config cannot switch protection off.

mallory commits a `.gitattributes` without `filter=sealer` and a rule that no
longer covers the secrets; alice's next `git commit -am` must not store her
new secret in plaintext. `sealer check` fails for a covered file sealed for
other recipients than its rule, with a readable difference and as JSON, and a
rules file is never covered by its own rule.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.attacks.twousers import team

APP = "db:\n  password: pw-first-1\n"
SECRET = "pw-new-77ab31"


def test_dropping_the_filter_and_narrowing_the_rule_cannot_unseal_a_commit(
    tmp_path: Path,
) -> None:
    t = team(tmp_path, {"secrets/app.yaml": APP})
    t.mallory.write(".gitattributes", "# nothing to see here\n")
    t.mallory.write(
        ".sealer.yaml",
        f"creation_rules:\n  - path_regex: ^nothing/\n    age: {t.alice.key.recipient}\n",
    )
    t.mallory.commit_all("tidy up")
    t.mallory.push()
    t.alice.pull()
    assert t.alice.read("secrets/app.yaml") == APP  # her working tree stays plaintext
    t.alice.write("secrets/app.yaml", APP.replace("pw-first-1", SECRET))
    result = t.alice.git("commit", "-q", "-am", "rotate the password", check=False)
    assert result.returncode != 0
    assert "HEAD:secrets/app.yaml is sealed, but this version is not" in result.stderr
    assert SECRET not in t.alice.git("cat-file", "blob", "HEAD:secrets/app.yaml").stdout


def test_check_reports_drift_readably_and_as_json(tmp_path: Path) -> None:
    t = team(tmp_path, {"secrets/app.yaml": APP})
    bob = t.mallory.key.recipient
    t.alice.write(
        ".sealer.yaml",
        f"creation_rules:\n  - path_regex: ^secrets/\n    age: {t.alice.key.recipient},{bob}\n",
    )
    plain = t.alice.sealer("check", "--staged", "secrets/app.yaml", check=False)
    assert plain.returncode == 4
    assert plain.stderr.splitlines()[:2] == [
        "sealer: error: secrets/app.yaml: not sealed as its creation rule says:",
        f"  recipient {bob}: in the rule, not in the file",
    ]
    assert "sealer updatekeys secrets/app.yaml" in plain.stderr
    report = json.loads(
        t.alice.sealer("check", "--staged", "--json", "secrets/app.yaml", check=False).stdout
    )
    assert report["ok"] is False
    assert report["files"][0]["drift"] == [f"recipient {bob}: in the rule, not in the file"]
    # a keyless clone sees the same drift (no key needed), and updatekeys mends it
    t.mallory.write(".sealer.yaml", t.alice.read(".sealer.yaml"))
    keyless = t.mallory.sealer("check", "secrets/app.yaml", check=False)
    assert keyless.returncode == 4 and f"recipient {bob}: in the rule" in keyless.stderr
    t.alice.sealer("updatekeys", "secrets/app.yaml")
    t.alice.git("add", ".sealer.yaml")
    assert t.alice.sealer("check", "--staged").returncode == 0


def test_a_rules_file_is_never_covered_by_its_own_rule(tmp_path: Path) -> None:
    t = team(
        tmp_path,
        {"secrets/app.yaml": APP},
        rules="creation_rules:\n  - path_regex: .*\\.yaml$\n    age: {alice}\n",
    )
    assert t.alice.stored("HEAD:.sealer.yaml").startswith("creation_rules:")
    t.alice.write(".sealer.yaml", t.alice.read(".sealer.yaml") + "# reviewed\n")
    t.alice.commit_all("comment the rules")
    assert "# reviewed" in t.alice.stored("HEAD:.sealer.yaml")
    assert t.alice.sealer("check", ".sealer.yaml").returncode == 0


def test_narrowing_the_rule_alone_makes_git_add_fail_not_store_plaintext(
    tmp_path: Path,
) -> None:
    """The filter still runs (`.gitattributes` untouched) but no rule governs the path now."""
    t = team(tmp_path, {"secrets/app.yaml": APP})
    t.mallory.write(
        ".sealer.yaml",
        f"creation_rules:\n  - path_regex: ^nothing/\n    age: {t.mallory.key.recipient}\n",
    )
    t.mallory.commit_all("narrow the rule")
    t.mallory.push()
    t.alice.pull()
    t.alice.write("secrets/app.yaml", APP.replace("pw-first-1", SECRET))
    added = t.alice.git("add", "secrets/app.yaml", check=False)
    assert added.returncode != 0
    assert "no creation rule governs this file, but its previous version is sealed" in (
        added.stderr
    )
    assert SECRET not in t.alice.stored(":0:secrets/app.yaml")
