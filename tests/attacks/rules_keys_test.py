"""Issue 13, point 4: unknown rules keys and a Shamir threshold change.

sops' top-level keys that sealer does not act on (`destination_rules`,
`stores`) warn; a near miss of a known key is an error (a typo such as
`creation_rule` would otherwise leave every file without a rule, silently);
any other top-level key warns, unless it is a home for YAML anchors (its
block defines one, or its name starts with `x-`).
updatekeys that changes the threshold gives the file a new data key: the old
shares, still in git history, would otherwise keep opening it.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import AgeKey, make_age_key, sealer

FILE = "db:\n  password: pw-threshold-1\n"


def test_a_sops_only_key_warns_and_a_typo_is_an_error(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "app.yaml").write_text(FILE)
    (in_tmp / ".sealer.yaml").write_text(
        f"creation_rules:\n  - age: {age_key.recipient}\n"
        "destination_rules:\n  - s3_bucket: b\nstores:\n  yaml:\n    indent: 2\n"
    )
    ok = sealer("encrypt", "app.yaml")
    assert ok.returncode == 0
    rules = (in_tmp / ".sealer.yaml").resolve()
    assert ok.stderr.splitlines() == [
        f"sealer: warning: {rules}: destination_rules is a sops setting sealer does not "
        "act on; it is ignored (only creation_rules choose who files are sealed for)",
        f"sealer: warning: {rules}: stores is a sops setting sealer does not act on; "
        "it is ignored (only creation_rules choose who files are sealed for)",
    ]
    (in_tmp / ".sealer.yaml").write_text(f"creation_rule:\n  - age: {age_key.recipient}\n")
    bad = sealer("encrypt", "app.yaml")
    assert bad.returncode == 5
    assert bad.stderr.splitlines()[0] == (
        f"sealer: error: {rules}: unknown key 'creation_rule' in the rules file "
        "(did you mean creation_rules?)"
    )


def test_an_unknown_top_level_key_warns_unless_it_holds_anchors(
    in_tmp: Path, age_key: AgeKey
) -> None:
    """Regression: `foo:` beside creation_rules was accepted without a word."""
    (in_tmp / "app.yaml").write_text(FILE)
    rules = in_tmp / ".sealer.yaml"
    rules.write_text(
        f"keys:\n  - &me {age_key.recipient}\nx-team: {{age: {age_key.recipient}}}\n"
        "foo: 1\ncreation_rules:\n  - age: *me\n"
    )
    result = sealer("encrypt", "app.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"sealer: warning: {rules.resolve()}: unknown key 'foo' in the rules file is ignored "
        "(only creation_rules choose who files are sealed for)"
    ]
    rules.write_text(f"keys:\n  - &me {age_key.recipient}\ncreation_rules:\n  - age: *me\n")
    assert sealer("encrypt", "app.yaml").stderr == ""


def groups_rule(keys: list[AgeKey], threshold: int) -> str:
    groups = "".join(f"      - age: {k.recipient}\n" for k in keys)
    return f"creation_rules:\n  - shamir_threshold: {threshold}\n    key_groups:\n{groups}"


def test_changing_the_threshold_rotates_the_data_key(in_tmp: Path, tmp_path: Path) -> None:
    keys = [make_age_key(tmp_path / "k", f"k{i}") for i in range(3)]
    (in_tmp / ".sealer.yaml").write_text(groups_rule(keys, 2))
    (in_tmp / "app.yaml").write_text(FILE)
    assert sealer("encrypt", "-i", "app.yaml").returncode == 0
    before = (in_tmp / "app.yaml").read_text()
    (in_tmp / ".sealer.yaml").write_text(groups_rule(keys, 3))
    two = {"SEALER_AGE_KEY": "\n".join(k.secret for k in keys[:2])}
    result = sealer("updatekeys", "app.yaml", env=two)
    assert result.returncode == 0, result.stderr
    assert "the Shamir threshold changes (2 -> 3)" in result.stderr
    after = (in_tmp / "app.yaml").read_text()
    old_value = next(line for line in before.splitlines() if "password:" in line)
    assert old_value not in after  # re-encrypted under a new data key
    assert "shamir_threshold: 3" in after
    # two of the old shares opened the old file; two of the new ones do not open the new one
    assert sealer("decrypt", "app.yaml", env=two).returncode == 128
