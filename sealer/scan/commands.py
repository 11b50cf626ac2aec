"""Credentials in statements and command lines: SQL, flags, curl, macros.

Each reading is a finder anchored at its rule's keywords (the line, or for curl
the command with its `\\`-continued lines, capped), so the cost is per keyword,
not per byte. What the value must be depends on how it is written:

- a password written where only a value can stand (quoted, attached with `=` or
  `:`, an argv array's next item, SQL after `IDENTIFIED BY` or a role's
  `PASSWORD`) is any literal that is not a stand-in (`generic.looks_like_password`);
- a password after a blank, unquoted, could be prose (`--password options`): a
  bare word counts only if it is a well-known default password
  (`generic.looks_like_literal_password`);
- a token, secret or API key must look random (`generic.looks_random`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sealer.scan import filters, generic
from sealer.scan.candidate import Candidate, line_windows

_VALUE = rb"""(?:'(?P<sq>[^'\s]{1,128})'|"(?P<dq>[^"\s]{1,128})"|(?P<bare>[^\s'";`,)<]{1,128}))"""


def _value(m: re.Match[bytes]) -> tuple[int, int, bytes, bool]:
    """The value's span, bytes, and whether it was quoted."""
    for group, quoted in (("sq", True), ("dq", True), ("bare", False)):
        if m[group] is not None:
            return m.start(group), m.end(group), m[group], quoted
    raise AssertionError("a value group always matches")


# --- SQL ----------------------------------------------------------------------------

# MySQL's native password hash (`*` and 40 hex digits) logs in as well as the
# password: the protocol's challenge is answered from the hash alone.
_MYSQL_NATIVE_HASH = re.compile(rb"\*[0-9A-Fa-f]{40}")
_SQL = re.compile(
    rb"(?i:"
    # `CREATE USER x IDENTIFIED BY 'p'`, `… IDENTIFIED WITH mysql_native_password BY 'p'`,
    # `… IDENTIFIED WITH 'mysql_native_password' AS '*92FD…'`
    # `GRANT ALL ON db.* TO 'app'@'%' IDENTIFIED BY 'p'`
    rb"(?P<idby>\b(?:user|role|login|grant)\b[^\n;]{0,80}?\bidentified"
    rb"(?:[ \t]+with[ \t]+['\"`]?\w{1,40}['\"`]?)?[ \t]+(?P<verb>by|as))"
    # PostgreSQL `CREATE ROLE x WITH LOGIN PASSWORD 'p'`, `ALTER ROLE x PASSWORD 'p'`
    rb"|(?P<role>\b(?:user|role)\b[^\n;'\"]{0,80}?\bpassword)"
    # SQL Server `CREATE LOGIN x WITH PASSWORD = 'p'`
    rb"|(?P<mssql>\bwith[ \t]+password[ \t]*=)"
    # MySQL `SET PASSWORD … = PASSWORD('p')`
    rb"|(?P<call>(?<![\w.])password[ \t]*\()"
    rb"|(?P<plain>\bpassword(?=[ \t]*['\"])))"
    rb"[ \t]*" + _VALUE + rb"(?=[\s;)'\"]|\Z)"
)


def sql_passwords(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """`CREATE USER … IDENTIFIED BY 'p'`, `ALTER ROLE x PASSWORD 'p'`, `CREATE LOGIN x
    WITH PASSWORD = 'p'`, `PASSWORD('p')`, and a MySQL native hash after `AS`.

    In a statement about a user, role or login, a quoted value is the password
    whatever its strength (`'poolpassword'` is one someone set); unquoted, or after
    a bare `password` with no statement around it, a bare word must be a default
    password (`identified by name` is prose). `PASSWORD EXPIRE`, `$VAR`, `<enter
    password>` and stand-ins are not passwords.
    """
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for m in _SQL.finditer(data, start, end):
            vs, ve, value, quoted = _value(m)
            if vs in seen:
                continue
            if m["verb"] is not None and m["verb"].lower() == b"as":
                ok = _MYSQL_NATIVE_HASH.fullmatch(value) is not None
            elif m["plain"] is not None or not quoted:
                ok = generic.looks_like_literal_password(value)
            else:
                ok = generic.looks_like_password(value)
            if m["call"] is not None and not quoted:
                ok = False  # `password(x)`: a call with a variable
            if ok:
                seen.add(vs)
                yield Candidate(vs, ve, value)


# --- command-line flags ---------------------------------------------------------

_SECRET_FLAG = re.compile(
    # `--password`, `-Password`, `--mysql-password`, `--keystore-password`, `-pwd`,
    # `--token`, `--api-key`, `-secret`, `--client-secret`: a flag (after a blank,
    # a quote or a bracket) whose last word names a secret; not `--password-file`
    rb"(?:(?<=[\s\"'(\[,=])|\A)(?P<flag>--?(?:[A-Za-z][A-Za-z0-9]*-){0,3}"
    # keytool's `-storepass`, `-keypass`, `-srcstorepass`, `-destkeypass`
    rb"(?P<word>(?i:password|passwd|passphrase|pwd|pass|(?:src|dest)?(?:store|key)pass|token"
    rb"|secret|api-?key|access-key)))"
    rb"(?![\w-])"
    # then the value: attached (`=`, `:` as PowerShell writes it), after blanks, or
    # the next item of an argv array (`"--password", "…"`)
    # ends: a blank, a shell operator, a bracket, or markup (`-Password x</code>`)
    rb"(?P<sep>=|:(?!:)|[\"'][ \t]*,[ \t]*|[ \t]+)" + _VALUE + rb"(?=[\s;|&)\],<]|\Z)"
)
# the secret words that name a password (the others, `token`, `secret`, `api_key`,
# name a value that must look random)
PASSWORD_WORDS = (b"password", b"passwd", b"passphrase", b"pwd", b"pass")


def ends_in_secret_word(name: bytes, word: bytes) -> bool:
    """Whether the secret `word` that ends `name` is the name's last word, not the end
    of another: alone (`password`), after `_`, `.` or `-` (`ADMIN_PASSWORD`,
    `auth.password`, `x-token`), camelCase (`dbPassword`, `accessToken`), or run on in
    an upper-case name when it is 5 letters or more (`PGPASSWORD`, `GHTOKEN`). Not
    `compass`, `bypass`, `BYPASS`, `PASSWORD_FILE` (the word is not last)."""
    if not name.endswith(word):
        return False
    head = name[: len(name) - len(word)]
    camel = head[-1:].islower() and word[:1].isupper()
    joined = len(word) >= 5 and name.isupper()
    return not head or head.endswith((b"_", b".", b"-")) or camel or joined


def _flag_value_ok(word: bytes, sep: bytes, value: bytes, quoted: bool) -> bool:
    """Whether `value`, given to a flag whose last word is `word` after `sep`, is the
    secret: not the next flag, an openssl password source (`env:X`), help text
    (`string:`) or an argv list's variable; under a password word any literal when it
    was written where only a value stands (quoted, `=`, `:`, an argv item), only a
    well-known default password after a bare blank (`--password options` is prose);
    under a token, secret or API key word, a random-looking value."""
    if value.startswith(b"-"):
        return False  # the next flag: this one takes no value here
    if value.lower().startswith((b"pass:", b"env:", b"file:", b"fd:")):
        return False  # openssl's password sources: `pass:` is read by `_OPENSSL_PASS`
    if not quoted and value.endswith(b":"):
        return False  # `-basic-auth-password string: the password to…`: help text
    if b"," in sep and not quoted:
        return False  # `["--password", password]`: a variable in an argv list
    if not word.lower().endswith(PASSWORD_WORDS):
        return generic.looks_random(value)
    if quoted or sep.strip() in (b"=", b":") or b"," in sep:
        return generic.looks_like_password(value)
    return generic.looks_like_literal_password(value)


# openssl's `-passin pass:…`, `-passout "pass:…"`, `-pass pass:…`
_OPENSSL_PASS = re.compile(
    rb"-pass(?:in|out|word)?[ \t]+[\"']?pass:(?P<s>[^\s\"']{1,128})(?=[\s\"']|\Z)"
)
# the MySQL clients' `-pPASSWORD` (attached: `-p` alone prompts), `sshpass -p PASSWORD`
_ATTACHED_P = re.compile(
    rb"(?:(?:(?<=[\s;&|(`\"'/])|\A)mysql(?:dump|admin|import|check|slap)?"
    rb"(?:[ \t][^\n|;&<>]{0,200}?)?[ \t]-p(?=[^\s])"
    rb"|\bsshpass[ \t]+-p[ \t]*)[\"']?(?P<s>[^\s\"'`|;&<>]{3,128})[\"']?(?=[\s;|&)]|\Z)"
)
# Clients whose short flag for the password is their own: `redis-cli -a …`,
# `ldapsearch -w …`, `mongosh -p …`, `docker login -p …` (as `-p` is a port or a path
# elsewhere, the command must be on the line, before it; the flag may come first)
_ARGS = rb"(?:[ \t][^\n|;&<>]{0,200}?)?"  # the arguments before the flag, if any
_CLIENT_FLAG = re.compile(
    rb"(?:(?<=[\s;&|(`\"'/])|\A)(?:redis-cli" + _ARGS + rb"[ \t]-a"
    rb"|ldap(?:search|add|modify|delete|passwd|whoami|compare|modrdn)" + _ARGS + rb"[ \t]-w"
    rb"|mongo(?:sh|dump|restore|export|import|stat|top)?" + _ARGS + rb"[ \t]-p"
    rb"|(?:docker|podman|nerdctl|buildah|skopeo|oras|az)[ \t]+login" + _ARGS + rb"[ \t]-p"
    rb")[ \t]+" + _VALUE + rb"(?=[\s;|&)<]|\Z)"
)
# PowerShell: `ConvertTo-SecureString -String "…" -AsPlainText -Force`, the string
# possibly among the switches, possibly in escaped quotes inside a larger string;
# never a switch itself (`-Key $key`, `-String $env:PW`)
_SECURE_STRING = re.compile(
    rb"(?i:convertto-securestring)(?:[ \t]+-\w+)*[ \t]+(?:\\?[\"'])?"
    rb"(?P<s>(?!-)[^\s\"'\\$(`]{1,128})(?:\\?[\"'])?(?=[\s;|)\"']|\Z)"
)


# A setting passed on a command line: `docker build --build-arg ADMIN_PASSWORD=…`,
# `helm install --set auth.password=…`, `kubectl create secret generic x
# --from-literal=password=…`, `heroku config:set SMTP_PASSWORD=…`
_SETTING_FLAG = re.compile(
    rb"(?:--build-arg|--set(?:-string)?|--from-literal|(?i:config:(?:set|add)))(?:=|[ \t]+)"
    rb"[\"']?(?P<name>[A-Za-z_][\w.-]{0,63}?(?P<word>(?i:password|passwd|pwd|pass|passphrase"
    rb"|secret|token|api_?key)))=" + _VALUE + rb"(?=[\s;|&)]|\Z)"
)


# `PGPASSWORD=… psql -h db`, `API_TOKEN=… ./deploy.sh`: a variable set for one
# command, in the environment-variable case, then the command: a path, or a
# name with arguments after it (`SMTP_PASSWORD=mail pass` in a .env file is a
# value with a blank in it, not a command)
_ENV_PREFIX = re.compile(
    rb"(?:(?<=[\s;&|(`])|\A)(?P<name>[A-Z][A-Z0-9_]{0,63}?(?P<word>PASSWORD|PASSWD|PASS|PWD"
    rb"|PASSPHRASE|SECRET|TOKEN|API_KEY|APIKEY))="
    + _VALUE
    + rb"[ \t]+(?=[a-z][\w.-]*[ \t]+[^\s#]|\.{0,2}/[\w./-]+)"
)


def _setting_value_ok(name: bytes, word: bytes, value: bytes) -> bool:
    """The name's last word is the secret word (`ends_in_secret_word`), and the
    value fits it."""
    if not ends_in_secret_word(name, word):
        return False  # `compass`, `bypass`: the word inside another
    if value.startswith((b"-", b"#")):
        return False  # the next flag; a comment (`X_PWD=### set by the installer`)
    if word.lower() in PASSWORD_WORDS:
        return generic.is_literal_password(value)  # not `test-smtp-password`: a name
    return generic.looks_random(value)


def command_line_secrets(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """A password, token or secret given as a flag's value (`--password x`,
    `-Password x`, `--mysql-password=x`, `"--keystore-password", "x"`, `--token x`),
    a variable set for one command (`PGPASSWORD=x psql …`), a setting given to a
    command (`--build-arg ADMIN_PASSWORD=x`, `--set
    auth.password=x`, `--from-literal=password=x`, `heroku config:set X_TOKEN=x`),
    openssl's `-passin pass:x`, PowerShell's `ConvertTo-SecureString "x"`, the MySQL
    clients' `-px`, `sshpass -p x`, keytool's `-storepass x`, and the short password
    flags of `redis-cli -a`, `ldapsearch -w`, `mongosh -p`, `docker login -p`.

    Not: the flag's metavariable in help text (`--password PASSWORD`, `--token
    string`), a variable (`--password $PW`, `--password=$(cat f)`), the next flag
    (`--password -h`), a file or prompt flag (`--password-file`, `--password-stdin`).
    """
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        found: list[Candidate] = []
        for m in _SECRET_FLAG.finditer(data, start, end):
            vs, ve, value, quoted = _value(m)
            if _flag_value_ok(m["word"], m["sep"], value, quoted):
                found.append(Candidate(vs, ve, value))
        for m in _ENV_PREFIX.finditer(data, start, end):
            vs, ve, value, _ = _value(m)
            if _setting_value_ok(m["name"], m["word"], value):
                found.append(Candidate(vs, ve, value))
        for m in _SETTING_FLAG.finditer(data, start, end):
            vs, ve, value, _ = _value(m)
            if _setting_value_ok(m["name"], m["word"], value):
                found.append(Candidate(vs, ve, value))
        for m in _CLIENT_FLAG.finditer(data, start, end):
            vs, ve, value, quoted = _value(m)
            if _flag_value_ok(b"password", b" ", value, quoted):
                found.append(Candidate(vs, ve, value))
        for rx in (_OPENSSL_PASS, _SECURE_STRING, _ATTACHED_P):
            for m in rx.finditer(data, start, end):
                if generic.looks_like_password(m["s"]):
                    found.append(Candidate(m.start("s"), m.end("s"), m["s"]))
        for c in found:
            if c.start not in seen:
                seen.add(c.start)
                yield c


# --- curl ---------------------------------------------------------------------------

_COMMAND_SPAN = 4096  # a curl command with its continuation lines, at most
_CURL_USER = re.compile(
    # `-u user:pw`, `--user "user:pw"`, `--user kevin:'pw'`, `--user "{id}":"{pw}"`,
    # `-u "api-key:"` (a key as the user, no password: Stripe and others)
    rb"(?:(?<=\s)-u|--user)(?:=|[ \t]*)"
    rb"[\"']?\{?(?P<u>[^\s:'\"`{}]{0,128})\}?[\"']?:[\"']?\{?"
    rb"(?P<p>[^\s'\"`{}]{0,128})\}?[\"']?(?=\s|\Z)"
)
_CURL_HEADER = re.compile(
    # `-H "Token: …"`, `--header 'X-Api-Key: …'`, `-H "apikey: <uuid>"`
    rb"(?:(?<=\s)-H|--header)[ \t]*(?P<q>[\"'])(?P<name>[\w-]{0,40}?"
    rb"(?i:token|api-?key|secret|session-key|access-key|auth-key|password))[ \t]*:[ \t]*"
    rb"(?P<s>[^\s\"']{8,256})(?P=q)"
)


_HEX_KEY = re.compile(rb"(?=[0-9]*[a-fA-F])[0-9a-fA-F]{16,}")
# What may stand before the secret word in a header whose value is only an id's shape
# (a UUID, hex): words that make it a credential (`X-Api-Token`, `Deploy-Token`), not
# the name of something else whose token is an id or a digest (`X-Cache-Token`,
# `Page-Token`, `X-Request-Token`: ETags, cursors, request ids)
_CREDENTIAL_WORDS = frozenset(
    b"x api auth access private deploy client app user service personal secret session".split()
)


def _names_a_credential(name: bytes) -> bool:
    """`Token`, `apikey`, `X-Api-Token`, `Deploy-Token`; not `X-Cache-Token`."""
    return all(w in _CREDENTIAL_WORDS for w in re.split(rb"[-_]", name.lower())[:-1])


def _command_end(data: bytes, start: int) -> int:
    """Where a command starting on this line ends: the first line not continued
    with a trailing `\\`, within `_COMMAND_SPAN` bytes."""
    limit = min(len(data), start + _COMMAND_SPAN)
    i = start
    while True:
        nl = data.find(b"\n", i, limit)
        if nl < 0:
            return limit
        if data[i:nl].rstrip(b" \t\r").endswith(b"\\") and nl + 1 < limit:
            i = nl + 1
            continue
        return nl


def _commands(data: bytes, positions: list[int]) -> Iterator[tuple[int, int]]:
    """The curl commands holding sorted keyword positions: from the line's start
    (capped) to the end of its last continuation line, each once."""
    last_end = -1
    for i in positions:
        if i < last_end:
            continue
        window = max(0, i - 2048)
        start = max(data.rfind(b"\n", window, i) + 1, window)
        last_end = _command_end(data, i)
        yield start, last_end


def curl_passwords(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """`curl -u user:password` (or a key as the user, with no password), on the
    curl line or a line it continues with `\\`.

    The password must be a literal (`generic.is_literal_password`: not a stand-in
    like `username:token`, not the name of a setting); a user standing alone as
    the credential must look random. A password equal to the user is a default
    credential, and a finding.
    """
    seen: set[int] = set()
    for start, end in _commands(data, positions):
        for m in _CURL_USER.finditer(data, start, end):
            user, password = m["u"], m["p"]
            if password:
                if not generic.is_literal_password(password):
                    continue
                c = Candidate(m.start("p"), m.end("p"), password)
            elif generic.looks_random(user):
                c = Candidate(m.start("u"), m.end("u"), user)
            else:
                continue
            if c.start not in seen:
                seen.add(c.start)
                yield c


def curl_header_keys(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """An API key or token in a curl `-H` header other than Authorization (`-H
    "Token: …"`, `--header 'X-Api-Key: …'`), on the curl line or a line it continues:
    a random-looking value, a UUID (many services' API keys are UUIDs) or 16 hex
    digits or more (in a header named for a key, hex is the key, not a digest). A
    UUID or hex counts only when the name's other words make it a credential
    (`_names_a_credential`): `X-Cache-Token: <hex>` is an ETag, not a key."""
    seen: set[int] = set()
    for start, end in _commands(data, positions):
        for m in _CURL_HEADER.finditer(data, start, end):
            value = m["s"]
            if m.start("s") in seen:
                continue
            if (generic.looks_random(value) and not _HEX_KEY.fullmatch(value)) or (
                (filters.is_uuid(value) or _HEX_KEY.fullmatch(value))
                and _names_a_credential(m["name"])
                and not filters.is_placeholder(value)
            ):
                seen.add(m.start("s"))
                yield Candidate(m.start("s"), m.end("s"), value)


# --- macros -----------------------------------------------------------------------

# `#define WIFI_PASSWORD "…"` (C, Arduino), `%define token …` (RPM spec files); also
# a whole `#define` written inside a string (`"#define\tpassword\t\"…\""`)
_DEFINE = re.compile(
    # blanks, or `\t` escapes inside a string
    rb"(?:(?<=[\n\"'])|\A)[ \t]*[#%][ \t]*define(?:[ \t]|\\t)+(?P<name>[A-Za-z_]\w{0,63})"
    rb"(?:[ \t]|\\t)+"
    rb"(?:\\?\"(?P<dq>[^\"\s\\]{1,128})\\?\"|(?P<bare>[^\s\"'(){}\\]{1,128})(?=[ \t]*(?:\r?\n|\Z)))"
)
_NAME_WORDS = re.compile(rb"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_MACRO_PASSWORD = frozenset(b"password passwd pwd pass passphrase pw psk".split())
_MACRO_SECRET = frozenset(b"secret token apikey".split())
_KEY_KINDS = frozenset(b"api secret private access auth app master encryption signing".split())


def _macro_kind(name: bytes) -> str | None:
    """`WIFI_PASSWORD`, `mqttPass`: a password; `API_KEY`, `CLIENT_SECRET`,
    `token`: a secret; anything else (`PASSWORD_LENGTH`, `TOKEN_EXPIRY`): neither."""
    words = [w.lower() for w in _NAME_WORDS.findall(name)]
    if not words:
        return None
    if words[-1] in _MACRO_PASSWORD:
        return "password"
    if words[-1] in _MACRO_SECRET or (
        words[-1] == b"key" and len(words) > 1 and words[-2] in _KEY_KINDS
    ):
        return "secret"
    return None


def macro_secrets(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """A macro defined as a literal under a secret's name: `#define WIFI_PASSWORD
    "…"` (a quoted literal is the password; unquoted, a bare word must be a default
    password), `#define API_KEY "…"` and `%define token …` (a random value)."""
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for m in _DEFINE.finditer(data, start, end):
            kind = _macro_kind(m["name"])
            if kind is None:
                continue
            quoted = m["dq"] is not None
            group = "dq" if quoted else "bare"
            value = m[group]
            if kind == "password":
                ok = (
                    generic.is_literal_password if quoted else generic.looks_like_literal_password
                )(value)
            else:
                ok = generic.looks_random(value)
            if ok and m.start(group) not in seen:
                seen.add(m.start(group))
                yield Candidate(m.start(group), m.end(group), value)
