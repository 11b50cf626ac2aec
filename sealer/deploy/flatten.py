"""The rule that turns a file's nested values into flat names (README "Deploy").

A value at key path k1 … kn is named `k1_k2_…_kn`; list elements are named by
their index (`hosts_0`). INI keys before the first section header (sops' DEFAULT
section) are named by the key alone. Comments are skipped, an empty mapping or
list gives no name, null gives an empty value. Names are never changed to make
them fit: a name that is not valid for its target, or two values that get the
same name, is an error naming the key paths.

Values become bytes: strings as they are, integers in decimal, floats as sops
writes them (Go's shortest form), booleans `true`/`false`, timestamps as their
RFC 3339 text, null as nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sealer import paths
from sealer.errors import FormatError, SealerError
from sealer.values import GoTime, Raw, go_float

SEPARATOR = "_"
INI_DEFAULT = "DEFAULT"


@dataclass(frozen=True)
class Target:
    """Where flat names are used, and so which names and values are allowed."""

    what: str  # "environment variable", ...
    name: re.Pattern[str]
    rule: str  # for the hint: what a name may look like
    max_length: int = 0
    nul_allowed: bool = False


ENV = Target(
    "environment variable",
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z"),
    "letters, digits and _, not starting with a digit",
)
K8S = Target(
    "Kubernetes Secret key",
    re.compile(r"(?!\.{1,2}\Z)[-._a-zA-Z0-9]+\Z"),
    "letters, digits, -, _ and .",
    max_length=253,
    nul_allowed=True,
)
AWS = Target(
    "AWS secret name",
    re.compile(r"[A-Za-z0-9/_+=.@-]+\Z"),
    "letters, digits and /_+=.@-",
    max_length=512,
    nul_allowed=True,
)


@dataclass(frozen=True)
class Variable:
    name: str
    path: tuple[str | int, ...]
    value: bytes


class NamingError(SealerError):
    exit_code = FormatError.exit_code


def leaf_bytes(value: Any) -> bytes:
    """A leaf value as the bytes a variable or file holds (see the module docstring)."""
    if value is None:
        return b""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return go_float(value).encode()
    if isinstance(value, GoTime):
        return value.text.encode()
    if isinstance(value, Raw):
        return value.data
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    raise TypeError(f"not a leaf: {type(value).__name__}")


def leaves(node: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in leaves(v, (*path, i))]
    return [(path, node)]


def name_for(path: tuple[str | int, ...], fmt_name: str = "") -> str:
    parts = [str(p) for p in path]
    if fmt_name == "ini" and len(parts) > 1 and parts[0] == INI_DEFAULT:
        parts = parts[1:]
    return SEPARATOR.join(parts)


def check_name(name: str, target: Target, where: str = "", file: str | None = None) -> None:
    if not target.name.match(name) or (target.max_length and len(name) > target.max_length):
        raise NamingError(
            f"{where}{name!r} is not a valid {target.what}",
            hint=f"names are the key path joined with {SEPARATOR}; use {target.rule}",
            file=file,
        )


def flatten(
    data: Any, target: Target = ENV, *, fmt_name: str = "", file: str | None = None
) -> list[Variable]:
    """Every leaf of `data` as a named variable, in file order; raises on bad names."""
    if not isinstance(data, dict):
        raise FormatError("the top level is not a mapping, so its values have no names", file=file)
    out: list[Variable] = []
    seen: dict[str, tuple[str | int, ...]] = {}
    for path, value in leaves(data, ()):
        name = name_for(path, fmt_name)
        where = paths.show(path)
        check_name(name, target, f"{where}: ", file)
        if name in seen:
            raise NamingError(
                f"{paths.show(seen[name])} and {where} both become the {target.what} {name}",
                hint="rename one of the keys",
                file=file,
            )
        seen[name] = path
        raw = leaf_bytes(value)
        if not target.nul_allowed and b"\0" in raw:
            raise FormatError(
                f"{where}: the value holds a NUL byte, which an {target.what} cannot hold",
                hint="pass the file whole with --file instead",
                file=file,
            )
        out.append(Variable(name, path, raw))
    return out


def merge(groups: list[tuple[str, list[Variable]]], target: Target = ENV) -> dict[str, bytes]:
    """Variables of several files in one namespace; a name set by two files is an error."""
    owner: dict[str, tuple[str, Variable]] = {}
    for file, variables in groups:
        for var in variables:
            if var.name in owner:
                other_file, other = owner[var.name]
                raise NamingError(
                    f"{var.name} is set by both {other_file} {paths.show(other.path)}"
                    f" and {file} {paths.show(var.path)}",
                    hint=f"every {target.what} may come from one file only",
                )
            owner[var.name] = (file, var)
    return {name: var.value for name, (_, var) in owner.items()}
