"""`diff.sealer.textconv`: what `git diff`, `git log -p` and `git show` display.

git hands textconv a file that is already smudged (plaintext) when the filter
is configured, the stored sealed blob in a locked clone, or the working-tree
file. Plaintext is shown as it is, sealed files opened where a key allows;
a sealed file no key here opens is shown as `sealer diff` sees it (each value
as a digest of its ciphertext, the metadata as its recipients: see
`sealer.review.textview`); anything else shown as stored: a diff never fails
because of a missing key or a damaged blob (the damage is reported on stderr).
"""

from __future__ import annotations

from sealer import fileio
from sealer.errors import FormatError, IntegrityError
from sealer.gitfilter.filter import Filter
from sealer.gitfilter.repo import Repo


def textconv(path: str) -> bytes:
    data = fileio.encode(fileio.read(path))
    filt = Filter(Repo(), warn=_quiet)
    try:
        out = filt.smudge(path, data)
    except (IntegrityError, FormatError) as e:
        from sealer.gitfilter.filter import warn_stderr

        warn_stderr(f"{e}; shown as stored")
        return data
    if filt.locked and out == data:
        from sealer.review.textview import keyless_view

        view = keyless_view(path, fileio.decode(data))
        if view is not None:
            return fileio.encode(view)
    return out


def _quiet(message: str) -> None:
    """A locked clone sees sealed values in diffs; saying so per file would be noise."""
