"""The Terraform recipe: what the sops provider does, done with the real sops."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.helpers import AgeKey, sops
from tests.recipes.conftest import PASSWORD, Recipe, seal_as_recipe_says


def provider_flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """terraform-provider-sops: nested keys joined with '.', list elements by index."""
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)  # type: ignore[assignment]
    else:
        return {prefix: data if isinstance(data, str) else json.dumps(data)}
    out: dict[str, str] = {}
    for k, v in items:
        out.update(provider_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


def test_every_value_main_tf_uses_comes_out_of_the_sealed_file(
    recipe: Recipe, age_key: AgeKey
) -> None:
    workdir = recipe("terraform")
    seal_as_recipe_says(workdir / "secrets.json", age_key)
    assert PASSWORD not in (workdir / "secrets.json").read_text()
    source = re.search(r'source_file\s*=\s*"([^"]+)"', (workdir / "main.tf").read_text())
    assert source is not None
    done = sops("--decrypt", "--input-type", "json", "--output-type", "json",
                str(workdir / source[1]), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = provider_flatten(json.loads(done.stdout))
    used = re.findall(r'data\.sops_file\.app\.data\["([^"]+)"\]', (workdir / "main.tf").read_text())
    assert used == ["db.user", "db.password"]
    assert {k: data[k] for k in used} == {"db.user": "app", "db.password": PASSWORD}
