"""The write-time self-check: output sealer cannot open back is a bug report, not a file.

Each test breaks a real seam of the sealing path inside a real `sealer`
process (a format function put back the way an old bug had it, or output
corrupted after it was spliced) and checks that nothing is written: exit 3, a
crash log, the original file untouched.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sealer import document, enc, formats, selfcheck
from sealer.recipients.age import AgeRecipient
from tests.helpers import AgeKey, run, sealer

YAML = formats.get("yaml")

# the byte-order-mark fix reverted: libyaml's positions are one character short again
REVERT_BOM_FIX = (
    "import sealer.formats.yaml as y\n"
    "y.parse_past_bom = lambda parse, text: y._Parser(text).run()\n"
)
# a splice that leaves each value's last character in clear (the old symptom)
LEAVE_A_CHARACTER = (
    "import sealer.formats.yaml as y\n"
    "render = y.YamlFormat.render_sealed\n"
    "def short(self, node, sealed):\n"
    "    (start, end), text = render(self, node, sealed)\n"
    "    return (start, end - 1), text\n"
    "y.YamlFormat.render_sealed = short\n"
)


def _sealer_with(patch: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{patch}from sealer.main import main\nsys.exit(main({args!r}))\n"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("patch", "text"),
    [
        (REVERT_BOM_FIX, "\ufeffuser: admin\npassword: hunter2\n"),
        (LEAVE_A_CHARACTER, "user: admin\npassword: hunter2\n"),
    ],
    ids=["bom-fix-reverted", "value-end-left-in-clear"],
)
def test_output_that_does_not_open_is_never_written(
    in_tmp: Path, age_key: AgeKey, patch: str, text: str
) -> None:
    target = in_tmp / "s.yaml"
    target.write_bytes(text.encode())
    out = _sealer_with(patch, ["encrypt", "-i", "--age", age_key.recipient, "s.yaml"], in_tmp)
    assert out.returncode == 3, out.stderr
    assert out.stderr.startswith("sealer: error: unexpected SelfCheckError; this is a bug\n")
    log = Path(out.stderr.split("details are in ")[1].split(";")[0])
    assert "sealer.selfcheck.SelfCheckError (message not recorded)" in log.read_text()
    assert "hunter2" not in log.read_text() and "admin" not in log.read_text()
    assert target.read_bytes() == text.encode()  # the original, untouched
    assert [p.name for p in in_tmp.iterdir() if p.name != "keys"] == ["s.yaml"]  # no temp file
    # the same process without the patch seals it
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", cwd=in_tmp, check=True)
    assert b"hunter2" not in target.read_bytes()


def test_stdout_gets_nothing_either(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text("password: hunter2\n")
    out = _sealer_with(LEAVE_A_CHARACTER, ["encrypt", "--age", age_key.recipient, "s.yaml"], in_tmp)
    assert out.returncode == 3 and out.stdout == ""


def _sealed(text: str, key: AgeKey) -> tuple[str, bytes]:
    """Sealed text and its data key, taken from a real seal (the key never leaves memory)."""
    policy = document.Policy(groups=((AgeRecipient(key.recipient),),))
    seen: list[bytes] = []
    real = selfcheck.verify

    def keep(fmt: formats.Format, plain: formats.Parsed, sealed: str, data_key: bytes) -> str:
        seen.append(data_key)
        return real(fmt, plain, sealed, data_key)

    selfcheck.verify = keep  # type: ignore[assignment]
    try:
        return document.seal_text(YAML, text, policy=policy), seen[0]
    finally:
        selfcheck.verify = real  # type: ignore[assignment]


def test_a_value_changed_under_the_same_key_is_caught(age_key: AgeKey) -> None:
    plain = YAML.parse("a: one\nb: two\n")
    sealed, key = _sealed("a: one\nb: two\n", age_key)
    assert selfcheck.verify(YAML, plain, sealed, key) == sealed
    # the sealed `b` value written where `a` was: a valid file of other data (MAC fails)
    lines = sealed.split("\n")
    swapped = "\n".join(["a:" + lines[1][2:], "b:" + lines[0][2:], *lines[2:]])
    with pytest.raises(selfcheck.SelfCheckError, match="cannot open its own output"):
        selfcheck.verify(YAML, plain, swapped, key)


def test_a_comment_lost_on_the_way_is_caught(age_key: AgeKey) -> None:
    plain = YAML.parse("# keep me\na: 1\n")
    sealed, key = _sealed("a: 1\n", age_key)  # opens fine, but without the comment
    with pytest.raises(selfcheck.SelfCheckError, match="opens to other data"):
        selfcheck.verify(YAML, plain, sealed, key)


def test_a_canonical_form_passes(age_key: AgeKey) -> None:
    """A dropped `!!int` tag changes bytes, not data: not a mismatch."""
    sealed, _ = _sealed("n: !!int 42\n", age_key)
    assert "!!int" not in sealed


def test_the_git_filter_hands_git_nothing_it_cannot_open(tmp_path: Path, age_key: AgeKey) -> None:
    repo = tmp_path / "repo"
    run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".sealer.yaml").write_text(f"creation_rules:\n  - age: {age_key.recipient}\n")
    (repo / ".gitattributes").write_text("*.yaml filter=sealer\n")
    (repo / "s.yaml").write_bytes("\ufeffpassword: hunter2\n".encode())
    code = (
        f"import sys\n{REVERT_BOM_FIX}from sealer.main import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    command = f"{sys.executable} -c '{code}' git process"
    run(["git", "config", "filter.sealer.process", command], cwd=repo, check=True)
    run(["git", "config", "filter.sealer.required", "true"], cwd=repo, check=True)
    out = run(["git", "add", "s.yaml"], cwd=repo)
    assert out.returncode != 0
    assert "SelfCheckError" in out.stderr
    listed = run(["git", "ls-files", "--stage"], cwd=repo, check=True)
    assert "s.yaml" not in listed.stdout
    objects = run(["git", "count-objects", "-v"], cwd=repo, check=True).stdout
    assert "count: 0" in objects.splitlines()[0]


@pytest.mark.parametrize(
    ("plain", "other"),
    [
        ("a: one\nb: two\n", "a: one\nb: zwei\n"),  # another text, same type
        ("a: '1'\n", "a: 1\n"),  # the same characters, another type
        ("a: 1\n", "a: '1'\n"),
        ("a: 1.0\n", "a: 1\n"),  # equal in Python, not in the file
        ("a: [x, y]\n", "a: [x, y, z]\n"),
    ],
    ids=["text", "str-vs-int", "int-vs-str", "float-vs-int", "longer-list"],
)
def test_output_that_opens_to_other_values_is_caught(
    age_key: AgeKey, plain: str, other: str
) -> None:
    """The output opens and authenticates (it is a true sealing of `other`), but
    not to the plaintext it is checked against: the comparison must see it."""
    sealed, key = _sealed(other, age_key)
    assert selfcheck.verify(YAML, YAML.parse(other), sealed, key) == sealed
    with pytest.raises(selfcheck.SelfCheckError, match="opens to other data"):
        selfcheck.verify(YAML, YAML.parse(plain), sealed, key)


def test_a_wrong_mac_is_caught(age_key: AgeKey) -> None:
    """Every value opens to its plaintext, but the MAC is another file's."""
    sealed, key = _sealed("a: one\n", age_key)
    mac = next(line for line in sealed.splitlines() if line.startswith("    mac: "))
    changed = sealed.replace(mac, "    mac: " + enc.encrypt("0" * 128, key, "x"))
    with pytest.raises(selfcheck.SelfCheckError, match="cannot open its own output: MAC"):
        selfcheck.verify(YAML, YAML.parse("a: one\n"), changed, key)


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        (
            "    lastmodified: ",
            "    lastmodified: not-a-time",
            "sealer cannot open its own output: metadata field lastmodified is not an RFC 3339 time",
        ),
        ("sops:", "other:", "the sealed output has no sops metadata"),
    ],
    ids=["lastmodified-unreadable", "no-metadata"],
)
def test_metadata_that_does_not_open_is_caught(
    age_key: AgeKey, line: str, replacement: str, message: str
) -> None:
    sealed, key = _sealed("a: one\n", age_key)
    found = next(x for x in sealed.splitlines() if x.startswith(line))
    with pytest.raises(selfcheck.SelfCheckError, match=f"^{re.escape(message)}$"):
        selfcheck.verify(YAML, YAML.parse("a: one\n"), sealed.replace(found, replacement), key)
