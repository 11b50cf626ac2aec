"""The SOPS envelope over a document tree: which leaves to seal, their AAD, the MAC.

A port of sops' `walkBranch`/`walkSlice` and `Tree.Encrypt`/`Tree.Decrypt`:
leaves are visited depth-first in document order; a leaf's additional data is
its mapping keys joined by `:` plus a trailing `:` (list indices are left out);
the MAC is SHA-512 over every leaf's SOPS bytes (or only the encrypted ones with
`mac_only_encrypted`), upper-case hex, itself sealed with `lastmodified` as AAD.

Sealing reuses, from a `Stash`, the exact ciphertext of every value whose
(AAD, type, bytes) did not change, so unchanged plaintext seals to unchanged
bytes (DESIGN decision 2). Nothing here touches file text: results are
(node, replacement) pairs that a format renders and splices.
"""

import re
from collections.abc import Callable
from typing import Any

from sealer import enc, primitives
from sealer.errors import FormatError, IntegrityError
from sealer.primitives import AuthenticationFailed
from sealer.records import Record
from sealer.selection import Selection
from sealer.tree import CommentNode, Mapping, Node, Scalar, Sequence
from sealer.values import Comment, Value, WideInt, from_bytes, mac_aad, to_bytes

# sha256("sops"): fed first when the MAC covers only encrypted values.
MAC_ONLY_ENCRYPTED_INIT = bytes.fromhex(
    "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69"
)

UserPath = tuple[str | int, ...]
# What is left of a sealed comment whose first bytes were damaged.
_LOOKS_SEALED = r"AES256_GCM|,iv:|,tag:|type:comment\]"  # compiled on first use
Leaf = Scalar | CommentNode
Visit = Callable[[Leaf, tuple[str, ...], UserPath, bool], None]


def show_path(path: UserPath) -> str:
    """`db.hosts[0].password`-style path for messages (keys only, never values)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


class _Walker:
    def __init__(self, selection: Selection, visit: Visit):
        self.sel = selection
        self.visit = visit
        self.by_comments = selection.uses_comments
        rule = selection.rule
        self.root_flag = rule.startswith("unencrypted")
        # _flag(parent's flag, key): whether the value under `key` is sealed (the
        # comment rules decide per leaf instead). One closure per rule: it runs per key.
        self._flag: Callable[[bool, str], bool]
        if self.by_comments:
            self._flag = lambda flag, key: flag
        elif rule.endswith("suffix"):
            suffix = selection.value
            if self.root_flag:
                self._flag = lambda flag, key: flag and not key.endswith(suffix)
            else:
                self._flag = lambda flag, key: flag or key.endswith(suffix)
        else:
            search = selection.pattern.search
            if self.root_flag:
                self._flag = lambda flag, key: flag and not search(key)
            else:
                self._flag = lambda flag, key: flag or search(key)

    def _leaf(
        self, node: Leaf, path: tuple[str, ...], upath: UserPath, flag: bool, stack: list[list[str]]
    ) -> None:
        is_comment = isinstance(node, CommentNode)
        if self.by_comments:
            flag = self.sel.encrypts(path, stack, is_comment)
        self.visit(node, path, upath, flag)

    def walk(self, docs: list[Mapping]) -> None:
        for doc in docs:
            self.mapping(doc, (), (), self.root_flag, [])

    def mapping(
        self, m: Mapping, path: tuple[str, ...], upath: UserPath, flag: bool, stack: list[list[str]]
    ) -> None:
        stack = [*stack, []]
        plain_leaves = not self.by_comments
        flag_of, visit = self._flag, self.visit
        for key, value in m.items:
            if isinstance(key, CommentNode):
                stack[-1].append(key.text)
                self._leaf(key, path, upath, flag, stack)
                continue
            if plain_leaves and type(value) is Scalar:  # the common case, without value/_leaf
                if value.value is not None:
                    visit(value, (*path, key), (*upath, key), flag_of(flag, key))
            else:
                self.value(value, (*path, key), (*upath, key), flag_of(flag, key), stack)
            if stack[-1]:
                stack[-1] = []

    def sequence(
        self,
        s: Sequence,
        path: tuple[str, ...],
        upath: UserPath,
        flag: bool,
        stack: list[list[str]],
    ) -> None:
        stack = [*stack, []]
        index = 0
        for item in s.items:
            if isinstance(item, CommentNode):
                stack[-1].append(item.text)
                self._leaf(item, path, upath, flag, stack)
                continue
            self.value(item, path, (*upath, index), flag, stack)
            index += 1
            stack[-1] = []

    def value(
        self,
        node: Node | None,
        path: tuple[str, ...],
        upath: UserPath,
        flag: bool,
        stack: list[list[str]],
    ) -> None:
        if isinstance(node, Scalar):
            if node.value is not None:
                self._leaf(node, path, upath, flag, stack)
        elif isinstance(node, Mapping):
            self.mapping(node, path, upath, flag, stack)
        elif isinstance(node, Sequence):
            self.sequence(node, path, upath, flag, stack)
        elif isinstance(node, CommentNode):
            self._leaf(node, path, upath, flag, stack)


def walk(docs: list[Mapping], selection: Selection, visit: Visit) -> None:
    """Visit every leaf in sops' order with whether `selection` encrypts it (no key needed)."""
    _Walker(selection, visit).walk(docs)


def require_sealed(docs: list[Mapping], selection: Selection, file: str, hint: str) -> None:
    """Refuse a sealed file in which a leaf the selection seals is not an ENC[...] value.

    Needs no key. A hand-typed comment where sops would seal one counts too: it
    would reach git in plaintext (opening the file only warns about it, as sops
    keeps such comments). An empty string is never sealed, so it passes.
    """
    values: list[str] = []
    comments: list[str] = []

    def well_formed(text: str) -> bool:
        try:
            enc.parse(text)
        except enc.BadValue:
            return False
        return True

    def visit(node: Leaf, _p: tuple[str, ...], upath: UserPath, flag: bool) -> None:
        if not flag:
            return
        if isinstance(node, CommentNode):
            if not well_formed(node.text):
                comments.append(f"{show_path(upath)} (a comment)")
        elif node.value != "" and not (isinstance(node.value, str) and well_formed(node.value)):
            values.append(show_path(upath))

    _Walker(selection, visit).walk(docs)
    if len(values) == 1 and not comments:
        raise FormatError(
            f"{values[0]}: value should be sealed but is not an ENC[...] value",
            hint=hint,
            file=file,
        )
    if values or comments:
        raise FormatError(
            "these should be sealed but are not ENC[...] values: " + ", ".join(values + comments),
            hint=hint,
            file=file,
        )


def aad_of(path: tuple[str, ...]) -> str:
    return ":".join(path) + ":"


class Stash:
    """Ciphertexts of a previous version, by (AAD, type, bytes), under one data key.

    Sealing reads it without changing it (equal values take its entries in
    order), so one opened file can be sealed against more than once.
    """

    __slots__ = ("entries", "key")

    def __init__(
        self, key: bytes, entries: dict[tuple[str, str, bytes], list[str]] | None = None
    ) -> None:
        self.key = key
        self.entries = entries if entries is not None else {}

    def put(self, aad: str, tag: str, data: bytes, sealed: str) -> None:
        self.entries.setdefault((aad, tag, data), []).append(sealed)


class SealResult(Record):
    replacements: list[tuple[Leaf, str]]  # node -> ENC[...] text (or "" for empty)
    mac_hex: str
    reused: int = 0  # values whose old ciphertext was kept


def seal_tree(
    docs: list[Mapping],
    key: bytes,
    selection: Selection,
    mac_only_encrypted: bool = False,
    stash: Stash | None = None,
) -> SealResult:
    """Seal every leaf the selection rule covers; compute the plaintext MAC."""
    h = primitives.Sha512()
    if mac_only_encrypted:
        h.update(MAC_ONLY_ENCRYPTED_INIT)
    out: list[tuple[Leaf, str]] = []
    reused = 0
    taken: dict[tuple[str, str, bytes], int] = {}
    cipher = enc.Cipher(key)
    if stash is not None and stash.key != key:
        stash = None

    def visit(node: Leaf, path: tuple[str, ...], upath: UserPath, flag: bool) -> None:
        nonlocal reused
        if isinstance(node, CommentNode):
            value: Value = Comment(node.text)
            hashed = False  # comments are never in the MAC
        else:
            value = node.value
            if flag and (node.span is None or node.aliased):  # an alias copy, or its anchor
                raise _alias_error(upath)
            hashed = flag or not mac_only_encrypted
        if type(value) is str:  # to_bytes, inline for the common case
            tag, data = "str", value.encode("utf-8", "surrogateescape")
        else:
            if flag and isinstance(value, WideInt):
                raise FormatError(
                    f"{show_path(upath)}: the integer does not fit in 64 bits; sealed, it "
                    "would come back as a rounded float",
                    hint="quote it so it is sealed as a string",
                )
            tag, data = to_bytes(value)
        if hashed:
            h.update(data)
        if not flag:
            return
        aad = ":".join(path) + ":"  # aad_of, inline
        sealed = None
        if stash is not None:
            old = stash.entries.get((aad, tag, data))
            n = taken.get((aad, tag, data), 0)
            if old is not None and n < len(old):
                sealed = old[n]
                taken[(aad, tag, data)] = n + 1
        if sealed is None:
            sealed = cipher.seal(tag, data, aad)
        else:
            reused += 1
        out.append((node, sealed))

    _Walker(selection, visit).walk(docs)
    return SealResult(out, h.hexdigest().upper(), reused)


def _alias_error(upath: UserPath) -> FormatError:
    return FormatError(
        f"{show_path(upath)}: an alias refers to a value that must be encrypted",
        hint="sops expands aliases and could not decrypt such a copy; keep anchored "
        "values out of the encrypted keys (e.g. with encrypted_regex) or write them out",
    )


class OpenResult(Record):
    replacements: list[tuple[Leaf, Value]]  # node -> plaintext value
    mac_hex: str
    stash: Stash
    warnings: list[str]


def open_tree(
    docs: list[Mapping],
    key: bytes,
    selection: Selection,
    mac_only_encrypted: bool = False,
    remember: bool = True,
    damaged: list[str] | None = None,
) -> OpenResult:
    """Decrypt every sealed leaf; compute the MAC over the plaintext.

    `remember` keeps every ciphertext in the result's Stash, for sealing the
    file again; reading it only (decrypt, exec) skips that. `damaged` is for
    recovery (`decrypt --ignore-mac`): a value or comment that fails
    authentication stays sealed as it is and its path is added there, instead
    of failing the whole file (each value has its own GCM tag).
    """
    h = primitives.Sha512()
    if mac_only_encrypted:
        h.update(MAC_ONLY_ENCRYPTED_INIT)
    out: list[tuple[Leaf, Value]] = []
    stash = Stash(key)
    cipher = enc.Cipher(key)
    warnings: list[str] = []
    unopened: list[tuple[CommentNode, UserPath]] = []

    def opened_comment(node: CommentNode, text: str, used: tuple[str, ...]) -> None:
        out.append((node, Comment(text)))
        if remember:
            stash.put(aad_of(used), "comment", to_bytes(Comment(text))[1], node.text)

    def visit(node: Leaf, path: tuple[str, ...], upath: UserPath, flag: bool) -> None:
        if isinstance(node, CommentNode):
            if not flag:
                return
            if not node.text.startswith(enc.PREFIX) and not re.search(_LOOKS_SEALED, node.text):
                # a comment typed into a sealed file by hand: sops keeps it too
                warnings.append(f"{show_path(upath)}: a comment is not sealed; kept as it is")
                return
            found = _open_comment(node.text, cipher, path)
            if found is None:
                unopened.append((node, upath))
            else:
                opened_comment(node, *found)
            return
        value: Any = node.value
        if flag:
            if not isinstance(value, str):
                raise FormatError(
                    f"{show_path(upath)}: value should be sealed but is a plain "
                    f"{type(value).__name__}",
                    hint="the file was changed by hand; restore it, or seal it again",
                )
            if value != "":
                aad = ":".join(path) + ":"  # aad_of, inline: this runs once per value
                try:
                    tag, data = cipher.open(value, aad)
                    if tag == "str":  # from_bytes, inline for the common case
                        try:
                            plain: Value = data.decode("utf-8")
                        except UnicodeDecodeError:
                            plain = from_bytes(tag, data)
                    else:
                        plain = from_bytes(tag, data)
                        if tag == "comment" and not (upath and isinstance(upath[-1], int)):
                            raise ValueError("a comment in a value's place")
                except enc.BadValue:
                    if value.startswith(enc.PREFIX):
                        if damaged is not None:
                            damaged.append(show_path(upath))
                            return
                        raise _damaged(upath) from None
                    raise FormatError(
                        f"{show_path(upath)}: value should be sealed but is not an ENC[...] value",
                        hint="the file was changed by hand; restore it, or seal it again",
                    ) from None
                except (AuthenticationFailed, ValueError, KeyError, UnicodeDecodeError):
                    if damaged is not None:
                        damaged.append(show_path(upath))
                        return
                    raise _damaged(upath) from None
                if remember:
                    stash.put(aad, tag, data, value)
                out.append((node, plain))
                if tag == "str":  # the common case: the bytes sealed are the bytes hashed
                    h.update(data)
                elif tag != "comment":  # sops hashes the value re-serialised ("true" → True)
                    h.update(to_bytes(plain)[1])
                return  # sops writes comments in lists as sealed elements; never hashed
        if flag or not mac_only_encrypted:
            h.update(to_bytes(value)[1])

    walker = _Walker(selection, visit)
    walker.walk(docs)
    if unopened:
        paths: set[tuple[str, ...]] = {()}
        _Walker(selection, lambda n, p, u, f: paths.add(p)).walk(docs)
    for node, upath in unopened:
        # go-yaml may file a comment under another mapping than sealer would
        found = next((f for p in paths if (f := _open_comment(node.text, cipher, p))), None)
        if found is None and damaged is not None:
            damaged.append(f"{show_path(upath)} (a comment)")
            continue
        if found is None:
            raise IntegrityError(
                f"{show_path(upath)}: a sealed comment failed authentication",
                hint="the file was tampered with or damaged; restore it from git",
            )
        opened_comment(node, *found)
    return OpenResult(out, h.hexdigest().upper(), stash, warnings)


def _damaged(upath: UserPath) -> IntegrityError:
    return IntegrityError(
        f"{show_path(upath)}: a sealed value failed authentication",
        hint="the file was tampered with or damaged; restore it from git",
    )


def _open_comment(
    text: str, cipher: enc.Cipher, path: tuple[str, ...]
) -> tuple[str, tuple[str, ...]] | None:
    """A sealed comment's text and the path whose AAD opened it, or None.

    Where a comment belongs is a matter of layout (go-yaml and sealer may place
    a comment between two levels differently), so every enclosing path is tried.
    """
    for i in range(len(path), -1, -1):
        try:
            tag, data = cipher.open(text, aad_of(path[:i]))
        except (enc.BadValue, AuthenticationFailed):
            continue
        if tag == "comment":
            return data.decode("utf-8", "surrogateescape"), path[:i]
    return None


def seal_mac(mac_hex: str, key: bytes, lastmodified: str) -> str:
    return enc.encrypt(mac_hex, key, mac_aad(lastmodified))


def check_mac(sealed_mac: str, mac_hex: str, key: bytes, lastmodified: str) -> None:
    """Raise IntegrityError unless the stored MAC opens and equals `mac_hex`."""
    if not sealed_mac:
        raise IntegrityError(
            "the file has no MAC", hint="--ignore-mac opens it anyway, for recovery"
        )
    try:
        stored = enc.decrypt(sealed_mac, key, mac_aad(lastmodified))
    except (enc.BadValue, AuthenticationFailed, ValueError):
        stored = None
    if stored != mac_hex:
        raise IntegrityError(
            "MAC mismatch: the values do not match the file's MAC",
            hint="the file was tampered with or damaged; restore it from git, "
            "or use --ignore-mac to recover what opens",
        )
