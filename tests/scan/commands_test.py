"""Credentials in SQL statements, command-line flags and curl commands."""

from __future__ import annotations

import pytest

from sealer.scan import commands
from tests.scan.scanned import found


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("ALTER ROLE reporting PASSWORD 'lanternfish';", "lanternfish"),  # sealer:allow
        ("CREATE ROLE etl WITH LOGIN PASSWORD 'harbourlights'", "harbourlights"),  # sealer:allow
        ("CREATE ROLE etl WITH LOGIN PASSWORD Qm4rTz8wLp;", "Qm4rTz8wLp"),  # sealer:allow
        ("CREATE LOGIN svc WITH PASSWORD = 'Vb7nQ2xRt';", "Vb7nQ2xRt"),  # sealer:allow
        ("CREATE USER ops@'db1' IDENTIFIED BY \"it'sQ9v\";", "it'sQ9v"),  # sealer:allow
        (
            "ALTER USER 'a'@'%' IDENTIFIED WITH mysql_native_password BY 'Rw3tYp8q';",  # sealer:allow
            "Rw3tYp8q",
        ),
        (
            "ALTER USER 'a'@'%' IDENTIFIED WITH 'mysql_native_password' AS "
            "'*1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D';",  # sealer:allow
            "*1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D",
        ),
        ("SET PASSWORD FOR 'a'@'%' = PASSWORD('Lp5wQz8r');", "Lp5wQz8r"),  # sealer:allow
        ("GRANT ALL ON app.* TO 'app'@'%' IDENTIFIED BY 'Hq7vT2pLx';", "Hq7vT2pLx"),  # sealer:allow
    ],
)
def test_sql_statements_give_their_password(line: str, secret: str) -> None:
    """Quoted in a statement about a user, role or login, even a word is a password
    someone set; a MySQL native hash logs in as well as the password does."""
    assert found(line) == [("sql-password", secret)]


@pytest.mark.parametrize(
    "line",
    [
        "ALTER USER 'ops'@'10.0.%' PASSWORD EXPIRE INTERVAL 90 DAY;",
        "ALTER USER 'ops'@'%' PASSWORD HISTORY 1;",
        "ALTER USER 'a'@'%' IDENTIFIED WITH 'mysql_native_password' AS '*xxxxx';",
        "CREATE USER $NAME WITH LOGIN PASSWORD '$USER_PASS';",
        "alter user bob identified with sha256_password by '<enter password>';",
        "Users are identified by name and role.",
        "[password cStringUsingEncoding:NSUTF8StringEncoding]",
        "hash = password(user_input)",
    ],
)
def test_sql_look_alikes_are_quiet(line: str) -> None:
    assert found(line) == []


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("mysql --user=root --password=kQ7vRt2xW9 --host db", "kQ7vRt2xW9"),  # sealer:allow
        ("python run.py --mysql-user=root --mysql-password=quokka", "quokka"),  # sealer:allow
        ("Connect-Db -User ops -Password Ops#2024x -Domain LAB", "Ops#2024x"),  # sealer:allow
        ("tool --Password Wd7!kq2Lr", "Wd7!kq2Lr"),  # sealer:allow
        ('args = ["--keystore-password", "otterpond"]', "otterpond"),  # sealer:allow
        ("runner -user:ops -pwd:Hy6vNc2q", "Hy6vNc2q"),  # sealer:allow
        ("/// <code>Connect -User ops -Password Ops#2024x</code>", "Ops#2024x"),  # sealer:allow
        ('run("ConvertTo-SecureString \\"Qz4#vW8kLp\\"")', "Qz4#vW8kLp"),  # sealer:allow
        ("cli deploy --token Qz8rWm3vKt5pLx2n", "Qz8rWm3vKt5pLx2n"),  # sealer:allow
        ("cli -secret Hk4vRt9qWm2zLx7p", "Hk4vRt9qWm2zLx7p"),  # sealer:allow
        ('openssl rsa -in k.pem -passin "pass:Tz7#qW2v" -out k2.pem', "Tz7#qW2v"),  # sealer:allow
        ("openssl enc -aes-256-cbc -pass pass:Qv8tz2Lw -in a", "Qv8tz2Lw"),  # sealer:allow
        ("docker exec db mysqldump -u root -pRw3tYp8q app", "Rw3tYp8q"),  # sealer:allow
        ("sshpass -p 'Tz7qW2vk' ssh ops@host", "Tz7qW2vk"),  # sealer:allow
        ("keytool -importcert -keystore t.jks -storepass walrus12", "walrus12"),  # sealer:allow
        ("keytool -genkey -storepass changeit -keypass Qv8tz2Lw", "Qv8tz2Lw"),  # sealer:allow
        ("redis-cli -h cache -a Tz7qW2vkLp ping", "Tz7qW2vkLp"),  # sealer:allow
        ('ldapsearch -x -D "cn=admin,dc=corp" -w admin -b dc=corp', "admin"),  # sealer:allow
        ("mongosh -u root -p Hq7vT2pLx --quiet", "Hq7vT2pLx"),  # sealer:allow
        ("docker login -u ci -p Zr8kW3eQv5 registry.internal", "Zr8kW3eQv5"),  # sealer:allow
        ("redis-cli -a Tz7qW2vkLp ping", "Tz7qW2vkLp"),  # sealer:allow
        ("docker login -p Zr8kW3eQv5 registry.internal", "Zr8kW3eQv5"),  # sealer:allow
        ("mysql -pRw3tYp8q app", "Rw3tYp8q"),  # sealer:allow
        ("ldapsearch -w Qv8tz2Lw -x -b dc=corp", "Qv8tz2Lw"),  # sealer:allow
        ("mongosh -p Hq7vT2pLx --quiet", "Hq7vT2pLx"),  # sealer:allow
        (
            "$p = ConvertTo-SecureString -String 'Xv8#kq3Lz' -AsPlainText -Force",  # sealer:allow
            "Xv8#kq3Lz",
        ),
    ],
)
def test_secrets_given_as_flags(line: str, secret: str) -> None:
    assert found(line) == [("cli-password", secret)]


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("docker build --build-arg ADMIN_PASSWORD=walrus7 .", "walrus7"),  # sealer:allow
        ("helm install db --set auth.password=Qv8tz2Lw", "Qv8tz2Lw"),  # sealer:allow
        ("helm install db --set dbPassword=ottersong", "ottersong"),  # sealer:allow
        ("heroku config:add API_TOKEN=Zr8kW3eQv5Tn2mLp", "Zr8kW3eQv5Tn2mLp"),  # sealer:allow
        ("  PGPASSWORD=postgres psql -h db -U app", "postgres"),  # sealer:allow
        ("DEPLOY_TOKEN=Hk4vRt9qWm2zLx7p ./deploy.sh prod", "Hk4vRt9qWm2zLx7p"),  # sealer:allow
    ],
)
def test_settings_passed_to_a_command(line: str, secret: str) -> None:
    assert found(line) == [("cli-password", secret)]


@pytest.mark.parametrize(
    "line",
    [
        "  --password PASSWORD   the database password",
        "  --token string        bearer token for the API",
        "  -basic-auth-password string: the password for Basic auth",
        "psql --password $DB_PASSWORD",
        "backup --password=$(cat /run/secrets/db)",
        "docker login --password-stdin < token.txt",
        "tool --password-file /etc/tool/pw",
        "use the --username and --password options instead of the URL",
        "cli --token my-deploy-token",  # words: the name of a token
        "tool --password -h",
        "openssl rsa -passin env:KEY_PW -in k.pem",
        "openssl rsa -passin file:pw.txt -in k.pem",
        "mysql -u root -p app",  # `-p` alone: a prompt
        "keytool -keypasswd -alias app",  # a command, not a flag with a value
        "keytool -list -keystore t.jks -storepass changeit",  # a bare word, not a default
        "docker login -u $REGISTRY_USER -p $REGISTRY_PASSWORD registry.internal",
        "docker login -u user -p pass https://registry",
        "ssh -p 2222 ops@host",  # `-p` is a port for other commands
        "mysql -p",  # `-p` alone, first: a prompt
        "redis-cli -a $REDIS_PASSWORD ping",
        "mysqldump -uroot -p$MYSQL_PWD app",
        "pip install mysql-python; cc -pthread x.c",
        'extra_args += ["--password", password]',
        "$p = ConvertTo-SecureString $plain -AsPlainText -Force",
        "$k = ConvertTo-SecureString -Key $key",  # switches, not the string
        "$p = ConvertTo-SecureString -String $env:PW -AsPlainText -Force",
        "$p = ConvertTo-SecureString -SecureKey $sk",
        "$p = ConvertTo-SecureString -AsPlainText -Force -String (Get-Content pw.txt)",
        "x-auth-token: from_header",
        "docker build --build-arg BYPASS=Qv8tz2Lw --build-arg PASSWORD_FILE=x .",
        "heroku config:set SMTP_PASSWORD=xxxxxxxx",
        "heroku config:set API_TOKEN=deploy-token-name",
        "helm install db --set auth.password=$DB_PASSWORD",
        "PGPASSWORD=$PW psql -h db",
        "ORACLE_PWD=### set by the installer ###",
        "SMTP_PASSWORD=mail pass",  # a .env value with a blank: no command follows
        'SMTP_PASSWORD="test-smtp-password" ./deploy.sh',  # the name of a password
        "BYPASS=Qv8tz2Lw make",
    ],
)
def test_flag_look_alikes_are_quiet(line: str) -> None:
    assert found(line) == []


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("curl -u deploy:h0pk1ns~21s https://api.internal", "h0pk1ns~21s"),  # sealer:allow
        ("curl --user ops:'Wq8vLr2Tz' https://api.internal", "Wq8vLr2Tz"),  # sealer:allow
        ('curl --user "{ops}":"{Kr5tWq8zN}" https://api', "Kr5tWq8zN"),  # sealer:allow
        ('curl -u ":Zr8kW3eQ" https://api', "Zr8kW3eQ"),  # sealer:allow
        ('curl -u "Hq7vT2pLx9Wk4zR8:" https://api', "Hq7vT2pLx9Wk4zR8"),  # sealer:allow
        ("curl -u admin:admin http://127.0.0.1:8080", "admin"),  # sealer:allow
        (
            "curl -X POST https://api.internal/v1 \\\n  -d 'x=1' \\\n"
            "  -u builder:Nv6qPz3Rw\n",  # sealer:allow
            "Nv6qPz3Rw",
        ),
    ],
)
def test_curl_user_and_password(text: str, secret: str) -> None:
    assert found(text) == [("curl-user-password", secret)]


@pytest.mark.parametrize(
    "text",
    [
        "curl -u <user:password> https://test.com/endpoint",
        "curl -u username:token https://api",
        'curl -u "$USER:$PASS" https://api',
        "curl -u admin https://api",
        # not continued: the next line is another command
        "curl https://api.internal/v1\n  -u builder:Nv6qPz3Rw\n",  # sealer:allow
    ],
)
def test_curl_user_look_alikes_are_quiet(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('curl -H "Token: 9fe2a4c1d7b3e805" https://api', "9fe2a4c1d7b3e805"),  # sealer:allow
        ('curl -H "X-Session-Key: 9fe2a4c1d7b3e805" api', "9fe2a4c1d7b3e805"),  # sealer:allow
        ('curl -H "X_API_TOKEN: 3b8e1f0a6c2d4e97" https://api', "3b8e1f0a6c2d4e97"),  # sealer:allow
        ('curl -H "X-Cache-Token: Qz8rWm3vKt5pLx2n" api', "Qz8rWm3vKt5pLx2n"),  # sealer:allow
        (
            "curl -X GET \\\n  -H 'X-Deploy-Token: 6a1f4c3e-9b2d-4e8f-a7c5-0d3b1e9f2a64' \\\n"  # sealer:allow
            "  https://api\n",
            "6a1f4c3e-9b2d-4e8f-a7c5-0d3b1e9f2a64",
        ),
    ],
)
def test_curl_header_keys(text: str, secret: str) -> None:
    assert found(text) == [("curl-header-key", secret)]


@pytest.mark.parametrize(
    "text",
    [
        'curl -H "Content-Type: application/json" https://api',
        'curl -H "X-Api-Key: $API_KEY" https://api',
        'curl -H "Token: 00000000-0000-0000-0000-000000000000" https://api',
        'curl -H "X-Request-Token: deploy-preview" https://api',
        'curl -H "Cache-Session: deadbeefdeadbeef" https://api',  # a header, not a key
        'curl -H "Page-Token: 7c9e6679-7425-40de-944b-e07fc1f90ae7" https://api',  # a cursor
    ],
)
def test_curl_header_look_alikes_are_quiet(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('#define WIFI_PASSWORD "Tz7qW2vkLp"', "Tz7qW2vkLp"),  # sealer:allow
        ('#  define mqttPass "harbourlights"', "harbourlights"),  # sealer:allow
        ('#define API_KEY "Zr8kW3eQv5Tn2mLpHk4v"', "Zr8kW3eQv5Tn2mLpHk4v"),  # sealer:allow
        (
            "%define token 9c41e07b2d5fa86e13b0c97d4a2f65e8",
            "9c41e07b2d5fa86e13b0c97d4a2f65e8",
        ),  # sealer:allow
        ('src = "#define\\tpassword\\t\\"Qv8tz2Lw\\""', "Qv8tz2Lw"),  # sealer:allow
    ],
)
def test_macros_defined_as_secrets(line: str, secret: str) -> None:
    assert found(line) == [("macro-secret", secret)]


@pytest.mark.parametrize(
    "line",
    [
        "#define PASSWORD_LENGTH 8",
        '#define TOKEN_EXPIRY "1h"',
        '#define MQTT_PASS "password"',
        '#define DB_PASSWORD getenv("DB_PASSWORD")',
        '#define PASSWORD_PROMPT "Enter password"',
        '#define SECRET_KEY_FILE "/etc/app/key"',
        "#define PASSWORD render",  # a bare word: a macro's name as often as a value
    ],
)
def test_macro_look_alikes_are_quiet(line: str) -> None:
    assert found(line) == []


def test_hex_under_a_token_header_named_for_something_else_is_no_header_key() -> None:
    # an ETag-like digest (the generic rule judges `…Token: <hex>` on its own terms)
    line = 'curl -H "X-Cache-Token: 5d41a02bc4b2a761" https://api'  # sealer:allow
    assert "curl-header-key" not in [rule for rule, _ in found(line)]


@pytest.mark.parametrize(
    ("name", "word", "last"),
    [
        (b"password", b"password", True),
        (b"ADMIN_PASSWORD", b"PASSWORD", True),
        (b"auth.password", b"password", True),
        (b"accessToken", b"Token", True),
        (b"PGPASSWORD", b"PASSWORD", True),  # run on, upper case, 5 letters or more
        (b"compass", b"pass", False),
        (b"BYPASS", b"PASS", False),  # run on but short: the end of another word
        (b"sessiontoken", b"token", False),  # run on in lower case
    ],
)
def test_the_secret_word_must_be_the_names_last_word(name: bytes, word: bytes, last: bool) -> None:
    # one reading for command lines and escaped text (`sealer/scan/escaped.py`)
    assert commands.ends_in_secret_word(name, word) is last
