"""The Kubernetes recipe: a plain Secret from `sealer export`, checked against the schema."""

from __future__ import annotations

import base64
import os
import subprocess
from typing import Any

import kubernetes_validate
from ruamel.yaml import YAML

from tests.helpers import AgeKey
from tests.recipes.conftest import PASSWORD, Recipe, common_secrets

VERSION = kubernetes_validate.utils.latest_version()


def load_valid(text: str) -> Any:
    doc = YAML(typ="safe", pure=True).load(text)
    kubernetes_validate.validate(doc, VERSION, strict=True)
    return doc


def test_rendered_secret_is_valid_and_feeds_the_deployment(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("kubernetes")
    common_secrets(workdir / "config/secrets.yaml", age_key)
    env = {**os.environ, "SEALER_AGE_KEY_FILE": str(age_key.file), "NAMESPACE": "default"}
    done = subprocess.run(["./render-secret.sh", "config/secrets.yaml"], cwd=workdir, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    secret = load_valid(done.stdout)
    assert secret["kind"] == "Secret" and secret["type"] == "Opaque"
    assert secret["metadata"] == {
        "name": "app-secrets",
        "namespace": "default",
        "labels": {"app.kubernetes.io/name": "app", "app.kubernetes.io/managed-by": "sealer"},
    }
    values = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert values == {"DB_USER": "deploy", "DB_PASSWORD": PASSWORD}
    deployment = load_valid((workdir / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]
    assert deployment["metadata"]["namespace"] == secret["metadata"]["namespace"]


def test_schema_check_catches_a_broken_manifest() -> None:
    # the validation above is a real check: a Secret with a list for data fails it
    bad = "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: [1]\n"
    try:
        load_valid(bad)
    except kubernetes_validate.ValidationError:
        return
    raise AssertionError("an invalid Secret passed the schema")
