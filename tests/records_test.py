"""sealer's records are `typing.NamedTuple` classes, at run time as for type checkers."""

from __future__ import annotations

import importlib
import pkgutil
import typing

import sealer
from sealer.records import Record


def test_record_is_typing_named_tuple() -> None:
    assert Record is typing.NamedTuple


def test_every_record_in_sealer_is_a_named_tuple_of_its_annotations() -> None:
    found = []
    for info in pkgutil.walk_packages(sealer.__path__, "sealer."):
        if info.name == "sealer.__main__":  # runs the program
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == info.name
                and issubclass(value, tuple)
                and hasattr(value, "_fields")
            ):
                found.append(value)
                assert typing.NamedTuple in value.__orig_bases__, value
                assert value._fields == tuple(value.__annotations__), value
                # Types, not strings: NamedTuple compiles a string annotation into a
                # ForwardRef, and the first compile() in a process builds the ast
                # module's ~120 classes (10M instructions, 6% of a small decrypt).
                # So a module defining a record has no `from __future__ import annotations`.
                strings = [t for t in value.__annotations__.values() if isinstance(t, str)]
                assert not strings, (value, strings)
    assert len(found) >= 15  # Opened, Policy, Sealed, Parsed, Style, ...
