"""libyaml's event parser (`ruamel.yaml.clib`) without importing all of ruamel.yaml.

`_ruamel_yaml` imports a few `ruamel.yaml.*` modules (errors, events, nodes);
importing any of them runs `ruamel/yaml/__init__.py`, which loads the whole
round-trip machinery (about a third of sealer's start-up). A bare package
object stands in for `ruamel.yaml` while the C parser loads; afterwards it is
removed, so a later `import ruamel.yaml` gets the real package.
"""

from __future__ import annotations

import sys
import types
from functools import cache
from typing import Any


@cache
def load() -> tuple[Any, Any, Any]:
    """(CParser class, ruamel.yaml.events, ruamel.yaml.error)."""
    if "ruamel.yaml" in sys.modules:
        return _import()
    import ruamel

    stub = types.ModuleType("ruamel.yaml")
    stub.__path__ = [f"{p}/yaml" for p in ruamel.__path__]
    sys.modules["ruamel.yaml"] = stub
    try:
        return _import()
    finally:
        if sys.modules.get("ruamel.yaml") is stub:
            del sys.modules["ruamel.yaml"]


def _import() -> tuple[Any, Any, Any]:
    import ruamel.yaml.error as error
    import ruamel.yaml.events as events
    from _ruamel_yaml import CParser

    return CParser, events, error
