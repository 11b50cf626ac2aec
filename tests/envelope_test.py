"""The SOPS envelope: known answers from sops, the MAC, and tamper detection."""

from __future__ import annotations

import base64
import re

import pytest

from sealer import document, enc, envelope, formats
from sealer.datakey import Keyring
from sealer.errors import FormatError, IntegrityError, NoKeyError
from sealer.primitives import AuthenticationFailed
from sealer.recipients.age import AgeRecipient
from sealer.selection import Selection
from sealer.values import Comment, Raw
from tests.helpers import AgeKey

# aes/cipher_test.go TestDecrypt in getsops/sops: key 32 x 'f', AAD "bar:"
SOPS_VECTOR = (
    "ENC[AES256_GCM,data:oYyi,iv:MyIDYbT718JRr11QtBkcj3Dwm4k1aCGZBVeZf0EyV8o=,"
    "tag:t5z2Z023Up0kxwCgw1gNxg==,type:str]"
)


def test_decrypts_sops_known_answer_vector() -> None:
    assert enc.decrypt(SOPS_VECTOR, b"f" * 32, "bar:") == "foo"


def test_known_answer_vector_fails_under_another_path() -> None:
    with pytest.raises(AuthenticationFailed):
        enc.decrypt(SOPS_VECTOR, b"f" * 32, "baz:")


def test_encrypt_reproduces_the_vector_with_its_iv() -> None:
    iv = base64.b64decode("MyIDYbT718JRr11QtBkcj3Dwm4k1aCGZBVeZf0EyV8o=")
    assert enc.encrypt("foo", b"f" * 32, "bar:", iv=iv) == SOPS_VECTOR


def test_empty_strings_and_comments_stay_empty() -> None:
    assert enc.encrypt("", b"k" * 32, "a:") == ""
    assert enc.encrypt(Comment(""), b"k" * 32, "a:") == ""


def test_fresh_iv_for_every_encryption() -> None:
    a = enc.encrypt("same", b"k" * 32, "a:")
    b = enc.encrypt("same", b"k" * 32, "a:")
    assert a != b
    assert enc.parse(a).iv != enc.parse(b).iv and len(enc.parse(a).iv) == 32


def test_non_canonical_base64_is_refused() -> None:
    # "oYyi" -> "oYyj" keeps the same bytes only if the decoder ignores stray bits
    sealed = enc.encrypt("x", b"k" * 32, "a:")
    data = enc.parse(sealed).data
    b64 = base64.b64encode(data).decode()
    assert b64.endswith("==")
    bent = b64[:-3] + chr(ord(b64[-3]) + 1) + "=="
    with pytest.raises(enc.BadValue):
        enc.parse(sealed.replace(f"data:{b64}", f"data:{bent}"))


def test_mac_only_encrypted_changes_the_mac() -> None:
    doc = formats.get("yaml").parse("a: 1\nb_unencrypted: 2\n").docs
    key = b"k" * 32
    full = envelope.seal_tree(doc, key, Selection(), mac_only_encrypted=False).mac_hex
    only = envelope.seal_tree(doc, key, Selection(), mac_only_encrypted=True).mac_hex
    assert full != only and len(full) == 128 and full == full.upper()


PLAIN = """\
db:
  user: admin
  password: hunter2-secret
  hosts:
    - one-host
    - two-host
api_key: zzz-api-key-zzz
"""
SECRETS = ["hunter2-secret", "zzz-api-key-zzz", "one-host", "two-host", "admin"]


@pytest.fixture
def sealed(age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SEALER_AGE_KEY", age_key.secret)
    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    return document.seal_text(formats.get("yaml"), PLAIN, policy=policy)


def _open(text: str, **kw: bool) -> str:
    return document.open_text(formats.get("yaml"), text, Keyring(), file="f.yaml", **kw).plaintext


def _b64_fields(text: str) -> list[tuple[int, int]]:
    """Spans of every data/iv/tag base64 body of every value (not the metadata's)."""
    body = text.split("\nsops:")[0]
    return [m.span(1) for m in re.finditer(r"(?:data|iv|tag):([A-Za-z0-9+/=]+)", body)]


def test_every_changed_character_of_every_value_is_detected(sealed: str) -> None:
    alphabet = "AB"
    checked = 0
    for start, end in _b64_fields(sealed):
        for i in range(start, end):
            if sealed[i] == "=":
                continue
            new = alphabet[0] if sealed[i] != alphabet[0] else alphabet[1]
            bent = sealed[:i] + new + sealed[i + 1 :]
            with pytest.raises(IntegrityError) as caught:
                _open(bent)
            message = str(caught.value) + (caught.value.hint or "")
            assert "f.yaml" in message
            assert not any(s in message for s in SECRETS)
            checked += 1
    assert checked > 300  # 5 values x (data + iv + tag)


def test_a_character_outside_base64_is_damage_in_values_and_comments(
    age_key: AgeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not ASCII in a sealed field: an integrity error (a sealed comment crashed with exit 3)."""
    monkeypatch.setenv("SEALER_AGE_KEY", age_key.secret)
    policy = document.Policy(groups=((AgeRecipient(age_key.recipient),),))
    sealed = document.seal_text(formats.get("yaml"), "# a note\n" + PLAIN, policy=policy)
    fields = _b64_fields(sealed)
    assert sealed[fields[0][0] - len("#ENC[AES256_GCM,data:") :].startswith("#ENC[")
    for start, _ in fields:
        with pytest.raises(IntegrityError, match=r"f\.yaml"):
            _open(sealed[:start] + "é" + sealed[start + 1 :])


def _values(text: str) -> list[str]:
    return re.findall(r"ENC\[AES256_GCM,[^\]]*type:str\]", text.split("\nsops:")[0])


def test_swapping_two_values_between_keys_is_detected(sealed: str) -> None:
    v = _values(sealed)
    password, api = v[1], v[4]
    swapped = sealed.replace(password, "@@").replace(api, password).replace("@@", api)
    with pytest.raises(IntegrityError):
        _open(swapped)


def test_reordering_list_values_is_detected_by_the_mac(sealed: str) -> None:
    v = _values(sealed)
    one, two = v[2], v[3]
    swapped = sealed.replace(one, "@@").replace(two, one).replace("@@", two)
    with pytest.raises(IntegrityError, match="MAC mismatch"):
        _open(swapped)


def test_deleting_a_value_is_detected_by_the_mac(sealed: str) -> None:
    lines = [ln for ln in sealed.splitlines(keepends=True) if not ln.startswith("api_key:")]
    with pytest.raises(IntegrityError, match="MAC mismatch"):
        _open("".join(lines))


def test_editing_the_mac_is_detected_and_ignore_mac_recovers(sealed: str) -> None:
    m = re.search(r"mac: ENC\[AES256_GCM,data:(.)", sealed)
    assert m is not None
    i = m.start(1)
    bent = sealed[:i] + ("A" if sealed[i] != "A" else "B") + sealed[i + 1 :]
    with pytest.raises(IntegrityError, match="MAC mismatch"):
        _open(bent)
    assert _open(bent, ignore_mac=True) == PLAIN


def test_a_plaintext_value_where_a_sealed_one_belongs_is_refused(sealed: str) -> None:
    v = _values(sealed)
    with pytest.raises(FormatError, match="should be sealed"):
        _open(sealed.replace(v[1], "plain-text"))


def test_another_recipient_cannot_open(sealed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyrage import x25519

    monkeypatch.setenv("SEALER_AGE_KEY", str(x25519.Identity.generate()))
    with pytest.raises(NoKeyError) as caught:
        _open(sealed)
    assert "age" in str(caught.value)


def _open_tree(text: str, key: bytes) -> list[object]:
    parsed = formats.get("yaml").parse(text)
    return [v for _, v in envelope.open_tree(parsed.docs, key, Selection()).replacements]


def test_sealed_bytes_that_are_not_utf8_open_as_raw_bytes() -> None:
    key = b"k" * 32
    sealed = enc.Cipher(key).seal("str", b"\xff\xfeok", "a:")
    assert _open_tree(f"a: {sealed}\nb: {enc.encrypt('text', key, 'b:')}\n", key) == [
        Raw(b"\xff\xfeok"),
        "text",
    ]


def test_a_sealed_comment_in_a_values_place_is_refused() -> None:
    key = b"k" * 32
    sealed = enc.encrypt(Comment("a note"), key, "a:")
    with pytest.raises(IntegrityError, match=r"^a: a sealed value failed authentication$"):
        _open_tree(f"a: {sealed}\n", key)
    # in a list, where sops writes comments, it opens as a comment
    assert _open_tree(f"a:\n  - {sealed}\n", key) == [Comment("a note")]
