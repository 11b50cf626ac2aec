"""`sealer export`: a sealed file's values in the shape a deploy tool reads.

Flat formats (dotenv, shell, github-env, k8s-secret) name values by the rule in
`flatten`; json and yaml keep the nesting and the types.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shlex
import stat
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sealer.deploy import flatten
from sealer.deploy.flatten import Variable
from sealer.deploy.source import Source
from sealer.errors import Exit, FileError, FormatError, SealerError
from sealer.values import GoTime, Raw

FORMATS = ("dotenv", "json", "yaml", "shell", "k8s-secret", "github-env")

_LABEL = r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)"
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_LABEL_NAME = re.compile(_LABEL + r"\Z")
_LABEL_VALUE = re.compile(f"({_LABEL})?" + r"\Z")


class OptionError(SealerError):
    exit_code = Exit.USAGE


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def dotenv(variables: Sequence[Variable]) -> str:
    """`NAME=VALUE` lines as sops' dotenv store reads them: no quoting, newlines as `\\n`."""
    lines = []
    for v in variables:
        value = _text(v.value).replace("\n", "\\n")
        lines.append(f"{v.name}={value}\n")
    return "".join(lines)


def shell(variables: Sequence[Variable]) -> str:
    """`export NAME='VALUE'` lines for `eval` in sh, bash or zsh."""
    return "".join(f"export {v.name}={shlex.quote(_text(v.value))}\n" for v in variables)


def _mask_data(text: str) -> str:
    # a workflow command's data: %, CR and LF are escaped (the runner unescapes them)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_masks(variables: Sequence[Variable]) -> str:
    """`::add-mask::` commands: every value, each line of a multi-line value on its own."""
    lines: list[str] = []
    for v in variables:
        text = _text(v.value)
        parts = [text, *text.splitlines()] if "\n" in text or "\r" in text else [text]
        for part in dict.fromkeys(p for p in parts if p.strip()):
            lines.append(f"::add-mask::{_mask_data(part)}\n")
    return "".join(lines)


def github_env(variables: Sequence[Variable]) -> str:
    """Blocks for the `$GITHUB_ENV` file, in its multi-line form so any value fits."""
    out: list[str] = []
    for v in variables:
        text = _text(v.value)
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        out.append(f"{v.name}<<{delimiter}\n{text}\n{delimiter}\n")
    return "".join(out)


def plain(value: Any, where: str = "", times: bool = False) -> Any:
    """Data for JSON (timestamps as text) or YAML (`times`: kept); non-UTF-8 bytes refused."""
    if isinstance(value, dict):
        return {k: plain(v, f"{where}[{json.dumps(k)}]", times) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, f"{where}[{i}]", times) for i, v in enumerate(value)]
    if isinstance(value, GoTime):
        return value if times else value.text
    if isinstance(value, Raw):
        try:
            return value.data.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(
                f"{where}: the value is not UTF-8 text, which JSON and YAML cannot hold",
                hint="export it as k8s-secret, or pass the file whole with `sealer exec --file`",
            ) from None
    return value


def to_json(data: Any) -> str:
    return json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n"


def to_yaml(data: Any) -> str:
    return _dump_yaml(plain(data, times=True))


def _dump_yaml(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.representer.add_representer(
        GoTime, lambda r, t: r.represent_scalar("tag:yaml.org,2002:timestamp", t.text)
    )
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@dataclass(frozen=True)
class SecretSpec:
    """What `--format k8s-secret` names the Secret and how it labels it."""

    name: str
    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    type: str = "Opaque"

    def check(self) -> None:
        if len(self.name) > 253 or not _DNS_SUBDOMAIN.match(self.name):
            raise OptionError(
                f"--name {self.name!r} is not a valid Secret name",
                hint="lower-case letters, digits, - and ., starting and ending alphanumeric",
            )
        if self.namespace is not None and not _DNS_LABEL.match(self.namespace):
            raise OptionError(
                f"--namespace {self.namespace!r} is not a valid namespace",
                hint="at most 63 lower-case letters, digits and -, alphanumeric at both ends",
            )
        for key, value in self.labels.items():
            _check_label(key, value)


def _check_label(key: str, value: str) -> None:
    prefix, _, name = key.rpartition("/")
    bad_prefix = bool(prefix) and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix))
    if bad_prefix or not _LABEL_NAME.match(name) or key.startswith("/"):
        raise OptionError(
            f"--label {key!r}: not a valid label key",
            hint="[prefix/]name: name at most 63 letters, digits, -, _ and ., alphanumeric ends",
        )
    if not _LABEL_VALUE.match(value):
        raise OptionError(
            f"--label {key}: {value!r} is not a valid label value",
            hint="at most 63 letters, digits, -, _ and ., alphanumeric ends (or empty)",
        )


def parse_labels(items: Sequence[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise OptionError(f"--label {item!r}: write it as KEY=VALUE")
        labels[key] = value
    return labels


def k8s_secret(items: dict[str, bytes], spec: SecretSpec) -> str:
    """A v1 Secret manifest with every value base64-encoded under `data`."""
    spec.check()
    meta: dict[str, Any] = {"name": spec.name}
    if spec.namespace:
        meta["namespace"] = spec.namespace
    if spec.labels:
        meta["labels"] = dict(spec.labels)
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta,
        "type": spec.type,
        "data": {k: base64.b64encode(v).decode("ascii") for k, v in items.items()},
    }
    return _dump_yaml(manifest)


def is_sealed_secret(path: str) -> bool:
    """Whether `path` reads, without a key, as one Kubernetes Secret (kind and apiVersion clear)."""
    from sealer import document, fileio, formats, k8s

    name = formats.name_for_path(path)
    if name not in ("yaml", "json"):
        return False
    try:
        parsed = document.parse(formats.get(name), fileio.read(path), path)
    except SealerError:
        return False  # opening it reports the problem
    return len(parsed.docs) == 1 and k8s.is_secret(parsed.docs)


def secret_from_secret(secret: dict[str, Any], spec: SecretSpec | None) -> str:
    """A sealed Secret as the Secret it is: `stringData` base64-encoded into `data`.

    The file's name, namespace, labels and type are kept; `--name`, `--namespace`
    and `--label` override them, `--type` when it is not the default.
    """
    meta = dict(secret.get("metadata") or {})
    if spec is not None:
        spec.check()
        meta["name"] = spec.name
        if spec.namespace:
            meta["namespace"] = spec.namespace
        if spec.labels:
            meta["labels"] = {**(meta.get("labels") or {}), **spec.labels}
    if not meta.get("name"):
        raise OptionError("the Secret in the file has no metadata.name; pass --name")
    data: dict[str, str] = {}
    for k, v in (secret.get("data") or {}).items():
        data[str(k)] = str(v).replace("\r", "").replace("\n", "") if v is not None else ""
    for k, v in (secret.get("stringData") or {}).items():  # as the API server merges them
        text = plain(v if not isinstance(v, bool) else str(v).lower(), f"stringData.{k}")
        data[str(k)] = base64.b64encode(str(text).encode()).decode("ascii")
    manifest: dict[str, Any] = {k: v for k, v in secret.items() if k not in ("data", "stringData")}
    manifest["metadata"] = meta
    if spec is not None and spec.type != "Opaque":
        manifest["type"] = spec.type
    manifest.setdefault("type", "Opaque")
    manifest["data"] = data
    return _dump_yaml(plain(manifest, times=True))


def render(source: Source, fmt: str, spec: SecretSpec | None = None, key: str | None = None) -> str:
    """The text `sealer export` prints for `fmt` (all but github-env)."""
    if fmt in ("json", "yaml"):
        data = source.data()
        return to_json(data) if fmt == "json" else to_yaml(data)
    if fmt == "k8s-secret" and key is None and source.fmt.name in ("yaml", "json"):
        from sealer import k8s

        parsed = source.fmt.parse(source.plaintext)
        if len(parsed.docs) == 1 and k8s.is_secret(parsed.docs):
            return secret_from_secret(source.data(), spec)
    if fmt == "k8s-secret":
        if spec is None:
            raise OptionError("k8s-secret needs --name (the file is not a Kubernetes Secret)")
        if key is not None:
            flatten.check_name(key, flatten.K8S, "--key ")
            return k8s_secret({key: source.content}, spec)
        flat = flatten.flatten(
            source.data(), flatten.K8S, fmt_name=source.fmt.name, file=source.path
        )
        return k8s_secret({v.name: v.value for v in flat}, spec)
    flat = env_variables(source)
    return dotenv(flat) if fmt == "dotenv" else shell(flat)


def env_variables(source: Source) -> list[Variable]:
    return flatten.flatten(source.data(), fmt_name=source.fmt.name, file=source.path)


def append_github_env(variables: Sequence[Variable], target: str) -> None:
    """Add the variables to a `$GITHUB_ENV` file (appended, as the runner expects).

    The runner reads the file back as the same user, so it is made 0600 first
    (what earlier steps wrote stays, now readable only by its owner); a file
    that cannot be made private gets no plaintext.
    """
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        raise FileError(f"{target}: cannot append: {e.strerror}") from None
    with os.fdopen(fd, "ab") as f:
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
                os.fchmod(fd, 0o600)
        except OSError as e:
            raise FileError(
                f"{target}: others can read it and it cannot be made private ({e.strerror}); "
                "nothing was written",
                hint="write to a file of your own with -o FILE",
            ) from None
        try:
            f.write(github_env(variables).encode("utf-8", "surrogateescape"))
            f.flush()
        except OSError as e:
            raise FileError(f"{target}: cannot append: {e.strerror}") from None
