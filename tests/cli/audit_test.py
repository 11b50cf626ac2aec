"""`sealer audit` set-up and signing keys through the CLI (agent, RSA), and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audit.keys import add_to_agent, make_person, make_ssh_key, ssh_agent
from tests.helpers import run, sealer, tool


def _git(repo: Path, *args: str) -> str:
    return run([tool("git"), *args], cwd=repo, check=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q")
    return path


def test_verify_without_an_audit_trail_says_so_with_exit_5(repo: Path) -> None:
    (repo / "a").write_text("x\n")
    _git(repo, "add", "a")
    _git(repo, "commit", "-qm", "a")
    out = sealer("audit", "verify", cwd=repo)
    assert out.returncode == 5
    assert out.stderr == (
        "sealer: error: no .sealer/allowed_signers in this branch's history: there is no audit "
        "trail to verify\nsealer: hint: set one up with `sealer audit init`\n"
    )


def test_init_sets_up_files_merge_driver_and_pins_once_committed(
    repo: Path, tmp_path: Path
) -> None:
    alice = make_person(tmp_path / "people", "alice")
    first = sealer("audit", "init", cwd=repo, env=alice.env(), check=True)
    assert "created .sealer/allowed_signers for alice@example.invalid" in first.stderr
    signers = (repo / ".sealer" / "allowed_signers").read_text()
    key = alice.ssh.public_text.rsplit(" ", 1)[0]  # without the comment
    assert f'alice@example.invalid namespaces="sealer-audit@sealer" {key}\n' in signers
    assert (repo / ".sealer" / "audit.jsonl").read_bytes() == b""
    assert (repo / ".gitattributes").read_text() == "/.sealer/audit.jsonl merge=sealer-audit\n"
    assert _git(repo, "config", "merge.sealer-audit.driver") == "sealer audit merge %O %A %B"
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "audit")
    second = sealer("audit", "init", cwd=repo, env=alice.env(), check=True)
    root = _git(repo, "rev-parse", "HEAD")
    assert second.stderr == f"sealer: pinned trust root {root[:12]}\n"
    assert (repo / ".gitattributes").read_text() == "/.sealer/audit.jsonl merge=sealer-audit\n"
    verified = sealer("audit", "verify", cwd=repo, env=alice.env(), check=True)
    assert "warning" not in verified.stderr


@pytest.mark.parametrize("kind", ["agent", "rsa", "ecdsa"])
def test_entries_signed_through_ssh_keygen_verify(repo: Path, tmp_path: Path, kind: str) -> None:
    alice = make_person(tmp_path / "people", "alice")
    env = alice.env()
    if kind == "agent":
        key = make_ssh_key(tmp_path / "k", "locked", passphrase="s3cret pass")
    else:
        key = make_ssh_key(tmp_path / "k", kind, kind)
    env["SEALER_SIGNING_KEY"] = str(key.public if kind == "agent" else key.private)
    with ssh_agent(tmp_path) as sock:
        if kind == "agent":
            add_to_agent(sock, key, "s3cret pass", tmp_path)
            env["SSH_AUTH_SOCK"] = sock
        sealer("audit", "init", cwd=repo, env=env, check=True)
        (repo / "s.yaml").write_text("a: secret\n")
        sealer(
            "encrypt", "--age", alice.age_recipient, "-i", "s.yaml", cwd=repo, env=env, check=True
        )
        sealer("audit", "record", "s.yaml", cwd=repo, env=env, check=True)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "root")
        sealer("rotate", "s.yaml", cwd=repo, env=env, check=True)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "rotate")
    out = sealer("audit", "verify", cwd=repo, env=alice.env(), check=True)
    assert "1 new entries" in out.stderr
    log = sealer("audit", "log", "--json", cwd=repo, check=True).stdout
    assert log.count(key.fingerprint) == 2


def test_init_puts_the_merge_driver_after_a_block_that_unsets_it(
    repo: Path, tmp_path: Path
) -> None:
    alice = make_person(tmp_path / "people", "alice")
    (repo / ".gitattributes").write_text(
        "/.sealer/audit.jsonl merge=sealer-audit\n*.yaml filter=sealer\n/.sealer/** !filter !merge\n"
    )
    sealer("audit", "init", cwd=repo, env=alice.env(), check=True)
    assert (repo / ".gitattributes").read_text() == (
        "*.yaml filter=sealer\n/.sealer/** !filter !merge\n/.sealer/audit.jsonl merge=sealer-audit\n"
    )
    attr = _git(repo, "check-attr", "merge", "--", ".sealer/audit.jsonl")
    assert attr == ".sealer/audit.jsonl: merge: sealer-audit"
