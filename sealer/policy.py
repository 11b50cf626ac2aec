"""Every re-seal checks the previous version against the rules for the file's current path.

The previous sealed version of a file (the index or HEAD blob, the file `edit`
or `set` opens, a merge's "ours") is committed content: anyone who can push
wrote it. Its metadata may name extra recipients, carry a stanza whose
recipient label is spoofed over a data key its author chose, select no value
for sealing (`encrypted_regex: ^NOTHING$`), or simply belong to another path
(`git mv dev/app.yaml prod/app.yaml`). So before sealing new plaintext
against it, every re-seal (clean filter, merge driver, `edit`, `set`/`unset`,
`git reseal-staged`) decides with `reseal`:

1. The previous version's `Shape` (recipients by key type and key group,
   Shamir threshold, selection rule, `mac_only_encrypted`), read from its
   metadata without a key, must equal the shape of the creation rule for the
   file's current path. If not, the file is sealed afresh, with a new data key,
   for the rule's recipients, and a warning says what differed.
2. The previous data key must be one this clone trusts (`trust.py`: made here).
   A stanza's label cannot be checked against the key it wraps, so a matching
   shape says nothing about who else holds the data key. An untrusted data key
   is never reused for changed or added values: the file is sealed afresh.
3. Otherwise the data key, metadata and unchanged ciphertexts are reused
   (stable bytes, DESIGN decision 2).

Content equal to the previous version's plaintext is not a re-seal: the
caller gives back the previous blob as it is (it is in the repository
already, so nothing new becomes readable by anyone), and `git status` stays
clean. `sealer check` reports such a file if its shape differs from its rule.

When no rule governs the file, `strict` callers (the git filter, the merge
driver) fail closed: the path was sealed, and nothing may now choose to store
it in plaintext or for the previous version's recipients. `edit` and `set` on
a file outside any rule keep its recipients, as sops does.
"""

import os
from collections.abc import Callable

from sealer import datakey, document, recipients, rules
from sealer.document import Opened, Policy
from sealer.errors import ConfigError, SealerError
from sealer.formats import Format
from sealer.metadata import Metadata, Stanza
from sealer.records import Record
from sealer.selection import Selection
from sealer.trust import Trust

Warn = Callable[[str], None]


class Shape(Record):
    """What a file is sealed for and how: comparable without a key."""

    groups: tuple[tuple[str, ...], ...]  # each group's recipients, sorted; groups sorted
    threshold: int  # 0 for one key group
    selection: tuple[str, str]  # (rule, value)
    mac_only_encrypted: bool


def stanza_fingerprint(stanza: Stanza) -> str:
    """How a stanza's recipient is named: `recipients.stanza_id` (age: the `age1…` string).

    A key type sealer does not know is named by its list and its fields except
    the wrapped key, so it still compares equal across versions of a file.
    """
    if recipients.for_stanza(stanza) is not None:
        return recipients.stanza_id(stanza)
    keep = sorted((k, str(v)) for k, v in stanza.fields.items() if k not in ("enc", "created_at"))
    return stanza.type + ":" + ",".join(f"{k}={v}" for k, v in keep)


def of_metadata(meta: Metadata) -> Shape:
    groups = tuple(sorted(tuple(sorted({stanza_fingerprint(s) for s in g})) for g in meta.groups))
    return Shape(
        groups,
        meta.threshold if len(meta.groups) > 1 else 0,
        (meta.selection.rule, meta.selection.value),
        meta.mac_only_encrypted,
    )


def of_policy(policy: Policy, selection: Selection | None = None) -> Shape:
    """The rule's shape; `selection` when it depends on the file (`selection_for`)."""
    groups = tuple(sorted(tuple(sorted({r.id for r in g})) for g in policy.groups))
    n = len(groups)
    chosen = selection or policy.selection
    return Shape(
        groups,
        (policy.shamir_threshold or n) if n > 1 else 0,
        (chosen.rule, chosen.value),
        policy.mac_only_encrypted,
    )


def selection_for(policy: Policy, fmt: Format, plaintext: str) -> Selection:
    """The selection the rule gives this file: a Kubernetes Secret has its own default.

    Parsed only when it could matter (no selection chosen, `Secret` in the text).
    """
    if policy.selection_chosen or "Secret" not in plaintext:
        return policy.selection
    from sealer import k8s

    try:
        return k8s.selection_for(policy, fmt.parse(plaintext).docs)
    except SealerError:
        return policy.selection


def differences(found: Shape, wanted: Shape) -> list[str]:
    """What differs, one line each: `found` is the file's, `wanted` the rule's."""
    out: list[str] = []
    if found.groups != wanted.groups:
        have = {r for g in found.groups for r in g}
        want = {r for g in wanted.groups for r in g}
        out += [f"recipient {r}: in the file, not in the rule" for r in sorted(have - want)]
        out += [f"recipient {r}: in the rule, not in the file" for r in sorted(want - have)]
        if have == want:
            out.append(
                f"key groups: the file has {_groups(found.groups)}, "
                f"the rule {_groups(wanted.groups)}"
            )
    if found.threshold != wanted.threshold:
        out.append(f"shamir_threshold: the file has {found.threshold}, the rule {wanted.threshold}")
    if found.selection != wanted.selection:
        out.append(
            f"selection: the file has {found.selection[0]}: {found.selection[1]!r}, "
            f"the rule {wanted.selection[0]}: {wanted.selection[1]!r}"
        )
    if found.mac_only_encrypted != wanted.mac_only_encrypted:
        out.append(
            f"mac_only_encrypted: the file has {str(found.mac_only_encrypted).lower()}, "
            f"the rule {str(wanted.mac_only_encrypted).lower()}"
        )
    return out


def _groups(groups: tuple[tuple[str, ...], ...]) -> str:
    return " ".join("[" + ", ".join(g) + "]" for g in groups)


# path's rules (file, index) -> Policy: one recipient parse per rule per process
_policies: dict[tuple[int, int], tuple[rules.Rules, Policy]] = {}


def wanted(file: str, config: str | os.PathLike[str] | None = None) -> Policy | None:
    """The policy of the creation rule for `file` now; None when no rule governs it."""
    path, loaded, i = rules.governing(file, config)
    if loaded is None or i is None:
        return None
    return of_rule(path, loaded, i)


def of_rule(path: str | os.PathLike[str] | None, loaded: rules.Rules, i: int) -> Policy:
    """The policy of creation rule `i` of the rules file at `path`."""
    cached = _policies.get((id(loaded), i))
    if cached is not None and cached[0] is loaded:
        return cached[1]
    policy = rules.policy_from_rule(loaded.rules[i], where=f"{path}: creation_rules[{i}]")
    _policies[(id(loaded), i)] = (loaded, policy)
    return policy


def stamp(file: str, wanted: Policy) -> str:
    """A name for "sealed as `wanted` says, at repository path `file`".

    Clean and updatekeys list it with each blob they seal for a rule
    (gitfilter/cleaned.py). While the rule for the path keeps this shape, the
    blob cannot drift from it (its shape is a function of the blob and the
    rule's shape), so the hook need not read the blob to check.
    """
    import hashlib
    import json

    text = json.dumps([file, of_policy(wanted), wanted.selection_chosen])
    return hashlib.sha256(b"sealer rule stamp v1\x00" + text.encode()).hexdigest()[:32]


def drift(
    meta: Metadata,
    file: str,
    config: str | os.PathLike[str] | None = None,
    *,
    fmt: Format,
    plaintext: str,
) -> list[str]:
    """How a sealed file's metadata differs from its rule; empty when it matches or no rule.

    `plaintext` is the file's text (sealed values in it do no harm): whether it
    is a Kubernetes Secret decides the default selection.
    """
    return drift_from(meta, wanted(file, config), fmt=fmt, plaintext=plaintext)


def drift_from(meta: Metadata, policy: Policy | None, *, fmt: Format, plaintext: str) -> list[str]:
    """`drift` against a policy already loaded (None: no rule, no drift)."""
    if policy is None:
        return []
    return differences(of_metadata(meta), of_policy(policy, selection_for(policy, fmt, plaintext)))


def reseal(
    fmt: Format,
    plaintext: str,
    previous: Opened | None,
    file: str,
    *,
    warn: Warn | None = None,
    trust: Trust | None = None,
    strict: bool = True,
    config: str | os.PathLike[str] | None = None,
) -> tuple[str, Policy | None]:
    """`plaintext` sealed as the module docstring says (`previous` is the opened old
    version), and the rule's policy it was sealed for (None: no rule, the previous
    version's recipients kept). The rules file is read once: a stamp made from this
    policy names what was sealed, even if the file changes meanwhile."""
    warn = warn or warn_stderr
    policy = wanted(file, config)
    if policy is None:
        if previous is None or strict:
            if previous is not None:
                raise _no_rule_for_sealed(file, config)
            no_rule = rules.policy_for(file, config)  # raises: it says why there is none
            return document.seal_text(fmt, plaintext, policy=no_rule, file=file), None
        return document.seal_text(fmt, plaintext, previous=previous, file=file), None
    trust = trust if trust is not None else Trust.near(file)
    if previous is not None:
        selection = selection_for(policy, fmt, plaintext)
        changes = differences(of_metadata(previous.meta), of_policy(policy, selection))
        if changes:
            warn(
                f"{file}: its previous version is not sealed as its creation rule says ("
                + "; ".join(changes)
                + "); sealed afresh with a new data key for the rule's recipients"
            )
        elif trust.trusts(previous.key):
            return document.seal_text(fmt, plaintext, previous=previous, file=file), policy
        else:
            warn(
                f"{file}: sealed with a new data key: this clone did not make the previous "
                "one, and a committed file cannot show who else holds it (SECURITY.md)"
            )
    key = datakey.new_data_key()
    sealed = document.seal_text(fmt, plaintext, policy=policy, file=file, key=key)
    trust.add(key)
    return sealed, policy


def warn_stderr(message: str) -> None:
    import sys

    print(f"sealer: warning: {message}", file=sys.stderr, flush=True)


def _no_rule_for_sealed(file: str, config: str | os.PathLike[str] | None) -> ConfigError:
    where = config or rules.find_file(os.path.dirname(file) or ".")
    return ConfigError(
        "no creation rule governs this file, but its previous version is sealed; sealer "
        "neither stores it in plaintext nor seals it for the recipients the old version names",
        hint=f"restore the rule for it in {where or '.sealer.yaml'} (see `git log -p` of the "
        "rules file), or take the file out of git with `git rm --cached`",
        file=file,
    )
