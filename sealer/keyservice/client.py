"""A key service as an identity: the stanza's wrapped key goes out, the data key comes back.

Each call has a deadline (`SEALER_KEYSERVICE_TIMEOUT` seconds, 30 by default),
so a slow or hung key service fails the stanza instead of hanging the
command. A refusal, a key service that is gone, or one that cannot open the
key are failures the caller lists with the stanza; the next stanza or group
is still tried.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from sealer.errors import ConfigError, NotMine, SealerError
from sealer.keyservice import proto
from sealer.metadata import Stanza
from sealer.recipients import NETWORK

# key types whose stanzas sops' protocol can carry (its `age` list holds SSH and plugin keys)
CARRIED = ("age", "ssh", "ageplugin", "kms", "pgp")
DEFAULT_TIMEOUT = 30.0


def target(address: str) -> str:
    """gRPC's target for `tcp://HOST:PORT` or `unix:///path` (sops' forms)."""
    url = urlsplit(address)
    if url.scheme == "tcp" and url.hostname and url.port:
        return url.netloc
    if url.scheme == "unix" and url.path:
        return f"unix:{url.path}"
    raise ConfigError(
        f"not a key service address: {address}",
        hint="use tcp://HOST:PORT or unix:///path/to/socket",
    )


def timeout() -> float:
    value = os.environ.get("SEALER_KEYSERVICE_TIMEOUT", "")
    try:
        return float(value) if value else DEFAULT_TIMEOUT
    except ValueError:
        raise ConfigError("SEALER_KEYSERVICE_TIMEOUT must be a number of seconds") from None


def key_of(stanza: Stanza) -> Any:
    """The protocol's `Key` for a stanza, or None when sops' protocol has no such key."""
    m = proto.messages()
    f = stanza.fields
    if stanza.type == "age":
        return m["Key"](age_key=m["AgeKey"](recipient=str(f.get("recipient", ""))))
    if stanza.type == "pgp":
        return m["Key"](pgp_key=m["PgpKey"](fingerprint=str(f.get("fp", ""))))
    if stanza.type == "kms":
        context = f.get("context") or {}
        kms = m["KmsKey"](
            arn=str(f.get("arn", "")),
            role=str(f.get("role") or ""),
            context={str(k): str(v) for k, v in dict(context).items()},
            aws_profile=str(f.get("aws_profile") or ""),
        )
        return m["Key"](kms_key=kms)
    return None


class Connection:
    """One channel to one key service, opened on first use."""

    def __init__(self, address: str):
        self.address = address
        self._channel: Any = None

    def call(self, method: str, request: Any, response: str) -> Any:
        import grpc

        if self._channel is None:
            self._channel = grpc.insecure_channel(target(self.address))
        stub = self._channel.unary_unary(
            method,
            request_serializer=lambda r: r.SerializeToString(),
            response_deserializer=proto.messages()[response].FromString,
        )
        try:
            return stub(request, timeout=timeout())
        except grpc.RpcError as e:
            raise failure(self.address, e) from None


def failure(address: str, e: Any) -> SealerError:
    """What went wrong, in words: refused, gone, too slow, or the service's own error."""
    import grpc

    code = e.code()
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return ConfigError(
            f"key service {address} did not answer within {timeout():g} s",
            hint="check that it runs and is not stuck; SEALER_KEYSERVICE_TIMEOUT sets the limit",
        )
    if code == grpc.StatusCode.UNAVAILABLE:
        return ConfigError(
            f"key service {address} is not reachable (refused, or gone mid-request)",
            hint="start it (`sops keyservice` or `sealer keyservice`) or check the address",
        )
    detail = (e.details() or "").splitlines()[0][:200] if e.details() else code.name
    return ConfigError(f"key service {address} refused: {detail}")


class RemoteIdentity:
    kind = NETWORK

    def __init__(self, connection: Connection):
        self.connection = connection

    def unwrap(self, stanza: Stanza) -> bytes:
        key = key_of(stanza)
        if key is None:
            raise NotMine()
        m = proto.messages()
        request = m["DecryptRequest"](key=key, ciphertext=stanza.enc.encode("utf-8"))
        reply = self.connection.call(proto.DECRYPT, request, "DecryptResponse")
        return bytes(reply.plaintext)


_connections: dict[str, Connection] = {}


def identities(key_type: str, addresses: list[str]) -> list[RemoteIdentity]:
    if key_type not in CARRIED:
        return []
    found = []
    for address in addresses:
        target(address)  # a malformed address is an error before anything is tried
        connection = _connections.setdefault(address, Connection(address))
        found.append(RemoteIdentity(connection))
    return found


def template(recipient: Any) -> Stanza | None:
    """The stanza a recipient would write, without `enc`: what the protocol's Key needs."""
    kind = recipient.key_type
    if kind in ("age", "ssh", "ageplugin"):
        return Stanza("age", {"recipient": recipient.id})
    if kind == "pgp":
        return Stanza("pgp", {"fp": recipient.id})
    if kind == "kms":
        fields: dict[str, Any] = {"arn": recipient.arn, "aws_profile": recipient.aws_profile}
        if recipient.role:
            fields["role"] = recipient.role
        if recipient.context:
            fields["context"] = dict(recipient.context)
        return Stanza("kms", fields)
    return None


def wrap(recipient: Any, key: bytes, addresses: list[str], *, local: bool) -> Stanza:
    """Wrap here first (unless `local` is off), then ask each key service in turn."""
    failures: list[SealerError] = []
    if local:
        try:
            stanza: Stanza = recipient.wrap(key)
            return stanza
        except SealerError as e:
            failures.append(e)
    empty = template(recipient)
    if empty is None:
        if failures:
            raise failures[0]
        raise ConfigError(
            f"sops' key service protocol has no {recipient.key_type} keys",
            hint="seal for this recipient with the local keyservice enabled",
        )
    m = proto.messages()
    request = m["EncryptRequest"](key=key_of(empty), plaintext=key)
    for address in addresses:
        connection = _connections.setdefault(address, Connection(address))
        try:
            reply = connection.call(proto.ENCRYPT, request, "EncryptResponse")
        except SealerError as e:
            failures.append(e)
            continue
        fields = {**empty.fields, "enc": bytes(reply.ciphertext).decode("utf-8", "replace")}
        if empty.type != "age":  # sops writes created_at for KMS and PGP keys
            from sealer.values import rfc3339_now

            fields["created_at"] = rfc3339_now()
        return Stanza(empty.type, fields)
    raise failures[-1]
