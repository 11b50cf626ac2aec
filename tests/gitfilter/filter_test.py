"""clean and smudge semantics, one file at a time, against a real repository's index and HEAD."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealer import datakey, document, formats, policy, recipients
from sealer.errors import ConfigError, FormatError, IntegrityError
from sealer.gitfilter.cleaned import object_id
from sealer.gitfilter.filter import Filter
from sealer.trust import Trust
from tests.gitfilter.gitrepo import RULES
from tests.helpers import AgeKey, make_age_key, run

SAMPLES = {
    "app.yaml": "# db\ndb:\n  user: admin\n  password: s3cr3t-yaml-pw\nport: 5432\n",
    "app.env": "# db\nDB_USER=admin\nDB_PASSWORD=s3cr3t-env-pw\n",
    "app.json": '{\n  "db": {"user": "admin", "password": "s3cr3t-json-pw"},\n  "port": 5432\n}\n',
    "app.ini": "[db]\nuser = admin\npassword = s3cr3t-ini-pw\n",
    "cert.pem": "-----BEGIN KEY-----\ns3cr3t-binary\n-----END KEY-----\n",
}


@pytest.fixture
def repo(tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository, the current directory, with a rule for everything and the key."""
    path = tmp_path / "repo"
    path.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    (path / ".sealer.yaml").write_text(RULES.format(regex=".*", recipient=age_key.recipient))
    monkeypatch.chdir(path)
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(age_key.file))
    return path


def seal(name: str, text: str, key: AgeKey) -> bytes:
    """`text` sealed for `key` with a data key this clone made (see sealer/trust.py)."""
    fmt = formats.get(formats.name_for_path(name))
    policy = document.Policy(
        groups=((recipients.key_type("age").parse_recipients(key.recipient)[0],),)
    )
    data_key = datakey.new_data_key()
    Trust.near(name).add(data_key)
    return document.seal_text(fmt, text, policy=policy, key=data_key).encode()


def stage(path: str, data: bytes, stage_no: int = 0) -> str:
    oid = (
        subprocess.run(
            ["git", "hash-object", "-w", "--no-filters", "--stdin"],
            input=data,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    info = f"100644 {oid} {stage_no}\t{path}\n"
    subprocess.run(["git", "update-index", "--index-info"], input=info.encode(), check=True)
    return oid


def warnings_of(filt: Filter) -> list[str]:
    seen: list[str] = []
    filt.warn = seen.append
    return seen


@pytest.mark.parametrize("name", list(SAMPLES))
def test_clean_of_smudge_gives_back_the_stored_blob(repo: Path, age_key: AgeKey, name: str) -> None:
    blob = seal(name, SAMPLES[name], age_key)
    stage(name, blob)
    filt = Filter()
    plain = filt.smudge(name, blob)
    assert plain.decode() == SAMPLES[name]
    assert filt.clean(name, plain) == blob
    assert filt.clean(name, blob) == blob  # sealed input passes through


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_characters="\n\r\\\"'#$`\0"),
            min_size=1,
            max_size=20,
        ),
        min_size=1,
        max_size=6,
    ),
    change=st.integers(min_value=0, max_value=5),
)
def test_only_the_changed_value_gets_a_new_ciphertext(
    repo: Path, age_key: AgeKey, values: list[str], change: int
) -> None:
    text = "".join(f'K{i}="{v}"\n' for i, v in enumerate(values))
    blob = seal("p.env", text, age_key)
    stage("p.env", blob)
    filt = Filter()
    assert filt.clean("p.env", filt.smudge("p.env", blob)) == blob
    i = change % len(values)
    edited = text.replace(f'K{i}="{values[i]}"', f'K{i}="{values[i]}!"')
    resealed = filt.clean("p.env", edited.encode()).decode().splitlines()
    before = blob.decode().splitlines()
    changed = {a.split("=", 1)[0] for a, b in zip(before, resealed, strict=True) if a != b}
    # lastmodified has whole seconds: it changes unless the test ran within one
    assert {f"K{i}", "sops_mac"} <= changed <= {f"K{i}", "sops_mac", "sops_lastmodified"}


def test_clean_never_reads_the_file_it_is_named_after(repo: Path, age_key: AgeKey) -> None:
    stage("app.env", seal("app.env", SAMPLES["app.env"], age_key))
    (repo / "app.env").write_text("DB_PASSWORD=what-the-working-tree-holds\n")
    staged_hunk = SAMPLES["app.env"].replace("admin", "root").encode()  # as `git add -p` feeds it
    out = Filter().clean("app.env", staged_hunk)
    opened = Filter().smudge("app.env", out)
    assert opened == staged_hunk


def test_a_plaintext_value_in_a_sealed_file_is_refused(repo: Path, age_key: AgeKey) -> None:
    blob = seal("app.yaml", SAMPLES["app.yaml"], age_key).decode()
    lines = [
        "  password: typed-in-the-clear" if line.startswith("  password:") else line
        for line in blob.splitlines()
    ]
    with pytest.raises(FormatError, match=r"db\.password") as e:
        Filter().clean("app.yaml", ("\n".join(lines) + "\n").encode())
    assert "typed-in-the-clear" not in str(e.value)


def test_conflict_markers_are_refused(repo: Path) -> None:
    text = "A=1\n<<<<<<< ours\nB=2\n=======\nB=3\n>>>>>>> theirs\n"
    with pytest.raises(FormatError, match="line 2: the file has unresolved merge conflict"):
        Filter().clean("x.env", text.encode())


def test_a_new_file_is_sealed_for_the_rule_and_without_rule_refused(
    repo: Path, age_key: AgeKey
) -> None:
    out = Filter().clean("new.env", b"TOKEN=s3cr3t-new\n").decode()
    assert "s3cr3t-new" not in out and age_key.recipient in out
    (repo / ".sealer.yaml").write_text(RULES.format(regex="^only/", recipient=age_key.recipient))
    with pytest.raises(ConfigError, match="no creation rule"):
        Filter().clean("new.env", b"TOKEN=s3cr3t-new\n")


def test_a_file_that_does_not_parse_is_refused(repo: Path) -> None:
    with pytest.raises(FormatError):
        Filter().clean("bad.json", b'{"a": "s3cr3t", \n')


def test_previous_version_is_ours_during_a_merge_then_head(repo: Path, age_key: AgeKey) -> None:
    ours = seal("m.env", "A=1\nB=2\n", age_key)
    theirs = seal("m.env", "A=1\nB=3\n", age_key)
    stage("m.env", theirs, 1)
    stage("m.env", ours, 2)
    stage("m.env", theirs, 3)
    out = Filter().clean("m.env", b"A=1\nB=2\n")
    assert out == ours  # reused ours' data key and ciphertexts: identical
    subprocess.run(["git", "rm", "-q", "--cached", "m.env"], check=True)
    stage("m.env", ours)
    subprocess.run(["git", "commit", "-q", "-m", "x", "--no-verify"], check=True)
    subprocess.run(["git", "rm", "-q", "--cached", "m.env"], check=True)
    assert Filter().clean("m.env", b"A=1\nB=2\n") == ours  # from HEAD


def test_the_path_is_not_bound_into_the_encryption(repo: Path, age_key: AgeKey) -> None:
    blob = seal("old-name.env", SAMPLES["app.env"], age_key)
    assert Filter().smudge("renamed/new-name.env", blob).decode() == SAMPLES["app.env"]


def test_locked_smudge_returns_the_sealed_bytes_and_warns_once(
    repo: Path, age_key: AgeKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = {n: seal(n, t, age_key) for n, t in SAMPLES.items()}
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(make_age_key(tmp_path / "other").file))
    filt = Filter()
    seen = warnings_of(filt)
    for name, blob in blobs.items():
        assert filt.smudge(name, blob) == blob
    assert len(seen) == 1 and "no identity can open" in seen[0]


def test_a_tampered_blob_does_not_smudge(repo: Path, age_key: AgeKey) -> None:
    blob = seal("app.env", "A=one\nB=two\n", age_key).decode().splitlines()
    a_line = next(i for i, line in enumerate(blob) if line.startswith("A="))
    b_line = next(i for i, line in enumerate(blob) if line.startswith("B="))
    blob[a_line] = "A=" + blob[b_line].split("=", 1)[1]  # a ciphertext moved to another key
    with pytest.raises(IntegrityError):
        Filter().smudge("app.env", ("\n".join(blob) + "\n").encode())


def test_crlf_text_round_trips_with_crlf(repo: Path, age_key: AgeKey) -> None:
    blob = seal("w.env", "A=1\nB=s3cr3t\n", age_key)
    stage("w.env", blob)
    as_checked_out = blob.replace(b"\n", b"\r\n")  # what smudge gets with core.autocrlf=true
    plain = Filter().smudge("w.env", as_checked_out)
    assert plain == b"A=1\r\nB=s3cr3t\r\n"
    assert Filter().clean("w.env", plain) == as_checked_out


def test_content_that_is_not_sealed_smudges_as_it_is(repo: Path) -> None:
    for name, text in SAMPLES.items():
        assert Filter().smudge(name, text.encode()) == text.encode()
    assert os.path.exists(repo / ".sealer.yaml")


def test_clean_stamps_the_rule_it_sealed_for_though_the_rules_change_meanwhile(
    repo: Path, age_key: AgeKey, tmp_path: Path
) -> None:
    stage("app.yaml", seal("app.yaml", SAMPLES["app.yaml"], age_key))  # for age_key alone
    other, third = make_age_key(tmp_path / "other"), make_age_key(tmp_path / "third")
    rules = repo / ".sealer.yaml"
    two = f"{age_key.recipient},{other.recipient}"
    rules.write_text(RULES.format(regex=".*", recipient=two))
    stamps: list[str] = []

    def rules_change(message: str) -> None:
        # reseal warns (the staged version is not sealed for the rule) after it read
        # the rule and before it seals: the rules file changes right there
        rule = policy.wanted("app.yaml")
        assert rule is not None
        stamps.append(policy.stamp("app.yaml", rule))
        rules.write_text(RULES.format(regex=".*", recipient=f"{two},{third.recipient}"))

    filt = Filter(warn=rules_change)
    out = filt.clean("app.yaml", SAMPLES["app.yaml"].replace("5432", "6543").encode())
    assert other.recipient in out.decode() and third.recipient not in out.decode()
    record = (repo / ".git" / "sealer" / "cleaned").read_text()
    assert record == f"{object_id(out, 'sha1')} {stamps[0]}\n"  # the rule sealed for
    assert len(stamps) == 1
