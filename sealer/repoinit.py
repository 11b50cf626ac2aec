"""`sealer init`: one command that sets a git repository up for sealed files.

Each step checks what is already there and leaves it alone, so running it again
changes nothing: the user's age key (reused when one is found), `.sealer.yaml`
(written only when no rules file exists), `sealer git install`, sealer's hooks
in `.pre-commit-config.yaml`, and with `audit` the signed audit trail.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sealer import fileio, rules
from sealer.errors import ConfigError

# name -> (path_regex, what it covers); each regex has an exact .gitattributes form
LAYOUTS: dict[str, tuple[str, str]] = {
    "secrets-dir": (r"^secrets/", "every file under secrets/ at the top of the repository"),
    "enc": (r"\.enc\.(ya?ml|json|env|ini)$", "files named *.enc.yaml, *.enc.json, *.enc.env …"),
    "env": (r"\.env$", "dotenv files: .env, prod.env, …"),
    "k8s": (
        r"secret[^/]*\.ya?ml$",
        "Kubernetes manifests named *secret*.yaml (a `kind: Secret` seals data/stringData)",
    ),
}
DEFAULT_LAYOUTS = ("secrets-dir", "enc")
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
HOOKS_MARK = "# sealer's hooks, written by `sealer init`: they run the sealer on PATH"
_HOOKS = """\
- repo: local  {mark}
  hooks:
    - id: sealer-sealed
      name: sealer - files rules cover are sealed and verify
      entry: sealer check --staged
      language: system
      stages: [pre-commit, pre-merge-commit, manual]
    - id: sealer-scan
      name: sealer - no hard-coded secrets
      entry: sealer scan --staged
      language: system
      types: [text]
      stages: [pre-commit, pre-merge-commit, manual]
"""
_AUDIT_HOOK = """\
    - id: sealer-audit
      name: sealer - audit trail verifies
      entry: sealer audit verify
      language: system
      pass_filenames: false
      always_run: true
      stages: [pre-push, manual]
"""


@dataclass
class Done:
    """What init did, for the user: lines to print and paths to commit."""

    said: list[str] = field(default_factory=list)
    commit: list[str] = field(default_factory=list)
    recipient: str = ""


def own_recipient() -> tuple[str, str | None]:
    """The recipient of the first age key sealer finds, and where; (new key's, None) if none."""
    from pyrage import x25519

    from sealer import identities, keyfile

    for secret, source in identities.age_keys_by_source().items():
        return str(x25519.Identity.from_str(secret).to_public()), source
    return keyfile.generate(None), None


def rules_text(recipients: list[str], layouts: list[str]) -> str:
    unknown = [name for name in layouts if name not in LAYOUTS]
    if unknown:
        raise ConfigError(
            f"unknown layout {', '.join(unknown)}", hint=f"known: {', '.join(LAYOUTS)}"
        )
    lines = [
        "# Written by `sealer init`. Which files must be sealed (path_regex, relative to",
        "# this file) and for whom. Add a teammate: put their age1… or ssh-ed25519 key",
        "# under `age:`, then run `sealer updatekeys` (see README, Re-keying).",
        "creation_rules:",
    ]
    for name in layouts:
        regex, what = LAYOUTS[name]
        lines += [f"  # {name}: {what}", f"  - path_regex: {regex}"]
        lines.append(f"    age: {','.join(recipients)}")
    return "\n".join(lines) + "\n"


def hooks_block(audit: bool, indent: str) -> str:
    text = _HOOKS.format(mark=HOOKS_MARK) + (_AUDIT_HOOK if audit else "")
    return "".join(indent + line + "\n" for line in text.splitlines())


def add_hooks(root: Path, audit: bool, done: Done) -> None:
    """Add sealer's hooks to .pre-commit-config.yaml, or say how when its layout is unusual."""
    path = root / PRE_COMMIT_CONFIG
    if not path.exists():
        fileio.write_atomic(str(path), ("repos:\n" + hooks_block(audit, "  ")).encode())
        done.said.append(f"wrote {PRE_COMMIT_CONFIG} with sealer's hooks")
        done.commit.append(PRE_COMMIT_CONFIG)
        return
    text = path.read_text(encoding="utf-8")
    if re.search(r"^\s*-?\s*id:\s*sealer-sealed\s*$", text, re.M):
        if audit and not re.search(r"^\s*-?\s*id:\s*sealer-audit\s*$", text, re.M):
            done.said.append(f"hint: add the sealer-audit hook to {PRE_COMMIT_CONFIG} by hand")
        else:
            done.said.append(f"{PRE_COMMIT_CONFIG} already has sealer's hooks")
        return
    indent = _repos_indent(text)
    if indent is None:
        done.said.append(
            f"hint: {PRE_COMMIT_CONFIG} does not end with a block `repos:` list; "
            "add this entry to it by hand:\n" + hooks_block(audit, "  ").rstrip("\n")
        )
        return
    new = text + ("" if text.endswith("\n") else "\n") + hooks_block(audit, indent)
    fileio.write_atomic(str(path), new.encode())
    done.said.append(f"added sealer's hooks to {PRE_COMMIT_CONFIG}")
    done.commit.append(PRE_COMMIT_CONFIG)


def _repos_indent(text: str) -> str | None:
    """The indentation of `repos:` items when `repos:` is the last top-level key, in block style."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"repos:\s*(#.*)?$", line)]
    if len(starts) != 1:
        return None
    after = lines[starts[0] + 1 :]
    if any(line[:1] not in ("", " ", "#", "-") for line in after):
        return None  # another top-level key follows: appending would land under it
    for line in after:
        m = re.match(r"( *)- ", line)
        if m:
            return m.group(1)
    return None


def repository() -> Path:
    """The work tree `sealer init` sets up: the one around the current directory."""
    from sealer import git

    root = git.toplevel(Path.cwd())
    if root is None:
        raise ConfigError(
            "not in a git repository", hint="run `git init` first, then `sealer init`"
        )
    return root


def has_rules(root: Path) -> bool:
    """Whether a rules file is there already (init keeps it; layouts do not matter then)."""
    return any((root / name).exists() for name in rules.NAMES)


def init(
    layouts: list[str],
    extra_recipients: list[str],
    *,
    audit: bool,
    hooks: bool = True,
    git_install: bool = True,
) -> Done:
    root = repository()
    if audit:  # a missing signing key or git identity stops init before it writes anything
        from sealer.audit.log import current_actor

        current_actor(root)
    done = Done()
    recipient, source = own_recipient()
    done.recipient = recipient
    if source is None:
        done.said.append(f"made a new age key; your recipient is {recipient}")
    else:
        done.said.append(f"using your age key from {source}; recipient {recipient}")
    _rules(root, [recipient, *[r for r in extra_recipients if r != recipient]], layouts, done)
    if git_install:
        os.chdir(root)
        from sealer.gitfilter import install

        done.said += [f"git install: {line}" for line in install.install(extra=[])]
        done.commit.append(".gitattributes")
    if hooks:
        add_hooks(root, audit, done)
    if audit:
        from sealer.audit import admin

        done.said += [
            f"audit: {line}" for line in admin.init(root, trust_root=None, principal=None)
        ]
        done.commit += [".sealer/", ".gitattributes"]
    done.commit = to_commit(root, done.commit)
    return done


def to_commit(root: Path, paths: list[str]) -> list[str]:
    """Those of `paths` that git sees as new or changed (what is left to commit)."""
    from sealer import git

    wanted = list(dict.fromkeys(paths))
    if not wanted:
        return []
    out = git.run(["status", "--porcelain", "-z", "--untracked-files=all", "--", *wanted], root)
    changed = [record[3:].decode() for record in out.split(b"\0") if record[2:3] == b" "]
    return [p for p in wanted if any(c == p or c.startswith(p) for c in changed)]


def _rules(root: Path, recipients: list[str], layouts: list[str], done: Done) -> None:
    existing = [name for name in rules.NAMES if (root / name).exists()]
    if existing:
        done.said.append(f"kept {existing[0]} as it is (its rules decide who files are sealed for)")
        return
    from sealer import recipients as keytypes

    for r in recipients:
        keytypes.parse_with(keytypes.key_type("age"), r, {})  # a typo fails here, not later
    fileio.write_atomic(str(root / rules.NAMES[0]), rules_text(recipients, layouts).encode())
    done.said.append(
        f"wrote {rules.NAMES[0]}: {', '.join(layouts)} sealed for {len(recipients)} recipient(s)"
    )
    done.commit.append(rules.NAMES[0])
