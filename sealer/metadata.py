"""The SOPS metadata block: key groups, threshold, MAC, selection rule, version.

Read from and written to a plain dict (the `sops:` mapping of YAML/JSON), or the
flattened `sops_…` keys of .env and the `[sops]` section of INI. Master-key lists
are kept as stanzas whatever their type, so a file sealed for a key type sealer
cannot use (GCP KMS, Vault, …) keeps those entries when sealer rewrites it.
"""

import re
from typing import Any

from sealer.errors import FormatError
from sealer.records import Record
from sealer.selection import RULES, Selection

# The master-key lists sops knows, in sops' own group order; sealer's extension
# types (recipients registered by plugins) are accepted as well.
SOPS_KEY_TYPES = ("kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age", "pgp")
EXTENSION_KEY_TYPES: list[str] = ["pkcs11"]
SCALAR_FIELDS = ("lastmodified", "mac", "version", "shamir_threshold", "mac_only_encrypted", *RULES)
# What sealer writes as `version`: sops refuses anything that is not full semver
# and switches on an old KMS workaround below 3.3.0.
WRITE_VERSION = "3.11.0"


class Stanza(Record):
    """One master key's entry: its type (the metadata list it sits in) and fields."""

    type: str
    fields: dict[str, Any]

    @property
    def enc(self) -> str:
        return str(self.fields.get("enc", ""))


class Metadata(Record):
    groups: tuple[tuple[Stanza, ...], ...]
    lastmodified: str
    mac: str
    selection: Selection = Selection()
    shamir_threshold: int = 0
    mac_only_encrypted: bool = False
    version: str = WRITE_VERSION
    extra: dict[str, Any] | None = None  # unknown fields, kept as found

    def with_(self, **changes: Any) -> "Metadata":
        return self._replace(**changes)

    @property
    def threshold(self) -> int:
        """Groups needed to rebuild the data key (0 in the file means all of them)."""
        n = len(self.groups)
        return n if n <= 1 or self.shamir_threshold == 0 else self.shamir_threshold


def _key_types() -> tuple[str, ...]:
    return (*SOPS_KEY_TYPES, *EXTENSION_KEY_TYPES)


def _stanzas(group: dict[str, Any], where: str) -> tuple[list[Stanza], dict[str, Any]]:
    stanzas: list[Stanza] = []
    rest: dict[str, Any] = {}
    for name, value in group.items():
        if name in _key_types() or (
            isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        ):
            if value in (None, ""):
                continue
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise FormatError(f"metadata: {where}{name} must be a list of key entries")
            stanzas.extend(Stanza(name, dict(v)) for v in value)
        else:
            rest[name] = value
    # sops' in-group order is by type; keep file order within a type.
    order = {t: i for i, t in enumerate(_key_types())}
    stanzas.sort(key=lambda s: order.get(s.type, len(order)))
    return stanzas, rest


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise FormatError(f"metadata: {name} must be a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(\.0*)?", value, re.A):  # Go's 0-9 only
        return int(float(value))
    raise FormatError(f"metadata: {name} must be a number")


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0", ""):
        return value.lower() in ("true", "1")
    if isinstance(value, int):
        return value != 0
    raise FormatError(f"metadata: {name} must be true or false")


def from_dict(data: Any) -> Metadata:
    """Validate a metadata mapping as sops does (`ToInternal`) and build Metadata."""
    if not isinstance(data, dict):
        raise FormatError("metadata: the sops entry is not a mapping")
    data = dict(data)
    groups_raw = data.pop("key_groups", None)
    top_stanzas, rest = _stanzas(
        {k: v for k, v in data.items() if k not in SCALAR_FIELDS}, where=""
    )
    groups: list[tuple[Stanza, ...]] = []
    if groups_raw:
        if not isinstance(groups_raw, list) or not all(isinstance(g, dict) for g in groups_raw):
            raise FormatError("metadata: key_groups must be a list of mappings")
        for i, g in enumerate(groups_raw):
            stanzas, _unknown = _stanzas(g, where=f"key_groups[{i}].")
            groups.append(tuple(stanzas))
    elif top_stanzas:
        groups.append(tuple(top_stanzas))
    lastmodified = data.get("lastmodified")
    if not isinstance(lastmodified, str):
        raise FormatError("metadata: lastmodified is missing")
    selection = Selection.from_fields(data, where="metadata")
    version = data.get("version", "")
    return Metadata(
        groups=tuple(groups),
        lastmodified=lastmodified,
        mac=str(data.get("mac") or ""),
        selection=selection,
        shamir_threshold=_as_int(data.get("shamir_threshold") or 0, "shamir_threshold"),
        mac_only_encrypted=_as_bool(data.get("mac_only_encrypted", False), "mac_only_encrypted"),
        version=str(version) if version is not None else "",
        extra=rest,
    )


def _group_dict(group: tuple[Stanza, ...]) -> dict[str, Any]:
    out: dict[str, list[dict[str, Any]]] = {}
    for s in group:
        out.setdefault(s.type, []).append({k: s.fields[k] for k in sorted(s.fields)})
    return out


def to_dict(meta: Metadata) -> dict[str, Any]:
    """The metadata as sops ≥ 3.13 writes it: keys in alphabetical order."""
    out: dict[str, Any] = dict(meta.extra or {})
    if len(meta.groups) == 1:
        out.update(_group_dict(meta.groups[0]))
    elif meta.groups:
        out["key_groups"] = [_group_dict(g) for g in meta.groups]
        out["shamir_threshold"] = meta.threshold
    out["lastmodified"] = meta.lastmodified
    out["mac"] = meta.mac
    if meta.mac_only_encrypted:
        out["mac_only_encrypted"] = True
    out[meta.selection.rule] = meta.selection.value
    out["version"] = meta.version
    return {k: out[k] for k in sorted(out)}


# --- flattening for .env and INI (sops' stores/flatten.go) -------------------

_MAP = "__map_"
_LIST = "__list_"


def flatten(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """`{"age": [{"enc": x}]}` → `[("age__list_0__map_enc", x)]`, in key order."""
    out: list[tuple[str, Any]] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}{_MAP}{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{key}{_LIST}{i}")
        else:
            out.append((key, value))

    for k, v in data.items():
        walk(v, k)
    return out


def _tokenize(path: str) -> list[str | int]:
    tokens: list[str | int] = []
    parts = re.split(r"(__map_|__list_)", path)
    tokens.append(parts[0])
    for sep, text in zip(parts[1::2], parts[2::2], strict=True):
        if sep == _MAP:
            tokens.append(text)
        else:
            if not text.isdigit():
                raise FormatError(f"metadata: bad list index in {path!r}")
            tokens.append(int(text))
    return tokens


def unflatten(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """Inverse of `flatten`; lists must be complete, as in sops."""
    root: dict[Any, Any] = {}
    for key, value in items:
        node = root
        tokens = _tokenize(key)
        for tok in tokens[:-1]:
            node = node.setdefault(tok, {})
            if not isinstance(node, dict):
                raise FormatError(f"metadata: {key!r} conflicts with another entry")
        if tokens[-1] in node:
            raise FormatError(f"metadata: duplicate entry {key!r}")
        node[tokens[-1]] = value

    def convert(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        keys = list(node)
        if keys and all(isinstance(k, int) for k in keys):
            if sorted(keys) != list(range(len(keys))):
                raise FormatError("metadata: incomplete list in flattened keys")
            return [convert(node[i]) for i in range(len(keys))]
        if any(isinstance(k, int) for k in keys):
            raise FormatError("metadata: mixed list and map entries in flattened keys")
        return {k: convert(v) for k, v in node.items()}

    result = convert(root)
    assert isinstance(result, dict)
    return result
