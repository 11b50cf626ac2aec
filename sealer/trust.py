"""Which data keys this clone has reason to trust: the ones it made.

A sealed file's stanzas say who the data key is wrapped for, but a label
cannot be checked against the key it wraps: an age stanza wrapped for
mallory can carry alice's `recipient:` line, and only mallory could tell.
So a data key found in a committed file may be known to whoever committed
it, whatever its metadata says. Reusing it for a changed or added value
would hand that value to them.

Decision: a data key is trusted when this clone made it. Each time sealer
seals a file afresh inside a git repository it appends the key's id (SHA-256
over a domain prefix and the key, the audit trail's `data_key_id`; never the
key) to `sealer/trusted-data-keys` in the repository's git directory (shared
by its worktrees, never committed, never pushed). Nothing committed can add to
it. A key made in another clone, even a colleague's, is not trusted here: the
first change to such a file in this clone seals it with a new data key (every
value gets a new ciphertext once), and from then on its bytes are stable
again. Outside a git repository there is no pushed history to distrust, and
every data key is trusted.
"""

from __future__ import annotations

import hashlib
import os

from sealer.git import common_git_dir

# the audit trail's data_key_id prefix (sealer/audit/log.py), so ids compare with its entries
DATA_KEY_ID_PREFIX = b"sealer-audit data-key-id v1\x00"
STORE = os.path.join("sealer", "trusted-data-keys")


def data_key_id(key: bytes) -> str:
    return "sha256:" + hashlib.sha256(DATA_KEY_ID_PREFIX + key).hexdigest()


class Trust:
    """The data keys one clone trusts; `git_dir` None: outside git, every key is trusted."""

    def __init__(self, git_dir: str | None):
        self.git_dir = git_dir
        self._ids: set[str] | None = None

    @classmethod
    def near(cls, file: str) -> Trust:
        """The trust of the repository `file` is in (one object per repository and process)."""
        git_dir = common_git_dir(os.path.dirname(file) or ".")
        found = _by_dir.get(git_dir)
        if found is None:
            found = _by_dir[git_dir] = cls(git_dir)
        return found

    @property
    def path(self) -> str | None:
        return None if self.git_dir is None else os.path.join(self.git_dir, STORE)

    def _known(self) -> set[str]:
        if self._ids is None:
            self._ids = set()
            if self.path is not None:
                try:
                    with open(self.path, encoding="ascii", errors="replace") as f:
                        self._ids = {line.strip() for line in f if line.strip()}
                except FileNotFoundError:
                    pass
        return self._ids

    def trusts(self, key: bytes) -> bool:
        if self.path is None:
            return True
        known = self._known()
        if data_key_id(key) in known:
            return True
        self._ids = None  # another process (a merge driver, `sealer set`) may have added it
        return data_key_id(key) in self._known()

    def add(self, key: bytes) -> None:
        """Record a data key this clone made (appended: concurrent writers keep every line)."""
        if self.path is None:
            return
        key_id = data_key_id(key)
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (key_id + "\n").encode("ascii"))
        finally:
            os.close(fd)
        self._known().add(key_id)


_by_dir: dict[str | None, Trust] = {}
