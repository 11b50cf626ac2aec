"""`sealer encrypt` for one file or stdin: seal it for its policy and write it."""

from __future__ import annotations

from collections.abc import Callable

from sealer import document, fileio, formats


def rule_policy(name: str) -> document.Policy:
    """The policy of the `.sealer.yaml` or `.sops.yaml` rule that governs `name`."""
    from sealer import rules

    return rules.policy_for(name if name != "-" else "stdin")


def age_policy(recipients: str) -> Callable[[str], document.Policy]:
    """`--age R[,R…]`: one key group of these age recipients, sealed as the rule says
    (none named: the rule's recipients too)."""
    from sealer import recipients as kinds
    from sealer import rules

    def policy(name: str) -> document.Policy:
        found = kinds.parse_with(kinds.key_type("age"), recipients, {})
        if not found:
            return rule_policy(name)
        return rules.policy_with_recipients(found, name if name != "-" else "stdin")

    return policy


def encrypt(
    file: str,
    policy_for: Callable[[str], document.Policy] = rule_policy,
    *,
    in_place: bool = False,
    output: str | None = None,
    input_type: str | None = None,
    filename_override: str | None = None,
) -> int:
    """Seal `file` for `policy_for(its name)`; print it, or write it in place or to `output`."""
    name = filename_override or file
    fmt = formats.for_file(file, input_type, filename_override)
    text = fileio.read(file)
    sealed = document.seal_text(fmt, text, policy=policy_for(name), file=name)
    fileio.write_output(file if in_place else output, sealed)
    return 0
