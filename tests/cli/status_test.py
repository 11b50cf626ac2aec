"""`sealer status` and `sealer keygen`."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.helpers import AgeKey, make_age_key, run, sealer, tool

SECRET = "AGE-SECRET-KEY-" + "1"  # split so the file itself holds no key-like text


def test_status_reports_sealed_plain_locked_and_broken(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text("a: 1\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    (in_tmp / "p.yaml").write_text("a: 1\n")
    (in_tmp / "bad.yaml").write_text("a: [\n")
    with_key = sealer("status", "s.yaml", "p.yaml", env={"SEALER_AGE_KEY": age_key.secret})
    assert with_key.returncode == 0
    assert with_key.stdout.splitlines()[1:4] == [
        with_key.stdout.splitlines()[1],
        f"  age: {age_key.recipient}",
        "  mac: ok",
    ]
    assert "p.yaml:\n  not sealed (yaml)" in with_key.stdout
    locked = sealer("status", "--json", "s.yaml")
    assert json.loads(locked.stdout)["mac"] == "not checked (no key)"
    broken = sealer("status", "bad.yaml")
    assert broken.returncode == 4 and "error:" in broken.stdout


def test_status_lists_key_groups(in_tmp: Path, tmp_path: Path) -> None:
    a, b = make_age_key(tmp_path / "k", "a"), make_age_key(tmp_path / "k", "b")
    (in_tmp / ".sealer.yaml").write_text(
        f"creation_rules:\n  - key_groups:\n      - age: [{a.recipient}]\n      - age: [{b.recipient}]\n"
    )
    (in_tmp / "s.yaml").write_text("a: 1\n")
    sealer("encrypt", "-i", "s.yaml", check=True)
    out = sealer("status", "s.yaml", env={"SEALER_AGE_KEY": a.secret + "\n" + b.secret}).stdout
    assert "key groups: 2, threshold 2" in out
    assert f"group 1 age: {a.recipient}" in out and f"group 2 age: {b.recipient}" in out


def test_keygen_writes_a_private_key_file_that_age_can_use(
    in_tmp: Path, isolated_env: Path
) -> None:
    recipient = sealer("keygen", check=True).stdout.strip()
    assert recipient.startswith("age1")
    keyfile = isolated_env / ".config" / "sealer" / "age" / "keys.txt"
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert stat.S_IMODE(keyfile.parent.stat().st_mode) == 0o700
    assert f"# public key: {recipient}" in keyfile.read_text()
    second = sealer("keygen", check=True).stdout.strip()
    assert keyfile.read_text().count(SECRET) == 2 and second != recipient
    (in_tmp / "m.txt").write_text("hello")
    enc = run([tool("age"), "-r", recipient, "-o", "m.age", "m.txt"], cwd=in_tmp, check=True)
    assert enc.returncode == 0
    dec = run([tool("age"), "-d", "-i", str(keyfile), "m.age"], cwd=in_tmp, check=True)
    assert dec.stdout == "hello"
    # and sealer uses the key file without being told
    (in_tmp / "s.yaml").write_text("a: 1\n")
    sealer("encrypt", "-i", "--age", recipient, "s.yaml", check=True)
    assert sealer("decrypt", "s.yaml", check=True).stdout == "a: 1\n"


def test_keygen_to_stdout_writes_no_file(in_tmp: Path, isolated_env: Path) -> None:
    out = sealer("keygen", "-o", "-", check=True).stdout
    assert out.count(SECRET) == 1
    assert out.splitlines()[1].startswith("# public key: age1")
    assert out.splitlines()[-1].startswith(SECRET)
    assert not (isolated_env / ".config" / "sealer").exists()


def test_status_names_ssh_recipients_as_ssh(in_tmp: Path) -> None:
    key = in_tmp / "id_ed25519"
    run([tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = (in_tmp / "id_ed25519.pub").read_text().strip()
    (in_tmp / "s.yaml").write_text("a: 1\n")
    sealer("encrypt", "-i", "--ssh", public, "s.yaml", check=True)
    out = sealer("status", "s.yaml", env={"SOPS_AGE_SSH_PRIVATE_KEY_FILE": str(key)}).stdout
    assert "  ssh: ssh-ed25519 " in out and "mac: ok" in out
