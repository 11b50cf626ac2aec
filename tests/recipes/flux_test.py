"""The Flux recipe: decrypt sealer files the way kustomize-controller does, with real tools."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
from ruamel.yaml import YAML

from tests.helpers import AgeKey, sealer, sops, tool
from tests.recipes.conftest import Recipe, use_rules_for

VERSION = kubernetes_validate.utils.latest_version()


def sealed_recipe(recipe: Recipe, key: AgeKey) -> Path:
    workdir = recipe("flux")
    use_rules_for(workdir, key)
    for name in ("secret.yaml", "app.env"):  # as the README says: rules from .sealer.yaml
        done = sealer("encrypt", "-i", name, cwd=workdir)
        assert done.returncode == 0, done.stderr
    return workdir


def flux_build(workdir: Path, key: AgeKey) -> list[dict[str, Any]]:
    """kustomize-controller: DecryptSources, kustomize build, then DecryptResource."""
    env = {"SOPS_AGE_KEY": key.secret}  # Flux imports the key from its *.agekey entry
    env_file = workdir / "app.env"
    assert "sops_mac=ENC[" in env_file.read_text()  # Flux's marker for dotenv
    done = sops("--decrypt", "--input-type", "dotenv", "--output-type", "dotenv",
                "--output", str(env_file), str(env_file), env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    built = subprocess.run([tool("kubectl"), "kustomize", str(workdir)], capture_output=True,
                           text=True, env={**os.environ, "KUBECONFIG": "/dev/null"})  # fmt: skip
    assert built.returncode == 0, built.stderr
    out = []
    for doc in YAML(typ="safe", pure=True).load_all(built.stdout):
        if doc.get("apiVersion") == "v1" and doc.get("kind") == "Secret" and "sops" in doc:
            # res.MarshalJSON(): Go's encoding/json sorts map keys; the MAC is not checked
            data = json.dumps(doc, sort_keys=True)
            done = sops("--decrypt", "--input-type", "json", "--output-type", "json",
                        "--ignore-mac", "/dev/stdin", input=data, env=env)  # fmt: skip
            assert done.returncode == 0, done.stderr
            doc = json.loads(done.stdout)
        kubernetes_validate.validate(doc, VERSION, strict=True)
        out.append(doc)
    return out


def test_flux_decrypts_the_sealed_secret_and_the_generated_one(
    recipe: Recipe, age_key: AgeKey
) -> None:
    workdir = sealed_recipe(recipe, age_key)
    sealed = (workdir / "secret.yaml").read_text()
    assert "correct horse" not in sealed and "name: db-credentials" in sealed  # kind/name stay
    docs = {d["metadata"]["name"]: d for d in flux_build(workdir, age_key)}
    assert docs["db-credentials"]["stringData"] == {
        "username": "deploy",
        "password": "correct horse battery staple",
    }
    assert "sops" not in docs["db-credentials"]
    generated = {k: base64.b64decode(v).decode() for k, v in docs["app-env"]["data"].items()}
    assert generated == {"API_TOKEN": "tok-1234567890", "SMTP_PASSWORD": "mail pass"}
    assert {d["metadata"]["namespace"] for d in docs.values()} == {"app"}


def test_the_sealed_files_also_pass_sops_with_the_mac_checked(
    recipe: Recipe, age_key: AgeKey
) -> None:
    workdir = sealed_recipe(recipe, age_key)
    for name in ("secret.yaml", "app.env"):
        done = sops("--decrypt", str(workdir / name), env={"SOPS_AGE_KEY": age_key.secret})
        assert done.returncode == 0, done.stderr


def test_flux_kustomization_object_is_wired_to_this_directory(recipe: Recipe) -> None:
    obj = YAML(typ="safe", pure=True).load((recipe("flux") / "flux-kustomization.yaml").read_text())
    assert obj["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1"
    assert obj["spec"]["path"] == "./recipes/flux"
    assert obj["spec"]["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
