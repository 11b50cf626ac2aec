"""Errors, warnings, --debug output and the bug log never show a secret value.

Each case forces one error path on a file holding a known secret, with and
without --debug, and greps everything sealer printed or logged.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.helpers import AgeKey, make_age_key, run, sealer

SECRET = "Zq8-unique-secret-value-77"


def sealed(tmp: Path, key: AgeKey, text: str, name: str = "s.yaml") -> Path:
    path = tmp / name
    path.write_text(text)
    sealer("encrypt", "-i", "--age", key.recipient, str(path), check=True)
    return path


def everything_printed(tmp: Path, args: list[str], env: dict[str, str], stdin: str = "") -> str:
    out = []
    for debug in ([], ["--debug"]):
        result = sealer(*debug, *args, env=env, cwd=tmp, input=stdin)
        assert result.returncode != 0, args
        out += [result.stdout, result.stderr]
    logs = Path(env.get("XDG_STATE_HOME", "/nonexistent")).glob("sealer/*.log")
    out += [p.read_text() for p in logs]
    return "\n".join(out)


def tamper(path: Path, field: str) -> None:
    text = path.read_text()
    m = re.search(rf"{field}: \S*ENC\[AES256_GCM,data:(.)", text)
    assert m is not None
    i = m.start(1)
    path.write_text(text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :])


CASES = [
    "tampered",
    "mac",
    "wrong key",
    "bad yaml",
    "bad json value",
    "bad edit",
    "crash",
    "extract",
]


@pytest.mark.parametrize("case", CASES)
def test_no_error_path_prints_the_secret(
    tmp_path: Path, age_key: AgeKey, case: str, isolated_env: Path
) -> None:
    env = {"SEALER_AGE_KEY": age_key.secret, "XDG_STATE_HOME": str(tmp_path / "state")}
    plain = f"user: admin\npassword: {SECRET}\nother: {SECRET}-2\n"
    if case == "tampered":
        path = sealed(tmp_path, age_key, plain)
        tamper(path, "password")
        text = everything_printed(tmp_path, ["decrypt", str(path)], env)
    elif case == "mac":
        path = sealed(tmp_path, age_key, plain)
        path.write_text(path.read_text().replace("user: ", "usr: ", 1))
        text = everything_printed(tmp_path, ["decrypt", str(path)], env)
    elif case == "wrong key":
        path = sealed(tmp_path, age_key, plain)
        other = make_age_key(tmp_path / "k", "other")
        text = everything_printed(
            tmp_path, ["decrypt", str(path)], {**env, "SEALER_AGE_KEY": other.secret}
        )
    elif case == "bad yaml":
        (tmp_path / "b.yaml").write_text(f"password: {SECRET}\n  broken: [\n")
        text = everything_printed(tmp_path, ["encrypt", "--age", age_key.recipient, "b.yaml"], env)
    elif case == "bad json value":
        path = sealed(tmp_path, age_key, plain)
        text = everything_printed(tmp_path, ["set", str(path), "password", SECRET], env)
    elif case == "bad edit":
        path = sealed(tmp_path, age_key, plain)
        editor = tmp_path / "ed.sh"
        editor.write_text("#!/bin/sh\necho 'oops: [' >> \"$1\"\n")
        editor.chmod(0o755)
        text = everything_printed(tmp_path, ["edit", str(path)], {**env, "EDITOR": str(editor)})
        for kept in re.findall(r"kept in (\S+) ", text):
            Path(kept).unlink(missing_ok=True)
    elif case == "crash":
        path = sealed(tmp_path, age_key, plain)
        code = (
            "import sys\nimport sealer.formats.yaml as y\n"
            "def boom(value, style): raise TypeError(f'cannot render {value!r}')\n"
            "y._render_plain = boom\nfrom sealer.main import main\n"
            "sys.exit(main(sys.argv[1:]))\n"
        )
        outs = []
        for debug in ([], ["--debug"]):
            r = run([sys.executable, "-c", code, *debug, "decrypt", "--", str(path)], env=env)
            assert r.returncode == 3
            outs += [r.stdout, r.stderr]
        logs = list((tmp_path / "state" / "sealer").glob("*.log"))
        assert logs
        text = "\n".join(outs + [p.read_text() for p in logs])
    else:  # extract of a missing path, with the secret in the path text
        path = sealed(tmp_path, age_key, plain)
        text = everything_printed(tmp_path, ["decrypt", "--extract", "nope", str(path)], env)
    assert "sealer: error:" in text
    assert SECRET not in text


def private_key_texts(tmp: Path, age_key: AgeKey) -> dict[str, str]:
    """Private keys a user might paste where a public recipient belongs."""
    key = tmp / "id_ed25519"
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return {"age": age_key.secret, "ssh": key.read_text()}


@pytest.mark.parametrize("flag", ["--age", "--ssh", "--pgp"])
@pytest.mark.parametrize("kind", ["age", "ssh"])
def test_a_private_key_given_as_recipient_is_not_repeated(
    tmp_path: Path, age_key: AgeKey, flag: str, kind: str, isolated_env: Path
) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    private = private_key_texts(tmp_path, age_key)[kind]
    (tmp_path / "s.yaml").write_text("a: 1\n")
    text = everything_printed(tmp_path, ["encrypt", flag, private, "s.yaml"], env)
    assert "private key" in text
    body = [ln for ln in private.splitlines() if "-----" not in ln]
    for line in body:
        assert line[:20] not in text, line[:8]


def test_a_failing_key_command_is_not_repeated(tmp_path: Path, isolated_env: Path) -> None:
    plain = tmp_path / "s.yaml"
    plain.write_text("a: 1\n")
    key = make_age_key(tmp_path / "k", "me")
    sealer("encrypt", "-i", "--age", key.recipient, str(plain), check=True)
    env = {"SEALER_AGE_KEY_CMD": f"false {SECRET}", "XDG_STATE_HOME": str(tmp_path / "state")}
    text = everything_printed(tmp_path, ["decrypt", str(plain)], env)
    assert "key command exited with status 1" in text
    assert SECRET not in text
    missing = {**env, "SEALER_AGE_KEY_CMD": f"/nonexistent/{SECRET}"}
    text = everything_printed(tmp_path, ["decrypt", str(plain)], missing)
    assert "could not run the key command" in text
    assert SECRET not in text
