"""What clean and smudge do to one file; the process and per-file commands share it.

smudge: sealed -> plaintext. Without a key ("locked") the sealed bytes come
back unchanged and one warning per git command says so; a locked checkout
never fails. Content that is not sealed passes through. A blob whose values or
MAC fail authentication is an error: git then refuses to check it out.

clean: plaintext -> sealed, against the previous sealed version of the path
(index, else "ours" during a merge, else HEAD) so that every unchanged value
keeps its ciphertext and an unchanged file gives back the identical blob. That
version is committed content, so `policy.reseal` first compares it with the
rule for the path and trusts its data key only if this clone made it.
Clean is a function of its input and the repository only: git runs it zero or
more times, on content that need not be the working-tree file, so the file
named by the path is never opened. Sealed input passes through once every
value that should be sealed is. Clean never returns plaintext: a file it
cannot seal (no rule, no recipients, bad syntax, unresolved conflict markers)
is an error and `git add` fails. The path is not bound into the encryption,
so renames keep working.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from sealer import datakey, document, enc, envelope, fileio, formats, metadata, policy
from sealer.errors import FormatError, IntegrityError, NoKeyError, SealerError
from sealer.formats import Parsed
from sealer.gitfilter import conflict
from sealer.gitfilter.cleaned import Recorder
from sealer.gitfilter.digests import Digests
from sealer.gitfilter.repo import Repo
from sealer.metadata import Metadata

if TYPE_CHECKING:
    from sealer.document import Policy
    from sealer.formats import Format

Warn = Callable[[str], None]


warn_stderr = policy.warn_stderr


class CachingKeyring(datakey.Keyring):
    """A keyring that remembers each data key it opened, for the life of one process.

    Clean opens the previous version of a file that smudge or an earlier clean
    already opened; its stanzas are the same, so the unwrap is not repeated.
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[tuple[object, ...], bytes] = {}

    def unwrap(self, meta: Metadata, *, file: str | None = None) -> bytes:
        cache_key = (meta.shamir_threshold, *(s.enc for g in meta.groups for s in g))
        key = self._keys.get(cache_key)
        if key is None:
            key = super().unwrap(meta, file=file)
            self._keys[cache_key] = key
        return key


def lf(text: str, fmt: Format) -> tuple[str, bool]:
    """`text` with CRLF line ends made LF, and whether it used CRLF throughout.

    With core.autocrlf, smudge gets the blob after LF -> CRLF and clean gets
    the working-tree text before CRLF -> LF. Working on LF text and putting the
    CRLFs back makes the output consistent, so git's conversion gives back
    exactly the stored blob. A binary file is sealed byte for byte.
    """
    if fmt.name != "binary" and "\r\n" in text and text.count("\n") == text.count("\r\n"):
        return text.replace("\r\n", "\n"), True
    return text, False


def crlf(text: str, convert: bool) -> str:
    return text.replace("\n", "\r\n") if convert else text


def format_for(path: str) -> Format:
    return formats.get(formats.name_for_path(path))


class Filter:
    """clean and smudge for one git command: one keyring, one repository reader."""

    def __init__(self, repo: Repo | None = None, warn: Warn = warn_stderr):
        self.repo = repo or Repo()
        self.cleaned = Recorder(self.repo.cwd)  # what clean sealed itself (cleaned.py)
        self.keyring = CachingKeyring()
        self.warn = warn
        self.locked = 0
        self.last_locked: str | None = None
        self.previous_text = ""
        self.previous_oid = ""
        # keyed digests of what blobs opened to here: clean's cheap re-check (digests.py)
        self.digests = Digests.near(self.repo.cwd)
        self._found: tuple[str, tuple[str, str, bytes] | None] | None = None
        # (path, sha256 of what smudge wrote) -> the blob it came from. Within one
        # git command the index on disk can lag behind git's own (a rebase checks
        # out a commit, then merges, before writing it), so clean first asks
        # whether it is looking at its own smudge output.
        self.smudged: dict[tuple[str, bytes], bytes] = {}

    # -- smudge -----------------------------------------------------------------

    def smudge(self, path: str, data: bytes, blob: str | None = None) -> bytes:
        """The working-tree form of `data`; `blob` is its object id when git says it."""
        fmt = format_for(path)
        text, was_crlf = lf(fileio.decode(data), fmt)
        markers = conflict.find(text)
        if markers is not None:
            out = self._open_conflict(fmt, path, text, markers[1])
            return data if out is None else fileio.encode(crlf(out, was_crlf))
        try:
            parsed = document.parse(fmt, text, path)
        except FormatError as e:
            self.warn(f"{e}; checked out as stored")
            return data
        if parsed.metadata is None:
            return data  # not sealed (e.g. history from before sealing)
        verified = True
        try:
            opened = self._open(fmt, parsed, path)
        except IntegrityError as e:
            opened = self._staged_with_stale_mac(fmt, parsed, path, blob, e)
            verified = False
        if opened is None:
            return data
        for warning in opened.warnings:
            self.warn(f"{path}: {warning}")
        plain = fileio.encode(crlf(opened.plaintext, was_crlf))
        self.smudged[(path, hashlib.sha256(plain).digest())] = data
        if verified and blob is not None and lf(fileio.decode(plain), fmt)[0] == opened.plaintext:
            self.digests.remember([(fmt.name, blob, plain)])  # what clean compares with: see clean
        return plain

    def _staged_with_stale_mac(
        self, fmt: Format, parsed: Parsed, path: str, blob: str | None, error: IntegrityError
    ) -> document.Opened:
        """A blob only staged (not committed) whose values open but whose MAC is stale.

        `git add -p` applies the chosen hunks of the sealed diff to the staged
        blob without running clean, so picking some value lines but not the
        `mac` line stages a MAC that no longer matches. That blob is the
        user's own work in progress: it is shown (so `git diff --cached`
        works) and the pre-commit hook re-seals it. Anything else whose MAC
        does not match is refused.
        """
        if blob is None or not self.repo.staged_only(path, blob):
            raise error
        try:
            opened = self.open_sealed(fmt, parsed, path, ignore_mac=True)
        except IntegrityError:
            raise error from None
        self.warn(
            f"{path}: the staged version's MAC is stale (a partial `git add -p`?); "
            "sealer's pre-commit hook re-seals it (`sealer git reseal-staged`)"
        )
        return opened

    def open_sealed(
        self, fmt: Format, parsed: Parsed, path: str, ignore_mac: bool = False
    ) -> document.Opened:
        """A parsed sealed file, opened; NoKeyError when no identity can open it."""
        meta = _metadata(parsed, path)
        key = self.keyring.unwrap(meta, file=path)
        return document.open_parsed(fmt, parsed, meta, key, file=path, ignore_mac=ignore_mac)

    def _open(self, fmt: Format, parsed: Parsed, path: str) -> document.Opened | None:
        """The opened file, or None when no identity can open it (locked)."""
        try:
            return self.open_sealed(fmt, parsed, path)
        except NoKeyError as e:
            self._note_locked(e)
            return None

    def _note_locked(self, error: NoKeyError) -> None:
        self.note_locked(
            f"{error}; sealed files are checked out as they are stored "
            "(this warning is shown once per git command)"
        )

    def note_locked(self, message: str) -> None:
        """Count a file left sealed for lack of a key; warn about the first one only."""
        self.locked += 1
        self.last_locked = message
        if self.locked == 1:
            self.warn(message)

    def _open_conflict(self, fmt: Format, path: str, text: str, size: int) -> str | None:
        """The plaintext rendering of a stored conflict, or None if it cannot be opened."""
        sides = []
        for side in conflict.split(text):
            try:
                parsed = document.parse(fmt, side, path)
            except FormatError:
                return None
            if parsed.metadata is None:
                sides.append(side)
                continue
            opened = self._open(fmt, parsed, path)
            if opened is None:
                return None
            sides.append(opened.plaintext)
        return conflict.render(sides[0], sides[1], size)

    # -- clean ------------------------------------------------------------------

    def clean(self, path: str, data: bytes) -> bytes:
        self._found = None  # the index may have changed since the last request
        own = self.smudged.get((path, hashlib.sha256(data).digest()))
        if own is not None:
            return own
        fmt = format_for(path)
        text, was_crlf = lf(fileio.decode(data), fmt)
        markers = conflict.find(text)
        if markers is not None:
            raise FormatError(
                f"line {markers[0]}: the file has unresolved merge conflict markers",
                hint="keep one side of each conflict and remove the markers, then `git add` it",
                file=path,
            )
        previous: document.Opened | None = None
        if enc.PREFIX not in text:  # plaintext: perhaps exactly the previous version's
            known = self._known_previous(fmt, path, data, was_crlf)
            if known is not None:
                return known
            previous = self.previous(fmt, path)
            if previous is not None and previous.mac_hex and previous.plaintext == text:
                self.digests.remember([(fmt.name, self.previous_oid, data)])
                return self._unchanged(
                    fmt, previous, path, fileio.encode(crlf(self.previous_text, was_crlf))
                )
        parsed = document.parse(fmt, text, path)
        if parsed.metadata is not None:
            check_sealed(fmt, parsed, path)
            return data
        if previous is None:
            previous = self.previous(fmt, path)
        resealed, rule = policy.reseal(fmt, text, previous, path, warn=self.warn)
        sealed = fileio.encode(crlf(resealed, was_crlf))
        oid = self.cleaned.object_id(sealed)
        if oid is not None:  # the self-check opened it to `text`, MAC verified
            self.digests.remember([(fmt.name, oid, data)])
        return self._sealed_here(sealed, path, rule)

    def _known_previous(self, fmt: Format, path: str, data: bytes, was_crlf: bool) -> bytes | None:
        """What clean gives back for `data` equal to the previous version's plaintext,
        when this clone saw that blob open to exactly `data` (digests.py): no key needed.

        The same bytes as the path below that opens the blob and compares.
        """
        found = self._previous_object(path)
        if found is None or not self.digests.knows(fmt.name, found[1], data):
            return None
        text, _ = lf(fileio.decode(found[2]), fmt)
        return fileio.encode(crlf(text, was_crlf))

    def _previous_object(self, path: str) -> tuple[str, str, bytes] | None:
        """`repo.previous_object`, read once for the clean of one file."""
        if self._found is None or self._found[0] != path:
            self._found = (path, self.repo.previous_object(path))
        return self._found[1]

    def _unchanged(self, fmt: Format, previous: document.Opened, path: str, data: bytes) -> bytes:
        """The previous blob as it is: nothing new is sealed (see policy.py).

        It is listed for the hook only when it is sealed as its rule says, so
        that `sealer check --staged` still opens and reports a drifted one.
        """
        try:
            rule = policy.wanted(path)  # read once: compared with and stamped
            drifted = bool(
                policy.drift_from(previous.meta, rule, fmt=fmt, plaintext=previous.plaintext)
            )
        except SealerError:
            drifted = True  # a rules file that does not load: let the check say so
        return data if drifted else self._sealed_here(data, path, rule)

    def _sealed_here(self, data: bytes, path: str, rule: Policy | None) -> bytes:
        """Clean's own output (MAC fresh or just verified, sealed as `rule`, the policy
        read for `path` when it was sealed or compared): listed for the hook, with the
        stamp of that rule, not of the rules file as it may be by now."""
        self.cleaned.record(data, policy.stamp(path, rule) if rule is not None else None)
        return data

    def previous(self, fmt: Format, path: str) -> document.Opened | None:
        """The previous sealed version of `path`, opened; None to seal afresh.

        Its stored text is left in `previous_text`: a clean of content equal to
        its plaintext (a racily clean file after a checkout) returns it as is.
        """
        found = self._previous_object(path)
        self._found = None  # the next clean reads the index afresh
        if found is None:
            return None
        spec, self.previous_oid, data = found
        text, _ = lf(fileio.decode(data), fmt)
        self.previous_text = text
        try:
            parsed = document.parse(fmt, text, path)
        except FormatError:
            return None
        if parsed.metadata is None:
            return None
        try:
            return self.open_sealed(fmt, parsed, path)
        except NoKeyError:
            self.warn(
                f"{path}: no identity opens the data key of {spec}; "
                "sealing with a new data key, so every value gets a new ciphertext"
            )
        except IntegrityError as e:
            # values that open under a stale MAC (a partial `git add -p`) still
            # give their ciphertexts; an empty mac_hex makes the re-seal write a
            # fresh MAC even when no value changed
            try:
                opened = self.open_sealed(fmt, parsed, path, ignore_mac=True)
                return opened._replace(mac_hex="")
            except IntegrityError:
                self.warn(f"{spec} does not open ({e.message}); sealing with a new data key")
        except FormatError as e:
            self.warn(f"{spec} does not open ({e.message}); sealing with a new data key")
        return None


def _metadata(parsed: Parsed, path: str) -> Metadata:
    assert parsed.metadata is not None
    try:
        return metadata.from_dict(parsed.metadata)
    except SealerError as e:
        raise e.with_file(path) from None


def check_sealed(fmt: Format, parsed: Parsed, path: str) -> None:
    """Refuse a sealed file in which a value that should be sealed is plaintext.

    Checked without a key, from the selection rule in the file's metadata: a
    locked clone can add sealed files back, but not slip a plaintext value in.
    """
    meta = _metadata(parsed, path)
    envelope.require_sealed(
        parsed.docs,
        meta.selection,
        path,
        hint="seal the values with a key (`sealer set`, `sealer edit`), "
        "or restore the file with `git checkout`",
    )
