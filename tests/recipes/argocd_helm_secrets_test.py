"""The Argo CD + helm-secrets recipe: helm-secrets' sops backend steps on a sealer file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ruamel.yaml import YAML

from tests.helpers import AgeKey, sealer, tool
from tests.recipes.conftest import Recipe, use_rules_for

# What helm-secrets' sops backend does for a secrets:// values file (scripts/lib/backends/sops.sh):
# is it encrypted, which type is it, then decrypt with that type in and out.
HELM_SECRETS_DECRYPT = r"""
set -eu
_sops_backend_is_encrypted() { grep -q 'mac.*,type:str]' -; }
_sops_dec_get_type() {
    if grep -xq 'sops:\s*' "${1}"; then echo 'yaml'
    elif grep -q '"data": "ENC' "${1}"; then echo 'binary'
    else echo 'json'; fi
}
input="$1"; output="$2"
_sops_backend_is_encrypted < "$input" || { echo "not encrypted: $input" >&2; exit 1; }
type=$(_sops_dec_get_type "$input")
"$SOPS" --decrypt --input-type "$type" --output-type "$type" --output "$output" "$input"
echo "$type"
"""


def test_helm_secrets_decrypts_the_sealed_values(recipe: Recipe, age_key: AgeKey) -> None:
    workdir = recipe("argocd-helm-secrets")
    plain = YAML(typ="safe", pure=True).load((workdir / "secrets.yaml").read_text())
    use_rules_for(workdir, age_key)
    done = sealer("encrypt", "-i", "secrets.yaml", cwd=workdir)
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "SOPS": tool("sops"), "SOPS_AGE_KEY_FILE": str(age_key.file)}
    run = subprocess.run(["sh", "-c", HELM_SECRETS_DECRYPT, "sh", "secrets.yaml", "out.yaml"],
                         cwd=workdir, env=env, capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == "yaml\n"
    assert YAML(typ="safe", pure=True).load((workdir / "out.yaml").read_text()) == plain


def test_application_points_helm_secrets_at_the_values_file(recipe: Recipe) -> None:
    workdir = recipe("argocd-helm-secrets")
    app = YAML(typ="safe", pure=True).load((workdir / "application.yaml").read_text())
    files = app["spec"]["source"]["helm"]["valueFiles"]
    secret_refs = [f for f in files if f.startswith("secrets")]
    assert secret_refs == ["secrets+age-import:///helm-secrets-private-keys/key.txt?secrets.yaml"]
    assert Path(workdir / secret_refs[0].rsplit("?", 1)[1]).exists()
