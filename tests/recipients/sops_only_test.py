"""GCP KMS, Azure Key Vault, Vault transit, HuaweiCloud KMS: passed through, named by status.

sealer has no code for these key types (no service to test against on these
machines). A file that carries their stanzas beside keys sealer has still
opens and re-seals, the foreign stanzas stay byte for byte, and `status`
names each key as sops does.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import AgeKey, sealer, sops

FOREIGN = """\
    gcp_kms:
        - resource_id: projects/p/locations/global/keyRings/r/cryptoKeys/k
          created_at: "2026-01-01T00:00:00Z"
          enc: CiQAbc==
    azure_kv:
        - vault_url: https://v.vault.azure.net
          name: k
          version: abc
          created_at: "2026-01-01T00:00:00Z"
          enc: xyz
    hc_vault:
        - vault_address: http://127.0.0.1:8200
          engine_path: transit
          key_name: k
          created_at: "2026-01-01T00:00:00Z"
          enc: vault:v1:abc
    hckms:
        - key_id: eu-west-101:0a1b2c3d
          created_at: "2026-01-01T00:00:00Z"
          enc: aGVsbG8=
"""


def _with_foreign_stanzas(tmp_path: Path, key: AgeKey) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("db:\n  password: hunter2\n")
    sealer("encrypt", "-i", "--age", key.recipient, str(path), check=True)
    path.write_text(path.read_text().replace("sops:\n", "sops:\n" + FOREIGN, 1))
    return path


def _foreign(path: Path) -> dict[str, object]:
    from ruamel.yaml import YAML

    meta = YAML(typ="safe").load(path.read_text())["sops"]
    found = {k: meta[k] for k in ("gcp_kms", "azure_kv", "hc_vault", "hckms")}
    assert all(found.values())
    return found


def test_foreign_stanzas_pass_through_opening_and_resealing(
    tmp_path: Path, age_key: AgeKey
) -> None:
    path = _with_foreign_stanzas(tmp_path, age_key)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    assert sealer("decrypt", str(path), env=env, check=True).stdout == "db:\n  password: hunter2\n"
    before = _foreign(path)
    sealer("set", str(path), '["db"]["user"]', '"admin"', env=env, check=True)
    assert _foreign(path) == before  # every field kept (written in sops' sorted order)
    opened = sops("decrypt", str(path), env=env, check=True)
    assert "user: admin" in opened.stdout and "password: hunter2" in opened.stdout


def test_status_names_each_foreign_key_as_sops_does(tmp_path: Path, age_key: AgeKey) -> None:
    path = _with_foreign_stanzas(tmp_path, age_key)
    shown = sealer("status", str(path), check=True).stdout
    assert "  gcp_kms: projects/p/locations/global/keyRings/r/cryptoKeys/k\n" in shown
    assert "  azure_kv: https://v.vault.azure.net/keys/k/abc\n" in shown
    assert "  hc_vault: http://127.0.0.1:8200/v1/transit/keys/k\n" in shown
    assert "  hckms: eu-west-101:0a1b2c3d\n" in shown
    listed = json.loads(sealer("status", "--json", str(path), check=True).stdout)
    entry = listed[0] if isinstance(listed, list) else listed
    types = {r["type"]: r["id"] for g in entry["groups"] for r in g}
    assert types["gcp_kms"] == "projects/p/locations/global/keyRings/r/cryptoKeys/k"


def test_without_a_usable_key_the_error_lists_the_foreign_keys(
    tmp_path: Path, age_key: AgeKey
) -> None:
    path = _with_foreign_stanzas(tmp_path, age_key)
    result = sealer("decrypt", str(path))
    assert result.returncode == 128
    assert "the file is sealed for age, azure_kv, gcp_kms, hc_vault, hckms recipients" in (
        result.stderr
    )
    assert "projects/p/locations/global/keyRings/r/cryptoKeys/k" in result.stderr
