"""encrypt/decrypt through the real CLI, checked against the real sops binary."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import AgeKey, sealer, sops

PLAIN = """\
# database settings
db:
  user: admin # inline
  password: "hunter2"
  port: 5432
  ratio: 0.5
  enabled: true
  notes: |
    line one
    line two
hosts: [a, "b c"]
"""


def test_sealed_yaml_opens_in_sops_and_round_trips(in_tmp: Path, age_key: AgeKey) -> None:
    (in_tmp / "s.yaml").write_text(PLAIN)
    enc = sealer("encrypt", "--age", age_key.recipient, "s.yaml", check=True)
    assert "hunter2" not in enc.stdout
    (in_tmp / "s.enc.yaml").write_text(enc.stdout)
    env = {"SOPS_AGE_KEY_FILE": str(age_key.file)}
    via_sops = sops("-d", "s.enc.yaml", env=env, check=True)
    assert "password: hunter2" in via_sops.stdout
    back = sealer("decrypt", "s.enc.yaml", env=env, check=True)
    assert back.stdout == PLAIN
