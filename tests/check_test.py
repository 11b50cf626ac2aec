"""`sealer check` (what the sealer-sealed hook runs) through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sealer.check import twin_candidates
from tests.gitfilter.gitrepo import new_repo
from tests.helpers import AgeKey, make_age_key, run, sealer

PLAIN = {
    "secrets.yaml": "db:\n  user: app\n  password: hunter2\n",
    "config/app.json": '{\n  "api": {"token": "t0k3n", "retries": 3}\n}\n',
    "deploy/prod.env": "DB_PASSWORD=hunter2\nPORT=5432\n",
    "legacy/app.ini": "[db]\npassword = hunter2\n",
    "keys/signing.pem": "not really a key, but sealed whole\n",
}
RULES = r"""creation_rules:
  - path_regex: (^|/)(secrets\.yaml|config/.*\.json|.*\.env|legacy/.*\.ini|keys/.*)$
    age: {recipient}
  - age: {recipient}
"""


def git(*args: str, cwd: Path) -> None:
    run(["git", *args], cwd=cwd, check=True)


@pytest.fixture
def project(tmp_path: Path, age_key: AgeKey) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / ".sealer.yaml").write_text(RULES.format(recipient=age_key.recipient))
    for name, text in PLAIN.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "README.md").write_text("# project\n")
    return root


def seal_all(root: Path) -> None:
    for name in PLAIN:
        sealer("encrypt", "-i", name, cwd=root, check=True)


def keyed(age_key: AgeKey) -> dict[str, str]:
    return {"SEALER_AGE_KEY_FILE": str(age_key.file)}


def errors(stderr: str) -> list[str]:
    return re.findall(r"^sealer: error: (.*)$", stderr, re.M)


def test_covered_plaintext_files_of_every_format_are_refused(project: Path) -> None:
    result = sealer("check", cwd=project)
    assert result.returncode == 4
    assert sorted(errors(result.stderr)) == sorted(
        f"{name}: the file is not sealed (it has no sops metadata)" for name in PLAIN
    )
    assert "sealer: hint: seal it with `sealer encrypt -i`" in result.stderr
    assert "5 files failed the check" in result.stderr


def test_sealed_files_pass_with_mac_verified_or_structure_only(
    project: Path, age_key: AgeKey
) -> None:
    seal_all(project)
    without = sealer("check", "-v", cwd=project)
    assert without.returncode == 0, without.stderr
    assert without.stderr.count("structure intact (no key to verify the MAC)") == len(PLAIN)
    with_key = sealer("check", "-v", cwd=project, env=keyed(age_key))
    assert with_key.returncode == 0, with_key.stderr
    assert with_key.stderr.count("sealed; MAC verified") == len(PLAIN)


def test_a_rule_without_path_regex_does_not_cover_every_file(project: Path) -> None:
    seal_all(project)
    (project / "notes.txt").write_text("plain notes\n")
    assert sealer("check", cwd=project).returncode == 0


def test_tampered_value_fails_the_mac_with_a_key(project: Path, age_key: AgeKey) -> None:
    seal_all(project)
    path = project / "secrets.yaml"
    text = path.read_text()
    data = re.search(r"password: ENC\[AES256_GCM,data:([^,]+),", text)
    assert data is not None
    flipped = ("A" if data[1][0] != "A" else "B") + data[1][1:]
    path.write_text(text.replace(data[1], flipped, 1))
    result = sealer("check", "secrets.yaml", cwd=project, env=keyed(age_key))
    assert result.returncode == 51
    assert errors(result.stderr) == [
        "secrets.yaml: db.password: a sealed value failed authentication"
    ]


def test_structure_check_catches_a_hand_edited_value_without_a_key(project: Path) -> None:
    seal_all(project)
    path = project / "secrets.yaml"
    path.write_text(re.sub(r"password: ENC\[[^\]]*\]", "password: hunter2", path.read_text()))
    result = sealer("check", "secrets.yaml", cwd=project)
    assert result.returncode == 4
    assert errors(result.stderr) == [
        "secrets.yaml: db.password: value should be sealed but is not an ENC[...] value"
    ]


@pytest.mark.parametrize("with_key", [False, True])
def test_a_hand_typed_comment_in_a_sealed_file_fails_as_the_clean_filter_refuses_it(
    project: Path, age_key: AgeKey, with_key: bool
) -> None:
    """sops keeps such comments in plaintext; they would reach git, so check and filter agree."""
    seal_all(project)
    path = project / "secrets.yaml"
    path.write_text(path.read_text().replace("db:\n", "db:\n  # the old one was hunter1\n", 1))
    result = sealer("check", "secrets.yaml", cwd=project, env=keyed(age_key) if with_key else {})
    assert result.returncode == 4, result.stderr
    assert errors(result.stderr) == [
        "secrets.yaml: these should be sealed but are not ENC[...] values: db (a comment)"
    ]
    assert "hunter1" not in result.stderr
    run(["git", "config", "filter.sealer.clean", "sealer git clean %f"], cwd=project, check=True)
    run(["git", "config", "filter.sealer.required", "true"], cwd=project, check=True)
    (project / ".gitattributes").write_text("secrets.yaml filter=sealer\n")
    add = run(["git", "add", "secrets.yaml"], cwd=project)
    assert add.returncode != 0
    assert "these should be sealed but are not ENC[...] values: db (a comment)" in add.stderr


def test_structure_check_catches_a_missing_mac(project: Path) -> None:
    seal_all(project)
    path = project / "secrets.yaml"
    path.write_text(re.sub(r"\n    mac: ENC\[[^\]]*\]", "\n    mac: ''", path.read_text()))
    result = sealer("check", "secrets.yaml", cwd=project)
    assert result.returncode == 4
    assert "has no MAC" in result.stderr


def test_structure_only_loads_no_keys(project: Path, age_key: AgeKey, tmp_path: Path) -> None:
    seal_all(project)
    marker = tmp_path / "key-command-ran"
    env = {"SEALER_AGE_KEY_CMD": f"sh -c 'touch {marker}; cat {age_key.file}'"}
    assert sealer("check", "--structure-only", cwd=project, env=env).returncode == 0
    assert not marker.exists()
    assert sealer("check", "-v", cwd=project, env=env).returncode == 0
    assert marker.exists()


def test_a_sealed_file_no_rule_covers_is_verified_too(project: Path, age_key: AgeKey) -> None:
    other = project / "extra.yaml"
    other.write_text("token: abc\n")
    sealer("encrypt", "-i", "--age", age_key.recipient, "extra.yaml", cwd=project, check=True)
    seal_all(project)
    ok = sealer("check", "-v", "extra.yaml", cwd=project, env=keyed(age_key))
    assert "extra.yaml: sealed; MAC verified (no rule covers it)" in ok.stderr
    other.write_text(
        other.read_text().replace("token: ENC[AES256_GCM,data:", "token: ENC[AES256_GCM,data:AA")
    )
    assert sealer("check", "extra.yaml", cwd=project, env=keyed(age_key)).returncode == 51


@pytest.mark.parametrize(
    ("sealed", "twin"),
    [
        ("secrets.yaml", "secrets.dec.yaml"),
        ("secrets.yaml", "secrets.yaml.dec"),
        ("secrets.yaml", "secrets.decrypted.yaml"),
        ("deploy/prod.env", "deploy/prod.env.plaintext"),
    ],
)
def test_plaintext_twin_of_a_sealed_file_is_refused(project: Path, sealed: str, twin: str) -> None:
    seal_all(project)
    (project / twin).write_text(PLAIN[sealed])
    result = sealer("check", cwd=project)
    assert result.returncode == 4
    assert errors(result.stderr) == [f"{twin}: plaintext twin of the sealed file {sealed}"]


def test_twin_by_sealed_marker_in_the_original_name(project: Path, age_key: AgeKey) -> None:
    (project / "app.yaml").write_text("token: abc\n")
    sealer(
        "encrypt",
        "--age",
        age_key.recipient,
        "app.yaml",
        "-o",
        "app.enc.yaml",
        cwd=project,
        check=True,
    )
    result = sealer("check", "app.yaml", "app.enc.yaml", cwd=project)
    assert errors(result.stderr) == ["app.yaml: plaintext twin of the sealed file app.enc.yaml"]


def test_a_plaintext_file_whose_sibling_is_not_sealed_is_no_twin(project: Path) -> None:
    (project / "values.yaml").write_text("a: 1\n")
    (project / "values.dec.yaml").write_text("a: 1\n")
    assert sealer("check", "values.yaml", "values.dec.yaml", cwd=project).returncode == 0


def test_twin_candidates() -> None:
    assert "secrets.yaml" in twin_candidates("secrets.dec.yaml")
    assert "secrets.enc.yaml" in twin_candidates("secrets.dec.yaml")
    assert "secrets.yaml" in twin_candidates("secrets.yaml.dec")
    assert "d/app.enc.env" in twin_candidates("d/app.env")
    assert "d/app.env.sealed" in twin_candidates("d/app.env")
    assert twin_candidates("app.enc.yaml") == []


def test_staged_checks_the_index_not_the_working_file(project: Path) -> None:
    seal_all(project)
    git("add", "-A", cwd=project)
    # a decrypted working copy (what sealer's smudge filter leaves) is fine: the index is sealed
    (project / "secrets.yaml").write_text(PLAIN["secrets.yaml"])
    assert sealer("check", "--staged", "secrets.yaml", cwd=project).returncode == 0
    assert sealer("check", "--staged", cwd=project).returncode == 0
    # a staged plaintext is refused even when the working file is sealed again
    git("add", "secrets.yaml", cwd=project)
    sealer("encrypt", "-i", "secrets.yaml", cwd=project, check=True)
    result = sealer("check", "--staged", cwd=project)
    assert result.returncode == 4
    assert errors(result.stderr) == [
        "secrets.yaml: the file is not sealed (it has no sops metadata)"
    ]
    assert sealer("check", "secrets.yaml", cwd=project).returncode == 0


def test_staged_twin_lookup_uses_the_index(project: Path) -> None:
    seal_all(project)
    git("add", "-A", cwd=project)
    (project / "secrets.dec.yaml").write_text(PLAIN["secrets.yaml"])
    git("add", "secrets.dec.yaml", cwd=project)
    result = sealer("check", "--staged", cwd=project)
    assert errors(result.stderr) == [
        "secrets.dec.yaml: plaintext twin of the sealed file secrets.yaml"
    ]


def test_problems_of_different_kinds_exit_1_and_all_are_listed(
    project: Path, age_key: AgeKey
) -> None:
    seal_all(project)
    path = project / "config/app.json"
    doc = json.loads(path.read_text())
    doc["api"]["token"] = doc["api"]["token"].replace("data:", "data:AA", 1)
    path.write_text(json.dumps(doc, indent=4) + "\n")
    (project / "deploy/prod.env").write_text(PLAIN["deploy/prod.env"])
    result = sealer("check", cwd=project, env=keyed(age_key))
    assert result.returncode == 1
    assert sorted(errors(result.stderr)) == [
        "config/app.json: api.token: a sealed value failed authentication",
        "deploy/prod.env: the file is not sealed (it has no sops metadata)",
    ]


def test_a_broken_rules_file_is_a_config_error(project: Path) -> None:
    (project / ".sealer.yaml").write_text("creation_rules:\n  - path_regex: '('\n    age: x\n")
    result = sealer("check", "secrets.yaml", cwd=project)
    assert result.returncode == 5
    assert "path_regex" in result.stderr


def test_missing_file_is_an_io_error(project: Path) -> None:
    result = sealer("check", "nope.yaml", cwd=project)
    assert result.returncode == 6
    assert errors(result.stderr) == ["nope.yaml: no such file"]


def test_second_key_holder_verifies_too(project: Path, tmp_path: Path) -> None:
    other = make_age_key(tmp_path / "other")
    seal_all(project)
    # a key that is not a recipient cannot verify: structure only, still passes
    result = sealer("check", "-v", cwd=project, env={"SEALER_AGE_KEY_FILE": str(other.file)})
    assert result.returncode == 0
    assert "structure intact" in result.stderr


def test_in_a_filter_checkout_the_decrypted_files_are_checked_as_git_holds_them(
    tmp_path: Path, age_key: AgeKey
) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": "password: hunter2\n"})
    assert repo.read("secrets/app.yaml") == "password: hunter2\n"  # smudged
    out = repo.sealer("check", "-v", ".")
    assert (
        "sealer: secrets/app.yaml: sealed; MAC verified "
        "(as git holds it; the working file is its plaintext)" in out.stderr
    )
    # a covered file that is not in git yet is checked as the file it is
    repo.write("secrets/new.yaml", "token: plain\n")
    bad = repo.sealer("check", ".", check=False)
    assert bad.returncode == 4
    assert "secrets/new.yaml: the file is not sealed" in bad.stderr
