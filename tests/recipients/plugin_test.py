"""A third-party key type, found through the `sealer.recipients` entry-point group.

The plugin is a real distribution on sys.path (a module plus its .dist-info
with entry_points.txt), as pip would install it: a "keyfile" key type that
wraps the data key with AES-256-GCM under a 32-byte key kept in a local file.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import AgeKey, sealer, sops
from tests.recipients.roundtrip import SECRET

PLUGIN = '''
"""keyfile: wrap the data key under a 32-byte key in a local file."""
import base64, hashlib, os
from dataclasses import dataclass
from pathlib import Path
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sealer.errors import NotMine
from sealer.metadata import Stanza
from sealer.recipients import LOCAL, split_list

NAME = "keyfile"
STANZA_TYPES = ("keyfile",)
KIND = LOCAL


def _key_id(key):
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class KeyfileRecipient:
    key_type = "keyfile"
    path: str

    @property
    def id(self):
        return self.path

    def wrap(self, file_key):
        key = Path(self.path).read_bytes()
        nonce = os.urandom(12)
        enc = base64.b64encode(nonce + AESGCM(key).encrypt(nonce, file_key, None)).decode()
        return Stanza("keyfile", {"enc": enc, "key_id": _key_id(key)})


def parse_recipients(value):
    return [KeyfileRecipient(p) for p in split_list(value)]


class KeyfileIdentity:
    kind = LOCAL

    def __init__(self, key):
        self.key = key

    def unwrap(self, stanza):
        if stanza.type != "keyfile" or stanza.fields.get("key_id") != _key_id(self.key):
            raise NotMine()
        raw = base64.b64decode(stanza.enc)
        return AESGCM(self.key).decrypt(raw[:12], raw[12:], None)


def load_identities():
    path = os.environ.get("KEYFILE_PATH")
    return [KeyfileIdentity(Path(path).read_bytes())] if path else []


def stanza_id(stanza):
    return "keyfile:" + str(stanza.fields.get("key_id"))
'''


def install_plugin(site: Path) -> None:
    (site / "sealer_keyfile_plugin.py").write_text(PLUGIN)
    info = site / "sealer_keyfile_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sealer-keyfile-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[sealer.recipients]\nkeyfile = sealer_keyfile_plugin\n")


def test_a_plugin_key_type_seals_and_opens_beside_age(tmp_path: Path, age_key: AgeKey) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    key = tmp_path / "team.key"
    key.write_bytes(os.urandom(32))
    (tmp_path / ".sealer.yaml").write_text(
        f"creation_rules:\n  - keyfile: {key}\n    age: {age_key.recipient}\n"
    )
    (tmp_path / "s.yaml").write_text(f"password: {SECRET}\n")
    env = {"PYTHONPATH": str(site)}
    sealer("encrypt", "-i", str(tmp_path / "s.yaml"), env=env, check=True)
    text = (tmp_path / "s.yaml").read_text()
    assert "    keyfile:\n" in text
    opened = sealer("decrypt", str(tmp_path / "s.yaml"), env={**env, "KEYFILE_PATH": str(key)})
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == f"password: {SECRET}\n"
    # sops skips the plugin's list and opens the file by its age key
    via = sops("decrypt", str(tmp_path / "s.yaml"), env={"SOPS_AGE_KEY_FILE": str(age_key.file)})
    assert via.returncode == 0, via.stderr
    # without the key file the error names the plugin's recipient by its stanza_id
    missing = sealer("decrypt", str(tmp_path / "s.yaml"), env=env)
    assert missing.returncode == 128
    assert "keyfile:" in missing.stderr
    assert "the file is sealed for age, keyfile recipients" in missing.stderr
