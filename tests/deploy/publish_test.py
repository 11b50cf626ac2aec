"""`sealer publish` against moto_server: values land, unchanged values write nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import seal_file
from tests.helpers import AgeKey, run, sealer
from tests.recipients.keys import MotoServer

APP = "db:\n  password: hunter2\n  port: 5432\nhosts: [a, b]\n"


@pytest.fixture
def repo(in_tmp: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with config/app.yaml sealed and committed."""
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(age_key.file))
    run(["git", "init", "-q", "."], check=True)
    seal_file(in_tmp / "config/app.yaml", APP, age_key.recipient)
    commit("add app secrets")
    return in_tmp


def commit(message: str) -> str:
    run(["git", "add", "-A"], check=True)
    run(["git", "commit", "-q", "-m", message], check=True)
    return run(["git", "rev-parse", "HEAD"], check=True).stdout.strip()


def name() -> str:
    return f"prod/app-{uuid.uuid4().hex[:8]}"


def sm(aws: MotoServer) -> Any:
    return aws.client("secretsmanager")


def versions(aws: MotoServer, secret: str) -> int:
    return len(sm(aws).list_secret_version_ids(SecretId=secret)["Versions"])


def tags(aws: MotoServer, secret: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm(aws).describe_secret(SecretId=secret)["Tags"]}


def publish(*args: str) -> str:
    r = sealer("publish", *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_values_land_as_one_json_secret_tagged_with_path_and_commit(
    repo: Path, aws: MotoServer
) -> None:
    secret = name()
    out = publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    added = '["db"]["password"], ["db"]["port"], ["hosts"][0], ["hosts"][1]'
    assert out == f"created {secret} (added: {added})\n"
    value = sm(aws).get_secret_value(SecretId=secret)["SecretString"]
    assert json.loads(value) == {"db": {"password": "hunter2", "port": 5432}, "hosts": ["a", "b"]}
    head = run(["git", "rev-parse", "HEAD"], check=True).stdout.strip()
    assert tags(aws, secret) == {"sealer:source": "config/app.yaml", "sealer:commit": head}


def test_publishing_unchanged_values_makes_no_new_version(repo: Path, aws: MotoServer) -> None:
    secret = name()
    publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    assert versions(aws, secret) == 1
    out = publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    assert out == f"unchanged {secret}\n"
    assert versions(aws, secret) == 1


def test_a_changed_value_makes_a_new_version_and_is_reported(
    repo: Path, aws: MotoServer, age_key: AgeKey
) -> None:
    secret = name()
    publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    seal_file(repo / "config/app.yaml", APP.replace("hunter2", "hunter3") + "new: x\n",
              age_key.recipient)  # fmt: skip
    head = commit("rotate the password")
    out = publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    assert out == f'updated {secret} (added: ["new"]; changed: ["db"]["password"])\n'
    assert versions(aws, secret) == 2
    value = json.loads(sm(aws).get_secret_value(SecretId=secret)["SecretString"])
    assert value["db"]["password"] == "hunter3"
    assert tags(aws, secret)["sealer:commit"] == head


def test_per_key_makes_one_secret_per_value_and_updates_only_what_changed(
    repo: Path, aws: MotoServer, age_key: AgeKey
) -> None:
    base = name()
    out = publish("config/app.yaml", "--to", f"aws-secretsmanager:{base}", "--per-key")
    names = [f"{base}/{n}" for n in ("db_password", "db_port", "hosts_0", "hosts_1")]
    assert out == "".join(f"created {n}\n" for n in names)
    assert sm(aws).get_secret_value(SecretId=f"{base}/db_port")["SecretString"] == "5432"
    seal_file(repo / "config/app.yaml", APP.replace("5432", "5433"), age_key.recipient)
    out = publish("config/app.yaml", "--to", f"aws-secretsmanager:{base}", "--per-key")
    assert out.splitlines() == [
        f"unchanged {names[0]}",
        f"updated {names[1]}",
        f"unchanged {names[2]}",
        f"unchanged {names[3]}",
    ]
    assert [versions(aws, n) for n in names] == [1, 2, 1, 1]
    assert tags(aws, names[1])["sealer:commit"].endswith("-dirty")  # not committed yet


def test_dry_run_writes_nothing(repo: Path, aws: MotoServer) -> None:
    secret = name()
    out = publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}", "--dry-run")
    assert out.startswith(f"would create {secret} (added: ")
    assert sm(aws).list_secrets(Filters=[{"Key": "name", "Values": [secret]}])["SecretList"] == []


def test_bad_destination_and_aws_errors_are_reported(repo: Path, aws: MotoServer) -> None:
    r = sealer("publish", "config/app.yaml", "--to", "vault:x")
    assert r.returncode == 5
    assert "--to 'vault:x': unknown destination" in r.stderr
    secret = name()
    publish("config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    sm(aws).delete_secret(SecretId=secret, RecoveryWindowInDays=7)
    r = sealer("publish", "config/app.yaml", "--to", f"aws-secretsmanager:{secret}")
    assert r.returncode == 1
    assert (
        f"config/app.yaml: {secret}: AWS Secrets Manager said InvalidRequestException" in r.stderr
    )
    assert "hunter2" not in r.stderr


def test_no_region_is_a_configuration_error(
    repo: Path, aws: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    r = sealer("publish", "config/app.yaml", "--to", f"aws-secretsmanager:{name()}")
    assert r.returncode == 5
    assert "no AWS region" in r.stderr
