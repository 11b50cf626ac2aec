"""age plugins both ways, through the real protocol, with age and sops on the same plugin.

`age-plugin-sealertest` (tests/recipients/age_plugin_sealertest.py) is
installed on PATH for each test; it keeps its key in software and, with
SEALERTEST_PIN set, asks for a PIN as a hardware key would.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import AgeKey, run, sealer, sops, tool
from tests.recipients.startup_test import imported
from tests.recipients.terminal import on_terminal

PLUGIN_SOURCE = Path(__file__).with_name("age_plugin_sealertest.py")
PLAIN = '{"db": {"password": "hunter2"}}\n'


@dataclass(frozen=True)
class PluginKey:
    identity: str
    recipient: str
    file: Path  # an identity file, as age-plugin-NAME writes them

    @property
    def env(self) -> dict[str, str]:
        return {"SOPS_AGE_KEY_FILE": str(self.file)}


def install_plugin(bindir: Path) -> Path:
    """age-plugin-sealertest, run by this interpreter (it uses cryptography)."""
    bindir.mkdir(parents=True, exist_ok=True)
    path = bindir / "age-plugin-sealertest"
    path.write_text(f"#!{sys.executable}\n" + PLUGIN_SOURCE.read_text())
    path.chmod(0o755)
    return path


@pytest.fixture
def plugin_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = install_plugin(tmp_path / "plugin-bin")
    monkeypatch.setenv("PATH", f"{path.parent}{os.pathsep}{os.environ['PATH']}")
    return path


def make_plugin_key(plugin: Path, directory: Path, name: str = "plugin") -> PluginKey:
    directory.mkdir(parents=True, exist_ok=True)
    text = run([str(plugin), "--generate"], check=True).stdout
    file = directory / f"{name}.txt"
    file.write_text(text)
    recipient = text.split("# recipient: ", 1)[1].split()[0]
    identity = next(line for line in text.splitlines() if line.startswith("AGE-PLUGIN-"))
    return PluginKey(identity, recipient, file)


@pytest.fixture
def plugin_key(plugin_on_path: Path, tmp_path: Path) -> PluginKey:
    return make_plugin_key(plugin_on_path, tmp_path / "keys")


def _file(tmp_path: Path, name: str = "a.json") -> Path:
    path = tmp_path / name
    path.write_text(PLAIN)
    return path


def _sealed(tmp_path: Path, recipient: str) -> Path:
    path = _file(tmp_path)
    sealer("encrypt", "-i", "--age", recipient, str(path), check=True)
    return path


def _stanza(sealed: Path) -> dict[str, str]:
    (stanza,) = json.loads(sealed.read_text())["sops"]["age"]
    assert isinstance(stanza, dict)
    return stanza


def test_sealer_seals_for_a_plugin_recipient_and_sops_and_sealer_open_it(
    tmp_path: Path, plugin_key: PluginKey
) -> None:
    path = _sealed(tmp_path, plugin_key.recipient)
    assert _stanza(path)["recipient"] == plugin_key.recipient
    ours = sealer("decrypt", str(path), env=plugin_key.env, check=True)
    theirs = sops("decrypt", str(path), env=plugin_key.env, check=True)
    assert json.loads(ours.stdout) == json.loads(theirs.stdout) == json.loads(PLAIN)


def test_what_sops_seals_for_a_plugin_recipient_opens_in_sealer(
    tmp_path: Path, plugin_key: PluginKey
) -> None:
    path = _file(tmp_path)
    sops("encrypt", "-i", "--age", plugin_key.recipient, str(path), check=True)
    opened = sealer("decrypt", str(path), env=plugin_key.env, check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)


def test_debian_age_opens_the_stanza_sealer_wrote_and_sealer_opens_what_age_wrote(
    tmp_path: Path, plugin_key: PluginKey
) -> None:
    path = _sealed(tmp_path, plugin_key.recipient)
    enc = tmp_path / "enc.age"
    enc.write_text(_stanza(path)["enc"])
    by_age = run([tool("age"), "-d", "-i", str(plugin_key.file), str(enc)], check=True)
    data_key = by_age.stdout_bytes
    assert len(data_key) == 32
    # age wraps the same data key for the plugin recipient; sealer opens the file with it
    rewrapped = run(
        [tool("age"), "-a", "-r", plugin_key.recipient], input=data_key, check=True
    ).stdout
    sealed = json.loads(path.read_text())
    sealed["sops"]["age"][0]["enc"] = rewrapped
    path.write_text(json.dumps(sealed))
    assert base64.b64decode(rewrapped.splitlines()[1])[:21] == b"age-encryption.org/v1"
    opened = sealer("decrypt", str(path), env=plugin_key.env, check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)


def test_rules_name_plugin_recipients_beside_x25519_ones(
    tmp_path: Path, plugin_key: PluginKey, age_key: AgeKey
) -> None:
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - age: {plugin_key.recipient},{age_key.recipient}\n"
    )
    path = _file(tmp_path)
    sealer("encrypt", "-i", str(path), check=True)
    for env in (plugin_key.env, {"SOPS_AGE_KEY_FILE": str(age_key.file)}):
        assert json.loads(sops("decrypt", str(path), env=env, check=True).stdout)["db"]
        assert json.loads(sealer("decrypt", str(path), env=env, check=True).stdout)["db"]


def test_the_pin_is_asked_on_the_terminal_and_the_message_shown(
    tmp_path: Path, plugin_key: PluginKey
) -> None:
    path = _sealed(tmp_path, plugin_key.recipient)
    env = {**plugin_key.env, "SEALERTEST_PIN": "4711"}
    args = [sys.executable, "-m", "sealer", "decrypt", str(path)]
    prompt = b"age-plugin-sealertest: Enter the PIN of your sealertest key: "
    status, shown = on_terminal(args, [(prompt, b"4711")], env=env)
    assert status == 0, shown
    assert "sealer: age-plugin-sealertest: Touch your sealertest key" in shown
    assert "hunter2" in shown and "4711" not in shown


def test_without_a_terminal_a_pin_request_is_a_clear_error(
    tmp_path: Path, plugin_key: PluginKey
) -> None:
    path = _sealed(tmp_path, plugin_key.recipient)
    env = {**plugin_key.env, "SEALERTEST_PIN": "4711"}
    result = sealer("decrypt", str(path), env=env)
    assert result.returncode == 128
    assert (
        f'sealer: hint:   {plugin_key.recipient}: age-plugin-sealertest asked "Enter the PIN '
        'of your sealertest key" and there is no terminal to answer it (run sealer on a '
        "terminal to use this plugin key)\n"
    ) in result.stderr


def test_a_wrong_pin_is_reported(tmp_path: Path, plugin_key: PluginKey) -> None:
    path = _sealed(tmp_path, plugin_key.recipient)
    args = [sys.executable, "-m", "sealer", "decrypt", str(path)]
    prompt = b"Enter the PIN of your sealertest key: "
    env = {**plugin_key.env, "SEALERTEST_PIN": "4711"}
    status, shown = on_terminal(args, [(prompt, b"0000")], env=env)
    assert status == 128
    assert "age-plugin-sealertest: " in shown and "wrong or missing PIN" in shown


def test_another_plugin_key_is_not_mine_and_no_failure(
    tmp_path: Path, plugin_on_path: Path, plugin_key: PluginKey
) -> None:
    other = make_plugin_key(plugin_on_path, tmp_path / "keys", "other")
    path = _sealed(tmp_path, plugin_key.recipient)
    result = sealer("decrypt", str(path), env=other.env)
    assert result.returncode == 128
    assert result.stderr == (
        f"sealer: error: {path}: no identity can open the data key; the file is sealed for "
        "ageplugin recipients\n"
        "sealer: hint: the file wants a key for one of:\n"
        f"sealer: hint: {plugin_key.recipient}\n"
    )


def test_a_missing_plugin_is_named_when_sealing_and_opening(
    tmp_path: Path, plugin_key: PluginKey, plugin_on_path: Path
) -> None:
    path = _sealed(tmp_path, plugin_key.recipient)
    plugin_on_path.unlink()
    sealing = sealer("encrypt", "--age", plugin_key.recipient, str(_file(tmp_path, "b.json")))
    assert sealing.returncode == 5
    assert "age-plugin-sealertest is not on PATH, so sealer cannot seal for" in sealing.stderr
    opening = sealer("decrypt", str(path), env=plugin_key.env)
    assert "age-plugin-sealertest is not on PATH, so sealer cannot open" in opening.stderr


def test_a_damaged_plugin_recipient_is_refused_before_anything_runs(tmp_path: Path) -> None:
    result = sealer("encrypt", "--age", "age1sealertest1qqqqqqqqqqqqqq", str(_file(tmp_path)))
    assert result.returncode == 5
    assert "not an age plugin recipient: age1sealertest1qqqqqqqqqqqqqq" in result.stderr


def test_updatekeys_adds_a_plugin_recipient(
    tmp_path: Path, plugin_key: PluginKey, age_key: AgeKey
) -> None:
    path = _sealed(tmp_path, age_key.recipient)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    add = ("updatekeys", "--add-age", plugin_key.recipient, path.name)
    sealer(*add, env=env, cwd=tmp_path, check=True)
    opened = sops("decrypt", str(path), env=plugin_key.env, check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)


def test_an_age_only_decrypt_loads_no_plugin_code(
    tmp_path: Path, age_key: AgeKey, plugin_key: PluginKey
) -> None:
    path = _sealed(tmp_path, age_key.recipient)
    both = tmp_path / "keys.txt"  # the key file holds a plugin identity too
    both.write_text(age_key.file.read_text() + plugin_key.file.read_text())
    modules = imported("decrypt", str(path), env={"SOPS_AGE_KEY_FILE": str(both)})
    assert "sealer.recipients.ageplugin" not in modules
    assert not {m for m in modules if m.split(".")[0] in ("grpc", "google")}
