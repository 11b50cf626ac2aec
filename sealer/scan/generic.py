"""The generic rule: a literal assigned to a variable whose name says it is secret.

`DB_PASSWORD=…`, `"client_secret": "…"`, `api_key = '…'`, `setPassword("…")`,
`<password>…</password>`. Anchored at the keyword: the identifier around it is
read, then the assignment and the value right after it, so the cost is per
keyword occurrence, not per byte.

What the value must be depends on the name:
- a password (`db_password`, `PGPASSWD`, `smtp_pw`): any literal, however weak,
  that is not a stand-in, reference, identifier, type name, path or name of a
  setting (`looks_like_password`, `names_a_secret`);
- a secret, token or API key (`client_secret`, `csrf-token`, `api_key`): a value
  that looks random, or a literal that is not a word or a name (`_chosen_secret`);
- any other key (`aesKey`, `keyValue`): key material (`_key_material`).
Stand-ins everywhere: references (`${VAR}`, `{{ x }}`, `process.env.X`), paths,
URLs, hashes with their scheme prefix, identifiers and word sequences.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sealer.scan import byte_arrays, filters
from sealer.scan.candidate import Candidate

_IDENT = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_IDENT_MAP = bytes(0x61 if c in _IDENT else 0x20 for c in range(256))  # ident: a, other: space
_MAX_IDENT = 64
_STEMS = (
    rb"api|access|private|signing|master|encryption|auth|app|hmac|session|consumer|webhook"
    rb"|aes|mac|cipher|crypto|wrapped|certificate|shared"  # what a symmetric key is named
)
_KEY_STEM = re.compile(rb"(?i:" + _STEMS + rb")[_.-]?\Z")
_SECRET_NAME = re.compile(
    rb"secret|token|passw(?:or)?d|pwd|passphrase|credential|(?:" + _STEMS + rb")key"
    rb"|oauthverifier"  # OAuth 1.0a: the code that trades a request token for an access token
)
_SHORT_PASSWORD = frozenset([b"pass", b"pw", b"pwd"])  # DB_PASS, SMTP_PW: whole words only
# the word abbreviated or misspelt, as a whole word: PSWD, Q7_PSWD, PSSWD, PASWORD, PSWRD
_PASSWORD_SPELLING = re.compile(rb"pa?ss?w(?:o?r)?d")
# the name's last word: `keyPassword`, `DB_PASS`; not `password_encryption`, `passwordFile`
_PASSWORD_WORD = re.compile(
    rb"(?:passw(?:or)?d|passphrase|pwd|\Apass|\Apw|\A" + _PASSWORD_SPELLING.pattern + rb")\Z"
)
# What people write where there is no password: the thing's own name, an absence, a
# type, a metasyntactic word, a word saying what a test checks (`wrong`, `short`).
# Weak passwords (`hello`, `welcome1`) are not here: a literal password is a leak
# whatever its strength; and under a password name the weak ones that are here
# (`password`, `secret`, `test`) count after all (`_weak_password`).
_STAND_INS = frozenset(
    b"""password passwd pass pwd secret passphrase none null nil true false undefined empty
    required optional string str text hidden redacted default value unknown notset unset
    int bool boolean bytes object any number foo bar baz qux foobar abcd xyz user username
    token phrase key test testing valid invalid correct incorrect wrong right good bad short
    long nope""".split()
)
# What a password setting holds when it says how the password is had, not what it is:
# a mode (`password: prompt`, `REQUIRE_PASSWORD: always`), a hash method
# (`password_encryption: scram-sha-256`), or in a locale file the word "password"
# translated (`password: Passwort`). Kept apart from _STAND_INS: no placeholder either.
_MODE_WORDS = frozenset(
    """prompt ask random generated generate auto autogenerate keyring keychain inherit
    inherited disabled enabled file stdin env vault omit omitted plaintext plain cleartext
    clear hashed hash bcrypt scrypt argon2 argon2id pbkdf2 crypt md5 sha1 sha256 sha512
    scram-sha-256 always never yes no on off passwort kennwort wachtwoord contraseña
    senha parola heslo hasło salasana adgangskode lösenord passord""".encode().split()
)
# `require_password`, `save_password`, `showPassword`: a name saying what to do with a
# password is a switch, not the password; `FlagPassword`: the name of its flag
_VERBS = frozenset(b"require save ask show remember allow skip".split())
_NAMES_THE_FLAG = frozenset([b"flag", b"flags", b"cli", b"arg"])
_BLANK = (b"", b" ", b"\t", b"\r", b"\n")
_SETTING = re.compile(rb"[A-Z][A-Z0-9_]+=\w")
_RULE_LIST = re.compile(rb"[a-z_]+(?:\|[a-z_]+(?::[^|]*)?)+")  # required|min:8 (validation)
_SAYS_PASSWORD = re.compile(rb"(?:^|[-_.:])pwd?(?:$|[-_.:\d])")  # pw-123: names itself
_CHECKING_CALL = re.compile(
    rb"(?i:hash|verify|check|compare|assert|equal|match|encode|encrypt|crypt|validate|digest)"
    rb"\w*[ \t]*\([ \t]*\Z"
)
_PERCENT_WORDS = re.compile(rb"[A-Za-z]{3,}%20[A-Za-z]{3,}")  # `Travis%20Deploy`: words
_JENKINS_SECRET = re.compile(rb"\{?AQAAABAAAA")  # Jenkins' encrypted secret: ciphertext
_VERSION = re.compile(rb"v?\d+(?:\.\d+)+(?:-(?:\d+(?:\.\d+)*)?)?")  # 3.0-3.12, 1.2.3
_SNAKE_NAME = re.compile(rb"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")  # saved_assert_hooks: a variable
_SEALED_SECRET = b"kind: SealedSecret"
# Unquoted, a bare word after `password:` is as often a name (`password: render`)
# as a password; these are the words that are well-known default passwords.
_DEFAULT_PASSWORDS = frozenset(
    b"""admin administrator root toor postgres mysql mariadb guest oracle welcome letmein
    master manager demo qwerty redis rabbitmq elastic kibana mongo mongodb jenkins tomcat
    sonar nexus docker ubuntu vagrant raspberry wordpress keycloak grafana minio""".split()
)
# `setPassword("…")`, `set_password('…')`: the argument of a setter is assigned
_SETTER = re.compile(rb"(?i:set)_?[A-Za-z]")
_CAMEL_JOIN = re.compile(rb"[a-z][A-Z]")
# `vault:secret/data/db#password`, `arn:aws:secretsmanager:…:secret:prod/db`: where it is kept
_SCHEME_PATH = re.compile(rb"[a-z][a-z0-9+.-]{1,20}:[^/\s]*/")
_DOC_VALUE = re.compile(rb"[^\s:,;/()\[\]{}<>\"'`]{4,128}")
_DOC_VALUE_END = (b"", b" ", b"\t", b"\r", b"\n", b")", b",", b"<")  # `<`: XML text's end
# `setopt(CURLOPT_PASSWORD, "…")`, `put(DB_PASSWORD, "…")`: a constant names the setting
_CONSTANT_ARGUMENT = re.compile(rb"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+,")
_COLOUR = re.compile(rb"#(?:[0-9a-fA-F]{3}){1,2}(?:[0-9a-fA-F]{2})?")  # `Token: "#d8dee9"`
# `hex.DecodeString("…")`, `base64Decode("…")`, `[]byte("…")`, `bytes.fromhex('…')`,
# `Buffer.from("…", "base64")`: a literal passed through a decoding call
_DECODED = re.compile(
    rb"(?:\[\]byte|[A-Za-z_][\w.]{0,40}?(?i:decode\w*|fromhex|unhexlify|b64decode|buffer\.from))"
    rb"[ \t]*\([ \t]*(?P<q>[\"'])"
)
# a setting's unquoted text to the line's end, quotes inside it included
_PLAIN_SCALAR = re.compile(rb"[^\s\"'`][^\s`]{0,126}[^\s\"'`,;]")
_FORM_LABEL = re.compile(rb"[A-Za-z]+[*:]")  # `Confirm*`, `Password:`: words on a form
_SYMBOL = re.compile(rb"[\s(,]:\Z")  # `set(:auth0, :secret, '…')`: a Ruby symbol names it
_FALLBACK_FROM = re.compile(rb"(?i:env|getenv|environ)[\w.]*(?:\.get)?\(?[ \t]*\Z|\.env\.\Z")
_ASSERTION = re.compile(rb"\bassert|\bexpect\b|\bEqual", re.I)
# How far back from a name the checks look, so one long line costs linear time:
# the line start (`_value_after`, `_setting_line`), and `assert`/`expect` before `==`.
_LOOK_BACK = 200
_ASSERTION_BACK = 120
_HEX_NUMBER = re.compile(rb"0[xX][0-9a-fA-F]+")
_ENV_NAME = re.compile(rb"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # DB_PASSWORD: a variable's name
# Words that make a "secret-sounding" name describe something else.
_NOT_SECRET_WORDS = frozenset(
    b"""hash hashed digest checksum fingerprint sha sha1 sha256 sha512 md5 salt count length
    len size type name names file files path paths dir url uri urls endpoint host header
    headers field prefix suffix format pattern regex label placeholder policy mode version
    expiry expires expiration ttl timeout max min limit enabled required rotation public
    tokenizer tokenize tokenization tokenized tokens method strategy kind location store
    provider usage budget validator input output param params schema template query
    lifetime age generator manager class factory handler reset forgot confirm
    confirmation hint strength requirements rules error errors message md filter filters
    attrs attr attribute attributes options option delete update create next continuation
    pagination page cursor marker verification""".split()
)
# Before a password word these say whose password it is (`DB_SCHEMA_PASSWORD`,
# `keyStorePassword`, `keyManagerPassword`), not that it is something else.
_WHICH_ONE = frozenset(b"schema store manager provider location host url uri endpoint".split())
_LAST_NOT_SECRET = frozenset([b"id", b"ids", b"ref", b"env", b"var", b"arn", b"key_id"])
_WORD_SPLIT = re.compile(rb"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

_ASSIGN = re.compile(
    rb"(?P<kq>\\?[\"'`]?)\]?[ \t]*"
    rb"(?:(?P<ann>:[ \t]+&?[A-Za-z_][\w.\[\], |]{0,40}?[ \t]+="
    # `var password string = …` (a type), `<add key="ApiKey" value="…"/>` (XML settings)
    rb"|[ \t](?:string|String|str|bytes|\[\]byte|char|text|value)[ \t]*=)"
    # a value follows on the line: `token: QWxh…5=` ends in base64's `=`, not a type's
    rb"(?=[ \t]*[^\s=>~])"
    rb"|(?P<op>:=|::=|=>|\?=|\|\|=|<-|={2,3}(?=[ \t]*[\"'])|=(?![=~>])"
    rb"|:(?![:/]|\\(?![\"']))|,|\(|>"
    # `getenv("DB_PASSWORD") or "…"`, `process.env.SECRET || '…'`: the fallback is the value
    rb"|(?:\)[ \t]*)?(?:\|\||\?\?|or)(?=[ \t]+[\"'])))"
    rb"[ \t]*(?:@(?=\"))?(?P<vq>\\?[\"'`]?)"  # `@"…"`: an Objective-C string
)
_ASSIGN_REACH = 200  # how far an assignment may run: aligned blanks, a type, the quote
_UNQUOTED = re.compile(rb"[^\s\"'`,;&<>(){}\[\]\\]{1,300}")
_MAX_VALUE = 300

# value shapes that are not secrets
_HEX = re.compile(rb"[0-9a-fA-F]+")
_HASH_PREFIX = re.compile(
    rb"(?:sha\d*|md5|blake2\w*)[:-]|\$(?:2[abxy]?|5|6|y|apr1|argon2(?:id|i|d)|pbkdf2[\w-]*"
    rb"|scrypt)\$|\{(?:ssha|sha|md5|crypt|pbkdf2)\}",
    re.I,
)
_FILE_EXT = re.compile(
    rb"\.(?:pem|key|crt|cer|p12|pfx|jks|json|txt|ya?ml|env|ini|conf|cfg|toml|pub|der|gpg|asc)$",
    re.I,
)
_SEGMENTS = re.compile(rb"[-_.:/@]")
_LETTERS_THEN_DIGITS = re.compile(rb"[a-z]*\d*")
_WORD = re.compile(rb"(?=[a-z]*[aeiouy])[a-z]{3,}")  # three letters or more, a vowel among them
_VOWEL = re.compile(rb"[aeiouyAEIOUY]")
_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d|$)")
# a licence or product key: groups of four or five capitals and digits (`TQ7F-…-9425`)
_PRODUCT_KEY = re.compile(rb"[A-Z0-9]{4,5}(?:-[A-Z0-9]{4,5}){3,7}")
_CAMEL = re.compile(rb"(?:[a-z]{2,}|[A-Z][a-z]{2,})(?:[A-Z][a-z]{2,})+\d{0,4}")
_DOTTED_NAME = re.compile(rb"[A-Za-z_]\w{0,24}(?:\.[A-Za-z_]\w{0,24})+")  # settings.API_KEY
_WORDY = re.compile(rb"pass|secret|token|apikey|api_key|credential|private|bearer")
_NAME_SEPARATORS = re.compile(rb"[-_. ]|(?<=[a-z])(?=[A-Z])")  # and camelCase joins
# `$VAR`, `${VAR}`, `$(cmd)`; not `p@$$w0rd` (`$$` is a literal dollar in compose files)
_VARIABLE = re.compile(rb"(?<!\$)\$[{(A-Za-z_]")
_UNLEET = bytes.maketrans(b"013457@$!", b"oieastasi")  # s3cr3t, p@ssw0rd
_START_REFERENCE = (
    b"$", b"#{", b"{", b"<", b"[", b"/", b"./", b"../", b"~/", b"\\", b"ENC[", b"ENC(",
)  # fmt: skip
# %(name)s, %VAR%, %s; @VAR@ substitutions; a YAML alias, anchor or tag (only first)
_REFERENCE = re.compile(rb"%\(\w+\)[sdr]|%[\w.]+%|%[sdvr]|\A(?:[*&][\w-]+|![A-Za-z]+)|@\w+@")


def assignments(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    if _SEALED_SECRET in data:
        return  # a Bitnami SealedSecret manifest: its values are ciphertext
    secret_manifest = _is_secret_manifest(data)
    done: set[int] = set()
    for i in positions:
        # `cache_key`, `keyboard`: only api/access/private/… keys are secret names; any
        # other `key` (`aes_key`, `keyValue`) counts only when its value is key material
        plain_key = data[i : i + 3].lower() == b"key" and not _KEY_STEM.search(
            data, max(0, i - 12), i
        )
        before = data[max(0, i - _MAX_IDENT) : i].translate(_IDENT_MAP)
        start = i - len(before) + before.rfind(b" ") + 1
        if start in done:
            continue
        done.add(start)
        after = data[i : i + _MAX_IDENT].translate(_IDENT_MAP)
        end = i + (after.find(b" ") if b" " in after else len(after))
        # cheap, and most keyword hits are not assignments; bounded, as blanks may run on
        m = _ASSIGN.match(data, end, end + _ASSIGN_REACH)
        if m is not None and m["op"] == b",":
            rest = _GO_SECOND.match(data, m.start("op"))
            if rest is not None:  # `sealKey, _ := hex.DecodeString("…")`
                m = _ASSIGN.match(data, rest.end(), rest.end() + _ASSIGN_REACH)
        at = _list_at(data, start, end, m)
        if m is None and at < 0:
            continue
        name = data[start:end]
        secret_name = _is_secret_name(name)
        if (
            at >= 0
            and (secret_name or _is_key_name(name))
            and byte_arrays.names_key_bytes(name)
            and not _describes(data, start)
        ):
            found = byte_arrays.key_bytes(data, at)  # `Secret: []byte{17, 201, …}`
            if found is not None:
                yield found
                continue
        if at >= 0 and not secret_name and _names_tokens(name) and not _describes(data, start):
            found = _first_listed(data, at)  # `Tokens: []string{"11aa01…"}`
            if found is not None:
                yield found
            continue
        if m is None:
            continue
        if plain_key and not secret_name:  # `keystore_password` is read as a password
            if not _is_key_name(name) or _describes(data, start):
                continue
            found = _key_reading(data, m, _value_after(data, start, m), long_line=True)
            if found is not None:
                yield found
            continue
        if not secret_name or _describes(data, start):
            continue
        password = _is_password_name(name)
        # not in a note (`client_secret:…`, `${CLIENT_SECRET:?…}`): a value there must look random
        chosen = not password and not _tight_colon(data, m) and _names_chosen_secret(name)
        found = _value_after(data, start, m, password or chosen, _names_literal(name))
        if found is None and password and secret_manifest:
            found = _manifest_password(data, m, name)
        if found is None:
            found = _mapped_uuid(data, name, m)
        if found is None:  # a long line only for a key (`wrappedKey`), not a token's
            found = _key_reading(data, m, None, long_line=_is_key_name(name))
            if found is not None:
                yield found
            continue
        if _echoes_name(name, found.secret) and not (
            password
            and (
                _kebab_password(found.secret, name)  # `tern-password`
                or _the_word_itself(name, found.secret, quoted=bool(m["kq"]))
            )
        ):
            continue
        if (
            chosen
            and not looks_random(found.secret)
            and not _chosen_value(data, start, m, found, name)
        ):
            continue
        yield found


# a string's opening, maybe in parentheses: `("…"`, a triple quote, `"…`
_STRING_OPEN = re.compile(rb"(?:\([ \t]*)?(?P<q>\"\"\"|'''|[\"'`])")
# the next literal of a concatenation, on the next line: `"…"\n  "…"`, `"…" +\n  "…"`
# (each blank run is followed by what ends it, so a line of blanks costs linear time)
_NEXT_PIECE = re.compile(rb"[ \t]*(?:\+[ \t]*)?\r?\n[ \t]*(?:\+[ \t]*)?(?P<q>[\"'])")
_MAX_STRING = 4096
_INDENT = re.compile(rb"[ \t]*")
_MAX_LINES = 16
_PUBLIC_KEY = (b"ssh-", b"ecdsa-", b"sk-ssh-", b"sk-ecdsa-")


def _string_over_lines(
    data: bytes, m: re.Match[bytes], long_line: bool = False
) -> Candidate | None:
    """A string written over several lines, read whole (at most 16 lines, 4 KB): adjacent
    literals (`pkey = ("MIIE…"` then `"…")`, `"…" +` then `"…"`), a line ended by
    a backslash, a triple-quoted string, or a quote that spans lines (PHP, Ruby);
    with `long_line`, also one line longer than the one-line reading takes (a
    wrapped key of 344 characters). None when the string closes on its first line
    with nothing after it (the one-line reading has judged it), and for stand-ins
    (`…EXAMPLE…`) and public keys (`ssh-rsa …`). The caller judges the value."""
    if m["op"] not in (b"=", b":=", b":", b"=>"):
        return None
    o = _STRING_OPEN.match(data, m.end() - len(m["vq"]))
    if o is None:
        return None
    q = o["q"]
    in_parens = o[0].startswith(b"(")
    pos = first = o.end()
    limit = min(len(data), pos + _MAX_STRING)
    pieces: list[bytes] = []
    while True:
        if pos >= limit or len(pieces) == _MAX_LINES:
            return None  # no closing quote within reach
        end = min(limit, pos + _MAX_VALUE)  # a line of the string: as the one-line reading
        close = data.find(q, pos, end)
        line_end = data.find(b"\n", pos, close if close >= 0 else end)
        if close < 0 and line_end < 0 and long_line and not pieces:
            close = data.find(q, pos, limit)  # a key's one long line, up to 4 KB
            line_end = data.find(b"\n", pos, close if close >= 0 else limit)
        if line_end >= 0:
            close = -1  # the line ends first: the string goes on
        if close >= 0:
            pieces.append(data[pos:close])
            nxt = (  # bounded: blanks to the file's end cost one window, not the file
                None
                if len(q) == 3
                else _NEXT_PIECE.match(data, close + 1, min(limit, close + 1 + _MAX_VALUE))
            )
            # joined only in parentheses or by `+`: a JSON or YAML line's next key is not
            if nxt is None or nxt["q"] != q or not (in_parens or b"+" in nxt[0]):
                break
            pos = nxt.end()
            continue
        if line_end < 0:
            return None  # neither the string's end nor the line's within reach
        piece = data[pos:line_end].rstrip(b"\r")
        pieces.append(piece[:-1] if piece.endswith(b"\\") else piece)
        indent = _INDENT.match(data, line_end + 1, limit)  # not part of the value
        pos = indent.end() if indent is not None else limit
    if len(pieces) < 2 and not (long_line and len(pieces[0]) > _MAX_VALUE):
        return None
    value = b"".join(pieces)
    if value.startswith(_PUBLIC_KEY) or filters.is_placeholder(value, runs=False):
        return None
    return Candidate(first, first + len(pieces[0]), value)


def _key_reading(
    data: bytes, m: re.Match[bytes], one_line: Candidate | None, *, long_line: bool
) -> Candidate | None:
    """Key material after a key's name: the one-line reading (`_value_after`) when it
    holds key material, else the string written over lines. In that order: where the
    first piece is key material (`key = "Zm9v…=" +` then `"QWxh…=="`) it stays the
    secret, as earlier releases reported it, so ignore files made then still match."""
    if one_line is not None and _key_material(one_line.secret):
        return one_line
    found = _string_over_lines(data, m, long_line=long_line)
    return found if found is not None and _key_material(found.secret) else None


def _names_tokens(ident: bytes) -> bool:
    """`Tokens`, `device_tokens`, `api_secrets`: a list of tokens or secrets."""
    words = _WORD_SPLIT.findall(ident)
    return (
        bool(words)
        and words[-1].lower() in (b"tokens", b"secrets")
        and not any(w.lower() in _NOT_SECRET_WORDS and w.lower() != b"tokens" for w in words)
    )


# a list's opening and its first element's quote: `[]string{"`, `["`, `{'`, `%w[`
_LIST_OPEN = re.compile(rb"(?:\[\][\w.]{1,40}\{|[\w.]{0,40}\(\[?|\[|\{)[ \t]*(?P<q>[\"'])")


def _first_listed(data: bytes, at: int) -> Candidate | None:
    """The first string of a list under a plural name, when it looks random (device
    tokens, API secrets); lexers' token lists hold words and signs. Not hex of an
    MD5's or SHA-1's length (32, 40): in a list that is as often a digest (of a
    token, a file, a test's input); an APNs device token is 64 hex digits."""
    o = _LIST_OPEN.match(data, at)
    if o is None:
        return None
    close = data.find(o["q"], o.end(), o.end() + _MAX_VALUE)
    if close < 0:
        return None
    value = data[o.end() : close]
    if (
        any(c in value for c in b" \t\r\n\\")
        or not looks_random(value)
        or _word_like(value.lower())
        or (len(value) in (32, 40) and _HEX.fullmatch(value))
    ):
        return None
    return Candidate(o.end(), close, value)


# Go's second result, discarded or an error: `key, _ := …`, `secret, err = …`
_GO_SECOND = re.compile(rb",[ \t]*(?:_|err)[ \t]*(?=:?=[^=])")
# `uint8_t key[16] = {…}`: a C array's size after its name; `#define AESKEY {…}`
_C_ARRAY = re.compile(rb"(?:\[\w*\])+[ \t]*=[ \t]*")
_DEFINE = re.compile(rb"#[ \t]*define[ \t]+\Z")


def _list_at(data: bytes, start: int, end: int, m: re.Match[bytes] | None) -> int:
    """Where a list of numbers could follow the name `data[start:end]`: after its
    assignment, a C array's `[16] =`, or a `#define`; -1 where none can."""
    if m is not None:
        unquoted = not m["vq"] and m["op"] in (b"=", b":=", b":", b"=>")
        return m.end() if unquoted else -1
    c = _C_ARRAY.match(data, end)
    if c is not None:
        return c.end()
    if data[end : end + 1] in (b" ", b"\t") and _DEFINE.search(data, max(0, start - 12), start):
        return end + 1
    return -1


def _the_word_itself(name: bytes, value: bytes, *, quoted: bool) -> bool:
    """`password: 'password'`, `"Password": "Password"`, `'PASSWORD': 'password'`: the
    word itself is the password people set most, so under a password name it is not an
    echo of the name. Not under an unquoted constant in capitals (`PASSWORD =
    "password"`, an enum member naming the option)."""
    return value.lower() in _WEAK_PASSWORDS and (quoted or not name.isupper())


# a Kubernetes Secret, whose `data:` values are the base64 of the literal values
_SECRET_KIND = re.compile(rb"kind:[ \t]*Secret[ \t]*\r?$", re.M)  # a literal first: fast


def _is_secret_manifest(data: bytes) -> bool:
    """`kind: Secret` on a line of its own, at the top level of a YAML document."""
    return any(m.start() == 0 or data[m.start() - 1] == 0x0A for m in _SECRET_KIND.finditer(data))


_MANIFEST_PAIR = re.compile(
    rb":[ \t]+(?P<v>(?:[A-Za-z0-9+/]{4}){1,32}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)"
)


def _manifest_password(data: bytes, m: re.Match[bytes], name: bytes) -> Candidate | None:
    """`password: cGFzc3dvcmQ=` under `data:` in a `kind: Secret` manifest: the base64
    of a literal password, found when what it decodes to would be found written out."""
    v = _MANIFEST_PAIR.match(data, m.start())  # `: …=` reads as a type annotation too
    if v is None or not _ends_line(data, v.end()):
        return None
    import base64
    import binascii

    try:
        plain = base64.b64decode(v["v"], validate=True)
    except binascii.Error:
        return None
    if not all(32 < c < 127 for c in plain):
        return None  # not text: key material or ciphertext, not a typed password
    if _echoes_name(name, plain) and not _the_word_itself(name, plain, quoted=False):
        return None
    if not (is_literal_password(plain) or _weak_password(plain)):
        return None
    return Candidate(v.start("v"), v.end(), v["v"])


_B64_BODY = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")


def _is_key_name(ident: bytes) -> bool:
    """`key`, `aesKey`, `keyValue`, `$key`, `wrapped_key`: `key` a word of the name
    (not `keyboard`), or the end of its last word (`loggedinkey`, `noncekey`: names
    written in one run; a `monkey` holds no key material), and nothing saying it is
    something else (`key_id`, `cache_key_prefix`)."""
    words = [w.lower() for w in _WORD_SPLIT.findall(ident.strip(b".-_"))]
    if not words or words[-1] in _LAST_NOT_SECRET or ident.lower().endswith(b"key_id"):
        return False
    if b"key" not in words and (not words[-1].endswith(b"key") or words[-1][:-3] in _NOT_KEY_RUNS):
        return False
    return not any(w in _NOT_SECRET_WORDS or w in _NOT_KEY_WORDS for w in words)


# one-run names of keys that are not secret: `pubkey`, `hotkey`, `sortkey`
_NOT_KEY_RUNS = frozenset(b"pub public hot sort primary foreign partition row hash cache".split())


# keys that are not cryptographic: map and cache keys, keyboard and sort keys
_NOT_KEY_WORDS = frozenset(
    b"cache map dict sort primary foreign partition row hash lookup index group public publishable"
    b" site verify verification"
    b" encrypted".split()  # `encryptedKey`: ciphertext, which opens nothing without its own key
)


def _key_material(value: bytes) -> bool:
    """What a key is written as: base64 with its `+`, `/` or `=` padding
    (`e/ACMnCbFqab+v/cCIv3gA==`), or 32 characters or more of mixed case and
    digits. Not hex: a `key` of hex digits is as often a digest or an id.

    Also a key typed as printable characters, 24 or more with letters of both
    cases, digits and signs (`h8Rk#2v!Lq@9WzPe…`: what key generators print for
    an AES key), lower-case base 36 (`_lower_key`), and a licence key's groups
    (`TQ7F-9XKD-…`)."""
    if _JENKINS_SECRET.match(value):
        return False  # ciphertext
    if _PRODUCT_KEY.fullmatch(value):
        return True
    if len(value) >= 24 and not _PIN.match(value) and _typed_key(value):
        return True
    if _lower_key(value):
        return True
    if not _B64_BODY.fullmatch(value) or filters.entropy(value) < 3.5:
        return False
    if _names_a_path(value):
        return False
    if any(c in value for c in b"+/=") and not value.isalnum():
        return True
    return (
        len(value) >= 32
        and any(65 <= c <= 90 for c in value)  # upper case
        and any(97 <= c <= 122 for c in value)  # lower case
        and any(48 <= c <= 57 for c in value)  # digits
    )


_DIGIT_RUNS = re.compile(rb"\d+")
_SIGNS = re.compile(rb"[^A-Za-z0-9]+")


def _lower_key(value: bytes) -> bool:
    """20 lower-case letters and digits or more, the digits in three runs or more
    (`mvnbxcqwe4rt921yu55op8`): typed or generated in base 36. Not hex (a digest),
    and not words with a number (`_word_like`: `looks_random` has ruled those out)."""
    return (
        len(value) >= 20
        and value.isalnum()
        and value.islower()
        and len(_DIGIT_RUNS.findall(value)) >= 3
        and not _HEX.fullmatch(value)
    )


def _typed_key(value: bytes) -> bool:
    """Four classes (lower, upper, digit, sign), no blank, 4.5 bits a character, and
    not words joined by signs (`the!quick-Brown-fox-1`: a phrase, a name)."""
    parts = [p for p in _SIGNS.split(value) if p]
    return (
        not all(_name_part(p) for p in parts)
        and any(97 <= c <= 122 for c in value)
        and any(65 <= c <= 90 for c in value)
        and any(48 <= c <= 57 for c in value)
        and not value.isalnum()
        and all(33 <= c < 127 for c in value)
        and filters.entropy(value) >= 4.5
    )


# `sha256/…=`: a certificate or public-key pin (HPKP, OkHttp), the hash of a public key
_PIN = re.compile(rb"(?i:sha(?:1|256|384|512))/")
_PATH_PARTS = re.compile(rb"[-_/]")


def _names_a_path(value: bytes) -> bool:
    """`projects/my-project/locations/global/keyRings/main/cryptoKeys/sops`,
    `sessions/ActiveUsers/ByRegion`, `SomeLongCamelCaseValueThatIsNotAKey123`, a
    `sha256/` pin: a resource path or a name, whose `/`, `-`, `_` parts are all words,
    identifiers or camelCase (base64 key material mixes cases and digits within a part)."""
    if _PIN.match(value):
        return True
    parts = [p for p in _PATH_PARTS.split(value) if p]
    return bool(parts) and all(_name_part(p) for p in parts)


def _name_part(part: bytes) -> bool:
    """`global`, `v2`, `MAIN`, `keyRings`, `NotAKey123`: a word or identifier in one
    case with digits after it, or camelCase words each with a vowel (or an acronym)."""
    if (part.islower() or part.isupper() or part.istitle()) and _LETTERS_THEN_DIGITS.fullmatch(
        part.lower()
    ):
        return True
    words = _WORD_SPLIT.findall(part)
    if b"".join(words) != part or any(w.isdigit() for w in words[:-1]):
        return False  # digits between letters: `Ab12Cd`, random
    return all(w.isdigit() or _VOWEL.search(w) or (w.isupper() and len(w) <= 4) for w in words)


def _describes(data: bytes, start: int) -> bool:
    """Documentation or a public badge, not a credential: `Example password: …`,
    `badge.svg?token=…` (codecov's graph tokens are public)."""
    line_start = data.rfind(b"\n", max(0, start - _LOOK_BACK), start) + 1
    head = data[max(line_start, start - _LOOK_BACK) : start].lower()
    return _EXAMPLE_WORD.search(head) is not None or head.endswith((b".svg?", b".png?"))


# "example" as a word of the text, not the domain of an e-mail address
# (`id:ops@example.com pw:…` is a note with an account in it)
_EXAMPLE_WORD = re.compile(rb"(?<![@.])example")


def _echoes_name(ident: bytes, value: bytes) -> bool:
    """`"DeleteAccessKey": "iam:DeleteAccessKey"`, `api_key: API_KEY`: the value names
    the variable (an IAM action, a setting's own name), it does not hold a secret."""
    name = ident.strip(b"\"'.-_").lower().replace(b"_", b"").replace(b"-", b"")
    flat = value.lower().replace(b"_", b"").replace(b"-", b"")
    if len(name) >= 4 and name in flat:
        # the name, numbered or among other words; not `password = "mypassword1"`,
        # where one run of characters is a password someone chose
        return flat.rstrip(b"0123456789") == name or not value.isalnum()
    last = _WORD_SPLIT.findall(ident)[-1].lower() if _WORD_SPLIT.search(ident) else b""
    return len(flat) >= 4 and flat in last and flat != last[: len(flat)]  # passphrase: 'phrase'


# WordPress's authentication salts (`AUTH_SALT`, `SECURE_AUTH_SALT`, `LOGGED_IN_SALT`,
# `NONCE_SALT`, also lower-cased in one run as a Kubernetes secret's keys) are not
# salts in the hashing sense: with its keys they sign the login cookies, and whoever
# holds them can forge one. Any other salt is not a secret (`_NOT_SECRET_WORDS`).
_COOKIE_SALTS = frozenset([b"authsalt", b"secureauthsalt", b"loggedinsalt", b"noncesalt"])


def _is_secret_name(ident: bytes) -> bool:
    ident = ident.strip(b".-_")
    words = _name_words(ident)
    if not words:
        return False
    if b"".join(words) in _COOKIE_SALTS:
        return True
    if _SECRET_NAME.search(b"".join(words)) is None and not any(
        w in _SHORT_PASSWORD or _PASSWORD_SPELLING.fullmatch(w) for w in words
    ):
        return False
    if words[-1] in _LAST_NOT_SECRET or ident.lower().endswith(b"key_id"):
        return False
    if _PASSWORD_WORD.search(words[-1]):  # `dbSchemaPassword`: which password it is
        return not any(
            w in _NOT_SECRET_WORDS and w not in _WHICH_ONE and w not in _CONFIRMING for w in words
        )
    return not any(w in _NOT_SECRET_WORDS for w in words)


def _chosen_secret(value: bytes) -> bool:
    """A literal for a secret or token that is not a word or a name: `ji4brixbiub3`,
    `v1.1f699f1069f60`; not `unicorn`, `from_secret: docker_username`, `new-cluster`,
    `keyboardCat`. (For passwords, words count too: people choose them as passwords;
    a `token` is as often a lexer's, a placeholder's or a cluster's name.)"""
    return not (
        _bare_word(value)
        or _SNAKE_NAME.fullmatch(value)
        or _word_like(value.lower())
        or _CAMEL.fullmatch(value)
    )


def _names_literal(ident: bytes) -> bool:
    """`client_secret`, `CookieSecret`, `csrf-token`, `api_key`, `AccessKey`: a name
    for a secret, token or API key itself (a literal assigned to it is one), not
    `secret_name` or `token_type` (the last word decides)."""
    words = [w.lower() for w in _WORD_SPLIT.findall(ident)]
    if not words:
        return False
    last = words[-1]
    if last in (b"secret", b"token"):
        return True
    if last == b"key":
        return len(words) > 1 and _KEY_STEM.search(words[-2]) is not None
    return last.endswith(b"key") and _SECRET_NAME.fullmatch(last) is not None  # `apikey`


# before `secret`, `token` or `key`: whose credential it is, which makes the name
# say "a credential" as plainly as `password` does
_OWNER_WORDS = frozenset(
    b"""client consumer cookie jwt oauth session api access app auth bearer refresh
    secret signing encryption master shared hmac webhook bot personal deploy admin
    service integration private csrf xsrf token""".split()
)


def _names_chosen_secret(ident: bytes) -> bool:
    """`client_secret`, `CookieSecret`, `config.JWT.Secret`, `oauth_token_secret`,
    `access_token`, `SECRET_KEY`: a credential named for whose it is. Like a password,
    whatever literal it holds is the credential (`"gorpwhistle"`), unless a stand-in,
    reference or name. Not a bare `token` or `secret` (a lexer's token, a Kubernetes
    secret's name), nor other keys (`signing_key: "rotate"`): a key is generated,
    not chosen, so a word there is a mode or a name."""
    words = [w.lower() for w in _WORD_SPLIT.findall(ident)]
    if len(words) < 2 or words[-2] not in _OWNER_WORDS:
        return False
    if words[-2:] == [b"secret", b"key"]:  # not `clusterSecretKey`: a key inside a secret
        return len(words) == 2 or words[-3] in _OWNER_WORDS
    return words[-1] in (b"secret", b"token")


# what an owned credential holds when it is not secret: OAuth 1.0's anonymous consumer
_ROLE_WORDS = frozenset(b"anonymous guest public".split())
_FORMAT = re.compile(rb"%[-+ #0-9.]*[a-zA-Z]")  # `"Api-Key=9081%s"`: a format string


def _chosen_value(
    data: bytes, start: int, m: re.Match[bytes], found: Candidate, name: bytes
) -> bool:
    """What a credential named for its owner (`_names_chosen_secret`) may hold beyond
    random-looking values: one run of letters (`"gorpwhistle"`, `"quuxfrobnitz"`), or a
    literal that is not a word or a name (`_chosen_secret`). Not words and numbers
    joined (`some-key`, `bar123`, `key:session:token`), a number, a role word
    (`anonymous`), a format string, a stand-in for the name's own credential
    (`_owned_stand_in`), or unquoted a bare word (`authKey: auth`) except in a
    `.env` line (`JWT_SECRET=supersecretvalue`)."""
    value = found.secret
    if filters.is_uuid(value):
        return True  # the one-line reading has judged the name (`api_token`: a UUID token)
    if not is_literal_password(value) or _owned_stand_in(name, value):
        return False  # a stand-in, placeholder, reference or name (`changeme`, `secret2`)
    quoted = data[found.start - 1 : found.start] in (b'"', b"'", b"`") or (
        m["op"] == b"=" and _setting_line(data, start - len(m["kq"]), m)
    )
    if value.lower() in _ROLE_WORDS or _FORMAT.search(value):
        return False
    if value.lstrip(b"-+").isdigit() or _HEX_NUMBER.fullmatch(value.lstrip(b"-+")):
        return False
    if value.isalpha():
        return quoted or not _bare_word(value)
    return _chosen_secret(value)


_CREDENTIAL_NOUNS = (b"secret", b"token", b"key")
# what a development setting holds until a real one is set: `insecure`, `development`
_DEV_WORDS = frozenset(b"insecure development develop devel dev local localdev".split())
# the words around a credential's own word in a stand-in: `secretvalue`, `apitoken`
_FILLER_WORDS = _DEV_WORDS | frozenset(
    b"""value val here test testing demo sample example dummy fake placeholder default
    my your our the a not no api app for""".split()
)
_LETTER_RUNS = re.compile(rb"[a-z]+")


def _owned_stand_in(name: bytes, value: bytes) -> bool:
    """`client_secret: "secretvalue"`, `access_token = "apitoken"`, `SECRET_KEY =
    "devsecret"`: the name's own credential word with filler words around it
    (`value`, `api`, `dev`, `test`, `not`) says what goes there rather than being
    it; so do a development setting's words alone (`insecure`, `development`) and a
    negation (`notreal`, `not-a-secret`). Not a word of its own around it
    (`supersecretvalue` stays a chosen value)."""
    low = value.lower()
    plain = low.translate(_UNLEET)
    named = name.lower()
    for word in _CREDENTIAL_NOUNS:
        if word in named and word in plain:
            rest = _LETTER_RUNS.findall(plain.replace(word, b" "))
            if all(part in _FILLER_WORDS for part in rest):
                return True
    return plain.strip(b"-_.") in _DEV_WORDS or (low.startswith(b"not") and low[3:4] != b"e")


def _tight_colon(data: bytes, m: re.Match[bytes]) -> bool:
    """`name:value` with nothing around the colon: a note or a substitution's default."""
    op = m.start("op")
    return m["op"] == b":" and not m["kq"] and data[op + 1 : op + 2] not in (b" ", b"\t")


# what says a token or key is a credential rather than a request's or change's id
_CREDENTIAL_WORDS = frozenset(
    b"""api auth access bearer session refresh secret private personal service bot deploy
    admin master integration webhook shared signing""".split()
)


def _credential_uuid_name(ident: bytes) -> bool:
    """Whether a UUID assigned to this name is a credential: `api_token`,
    `access_token`, `heroku_api_key`. Not a bare `token` or `secret` (in code as
    often a test's or a record's id), nor `ClientRequestToken`, `ClientToken`,
    `ChangeToken`, `LifecycleActionToken`: idempotency and change tokens are UUIDs
    too, and so are application (client) ids."""
    words = [w.lower() for w in _WORD_SPLIT.findall(ident)]
    return len(words) > 1 and words[-2] in _CREDENTIAL_WORDS


def _mapped_uuid(data: bytes, name: bytes, m: re.Match[bytes]) -> Candidate | None:
    """A quoted UUID in a mapping under a bare `token` or `secret` (`token:
    '6be4bf6e-…'`, `"secret" => "7488a646-…"`): a setting holding a credential
    (npm, Heroku and many services issue UUID tokens). Not a variable (`token =
    "…"`), in code as often a test's or a record's id."""
    if m["op"] not in (b":", b"=>") or not m["vq"] or name.lower() not in (b"token", b"secret"):
        return None
    u = filters.UUID.match(data, m.end())
    if u is None or data[u.end() : u.end() + 1] != m["vq"] or filters.is_placeholder(u[0]):
        return None
    return Candidate(u.start(), u.end(), u[0])


def _is_password_name(ident: bytes) -> bool:
    """`db_password`, `PGPASSWD`, `smtp_pw`, `passphrase`: a name for a password as such."""
    words = _name_words(ident)
    if not words or words[0] in _VERBS or _NAMES_THE_FLAG.intersection(words):
        return False
    return _PASSWORD_WORD.search(words[-1]) is not None


# `password_confirmation`, `confirmPassword`, `password_again`: the password typed twice
_CONFIRMING = frozenset(b"confirm confirmation confirmed again repeat repeated".split())


# `MYSQLPASS`, `DBPASS`, `ROOTPASS`: a name in capitals with whose password it is run
# into PASS: a database, server, service or account. Not any word before PASS: the
# English words ending in it (`BYPASS`, `COMPASS`), signal processing's and
# graphics' passes (`LOWPASS`, `RENDERPASS`, `SUBPASS`), `SSH_ASKPASS` (the program
# that asks).
_PASS_COMPOUND = re.compile(
    rb"(?:DB|SQL|MYSQL|PG|PGSQL|POSTGRES|MARIADB|MONGO|MONGODB|ORACLE|MSSQL|REDIS|RABBIT"
    rb"|RABBITMQ|AMQP|MQTT|ROOT|ADMIN|SU|USER|APP|API|WEB|HTTP|PROXY|SMTP|MAIL|IMAP|POP"
    rb"|FTP|SFTP|SSH|LDAP|BIND|DN|VNC|RDP|WIFI|WPA|KEY|STORE|TRUST|DEPLOY|BACKUP)PASS"
)


def _name_words(ident: bytes) -> list[bytes]:
    """The name's words, lower-cased, as the password checks read them:
    `dbSchemaPassword` is db, schema, password; `MYSQLPASS` is mysql, pass;
    `password_confirmation` is password (`_password_again`)."""
    raw = _WORD_SPLIT.findall(ident)
    words = [w.lower() for w in raw]
    if raw and _PASS_COMPOUND.fullmatch(raw[-1]):
        words[-1:] = [words[-1][:-4], b"pass"]
    return _password_again(words)


def _password_again(words: list[bytes]) -> list[bytes]:
    """The name's words without a confirmation after a password word
    (`password_confirmation` is named as `password` is: it holds the same password)."""
    if len(words) > 1 and words[-1] in _CONFIRMING and _PASSWORD_WORD.search(words[-2]):
        return words[:-1]
    return words


def _value_after(
    data: bytes, start: int, m: re.Match[bytes], password: bool = False, literal: bool = False
) -> Candidate | None:
    op = m["op"]
    quote = m["vq"]
    kq = m["kq"]
    if kq == b"\\" or quote == b"\\":
        return None
    vs = m.end()
    if not quote and op in (b"=", b":=", b":", b"=>"):
        wrapped = _DECODED.match(data, vs)
        if wrapped is not None:  # `secret = hex.DecodeString("…")`: the literal, decoded
            quote, vs = wrapped["q"], wrapped.end()
    line_start = data.rfind(b"\n", max(0, start - _LOOK_BACK), start) + 1
    if kq and data[max(0, start - len(kq)) : start] != kq:
        return None  # the tail of a longer string: "AWS::ApiGateway::ApiKey", "my secret"
    if kq and data[max(0, start - len(kq) - 2) : start - len(kq)].strip() == b"?":
        return None  # `cond ? 'pass' : 'fail'`: a ternary, not a mapping
    if not m["kq"] and b"]" in data[m.start() : m.start("op") if op else m.start("ann")]:
        return None  # `table[token] = …`: the name is a variable used as an index
    key_quoted = bool(m["kq"])
    if (
        op == b":"
        and not key_quoted
        and not quote
        and data[m.start("op") + 1 : m.start("op") + 2] not in (b" ", b"\t")
    ):
        if password or literal:
            return _document_pair(data, start, m.end(), password)
        return None  # `a:secret:b` (ARNs, URNs), not a `key: value` mapping
    if op == b">" and not (start > 0 and data[start - 1 : start] == b"<"):
        return None
    if op in (b",", b"(", b"==", b"===") and not quote:
        return None
    if (
        op
        and op.lstrip(b") \t") in (b"||", b"??", b"or")
        and not (
            quote
            and (
                _FALLBACK_FROM.search(data, max(line_start, start - len(kq) - 40), start - len(kq))
                or b"env." in data[start : m.start()].lower()
            )
        )
    ):
        return None  # `a || "…"` is a value only as an environment variable's fallback
    if op in (b"==", b"===") and not _ASSERTION.search(
        data, max(line_start, start - _ASSERTION_BACK), start
    ):
        return None  # `if pw == "bearer"` tests a mode; `assert pw == "…"` states the password
    if op == b"," and not (
        key_quoted
        or (password and _CONSTANT_ARGUMENT.match(data, start))
        or _SYMBOL.match(data, max(0, start - 2), start)
    ):
        return None  # `f(password, "…")`: a variable, then another argument
    if op == b"," and _CHECKING_CALL.search(data, max(0, start - len(kq) - 40), start - len(kq)):
        return None  # `HashPassword("password", "…")`: the argument is checked, not kept
    if quote:
        line_end = data.find(b"\n", vs, vs + _MAX_VALUE)
        close = data.find(quote, vs, line_end if line_end >= 0 else vs + _MAX_VALUE)
        if close < 0:
            return None
        value = data[vs:close]
        if value.endswith(b"\\n"):
            value = value[:-2]  # `"…\n"`: a YAML/JSON string ending in a newline
        if any(c in value for c in b" \t\\"):
            return None
    else:
        u = _UNQUOTED.match(data, vs)
        if u is None:
            return None
        value = u.group()
        if data[u.end() : u.end() + 1] == b"&" and data[u.end() + 1 : u.end() + 2] in _BLANK:
            value += b"&"  # `pw: Summer1999&` ends the line: not a URL query's separator
        elif password and data[u.end() : u.end() + 1] in (b"'", b'"'):
            inner = _PLAIN_SCALAR.match(data, vs)  # `password: 1t'sMyP4ss`: YAML text
            if (
                inner is not None
                and _ends_line(data, inner.end())
                and _setting_line(data, start - len(kq), m)
            ):
                value = inner.group()
        if op == b">":
            value = value.split(b"<", 1)[0]
        if _SETTING.match(value):
            return None  # `A= B=c`: the value is empty, the next word a setting
        setting = _setting_line(data, start - len(kq), m)
        # on a setting's line, TitleCase words are a password (`dspassword=MintHarbor`);
        # lowerCamel may be a variable (`pw=promiseWarning`)
        titled = setting and value[:1].isupper()
        if (
            password
            and op in (b"=", b":")
            and (
                is_literal_password(value, password_name=titled)
                or (_weak_password(value) and not _commented(data, line_start, start))
                or (
                    _kebab_password(value, data[start : m.start()])
                    and _setting_line(data, start - len(kq), m, blanks=True)
                    and not _commented(data, line_start, start)
                )
            )
            and b"=" not in value
            and not (_CAMEL.fullmatch(value) and value.isalpha() and not titled)
            # `password: vault_db_password`: a name; in an .env line it is the text itself
            and not (_SNAKE_NAME.fullmatch(value) and not (setting and op == b"="))
            and (not _bare_word(value) or value.lower() in _DEFAULT_PASSWORDS or setting)
            and _ends_setting(data, start - len(kq), vs + len(value))
        ):
            return Candidate(vs, vs + len(value), value)  # `password: mysql` in config
        if not _plausible_unquoted(value, data[u.end() : u.end() + 1]):
            return None
    if _FORM_LABEL.fullmatch(value):
        return None  # `label :password_confirmation, 'Confirm*'`: a form's label
    if (
        literal
        and (
            quote or (_setting_line(data, start - len(kq), m) and _ends_line(data, vs + len(value)))
        )
        and filters.is_uuid(value)
        and _credential_uuid_name(data[start : m.start()])
        and not filters.is_placeholder(value)
    ):
        return Candidate(vs, vs + len(value), value)  # npm, Heroku, codecov tokens are UUIDs
    if not looks_random(value) and not (
        quote
        and (
            op not in (b",", b"(", b">")
            or _SETTER.search(data, max(0, start - 8), start + 1)
            or (op == b"," and _env_default(data, line_start, start - len(kq)))
        )
        and (
            (
                password
                and (
                    is_literal_password(value, password_name=True)
                    or _kebab_password(value, data[start : m.start()])
                    or _weak_password(value)
                )
                and (op in (b"==", b"===") or not _in_assertion(data, line_start, start))
            )
            or (literal and _chosen_secret(value) and is_literal_password(value))
        )
    ):
        return None
    return Candidate(vs, vs + len(value), value)


def _env_default(data: bytes, line_start: int, key_start: int) -> bool:
    """`os.environ.get('ADMIN_PASSWORD', '…')`, `getenv("DB_PASS", "…")`: the second
    argument of an environment lookup is the password used whenever it is unset."""
    return _FALLBACK_FROM.search(data, max(line_start, key_start - 40), key_start) is not None


def _in_assertion(data: bytes, line_start: int, start: int) -> bool:
    """`assertEqual(out, '{"password": "secret"}')`, `assert_file f, [~r/password: "…"/]`:
    the name is inside what a test compares, an expected output rather than a setting."""
    return _ASSERTION.search(data, max(line_start, start - _ASSERTION_BACK), start) is not None


def _commented(data: bytes, line_start: int, start: int) -> bool:
    """`# Password: Test`: the name is in a comment, where a bare word is as often prose."""
    return data[max(line_start, start - _LOOK_BACK) : start].lstrip().startswith(_COMMENT_MARKS)


_COMMENT_MARKS = (b"#", b"//", b";", b"/*", b"*", b"--", b"<!--")


# Weak passwords people set, which as words elsewhere are stand-ins or placeholders:
# the words for a password, and the defaults products ship (Elasticsearch's `changeme`,
# the Java keystore's `changeit`) or people reach for first.
_WEAK_PASSWORDS = frozenset(
    b"password passwd secret passphrase changeme changeit qwerty test letmein".split()
)
# what people put before the word: `myPassword`, `SomeSecret`, `topsecret` (not `new`,
# `default`: `newPassword`, `defaultPassword` name a field)
_OWNERS = (b"my", b"some", b"top", b"super", b"very")
_WEAK_SHAPE = re.compile(rb"!?([a-z@$0-9]+)!?")  # trailing digits stripped in code


def _weak_password(value: bytes) -> bool:
    """A weak password people really set that elsewhere reads as a stand-in: the word
    "password" or "secret" however spelled, numbered or owned (`secret2`, `s3cr3t`,
    `myPassword`, `SomePassword1`, `!ChangeMe!`), and the defaults products ship
    (`changeme`, `changeit`, `qwerty`, `test`). Assigned to a password name it counts
    (a committed password is a leak whatever its strength) where it is set: quoted,
    or a setting's value outside a comment, and not inside what a test compares.

    The whole value, so not `your-password-here`, `password_hash`, `*passwd` or
    `secret!!!` (a word stressed, as documentation writes it). Still not a password:
    the name numbered (`passphrase: passphrase2`, `_echoes_name`), an absence or a
    type, a mask (`xxxxxxxx`), what a test checks (`wrong`, `invalid`), and words
    addressed to the reader (`your-password`)."""
    m = _WEAK_SHAPE.fullmatch(value.lower())
    if m is None:
        return False
    word = m[1].rstrip(b"0123456789").translate(_UNLEET).rstrip(b"0123456789")
    for owner in _OWNERS:
        if word.startswith(owner) and word[len(owner) :] in _WEAK_PASSWORDS:
            return True
    return word in _WEAK_PASSWORDS


_KEBAB = re.compile(rb"[a-z0-9]+(?:-[a-z0-9]+)+")
# words that make a joined value a placeholder: addressed to the reader (`my-db-password`,
# `your-password`), stressing the word (`super-secret-password`), or saying it is a
# stand-in (`test-db-password`, `dummy-password`)
_STAND_IN_PARTS = frozenset(
    b"my your our super top very some secret new old test dummy fake example sample".split()
)


def _kebab_password(value: bytes, name: bytes) -> bool:
    """`tern-password`, `relay-pass`: a lower-case kebab-case value ending in the
    password word, under a password name, is the password a fixture or a sample
    config sets, named after what it opens.

    Not when a word is addressed to the reader, stresses the word or says it is a
    stand-in (`my-db-password`, `s3cr3t-pw`, `test-db-password`), nor when its other
    words are the name's own (`HTTPS_KEYSTORE_PASSWORD = "keystore-password"`,
    `SSH_PASSPHRASE: "ssh-pass"`: a constant naming a setting). A snake_case value
    (`harbor_db_password`) stays a variable's name.
    """
    if not _KEBAB.fullmatch(value):
        return False
    parts = value.split(b"-")
    if not _PASSWORD_WORD.search(parts[-1]):
        return False
    if _STAND_IN_PARTS.intersection(p.translate(_UNLEET) for p in parts):
        return False
    named = {w.lower() for w in _WORD_SPLIT.findall(name)}
    return not named.issuperset(p for p in parts if not _PASSWORD_WORD.search(p))


def is_literal_password(value: bytes, *, password_name: bool = False) -> bool:
    """`looks_like_password`, and not the name of one (`my-db-password`, `YOUR_TOKEN`)."""
    return looks_like_password(value, password_name=password_name) and not names_a_secret(value)


def names_a_secret(value: bytes) -> bool:
    """`db_password`, `my-db-password`, `client_key_passphrase`, `yourpassword`: the
    name of a setting, or words addressed to the reader, where a value would go.

    Words joined by separators with a secret word among them name something; one
    run of characters (`correctpassword`, `s0meth1ngs3cr3t`, `Passw0rd`) is a password
    someone chose, however much it says so.
    """
    low = value.lower().translate(_UNLEET)
    if low.startswith(b"your"):
        return True
    parts = [p.lower().translate(_UNLEET) for p in _NAME_SEPARATORS.split(value) if p]
    return (
        len(parts) > 1 and all(p.isalnum() for p in parts) and any(_WORDY.search(p) for p in parts)
    )


# where a setting's line starts: indentation, a list dash, `export`, `-e`, a comment mark
_LINE_HEAD = re.compile(rb"[ \t]*(?:(?:#|//|;)[ \t]*)?(?:-[ \t]+|export[ \t]+|-e[ \t]+)?[\"']?\Z")


def _setting_line(data: bytes, key_start: int, m: re.Match[bytes], *, blanks: bool = False) -> bool:
    """`POSTGRES_PASSWORD=gitea`, `  password: hello`: a setting on a line of its own
    in a config file, .env file or compose list, where a bare word is the value itself.

    In code a bare word after `=` is a variable (`password = line`), so `=` counts
    only as .env and properties files write it, with nothing between name and value;
    with `blanks`, also as INI files write it (`password = relay-password`), for
    values code cannot hold.
    """
    window = max(0, key_start - _LOOK_BACK)
    line_start = data.rfind(b"\n", window, key_start) + 1
    if line_start == 0 and window > 0:
        return False  # no line start within reach: not a setting on a line of its own
    if not _LINE_HEAD.match(data, line_start, key_start):
        return False
    if m["op"] == b"=":
        return blanks or (m.start("op") == m.end("kq") and m.end() == m.end("op"))
    return m["op"] == b":"


def _ends_setting(data: bytes, key_start: int, i: int) -> bool:
    """The value ends its line, the string the whole setting is quoted in
    (`- "DB_PASSWD=gitea"`, `-e "SA_PASSWORD=…"`), or a connection string's pair
    (`User=sa;Password=…;`)."""
    if _ends_line(data, i):
        return True
    after = data[i : i + 1]
    before = data[key_start - 1 : key_start]
    if before == b";" and after in (b";", b'"', b"'"):
        return True
    return after in (b'"', b"'") and before == after


def _document_pair(data: bytes, start: int, vs: int, password: bool) -> Candidate | None:
    """`pw:IhqSb1Gg`, `Username:admin Password:Rq8#tz`, `token:AIhq5Xyb1Gga` in notes
    and tickets: the name, a colon, the value, then a blank, `)`, `,`, `<` (the end of
    an XML element's text: `<Value>My password:Rq8#tz</Value>`) or the line's end.
    A leading `!` is part of the value (`pw:!Rq8#tz`: not a YAML tag without a blank).

    Not `a:password:b` (an ARN, a URN, a key path) and not a word or a name
    (`password:password`, `password:str`): only a value no prose would hold,
    with a digit or a sign in it; for a secret or token, one that looks random.
    """
    if data[start - 1 : start] == b":":
        return None
    u = _DOC_VALUE.match(data, vs)
    if u is None:
        return None
    value = u.group()
    # `pw:!Dd5…`: with no blank after the colon this is not a YAML tag
    literal = value[1:] if value.startswith(b"!") and len(value) > 1 else value
    if (
        not is_literal_password(literal)
        or literal.isalpha()
        or _SNAKE_NAME.fullmatch(literal)
        or data[u.end() : u.end() + 1] not in _DOC_VALUE_END
        or not (password or looks_random(value))
    ):
        return None
    return Candidate(vs, u.end(), value)


def _ends_line(data: bytes, i: int) -> bool:
    """Only blanks, or a comment, follow: the value is the whole right-hand side."""
    line = data[i : i + 200].split(b"\n", 1)[0]
    rest = line.strip()
    if rest == b"\\":
        return True  # a shell line continued: `-e DB_PASSWORD=… \`
    return not rest or (line[:1] in (b" ", b"\t") and rest.startswith((b"#", b"//", b";")))


def looks_like_literal_password(value: bytes) -> bool:
    """A password where prose could stand too (`--password options`, `identified by
    name`): a bare word counts only if it is a well-known default password."""
    return looks_like_password(value) and (
        not _bare_word(value) or value.lower() in _DEFAULT_PASSWORDS
    )


def _bare_word(value: bytes) -> bool:
    """`render`, `Options`: one word as prose writes it (random letters mix cases)."""
    return value.isalpha() and (value.islower() or value.istitle() or value.isupper())


def looks_like_password(value: bytes, *, password_name: bool = False) -> bool:
    """A literal that can only be a password, however weak: not a stand-in,
    reference, expression, type name, path, hash or validation rule.

    A committed password is a leak whatever its strength, so unlike
    `looks_random` this accepts `mysql` or `Passw0rd`; what it rejects is
    what people write where no password is: `${DB_PASSWORD}`, `password`,
    `string`, `DB_PASSWORD`, `settings.password`, `required|min:8`.

    `password_name`: the value is a quoted literal assigned to a password name, where
    two camelCase words are a password (`reefLantern`), not a phrase (`_phrase`).
    """
    n = len(value)
    if n < 4 or n > 128 or value.startswith(_START_REFERENCE) or _REFERENCE.search(value):
        return False
    if value.startswith(b"--") or (value.isalpha() and value.isupper() and not password_name):
        return False  # `NO_PWD="--no-password"`: a flag; `--password PASS`: a metavariable
    if any(c >= 128 for c in value) and not (password_name and _typed_symbols(value)):
        return False  # words in another script: a label or message, not a password
    low = value.lower()
    if (
        _stand_in(low)
        or _SAYS_PASSWORD.search(low)
        or low.strip(b"_-.*#x") == b""
        or filters.is_placeholder(value)
    ):
        return False
    return not (
        (value.isdigit() and n < 6)
        or _HEX_NUMBER.fullmatch(value)
        or _JENKINS_SECRET.match(value)
        or any(c in value for c in b"|(){}<>")
        or _VARIABLE.search(value)
        or b"://" in value
        or _ENV_NAME.fullmatch(value)
        or _DOTTED_NAME.fullmatch(value)
        or _HASH_PREFIX.match(value)
        or _FILE_EXT.search(value)
        or filters.is_uuid(value)
        or _TIMESTAMP.match(value)
        or _VERSION.fullmatch(value)
        or _SCHEME_PATH.match(value)
        or _COLOUR.fullmatch(value)
        or _PERCENT_WORDS.search(value)
        or (_CAMEL_JOIN.search(value) and _word_case(value) and _phrase(value, password_name))
    )


def _typed_symbols(value: bytes) -> bool:
    """`marlin7🐬`: what is not ASCII is symbols or emoji (Unicode category S,
    with emoji's joiner and variation selector), as a password mixes them in. Not a
    letter of another script, not even one (`Lykilorð`, `Şifrə`: "password"
    translated in a locale file; `Пароль2024`: a label), nor bytes that are not
    UTF-8 (in Latin-1 they are letters)."""
    import unicodedata

    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(
        ord(ch) < 128 or ch in _EMOJI_GLUE or unicodedata.category(ch)[0] == "S" for ch in text
    )


_EMOJI_GLUE = "\u200d\ufe0f"  # zero-width joiner, emoji presentation selector


def _phrase(value: bytes, two_words_pass: bool) -> bool:
    """`IAmSensitive`, `ThisIsMySecret`: words run together in camelCase, a sentence
    rather than a password. With `two_words_pass` (the value of a password name) two
    words are a password people make (`reefLantern`, `OpsPW`); three make a sentence."""
    return not two_words_pass or len(_WORD_SPLIT.findall(value)) >= 3


def _stand_in(low: bytes) -> bool:
    """`password`, `none`, `string`; `s3cret`, `t0k3n2`, `topsecret`: the word "secret"
    or "token" however spelled, numbered or stressed; `hunter2` and
    `correcthorsebatterystaple`, the Internet's joke and xkcd's example passwords, as
    much stand-ins as `foo`.

    Not `Passw0rd`, `password1`, `mypassword`: spelled out as a password they are
    the passwords people set most, and a weak password is still a leak. Under a
    password name `s3cret` and `topsecret` count too (`_weak_password`).
    """
    word = low.rstrip(b"!?")
    if word in _STAND_INS or word in _MODE_WORDS:
        return True
    plain = word.rstrip(b"0123456789").translate(_UNLEET)
    for louder in (b"", b"top", b"super", b"very", b"my", b"so"):
        if plain.startswith(louder) and plain[len(louder) :] in _SPELLED_STAND_INS:
            return True
    return plain == b"hunter" or _NON_LETTERS.sub(b"", plain) == b"correcthorsebatterystaple"


_NON_LETTERS = re.compile(rb"[^a-z]+")
_SPELLED_STAND_INS = frozenset([b"secret", b"token", b"key", b"phrase"])


def _plausible_unquoted(value: bytes, after: bytes) -> bool:
    """Unquoted, a value may be code: `getToken`, `None`, `make_key(…)`, `Cls.attr`,
    `deprecatedJwtPgTypeIdentifier,`, `@#ibytes`."""
    if after in (b"(", b".") or value.startswith((b"@", b"#")):
        return False
    if after in (b",", b";", b")") and re.fullmatch(rb"[A-Za-z_]+", value):
        return False  # an identifier in code
    if re.fullmatch(rb"[A-Za-z_]\w*", value) and not re.search(rb"\d", value):
        # a name, unless it is long and of mixed case (random letters)
        return len(value) >= 16 and value != value.lower() and value != value.upper()
    return True


def looks_random(value: bytes) -> bool:
    """A value shaped like a credential rather than a word, name, reference or hash."""
    n = len(value)
    if n < 8 or n > _MAX_VALUE or value.startswith(_START_REFERENCE) or _REFERENCE.fullmatch(value):
        return False
    low = value.lower()
    if (
        filters.is_placeholder(value)
        or filters.is_uuid(value)
        or _WORDY.search(low.translate(_UNLEET))
    ):
        return False
    if (
        value.isdigit()
        or _HEX_NUMBER.fullmatch(value)
        or _PERCENT_WORDS.search(value)
        or _JENKINS_SECRET.match(value)
        or b"://" in value
        or b"${" in value
        or b"#{" in value  # Ruby and CoffeeScript interpolation
        or _HASH_PREFIX.match(value)
        or _FILE_EXT.search(value)
        or _CAMEL.fullmatch(value)
        or _TIMESTAMP.match(value)
        or _RULE_LIST.fullmatch(value)
        or _word_case(value.strip(b"_"))
        or _DOTTED_NAME.fullmatch(value)
    ):
        return False
    h = filters.entropy(value)
    if _HEX.fullmatch(value):
        return n >= 16 and h >= 3.0
    if _PRODUCT_KEY.fullmatch(value):
        return h >= 3.0 and not value.replace(b"-", b"").isalpha()
    if (value == low or value == value.upper()) and _word_like(low):
        return False
    classes = (
        any(97 <= c <= 122 for c in value)
        + any(65 <= c <= 90 for c in value)
        + any(48 <= c <= 57 for c in value)
        + any(c < 128 and not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) for c in value)
    )  # non-ASCII bytes are letters of another script, not symbols
    if any(c >= 128 for c in value):
        return False  # words in another script (UTF-8), not a token
    if classes < 2:
        return False
    return h >= (3.0 if n < 16 else 3.3)


def _word_case(value: bytes) -> bool:
    """`IAmSensitive`, `CKLocationSortDescriptor`: letters only, each word has a vowel
    or is an acronym; or three words or more with numbers between (`Base32EncodedKey`)."""
    words = _WORD_SPLIT.findall(value)
    if value.isalpha():
        return all(_VOWEL.search(w) or w.isupper() for w in words)
    alpha = [w for w in words if w.isalpha()]
    return (
        value.isalnum()
        and len(alpha) >= 3
        and all(len(w) >= 3 and _VOWEL.search(w) for w in alpha)
        and len(words) - len(alpha) <= 2
    )


def _word_like(low: bytes) -> bool:
    """`db-prod-2`, `summer2024`, `pw-alpha-7f3a`: words and numbers (one letter case)."""
    parts = [p for p in _SEGMENTS.split(low) if p]
    if all(len(p) <= 16 and _LETTERS_THEN_DIGITS.fullmatch(p) for p in parts):
        return True
    # a fixture-style name: a word among short tags (`tok-bravo-91c2`, `no-rule-3c`) or
    # before a digest (`build-4ddbc191d40e…`); not before a long random run
    # (`plorvak-8125kkd7kd91m6d41m6d4`)
    return (
        len(parts) > 1
        and any(_WORD.fullmatch(p) for p in parts)
        and all(
            len(p) <= 8 or _LETTERS_THEN_DIGITS.fullmatch(p) or _HEX.fullmatch(p) for p in parts
        )
    )
