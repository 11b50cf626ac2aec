"""`sealer publish`: copy a sealed file's values into AWS Secrets Manager, git staying the source.

One secret holding the values as JSON (nesting and types kept), or with
`--per-key` one secret per value, named `NAME/<flat name>`. A secret is created
or updated only when its value differs from what the store holds now, so
publishing unchanged values writes nothing and makes no new version. Every
write tags the secret with where the values came from (`sealer:source`,
`sealer:commit`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sealer import paths
from sealer.deploy import flatten
from sealer.deploy.export import plain
from sealer.deploy.source import Source
from sealer.errors import ConfigError, Exit, SealerError

SCHEME = "aws-secretsmanager"
_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}\Z")
_TAG_UNSAFE = re.compile(r"[^\w .:/=+\-@]")


class PublishError(SealerError):
    exit_code = Exit.ERROR


@dataclass(frozen=True)
class Desired:
    """One secret as it should be: its name and value, and its leaves (for the report)."""

    name: str
    text: str | None = None
    binary: bytes | None = None
    leaves: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    secret: str
    action: str  # created, updated, unchanged
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def line(self, dry_run: bool) -> str:
        verb = {"created": "would create", "updated": "would update"}.get(self.action, self.action)
        out = f"{verb if dry_run else self.action} {self.secret}"
        details = [
            f"{label}: {', '.join(keys)}"
            for label, keys in (("added", self.added), ("changed", self.changed),
                                ("removed", self.removed))
            if keys
        ]  # fmt: skip
        return out + (f" ({'; '.join(details)})" if details else "")


def parse_target(text: str) -> str:
    """The secret name in `aws-secretsmanager:NAME`."""
    scheme, sep, name = text.partition(":")
    if not sep or scheme != SCHEME:
        raise ConfigError(f"--to {text!r}: unknown destination", hint=f"write it as {SCHEME}:NAME")
    if not _SECRET_NAME.match(name):
        raise ConfigError(
            f"--to {text!r}: {name!r} is not a valid secret name",
            hint="at most 512 letters, digits and /_+=.@-",
        )
    return name


def _leaf_map(data: Any) -> dict[str, Any]:
    return {paths.show(p): v for p, v in flatten.leaves(data, ())}


def desired(source: Source, name: str, per_key: bool) -> list[Desired]:
    data = source.data()
    if not per_key:
        values = plain(data)
        text = json.dumps(values, ensure_ascii=False)
        return [Desired(name, text=text, leaves=_leaf_map(values))]
    out = []
    for var in flatten.flatten(data, flatten.AWS, fmt_name=source.fmt.name, file=source.path):
        secret = f"{name}/{var.name}"
        if not _SECRET_NAME.match(secret):
            raise ConfigError(f"{secret!r} is too long for a secret name", file=source.path)
        try:
            out.append(Desired(secret, text=var.value.decode("utf-8")))
        except UnicodeDecodeError:
            out.append(Desired(secret, binary=var.value))
    return out


def provenance(path: str) -> dict[str, str]:
    """Tags saying where values came from: the path in its repository and the commit."""
    where = Path(path).resolve()

    from sealer import git

    def ask(*args: str) -> str | None:
        try:
            out = git.query(args, where.parent, timeout=30)
        except git.GitError:
            return None
        return None if out is None else out.decode("utf-8", "surrogateescape").strip()

    top, commit = ask("rev-parse", "--show-toplevel"), ask("rev-parse", "HEAD")
    if top is None or commit is None:
        return {"sealer:source": _tag(path), "sealer:commit": "none"}
    rel = os.path.relpath(where, top)
    if ask("status", "--porcelain", "--", str(where)):
        commit += "-dirty"
    return {"sealer:source": _tag(rel), "sealer:commit": commit}


def _tag(value: str) -> str:
    return _TAG_UNSAFE.sub("_", value)[:256]


def _current(client: Any, name: str) -> dict[str, Any] | None:
    try:
        value: dict[str, Any] = client.get_secret_value(SecretId=name)
    except client.exceptions.ResourceNotFoundException:
        return None
    return value


def _same(want: Desired, have: dict[str, Any]) -> bool:
    if want.binary is not None:
        return bool(have.get("SecretBinary") == want.binary)
    old = have.get("SecretString")
    if old is None:
        return False
    if want.leaves:  # the one-secret form: equal as JSON, whatever the spacing
        try:
            return bool(json.loads(old) == json.loads(want.text or ""))
        except ValueError:
            return False
    return bool(old == want.text)


def _diff(want: Desired, have: dict[str, Any] | None) -> Change:
    if not want.leaves:
        return Change(want.name, "updated")
    try:
        old = _leaf_map(json.loads((have or {}).get("SecretString") or "null"))
    except ValueError:
        old = {}
    new = want.leaves
    return Change(
        want.name,
        "updated",
        changed=tuple(k for k in new if k in old and old[k] != new[k]),
        added=tuple(k for k in new if k not in old),
        removed=tuple(k for k in old if k not in new),
    )


def _value_args(want: Desired) -> dict[str, Any]:
    return {"SecretBinary": want.binary} if want.binary is not None else {"SecretString": want.text}


def publish(
    client: Any,
    wanted: list[Desired],
    tags: dict[str, str],
    *,
    dry_run: bool = False,
    kms_key_id: str | None = None,
) -> list[Change]:
    """Bring the store in line with `wanted`; returns what changed (or would)."""
    aws_tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    changes: list[Change] = []
    for want in wanted:
        have = _current(client, want.name)
        if have is None:
            change = Change(want.name, "created", added=tuple(want.leaves))
            if not dry_run:
                extra = {"KmsKeyId": kms_key_id} if kms_key_id else {}
                client.create_secret(
                    Name=want.name,
                    Description=f"published by sealer from {tags['sealer:source']}",
                    Tags=aws_tags,
                    **_value_args(want),
                    **extra,
                )
        elif _same(want, have):
            change = Change(want.name, "unchanged")
        else:
            change = _diff(want, have)
            if not dry_run:
                client.put_secret_value(SecretId=want.name, **_value_args(want))
                client.tag_resource(SecretId=want.name, Tags=aws_tags)
        changes.append(change)
    return changes


def client(region: str | None, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client("secretsmanager", region_name=region, endpoint_url=endpoint_url)


def run(
    source: Source,
    target: str,
    *,
    per_key: bool = False,
    dry_run: bool = False,
    region: str | None = None,
    endpoint_url: str | None = None,
    kms_key_id: str | None = None,
) -> list[Change]:
    """Publish `source` to `target`; AWS errors become sealer errors naming the secret."""
    name = parse_target(target)
    wanted = desired(source, name, per_key)
    tags = provenance(source.path)
    try:
        import botocore.exceptions as bx
    except ImportError:
        raise ConfigError(
            "publishing needs boto3",
            hint="install sealer with the aws extra: pip install 'sealer[aws]'",
        ) from None
    try:
        return publish(client(region, endpoint_url), wanted, tags, dry_run=dry_run,
                       kms_key_id=kms_key_id)  # fmt: skip
    except bx.NoCredentialsError:
        raise ConfigError(
            "no AWS credentials", hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        ) from None
    except bx.NoRegionError:
        raise ConfigError("no AWS region", hint="pass --region or set AWS_REGION") from None
    except bx.ClientError as e:
        err = e.response.get("Error", {})
        raise PublishError(
            f"{name}: AWS Secrets Manager said {err.get('Code')}: {err.get('Message')}",
            file=source.path,
        ) from None
    except bx.BotoCoreError as e:
        raise PublishError(f"{name}: {e}", file=source.path) from None
