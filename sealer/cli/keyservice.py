"""`sealer keyservice` (serve sops' key service protocol) and the client options."""

from __future__ import annotations

from typing import Any

import click


def _configure(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    from sealer import keyservice

    if param.name == "keyservice":
        keyservice.configure(addresses=list(value or ()))
    elif value is not None:
        keyservice.configure(local=bool(value))
    return value


def keyservice_options(f: Any) -> Any:
    """sops' `--keyservice` and `--enable-local-keyservice`, for the commands that open keys."""
    f = click.option(
        "--enable-local-keyservice",
        type=click.BOOL,
        default=None,
        expose_value=False,
        callback=_configure,
        metavar="BOOL",
        help="Use this host's keys too (default true; false: only the key services).",
    )(f)
    return click.option(
        "--keyservice",
        multiple=True,
        expose_value=False,
        callback=_configure,
        metavar="URL",
        help="A key service to open data keys with: tcp://HOST:PORT or unix:///path; "
        "repeatable (also SEALER_KEYSERVICE / SOPS_KEYSERVICE).",
    )(f)


@click.command()
@click.option(
    "--network",
    "--net",
    default="tcp",
    type=click.Choice(["tcp", "unix"]),
    show_default=True,
    help="tcp (loopback only) or a unix socket.",
)
@click.option(
    "--address",
    "--addr",
    default="127.0.0.1:5000",
    show_default=True,
    help="HOST:PORT (loopback only) or the unix socket's path.",
)
def keyservice(network: str, address: str) -> int:
    """Serve sops' key service protocol with this host's keys until interrupted.

    sops clients (`sops decrypt --keyservice tcp://127.0.0.1:5000 …`) and
    sealer's (`sealer decrypt --keyservice …`) send wrapped data keys here and
    get them back opened with the age, PGP and AWS KMS keys this process can
    reach. Anyone who can connect can do so: see SECURITY.md, "Key service".
    """
    from sealer.keyservice import server

    server.serve(network, address)
    return 0
