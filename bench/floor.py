"""The floor under a one-file `sealer decrypt` / `sealer encrypt --age`: the least Python can do.

A program, run by the same interpreter and venv as sealer, that does only what
cannot be left out with sealer's mandated dependencies and public APIs: start
the interpreter with the venv's `site`, import cryptography's public AES-GCM
and hash modules and pyrage, read the file, unwrap (or make and wrap) the data
key with pyrage, open (or seal) every `ENC[...]` value with AES-GCM, hash them
with SHA-512 for the MAC, and write the result. It parses nothing: no YAML,
JSON, .env or INI reader, no paths for the AAD (a value whose tag fails for
the wrong AAD costs GCM the same work), no metadata beyond the age block. So
its time is below what any correct sealer could take, and `bench/floor_bench.py`
times it against `sealer` and `sops` to say how far 1.2x sops is reachable.

    python bench/floor.py decrypt SEALED IDENTITY_FILE
    python bench/floor.py encrypt PLAIN RECIPIENT

Not a tool: it writes only the opened or sealed values, not a valid file.
"""

import os
import sys

import pyrage
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyrage import x25519

ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = "-----END AGE ENCRYPTED FILE-----"


def b64(text: str) -> bytes:
    import binascii

    return binascii.a2b_base64(text)


def decrypt(path: str, identity_file: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(identity_file, encoding="utf-8") as f:
        secret = next(ln for ln in f.read().splitlines() if ln.startswith("AGE-SECRET-KEY-"))
    begin = text.index(ARMOR_BEGIN)
    end = text.index(ARMOR_END, begin) + len(ARMOR_END)
    block = text[begin:end].replace("\\n", "\n")  # JSON and .env hold it escaped
    armored = "\n".join(ln.strip() for ln in block.splitlines()) + "\n"
    key = pyrage.decrypt(armored.encode("ascii"), [x25519.Identity.from_str(secret)])
    gcm = AESGCM(key)
    digest = hashes.Hash(hashes.SHA512())
    out = []
    for part in text.split("ENC[AES256_GCM,")[1:]:
        fields = dict(f.split(":", 1) for f in part[: part.index("]")].split(","))
        try:
            plain = gcm.decrypt(b64(fields["iv"]), b64(fields["data"]) + b64(fields["tag"]), b"")
        except InvalidTag:  # the AAD is the value's path, which the floor does not parse
            plain = b""
        digest.update(plain)
        out.append(plain)
    digest.finalize()
    sys.stdout.buffer.write(b"\n".join(out))


def encrypt(path: str, recipient: str) -> None:
    import binascii

    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    key = os.urandom(32)
    enc = pyrage.encrypt(key, [x25519.Recipient.from_str(recipient)], armored=True)
    gcm = AESGCM(key)
    digest = hashes.Hash(hashes.SHA512())
    out = []
    for line in lines:  # a value per line: about as many as the file has
        data = line.encode("utf-8")
        iv = os.urandom(32)
        sealed = gcm.encrypt(iv, data, b"")
        digest.update(data)
        out.append(binascii.b2a_base64(sealed, newline=False) + binascii.b2a_base64(iv))
    digest.finalize()
    sys.stdout.buffer.write(b"".join(out) + enc)


if __name__ == "__main__":
    import gc

    {"decrypt": decrypt, "encrypt": encrypt}[sys.argv[1]](sys.argv[2], sys.argv[3])
    gc.freeze()  # as sealer does: the exit then does not walk what is alive for cycles
