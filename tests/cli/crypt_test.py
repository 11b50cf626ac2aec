"""encrypt/decrypt through the real CLI: round trips, stable bytes, exit codes, bad input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import AgeKey, make_age_key, sealer, sops

PLAIN = """\
# database settings
db:
  user: admin # inline
  password: "hunter2"
  port: 5432
  ratio: 0.5
  enabled: true
  notes: |
    line one
    line two
hosts: [a, "b c"]
"""


def key_env(key: AgeKey) -> dict[str, str]:
    return {"SEALER_AGE_KEY": key.secret}


def test_sealed_yaml_opens_in_sops_and_round_trips(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    enc = sealer("encrypt", "--age", age_key.recipient, "s.yaml", check=True)
    assert "hunter2" not in enc.stdout
    (in_tmp / "s.enc.yaml").write_text(enc.stdout)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    via_sops = sops("-d", "s.enc.yaml", env=env, check=True)
    assert "password: hunter2" in via_sops.stdout
    back = sealer("decrypt", "s.enc.yaml", env=env, check=True)
    assert back.stdout == PLAIN


def test_only_value_bytes_change(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealed = sealer("encrypt", "--age", age_key.recipient, "s.yaml", check=True).stdout
    body = sealed.split("sops:\n")[0]
    skeleton = re.sub(r"ENC\[AES256_GCM,[^\]]*\]", "X", body)
    assert skeleton == (
        '#X\ndb:\n  user: X #X\n  password: "X"\n  port: X\n  ratio: X\n'
        "  enabled: X\n  notes: |-\n    X\nhosts: ['X', \"X\"]\n"
    )


def test_in_place_and_output(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    assert "hunter2" not in (in_tmp / "s.yaml").read_text()
    sealer("decrypt", "s.yaml", "--output", "p.yaml", env=key_env(age_key), check=True)
    assert (in_tmp / "p.yaml").read_text() == PLAIN
    assert (in_tmp / "p.yaml").stat().st_mode & 0o777 == 0o600
    (in_tmp / "p.yaml").chmod(0o644)  # an existing, readable file is replaced by a private one
    sealer("decrypt", "s.yaml", "--output", "p.yaml", env=key_env(age_key), check=True)
    assert (in_tmp / "p.yaml").stat().st_mode & 0o777 == 0o600
    sealer("decrypt", "-i", "s.yaml", env=key_env(age_key), check=True)
    assert (in_tmp / "s.yaml").read_text() == PLAIN


def test_stdin_needs_a_name_or_type_and_reads_rules(in_tmp: Path, age_key: AgeKey) -> None:
    out = sealer("encrypt", "--age", age_key.recipient, "--input-type", "yaml", input=PLAIN)
    assert out.returncode == 0, out.stderr
    back = sealer("decrypt", "--input-type", "yaml", input=out.stdout, env=key_env(age_key))
    assert back.stdout == PLAIN


def test_extract(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    env = key_env(age_key)
    assert (
        sealer("decrypt", "--extract", '["db"]["password"]', "s.yaml", env=env).stdout == "hunter2"
    )
    assert sealer("decrypt", "--extract", "db.port", "s.yaml", env=env).stdout == "5432\n"
    assert sealer("decrypt", "--extract", "hosts.1", "s.yaml", env=env).stdout == "b c"
    sub = sealer("decrypt", "--extract", "db", "s.yaml", env=env).stdout
    assert "password: hunter2" in sub and "port: 5432" in sub
    missing = sealer("decrypt", "--extract", "db.nope", "s.yaml", env=env)
    assert missing.returncode == 1
    assert 'sealer: error: s.yaml: ["db"]["nope"]: no such key' in missing.stderr


def test_reencrypting_unchanged_plaintext_is_byte_identical(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    before = (in_tmp / "s.yaml").read_bytes()
    env = key_env(age_key)
    sealer("set", "s.yaml", "db.password", '"hunter2"', env=env, check=True)
    assert (in_tmp / "s.yaml").read_bytes() == before
    editor = in_tmp / "noop.sh"
    editor.write_text('#!/bin/sh\ntouch "$1"\n')
    editor.chmod(0o755)
    sealer("edit", "s.yaml", env={**env, "EDITOR": str(editor)}, check=True)
    assert (in_tmp / "s.yaml").read_bytes() == before


def test_changing_one_value_changes_one_line_plus_mac(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    before = (in_tmp / "s.yaml").read_text().splitlines()
    sealer("set", "s.yaml", "db.port", "6543", env=key_env(age_key), check=True)
    after = (in_tmp / "s.yaml").read_text().splitlines()
    changed = [b.split(":")[0].strip() for a, b in zip(before, after, strict=True) if a != b]
    # lastmodified has one-second resolution: within the same second it stays
    assert [c for c in changed if c != "lastmodified"] == ["port", "mac"]


def test_already_sealed_input_is_refused_with_203(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    before = (in_tmp / "s.yaml").read_bytes()
    out = sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml")
    assert out.returncode == 203
    assert "sealer: error: s.yaml: the input is already sealed" in out.stderr
    assert (in_tmp / "s.yaml").read_bytes() == before


def test_no_recipients_is_a_config_error(in_tmp: Path) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    out = sealer("encrypt", "s.yaml")
    assert out.returncode == 5
    assert "no recipients" in out.stderr and "sealer: hint:" in out.stderr


def test_tampered_value_exits_51_and_names_the_file(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    text = (in_tmp / "s.yaml").read_text()
    m = re.search(r"password: \"ENC\[AES256_GCM,data:(.)", text)
    assert m is not None
    bent = text[: m.start(1)] + ("Q" if m.group(1) != "Q" else "R") + text[m.start(1) + 1 :]
    (in_tmp / "s.yaml").write_text(bent)
    out = sealer("decrypt", "s.yaml", env=key_env(age_key))
    assert out.returncode == 51
    assert out.stderr.startswith("sealer: error: s.yaml: db.password: a sealed value failed")
    assert out.stdout == ""
    assert "hunter2" not in out.stderr + out.stdout


def test_mac_mismatch_exits_51_and_ignore_mac_recovers(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    text = (in_tmp / "s.yaml").read_text()
    lines = [ln for ln in text.splitlines(keepends=True) if not ln.startswith("  ratio:")]
    (in_tmp / "s.yaml").write_text("".join(lines))
    out = sealer("decrypt", "s.yaml", env=key_env(age_key))
    assert out.returncode == 51 and "MAC mismatch" in out.stderr and out.stdout == ""
    rescued = sealer("decrypt", "--ignore-mac", "s.yaml", env=key_env(age_key))
    assert rescued.returncode == 0 and 'password: "hunter2"' in rescued.stdout


def test_sealed_for_someone_else_lists_what_the_file_wants(in_tmp: Path, tmp_path: Path) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", alice.recipient, "s.yaml", check=True)
    out = sealer("decrypt", "s.yaml", env=key_env(bob))
    assert out.returncode == 128
    assert "sealer: error: s.yaml: no identity can open the data key" in out.stderr
    assert "sealed for age recipients" in out.stderr
    assert alice.recipient in out.stderr


def test_missing_key_file_is_reported(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    out = sealer("decrypt", "s.yaml", env={"SEALER_AGE_KEY_FILE": str(in_tmp / "nope.txt")})
    assert out.returncode == 6
    assert "SEALER_AGE_KEY_FILE: key file" in out.stderr and "does not exist" in out.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: [1, 2\n", "line 2, column 1"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("- a\n- b\n", "top level is a sequence"),
        ("80: http\n", "mapping key 80 is not a string"),
        ("a: \xff\xfe\n", "not UTF-8"),
        ("a: 123456789012345678901234567890\nb: 1\n", "a: the integer does not fit in 64 bits"),
    ],
)
def test_bad_yaml_input(in_tmp: Path, age_key: AgeKey, content: str, message: str) -> None:
    path = in_tmp / "bad.yaml"
    path.write_bytes(content.encode("latin-1"))
    out = sealer("encrypt", "-i", "--age", age_key.recipient, "bad.yaml")
    assert out.returncode == 4, out.stderr
    assert out.stderr.startswith("sealer: error: bad.yaml: ")
    assert message in out.stderr
    assert path.read_bytes() == content.encode("latin-1")


def test_truncated_sealed_file(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    text = (in_tmp / "s.yaml").read_text()
    (in_tmp / "s.yaml").write_text(text[: len(text) // 2])
    out = sealer("decrypt", "s.yaml", env=key_env(age_key))
    assert out.returncode in (4, 51)
    assert out.stderr.startswith("sealer: error: s.yaml: ")
    assert "hunter2" not in out.stderr + out.stdout


def test_unwritable_output_keeps_the_original(in_tmp: Path, age_key: AgeKey) -> None:
    if os.geteuid() == 0:
        # root ignores file modes; a path under a file is unwritable for anyone
        target = "s.yaml/sub.yaml"
    else:
        (in_tmp / "ro").mkdir(mode=0o500)
        target = "ro/out.yaml"
    (in_tmp / "s.yaml").write_text(PLAIN)
    out = sealer("encrypt", "--age", age_key.recipient, "s.yaml", "--output", target)
    assert out.returncode == 6
    assert "cannot write" in out.stderr
    assert (in_tmp / "s.yaml").read_text() == PLAIN


def test_help_on_every_command() -> None:
    listing = sealer("--help", check=True).stdout
    commands = re.findall(r"^  (\w[\w-]*)", listing.split("Commands:")[1], re.M)
    assert {"encrypt", "decrypt", "edit", "set", "get", "unset", "status", "keygen"} <= set(
        commands
    )
    for command in commands:
        out = sealer(command, "--help")
        assert out.returncode == 0, command
        assert "Usage: sealer" in out.stdout


def test_json_integers_wider_than_64_bits_are_refused_not_rounded(
    in_tmp: Path, age_key: AgeKey
) -> None:
    content = '{"ok": 1, "big": 123456789012345678901234567890}\n'
    (in_tmp / "n.json").write_text(content)
    out = sealer("encrypt", "-i", "--age", age_key.recipient, "n.json")
    assert out.returncode == 4, out.stderr
    assert "n.json: big: the integer does not fit in 64 bits" in out.stderr
    assert "quote it" in out.stderr
    assert (in_tmp / "n.json").read_text() == content
    (in_tmp / "n.json").write_text('{"big_unencrypted": 123456789012345678901234567890}\n')
    sealer("encrypt", "-i", "--age", age_key.recipient, "n.json", check=True)
    back = sealer("decrypt", "n.json", env=key_env(age_key), check=True).stdout
    assert "123456789012345678901234567890" in back


def _bend_value(text: str, key: str) -> str:
    """Change one character of `key`'s ciphertext: that value no longer authenticates."""
    m = re.search(rf"{key}: \"?ENC\[AES256_GCM,data:(.)", text)
    assert m is not None
    return text[: m.start(1)] + ("Q" if m.group(1) != "Q" else "R") + text[m.start(1) + 1 :]


def test_ignore_mac_opens_every_value_that_still_authenticates(
    in_tmp: Path, age_key: AgeKey
) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    text = (in_tmp / "s.yaml").read_text()
    bent = _bend_value(text, "password")
    (in_tmp / "s.yaml").write_text(bent)
    out = sealer("decrypt", "--ignore-mac", "s.yaml", env=key_env(age_key))
    assert out.returncode == 51
    assert out.stderr.splitlines() == [
        "sealer: error: s.yaml: db.password: a sealed value failed authentication; "
        "left sealed in the output",
        "sealer: hint: every other value was opened and written; "
        "restore the damaged ones from git or set them again",
    ]
    sealed_password = re.search(r"password: (\"ENC\[[^\"]*\]\")", bent)
    assert sealed_password is not None
    expected = PLAIN.replace('"hunter2"', sealed_password.group(1))
    assert out.stdout == expected
    # -i would replace the file with a partial plaintext: refused, file unchanged
    in_place = sealer("decrypt", "--ignore-mac", "-i", "s.yaml", env=key_env(age_key))
    assert in_place.returncode == 51
    assert "s.yaml: 1 sealed value failed authentication; the file is unchanged" in in_place.stderr
    assert (in_tmp / "s.yaml").read_text() == bent
    # to a file: written (0600) with what opened, and still exit 51
    to_file = sealer(
        "decrypt", "--ignore-mac", "-o", "rescued.yaml", "s.yaml", env=key_env(age_key)
    )
    assert to_file.returncode == 51
    assert (in_tmp / "rescued.yaml").read_text() == expected


def _metadata(sealed: str) -> dict[str, str]:
    """The `sops:` fields that say how a file was sealed (not for whom)."""
    fields = ("encrypted_regex", "unencrypted_suffix", "mac_only_encrypted")
    lines = sealed.split("\nsops:\n", 1)[1].splitlines()
    return dict(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines)
        if k.strip() in fields
    )  # fmt: skip


def test_recipients_from_the_command_line_keep_the_rules_selection_as_sops_does(
    in_tmp: Path, age_key: AgeKey, tmp_path: Path
) -> None:
    """Regression: `encrypt --age` and SOPS_AGE_RECIPIENTS sealed every value and dropped
    the matching rule's encrypted_regex and mac_only_encrypted."""
    rule_key = make_age_key(tmp_path / "rule", "rule")
    (in_tmp / ".sops.yaml").write_text(
        "creation_rules:\n  - path_regex: \\.yaml$\n    encrypted_regex: ^pass\n"
        f"    mac_only_encrypted: true\n    age: {rule_key.recipient}\n"
    )
    (in_tmp / "s.yaml").write_text("password: hunter2\nuser: admin\n")
    by_sops = sops("encrypt", "--age", age_key.recipient, "s.yaml", check=True).stdout
    fast = sealer("encrypt", "--age", age_key.recipient, "s.yaml", check=True).stdout
    full = sealer("encrypt", "--age", age_key.recipient, "--input-type", "yaml", "s.yaml",
                  check=True).stdout  # fmt: skip
    env = {"SOPS_AGE_RECIPIENTS": age_key.recipient}
    from_env = sealer("encrypt", "s.yaml", env=env, check=True).stdout
    want = {"encrypted_regex": "^pass", "mac_only_encrypted": "true"}
    assert _metadata(by_sops) == want
    for sealed in (fast, full, from_env):
        assert _metadata(sealed) == want
        assert "user: admin\n" in sealed and "hunter2" not in sealed
        assert age_key.recipient in sealed and rule_key.recipient not in sealed
    (in_tmp / "s.enc.yaml").write_text(fast)
    opened = sops("-d", "s.enc.yaml", env={"SOPS_AGE_KEY_FILE": str(age_key.file)}, check=True)
    assert opened.stdout == "password: hunter2\nuser: admin\n"
