"""`.sealer.yaml` rules (sops' `creation_rules` schema): who a file is sealed for.

The rules file is found by walking up from the file's directory; at each level
`.sealer.yaml` wins over `.sops.yaml`. `--config`, `SEALER_CONFIG` or
`SOPS_CONFIG` name one directly. The first rule whose `path_regex` (an
unanchored regex over the path relative to the rules file's directory) matches
applies; a rule without `path_regex` matches every file.
"""

import os
from typing import TYPE_CHECKING, Any

from sealer import recipients
from sealer.document import Policy
from sealer.errors import ConfigError, FormatError
from sealer.recipients import Recipient
from sealer.records import Record
from sealer.selection import RULES, Selection

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

NAMES = (".sealer.yaml", ".sops.yaml")
# Top-level keys of a rules file: the one sealer acts on, and sops' others, which
# it accepts but ignores (with a warning). A near miss of either is an error.
TOP_KEYS = ("creation_rules",)
SOPS_ONLY_TOP_KEYS = ("destination_rules", "stores")
_RULE_KEYS = {
    "path_regex", "key_groups", "shamir_threshold", "mac_only_encrypted", "aws_profile",
    *RULES,
}  # fmt: skip


class Rules(Record):
    path: str | os.PathLike[str]
    rules: list[dict[str, Any]]
    raw: dict[str, Any]


def find(start: "Path") -> "Path | None":
    """The rules file that governs files in `start` (a directory), if any."""
    from pathlib import Path

    found = find_file(start)
    return None if found is None else Path(found)


def find_file(directory: str | os.PathLike[str]) -> str | None:
    """`find` for a path as text; `os.path`, as pathlib costs start-up (see bench/README)."""
    for var in ("SEALER_CONFIG", "SOPS_CONFIG"):
        if os.environ.get(var):
            return path_text(os.environ[var])
    d = os.path.realpath(directory)
    while True:
        for name in NAMES:
            candidate = os.path.join(d, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def path_text(path: str | os.PathLike[str]) -> str:
    """`str(pathlib.Path(path))` without pathlib: no empty or `.` parts, no trailing `/`."""
    text = os.fspath(path)
    head = "/" if text.startswith("/") else ""
    if text.startswith("//") and not text.startswith("///"):
        head = "//"  # POSIX leaves the meaning of exactly two leading slashes open
    return head + "/".join(p for p in text.split("/") if p not in ("", ".")) or "."


# path -> ((inode, size, mtime), Rules): a long-running git filter reads each rules
# file once, and again only when it changes
_loaded: dict[str, tuple[tuple[int, int, int], Rules]] = {}


def load(path: str | os.PathLike[str]) -> Rules:
    try:
        st = os.stat(path)
    except OSError:
        return _load(path)  # says why it cannot be read
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    found = _loaded.get(os.fspath(path))
    if found is not None and found[0] == stamp:
        return found[1]
    loaded = _load(path)
    _loaded[os.fspath(path)] = (stamp, loaded)
    return loaded


def _load(path: str | os.PathLike[str]) -> Rules:
    from sealer.formats import yaml as yaml_format
    from sealer.formats import yamldata
    from sealer.tree import to_python

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the rules file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the rules file is not UTF-8 text") from None
    data = yamldata.load(text)  # plain block YAML, without loading libyaml
    if data is None:
        try:
            parsed = yaml_format.FORMAT.parse(text)
        except FormatError as e:
            raise ConfigError(f"{path}: {e.message}", hint=e.hint) from None
        data = to_python(parsed.docs[0]) if parsed.docs else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the rules file must be a mapping with creation_rules")
    _check_top_keys(path, data, text)
    rules = data.get("creation_rules") or []
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(f"{path}: creation_rules must be a list of mappings")
    return Rules(path, rules, data)


def _check_top_keys(path: str | os.PathLike[str], data: dict[str, Any], text: str) -> None:
    """sops' keys sealer does not act on warn; a misspelt known key is an error.

    Any other top-level key warns too (it does nothing), unless it is a home for
    YAML anchors that rules merge in: its block defines one (`keys: [&alice
    age1…]`, `team: &team {age: …}`), or its name starts with `x-`.
    """
    import sys

    for key in data:
        if key in TOP_KEYS:
            continue
        if key in SOPS_ONLY_TOP_KEYS:
            print(
                f"sealer: warning: {path}: {key} is a sops setting sealer does not act on; "
                "it is ignored (only creation_rules choose who files are sealed for)",
                file=sys.stderr,
            )
            continue
        from difflib import get_close_matches

        near = get_close_matches(str(key), (*TOP_KEYS, *SOPS_ONLY_TOP_KEYS), n=1, cutoff=0.75)
        if near:
            raise ConfigError(
                f"{path}: unknown key {key!r} in the rules file (did you mean {near[0]}?)",
                hint="the keys sealer reads are creation_rules (and sops' destination_rules "
                'and stores, which it ignores); see README "Rules"',
            )
        if not str(key).startswith("x-") and str(key) not in _anchor_homes(text):
            print(
                f"sealer: warning: {path}: unknown key {key!r} in the rules file is ignored "
                "(only creation_rules choose who files are sealed for)",
                file=sys.stderr,
            )


def _anchor_homes(text: str) -> set[str]:
    """Top-level keys of a YAML text whose block defines an anchor (`&name`)."""
    import re

    anchor = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]")
    homes: set[str] = set()
    key: str | None = None
    for line in text.splitlines():
        if line[:1] not in ("", " ", "\t", "#", "-") and ":" in line:
            name, _, line = line.partition(":")
            key = name.strip().strip("'\"")
        if key is not None and "&" in line and anchor.search(line):
            homes.add(key)
    return homes


def policy_for(
    file: str | os.PathLike[str], config: str | os.PathLike[str] | None = None
) -> Policy:
    """The sealing policy for `file`, from the governing rules file."""
    file = path_text(file)  # as a Path shows it, in messages too (`./x.yaml` is `x.yaml`)
    path, rules, i = governing(file, config)
    if path is None:
        raise ConfigError(
            "no recipients: no .sealer.yaml or .sops.yaml governs this file",
            hint="pass --age RECIPIENT, or add a creation rule (see README)",
            file=str(file),
        )
    if rules is None or i is None:
        raise no_rule_error(file, path)
    from sealer.log import debug

    debug(f"{file}: rules {path}, creation_rules[{i}]")
    return policy_from_rule(rules.rules[i], where=f"{path}: creation_rules[{i}]")


def no_rule_error(file: str, path: str | os.PathLike[str]) -> ConfigError:
    if is_rules_file(file):
        return ConfigError(
            "a rules file is never sealed (not even when its own path_regex matches it)",
            hint="keep .sealer.yaml/.sops.yaml in plaintext: it holds public keys only",
            file=file,
        )
    return ConfigError(
        f"no creation rule in {path} matches this file",
        hint="add a rule whose path_regex matches it, or pass --age",
        file=file,
    )


def is_rules_file(file: str | os.PathLike[str]) -> bool:
    return os.path.basename(os.fspath(file)) in NAMES


def governing(
    file: str | os.PathLike[str], config: str | os.PathLike[str] | None = None
) -> tuple[str | os.PathLike[str] | None, Rules | None, int | None]:
    """(rules file, its rules, index of the rule) that govern `file`; None where there is none.

    A rules file is never governed by its own rules (or any others): a rule
    such as `path_regex: .*\\.yaml$` must not make `.sealer.yaml` a secret.
    """
    file = path_text(file)
    path = config or find_file(os.path.dirname(file) or ".")
    if path is None:
        return None, None, None
    if is_rules_file(file):
        return path, None, None
    rules = load(path)
    rel = relative_to_rules(file, path)
    for i in range(len(rules.rules)):
        if path_matches(rules, i, rel) is not False:
            return path, rules, i
    return path, rules, None


def relative_to_rules(file: str | os.PathLike[str], rules_path: str | os.PathLike[str]) -> str:
    """`file` as creation rules' path_regex sees it: relative to the rules file's directory."""
    try:
        rules_dir = os.path.dirname(rules_path) or "."
        return os.path.relpath(os.path.realpath(file), os.path.realpath(rules_dir))
    except ValueError:
        return str(file)


def path_matches(rules: Rules, i: int, rel: str) -> bool | None:
    """Whether creation rule `i`'s path_regex matches `rel`; None: it has no path_regex."""
    regex = rules.rules[i].get("path_regex")
    if regex is None:
        return None
    from sealer import pattern  # RE2, linear time: the rules file is data (issue 14)

    return pattern.compile_(str(regex), f"{rules.path}: creation_rules[{i}].path_regex").search(rel)


def _group(spec: dict[str, Any], where: str) -> list[Recipient]:
    out: list[Recipient] = []
    for name, value in spec.items():
        if name in _RULE_KEYS or name == "merge":
            continue
        kt = recipients.key_type(name)
        out.extend(recipients.parse_with(kt, value, spec))
    if isinstance(spec.get("merge"), list):
        for j, sub in enumerate(spec["merge"]):
            if not isinstance(sub, dict):
                raise ConfigError(f"{where}.merge[{j}] must be a key group mapping")
            out.extend(_group(sub, f"{where}.merge[{j}]"))
    unique: dict[tuple[str, str], Recipient] = {}
    for r in out:
        unique.setdefault((r.key_type, r.id), r)
    return list(unique.values())


def policy_from_rule(rule: dict[str, Any], where: str) -> Policy:
    groups: list[list[Recipient]] = []
    if rule.get("key_groups"):
        if not isinstance(rule["key_groups"], list):
            raise ConfigError(f"{where}.key_groups must be a list")
        for i, spec in enumerate(rule["key_groups"]):
            if not isinstance(spec, dict):
                raise ConfigError(f"{where}.key_groups[{i}] must be a mapping")
            group = _group(spec, f"{where}.key_groups[{i}]")
            if not group:
                raise ConfigError(f"{where}.key_groups[{i}] names no recipients")
            groups.append(group)
    else:
        group = _group({k: v for k, v in rule.items()}, where)
        if group:
            groups.append(group)
    if not groups:
        raise ConfigError(f"{where}: the rule names no recipients")
    threshold = rule.get("shamir_threshold") or 0
    if not isinstance(threshold, int) or threshold < 0:
        raise ConfigError(f"{where}.shamir_threshold must be a whole number")
    if len(groups) > 1 and threshold > len(groups):
        raise ConfigError(f"{where}.shamir_threshold is larger than the number of key groups")
    if len(groups) > 1 and threshold == 1:
        raise ConfigError(f"{where}.shamir_threshold must be 0 or at least 2")
    return Policy(
        groups=tuple(tuple(g) for g in groups),
        shamir_threshold=threshold if len(groups) > 1 else 0,
        **_how(rule, where),
    )


def _how(rule: dict[str, Any], where: str) -> dict[str, Any]:
    """What a rule says about how to seal, apart from whom for: selection, MAC scope."""
    return {
        "selection": Selection.from_fields(rule, where=where),
        "mac_only_encrypted": bool(rule.get("mac_only_encrypted", False)),
        "selection_chosen": any(rule.get(k) not in (None, "") for k in RULES),
    }


def policy_with_recipients(
    found: "Sequence[Recipient]",
    file: str | os.PathLike[str],
    config: str | os.PathLike[str] | None = None,
) -> Policy:
    """Recipients from the command line or the environment, in one key group, sealed
    the way the rule that matches `file` says (selection, `mac_only_encrypted`), as
    sops does; the rule's own recipients and threshold do not apply. No rules file
    or no matching rule: sealer's defaults."""
    policy = Policy(groups=(tuple(found),))
    file = path_text(file)
    path, rules, i = governing(file, config)
    if rules is None or i is None:
        return policy
    return policy._replace(**_how(rules.rules[i], where=f"{path}: creation_rules[{i}]"))


# sops reads these as the defaults of its --age, --pgp and --kms flags; sealer's
# own names win over sops'. They come from the user's environment (trusted),
# never from a committed file.
ENV_RECIPIENTS: dict[str, tuple[str, str]] = {
    "age": ("SEALER_AGE_RECIPIENTS", "SOPS_AGE_RECIPIENTS"),
    "pgp": ("SEALER_PGP_FP", "SOPS_PGP_FP"),
    "kms": ("SEALER_KMS_ARN", "SOPS_KMS_ARN"),
}


def env_recipients(key_type: str) -> str | None:
    """The environment's stand-in for a recipient flag that was not given, as in sops."""
    for var in ENV_RECIPIENTS.get(key_type, ()):
        if os.environ.get(var):
            from sealer.log import debug

            debug(f"{key_type} recipients from {var}")
            return os.environ[var]
    return None


def recipients_in_env() -> bool:
    return any(os.environ.get(var) for names in ENV_RECIPIENTS.values() for var in names)
