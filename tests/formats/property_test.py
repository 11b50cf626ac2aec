"""Property tests for every format: open(seal(x)) == x byte for byte, and sealing
unchanged plaintext against the sealed file gives the identical bytes.

A smaller differential run checks that the real sops binary reads sealer's output
to the same data sealer's own parser sees in the plaintext.
"""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.recipients.age import AgeRecipient
from sealer.tree import to_python
from sealer.values import GoTime
from tests.helpers import AgeKey, make_age_key, sops

_KEY_CHARS = st.characters(
    min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc", "Zl", "Zp")
)
# ruamel writes keys holding ':' plain where YAML 1.1 parsers (libyaml, go-yaml)
# refuse them; that is ruamel's output, not what this test is about.
keys = st.text(alphabet=_KEY_CHARS, min_size=1, max_size=12).filter(
    lambda k: k.strip() == k and k != "sops" and ":" not in k
)
text_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029"),
    max_size=40,
)
scalars = st.one_of(
    text_values,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=15,
)
documents = st.dictionaries(keys, trees, min_size=1, max_size=6)
# ruamel writes some plain keys in flow style that YAML 1.1 parsers (libyaml,
# go-yaml) read otherwise; keep flow-style keys to safe characters.
flow_keys = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FFF,
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters=":?,[]{}#&*!|>'\"%@`"),
    min_size=1, max_size=12).filter(lambda k: k.strip() == k and k != "sops")  # fmt: skip
flow_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029:?#"
    ),
    max_size=40,
)
flow_trees = st.recursive(
    st.one_of(flow_text, st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(flow_keys, inner, max_size=4)
    ),
    max_leaves=15,
)
flow_documents = st.dictionaries(flow_keys, flow_trees, min_size=1, max_size=6)


def yaml_text(data: dict[str, Any], flow: bool) -> str:
    from ruamel.yaml import YAML

    y = YAML()
    y.default_flow_style = flow
    y.width = 4096
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


env_keys = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="=#"),
    min_size=1,
    max_size=10,
).filter(lambda k: not k.startswith("sops_"))
env_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30
)
ini_names = st.text(
    alphabet=st.characters(
        min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="[]=:#;\"'`\\-"
    ),
    min_size=1,
    max_size=8,
).filter(lambda n: n not in ("sops", "DEFAULT"))
ini_values = st.text(
    alphabet=st.characters(
        min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=("Cs",),
        blacklist_characters="#;\"'`\\",
    ),
    max_size=30,
).map(str.strip)  # fmt: skip


def dotenv_text(data: dict[str, str]) -> str:
    return "".join(f"{k}={v}\n" for k, v in data.items())


def ini_text(data: dict[str, dict[str, str]]) -> str:
    out = []
    for section, items in data.items():
        out.append(f"[{section}]\n")
        out.extend(f"{k} = {v}\n" for k, v in items.items())
        out.append("\n")
    return "".join(out)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> AgeKey:
    return make_age_key(tmp_path_factory.mktemp("keys"))


def check_round_trip(fmt_name: str, text: str, key: AgeKey, exact: bool = True) -> str:
    fmt = formats.get(fmt_name)
    policy = document.Policy(groups=((AgeRecipient(key.recipient),),))
    sealed = document.seal_text(fmt, text, policy=policy)
    with patch.dict(os.environ, {"SEALER_AGE_KEY": key.secret}):
        opened = document.open_text(fmt, sealed, Keyring())
    if exact:
        assert opened.plaintext == text
    else:  # same data; quoting inside flow collections may differ (FORMAT.md)
        assert to_python(fmt.parse(opened.plaintext).docs[0]) == to_python(fmt.parse(text).docs[0])
    again = document.seal_text(fmt, opened.plaintext, previous=opened)
    assert again == sealed
    return sealed


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=documents)
def test_yaml_round_trip_and_stable_bytes(data: dict[str, Any], key: AgeKey) -> None:
    check_round_trip("yaml", yaml_text(data, flow=False), key)


@SETTINGS
@given(data=flow_documents)
def test_yaml_flow_style_round_trip_and_stable_bytes(data: dict[str, Any], key: AgeKey) -> None:
    check_round_trip("yaml", yaml_text(data, flow=True), key, exact=False)


@SETTINGS
@given(data=documents, indent=st.sampled_from([None, 2, 4, "\t"]))
def test_json_round_trip_and_stable_bytes(data: dict[str, Any], indent: Any, key: AgeKey) -> None:
    check_round_trip("json", json.dumps(data, indent=indent, ensure_ascii=False) + "\n", key)


@SETTINGS
@given(data=st.dictionaries(env_keys, env_values, min_size=1, max_size=8))
def test_dotenv_round_trip_and_stable_bytes(data: dict[str, str], key: AgeKey) -> None:
    check_round_trip("dotenv", dotenv_text(data), key)


@SETTINGS
@given(
    data=st.dictionaries(
        ini_names, st.dictionaries(ini_names, ini_values, max_size=5), min_size=1, max_size=4
    )
)
def test_ini_round_trip_and_stable_bytes(data: dict[str, dict[str, str]], key: AgeKey) -> None:
    check_round_trip("ini", ini_text(data), key)


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_binary_round_trip_and_stable_bytes(data: bytes, key: AgeKey) -> None:
    check_round_trip("binary", data.decode("utf-8", "surrogateescape"), key)


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, GoTime):
        return value.text
    if isinstance(value, float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value) if abs(value) > 2**53 else value
    return value


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=documents)
def test_sops_reads_sealer_yaml_as_sealer_parses_it(
    data: dict[str, Any], key: AgeKey, tmp_path: Path
) -> None:
    text = yaml_text(data, flow=False)
    sealed = check_round_trip("yaml", text, key)
    path = tmp_path / "p.yaml"
    path.write_text(sealed)
    out = sops(
        "-d", "--output-type", "json", str(path), env={"SOPS_AGE_KEY": key.secret}, check=True
    )
    assert "unencrypted comment" not in out.stderr
    expected = to_python(formats.get("yaml").parse(text).docs[0])
    got = json.loads(out.stdout)
    assert _comparable(got) == _comparable(expected) or _floats_close(got, expected)


def _floats_close(a: Any, b: Any) -> bool:
    """sops prints floats through Go's JSON encoder; compare numbers numerically."""
    a, b = _comparable(a), _comparable(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_floats_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_floats_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-15)
    return bool(a == b)
