"""Real keys and services for recipient tests: SSH keys, a GnuPG home, moto_server.

Plain functions (no pytest fixtures) so that tests elsewhere can reuse them;
tests/recipients/conftest.py wraps them as fixtures.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import run, tool

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    # never ask the EC2 metadata service (a link-local address) for credentials
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass(frozen=True)
class SshKey:
    private: Path
    public: str  # the .pub line

    @property
    def env(self) -> dict[str, str]:
        return {"SOPS_AGE_SSH_PRIVATE_KEY_FILE": str(self.private)}


def make_ssh_key(directory: Path, kind: str = "ed25519", passphrase: str = "") -> SshKey:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"id_{kind}{'_pw' if passphrase else ''}"
    args = [tool("ssh-keygen"), "-q", "-t", kind, "-N", passphrase, "-C", f"{kind}@test"]
    if kind == "rsa":
        args += ["-b", "2048"]
    run([*args, "-f", str(path)], check=True)
    return SshKey(path, Path(f"{path}.pub").read_text().strip())


@dataclass(frozen=True)
class GpgHome:
    home: Path
    fingerprint: str

    @property
    def env(self) -> dict[str, str]:
        return {"GNUPGHOME": str(self.home)}

    def close(self) -> None:
        run([tool("gpgconf"), "--kill", "all"], env=self.env)
        shutil.rmtree(self.home, ignore_errors=True)


def make_gpg_home(uid: str = "Sealer Test <sealer-test@example.invalid>") -> GpgHome:
    """A throwaway GNUPGHOME (short path: gpg-agent's socket path is limited) with one key."""
    home = Path(tempfile.mkdtemp(prefix="gpg", dir="/tmp"))
    home.chmod(0o700)
    env = {"GNUPGHOME": str(home)}
    gpg = tool("gpg")
    quick = [gpg, "--batch", "--passphrase", "", "--quick-gen-key", uid]
    run([*quick, "future-default", "default", "never"], env=env, check=True)
    listing = run([gpg, "--batch", "--with-colons", "--list-keys", uid], env=env, check=True)
    fpr = next(ln.split(":")[9] for ln in listing.stdout.splitlines() if ln.startswith("fpr:"))
    return GpgHome(home, fpr)


def import_gpg_key(home: GpgHome, key_file: Path) -> None:
    run([tool("gpg"), "--batch", "--import", str(key_file)], env=home.env, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class MotoServer:
    """`moto_server` on 127.0.0.1, a fresh AWS for the tests that need KMS or STS."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).parent / "moto_server"
        cmd = str(exe) if exe.exists() else tool("moto_server")
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [cmd, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)

    @property
    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.url, **FAKE_AWS}

    def client(self, service: str, region: str = "us-east-1") -> object:
        import boto3

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_key(self, region: str = "us-east-1", alias: str | None = None) -> str:
        """A new symmetric KMS key; its ARN (or the alias ARN, when an alias is given)."""
        kms = self.client("kms", region)
        arn: str = kms.create_key()["KeyMetadata"]["Arn"]  # type: ignore[attr-defined]
        if alias is None:
            return arn
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=arn)  # type: ignore[attr-defined]
        return arn.split(":key/")[0] + f":alias/{alias}"

    def reset(self) -> None:
        """Forget every key (moto's own API)."""
        import urllib.request

        urllib.request.urlopen(
            urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"), timeout=10
        ).close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
