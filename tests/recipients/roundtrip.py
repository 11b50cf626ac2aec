"""One round-trip helper for every recipient type and every format.

`roundtrip(fmt, ["--kms", arn], env)` seals a sample of the format with the
real CLI for the recipients the arguments name, checks that no secret shows,
opens it with `env` and checks the plaintext comes back byte for byte; with
`sops=True` the real sops binary must open it too. `sops_roundtrip` is the
other direction: sops seals, sealer opens.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.helpers import Result, run, sealer, tool
from tests.helpers import sops as run_sops

SECRET = "s3cr3t-Pa55"
FORMATS = ("yaml", "json", "dotenv", "ini", "binary")
SUFFIX = {"yaml": ".yaml", "json": ".json", "dotenv": ".env", "ini": ".ini", "binary": ".bin"}
SAMPLES = {
    "yaml": f"# settings\ndb:\n  user: admin\n  password: {SECRET}\n  port: 5432\n",
    "json": json.dumps({"db": {"password": SECRET, "port": 5432}}, indent=4) + "\n",
    "dotenv": f"# settings\nDB_USER=admin\nDB_PASSWORD={SECRET}\n",
    "ini": f"[db]\nuser = admin\npassword = {SECRET}\n",
    "binary": f"-----BEGIN BLOB-----\n{SECRET}\n\x01\x02 binary-ish\n",
}


def _files(fmt: str, directory: Path | None) -> tuple[Path, Path]:
    d = Path(tempfile.mkdtemp(prefix=f"rt-{fmt}-", dir=directory))
    plain = d / f"plain{SUFFIX[fmt]}"
    plain.write_text(SAMPLES[fmt])
    return plain, d / f"sealed{SUFFIX[fmt]}"


def _same(fmt: str, got: str) -> bool:
    """Whether sops' output means the sample (sops re-serialises; sealer keeps bytes)."""
    if fmt == "json":
        return bool(json.loads(got) == json.loads(SAMPLES[fmt]))
    if fmt == "yaml":
        return f"password: {SECRET}" in got and "port: 5432" in got
    if fmt == "ini":
        return f"password = {SECRET}" in got
    return got == SAMPLES[fmt]


def roundtrip(
    fmt: str,
    recipient_spec: Sequence[str],
    env: Mapping[str, str],
    *,
    sops: bool = False,
    directory: Path | None = None,
) -> str:
    """Seal the sample of `fmt` for `recipient_spec` (CLI arguments), open it; the sealed text."""
    plain, sealed_path = _files(fmt, directory)
    sealed = sealer("encrypt", *recipient_spec, str(plain), env=dict(env), check=True).stdout
    assert SECRET not in sealed
    sealed_path.write_text(sealed)
    opened = sealer("decrypt", str(sealed_path), env=dict(env), check=True)
    assert opened.stdout == SAMPLES[fmt]
    if sops:
        via_sops = run_sops("decrypt", str(sealed_path), env=dict(env), check=True)
        assert _same(fmt, via_sops.stdout), via_sops.stdout
    return sealed


def sops_roundtrip(
    fmt: str, sops_args: Sequence[str], env: Mapping[str, str], *, directory: Path | None = None
) -> str:
    """sops seals the sample of `fmt` (`sops_args` name the keys); sealer must open it."""
    plain, sealed_path = _files(fmt, directory)
    sealed = run_sops("encrypt", *sops_args, str(plain), env=dict(env), check=True).stdout
    assert SECRET not in sealed
    sealed_path.write_text(sealed)
    opened = sealer("decrypt", str(sealed_path), env=dict(env), check=True)
    assert _same(fmt, opened.stdout), opened.stdout
    return sealed


def seal_file(directory: Path, *spec: str, text: str, name: str = "s.yaml") -> Path:
    """`sealer encrypt SPEC` of `text` into `directory/name`; its path."""
    (directory / f"plain-{name}").write_text(text)
    out = sealer("encrypt", *spec, str(directory / f"plain-{name}"), check=True)
    (directory / name).write_text(out.stdout)
    return directory / name


def no_tty(*args: str, env: dict[str, str] | None = None) -> Result:
    """sealer in a new session: no controlling terminal, so nothing can prompt."""
    return run([tool("setsid"), "-w", sys.executable, "-m", "sealer", *args], env=env)
