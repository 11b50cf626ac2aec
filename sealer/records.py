"""`Record`: the base of sealer's value records, `typing.NamedTuple` itself.

Records were once `collections.namedtuple` classes at run time, to keep
`typing` out of a short process; cryptography's public modules load `typing`
anyway, so the records are now plainly what type checkers see.

A module that defines a record does without `from __future__ import
annotations`: NamedTuple would compile each string annotation into a
ForwardRef, and the first `compile()` of a process builds the `ast` module's
classes (about 10M instructions, 6% of a one-file decrypt). Its fields name
real types; a function annotation that names a later class is quoted.
"""

from __future__ import annotations

from typing import NamedTuple as Record

__all__ = ["Record"]
