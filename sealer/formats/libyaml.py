"""libyaml's event parser, through ruamel.yaml's public `cyaml` module.

`CBaseLoader` is the parser with ruamel's base constructor and resolver
attached; sealer calls only the parser's `get_event`.

Importing it loads ruamel.yaml whole (about 70M instructions, a third of a
one-file decrypt), so it is loaded only when a file needs it: the line reader
(yamlfast) takes plain block YAML without it.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def load() -> tuple[Any, Any, Any]:
    """(a libyaml parser class, ruamel.yaml.events, ruamel.yaml.error)."""
    import ruamel.yaml.error as error
    import ruamel.yaml.events as events
    from ruamel.yaml.cyaml import CBaseLoader

    return CBaseLoader, events, error
