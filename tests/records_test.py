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
    assert len(found) >= 15  # Opened, Policy, Sealed, Parsed, Style, ...
