"""Passwords assigned in config and code: where the generic rule draws the line.

A literal password in a committed file is a leak whatever its strength, so a weak
one people really set (`secret`, `changeme`, `myPassword`) is found; what stays
out is what is not a password at all: the setting's own name, an absence, a type,
a mask, a reference, a code identifier, a mode word, prose.
"""

from __future__ import annotations

import pytest

from sealer.scan import engine
from tests.scan.scanned import rule_ids


@pytest.mark.parametrize(
    "line",
    [
        'conf.auth.password = "password"',  # sealer:allow
        "BACKUP_PASS=password",  # sealer:allow
        "  queue_admin_password: password",  # sealer:allow
        'cache.node.password="secret3"',  # sealer:allow
        "  password : 'secret',",  # sealer:allow
        '  - "BROKER_PASSWORD=!ChangeMe!"',  # sealer:allow
        'private static final String SEARCH_PASSWORD = "changeme";',  # sealer:allow
        'client.Password = "qwerty"',  # sealer:allow
        'LoginPassword="SomePassword",',  # sealer:allow
        '"masterPassword": "myPassword",',  # sealer:allow
        'val password: String = "myPassword2024"',  # sealer:allow
        "  password:   somePASSWORD",  # sealer:allow
        "db = connect(user='app', password='test')",  # sealer:allow
        'relay_password = "p@ssw0rd!"',  # sealer:allow
        "  password: 'password',",  # sealer:allow - the word itself, the one set most
        '"Password": "Password"',  # sealer:allow
        "'PASSWORD': 'password',",  # sealer:allow - a settings dict's key, quoted
    ],
)
def test_weak_passwords_people_set_are_found(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    "line",
    [
        'PASSWORD = "password"',  # a constant naming the option (an enum member)
        'passphrase: "passphrase2"',  # the name, numbered
        "password = 'newPassword'",  # a field's name
        'defaultPassword = "defaultPassword"',
        'password = "your-password"',  # addressed to the reader
        'password = "change-me"',  # an instruction
        'password = "xxxxxxxx"',  # a mask
        'password = "secret!!!"',  # a word stressed, as documentation writes it
        "password = *passwd",  # a pointer dereferenced
        'password: "wrong"',  # what a test checks
        "# Password: Test",  # a comment: a bare word is as often prose
        "  #   relayPassword: secret",
        """self.assertEqual(out, '{"user": "me", "password": "secret"}')""",  # expected output
        """assert_file "dev.exs", [~r/password: "orchard42"/]""",  # what a test expects
        'FlagPassword = "password"',  # the name of a command-line flag
        'api_token = "changeme"',  # a token is not set to a weak word
        'client_secret = "secret2"',
    ],
)
def test_what_is_not_a_password_stays_quiet(line: str) -> None:
    assert rule_ids(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "PSWD:=Lq4vTz8wNe",  # sealer:allow
        "APP2_PSWD=Lq4vTz8wNe",  # sealer:allow
        "PSSWD=Lq4vTz8wNe",  # sealer:allow
        "pswrd: Lq4vTz8wNe",  # sealer:allow
        "PASWORD=Lq4vTz8wNe",  # sealer:allow
        'db_pasword = "Lq4vTz8wNe"',  # sealer:allow
    ],
)
def test_the_password_word_abbreviated_or_misspelt_is_a_password_name(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize("name", ["pswitch", "passport", "PSWRDS_LIST"])
def test_words_that_only_look_like_the_password_word_are_not(name: str) -> None:
    assert rule_ids(f'{name} = "Lq4vTz8wNe"') == []


def test_a_confirmation_holds_the_password_again() -> None:
    confirmation = "'password_confirmation' => 'tulip4ever',"  # sealer:allow
    assert rule_ids(confirmation) == ["generic-secret"]
    assert rule_ids('confirmPassword: "tulip4ever"') == ["generic-secret"]  # sealer:allow
    assert rule_ids("<%= f.label :password_confirmation, 'Confirm*' %>") == []  # a form label
    assert rule_ids("password_confirmation: true") == []


def test_two_camelcase_words_are_a_password_three_are_a_sentence() -> None:
    assert rule_ids("password: 'harborLights'") == ["generic-secret"]  # sealer:allow
    assert rule_ids('user_password = "OpsPW"') == ["generic-secret"]  # sealer:allow
    assert rule_ids("password: 'IAmSensitive'") == []


def _manifest(pair: str) -> str:
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  {pair}\n"


def test_a_kubernetes_secret_holds_the_base64_of_the_password() -> None:
    import base64

    encoded = base64.b64encode(b"tulip4ever").decode()  # sealer:allow
    assert rule_ids(_manifest(f"db-password: {encoded}")) == ["generic-secret"]  # sealer:allow
    weak = base64.b64encode(b"changeme").decode()
    assert rule_ids(_manifest(f"admin-password: {weak}")) == ["generic-secret"]  # sealer:allow
    itself = base64.b64encode(b"password").decode()
    assert rule_ids(_manifest(f"password: {itself}")) == ["generic-secret"]  # sealer:allow


@pytest.mark.parametrize("plain", [b"none", b"null", b"****"])  # an absence, a mask
def test_a_kubernetes_secret_value_that_decodes_to_no_password_is_quiet(plain: bytes) -> None:
    import base64

    assert rule_ids(_manifest(f"password: {base64.b64encode(plain).decode()}")) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('"password": "relay-password",', True),  # sealer:allow - named after what it opens
        ("  password: mirror-pass", True),  # sealer:allow
        ('HTTPS_TRUSTSTORE_PASSWORD = "truststore-password"', False),  # the name's own words
        ('"RELAY_SSH_PASSPHRASE": "ssh-pass",', False),
        ('password = "s3cr3t-ini-pw"', False),  # the word "secret" spelled: a stand-in
        ('password = "my-db-password"', False),  # addressed to the reader
        ("GATEWAY_PASS=super-secret-password", False),  # the word stressed
        ('db_password = "test-db-password"', False),  # a stand-in
        ('password = "harbor_db_password"', False),  # snake_case: a variable's name
        ("# password: relay-password", False),  # a comment
    ],
)
def test_a_kebab_case_value_ending_in_the_password_word(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


def test_the_default_of_an_environment_lookup_is_a_password() -> None:
    line = "password = os.environ.get('RELAY_PASSWORD', 'marigold7')"  # sealer:allow
    assert rule_ids(line) == ["generic-secret"]
    assert rule_ids("password = os.environ.get('RELAY_PASSWORD', '')") == []
    assert rule_ids("check_password('RELAY_PASSWORD', 'marigold7')") == []  # not a lookup


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("heron\N{SPOUTING WHALE}5", True),  # emoji mixed in
        ("\N{BLACK STAR}\N{ARC}7q\N{ZIPPER-MOUTH FACE}", True),  # sealer:allow
        ("otter\N{WOMAN}\u200d\N{PERSONAL COMPUTER}9", True),  # an emoji sequence, joined
        ("tulip\N{LATIN SMALL LETTER E WITH ACUTE}42", False),  # a letter: a word's
        ("\u041f\u0430\u0440\u043e\u043b\u044c2024", False),  # a word in Cyrillic: a label
        ("\u5bc6\u7801\u9519\u8bef", False),  # Chinese words: a message
    ],
)
def test_symbols_and_emoji_in_a_password_are_typed_but_words_of_another_script_are_labels(
    value: str, found: bool
) -> None:
    line = f'[archive unzipWithPassword:@"{value}" error:nil];'
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "value",
    [
        "Lykilor\N{LATIN SMALL LETTER ETH}",
        "Salas\N{LATIN SMALL LETTER O WITH TILDE}na",
        "\N{LATIN CAPITAL LETTER S WITH CEDILLA}ifr\N{LATIN SMALL LETTER SCHWA}",
    ],
)
def test_the_word_password_translated_in_a_locale_file_is_a_label(value: str) -> None:
    assert rule_ids(f'  "password": "{value}",\n') == []
    assert rule_ids(f"password: {value}\n") == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('ORACLE_PASSWORD: "TIGERDB"', True),  # sealer:allow - quoted capitals: a value
        ("mysql --password PASS", False),  # unquoted capitals: a metavariable
        ("REDISPASS=Lq4vTz8wNe", True),  # sealer:allow - a word run into PASS
        ("DBPASS: Lq4vTz8wNe", True),  # sealer:allow
        ('GIT_ASKPASS = "Lq4vTz8wNe"', False),  # the program that asks for it
        ('BYPASS = "Lq4vTz8wNe"', False),
        ('compass = "Lq4vTz8wNe"', False),
        ("LOWPASS=Lq4vTz8wNe", False),  # a filter: signal processing's word
        ("HIGHPASS: Lq4vTz8wNe", False),
        ('RENDERPASS = "Lq4vTz8wNe"', False),  # graphics' passes
        ("SUBPASS=Lq4vTz8wNe", False),
        ("NOPASS=Lq4vTz8wNe", False),
        ("SMTPPASS=Lq4vTz8wNe", True),  # sealer:allow - whose: a mail server's
        ("LDAP_BINDPASS=Lq4vTz8wNe", True),  # sealer:allow
    ],
)
def test_capitals_in_names_and_values(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


def test_titlecase_words_on_a_setting_line_are_a_password() -> None:
    assert rule_ids("ldap_password=HarborLights") == ["generic-secret"]  # sealer:allow
    assert rule_ids("pw=promiseWarning") == []  # lowerCamel: may be a variable
    assert rule_ids("  password = HarborLights") == []  # blanks around `=`: code


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("password = mirror-relay-password", True),  # sealer:allow - an INI line
        ("  - MARIADB_PASSWORD=harbor_lights", True),  # sealer:allow - an .env line: the text
        ("  password: harbor_db_password", False),  # YAML: a name, as templates write it
        ("x = 1; password = mirror-relay-password", False),  # not a line of its own
    ],
)
def test_settings_in_ini_and_env_lines(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


def test_quotes_inside_a_settings_unquoted_text_are_part_of_it() -> None:
    assert rule_ids("  password: 1t'sMyTurn9") == ["generic-secret"]  # sealer:allow
    found = engine.scan(b"  password: 1t'sMyTurn9\n")  # sealer:allow
    assert [h.secret for h in found] == [b"1t'sMyTurn9"]  # sealer:allow
    assert rule_ids("call(password: it's)") == []  # not a setting's own line


@pytest.mark.parametrize(
    "value",
    ["correcthorsebatterystaple", "CorrectHorseBatteryStaple", "correct-horse-battery-staple"],
)
def test_xkcds_example_password_is_a_stand_in_like_hunter2(value: str) -> None:
    assert rule_ids(f"SMTP_PASS={value}") == []
    assert rule_ids(f'smtp_password = "{value}"') == []
