"""Keyed digests of the plaintext each blob opened to here: clean's cheap re-check.

git asks clean again about files it cannot judge by their stat data: a file
written in the same second as the index ("racily clean": every file of a
fresh clone or checkout), and entries staged without stat data (what
`updatekeys` stages). Clean then has to say whether the working file is still
the plaintext of the staged blob, and opening the blob to find out (an age
unwrap and an AES-GCM open per value) made the first `git status` after a
clone of 10,000 sealed files take seconds.

So whenever this clone sees a blob open, with its MAC verified, to some exact
bytes (smudge writing a file, clean sealing one, updatekeys re-staging one), it
appends a tag for the triple to `sealer/plaintext-digests` in the repository's
git directory:

    HMAC-SHA256(local key, DOMAIN || format || NUL || blob id || NUL || bytes),
    first 128 bits, hex

and clean, given bytes for a path whose previous version (index, ours, HEAD)
is blob B, answers "unchanged: B" when the tag of (format of the path, B,
bytes) is listed, without opening B.

Why this is safe:
- The tag binds the blob id, and a blob id names one content forever, so an
  entry cannot go stale: what it says ("B opened here to these bytes") stays
  true. It never decides anything about another blob or other bytes.
- What a blob opens to depends on the format it is read as, which comes from
  the path's name: the tag binds the format name, so a YAML-sealed blob staged
  at `x.json` is opened (and refused) rather than taken as unchanged. The
  format, not the path, because the path is not bound into the encryption: a
  rename within one format opens to the same bytes and keeps the fast path.
  (Tags written before the format was bound, DOMAIN v1, match nothing: each
  file is opened once more, then listed again.)
- The key is 32 random bytes made on first use (`sealer/plaintext-digest-key`,
  0600, never committed, never pushed). Nothing committed can add an entry or
  compute one; a list copied from another clone (without its key) matches
  nothing. Whoever can write the key can also write `.git/hooks` and the
  filter's configuration, so the list trusts no one new.
- Without the key, the list does not confirm a guessed secret value, as plain
  hashes of short plaintexts would.
- Anything wrong with the list or the key (missing, unreadable, truncated
  lines) only makes clean open the blob as before: slower, never different.

The list is append-only lines; past MAX_BYTES (about 250,000 entries) the next
writer starts it again from empty.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Iterable

from sealer.git import common_git_dir

NAME = os.path.join("sealer", "plaintext-digests")
KEY_NAME = os.path.join("sealer", "plaintext-digest-key")
DOMAIN = b"sealer plaintext digest v2\x00"
KEY_SIZE = 32
TAG_HEX = 32  # 128 bits
MAX_BYTES = 8 << 20


class Digests:
    """The tags of one repository; `git_dir` None (not in a repository): none kept."""

    def __init__(self, git_dir: str | None):
        self.git_dir = git_dir
        self._key: bytes | None = None
        self._tags: set[str] = set()
        self._read_to = 0  # bytes of the list read into _tags

    @classmethod
    def near(cls, cwd: str | None) -> Digests:
        return cls(common_git_dir(cwd or "."))

    def _path(self, name: str) -> str | None:
        return None if self.git_dir is None else os.path.join(self.git_dir, name)

    def _load_key(self, create: bool) -> bytes | None:
        if self._key is not None:
            return self._key
        path = self._path(KEY_NAME)
        if path is None:
            return None
        key = _read_key(path)
        if key is None and create:
            key = _make_key(path)
        self._key = key
        return key

    def tag(self, fmt: str, blob: str, data: bytes, *, create: bool = False) -> str | None:
        key = self._load_key(create)
        if key is None:
            return None
        head = DOMAIN + fmt.encode("ascii") + b"\x00" + blob.encode("ascii") + b"\x00"
        return hmac.digest(key, head + data, "sha256").hex()[:TAG_HEX]

    def knows(self, fmt: str, blob: str, data: bytes) -> bool:
        """Whether blob `blob`, read as format `fmt`, opened here (MAC verified) to `data`."""
        tag = self.tag(fmt, blob, data)
        if tag is None:
            return False
        if tag in self._tags:
            return True
        self._read_more()  # another process (a checkout's workers) may have added it
        return tag in self._tags

    def remember(self, seen: Iterable[tuple[str, str, bytes]]) -> None:
        """List (format name, blob id, bytes it opened to as that format, MAC verified);
        failures are silent (slower only)."""
        tags = [t for fmt, blob, data in seen if (t := self.tag(fmt, blob, data, create=True))]
        path = self._path(NAME)
        if not tags or path is None:
            return
        lines = memoryview("".join(f"{t}\n" for t in tags).encode("ascii"))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                if os.fstat(fd).st_size > MAX_BYTES:
                    os.ftruncate(fd, 0)
                while lines:
                    lines = lines[os.write(fd, lines) :]
            finally:
                os.close(fd)
        except OSError:
            return
        self._tags.update(tags)

    def _read_more(self) -> None:
        path = self._path(NAME)
        if path is None:
            return
        try:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size < self._read_to:  # started again by a writer
                    self._read_to = 0
                f.seek(self._read_to)
                chunk = f.read(2 * MAX_BYTES)
        except OSError:
            return
        end = chunk.rfind(b"\n") + 1  # a line being written is read next time
        self._read_to += end
        self._tags.update(chunk[:end].decode("ascii", "replace").split())


def _read_key(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        key = os.read(fd, KEY_SIZE + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == KEY_SIZE else None


def _make_key(path: str) -> bytes | None:
    """A new random key, published atomically (a concurrent maker's key wins if first)."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".digest-key.")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(KEY_SIZE))
            with contextlib.suppress(FileExistsError):  # made meanwhile: theirs is read
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _read_key(path)
