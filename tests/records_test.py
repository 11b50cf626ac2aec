"""sealer.records.Record behaves as typing.NamedTuple does, for every use sealer makes of it."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
from typing import NamedTuple, get_type_hints

import pytest

import sealer
from sealer.records import Record


class Typed(NamedTuple):
    """A record."""

    a: int
    b: str = "x"
    c: tuple[int, ...] = ()

    @property
    def both(self) -> str:
        return f"{self.a}{self.b}"

    def twice(self) -> int:
        return 2 * self.a


class Ours(Record):
    """A record."""

    a: int
    b: str = "x"
    c: tuple[int, ...] = ()

    @property
    def both(self) -> str:
        return f"{self.a}{self.b}"

    def twice(self) -> int:
        return 2 * self.a


def test_a_record_is_the_same_tuple_class_typing_makes() -> None:
    t, o = Typed(1), Ours(1)
    assert isinstance(o, tuple) and Ours.__bases__ == Typed.__bases__ == (tuple,)
    assert Ours._fields == Typed._fields == ("a", "b", "c")
    assert Ours._field_defaults == Typed._field_defaults
    assert get_type_hints(Ours) == get_type_hints(Typed)  # typing keeps ForwardRefs, we strings
    assert (Ours.__doc__, Ours.__module__, Ours.__qualname__) == (
        Typed.__doc__,
        Typed.__module__,
        "Ours",
    )
    assert tuple(o) == tuple(t) == (1, "x", ())
    assert o == t and hash(o) == hash(t)  # tuples: equal by content
    assert repr(o) == repr(t).replace("Typed", "Ours")
    assert o.both == t.both == "1x" and o.twice() == t.twice() == 2
    assert o._replace(b="y") == Ours(1, "y") and o._asdict() == t._asdict()
    assert Ours._make([2, "z", (3,)]) == Ours(2, "z", (3,))
    a, b, c = Ours(3, c=(1,))
    assert (a, b, c) == (3, "x", (1,))
    assert pickle.loads(pickle.dumps(o)) == o
    with pytest.raises(AttributeError):
        o.a = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Ours()  # type: ignore[call-arg]


def test_a_record_refuses_what_typing_refuses() -> None:
    with pytest.raises(TypeError, match="without a default"):

        class _Order(Record):
            a: int = 1
            b: int

    with pytest.raises(TypeError, match="no fields"):

        class _Empty(Record):
            pass

    with pytest.raises(AttributeError, match="_replace"):

        class _Override(Record):
            a: int

            def _replace(self) -> None: ...  # type: ignore[override]


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
                assert value._fields == tuple(value.__annotations__), value
    assert len(found) >= 15  # Opened, Policy, Sealed, Parsed, Style, ...
