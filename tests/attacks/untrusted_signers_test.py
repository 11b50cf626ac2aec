"""An allowed_signers window holds at a time the signer does not choose.

Regression tests for issue 14, point 4: on 74d6504 `valid-before`/`valid-after`
were checked against the `time` the signer wrote into the entry, so a key that
had expired signed on by backdating its entries, and a key not yet valid by
post-dating them.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from sealer.audit import LOG, NAMESPACE, SIGNERS, sshsig
from sealer.audit.log import Actor, Writer, data_key_id
from tests.attacks.hostile import AuditRepo, audit_repo
from tests.audit.keys import Person


def _writer(r: AuditRepo, who: Person) -> Writer:
    actor = Actor(who.name, who.email, sshsig.load_signer(str(who.ssh.private)))
    head = r.ok("alice", "git", "rev-parse", "HEAD").strip()
    return Writer(r.root / LOG, actor, head)


def allow_mallory_with(r: AuditRepo, option: str) -> None:
    """alice lists mallory's key with `option`, signs the signers.update, commits."""
    mallory = r.people["mallory"]
    path = r.root / SIGNERS
    text = path.read_text() + (
        f'{mallory.email} {option},namespaces="{NAMESPACE}" {mallory.ssh.public_text}\n'
    )
    fields = {
        "action": "signers.update",
        "file": SIGNERS,
        "signers": {
            "added": [mallory.email],
            "removed": [],
            "file_sha256": "sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        },
    }
    path.write_text(text)
    _writer(r, r.people["alice"]).append([fields])
    r.commit("alice", "allow mallory")
    out = r.run("alice", *_sealer("audit", "verify"))
    assert out.returncode == 0, out.stderr


def _sealer(*args: str) -> list[str]:
    return [sys.executable, "-m", "sealer", *args]


def mallory_rekeys_with_time(r: AuditRepo, time: str) -> str:
    """mallory seals secrets/app.yaml for herself and signs an entry dated `time`."""
    mallory = r.people["mallory"]
    name = "secrets/app.yaml"
    (r.root / name).write_text("token: mallory-chose-this\n")
    r.sealer("mallory", "encrypt", "-i", "--age", mallory.age_recipient, name)
    alice = r.people["alice"].age_recipient
    fields = {
        "action": "recipients.update",
        "file": name,
        "recipients": {
            "added": [mallory.age_recipient],
            "removed": [alice],
            "after": [[mallory.age_recipient]],
        },
        "rotated": True,
        "data_key_id": data_key_id(b"\0" * 32),
        "time": time,
    }
    _writer(r, mallory).append([fields])
    return r.commit("mallory", "routine rotation")


@pytest.mark.parametrize(
    ("option", "claimed", "reason"),
    [
        ('valid-before="20200101"', "2019-06-01T00:00:00Z", "expired at 20200101"),
        ('valid-after="29990101"', "2999-06-01T00:00:00Z", "is valid only after 29990101"),
    ],
)
def test_a_signer_outside_its_window_cannot_choose_the_entry_time(
    tmp_path: Path, option: str, claimed: str, reason: str
) -> None:
    r = audit_repo(tmp_path)
    allow_mallory_with(r, option)
    c = mallory_rekeys_with_time(r, claimed)
    assert r.failures() == [
        f"commit {c[:12]}: entry 3: secrets/app.yaml: signer not authorised: line 3 {reason}"
    ]


def test_an_entry_inside_the_window_still_verifies(tmp_path: Path) -> None:
    r = audit_repo(tmp_path)
    allow_mallory_with(r, 'valid-before="29990101"')
    mallory_rekeys_with_time(r, "2026-01-01T00:00:00Z")
    out = r.run("alice", *_sealer("audit", "verify"))
    assert out.returncode == 0, out.stderr
