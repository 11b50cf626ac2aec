"""Real git repositories with sealer's git integration installed, for the tests.

A `GitRepo` runs git (and sealer) in its directory with a chosen key: the key
holder's age key file, or none at all for a locked clone.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import AgeKey, Result, run

RULES = """\
creation_rules:
  - path_regex: {regex}
    age: {recipient}
"""


@dataclass
class GitRepo:
    path: Path
    key: AgeKey | None

    @property
    def env(self) -> dict[str, str]:
        return {"SEALER_AGE_KEY_FILE": str(self.key.file)} if self.key else {}

    def git(self, *args: str, check: bool = True, input: bytes | str | None = None) -> Result:
        return run(["git", *args], cwd=self.path, env=self.env, check=check, input=input)

    def sealer(self, *args: str, check: bool = True) -> Result:
        return run(
            [sys.executable, "-m", "sealer", *args], cwd=self.path, env=self.env, check=check
        )

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = text.encode()
        path.write_bytes(text)

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text()

    def stored(self, spec: str) -> str:
        """A blob exactly as stored (no filter, no textconv)."""
        return self.git("cat-file", "blob", spec).stdout

    def status(self) -> str:
        return self.git("status", "--porcelain").stdout

    def commit(self, message: str, *paths: str) -> None:
        self.git("add", *(paths or ("-A",)))
        self.git("commit", "-q", "-m", message)

    def clone(self, dest: Path, key: AgeKey | None, install: bool = True) -> GitRepo:
        other = GitRepo(dest, key)
        run(["git", "clone", "-q", str(self.path), str(dest)], env=other.env, check=True)
        if install:
            other.sealer("git", "install", "--no-hook")
        return other


def new_repo(
    path: Path, key: AgeKey, regex: str = r"secrets/.*", files: dict[str, str] | None = None
) -> GitRepo:
    """A repository with a rule for `regex`, sealer installed, and `files` committed."""
    repo = GitRepo(path, key)
    path.mkdir(parents=True, exist_ok=True)
    repo.git("init", "-q", "-b", "main")
    repo.write(".sealer.yaml", RULES.format(regex=regex, recipient=key.recipient))
    repo.sealer("git", "install", "--no-hook")
    for rel, text in (files or {}).items():
        repo.write(rel, text)
    repo.commit("initial")
    return repo
