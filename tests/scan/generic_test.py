"""The generic assignment rule: secrets, tokens and keys assigned in code and config."""

from __future__ import annotations

import pytest

from sealer.scan import engine
from tests.scan.scanned import rule_ids


@pytest.mark.parametrize(
    "line",
    [
        '\tsessionKey, _ := hex.DecodeString("9be3c0a17f5d28e6b4a0c1d7e2f38a95")',  # sealer:allow
        'secret, err = base64.StdEncoding.DecodeString("Zq0vRt7+Lm2x9NcK4pWb1A==")',  # sealer:allow
    ],
)
def test_go_assignments_with_a_second_result_are_read(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('opts.ClientSecret = "quuxfrobnitz"', True),  # sealer:allow - one run of letters
        ('config.JWT.Secret = "pinecone"', True),  # sealer:allow - the JWT's secret
        ("cookieSecret: 'wq3-vz8-kk1x'", True),  # sealer:allow
        ("# GITHUB_CLIENT_SECRET=9kq2m4ls8dj3l5k2p0vxq7", True),  # sealer:allow - unquoted
        ("consumer_key: 'anonymous'", False),  # OAuth 1.0's anonymous consumer
        ('signingKey: "some-key"', False),  # words joined: a name
        ("clientSecret: 'bar123'", False),  # a word and a number
        ('String SESSION_KEY = "key:session:token";', False),  # a key path
        ("KEY_SPEC_AUTH_KEY = -0x7", False),  # a number
        ('"Api-Key=9081%s" +', False),  # a format string
        ("authKey: auth", False),  # unquoted, a bare word is a name
        ('token = "quuxfrobnitz"', False),  # a bare token: a lexer's, a test's label
        ("SECRET_KEY = 'quuxfrobnitz'", True),  # sealer:allow - a framework's secret key
        ("config.oauth_token_secret = 'quuxfrobnitz'", True),  # sealer:allow
        ('clusterSecretKey: "cluster"', False),  # the key inside a Kubernetes secret
        # the name's own credential word in the value: what goes there, not what is
        ('client_secret: "oursecretvalue"', False),
        ('access_token = "demotoken"', False),
        ("SECRET_KEY = 'localsecret'", False),
        ('"apiKey": "appkeyhere"', False),
        ('access_token = "walrustoken"', True),  # sealer:allow - a word of its own
        ('cookie_secret = "notreally"', False),  # a negation
        ('jwt_secret: "not-for-prod"', False),
        ('auth_token = "insecure"', False),  # what a development setting holds
        ("SESSION_SECRET = 'development'", False),
        ('client_secret: "quokkamarble"', True),  # sealer:allow - a chosen word still counts
        ('client_secret: "notebookfern"', True),  # sealer:allow - not a negation
    ],
)
def test_a_credential_named_for_its_owner_holds_whatever_literal_is_chosen(
    line: str, found: bool
) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("    token: '3f0c9a52-71be-4d0e-9c43-a8d2e6b1f7c9',", True),  # sealer:allow
        ('  "secret" => "3f0c9a52-71be-4d0e-9c43-a8d2e6b1f7c9",', True),  # sealer:allow
        ('"token": "3f0c9a52-71be-4d0e-9c43-a8d2e6b1f7c9"', True),  # sealer:allow
        ('    token = "3f0c9a52-71be-4d0e-9c43-a8d2e6b1f7c9"', False),  # a variable: an id
        ("  token: '00000000-0000-0000-0000-000000000000'", False),  # the nil UUID
        ("  token: '123e4567-e89b-12d3-a456-426614174000'", False),  # documentation's UUID
        ('  "secret" => "550e8400-e29b-41d4-a716-446655440000",', False),  # RFC 4122's
        ("  request: '3f0c9a52-71be-4d0e-9c43-a8d2e6b1f7c9'", False),
    ],
)
def test_a_uuid_under_a_bare_token_or_secret_setting_is_a_credential(
    line: str, found: bool
) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "line",
    [
        "params: { oauth_verifier: 'Qm7vX2kPz9LwR4tB' }",  # sealer:allow
        '    .oauth_verifier("Zk4q9TmW2xRv7LpB0sNc")',  # sealer:allow - a builder's setter
    ],
)
def test_an_oauth_verifier_is_a_credential(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("token: 'kovab-8812qx7r0mz3p9w5vt4'", True),  # sealer:allow - a word, then random
        ("token: 'build-4ddbc191d40ee098cbaae6f3523ada2d'", False),  # a word and a digest
        ("token: 'tok-bravo-91c2'", False),  # a fixture's name: words and a short tag
    ],
)
def test_a_word_before_a_long_random_run_is_still_a_token(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('cipher->SetKey("QX7R-M2KD-9TVA-W4PZ-5831");', True),  # sealer:allow - a licence key
        ('"ActivationKey": "7KQ2P-XM4RT-9VDZA-3LWNB-Q8TJ5",', True),  # sealer:allow
        ('key = []byte("w9!Rz%Tq4*Lm-XaNe2&Kd7uB#Yp3$Hc")', True),  # sealer:allow - typed key
        ("loggedinkey: Q3VzdG9tS2V5TWF0ZXJpYWwxMjM0NTY3OA==", True),  # sealer:allow - one run
        ("# ORG_KEY=qpwlz7rk2mvt904jxn5hbe", True),  # sealer:allow - base 36, digits spread
        ('key = "c0ffee4d15ea5e0b5e55ed1deadbeef0"', False),  # hex: a digest or an id
        ('key = "summer2024release"', False),  # a word and a number
        ('key = "ABCD-EFGH-IJKL-MNOP"', False),  # letters in order: a stand-in
        ('key = "KEYS-ONLY-WORD-LIST"', False),  # capital words, no digits
        ("monkey: banana", False),  # not a key at all
        ('key = "the!quick-Brown-fox-Jumps-over-1-lazy-dog"', False),  # words joined
    ],
)
def test_licence_keys_and_typed_keys_are_key_material(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


KEY_A = "Vq3xR8tLm2ZpW7nK"  # invented; neither half is key material alone
KEY_B = "c4YbJ0sHd9FgQe6ATz5uNw1X"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f'pkey = ("{KEY_A}"\n        "{KEY_B}")\n', KEY_A + KEY_B),  # sealer:allow
        (f'String key = "{KEY_A}" +\n    "{KEY_B}";\n', KEY_A + KEY_B),  # sealer:allow
        (f"key_wrap = '{KEY_A}\\\n{KEY_B}'\n", KEY_A + KEY_B),  # sealer:allow - backslash
        (f"key_multi = '''{KEY_A}\n{KEY_B}'''\n", KEY_A + KEY_B),  # sealer:allow
        (f"$key = '{KEY_A}\n{KEY_B}';\n", KEY_A + KEY_B),  # sealer:allow - PHP
        (f'String wrappedKey = "{KEY_B * 14}";\n', KEY_B * 14),  # sealer:allow - 336 long
    ],
)
def test_a_key_written_over_lines_is_read_whole(text: str, secret: str) -> None:
    hits = engine.scan(text.encode())
    assert [(h.rule.id, h.secret) for h in hits] == [("generic-secret", secret.encode())]


@pytest.mark.parametrize(
    "text",
    [
        f'pubkey = """ssh-rsa\n{KEY_A}{KEY_B}"""\n',  # a public key
        f'sessionKey = ("{KEY_A}EXAMPLE"\n    "{KEY_B}")\n',  # a documented stand-in
        f"key = 'it is\n{KEY_A}'\n",  # prose, not key material
        f'"SessionToken": "{KEY_B * 14}"\n',  # a long token: only a key's line is read whole
        f'String encryptedKey = "{KEY_B * 14}";\n',  # ciphertext
        f'  "signing_key": "rotate"\n  "{KEY_B}": 1\n',  # the next line's key, not more value
    ],
)
def test_strings_over_lines_that_are_not_keys_are_quiet(text: str) -> None:
    assert rule_ids(text) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('Tokens: []string{"5c0e9a1f47b2d8e36a91c4f07b2e5d8a' + "7e" * 16 + '"},', True),
        ('Tokens: []string{"5c0e9a1f47b2d8e36a91c4f07b2e5d8a"},', False),  # an MD5's length
        ("refresh_tokens = ['9f4b1c0e5d2a7b3c8e6f1a0d4c7b2e5a9d3f6c1b']", False),  # SHA-1's
        ("device_tokens = ['Zq8Wm3Rt7Kx1Lp4Vb9Nc2Hs6']", True),  # sealer:allow
        ('tokens = ["if", "else", "while"]', False),  # a lexer's tokens
        ("tokens = ['<=', '>=', '==']", False),
        ('token_types = ["Zq8Wm3Rt7Kx1Lp4Vb9Nc2Hs6"]', False),  # not a list of tokens
    ],
)
def test_the_first_of_a_list_of_tokens_is_read(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("APP_JWT_SECRET=quuxfrobnitz", True),  # sealer:allow - a .env line: the value
        ("  jwt_secret: quuxfrobnitz", False),  # YAML: a bare word may be a name
    ],
)
def test_a_chosen_word_counts_unquoted_only_in_an_env_line(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "line",
    [
        "api_token: Vq3xR8tLm2ZpW7nKc4YbJ0sHd9FgQe6ATz5uNw1X=",  # sealer:allow
        "  db-password: a2VzdHJlbDc3=",  # sealer:allow - a Kubernetes secret's data
    ],
)
def test_a_value_ending_in_base64_padding_is_not_read_as_a_type(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


def test_a_token_list_whose_first_string_runs_past_its_line_is_not_read() -> None:
    assert rule_ids('tokens = ["Zq8Wm3Rt7Kx1Lp4Vb9Nc2Hs6\n  other = "x"\n') == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("  AUTH_SALT: 'q7#Lm2@vZ9!pR4$wK8^tN3&bY6*cX1%h'", True),  # sealer:allow
        ("  secureauthsalt: Zm9vYmFycXV4Ondhcmd0aHVkOnBsdWdoeHl6enk=", True),  # sealer:allow
        ("define( 'NONCE_SALT', 'h3K!p9@Lz2#Qw7$Rt5%Yx8^Mv4&Nb6*C' );", True),  # sealer:allow
        ("define( 'LOGGED_IN_SALT', 'put your unique phrase here' );", False),  # the template
        ("  password_salt: 'q7#Lm2@vZ9!pR4$wK8^tN3&bY6*cX1%h'", False),  # a hashing salt
        ("  salt: 'q7#Lm2@vZ9!pR4$wK8^tN3&bY6*cX1%h'", False),
    ],
)
def test_wordpress_cookie_salts_are_secrets_other_salts_are_not(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        # base64 ends in `=`: with no blank before it, it is the value, not `: Type =`
        ("Badge-> PilotToken: Wm9yYWxNYXJzaEtleUZvclRyaWFscw= (the pilot)", True),  # sealer:allow
        ('val token: String = "hX9kq2Lm4vZ8pR3wT7nB"', True),  # sealer:allow - a type
        ("token: str = get_token()", False),  # a type, then code
    ],
)
def test_a_type_annotation_has_a_blank_before_its_equals_sign(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


PIECE_A = "Rk9vQmFyUXV4V2liYmxlMTIzNDU2Nzg5MA=="  # sealer:allow - invented, base64 key material
PIECE_B = "UGxvdWdoU2hhcmVHcmFpbjk4NzY1NDMyMQ=="  # sealer:allow - invented


@pytest.mark.parametrize("name", ["key", "aesKey"])
def test_a_key_whose_first_piece_is_key_material_keeps_that_piece_as_its_secret(
    name: str,
) -> None:
    """Earlier releases reported the first piece of `key = "…" +` then `"…"` when it
    was key material on its own: its fingerprint, in teams' ignore files, must hold."""
    text = f'{name} = "{PIECE_A}" +\n    "{PIECE_B}"\n'
    hits = engine.scan(text.encode())
    assert [h.fingerprint for h in hits] == [engine.fingerprint("generic-secret", PIECE_A.encode())]
