"""SoftHSM2 tokens for the tests, driven through python-pkcs11 in a child process.

The test process itself never loads the PKCS#11 module (SoftHSM reads its
configuration once per process); each helper runs `python -m
tests.recipients.hsm COMMAND …` with `SOFTHSM2_CONF` set and prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import run, tool

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "4711-test"
SO_PIN = "0815-so"

# label -> (key type, may unwrap); every key is sensitive and never extractable
KEYS = {
    "sealer-rsa": ("rsa", True),
    "sealer-aes": ("aes", True),
    "sealer-rsa-nounwrap": ("rsa", False),
    "sealer-aes-nounwrap": ("aes", False),
}


@dataclass(frozen=True)
class Token:
    conf: Path
    label: str
    pin: str = PIN

    @property
    def env(self) -> dict[str, str]:
        return {
            "SOFTHSM2_CONF": str(self.conf),
            "SEALER_PKCS11_PIN": self.pin,
            "SEALER_PKCS11_MODULE": MODULE,
        }

    def uri(self, key: str) -> str:
        return f"pkcs11:token={self.label};object={key}"

    def objects(self) -> list[dict[str, Any]]:
        """Every object on the token with the attributes that say what may leave it."""
        out = _child(self.conf, "objects", self.label, self.pin)
        assert isinstance(out, list)
        return out


def make_token(directory: Path, label: str = "sealer-test") -> Token:
    """A fresh token in its own SoftHSM store, with the keys of KEYS made on it."""
    (directory / "tokens").mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
    )
    env = {"SOFTHSM2_CONF": str(conf)}
    init = [tool("softhsm2-util"), "--init-token", "--free", "--label", label]
    run([*init, "--pin", PIN, "--so-pin", SO_PIN], env=env, check=True)
    _child(conf, "keys", label, PIN)
    return Token(conf, label)


def _child(conf: Path, *args: str) -> Any:
    result = run(
        [sys.executable, "-m", "tests.recipients.hsm", *args],
        env={"SOFTHSM2_CONF": str(conf)},
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    return json.loads(result.stdout)


# --- the child side -------------------------------------------------------------


def _open(label: str, pin: str) -> Any:
    import pkcs11

    return pkcs11.lib(MODULE).get_token(token_label=label).open(rw=True, user_pin=pin)


def _make_keys(label: str, pin: str) -> list[str]:
    from pkcs11 import Attribute as A
    from pkcs11 import KeyType

    with _open(label, pin) as s:
        for name, (kind, unwrap) in KEYS.items():
            private = {A.UNWRAP: unwrap, A.DECRYPT: False, A.EXTRACTABLE: False, A.SENSITIVE: True}
            if kind == "rsa":
                s.generate_keypair(
                    KeyType.RSA,
                    2048,
                    label=name,
                    store=True,
                    public_template={A.ENCRYPT: True, A.WRAP: True, A.PRIVATE: False},
                    private_template=private,
                )
            else:
                s.generate_key(
                    KeyType.AES, 256, label=name, store=True, template={**private, A.WRAP: True}
                )
    return list(KEYS)


def _objects(label: str, pin: str) -> list[dict[str, Any]]:
    from pkcs11 import Attribute as A
    from pkcs11 import ObjectClass
    from pkcs11.exceptions import PKCS11Error

    out = []
    with _open(label, pin) as s:
        for obj in s.get_objects():
            item: dict[str, Any] = {"label": obj[A.LABEL], "class": ObjectClass(obj[A.CLASS]).name}
            for attr in ("TOKEN", "EXTRACTABLE", "SENSITIVE", "NEVER_EXTRACTABLE"):
                try:
                    item[attr.lower()] = bool(obj[getattr(A, attr)])
                except PKCS11Error:
                    item[attr.lower()] = None
            secret = {"PRIVATE_KEY": A.PRIVATE_EXPONENT, "SECRET_KEY": A.VALUE}.get(item["class"])
            if secret is not None:
                try:
                    obj[secret]
                    item["secret_readable"] = True
                except PKCS11Error:
                    item["secret_readable"] = False
            out.append(item)
    return out


if __name__ == "__main__":
    command, token_label, user_pin = sys.argv[1:4]
    assert os.environ.get("SOFTHSM2_CONF")
    result = (
        _make_keys(token_label, user_pin) if command == "keys" else _objects(token_label, user_pin)
    )
    print(json.dumps(result))
