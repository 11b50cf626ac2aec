"""Every rule finds its format (generated tokens) and leaves look-alikes alone."""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from sealer.scan import vendors
from sealer.scan.rules import BY_ID, RULES
from tests.scan.fakes import B62, TOKENS, URLSAFE, Fakes, sample
from tests.scan.scanned import rule_ids

SEEDS = range(5)


def test_every_rule_but_the_context_ones_has_a_token_generator() -> None:
    contextual = {
        "private-key", "aws-secret-access-key", "uri-credentials", "basic-auth",
        "bearer-token", "generic-secret", "private-key-der", "private-key-encoded-pem",
        "jwk-private-key", "gitlab-session-cookie", "cli-password", "sql-password",
        "curl-user-password", "authorization-header", "npm-auth-token", "curl-header-key",
        "labelled-key", "escaped-secret", "macro-secret",
        *(n.id for n in vendors.NAMED),
    }  # fmt: skip
    assert set(TOKENS) | contextual == set(BY_ID)
    assert len(RULES) == len(BY_ID)


@pytest.mark.parametrize("rule", sorted(TOKENS))
@pytest.mark.parametrize("seed", SEEDS)
def test_rule_finds_its_format_in_code(rule: str, seed: int) -> None:
    token = TOKENS[rule](Fakes(seed))
    assert rule_ids(f'value = "{token}"\n') == [rule]
    # on a line of its own (not the file's first: a legacy Vault token's keyword is the
    # line break before it, `\ns.`)
    assert rule_ids(f"Token:\n{token}\n") == [rule]


# formats whose tokens could occur inside base64 data (images, ciphertext)
BASE64_SHAPED = [r for r in sorted(TOKENS) if set(TOKENS[r](Fakes(1))) <= set(B62 + "+/_-")]


@pytest.mark.parametrize("rule", BASE64_SHAPED)
def test_rule_ignores_its_format_inside_a_longer_base64_run(rule: str) -> None:
    token = TOKENS[rule](Fakes(1))
    embedded = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY" + token + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    assert rule not in rule_ids(embedded)


@pytest.mark.parametrize(
    "text",
    [
        "GITHUB_TOKEN=ghp_" + "x" * 36,
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "sk_live_" + "0" * 24,
        "xoxb-your-bot-token",
        "token: ghp_abc...",
        'jwt = "eyJhbGciOiJIUzI1NiJ9..."',
        "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
        "-----BEGIN RSA " + "PRIVATE KEY-----\n<your key here>\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\n" + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" * 3 + "\n-----END",
        "DATABASE_URL=postgres://user:password@localhost/app",
        "DATABASE_URL=postgres://app:db_password@localhost/app",
        "DATABASE_URL=postgres://app:your-password@localhost/app",
        "DATABASE_URL=postgres://app:p%40ss@localhost/app",  # `p@ss`, percent-encoded
        "proxy = 'http://ops:password123@proxy.example.com/'",  # a numbered stand-in in docs
        "$ tool --mirror=https://user:p%2Fss@mirror.example.com/dist",  # short, in docs
        "smtps://me@mail.host:…@smtp.host",  # an elided password
        "redis://:${REDIS_PASSWORD}@redis:6379",
        "Authorization: Bearer <token>",
        "Authorization: Bearer $ACCESS_TOKEN",
    ],
)
def test_placeholders_are_not_findings(text: str) -> None:
    assert rule_ids(text + "\n") == []


def test_jwt_needs_a_header_that_decodes_to_json_with_alg() -> None:
    f = Fakes(3)
    real = f.jwt()
    _, payload, signature = real.split(".")
    assert rule_ids(real) == ["jwt"]
    assert rule_ids(f"eyJ{f.s(20)}.{payload}.{signature}") == []


def test_private_keys_in_pem_json_and_yaml_forms() -> None:
    from tests.scan.corpus import _private_key

    pem = _private_key(Fakes(4))
    assert rule_ids(pem) == ["private-key"]
    escaped = pem.replace("\n", "\\n")
    assert rule_ids(f'{{"private_key": "{escaped}\\n"}}') == ["private-key"]
    indented = "key: |\n" + "\n".join("  " + line for line in pem.split("\n"))
    assert rule_ids(indented) == ["private-key"]


def test_specific_rule_wins_over_generic_on_the_same_secret() -> None:
    token = Fakes(5).github()
    assert rule_ids(f'GITHUB_TOKEN = "{token}"') == ["github-token"]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('db_password = "{value}"', True),
        ("DB_PASSWORD={value}", True),
        ('"clientSecret": "{value}",', True),
        ("<password>{value}</password>", True),
        ('config.setPassword("{value}");', True),
        ('    password: str = "{value}"', True),
        ('os.environ.setdefault("API_KEY", "{value}")', True),
        ("DB_PASS={value}", True),
        ('smtp_pw: "{value}"', True),
        ('consumer_key = "{value}"', True),
        ('compass = "{value}"', False),
        ('passenger_name = "{value}"', False),
        ('cache_key = "{value}"', False),
        ('AWS::IAM::AccessKey": "{value}"', False),
        ('table[token] = "{value}"', False),
        ('password_hash = "{value}"', False),
        ('token_url = "{value}"', False),
        ('if password == "{value}":', False),
        ("password_min_length = {value}", False),
    ],
)
def test_generic_assignment_forms(line: str, found: bool) -> None:
    value = "Xk9#mP2vL5qR8wZt"
    assert (rule_ids(line.format(value=value)) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "value",
    [
        "${DB_PASSWORD}", "{{ .Values.password }}", "%(password)s", "<password>", "change-me",
        "your-password-here", "settings.DB_PASSWORD", "getPassword()",
        "/run/secrets/db", "./secrets/db.txt", "https://vault.internal/v1/db", "********",
        "123e4567-e89b-42d3-a456-426614174000", "$2b$12$" + "a" * 53, "sha256:" + "ab" * 32,
        "inf-vsqt-01-secret-id", "tokenizationIdentifier", "s3cr3t-Pa55",
        "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]", "!vault", "*anchor",
        "None", "true", "12345678901234", "DB_PASSWORD", "string", "String!", "0x02",
        "required|min:8", "IAmSensitive",
    ],
)  # fmt: skip
def test_generic_rule_rejects_references_placeholders_and_word_values(value: str) -> None:
    assert rule_ids(f'password = "{value}"') == []
    assert rule_ids(f"password: {value}") == []


@pytest.mark.parametrize("value", ["my-db-creds-2", "pw-alpha-7f3a", "tok-bravo-91c2"])
def test_word_shaped_values_are_not_tokens(value: str) -> None:
    assert rule_ids(f'api_token = "{value}"') == []


@pytest.mark.parametrize(
    "line",
    [
        "password: 'okdsvqqw394'",  # sealer:allow
        "MSSQL_PASSWORD=MlrgpTwktl67",  # sealer:allow
        'ben.password = "knmbegxsq"',  # sealer:allow
        "    password: mysql",  # sealer:allow
        'String dbPassword = "zhuam";',  # sealer:allow
        "DB_PASS=alpha-7f3a-kilo",  # sealer:allow
        'password = "p@ssw0rd2024"',  # sealer:allow
        "SMTP_PASSWORD=tangerine",  # sealer:allow
        "    password: hello",  # sealer:allow
        "  - POSTGRES_PASSWORD=orchard",  # sealer:allow
        '  - "WLS_PW=kumquat1"',  # sealer:allow
        "  -e DB_PASSWORD=Kq7tangerine \\",  # sealer:allow
        '    assert cfg.sudo.password == "zebrafish"',  # sealer:allow
        'NSString *password = @"quokka42";',  # sealer:allow
        'conn = "Server=db;User=sa;Password=Wombat7!;"',  # sealer:allow
        'db_password = "correcthorsepassword"',  # sealer:allow
        "    DB_SCHEMA_PASSWORD=Mango1",  # sealer:allow
        "keyStorePassword: 'plum2'",  # sealer:allow
        "password: 'p@$$w0rd'",  # sealer:allow
    ],
)
def test_a_literal_password_is_found_whatever_its_strength(line: str) -> None:
    """Weak or not, a password written into a committed file has leaked."""
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    "line",
    [
        "password = os.getenv('PGPASSWORD')",
        "this.adminPassword = adminPassword;",
        "password: connectionOptions.password,",
        "keystore_password = _keystore_password",
        "password_encryption = 'scram-sha-256'",
        "passwordVariable: 'githubToken'",
        "properties = ['username', 'password', 'hostname']",
        "conn.setPassword('guest')",
        'HTTPS_KEYSTORE_PASSWORD = "keystore-password"',
        "pw=promiseWarning",
        "MYSQL_PASSWORD= FILTER=integration npm test",
    ],
)
def test_password_names_next_to_code_are_not_findings(line: str) -> None:
    assert rule_ids(line) == []


def _pem(f: Fakes) -> str:
    from tests.scan.corpus import _private_key

    return _private_key(f)


def test_passphrase_encrypted_private_keys_are_not_findings() -> None:
    f = Fakes(20)
    body = "\n".join(f.b64(48) for _ in range(8))
    encrypted = (
        "-----BEGIN ENCRYPTED " + f"PRIVATE KEY-----\n{body}\n-----END ENCRYPTED PRIVATE KEY-----"
    )
    legacy = (
        "-----BEGIN RSA " + "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        f"DEK-Info: AES-128-CBC,{f.hex(32).upper()}\n\n{body}\n-----END RSA PRIVATE KEY-----"
    )
    assert rule_ids(encrypted) == []
    assert rule_ids(legacy) == []


def test_a_stand_in_word_inside_the_base64_does_not_drop_a_real_key() -> None:
    """Lower-cased, random base64 holds words like `fake`; only whole words count."""
    pem = _pem(Fakes(21))
    lines = pem.split("\n")
    lines[1] = lines[1][:10] + "FaKe" + lines[1][14:]
    assert rule_ids("\n".join(lines)) == ["private-key"]
    concatenated = "\n".join(f'"{line}\\n" +' for line in pem.split("\n"))
    assert rule_ids(concatenated) == ["private-key"]
    fake = pem.replace("BEGIN ", "BEGIN FAKE ")
    assert rule_ids(fake) == []


def test_private_keys_without_pem_lines() -> None:
    from tests.scan.corpus import _der_key

    f = Fakes(22)
    der = _der_key(f)
    assert rule_ids(f'privateKey = "{der}"') == ["private-key-der"]
    wrapped = "\n".join("    " + der[i : i + 64] for i in range(0, len(der), 64))
    assert rule_ids(f"<data>\n{wrapped}\n</data>") == ["private-key-der"]
    encoded = base64.b64encode((_pem(f) + "\n").encode()).decode()
    assert rule_ids(f"  tls.key: {encoded}") == ["private-key-encoded-pem"]


def test_certificates_and_public_keys_in_base64_are_not_private_keys() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert rule_ids(f'publicKey = "{base64.b64encode(der * 3).decode()}"') == []


def test_json_web_key_private_members() -> None:
    f = Fakes(23)
    d, k, n = (f.b64(32, urlsafe=True).rstrip("=") for _ in range(3))
    assert rule_ids(f'{{"kty":"EC","crv":"P-256","x":"{n}","d":"{d}"}}') == ["jwk-private-key"]
    assert rule_ids(f'{{\n  "kty": "oct",\n  "k": "{k}"\n}}') == ["jwk-private-key"]
    assert rule_ids(f'{{"kty":"RSA","n":"{n}","e":"AQAB"}}') == []


@pytest.mark.parametrize(
    "token",
    [
        "xoxp-1-" + "Mi0yLTU0MzkxMjc0ODA5OC0xMDUyNTg2MzMyNzQxLTQyNzc4MzMxMzU5NTc",
        "xoxe.xoxp-1-" + "Mi0yLTU0MzkxMjc0ODA5OC0xMDUyNTg2MzMyNzQxLTQyNzc4MzMxMzU5NTc",
    ],
)
def test_slack_user_tokens_of_the_newer_shape(token: str) -> None:
    assert rule_ids(f"token: {token}") == ["slack-token"]


@pytest.mark.parametrize("prefix", ["glagent-", "glrtr-", "glwt-"])
def test_gitlab_agent_runner_and_workspace_tokens(prefix: str) -> None:
    assert rule_ids(prefix + Fakes(24).s(40, B62)) == ["gitlab-token"]


@pytest.mark.parametrize(
    "line",
    [
        "token: deprecatedJwtPgTypeIdentifier,",
        'HashPassword("password", "aFr5Xq9LmZ2wP7vK")',
        '"DeleteAccessKey": "iam:DeleteAccessKey",',
        "url = 'http://john.doe:password123@example.com/'",
        'db_password = "Пароль2024секрет"',
        "# Example password: xudmec-4ambyj-tavric-mumpub",
        "[![cov](https://codecov.io/gh/o/r/graph/badge.svg?token=JfdDyGVpT4)]",
    ],
)
def test_false_alarms_found_on_real_repositories_stay_quiet(line: str) -> None:
    assert rule_ids(line) == []


def test_json_inside_a_string_is_read_like_json() -> None:
    value = Fakes(25).random_token()
    line = f'body = "{{\\"access_token\\":\\"{value}\\",\\"expires_in\\":3600}}"'
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("mysql --user=root --password=kQ7vRt2xW9 --host db", "cli-password"),  # sealer:allow
        ("gpg -d --passphrase N1dkU3E7x3 -o out.txt in.gpg", "cli-password"),  # sealer:allow
        ("CREATE USER app IDENTIFIED BY 'Wq8vLr2Tz';", "sql-password"),  # sealer:allow
        ("CREATE ROLE pooluser WITH LOGIN PASSWORD 'pq4Lw8Xz'", "sql-password"),  # sealer:allow
        ("curl -u deploy:h0pk1ns~21s https://api.internal", "curl-user-password"),  # sealer:allow
    ],
)
def test_passwords_on_command_lines_and_in_sql(line: str, rule: str) -> None:
    assert rule_ids(line) == [rule]


@pytest.mark.parametrize(
    "line",
    [
        "dpl hackage --username user --password user",
        "  --passphrase PHRASE      Passphrase as configured (type: string)",
        "curl -u <user:password> https://test.com/endpoint",
        "curl -u username:token https://api",
        'NO_PWD="--no-password"',
        "psql --password $DB_PASSWORD",
        "use the --username and --password options instead of the URL",
        "Symbols are identified by name and assumptions::",
    ],
)
def test_command_line_placeholders_are_not_findings(line: str) -> None:
    assert rule_ids(line) == []


def test_a_quoted_value_ending_in_an_escaped_newline_is_still_read() -> None:
    value = Fakes(26).random_token()
    assert rule_ids(f'github_access_token: "{value}\\n"') == ["generic-secret"]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("    password: render", True),  # a YAML setting of its own: the word is the value
        ("DB_PASS=build", True),  # an .env line: likewise
        ("    password: admin", True),
        ("  password = line", False),  # `=` with blanks around it: a variable in code
        ("    password: render,", False),  # an object member in code: a variable
        ("call(password=render)", False),
        ("x = 1; password=render", False),  # not on a line of its own
        ("  password: vault_db_password", False),  # a snake_case name: a reference by name
    ],
)
def test_an_unquoted_bare_word_is_a_password_in_a_setting_of_its_own(
    line: str, found: bool
) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "line",
    [
        'password = "my-db-password"',  # words joined: the name of a setting
        'password = "harbor_db_password"',
        "password = 'yourRedisPassword'",  # addressed to the reader
        "password = 'newPassword'",  # camelCase with the secret word: a field's name
        'passphrase = "passphrase2"',  # the name, numbered
        "admin.password=vault:secret/data/admin_password#value",  # where it is kept
        "if ($auth['password'] === 'bearer') {",  # a mode compared, not a password
        'if password == "zebrafish":',
        'password: "wrong"',  # what a test checks, not a password
    ],
)
def test_values_that_name_or_describe_a_password_are_not_findings(line: str) -> None:
    assert rule_ids(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "DATABASE_URL=postgres://postgres:postgres@db:5432/app",  # sealer:allow
        'amqp_url = "amqp://guest:guest@broker:5672/"',  # sealer:allow
        "REDIS_URL=redis://:mysecretpassword@cache:6379/0",  # sealer:allow
        "DATABASE_URL=postgres://postgres:postgres@localhost:5432/test",  # sealer:allow
        'broker = "amqp://guest:guest@127.0.0.1:5672/"',  # sealer:allow
        "url: 'mysql://shop:Tr4vel3r@legacy.example.com/store'",  # sealer:allow
        'mail = "smtps://ops@mail.internal:Wq8vLr2T@smtp.internal:465"',  # sealer:allow
    ],
)
def test_default_credentials_in_a_url_are_findings(line: str) -> None:
    """A default that works is a leak like any other, on loopback too; one run of
    characters that says "password" is still a password someone chose; a chosen
    password is one on a documentation host too; the user may be an e-mail address."""
    assert rule_ids(line) == ["uri-credentials"]


@pytest.mark.parametrize(
    "line",
    [
        "Server login pw:Tq7vX2zR",  # sealer:allow
        "Username:deploy Password:Lm4#pQ9w",  # sealer:allow
        "ssh ops@10.0.0.9 (pwd:Zr8!kW3e)",  # sealer:allow
        "user:ops,password:Hy6@Nc2v",  # sealer:allow
        "id:ops@example.com,pw:Tq7vX2zR!",  # sealer:allow (an e-mail domain, not an example)
        "ID:ops@example.com mailto:{1} PW:Lm4pQ9wz",  # sealer:allow
        "<Value>My password:Zr8kW3eQ</Value>",  # sealer:allow (the end of XML text)
        "password:!Hy6Nc2vq",  # sealer:allow (no blank after the colon: not a YAML tag)
    ],
)
def test_document_style_pairs_are_found(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    "line",
    [
        "arn:aws:iam::123456789012:password:Tq7vX2zR",  # a chain of colons: a path
        "ObjC call withPassword:password error:&err",  # a variable
        "def f(password:str) -> None: ...",  # a type
        "ID/PW:admin/Tq7vX2zR",  # the ID, then the password: not read as one value
        "password:placeholder_value",
        "Example pw:Tq7vX2zR",  # documentation says so
        "password:!important",  # a word after the `!`
    ],
)
def test_colon_pairs_that_are_not_passwords_are_quiet(line: str) -> None:
    assert rule_ids(line) == []


def test_a_constant_naming_the_setting_makes_the_next_argument_its_value() -> None:
    line = 'curl_easy_setopt(curl, CURLOPT_PASSWORD, "Kv8tRw2mQz");'  # sealer:allow
    assert rule_ids(line) == ["generic-secret"]
    assert rule_ids('log(password, "Kv8tRw2mQz")') == []  # a variable, then another argument


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("'x-csrf-token': 'qe7brixbiub3'", True),  # sealer:allow
        ('opts.ClientSecret = "v2.9f611f1069f60q"', True),  # sealer:allow
        ("token: 'unicorn'", False),  # a word: a test's label as often as a token
        ("api_key: { from_secret: 'docker_username' }", False),  # the name of a stored secret
        ('ETCD_INITIAL_CLUSTER_TOKEN="etcd-cluster-01"', False),  # words and a number
        ('replace(file: f, token: "%DB.USER%", value: user)', False),  # a substitution
        ('Token:              "#d8dee9",', False),  # a colour in a style table
    ],
)
def test_a_literal_secret_or_token_is_found_unless_a_word_or_a_name(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('String keyValue = "qZzmzoURXI3Vk0vdsPkcFw==";', True),  # sealer:allow
        ('aesKey = "e/QCMnCbFqab+v/cCIv3gA=="', True),  # sealer:allow
        ('MACKey:      "WmtzanB3ZW9peFhtdm42NzUzNG0=",', True),  # sealer:allow
        ("kubeadm_certificate_key: 3998c58db6497dd17d909394e62d515368c06ec6", True),  # sealer:allow
        ('"key": "f305778e838a5aba424b941a4452dab4"', False),  # hex: a digest or an id
        ('cache_key = "h8RkWv2TLq9WzPeXn2r5u8xA1D3kLmBq"', False),  # a cache's key
        ("keyboard = 'e/QCMnCbFqab+v/cCIv3gA=='", False),
        ('key = "sort-order"', False),
    ],
)
def test_a_key_is_found_when_its_value_is_key_material(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "line",
    [
        'kms_key = "projects/my-project/locations/global/keyRings/main/cryptoKeys/sops"',
        'redis_key = "sessions/ActiveUsers/ByRegion/EuropeWest"',
        "- key: configs/Production/BackendServices/v2",
        "keyValue: SomeLongCamelCaseValueThatIsNotAKey123",
        "key: sha256/Vjs8r4z+80wjNcr1YKepWQboSIRi63WsWXhIMN+eWys=",  # a public-key pin
        "pin_key: SHA1/q3Vk0vdsPkcFwE+QCMnCbFqab8=",
    ],
)
def test_a_key_holding_a_resource_path_a_name_or_a_pin_is_not_reported(line: str) -> None:
    assert rule_ids(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "key: Ab12/Cd34+Ef56/Gh78+Ij",  # sealer:allow
        'aes_key = "q9Zr/4Kx+T1mWv8sBn0yLdP3/Wq=="',  # sealer:allow
        "signing_key: Kx4T1mWv8sBn/0yLdP3qZr9Xc2Vb",  # sealer:allow
    ],
)
def test_key_material_with_slashes_is_still_reported(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("s3cret", True),  # sealer:allow - the word "secret" spelled: a weak password
        ("t0k3n2", False),  # the word "token": not what people set as a password
        ("topsecret", True),  # sealer:allow
        ("hunter2", False),  # the Internet's joke password: a stand-in
        ("Passw0rd", True),  # sealer:allow - spelled as a password, the one people set most
        ("password1", True),  # sealer:allow
        ("mypassword", True),  # sealer:allow
    ],
)
def test_passwords_people_set_are_found_and_other_stand_ins_are_not(
    value: str, found: bool
) -> None:
    assert (rule_ids(f'db_password = "{value}"') == ["generic-secret"]) is found


@pytest.mark.parametrize(
    "line",
    [
        "token:Qw7hq5Xyb1Gga9Q2",  # sealer:allow - a note: name, colon, value
        "api_token = 'b92bd80d-375d-4d85-8ba5-0c923e482262'",  # sealer:allow - a UUID token
        "  access_token: b92bd80d-375d-4d85-8ba5-0c923e482262",  # sealer:allow - in YAML
        '    aesKeyBytes := hex.DecodeString("d11c6cbbd9efe7fed5bc0db220b09665")',  # sealer:allow
        'byte[] keyBytes = base64Decode("qZzmzoURXI3Vk0vdsPkcFw==");',  # sealer:allow
        "property_set(:auth0, :secret, 'QpbeSdCoaKSmQGSeokz5qcUATClRW5u08Q')",  # sealer:allow
    ],
)
def test_secrets_in_notes_uuids_decoding_calls_and_ruby_symbols(line: str) -> None:
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize(
    "line",
    [
        "token:unicorn",  # a word
        "request_id = 'b92bd80d-375d-4d85-8ba5-0c923e482262'",  # an id, not a token
        '"ClientRequestToken": "b92bd80d-375d-4d85-8ba5-0c923e482262",',  # an idempotency token
        '"ClientToken": "b92bd80d-375d-4d85-8ba5-0c923e482262",',
        "secret:00000000-0000-0000-0000-000000000000",
        '    token = "c4dfd703-ef0d-419d-a691-b961d21b62d9"',  # a bare token: often a record's id
        'oauth_consumer_key="Travis%20Deploy"',  # words, URL-encoded
        "set(:twitter, :callback_url, 'http://example.org/cb')",
        'api_token = "Kq7#{rand(100000)}Zq81Xv"',  # Ruby interpolation: built at run time
    ],
)
def test_words_ids_and_zero_uuids_are_not_secrets(line: str) -> None:
    assert rule_ids(line) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('DB_PASSWORD = os.environ.get("DB_PASSWORD") or "Kq7vRt2x"', True),  # sealer:allow
        ("const s = process.env.JWT_SECRET || 'Qv81ZtLw0pXe4n';", True),  # sealer:allow
        ('PASSWORD = getenv("PASSWORD") ?? "welcome1"', True),  # sealer:allow
        ('x = token || "Kq7vRt2xW9abc"', False),  # not an environment variable's fallback
        ('if password or "Kq7vRt2x":', False),
    ],
)
def test_an_environment_variables_fallback_is_its_value(line: str, found: bool) -> None:
    assert (rule_ids(line) == ["generic-secret"]) is found


def test_a_type_annotation_before_a_key_value_is_read() -> None:
    line = 'keyValue: str = "qZzmzoURXI3Vk0vdsPkcFw=="'  # sealer:allow
    assert rule_ids(line) == ["generic-secret"]


@pytest.mark.parametrize("named", vendors.NAMED, ids=lambda n: n.id)
def test_a_vendor_secret_is_found_by_the_vendor_name_in_its_variable(
    named: vendors.Named,
) -> None:
    f = Fakes(7)
    value = sample(named.pattern, f.r)
    name = named.names[0].replace("-", "_")
    assert rule_ids(f'{name.upper()}_API_KEY = "{value}"\n') == [named.id]
    assert rule_ids(f"  {name}_secret: {value}\n") == [named.id]
    # the name of an identifier (`…_ID`, `…Url`), or no vendor name at all: not this rule
    if not named.access_id:  # an access id is what `…_ID` holds
        assert named.id not in rule_ids(f'{name.upper()}_CLIENT_ID = "{value}"\n')
    assert named.id not in rule_ids(f'{name}Url = "{value}"\n')
    assert named.id not in rule_ids(f'other_setting = "{value}"\n')


@pytest.mark.parametrize(
    ("word", "rule", "value"),
    [("okta", "okta-token", "00{s40}"), ("sumo", "sumologic-key", "{s64}"),
     ("meraki", "meraki-key", "{h40}")],
)  # fmt: skip
def test_short_vendor_names_count_only_in_their_own_case(word: str, rule: str, value: str) -> None:
    f = Fakes(2)
    v = value.format(s40=f.s(40), s64=f.s(64), h40=f.hex(40))
    assert rule_ids(f"{word.upper()}_TOKEN = {v}\n") == [rule]
    assert rule_ids(f"{word.capitalize()}Token = {v}\n") == [rule]
    # inside other words: `rookTable`, `sumOfValues`, `CameraKit`
    hidden = {"okta": "rookTable", "sumo": "sumOfValues", "meraki": "CameraKit"}[word]
    assert rule not in rule_ids(f"{hidden} = {v}\n")


def test_atlassian_tokens_carry_a_crc32_checksum() -> None:
    f = Fakes(4)
    body = "ATCTT3" + f.s(180, URLSAFE)
    good = f"{body}={zlib.crc32((body + '=').encode()):08X}"
    assert rule_ids(f"token = {good}\n") == ["atlassian-token"]
    assert rule_ids(f"token = {good.replace('=', '%3D')}\n") == ["atlassian-token"]
    wrong = f"{body}={(zlib.crc32((body + '=').encode()) ^ 1):08X}"
    assert "atlassian-token" not in rule_ids(f"token = {wrong}\n")


@pytest.mark.parametrize("rule", ["huggingface-token", "github-token", "figma-token"])
def test_a_token_after_a_slash_in_a_url_path_is_found(rule: str) -> None:
    token = TOKENS[rule](Fakes(5))
    assert rule_ids(f"https://files.internal.test/{token}/model.bin\n") == [rule]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("curl -H 'Authorization: Token {t}' https://api.internal.test", True),
        ('headers = {{"X-Api-Key": "{t}"}}', True),
        ("curl -H 'Authorization:  {u}' https://api.internal.test", True),
        ("curl -H 'Authorization: Token $API_TOKEN' https://api.internal.test", False),
        ("Authorization: Token <your-token>", False),
    ],
)
def test_authorization_headers_of_other_schemes(line: str, found: bool) -> None:
    f = Fakes(6)
    text = line.format(t=f.hex(40), u=f.uuid()) + "\n"
    assert (rule_ids(text) == ["authorization-header"]) is found


def test_npmrc_auth_token_and_auth_pair() -> None:
    f = Fakes(8)
    assert rule_ids(f"//registry.npmjs.org/:_authToken={f.uuid()}\n") == ["npm-auth-token"]
    assert rule_ids("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n") == []
    pair = base64.b64encode(f"ci:{f.s(16)}".encode()).decode()
    assert rule_ids(f"_auth={pair}\n") == ["basic-auth"]
    assert rule_ids(f'  _auth: "{base64.b64encode(b"no-colon-here").decode()}",\n') == []


def test_a_short_keyword_does_not_hide_one_that_starts_inside_it() -> None:
    # `sk` (Twilio) matched first would hide `k_live_` (Stripe) if keywords could not overlap
    token = TOKENS["stripe-key"](Fakes(0))
    assert rule_ids(f'value = "{token}"\n') == ["stripe-key"]


def test_new_relic_license_keys_end_in_nral() -> None:
    f = Fakes(9)
    assert rule_ids(f"license_key: {f.hex(36)}NRAL\n") == ["new-relic-license-key"]
    assert rule_ids(f"license_key: eu01x{f.hex(31)}NRAL\n") == ["new-relic-license-key"]
    assert "new-relic-license-key" not in rule_ids(f"checksum: {f.hex(40)}NRALX\n")


def test_pkcs12_pem_output_base64_encoded_holds_a_private_key() -> None:
    # what `openssl pkcs12 -nodes` prints: `Bag Attributes` headers, a certificate, the key
    f = Fakes(23)
    bags = "Bag Attributes\n    friendlyName: push\nsubject=/CN=push\n"
    cert = "-----BEGIN CERTIFICATE-----\n" + f.b64(600) + "\n-----END CERTIFICATE-----\n"
    with_key = base64.b64encode((bags + cert + bags + _pem(f) + "\n").encode()).decode()
    assert rule_ids(f"const bundle = `{with_key}`\n") == ["private-key-encoded-pem"]
    only_cert = base64.b64encode((bags + cert).encode()).decode()
    assert rule_ids(f"const bundle = `{only_cert}`\n") == []


def test_tokens_whose_format_holds_runs_of_one_character() -> None:
    # Fly.io tokens are msgpack: zero bytes make `AAAAAAAA` in the base64
    f = Fakes(24)
    fly = "FlyV1 fm2_lJPE" + "C" + "A" * 10 + f.s(160, B62 + "+/")
    assert rule_ids(f'FLY_API_TOKEN="{fly}"\n') == ["flyio-token"]
    # …where elsewhere such a run marks a stand-in
    assert rule_ids(f'FIGMA="figd_{"A" * 40}"\n') == []


def test_sourcegraph_tokens_in_upper_and_lower_case_hex() -> None:
    f = Fakes(25)
    hexes = f.hex(40).upper()[:20] + f.hex(40)[20:]
    assert rule_ids(f"sgp_{hexes}\n") == ["sourcegraph-token"]
    assert rule_ids(f"sgp_local_{hexes}\n") == ["sourcegraph-token"]


def test_legacy_slack_workspace_tokens() -> None:
    f = Fakes(26)
    token = f"xoxa-2-{f.digits(12)}-{f.digits(12)}-{f.hex(32)}"
    assert rule_ids(f'slack = "{token}"\n') == ["slack-token"]


def test_a_json_web_key_in_yaml_far_down_a_file_is_found() -> None:
    # the member search is bounded to the object (or the span before `kty`), not the
    # file from its start: `kty` inside a long base64 run used to rescan the whole file
    k = Fakes(27).b64(32, urlsafe=True).rstrip("=")
    head = 'other: {"a": 1}\n' + "QUJD" * 2000 + "\n"
    assert rule_ids(f'{head}jwk:\n  kty: oct\n  k: "{k}"\n') == ["jwk-private-key"]


def test_ntlm_authenticate_messages_but_not_negotiate_or_challenge() -> None:
    f = Fakes(28)

    def message(kind: int) -> str:
        body = b"NTLMSSP\0" + bytes([kind, 0, 0, 0]) + b"\x18\x00\x18\x00" + f.raw(120)
        return base64.b64encode(body).decode()

    assert rule_ids(f"Authorization: NTLM {message(3)}\n") == ["ntlm-authenticate"]
    assert rule_ids(f"Authorization: NTLM {message(1)}\n") == []
    assert rule_ids(f"WWW-Authenticate: NTLM {message(2)}\n") == []


def test_curl_oauth2_bearer_flag() -> None:
    token = Fakes(29).b64(24)
    assert rule_ids(f'curl --oauth2-bearer "{token}" https://api.internal.test\n') == [
        "bearer-token"
    ]
    assert rule_ids('curl --oauth2-bearer "$TOKEN" https://api.internal.test\n') == []


@pytest.mark.parametrize(
    "line",
    [
        "sourcegraph_commit: 3f1e2d4c5b6a79880716253443526170819a0b1c",
        "datadog_agent_commit: 3f1e2d4c5b6a79880716253443526170819a0b1c",
        "sentry_release: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        'hubspotFormGuid: "3c9e1f7a-2b4d-4e8f-9a6b-1c2d3e4f5a6b"',
        "sentryImageTag: 9f86d081884c7d659a2feaa0c55ad015",
    ],
)
def test_a_vendor_name_on_a_commit_release_or_public_id_is_not_a_finding(line: str) -> None:
    assert rule_ids(line) == []


_SUMO = "Xk3mP9qR2sT5vW8yZ1bC4dF7gH0jK6nL" * 2


@pytest.mark.parametrize(
    ("inside", "alone", "vendor"),
    [
        (
            "BOOKTABLE_TOKEN=00Xk3mP9qR2sT5vW8yZ1bC4dF7gH0jK6nLXk3mP9qR",  # sealer:allow
            "OKTA",
            "okta-token",
        ),
        ("BETSY_TOKEN=Xk3mP9qR2sT5vW8yZ1bC4dF7", "ETSY", "etsy-token"),  # sealer:allow
        ("CONSUMO_SECRET=" + _SUMO, "SUMO", "sumologic-key"),
        (
            "BookTableToken: 00Xk3mP9qR2sT5vW8yZ1bC4dF7gH0jK6nLXk3mP9qR",  # sealer:allow
            "myOkta",
            "okta-token",
        ),
    ],
)
def test_a_cased_vendor_name_inside_a_longer_word_is_not_that_vendor(
    inside: str, alone: str, vendor: str
) -> None:
    assert vendor not in rule_ids(inside)
    _, rest = re.split(r"(?=[_:])", inside, maxsplit=1)
    assert vendor in rule_ids(alone + rest)  # the vendor's own name still is


@pytest.mark.parametrize(
    "line",
    [
        "password: prompt",
        "  password: keyring",
        "DB_PASSWORD=generated",
        "password: plaintext",
        "password_encryption: scram-sha-256",
        "password: bcrypt",
        "REQUIRE_PASSWORD: always",
        "password: Passwort",  # a locale file: the word translated
        "password: Wachtwoord",
        "password: salasana",
        "password: hasło",
    ],
)
def test_a_mode_a_hash_method_or_a_translation_on_a_password_line_is_not_a_password(
    line: str,
) -> None:
    assert rule_ids(line) == []


@pytest.mark.parametrize(
    "line", ["save_password: never2", "showPassword: sometimes", "remember_password: later"]
)
def test_a_name_starting_with_a_verb_is_a_switch_not_a_password(line: str) -> None:
    assert rule_ids(line) == []


def test_a_bare_word_password_on_a_setting_line_is_still_reported() -> None:
    assert rule_ids("password: hello") == ["generic-secret"]  # sealer:allow
    assert rule_ids("save_password: xK9mP2qLw7Rt") == ["generic-secret"]  # sealer:allow


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        # a password equal to the user is a default credential, as in URLs
        ("Authorization: Basic " + base64.b64encode(b"portal:portal").decode(), "basic-auth"),
        ("  auth: '" + base64.b64encode(b"ops:Wq8vLr2T").decode() + "',", "basic-auth"),
        (
            'curl -H "Authorization: sha256~Qv8#tz2Lw=-.k+/Rm4x"',  # sealer:allow
            "authorization-header",
        ),
    ],
)
def test_authorization_header_forms(line: str, rule: str) -> None:
    assert rule_ids(line) == [rule]


def test_a_bearer_token_longer_than_the_generic_cap_is_found() -> None:
    token = Fakes(29).b64(258)
    assert len(token) > 300
    assert rule_ids(f"curl -H 'Authorization: Bearer {token}' https://api.internal\n") == [
        "bearer-token"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "  auth: 'aGVsbG8gd29ybGQ='",  # base64 of words with no `user:` part
        '  author: "' + base64.b64encode(b"ops:Wq8vLr2T").decode() + '"',  # not `auth`
        "Authorization: Basic " + base64.b64encode(b"ops:").decode(),  # no password
    ],
)
def test_basic_credential_look_alikes_are_quiet(line: str) -> None:
    assert rule_ids(line) == []
