"""updatekeys and rotate through the real CLI: values kept, keys re-wrapped, sops agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sealer import document, formats
from sealer.datakey import Keyring
from sealer.errors import IntegrityError
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import AgeKey, make_age_key, run, sealer, sops, tool

PLAIN = {
    "yaml": ("s.yaml", "db:\n  user: admin\n  password: hunter2\nport: 5432\n"),
    "json": ("s.json", '{\n  "db": {"user": "admin", "password": "hunter2"},\n  "port": 5432\n}\n'),
    "dotenv": ("s.env", "USER=admin\nPASSWORD=hunter2\n"),
    "ini": ("s.ini", "[db]\nuser = admin\npassword = hunter2\n"),
}


def _rules(directory: Path, *recipients: str) -> None:
    (directory / ".sealer.yaml").write_text(f"creation_rules:\n  - age: {','.join(recipients)}\n")


def _env(key: AgeKey) -> dict[str, str]:
    return {"SEALER_AGE_KEY_FILE": str(key.file), "SOPS_AGE_KEY_FILE": str(key.file)}


def _sealed_values(text: str) -> list[str]:
    return re.findall(r"ENC\[AES256_GCM,[^\]]*\]", text)


def _seal(directory: Path, name: str, plain: str, *recipients: str) -> Path:
    path = directory / name
    path.write_text(plain)
    sealer(
        "encrypt",
        "-i",
        *[a for r in recipients for a in ("--age", r)],
        name,
        cwd=directory,
        check=True,
    )
    return path


@pytest.mark.parametrize("fmt", list(PLAIN))
def test_updatekeys_rewraps_for_the_rule_and_keeps_every_value_byte_identical(
    tmp_path: Path, fmt: str
) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    name, plain = PLAIN[fmt]
    path = _seal(tmp_path, name, plain, alice.recipient)
    before = path.read_text()
    _rules(tmp_path, alice.recipient, bob.recipient)
    result = sealer("updatekeys", name, cwd=tmp_path, env=_env(alice), check=True)
    assert f"{name}: +{bob.recipient}" in result.stderr
    after = path.read_text()
    assert _sealed_values(after) == _sealed_values(before)
    assert bob.recipient in after
    assert sops("-d", name, cwd=tmp_path, env=_env(bob), check=True).stdout.count("hunter2") == 1
    again = sealer("updatekeys", name, cwd=tmp_path, env=_env(alice), check=True)
    assert "0 of 1 files changed" in again.stderr
    assert path.read_text() == after


def test_dry_run_says_what_would_change_and_changes_nothing(tmp_path: Path) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    path = _seal(tmp_path, "a.yaml", PLAIN["yaml"][1], alice.recipient, bob.recipient)
    before = path.read_text()
    _rules(tmp_path, alice.recipient)
    out = sealer("updatekeys", "--dry-run", "a.yaml", cwd=tmp_path, env=_env(alice), check=True)
    assert out.stdout == f"a.yaml: -{bob.recipient}\n"
    rot = sealer("rotate", "-n", "a.yaml", cwd=tmp_path, env=_env(alice), check=True)
    assert rot.stdout == "a.yaml: new data key\n"
    assert path.read_text() == before


def test_rotate_gives_a_new_data_key_and_re_encrypts_every_value(tmp_path: Path) -> None:
    alice = make_age_key(tmp_path / "k", "alice")
    path = _seal(tmp_path, "a.yaml", PLAIN["yaml"][1], alice.recipient)
    before = path.read_text()
    sealer("rotate", "a.yaml", cwd=tmp_path, env=_env(alice), check=True)
    after = path.read_text()
    old, new = _sealed_values(before), _sealed_values(after)
    assert len(old) == len(new) == 4 and not set(old) & set(new)  # 3 values and the MAC
    assert (
        "password: hunter2"
        in sops("-d", "a.yaml", cwd=tmp_path, env=_env(alice), check=True).stdout
    )
    back = sealer("decrypt", "a.yaml", cwd=tmp_path, env=_env(alice), check=True)
    assert back.stdout == PLAIN["yaml"][1]


def _data_key(text: str, key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(key.file))
    fmt = formats.get("yaml")
    return document.open_text(fmt, text, Keyring()).key


def _open_with_key(text: str, key: bytes) -> str:
    fmt = formats.get("yaml")
    parsed, meta = document.read_metadata(fmt, text)
    return document.open_parsed(fmt, parsed, meta, key).plaintext


def test_removing_without_rotating_warns_and_the_old_data_key_still_opens_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    path = _seal(tmp_path, "a.yaml", PLAIN["yaml"][1], alice.recipient, bob.recipient)
    bobs_copy = _data_key(path.read_text(), bob, monkeypatch)  # what bob could have kept
    out = sealer("updatekeys", "--rm-age", bob.recipient, "a.yaml", cwd=tmp_path, env=_env(alice))
    assert out.returncode == 0
    assert (
        f"sealer: warning: a.yaml: removed {bob.recipient} without rotating the data key: they "
        "may still hold the old data key and read every value in the file; run "
        "`sealer rotate a.yaml` (or updatekeys --rotate)"
    ) in out.stderr
    denied = sealer("decrypt", "a.yaml", cwd=tmp_path, env=_env(bob))
    assert denied.returncode == 128
    assert "hunter2" in _open_with_key(path.read_text(), bobs_copy)


def test_removing_with_rotate_locks_the_removed_identity_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    path = _seal(tmp_path, "a.yaml", PLAIN["yaml"][1], alice.recipient, bob.recipient)
    bobs_copy = _data_key(path.read_text(), bob, monkeypatch)
    _rules(tmp_path, alice.recipient)
    out = sealer("updatekeys", "--rotate", "a.yaml", cwd=tmp_path, env=_env(alice), check=True)
    assert "warning" not in out.stderr
    assert f"a.yaml: -{bob.recipient}, new data key" in out.stderr
    assert sealer("decrypt", "a.yaml", cwd=tmp_path, env=_env(bob)).returncode == 128
    assert sops("-d", "a.yaml", cwd=tmp_path, env=_env(bob)).returncode == 128
    with pytest.raises(IntegrityError):
        _open_with_key(path.read_text(), bobs_copy)
    assert (
        sealer("decrypt", "a.yaml", cwd=tmp_path, env=_env(alice), check=True).stdout
        == PLAIN["yaml"][1]
    )


def test_add_and_rm_flags_exist_for_every_registered_key_type(tmp_path: Path) -> None:
    from sealer import recipients

    for command in ("updatekeys", "rotate"):
        help_text = sealer(command, "--help", check=True).stdout
        for name in recipients.names():
            assert f"--add-{name}" in help_text and f"--rm-{name}" in help_text


def test_rotate_add_puts_the_recipient_in_the_first_key_group_only(tmp_path: Path) -> None:
    a, b, c = (make_age_key(tmp_path / "k", n) for n in ("a", "b", "c"))
    (tmp_path / "m.yaml").write_text(PLAIN["yaml"][1])
    rules = "creation_rules:\n  - key_groups:\n"
    rules += f"      - age: [{a.recipient}]\n      - age: [{b.recipient}]\n"
    (tmp_path / ".sealer.yaml").write_text(rules)
    sealer("encrypt", "-i", "m.yaml", cwd=tmp_path, check=True)
    env = {"SEALER_AGE_KEY": f"{a.secret}\n{b.secret}"}
    sealer("rotate", "--add-age", c.recipient, "m.yaml", cwd=tmp_path, env=env, check=True)
    parsed = document.read_metadata(formats.get("yaml"), (tmp_path / "m.yaml").read_text())[1]
    from sealer.rekey import fingerprints

    assert fingerprints(parsed) == (tuple(sorted([a.recipient, c.recipient])), (b.recipient,))
    assert parsed.threshold == 2


def test_directories_and_many_files_are_all_rekeyed(tmp_path: Path) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    (tmp_path / "conf").mkdir()
    for i in range(7):
        _seal(tmp_path / "conf", f"f{i}.yaml", PLAIN["yaml"][1], alice.recipient)
    (tmp_path / "conf" / "plain.yaml").write_text("not: sealed\n")
    _rules(tmp_path, alice.recipient, bob.recipient)
    out = sealer("updatekeys", "conf", cwd=tmp_path, env=_env(alice), check=True)
    assert "7 of 7 files changed" in out.stderr
    for i in range(7):
        assert bob.recipient in (tmp_path / "conf" / f"f{i}.yaml").read_text()


def test_an_explicit_file_that_is_not_sealed_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("a: 1\n")
    out = sealer("rotate", "p.yaml", cwd=tmp_path)
    assert out.returncode == 4
    assert "sealer: error: p.yaml: the file is not sealed" in out.stderr


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return run([tool("git"), *args], cwd=repo, env=env, check=True).stdout


def test_in_a_filter_repo_the_index_gets_the_rekeyed_blob_and_the_worktree_stays_plaintext(
    tmp_path: Path,
) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _seal(repo, "app.yaml", PLAIN["yaml"][1], alice.recipient)
    (repo / ".gitattributes").write_text("*.yaml filter=sealer\n")
    _git(repo, "add", "app.yaml", ".gitattributes")
    _git(repo, "commit", "-qm", "sealed app.yaml")
    (repo / "app.yaml").write_text(PLAIN["yaml"][1])  # what the smudge filter leaves
    _rules(repo, alice.recipient, bob.recipient)
    out = sealer("updatekeys", "app.yaml", cwd=repo, env=_env(alice), check=True)
    assert f"app.yaml: +{bob.recipient}" in out.stderr
    assert (repo / "app.yaml").read_text() == PLAIN["yaml"][1]
    staged = _git(repo, "show", ":app.yaml")
    assert bob.recipient in staged
    assert _sealed_values(staged) == _sealed_values(_git(repo, "show", "HEAD:app.yaml"))
    (repo / "staged.yaml").write_text(staged)
    assert (
        "password: hunter2" in sops("-d", "staged.yaml", cwd=repo, env=_env(bob), check=True).stdout
    )
    assert_no_plaintext(repo, ["hunter2"])


def test_every_filtered_file_of_a_repo_is_rekeyed_in_one_batch(tmp_path: Path) -> None:
    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    names = ["a.yaml", "team/b.yaml", "team/deep/c.yaml"]
    for name in names:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        _seal(repo, name, PLAIN["yaml"][1], alice.recipient)
    (repo / ".gitattributes").write_text("*.yaml filter=sealer\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "sealed")
    for name in names:
        (repo / name).write_text(PLAIN["yaml"][1])  # what the smudge filter leaves
    _rules(repo, alice.recipient, bob.recipient)
    out = sealer("updatekeys", cwd=repo, env=_env(alice), check=True)
    assert "team/b.yaml: +" in out.stderr and "3 of 3 files changed" in out.stderr
    for name in names:
        staged = _git(repo, "show", f":{name}")
        assert bob.recipient in staged, name
        assert _sealed_values(staged) == _sealed_values(_git(repo, "show", f"HEAD:{name}"))
        assert (repo / name).read_text() == PLAIN["yaml"][1]
    # listed for the pre-commit hook, which then does not open them again
    listed = (repo / ".git" / "sealer" / "cleaned").read_text().split()
    assert {_git(repo, "rev-parse", f":{n}").strip() for n in names} <= set(listed)


def test_one_off_flags_work_for_another_key_type_too(tmp_path: Path) -> None:
    from sealer.rekey import fingerprints
    from tests.audit.keys import make_ssh_key

    alice = make_age_key(tmp_path / "k", "alice")
    bob = make_ssh_key(tmp_path / "k", "bob")
    path = _seal(tmp_path, "a.yaml", PLAIN["yaml"][1], alice.recipient)
    added = sealer(
        "updatekeys", "--add-ssh", bob.public_text, "a.yaml", cwd=tmp_path, env=_env(alice)
    )
    assert added.returncode == 0, added.stderr
    meta = document.read_metadata(formats.get("yaml"), path.read_text())[1]
    (group,) = fingerprints(meta)
    assert alice.recipient in group and any(bob.fingerprint in r for r in group)
    removed = sealer("rotate", "--rm-ssh", bob.public_text, "a.yaml", cwd=tmp_path, env=_env(alice))
    assert removed.returncode == 0, removed.stderr
    meta = document.read_metadata(formats.get("yaml"), path.read_text())[1]
    assert fingerprints(meta) == ((alice.recipient,),)


def test_with_sealers_git_filter_the_commit_gets_the_new_recipients_and_status_stays_clean(
    tmp_path: Path,
) -> None:
    from tests.audit.keys import make_person

    alice = make_person(tmp_path / "people", "alice")
    bob = make_age_key(tmp_path / "k", "bob")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = alice.env()
    _git(repo, "init", "-q", env=env)
    rule = "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: {}\n"
    (repo / ".sealer.yaml").write_text(rule.format(alice.age_recipient))
    sealer("git", "install", cwd=repo, env=env, check=True)
    sealer("audit", "init", cwd=repo, env=env, check=True)
    (repo / "secrets").mkdir()
    (repo / "secrets" / "a.yaml").write_text("pw: hunter2\n")
    _git(repo, "add", "-A", env=env)
    sealer("audit", "record", "secrets/a.yaml", cwd=repo, env=env, check=True)
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-qm", "root", env=env)
    (repo / ".sealer.yaml").write_text(rule.format(f"{alice.age_recipient},{bob.recipient}"))
    sealer("updatekeys", cwd=repo, env=env, check=True)
    _git(repo, "add", ".sealer.yaml", env=env)
    _git(repo, "commit", "-qm", "add bob", env=env)
    assert _git(repo, "status", "--porcelain", env=env) == ""
    assert (repo / "secrets" / "a.yaml").read_text() == "pw: hunter2\n"
    committed = _git(repo, "show", "HEAD:secrets/a.yaml", env=env)
    assert bob.recipient in committed and "hunter2" not in committed
    verified = sealer("audit", "verify", cwd=repo, env=env, check=True)
    assert "1 commits, 1 new entries" in verified.stderr
    assert_no_plaintext(repo, ["hunter2"])


def test_a_progress_bar_shows_on_a_terminal_for_many_files(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    alice, bob = make_age_key(tmp_path / "k", "alice"), make_age_key(tmp_path / "k", "bob")
    for i in range(6):
        _seal(tmp_path, f"f{i}.yaml", PLAIN["yaml"][1], alice.recipient)
    _rules(tmp_path, alice.recipient, bob.recipient)
    primary, secondary = os.openpty()
    env = {**os.environ, **_env(alice), "TERM": "xterm", "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "sealer", "updatekeys", *[f"f{i}.yaml" for i in range(6)]],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=secondary, check=False,
    )  # fmt: skip
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert proc.returncode == 0
    assert b"re-keying" in shown and b"100%" in shown
    assert b"6 of 6 files changed" in shown


def test_a_file_changed_while_rekeying_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sealer import rekey
    from sealer.errors import FileError

    alice = make_age_key(tmp_path / "k", "alice")
    path = _seal(tmp_path, "s.yaml", PLAIN["yaml"][1], alice.recipient)
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(alice.file))
    (target,), _ = rekey.targets([str(path)], tmp_path)
    p = rekey.plan(target, Keyring(), rotate=True, use_rules=False)
    sealer("set", str(path), "port", "6543", env=_env(alice), check=True)  # someone else
    theirs = path.read_text()
    with pytest.raises(FileError, match="changed while sealer was re-keying it"):
        rekey.write(p)
    assert path.read_text() == theirs
    rekey.write(
        rekey.plan(
            rekey.targets([str(path)], tmp_path)[0][0], Keyring(), rotate=True, use_rules=False
        )
    )
    out = sealer("decrypt", str(path), env=_env(alice), check=True).stdout
    assert "port: 6543" in out and "hunter2" in out


def test_a_staged_blob_changed_while_rekeying_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sealer import rekey
    from sealer.errors import FileError

    alice = make_age_key(tmp_path / "k", "alice")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    path = _seal(repo, "app.yaml", PLAIN["yaml"][1], alice.recipient)
    (repo / ".gitattributes").write_text("*.yaml filter=sealer\n")
    _git(repo, "add", "app.yaml", ".gitattributes")
    path.write_text(PLAIN["yaml"][1])  # what the smudge filter leaves
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(alice.file))
    (target,), _ = rekey.targets([str(path)], repo)
    assert target.where == "index"
    p = rekey.plan(target, Keyring(), rotate=True, use_rules=False)
    other = _seal(tmp_path, "other.yaml", "port: 1\n", alice.recipient).read_text()
    blob = run([tool("git"), "hash-object", "-w", "--stdin"], cwd=repo, input=other, check=True)
    _git(repo, "update-index", "--cacheinfo", f"100644,{blob.stdout.strip()},app.yaml")
    with pytest.raises(FileError, match="staged file changed while sealer was re-keying"):
        rekey.write(p)
    assert _git(repo, "show", ":app.yaml") == other


def test_a_file_outside_the_repository_is_refused_clearly(tmp_path: Path) -> None:
    alice = make_age_key(tmp_path / "k", "alice")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    outside = _seal(tmp_path, "s.yaml", PLAIN["yaml"][1], alice.recipient)
    before = outside.read_text()
    for command in ("rotate", "updatekeys"):
        result = sealer(command, str(outside), cwd=repo, env=_env(alice))
        assert result.returncode == 6, result.stderr
        assert "not inside the repository" in result.stderr
    assert outside.read_text() == before
