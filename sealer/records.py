"""`Record`: the base of sealer's value records, `typing.NamedTuple` itself.

Records were once `collections.namedtuple` classes at run time, to keep
`typing` out of a short process; cryptography's public modules load `typing`
anyway, so the records are now plainly what type checkers see.
"""

from __future__ import annotations

from typing import NamedTuple as Record

__all__ = ["Record"]
