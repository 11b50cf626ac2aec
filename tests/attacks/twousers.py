"""Two people and one shared repository, for the attack tests: real git, real keys.

alice holds a key the rules name; mallory can push but holds no key the rules
name (she has an age key of her own, and everyone's public keys). Each has a
HOME of her own (git config, sealer key file) and a clone of one bare
repository; alice's clone has sealer's git integration installed, hook
included, as `sealer git install` sets it up. mallory writes sealed files
with her own tools and pushes them as they are.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import AgeKey, Result, make_age_key, run


@dataclass
class User:
    name: str
    home: Path
    key: AgeKey
    clone: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "SEALER_AGE_KEY_FILE": str(self.key.file),
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": f"{self.name}@example.invalid",
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": f"{self.name}@example.invalid",
        }

    def git(self, *args: str, check: bool = True, input: str | None = None) -> Result:
        return run(["git", *args], cwd=self.clone, env=self.env, check=check, input=input)

    def sealer(self, *args: str, check: bool = True, input: str | None = None) -> Result:
        return run(
            [sys.executable, "-m", "sealer", *args],
            cwd=self.clone, env=self.env, check=check, input=input,
        )  # fmt: skip

    def write(self, rel: str, text: str) -> None:
        path = self.clone / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def read(self, rel: str) -> str:
        return (self.clone / rel).read_text()

    def stored(self, spec: str) -> str:
        """A blob exactly as git stores it (no filter)."""
        return self.git("cat-file", "blob", spec).stdout

    def commit_all(self, message: str, check: bool = True) -> Result:
        self.git("add", "-A")
        return self.git("commit", "-q", "-m", message, check=check)

    def push(self) -> None:
        self.git("push", "-q", "origin", "HEAD:main")

    def pull(self) -> None:
        self.git("pull", "-q", "--no-rebase", "origin", "main")

    def opens(self, text: str, path: str = "x.yaml") -> Result:
        """`sealer decrypt` of sealed `text` with this user's key (the file's type by `path`)."""
        scratch = self.home / "scratch" / path
        scratch.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(text)
        return run(
            [sys.executable, "-m", "sealer", "decrypt", str(scratch)], env=self.env, check=False
        )


RULES = """\
creation_rules:
  - path_regex: ^secrets/
    age: {alice}
"""


@dataclass
class Team:
    origin: Path
    alice: User
    mallory: User


def user(tmp: Path, name: str, origin: Path) -> User:
    home = tmp / f"home-{name}"
    home.mkdir()
    key = make_age_key(home / "keys", name)
    return User(name, home, key, tmp / f"clone-{name}")


def team(tmp: Path, files: dict[str, str], rules: str = RULES) -> Team:
    """alice starts the repository (rules, sealer installed, `files` committed) and pushes it;
    mallory clones it without sealer's filter (she has no key it could use)."""
    origin = tmp / "origin.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    alice, mallory = user(tmp, "alice", origin), user(tmp, "mallory", origin)
    alice.clone.mkdir()
    alice.git("init", "-q", "-b", "main")
    alice.git("remote", "add", "origin", str(origin))
    alice.write(".sealer.yaml", rules.format(alice=alice.key.recipient))
    alice.sealer("git", "install")
    for rel, text in files.items():
        alice.write(rel, text)
    alice.commit_all("initial")
    alice.push()
    run(["git", "clone", "-q", str(origin), str(mallory.clone)], env=mallory.env, check=True)
    return Team(origin, alice, mallory)


def recipients_of(sealed: str) -> list[str]:
    """The `recipient:` labels of a sealed YAML file's age stanzas."""
    return [
        line.split("recipient:", 1)[1].strip()
        for line in sealed.splitlines()
        if line.strip().startswith(("recipient:", "- recipient:"))
    ]
