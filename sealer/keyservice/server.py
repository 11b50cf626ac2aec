"""`sealer keyservice`: serve sops clients (and sealer's) with this host's keys.

What it trusts: whoever can connect. Any client that reaches the socket can
have every data key wrapped for this host's keys opened, so the listening
address is the whole access control: a unix socket made 0600 for its owner,
or TCP on a loopback address only (there is no TLS here). It logs one line
per request (the operation and the key, never a key or a value).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from sealer import recipients
from sealer.errors import ConfigError, NotMine, SealerError
from sealer.keyservice import proto
from sealer.metadata import Stanza

LOOPBACK = ("127.0.0.1", "::1", "localhost", "[::1]")


def stanza_of(key: Any, enc: bytes) -> Stanza | None:
    """The stanza a request's key and ciphertext stand for (sops' field meanings)."""
    which = key.WhichOneof("key_type")
    text = enc.decode("utf-8", "replace")
    if which == "age_key":
        return Stanza("age", {"recipient": key.age_key.recipient, "enc": text})
    if which == "pgp_key":
        return Stanza("pgp", {"fp": key.pgp_key.fingerprint, "enc": text})
    if which == "kms_key":
        k = key.kms_key
        fields: dict[str, Any] = {"arn": k.arn, "aws_profile": k.aws_profile, "enc": text}
        if k.role:
            fields["role"] = k.role
        if k.context:
            fields["context"] = dict(k.context)
        return Stanza("kms", fields)
    return None  # GCP, Azure, Vault, Huawei: sealer has none of them


class Handlers:
    def __init__(self, log: Any = sys.stderr):
        self.log = log
        self.lock = threading.Lock()
        # loaded once per key type, so a protected key file is unlocked once per run
        self._identities: dict[str, list[Any]] = {}

    def identities(self, kt: Any) -> list[Any]:
        with self.lock:
            if kt.NAME not in self._identities:
                self._identities[kt.NAME] = list(kt.load_identities())
            return self._identities[kt.NAME]

    def _say(self, line: str) -> None:
        with self.lock:
            self.log.write(f"sealer keyservice: {line}\n")
            self.log.flush()

    def decrypt(self, request: Any, context: Any) -> Any:
        import grpc

        stanza = stanza_of(request.key, request.ciphertext)
        if stanza is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "sealer serves age, PGP and AWS KMS keys")
        assert stanza is not None
        kt = recipients.for_stanza(stanza)
        name = recipients.stanza_id(stanza)
        why = "no key here opens it"
        for identity in self.identities(kt) if kt else []:
            try:
                secret = identity.unwrap(stanza)
            except NotMine:
                continue
            except SealerError as e:
                why = e.message
                continue
            self._say(f"decrypt {name}: ok")
            return proto.messages()["DecryptResponse"](plaintext=secret)
        self._say(f"decrypt {name}: refused ({why})")
        context.abort(grpc.StatusCode.PERMISSION_DENIED, f"{name}: {why}")

    def encrypt(self, request: Any, context: Any) -> Any:
        import grpc

        stanza = stanza_of(request.key, b"")
        recipient = recipients.recipient_of(stanza) if stanza else None
        if stanza is None or recipient is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "sealer serves age, PGP and AWS KMS keys")
        assert stanza is not None and recipient is not None
        name = recipients.stanza_id(stanza)
        try:
            wrapped = recipient.wrap(bytes(request.plaintext))
        except SealerError as e:
            self._say(f"encrypt {name}: failed ({e.message})")
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{name}: {e.message}")
        self._say(f"encrypt {name}: ok")
        return proto.messages()["EncryptResponse"](ciphertext=wrapped.enc.encode("utf-8"))


def listen_target(network: str, address: str) -> str:
    """gRPC's listening target, refusing what would expose the keys beyond this host."""
    if network == "unix":
        if os.path.exists(address):
            raise ConfigError(
                f"{address} already exists",
                hint="remove it if no key service listens there, or pick another path",
            )
        return f"unix:{address}"
    if network != "tcp":
        raise ConfigError(f"unknown network {network!r}", hint="use tcp or unix")
    host = address.rpartition(":")[0]
    if host not in LOOPBACK:
        raise ConfigError(
            f"sealer keyservice listens on TCP only on a loopback address, not {host or '*'}",
            hint="it has no TLS and answers anyone who connects; serve a unix socket and "
            "forward it (ssh -R /path:/path), or bind 127.0.0.1 (see SECURITY.md)",
        )
    return address


def serve(network: str, address: str, ready: Any = None) -> None:
    """Serve until SIGINT/SIGTERM; `ready()` is called once the socket listens."""
    import signal
    from concurrent import futures

    import grpc

    target = listen_target(network, address)
    m = proto.messages()
    handlers = Handlers()
    rpc = grpc.unary_unary_rpc_method_handler
    service = grpc.method_handlers_generic_handler(proto.SERVICE, {
        "Decrypt": rpc(handlers.decrypt, request_deserializer=m["DecryptRequest"].FromString,
                       response_serializer=lambda r: r.SerializeToString()),
        "Encrypt": rpc(handlers.encrypt, request_deserializer=m["EncryptRequest"].FromString,
                       response_serializer=lambda r: r.SerializeToString()),
    })  # fmt: skip
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((service,))
    old_umask = os.umask(0o077)  # the unix socket: its owner only
    try:
        if server.add_insecure_port(target) == 0 and network == "tcp":
            raise ConfigError(f"cannot listen on {address} (in use?)")
    except RuntimeError:
        raise ConfigError(f"cannot listen on {address}") from None
    finally:
        os.umask(old_umask)
    if network == "unix":
        os.chmod(address, 0o600)
    server.start()
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    sys.stderr.write(f"sealer keyservice: listening on {network}://{address}\n")
    sys.stderr.flush()
    if ready:
        ready()
    stopped.wait()
    server.stop(grace=2).wait()
    if network == "unix" and os.path.exists(address):
        os.unlink(address)
