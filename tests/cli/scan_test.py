"""`sealer scan` through the real CLI, in real git repositories."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.gitfilter.gitrepo import new_repo
from tests.helpers import REPO, AgeKey, Result, run, sealer
from tests.scan.fakes import Fakes


def git(*args: str, cwd: Path) -> str:
    return run(["git", *args], cwd=cwd, check=True).stdout


def repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=path)
    return path


def commit(path: Path, message: str) -> str:
    git("add", "-A", cwd=path)
    git("commit", "-q", "--no-verify", "-m", message, cwd=path)
    return git("rev-parse", "HEAD", cwd=path).strip()


def findings(result: Result) -> list[tuple[str, int, str]]:
    doc = json.loads(result.stdout)
    return [(f["path"], f["line"], f["rule"]) for f in doc["findings"]]


def test_exit_codes_and_human_output(tmp_path: Path) -> None:
    token = Fakes(1).github()
    (tmp_path / "clean.py").write_text("x = 1\n")
    assert sealer("scan", str(tmp_path / "clean.py")).returncode == 0
    (tmp_path / "app.py").write_text(f'import os\nTOKEN = "{token}"\n')
    result = sealer("scan", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    fp = json.loads(sealer("scan", "--json", "app.py", cwd=tmp_path).stdout)["findings"][0]
    assert result.stdout == (
        f"app.py:2:10: github-token: GitHub token: {token[:4]}…(40 chars) [{fp['fingerprint']}]\n"
    )
    assert "sealer: error: 1 possible secret in 1 file" in result.stderr
    assert "sealer:allow" in result.stderr


def test_no_output_ever_contains_a_whole_secret(tmp_path: Path) -> None:
    f = Fakes(2)
    secrets = [f.github(), f.aws_secret(), f.password(), f.jwt(), f.uri_password(), f.slack()]
    (tmp_path / "s.env").write_text(
        f"GITHUB_TOKEN={secrets[0]}\naws_secret_access_key = {secrets[1]}\n"
        f'DB_PASSWORD="{secrets[2]}"\nJWT={secrets[3]}\n'
        f"DATABASE_URL=postgres://app:{secrets[4]}@db/app\nSLACK={secrets[5]}\n"
    )
    outputs = []
    for flags in ([], ["--json"], ["--sarif"], ["-v"]):
        result = sealer("scan", *flags, "s.env", cwd=tmp_path)
        assert result.returncode == 1
        outputs.append(result.stdout + result.stderr)
    assert len(findings(sealer("scan", "--json", "s.env", cwd=tmp_path))) == 6
    for out in outputs:
        for secret in secrets:
            body = secret[8:]  # anything past a short known prefix
            assert all(body[i : i + 8] not in out for i in range(0, len(body) - 8))


def test_sarif_output_is_sarif_2_1_0(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'k = "{Fakes(3).stripe()}"\n')
    doc = json.loads(sealer("scan", "--sarif", "a.py", cwd=tmp_path).stdout)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    assert run_["tool"]["driver"]["name"] == "sealer"
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["stripe-key"]
    (result,) = run_["results"]
    assert result["ruleId"] == "stripe-key" and result["ruleIndex"] == 0
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "a.py"
    assert location["region"]["startLine"] == 1 and location["region"]["startColumn"] == 6
    assert result["partialFingerprints"]["sealerSecret/v1"].startswith("stripe-key:")


def test_directory_in_a_repo_means_tracked_and_unignored_files(tmp_path: Path) -> None:
    r = repo(tmp_path / "r")
    f = Fakes(4)
    (r / ".gitignore").write_text("build/\n")
    (r / "build").mkdir()
    (r / "build" / "out.js").write_text(f'k="{f.github()}"\n')
    (r / "new.py").write_text(f'k = "{f.github()}"\n')
    result = sealer("scan", "--json", ".", cwd=r)
    assert findings(result) == [("new.py", 1, "github-token")]


def test_staged_reads_the_index_not_the_working_file(tmp_path: Path) -> None:
    r = repo(tmp_path / "r")
    token = Fakes(5).github()
    (r / "a.py").write_text(f'k = "{token}"\n')
    git("add", "a.py", cwd=r)
    (r / "a.py").write_text("k = None\n")  # fixed in the working tree, not staged
    assert findings(sealer("scan", "--json", "--staged", cwd=r)) == [("a.py", 1, "github-token")]
    assert findings(sealer("scan", "--json", "--staged", "a.py", cwd=r)) == [
        ("a.py", 1, "github-token")
    ]
    assert findings(sealer("scan", "--json", "a.py", cwd=r)) == []
    git("add", "a.py", cwd=r)
    (r / "a.py").write_text(f'k = "{token}"\n')  # only in the working tree now
    assert sealer("scan", "--staged", cwd=r).returncode == 0


def test_staged_without_paths_scans_only_staged_changes(tmp_path: Path) -> None:
    r = repo(tmp_path / "r")
    f = Fakes(6)
    (r / "old.py").write_text(f'k = "{f.github()}"\n')
    commit(r, "old secret, committed without the hook")
    (r / "new.py").write_text("x = 1\n")
    git("add", "new.py", cwd=r)
    assert sealer("scan", "--staged", cwd=r).returncode == 0
    assert sealer("scan", "--staged", ".", cwd=r).returncode == 1  # all index entries


def test_since_reports_what_the_commits_added_with_the_commit(tmp_path: Path) -> None:
    r = repo(tmp_path / "r")
    f = Fakes(7)
    old, added, removed = f.github(), f.stripe(), f.slack()
    (r / "a.py").write_text(f'old = "{old}"\n')
    base = commit(r, "base")
    (r / "a.py").write_text(f'old = "{old}"\nnew = "{added}"\n')
    c1 = commit(r, "adds a key")
    (r / "b.env").write_text(f"SLACK={removed}\n")
    c2 = commit(r, "adds a token")
    (r / "b.env").write_text("SLACK=\n")
    commit(r, "removes it again, but it is in history")
    doc = json.loads(sealer("scan", "--json", "--since", base, cwd=r).stdout)
    got = sorted((x["path"], x["line"], x["rule"], x["commit"]) for x in doc["findings"])
    assert got == [("a.py", 2, "stripe-key", c1), ("b.env", 1, "slack-token", c2)]
    human = sealer("scan", "--since", base, cwd=r)
    assert human.returncode == 1 and f"{c1[:12]}:a.py:2:" in human.stdout
    bad = sealer("scan", "--since", "no-such-rev", cwd=r)
    assert bad.returncode == 2 and "no-such-rev" in bad.stderr


def test_bad_input_is_reported_and_the_rest_is_scanned(tmp_path: Path) -> None:
    f = Fakes(8)
    d = tmp_path / "tree"
    d.mkdir()
    (d / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + f.raw(2000))
    (d / "latin1.py").write_bytes(b"# caf\xe9 \xff\xfe\nk = '" + f.github().encode() + b"'\n")
    (d / "huge.log").write_bytes(b"x = 1\n" * 300_000)
    (d / "ok.py").write_text(f'k = "{f.stripe()}"\n')
    unreadable = tmp_path / "unreadable.txt"
    unreadable.symlink_to("/proc/self/mem")  # open() works, read() fails with EIO, even as root
    result = sealer("scan", "--json", "--max-size", "1000000", str(d), str(unreadable))
    assert result.returncode == 1  # findings win over read errors
    assert sorted((Path(p).name, rule) for p, _, rule in findings(result)) == [
        ("latin1.py", "github-token"),
        ("ok.py", "stripe-key"),
    ]
    doc = json.loads(result.stdout)
    assert [Path(e["path"]).name for e in doc["errors"]] == ["unreadable.txt"]
    assert "cannot read: Input/output error" in result.stderr
    skipped = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert skipped == {
        "image.png": "skipped: binary file",
        "huge.log": "skipped: larger than 1000000 bytes (--max-size)",
    }
    assert "huge.log: skipped: larger than" in result.stderr
    assert "image.png" not in result.stderr  # binary skips are listed with -v only
    clean = sealer("scan", str(d / "image.png"), str(unreadable), "-v")
    assert clean.returncode == 6
    assert "image.png: skipped: binary file" in clean.stderr


def test_ignore_file_by_fingerprint_never_churns(tmp_path: Path) -> None:
    r = repo(tmp_path / "r")
    f = Fakes(9)
    fake, real = f.github(), f.stripe()
    (r / "fixture.py").write_text(f'FIXTURE = "{fake}"\n')
    added = sealer("scan", "--add-ignore", cwd=r)
    assert added.returncode == 0 and "added 1 fingerprint" in added.stderr
    ignore = r / ".sealer" / "scan-ignore"
    text = ignore.read_text()
    entries = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert len(entries) == 1 and entries[0].startswith("github-token:")
    assert "fixture.py" in entries[0] and fake[4:] not in text
    assert sealer("scan", cwd=r).returncode == 0
    # moved to another file and line: still the same fingerprint
    (r / "fixture.py").unlink()
    (r / "tests").mkdir()
    (r / "tests" / "conf.py").write_text(f'\n\n\nvalue = "{fake}"\nother = "{real}"\n')
    result = sealer("scan", "--json", cwd=r)
    assert findings(result) == [("tests/conf.py", 5, "stripe-key")]
    assert json.loads(result.stdout)["ignored"] == 1
    sealer("scan", "--add-ignore", cwd=r, check=True)
    second = ignore.read_text()
    assert sealer("scan", "--add-ignore", cwd=r).returncode == 0
    assert ignore.read_text() == second  # idempotent
    body = [ln for ln in second.splitlines() if ln and not ln.startswith("#")]
    assert body == sorted(body) and len(body) == 2


def test_malformed_ignore_file_warns_and_the_good_lines_still_apply(tmp_path: Path) -> None:
    f = Fakes(10)
    a, b = f.github(), f.stripe()
    (tmp_path / "a.py").write_text(f'x = "{a}"\ny = "{b}"\n')
    fp = json.loads(sealer("scan", "--json", "a.py", cwd=tmp_path).stdout)["findings"][0]
    ignore = tmp_path / "ignore"
    pasted = f.github()
    lines = [fp["fingerprint"], "not a fingerprint", pasted, "made-up-rule:" + "0" * 32, "\xff"]
    ignore.write_bytes("\n".join(lines).encode() + b"\n")
    result = sealer("scan", "--json", "--ignore-file", str(ignore), "a.py", cwd=tmp_path)
    assert findings(result) == [("a.py", 2, "stripe-key")]
    assert "line 2: not a fingerprint" in result.stderr
    assert "line 3: not a fingerprint" in result.stderr
    assert "line 4: unknown rule 'made-up-rule'" in result.stderr
    assert pasted[4:] not in result.stderr
    refused = sealer("scan", "--add-ignore", "--ignore-file", str(ignore), "a.py", cwd=tmp_path)
    assert refused.returncode == 5 and "not rewriting it" in refused.stderr


def test_audit_log_and_sealed_values_are_skipped(tmp_path: Path) -> None:
    f = Fakes(11)
    (tmp_path / ".sealer").mkdir()
    (tmp_path / ".sealer" / "audit.jsonl").write_text(
        json.dumps({"sig": f.b64(300), "key_hash": f.hex(64), "token": f.random_token()}) + "\n"
    )
    sealed = f"ENC[AES256_GCM,data:{f.b64(30)},iv:{f.b64(32)},tag:{f.b64(16)},type:str]"
    (tmp_path / "s.yaml").write_text(f"db:\n  password: {sealed}\n")
    result = sealer("scan", "-v", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert ".sealer/audit.jsonl: skipped: sealer's audit log" in result.stderr


def test_scan_never_opens_a_network_connection(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'k = "{Fakes(12).github()}"\n')
    guard = (
        "import sys\n"
        "def hook(event, args):\n"
        "    if event.startswith(('socket.', 'urllib.', 'http.')):\n"
        "        raise SystemExit('network use: ' + event)\n"
        "sys.addaudithook(hook)\n"
        "from sealer.cli import main\n"
        "sys.exit(main(['scan', '--json', 'a.py']))\n"
    )
    result = run([sys.executable, "-c", guard], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "network use" not in result.stderr
    assert findings(result) == [("a.py", 1, "github-token")]


def test_the_project_itself_has_no_findings() -> None:
    """Fixtures are generated at test time; nothing committed looks like a credential."""
    result = sealer("scan", "--json", "--staged", ".", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["scanned"] > 50


def test_files_sealer_keeps_sealed_in_git_report_nothing(tmp_path: Path, age_key: AgeKey) -> None:
    """A checkout's decrypted files are plaintext by design; git holds them sealed."""
    f = Fakes(11)
    sealed_token, leaked_token, comment_token = f.github(), f.github(), f.stripe()
    r = new_repo(
        tmp_path / "r",
        age_key,
        files={
            "secrets/app.yaml": f"github_token: {sealed_token}\n",
            "config/app.py": f'token = "{leaked_token}"\n',
        },
    )
    assert r.read("secrets/app.yaml") == f"github_token: {sealed_token}\n"  # smudged
    result = sealer("scan", "--json", ".", cwd=r.path)
    assert findings(result) == [("config/app.py", 1, "github-token")]
    named = sealer("scan", "--json", "secrets/app.yaml", cwd=r.path)
    assert findings(named) == []
    # not yet added: a new covered file is still scanned as a file
    r.write("secrets/new.yaml", f"k: {sealed_token}\n")
    assert findings(sealer("scan", "--json", "secrets/new.yaml", cwd=r.path)) == [
        ("secrets/new.yaml", 1, "github-token")
    ]
    # the index blob is what is scanned: one that holds plaintext (staged past
    # the filter) is reported
    blob = r.git("hash-object", "-w", "--no-filters", "--stdin",
                 input=f"stripe: {comment_token}\n").stdout.strip()  # fmt: skip
    r.git("update-index", "--cacheinfo", f"100644,{blob},secrets/app.yaml")
    got = findings(sealer("scan", "--json", "secrets/app.yaml", cwd=r.path))
    assert got == [("secrets/app.yaml", 1, "stripe-key")]


def test_the_same_tree_without_the_filter_is_scanned_as_files(
    tmp_path: Path, age_key: AgeKey
) -> None:
    f = Fakes(12)
    token = f.github()
    r = new_repo(tmp_path / "r", age_key, files={"secrets/app.yaml": f"t: {token}\n"})
    r.sealer("git", "uninstall")
    r.write("secrets/app.yaml", f"t: {token}\n")  # a decrypted copy git would store as is
    assert findings(sealer("scan", "--json", ".", cwd=r.path)) == [
        ("secrets/app.yaml", 1, "github-token")
    ]


def test_all_history_includes_the_root_commit(tmp_path: Path) -> None:
    r = repo(tmp_path / "r")
    f = Fakes(13)
    first, later = f.github(), f.slack()
    (r / "a.py").write_text(f'k = "{first}"\n')
    root = commit(r, "root commit with a secret")
    (r / "a.py").write_text("k = None\n")
    commit(r, "removed")
    (r / "b.env").write_text(f"SLACK={later}\n")
    c3 = commit(r, "another")
    doc = json.loads(sealer("scan", "--json", "--all-history", cwd=r).stdout)
    got = sorted((x["path"], x["line"], x["rule"], x["commit"]) for x in doc["findings"])
    assert got == [("a.py", 1, "github-token", root), ("b.env", 1, "slack-token", c3)]
    # --since ROOT cannot include the root commit itself
    doc = json.loads(sealer("scan", "--json", "--since", root, cwd=r).stdout)
    assert [x["commit"] for x in doc["findings"]] == [c3]
    empty = repo(tmp_path / "empty")
    assert sealer("scan", "--all-history", cwd=empty).returncode == 0
    both = sealer("scan", "--all-history", "a.py", cwd=r)
    assert both.returncode == 2 and "take no PATH" in both.stderr


def test_since_names_the_right_commit_when_git_log_shows_signatures(tmp_path: Path) -> None:
    """Regression: a user's `log.showSignature` put "Good signature" lines into the parsed
    `git log`, and each commit's changes were reported under the commit before it."""
    from tests.git_test import signed_history

    r, (first, second) = signed_history(tmp_path)
    token = Fakes(9).github()
    (r / "c.py").write_text(f'k = "{token}"\n')
    git("add", "c.py", cwd=r)
    git("commit", "-q", "--no-verify", "-S", "-m", "third", cwd=r)
    third = git("rev-parse", "HEAD", cwd=r).strip()
    doc = json.loads(sealer("scan", "--json", "--since", first, cwd=r).stdout)
    assert [(x["path"], x["commit"]) for x in doc["findings"]] == [("c.py", third)]
    doc = json.loads(sealer("scan", "--json", "--all-history", cwd=r).stdout)
    assert [(x["path"], x["commit"]) for x in doc["findings"]] == [("c.py", third)]
    assert second != third


def test_an_entry_made_under_the_generic_rule_holds_when_a_vendor_rule_takes_over(
    tmp_path: Path,
) -> None:
    from sealer.scan.engine import fingerprint

    r = repo(tmp_path / "r")
    key = Fakes(10).uuid()
    (r / "deploy.env").write_text(f"HEROKU_API_KEY={key}\n")
    # what an older sealer wrote when only the generic rule found this secret
    (r / ".sealer").mkdir()
    entry = fingerprint("generic-secret", key.encode())
    (r / ".sealer" / "scan-ignore").write_text(f"{entry}  # generic-secret in deploy.env\n")
    result = sealer("scan", "--json", cwd=r)
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["ignored"] == 1
    # an entry for another secret does not accept it
    other = fingerprint("generic-secret", Fakes(11).uuid().encode())
    (r / ".sealer" / "scan-ignore").write_text(f"{other}  # generic-secret elsewhere\n")
    assert findings(sealer("scan", "--json", cwd=r)) == [("deploy.env", 1, "heroku-named-key")]
