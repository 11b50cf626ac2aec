"""Identities for non-interactive use (CI, deploy hosts): the key, a key file, a key command.

SEALER_AGE_KEY / _FILE / _CMD and their sops twins SOPS_AGE_KEY / _FILE / _CMD,
driven through `sealer exec` as a CI job would.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import seal_file
from tests.helpers import AgeKey, make_age_key, run, sealer

PREFIXES = ["SEALER", "SOPS"]


@pytest.fixture
def sealed(in_tmp: Path, age_key: AgeKey) -> Path:
    return seal_file(in_tmp / "ci.env", "DEPLOY_TOKEN=s3cr3t\n", age_key.recipient)


def token_with(env: dict[str, str]) -> tuple[int, str, str]:
    r = sealer("exec", "--env", "ci.env", "--", sys.executable, "-c",
               "import os; print(os.environ['DEPLOY_TOKEN'])", env=env)  # fmt: skip
    return r.returncode, r.stdout.strip(), r.stderr


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_key_itself_in_the_environment(sealed: Path, age_key: AgeKey, prefix: str) -> None:
    assert token_with({f"{prefix}_AGE_KEY": age_key.secret}) == (0, "s3cr3t", "")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_key_file(sealed: Path, age_key: AgeKey, prefix: str) -> None:
    assert token_with({f"{prefix}_AGE_KEY_FILE": str(age_key.file)}) == (0, "s3cr3t", "")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_command_that_prints_the_key(
    sealed: Path, age_key: AgeKey, prefix: str, in_tmp: Path
) -> None:
    # as a secret manager CLI would: a program that prints the key on stdout
    script = in_tmp / "print-key"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{age_key.secret}'\n")
    script.chmod(0o700)
    got = token_with({f"{prefix}_AGE_KEY_CMD": f"{script} --for ci"})
    assert got == (0, "s3cr3t", "")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_failing_key_command_is_a_clear_error(sealed: Path, prefix: str) -> None:
    code, out, err = token_with({f"{prefix}_AGE_KEY_CMD": "sh -c 'echo nope >&2; exit 3'"})
    assert (code, out) == (5, "")
    assert f"sealer: error: {prefix}_AGE_KEY_CMD: the key command exited with status 3" in err
    assert "sealer: hint: run it by hand" in err


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_key_command_that_does_not_exist(sealed: Path, prefix: str) -> None:
    code, _, err = token_with({f"{prefix}_AGE_KEY_CMD": "/nonexistent/keytool"})
    assert code == 5
    assert f"{prefix}_AGE_KEY_CMD: could not run the key command" in err


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_missing_key_file_is_a_clear_error(sealed: Path, prefix: str, in_tmp: Path) -> None:
    missing = in_tmp / "no-such-key.txt"
    code, _, err = token_with({f"{prefix}_AGE_KEY_FILE": str(missing)})
    assert code == 6
    assert f"sealer: error: {prefix}_AGE_KEY_FILE: key file {missing} does not exist" in err


def test_a_key_value_that_is_not_a_key_is_refused_without_echoing_it(sealed: Path) -> None:
    code, _, err = token_with({"SEALER_AGE_KEY": "AGE-SECRET-KEY-TYPO hunter2"})
    assert code == 5
    assert "SEALER_AGE_KEY: a line is not an age secret key" in err
    assert "hunter2" not in err


def test_sources_are_merged_a_wrong_key_does_not_hide_the_right_one(
    sealed: Path, age_key: AgeKey, in_tmp: Path
) -> None:
    other = make_age_key(in_tmp / "other")
    env = {"SEALER_AGE_KEY": other.secret, "SOPS_AGE_KEY_FILE": str(age_key.file)}
    assert token_with(env) == (0, "s3cr3t", "")


def test_without_any_key_the_file_stays_shut(sealed: Path) -> None:
    code, out, err = token_with({})
    assert (code, out) == (128, "")
    assert "ci.env: no identity can open the data key" in err


def test_sops_reads_the_same_variable_as_sealer(sealed: Path, age_key: AgeKey) -> None:
    # a CI secret named SOPS_AGE_KEY serves both tools
    r = run(["sops", "--decrypt", "ci.env"], env={"SOPS_AGE_KEY": age_key.secret})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "DEPLOY_TOKEN=s3cr3t\n"
