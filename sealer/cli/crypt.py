"""`sealer encrypt` and `sealer decrypt`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sealer.cli.common import (
    cli_recipients,
    filename_override_option,
    input_type_option,
    recipient_options,
    rules_path,
)
from sealer.cli.keyservice import keyservice_options
from sealer.selection import RULES


def _selection_options(f: Any) -> Any:
    for rule in reversed(RULES):
        flag = "--" + rule.replace("_", "-")
        f = click.option(flag, rule, metavar="TEXT", help=f"Key selection: {rule}.")(f)
    return f


@click.command()
@click.argument("file", default="-", metavar="[FILE]")
@click.option("-i", "--in-place", is_flag=True, help="Replace FILE with the sealed file.")
@click.option("-o", "--output", metavar="PATH", help="Write the sealed file here.")
@recipient_options
@click.option("--config", metavar="PATH", help="Rules file to use instead of searching.")
@_selection_options
@click.option("--mac-only-encrypted", is_flag=True, default=None, help="MAC only encrypted values.")
@click.option(
    "--shamir-secret-sharing-threshold", "threshold", type=int, help="Key groups needed to open."
)
@input_type_option
@filename_override_option
@keyservice_options
@click.option("-r", "--recursive", is_flag=True, help="FILE is a directory: seal all (--out).")
@click.option("--out", metavar="DIR", help="With --recursive: where the sealed tree goes.")
def encrypt(
    file: str, in_place: bool, output: str | None, config: str | None, **options: Any
) -> int:
    """Seal FILE (or stdin) and print it, or write it with -i / --output.

    Recipients come from --age, --ssh, --kms, --pgp and --pkcs11 (together one
    key group), else from the .sealer.yaml or .sops.yaml rule that matches the
    file. An already sealed file is refused (exit 203).
    """
    from sealer.commands.encrypt import encrypt as encrypt_file

    out = options.pop("out")
    if _recursive(options.pop("recursive"), out, in_place, output, options["input_type"]):
        from sealer import bulk

        tree = bulk.encrypt_tree(Path(file), Path(out), lambda p: _policy(str(p), config, options))
        return bulk.report(tree, "encrypted")
    _check_output(file, in_place, output)
    return encrypt_file(
        file,
        lambda name: _policy(name, config, options),
        in_place=in_place,
        output=output,
        input_type=options["input_type"],
        filename_override=options["filename_override"],
    )


def _policy(name: str, config: str | None, options: dict[str, Any]) -> Any:
    """The policy for `name`: its rule (for --age recipients instead of the rule's, if
    given), with command-line overrides."""
    from sealer import rules
    from sealer.selection import Selection

    direct = cli_recipients(options)
    path = Path(name if name != "-" else "stdin")
    if direct:
        policy = rules.policy_with_recipients(direct, path, rules_path(config))
    else:
        policy = rules.policy_for(path, rules_path(config))
    overrides = {r: options[r] for r in RULES if options.get(r) is not None}
    changes: dict[str, Any] = {}
    if overrides:
        changes["selection"] = Selection.from_fields(overrides, where="command line")
        changes["selection_chosen"] = True
    if options["mac_only_encrypted"] is not None:
        changes["mac_only_encrypted"] = options["mac_only_encrypted"]
    if options["threshold"] is not None:
        changes["shamir_threshold"] = options["threshold"]
    if changes:
        policy = policy._replace(**changes)
    return policy


def _recursive(recursive: bool, out: str | None, *single_file_options: object) -> bool:
    """Whether this is a --recursive run, after checking the options that go with it."""
    if recursive and not out:
        raise click.UsageError("--recursive needs --out DIR")
    if out and not recursive:
        raise click.UsageError("--out DIR goes with --recursive")
    if recursive and any(single_file_options):
        raise click.UsageError("--recursive writes to --out; -i, -o and the like are for one file")
    return recursive


def _check_output(file: str, in_place: bool, output: str | None) -> None:
    if in_place and output:
        raise click.UsageError("use either --in-place or --output, not both")
    if in_place and file == "-":
        raise click.UsageError("--in-place needs a FILE")


@click.command()
@click.argument("file", default="-", metavar="[FILE]")
@click.option("-i", "--in-place", is_flag=True, help="Replace FILE with its plaintext.")
@click.option("-o", "--output", metavar="PATH", help="Write the plaintext here (mode 0600).")
@click.option("--extract", metavar="PATH", help="""Print one value: '["a"][0]["b"]' or a.0.b.""")
@click.option("--ignore-mac", is_flag=True, help="Open even if the MAC does not match (recovery).")
@click.option("--decryption-order", metavar="TYPES", help="Key types to try first, e.g. age,pgp.")
@input_type_option
@filename_override_option
@keyservice_options
@click.option("-r", "--recursive", is_flag=True, help="FILE is a directory: open all (--out).")
@click.option("--out", metavar="DIR", help="With --recursive: where the plaintext tree goes.")
def decrypt(
    file: str,
    in_place: bool,
    output: str | None,
    extract: str | None,
    ignore_mac: bool,
    decryption_order: str | None,
    input_type: str | None,
    filename_override: str | None,
    recursive: bool,
    out: str | None,
) -> int:
    """Open a sealed FILE (or stdin) and print the plaintext.

    Only the sealed values change; comments, order and layout stay as they are.
    """
    from sealer.commands.decrypt import decrypt as decrypt_file
    from sealer.datakey import Keyring

    order = decryption_order.split(",") if decryption_order else None
    if _recursive(recursive, out, in_place, output, extract, input_type, filename_override):
        from sealer import bulk

        tree = bulk.decrypt_tree(Path(file), Path(str(out)), Keyring(order), ignore_mac=ignore_mac)
        return bulk.report(tree, "decrypted")
    _check_output(file, in_place, output)
    return decrypt_file(
        file,
        in_place=in_place,
        output=output,
        extract=extract,
        ignore_mac=ignore_mac,
        order=order,
        input_type=input_type,
        filename_override=filename_override,
    )
