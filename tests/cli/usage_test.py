"""Command-line mistakes come out in sealer's own format, with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import sealer

CASES = [
    (["export", "s.yaml", "-f", "k8s-secret"], "k8s-secret needs --name", "sealer export"),
    (["set", "s.yaml", "a", '"x"', "--value-stdin"],
     "give exactly one of VALUE, --value-stdin or --value-file", "sealer set"),
    (["scan", "--nope"], "No such option '--nope'", "sealer scan"),
    (["get", "s.yaml"], "Missing argument 'PATH'.", "sealer get"),
    (["export", "s.yaml", "-f", "toml"], "Invalid value for '-f' / '--format': 'toml' is not one of",
     "sealer export"),
    (["frobnicate"], "No such command 'frobnicate'.", "sealer"),
    (["scan", "--staged", "--since", "HEAD"], "use only one of --staged, --since and --all-history",
     "sealer scan"),
    (["completion", "tcsh"], "Invalid value for '{bash|zsh|fish}': 'tcsh' is not one of",
     "sealer completion"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message", "command"), CASES)
def test_usage_errors_are_in_sealers_format(
    in_tmp: Path, args: list[str], message: str, command: str
) -> None:
    (in_tmp / "s.yaml").write_text("a: 1\n")
    r = sealer(*args, input="")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"sealer: error: {message}"), r.stderr
    assert lines[-1] == f"sealer: hint: see `{command} --help`"
    assert all(line.startswith(("sealer: error: ", "sealer: hint: ")) for line in lines)
    assert "Usage:" not in r.stderr and "Error:" not in r.stderr
