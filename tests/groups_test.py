"""`sealer groups add|delete`: sops' semantics, sops agrees, every change audited."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import AgeKey, make_age_key, run, sealer, sops, tool

PLAIN = '{"db": {"password": "hunter2"}}\n'


def _keys(tmp_path: Path) -> tuple[AgeKey, AgeKey, AgeKey]:
    d = tmp_path / "k"
    return make_age_key(d, "alice"), make_age_key(d, "bob"), make_age_key(d, "carol")


def _env(*keys: AgeKey) -> dict[str, str]:
    text = "".join(k.file.read_text() for k in keys)
    return {"SOPS_AGE_KEY": text}


def _meta(path: Path) -> dict[str, object]:
    meta: dict[str, object] = json.loads(path.read_text())["sops"]
    return meta


def _group_recipients(path: Path) -> list[list[str]]:
    groups = _meta(path).get("key_groups") or [{"age": _meta(path)["age"]}]
    assert isinstance(groups, list)
    return [sorted(s["recipient"] for s in g.get("age", [])) for g in groups]


def _sealed(tmp_path: Path, *recipients: str) -> Path:
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    args = [a for r in recipients for a in ("--age", r)]
    sealer("encrypt", "-i", *args, str(path), check=True)
    return path


def _two_groups(tmp_path: Path, first: AgeKey, second: AgeKey) -> Path:
    path = _sealed(tmp_path, first.recipient)
    add = ("groups", "add", "-f", str(path), "-i", "--age", second.recipient)
    sealer(*add, env=_env(first), check=True)
    return path


def test_add_makes_a_second_group_that_every_open_then_needs_as_sops_does(
    tmp_path: Path,
) -> None:
    alice, bob, _ = _keys(tmp_path)
    path = _sealed(tmp_path, alice.recipient)
    twin = tmp_path / "twin.json"
    twin.write_text(path.read_text())
    args = ("groups", "add", "--age", bob.recipient, "-i")
    sealer(*args, "--file", str(path), env=_env(alice), check=True)
    sops(*args, "--file", str(twin), env=_env(alice), check=True)
    assert _group_recipients(path) == _group_recipients(twin)
    assert _group_recipients(path) == [[alice.recipient], [bob.recipient]]
    assert _meta(path)["shamir_threshold"] == _meta(twin)["shamir_threshold"] == 2
    both = sops("decrypt", str(path), env=_env(alice, bob), check=True)
    assert json.loads(both.stdout) == json.loads(PLAIN)
    alone = sops("decrypt", str(path), env=_env(alice))
    assert alone.returncode != 0
    alone = sealer("decrypt", str(path), env=_env(alice))
    assert "no identity opens enough key groups (1 of the 2 needed)" in alone.stderr


def test_add_without_in_place_prints_and_leaves_the_file(tmp_path: Path) -> None:
    alice, bob, _ = _keys(tmp_path)
    path = _sealed(tmp_path, alice.recipient)
    before = path.read_text()
    out = sealer("groups", "add", "-f", str(path), "--age", bob.recipient, env=_env(alice))
    assert out.returncode == 0, out.stderr
    assert path.read_text() == before
    assert bob.recipient in out.stdout and "hunter2" not in out.stdout


def test_a_threshold_given_replaces_the_files(tmp_path: Path) -> None:
    alice, bob, carol = _keys(tmp_path)
    path = _sealed(tmp_path, alice.recipient)
    env = _env(alice)
    sealer("groups", "add", "-f", str(path), "-i", "--age", bob.recipient, env=env, check=True)
    add_carol = ("groups", "add", "-f", str(path), "-i", "--age", carol.recipient)
    sealer(*add_carol, "--shamir-secret-sharing-threshold", "2", env=_env(alice, bob), check=True)
    assert _meta(path)["shamir_threshold"] == 2
    opened = sops("decrypt", str(path), env=_env(bob, carol), check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)


def test_delete_takes_a_0_based_index_and_sops_opens_the_result(tmp_path: Path) -> None:
    alice, bob, _ = _keys(tmp_path)
    path = _two_groups(tmp_path, alice, bob)
    delete = ("groups", "delete", "-f", str(path), "-i", "--shamir-secret-sharing-threshold", "1")
    result = sealer(*delete, "0", env=_env(alice, bob))
    # one group left: a threshold of 1 is what sops wants here too
    assert result.returncode == 0, result.stderr
    assert _group_recipients(path) == [[bob.recipient]]
    opened = sops("decrypt", str(path), env=_env(bob), check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)


def test_delete_refuses_to_leave_fewer_groups_than_the_threshold(tmp_path: Path) -> None:
    alice, bob, _ = _keys(tmp_path)
    path = _two_groups(tmp_path, alice, bob)
    before = path.read_text()
    result = sealer("groups", "delete", "-f", str(path), "-i", "1", env=_env(alice, bob))
    assert result.returncode == 5
    assert result.stderr == (
        f"sealer: error: {path}: removing this key group leaves fewer key groups (1) than "
        "the Shamir threshold (2)\n"
        "sealer: hint: give a lower threshold with --shamir-secret-sharing-threshold\n"
    )
    assert path.read_text() == before


def test_delete_refuses_the_only_group_and_a_group_that_is_not_there(tmp_path: Path) -> None:
    alice, _, _ = _keys(tmp_path)
    path = _sealed(tmp_path, alice.recipient)
    only = sealer("groups", "delete", "-f", str(path), "-i", "0", env=_env(alice))
    assert "that is the file's only key group" in only.stderr
    missing = sealer("groups", "delete", "-f", str(path), "-i", "3", env=_env(alice))
    assert "the file has no key group 3 (it has 1, numbered from 0)" in missing.stderr
    assert only.returncode == missing.returncode == 5


def test_add_without_recipients_is_an_error(tmp_path: Path) -> None:
    alice, _, _ = _keys(tmp_path)
    path = _sealed(tmp_path, alice.recipient)
    result = sealer("groups", "add", "-f", str(path), "-i", env=_env(alice))
    assert "the new key group names no recipients" in result.stderr
    assert result.returncode == 5


def test_a_file_sops_sealed_gets_a_group_sops_can_use(tmp_path: Path) -> None:
    alice, bob, _ = _keys(tmp_path)
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    sops("encrypt", "-i", "--age", alice.recipient, str(path), check=True)
    sealer(
        "groups", "add", "-f", str(path), "-i", "--age", bob.recipient, env=_env(alice), check=True
    )
    opened = sops("decrypt", str(path), env=_env(alice, bob), check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)


def test_each_change_is_signed_into_the_audit_trail(tmp_path: Path) -> None:
    from tests.audit.keys import make_person

    alice = make_person(tmp_path / "people", "alice")
    bob = make_age_key(tmp_path / "k", "bob")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = alice.env(SOPS_AGE_KEY_FILE=str(bob.file))

    def git(*args: str) -> None:
        run([tool("git"), *args], cwd=repo, env=env, check=True)

    git("init", "-q")
    sealer("audit", "init", cwd=repo, env=env, check=True)
    (repo / "s.json").write_text(PLAIN)
    sealer("encrypt", "-i", "--age", alice.age_recipient, "s.json", cwd=repo, env=env, check=True)
    sealer("audit", "record", "s.json", cwd=repo, env=env, check=True)
    git("add", "-A")
    git("commit", "-qm", "root")
    add = ("groups", "add", "-f", "s.json", "-i", "--age", bob.recipient)
    sealer(*add, cwd=repo, env=env, check=True)
    git("commit", "-qam", "second group")
    sealer("groups", "delete", "-f", "s.json", "-i", "1", "--shamir-secret-sharing-threshold", "1",
           cwd=repo, env=env, check=True)  # fmt: skip
    git("commit", "-qam", "back to one group")
    entries = [json.loads(x) for x in (repo / ".sealer" / "audit.jsonl").read_text().splitlines()]
    changes = [(e["action"], e["recipients"]["after"]) for e in entries[-2:]]
    assert changes == [
        ("recipients.update", [[alice.age_recipient], [bob.recipient]]),
        ("recipients.update", [[alice.age_recipient]]),
    ]
    verified = sealer("audit", "verify", cwd=repo, env=env, check=True)
    assert "2 new entries" in verified.stderr
