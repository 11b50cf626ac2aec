"""Kubernetes Secrets are sealed on data and stringData unless a rule or flag says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.gitfilter.gitrepo import new_repo
from tests.helpers import AgeKey, sealer, sops

PASSWORD_B64 = "cGFzc3dvcmQ="  # sealer:allow (base64 of the word "password")
SECRET = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
  labels: {{app: web}}
type: Opaque
data:
  password: {PASSWORD_B64}
stringData:
  user: app
  port: "5432"
"""


def _seal(tmp_path: Path, key: AgeKey, text: str, *flags: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    sealer("encrypt", "--age", key.recipient, *flags, "-i", str(path), check=True)
    return path.read_text()


def _clear_lines(sealed: str) -> list[str]:
    body = sealed.split("sops:\n")[0]
    return [line for line in body.splitlines() if "ENC[" not in line]


def test_a_secret_is_sealed_on_data_and_string_data_only(tmp_path: Path, age_key: AgeKey) -> None:
    sealed = _seal(tmp_path, age_key, SECRET)
    assert _clear_lines(sealed) == [
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        "  name: db",
        "  namespace: prod",
        "  labels: {app: web}",
        "type: Opaque",
        "data:",
        "stringData:",
    ]
    assert sealed.count("ENC[AES256_GCM,") == 4  # three values and the MAC
    assert "    encrypted_regex: ^(data|stringData)$\n" in sealed
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    opened = sops("-d", str(tmp_path / "s.yaml"), env=env, check=True).stdout
    assert YAML(typ="safe", pure=True).load(opened) == YAML(typ="safe", pure=True).load(SECRET)


def test_a_rule_or_flag_that_chooses_a_selection_wins(tmp_path: Path, age_key: AgeKey) -> None:
    by_flag = _seal(tmp_path, age_key, SECRET, "--encrypted-regex", "^password$")
    assert "    encrypted_regex: ^password$\n" in by_flag
    assert "  user: app\n" in by_flag and "password: ENC[" in by_flag
    (tmp_path / ".sealer.yaml").write_text(
        f"creation_rules:\n  - unencrypted_suffix: _unencrypted\n    age: {age_key.recipient}\n"
    )
    (tmp_path / "r.yaml").write_text(SECRET)
    sealer("encrypt", "-i", str(tmp_path / "r.yaml"), check=True)
    by_rule = (tmp_path / "r.yaml").read_text()
    assert "name: ENC[" in by_rule and "    unencrypted_suffix: _unencrypted\n" in by_rule


def test_other_documents_keep_the_usual_default(tmp_path: Path, age_key: AgeKey) -> None:
    config_map = SECRET.replace("kind: Secret", "kind: ConfigMap")
    sealed = _seal(tmp_path, age_key, config_map)
    assert "name: ENC[" in sealed and "    unencrypted_suffix: _unencrypted\n" in sealed
    two = SECRET + "---\n" + config_map
    assert "name: ENC[" in _seal(tmp_path, age_key, two, name="two.yaml")


@pytest.mark.parametrize("bad", ["pass word", "cGFzc3dvcmQ", "plain-text!"])
def test_data_values_must_be_base64(tmp_path: Path, age_key: AgeKey, bad: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SECRET.replace(PASSWORD_B64, bad))
    out = sealer("encrypt", "--age", age_key.recipient, "-i", str(path))
    assert out.returncode == 4
    assert out.stderr == (
        f"sealer: error: {path}: data.password: a Secret's data values must be base64\n"
        "sealer: hint: put plain text under stringData, or encode it (`base64 -w0`)\n"
    )
    assert path.read_text() == SECRET.replace(PASSWORD_B64, bad)  # not written


def test_the_git_filter_seals_a_new_secret_the_same_way(tmp_path: Path, age_key: AgeKey) -> None:
    repo = new_repo(tmp_path / "repo", age_key, regex=r"k8s/")
    repo.write("k8s/db-secret.yaml", SECRET)
    repo.commit("secret")
    stored = repo.stored("HEAD:k8s/db-secret.yaml")
    assert _clear_lines(stored)[:7] == SECRET.splitlines()[:7]
    assert repo.read("k8s/db-secret.yaml") == SECRET
