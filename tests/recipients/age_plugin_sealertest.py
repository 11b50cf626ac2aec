"""age-plugin-sealertest: an age plugin with its key in software, for the tests.

It speaks the age plugin protocol (C2SP age-plugin.md, state machines
`recipient-v1` and `identity-v1`) over stdin/stdout as a hardware plugin
would, so age, sops and sealer drive it exactly as they drive
age-plugin-yubikey. Its stanza is `-> sealertest EPHEMERAL_SHARE` with the file
key sealed by ChaCha20-Poly1305 under HKDF(X25519(ephemeral, recipient)).

With SEALERTEST_PIN set it behaves like a PIN-protected token: before
unwrapping it shows a message and asks for the PIN (`request-secret`); a
wrong or missing PIN is an identity error.

    age-plugin-sealertest --generate    prints an identity and its recipient
"""

from __future__ import annotations

import base64
import os
import sys

NAME = "sealertest"
RECIPIENT_HRP = "age1" + NAME
IDENTITY_HRP = "AGE-PLUGIN-" + NAME.upper() + "-"
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


# --- Bech32 (BIP 173, without the 90-character limit, as age uses it) ---------


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & ((1 << tobits) - 1))
    if pad and bits:
        out.append((acc << (tobits - bits)) & ((1 << tobits) - 1))
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & ((1 << tobits) - 1)):
        raise ValueError("bad padding")
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    lower = hrp.lower()
    words = _convert(data, 8, 5, True)
    poly = _polymod([*_hrp_expand(lower), *words, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    text = lower + "1" + "".join(CHARSET[w] for w in words + checksum)
    return text.upper() if hrp.isupper() else text


def bech32_decode(text: str, hrp: str) -> bytes:
    lower = text.lower()
    pos = lower.rfind("1")
    if lower[:pos] != hrp.lower() or pos + 7 > len(lower):
        raise ValueError("wrong prefix")
    words = [CHARSET.index(c) for c in lower[pos + 1 :]]
    if _polymod([*_hrp_expand(lower[:pos]), *words]) != 1:
        raise ValueError("bad checksum")
    return bytes(_convert(words[:-6], 5, 8, False))


# --- the key in software --------------------------------------------------------


def _x25519() -> tuple[object, object]:
    from cryptography.hazmat.primitives.asymmetric import x25519

    return x25519.X25519PrivateKey, x25519.X25519PublicKey


def _raw(public: object) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    return public.public_bytes(*raw)  # type: ignore[attr-defined,no-any-return]


def _aead_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(hashes.SHA256(), 32, ephemeral + recipient, b"age-plugin-sealertest")
    return hkdf.derive(shared)


def wrap(file_key: bytes, recipient: bytes) -> tuple[str, bytes]:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    private_cls, public_cls = _x25519()
    eph = private_cls.generate()  # type: ignore[attr-defined]
    share = _raw(eph.public_key())
    shared = eph.exchange(public_cls.from_public_bytes(recipient))  # type: ignore[attr-defined]
    body = ChaCha20Poly1305(_aead_key(shared, share, recipient)).encrypt(b"\0" * 12, file_key, None)
    return _b64(share), body


def unwrap(secret: bytes, share_b64: str, body: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    private_cls, public_cls = _x25519()
    key = private_cls.from_private_bytes(secret)  # type: ignore[attr-defined]
    share = _unb64(share_b64)
    shared = key.exchange(public_cls.from_public_bytes(share))  # type: ignore[attr-defined]
    aead = ChaCha20Poly1305(_aead_key(shared, share, _raw(key.public_key())))
    try:
        return bytes(aead.decrypt(b"\0" * 12, body, None))
    except InvalidTag:
        return None


def public_of(secret: bytes) -> bytes:
    private_cls, _ = _x25519()
    return _raw(private_cls.from_private_bytes(secret).public_key())  # type: ignore[attr-defined]


# --- the protocol's stanzas --------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def read_stanza() -> tuple[list[str], bytes]:
    line = sys.stdin.readline()
    if not line.startswith("-> "):
        raise SystemExit(f"age-plugin-{NAME}: unexpected input {line[:20]!r}")
    args = line[3:].rstrip("\n").split(" ")
    body = ""
    while True:
        chunk = sys.stdin.readline().rstrip("\n")
        body += chunk
        if len(chunk) < 64:
            return args, _unb64(body)


def write_stanza(*args: str, body: bytes = b"") -> None:
    text = _b64(body)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append("")
    sys.stdout.write("-> " + " ".join(args) + "\n" + "\n".join(lines) + "\n")
    sys.stdout.flush()


def ask(*args: str, body: bytes = b"") -> tuple[list[str], bytes]:
    """A bi-directional command: send it, return the client's response."""
    write_stanza(*args, body=body)
    return read_stanza()


def phase_one() -> list[tuple[list[str], bytes]]:
    commands = []
    while True:
        args, body = read_stanza()
        if args[0] == "done":
            return commands
        commands.append((args, body))


# --- the two state machines ------------------------------------------------------


def recipient_v1() -> None:
    recipients: list[bytes] = []
    file_keys: list[bytes] = []
    errors: list[tuple[str, ...]] = []
    for args, body in phase_one():
        if args[0] == "add-recipient":
            try:
                recipients.append(bech32_decode(args[1], RECIPIENT_HRP))
            except ValueError:
                errors.append(("recipient", str(len(recipients))))
                recipients.append(b"")
        elif args[0] == "add-identity":
            try:
                recipients.append(public_of(bech32_decode(args[1], IDENTITY_HRP)))
            except ValueError:
                errors.append(("identity", "0"))
        elif args[0] == "wrap-file-key":
            file_keys.append(body)
    if errors:
        for kind, index in errors:
            ask("error", kind, index, body=b"not a sealertest key")
    else:
        for i, file_key in enumerate(file_keys):
            for recipient in recipients:
                share, sealed = wrap(file_key, recipient)
                ask("recipient-stanza", str(i), NAME, share, body=sealed)
    write_stanza("done")


def _pin_ok() -> bool:
    pin = os.environ.get("SEALERTEST_PIN")
    if not pin:
        return True
    ask("msg", body=b"Touch your sealertest key")
    answer, given = ask("request-secret", body=b"Enter the PIN of your sealertest key")
    return answer[0] == "ok" and given.decode() == pin


def identity_v1() -> None:
    secrets: list[bytes] = []
    stanzas: dict[int, list[tuple[list[str], bytes]]] = {}
    for args, body in phase_one():
        if args[0] == "add-identity":
            secrets.append(bech32_decode(args[1], IDENTITY_HRP))
        elif args[0] == "recipient-stanza" and args[2] == NAME:
            stanzas.setdefault(int(args[1]), []).append((args[3:], body))
    pin_checked = False
    for index, found in sorted(stanzas.items()):
        for stanza_args, body in found:
            keys = [k for k in (unwrap(s, stanza_args[0], body) for s in secrets) if k]
            if not keys:
                continue
            if not pin_checked and not _pin_ok():
                ask("error", "identity", "0", body=b"wrong or missing PIN")
                write_stanza("done")
                return
            pin_checked = True
            ask("file-key", str(index), body=keys[0])
            break
    write_stanza("done")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--generate"]:
        secret = os.urandom(32)
        print(f"# recipient: {bech32_encode(RECIPIENT_HRP, public_of(secret))}")
        print(bech32_encode(IDENTITY_HRP, secret))
        return 0
    if argv[1:] == ["--age-plugin=recipient-v1"]:
        recipient_v1()
        return 0
    if argv[1:] == ["--age-plugin=identity-v1"]:
        identity_v1()
        return 0
    print(f"age-plugin-{NAME}: unknown state machine {argv[1:]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
