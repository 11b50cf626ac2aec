"""End to end in a real repository: three people re-key on two branches and merge; attacks fail.

The good history is built once per module (it takes a few dozen CLI runs) and
each attack runs on a copy of it, so every attack starts from a verified clone
with a pinned trust root and head.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sealer.audit import NAMESPACE, sshsig
from sealer.audit.log import parse_line, split_lines
from tests.audit.keys import Person, make_person
from tests.gitfilter.objects import assert_no_plaintext

APP, DB = "secrets/app.yaml", "secrets/db.yaml"


@dataclass
class World:
    base: Path
    repo: Path
    people: dict[str, Person] = field(default_factory=dict)
    commits: dict[str, str] = field(default_factory=dict)

    def env(self, who: str) -> dict[str, str]:
        home = self.base / "home"
        env = {
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".state"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TEMPLATE_DIR": "",
            "LANG": "C.UTF-8",
        }
        return {**env, **self.people[who].env()}

    def run(self, who: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            args, cwd=self.repo, env=self.env(who), capture_output=True, text=True, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def sealer(self, who: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(who, sys.executable, "-m", "sealer", *args, check=check)

    def git(self, who: str, *args: str) -> str:
        return self.run(who, "git", *args).stdout.strip()

    def commit(self, who: str, label: str, *paths: str) -> str:
        self.git(who, "add", "--", *(paths or (".",)))
        self.git(who, "commit", "-qm", label)
        self.commits[label] = self.git(who, "rev-parse", "HEAD")
        return self.commits[label]

    def rules(self, app: list[str], db: list[str]) -> None:
        def recipients(names: list[str]) -> str:
            return ",".join(self.people[n].age_recipient for n in names)

        (self.repo / ".sealer.yaml").write_text(
            "creation_rules:\n"
            f"  - path_regex: app\\.yaml$\n    age: {recipients(app)}\n"
            f"  - path_regex: db\\.yaml$\n    age: {recipients(db)}\n"
        )

    def copy(self, name: str) -> World:
        target = self.base.parent / f"{self.base.name}-{name}"
        shutil.copytree(self.base, target, symlinks=True)
        return World(target, target / "repo", self._moved(target), dict(self.commits))

    def _moved(self, target: Path) -> dict[str, Person]:
        out = {}
        for k, p in self.people.items():
            ssh = type(p.ssh)(
                *(target / x.relative_to(self.base) for x in (p.ssh.private, p.ssh.public))
            )
            out[k] = Person(
                p.name, p.email, ssh, p.age_recipient, target / p.age_file.relative_to(self.base)
            )
        return out

    def verify(self, who: str = "alice") -> subprocess.CompletedProcess[str]:
        return self.sealer(who, "audit", "verify", check=False)


def build(base: Path) -> World:
    repo = base / "repo"
    repo.mkdir(parents=True)
    w = World(base, repo)
    for name in ("alice", "bob", "carol", "mallory"):
        w.people[name] = make_person(base / "people", name)
    w.git("alice", "init", "-q", "-b", "main")
    w.sealer("alice", "audit", "init")
    w.rules(["alice"], ["alice"])
    (repo / "secrets").mkdir()
    (repo / APP).write_text("api:\n  token: t0ps3cret\n")
    (repo / DB).write_text("db:\n  password: hunter2\n")
    w.sealer("alice", "encrypt", "-i", APP)
    w.sealer("alice", "encrypt", "-i", DB)
    w.sealer("alice", "audit", "record", APP, DB)
    w.commit("alice", "root")
    w.sealer("alice", "audit", "init")  # pins the root commit as the trust root

    w.sealer("alice", "audit", "allow", w.people["bob"].email, str(w.people["bob"].ssh.public))
    w.sealer("alice", "audit", "allow", w.people["carol"].email, str(w.people["carol"].ssh.public))
    w.commit("alice", "signers")
    w.rules(["alice", "bob"], ["alice", "bob"])
    w.sealer("alice", "updatekeys")
    w.commit("alice", "add bob")

    w.git("alice", "checkout", "-q", "-b", "feature")
    w.sealer("bob", "updatekeys", "--add-age", w.people["carol"].age_recipient, DB)
    w.commit("bob", "bob adds carol to db")
    w.sealer("carol", "rotate", DB)
    w.commit("carol", "carol rotates db")

    w.git("alice", "checkout", "-q", "main")
    w.rules(["alice"], ["alice", "bob"])
    w.sealer("alice", "updatekeys", "--rotate", APP)
    w.commit("alice", "alice removes bob from app")
    w.git("alice", "merge", "-q", "--no-edit", "feature")
    w.commits["merge"] = w.git("alice", "rev-parse", "HEAD")
    w.sealer("bob", "rotate", "--rm-age", w.people["carol"].age_recipient, DB)
    w.commit("bob", "bob removes carol from db")
    return w


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = build(tmp_path_factory.mktemp("world") / "w")
    first = w.verify()
    assert first.returncode == 0, first.stderr
    yield w


@pytest.fixture
def clone(world: World, request: pytest.FixtureRequest) -> World:
    return world.copy(request.node.name.replace("[", "-").replace("]", ""))


def test_three_people_two_branches_and_a_merge_verify(world: World) -> None:
    out = world.verify("carol")
    assert out.returncode == 0, out.stderr
    assert "audit trail verified: 7 commits" in out.stderr
    log = (world.repo / ".sealer" / "audit.jsonl").read_bytes()
    entries = [parse_line(x, i) for i, x in enumerate(split_lines(log))]
    assert [e.action for e in entries] == [
        "file.create", "file.create", "signers.update", "signers.update",
        "recipients.update", "recipients.update", "datakey.rotate", "carry", "carry",
        "datakey.rotate",
    ]  # fmt: skip
    assert [e.effective().email.split("@")[0] for e in entries] == [
        "alice", "alice", "alice", "alice", "alice", "alice", "alice", "bob", "carol", "bob",
    ]  # fmt: skip
    assert {e.email for e in entries[7:9]} == {"alice@example.invalid"}  # the merger signs carries
    alice_key = world.people["alice"].age_file
    opened = world.run("alice", sys.executable, "-m", "sealer", "decrypt", DB).stdout
    assert "hunter2" in opened and alice_key.exists()
    # the whole history, merges and re-keys included, never stored a plaintext value
    assert_no_plaintext(world.repo, ["hunter2", "t0ps3cret"])


def test_the_merge_result_carries_the_other_branchs_entries_verbatim(world: World) -> None:
    merged = split_lines((world.repo / ".sealer" / "audit.jsonl").read_bytes())
    feature = world.git("alice", "show", "feature:.sealer/audit.jsonl").encode() + b"\n"
    theirs = split_lines(feature)[-2:]
    assert [json.loads(x)["carried"].encode() for x in merged[7:9]] == theirs


def test_ssh_keygen_verifies_every_signature_in_the_trail(world: World, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed_signers"
    shutil.copy(world.repo / ".sealer" / "allowed_signers", allowed)
    log = (world.repo / ".sealer" / "audit.jsonl").read_bytes()
    checked = 0
    for i, line in enumerate(split_lines(log)):
        entry = parse_line(line, i)
        chain = [entry]
        if entry.action == "carry":
            chain.append(entry.effective())
        for signed in chain:
            sig = tmp_path / "e.sig"
            sig.write_text(sshsig.armor(signed.signature))
            args = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", signed.email]
            args += ["-n", NAMESPACE, "-s", str(sig)]
            proc = subprocess.run(args, input=signed.payload(), capture_output=True, check=False)
            assert proc.returncode == 0, proc.stderr
            checked += 1
    assert checked == 12


def test_audit_log_shows_the_trail_and_filters_it(world: World) -> None:
    table = world.sealer("bob", "audit", "log").stdout
    header, *rows = table.splitlines()
    assert header.split() == ["SEQ", "TIME", "(UTC)", "ACTOR", "ACTION", "FILE", "CHANGE"]
    assert len(rows) == 10
    assert "datakey.rotate (carried by alice@example.invalid)" in rows[8]
    assert "Carol <carol@example.invalid>" in rows[8]
    by_bob = world.sealer("bob", "audit", "log", "--json", "--actor", "bob@example.invalid").stdout
    data = [json.loads(x) for x in by_bob.splitlines()]
    assert [(d["log_seq"], d["action"], d["file"]) for d in data] == [
        (7, "recipients.update", DB),
        (9, "datakey.rotate", DB),
    ]
    assert data[1]["recipients"]["removed"] == [world.people["carol"].age_recipient]
    for_app = world.sealer("bob", "audit", "log", "--json", "--file", APP).stdout.splitlines()
    assert [json.loads(x)["log_seq"] for x in for_app] == [0, 4, 6]
    on_feature = world.sealer("bob", "audit", "log", "--rev", "feature").stdout.splitlines()
    assert len(on_feature) == 1 + 8 and "carried" not in "".join(on_feature)


# --- attacks on that history -------------------------------------------------


def _failures(w: World, who: str = "alice") -> list[str]:
    out = w.verify(who)
    assert out.returncode == 52, out.stderr
    return [
        x.removeprefix("sealer: audit: ")
        for x in out.stderr.splitlines()
        if x.startswith("sealer: audit: ")
    ]


def _log(w: World) -> list[bytes]:
    return split_lines((w.repo / ".sealer" / "audit.jsonl").read_bytes())


def _write_log(w: World, lines: list[bytes]) -> None:
    (w.repo / ".sealer" / "audit.jsonl").write_bytes(b"".join(x + b"\n" for x in lines))


def _extends(c: str, parent: str, seq: int) -> str:
    return (
        f"commit {c[:12]}: entry {seq}: the log does not extend its parent's ({parent[:12]}): "
        "entries were changed or removed"
    )


def test_attack_an_edited_field_in_a_later_commit(clone: World) -> None:
    lines = _log(clone)
    data = json.loads(lines[4])
    data["recipients"]["added"] = []
    lines[4] = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    _write_log(clone, lines)
    head = clone.git("alice", "rev-parse", "HEAD")
    c = clone.commit("alice", "edit")
    assert _failures(clone) == [_extends(c, head, 4)]


@pytest.mark.parametrize("how", ["delete", "reorder", "truncate"])
def test_attack_deleting_reordering_or_truncating_in_a_later_commit(clone: World, how: str) -> None:
    lines = _log(clone)
    if how == "delete":
        del lines[5]
    elif how == "reorder":
        lines[5], lines[6] = lines[6], lines[5]
    else:
        lines = lines[:5]
    _write_log(clone, lines)
    head = clone.git("alice", "rev-parse", "HEAD")
    c = clone.commit("alice", how)
    assert _failures(clone) == [_extends(c, head, 5)]


def test_attack_truncating_by_rewriting_history_is_caught_by_the_pinned_head(clone: World) -> None:
    clone.git("alice", "reset", "-q", "--hard", "HEAD~1")
    head = clone.git("alice", "rev-parse", "HEAD")
    assert _failures(clone) == [
        f"commit {head[:12]}: entry 9: the log has 9 entries but 10 "
        "were pinned (truncated or rewritten)"
    ]


def test_attack_a_rewritten_tail_signed_by_an_authorised_key(clone: World) -> None:
    clone.git("alice", "reset", "-q", "--hard", "HEAD~1")
    clone.sealer("bob", "rotate", DB)  # validly signed by bob, but not what was pinned
    c = clone.commit("bob", "rewritten tail")
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 9: the log does not extend the pinned head: this entry differs "
        "from the one accepted before (history rewritten?)"
    ]
    fresh = clone.sealer(
        "alice", "audit", "verify", "--no-pin", "--trust-root", clone.commits["root"], check=False
    )
    assert fresh.returncode == 52  # the pin of this clone still applies to main


def test_attack_a_signer_not_in_allowed_signers(clone: World) -> None:
    clone.people["mallory"] = Person(
        "Mallory", "alice@example.invalid", clone.people["mallory"].ssh,
        clone.people["alice"].age_recipient, clone.people["alice"].age_file,
    )  # fmt: skip  # mallory stole alice's age key, not her SSH key
    clone.sealer("mallory", "rotate", APP)
    c = clone.commit("mallory", "mallory rotates")
    fp = clone.people["mallory"].ssh.fingerprint
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 10: {APP}: signer not authorised: "
        f"key {fp} is not in allowed_signers"
    ]


def test_attack_a_signer_added_in_the_same_commit_that_uses_it(clone: World) -> None:
    mallory = clone.people["mallory"]
    clone.sealer("alice", "audit", "allow", mallory.email, str(mallory.ssh.public))
    clone.sealer("alice", "updatekeys", "--add-age", mallory.age_recipient, APP)
    clone.sealer("mallory", "rotate", APP)
    c = clone.commit("mallory", "allow and use at once")
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 12: {APP}: signer not authorised: "
        f"key {mallory.ssh.fingerprint} is not in allowed_signers"
    ]
    clone.git("mallory", "reset", "-q", "--hard", "HEAD~1")  # the honest way: two commits
    clone.sealer("alice", "audit", "allow", mallory.email, str(mallory.ssh.public))
    clone.sealer("alice", "updatekeys", "--add-age", mallory.age_recipient, APP)
    clone.commit("alice", "allow mallory")
    clone.sealer("mallory", "rotate", APP)
    clone.commit("mallory", "mallory rotates")
    assert clone.verify().returncode == 0


def test_attack_allowed_signers_edited_without_an_entry(clone: World) -> None:
    mallory = clone.people["mallory"]
    with (clone.repo / ".sealer" / "allowed_signers").open("a") as f:
        f.write(f"{mallory.email} {mallory.ssh.public_text}\n")
    c = clone.commit("mallory", "sneak in a signer")
    assert _failures(clone) == [
        f"commit {c[:12]}: .sealer/allowed_signers: allowed_signers "
        "changed with no signers.update entry"
    ]


def test_attack_a_recipients_change_committed_with_no_entry(clone: World) -> None:
    clone.rules(["alice", "mallory"], ["alice", "bob"])
    clone.sealer("alice", "updatekeys", APP)
    clone.git("alice", "checkout", "--", ".sealer/audit.jsonl")  # drop the entry
    c = clone.commit("alice", "quietly add mallory")
    assert _failures(clone) == [
        f"commit {c[:12]}: {APP}: changed recipients or data key "
        f"(+{clone.people['mallory'].age_recipient}) with no audit entry"
    ]


def test_attack_a_new_sealed_file_with_no_entry(clone: World) -> None:
    (clone.repo / "secrets" / "new.yaml").write_text("k: v\n")
    clone.sealer(
        "alice", "encrypt", "--age", clone.people["mallory"].age_recipient, "-i", "secrets/new.yaml"
    )
    c = clone.commit("alice", "unrecorded file")
    failures = _failures(clone)
    assert failures == [
        f"commit {c[:12]}: secrets/new.yaml: created sealed "
        f"(+{clone.people['mallory'].age_recipient}) with no audit entry"
    ]


def test_attack_a_non_canonical_line(clone: World) -> None:
    clone.sealer("alice", "rotate", APP)
    lines = _log(clone)
    lines[-1] = lines[-1].replace(b'"seq":10', b'"seq": 10')
    _write_log(clone, lines)
    c = clone.commit("alice", "spaces")
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 10: not in RFC 8785 canonical form "
        "(spacing, member order or escapes)",
        f"commit {c[:12]}: {APP}: changed recipients or data key (re-wrapped) with no audit entry",
    ]  # an unreadable entry records nothing, so the rotation it stood for is unrecorded too


def test_attack_an_entry_that_does_not_match_the_committed_file(clone: World) -> None:
    before = (clone.repo / APP).read_bytes()
    clone.sealer("alice", "updatekeys", "--add-age", clone.people["carol"].age_recipient, APP)
    (clone.repo / APP).write_bytes(before)  # the entry says carol, the file does not
    c = clone.commit("alice", "claims carol")
    alice, carol = (clone.people[n].age_recipient for n in ("alice", "carol"))
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 10: {APP}: the entry says recipients are "
        f"{[sorted([alice, carol])]}, the committed file has {[[alice]]}"
    ]


def test_uncommitted_entries_by_an_unlisted_key_are_reported(clone: World) -> None:
    clone.people["mallory"] = Person(
        "M", "alice@example.invalid", clone.people["mallory"].ssh,
        clone.people["alice"].age_recipient, clone.people["alice"].age_file,
    )  # fmt: skip
    clone.sealer("mallory", "rotate", APP)
    fp = clone.people["mallory"].ssh.fingerprint
    assert _failures(clone) == [
        f"working tree: entry 10: {APP}: signer not authorised: key {fp} is not in allowed_signers"
    ]


def test_attack_a_data_key_id_that_is_not_the_files_key(clone: World) -> None:
    from sealer.audit import canonical
    from sealer.audit.log import Actor, build, data_key_id

    clone.sealer("alice", "rotate", APP)
    lines = _log(clone)
    fields = json.loads(lines[-1])
    fields["data_key_id"] = data_key_id(bytes(32))  # claims a key the file does not have
    for name in ("v", "seq", "prev", "time", "actor", "base_commit", "tool", "sig"):
        fields.pop(name)
    alice = clone.people["alice"]
    who = Actor(alice.name, alice.email, sshsig.load_signer(str(alice.ssh.private)))
    lines[-1] = build(fields, who, 10, json.loads(lines[-1])["prev"], None)
    assert canonical.loads(lines[-1])["data_key_id"] == data_key_id(bytes(32))
    _write_log(clone, lines)
    c = clone.commit("alice", "wrong key id")
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 10: {APP}: the entry's data_key_id is not the committed "
        "file's data key"
    ]


def test_a_denied_signer_cannot_sign_from_the_next_commit_on(clone: World) -> None:
    clone.sealer("alice", "audit", "deny", clone.people["bob"].email)
    clone.commit("alice", "deny bob")
    clone.sealer("bob", "rotate", DB)
    c = clone.commit("bob", "bob after denial")
    fp = clone.people["bob"].ssh.fingerprint
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 11: {DB}: signer not authorised: key {fp} "
        "is not in allowed_signers"
    ]


def test_verify_json_reports_the_counts(world: World) -> None:
    out = world.sealer("alice", "audit", "verify", "--json", "--no-pin")
    data = json.loads(out.stdout)
    assert data["ok"] is True and data["problems"] == []
    assert data["commits"] == 7 and data["entries"] == 10  # 8 authored on branches, 2 carries
    assert data["trust_root"] == world.commits["root"]
    assert data["data_keys_checked"] >= 4


def _branch_with_bobs_rotation(w: World) -> None:
    w.git("bob", "checkout", "-q", "-b", "side")
    w.sealer("bob", "rotate", DB)
    w.commit("bob", "bob rotates db on side")
    w.git("alice", "checkout", "-q", "main")
    w.sealer("alice", "rotate", APP)
    w.commit("alice", "alice rotates app on main")


def test_a_squash_merge_carries_the_branchs_entries_and_verifies(clone: World) -> None:
    _branch_with_bobs_rotation(clone)
    clone.git("alice", "merge", "-q", "--squash", "side")
    clone.commit("alice", "squashed side")
    lines = _log(clone)
    assert json.loads(lines[-1])["action"] == "carry"
    assert json.loads(json.loads(lines[-1])["carried"])["actor"]["email"] == "bob@example.invalid"
    out = clone.verify()
    assert out.returncode == 0, out.stderr


def test_a_rebased_branch_carries_its_entries_and_verifies(clone: World) -> None:
    _branch_with_bobs_rotation(clone)
    clone.git("bob", "checkout", "-q", "side")
    clone.git("bob", "rebase", "-q", "main")
    assert json.loads(_log(clone)[-1])["actor"]["email"] == "bob@example.invalid"
    out = clone.verify("bob")
    assert out.returncode == 0, out.stderr


def test_attack_replaying_an_entry_as_a_carry(clone: World) -> None:
    from sealer.audit.log import Actor, Writer

    alice = clone.people["alice"]
    who = Actor(alice.name, alice.email, sshsig.load_signer(str(alice.ssh.private)))
    old = _log(clone)[9].decode()
    Writer(clone.repo / ".sealer" / "audit.jsonl", who, None).append(
        [{"action": "carry", "carried": old}]
    )
    c = clone.commit("alice", "replay")
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 10: carries an entry the log already has (a replay)"
    ]


def test_attack_carrying_an_entry_signed_by_an_unlisted_key(clone: World) -> None:
    from sealer.audit.log import Actor, Writer, build, line_hash

    alice, mallory = clone.people["alice"], clone.people["mallory"]
    forged = build(
        {
            "action": "datakey.rotate",
            "file": APP,
            "recipients": {"added": [], "removed": [], "after": [[alice.age_recipient]]},
            "rotated": True,
            "data_key_id": "sha256:" + "1" * 64,
        },
        Actor(alice.name, alice.email, sshsig.load_signer(str(mallory.ssh.private))),
        3,
        line_hash(b"elsewhere"),
        None,
    )
    who = Actor(alice.name, alice.email, sshsig.load_signer(str(alice.ssh.private)))
    Writer(clone.repo / ".sealer" / "audit.jsonl", who, None).append(
        [{"action": "carry", "carried": forged.decode()}]
    )
    c = clone.commit("alice", "carry a forgery")
    assert _failures(clone) == [
        f"commit {c[:12]}: entry 10: {APP}: the carried entry's signer not authorised: "
        f"key {mallory.ssh.fingerprint} is not in allowed_signers",
        f"commit {c[:12]}: entry 10: {APP}: the entry's data_key_id is not the committed "
        "file's data key",
    ]
