"""Seal and open whole files: format + envelope + metadata, with stable bytes.

`open_text` decrypts a sealed file and remembers what re-sealing needs (data
key, metadata, every old ciphertext). `seal_text` seals plaintext, either for
new recipients or against an opened previous version, in which case every
unchanged value keeps its ciphertext and an unchanged file keeps its
`lastmodified` and `mac` (DESIGN decision 2).
"""

from collections.abc import Sequence

from sealer import datakey, envelope, k8s, metadata
from sealer.errors import AlreadySealedError, FormatError, SealerError
from sealer.formats import Format, Parsed, leaf_edits, splice
from sealer.log import debug
from sealer.metadata import Metadata, Stanza
from sealer.recipients import Recipient
from sealer.records import Record
from sealer.selection import Selection
from sealer.values import rfc3339_now


class Opened(Record):
    """A decrypted file and what re-sealing it needs."""

    plaintext: str
    meta: Metadata
    key: bytes
    stash: envelope.Stash
    mac_hex: str
    warnings: list[str] = []  # noqa: RUF012 - never mutated
    unopened: list[str] = []  # noqa: RUF012 - recovery: paths of values left sealed


class Policy(Record):
    """What a new file is sealed for and how (from rules or the command line)."""

    groups: tuple[tuple[Recipient, ...], ...]
    selection: Selection = Selection()
    shamir_threshold: int = 0
    mac_only_encrypted: bool = False
    selection_chosen: bool = False  # by a rule or the command line (else defaults may apply)


def parse(fmt: Format, text: str, file: str | None = None) -> Parsed:
    try:
        return fmt.parse(text)
    except SealerError as e:
        if file:
            e.with_file(file)
        raise


def is_sealed(fmt: Format, text: str) -> bool:
    return parse(fmt, text).metadata is not None


def read_metadata(fmt: Format, text: str, file: str | None = None) -> tuple[Parsed, Metadata]:
    parsed = parse(fmt, text, file)
    if parsed.metadata is None:
        raise FormatError(
            "the file is not sealed (it has no sops metadata)",
            hint="seal it with `sealer encrypt -i`",
            file=file,
        )
    try:
        return parsed, metadata.from_dict(parsed.metadata)
    except SealerError as e:
        if file:
            e.with_file(file)
        raise


def open_text(
    fmt: Format,
    text: str,
    keyring: datakey.Keyring,
    *,
    file: str | None = None,
    ignore_mac: bool = False,
    remember: bool = True,
    recover: bool = False,
) -> Opened:
    """Open a sealed file; `remember=False` when it will not be sealed again (no stash).

    `recover` (decrypt --ignore-mac): the MAC is not checked and values that fail
    authentication stay sealed, listed in `unopened`; such a result is for reading
    only, never for sealing again.
    """
    parsed, meta = read_metadata(fmt, text, file)
    key = keyring.unwrap(meta, file=file)
    return open_parsed(
        fmt, parsed, meta, key, file=file, ignore_mac=ignore_mac or recover,
        remember=remember and not recover, recover=recover,
    )  # fmt: skip


def open_parsed(
    fmt: Format,
    parsed: Parsed,
    meta: Metadata,
    key: bytes,
    *,
    file: str | None = None,
    ignore_mac: bool = False,
    remember: bool = True,
    recover: bool = False,
) -> Opened:
    unopened: list[str] | None = [] if recover else None
    try:
        result = envelope.open_tree(
            parsed.docs, key, meta.selection, meta.mac_only_encrypted, remember, unopened
        )
        if not ignore_mac:
            envelope.check_mac(meta.mac, result.mac_hex, key, meta.lastmodified)
        edits = leaf_edits(fmt.render_plain(n, v) for n, v in result.replacements)
        edits += fmt.metadata_edits(parsed, None)
    except SealerError as e:
        if file:
            e.with_file(file)
        raise
    plaintext = splice(parsed.text, edits)
    debug(
        f"{file or 'input'}: {fmt.name}, {len(result.replacements)} sealed values opened, "
        + ("MAC not checked (--ignore-mac)" if ignore_mac else "MAC ok")
    )
    return Opened(
        plaintext, meta, key, result.stash, result.mac_hex, result.warnings, unopened or []
    )


def seal_text(
    fmt: Format,
    plaintext: str,
    *,
    policy: Policy | None = None,
    previous: Opened | None = None,
    file: str | None = None,
    key: bytes | None = None,
) -> str:
    """Seal `plaintext` for `policy`, or against `previous` (same key and recipients).

    `key` is the new data key for `policy` (default: a fresh one).
    """
    try:
        parsed = fmt.parse(plaintext)
        if parsed.metadata is not None:
            raise AlreadySealedError(
                "the input is already sealed", hint="decrypt it first, or use `sealer edit`"
            )
        k8s.check_data(parsed.docs)
        if previous is not None:
            return _reseal(fmt, parsed, previous)
        assert policy is not None
        return _seal_new(fmt, parsed, policy, key)
    except SealerError as e:
        if file:
            e.with_file(file)
        raise


def _seal_new(fmt: Format, parsed: Parsed, policy: Policy, key: bytes | None = None) -> str:
    policy = policy._replace(selection=k8s.selection_for(policy, parsed.docs))
    key = key or datakey.new_data_key()
    groups = datakey.wrap(key, policy.groups, policy.shamir_threshold)
    result = envelope.seal_tree(
        parsed.docs, key, policy.selection, policy.mac_only_encrypted, stash=None
    )
    lastmodified = rfc3339_now()
    meta = Metadata(
        groups=groups,
        lastmodified=lastmodified,
        mac=envelope.seal_mac(result.mac_hex, key, lastmodified),
        selection=policy.selection,
        shamir_threshold=policy.shamir_threshold if len(groups) > 1 else 0,
        mac_only_encrypted=policy.mac_only_encrypted,
    )
    return _emit(fmt, parsed, result, meta, key)


def _reseal(fmt: Format, parsed: Parsed, previous: Opened) -> str:
    meta = previous.meta
    result = envelope.seal_tree(
        parsed.docs, previous.key, meta.selection, meta.mac_only_encrypted, previous.stash
    )
    if result.mac_hex != previous.mac_hex:
        lastmodified = rfc3339_now()
        meta = meta.with_(
            lastmodified=lastmodified,
            mac=envelope.seal_mac(result.mac_hex, previous.key, lastmodified),
            version=metadata.WRITE_VERSION,
        )
    return _emit(fmt, parsed, result, meta, previous.key)


def _emit(
    fmt: Format, parsed: Parsed, result: envelope.SealResult, meta: Metadata, key: bytes
) -> str:
    debug(
        f"{fmt.name}: {len(result.replacements)} values sealed, {result.reused} kept their "
        f"ciphertext, for {sum(len(g) for g in meta.groups)} recipients"
    )
    edits = leaf_edits(fmt.render_sealed(n, s) for n, s in result.replacements if s != "")
    meta_edits = fmt.metadata_edits(parsed, metadata.to_dict(meta))
    if not any(start == end and text for start, end, text in meta_edits):
        # fail closed: output without metadata would be plaintext passing as sealed
        raise FormatError("the file has nothing that could hold the sops metadata")
    sealed = splice(parsed.text, edits + meta_edits)
    from sealer import selfcheck  # never writes what it cannot open (FORMAT.md "Self-check")

    return selfcheck.verify(fmt, parsed, sealed, key)


def rekeyed(opened: Opened, groups: Sequence[Sequence[Recipient]], threshold: int) -> Opened:
    """The same file and data key, wrapped for other recipients (updatekeys)."""
    stanzas: tuple[tuple[Stanza, ...], ...] = datakey.wrap(opened.key, groups, threshold)
    meta = opened.meta.with_(groups=stanzas, shamir_threshold=threshold if len(stanzas) > 1 else 0)
    return Opened(opened.plaintext, meta, opened.key, opened.stash, opened.mac_hex)
