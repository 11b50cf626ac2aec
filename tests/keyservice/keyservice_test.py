"""Key service interop with sops, both ways, on 127.0.0.1 and on a unix socket.

The sealed file stays with the client; only the wrapped data key travels.
Failures a real deployment meets: a key service that refuses, one that is
not there or disappears mid-request, and one that is too slow.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import AgeKey, sealer, sops
from tests.keyservice.conftest import Services, free_port

PLAIN = '{"db": {"password": "hunter2"}}\n'


def _sealed(tmp_path: Path, key: AgeKey) -> Path:
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    sealer("encrypt", "-i", "--age", key.recipient, str(path), check=True)
    return path


@pytest.mark.parametrize("unix", [False, True], ids=["tcp", "unix"])
def test_sealer_opens_files_through_sops_keyservice(
    tmp_path: Path, server_key: AgeKey, services: Services, unix: bool
) -> None:
    service = services.sops(server_key, unix=unix)
    path = _sealed(tmp_path, server_key)
    opened = sealer("decrypt", "--keyservice", service.url, str(path), check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)
    # SOPS_KEYSERVICE names it as the flag does (also on the click-free `decrypt FILE`)
    env = {"SOPS_KEYSERVICE": service.url}
    assert sealer("decrypt", str(path), env=env, check=True).stdout == opened.stdout
    # exec and edit too
    ran = sealer(
        "exec", "--env", str(path), "--", "sh", "-c", 'echo "$db_password"', env=env, check=True
    )
    assert ran.stdout == "hunter2\n"
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/hunter2/hunter3/' \"$1\"\n")
    editor.chmod(0o755)
    sealer("edit", "--keyservice", service.url, str(path), env={"EDITOR": str(editor)}, check=True)
    after = sops("decrypt", "--keyservice", service.url, str(path), check=True)
    assert json.loads(after.stdout)["db"]["password"] == "hunter3"


@pytest.mark.parametrize("unix", [False, True], ids=["tcp", "unix"])
def test_sops_opens_files_through_sealer_keyservice(
    tmp_path: Path, server_key: AgeKey, services: Services, unix: bool
) -> None:
    service = services.sealer(server_key, unix=unix)
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    sops("encrypt", "-i", "--age", server_key.recipient, str(path), check=True)
    args = ("--keyservice", service.url, "--enable-local-keyservice=false", str(path))
    opened = sops("decrypt", *args, check=True)
    assert json.loads(opened.stdout) == json.loads(PLAIN)
    assert f"sealer keyservice: decrypt {server_key.recipient}: ok" in service.said
    if unix:
        assert (tmp_path / "sealer.sock").stat().st_mode & 0o777 == 0o600


def test_sops_encrypts_through_sealer_keyservice(
    tmp_path: Path, server_key: AgeKey, services: Services
) -> None:
    service = services.sealer(server_key)
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    sops("encrypt", "-i", "--keyservice", service.url, "--enable-local-keyservice=false",
         "--age", server_key.recipient, str(path), check=True)  # fmt: skip
    assert f"sealer keyservice: encrypt {server_key.recipient}: ok" in service.said
    env = {"SOPS_AGE_KEY_FILE": str(server_key.file)}
    assert json.loads(sealer("decrypt", str(path), env=env, check=True).stdout)["db"]


def test_local_keys_come_first_unless_disabled(
    tmp_path: Path, server_key: AgeKey, services: Services
) -> None:
    service = services.sealer(None)  # it holds no key at all
    path = _sealed(tmp_path, server_key)
    env = {"SOPS_AGE_KEY_FILE": str(server_key.file)}
    sealer("decrypt", "--keyservice", service.url, str(path), env=env, check=True)
    assert "decrypt" not in service.said.replace("listening", "")
    only_remote = sealer(
        "decrypt", "--keyservice", service.url, "--enable-local-keyservice=false", str(path),
        env=env,
    )  # fmt: skip
    assert only_remote.returncode == 128
    assert (
        f"  {server_key.recipient}: key service {service.url} refused: "
        f"{server_key.recipient}: no key here opens it\n"
    ) in only_remote.stderr


def test_a_key_service_that_refuses_is_named_in_the_error(
    tmp_path: Path, server_key: AgeKey, services: Services, age_key: AgeKey
) -> None:
    service = services.sops(age_key)  # some other key
    path = _sealed(tmp_path, server_key)
    result = sealer("decrypt", "--keyservice", service.url, str(path))
    assert result.returncode == 128
    assert f"  {server_key.recipient}: key service {service.url} refused: " in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_no_key_service_listening_is_a_clear_error(tmp_path: Path, server_key: AgeKey) -> None:
    path = _sealed(tmp_path, server_key)
    url = f"tcp://127.0.0.1:{free_port()}"
    result = sealer("decrypt", "--keyservice", url, str(path))
    assert result.returncode == 128
    assert (
        f"key service {url} is not reachable (refused, or gone mid-request) (start it "
        "(`sops keyservice` or `sealer keyservice`) or check the address)"
    ) in result.stderr


def test_a_slow_key_service_times_out(
    tmp_path: Path, server_key: AgeKey, services: Services
) -> None:
    service = services.sops(server_key)
    path = _sealed(tmp_path, server_key)
    os.kill(service.proc.pid, signal.SIGSTOP)  # it accepts connections, answers nothing
    started = time.monotonic()
    env = {"SEALER_KEYSERVICE_TIMEOUT": "2"}
    result = sealer("decrypt", "--keyservice", service.url, str(path), env=env)
    took = time.monotonic() - started
    assert result.returncode == 128
    assert f"key service {service.url} did not answer within 2 s" in result.stderr
    assert took < 15


def test_a_key_service_that_disappears_mid_request(
    tmp_path: Path, server_key: AgeKey, services: Services
) -> None:
    service = services.sops(server_key)
    path = _sealed(tmp_path, server_key)
    os.kill(service.proc.pid, signal.SIGSTOP)
    env = {**os.environ, "SEALER_KEYSERVICE_TIMEOUT": "30"}
    client = subprocess.Popen(
        [sys.executable, "-m", "sealer", "decrypt", "--keyservice", service.url, str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    time.sleep(2)  # the request is out and waiting
    os.kill(service.proc.pid, signal.SIGKILL)
    out, err = client.communicate(timeout=30)
    assert client.returncode == 128
    assert b"is not reachable (refused, or gone mid-request)" in err
    assert out == b""


def test_sealer_keyservice_will_not_listen_beyond_loopback_over_tcp(tmp_path: Path) -> None:
    result = sealer("keyservice", "--network", "tcp", "--address", "0.0.0.0:5000")
    assert result.returncode == 5
    assert result.stderr == (
        "sealer: error: sealer keyservice listens on TCP only on a loopback address, not 0.0.0.0\n"
        "sealer: hint: it has no TLS and answers anyone who connects; serve a unix socket and "
        "forward it (ssh -R /path:/path), or bind 127.0.0.1 (see SECURITY.md)\n"
    )


def test_a_malformed_address_is_an_error(tmp_path: Path, server_key: AgeKey) -> None:
    path = _sealed(tmp_path, server_key)
    result = sealer("decrypt", "--keyservice", "http://example", str(path))
    assert "not a key service address: http://example" in result.stderr


@pytest.mark.parametrize("server", ["sops", "sealer"])
def test_sealer_encrypts_through_a_key_service_with_local_keys_off(
    tmp_path: Path, server_key: AgeKey, services: Services, server: str
) -> None:
    service = (services.sops if server == "sops" else services.sealer)(server_key)
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    args = ("--keyservice", service.url, "--enable-local-keyservice=false")
    sealer("encrypt", "-i", *args, "--age", server_key.recipient, str(path), check=True)
    if server == "sealer":
        assert f"sealer keyservice: encrypt {server_key.recipient}: ok" in service.said
    env = {"SOPS_AGE_KEY_FILE": str(server_key.file)}
    assert json.loads(sops("decrypt", str(path), env=env, check=True).stdout)["db"]


def test_sealing_through_an_unreachable_key_service_writes_nothing(
    tmp_path: Path, server_key: AgeKey
) -> None:
    path = tmp_path / "s.json"
    path.write_text(PLAIN)
    url = f"tcp://127.0.0.1:{free_port()}"
    args = ("--keyservice", url, "--enable-local-keyservice=false", "--age", server_key.recipient)
    result = sealer("encrypt", "-i", *args, str(path))
    assert result.returncode == 5
    assert f"key service {url} is not reachable" in result.stderr
    assert path.read_text() == PLAIN
