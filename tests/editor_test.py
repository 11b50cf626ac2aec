"""`sealer edit`: private scratch files, no change without a change, never losing work."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from tests.helpers import AgeKey, run, sealer

PLAIN = "db:\n  password: hunter2\n  port: 5432\n"


def editor(tmp: Path, name: str, body: str) -> str:
    path = tmp / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def sealed_file(tmp: Path, key: AgeKey) -> Path:
    path = tmp / "s.yaml"
    path.write_text(PLAIN)
    sealer("encrypt", "-i", "--age", key.recipient, str(path), check=True)
    return path


def test_edit_changes_one_value(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    ed = editor(in_tmp, "ed.sh", "sed -i 's/5432/6543/' \"$1\"")
    env = {"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed}
    sealer("edit", str(path), env=env, check=True)
    out = sealer("decrypt", str(path), env=env, check=True)
    assert out.stdout == PLAIN.replace("5432", "6543")


def test_scratch_file_is_private_and_removed(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    record = in_tmp / "seen.txt"
    ed = editor(
        in_tmp,
        "ed.sh",
        f'stat -c "%a %n" "$1" > {record}; stat -c %a "$(dirname "$1")" >> {record}',
    )
    sealer("edit", str(path), env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed}, check=True)
    mode, scratch, dmode = record.read_text().replace("\n", " ").split()[:3]
    assert mode == "600" and dmode == "700"
    assert scratch.startswith(os.environ["SEALER_PRIVATE_DIR"] + "/sealer-edit-")
    assert not os.path.exists(scratch) and not os.path.exists(os.path.dirname(scratch))


def test_no_change_writes_nothing(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    out = sealer("edit", str(path), env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": "true"})
    assert out.returncode == 0 and "no changes" in out.stderr
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_editor_failure_keeps_the_original(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    before = path.read_bytes()
    ed = editor(in_tmp, "ed.sh", 'echo changed > "$1"; exit 3')
    out = sealer("edit", str(path), env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed})
    assert out.returncode == 1
    assert "the editor exited with status 3; the file is unchanged" in out.stderr
    assert path.read_bytes() == before


def test_invalid_content_keeps_original_and_edits(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    before = path.read_bytes()
    ed = editor(in_tmp, "ed.sh", "echo 'broken: [' >> \"$1\"")
    out = sealer("edit", str(path), env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed}, input="")
    assert out.returncode == 4
    assert "the sealed file is unchanged" in out.stderr
    assert "hunter2" not in out.stderr
    assert path.read_bytes() == before
    kept = out.stderr.split("your edits are kept in ")[1].split(" ")[0]
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert "broken: [" in Path(kept).read_text()
    # the next edit points at the leftover, then the user removes it
    again = sealer("edit", str(path), env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": "true"})
    assert f"its plaintext is in {os.path.dirname(kept)}" in again.stderr
    shutil.rmtree(os.path.dirname(kept))


def test_a_leftover_holding_only_its_lock_is_removed_without_a_warning(
    in_tmp: Path, age_key: AgeKey
) -> None:
    path = sealed_file(in_tmp, age_key)
    private = Path(os.environ["SEALER_PRIVATE_DIR"])
    empty, kept = private / "sealer-edit-empty", private / "sealer-edit-kept"
    for leftover in (empty, kept):
        leftover.mkdir(mode=0o700)
        (leftover / ".lock").write_bytes(b"")
    (kept / "app.yaml").write_text("password: typed-but-never-saved\n")
    out = sealer("edit", str(path), env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": "true"})
    assert out.returncode == 0, out.stderr
    assert not empty.exists()
    assert str(empty) not in out.stderr
    assert f"its plaintext is in {kept} (only you can read it)" in out.stderr
    assert (kept / "app.yaml").exists()


def test_invalid_content_on_a_terminal_reopens_the_editor(in_tmp: Path, age_key: AgeKey) -> None:
    """With a terminal, the user is sent back; here `script` gives the editor a tty."""
    path = sealed_file(in_tmp, age_key)
    count = in_tmp / "count"
    ed = editor(
        in_tmp,
        "ed.sh",
        f"n=$(cat {count} 2>/dev/null || echo 0); echo $((n+1)) > {count}\n"
        f'if [ "$n" = 0 ]; then echo "broken: [" >> "$1"; else sed -i "s/broken: \\[//" "$1"; '
        f'sed -i "s/5432/7777/" "$1"; fi',
    )
    import shlex
    import sys

    cmd = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "sealer", "edit", str(path)])
    from tests.helpers import run, tool

    out = run([tool("script"), "-qec", cmd, "/dev/null"], input="\n",
              env={"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed})  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert count.read_text().strip() == "2"
    opened = sealer("decrypt", str(path), env={"SEALER_AGE_KEY": age_key.secret}, check=True)
    assert "port: 7777" in opened.stdout


def test_edit_creates_a_new_file_from_rules(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / ".sealer.yaml").write_text(f"creation_rules:\n  - age: {age_key.recipient}\n")
    ed = editor(in_tmp, "ed.sh", "printf 'token: abc\\n' > \"$1\"")
    env = {"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed}
    sealer("edit", "new.yaml", env=env, check=True)
    assert "abc" not in (in_tmp / "new.yaml").read_text()
    assert sealer("get", "new.yaml", "token", env=env).stdout == "abc"


def test_missing_key_leaves_file_alone(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    before = path.read_bytes()
    out = sealer("edit", str(path), env={"EDITOR": "true"})
    assert out.returncode == 128 and path.read_bytes() == before


def test_sealer_private_dir_takes_the_scratch_files(in_tmp: Path, age_key: AgeKey) -> None:
    path = sealed_file(in_tmp, age_key)
    private = in_tmp / "private"
    private.mkdir(mode=0o700)
    record = in_tmp / "seen.txt"
    ed = editor(in_tmp, "ed.sh", f'echo "$1" > {record}')
    env = {"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed, "SEALER_PRIVATE_DIR": str(private)}
    sealer("edit", str(path), env=env, check=True)
    assert record.read_text().startswith(f"{private}/sealer-edit-")
    assert list(private.iterdir()) == []
    missing = sealer("edit", str(path), env={**env, "SEALER_PRIVATE_DIR": str(in_tmp / "nope")})
    assert missing.returncode == 6
    assert "SEALER_PRIVATE_DIR" in missing.stderr and "not a directory" in missing.stderr


def test_without_dev_shm_edit_warns_that_the_scratch_file_is_on_disk(
    in_tmp: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run as on a machine without /dev/shm: sealer's idea of it points nowhere."""
    monkeypatch.delenv("SEALER_PRIVATE_DIR")
    path = sealed_file(in_tmp, age_key)
    code = (
        "import sys\nfrom pathlib import Path\nimport sealer.privatedir as p\n"
        f"p.SHM = Path({str(in_tmp / 'no-shm')!r})\nfrom sealer.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    record = in_tmp / "seen.txt"
    ed = editor(in_tmp, "ed.sh", f'echo "$1" > {record}')
    env = {"SEALER_AGE_KEY": age_key.secret, "EDITOR": ed, "TMPDIR": str(in_tmp)}
    out = run([sys.executable, "-c", code, "edit", str(path)], env=env)
    assert out.returncode == 0, out.stderr
    assert "no /dev/shm here, so the plaintext goes to a private file on disk" in out.stderr
    assert record.read_text().startswith(f"{in_tmp}/sealer-edit-")
