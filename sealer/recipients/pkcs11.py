"""PKCS#11 token keys (`python-pkcs11`, the `pkcs11` extra): HSMs, smart cards, YubiKeys.

A recipient is an RFC 7512 URI, `pkcs11:token=…;object=…`. The module is the
user's (`$SEALER_PKCS11_MODULE` or `$XDG_CONFIG_HOME/sealer/pkcs11-module`), never
a URI's `module-path`: a URI comes from a sealed file or a rules file, and loading a
module runs its code. The data key is wrapped by a key
that stays on the token, chosen by what the URI names:

* an RSA key pair: RSA-OAEP (SHA-1, MGF1-SHA-1) encryption with the public key
  (no PIN needed to seal); opened with `C_UnwrapKey` by the private key;
* an AES key: a fresh 32-byte key K is wrapped on the token with AES key wrap
  (RFC 3394) and K seals the data key with AES-256-GCM; opening unwraps K.

The stanza `{uri, mechanism, created_at, enc}` lives in the `pkcs11` list,
which sops ignores (FORMAT.md). Opening unwraps into a session object (never a
token object) whose value is read and which is destroyed at once. The PIN
comes from `$SEALER_PKCS11_PIN`, `$SEALER_PKCS11_PIN_SOURCE` or the terminal;
a URI's `pin-value`/`pin-source` is refused in a recipient and ignored in a stanza
(a file must not spend the user's PIN tries nor name a file to read).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, unquote_to_bytes

from sealer import primitives
from sealer.errors import ConfigError, NotMine, SealerError
from sealer.metadata import Stanza
from sealer.recipients import HARDWARE, ask_terminal, shown, split_list
from sealer.values import rfc3339_now

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sealer.recipients import Recipient

NAME = "pkcs11"
STANZA_TYPES = ("pkcs11",)
KIND = HARDWARE
RSA_OAEP = "RSA-PKCS-OAEP"  # SHA-1 / MGF1-SHA-1, the mechanism's defaults
AES_WRAP = "AES-KEY-WRAP+AES-GCM"
_AAD = b"sealer pkcs11 aes-key-wrap+aes-gcm v1"
_TOKEN_ATTRS = ("token", "serial", "manufacturer", "model")
_PATH_ATTRS = (*_TOKEN_ATTRS, "object", "id", "type")


# --- RFC 7512 URIs ------------------------------------------------------------


@dataclass(frozen=True)
class Uri:
    path: dict[str, bytes]  # token, serial, manufacturer, model, object, id, type
    query: dict[str, str] = field(default_factory=dict)  # never used to load or read

    def text(self, attr: str) -> str | None:
        value = self.path.get(attr)
        return value.decode("utf-8", "replace") if value is not None else None

    def stored(self) -> str:
        """The URI written to the file: the path attributes only (module and PIN are the
        machine's), so one token key is one recipient whatever the URI's query said."""
        path = ";".join(f"{k}={quote(v, safe='')}" for k, v in self.path.items())
        return f"pkcs11:{path}"

    def describe(self) -> str:
        """`token 'x', object 'y'`, for messages."""
        parts = [f"{k} {self.path[k]!r}"[:80] for k in _PATH_ATTRS if k in self.path]
        return ", ".join(p.replace("b'", "'") for p in parts)


def parse_uri(text: str) -> Uri:
    if not text.startswith("pkcs11:"):
        raise ConfigError(
            f"not a PKCS#11 URI: {shown(text.partition('?')[0])}",
            hint="write pkcs11:token=LABEL;object=KEY-LABEL",
        )
    path_text, _, query_text = text[len("pkcs11:") :].partition("?")
    path: dict[str, bytes] = {}
    for part in filter(None, path_text.split(";")):
        name, sep, value = part.partition("=")
        if not sep:
            raise ConfigError(f"PKCS#11 URI attribute without a value: {part[:40]}")
        path[name] = unquote_to_bytes(value)
    query = {}
    for part in filter(None, query_text.split("&")):
        name, _, value = part.partition("=")
        query[name] = unquote_to_bytes(value).decode("utf-8", "replace")
    uri = Uri(path, query)
    if not any(k in path for k in _TOKEN_ATTRS) or not ("object" in path or "id" in path):
        raise ConfigError(
            f"the PKCS#11 URI must name a token and a key: {shown(path_text)}",
            hint="e.g. pkcs11:token=prod;object=sealer-rsa",
        )
    return uri


# --- the token ------------------------------------------------------------------


def module_path(uri: Uri) -> str:
    """The user's module; the URI only names the token in messages."""
    from sealer.identities import pkcs11_module

    path = pkcs11_module()
    if not path:
        raise ConfigError(
            f"no PKCS#11 module for {uri.describe()}",
            hint="set SEALER_PKCS11_MODULE (or write the path to "
            "$XDG_CONFIG_HOME/sealer/pkcs11-module); a module-path in a URI is never loaded",
        )
    if not Path(path).is_file():
        raise ConfigError(f"PKCS#11 module {path} does not exist")
    return path


_libs: dict[str, Any] = {}


def _lib(path: str) -> Any:
    if path not in _libs:
        try:
            import pkcs11
        except ImportError:
            raise ConfigError(
                "PKCS#11 needs python-pkcs11", hint="pip install 'sealer[pkcs11]'"
            ) from None
        try:
            _libs[path] = pkcs11.lib(path)
        except Exception as e:  # pkcs11 raises many types when a module cannot load
            raise ConfigError(f"cannot load PKCS#11 module {path}: {e}") from None
    return _libs[path]


def find_token(uri: Uri) -> Any:
    """The token the URI names; a missing one is an error listing those present."""
    lib = _lib(module_path(uri))
    wanted = {k: uri.text(k) for k in _TOKEN_ATTRS if k in uri.path}
    present = []
    from pkcs11 import TokenFlag

    for slot in lib.get_slots(token_present=True):
        token = slot.get_token()
        if not token.flags & TokenFlag.TOKEN_INITIALIZED:
            continue
        have = {
            "token": token.label,
            "serial": token.serial.decode("ascii", "replace").strip()
            if isinstance(token.serial, bytes)
            else str(token.serial).strip(),
            "manufacturer": token.manufacturer_id,
            "model": token.model,
        }
        present.append(repr(token.label))
        if all(str(have[k]).strip() == v for k, v in wanted.items()):
            return token
    raise SealerError(
        f"PKCS#11 token not found: {uri.describe()}",
        hint=f"tokens present in {module_path(uri)}: {', '.join(present) or 'none'}",
    )


def _key_filter(uri: Uri) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "object" in uri.path:
        out["label"] = uri.text("object")
    if "id" in uri.path:
        out["id"] = uri.path["id"]
    return out


def _find_key(session: Any, uri: Uri, object_class: Any, key_type: Any = None) -> Any | None:
    from pkcs11 import Attribute

    attrs: dict[Any, Any] = {Attribute.CLASS: object_class}
    if key_type is not None:
        attrs[Attribute.KEY_TYPE] = key_type
    f = _key_filter(uri)
    if "label" in f:
        attrs[Attribute.LABEL] = f["label"]
    if "id" in f:
        attrs[Attribute.ID] = f["id"]
    found = list(session.get_objects(attrs))
    if len(found) > 1:
        raise SealerError(f"PKCS#11 URI is ambiguous: {len(found)} keys match {uri.describe()}")
    return found[0] if found else None


def _pin(token_label: str) -> str:
    """The user's PIN: the environment or the terminal, never a URI's query."""
    if os.environ.get("SEALER_PKCS11_PIN"):
        return os.environ["SEALER_PKCS11_PIN"]
    source = os.environ.get("SEALER_PKCS11_PIN_SOURCE")
    if source:
        path = source[len("file:") :] if source.startswith("file:") else source
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as e:
            raise ConfigError(f"cannot read the PIN of token {token_label!r}: {e}") from None
    return ask_terminal(
        f"PIN for PKCS#11 token {token_label!r}: ",
        SealerError(
            f"token {token_label!r} needs a PIN and there is no terminal to ask",
            hint="set SEALER_PKCS11_PIN or SEALER_PKCS11_PIN_SOURCE (a file holding the PIN)",
        ),
    )


class Sessions:
    """Open sessions per token, logged in at most once (a wrong PIN is not retried)."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, bool], Any] = {}
        self._refused: dict[str, SealerError] = {}

    def get(self, uri: Uri, *, login: bool) -> Any:
        import pkcs11.exceptions as px

        token = find_token(uri)
        tid = f"{module_path(uri)}|{token.label}|{token.serial!r}"
        if tid in self._refused:
            raise self._refused[tid]
        key = (module_path(uri), tid, login)
        if key not in self._open:
            try:
                pin = _pin(token.label) if login else None
                self._open[key] = token.open(user_pin=pin)
            except (px.PinIncorrect, px.PinInvalid, px.PinLenRange):
                self._refused[tid] = SealerError(
                    f"wrong PIN for PKCS#11 token {token.label!r}",
                    hint="not tried again in this run, so the token does not lock",
                )
                raise self._refused[tid] from None
            except px.PinLocked:
                raise SealerError(f"the PIN of PKCS#11 token {token.label!r} is locked") from None
            except px.PKCS11Error as e:
                raise SealerError(
                    f"cannot open PKCS#11 token {token.label!r}: {type(e).__name__}"
                ) from None
        return self._open[key]


_sessions = Sessions()


def _token_error(action: str, uri: Uri, e: Exception) -> SealerError:
    return SealerError(f"the token could not {action} with {uri.describe()}: {type(e).__name__}")


def _require(key: Any, attribute: str, uri: Uri, action: str) -> None:
    """python-pkcs11 leaves out the methods a key does not permit: say so plainly."""
    from pkcs11 import Attribute

    if not key[getattr(Attribute, attribute)]:
        raise SealerError(
            f"the key {uri.describe()} does not permit {action} (CKA_{attribute} is false)",
            hint=f"make the key with CKA_{attribute}=true, or use another key",
        )


# --- recipient and identity ------------------------------------------------------


@dataclass(frozen=True)
class Pkcs11Recipient:
    key_type: ClassVar[str] = "pkcs11"
    uri: Uri

    @property
    def id(self) -> str:
        return self.uri.stored()

    def wrap(self, file_key: bytes) -> Stanza:
        import pkcs11.exceptions as px
        from pkcs11 import KeyType, ObjectClass

        try:
            session = _sessions.get(self.uri, login=False)
            public = _find_key(session, self.uri, ObjectClass.PUBLIC_KEY)
            if public is None:  # a public key marked private, or an AES key: log in
                session = _sessions.get(self.uri, login=True)
                public = _find_key(session, self.uri, ObjectClass.PUBLIC_KEY)
            if public is not None:
                _require(public, "ENCRYPT", self.uri, "encryption")
                mechanism, blob = RSA_OAEP, _rsa_wrap(public, file_key)
            else:
                secret = _find_key(session, self.uri, ObjectClass.SECRET_KEY, KeyType.AES)
                if secret is None:
                    raise SealerError(
                        f"no RSA public key or AES key on the token matches {self.uri.describe()}"
                    )
                _require(secret, "WRAP", self.uri, "wrapping")
                mechanism, blob = AES_WRAP, _aes_wrap(session, secret, file_key)
        except px.PKCS11Error as e:
            raise _token_error("seal", self.uri, e) from None
        return Stanza(
            "pkcs11",
            {
                "created_at": rfc3339_now(),
                "enc": base64.b64encode(blob).decode("ascii"),
                "mechanism": mechanism,
                "uri": self.uri.stored(),
            },
        )


def _oaep() -> dict[str, Any]:
    from pkcs11 import MGF, Mechanism

    return {
        "mechanism": Mechanism.RSA_PKCS_OAEP,
        "mechanism_param": (Mechanism.SHA_1, MGF.SHA1, None),
    }


def _rsa_wrap(public: Any, file_key: bytes) -> bytes:
    out: bytes = public.encrypt(file_key, **_oaep())
    return out


def _aes_wrap(session: Any, secret: Any, file_key: bytes) -> bytes:
    from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

    k = primitives.random_bytes(primitives.KEY_SIZE)
    carrier = session.create_object(
        {
            Attribute.CLASS: ObjectClass.SECRET_KEY,
            Attribute.KEY_TYPE: KeyType.GENERIC_SECRET,
            Attribute.VALUE: k,
            Attribute.TOKEN: False,
            Attribute.EXTRACTABLE: True,
            Attribute.SENSITIVE: False,
        }
    )
    try:
        wrapped: bytes = secret.wrap_key(carrier, mechanism=Mechanism.AES_KEY_WRAP)
    finally:
        carrier.destroy()
    nonce = primitives.random_bytes(12)
    ct, tag = primitives.seal(k, nonce, file_key, _AAD)
    return wrapped + nonce + ct + tag


def _unwrap_secret(key: Any, blob: bytes, **mechanism: Any) -> bytes:
    """C_UnwrapKey into a session object, read its value, destroy it."""
    from pkcs11 import Attribute, KeyType, ObjectClass

    obj = key.unwrap_key(
        ObjectClass.SECRET_KEY,
        KeyType.GENERIC_SECRET,
        blob,
        template={Attribute.TOKEN: False, Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True},
        **mechanism,
    )
    try:
        value: bytes = obj[Attribute.VALUE]
    finally:
        obj.destroy()
    return value


class Pkcs11Identity:
    """Any token reachable through the user's module; a stanza only names token and key."""

    kind = HARDWARE

    def unwrap(self, stanza: Stanza) -> bytes:
        if stanza.type != "pkcs11":
            raise NotMine()
        mechanism = stanza.fields.get("mechanism")
        try:
            uri = parse_uri(str(stanza.fields.get("uri", "")))
            blob = base64.b64decode(stanza.enc, validate=True)
        except (ConfigError, ValueError):
            raise NotMine() from None
        if mechanism not in (RSA_OAEP, AES_WRAP):
            raise SealerError(f"unknown PKCS#11 mechanism {mechanism!r}")
        return _open(uri, str(mechanism), blob)


def _open(uri: Uri, mechanism: str, blob: bytes) -> bytes:
    import pkcs11.exceptions as px
    from pkcs11 import KeyType, Mechanism, ObjectClass

    session = _sessions.get(uri, login=True)
    if mechanism == RSA_OAEP:
        key = _find_key(session, uri, ObjectClass.PRIVATE_KEY, KeyType.RSA)
    else:
        key = _find_key(session, uri, ObjectClass.SECRET_KEY, KeyType.AES)
    if key is None:
        kind = "RSA private key" if mechanism == RSA_OAEP else "AES key"
        raise SealerError(f"no {kind} on the token matches {uri.describe()}")
    _require(key, "UNWRAP", uri, "unwrapping")
    try:
        if mechanism == RSA_OAEP:
            return _unwrap_secret(key, blob, **_oaep())
        wrapped, nonce, rest = blob[:40], blob[40:52], blob[52:]
        k = _unwrap_secret(key, wrapped, mechanism=Mechanism.AES_KEY_WRAP)
    except px.PKCS11Error as e:
        raise _token_error("unwrap", uri, e) from None
    try:
        return primitives.open_(k, nonce, rest[:-16], rest[-16:], _AAD)
    except primitives.AuthenticationFailed:
        raise SealerError(
            f"the data key sealed for {uri.describe()} fails authentication"
        ) from None


def parse_recipients(value: object) -> list[Recipient]:
    """URIs, comma-separated (a comma starts a new URI only before `pkcs11:`) or a list."""
    items: list[str] = []
    for item in split_list(value):
        if items and not item.startswith("pkcs11:"):
            items[-1] += "," + item
        else:
            items.append(item)
    return [Pkcs11Recipient(_recipient_uri(item)) for item in items]


def _recipient_uri(text: str) -> Uri:
    """A recipient URI (rules file or command line): a PIN in it is refused, not used."""
    uri = parse_uri(text)
    pins = sorted(k for k in uri.query if k.startswith("pin-"))
    if pins:
        raise ConfigError(
            f"{' and '.join(pins)} in a PKCS#11 URI is not used: {uri.describe()}",
            hint="remove it; the PIN comes from SEALER_PKCS11_PIN, "
            "SEALER_PKCS11_PIN_SOURCE (a file) or the terminal",
        )
    return uri


def recipient_of(stanza: Stanza) -> Recipient:
    return Pkcs11Recipient(parse_uri(str(stanza.fields.get("uri", ""))))


def stanza_id(stanza: Stanza) -> str:
    uri = str(stanza.fields.get("uri", "pkcs11"))
    return uri.partition("?")[0]


def load_identities() -> list[Pkcs11Identity]:
    return [Pkcs11Identity()]
