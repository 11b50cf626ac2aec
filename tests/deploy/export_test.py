"""`sealer export`: every format, read back by what consumes it."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from sealer import formats
from sealer.tree import to_python
from tests.deploy.conftest import Seal
from tests.helpers import sealer

TRICKY = """\
db:
  password: "it's $HOME `x` \\"q\\" \\\\ %"
  port: 5432
  ratio: 0.25
  tls: true
  since: 2024-01-02T03:04:05Z
cert: |
  -----BEGIN-----
  abc
  -----END-----
hosts: [a, "b c"]
"""
VALUES = {
    "db_password": 'it\'s $HOME `x` "q" \\ %',
    "db_port": "5432",
    "db_ratio": "0.25",
    "db_tls": "true",
    "db_since": "2024-01-02T03:04:05Z",
    "cert": "-----BEGIN-----\nabc\n-----END-----\n",
    "hosts_0": "a",
    "hosts_1": "b c",
}


@pytest.fixture
def tricky(seal: Seal) -> Path:
    return seal("app.yaml", TRICKY)


def export(*args: str) -> str:
    r = sealer("export", *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_shell_output_evaluates_to_the_exact_values(tricky: Path) -> None:
    out = export("app.yaml", "--format", "shell")
    script = out + 'printf "%s\\0" "$db_password" "$cert" "$hosts_1" "$db_since"'
    got = subprocess.run(["sh", "-c", script], capture_output=True, check=True).stdout
    assert got.split(b"\0")[:-1] == [
        VALUES[k].encode() for k in ("db_password", "cert", "hosts_1", "db_since")
    ]


def test_dotenv_output_is_what_sops_dotenv_reads(tricky: Path) -> None:
    out = export("app.yaml", "--format", "dotenv")
    assert out.splitlines()[0] == 'db_password=it\'s $HOME `x` "q" \\ %'
    back = to_python(formats.get("dotenv").parse(out).docs[0])
    assert back == VALUES


def test_json_and_yaml_keep_nesting_and_types(tricky: Path) -> None:
    expected = {
        "db": {
            "password": VALUES["db_password"],
            "port": 5432,
            "ratio": 0.25,
            "tls": True,
            "since": "2024-01-02T03:04:05Z",
        },
        "cert": VALUES["cert"],
        "hosts": ["a", "b c"],
    }
    assert json.loads(export("app.yaml", "--format", "json")) == expected
    yaml_data = YAML(typ="safe", pure=True).load(export("app.yaml", "--format", "yaml"))
    since = yaml_data["db"].pop("since")
    assert since.isoformat().replace("+00:00", "Z") == "2024-01-02T03:04:05Z"
    expected["db"].pop("since")  # type: ignore[attr-defined]
    assert yaml_data == expected


def secret_manifest(text: str) -> dict[str, object]:
    data: dict[str, object] = YAML(typ="safe", pure=True).load(text)
    kubernetes_validate.validate(data, kubernetes_validate.utils.latest_version(), strict=True)
    return data


def test_k8s_secret_is_a_valid_secret_with_every_value(tricky: Path) -> None:
    labels = ["--label", "app=web", "--label", "example.com/tier=1"]
    out = export(
        "app.yaml", "-f", "k8s-secret", "--name", "app-secrets", "--namespace", "prod", *labels
    )
    manifest = secret_manifest(out)
    assert manifest["metadata"] == {
        "name": "app-secrets",
        "namespace": "prod",
        "labels": {"app": "web", "example.com/tier": "1"},  # a string, not the number 1
    }
    assert manifest["type"] == "Opaque"
    data = manifest["data"]
    assert isinstance(data, dict)
    assert {k: base64.b64decode(v).decode() for k, v in data.items()} == VALUES


def test_k8s_secret_with_key_holds_the_whole_file(tricky: Path) -> None:
    out = export("app.yaml", "-f", "k8s-secret", "--name", "cfg", "--key", "config.yaml")
    data = secret_manifest(out)["data"]
    assert isinstance(data, dict)
    assert base64.b64decode(data["config.yaml"]).decode() == TRICKY


def test_k8s_secret_keys_may_hold_dots_and_nul_values(seal: Seal) -> None:
    seal("tls.json", '{"tls.crt": "a\\u0000b"}')
    data = secret_manifest(export("tls.json", "-f", "k8s-secret", "--name", "tls"))["data"]
    assert data == {"tls.crt": base64.b64encode(b"a\0b").decode()}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Bad_Name"], "--name 'Bad_Name' is not a valid Secret name"),
        (["--name", "ok", "--namespace", "a.b"], "--namespace 'a.b' is not a valid namespace"),
        (["--name", "ok", "--label", "a=b c"], "--label a: 'b c' is not a valid label value"),
        (["--name", "ok", "--label", "-x=1"], "--label '-x': not a valid label key"),
        (["--name", "ok", "--label", "novalue"], "--label 'novalue': write it as KEY=VALUE"),
        (["--name", "ok", "--key", "a b"], "--key 'a b' is not a valid Kubernetes Secret key"),
        ([], "k8s-secret needs --name"),
    ],
)
def test_bad_secret_options_are_refused(tricky: Path, args: list[str], message: str) -> None:
    r = sealer("export", "app.yaml", "-f", "k8s-secret", *args)
    assert r.returncode in (2, 4)
    assert message in r.stderr
    assert r.stdout == ""


def test_github_env_masks_every_value_and_appends_to_github_env(tricky: Path, in_tmp: Path) -> None:
    env_file = in_tmp / "github_env"
    env_file.write_text("EARLIER=1\n")
    r = sealer("export", "app.yaml", "-f", "github-env", env={"GITHUB_ENV": str(env_file)})
    assert r.returncode == 0, r.stderr
    masks = r.stdout.splitlines()
    assert all(m.startswith("::add-mask::") for m in masks)
    masked = {m.removeprefix("::add-mask::") for m in masks}
    assert 'it\'s $HOME `x` "q" \\ %25' in masked  # % escaped as the runner expects
    assert {"-----BEGIN-----", "abc", "-----END-----", "5432", "b c"} <= masked
    assert "-----BEGIN-----%0Aabc%0A-----END-----%0A" in masked
    text = env_file.read_text()
    assert text.startswith("EARLIER=1\n")
    blocks = re.findall(r"^(\w+)<<(ghadelimiter_[0-9a-f-]+)\n(.*?)\n\2\n", text, re.S | re.M)
    assert {name: value for name, _, value in blocks} == VALUES


def test_github_env_makes_the_file_private_before_appending(tricky: Path, in_tmp: Path) -> None:
    env_file = in_tmp / "github_env"
    env_file.write_text("EARLIER=1\n")
    env_file.chmod(0o644)
    r = sealer("export", "app.yaml", "-f", "github-env", "-o", str(env_file))
    assert r.returncode == 0, r.stderr
    assert env_file.stat().st_mode & 0o777 == 0o600
    text = env_file.read_text()
    assert text.startswith("EARLIER=1\n") and "db_port<<ghadelimiter_" in text


def test_github_env_without_a_target_is_a_usage_error(tricky: Path) -> None:
    r = sealer("export", "app.yaml", "-f", "github-env")
    assert r.returncode == 2
    assert "$GITHUB_ENV, which is not set" in r.stderr


def test_flat_formats_refuse_bad_names_and_nul_values(seal: Seal) -> None:
    seal("bad.env", "my-key=1\n")
    r = sealer("export", "bad.env", "-f", "dotenv")
    assert r.returncode == 4 and "'my-key' is not a valid environment variable" in r.stderr
    seal("nul.json", '{"k": "x\\u0000y"}')
    r = sealer("export", "nul.json", "-f", "shell")
    assert r.returncode == 4 and 'nul.json: ["k"]: the value holds a NUL byte' in r.stderr


def test_output_file_is_private(tricky: Path, in_tmp: Path) -> None:
    export("app.yaml", "-f", "dotenv", "-o", "out.env")
    assert (in_tmp / "out.env").stat().st_mode & 0o777 == 0o600
    assert "db_port=5432\n" in (in_tmp / "out.env").read_text()
    (in_tmp / "out.env").write_text("OLD=content\n")
    (in_tmp / "out.env").chmod(0o644)
    export("app.yaml", "-f", "dotenv", "-o", "out.env")
    assert (in_tmp / "out.env").stat().st_mode & 0o777 == 0o600
    replaced = (in_tmp / "out.env").read_text()  # replaced, never appended to
    assert "OLD=content" not in replaced and "db_port=5432\n" in replaced


K8S_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
type: kubernetes.io/basic-auth
data:
  password: cGFzc3dvcmQ=  # sealer:allow (base64 of the word "password")
stringData:
  username: app
"""


def test_a_sealed_secret_exports_as_itself_and_round_trips(seal: Seal) -> None:
    seal("db-secret.yaml", K8S_SECRET)
    sealed = Path("db-secret.yaml").read_text()
    assert "  name: db\n" in sealed  # sealed on data and stringData only
    out = export("db-secret.yaml", "-f", "k8s-secret")
    manifest = secret_manifest(out)
    assert manifest == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "prod"},
        "type": "kubernetes.io/basic-auth",
        "data": {"password": "cGFzc3dvcmQ=", "username": "YXBw"},  # sealer:allow (test data)
    }
    seal("again.yaml", out)  # what export wrote is a Secret sealer seals and exports unchanged
    assert export("again.yaml", "-f", "k8s-secret") == out
    renamed = secret_manifest(export("db-secret.yaml", "-f", "k8s-secret", "--name", "db2"))
    assert renamed["metadata"] == {"name": "db2", "namespace": "prod"}
