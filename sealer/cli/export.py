"""`sealer export`: print a sealed file's values as dotenv, JSON, YAML, shell, a Secret, …"""

from __future__ import annotations

import click

from sealer.deploy.export import FORMATS


@click.command()
@click.argument("file")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output.")
@click.option("-o", "--output", metavar="PATH", help="Write here (mode 0600) instead of stdout.")
@click.option(
    "--name", metavar="NAME", help="k8s-secret: the Secret's name (required unless FILE is one)."
)
@click.option("--namespace", metavar="NS", help="k8s-secret: its namespace.")
@click.option("--label", "labels", multiple=True, metavar="K=V", help="k8s-secret: a label.")
@click.option("--type", "secret_type", default="Opaque", show_default=True, help="k8s-secret type.")
@click.option("--key", metavar="KEY", help="k8s-secret: the whole file under this one key.")
def export(
    file: str,
    fmt: str,
    output: str | None,
    name: str | None,
    namespace: str | None,
    labels: tuple[str, ...],
    secret_type: str,
    key: str | None,
) -> int:
    """Decrypt FILE and print its values in another format.

    dotenv, shell, github-env and k8s-secret name nested values by the rule in
    README.md ("Deploy"); json and yaml keep nesting and types. github-env
    appends to $GITHUB_ENV (or --output) and prints ::add-mask:: for every value.
    """
    import os
    import sys

    from sealer import fileio
    from sealer.datakey import Keyring
    from sealer.deploy import export as ex
    from sealer.deploy.source import open_file

    k8s_only = name or namespace or labels or key or secret_type != "Opaque"
    if fmt != "k8s-secret" and k8s_only:
        raise click.UsageError("--name, --namespace, --label, --type and --key go with k8s-secret")
    target = output or os.environ.get("GITHUB_ENV")
    if fmt == "github-env" and not target:
        raise click.UsageError("github-env appends to $GITHUB_ENV, which is not set; use -o FILE")
    if fmt == "k8s-secret" and not name and (key or not ex.is_sealed_secret(file)):
        raise click.UsageError("k8s-secret needs --name (FILE is not a Kubernetes Secret)")
    source = open_file(file, Keyring())
    if fmt == "github-env":
        assert target is not None
        variables = ex.env_variables(source)
        sys.stdout.write(ex.github_masks(variables))
        sys.stdout.flush()
        ex.append_github_env(variables, target)
        return 0
    spec = ex.SecretSpec(name, namespace, ex.parse_labels(labels), secret_type) if name else None
    fileio.write_output(output, ex.render(source, fmt, spec, key), private=True)
    return 0
