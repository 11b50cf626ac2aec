"""SSHSIG signatures (openssh PROTOCOL.sshsig), the format of `ssh-keygen -Y sign`.

Signing: Ed25519 keys that load without a passphrase are signed here with
`cryptography`; every other key (RSA, ECDSA, FIDO `sk-` keys, keys with a
passphrase, keys only the ssh-agent holds) is signed by `ssh-keygen -Y sign`.
Verification: Ed25519, RSA (rsa-sha2-256/512) and ECDSA here; other key types
(FIDO) through `ssh-keygen -Y check-novalidate`. Besides primitives.py, this is
the one module that touches cryptography's hazmat layer.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import hashlib
import os
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sealer.errors import ConfigError

MAGIC = b"SSHSIG"
VERSION = 1
HASH_ALG = "sha512"
_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"
_NATIVE = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)


class BadSignature(Exception):
    """The signature does not verify, or is not a well-formed SSHSIG (reason in args)."""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise BadSignature("truncated signature")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uint32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.uint32())

    def mpint(self) -> int:
        return int.from_bytes(self.string(), "big", signed=True)

    def done(self) -> bool:
        return self.pos == len(self.data)


def signed_data(message: bytes, namespace: str, hash_alg: str = HASH_ALG) -> bytes:
    """What the key actually signs: the magic, namespace, hash name and H(message)."""
    digest = hashlib.new(hash_alg, message).digest()
    return (
        MAGIC
        + _string(namespace.encode())
        + _string(b"")
        + _string(hash_alg.encode())
        + _string(digest)
    )


def blob(public_key: bytes, namespace: str, signature: bytes, hash_alg: str = HASH_ALG) -> bytes:
    return (
        MAGIC
        + struct.pack(">I", VERSION)
        + _string(public_key)
        + _string(namespace.encode())
        + _string(b"")
        + _string(hash_alg.encode())
        + _string(signature)
    )


def armor(data: bytes) -> str:
    b64 = base64.b64encode(data).decode()
    lines = [b64[i : i + 70] for i in range(0, len(b64), 70)]
    return "\n".join([_BEGIN, *lines, _END]) + "\n"


def dearmor(text: str) -> bytes:
    body = text.strip()
    if not (body.startswith(_BEGIN) and body.endswith(_END)):
        raise BadSignature("not an armored SSH signature")
    return base64.b64decode("".join(body[len(_BEGIN) : -len(_END)].split()))


def key_type(public_key: bytes) -> str:
    return _Reader(public_key).string().decode("ascii", "replace")


def fingerprint(public_key: bytes) -> str:
    """`SHA256:…` as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(public_key).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def public_key_text(public_key: bytes) -> str:
    """`ssh-ed25519 AAAA…`, the OpenSSH one-line form."""
    return f"{key_type(public_key)} {base64.b64encode(public_key).decode()}"


def parse_public_key_text(text: str) -> bytes:
    """The key blob of an OpenSSH public key line (`type base64 [comment]`)."""
    parts = text.split()
    if len(parts) < 2:
        raise ConfigError(f"not an SSH public key: {text[:60]!r}")
    try:
        data = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise ConfigError(f"not an SSH public key: {text[:60]!r}") from None
    if key_type(data) != parts[0]:
        raise ConfigError(f"SSH public key type does not match its data: {parts[0]}")
    return data


# --- verification ------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    public_key: bytes
    namespace: str
    hash_alg: str
    signature: bytes


def parse(data: bytes) -> Parsed:
    r = _Reader(data)
    if r.take(6) != MAGIC:
        raise BadSignature("not an SSHSIG signature")
    if r.uint32() != VERSION:
        raise BadSignature("unsupported SSHSIG version")
    public_key, namespace, _reserved, hash_alg, signature = (r.string() for _ in range(5))
    if not r.done():
        raise BadSignature("trailing bytes after the signature")
    return Parsed(public_key, namespace.decode("utf-8", "replace"), hash_alg.decode(), signature)


def verify(message: bytes, data: bytes, namespace: str) -> bytes:
    """Check an SSHSIG over `message` in `namespace`; return the signer's public key blob."""
    sig = parse(data)
    if sig.namespace != namespace:
        raise BadSignature(f"namespace {sig.namespace!r} is not {namespace!r}")
    if sig.hash_alg not in ("sha256", "sha512"):
        raise BadSignature(f"hash algorithm {sig.hash_alg!r} is not allowed")
    to_sign = signed_data(message, namespace, sig.hash_alg)
    kind = key_type(sig.public_key)
    if kind in _NATIVE:
        _verify_native(kind, sig.public_key, sig.signature, to_sign)
    else:
        _verify_with_ssh_keygen(message, data, namespace)
    return sig.public_key


def _verify_native(kind: str, public_key: bytes, signature: bytes, to_sign: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    r = _Reader(signature)
    alg = r.string().decode("ascii", "replace")
    raw = r.string()
    key = _public_key_object(public_key)
    try:
        if kind == "ssh-ed25519" and alg == kind:
            assert isinstance(key, ed25519.Ed25519PublicKey)
            key.verify(raw, to_sign)
        elif kind == "ssh-rsa" and alg in ("rsa-sha2-256", "rsa-sha2-512"):
            assert isinstance(key, rsa.RSAPublicKey)
            h = hashes.SHA256() if alg == "rsa-sha2-256" else hashes.SHA512()
            key.verify(raw, to_sign, padding.PKCS1v15(), h)
        elif kind.startswith("ecdsa-sha2-") and alg == kind:
            assert isinstance(key, ec.EllipticCurvePublicKey)
            inner = _Reader(raw)
            der = encode_dss_signature(inner.mpint(), inner.mpint())
            bits = key.curve.key_size
            h2: hashes.HashAlgorithm = (
                hashes.SHA256()
                if bits <= 256
                else hashes.SHA384()
                if bits <= 384
                else hashes.SHA512()
            )
            key.verify(der, to_sign, ec.ECDSA(h2))
        else:
            raise BadSignature(f"signature algorithm {alg!r} does not fit a {kind} key")
    except InvalidSignature:
        raise BadSignature("the signature does not verify") from None


@functools.lru_cache(maxsize=256)
def _public_key_object(public_key: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_ssh_public_key(public_key_text(public_key).encode())


def _verify_with_ssh_keygen(message: bytes, data: bytes, namespace: str) -> None:
    with tempfile.TemporaryDirectory(prefix="sealer-sig-") as d:
        sig_file = Path(d) / "entry.sig"
        sig_file.write_text(armor(data))
        proc = _ssh_keygen(
            ["-Y", "check-novalidate", "-n", namespace, "-s", str(sig_file)], message
        )
    if proc.returncode != 0:
        raise BadSignature("the signature does not verify (ssh-keygen)")


def _ssh_keygen(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["ssh-keygen", *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError(
            "ssh-keygen is not installed", hint="install OpenSSH (Debian: openssh-client)"
        ) from None


# --- signing -----------------------------------------------------------------


class Signer:
    """An SSH key that signs: its public key blob and `sign(message, namespace)`."""

    public_key: bytes

    def sign(self, message: bytes, namespace: str) -> bytes:
        raise NotImplementedError


class Ed25519Signer(Signer):
    def __init__(self, private_key: object):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        assert isinstance(private_key, ed25519.Ed25519PrivateKey)
        self._key = private_key
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key = _string(b"ssh-ed25519") + _string(raw)

    def sign(self, message: bytes, namespace: str) -> bytes:
        raw = self._key.sign(signed_data(message, namespace))
        return blob(self.public_key, namespace, _string(b"ssh-ed25519") + _string(raw))


class KeygenSigner(Signer):
    """Signs with `ssh-keygen -Y sign`: a key file, or a public key the agent holds."""

    def __init__(self, key_file: Path, public_key: bytes, *, agent: bool = False):
        self.key_file, self.public_key, self.agent = key_file, public_key, agent

    def sign(self, message: bytes, namespace: str) -> bytes:
        args = ["-Y", "sign", "-n", namespace, "-f", str(self.key_file)]
        if self.agent:
            args.insert(2, "-U")
        proc = _ssh_keygen(args, message)
        if proc.returncode != 0:
            reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ConfigError(
                f"ssh-keygen could not sign with {self.key_file}: {reason[-1] if reason else '?'}",
                hint="add the key to ssh-agent (ssh-add), or use a key without a passphrase",
            )
        data = dearmor(proc.stdout.decode("ascii", "replace"))
        if parse(data).public_key != self.public_key:
            raise ConfigError(f"ssh-keygen signed with another key than {self.key_file}")
        return data


def load_signer(spec: str) -> Signer:
    """A signer from a key file path, a `.pub` path (agent) or `key::ssh-… AAAA…`."""
    if spec.startswith("key::") or spec.startswith(("ssh-", "ecdsa-", "sk-")):
        text = spec.removeprefix("key::")
        public_key = parse_public_key_text(text)
        fd, tmp = tempfile.mkstemp(prefix="sealer-signing-", suffix=".pub")
        with os.fdopen(fd, "w") as f:
            f.write(text.strip() + "\n")
        atexit.register(_unlink, tmp)
        return KeygenSigner(Path(tmp), public_key, agent=True)
    path = Path(spec).expanduser()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read the SSH signing key {path}: {e.strerror}") from None
    if path.suffix == ".pub" or not data.lstrip().startswith(b"-----BEGIN"):
        return KeygenSigner(path, parse_public_key_text(data.decode("ascii", "replace")))
    native = _native_ed25519(data)
    if native is not None:
        return native
    pub = path.with_name(path.name + ".pub")
    if pub.is_file():
        return KeygenSigner(path, parse_public_key_text(pub.read_text()))
    proc = _ssh_keygen(["-y", "-f", str(path)], b"")
    if proc.returncode != 0:
        raise ConfigError(
            f"cannot read the public half of {path}",
            hint=f"put it in {pub}, or sign through the agent with the .pub file",
        )
    return KeygenSigner(path, parse_public_key_text(proc.stdout.decode()))


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _native_ed25519(data: bytes) -> Signer | None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        key = serialization.load_ssh_private_key(data, password=None)
    except (ValueError, TypeError):  # passphrase-protected, or not OpenSSH format
        return None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return Ed25519Signer(key)
    return None
