"""Credentials written in escaped text: URL-encoded queries and HTML-escaped quotes.

A query inside a query (`?next=%2Fapi%3Ftoken%3D…`, `…%26token%3D…`) and a value
in HTML-escaped quotes (`token=&quot;…&quot;`, `password:&quot;…&quot;` in an
attribute) hide the `=` or the quotes the generic rule reads. The name must end
in a secret word (`token`, `access_token`, `password`, `api_key`); a password is
any literal that is not a stand-in or a name (`generic.is_literal_password`),
anything else must look random (`generic.looks_random`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sealer.scan import commands, generic
from sealer.scan.candidate import Candidate, line_windows

_SECRET_WORD = rb"(?i:password|passwd|pwd|passphrase|token|secret|api_?key|apikey|access_?key)"
# `%26token%3D…` / `%3Ftoken%3D…`: `&` or `?`, the name, `=`, all percent-encoded
_ENCODED_QUERY = re.compile(
    rb"(?i:%26|%3F)(?P<name>[A-Za-z0-9_.-]{0,40}?(?P<word>" + _SECRET_WORD + rb"))(?i:%3D)"
    rb"(?P<s>[A-Za-z0-9._~+-]{4,256}?)(?=%26|%23|%22|%20|[\"'\s&#<]|\Z)"
)
# `token=&quot;…&quot;`, `password:&quot;…&quot;`
_HTML_QUOTED = re.compile(
    rb"(?<![A-Za-z0-9])(?P<name>[A-Za-z0-9_.-]{0,40}?(?P<word>" + _SECRET_WORD + rb"))"
    rb"[ \t]*[=:][ \t]*&quot;(?P<s>[^&\s\"'<>]{4,128})&quot;"
)


def _value_ok(name: bytes, word: bytes, value: bytes) -> bool:
    """Whether `value` is the secret the `name` it is given to names: the secret word
    must be the name's last word (`commands.ends_in_secret_word`: `access_token`,
    `accessToken`, not `bypass`); under a password word any literal that is not a
    stand-in or a name, under any other a random-looking value."""
    if not commands.ends_in_secret_word(name, word):
        return False  # the word inside another (`bypass`), not the name's last word
    if word.lower() in commands.PASSWORD_WORDS:
        return generic.is_literal_password(value)
    return generic.looks_random(value)


def escaped_secrets(data: bytes, positions: list[int]) -> Iterator[Candidate]:
    """`%26token%3D<random>`, `token=&quot;<random>&quot;`, `pw:&quot;<literal>&quot;`."""
    seen: set[int] = set()
    for start, end in line_windows(data, positions):
        for rx in (_ENCODED_QUERY, _HTML_QUOTED):
            for m in rx.finditer(data, start, end):
                if m.start("s") not in seen and _value_ok(m["name"], m["word"], m["s"]):
                    seen.add(m.start("s"))
                    yield Candidate(m.start("s"), m.end("s"), m["s"])
