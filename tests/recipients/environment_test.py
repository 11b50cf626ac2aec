"""Recipients from the environment: SOPS_AGE_RECIPIENTS, SOPS_PGP_FP, SOPS_KMS_ARN.

sops reads them as the values of its --age, --pgp and --kms flags when a flag
is not given; any of them set means the rules' key groups are not used for a
new file. sealer does the same, and `SEALER_…` names win over `SOPS_…` ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import AgeKey, make_age_key, sealer, sops
from tests.recipients.keys import GpgHome


def _recipients(sealed_json: str) -> list[str]:
    meta = json.loads(sealed_json)["sops"]
    return sorted(
        s.get("recipient") or s.get("fp") for s in meta.get("age", []) + meta.get("pgp", [])
    )


def test_sops_age_recipients_seals_a_file_no_rule_governs(in_tmp: Path, age_key: AgeKey) -> None:
    Path("a.json").write_text('{"password": "hunter2"}\n')
    env = {"SOPS_AGE_RECIPIENTS": age_key.recipient}
    sealed = sealer("encrypt", "a.json", env=env, check=True).stdout
    assert _recipients(sealed) == [age_key.recipient]
    Path("s.json").write_text(sealed)
    opened = sops("decrypt", "s.json", env={"SOPS_AGE_KEY_FILE": str(age_key.file)}, check=True)
    assert json.loads(opened.stdout) == {"password": "hunter2"}


def test_environment_recipients_take_the_place_of_the_rule_as_in_sops(
    in_tmp: Path, age_key: AgeKey
) -> None:
    ruled = make_age_key(in_tmp / "keys", "ruled")
    Path(".sops.yaml").write_text(f"creation_rules:\n  - age: {ruled.recipient}\n")
    Path("a.json").write_text('{"password": "hunter2"}\n')
    env = {"SOPS_AGE_RECIPIENTS": age_key.recipient}
    ours = sealer("encrypt", "a.json", env=env, check=True).stdout
    theirs = sops("encrypt", "a.json", env=env, check=True).stdout
    assert _recipients(ours) == _recipients(theirs) == [age_key.recipient]


def test_sealer_name_wins_over_the_sops_name(in_tmp: Path, age_key: AgeKey) -> None:
    other = make_age_key(in_tmp / "keys", "other")
    Path("a.json").write_text('{"password": "hunter2"}\n')
    env = {"SOPS_AGE_RECIPIENTS": other.recipient, "SEALER_AGE_RECIPIENTS": age_key.recipient}
    sealed = sealer("encrypt", "a.json", env=env, check=True).stdout
    assert _recipients(sealed) == [age_key.recipient]


def test_a_flag_replaces_only_its_own_variable(in_tmp: Path, age_key: AgeKey, gpg: GpgHome) -> None:
    other = make_age_key(in_tmp / "keys", "other")
    Path("a.json").write_text('{"password": "hunter2"}\n')
    env = {"SOPS_AGE_RECIPIENTS": other.recipient, "SOPS_PGP_FP": gpg.fingerprint}
    args = ("encrypt", "--age", age_key.recipient, "a.json")
    ours = sealer(*args, env=env, check=True).stdout
    theirs = sops(*args, env=env, check=True).stdout
    assert _recipients(ours) == _recipients(theirs)
    assert _recipients(ours) == sorted([age_key.recipient, gpg.fingerprint])


def test_a_bad_recipient_in_the_environment_is_an_error(in_tmp: Path) -> None:
    Path("a.json").write_text('{"password": "hunter2"}\n')
    result = sealer("encrypt", "a.json", env={"SOPS_AGE_RECIPIENTS": "age1nope"})
    assert result.returncode != 0
    assert "sealer: error: not an age recipient: age1nope" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_edit_of_a_new_file_seals_for_the_environment(in_tmp: Path, age_key: AgeKey) -> None:
    editor = in_tmp / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf \'{"token": "t0k"}\\n\' > "$1"\n')
    editor.chmod(0o755)
    env = {"SOPS_AGE_RECIPIENTS": age_key.recipient, "EDITOR": str(editor)}
    sealer("edit", "new.json", env=env, check=True)
    assert _recipients(Path("new.json").read_text()) == [age_key.recipient]
