"""The env-name rule (README "Deploy"): names, values, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from sealer import formats
from sealer.deploy import flatten
from sealer.errors import Exit, SealerError
from sealer.tree import to_python


def data(fmt: str, text: str) -> Any:
    return to_python(formats.get(fmt).parse(text).docs[0])


def flat(fmt: str, text: str, target: flatten.Target = flatten.ENV) -> dict[str, bytes]:
    return {v.name: v.value for v in flatten.flatten(data(fmt, text), target, fmt_name=fmt)}


def test_nested_yaml_keys_are_joined_with_underscore_and_values_typed() -> None:
    text = """\
# comment
db:
  user: admin
  port: 5432
  ratio: 0.5
  big: 1.0e+21
  tls: true
  off: false
  empty: null
  since: 2024-01-02T03:04:05Z
hosts: [a, "b c"]
nothing: {}
"""
    assert flat("yaml", text) == {
        "db_user": b"admin",
        "db_port": b"5432",
        "db_ratio": b"0.5",
        "db_big": b"1000000000000000000000",
        "db_tls": b"true",
        "db_off": b"false",
        "db_empty": b"",
        "db_since": b"2024-01-02T03:04:05Z",
        "hosts_0": b"a",
        "hosts_1": b"b c",
    }


def test_ini_default_section_keys_are_named_alone() -> None:
    text = "top=1\n[db]\npassword=x\n"
    assert flat("ini", text) == {"top": b"1", "db_password": b"x"}


def test_dotenv_keys_are_names_as_they_are() -> None:
    assert flat("dotenv", "A=1\nb_2=two words\n") == {"A": b"1", "b_2": b"two words"}


def test_json_keys_and_types() -> None:
    assert flat("json", '{"a": {"b": [1, true, "x"]}}') == {
        "a_b_0": b"1",
        "a_b_1": b"true",
        "a_b_2": b"x",
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [("my-key: 1\n", "my-key"), ("'1abc': 1\n", "1abc"), ("a:\n  'b c': 1\n", "a_b c")],
)
def test_a_name_that_is_not_an_identifier_is_an_error(text: str, name: str) -> None:
    with pytest.raises(SealerError) as e:
        flat("yaml", text)
    assert f"{name!r} is not a valid environment variable" in str(e.value)
    assert e.value.exit_code == Exit.FORMAT
    assert e.value.hint is not None and "letters, digits and _" in e.value.hint


def test_two_key_paths_with_one_name_are_an_error_naming_both() -> None:
    with pytest.raises(SealerError) as e:
        flat("yaml", "a_b: 1\na:\n  b: 2\n")
    assert str(e.value) == '["a_b"] and ["a"]["b"] both become the environment variable a_b'


def test_a_value_with_a_nul_byte_cannot_be_an_environment_variable() -> None:
    with pytest.raises(SealerError) as e:
        flat("yaml", 'key: "hunter\\0two"\n')
    assert '["key"]: the value holds a NUL byte' in str(e.value)
    assert "hunter" not in str(e.value)  # the value is never shown


def test_kubernetes_keys_allow_dots_and_dashes_but_not_spaces() -> None:
    assert flat("dotenv", "tls.crt=x\nmy-key=y\n", flatten.K8S) == {
        "tls.crt": b"x",
        "my-key": b"y",
    }
    with pytest.raises(SealerError, match="not a valid Kubernetes Secret key"):
        flat("yaml", "'a b': 1\n", flatten.K8S)
    # NUL is fine in a Secret (it is base64)
    assert flat("yaml", 'k: "a\\0b"\n', flatten.K8S) == {"k": b"a\0b"}


def test_merge_refuses_a_name_from_two_files() -> None:
    a = flatten.flatten(data("yaml", "x: 1\n"))
    b = flatten.flatten(data("dotenv", "x=2\n"))
    with pytest.raises(SealerError) as e:
        flatten.merge([("a.yaml", a), ("b.env", b)])
    assert str(e.value) == 'x is set by both a.yaml ["x"] and b.env ["x"]'
    assert flatten.merge([("a.yaml", a)]) == {"x": b"1"}
