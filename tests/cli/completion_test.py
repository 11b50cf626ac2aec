"""`sealer completion SHELL`: scripts that really complete, through click's protocol."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers import run, sealer


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_names_sealers_completion_variable(shell: str) -> None:
    r = sealer("completion", shell)
    assert r.returncode == 0, r.stderr
    assert "_SEALER_COMPLETE" in r.stdout
    assert f"{shell}_complete" in r.stdout


def test_bash_completes_commands_and_options() -> None:
    """The bash script, sourced in a real bash, asks sealer and gets its commands."""
    script = sealer("completion", "bash", check=True).stdout
    bash = shutil.which("bash")
    assert bash is not None
    driver = (
        f"{script}\n"
        'COMP_WORDS=(sealer comp); COMP_CWORD=1; _sealer_completion sealer; echo "${COMPREPLY[@]}"\n'
        'COMPREPLY=(); COMP_WORDS=(sealer scan --sta); COMP_CWORD=2; _sealer_completion sealer; echo "${COMPREPLY[@]}"\n'
    )
    out = run([bash, "--norc", "-c", driver], check=True).stdout.splitlines()
    assert out == ["completion", "--staged"]
