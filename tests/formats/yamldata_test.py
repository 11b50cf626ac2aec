"""yamldata (plain block YAML to data) against the libyaml reader: where it answers,
it gives what `to_python` gives for the libyaml reader's tree; elsewhere it steps aside.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealer.errors import FormatError
from sealer.formats import yamldata
from sealer.formats.yaml import _Parser
from sealer.tree import to_python
from tests.formats.yamlfast_test import ENC, META
from tests.helpers import AgeKey, make_age_key, sops

EXAMPLES = int(os.environ.get("SEALER_FUZZ_EXAMPLES", "400"))


def _same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b) and type(a) is type(b)  # repr: NaN equals itself, True is not 1


def agree(text: str) -> bool:
    """Whether yamldata answered; when it did, it matched the libyaml reader."""
    data = yamldata.load(text)
    if data is None:
        return False
    parsed = _Parser(text).run()
    assert _same(data, to_python(parsed.docs[0]))
    return True


INSIDE = {
    "rules": "creation_rules:\n  - path_regex: .*\\.yaml$\n    age: age1abc\n  - age: age1def\n",
    "list at key column": "a:\n- 1\n- x: 2\n  y: 3\nb: []\nc: {}\n",
    "list of lists avoided, lists of mappings": "a:\n    - b: 1\n      c:\n        - d\n        - e\n",
    "literal": "a: |\n    line one\n\n    line three\nb: |-\n  no newline\n  at the end\n",
    "literal with trailing empty lines": "a: |\n  x\n\n\nb: 1\n",
    "literal keeps inner indent": "a: |\n  x\n    y\n  z\n",
    "literal in a list item": "k:\n  - enc: |\n      -----BEGIN-----\n      abc\n      -----END-----\n    r: x\n",
    "scalars": "a: 1\nb: -2.5\nc: true\nd: ~\ne: \"q\"\nf: 'r'\ng: ^(data|stringData)$\nh:\n",
    "blank lines": "\na: 1\n\n\nb:\n\n  - 1\n\n  - 2\n",
    "longest key": "a:\n  - " + "k" * 1024 + ": 1\n",
    "deepest": "".join(" " * i + "k:\n" for i in range(99)) + " " * 99 + "v: 1\n",
}

OUTSIDE = {
    "comment": "a: 1 # x\n",
    "folded": "a: >\n  x\n",
    "kept literal": "a: |+\n  x\n",
    "indent indicator": "a: |2\n   x\n",
    "literal starting with an empty line": "a: |\n\n  x\n",
    "literal with a line of blanks": "a: |\n  x\n   \n  y\n",
    "literal less indented later": "a:\n  b: |\n      x\n    y\n",
    "flow": "a: [1]\n",
    "anchor": "a: &x 1\n",
    "alias": "a: *x\n",
    "tag": "a: !x 1\n",
    "nested list": "a:\n  - - 1\n",
    "empty item": "a:\n  -\n",
    "block scalar item": "a:\n  - |\n    x\n",
    "multi-line plain": "a: x\n  y\n",
    "item continued": "a:\n  - x\n    y\n",
    "duplicate": "a: 1\na: 2\n",
    "not a string key": "1: a\n",
    "quoted key": "'a': 1\n",
    "indented top level": " a: 1\n",
    "top-level list": "- a\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "sops entry": "a: 1\nsops:\n    version: 1\n",
    "no final newline": "a: 1",
    "tab": "a:\t1\n",
    "escape": 'a: "x\\n"\n',
    "item and key mixed": "a:\n  - 1\n  b: 2\n",
    "too deep": "".join(" " * i + "k:\n" for i in range(100)) + " " * 100 + "v: 1\n",
    "lists too deep": "a:\n"
    + "".join(f"{' ' * (2 * i)}- k{i}:\n" for i in range(50))
    + " " * 100
    + "- v\n",
    "far too deep": "".join(" " * i + "k:\n" for i in range(600)) + " " * 600 + "v: 1\n",
    "key too long": "a:\n  - " + "k" * 1025 + ": 1\n",
    "key after indentless list": "a:\n- 1\n- 2\n  c: 3\n",
}


@pytest.mark.parametrize("text", INSIDE.values(), ids=INSIDE.keys())
def test_reads_plain_block_yaml_as_libyaml_does(text: str) -> None:
    assert agree(text)


@pytest.mark.parametrize("text", OUTSIDE.values(), ids=OUTSIDE.keys())
def test_leaves_everything_else_to_libyaml(text: str) -> None:
    assert yamldata.load(text) is None


OLD_META = """sops:
  kms: []
  age:
  - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
    enc: |
      -----BEGIN AGE ENCRYPTED FILE-----
      YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBub3QgYSByZWFsIGtleQo=
      -----END AGE ENCRYPTED FILE-----
  lastmodified: "2021-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
  version: 3.7.3
"""


def test_metadata_block_reads_as_libyaml_does() -> None:
    """As sops 3.9 and later write it (4 columns), and as older sops did (2, indentless lists)."""
    for text in (META, OLD_META, f"a: {ENC}\n{META}"):
        found = yamldata.metadata(text[text.index("sops:") :])
        assert found is not None and _same(found[0], _Parser(text).run().metadata)


def test_sops_metadata_reads_as_libyaml_does(tmp_path: Path) -> None:
    """Metadata as the real sops writes it: several recipients and key groups."""
    keys: list[AgeKey] = [make_age_key(tmp_path / "k", f"k{i}") for i in range(3)]
    plain = tmp_path / "f.yaml"
    plain.write_text("a: 1\nb:\n  c: two\n")
    env = {"SOPS_AGE_KEY_FILE": str(keys[0].file)}
    runs = [
        ["encrypt", "--age", ",".join(k.recipient for k in keys)],
        ["encrypt", "--age", keys[0].recipient, "--encrypted-regex", "^(c)$"],
    ]
    groups = "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n" + "".join(
        f"      - age:\n          - {k.recipient}\n" for k in keys
    )
    (tmp_path / ".sops.yaml").write_text(groups)
    runs.append(["encrypt"])
    for args in runs:
        out = sops(*args, str(plain), env=env, cwd=tmp_path, check=True).stdout
        found = yamldata.metadata(out[out.index("\nsops:") + 1 :])
        assert found is not None
        assert _same(found[0], _Parser(out).run().metadata)
    assert agree(groups)


_WORDS = st.sampled_from(["a", "b", "key", "x.y", "enc", "recipient", "true", "1", "sops"])
_SCALARS = st.sampled_from(
    ["1", "-5", "x", "true", "~", "1.5", '"q"', "''", "'s'", '""', "^(a|b)$", "x:y", ENC,
     "[]", "{}", "[1]", "&a 1", "!t x", "a: b", "b:", "- x", "|+", ">", "x # c"]
)  # fmt: skip


@st.composite
def _files(draw: st.DrawFn) -> str:
    """Block mappings, lists and literal scalars, mostly well formed, with one change."""
    lines: list[str] = []

    def mapping(col: int, depth: int, first: str | None = None) -> None:
        keys = draw(st.lists(st.one_of(_WORDS.filter(lambda w: w[0].isalpha()), _WORDS),
                             min_size=1, max_size=3, unique=True))  # fmt: skip
        for n, key in enumerate(keys):
            lead = first if n == 0 and first is not None else " " * col
            kind = draw(st.integers(0, 4 if depth < 3 else 1))
            if kind <= 1:
                lines.append(f"{lead}{key}: {draw(_SCALARS)}")
            elif kind == 2:
                lines.append(f"{lead}{key}: |{draw(st.sampled_from(['', '-']))}")
                pad = " " * (col + draw(st.integers(1, 3)))
                lines.extend(pad + w for w in draw(st.lists(st.sampled_from(["x", "y z", ""]),
                                                            min_size=1, max_size=3)))  # fmt: skip
            elif kind == 3:
                lines.append(f"{lead}{key}:")
                mapping(col + draw(st.integers(1, 4)), depth + 1)
            else:
                lines.append(f"{lead}{key}:")
                seq(col + draw(st.integers(0, 4)), depth + 1)

    def seq(col: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            gap = " " * draw(st.integers(1, 2))
            if draw(st.booleans()):
                lines.append(f"{' ' * col}-{gap}{draw(_SCALARS)}")
            else:
                mapping(col + 1 + len(gap), depth + 1, first=f"{' ' * col}-{gap}")

    mapping(0, 0)
    change = draw(st.integers(0, 5))
    if change == 1:
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = " " * draw(st.integers(0, 3)) + lines[i].lstrip(" ")
    elif change == 2:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "  ", "---"])))
    return "".join(line + "\n" for line in lines)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files())
def test_agrees_with_libyaml_or_steps_aside(text: str) -> None:
    try:
        agree(text)
    except FormatError as e:
        pytest.fail(f"yamldata read a file libyaml refuses: {e}")
