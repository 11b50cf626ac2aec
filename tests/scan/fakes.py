"""Fake credentials, made at test time: random bodies with each format's prefix,
length and (where the format has one) checksum. Nothing here is a real secret,
and no realistic-looking token is ever committed: the repository holds only
these generators.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import uuid
import zlib
from collections.abc import Callable

from sealer.scan import vendors

B62 = string.ascii_letters + string.digits
URLSAFE = B62 + "-_"
B64 = B62 + "+/"
HEX = "0123456789abcdef"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


class Fakes:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def s(self, n: int, alphabet: str = B62) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def digits(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + self.s(n - 1, string.digits)

    def hex(self, n: int) -> str:
        return self.s(n, HEX)

    def raw(self, n: int) -> bytes:
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def b64(self, n_bytes: int, urlsafe: bool = False) -> str:
        f = base64.urlsafe_b64encode if urlsafe else base64.b64encode
        return f(self.raw(n_bytes)).decode()

    # --- formats with a checksum -------------------------------------------------

    def _crc_suffixed(self, prefix: str) -> str:
        """GitHub's and npm's scheme: 30 random base62 chars, then their CRC32 in base62."""
        body = self.s(30)
        return prefix + body + _base62(zlib.crc32(body.encode())).rjust(6, "0")

    def github(self) -> str:
        return self._crc_suffixed(self.r.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]))

    def npm(self) -> str:
        return self._crc_suffixed("npm_")

    # --- the rest ------------------------------------------------------------------

    def github_fine(self) -> str:
        return f"github_pat_{self.s(22)}_{self.s(59)}"

    def aws_key_id(self) -> str:
        return self.r.choice(["AKIA", "ASIA"]) + self.s(16, string.ascii_uppercase + "234567")

    def aws_secret(self) -> str:
        return self.s(40, B64)

    def gitlab(self) -> str:
        return self.r.choice(["glpat-", "gldt-", "glrt-"]) + self.s(20, URLSAFE)

    def pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.s(self.r.randint(60, 160), URLSAFE)

    def docker(self) -> str:
        return "dckr_pat_" + self.s(27, URLSAFE)

    def vault(self) -> str:
        return "hvs." + self.s(91, URLSAFE)

    def vault_legacy(self) -> str:
        return "s." + self.s(22) + self.r.choice(string.digits) + self.r.choice("ABCXYZ")

    def terraform(self) -> str:
        return f"{self.s(14)}.atlasv1.{self.s(67, URLSAFE)}"

    def circleci(self) -> str:
        return f"CCIPAT_{self.s(22)}_{self.hex(40)}"

    def buildkite(self) -> str:
        return "bkua_" + self.hex(40)

    def atlassian(self) -> str:
        return "ATATT3" + self.s(186, URLSAFE)

    def slack(self) -> str:
        kind = self.r.randrange(3)
        if kind == 0:
            return f"xoxb-{self.digits(12)}-{self.digits(13)}-{self.s(24)}"
        if kind == 1:
            return f"xoxp-{self.digits(12)}-{self.digits(12)}-{self.digits(13)}-{self.hex(32)}"
        app = self.s(10, string.ascii_uppercase + string.digits)
        return f"xapp-1-A{app}-{self.digits(13)}-{self.hex(64)}"

    def slack_webhook(self) -> str:
        up = string.ascii_uppercase + string.digits
        return f"https://hooks.slack.com/services/T{self.s(10, up)}/B{self.s(10, up)}/{self.s(24)}"

    def discord_webhook(self) -> str:
        return f"https://discord.com/api/webhooks/{self.digits(18)}/{self.s(68, URLSAFE)}"

    def teams_webhook(self) -> str:
        return (
            f"https://contoso.webhook.office.com/webhookb2/{self.uuid()}@{self.uuid()}"
            f"/IncomingWebhook/{self.hex(32)}/{self.uuid()}"
        )

    def telegram(self) -> str:
        return f"{self.digits(10)}:AA{self.s(33, URLSAFE)}"

    def stripe(self) -> str:
        return self.r.choice(["sk_live_", "sk_test_", "rk_live_"]) + self.s(self.r.choice([24, 99]))

    def square(self) -> str:
        if self.r.random() < 0.5:
            return "sq0atp-" + self.s(22, URLSAFE)
        return "sq0csp-" + self.s(43, URLSAFE)

    def braintree(self) -> str:
        merchant = self.s(16, string.ascii_lowercase + string.digits)
        return f"access_token$production${merchant}${self.hex(32)}"

    def shopify(self) -> str:
        return self.r.choice(["shpat_", "shpss_"]) + self.hex(32)

    def openai(self) -> str:
        return f"sk-proj-{self.s(58, URLSAFE)}T3BlbkFJ{self.s(58, URLSAFE)}"

    def anthropic(self) -> str:
        return f"sk-ant-api03-{self.s(93, URLSAFE)}AA"

    def google(self) -> str:
        return "AIza" + self.s(35, URLSAFE)

    def sendgrid(self) -> str:
        return f"SG.{self.s(22, URLSAFE)}.{self.s(43, URLSAFE)}"

    def huggingface(self) -> str:
        return "hf_" + self.s(34, string.ascii_letters)

    def digitalocean(self) -> str:
        return "dop_v1_" + self.hex(64)

    def grafana(self) -> str:
        return f"glsa_{self.s(32)}_{self.hex(8)}"

    def databricks(self) -> str:
        return "dapi" + self.hex(32)

    def azure_storage(self) -> str:
        return (
            f"DefaultEndpointsProtocol=https;AccountName=st{self.s(8, string.ascii_lowercase)};"
            f"AccountKey={self.b64(64)};EndpointSuffix=core.windows.net"
        )

    def age_secret(self) -> str:
        return "AGE-SECRET-KEY-" + "1" + self.s(58, BECH32)  # split: no key in the source

    def jwt(self) -> str:
        def part(obj: object) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

        header = {"alg": self.r.choice(["HS256", "RS256"]), "typ": "JWT"}
        payload = {"sub": self.uuid(), "iat": self.r.randint(1600000000, 1800000000)}
        signature = base64.urlsafe_b64encode(self.raw(32)).rstrip(b"=").decode()
        return f"{part(header)}.{part(payload)}.{signature}"

    def password(self) -> str:
        """A human-made password: a word, digits, a symbol; or a generated one."""
        if self.r.random() < 0.3:
            word = self.r.choice(["Summer", "Winter", "Dragon", "Monkey", "Falcon", "Orange"])
            return f"{word}{self.r.randint(1970, 2030)}{self.r.choice('!#$%&*?')}"
        return self.s(self.r.randint(12, 24), B62 + "!#%*+-=?^_~")

    def random_token(self) -> str:
        """What `secrets.token_urlsafe/token_hex` and similar generators produce."""
        kind = self.r.randrange(3)
        if kind == 0:
            return self.b64(self.r.choice([16, 24, 32]), urlsafe=True).rstrip("=")
        if kind == 1:
            return self.hex(self.r.choice([32, 40, 64]))
        return self.s(self.r.choice([20, 32, 40]))

    def basic_auth(self) -> str:
        return base64.b64encode(f"deploy:{self.password()}".encode()).decode()

    def uri_password(self) -> str:
        return self.s(self.r.randint(10, 24), B62 + "-_~")


def sample(pattern: str, r: random.Random) -> str:
    """A random string the vendor pattern matches: literals, `\\.`-escapes, classes
    `[…]` with ranges, `{n}`/`{n,m}`/`{n,}`/`?` and `(?:a|b)` groups; the first branch
    of a top-level `|`. Enough for the patterns in sealer/scan/vendors.py; lookbehinds
    and lookaheads are dropped."""
    pattern = re.sub(r"\(\?<?[=!][^)]*\)", "", pattern)
    out, _ = _sample_seq(_branches(pattern)[0], r)
    return out


def _branches(p: str) -> list[str]:
    depth, start, parts = 0, 0, []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = p.index("]", i + 2)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(p[start:i])
            start = i + 1
        i += 1
    return [*parts, p[start:]]


def _sample_seq(p: str, r: random.Random) -> tuple[str, int]:
    out = ""
    i = 0
    while i < len(p):
        c = p[i]
        if c == "(":
            depth, j = 1, i + 1
            while depth:
                if p[j] == "\\":
                    j += 1
                elif p[j] == "[":
                    j = p.index("]", j + 2)
                elif p[j] in "()":
                    depth += 1 if p[j] == "(" else -1
                j += 1
            inner = p[i + 1 : j - 1].removeprefix("?:")
            atom: Callable[[], str] = lambda inner=inner: _sample_seq(  # noqa: E731
                r.choice(_branches(inner)), r
            )[0]
            i = j
        elif c == "[":
            j = p.index("]", i + 2)
            chars = _class_chars(p[i + 1 : j])
            atom = lambda chars=chars: r.choice(chars)  # noqa: E731
            i = j + 1
        elif c == "\\":
            lit = {"d": string.digits, "s": " "}.get(p[i + 1], p[i + 1])
            atom = lambda lit=lit: r.choice(lit)  # noqa: E731
            i += 2
        else:
            atom = lambda c=c: c  # noqa: E731
            i += 1
        lo, hi, i = _quantifier(p, i)
        out += "".join(atom() for _ in range(r.randint(lo, hi)))
    return out, i


def _quantifier(p: str, i: int) -> tuple[int, int, int]:
    if i < len(p) and p[i] == "?":
        return 0, 1, i + 1
    if i < len(p) and p[i] == "{":
        j = p.index("}", i)
        lo, _, hi = p[i + 1 : j].partition(",")
        return int(lo), int(hi) if hi else (int(lo) if "," not in p[i:j] else int(lo) + 8), j + 1
    return 1, 1, i


def _class_chars(body: str) -> str:
    chars = ""
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            chars += body[i + 1]
            i += 2
        elif i + 2 < len(body) and body[i + 1] == "-":
            chars += "".join(chr(x) for x in range(ord(c), ord(body[i + 2]) + 1))
            i += 3
        else:
            chars += c
            i += 1
    return chars


def _base62(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n, 62)
        out = (string.digits + string.ascii_uppercase + string.ascii_lowercase)[rem] + out
    return out or "0"


# rule id -> generator of a bare token of that format (for per-rule tests)
TOKENS: dict[str, Callable[[Fakes], str]] = {
    "age-secret-key": Fakes.age_secret,
    "aws-access-key-id": Fakes.aws_key_id,
    "github-token": Fakes.github,
    "github-fine-grained-token": Fakes.github_fine,
    "gitlab-token": Fakes.gitlab,
    "npm-token": Fakes.npm,
    "pypi-token": Fakes.pypi,
    "docker-hub-token": Fakes.docker,
    "vault-token": Fakes.vault,
    "vault-legacy-token": Fakes.vault_legacy,
    "terraform-cloud-token": Fakes.terraform,
    "circleci-token": Fakes.circleci,
    "buildkite-token": Fakes.buildkite,
    "atlassian-token": Fakes.atlassian,
    "slack-token": Fakes.slack,
    "slack-webhook": Fakes.slack_webhook,
    "discord-webhook": Fakes.discord_webhook,
    "teams-webhook": Fakes.teams_webhook,
    "telegram-bot-token": Fakes.telegram,
    "stripe-key": Fakes.stripe,
    "square-token": Fakes.square,
    "braintree-token": Fakes.braintree,
    "shopify-token": Fakes.shopify,
    "openai-key": Fakes.openai,
    "anthropic-key": Fakes.anthropic,
    "google-api-key": Fakes.google,
    "sendgrid-key": Fakes.sendgrid,
    "huggingface-token": Fakes.huggingface,
    "digitalocean-token": Fakes.digitalocean,
    "grafana-token": Fakes.grafana,
    "databricks-token": Fakes.databricks,
    "azure-storage-key": Fakes.azure_storage,
    "jwt": Fakes.jwt,
    **{
        f.id: (lambda fakes, pattern=f.pattern: sample(pattern, fakes.r))
        for f in (*vendors.FORMATS, *vendors.LATE_FORMATS)
        if f.id not in ("gitlab-session-cookie",)
    },
    # the lower-case form Sourcegraph issues (the rule also takes upper-case hex)
    "sourcegraph-token": lambda fakes: sample(r"sgp_(?:[a-f0-9]{16}|local)_[a-f0-9]{40}", fakes.r),
}
