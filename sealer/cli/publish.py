"""`sealer publish`: copy a sealed file's values into a central secret store."""

from __future__ import annotations

import click


@click.command()
@click.argument("file")
@click.option("--to", "target", required=True, metavar="aws-secretsmanager:NAME", help="Where.")
@click.option("--per-key", is_flag=True, help="One secret per value, NAME/<flat name>.")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--region", metavar="REGION", help="AWS region (default: the SDK's).")
@click.option("--endpoint-url", metavar="URL", help="Secrets Manager endpoint (default: AWS).")
@click.option("--kms-key-id", metavar="KEY", help="KMS key for secrets this creates.")
def publish(
    file: str,
    target: str,
    per_key: bool,
    dry_run: bool,
    region: str | None,
    endpoint_url: str | None,
    kms_key_id: str | None,
) -> int:
    """Publish FILE's decrypted values to AWS Secrets Manager.

    Creates or updates one secret (the values as JSON) or, with --per-key, one
    per value; unchanged values write nothing. Prints one line per secret:
    created, updated (with the key paths that changed) or unchanged.
    """
    from sealer.datakey import Keyring
    from sealer.deploy import publish as pub
    from sealer.deploy.source import open_file

    pub.parse_target(target)
    source = open_file(file, Keyring())
    changes = pub.run(
        source,
        target,
        per_key=per_key,
        dry_run=dry_run,
        region=region,
        endpoint_url=endpoint_url,
        kms_key_id=kms_key_id,
    )
    for change in changes:
        click.echo(change.line(dry_run))
    return 0
