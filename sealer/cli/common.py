"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sealer import formats
from sealer.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
FORMAT_NAMES = list(formats.MODULES)
# Key types with a command-line flag of their own (--age, ...); each takes a
# comma-separated list and may be repeated.
RECIPIENT_FLAGS: dict[str, str] = {
    "age": "age recipients (age1…)",
    "ssh": "SSH public keys (ssh-ed25519/ssh-rsa AAAA…, or a .pub file)",
    "kms": "AWS KMS key ARNs (arn[+role_arn]; aliases as alias ARNs)",
    "pgp": "PGP fingerprints (gpg)",
    "pkcs11": "PKCS#11 token keys (pkcs11:token=…;object=…; module: SEALER_PKCS11_MODULE)",
}
# Settings that apply to the recipients of the flags above (key types read
# them through `parse_recipients_with`).
RECIPIENT_SETTINGS: dict[str, str] = {
    "encryption_context": "AWS KMS encryption context for --kms keys: k:v[,k2:v2]",
    "aws_profile": "AWS profile for --kms keys",
}


def input_type_option(f: F) -> F:
    return click.option(
        "--input-type",
        type=click.Choice(FORMAT_NAMES),
        help="Format of the input; by default from the file name (unknown: binary).",
    )(f)


def filename_override_option(f: F) -> F:
    return click.option(
        "--filename-override",
        metavar="NAME",
        help="File name to pick the format and rules by (for stdin).",
    )(f)


def recipient_options(f: F) -> F:
    for name, text in reversed(RECIPIENT_SETTINGS.items()):
        f = click.option(f"--{name.replace('_', '-')}", name, metavar="TEXT", help=text + ".")(f)
    for name, text in reversed(RECIPIENT_FLAGS.items()):
        f = click.option(
            f"--{name}",
            f"{name}_recipients",
            multiple=True,
            metavar="R[,R…]",
            help=f"Seal for these {text}; repeatable.",
        )(f)
    return f


def format_for(path: str, input_type: str | None, override: str | None) -> formats.Format:
    return formats.for_file(path, input_type, override)


def cli_recipients(options: dict[str, Any], *, from_env: bool = True) -> list[Any]:
    """Recipients named by --age and the other recipient flags, in one key group.

    A flag not given takes its value from the environment as in sops
    (`SOPS_AGE_RECIPIENTS`, `SOPS_PGP_FP`, `SOPS_KMS_ARN`, or `SEALER_…`).
    """
    from sealer import recipients
    from sealer.rules import env_recipients

    found: list[Any] = []
    for name in RECIPIENT_FLAGS:
        given = options.get(f"{name}_recipients") or ()
        env = env_recipients(name) if from_env else None
        for value in given or ((env,) if env else ()):
            kt = recipients.key_type(name)
            found.extend(recipients.parse_with(kt, value, options))
    return found


def rules_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise ConfigError(f"{value}: no such rules file")
    return path
