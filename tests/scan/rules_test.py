"""Every rule finds its format (generated tokens) and leaves look-alikes alone."""

from __future__ import annotations

import pytest

from sealer.scan import engine
from sealer.scan.rules import BY_ID, RULES
from tests.scan.fakes import B62, TOKENS, Fakes

SEEDS = range(5)


def rule_ids(text: str) -> list[str]:
    return [h.rule.id for h in engine.scan(text.encode())]


def test_every_rule_but_the_context_ones_has_a_token_generator() -> None:
    contextual = {
        "private-key", "aws-secret-access-key", "uri-credentials", "basic-auth",
        "bearer-token", "generic-secret",
    }  # fmt: skip
    assert set(TOKENS) | contextual == set(BY_ID)
    assert len(RULES) == len(BY_ID)


@pytest.mark.parametrize("rule", sorted(TOKENS))
@pytest.mark.parametrize("seed", SEEDS)
def test_rule_finds_its_format_in_code(rule: str, seed: int) -> None:
    token = TOKENS[rule](Fakes(seed))
    assert rule_ids(f'value = "{token}"\n') == [rule]
    assert rule_ids(f"{token}\n") == [rule]


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
        "DATABASE_URL=postgres://postgres:postgres@localhost/app",
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
        "${DB_PASSWORD}", "{{ .Values.password }}", "%(password)s", "<password>", "changeme",
        "your-password-here", "settings.DB_PASSWORD", "getPassword()",
        "/run/secrets/db", "./secrets/db.txt", "https://vault.internal/v1/db", "********",
        "123e4567-e89b-42d3-a456-426614174000", "$2b$12$" + "a" * 53, "sha256:" + "ab" * 32,
        "inf-vsqt-01-secret-id", "tokenizationIdentifier", "s3cr3t-Pa55",
        "p@ssw0rd2024", "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]", "!vault", "*anchor",
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
