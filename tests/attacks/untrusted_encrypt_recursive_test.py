"""`encrypt -r` copies a file with sops metadata only when every selected value is sealed.

Regression test for issue 14, point 4: on 74d6504 a hand-typed plaintext value in
a file that had sops metadata was copied into --out as it was, with exit 0.
"""

from __future__ import annotations

from pathlib import Path

from tests.attacks.hostile import sealer_in
from tests.helpers import AgeKey


def test_a_hand_typed_value_in_a_sealed_file_is_not_copied(age_key: AgeKey, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "s.yaml").write_text("db:\n  password: hunter2\n")
    sealed = sealer_in(src, "encrypt", "--age", age_key.recipient, "s.yaml")
    assert sealed.returncode == 0, sealed.stderr
    (src / "s.yaml").write_text(
        sealed.stdout.replace("db:\n", "db:\n  typed: pl41ntext-by-hand\n", 1)
    )
    (src / "ok.yaml").write_text(sealed.stdout)
    out = sealer_in(tmp_path, "encrypt", "-r", "src", "--out", "out", "--age", age_key.recipient)
    assert out.returncode != 0
    assert (
        "sealer: error: src/s.yaml: db.typed: value should be sealed but is not an ENC[...] value"
        in out.stderr
    )
    assert not (tmp_path / "out" / "s.yaml").exists()
    assert (tmp_path / "out" / "ok.yaml").read_text() == sealed.stdout
    for path in (tmp_path / "out").rglob("*"):
        assert "pl41ntext" not in path.read_text()
