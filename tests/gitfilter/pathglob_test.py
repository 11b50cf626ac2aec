"""path_regex -> .gitattributes globs: exact where supported, checked against git itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealer.gitfilter.install import quote
from sealer.gitfilter.pathglob import translate
from tests.helpers import run


@pytest.mark.parametrize(
    ("regex", "globs"),
    [
        (r"\.enc\.yaml$", ["**/*.enc.yaml"]),
        (r"^secrets/", ["secrets/**"]),
        (r"^secrets/.*\.yaml$", ["secrets/**/*.yaml"]),
        (r"\.(env|ini)$", ["**/*.env", "**/*.ini"]),
        (r"^config/[^/]*\.json$", ["config/*.json"]),
        (r"\.sops\.ya?ml$", ["**/*.sops.yaml", "**/*.sops.yml"]),
        (r".*", ["**"]),
    ],
)
def test_common_sops_rules_translate_to_simple_globs(regex: str, globs: list[str]) -> None:
    assert translate(regex) == globs


@pytest.mark.parametrize(
    "regex", [r"\d+\.yaml$", r"(?i)secret", r"a{2}", r"x+y", r"(?=a)b", "[^a]"]
)
def test_regexes_outside_the_supported_set_are_refused(regex: str) -> None:
    assert translate(regex) is None


REGEXES = [
    r"\.enc\.yaml$",
    r"^secrets/",
    r"secrets/.*\.yaml$",
    r"^secrets/.*\.yaml$",
    r"prod.*\.env$",
    r"\.(env|ini|json)$",
    r"^config/[^/]*\.json$",
    r"a.b",
    r"^(dev|prod)/.+\.yaml$",
    r"^[a-c]x?/",
    r"secret",
    r"/keys/",
    r"\.sops\.ya?ml$",
    r"^[^/]+/[a-c\-]",
]
components = st.sampled_from(
    ["secrets", "my-secrets", "a", "b", "x", "ax", "a.b", "prod", "dev", "config", "keys",
     "app.yaml", "app.enc.yaml", "p.env", "prod.env", "c.json", "d.ini", ".env", "a b",
     "x.sops.yml", "secret.txt", "[x]", "*", "q?"]
)  # fmt: skip
paths = st.lists(
    st.lists(components, min_size=1, max_size=4).map("/".join), min_size=1, max_size=40
)


@pytest.mark.parametrize("regex", REGEXES)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sample=paths)
def test_git_matches_exactly_the_paths_the_regex_matches(
    regex: str, sample: list[str], tmp_path: Path
) -> None:
    repo = tmp_path / "r"
    if not repo.exists():
        repo.mkdir()
        run(["git", "init", "-q"], cwd=repo, check=True)
    globs = translate(regex)
    assert globs is not None
    (repo / ".gitattributes").write_text("".join(f"{quote('/' + g)} covered\n" for g in globs))
    out = run(
        ["git", "check-attr", "-z", "--stdin", "covered"],
        cwd=repo, input="".join(p + "\0" for p in sample), check=True,
    ).stdout.split("\0")  # fmt: skip
    by_git = {out[i]: out[i + 2] == "set" for i in range(0, len(out) - 2, 3)}
    for path in sample:
        assert by_git[path] == bool(re.search(regex, path)), (path, globs)
