"""The rule table: which credential formats the scanner knows and how to find each.

Formats and prefixes follow gitleaks' MIT-licensed rule set (config/gitleaks.toml,
github.com/gitleaks/gitleaks), re-written for Python's regex engine: every rule
names keywords (lower-case bytes) and its regex runs only on the lines where
one of them occurs; group `s` is the secret. Order matters: when two findings
overlap, the rule listed first wins, so specific formats come before the
generic ones at the end.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sealer.scan import commands, escaped, filters, generic, keys, notes, vendors
from sealer.scan.candidate import Candidate, Finder, line_windows

# A terminal colour code (`ESC[93m`, `ESC[1;31m`) ends in a letter but is not part of
# the token after it: logs and console captures pasted into a repository hold them.
# Its tail (`[` or `;`, one or two digits, `m`) is enough, and keeps the ~110 patterns
# that hold it cheap to compile (the escape byte itself is sometimes lost in a paste).
_ANSI = rb"(?<=[\[;]\dm)|(?<=[\[;]\d\dm)"


def _not_after(chars: bytes) -> bytes:
    """Not right after one of `chars` (a regex class body), unless a colour code ends there."""
    return rb"(?:(?<![" + chars + rb"])|" + _ANSI + rb")"


# A token must not sit inside a longer base64/identifier run (base64 images,
# ciphertext): that is what keeps random data from matching a short prefix.
_PRE = _not_after(rb"A-Za-z0-9+/_")
_END = rb"(?![A-Za-z0-9+/_])"
# vendor formats: not after a `.` either (`video_box.ico-…`), and not a host name's first label
_VENDOR_PRE = _not_after(rb"A-Za-z0-9+/_.")
# A prefix holding `_`, `-` or `.` (`hf_`, `glpat-`) cannot continue a base64 run: `_` and
# `-` are not in standard base64, `/` not in the URL-safe one, and `.` in neither. So such
# a token may follow a `/`, as in a URL path (`https://host/hf_…/file`).
_URL_PRE = _not_after(rb"A-Za-z0-9+_")
_URL_END = rb"(?![A-Za-z0-9+_])"
_URL_VENDOR_PRE = _not_after(rb"A-Za-z0-9+_.")
_SEPARATED_HEAD = re.compile(r"(?:[A-Za-z0-9]|\\.)*?(?:[_~-]|\\\.)")


def _vendor_pre(pattern: str) -> bytes:
    """`_URL_VENDOR_PRE` when every branch of the pattern starts with a literal holding
    a separator, else `_VENDOR_PRE`."""
    branches = re.split(r"\|(?![^(]*\))", pattern)
    if all(_SEPARATED_HEAD.match(b) for b in branches):
        return _URL_VENDOR_PRE
    return _VENDOR_PRE


_VENDOR_END = rb"(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    description: str
    keywords: tuple[bytes, ...]
    regex: re.Pattern[bytes] | None = None
    entropy: float = 0.0  # minimum Shannon entropy of the secret
    check: Callable[[bytes], bool] | None = None  # extra test of the secret
    finder: Finder | None = None  # replaces regex matching (multi-line, generic rules)
    show: int = 4  # leading characters a report may show (a known prefix)
    placeholders: bool = True  # reject `xxxx`, `your-…`, `<…>` and the like
    runs: bool = True  # …and runs like `aaaaaa` (not where the format holds them)

    def candidates(self, data: bytes, positions: list[int]) -> Iterator[Candidate]:
        if self.finder is not None:
            found: Iterator[Candidate] = self.finder(data, positions)
        else:
            found = self._regex_candidates(data, positions)
        for c in found:
            if self.entropy and filters.entropy(c.secret) < self.entropy:
                continue
            if self.placeholders and filters.is_placeholder(c.secret, runs=self.runs):
                continue
            if self.check is not None and not self.check(c.secret):
                continue
            yield c

    def _regex_candidates(self, data: bytes, positions: list[int]) -> Iterator[Candidate]:
        assert self.regex is not None
        seen: set[tuple[int, int]] = set()
        for start, end in line_windows(data, positions):
            for m in self.regex.finditer(data, start, end):
                span = m.span("s")
                if span not in seen:
                    seen.add(span)
                    yield Candidate(span[0], span[1], m["s"])


def _rx(pattern: bytes) -> re.Pattern[bytes]:
    return re.compile(pattern)


def _prefixed(*prefixes: str) -> tuple[bytes, ...]:
    return tuple(p.lower().encode() for p in prefixes)


# --- extra checks -----------------------------------------------------------


def _not_aws_example(secret: bytes) -> bool:
    return not secret.endswith(b"EXAMPLE")


# Google API keys published as examples in firebase-android-sdk (gitleaks' gcp rule
# allows the same list), by sha256 prefix: the repository holds no key-shaped strings.
_GOOGLE_EXAMPLES = frozenset(
    [
        "f56e323494a6ffc2064e7a955908957d",
        "2037abcaffb2b77785da716cf7ccff4f",
        "3f370c9dd8225c63b5c77de1f785edc9",
        "e4a5542bb7fd7b67e943c71ad29c34b5",
        "a19f89ab3555eac10c40741f6df79ecf",
        "0b476bdf9acf2123d547b5ae76f1e598",
        "eb540d2b6ee2a0a47c5779bc8a014178",
        "37f8f09bdf12c2f2eae4ead7273a62dd",
        "8731261cb72d86267a32a532ebd3df42",
        "49f777db995e8260da7ca9ffdf0c08d6",
        "27a9a42931dff7eb2f8434e20a9bce97",
        "dc0fcf046c61640cbd1e8b999ada3262",
        "4c98242dcadc8b29005c6b4aad526552",
        "ea9bb1082cf95663f5faca23b8b15ef2",
        "3a8b61d0f636b007840c0d40ba12bcf4",
        "a6c814bc555ae62c7bd8b58ec07bf559",
    ]
)


def _not_google_example(secret: bytes) -> bool:
    return hashlib.sha256(secret).hexdigest()[:32] not in _GOOGLE_EXAMPLES


_ATLASSIAN_TAIL = _rx(rb"(?:\\?=|%3[dD])([A-F0-9]{8})\Z")


def _atlassian_checksum(secret: bytes) -> bool:
    """Atlassian tokens end in `=` and the CRC32 of everything before, `=` included,
    in hex (also written `\\=` or `%3D`); the older plain 192-character shape has
    none to check."""
    tail = _ATLASSIAN_TAIL.search(secret)
    if tail is None:
        return len(secret) == 192
    body = secret[: tail.start()] + b"="
    return int(tail[1], 16) == zlib.crc32(body)


def _b64decode(text: bytes) -> bytes | None:
    try:
        return base64.b64decode(text + b"=" * (-len(text) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        return None


def _is_jwt(secret: bytes) -> bool:
    header = _b64decode(secret.split(b".", 1)[0])
    return header is not None and b'"alg"' in header and b'"none"' not in header.lower()


def _is_basic_credential(secret: bytes) -> bool:
    """base64 of `user:password` with a password of 3 characters or more that is not a
    placeholder; a password equal to the user (`admin:admin`) is a default
    credential and counts, as in URLs (`_uri_password`)."""
    decoded = _b64decode(secret)
    if decoded is None or b":" not in decoded or not decoded.isascii():
        return False
    password = decoded.partition(b":")[2]
    return len(password) >= 3 and not filters.is_placeholder(password)


def _bearer_credential(value: bytes) -> bool:
    """A random-looking token; past the generic rule's length cap (a 344-character
    opaque token), one whose entropy no text reaches."""
    return generic.looks_random(value) or (len(value) > 128 and filters.entropy(value) >= 5.0)


def _header_credential(value: bytes) -> bool:
    """A random-looking value, or a UUID (many services' API keys are UUIDs)."""
    return generic.looks_random(value) or (
        filters.is_uuid(value) and not filters.is_placeholder(value)
    )


_URI_PLACEHOLDERS = {
    b"password", b"passwd", b"pass", b"pwd", b"secret", b"pw", b"p", b"x", b"changeme",
    b"user", b"username", b"token", b"foo", b"bar", b"baz", b"qux", b"test", b"example",
    b"world",
}  # fmt: skip
_URI_STAND_IN = re.compile(rb"example|invalid")
_UNLEET = bytes.maketrans(b"013457@$", b"oieastas")  # p@ss, s3cr3t
_ENV_NAME = re.compile(rb"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _uri_password(secret: bytes) -> bool:
    """The password of `scheme://user:password@host`, unless it is a stand-in.

    A password equal to the user (`postgres:postgres`, `guest:guest`) is a
    default credential. It is a finding on any host, loopback and documentation
    hosts included: committed in code, a default is what an attacker tries
    first, and most teams want it out of the repository. What stays quiet is a
    template, whatever the host: the password is a stand-in (`password`,
    `pass`, `p@ss`, `x`, `***`, `$VAR`, `%s`, `{password}`) or names a setting
    (`db_password`, `MY_GITHUB_TOKEN`). One run of characters that says
    "password" (`mysecretpassword`) is a password someone chose. Percent escapes
    are decoded first (`p%40ss` is `p@ss`).
    """
    _, _, password = secret.partition(b":")
    password = urllib.parse.unquote_to_bytes(password)  # `p%40ss` is `p@ss`
    low = password.lower()
    if low.startswith((b"$", b"%", b"{")):
        return False
    if low.translate(_UNLEET).strip(b" #!*.-_") in _URI_PLACEHOLDERS:
        return False  # `pass`, `p@ss`, `pwd#`
    if _URI_STAND_IN.search(low) or _ENV_NAME.fullmatch(password):
        return False  # `invalid-password`, `MY_GITHUB_TOKEN`: stand-ins
    if generic.names_a_secret(password) or filters.is_placeholder(password, runs=False):
        return False  # `my-password`, `your_token`, `changeme`
    if not any(c < 128 and chr(c).isalnum() for c in password):
        return False  # `…`, `***`, `---`: an elided value, not a password
    return not (low.startswith(b"*") or set(low) <= set(b"x*.#-"))


def _mixed_case_and_digits(secret: bytes) -> bool:
    """Upper- and lower-case letters and digits, as 24 random base62 characters have
    (all but about 2 in 100); a name such as `s.defaultconnectiontimeout` has not."""
    return (
        any(c in b"0123456789" for c in secret)
        and secret.lower() != secret
        and secret.upper() != secret
    )


_VAULT_LEGACY = _rx(rb"(?:(?<=[\"'`=\s])|(?<!.))(?P<s>s\.[A-Za-z0-9]{24})(?=[\"'`]|\s|\Z)")


def _vault_legacy_tokens(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """`s.` + 24 characters as a whole value. Each keyword holds one character before
    the `s`, a line break among them (`\ns.`): the line is the one after it."""
    for start, end in line_windows(data, [i + 1 for i in positions]):
        for m in _VAULT_LEGACY.finditer(data, start, end):
            yield Candidate(m.start("s"), m.end("s"), m["s"])


_URI = _rx(
    rb"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://"
    # the user may be an e-mail address (`smtps://me@mail.test:pw@smtp.mail.test`)
    rb"(?P<s>[^\s:/?#@'\"`<>\[\]{}()\\]{0,64}(?:@[^\s:/?#@'\"`<>\[\]{}()\\]{1,64})?:"
    rb"[^\s/?#@'\"`<>\[\]{}()\\]{3,128})@"
    rb"(?P<h>[A-Za-z0-9.\[\]_-]+)"
)
# documentation hosts (RFC 2606)
_DOC_HOST = _rx(rb"(?:\A|\.)(?:example\.(?:com|org|net)|example|test|invalid)\Z")


def _uri_credentials(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """`_uri_password`'s passwords; on a documentation host (`example.com`, `.test`)
    a numbered stand-in (`password123`, `secret1`) or a short one (`p%2Fss`) is a
    template too: such a host has no account, so only a password someone plainly
    chose (`0ldy3ll3r`) says a real one was pasted into the example."""
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for m in _URI.finditer(data, start, end):
            if m.start("s") in seen or not _uri_password(m["s"]):
                continue
            seen.add(m.start("s"))
            if _DOC_HOST.search(m["h"].lower()):
                password = urllib.parse.unquote_to_bytes(m["s"].partition(b":")[2])
                unnumbered = password.rstrip(b"0123456789!")
                if len(unnumbered) < 6 or not generic.looks_like_password(unnumbered):
                    continue
            yield Candidate(m.start("s"), m.end("s"), m["s"])


# --- multi-line private keys --------------------------------------------------

_PEM_BEGIN = _rx(rb"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = _rx(rb"-----END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PUTTY = _rx(rb"PuTTY-User-Key-File-\d+:")
_PEM_HEADERS = _rx(rb"(?m)^[ \t\"']*(?:Proc-Type|DEK-Info|Comment|Version|Hash):[^\n\\]*")
_NOT_B64 = _rx(rb"\\[nrt]|[^A-Za-z0-9+/=]")
_KEY_SPAN = 32 * 1024  # a PEM block longer than this is not a key
_PEM_ENCRYPTED = _rx(rb"ENCRYPTED")  # `BEGIN ENCRYPTED PRIVATE KEY`, `Proc-Type: 4,ENCRYPTED`
# Stand-in words as words, not as letters inside the base64 (`…GpVOowE…` holds `fake`
# when lower-cased): `FAKE PRIVATE KEY`, `not a real key`, `<your key>`, `...`.
_PEM_STAND_IN = _rx(
    rb"(?<![A-Za-z0-9+/])(?i:fake|dummy|example|sample|placeholder|redacted|your|insert"
    rb"|not a real)(?![A-Za-z0-9+/=])|\.\.\.|<[^>\n]{1,40}>|(?i:xxxx)"
)


def _private_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for m in (*_PEM_BEGIN.finditer(data, start, end), *_PUTTY.finditer(data, start, end)):
            if m.start() in seen:
                continue
            seen.add(m.start())
            limit = min(len(data), m.end() + _KEY_SPAN)
            if m.re is _PUTTY:
                stop = data.find(b"Private-MAC:", m.end(), limit)
                private = data.find(b"Private-Lines:", m.end(), limit)
                if private < 0:
                    continue
                body_start = data.find(b"\n", private, limit)
                body_end = stop if stop >= 0 else limit
            else:
                tail = _PEM_END.search(data, m.end(), limit)
                body_start = m.end()
                body_end = tail.start() if tail else min(limit, m.end() + 4096)
            if body_start < 0 or body_end <= body_start:
                continue
            body = data[body_start:body_end]
            if _PEM_ENCRYPTED.search(m.group()) or _PEM_ENCRYPTED.search(body[:300]):
                continue  # passphrase-protected: useless without the passphrase
            if _PEM_STAND_IN.search(m.group()) or _PEM_STAND_IN.search(body):
                continue
            b64 = _NOT_B64.sub(b"", _PEM_HEADERS.sub(b"", body))
            if len(b64) < 64 or filters.entropy(b64) < 4.5:
                continue
            end_at = tail.end() if m.re is _PEM_BEGIN and tail else body_end
            yield Candidate(m.start(), end_at, b64)


def _encoded_pem_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """A PEM private key base64-encoded once more: the whole file (`tls.key:
    LS0tLS1CRUdJTi…`), `openssl pkcs12 -nodes` output, or base64 text with a key
    somewhere inside (a values file or JSON document encoded into a Secret); the key
    inside is judged as the PEM rule judges one (encrypted, stand-ins, entropy)."""
    whole = [i for i in positions if data[i : i + 4].lower() in (b"ls0t", b"qmfn")]
    yield from keys.encoded_pem_keys(data, whole)
    inner = [i for i in positions if data[i : i + 14].lower() in keys.ENCODED_PRIVATE_KEY]
    for start, end, text in keys.base64_texts(data, inner):
        at = text.lower().find(b"private key")
        if at >= 0 and next(_private_keys(text, [at]), None) is not None:
            yield Candidate(start, end, data[start:end])


def _jwk_members(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """The private member of a JSON Web Key (`keys.jwk_private_members`), also inside
    base64 text (a JWK set encoded into a config value): then the whole run."""
    plain = [i for i in positions if data[i : i + 3].lower() == b"kty"]
    yield from keys.jwk_private_members(data, plain)
    inner = [i for i in positions if data[i : i + 6].lower() in keys.ENCODED_KTY]
    for start, end, text in keys.base64_texts(data, inner):
        members = keys.jwk_private_members(text, [m.start() for m in _KTY.finditer(text)])
        if any(_jwk_key_material(c.secret) for c in members):
            yield Candidate(start, end, data[start:end])


_KTY = _rx(rb"kty")


def _jwk_key_material(member: bytes) -> bool:
    """Whether a JSON Web Key's `d` or `k` member found inside base64 text holds a key:
    varied enough (entropy 3.0, as the rule asks of a plain member) and not a
    stand-in (`REPLACE_ME`, `xxxx…`)."""
    return filters.entropy(member) >= 3.0 and not filters.is_placeholder(member)


# --- vendor secrets named by their variable -----------------------------------------

# After the vendor's name: the rest of the name, a closing quote or bracket, an
# assignment operator (`=`, `:`, `:=`, `?=`, `=>`, `||`, or a call's `,`), quotes.
_NAMED_TAIL = (
    rb"(?P<t>[ \t\w.-]{0,20}?)[\"'\]]{0,3}[ \t]*(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)"
    rb"[ \t`'\"=]{0,5}"
)
_NAMED_END = rb"(?=[`'\"\s;,)\]}<&]|\\[nrt]|\Z)"
# `HEROKU_APP_ID`, `sentryUrl`: the vendor's name in a variable that holds no secret;
# `sourcegraph_commit`, `sentry_release`, `hubspotFormGuid`: a hash, a release or a
# public id, whatever its shape
_NAMES_NO_SECRET = _rx(
    rb"(?:\A|[ _.\-])(?i:id|ids|url|uri|host|name|user|username|email|org|region|version|path"
    rb"|file|dir|endpoint|domain|project|account|commit|sha|hash|digest|checksum|release"
    rb"|revision|guid|form|image|tag)\Z"
    rb"|[a-z](?:Id|Ids|Url|Uri|Host|Name|User|Email|Org|Region|Version|Path|File|Dir|Project"
    rb"|Commit|Sha|Hash|Digest|Checksum|Release|Revision|Guid|Form|Image|Tag)\Z"
)

_NAMES_AN_ID = _rx(rb"(?:\A|[ _.\-])(?i:id)\Z|[a-z]Id\Z")


def _named_finder(named: vendors.Named) -> Finder:
    words = [re.escape(n.encode()) for n in named.names]
    if named.cased:  # bounded on the left: not `BOOKTABLE_TOKEN` (okta), `BETSY` (etsy)
        words = [
            rb"(?<![A-Za-z])" + w.lower() + rb"|(?<![A-Z])" + w.capitalize()
            + rb"|(?<![A-Za-z])" + w.upper()
            for w in words
        ]  # fmt: skip
    names = b"|".join(words)
    rx = _rx(
        (rb"(?:" if named.cased else rb"(?i:")
        + names
        + rb")"
        + _NAMED_TAIL
        + rb"(?P<s>"
        + named.pattern.encode()
        + rb")"
        + _NAMED_END
    )

    def find(data: bytes, positions: list[int]) -> Iterator[Candidate]:
        for start, end in line_windows(data, positions):
            for m in rx.finditer(data, start, end):
                tail = m["t"].rstrip()
                if named.access_id and _NAMES_AN_ID.search(tail):
                    pass  # `SUMO_ACCESS_ID`: the id is half of the credential
                elif _NAMES_NO_SECRET.search(tail) is not None:
                    continue
                yield Candidate(m.start("s"), m.end("s"), m["s"])

    return find


def _format_rule(f: vendors.Format) -> Rule:
    return Rule(
        f.id,
        f.description,
        tuple(k.encode() for k in f.keywords),
        _rx(_vendor_pre(f.pattern) + b"(?P<s>" + f.pattern.encode() + b")" + _VENDOR_END),
        entropy=f.entropy,
        show=f.show,
        runs=f.runs,
    )


# --- the table -----------------------------------------------------------------

# "key" hits are narrowed to api/access/private/… compounds by the generic rule itself
_GENERIC_KEYWORDS = (
    b"secret", b"token", b"pass", b"pwd", b"pw", b"credential", b"key", b"oauth_verifier",
    b"psw", b"pssw", b"pasw",  # PSWD, PSSWD, PASWORD: the password word misspelt
    b"auth_salt", b"authsalt", b"nonce_salt", b"noncesalt", b"in_salt", b"insalt",  # WordPress
)  # fmt: skip

RULES: tuple[Rule, ...] = (
    Rule(
        "private-key",
        "private key block",
        (b"private key", b"putty-user-key-file"),
        finder=_private_keys,
        show=11,
        placeholders=False,
    ),
    Rule(
        "private-key-der",
        "private key as base64 DER (PKCS#1, PKCS#8, SEC1; PKCS#12 holding a key in the clear)",
        (b"mii", b"mhcc", b"migh", b"mig2", b"mc4c"),
        finder=keys.der_keys,
        show=0,
        placeholders=False,
    ),
    Rule(
        "private-key-encoded-pem",
        "PEM private key, base64-encoded",
        (b"ls0tls1crudjti", b"qmfnief0dhjpynv0zxm", *keys.ENCODED_PRIVATE_KEY),
        finder=_encoded_pem_keys,
        show=0,
        placeholders=False,
    ),
    Rule(
        "jwk-private-key",
        "private or symmetric member of a JSON Web Key",
        (b"kty", *keys.ENCODED_KTY),
        finder=_jwk_members,
        entropy=3.0,
        show=0,
    ),
    Rule(
        "age-secret-key",
        "age secret key",
        (b"age-secret-key-1",),
        # [1]: the text of the rule is not itself a key
        _rx(_PRE + rb"(?P<s>AGE-SECRET-KEY-[1][QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})" + _END),
        entropy=3.5,
        show=16,
    ),
    Rule(
        "aws-access-key-id",
        "AWS access key ID",
        _prefixed("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        _rx(_PRE + rb"(?P<s>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})" + _END),
        entropy=3.0,
        check=_not_aws_example,
        show=4,
    ),
    # Not IAM unique ids (role AROA…, user AIDA…, policy ANPA…): they sign nothing, and
    # in ordinary code they are documentation examples and test fixtures (botocore's
    # examples, moto), which no EXAMPLE suffix marks.
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        (b"aws",),
        _rx(
            rb"(?i:aws)[\w.-]{0,20}?(?i:secret)[\w.-]{0,20}[\"'\]]{0,2}[ \t]*(?:=|:=|=>|:|,)"
            rb"[ \t]*[\"']?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        entropy=4.0,
        show=0,
    ),
    Rule(
        "github-token",
        "GitHub token",
        _prefixed("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        # also the installation token shape `ghs_<digits>_<JWT>` (CredSweeper's config)
        _rx(
            _URL_PRE + rb"(?P<s>gh[pousr]_[A-Za-z0-9]{36}"
            rb"|ghs_\d{1,20}_eyJ[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{16,})"
            + _URL_END
        ),
        entropy=3.5,
        show=4,
    ),
    Rule(
        "github-fine-grained-token",
        "GitHub fine-grained personal access token",
        (b"github_pat_",),
        _rx(_URL_PRE + rb"(?P<s>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _URL_END),
        entropy=3.5,
        show=11,
    ),
    Rule(
        "gitlab-token",
        "GitLab token",
        _prefixed(
            "glpat-",
            "gloas-",
            "gldt-",
            "glrt-",
            "glcbt-",
            "glptt-",
            "glft-",
            "glimt-",
            "glsoat-",
            "glagent-",
            "glrtr-",
            "glffct-",
            "glwt-",
            "gr1348941",
        ),
        _rx(
            _URL_PRE
            + rb"(?P<s>(?:glpat|gloas|gldt|glrtr?|glcbt|glptt|glft|glimt|glsoat|glagent|glwt)-"
            rb"[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]{2,}){0,2}|glffct-[A-Za-z0-9_-]{20}"
            rb"|GR1348941[A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])"
        ),
        entropy=3.0,
        show=6,
    ),
    Rule(
        "npm-token",
        "npm access token",
        (b"npm_",),
        _rx(_URL_PRE + rb"(?P<s>npm_[A-Za-z0-9]{36})" + _URL_END),
        entropy=3.5,
    ),
    Rule(
        "pypi-token",
        "PyPI upload token",
        (b"pypi-age",),
        _rx(
            _URL_PRE + rb"(?P<s>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})"
            rb"(?![A-Za-z0-9+/_-])"
        ),
        entropy=3.5,
        show=5,
    ),
    Rule(
        "docker-hub-token",
        "Docker Hub access token",
        _prefixed("dckr_pat_", "dckr_oat_"),
        _rx(_URL_PRE + rb"(?P<s>dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,})(?![A-Za-z0-9_-])"),
        entropy=3.0,
        show=9,
    ),
    Rule(
        "vault-token",
        "HashiCorp Vault token",
        _prefixed("hvs.", "hvb."),
        _rx(_URL_PRE + rb"(?P<s>hv[sb]\.[A-Za-z0-9_-]{90,})(?![A-Za-z0-9_-])"),
        entropy=3.5,
    ),
    # Vault before 1.10: `s.` and 24 base62 characters (gitleaks' vault-service-token).
    # Only a whole value (quoted, assigned, or after a blank as in `vault token lookup`'s
    # table), which is also what the keywords look for: `s.` alone is in every other
    # line of code, and would cost a regex pass over each.
    Rule(
        "vault-legacy-token",
        "HashiCorp Vault service token (before Vault 1.10)",
        (b'"s.', b"'s.", b"`s.", b"=s.", b" s.", b"\ts.", b"\ns."),
        finder=_vault_legacy_tokens,
        entropy=3.5,
        check=_mixed_case_and_digits,
        show=2,
    ),
    Rule(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        (b".atlasv1.",),
        _rx(_PRE + rb"(?P<s>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])"),
        entropy=3.5,
        show=0,
    ),
    Rule(
        "circleci-token",
        "CircleCI personal API token",
        (b"ccipat_",),
        _rx(_URL_PRE + rb"(?P<s>CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})" + _URL_END),
        entropy=3.5,
        show=7,
    ),
    Rule(
        "buildkite-token",
        "Buildkite API token",
        (b"bkua_",),
        _rx(_URL_PRE + rb"(?P<s>bkua_[a-f0-9]{40})" + _URL_END),
        entropy=3.0,
        show=5,
    ),
    Rule(
        "atlassian-token",
        "Atlassian API token",
        (b"atatt3", b"atctt3"),
        _rx(
            _PRE + rb"(?P<s>AT[AC]TT3[A-Za-z0-9_-]{60,800}(?:\\?=|%3[dD])[A-F0-9]{8}"
            rb"|ATATT3[A-Za-z0-9_=-]{186})(?![A-Za-z0-9_=-])"
        ),
        entropy=3.5,
        check=_atlassian_checksum,
        show=6,
    ),
    Rule(
        "slack-token",
        "Slack token",
        _prefixed("xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xapp-"),
        _rx(
            _URL_PRE + rb"(?P<s>(?:xoxe\.)?xox[bpe]-1-[A-Za-z0-9-]{40,}"
            rb"|xox[abposre]-\d{6,}-[A-Za-z0-9-]{10,}|xox[ar]-\d-[A-Za-z0-9-]{20,}"
            rb"|xapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-z0-9]{32,})(?![A-Za-z0-9_-])"
        ),
        entropy=3.0,
        show=5,
    ),
    Rule(
        "slack-webhook",
        "Slack incoming webhook URL",
        (b"hooks.slack.com",),
        _rx(
            rb"hooks\.slack\.com/(?:services|workflows|triggers)/"
            rb"(?P<s>T[A-Z0-9]{6,}/[AB][A-Z0-9]{6,}/[A-Za-z0-9]{20,}|[A-Za-z0-9+/]{43,56})"
        ),
        entropy=3.0,
        show=1,
    ),
    Rule(
        "discord-webhook",
        "Discord webhook URL",
        (b"discord",),
        _rx(
            rb"discord(?:app)?\.com/api/webhooks/(?P<s>\d{17,20}/[A-Za-z0-9_-]{60,68})"
            rb"(?![A-Za-z0-9_-])"
        ),
        entropy=3.0,
        show=0,
    ),
    Rule(
        "teams-webhook",
        "Microsoft Teams incoming webhook URL",
        (b"webhook.office.com",),
        _rx(
            rb"webhook\.office\.com/webhookb2/(?P<s>[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/"
            rb"[a-f0-9]{32}/[a-f0-9-]{36})"
        ),
        show=0,
    ),
    Rule(
        "telegram-bot-token",
        "Telegram bot token",
        (b":aa",),
        _rx(rb"(?<![0-9])(?P<s>\d{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])"),
        entropy=3.5,
        show=0,
    ),
    Rule(
        "stripe-key",
        "Stripe secret or restricted key",
        (b"k_live_", b"k_test_", b"k_prod_"),
        _rx(_URL_PRE + rb"(?P<s>[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,99})" + _URL_END),
        entropy=3.0,
        show=8,
    ),
    Rule(
        "square-token",
        "Square access token or OAuth secret",
        (b"sq0", b"eaaa"),
        _rx(
            _URL_PRE + rb"(?P<s>sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}"
            rb"|EAAA[A-Za-z0-9_+=-]{60})(?![A-Za-z0-9_+=-])"
        ),
        entropy=3.5,
    ),
    Rule(
        "braintree-token",
        "PayPal Braintree access token",
        (b"access_token$production$",),
        _rx(rb"(?P<s>access_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32})"),
        entropy=3.0,
        show=24,
    ),
    Rule(
        "shopify-token",
        "Shopify access token or shared secret",
        _prefixed("shpat_", "shpss_", "shpca_", "shppa_"),
        _rx(_URL_PRE + rb"(?P<s>shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})" + _URL_END),
        entropy=3.0,
        show=6,
    ),
    Rule(
        "openai-key",
        "OpenAI API key",
        (b"t3blbkfj",),
        _rx(
            _URL_PRE + rb"(?P<s>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ"
            rb"[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])"
        ),
        entropy=3.5,
        show=3,
    ),
    Rule(
        "anthropic-key",
        "Anthropic API key",
        (b"sk-ant-",),
        # `sk-ant-api03-`, `sk-ant-admin01-`, `sk-ant-oat01-`: the prefix alone says what
        # it is (gitleaks asks for 93 characters and `AA`; keys cut or re-made differ)
        _rx(_URL_PRE + rb"(?P<s>sk-ant-[a-z]{3,5}\d\d-[A-Za-z0-9_-]{80,300})(?![A-Za-z0-9_-])"),
        entropy=3.5,
        show=7,
    ),
    Rule(
        "google-api-key",
        "Google API key",
        (b"aiza",),
        _rx(_PRE + rb"(?P<s>AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])"),
        entropy=3.5,
        check=_not_google_example,
    ),
    Rule(
        "sendgrid-key",
        "SendGrid API key",
        (b"sg.",),
        _rx(_PRE + rb"(?P<s>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])"),
        entropy=3.5,
        show=3,
    ),
    Rule(
        "huggingface-token",
        "Hugging Face access token",
        (b"hf_",),
        _rx(_URL_PRE + rb"(?P<s>hf_[A-Za-z]{34})" + _URL_END),
        entropy=3.5,
        show=3,
    ),
    Rule(
        "digitalocean-token",
        "DigitalOcean token",
        _prefixed("dop_v1_", "doo_v1_", "dor_v1_"),
        _rx(_URL_PRE + rb"(?P<s>do[por]_v1_[a-f0-9]{64})" + _URL_END),
        entropy=3.0,
        show=7,
    ),
    Rule(
        "grafana-token",
        "Grafana cloud or service account token",
        _prefixed("glc_", "glsa_"),
        _rx(
            _PRE
            + rb"(?P<s>glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})"
            + _END
        ),
        entropy=3.5,
    ),
    Rule(
        "databricks-token",
        "Databricks API token",
        (b"dapi",),
        _rx(_PRE + rb"(?P<s>dapi[a-f0-9]{32}(?:-\d)?)" + _END),
        entropy=3.0,
    ),
    Rule(
        "azure-storage-key",
        "Azure storage account key",
        (b"accountkey=",),
        _rx(rb"(?i:AccountKey)=(?P<s>[A-Za-z0-9+/]{86}==)"),
        entropy=4.0,
        show=0,
    ),
    *(_format_rule(f) for f in vendors.FORMATS),
    *(
        Rule(
            n.id,
            n.description,
            tuple(k.encode() for k in n.names),
            finder=_named_finder(n),
            entropy=n.entropy,
            show=0,
            runs=n.runs,
        )
        for n in vendors.NAMED
    ),
    *(_format_rule(f) for f in vendors.LATE_FORMATS),
    Rule(
        "jwt",
        "JSON Web Token",
        (b"eyj",),
        _rx(
            _PRE + rb"(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})"
            rb"(?![A-Za-z0-9_-])"
        ),
        entropy=3.0,
        check=_is_jwt,
        show=3,
    ),
    Rule(
        "uri-credentials",
        "password in a connection string or URL",
        (b"://",),
        finder=_uri_credentials,
        show=0,
    ),
    Rule(
        "cli-password",
        "password, token or secret given on a command line",
        (
            b"-pass",
            b"-pwd",
            b"-token",
            b"-secret",
            b"-api-key",
            b"-apikey",
            b"-access-key",
            b"convertto-securestring",
            b"mysql",
            b"sshpass",
            b"storepass",
            b"keypass",
            b"redis-cli",
            b"ldap",
            b"mongo",
            b" login",
            b"--build-arg",
            b"--set",
            b"--from-literal",
            b"config:set",
            b"config:add",
            # `PGPASSWORD=… psql`: a variable set for one command
            b"password=",
            b"passwd=",
            b"pass=",
            b"pwd=",
            b"passphrase=",
            b"secret=",
            b"token=",
            b"api_key=",
            b"apikey=",
        ),
        finder=commands.command_line_secrets,
        show=0,
    ),
    Rule(
        "sql-password",
        "password in an SQL statement",
        (
            b"identified",
            b"password '",
            b'password "',
            b"password(",
            b"password (",
            b"with password",
            b"login password",
            b"encrypted password",
        ),
        finder=commands.sql_passwords,
        show=0,
    ),
    Rule(
        "curl-user-password",
        "password in a curl -u / --user argument",
        (b"curl",),
        finder=commands.curl_passwords,
        show=0,
    ),
    Rule(
        "basic-auth",
        "HTTP basic credentials (Authorization header, docker or npm auth)",
        (b"basic ", b'auth"', b"auth'", b"auth:", b"auth :", b"_auth"),
        _rx(
            # docker's `"auth": "…"`, and the same member unquoted in code (`auth: '…'`)
            rb"(?:(?i:basic)[ \t]+|(?<![\w.-])[\"']?auth[\"']?[ \t]*:[ \t]*[\"']"
            # npm's `_auth=` (.npmrc) and `_auth: "…"` (the same in code): user:password
            rb"|(?<![A-Za-z0-9])_auth[\"']?[ \t]*[:=][ \t]*[\"']?)"
            rb"(?P<s>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"
        ),
        check=_is_basic_credential,
        show=0,
    ),
    Rule(
        "bearer-token",
        "bearer token",
        (b"bearer",),
        _rx(
            # also curl's `--oauth2-bearer TOKEN`, quoted or not, and libcurl's
            # `CURLOPT_XOAUTH2_BEARER, "TOKEN"`
            rb"(?:--oauth2-bearer[ \t=]+[\"']?|(?i:bearer)[ \t]+"
            rb"|CURLOPT_XOAUTH2_BEARER[ \t]*,[ \t]*L?\")"
            rb"(?P<s>[A-Za-z0-9._~+/-]{20,}=*)(?![A-Za-z0-9._~+/=-])"
        ),
        entropy=3.5,
        check=_bearer_credential,
        show=0,
    ),
    Rule(
        "authorization-header",
        "credential in an Authorization or API-key header (schemes other than Basic/Bearer)",
        (b"authorization", b"x-api-key", b"x-auth-token", b"private-token"),
        _rx(
            rb"(?<![\w.:-])(?i:authorization|x-api-key|x-auth-token|private-token)[\"']?[ \t]*"
            rb"[:=][ \t]*"
            rb"[\"']?(?:(?i:token|api-token|apikey|api-key|key|ssws|sso-key|bot)[ \t]+|token=)?"
            # OpenShift's `sha256~…` tokens, whatever follows the `~`
            rb"(?P<s>sha256~[^\s\"'\\]{8,128}|[A-Za-z0-9._~+/-]{16,}=*)(?![A-Za-z0-9._~+/=-])"
        ),
        check=_header_credential,
        show=0,
    ),
    Rule(
        "npm-auth-token",
        "npm registry token in .npmrc (`//registry/:_authToken=`)",
        (b":_authtoken",),
        _rx(rb":_authToken[ \t]*=[ \t]*[\"']?(?P<s>[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])"),
        entropy=3.0,
        show=0,
    ),
    Rule(
        "curl-header-key",
        "API key or token in a curl -H header",
        (b"curl",),
        finder=commands.curl_header_keys,
        show=0,
    ),
    Rule(
        "labelled-key",
        "key under a two-word label in notes (`Secret Key: …`, `access key: …`)",
        (b"key:", b"key :"),
        finder=notes.labelled_keys,
        show=0,
    ),
    Rule(
        "macro-secret",
        'secret defined as a macro (`#define WIFI_PASSWORD "…"`, `%define token …`)',
        (b"define",),
        finder=commands.macro_secrets,
        show=0,
    ),
    Rule(
        "escaped-secret",
        "secret in a URL-encoded query (`%26token%3D…`) or HTML-escaped quotes",
        (b"%3d", b"&quot;"),
        finder=escaped.escaped_secrets,
        show=0,
    ),
    Rule(
        "generic-secret",
        "secret assigned to a password/token/key variable",
        _GENERIC_KEYWORDS,
        finder=generic.assignments,
        show=0,
        placeholders=False,  # the generic rule applies its own, stricter filters
    ),
)

BY_ID = {r.id: r for r in RULES}
