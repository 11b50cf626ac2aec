"""YAML: go-yaml's typing, comments where go-yaml puts them, layout kept byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.errors import FormatError
from sealer.formats.yamlscalar import resolve_plain
from sealer.recipients.age import AgeRecipient
from sealer.tree import to_python
from sealer.values import GoTime, Raw, WideInt, to_bytes
from tests.helpers import AgeKey, sealer, sops

YAML = formats.get("yaml")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("on", "on"),
        ("True", True),
        ("FALSE", False),
        ("0x1F", 31),
        ("017", 15),
        ("0o17", 15),
        ("1_000", 1000),
        ("1e3", 1000.0),
        (".5", 0.5),
        (".", "."),
        ("08", 8.0),
        ("+1", 1),
        ("-", "-"),
        ("~", None),
        ("12345678901234567890", 12345678901234567890),  # uint64: sops refuses to seal it
        ("123456789012345678901234", WideInt(1.2345678901234568e23)),  # refused when sealed
        ("1e400", "1e400"),
        ("2024-01-02", GoTime("2024-01-02T00:00:00Z")),
        ("2001-12-14t21:59:43.10-05:00", GoTime("2001-12-14T21:59:43.1-05:00")),
        ("2001-12-14 21:59:43.10", GoTime("2001-12-14T21:59:43.1Z")),
        ("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5"),
        ("٢٠٠١-١٢-١٤", "٢٠٠١-١٢-١٤"),  # Go reads only 0-9 as digits
        ("١٢٣", "١٢٣"),
        ("1.٥", "1.٥"),
    ],
)
def test_plain_scalars_resolve_as_go_yaml_does(text: str, value: object) -> None:
    got = resolve_plain(text)
    assert got == value and type(got) is type(value)


@given(st.text(alphabet="0123456789", min_size=1, max_size=24))
def test_plain_decimals_take_the_short_way_to_the_same_value(digits: str) -> None:
    """Plain decimals skip the general checks; `+digits` still takes them."""
    got, general = resolve_plain(digits), resolve_plain("+" + digits)
    if digits[0] != "0" or digits == "0":
        assert repr(got) == repr(general) and type(got) is type(general)


def test_type_tags_match_sops(tmp_path: Path, age_key: AgeKey) -> None:
    """For each scalar, sealer seals with the type tag and bytes sops uses."""
    samples = ["yes", "True", "0x1F", "017", "1_000", "1e3", "-0.0", "1.5e-7", "2024-01-02",
               "2001-12-14t21:59:43.10-05:00", "'quoted'", "|\n  block\n", "08", ".5",
               "0000-01-01", "2000-02-29", "1900-02-29", "2024-04-31", "3.11.0", "1.2.3e4"]  # fmt: skip
    text = "".join(f"k{i}: {s}\n" for i, s in enumerate(samples))
    (tmp_path / "t.yaml").write_text(text)
    by_sops = sops("encrypt", "--age", age_key.recipient, str(tmp_path / "t.yaml"), check=True)
    sops_types = re.findall(r"^k\d+: ENC\[.*type:(\w+)\]$", by_sops.stdout, re.M)
    data = YAML.parse(text).docs[0]
    ours = [to_bytes(node.value)[0] for _, node in data.items]  # type: ignore[union-attr]
    assert ours == sops_types


COMMENTS = """\
# head of the file
top: 1 # inline on a top key
nested:
  # head of a nested key
  a: 1
  b: # line comment on a key whose value is a mapping
    c: 2
    # foot of c, indented as c
  # foot of b, indented as b
# head of list, at column 0
list:
  - x # inline on an item
  # between items
  - y: 1
    # inside an item mapping
    z: 2
  -   # a comment after a dash
    w: 3
indentless:
- p
# after an indentless sequence
last: q
# trailing comment
"""


def _seal(text: str, key: AgeKey) -> str:
    policy = document.Policy(groups=((AgeRecipient(key.recipient),),))
    return document.seal_text(YAML, text, policy=policy)


def test_comments_sealed_where_sops_looks_for_them(tmp_path: Path, age_key: AgeKey) -> None:
    sealed = _seal(COMMENTS, age_key)
    assert re.findall(r"#(?!ENC\[)", sealed) == []  # every comment is sealed
    path = tmp_path / "c.yaml"
    path.write_text(sealed)
    out = sops("-d", str(path), env={"SOPS_AGE_KEY": age_key.secret}, check=True)
    # sops warns when a comment does not open under the path it expects
    assert "unencrypted comment" not in out.stderr, out.stderr
    for line in COMMENTS.splitlines():
        if "#" in line:
            assert line.split("#", 1)[1] in out.stdout


def test_sops_comments_open_without_warnings(tmp_path: Path, age_key: AgeKey) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(COMMENTS)
    sealed = sops("encrypt", "--age", age_key.recipient, str(path), check=True).stdout
    path.write_text(sealed)
    out = sealer("decrypt", str(path), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert out.stderr == ""
    assert "#ENC[" not in out.stdout
    for line in COMMENTS.splitlines():
        if "#" in line:
            assert line.split("#", 1)[1].strip() in out.stdout


HASHES_IN_COMMENTS = "a: 1 # c # d\n# x # y\nb: 'q # r' # s #t\nl:\n  - v # w # z\n"


@pytest.mark.parametrize("tail", ["", "z: &x 2\n"])  # the line reader, then libyaml's
def test_a_hash_inside_a_comment_starts_no_other(
    tmp_path: Path, age_key: AgeKey, tail: str
) -> None:
    """A comment runs to the end of its line, ` #` and all (it crashed with overlapping edits)."""
    text = HASHES_IN_COMMENTS + tail
    sealed = _seal(text, age_key)
    assert sealed.count("type:comment]") == 4  # the four comments; none split in two
    path = tmp_path / "h.yaml"
    path.write_text(sealed)
    opened = sealer("decrypt", str(path), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert opened.stdout == text
    out = sops("-d", str(path), env={"SOPS_AGE_KEY": age_key.secret}, check=True).stdout
    for comment in ("# c # d", "# x # y", "# s #t", "# w # z"):
        assert comment in out


LAYOUT = """\
%YAML 1.1
---
plain: value with spaces
single: 'it''s'
double: "tab\\there é \\x1F"
empty_single: ''
literal: |
  line 1

  line 3
strip: |-
  no newline
keep: |+
  kept

folded: >
  folded text on one line
folded_para: >-
  first

  second
indented_block: |2
    starts with spaces
tagged_str: !!str 123
custom_tag: !secret value
int_tag: !!int "42"
crlf_next: x
nested:
    four_space_indent:
        - item
        - {flow: map, with: "quotes"}
...
---
second_doc: true
"""


def _round_trip(text: str, key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    sealed = _seal(text, key)
    monkeypatch.setenv("SEALER_AGE_KEY", key.secret)
    opened = document.open_text(YAML, sealed, Keyring())
    return sealed, opened.plaintext


def test_layout_survives_byte_for_byte(age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> None:
    sealed, back = _round_trip(LAYOUT, age_key, monkeypatch)
    assert "value with spaces" not in sealed and "starts with spaces" not in sealed
    # the one normalisation: an explicit resolvable tag on a sealed value is dropped
    assert back == LAYOUT.replace('int_tag: !!int "42"', "int_tag: 42")
    assert sealed.count("sops:\n") == 2  # every document carries the metadata, as in sops


def test_folded_lines_come_back_one_line_per_paragraph(
    age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "f: >\n  folded text\n  on two lines\n\n  next\n"
    _, back = _round_trip(text, age_key, monkeypatch)
    assert back == "f: >\n  folded text on two lines\n\n  next\n"  # same value, FORMAT.md says so


def test_crlf_line_endings_survive(age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: 1\r\nb: |\r\n  x\r\n  y\r\n# c\r\nc: 'z'\r\n"
    _, back = _round_trip(text, age_key, monkeypatch)
    assert back == text


def test_flow_top_level_mapping(age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> None:
    text = '{a: 1, b: "two", c: [x, y]}\n'
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    assert sealed.startswith("{a: ENC[") is False and ", sops: {" in sealed


def test_alias_of_a_sealed_value_is_refused(age_key: AgeKey) -> None:
    with pytest.raises(FormatError, match=r"a: an alias refers to a value that must be encrypted"):
        _seal("a: &x secret\nb: *x\n", age_key)


def test_alias_of_plain_values_is_kept(
    age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = "defaults_unencrypted: &d\n  size: 3\nprod:\n  extra_unencrypted: *d\n  password: p\n"
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text and "*d" in sealed
    (tmp_path / "a.yaml").write_text(sealed)
    out = sops("-d", str(tmp_path / "a.yaml"), env={"SOPS_AGE_KEY": age_key.secret}, check=True)
    assert "password: p" in out.stdout


def test_alias_bomb_is_refused(age_key: AgeKey) -> None:
    lines = ["a0_unencrypted: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}_unencrypted: &a{i} [{refs}]")
    with pytest.raises(FormatError, match="alias bomb"):
        YAML.parse("\n".join(lines) + "\n")


def test_uint64_values_are_refused_like_sops(age_key: AgeKey) -> None:
    with pytest.raises(FormatError, match="does not fit in 64 bits"):
        _seal("n: 12345678901234567890\n", age_key)


@pytest.mark.parametrize("literal", ["123456789012345678901234567890", "-9223372036854775809"])
def test_integers_wider_than_64_bits_are_refused_not_rounded(age_key: AgeKey, literal: str) -> None:
    """go-yaml (and so sops) reads them as floats; sealed, the digits would be lost."""
    with pytest.raises(FormatError, match="big: the integer does not fit in 64 bits"):
        _seal(f"ok: 1\nbig: {literal}\n", age_key)
    sealed = _seal(f"big_unencrypted: {literal}\nquoted: '{literal}'\n", age_key)
    assert f"big_unencrypted: {literal}\n" in sealed


def test_binary_values_are_bytes_as_sops_reads_them(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "text: !!binary aGVsbG8=\nraw: !!binary /+4=\n"
    values = [node.value for _, node in YAML.parse(text).docs[0].items]  # type: ignore[union-attr]
    assert values == ["hello", Raw(b"\xff\xee")]
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert "!!binary" not in sealed  # the tag is not left in front of the ciphertext
    assert back == "text: hello\nraw: !!binary /+4=\n"  # UTF-8 bytes open as text, as in sops
    shown = _sops_opens(tmp_path, sealed, age_key)
    assert shown == "text: hello\nraw: !!binary /+4=\n"
    with pytest.raises(FormatError, match="a !!binary scalar is not base64"):
        YAML.parse("b: !!binary not*base64\n")


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_binary_bytes_in_a_block_open_on_one_line_that_keeps_the_line_break(
    age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, nl: str
) -> None:
    # the block's line break was part of its span: once it ran the next key onto the line
    text = f"gif: !!binary |{nl}  /+4A{nl}  AA=={nl}next: 1{nl}"
    _, back = _round_trip(text, age_key, monkeypatch)
    assert back == f"gif: !!binary /+4AAA=={nl}next: 1{nl}"
    assert to_python(YAML.parse(back).docs[0]) == {"gif": Raw(b"\xff\xee\x00\x00"), "next": 1}


def test_a_non_utf8_value_sops_sealed_opens(tmp_path: Path, age_key: AgeKey) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("raw: !!binary /w==\n")
    path.write_text(sops("encrypt", "--age", age_key.recipient, str(path), check=True).stdout)
    out = sealer("decrypt", str(path), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert out.stdout == "raw: !!binary /w==\n"


def test_ruamel_yaml_still_imports_whole_after_sealer_parsed() -> None:
    """Regression: loading libyaml without ruamel.yaml's __init__ broke a later YAML()."""
    import subprocess
    import sys

    code = (
        "import io\nfrom sealer import formats\nformats.get('yaml').parse('a: 1\\n')\n"
        "from ruamel.yaml import YAML\nout = io.StringIO()\nYAML(typ='rt').dump({'b': 2}, out)\n"
        "assert out.getvalue() == 'b: 2\\n', out.getvalue()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "text", ["", "# TODO: the password is hunter2\n", "---\n# only a comment\n"]
)
def test_files_without_a_document_are_sealed_too(
    text: str, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression: an empty or comment-only file came out unsealed (and the git clean
    filter then stored it as plaintext)."""
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert "sops:" in sealed and "hunter2" not in sealed
    assert back == text
    (tmp_path / "e.yaml").write_text(sealed)
    assert (
        sops("-d", str(tmp_path / "e.yaml"), env={"SOPS_AGE_KEY": age_key.secret}).returncode == 0
    )


# -- fidelity on real files (issue 15): each case is one that once failed ------------


def _sops_opens(tmp_path: Path, sealed: str, key: AgeKey, name: str = "s.yaml") -> str:
    """What `sops decrypt` shows of sealed text; fails on a comment it cannot open."""
    path = tmp_path / name
    path.write_bytes(sealed.encode())
    out = sops("decrypt", str(path), env={"SOPS_AGE_KEY": key.secret}, check=True)
    assert "unencrypted comment" not in out.stderr, out.stderr
    return out.stdout


def test_a_line_of_blanks_deeper_than_the_block_is_part_of_its_value(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "job:\n  run: |\n    make all\n        \n  next: 1\n"
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    assert "make" not in sealed and "        \n" not in sealed
    assert YAML.parse(text).docs[0].items[0][1].items[0][1].value == "make all\n    \n"  # type: ignore[union-attr]
    assert "make all" in _sops_opens(tmp_path, sealed, age_key)


@pytest.mark.parametrize("head", ["--- !!map\n", "--- &root\n", "--- !!map # c\n"])
def test_a_tagged_or_anchored_root_keeps_the_metadata_at_column_zero(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, head: str
) -> None:
    text = head + "user: admin\npassword: hunter2\n"
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    assert "\nsops:\n    age:\n" in sealed and "hunter2" not in sealed
    assert "password: hunter2" in _sops_opens(tmp_path, sealed, age_key)


def test_an_anchored_nested_mapping_is_indented_like_its_keys() -> None:
    parsed = YAML.parse("outer: &base\n    inner: 1\n")
    assert parsed.docs[0].items[0][1].style.indent == 4  # type: ignore[union-attr]


def test_an_anchor_name_ends_at_a_colon_as_libyaml_reads_it(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml (and go-yaml) read `&ref:tail` as anchor `ref` before the scalar `:tail text`
    text = "token: &ref:tail text\n"
    assert YAML.parse(text).docs[0].items[0][1].value == ":tail text"  # type: ignore[union-attr]
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert "tail" not in sealed and "text" not in sealed.split("sops:")[0]
    assert back == "token: &ref :tail text\n"  # the canonical form: a blank after the anchor
    assert "token: :tail text" in _sops_opens(tmp_path, sealed, age_key)


def test_a_byte_order_mark_is_kept_and_every_value_sealed_whole(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "\ufeff# settings\nuser: admin\npassword: 'hunter2'\nlist: [xylophone, yodeller]\n"
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    assert sealed.startswith("\ufeff#ENC[") and "\nsops:\n" in sealed
    for clear in ("admin", "hunter2", "xylophone", "yodeller", "settings"):
        assert clear not in sealed
    # seal and open through the CLI: the file's bytes, mark included
    plain = tmp_path / "bom.yaml"
    plain.write_bytes(text.encode())
    sealer("encrypt", "-i", "--age", age_key.recipient, str(plain), check=True)
    assert plain.read_bytes().startswith(b"\xef\xbb\xbf#ENC[")
    opened = sealer("decrypt", str(plain), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert opened.stdout_bytes == text.encode()


def test_an_error_after_a_byte_order_mark_names_the_right_line() -> None:
    with pytest.raises(FormatError, match=r"^line 2, column 1: "):
        YAML.parse("\ufeffa: [\n")


@pytest.mark.parametrize(
    "text",
    [
        "owners: # team\n  - alice\n",  # a comment after a key whose value is a list below
        "owners: # team\n- alice\n",
        "s: {}  # empty\n",  # after a flow collection: that collection's
        "a:\n  s: {x: 1}  # c\n  l: [1, 2] # d\n",
        "m: {a: 1, # inside\n  b: 2}\n",
        "node: &n # after an anchor\n  k: v\n",
        # a foot comment right below the last entry ends at a blank line; the comment
        # blocks after it are the next key's, in the enclosing mapping
        "ingress:\n  paths: []\n  # - /a\n\n  # hosts:\n  #   - b\n\n  # tls: {}\nroute: 1\n",
        "k:\n  a:\n    b: 1\n    # c1\n\n    # c2\n  # c3\nn: 1\n",
        "k:\n  a: 1\n\n  # c1\n\n  # c2\nn: 1\n",
        "k:\n  - a\n  # c1\n\n  # c2\nn: 1\n",
        # a line left of the indentation ends a foot piece; the rest heads what follows
        "s:\n  x: 1\n\n  # A\n#  B\n\n  # C\n#  D\n\nl: 1\n",
        # one piece goes where its first line goes, deeper lines included
        "svc:\n  env:\n    - A\n  #dns:\n    #- 1\n    #- 2\n  vol: 1\n",
        # after the last data: under the innermost collection, at column 0 the top level
        "a:\n  l:\n    - n: 1\n      w:\n        s: x\n\n    # c1\n    # c2\n",
        "k:\n  a: 1\n  # c1\n\n  # c2\n",
        "a:\n  b: 1\n# c1\n  # c2\n",
        # the run after `env:` is judged by that line alone, not by an inline
        # comment on an earlier line (which once made it a foot of the wrong data)
        "steps:\n  - uses: x  # v1\n    env:\n      # a1\n      # a2\n\n      # a3\n      a: 1\n",
    ],
)
def test_comments_are_sealed_under_the_path_sops_reads_them_with(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    shown = _sops_opens(tmp_path, sealed, age_key)  # no comment left sealed
    for comment in re.findall(r"#(.*)", text):
        assert comment in shown


@pytest.mark.parametrize("text", ["a:\n  s: {}  # c\n", "l: [1, 2] # d\nm: {a: 1, # e\n  b: 2}\n"])
def test_a_comment_sops_files_inside_a_flow_collection_opens(
    tmp_path: Path, age_key: AgeKey, text: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    by_sops = sops("encrypt", "--age", age_key.recipient, str(path), check=True).stdout
    path.write_text(by_sops)
    out = sealer("decrypt", str(path), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    for comment in re.findall(r"#(.*)", text):
        assert comment.strip() in out.stdout


@pytest.mark.parametrize(
    "text", ["a: 1\nb: two", "a: 1\r\nb: two", "a:\n  - x\n  - y", "a: 1\n---\nb: 2", "a: |\n  x"]
)
def test_a_file_without_a_final_line_break_comes_back_without_one(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    sealed, back = _round_trip(text, age_key, monkeypatch)
    if text.endswith("|\n  x"):  # a block scalar's line break is its own: `|-` says it is gone
        assert back == "a: |-\n  x\n"
    else:
        assert back == text
        assert not sealed.endswith("\n")
    _sops_opens(tmp_path, sealed, age_key)


@pytest.mark.parametrize(
    "text",
    [
        "script: | # run on deploy\n  make all\n  make test\nnext: 1\n",
        "a:\n  b: >- # folded\n    one two\n",
        "k: |2 # explicit indentation\n   leading blank\n",
        "k: | # crlf\r\n  x\r\n",
    ],
)
def test_a_comment_on_a_block_scalar_header_is_sealed_and_kept(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    comment = re.findall(r"#([^\r\n]*)", text)[0]
    assert comment not in sealed and re.search(r"[|>]- #ENC\[", sealed)
    assert comment in _sops_opens(tmp_path, sealed, age_key)


def test_setting_a_block_scalar_keeps_the_comment_on_its_header(
    in_tmp: Path, age_key: AgeKey
) -> None:
    (in_tmp / "s.yaml").write_text("script: | # run on deploy\n  make all\nnext: 1\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    sealer("set", "s.yaml", '["script"]', '"make clean\\nmake\\n"', env=env, check=True)
    opened = sealer("decrypt", "s.yaml", env=env, check=True).stdout
    assert opened == "script: | # run on deploy\n  make clean\n  make\nnext: 1\n"


@pytest.mark.parametrize("text", ['note: "hidden"# text\n', "k: 1\nnote: |#text\n  x\n"])
def test_a_comment_glued_to_a_value_is_refused_not_left_in_clear(text: str) -> None:
    # libyaml reads these without a comment; go-yaml (sops) with one, which it seals
    with pytest.raises(FormatError) as caught:
        YAML.parse(text)
    line = text.count("\n", 0, text.index("#")) + 1
    assert str(caught.value) == (
        f"line {line}: a comment is not separated from what comes before it by a blank"
    )


# Runs of comment lines below some data, as go-yaml's scanner splits them into feet of
# what came before and a head of what follows, and the path sops seals each one with
# (found with the sops binary: it warns about a comment sealed under another path).
COMMENT_RUNS = [
    # a line left of the innermost indentation ends a foot of the data above
    ("a:\n  b:\n    x: 1\n  # c1\nd: 2\n", [("c1", "a:b")]),
    # so does the line after the run, blank lines before it or not
    ("a:\n  b:\n    x: 1\n\n  # c1\n\nd: 2\n", [("c1", "a:b")]),
    # the last piece heads the next key, whatever its column
    ("m:\n  x: 1\n  # c1\n\n   # c2\n  y: 2\n", [("c1", "m"), ("c2", "m")]),
    # a later foot goes to the block that ends at its column
    (
        "a:\n  b:\n    x: 1\n\n    # c1\n\n  # c2\n\n# c3\nd: 2\n",
        [("c1", "a:b"), ("c2", "a"), ("c3", "")],
    ),
    # after a flow collection: its key's mapping
    ("r:\n  e: []\n\n  # y\n\ns: 1\n", [("y", "r")]),
    ("a:\n  b: [1, 2]\n # c1\n   # c2\n\n", [("c1", ""), ("c2", "")]),
    # at column 0 right below deeper data, up to a blank line: the data's
    (
        "l:\n  s:\n    f:\n      d: 1\n# c1\n#   c2\n\n  # h\n  t: {}\n",
        [("c1", "l"), ("c2", "l"), ("h", "l")],
    ),
    (
        "d:\n  v:\n    m: {}\n    # u\n\n    # w:\n      # m: 1\n\ne: 1\n",
        [("u", "d:v"), ("w:", ""), ("m: 1", "")],
    ),
    # a list's end takes no foot: the mapping around it does
    ("k:\n  l:\n    - i\n  # c1\n\n    # c2\n  # c3\n", [("c1", "k"), ("c2", "k"), ("c3", "")]),
    # after `key:`: the collection that follows is its value, else the key's mapping
    ("a:\n  b:\n # c1\n# c2\n    x: 1\n", [("c1", "a:b"), ("c2", "a:b")]),
    ("a:\n  b:\n  # c1\n\n# c2\nd: 1\n", [("c1", "a"), ("c2", "")]),
    # after the last data: sealing appends `sops:` at column 0, which ends the run
    ("a:\n  b: 1\n # c\n\n", [("c", "")]),
    # a run swinging between columns 0 and 1 before closing two blocks
    (
        "a:\n  b:\n    c: 1\n#x0\n #x1\n#x2\n #x3\n  #y\nd: 2\n",
        [("x0", "a:b"), ("x1", "a"), ("x2", "a"), ("x3", "a"), ("y", "a")],
    ),
]


def _comment_paths(node: object, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    from sealer.tree import CommentNode, Mapping, Sequence

    out: list[tuple[str, str]] = []
    if isinstance(node, Mapping):
        for key, value in node.items:
            if isinstance(key, CommentNode):
                out.append((key.text.strip(" "), ":".join(path)))
            else:
                out += _comment_paths(value, (*path, key))
    elif isinstance(node, Sequence):
        for item in node.items:
            if isinstance(item, CommentNode):
                out.append((item.text.strip(" "), ":".join(path)))
            else:
                out += _comment_paths(item, path)
    return out


@pytest.mark.parametrize(("text", "filed"), COMMENT_RUNS)
@pytest.mark.parametrize("reader", ["line reader", "libyaml"])
def test_a_comment_run_is_filed_in_pieces_as_go_yaml_files_it(
    text: str, filed: list[tuple[str, str]], reader: str
) -> None:
    from sealer.formats import yaml as yaml_format
    from sealer.formats import yamlfast

    parsed = yamlfast.parse(text) if reader == "line reader" else None
    if parsed is None:
        parsed = yaml_format._Parser(text).run()
    assert _comment_paths(parsed.docs[0]) == filed


@pytest.mark.parametrize("reader", ["line reader", "libyaml"])
def test_a_long_run_swinging_between_columns_files_every_comment(reader: str) -> None:
    """The shape that made filing a run quadratic, at a size a test can afford:
    every comment still lands where the short run of COMMENT_RUNS puts it."""
    from sealer.formats import yaml as yaml_format
    from sealer.formats import yamlfast

    n = 3000
    body = "".join(f"{' ' * (i % 2)}#x{i}\n" for i in range(n))
    text = f"a:\n  b:\n    c: 1\n{body}  #y\nd: 2\n"
    parsed = yamlfast.parse(text) if reader == "line reader" else None
    if parsed is None:
        parsed = yaml_format._Parser(text).run()
    filed = [("x0", "a:b")] + [(f"x{i}", "a") for i in range(1, n)] + [("y", "a")]
    assert _comment_paths(parsed.docs[0]) == filed


@pytest.mark.parametrize(("text", "filed"), COMMENT_RUNS)
def test_sops_opens_every_comment_of_a_run_that_sealer_sealed(
    tmp_path: Path,
    age_key: AgeKey,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    filed: list[tuple[str, str]],
) -> None:
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert back == text
    shown = [line.strip() for line in _sops_opens(tmp_path, sealed, age_key).splitlines()]
    comments = [line.strip() for line in text.splitlines() if "#" in line]
    assert len(comments) == len(filed)
    for comment in comments:  # the exact text, as sops shows it
        assert comment in shown


@pytest.mark.parametrize(
    ("text", "old_path"),
    [
        ("a:\n  b:\n    x: 1\n  # c1\nd: 2\n", ("a",)),  # go-yaml: a:b
        ("a:\n  b: 1\n # c\n\n", ("a",)),  # go-yaml: the top level
    ],
)
def test_a_comment_an_earlier_release_filed_under_another_path_still_opens(
    age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, text: str, old_path: tuple[str, ...]
) -> None:
    from sealer import enc
    from sealer.envelope import aad_of

    sealed = _seal(text, age_key)
    monkeypatch.setenv("SEALER_AGE_KEY", age_key.secret)
    _, meta = document.read_metadata(YAML, sealed)
    key = Keyring().unwrap(meta)
    comment = re.findall(r"#(.*)", text)[0]
    # the comment sealed as that release sealed it: the same text under its path
    old = enc.Cipher(key).seal("comment", comment.encode(), aad_of(old_path))
    sealed = re.sub(r"#ENC\[[^\]]*type:comment\]", lambda _: "#" + old, sealed, count=1)
    assert document.open_text(YAML, sealed, Keyring()).plaintext == text


@pytest.mark.parametrize(
    ("text", "opened"),
    [
        ("--- null\n", "--- \n\n"),
        ("null\n", "\n"),
        ("--- ~ # c\n", "--- \n # c\n"),
        ("--- null\n---\na: 1\n", "--- \n\n---\na: 1\n"),
    ],
)
def test_a_document_written_as_a_null_is_sealed_as_an_empty_one(
    tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch, text: str, opened: str
) -> None:
    # the metadata went after the null (`--- null\nsops:`), which no tool parses: exit 3
    sealed, back = _round_trip(text, age_key, monkeypatch)
    assert "null" not in sealed and "~" not in sealed and "# c" not in sealed
    assert back == opened  # the same data: a null document is an empty one
    assert [to_python(d) for d in YAML.parse(back).docs] == [
        to_python(d) for d in YAML.parse(text).docs
    ]
    shown = _sops_opens(tmp_path, sealed, age_key)
    assert shown.startswith("# c\n{}\n" if "#" in text else "{}\n")
