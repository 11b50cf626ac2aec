"""Telling, from two sealed blobs and no key, what changed and whether the data key did."""

from __future__ import annotations

from pathlib import Path

from sealer.review.compare import compare, read_version
from tests.helpers import AgeKey, make_age_key, sealer


def _seal(tmp_path: Path, text: str, key: AgeKey, name: str = "f.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    sealer("encrypt", "--age", key.recipient, "-i", str(path), check=True)
    return path.read_text()


def _diff(old: str | None, new: str | None):  # type: ignore[no-untyped-def]
    return compare(
        "f.yaml",
        read_version("f.yaml", old.encode() if old is not None else None),
        read_version("f.yaml", new.encode() if new is not None else None),
    )


def test_a_kept_ciphertext_proves_the_data_key_was_kept(tmp_path: Path, age_key: AgeKey) -> None:
    old = _seal(tmp_path, "a: 1\nb: 2\n", age_key)
    path = tmp_path / "f.yaml"
    env = {"SEALER_AGE_KEY_FILE": str(age_key.file)}
    sealer("set", str(path), "a", "3", env=env, check=True)
    d = _diff(old, path.read_text())
    assert d is not None
    assert (d.changed, d.added, d.removed, d.data_key) == (["a"], [], [], "kept")
    assert not d.rekeyed


def test_every_value_and_wrapped_key_new_is_a_new_data_key(tmp_path: Path, age_key: AgeKey) -> None:
    old = _seal(tmp_path, "a: 1\nb: 2\n", age_key)
    env = {"SEALER_AGE_KEY_FILE": str(age_key.file)}
    sealer("rotate", "f.yaml", env=env, cwd=tmp_path, check=True)
    d = _diff(old, (tmp_path / "f.yaml").read_text())
    assert d is not None and d.data_key == "new" and d.changed == ["a", "b"] and d.rekeyed


def test_nothing_in_common_cannot_be_told(tmp_path: Path, age_key: AgeKey) -> None:
    old = _seal(tmp_path, "a: 1\n", age_key, "old.yaml")
    new = _seal(tmp_path, "b: 1\n", age_key, "new.yaml")
    d = _diff(old, new)
    assert d is not None and d.data_key == "unknown" and (d.added, d.removed) == (["b"], ["a"])


def test_recipient_changes_and_plaintext_files(tmp_path: Path, age_key: AgeKey) -> None:
    other = make_age_key(tmp_path / "other")
    old = _seal(tmp_path, "a: 1\n", age_key, "old.yaml")
    new = _seal(tmp_path, "a: 1\n", other, "new.yaml")
    d = _diff(old, new)
    assert d is not None
    assert (d.recipients_added, d.recipients_removed) == ([other.recipient], [age_key.recipient])
    assert _diff("a: 1\n", "a: 2\n") is None  # neither side sealed: not a sealed file
    gone = _diff(old, "a: 1\n")
    assert gone is not None and gone.status == "unsealed" and gone.in_clear == ["a"]
    assert _diff(None, new).status == "added"  # type: ignore[union-attr]


def test_a_damaged_blob_is_reported_not_fatal() -> None:
    d = _diff("a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: 1\n", "a: [\n")
    assert d is None  # neither parses as a sealed file: nothing to say about sealing
