"""A labelled corpus for the scanner, generated at test time.

Positives: fake credentials of every supported format (tests/scan/fakes.py) in
the places they leak from: source code of several languages, config files
(YAML, JSON, .env, INI, TOML, XML, Terraform, Dockerfiles) and docs (Markdown,
shell). Hard negatives: hashes and digests, UUIDs, lockfile integrity strings,
base64 images, sealed `ENC[…]` values and whole sealed files, public keys and
certificates, documentation placeholders and test stand-ins, references to
variables and vaults, and code that handles secrets without containing one.
Each item is labelled; a file is items joined with filler lines of its language.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sealer.scan import vendors
from tests.scan.fakes import B62, TOKENS, Fakes, sample


@dataclass
class Item:
    text: str  # one or more lines
    positive: bool
    kind: str  # rule family for positives, category for negatives


@dataclass
class CorpusFile:
    name: str
    items: list[Item] = field(default_factory=list)

    def render(self) -> tuple[bytes, list[tuple[int, int, Item]]]:
        """The file's bytes and each item's (first line, last line), 1-based."""
        lines: list[str] = []
        spans: list[tuple[int, int, Item]] = []
        for item in self.items:
            first = len(lines) + 1
            lines.extend(item.text.split("\n"))
            spans.append((first, len(lines), item))
        return ("\n".join(lines) + "\n").encode(), spans


# --- naming styles -----------------------------------------------------------------


def styles(words: str) -> dict[str, str]:
    parts = words.split()
    camel = parts[0] + "".join(p.capitalize() for p in parts[1:])
    return {
        "snake": "_".join(parts),
        "UPPER": "_".join(parts).upper(),
        "camel": camel,
        "Camel": camel[0].upper() + camel[1:],
        "kebab": "-".join(parts),
        "dotted": ".".join(parts),
    }


# context -> (file suffix, assignment templates, filler lines)
CONTEXTS: dict[str, tuple[str, list[str], list[str]]] = {
    "python": (
        ".py",
        [
            '{snake} = "{value}"',
            "{UPPER} = '{value}'",
            'client = Client({snake}="{value}", timeout=30)',
            'config["{snake}"] = "{value}"',
            '    {snake}: str = "{value}"',
            'os.environ.setdefault("{UPPER}", "{value}")',
        ],
        [
            "import os",
            "import logging",
            "",
            "logger = logging.getLogger(__name__)",
            "def load(path: str) -> dict:",
            "    with open(path) as f:",
            "        return json.load(f)",
            "    for item in items:",
            "        result.append(item.name)",
            "class Settings(BaseSettings):",
            "    timeout: int = 30",
            'if __name__ == "__main__":',
            "    main()",
        ],
    ),
    "javascript": (
        ".js",
        [
            'const {camel} = "{value}";',
            "export const {UPPER} = '{value}';",
            '  {camel}: "{value}",',
            'process.env.{UPPER} = "{value}";',
            "let {camel} = `{value}`;",
        ],
        [
            "import axios from 'axios';",
            "export default function handler(req, res) {",
            "  const { id } = req.query;",
            "  return res.status(200).json({ ok: true });",
            "}",
            "module.exports = { handler };",
            "const items = data.map((x) => x.id);",
        ],
    ),
    "go": (
        ".go",
        [
            '\t{camel} := "{value}"',
            'var {Camel} = "{value}"',
            'const {Camel} string = "{value}"',
            '\t\t{Camel}: "{value}",',
        ],
        [
            "package main",
            'import "fmt"',
            "func main() {",
            '\tfmt.Println("hello")',
            "\tif err != nil {",
            "\t\treturn err",
            "\t}",
            "}",
        ],
    ),
    "java": (
        ".java",
        [
            'private static final String {UPPER} = "{value}";',
            'config.set{Camel}("{value}");',
            '    String {camel} = "{value}";',
        ],
        [
            "package com.example.app;",
            "import java.util.List;",
            "public class App {",
            "    public static void main(String[] args) {",
            '        System.out.println("started");',
            "    }",
            "}",
        ],
    ),
    "yaml": (
        ".yaml",
        ["{snake}: {value}", '  {snake}: "{value}"', "    {camel}: '{value}'"],
        [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            "  name: web",
            "  labels:",
            "    app: web",
            "spec:",
            "  replicas: 3",
            "      containers:",
            "        - image: nginx:1.25",
        ],
    ),
    "json": (
        ".json",
        ['  "{camel}": "{value}",', '    "{snake}": "{value}"'],
        ["{", '  "name": "service",', '  "version": "1.4.2",', '  "enabled": true,', "}"],
    ),
    "dotenv": (
        ".env",
        ["{UPPER}={value}", 'export {UPPER}="{value}"', "{UPPER}='{value}'"],
        ["NODE_ENV=production", "PORT=8080", "LOG_LEVEL=info", "# local settings"],
    ),
    "ini": (
        ".ini",
        ["{snake} = {value}", "{dotted}={value}"],
        ["[database]", "host = db.internal", "port = 5432", "[server]", "workers = 4"],
    ),
    "toml": (
        ".toml",
        ['{snake} = "{value}"'],
        ["[tool.app]", 'name = "svc"', "retries = 3", "[tool.app.db]"],
    ),
    "xml": (
        ".config",
        ['    <add key="{Camel}" value="{value}" />', "  <{camel}>{value}</{camel}>"],
        ["<configuration>", "  <appSettings>", "  </appSettings>", "</configuration>"],
    ),
    "terraform": (
        ".tf",
        ['  {snake} = "{value}"'],
        ['provider "aws" {', '  region = "eu-west-1"', "}", 'resource "aws_s3_bucket" "b" {'],
    ),
    "docker": (
        "Dockerfile",
        ["ENV {UPPER}={value}", "ARG {UPPER}={value}"],
        ["FROM python:3.11-slim", "WORKDIR /app", "COPY . .", 'CMD ["python", "app.py"]'],
    ),
    "shell": (
        ".sh",
        ['{UPPER}="{value}" ./deploy.sh', "export {UPPER}={value}"],
        ["#!/usr/bin/env bash", "set -euo pipefail", 'cd "$(dirname "$0")"', "make build"],
    ),
    "markdown": (
        ".md",
        ["```sh\nexport {UPPER}={value}\n```", "Set `{UPPER}={value}` in the CI settings."],
        ["# Setup", "", "Install the tool and run it:", "```sh", "make install", "```"],
    ),
    "php": (
        ".php",
        ["    '{snake}' => '{value}',", "define('{UPPER}', '{value}');"],
        ["<?php", "return [", "];", "$app = new App();"],
    ),
}

# names a leaked secret of each family is stored under
FAMILY_NAMES: dict[str, list[str]] = {
    "github-token": ["github token", "gh token"],
    "aws-access-key-id": ["aws access key id"],
    "generic-secret": [
        "db password", "api key", "client secret", "auth token", "secret key", "access token",
        "admin password", "smtp password", "webhook secret", "signing key", "refresh token",
        "encryption key", "app secret", "service password", "mysql root password",
    ],
}  # fmt: skip
DEFAULT_NAMES = ["api token", "service token", "access token", "secret", "api key"]

# places a token appears without a name (docs, headers, URLs)
BARE_TEMPLATES = [
    'curl -H "Authorization: Bearer {value}" https://api.internal.test/v1/items',
    "The bot authenticates with `{value}` (rotate it quarterly).",
    '    - name: TOKEN\n      value: "{value}"',
    'headers = {{"Authorization": "token {value}"}}',
    "    args: ['--token', '{value}']",
]


def _private_key(f: Fakes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    kind = f.r.randrange(3)
    if kind == 0:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    elif kind == 1:
        key2 = ed25519.Ed25519PrivateKey.generate()
        pem = key2.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    else:
        key = ec.generate_private_key(ec.SECP384R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    return pem.decode().strip()


def _private_key_item(f: Fakes) -> Item:
    pem = _private_key(f)
    style = f.r.randrange(4)
    if style == 0:
        text = pem
    elif style == 1:  # a GCP-style service account file
        escaped = pem.replace("\n", "\\n") + "\\n"
        text = f'  "type": "service_account",\n  "private_key": "{escaped}",'
    elif style == 2:  # YAML block scalar
        text = "tls_key: |\n" + "\n".join("  " + line for line in pem.split("\n"))
    else:  # a Python constant
        text = f'PRIVATE_KEY = """\n{pem}\n"""'
    return Item(text, True, "private-key")


def _der_key(f: Fakes) -> str:
    """A generated private key as one line of base64 DER (PKCS#8 or SEC1)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    fmt = f.r.choice(
        [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL]
    )
    der = key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())
    return base64.b64encode(der).decode()


def _keyish_items(f: Fakes) -> list[Item]:
    """Private keys without PEM lines, a JSON Web Key, a GitLab session cookie."""
    der = _der_key(f)
    pem = base64.b64encode((_private_key(f) + "\n").encode()).decode()
    d = f.b64(32, urlsafe=True).rstrip("=")
    pw = f.s(12, B62)
    return [
        Item(f"mysql -h db --user=app --password={pw} -e 'select 1'", True, "cli-password"),
        Item(f"ALTER USER app IDENTIFIED BY '{pw}';", True, "sql-password"),
        Item(f"curl -sS -u deploy:{pw} https://ci.internal/api", True, "curl-user-password"),
        Item(f'curl -sS -H "X-Deploy-Token: {pw}{d[:12]}" https://ci.internal/api', True,
             "curl-header-key"),
        Item(f"Secret Key: {d[:10]}{pw}", True, "labelled-key"),
        Item(f'<a href="/dl?token=&quot;{pw}{d[-8:]}&quot;">get</a>', True, "escaped-secret"),
        Item(f'#define WIFI_PASSWORD "{pw}"', True, "macro-secret"),
        Item(f'String signingKey = "{der}";', True, "private-key-der"),
        Item(f"  tls.key: {pem}", True, "private-key-encoded-pem"),
        Item(f'{{"kty": "EC", "crv": "P-256", "d": "{d}"}}', True, "jwk-private-key"),
        Item(f"Cookie: _gitlab_session={f.s(32, '0123456789abcdefghijklmnopqrstuvwxyz')}", True,
             "gitlab-session-cookie"),
    ]  # fmt: skip


def _uri_item(f: Fakes) -> Item:
    pw = f.uri_password()
    template = f.r.choice(
        [
            "DATABASE_URL=postgres://app:{pw}@db.internal:5432/app",
            'SQLALCHEMY_DATABASE_URI = "mysql+pymysql://svc:{pw}@mysql:3306/shop"',
            "  broker_url: amqp://worker:{pw}@rabbitmq:5672/",
            '  "mongo": "mongodb+srv://admin:{pw}@cluster0.abcde.mongodb.net/prod",',
            "redis_url: redis://:{pw}@cache:6379/0",
        ]
    )
    return Item(template.format(pw=pw), True, "uri-credentials")


def positives(f: Fakes) -> list[tuple[str, Item]]:
    """(context, item) for every positive."""
    out: list[tuple[str, Item]] = []
    contexts = list(CONTEXTS)
    families: list[tuple[str, Callable[[Fakes], str]]] = [
        (family, make) for family, make in TOKENS.items() if family not in LATER + NEWER
    ]
    for _ in range(6):
        for family, make in families:
            value = make(f)
            ctx = f.r.choice(contexts)
            if f.r.random() < 0.25:
                text = f.r.choice(BARE_TEMPLATES).format(value=value)
            else:
                names = FAMILY_NAMES.get(family, DEFAULT_NAMES)
                template = f.r.choice(CONTEXTS[ctx][1])
                text = template.format(value=value, **styles(f.r.choice(names)))
            out.append((ctx, Item(text, True, family)))
    for _ in range(150):
        ctx = f.r.choice(contexts)
        value = f.password() if f.r.random() < 0.4 else f.random_token()
        template = f.r.choice(CONTEXTS[ctx][1])
        name = f.r.choice(FAMILY_NAMES["generic-secret"])
        out.append(
            (ctx, Item(template.format(value=value, **styles(name)), True, "generic-secret"))
        )
    for _ in range(20):
        out.append((f.r.choice(["yaml", "python", "dotenv", "json"]), _uri_item(f)))
    for _ in range(12):
        out.append((f.r.choice(["markdown", "json", "yaml", "python"]), _private_key_item(f)))
    for _ in range(6):
        out.extend(("markdown", item) for item in _keyish_items(f))
    for _ in range(10):
        token = f.r.choice([f.aws_secret(), f.aws_secret()])
        out.append(("ini", Item(f"aws_secret_access_key = {token}", True, "aws-secret-access-key")))
    for _ in range(10):
        token = f.b64(f.r.choice([24, 32, 48]), urlsafe=True).rstrip("=")
        line = f.r.choice(
            [
                'curl -sS -H "Authorization: Bearer {t}" https://api.internal.test/v2/deploy',
                '    "Authorization": "Bearer {t}",',
                "  Authorization: Bearer {t}",
            ]
        )
        out.append(
            (
                f.r.choice(["markdown", "python", "yaml"]),
                Item(line.format(t=token), True, "bearer-token"),
            )
        )
        out.append(("json", Item(f'      "auth": "{f.basic_auth()}"', True, "basic-auth")))
        out.append(
            ("python", Item(f'    "Authorization": "Basic {f.basic_auth()}",', True, "basic-auth"))
        )
    # seeded from f's state without drawing from it, so the items after these stay as
    # they were; from the state's words only (a tuple of ints hashes the same in every
    # run): the whole state ends in `gauss_next`, None, whose hash before Python 3.12
    # is its address and so changes from run to run
    out.extend(_later_items(Fakes(hash(f.r.getstate()[1]))))
    return out


# formats added after the figures in corpus_figures.json were first recorded
LATER = ("twitter-bearer-token", "ntlm-authenticate")
# …and after the vendor names: drawn last, so every item before them stays as it was
NEWER = (
    "deepseek-key", "dropbox-long-lived-token", "facebook-app-token",
    "salesforce-access-token", "wundergraph-key", "vault-legacy-token", "azure-identifiable-key",
    "adobe-client-secret", "maxmind-license-key", "settlemint-token",
)  # fmt: skip


def _later_items(f: Fakes) -> list[tuple[str, Item]]:
    """Rules added later: vendor secrets named by their variable, other header schemes,
    `.npmrc` tokens, the formats in LATER. They draw from their own random stream, so
    adding them leaves the other items as they were."""
    out: list[tuple[str, Item]] = []
    for family in LATER:
        for _ in range(6):
            value = TOKENS[family](f)
            text = f.r.choice(BARE_TEMPLATES).format(value=value)
            out.append((f.r.choice(["python", "yaml", "markdown"]), Item(text, True, family)))
    for n in vendors.NAMED:
        for _ in range(2):
            name = f.r.choice(n.names).replace("-", "_")
            value = sample(n.pattern, f.r)
            line = f.r.choice(
                [
                    '{N}_API_KEY = "{v}"',
                    "{n}_token: {v}",
                    '    "{n}Secret": "{v}",',
                    "export {N}_TOKEN={v}",
                ]
            ).format(n=name, N=name.upper(), v=value)
            out.append(
                ("dotenv" if line.startswith("export") else "python", Item(line, True, n.id))
            )
    for _ in range(6):
        header = f.r.choice(["Authorization: Token", "X-Api-Key:", "PRIVATE-TOKEN:"])
        line = f'curl -H "{header} {f.random_token()}" https://api.internal.test/v1/items'
        out.append(("markdown", Item(line, True, "authorization-header")))
        npmrc = f"//registry.npmjs.org/:_authToken={f.uuid()}"
        out.append(("ini", Item(npmrc, True, "npm-auth-token")))
    for family in NEWER:
        for _ in range(6):
            value = TOKENS[family](f)
            text = f.r.choice(BARE_TEMPLATES).format(value=value)
            out.append((f.r.choice(["python", "yaml", "markdown"]), Item(text, True, family)))
    return out


# --- negatives ---------------------------------------------------------------------

SECRET_NAMES = FAMILY_NAMES["generic-secret"] + DEFAULT_NAMES


def _placeholder_values(f: Fakes, st: dict[str, str]) -> list[str]:
    return [
        "${{{{ secrets.{UPPER} }}}}".format(**st),
        "${{{UPPER}}}".format(**st),
        "${UPPER:-}".replace("UPPER", st["UPPER"]),
        "{{{{ .Values.{camel} }}}}".format(**st),
        "{{{{ {snake} }}}}".format(**st),
        "%({snake})s".format(**st),
        "<{snake}>".format(**st),
        "<YOUR_{UPPER}>".format(**st),
        "your-{kebab}-here".format(**st),
        "change-me",  # an instruction (`changeme`, a product's default, is a password)
        "change_me_please",
        "xxxxxxxxxxxxxxxxxxxx",
        "********",
        "dummy-{kebab}".format(**st),
        "test-{kebab}".format(**st),
        "not-a-real-secret",
        "vault:secret/data/{snake}#value".format(**st),
        "/run/secrets/{snake}".format(**st),
        "./secrets/{snake}.txt".format(**st),
        f"arn:aws:secretsmanager:eu-west-1:{f.digits(12)}:secret:prod/{st['kebab']}",
        "REPLACE_ME",
        "required",
        "my-app-{kebab}".format(**st),
        f"ENC[AES256_GCM,data:{f.b64(18)},iv:{f.b64(32)},tag:{f.b64(16)},type:str]",
        "$2b$12$" + f.s(53, B62 + "./"),
        f"sha256:{f.hex(64)}",
        "process.env.{UPPER}".format(**st),
        "settings.{UPPER}".format(**st),
    ]


CODE_NEGATIVES = [
    "token = auth.get_token(scope)",
    "if password != confirm_password:",
    'secret = base64.b64decode(data["secret"])',
    "    api_key=api_key,",
    "self.token = token",
    'return jwt.encode(payload, secret_key, algorithm="HS256")',
    "password = getpass.getpass()",
    'api_key = os.environ["API_KEY"]',
    "secret_key = settings.SECRET_KEY",
    'token = request.headers.get("X-Token")',
    "const token = await getAccessToken();",
    "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')",
    "max_tokens = 4096",
    'token_type = "bearer"',
    "password_min_length = 12",
    'TOKEN_URL = "https://oauth2.googleapis.com/token"',
    'api_key_header = "X-API-Key"',
    "def test_token_refresh_returns_new_token(client):",
    "Rotate the deploy token every 90 days; never paste a password into chat.",
    "The password must contain at least 12 characters.",
    "secretName: web-tls",
    "      secretKeyRef:",
    "          name: db-credentials",
    "passwordSecret: my-db-password",
    "if (!secret) throw new Error('missing secret');",
    "password_field = forms.CharField(widget=forms.PasswordInput)",
    '<input type="password" name="password" autocomplete="current-password">',
    "    token: ${{ secrets.GITHUB_TOKEN }}",
    "DB_PASSWORD_FILE=/run/secrets/db_password",
    "export GITHUB_TOKEN=$(gh auth token)",
    '    auth: "true"',
    "var a=function(t){return t.token||e.secret||null};",
    'password: ""',
    "token: ~",
    'secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>',
    "api_key: !Ref ApiKey",
    "password: !vault |",
    'token = "%s:%s" % (user, password)',
    'PASSWORD_REGEX = r"^(?=.*[A-Z])(?=.*\\d)(?=.*[^A-Za-z0-9]).{12,}$"',
    "auth_token_ttl = 3600",
    'secret_version = "v2"',
    "password_reset_url = 'https://accounts.internal.test/reset?next=%2Fhome'",
    "password: \"{{ lookup('env', 'DB_PASSWORD') }}\"",
    "password: {{ .Values.db.password | quote }}",
    "GITHUB_TOKEN: ${{ github.token }}",
    "aws_secret_access_key = YOUR_SECRET_ACCESS_KEY",
    '"token": "REDACTED"',
    'session_secret: "{{ randAlphaNum 32 }}"',
    'const TOKEN_KEY = "auth_token";',
    'localStorage.setItem("accessToken", token);',
    "api_key = None",
    'secret = ""',
    'client_secret: "${CLIENT_SECRET:?client secret is required}"',
    # shapes met scanning third-party packages (AWS data files, SDK models, UI toolkits)
    '"Resource":"arn:aws:secretsmanager:*:*:secret:rds-custom!*"',
    '"secretsmanager:ResourceTag/DocDBElasticFullAccess":"*"',
    "_OWNED_DESCRIPTORS[token] = _OwnedDescriptor(",
    '"PasswordLastUsed": "2016-09-08T21:47:36Z",',
    '#> {"password":"IAmSensitive","password_bytes":"IAmSensitiveBytes"}',
    "COCOA = {'CKFetchWebAuthTokenOperation', 'CKLocationSortDescriptor', 'CKMarkNotificationsRead'}",
    "token.model = _CK_UTF8CHAR_to_str(model)",
]


def _hash_lines(f: Fakes) -> list[str]:
    return [
        f'password_hash = "{f.hex(64)}"',
        f"token_sha256: {f.hex(64)}",
        f'  "checksum": "{f.hex(64)}",',
        f"secret_digest = '{f.hex(40)}'",
        f"api_key_fingerprint: {f.hex(32)}",
        f'    "integrity": "sha512-{f.b64(64)}",',
        f'  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#{f.hex(40)}"',
        f'    {{file = "pkg-1.0-py3-none-any.whl", hash = "sha256:{f.hex(64)}"}},',
        f"github.com/pkg/errors v0.9.1 h1:{f.b64(32)}",
        f"image: registry.internal/web@sha256:{f.hex(64)}",
        f"commit: {f.hex(40)}",
        f'etag = "{f.hex(32)}"',
        f'password: "$2b$12${f.s(53, B62 + "./")}"',
        f"  cache_key: {f.hex(40)}",
        f"Fixed in {f.hex(12)} (see the changelog).",
        f"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{f.b64(32)[:43]}",
        f"host_key_fingerprint: SHA256:{f.b64(32).rstrip('=')}",
        f'    "AWS::ApiGateway::ApiKey": "{f.hex(16)}",',
        f'    "AWS::SecretsManager::Secret": "{f.hex(16)}",',
        f'  "nonce": "{f.b64(24)}",',
        f"build_id: {f.s(20)}",
        'csrf_token = "{{ csrf_token() }}"  # rendered per request',
    ]


def _uuid_lines(f: Fakes) -> list[str]:
    return [
        f'client_id = "{f.uuid()}"',
        f'  "tokenizationId": "{f.uuid()}",',
        f"tenant_id: {f.uuid()}",
        f'api_key_id = "{f.uuid()}"',
        f"request_id={f.uuid()}",
        f'    "secretId": "{f.uuid()}"',
    ]


def _public_material(f: Fakes) -> list[str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ssh = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    cert_body = "\n".join(re.findall(".{1,64}", f.b64(600)))
    return [
        public.decode().strip(),
        f"{ssh.decode()} deploy@build-01",
        f"-----BEGIN CERTIFICATE-----\n{cert_body}\n-----END CERTIFICATE-----",
        "recipient: age1" + f.s(58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"),
        "publishable_key: pk_live_" + f.s(24),
        "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
        # a placeholder, written in two pieces so the source holds no key header
        "-----BEGIN RSA "
        + "PRIVATE KEY-----\n<paste your key here>\n-----END RSA PRIVATE KEY-----",
    ]


def _images(f: Fakes) -> list[str]:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + f.raw(f.r.randint(2000, 6000))).decode()
    gif = base64.b64encode(b"GIF89a" + f.raw(f.r.randint(500, 3000))).decode()
    return [
        f".logo {{ background: url(data:image/png;base64,{png}); }}",
        f'<img alt="chart" src="data:image/gif;base64,{gif}">',
        f"![diagram](data:image/png;base64,{png[:4000]})",
    ]


def _provider_placeholders(f: Fakes) -> list[str]:
    return [
        "GITHUB_TOKEN=ghp_" + "x" * 36,
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "stripe_key = 'sk_test_" + "X" * 24 + "'",
        "SLACK_BOT_TOKEN=xoxb-your-bot-token",
        "export OPENAI_API_KEY=sk-...",
        "token: ghp_abc...",
        'key = "AIza-your-api-key"',
        "DATABASE_URL=postgres://user:password@localhost:5432/app",
        "DATABASE_URL=postgres://postgres:${POSTGRES_PASSWORD}@localhost:5432/test",
        "redis://:${REDIS_PASSWORD}@redis:6379/0",
        "amqp://guest:<password>@localhost:5672/",
        "https://user@github.com/org/repo.git",
        "git clone https://github.com/org/repo.git",
        'jwt = "eyJhbGciOiJIUzI1NiJ9..."',
        "Authorization: Bearer <token>",
        "Authorization: Bearer $ACCESS_TOKEN",
    ]


def _sealed_files(f: Fakes) -> list[tuple[str, str]]:
    """Real sealed files: fake secrets sealed by sealer for a fresh age key."""
    import pyrage

    from sealer import document, formats
    from sealer.recipients import key_type

    identity = pyrage.x25519.Identity.generate()
    recipient = key_type("age").parse_recipients(str(identity.to_public()))
    policy = document.Policy(groups=(tuple(recipient),))
    yaml_plain = (
        f"db:\n  password: {json.dumps(f.password())}\n  user: app\n"
        f"github_token: {f.github()}\napi_key: {json.dumps(f.random_token())}\n"
    )
    json_plain = f'{{\n  "stripe": "{f.stripe()}",\n  "jwt": "{f.jwt()}"\n}}\n'
    env_plain = f"AWS_SECRET_ACCESS_KEY={f.aws_secret()}\nSLACK_TOKEN={f.slack()}\n"
    out = []
    for name, plain in (
        ("secrets.yaml", yaml_plain),
        ("app.json", json_plain),
        (".env", env_plain),
    ):
        fmt = formats.get(formats.name_for_path(name))
        out.append((name, document.seal_text(fmt, plain, policy=policy)))
    return out


def negatives(f: Fakes) -> list[tuple[str, Item]]:
    out: list[tuple[str, Item]] = []
    contexts = list(CONTEXTS)
    for _ in range(4):
        for name in SECRET_NAMES:
            st = styles(name)
            for value in _placeholder_values(f, st):
                ctx = f.r.choice(contexts)
                template = f.r.choice(CONTEXTS[ctx][1])
                out.append((ctx, Item(template.format(value=value, **st), False, "placeholder")))
    for _ in range(6):
        out.extend((f.r.choice(contexts), Item(t, False, "code")) for t in CODE_NEGATIVES)
        out.extend((f.r.choice(contexts), Item(t, False, "hash")) for t in _hash_lines(f))
        out.extend((f.r.choice(contexts), Item(t, False, "uuid")) for t in _uuid_lines(f))
        out.extend(
            (f.r.choice(contexts), Item(t, False, "placeholder")) for t in _provider_placeholders(f)
        )
    for _ in range(3):
        out.extend(("markdown", Item(t, False, "public-key")) for t in _public_material(f))
        out.extend(("markdown", Item(t, False, "image")) for t in _images(f))
    return out


def build(seed: int) -> list[CorpusFile]:
    """The corpus for one seed: items shuffled into files of each context."""
    f = Fakes(seed)
    r = random.Random(seed)
    pairs = positives(f) + negatives(f)
    r.shuffle(pairs)
    by_ctx: dict[str, CorpusFile] = {}
    files: list[CorpusFile] = []
    for ctx, item in pairs:
        suffix, _, filler = CONTEXTS[ctx]
        cf = by_ctx.get(ctx)
        if cf is None or len(cf.items) > 120:
            name = f"{len(files)}{suffix}" if suffix.startswith(".") else f"{len(files)}/{suffix}"
            cf = by_ctx[ctx] = CorpusFile(f"{ctx}/{name}")
            files.append(cf)
        for line in r.sample(filler, k=min(2, len(filler))):
            cf.items.append(Item(line, False, "filler"))
        cf.items.append(item)
    for name, text in _sealed_files(f):
        files.append(CorpusFile(f"sealed/{name}", [Item(text.rstrip("\n"), False, "sealed")]))
    return files


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[Item] = field(default_factory=list)
    false_alarms: list[tuple[Item, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(files: list[CorpusFile], scan: Callable[[bytes], list[tuple[int, str]]]) -> Score:
    """Score a scanner given as bytes -> [(line, rule)] over labelled items."""
    score = Score()
    for cf in files:
        data, spans = cf.render()
        found: dict[int, list[str]] = {}
        for line, rule in scan(data):
            for i, (first, last, _) in enumerate(spans):
                if first <= line <= last:
                    found.setdefault(i, []).append(rule)
                    break
        for i, (_, _, item) in enumerate(spans):
            if item.positive:
                if i in found:
                    score.tp += 1
                else:
                    score.fn += 1
                    score.missed.append(item)
            elif i in found:
                score.fp += 1
                score.false_alarms.append((item, ",".join(found[i])))
    return score
