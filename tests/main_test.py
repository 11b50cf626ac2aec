"""The program entry: exit codes, and the hot command lines without click as with it."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers import AgeKey, run, sealer

# Never loaded to open or seal a plain block YAML file: click, libyaml and
# ruamel.yaml (the line reader takes such files), the optional key services,
# and what start-up leaves out: datetime, hashlib's OpenSSL (SHA-512 comes from
# cryptography, loaded anyway for AES-GCM), pathlib.
HEAVY_LIST = (
    "HEAVY = ('click', '_ruamel_yaml', 'ruamel.yaml', 'boto3', 'pkcs11', 'pygit2',"
    " 'datetime', '_hashlib', 'pathlib')\n"
)


def run_on_sealed(in_tmp: Path, age_key: AgeKey, files: dict[str, str], code: str) -> str:
    """Seal each file in place, then run `code` in a fresh Python that can open them: its stdout."""
    for name, text in files.items():
        (in_tmp / name).write_text(text)
        sealer("encrypt", "-i", "--age", age_key.recipient, name, check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    return run([sys.executable, "-c", code], env=env, cwd=in_tmp, check=True).stdout


def test_fast_decrypt_matches_the_click_path(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text("a: 1\nb: two\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "s.yaml", check=True)
    env = {"SEALER_AGE_KEY": age_key.secret}
    fast = sealer("decrypt", "s.yaml", env=env)
    slow = sealer("decrypt", "--", "s.yaml", env=env)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert fast.stdout == "a: 1\nb: two\n"
    locked_fast = sealer("decrypt", "s.yaml")
    locked_slow = sealer("decrypt", "--", "s.yaml")
    assert locked_fast.returncode == locked_slow.returncode == 128
    assert locked_fast.stderr == locked_slow.stderr
    missing = sealer("decrypt", "nope.yaml")
    assert missing.returncode == 6 and missing.stderr == "sealer: error: nope.yaml: no such file\n"


def test_fast_decrypt_does_not_import_click(in_tmp: Path, age_key: AgeKey) -> None:
    code = (
        "import sys\nfrom sealer.main import main\n"
        "rc = main(['decrypt', 's.yaml'])\n"
        "assert rc == 0, rc\n"
        "heavy = [m for m in HEAVY if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    run_on_sealed(in_tmp, age_key, {"s.yaml": "a: 1\n"}, HEAVY_LIST + code)


def test_fast_encrypt_matches_the_click_path(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "p.yaml").write_text("a: 1 # one\nb: two\n")
    nowhere = sealer("encrypt", "p.yaml")  # no rules file governs it yet
    nowhere_slow = sealer("encrypt", "--", "p.yaml")
    assert nowhere.returncode == nowhere_slow.returncode == 5  # configuration
    assert nowhere.stderr == nowhere_slow.stderr
    assert "no .sealer.yaml or .sops.yaml governs this file" in nowhere.stderr
    (in_tmp / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: \\.yaml$\n    age: {age_key.recipient}\n"
    )
    fast = sealer("encrypt", "p.yaml")
    slow = sealer("encrypt", "--", "p.yaml")
    assert fast.returncode == slow.returncode == 0 and fast.stderr == slow.stderr == ""
    for out in (fast, slow):
        assert "ENC[AES256_GCM," in out.stdout and age_key.recipient in out.stdout
        (in_tmp / "s.yaml").write_text(out.stdout)
        opened = sealer("decrypt", "s.yaml", env={"SEALER_AGE_KEY": age_key.secret}, check=True)
        assert opened.stdout == "a: 1 # one\nb: two\n"
    again = sealer("encrypt", "s.yaml")
    assert again.returncode == sealer("encrypt", "--", "s.yaml").returncode == 203
    missing = sealer("encrypt", "nope.yaml")
    assert missing.returncode == 6 and missing.stderr == "sealer: error: nope.yaml: no such file\n"


def test_fast_encrypt_with_age_matches_the_click_path(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "p.yaml").write_text("a: 1\nb: two\n")
    env = {"SEALER_AGE_KEY": age_key.secret}
    for recipients in (age_key.recipient, f"{age_key.recipient},{age_key.recipient}"):
        fast = sealer("encrypt", "--age", recipients, "p.yaml")
        slow = sealer("encrypt", "--age", recipients, "--", "p.yaml")
        assert fast.returncode == slow.returncode == 0 and fast.stderr == slow.stderr == ""
        for out in (fast, slow):
            assert out.stdout.count(age_key.recipient) == recipients.count("age1")
            (in_tmp / "s.yaml").write_text(out.stdout)
            assert sealer("decrypt", "s.yaml", env=env, check=True).stdout == "a: 1\nb: two\n"
    for bad in ("age1nope", "", "ssh-ed25519 AAAAnope"):
        fast = sealer("encrypt", "--age", bad, "p.yaml")
        slow = sealer("encrypt", "--age", bad, "--", "p.yaml")
        assert (fast.returncode, fast.stdout, fast.stderr) == (
            slow.returncode,
            slow.stdout,
            slow.stderr,
        )
        assert fast.returncode == 5, fast.stderr  # a bad recipient, or (none) no rule


def test_fast_encrypt_does_not_import_click(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "p.yaml").write_text("a: 1\n")
    (in_tmp / ".sealer.yaml").write_text(f"creation_rules:\n  - age: {age_key.recipient}\n")
    code = (
        "import sys\nfrom sealer.main import main\n"
        "for argv in (['encrypt', 'p.yaml'], ['encrypt', '--age', sys.argv[1], 'p.yaml']):\n"
        "    assert main(argv) == 0\n"
        "heavy = [m for m in HEAVY if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    out = run([sys.executable, "-c", HEAVY_LIST + code, age_key.recipient], cwd=in_tmp, check=True)
    assert out.stdout.count("ENC[AES256_GCM,") == 4  # two files, each a value and the MAC


def test_unexpected_errors_exit_3_with_a_log(in_tmp: Path) -> None:
    code = (
        "import sys\nimport sealer.commands.decrypt as d\n"
        "def boom(*a, **k): raise RuntimeError('internal detail')\n"
        "d.decrypt = boom\nfrom sealer.main import main\nsys.exit(main(['decrypt', 'x.yaml']))\n"
    )
    out = run([sys.executable, "-c", code], cwd=in_tmp)
    assert out.returncode == 3
    assert "sealer: error: unexpected RuntimeError; this is a bug" in out.stderr
    log = out.stderr.split("details are in ")[1].split(";")[0]
    text = Path(log).read_text()
    assert "sealer 0.1.0" in text and "builtins.RuntimeError (message not recorded)" in text
    assert "internal detail" not in text
    assert oct(Path(log).stat().st_mode & 0o777) == "0o600"


def test_the_fast_path_runs_without_the_collector_and_restores_it(
    in_tmp: Path, age_key: AgeKey
) -> None:
    code = (
        "import gc, sys\nimport sealer.commands.decrypt as d\nfrom sealer.main import main\n"
        "seen = []\nreal = d.decrypt\n"
        "d.decrypt = lambda f: seen.append(gc.isenabled()) or real(f)\n"
        "assert main(['decrypt', 's.yaml']) == 0 and seen == [False] and gc.isenabled()\n"
        "gc.disable()\n"
        "assert main(['decrypt', 's.yaml']) == 0 and not gc.isenabled()\n"
    )
    run_on_sealed(in_tmp, age_key, {"s.yaml": "a: 1\n"}, code)


def test_the_program_freezes_what_is_alive_before_it_exits(in_tmp: Path, age_key: AgeKey) -> None:
    # gc.freeze(): the interpreter's exit skips those objects instead of walking
    # them for cycles; main() called in-process (argv given) leaves the collector alone
    code = (
        "import gc, sys\nfrom sealer.main import main\n"
        "assert main(['decrypt', 's.yaml']) == 0 and gc.get_freeze_count() == 0\n"
        "sys.argv = ['sealer', 'decrypt', 's.yaml']\n"
        "assert main() == 0 and gc.get_freeze_count() > 0 and gc.isenabled()\n"
    )
    assert run_on_sealed(in_tmp, age_key, {"s.yaml": "a: 1\n"}, code) == "a: 1\na: 1\n"


def test_opening_json_dotenv_and_ini_loads_nothing_heavy(in_tmp: Path, age_key: AgeKey) -> None:
    # dataclasses loads inspect, ast, dis and tokenize: a quarter of a small file's
    # start-up; the formats' records are NamedTuples instead
    files = {"s.json": '{"a": 1}\n', "s.env": "A=1\n", "s.ini": "[s]\na = 1\n"}
    code = (
        "import sys\nfrom sealer.main import main\n"
        "for name in ('s.json', 's.env', 's.ini'):\n"
        "    assert main(['decrypt', name]) == 0\n"
        "heavy = [m for m in HEAVY + ('dataclasses', 'inspect', 'ast') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    out = run_on_sealed(in_tmp, age_key, files, HEAVY_LIST + code)
    assert out == "".join(files.values())
