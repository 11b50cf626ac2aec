"""`encrypt`/`decrypt --recursive DIR --out DIR`: whole trees, and one bad file stops nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import seal_file
from tests.helpers import AgeKey, make_age_key, sealer, sops

PLAIN = {
    "app/config.yaml": "db:\n  password: hunter2 # why\n  port: 5432\n",
    "app/config.json": '{"token": "t0k", "n": 1}\n',
    "app/.env": "API_KEY=abc\n",
    "app/nested/deep/settings.ini": "[db]\npassword = pw\n",
    "app/blob.bin": "raw \x00 bytes\n",
}


def make_tree(root: Path, key: AgeKey) -> None:
    for rel, text in PLAIN.items():
        seal_file(root / rel, text, key.recipient)
    (root / "app/README.md").write_text("not a secret\n")
    (root / "app/.git").mkdir()
    (root / "app/.git/config").write_text("[core]\n")


@pytest.fixture
def key_env(age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> AgeKey:
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(age_key.file))
    return age_key


def test_decrypt_tree_opens_every_sealed_file_and_copies_the_rest(
    in_tmp: Path, key_env: AgeKey
) -> None:
    make_tree(in_tmp, key_env)
    r = sealer("decrypt", "--recursive", "app", "--out", "out")
    assert r.returncode == 0, r.stderr
    for rel, text in PLAIN.items():
        out = in_tmp / "out" / rel.removeprefix("app/")
        assert out.read_bytes() == text.encode(), rel
        assert out.stat().st_mode & 0o777 == 0o600
    assert (in_tmp / "out/README.md").read_text() == "not a secret\n"
    assert not (in_tmp / "out/.git").exists()
    for d in ("out", "out/nested", "out/nested/deep"):
        assert (in_tmp / d).stat().st_mode & 0o777 == 0o700
    assert r.stderr == "sealer: decrypted 5 files; copied 1 unchanged\n"


def test_one_bad_file_is_reported_and_the_others_finish(in_tmp: Path, key_env: AgeKey) -> None:
    make_tree(in_tmp, key_env)
    other = make_age_key(in_tmp / "other")
    seal_file(in_tmp / "app/b-not-mine.yaml", "x: 1\n", other.recipient)
    r = sealer("decrypt", "--recursive", "app", "--out", "out")
    assert r.returncode == 128  # the one failure's code (no key)
    assert "sealer: error: app/b-not-mine.yaml: no identity can open the data key" in r.stderr
    assert r.stderr.endswith("failed: b-not-mine.yaml\n")
    assert not (in_tmp / "out/b-not-mine.yaml").exists()
    assert (in_tmp / "out/nested/deep/settings.ini").read_text() == "[db]\npassword = pw\n"
    assert (in_tmp / "out/config.yaml").exists()


def test_failures_of_different_kinds_exit_1_and_are_all_named(
    in_tmp: Path, key_env: AgeKey
) -> None:
    make_tree(in_tmp, key_env)
    other = make_age_key(in_tmp / "other")
    seal_file(in_tmp / "app/a-not-mine.yaml", "x: 1\n", other.recipient)
    (in_tmp / "app/broken.yaml").write_text("a: [unclosed\n")
    damaged = (in_tmp / "app/config.json").read_text().replace("data:", "data:AAAA", 1)
    (in_tmp / "app/config.json").write_text(damaged)
    r = sealer("decrypt", "--recursive", "app", "--out", "out")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert [line.split(":")[2].strip() for line in lines[:-1]] == [
        "app/a-not-mine.yaml",
        "app/broken.yaml",
        "app/config.json",
    ]
    assert lines[-1] == (
        "sealer: decrypted 4 files; copied 1 unchanged; "
        "3 failed: a-not-mine.yaml, broken.yaml, config.json"
    )


def test_encrypt_tree_seals_every_file_and_sops_opens_them(in_tmp: Path, age_key: AgeKey) -> None:
    for rel, text in PLAIN.items():
        (in_tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / rel).write_text(text)
    seal_file(in_tmp / "app/already.yaml", "k: v\n", age_key.recipient)
    before = (in_tmp / "app/already.yaml").read_bytes()
    r = sealer("encrypt", "--recursive", "app", "--out", "sealed", "--age", age_key.recipient)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "sealer: encrypted 5 files; copied 1 unchanged\n"
    assert (in_tmp / "sealed/already.yaml").read_bytes() == before
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    for rel, text in PLAIN.items():
        sealed = in_tmp / "sealed" / rel.removeprefix("app/")
        assert "hunter2" not in sealed.read_text()
        got = sops("--decrypt", str(sealed), env=env)
        assert got.returncode == 0, got.stderr
        if rel.endswith((".env", ".bin")):
            assert got.stdout_bytes == text.encode()
    back = sealer("decrypt", "-r", "sealed", "--out", "back", env=env)
    assert back.returncode == 0, back.stderr
    for rel, text in PLAIN.items():
        assert (in_tmp / "back" / rel.removeprefix("app/")).read_text() == text


def test_encrypt_tree_with_rules_fails_closed_on_a_file_no_rule_covers(
    in_tmp: Path, age_key: AgeKey
) -> None:
    (in_tmp / "app").mkdir()
    rules = f"creation_rules:\n  - path_regex: \\.yaml$\n    age: {age_key.recipient}\n"
    (in_tmp / "app/.sealer.yaml").write_text(rules)
    (in_tmp / "app/a.yaml").write_text("password: x\n")
    (in_tmp / "app/b.txt").write_text("plain secret\n")
    r = sealer("encrypt", "-r", "app", "--out", "sealed")
    assert r.returncode == 5
    assert "app/b.txt: no creation rule in" in r.stderr
    assert not (in_tmp / "sealed/b.txt").exists()
    assert (in_tmp / "sealed/.sealer.yaml").read_text() == rules
    assert "ENC[AES256_GCM" in (in_tmp / "sealed/a.yaml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-r", "app"], "--recursive needs --out DIR"),
        (["app/x.yaml", "--out", "o"], "--out DIR goes with --recursive"),
        (["-r", "app", "--out", "o", "-i"], "-i, -o and the like are for one file"),
        (["-r", "app", "--out", "app/out"], "app/out: the output directory is inside app"),
        (["-r", "app/x.yaml", "--out", "o"], "app/x.yaml: not a directory"),
    ],
)
def test_bad_recursive_options(in_tmp: Path, args: list[str], message: str) -> None:
    (in_tmp / "app").mkdir()
    (in_tmp / "app/x.yaml").write_text("a: 1\n")
    r = sealer("decrypt", *args)
    assert r.returncode in (2, 6)
    assert message in r.stderr


def test_progress_bar_on_a_terminal(in_tmp: Path, key_env: AgeKey) -> None:
    make_tree(in_tmp, key_env)
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sealer", "decrypt", "-r", "app", "--out", "out"],
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=30) == 0
    shown = b"".join(chunks).decode()
    assert "decrypting [" in shown
    assert "6/6 100%" in shown
    assert shown.rstrip().endswith("sealer: decrypted 5 files; copied 1 unchanged")
