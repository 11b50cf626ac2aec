"""Blobs of the repository a filter runs in: the previous sealed version of a path.

One `git cat-file --batch` co-process per filter process (`sealer.git.Blobs`),
started on first use (only clean needs it).
"""

from __future__ import annotations

from sealer.git import Blobs

# Where clean looks for the previous version of a path, in order: the index,
# "ours" while a merge is in progress, then HEAD.
PREVIOUS = (":0:{}", ":2:{}", "HEAD:{}")


class Repo(Blobs):
    def staged_only(self, path: str, oid: str) -> bool:
        """Whether blob `oid` is what the index holds for `path` and HEAD does not."""
        staged, head = self.object(f":0:{path}"), self.object(f"HEAD:{path}")
        return staged is not None and staged[0] == oid and (head is None or head[0] != oid)

    def previous(self, path: str) -> tuple[str, bytes] | None:
        """The first of index, ours, HEAD that holds `path`: (which, content)."""
        for pattern in PREVIOUS:
            spec = pattern.format(path)
            data = self.blob(spec)
            if data is not None:
                return spec, data
        return None
