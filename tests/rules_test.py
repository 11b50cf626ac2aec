"""Rules files: found by walking up, .sealer.yaml before .sops.yaml, first match wins."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealer import rules
from sealer.errors import ConfigError
from tests.helpers import AgeKey, make_age_key, sealer


def write_rules(directory: Path, name: str, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(body)


def test_walks_up_and_prefers_sealer_yaml(tmp_path: Path, age_key: AgeKey) -> None:
    write_rules(tmp_path, ".sops.yaml", "creation_rules: [{age: nope}]\n")
    write_rules(tmp_path, ".sealer.yaml", f"creation_rules: [{{age: {age_key.recipient}}}]\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert rules.find(deep) == tmp_path / ".sealer.yaml"
    policy = rules.policy_for(deep / "x.yaml")
    assert [r.id for r in policy.groups[0]] == [age_key.recipient]


def test_relative_names_and_symlinked_directories(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rules are found and path_regex applied on real paths, as pathlib's resolve() gives."""
    real = tmp_path / "real"
    write_rules(
        real,
        ".sealer.yaml",
        f"creation_rules:\n  - path_regex: ^sub/x\\.yaml$\n    age: {age_key.recipient}\n",
    )
    (real / "sub").mkdir()
    (tmp_path / "link").symlink_to(real)
    expected = os.path.realpath(real / ".sealer.yaml")
    assert rules.find_file(tmp_path / "link" / "sub") == expected
    assert rules.find(tmp_path / "link" / "sub") == Path(expected)
    monkeypatch.chdir(tmp_path / "link" / "sub")
    assert rules.relative_to_rules("x.yaml", "../.sealer.yaml") == "sub/x.yaml"
    policy = rules.policy_for("x.yaml")
    assert [r.id for r in policy.groups[0]] == [age_key.recipient]
    with pytest.raises(ConfigError, match="no creation rule"):
        rules.policy_for("y.yaml")


def test_falls_back_to_sops_yaml_and_a_nearer_file_wins(tmp_path: Path, age_key: AgeKey) -> None:
    write_rules(tmp_path, ".sealer.yaml", "creation_rules: []\n")
    write_rules(tmp_path / "sub", ".sops.yaml", f"creation_rules: [{{age: {age_key.recipient}}}]\n")
    assert rules.find(tmp_path / "sub") == tmp_path / "sub" / ".sops.yaml"


def test_first_matching_path_regex_relative_to_the_rules_file(tmp_path: Path) -> None:
    a, b = make_age_key(tmp_path / "k", "a"), make_age_key(tmp_path / "k", "b")
    write_rules(
        tmp_path,
        ".sealer.yaml",
        f"""\
creation_rules:
  - path_regex: ^prod/.*\\.yaml$
    age: {a.recipient}
    encrypted_regex: ^(password|token)$
  - path_regex: \\.yaml$
    age: [{b.recipient}]
""",
    )
    prod = rules.policy_for(tmp_path / "prod" / "x.yaml")
    assert prod.groups[0][0].id == a.recipient and prod.selection.rule == "encrypted_regex"
    other = rules.policy_for(tmp_path / "dev" / "x.yaml")
    assert other.groups[0][0].id == b.recipient and other.selection.rule == "unencrypted_suffix"
    with pytest.raises(ConfigError, match="no creation rule"):
        rules.policy_for(tmp_path / "x.json")


def test_key_groups_with_threshold_and_merge(tmp_path: Path) -> None:
    a, b, c = (make_age_key(tmp_path / "k", n) for n in "abc")
    write_rules(
        tmp_path,
        ".sealer.yaml",
        f"""\
team: &team
  age: [{a.recipient}]
creation_rules:
  - key_groups:
      - merge: [*team]
        age: [{b.recipient}]
      - age: [{c.recipient}]
    shamir_threshold: 2
    mac_only_encrypted: true
""",
    )
    policy = rules.policy_for(tmp_path / "x.yaml")
    assert [[r.id for r in g] for g in policy.groups] == [[b.recipient, a.recipient], [c.recipient]]
    assert policy.shamir_threshold == 2 and policy.mac_only_encrypted


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("creation_rules: [{age: notakey}]", "not an age recipient"),
        ("creation_rules: [{encrypted_regex: a, unencrypted_regex: b, age: X}]", "more than one"),
        ("creation_rules: [{path_regex: '(', age: X}]", "path_regex"),
        ("creation_rules: [{}]", "names no recipients"),
        ("creation_rules: {a: 1}", "must be a list"),
        ("creation_rules: [{gcp_kms: projects/x}]", "unknown key type"),
        ("creation_rules: [\n", "line"),
    ],
)
def test_bad_rules_are_config_errors(
    tmp_path: Path, age_key: AgeKey, body: str, message: str
) -> None:
    write_rules(tmp_path, ".sealer.yaml", body.replace("X", age_key.recipient))
    with pytest.raises(ConfigError, match=message):
        rules.policy_for(tmp_path / "x.yaml")


def test_config_flag_and_env_override_the_search(tmp_path: Path, age_key: AgeKey) -> None:
    write_rules(
        tmp_path / "elsewhere", "rules.yaml", f"creation_rules: [{{age: {age_key.recipient}}}]\n"
    )
    (tmp_path / "x.yaml").write_text("a: 1\n")
    out = sealer(
        "encrypt", "--config", str(tmp_path / "elsewhere" / "rules.yaml"), str(tmp_path / "x.yaml")
    )
    assert out.returncode == 0, out.stderr
    env = {"SEALER_CONFIG": str(tmp_path / "elsewhere" / "rules.yaml")}
    assert sealer("encrypt", str(tmp_path / "x.yaml"), env=env).returncode == 0


@given(st.text(alphabet="/.a ", max_size=12))
def test_path_text_is_what_pathlib_shows(text: str) -> None:
    assert rules.path_text(text) == str(PurePosixPath(text))


def test_config_variable_and_file_names_read_as_paths(tmp_path: Path, age_key: AgeKey) -> None:
    """`SEALER_CONFIG=dir/.sealer.yaml/` and `./x.yaml` mean what they meant with pathlib."""
    write_rules(tmp_path, "r.yaml", f"creation_rules: [{{age: {age_key.recipient}}}]\n")
    (tmp_path / "x.yaml").write_text("a: 1\n")
    env = {"SEALER_CONFIG": f"{tmp_path}/./r.yaml/"}
    for argv in (["x.yaml"], ["--", "x.yaml"]):  # the fast path, then click's
        out = sealer("encrypt", *argv, env=env, cwd=tmp_path, check=True)
        assert out.stdout.count("ENC[AES256_GCM,") == 2
    (tmp_path / "r.yaml").write_text("creation_rules: [{path_regex: nothing, age: x}]\n")
    fast = sealer("encrypt", "./x.yaml", env=env, cwd=tmp_path)
    slow = sealer("encrypt", "--", "./x.yaml", env=env, cwd=tmp_path)
    assert fast.returncode == slow.returncode == 5
    assert fast.stderr == slow.stderr
    assert f"no creation rule in {tmp_path}/r.yaml matches this file" in fast.stderr
