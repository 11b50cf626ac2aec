"""libyaml's event parser (`ruamel.yaml.clib`) without importing all of ruamel.yaml.

`_ruamel_yaml` imports a few `ruamel.yaml.*` modules (errors, events, nodes);
importing any of them runs `ruamel/yaml/__init__.py`, which loads the whole
round-trip machinery (about a third of sealer's start-up). So the package
module is created from its real spec but its `__init__` is not run; the first
attribute anyone asks of it (`from ruamel.yaml import YAML`) runs it then, in
that same module object, so the package ends up exactly as a normal import
leaves it.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from typing import Any


@cache
def load() -> tuple[Any, Any, Any]:
    """(CParser class, ruamel.yaml.events, ruamel.yaml.error)."""
    if "ruamel.yaml" not in sys.modules:
        _defer_package_init()
    import ruamel.yaml.error as error
    import ruamel.yaml.events as events
    from _ruamel_yaml import CParser

    return CParser, events, error


def _defer_package_init() -> None:
    spec = importlib.util.find_spec("ruamel.yaml")
    if spec is None or spec.loader is None:  # pragma: no cover - ruamel is a dependency
        return
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def __getattr__(name: str) -> Any:  # PEP 562: runs once, on the first missing name
        del package.__dict__["__getattr__"]
        loader.exec_module(package)
        return getattr(package, name)

    package.__dict__["__getattr__"] = __getattr__
    sys.modules["ruamel.yaml"] = package
    import ruamel

    ruamel.__dict__["yaml"] = package
