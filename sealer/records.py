"""`Record`: `typing.NamedTuple`'s class syntax, without importing typing at run time.

typing is the largest module a short sealer process would load only for this:
16M instructions, about 4 ms of a 50 ms decrypt (see bench/README.md). Type
checkers see `typing.NamedTuple` itself; at run time a record is the class
`collections.namedtuple` makes from the annotated fields and their defaults,
with the methods, properties and docstring of the class body, as typing does
it. tests/records_test.py holds the two to the same behaviour.

Modules on the start-up path spell their typing-only imports as

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import Any

which type checkers read as `typing.TYPE_CHECKING` (they match the name).
"""

from __future__ import annotations

from collections import namedtuple

__all__ = ["Record"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    # What typing.NamedTuple refuses to let a class body override.
    _PROTECTED = frozenset(
        (
            "__new__",
            "__init__",
            "__slots__",
            "__getnewargs__",
            "_fields",
            "_field_defaults",
            "_make",
            "_replace",
            "_asdict",
            "_source",
        )
    )
    _NOT_COPIED = frozenset(("__annotations__", "__module__", "__name__"))

    class _RecordMeta(type):
        def __new__(mcs, name, bases, ns):
            if bases != (Record,):
                raise TypeError("a record inherits from Record alone")
            fields = list(ns.get("__annotations__", {}))
            if not fields:  # Python 3.14 keeps annotations in the namespace only with this
                raise TypeError(
                    f"{name}: no fields (the module needs `from __future__ import annotations`)"
                )
            defaults = [ns[f] for f in fields if f in ns]
            if fields[len(fields) - len(defaults) :] != [f for f in fields if f in ns]:
                raise TypeError(f"{name}: a field without a default follows one with it")
            cls = namedtuple(name, fields, defaults=defaults, module=ns["__module__"])
            cls.__annotations__ = ns.get("__annotations__", {})
            for key, value in ns.items():
                if key in _PROTECTED:
                    raise AttributeError(f"{name}: a record cannot set {key}")
                if key not in _NOT_COPIED and key not in fields:
                    setattr(cls, key, value)
            return cls

    Record = type.__new__(_RecordMeta, "Record", (), {})
