"""Vendor formats (sealer/scan/vendors.py and the vendor rules of rules.py): the shapes
added for issue 17's third round, each found where people write it and quiet on
the look-alikes next to it. Every value is made here at test time."""

from __future__ import annotations

import base64
import json

import pytest

from tests.scan.fakes import URLSAFE, Fakes
from tests.scan.scanned import rule_ids

ESC = "\x1b"


def test_deepseek_keys_are_sk_and_32_hex_digits() -> None:
    f = Fakes(40)
    key = "sk-" + f.hex(32)
    assert rule_ids(f'DEEPSEEK_API_KEY = "{key}"\n') == ["deepseek-key"]
    assert rule_ids(f"{key}\n") == ["deepseek-key"]
    # inside a word (`scan-disk-…`), or not hex: not this format
    assert rule_ids(f"volume: scan-disk-{f.hex(32)}\n") == []
    assert "deepseek-key" not in rule_ids(f"sk-{f.hex(28)}wxyz\n")
    # a URL path segment named by a digest (`/v1/sk-<md5>`) is a resource, not a key
    assert rule_ids(f"GET https://cdn.example.test/v1/sk-{f.hex(32)}/logo.png\n") == []


@pytest.mark.parametrize("colour", ["[93m", "[1m", "[1;31m", "[0;32m"])
def test_a_token_right_after_a_terminal_colour_code_is_found(colour: str) -> None:
    f = Fakes(41)
    key = "sk-" + f.hex(32)
    assert rule_ids(f"key: {ESC}{colour}{key}{ESC}[0m\n") == ["deepseek-key"]
    # the same letter before it without the escape is part of a longer word
    assert rule_ids(f"key: m{key}\n") == []


def test_facebook_app_access_tokens_are_the_app_id_a_bar_and_the_secret() -> None:
    f = Fakes(42)
    app = f.digits(16)
    client_token = f.s(27, URLSAFE)
    assert rule_ids(f"{app}|{client_token}\n") == ["facebook-app-token"]
    assert rule_ids(f'token = "{f.digits(15)}|{f.hex(32)}"\n') == ["facebook-app-token"]
    assert rule_ids(f"graph?access_token={app}%7C{client_token}\n") == ["facebook-app-token"]
    # a table row, a shorter id, or a longer tail: not this shape
    assert rule_ids(f"| {app} | {client_token} |\n") == []
    assert rule_ids(f"{f.digits(13)}|{client_token}\n") == []
    assert rule_ids(f"{app}|{f.s(40, URLSAFE)}\n") == []


def test_dropbox_long_lived_tokens_hold_a_run_of_exactly_ten_as() -> None:
    f = Fakes(43)
    token = f.s(10) + "c" + "A" * 10 + "x" + f.s(42)
    assert rule_ids(f"var g = '{token}'\n") == ["dropbox-long-lived-token"]
    # eleven `A`s, or a base64 run going on with `+`/`/`: not a token
    longer_run = f.s(10) + "c" + "A" * 11 + f.s(42)
    assert rule_ids(f"var g = '{longer_run}'\n") == []
    assert rule_ids(f"{token}+{f.s(20)}/{f.s(20)}\n") == []


def test_salesforce_session_ids_are_an_org_id_a_bang_and_the_session() -> None:
    f = Fakes(44)
    org = "00D" + f.s(12)
    session = f.s(20) + "." + f.s(70)
    assert rule_ids(f"sf_token: {org}!{session}\n") == ["salesforce-access-token"]
    # the org id alone is an identifier
    assert rule_ids(f"org_id: {org}\n") == []


def test_wundergraph_cosmo_keys() -> None:
    key = "cosmo_" + Fakes(45).hex(32)
    assert rule_ids(f"COSMO_API_KEY={key}\n") == ["wundergraph-key"]
    assert rule_ids(f"COSMO_API_KEY={key[:-4]}\n") == []


def test_bedrock_short_keys_and_anthropic_keys_are_known_by_their_prefix() -> None:
    f = Fakes(46)
    bedrock = "bedrock-api-key-" + f.s(32)
    assert rule_ids(f"AWS_BEARER_TOKEN_BEDROCK={bedrock}\n") == ["aws-bedrock-key"]
    # an Anthropic key need not end in `AA` nor be exactly 95 characters long
    anthropic = "sk-ant-api03-" + f.s(94, URLSAFE)
    assert rule_ids(f"ANTHROPIC_API_KEY={anthropic}x\n") == ["anthropic-key"]
    assert rule_ids(f"key = sk-ant-oat01-{f.s(90, URLSAFE)}\n") == ["anthropic-key"]
    assert rule_ids(f"see sk-ant-api03-{f.s(20)}\n") == []


def test_github_installation_tokens_with_a_jwt_body() -> None:
    f = Fakes(47)

    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    jwt = ".".join([part({"alg": "RS256"}), part({"iss": f.digits(6)}), f.s(43, URLSAFE)])
    token = f"ghs_{f.digits(8)}_{jwt}"
    assert rule_ids(f"GITHUB_TOKEN={token}\n") == ["github-token"]


def test_sumo_logic_access_ids_are_found_under_an_id_name() -> None:
    f = Fakes(48)
    access_id = "su" + f.s(12)
    for line in (
        f'sumologic.accessId = "{access_id}"',
        f'SUMO_ACCESS_ID = "{access_id}"',
        f'export SUMOLOGIC_ACCESSID="{access_id}"',
    ):
        assert rule_ids(line + "\n") == ["sumologic-access-id"], line
    # a URL or a host name under the vendor's name is still not a secret
    assert rule_ids(f'sumo_url = "{access_id}"\n') == []
    # nor is the shape without the vendor's name
    assert "sumologic-access-id" not in rule_ids(f'access_id = "{access_id}"\n')


def test_aws_iam_unique_ids_are_not_credentials() -> None:
    f = Fakes(49)
    for prefix in ("AROA", "AIDA", "ANPA", "AIPA"):
        unique_id = prefix + f.s(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        assert rule_ids(f'"RoleId": "{unique_id}",\n') == []


def test_legacy_vault_service_tokens_are_whole_values() -> None:
    f = Fakes(50)
    token = "s." + f.s(21) + "aZ7"
    assert rule_ids(f"token: {token}\n") == ["vault-legacy-token"]
    assert rule_ids(f'VAULT_TOKEN="{token}"\n') == ["vault-legacy-token"]
    assert rule_ids(f"export VAULT_TOKEN={token}\n") == ["vault-legacy-token"]
    # an attribute in code, or a name without digits or capitals: not a token
    assert rule_ids(f"x = this.{token}\n") == []
    assert rule_ids(f"x = self.{token[2:]}\n") == []
    assert rule_ids('name: "s.defaultconnectiontimeouts"\n') == []


def test_microsoft_identifiable_keys_carry_the_jqqj9_signature() -> None:
    f = Fakes(51)
    key = f.s(52) + "JQQJ99" + "AEACAAAAAAAAAAAAAS" + "AZ" + f.s(6) + f.s(2) + "=="
    assert rule_ids(f"AZURE_STORAGE_KEY={key}\n") == ["azure-identifiable-key"]
    # the signature after a run of one character is a stand-in
    stand_in = "o" * 52 + "JQQJ99" + "AEAAAAAAAAAAAAAAAAAZ" + f.s(6)
    assert rule_ids(f"AZURE_STORAGE_KEY={stand_in}\n") == []


def test_adobe_maxmind_and_settlemint_formats_need_their_whole_shape() -> None:
    f = Fakes(52)
    assert rule_ids(f'adobeClient := "p8e-{f.s(32)}"\n') == ["adobe-client-secret"]
    assert "adobe-client-secret" not in rule_ids(f'adobeClient := "p8e-{f.s(20)}"\n')
    maxmind = f"{f.s(6)}_{f.s(29)}_mmk"
    assert rule_ids(f"GEOIP_KEY={maxmind}\n") == ["maxmind-license-key"]
    assert "maxmind-license-key" not in rule_ids(f"GEOIP_KEY={maxmind}x\n")
    assert rule_ids(f"SM={'sm_pat_' + f.s(16)}\n") == ["settlemint-token"]
    assert "settlemint-token" not in rule_ids(f"SM={'sm_pat_' + f.s(12)}\n")


def test_a_vendor_name_keeps_the_rule_that_found_the_secret_before() -> None:
    # the formats found without a name come after the named rules, so a token under
    # the vendor's name keeps its rule id, and its ignore-file fingerprint
    f = Fakes(53)
    dropbox = f.s(10) + "c" + "A" * 10 + "x" + f.s(42)
    assert rule_ids(f'DROPBOX_TOKEN = "{dropbox}"\n') == ["dropbox-secret"]
    app = f"{f.digits(16)}|{f.hex(32)}"
    assert rule_ids(f'FACEBOOK_TOKEN = "{app}"\n') == ["facebook-secret"]
    assert rule_ids(f'token = "{app}"\n') == ["facebook-app-token"]
