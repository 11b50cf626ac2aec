"""The line reader (yamlfast) against the libyaml reader: wherever the line reader
answers, both give the same tree, spans, styles, metadata and document layout;
everywhere else it steps aside and the libyaml reader decides (errors included).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealer import document
from sealer.errors import FormatError
from sealer.formats import Parsed, yamlfast
from sealer.formats.yaml import FORMAT, MAX_DEPTH, _Parser
from sealer.recipients.age import AgeRecipient
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence
from tests.helpers import VECTORS, AgeKey

EXAMPLES = int(os.environ.get("SEALER_FUZZ_EXAMPLES", "400"))


def _node(n: Node | str | None) -> Any:
    if isinstance(n, Mapping):
        return ("map", n.span, n.style, [(_node(k), _node(v)) for k, v in n.items])
    if isinstance(n, Sequence):
        return ("seq", n.span, n.style, [_node(v) for v in n.items])
    if isinstance(n, Scalar):  # repr: NaN equals itself, True is not 1
        return ("scalar", type(n.value).__name__, repr(n.value), n.span, n.style, n.aliased)
    if isinstance(n, CommentNode):
        return ("comment", n.text, n.span, n.inline, n.style)
    return n


def _layout(p: Parsed) -> Any:
    docs = [
        (d.end, d.region_end, d.root_indent, d.meta_span, d.meta_key_start, d.flow_insert,
         d.box and (d.box.start, d.box.end, d.box.indent, d.box.flow),
         [(i, pos, _node(c)) for i, pos, c in d.comments])
        for d in p.ctx
    ]  # fmt: skip
    return (p.text, repr(p.metadata), p.meta_spans, [_node(d) for d in p.docs], docs)


def agree(text: str) -> bool:
    """Whether the line reader answered; when it did, it matched the libyaml reader."""
    fast = yamlfast.parse(text)
    if fast is None:
        return False
    slow = _Parser(text).run()  # raises if the line reader took a file libyaml refuses
    assert _layout(fast) == _layout(slow)
    return True


META = """sops:
    age:
        - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBub3QgYSByZWFsIGtleQo=
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-11-28T02:43:32Z"
    mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
    unencrypted_suffix: _unencrypted
    version: 3.11.0
"""
ENC = "ENC[AES256_GCM,data:NCzBfQ==,iv:MztizXYyBZWFpEDxqzVtlXmy9BttMJ8b+bvAxu/nKHI=,tag:iL43==,type:bool]"

INSIDE = {
    "flat": "a: 1\nb: two\nc: true\n",
    "nested": "a:\n  b:\n    c: 1\n  d: x\ne: 2\n",
    "odd indents": "a:\n   b: 1\n   c:\n     d: 2\n",
    "blank lines": "\n\na: 1\n\n   \nb:\n\n  c: 2\n\n\n",
    "empty values": "a:\nb:   \nc:\n  d:\ne: 1\n",
    "quoting": 'a: "x y"\nb: \'z\'\nc: ""\nd: \'\'\ne: "it\'s"\nf: \'say "hi"\'\n',
    "trailing blanks": "a: x   \nb: 'y'  \nc:  \n",
    "typed plain": "a: -5\nb: 0x1F\nc: 1e3\nd: ~\ne: .nan\nf: 2001-12-14\ng: 1_000\nh: -.inf\n",
    "plain with indicators inside": "a: x-y:z\nb: a [b] {c}, d\nc: -x\nd: ?q\ne: :w\nf: 50%\n",
    "keys": "a.b: 1\nx-y: 2\n_k: 3\nk/8s: 4\nA0: 5\n",
    "unicode": 'a: ünïcödé\nb: "日本語"\nc: x\xa0\n',
    "sealed values": f"a: {ENC}\nb: \"{ENC}\"\nc:\n  d: '{ENC}'\n",
    "metadata": f"a: {ENC}\n{META}",
    "metadata first": f"{META}a: 1\n",
    "metadata between": f"a:\n  b: 1\n{META}\nc: 2\n",
    "metadata only": META,
    "longest key": "k" * 1024 + ": 1\n",
    "comments": "# head\na: 1 # one\nb:   # two\n  # inside\n  c: x#y  # three\n# foot\n",
    "comments between levels": "a:\n  b:\n    c: 1\n  # about d\n  d: 2\n# about e\ne: 3\n",
    "comments by a dedent": "a:\n  b:\n    c: 1\n    # deep foot\n# top\nd: 1\n",
    "lists": "a:\n  - 1\n  - x\n  - \"q\"\nb:\n- y\n- 'z'\nc: 3\n",
    "lists of mappings": "a:\n  - name: x\n    port: 1\n  -   name: y\n      tags:\n      - t\n",
    "lists in lists' mappings": "a:\n- b:\n    - 1\n  c:\n  - 2\n- d: 3\ne: 4\n",
    "list items with nulls": "a:\n  - k:\n  - j:\n      l: 1\n",
    "lists with comments": "a:  # list\n  # first\n  - 1  # one\n  - x#y\n# after\nb: 2\n",
    "list at the end": "a:\n  - 1\n  - 2\n\n",
    "sealed list": f'a:\n  - {ENC}\n  - "{ENC}"\n{META}',
    "metadata ending in a block, then empty lines": "sops:\n    a: |\n        x\n\n",
    "data after such metadata": "b: 1\nsops:\n    a: |-\n        x\n\nc: 2\n",
    "comment at the end": "a: 1\n\n# the end\n",
    "comment only": "a:\n# x\n",
    "comment in quotes": "a: \"x # y\"\nb: 'p #q' # r\n",
    "comments and metadata": f"# head\na: {ENC} # tail\n{META}# after\n",
    "deep": "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH - 1)) + "  " * 99 + "v: 1\n",
    # what Helm values and Kubernetes manifests are full of (issue 16)
    "empty flow collections": "a: []\nb: {}  # none\nc:\n  - d: []\n    e: {}\n# foot\nf: 1\n",
    "empty flow then a comment inside": "a: {}\n  # in\nb: 1\n",
    "sealed next to empty flow": f"a: []\nb: {ENC}\n{META}",
    "flow lists": "a: [1, x, \"q\", 'r', ~, -1, --f]\nb: [ a b , 'c, d' ]\nc: [ ]\n",
    "flow lists with comments": "# h\na: [x, y]  # c\n  # in\nb: [z]\nc:\n  - d: [1]\n# f\n",
    "sealed flow list": f"a: ['{ENC}', \"{ENC}\"]\n{META}",
    "literal blocks": "a: |\n  x\n\n\nb: |-\n  x\n  y\n\n  z\nc: 1\n",
    "literal block in a list's mapping": "a:\n  - b: |\n      x\n        more\n      y # no comment\n    c: 1\n",
    "literal block holding YAML": "a: |\n  x\n  b: |\n    y\nc: 1\n",
    "comments around a literal block": "# h\na: |\n  # in\n  x\n# f\nb: [1]\nk:\n  d: |\n    x\n  # c\n  e: 1\n",
    "sealed blocks": f"a: |-\n    {ENC}\nb: >-\n    {ENC}\nc: >\n  {ENC}\n{META}",
    "literal block before the metadata": f"a: |\n  x\n{META}",
    "document start": "---\na: 1\n",
    "document start, comments, metadata": f"---\n# head\na: [] # x\n{META}# foot\n",
}

OUTSIDE = {
    "hash right after a colon": "a:#x\n",
    "hash right after a quote": 'a: "x"#c\n',
    "comment in the metadata": META.replace("    mac:", "    # m\n    mac:"),
    "tab": "a:\t1\n",
    "crlf": "a: 1\r\nb: 2\r\n",
    "no final newline": "a: 1",
    "empty": "",
    "blank only": "\n  \n",
    "nested list": "a:\n  - - 1\n",
    "empty item": "a:\n  -\n  - 2\n",
    "item of blanks": "a:\n  - \n",
    "top-level list": "- a\n- b\n",
    "key at a list's column": "a:\n  - 1\n  b: 2\n",
    "item deeper than its list": "a:\n  - 1\n   - 2\n",
    "item continued": "a:\n  - x\n    y\n",
    "item key deeper": "a:\n  - b: 1\n      c: 2\n",
    "block scalar item": "a:\n  - |\n    x\n",
    "hash right after an item": "a:\n  - 'x'#c\n",
    "flow": "a: {b: 1}\n",
    "flow list in a list": "a:\n  - [1, 2]\n",
    "nested flow list": "a: [[1], 2]\n",
    "flow mapping in a flow list": "a: [{b: 1}]\n",
    "flow list on two lines": "a: [1,\n  2]\n",
    "flow list without a comma": 'a: ["x" "y"]\n',
    "flow list with a trailing comma": "a: [x, y,]\n",
    "flow list with an empty item": "a: [x, , y]\n",
    "colon in a flow list": "a: [http://x]\n",
    "hash in a flow list": "a: [x#y]\n",
    "hash right after a flow list": "a: [x]#c\n",
    "anchor": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "folded over lines": "a: >\n  x\n  y\n",
    "literal with a line of blanks": "a: |\n  x\n   \nb: 1\n",
    "literal starting with an empty line": "a: |\n\n  x\n",
    "empty literal": "a: |\nb: 1\n",
    "comment after a block header": "a: | # c\n  x\n",
    "indentation indicator": "a: |2\n  x\n",
    "keep chomping": "a: |+\n  x\n",
    "block at the top": "- |\n  x\n",
    "less indented line in a block": "a: |\n  x\n y\n",
    "block without a final newline": "a: |-\n  x",
    "multi-line plain": "a: x\n  y\n",
    "multi-line quoted": 'a: "x\n  y"\n',
    "escape": 'a: "x\\ty"\n',
    "quote in single quotes": "a: 'it''s'\n",
    "document start with blanks": "--- \na: 1\n",
    "document start with a comment": "--- # c\na: 1\n",
    "comment before the document start": "# c\n---\na: 1\n",
    "document start only": "---\n",
    "empty flow item": "a:\n  - []\n",
    "empty flow at the top": "[]\n",
    "hash right after empty flow": "a: []#c\n",
    "document end": "a: 1\n...\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "directive": "%YAML 1.2\n---\na: 1\n",
    "indented top level": "  a: 1\n  b: 2\n",
    "duplicate key": "a: 1\na: 2\n",
    "duplicate nested key": "a:\n  b: 1\n  b: 2\n",
    "key not a string": "true: 1\n",
    "number key": "1: x\n",
    "null key": "null: x\n",
    "quoted key": '"a": 1\n',
    "key with blank": "a b: 1\n",
    "complex key": "? a\n: 1\n",
    "mapping in a value": "a: b: c\n",
    "value ending in a colon": "a: b:\n",
    "dash value": "a: - x\n",
    "bad dedent": "a:\n    b: 1\n  c: 2\n",
    "indent after a value": "a: 1\n  b: 2\n",
    "sops scalar": "sops: x\n",
    "sops list": "sops:\n  - x\n",
    "sops flow": "sops: {}\n",
    "two metadata entries": f"{META}sops:\n    version: 1\n",
    "metadata not a mapping": "a: 1\nsops:\nb: 2\n",
    "control character": "a: x\x01y\n",
    "del": "a: x\x7fy\n",
    "next line": "a: x\x85y\n",
    "line separator": "a: x\u2028y\n",
    "byte-order mark": "\ufeffa: 1\n",
    "undecodable byte": "a: x\udcffy\n",
    "metadata too deep": "sops:\n"
    + "".join(" " * (i + 1) + "k:\n" for i in range(99))
    + " " * 100
    + "v: 1\n",
    "metadata far too deep": "sops:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(600)),
    "many blanks before a stray character": "a:\n" + " " * 1000 + "!x\n",
    "key too long": "k" * 1025 + ": 1\n",
    "nested key too long": "a:\n  " + "k" * 1025 + ": 1\n",
    "too deep": "".join(f"{' ' * i}k{i}:\n" for i in range(MAX_DEPTH + 1)) + " " * 101 + "v: 1\n",
}


@pytest.mark.parametrize("text", INSIDE.values(), ids=INSIDE.keys())
def test_line_reader_reads_plain_block_yaml_as_libyaml_does(text: str) -> None:
    assert agree(text)


@pytest.mark.parametrize("text", OUTSIDE.values(), ids=OUTSIDE.keys())
def test_line_reader_leaves_everything_else_to_libyaml(text: str) -> None:
    assert yamlfast.parse(text) is None


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "sops: x\n", "true: 1\n", "a: 1\n  b: 2\n", "a:\n\tb: 1\n",
     OUTSIDE["metadata too deep"], OUTSIDE["metadata far too deep"]],
)  # fmt: skip
def test_errors_come_from_the_libyaml_reader(text: str) -> None:
    with pytest.raises(FormatError) as fast_path:
        FORMAT.parse(text)
    with pytest.raises(FormatError) as libyaml:
        _Parser(text).run()
    assert str(fast_path.value) == str(libyaml.value)


def test_sealed_files_take_the_line_reader(age_key: AgeKey) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from crypt_bench import config_file, secrets_file

    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    for plain in (config_file(300), secrets_file(300), INSIDE["nested"], INSIDE["quoting"]):
        sealed = document.seal_text(FORMAT, plain, policy=policy)
        assert agree(plain)
        assert agree(sealed)


def test_vectors_read_the_same_either_way() -> None:
    answered = 0
    for path in sorted(p for p in VECTORS.rglob("*") if p.is_file() and "yaml" in p.name):
        raw = path.read_bytes().decode("utf-8", "surrogateescape")
        answered += agree(raw.partition("\n\n")[2] if path.suffix == ".vector" else raw)
    assert answered >= 3


# Lines near the edge of the subset, in any order: the line reader must either
# step aside or agree with libyaml.
_KEYS = st.sampled_from(["a", "b", "key0", "x.y", "k-8", "_u", "sops", "true", "1", "on", "y"])
_EDGE_VALUES = ["1", "-5", "x", "true", "~", "null", ".nan", "2001-12-14", '"q"', "''", "'s'",
    '""', "a: b", "b:", "- x", "-x", "[1]", "x [1]", "{}", "&a 1", "*a", "!t x", "|", ">", "x # c",
    "'it''s'", '"a\\"b"', ENC, f'"{ENC}"', "x\xa0", "\u3000x", "%x", "@x", "x:y", "0o17"]  # fmt: skip
_VALUES = st.one_of(
    st.sampled_from(_EDGE_VALUES),
    st.text(alphabet=st.sampled_from("ab1:-?#'\" []{},&*!|>%@`.\xa0é"), min_size=1, max_size=6),
)
_KEY_LINES = st.builds(
    lambda indent, key, value, trail: (
        f"{' ' * indent}{key}:{'' if value is None else ' ' + value}" + " " * trail
    ),
    st.sampled_from([0, 0, 0, 2, 2, 4, 1, 3, 6]),
    _KEYS,
    st.one_of(st.none(), _VALUES),
    st.integers(0, 2),
)
_OTHER_LINES = st.sampled_from(
    ["", "  ", "- x", "  - y", "---", "...", "# c", "  continued", "\tb: 1", META.rstrip("\n"),
     "  a:\n    b: 1", "sops:\n  version: 1", "a: |\n  block"]
)  # fmt: skip
_TEXTS = st.lists(st.one_of(_KEY_LINES, _KEY_LINES, _KEY_LINES, _OTHER_LINES), max_size=12).map(
    lambda lines: "".join(line + "\n" for line in lines)
)


_SAFE_KEYS = st.sampled_from(["a", "b", "c", "key0", "key1", "x.y", "k-8", "_u", "db"])
_SAFE_VALUES = st.sampled_from(
    ["1", "-5", "x", "true", "~", "1.5", '"q"', "''", "'s'", '""', "-x", "x:y", ENC, f'"{ENC}"']
)


@st.composite
def _block_files(draw: st.DrawFn) -> str:
    """Mostly well-formed nested block mappings, with one change that may break them."""
    lines: list[str] = []

    def mapping(column: int, depth: int, first: str = "") -> None:
        """Keys at `column`; the first line starts with `first` (a list item's dash) if given."""
        step = draw(st.integers(1, 4))
        keys = st.one_of(_SAFE_KEYS, _SAFE_KEYS, _SAFE_KEYS, _SAFE_KEYS, _KEYS)
        for i, key in enumerate(draw(st.lists(keys, min_size=1, max_size=4, unique=True))):
            lead = first if i == 0 and first else " " * column
            kind = draw(st.integers(0, 5)) if depth < 3 else 0
            if kind in (1, 2):
                lines.append(f"{lead}{key}:" + " " * draw(st.integers(0, 1)))
                lines.extend([""] * draw(st.integers(0, 1)))
                mapping(column + step, depth + 1)
            elif kind == 3:  # a list, indented or at the key's column
                lines.append(f"{lead}{key}:")
                sequence(column + draw(st.sampled_from([0, 0, 1, 2, 4])), depth + 1)
            else:
                value = draw(st.one_of(st.none(), _SAFE_VALUES, _SAFE_VALUES, _VALUES))
                gap = " " * draw(st.integers(1, 2))
                tail = " " * draw(st.integers(0, 1))
                lines.append(f"{lead}{key}:{'' if value is None else gap + value}{tail}")

    def sequence(column: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            dash = " " * column + "-" + " " * draw(st.integers(1, 3))
            if draw(st.booleans()):
                lines.append(dash + draw(st.one_of(_SAFE_VALUES, _SAFE_VALUES, _VALUES)))
            else:
                mapping(len(dash), depth + 1, first=dash)

    mapping(0, 0)
    for _ in range(draw(st.integers(0, 3))):  # comments: on their own line, or after a line
        i = draw(st.integers(0, len(lines)))
        note = draw(st.sampled_from(["# c", "#", "#  x # y", "#'\"", "# a: b"]))
        if draw(st.booleans()) or i == len(lines):
            lines.insert(i, " " * draw(st.integers(0, 5)) + note)
        else:
            lines[i] += " " * draw(st.integers(0, 2)) + note
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), META.rstrip("\n"))
    change = draw(st.integers(0, 5))
    if change == 1 and lines:  # move one line left or right
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = " " * draw(st.integers(0, 3)) + lines[i].lstrip(" ")
    elif change == 2 and lines:  # repeat a line
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif change == 3:
        lines.insert(draw(st.integers(0, len(lines))), draw(_OTHER_LINES))
    return "".join(line + "\n" for line in lines)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_TEXTS, _block_files(), _block_files()))
def test_line_reader_agrees_with_libyaml_or_steps_aside(text: str) -> None:
    try:
        agree(text)
    except FormatError as e:  # the libyaml reader refuses a file the line reader took
        pytest.fail(f"the line reader read a file libyaml refuses: {e}")
