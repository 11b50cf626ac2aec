"""Interop with the real sops binary, both directions, for every format.

Files sops writes open in sealer to the same data; files sealer writes open in
`sops -d` to the same data; a file sealer edits still opens in sops and the
other way round. Data is compared as parsed structures, since sops re-emits
files in its own layout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import AgeKey, make_age_key, sealer, sops

YAML = """\
# a comment at the top
app:
  name: demo
  password: "s3cr3t-p@ss"   # inline comment
  port: 8443
  ratio: 0.25
  big: 1e+21
  enabled: true
  disabled: false
  empty: ""
  none: null
  unicode: "grüße, 世界 ✓"
  multi: |
    first line
    second line
  # a comment between keys
  hosts:
    - alpha
    - beta: 2
      gamma: [1, "two"]
public_unencrypted: visible
when: 2024-01-02T03:04:05Z
"""

JSON = json.dumps(
    {
        "app": {
            "name": "demo",
            "password": "s3cr3t-p@ss",
            "port": 8443,
            "ratio": 0.25,
            "enabled": True,
            "empty": "",
            "none": None,
            "unicode": "grüße, 世界 ✓",
            "multi": "first line\nsecond line\n",
            "hosts": ["alpha", {"beta": 2, "gamma": [1, "two"]}],
        },
        "public_unencrypted": "visible",
    },
    indent=2,
    ensure_ascii=False,
)

DOTENV = """\
# a comment
DB_USER=admin
DB_PASSWORD=s3cr3t-p@ss
MULTI=first\\nsecond
EMPTY=
UNICODE=grüße ✓
PUBLIC_unencrypted=visible
"""

INI = """\
; top comment
name = demo

[database]
; about the user
user = admin
password = s3cr3t-p@ss
port = 5432
unicode = grüße ✓

[public_unencrypted]
note = visible
"""

FILES = {"yaml": YAML, "json": JSON, "dotenv": DOTENV, "ini": INI}
EXT = {"yaml": "yaml", "json": "json", "dotenv": "env", "ini": "ini"}


def as_data(fmt: str, text: str) -> Any:
    """The data sops sees in a plaintext file: ask sops itself (as JSON)."""
    if fmt in ("yaml", "json"):
        from sealer.formats import get
        from sealer.tree import to_python

        return _jsonable(to_python(get(fmt).parse(text).docs[0]))
    return text


def _jsonable(value: Any) -> Any:
    from sealer.values import GoTime

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, GoTime):
        return value.text
    if isinstance(value, float) and value.is_integer():
        return int(value)  # sops prints integral floats as integers in JSON
    return value


def sops_data(path: Path, fmt: str, env: dict[str, str]) -> Any:
    """What `sops -d` makes of a file, as data (YAML/JSON) or text (.env/INI)."""
    if fmt in ("yaml", "json"):
        out = sops("-d", "--output-type", "json", str(path), env=env, check=True)
        return _jsonable(json.loads(out.stdout))
    out = sops("-d", str(path), env=env, check=True)
    return _normalise(fmt, out.stdout)


def _normalise(fmt: str, text: str) -> Any:
    """.env/INI as sops re-emits them: compare key/value pairs, not layout."""
    pairs: list[tuple[str, str]] = []
    section = ""
    for line in text.splitlines():
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        if fmt == "ini" and s.startswith("["):
            section = s[1:-1]
            continue
        key, _, value = (line if fmt == "dotenv" else s).partition("=")
        pairs.append(
            (
                f"{section}.{key.strip() if fmt == 'ini' else key}",
                value.strip() if fmt == "ini" else value,
            )
        )
    return pairs


def sops_env(*keys: AgeKey) -> dict[str, str]:
    return {"SOPS_AGE_KEY": "\n".join(k.secret for k in keys)}


@pytest.mark.parametrize("fmt", list(FILES))
def test_sealer_file_opens_in_sops(tmp_path: Path, fmt: str, age_key: AgeKey) -> None:
    plain = tmp_path / f"plain.{EXT[fmt]}"
    plain.write_text(FILES[fmt])
    sealed = tmp_path / f"sealed.{EXT[fmt]}"
    sealer("encrypt", "--age", age_key.recipient, str(plain), "-o", str(sealed), check=True)
    assert "s3cr3t-p@ss" not in sealed.read_text()
    assert sops_data(sealed, fmt, sops_env(age_key)) == sops_data_plain(fmt, plain)


def sops_data_plain(fmt: str, plain: Path) -> Any:
    if fmt in ("yaml", "json"):
        return as_data(fmt, plain.read_text())
    return _normalise(fmt, plain.read_text())


@pytest.mark.parametrize("fmt", list(FILES))
def test_sops_file_opens_in_sealer(tmp_path: Path, fmt: str, age_key: AgeKey) -> None:
    plain = tmp_path / f"plain.{EXT[fmt]}"
    plain.write_text(FILES[fmt])
    out = sops("encrypt", "--age", age_key.recipient, str(plain), check=True)
    sealed = tmp_path / f"sops.{EXT[fmt]}"
    sealed.write_text(out.stdout)
    opened = sealer("decrypt", str(sealed), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert "warning" not in opened.stderr
    got = tmp_path / f"got.{EXT[fmt]}"
    got.write_text(opened.stdout)
    # sealer opens sops' layout as is, so compare against sops' own opening of it
    via_sops = sops("-d", str(sealed), env=sops_env(age_key), check=True).stdout
    if fmt in ("yaml", "json"):
        assert as_data(fmt, opened.stdout) == as_data(fmt, via_sops)
        assert as_data(fmt, opened.stdout) == sops_data_plain(fmt, plain)
    else:
        assert _normalise(fmt, opened.stdout) == _normalise(fmt, via_sops)


def test_binary_both_ways(tmp_path: Path, age_key: AgeKey) -> None:
    data = bytes(range(256)) * 4 + b"\xff\xfe not utf-8 \x00"
    (tmp_path / "blob.bin").write_bytes(data)
    sealer("encrypt", "--age", age_key.recipient, "-i", str(tmp_path / "blob.bin"), check=True)
    out = sops("-d", str(tmp_path / "blob.bin"), env=sops_env(age_key), check=True)
    assert out.stdout_bytes == data
    sops_sealed = sops("encrypt", "--age", age_key.recipient, "--input-type", "binary",
                       "--output-type", "binary", "/dev/stdin", input=data, check=True)  # fmt: skip
    (tmp_path / "sops.bin").write_bytes(sops_sealed.stdout_bytes)
    back = sealer("decrypt", str(tmp_path / "sops.bin"), env={"SEALER_AGE_KEY": age_key.secret})
    assert back.returncode == 0, back.stderr
    assert back.stdout_bytes == data


SCENARIOS = {
    "two recipients": {"rule": {"age": "{a},{b}"}, "open_with": ["b"]},
    "encrypted_regex": {
        "rule": {"age": "{a}", "encrypted_regex": "^(password|DB_PASSWORD|multi|unicode)$"},
        "open_with": ["a"],
    },
    "unencrypted_regex + mac_only_encrypted": {
        "rule": {
            "age": "{a}",
            "unencrypted_regex": "^(name|user|DB_USER)$",
            "mac_only_encrypted": True,
        },
        "open_with": ["a"],
    },
    "key groups, threshold 2 of 3": {
        "rule": {
            "key_groups": [{"age": ["{a}"]}, {"age": ["{b}"]}, {"age": ["{c}"]}],
            "shamir_threshold": 2,
        },
        "open_with": ["a", "c"],
    },
}


def _rules(tmp_path: Path, rule: dict[str, Any], keys: dict[str, AgeKey], name: str) -> None:
    text = json.dumps({"creation_rules": [rule]})
    for k, key in keys.items():
        text = text.replace("{" + k + "}", key.recipient)
    (tmp_path / name).write_text(text)  # JSON is YAML


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("fmt", list(FILES))
@pytest.mark.parametrize("writer", ["sealer", "sops"])
def test_rules_scenarios_interop(tmp_path: Path, scenario: str, fmt: str, writer: str) -> None:
    keys = {k: make_age_key(tmp_path / "keys", k) for k in "abc"}
    spec = SCENARIOS[scenario]
    _rules(tmp_path, spec["rule"], keys, ".sops.yaml")
    plain = tmp_path / f"plain.{EXT[fmt]}"
    plain.write_text(FILES[fmt])
    if writer == "sealer":
        out = sealer("encrypt", str(plain), cwd=tmp_path, check=True)
    else:
        out = sops("encrypt", str(plain), cwd=tmp_path, check=True)
    sealed = tmp_path / f"sealed.{EXT[fmt]}"
    sealed.write_text(out.stdout)
    openers = [keys[k] for k in spec["open_with"]]
    by_sops = sops("-d", str(sealed), env=sops_env(*openers), check=True).stdout
    by_sealer = sealer(
        "decrypt",
        str(sealed),
        env={"SEALER_AGE_KEY": "\n".join(k.secret for k in openers)},
        check=True,
    ).stdout
    if fmt in ("yaml", "json"):
        assert as_data(fmt, by_sealer) == as_data(fmt, by_sops) == sops_data_plain(fmt, plain)
    else:
        assert _normalise(fmt, by_sealer) == _normalise(fmt, by_sops)
    if writer == "sealer":
        assert by_sealer == FILES[fmt]  # sealer gives back exactly what was sealed


@pytest.mark.parametrize("fmt", ["yaml", "json", "dotenv", "ini"])
def test_sealer_edit_of_sops_file_still_opens_in_sops(
    tmp_path: Path, fmt: str, age_key: AgeKey
) -> None:
    plain = tmp_path / f"plain.{EXT[fmt]}"
    plain.write_text(FILES[fmt])
    sealed = tmp_path / f"s.{EXT[fmt]}"
    sealed.write_text(sops("encrypt", "--age", age_key.recipient, str(plain), check=True).stdout)
    path = {
        "yaml": "app.password",
        "json": "app.password",
        "dotenv": "DB_PASSWORD",
        "ini": "database.password",
    }[fmt]
    env = {"SEALER_AGE_KEY": age_key.secret}
    sealer("set", str(sealed), path, '"changed-value"', env=env, check=True)
    by_sops = sops("-d", str(sealed), env=sops_env(age_key), check=True).stdout
    assert "changed-value" in by_sops
    assert "s3cr3t-p@ss" not in by_sops


@pytest.mark.parametrize("fmt", ["yaml", "json", "dotenv", "ini"])
def test_sops_set_on_sealer_file_opens_in_sealer(tmp_path: Path, fmt: str, age_key: AgeKey) -> None:
    plain = tmp_path / f"plain.{EXT[fmt]}"
    plain.write_text(FILES[fmt])
    sealed = tmp_path / f"s.{EXT[fmt]}"
    sealer("encrypt", "--age", age_key.recipient, str(plain), "-o", str(sealed), check=True)
    index = {
        "yaml": '["app"]["password"]',
        "json": '["app"]["password"]',
        "dotenv": '["DB_PASSWORD"]',
        "ini": '["database"]["password"]',
    }[fmt]
    sops("set", str(sealed), index, '"from-sops"', env=sops_env(age_key), check=True)
    out = sealer("decrypt", str(sealed), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert "from-sops" in out.stdout


def test_sops_editor_round_trip_of_sealer_file(tmp_path: Path, age_key: AgeKey) -> None:
    """`sops edit` (with a scripted editor) accepts a sealer file and sealer opens the result."""
    plain = tmp_path / "p.yaml"
    plain.write_text(YAML)
    sealed = tmp_path / "s.yaml"
    sealer("encrypt", "--age", age_key.recipient, str(plain), "-o", str(sealed), check=True)
    editor = tmp_path / "ed.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/demo/edited/' \"$1\"\n")
    editor.chmod(0o755)
    sops("edit", str(sealed), env={**sops_env(age_key), "EDITOR": str(editor)}, check=True)
    out = sealer("decrypt", str(sealed), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert "name: edited" in out.stdout
