"""get / set / unset on sealed files of every format: exact plaintext results, stable bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import AgeKey, sealer

CASES = {
    "yaml": (
        "s.yaml",
        "# top\ndb:\n  user: admin\n  password: \"old\"  # keep me\nlist: [a, b]\n",
        [
            (("set", "db.password", '"new"'), "# top\ndb:\n  user: admin\n  password: \"new\"  # keep me\nlist: [a, b]\n"),
            (("set", "db.port", "5432"), "# top\ndb:\n  user: admin\n  password: \"new\"  # keep me\n  port: 5432\nlist: [a, b]\n"),
            (("set", "list.2", '"c"'), "# top\ndb:\n  user: admin\n  password: \"new\"  # keep me\n  port: 5432\nlist: [a, b, c]\n"),
            (("set", "new.deep", '{"k": [1, 2]}'), "# top\ndb:\n  user: admin\n  password: \"new\"  # keep me\n  port: 5432\nlist: [a, b, c]\nnew:\n  deep:\n    k:\n      - 1\n      - 2\n"),
            (("unset", "db.user"), "# top\ndb:\n  password: \"new\"  # keep me\n  port: 5432\nlist: [a, b, c]\nnew:\n  deep:\n    k:\n      - 1\n      - 2\n"),
            (("unset", "new"), "# top\ndb:\n  password: \"new\"  # keep me\n  port: 5432\nlist: [a, b, c]\n"),
            (("unset", "list.0"), "# top\ndb:\n  password: \"new\"  # keep me\n  port: 5432\nlist: [b, c]\n"),
        ],
    ),
    "json": (
        "s.json",
        '{\n  "db": {\n    "user": "admin",\n    "password": "old"\n  },\n  "n": 1\n}\n',
        [
            (("set", "db.password", '"new"'), '{\n  "db": {\n    "user": "admin",\n    "password": "new"\n  },\n  "n": 1\n}\n'),
            (("set", "db.port", "5432"), '{\n  "db": {\n    "user": "admin",\n    "password": "new",\n    "port": 5432\n  },\n  "n": 1\n}\n'),
            (("unset", "db.user"), '{\n  "db": {\n    "password": "new",\n    "port": 5432\n  },\n  "n": 1\n}\n'),
            (("set", "n", "2.5"), '{\n  "db": {\n    "password": "new",\n    "port": 5432\n  },\n  "n": 2.5\n}\n'),
        ],
    ),
    "dotenv": (
        "s.env",
        "# c\nUSER=admin\nPASSWORD=old\n",
        [
            (("set", "PASSWORD", '"new"'), "# c\nUSER=admin\nPASSWORD=new\n"),
            (("set", "TOKEN", '"line1\\nline2"'), "# c\nUSER=admin\nPASSWORD=new\nTOKEN=line1\\nline2\n"),
            (("unset", "USER"), "# c\nPASSWORD=new\nTOKEN=line1\\nline2\n"),
        ],
    ),
    "ini": (
        "s.ini",
        "name = x\n\n[db]\nuser = admin\npassword = \"old\"\n",
        [
            (("set", "db.password", '"new"'), "name = x\n\n[db]\nuser = admin\npassword = \"new\"\n"),
            (("set", "db.port", '"5432"'), "name = x\n\n[db]\nuser = admin\npassword = \"new\"\nport = 5432\n"),
            (("set", "cache.ttl", '"60"'), "name = x\n\n[db]\nuser = admin\npassword = \"new\"\nport = 5432\n\n[cache]\nttl = 60\n"),
            (("unset", "db.user"), "name = x\n\n[db]\npassword = \"new\"\nport = 5432\n\n[cache]\nttl = 60\n"),
            (("set", "name", '"y"'), "name = y\n\n[db]\npassword = \"new\"\nport = 5432\n\n[cache]\nttl = 60\n"),
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("fmt", list(CASES))
def test_set_and_unset_edit_only_what_they_name(in_tmp: Path, age_key: AgeKey, fmt: str) -> None:
    name, plain, steps = CASES[fmt]
    (in_tmp / name).write_text(plain)
    sealer("encrypt", "-i", "--age", age_key.recipient, name, check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    for args, expected in steps:
        command, *rest = args
        sealer(command, name, *rest, env=env, check=True)
        assert sealer("decrypt", name, env=env, check=True).stdout == expected, args


def test_get_prints_strings_raw_and_structures_in_format(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.json").write_text('{"a": {"b": [1, "two"]}, "s": "text"}\n')
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.json", check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    assert sealer("get", "s.json", "s", env=env).stdout == "text"
    assert json.loads(sealer("get", "s.json", "a", env=env).stdout) == {"b": [1, "two"]}
    assert sealer("get", "s.json", '["a"]["b"][1]', env=env).stdout == "two"


def test_set_from_stdin_and_file_as_text(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text("token: x\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    sealer(
        "set",
        "--value-stdin",
        "--string",
        "s.yaml",
        "token",
        input="from-stdin\n",
        env=env,
        check=True,
    )
    assert sealer("get", "s.yaml", "token", env=env).stdout == "from-stdin"
    (in_tmp / "v.txt").write_text('{"json": true}')
    sealer("set", "--value-file", "v.txt", "s.yaml", "token", env=env, check=True)
    assert sealer("decrypt", "s.yaml", env=env).stdout == "token:\n  json: true\n"


def test_set_refuses_bad_json_and_ambiguous_sources(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text("token: x\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    before = (in_tmp / "s.yaml").read_bytes()
    env = {"SEALER_AGE_KEY": age_key.secret}
    bad = sealer("set", "s.yaml", "token", "not json", env=env)
    assert (
        bad.returncode == 2 and "the value is not JSON" in bad.stderr and "--string" in bad.stderr
    )
    both = sealer("set", "--value-stdin", "s.yaml", "token", '"x"', env=env, input="y")
    assert both.returncode == 2
    assert (in_tmp / "s.yaml").read_bytes() == before


def test_unset_of_a_missing_key(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text("a: 1\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    out = sealer("unset", "s.yaml", "b", env=env)
    assert out.returncode == 1 and 'sealer: error: s.yaml: ["b"]: no such key' in out.stderr
    assert sealer("unset", "--idempotent", "s.yaml", "b", env=env).returncode == 0


def test_binary_files_have_no_keys(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "blob.bin").write_bytes(b"\x00\x01")
    sealer("encrypt", "-i", "--age", age_key.recipient, "blob.bin", check=True)
    out = sealer("set", "blob.bin", "data", '"x"', env={"SEALER_AGE_KEY": age_key.secret})
    assert out.returncode == 4 and "sealed whole" in out.stderr
