"""AWS KMS recipients (`boto3`, the `aws` extra), sops' `kms` list.

The stanza is sops' `{arn, role?, context?, created_at, enc, aws_profile}`:
`enc` is the standard base64 of the `CiphertextBlob` of `kms:Encrypt` with the
stanza's encryption context. The region comes from the ARN; `role` is assumed
through STS (session `sops@<host>`, as sops names it); `aws_profile` picks a
shared-config profile; the endpoint follows boto3's own settings
(`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_KMS`, profile `endpoint_url`). boto3 is
imported only when a KMS stanza is wrapped or opened.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sealer.errors import ConfigError, NotMine, SealerError
from sealer.metadata import Stanza
from sealer.recipients import NETWORK, split_list
from sealer.values import rfc3339_now

if TYPE_CHECKING:
    from sealer.recipients import Recipient

NAME = "kms"
STANZA_TYPES = ("kms",)
KIND = NETWORK
ARN = re.compile(r"^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)/.+$")  # sops' arnRegex


def region_of(arn: str) -> str:
    m = ARN.match(arn)
    if m is None:
        raise ConfigError(
            f"not an AWS KMS key ARN: {arn[:120]}",
            hint="use arn:aws:kms:REGION:ACCOUNT:key/ID or …:alias/NAME",
        )
    return m.group(1)


def parse_context(value: object) -> dict[str, str] | None:
    """`k:v,k2:v2` (the --encryption-context form) or a mapping of strings."""
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        out = {}
        for pair in value.split(","):
            k, sep, v = pair.partition(":")
            if not sep or ":" in v:
                raise ConfigError(f"encryption context {pair!r} is not key:value")
            out[k] = v
        return out
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    raise ConfigError("an encryption context maps strings to strings")


@dataclass(frozen=True)
class KmsRecipient:
    key_type: ClassVar[str] = "kms"
    arn: str
    role: str = ""
    context: dict[str, str] | None = field(default=None, hash=False)
    aws_profile: str = ""

    @property
    def id(self) -> str:
        return f"{self.arn}+{self.role}" if self.role else self.arn

    def wrap(self, file_key: bytes) -> Stanza:
        import base64

        client = _clients.get(self.arn, self.role, self.aws_profile)
        kw: dict[str, Any] = {"KeyId": self.arn, "Plaintext": file_key}
        if self.context:
            kw["EncryptionContext"] = self.context
        blob = _call(client.encrypt, f"KMS Encrypt with {self.arn}", **kw)["CiphertextBlob"]
        fields: dict[str, Any] = {
            "arn": self.arn,
            "aws_profile": self.aws_profile,
            "created_at": rfc3339_now(),
            "enc": base64.b64encode(blob).decode("ascii"),
        }
        if self.role:
            fields["role"] = self.role
        if self.context:
            fields["context"] = dict(self.context)
        return Stanza("kms", fields)


def _one(spec: object, context: dict[str, str] | None, profile: str) -> KmsRecipient:
    if isinstance(spec, Mapping):  # a key_groups entry: {arn, role, context, aws_profile}
        arn = str(spec.get("arn") or "")
        role = str(spec.get("role") or "")
        context = parse_context(spec.get("context")) or context
        profile = str(spec.get("aws_profile") or profile)
    elif isinstance(spec, str):
        arn, _, role = spec.replace(" ", "").partition("+")  # sops' `arn+role_arn`
    else:
        raise ConfigError("a kms entry is an ARN string or a mapping with arn")
    region_of(arn)
    if role and not role.startswith("arn:"):
        raise ConfigError(f"the role of {arn} is not an ARN: {role[:80]}")
    return KmsRecipient(arn, role, context, profile)


def parse_recipients_with(value: object, settings: Mapping[str, object]) -> list[Recipient]:
    """ARNs (`arn[+role_arn]`, comma-separated or a list, or key_groups mappings).

    `settings` supplies `aws_profile` and `encryption_context` (the rule's or
    the command line's) for entries that do not set their own.
    """
    context = parse_context(settings.get("encryption_context"))
    profile = str(settings.get("aws_profile") or "")
    items: list[object]
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        items = list(value)
    else:
        items = list(split_list(value))
    return [_one(item, context, profile) for item in items]


def parse_recipients(value: object) -> list[Recipient]:
    return parse_recipients_with(value, {})


def recipient_of(stanza: Stanza) -> Recipient:
    """The stanza's key with its role, context and profile, to wrap for again."""
    return _one(stanza.fields, None, "")


def stanza_id(stanza: Stanza) -> str:
    arn = str(stanza.fields.get("arn", "kms"))
    role = stanza.fields.get("role")
    return f"{arn}+{role}" if role else arn


# --- talking to KMS -----------------------------------------------------------


def _session_name() -> str:
    host = re.sub(r"[^a-zA-Z0-9=,.@_-]+", "", socket.gethostname())
    return f"sops@{host}"[:64]


class _Clients:
    """KMS clients per (region, profile, role): one STS call per role and process."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], Any] = {}

    def get(self, arn: str, role: str, profile: str) -> Any:
        key = (region_of(arn), profile, role)
        if key not in self._cache:
            self._cache[key] = self._make(*key)
        return self._cache[key]

    def _make(self, region: str, profile: str, role: str) -> Any:
        try:
            import boto3
            import botocore.exceptions
        except ImportError:
            raise ConfigError("AWS KMS needs boto3", hint="pip install 'sealer[aws]'") from None
        try:
            session = boto3.Session(profile_name=profile or None, region_name=region)
        except botocore.exceptions.ProfileNotFound:
            raise ConfigError(f"AWS profile {profile!r} is not configured") from None
        if not role:
            return session.client("kms")
        sts = session.client("sts")
        creds = _call(
            sts.assume_role, f"STS AssumeRole {role}", RoleArn=role, RoleSessionName=_session_name()
        )["Credentials"]
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        ).client("kms")


_clients = _Clients()


def _call(fn: Any, label: str, **kw: Any) -> Any:
    """One AWS call; errors name the key (or role) and never carry key material."""
    import botocore.exceptions

    try:
        return fn(**kw)
    except botocore.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        code, text = err.get("Code", "error"), err.get("Message", "")
        hint = None
        if code == "InvalidCiphertextException":
            hint = "the encryption context differs from the one sealed with, or the data is damaged"
        elif code == "NotFoundException":
            hint = "check the ARN, its region and account"
        said = f"{code}: {text}" if text else code
        raise SealerError(f"AWS {label} failed: {said}", hint=hint) from None
    except botocore.exceptions.NoCredentialsError:
        raise SealerError(
            f"AWS {label} failed: no AWS credentials",
            hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        ) from None
    except botocore.exceptions.BotoCoreError as e:
        raise SealerError(f"AWS {label} failed: {e}") from None


class KmsIdentity:
    """Whatever AWS credentials the environment holds, for every kms stanza."""

    kind = NETWORK

    def unwrap(self, stanza: Stanza) -> bytes:
        import base64

        arn = str(stanza.fields.get("arn", ""))
        if stanza.type != "kms" or not ARN.match(arn):
            raise NotMine()
        try:
            blob = base64.b64decode(stanza.enc, validate=True)
        except ValueError:
            raise SealerError(f"the enc of {arn} is not base64") from None
        client = _clients.get(
            arn, str(stanza.fields.get("role") or ""), str(stanza.fields.get("aws_profile") or "")
        )
        kw: dict[str, Any] = {"KeyId": arn, "CiphertextBlob": blob}
        context = parse_context(stanza.fields.get("context"))
        if context:
            kw["EncryptionContext"] = context
        plaintext: bytes = _call(client.decrypt, "KMS Decrypt", **kw)["Plaintext"]
        return plaintext


def load_identities() -> list[KmsIdentity]:
    return [KmsIdentity()]
