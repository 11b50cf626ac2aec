"""A repository's `.gitleaks.toml` / `.sealer/scan.toml`: custom rules and allowlists."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sealer.errors import ConfigError
from sealer.scan import custom, engine
from tests.helpers import sealer
from tests.scan.fakes import Fakes

RULES = """
title = "team rules"

[extend]
useDefault = true

[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''(?i)\\b(acme_[a-z0-9]{24})\\b'''
keywords = ["acme_"]
entropy = 3.0

[[rules]]
id = "acme-deploy-key"
regex = '''deploy_key\\s*=\\s*"([A-F0-9]{16})(-[0-9]{2})"'''
secretGroup = 1

  [[rules.allowlists]]
  regexes = ['''^0000''']

[allowlist]
description = "fixtures"
paths = ['''(^|/)testdata/''']
stopwords = ["notreal"]
"""


def acme(f: Fakes) -> str:
    return "acme_" + f.s(24, "abcdefghijklmnopqrstuvwxyz0123456789")


def findings(cwd: Path, *paths: str) -> list[tuple[str, str]]:
    result = sealer("scan", "--json", *paths, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


def test_custom_rules_find_what_the_team_defined(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text(RULES)
    f = Fakes(1)
    (tmp_path / "app.py").write_text(
        f'TOKEN = "{acme(f)}"  # sealer:allow-next-line\n'
        f'deploy_key = "{f.hex(16).upper()}-07"\n'
        f'deploy_key = "0000{f.hex(12).upper()}-07"\n'
    )
    assert findings(tmp_path, "app.py") == [("app.py", "acme-token")]


def test_global_allowlist_paths_and_stopwords(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text(RULES)
    f = Fakes(2)
    (tmp_path / "testdata").mkdir()
    (tmp_path / "testdata" / "x.py").write_text(f'T = "{acme(f)}"\n')
    (tmp_path / "y.py").write_text(f'T = "{acme(f)[:-7]}notreal"\nG = "{f.github()}"\n')
    assert findings(tmp_path, "testdata/x.py", "y.py") == [("y.py", "github-token")]


def test_sealer_scan_toml_uses_the_same_schema_and_can_disable_a_builtin_rule(
    tmp_path: Path,
) -> None:
    (tmp_path / ".sealer").mkdir()
    (tmp_path / ".sealer" / "scan.toml").write_text(
        '[extend]\ndisabledRules = ["github-token"]\n'
        '[[rules]]\nid = "ticket"\nregex = "TCK-[0-9]{8}"\n'
    )
    f = Fakes(3)
    (tmp_path / "a.txt").write_text(f"{f.github()}\nTCK-{f.digits(8)}\n")
    assert findings(tmp_path, "a.txt") == [("a.txt", "ticket")]


def test_custom_findings_go_into_the_ignore_file_with_stable_fingerprints(
    tmp_path: Path,
) -> None:
    (tmp_path / ".gitleaks.toml").write_text(RULES)
    token = acme(Fakes(4))
    (tmp_path / "a.py").write_text(f'T = "{token}"\n')
    assert sealer("scan", "--add-ignore", "a.py", cwd=tmp_path).returncode == 0
    (tmp_path / "a.py").write_text(f'\n\nOTHER = "{token}"\n')
    assert sealer("scan", "a.py", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[rules]]\nid = "x"\nregex = "(a)\\\\1"\n', "not a regex RE2 accepts"),
        ('[[rules]]\nid = "x"\nregex = "(?=a)b"\n', "not a regex RE2 accepts"),
        ('[[rules]]\nregex = "abc"\n', "a rule without an id"),
        ('[[rules]]\nid = "x"\nregex = "' + "a" * 5000 + '"\n', "longer than"),
    ],
)
def test_bad_rule_files_are_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / ".gitleaks.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message):
        custom.load(str(tmp_path))
    (tmp_path / "a.txt").write_text("hello\n")
    result = sealer("scan", "a.txt", cwd=tmp_path)
    assert result.returncode == 5
    assert result.stderr.startswith("sealer: error: .gitleaks.toml: rules[0]")
    assert message in result.stderr


def test_what_a_file_scan_cannot_apply_is_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text(
        '[extend]\npath = "/etc/other.toml"\n'
        '[[rules]]\nid = "keyfile"\npath = "id_rsa$"\n'
        '[allowlist]\ncommits = ["0123abcd"]\n'
    )
    (tmp_path / "a.txt").write_text("hello\n")
    result = sealer("scan", "a.txt", cwd=tmp_path)
    assert result.returncode == 0
    assert "extend.path/url ignored" in result.stderr
    assert "keyfile: path-only rule skipped" in result.stderr
    assert "commits ignored" in result.stderr


def test_a_committed_regex_cannot_cost_exponential_time(tmp_path: Path) -> None:
    """The classic catastrophic pattern runs in linear time under RE2."""
    (tmp_path / ".gitleaks.toml").write_text('[[rules]]\nid = "evil"\nregex = "(a+)+$"\n')
    rules = custom.load(str(tmp_path)).rules
    data = b"a" * 50_000 + b"!"
    started = time.perf_counter()
    found = list(rules[0].candidates(data, []))
    assert time.perf_counter() - started < 2.0
    assert found == []


def test_a_file_that_is_not_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text("[[rules]\n")
    (tmp_path / "a.txt").write_text("hello\n")
    result = sealer("scan", "a.txt", cwd=tmp_path)
    assert result.returncode == 5
    assert result.stderr.startswith("sealer: error: .gitleaks.toml: not valid TOML")


def test_sarif_describes_custom_rules_too(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text(RULES)
    (tmp_path / "a.py").write_text(f'T = "{acme(Fakes(5))}"\n')
    result = sealer("scan", "--sarif", "a.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["shortDescription"]["text"]) for r in rules] == [
        ("acme-token", "ACME internal token")
    ]


def test_an_ignore_entry_for_the_generic_finding_accepts_a_custom_rule_that_now_wins(
    tmp_path: Path,
) -> None:
    """A repository's own rule wins an overlap against the generic rule; an ignore
    entry made when the generic rule reported the secret must still accept it, though
    the team's rule takes a different secret (here its whole match)."""
    (tmp_path / ".gitleaks.toml").write_text(
        "[[rules]]\nid = \"team-key\"\nregex = '''api_key = \"tk_[A-Za-z0-9]{24}\"'''\n"  # sealer:allow
    )
    secret = "tk_" + Fakes(5).s(24, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    (tmp_path / "a.py").write_text(f'api_key = "{secret}"\n')
    assert findings(tmp_path, "a.py") == [("a.py", "team-key")]
    (tmp_path / ".sealer").mkdir()
    (tmp_path / ".sealer" / "scan-ignore").write_text(
        engine.fingerprint(engine.GENERIC, secret.encode()) + "\n"
    )
    assert findings(tmp_path, "a.py") == []
