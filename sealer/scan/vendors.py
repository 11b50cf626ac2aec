"""Vendor token formats recognised by their prefix, one line each.

The formats are facts about each vendor's tokens, as gitleaks' MIT-licensed rule
set (cmd/generate/config/rules/*.go) and the vendors' documentation describe
them; the patterns are written here for Python's engine. Every pattern is the
whole secret (group `s` is added around it) and starts (or, for New Relic's
license keys, ends) with a fixed text, which is also the keyword the engine
looks for first, so a format costs a
`bytes.find` per file unless its prefix occurs. A few formats have their fixed
text inside instead (Facebook's `id|secret`, Dropbox's run of ten `A`s,
Salesforce's `00D…!`); their keyword is that text.

Formats that need their surroundings (private keys, passwords in URLs, the
generic assignment rule) stay in `rules.py`.
"""

from typing import NamedTuple


class Format(NamedTuple):
    id: str
    description: str
    keywords: tuple[str, ...]  # lower-case; the regex runs only on lines holding one
    pattern: str  # the secret; bytes regex source
    entropy: float = 3.0
    show: int = 4  # characters a report may show: the fixed prefix
    runs: bool = True  # reject runs like `aaaaaa` (not where the format holds them)


B62 = "A-Za-z0-9"
URLSAFE = r"A-Za-z0-9_\-"

FORMATS: tuple[Format, ...] = (
    Format("onepassword-token", "1Password service account token", ("ops_eyj",),
           rf"ops_eyJ[{URLSAFE}+/=]{{250,}}", 4.0, 7),
    Format("onepassword-secret-key", "1Password account secret key", ("a3-",),
           r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}"
           r"-[A-Z0-9]{5}", 3.0, 3),
    Format("adobe-client-secret", "Adobe client secret", ("p8e-",), rf"p8e-[{B62}]{{32}}", 3.5, 4),
    Format("akamai-client-token", "Akamai EdgeGrid client token", ("akab-",),
           r"akab-[a-z0-9]{16}-[a-z0-9]{16}", 3.0, 5),
    Format("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", ("ltai",),
           rf"LTAI[{B62}]{{12,20}}", 3.0, 4),
    # the short-lived form is base64 of a presigned URL, but its prefix alone says what
    # it is: any random tail after it is a key (CredSweeper's config takes 32 and up)
    Format("aws-bedrock-key", "Amazon Bedrock API key", ("absk", "bedrock-api-key-"),
           r"ABSK[A-Za-z0-9+/]{100,270}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{32,}={0,2}", 4.0, 4),
    Format("aws-mws-key", "Amazon MWS auth token", ("amzn.mws.",),
           r"amzn\.mws\.[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}", 3.0, 9),
    Format("azure-ad-client-secret", "Azure AD client secret", ("q~",),
           r"(?<![~,-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}", 3.0, 0),
    # Microsoft's identifiable keys (Azure storage, Cosmos DB, APIM, DevOps PATs…): 52
    # random characters, the `JQQJ9` signature and a version character, then a date and
    # the service's code (CredSweeper's MIT-licensed config; Microsoft.Security.Utilities)
    Format("azure-identifiable-key", "Microsoft/Azure identifiable key (`…JQQJ99…`)",
           ("jqqj99", "jqqj9d", "jqqj9h"),
           rf"[{B62}]{{52}}JQQJ9[9DH][{B62}]{{26}}(?:[{B62}=]{{4}})?", 3.5, 0, runs=False),
    Format("bitbucket-token", "Bitbucket / Bitbucket Data Center access token", ("bbdc-", "atbb"),
           r"BBDC-[A-Za-z0-9+/@_-]{44}|ATBB[A-Za-z0-9]{32}", 3.5, 4),
    Format("brevo-key", "Brevo (Sendinblue) API or SMTP key", ("xkeysib-", "xsmtpsib-"),
           r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}", 3.5, 8),
    Format("clickhouse-key", "ClickHouse Cloud API secret", ("4b1d",),
           rf"4b1d[{B62}]{{38}}", 4.0, 4),
    Format("clojars-token", "Clojars deploy token", ("clojars_",),
           r"CLOJARS_[a-z0-9]{60}", 3.0, 8),
    Format("cloudflare-token", "Cloudflare API token or origin CA key", ("cfat_", "cfut_", "cfk_",
           "v1.0-"), rf"cf(?:at|ut|k)_[{B62}]{{40,}}|v1\.0-[a-f0-9]{{24}}-[a-f0-9]{{146}}",
           3.5, 5),
    # `sk-` and 32 lower-case hex digits (CredSweeper's MIT-licensed config; OpenAI's
    # `sk-` keys are base62 and longer)
    # not after a `/`: `/v1/sk-<md5>` in a URL path is a resource named by a digest
    Format("deepseek-key", "DeepSeek API key", ("sk-",), r"(?<!/)sk-[a-f0-9]{32}", 3.0, 3),
    Format("defined-networking-key", "Defined Networking API key", ("dnkey-",),
           r"dnkey-[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}", 3.0, 6),
    Format("docker-swarm-token", "Docker swarm join token or unlock key",
           ("swmtkn-1-", "swmkey-1-"),
           r"SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}|SWMKEY-1-[A-Za-z0-9+/]{43}", 3.0, 9),
    Format("doppler-token", "Doppler API token", ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.",
           "dp.scim.", "dp.audit."),
           r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}", 3.5, 6),
    Format("dropbox-token", "Dropbox short-lived access token", ("sl.",),
           rf"sl\.(?:u\.)?[{URLSAFE}]{{130,}}", 4.0, 3),
    Format("duffel-token", "Duffel API token", ("duffel_",),
           r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}", 3.0, 12),
    Format("dynatrace-token", "Dynatrace API token", ("dt0c01.",),
           r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}", 3.5, 7),
    Format("easypost-key", "EasyPost API key", ("ezak", "eztk"),
           rf"EZ[AT]K[{B62}]{{54}}", 3.5, 4),
    Format("facebook-access-token", "Facebook page or user access token", ("eaam", "eaac"),
           rf"EAA[MC][{B62}]{{100,}}", 4.0, 4),
    Format("figma-token", "Figma personal access token", ("figd_",),
           rf"figd_[{URLSAFE}]{{40}}", 3.5, 5),
    Format("flutterwave-key", "Flutterwave secret or encryption key", ("flwseck", "flwseck_test"),
           r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X|FLWSECK(?:_TEST)?[a-h0-9]{12}", 3.0, 8),
    Format("flyio-token", "Fly.io access token", ("flyv1 fm", "fo1_"),
           r"FlyV1 fm[12][ar]?_[A-Za-z0-9+/=,_-]{100,}|fo1_[A-Za-z0-9_-]{43}", 4.0, 9,
           runs=False),  # msgpack inside: zero bytes are `AAAA` runs
    Format("frameio-token", "Frame.io API token", ("fio-u-",),
           r"fio-u-[A-Za-z0-9_=-]{64}", 3.5, 6),
    Format("gitlab-session-cookie", "GitLab session cookie", ("_gitlab_session=",),
           r"(?<=_gitlab_session=)[0-9a-z]{32}", 3.0, 0),
    Format("google-oauth-secret", "Google OAuth client secret", ("gocspx-",),
           rf"GOCSPX-[{URLSAFE}]{{28}}", 3.5, 7),
    Format("google-oauth-token", "Google OAuth access or refresh token", ("ya29.", "1//0"),
           rf"ya29\.[{URLSAFE}]{{30,}}|1//0[{URLSAFE}]{{40,}}", 4.0, 4),
    Format("grafana-api-key", "Grafana API key (base64 JSON with a `k` member)", ("eyjrijoi",),
           r"eyJrIjoi[A-Za-z0-9]{70,400}={0,2}", 3.5, 8),
    Format("groq-key", "Groq API key", ("gsk_",), rf"gsk_[{B62}]{{52}}", 3.5, 4),
    Format("harness-token", "Harness personal or service account token", ("pat.", "sat."),
           r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20}", 3.5, 4),
    Format("heroku-key", "Heroku API key", ("hrku-",),
           rf"HRKU-[{URLSAFE}]{{60}}|HRKU-AA[{URLSAFE}]{{58}}"
           r"|HRKU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 3.5, 5),
    Format("huggingface-org-token", "Hugging Face organization API token", ("api_org_",),
           r"api_org_[A-Za-z]{34}", 3.5, 8),
    Format("infracost-key", "Infracost API token", ("ico-",), rf"ico-[{B62}]{{32}}", 3.5, 4),
    Format("instagram-token", "Instagram access token", ("igqv",),
           rf"IGQV[{URLSAFE}]{{100,}}", 4.0, 4),
    Format("intra42-secret", "42 Intra client secret", ("s-s4t2",),
           r"s-s4t2(?:ud|af)-[a-f0-9]{64}", 3.0, 9),
    Format("jfrog-token", "JFrog API key or reference token", ("akcp", "cmvmdgtuojaxoj"),
           rf"AKCp[{B62}]{{69}}|cmVmdGtuOjAxOj[{B62}]{{40,}}", 4.0, 4),
    Format("linear-key", "Linear API key", ("lin_api_", "lin_oauth_"),
           rf"lin_api_[{B62}]{{40}}|lin_oauth_[a-f0-9]{{64}}", 3.5, 8),
    Format("llama-cloud-key", "LlamaCloud API key", ("llx-",), rf"llx-[{URLSAFE}]{{48}}", 3.5, 4),
    Format("mailchimp-key", "Mailchimp API key", ("-us",),
           r"[0-9a-f]{32}-us\d{1,2}", 3.0, 0),
    Format("mailgun-key", "Mailgun private API key", ("key-",), r"key-[0-9a-z]{32}", 3.3, 4),
    # license keys end in a fixed `_mmk` (gitleaks' maxmind-license-key)
    Format("maxmind-license-key", "MaxMind license key", ("_mmk",),
           rf"[{B62}]{{6}}_[{B62}]{{29}}_mmk", 3.5, 0),
    Format("mapbox-token", "Mapbox secret access token", ("sk.eyj",),
           rf"sk\.eyJ[{URLSAFE}]{{50,}}\.[{URLSAFE}]{{20,}}", 4.0, 6),
    Format("nats-nkey-seed", "NATS nkey seed", ("sua", "saa", "soa", "sna", "sca", "sxa", "spa"),
           r"S[ACNOPUX]A[A-Z2-7]{55}", 3.5, 2),
    Format("netlify-token", "Netlify access token", ("nfp_", "nfc_", "nfo_", "nfu_"),
           rf"nf[pcou]_[{B62}]{{36,40}}", 3.5, 4),
    Format("new-relic-key", "New Relic API key", ("nrak-", "nrjs-", "nrii-", "nrbr-"),
           r"NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRBR-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{25,32}",
           3.0, 5),
    # license keys end in a fixed `NRAL` (gitleaks' new-relic rules; CredSweeper's too)
    Format("new-relic-license-key", "New Relic license (ingest) key", ("nral",),
           r"[a-f0-9]{36}NRAL|eu01x[a-f0-9]{31}NRAL", 3.0, 0),
    Format("notion-token", "Notion integration token", ("ntn_",),
           rf"ntn_[{B62}]{{40,50}}", 3.5, 4),
    Format("nuget-key", "NuGet API key", ("oy2",), r"oy2[a-z0-9]{43}", 3.5, 3),
    # NTLMSSP message type 3 (AUTHENTICATE), base64: it carries the user's NTLM response,
    # which can be cracked or relayed; types 1 and 2 carry no credential (the prefix as
    # CredSweeper's MIT-licensed config has it)
    Format("ntlm-authenticate", "NTLM authenticate message (holds a password response)",
           ("tlrmtvntuaadaaaa",), r"TlRMTVNTUAADAAAA[A-Za-z0-9+/]{28,8000}={0,2}", 3.0, 0,
           runs=False),
    Format("octopus-deploy-key", "Octopus Deploy API key", ("api-",), r"API-[A-Z0-9]{26}", 3.0, 4),
    Format("openshift-token", "OpenShift user token", ("sha256~",),
           rf"sha256~[{URLSAFE}]{{43}}", 3.5, 7),
    Format("perplexity-key", "Perplexity API key", ("pplx-",), rf"pplx-[{B62}]{{48}}", 3.5, 5),
    Format("planetscale-token", "PlanetScale password or token", ("pscale_",),
           r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64}", 3.5, 10),
    Format("postman-key", "Postman API key", ("pmak-", "pmat-"),
           r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}|PMAT-[A-Z0-9]{26}", 3.0, 5),
    Format("posthog-key", "PostHog personal or secret key", ("phx_", "phs_", "phr_", "pha_"),
           rf"ph[xsra]_[{B62}]{{39,60}}", 3.5, 4),
    Format("prefect-key", "Prefect API key", ("pnu_",), rf"pnu_[{B62}]{{36}}", 3.5, 4),
    Format("pulumi-token", "Pulumi access token", ("pul-",), r"pul-[a-f0-9]{40}", 3.0, 4),
    Format("readme-key", "ReadMe API key", ("rdme_",), r"rdme_[a-z0-9]{70}", 3.5, 5),
    Format("rubygems-key", "RubyGems API key", ("rubygems_",),
           r"rubygems_[a-f0-9]{48}", 3.0, 9),
    # `00D` + the rest of the 15- or 18-character org id, `!`, then the session part
    # (CredSweeper's MIT-licensed config; Salesforce's session ids have this shape)
    Format("salesforce-access-token", "Salesforce access token or session id", ("00d",),
           r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{40,200}", 3.5, 3),
    Format("scalingo-token", "Scalingo API token", ("tk-us-",), rf"tk-us-[{URLSAFE}]{{48}}",
           3.5, 6),
    Format("sentry-token", "Sentry auth token", ("sntrys_", "sntryu_"),
           rf"sntrys_eyJ[{URLSAFE}+/=]{{60,}}|sntryu_[a-f0-9]{{64}}", 3.5, 7),
    Format("settlemint-token", "SettleMint personal, application or service access token",
           ("sm_pat_", "sm_aat_", "sm_sat_"), rf"sm_[pas]at_[{B62}]{{16}}", 3.0, 7),
    Format("shippo-token", "Shippo API token", ("shippo_",),
           r"shippo_(?:live|test)_[a-f0-9]{40}", 3.0, 12),
    Format("sonarqube-token", "SonarQube token", ("squ_", "sqp_", "sqa_"),
           r"sq[upa]_[a-f0-9]{40}", 3.0, 4),
    Format("sourcegraph-token", "Sourcegraph access token", ("sgp_",),
           r"sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|sgp_[a-fA-F0-9]{40}", 3.0, 4),
    Format("stripe-webhook-secret", "Stripe webhook signing secret", ("whsec_",),
           rf"whsec_[{B62}]{{32,}}", 3.5, 6),
    Format("supabase-token", "Supabase personal access token", ("sbp_",),
           r"sbp_(?:v0_)?[a-f0-9]{40}", 3.0, 4),
    Format("tavily-key", "Tavily API key", ("tvly-",), rf"tvly-(?:dev-)?[{B62}]{{32}}", 3.5, 5),
    Format("together-key", "Together AI API key", ("tgp_v1_",), rf"tgp_v1_[{URLSAFE}]{{43}}",
           3.5, 7),
    # app-only bearer tokens: 21 `A`s, then two URL-encoded halves around a `%3D`
    # (the shape CredSweeper's MIT-licensed config gives; gitleaks' is looser)
    Format("twitter-bearer-token", "Twitter/X app-only bearer token", ("a" * 21,),
           r"A{21}[A-Za-z0-9%]{40,42}%3D[A-Za-z0-9]{50}", 3.0, 0, runs=False),
    Format("twilio-api-key", "Twilio API key", ("sk",), r"SK[0-9a-fA-F]{32}", 3.0, 2),
    Format("typeform-token", "Typeform personal access token", ("tfp_",),
           r"tfp_[A-Za-z0-9_.=-]{59}", 3.5, 4),
    Format("vercel-token", "Vercel access token", ("vcp_", "vck_", "vci_", "vca_", "vcr_"),
           rf"vc[pkiar]_[{B62}]{{56}}", 3.5, 4),
    Format("wundergraph-key", "WunderGraph Cosmo API key", ("cosmo_",),
           r"cosmo_[a-f0-9]{32}", 3.0, 6),  # CredSweeper's MIT-licensed config
    Format("xai-key", "xAI API key", ("xai-",), rf"xai-[{B62}]{{80}}", 3.5, 4),
    Format("yandex-key", "Yandex Cloud API key or IAM token", ("aqvn", "t1."),
           rf"AQVN[{URLSAFE}]{{35,38}}|t1\.[{URLSAFE}]+={{0,2}}\.[{URLSAFE}]{{86}}={{0,2}}",
           3.5, 4),
)  # fmt: skip


class Named(NamedTuple):
    """A vendor secret without a prefix of its own, recognised by the vendor's name in
    the variable it is assigned to and by its exact shape (gitleaks' "semi-generic"
    rules): `HEROKU_API_KEY = "<uuid>"`, `sentry_token: <64 hex>`."""

    id: str
    description: str
    names: tuple[str, ...]  # lower-case words in the variable's name; also the keywords
    pattern: str  # the secret; bytes regex source, matched case-sensitively
    entropy: float = 3.0
    cased: bool = False  # the name only as `okta`, `Okta` or `OKTA` (not inside `rookTable`)
    runs: bool = True  # reject runs like `aaaaaa` (not where the format has one)
    # the secret is an access id paired with a key (as AWS's key ids are), so a name
    # ending in `_ID`/`Id` holds it rather than a public id
    access_id: bool = False


ALNUM = "a-zA-Z0-9"
EXT = r"a-zA-Z0-9=_\-"  # gitleaks' "alphanumeric extended"
HEXA = "a-fA-F0-9"
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# The formats (names, alphabets, lengths) are those of gitleaks' rules of the same
# vendor (cmd/generate/config/rules/<vendor>.go); client IDs and publishable keys,
# which are not secrets, are left out.
NAMED: tuple[Named, ...] = (
    Named("adafruit-key", "Adafruit IO key", ("adafruit",), r"[a-zA-Z0-9_\-]{32}"),
    Named("airtable-key", "Airtable API key", ("airtable",), rf"[{ALNUM}]{{17}}"),
    Named("algolia-key", "Algolia API key", ("algolia",), rf"[{ALNUM}]{{32}}"),
    Named("alibaba-secret", "Alibaba Cloud AccessKey secret", ("alibaba",), rf"[{ALNUM}]{{30}}"),
    Named("asana-secret", "Asana client secret", ("asana",), rf"[{ALNUM}]{{32}}"),
    Named("atlassian-legacy-token", "Atlassian API token (24 characters)",
          ("atlassian", "confluence", "jira"), rf"[{ALNUM}]{{20}}[{HEXA}]{{4}}", 3.5),
    Named("beamer-token", "Beamer API token", ("beamer",), rf"b_[{EXT}]{{44}}"),
    Named("bitbucket-secret", "Bitbucket client secret", ("bitbucket",), rf"[{EXT}]{{64}}"),
    Named("bittrex-key", "Bittrex API key or secret", ("bittrex",), rf"[{ALNUM}]{{32}}"),
    Named("codecov-token", "Codecov upload token", ("codecov",),
          rf"{UUID}|[{ALNUM}]{{32}}"),
    Named("cohere-key", "Cohere API key", ("cohere", "co_api_key"), rf"[{ALNUM}]{{40}}", 4.0),
    Named("coinbase-token", "Coinbase access token", ("coinbase",), r"[a-zA-Z0-9_\-]{64}"),
    Named("confluent-secret", "Confluent secret key", ("confluent",), rf"[{ALNUM}]{{64}}"),
    Named("contentful-token", "Contentful delivery API token", ("contentful",),
          rf"[{EXT}]{{43}}"),
    Named("datadog-token", "Datadog access token", ("datadog",), rf"[{ALNUM}]{{40}}"),
    Named("discord-secret", "Discord API key or client secret", ("discord",),
          rf"[{HEXA}]{{64}}|[{EXT}]{{32}}"),
    Named("droneci-token", "Drone CI access token", ("droneci",), rf"[{ALNUM}]{{32}}"),
    Named("dropbox-secret", "Dropbox API token (long-lived or app secret)", ("dropbox",),
          rf"[{ALNUM}]{{11}}AAAAAAAAAA[{EXT}]{{43}}|[{ALNUM}]{{15}}", runs=False),
    Named("etsy-token", "Etsy access token", ("etsy",), rf"[{ALNUM}]{{24}}", cased=True),
    Named("facebook-secret", "Facebook app secret or app access token", ("facebook",),
          rf"[{HEXA}]{{32}}|\d{{15,16}}[|%][a-zA-Z0-9_\-]{{27,40}}"),
    Named("fastly-token", "Fastly API token", ("fastly",), rf"[{EXT}]{{32}}"),
    Named("finicity-secret", "Finicity client secret or API token", ("finicity",),
          rf"[{HEXA}]{{32}}|[{ALNUM}]{{20}}"),
    Named("finnhub-token", "Finnhub access token", ("finnhub",), rf"[{ALNUM}]{{20}}"),
    Named("flickr-token", "Flickr access token", ("flickr",), rf"[{ALNUM}]{{32}}"),
    Named("freshbooks-token", "FreshBooks access token", ("freshbooks",), rf"[{ALNUM}]{{64}}"),
    Named("gitter-token", "Gitter access token", ("gitter",), r"[a-zA-Z0-9_\-]{40}"),
    Named("gocardless-token", "GoCardless API token", ("gocardless",), rf"live_[{EXT}]{{40}}"),
    Named("heroku-named-key", "Heroku API key (UUID form)", ("heroku",), UUID),
    Named("hubspot-key", "HubSpot API key", ("hubspot",), UUID),
    Named("intercom-token", "Intercom access token", ("intercom",), rf"[{EXT}]{{60}}"),
    Named("kraken-token", "Kraken access token", ("kraken",), r"[a-zA-Z0-9/=_+\-]{80,90}"),
    Named("kucoin-secret", "KuCoin secret key or access token", ("kucoin",),
          rf"{UUID}|[{HEXA}]{{24}}"),
    Named("launchdarkly-token", "LaunchDarkly access token", ("launchdarkly",),
          rf"[{EXT}]{{40}}"),
    Named("linkedin-secret", "LinkedIn client secret", ("linkedin", "linked_in", "linked-in"),
          rf"[{ALNUM}]{{16}}"),
    Named("lob-key", "Lob API key", ("lob",), rf"(?:live|test)_[{HEXA}]{{35}}"),
    Named("looker-secret", "Looker client secret", ("looker",), rf"[{ALNUM}]{{24}}"),
    Named("mailgun-signing-key", "Mailgun webhook signing key", ("mailgun",),
          r"[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}"),
    Named("mattermost-token", "Mattermost access token", ("mattermost",), rf"[{ALNUM}]{{26}}"),
    Named("meraki-key", "Cisco Meraki API key", ("meraki",), r"[0-9a-f]{40}", cased=True),
    Named("messagebird-token", "MessageBird API token", ("messagebird", "message_bird",
          "message-bird"), rf"[{ALNUM}]{{25}}"),
    Named("netlify-named-token", "Netlify access token", ("netlify",), rf"[{EXT}]{{40,46}}"),
    Named("nytimes-token", "New York Times access token", ("nytimes", "newyorktimes"),
          rf"[{EXT}]{{32}}"),
    Named("okta-token", "Okta access token", ("okta",), r"00[a-zA-Z0-9_=\-]{40}", 4.0, cased=True),
    Named("plaid-secret", "Plaid secret key or access token", ("plaid",),
          rf"access-(?:sandbox|development|production)-{UUID}|[{ALNUM}]{{30}}", 3.5),
    Named("privateai-token", "Private AI API token", ("privateai", "private_ai", "private-ai"),
          r"[a-z0-9]{32}"),
    Named("rapidapi-key", "RapidAPI access token", ("rapidapi",), r"[a-zA-Z0-9_\-]{50}"),
    Named("sendbird-token", "Sendbird access token", ("sendbird",), rf"[{HEXA}]{{40}}"),
    Named("sentry-named-token", "Sentry access token", ("sentry",), rf"[{HEXA}]{{64}}"),
    Named("sidekiq-secret", "Sidekiq Pro/Enterprise gem server credentials",
          ("bundle_enterprise__contribsys__com", "bundle_gems__contribsys__com"),
          rf"[{HEXA}]{{8}}:[{HEXA}]{{8}}", 2.5),
    Named("snyk-token", "Snyk API token", ("snyk",), UUID),
    Named("sonar-named-token", "SonarQube token", ("sonar",),
          rf"(?:squ_|sqp_|sqa_)?[{EXT}]{{40}}"),
    Named("sourcegraph-named-token", "Sourcegraph access token", ("sourcegraph",),
          rf"[{HEXA}]{{40}}"),
    Named("squarespace-token", "Squarespace access token", ("squarespace",), UUID),
    Named("sumologic-key", "Sumo Logic access key", ("sumo",), rf"[{ALNUM}]{{64}}", cased=True),
    Named("sumologic-access-id", "Sumo Logic access ID (half of an access key pair)",
          ("sumo",), rf"su[{ALNUM}]{{12}}", cased=True, access_id=True),
    Named("travisci-token", "Travis CI access token", ("travis",), rf"[{ALNUM}]{{22}}"),
    Named("trello-token", "Trello access token", ("trello",), rf"[{ALNUM}]{{32}}"),
    Named("twitch-token", "Twitch API token", ("twitch",), rf"[{ALNUM}]{{30}}"),
    Named("twitter-secret", "Twitter/X API secret, access token or bearer token", ("twitter",),
          rf"\d{{15,25}}-[{ALNUM}]{{20,40}}|A{{22}}[a-zA-Z0-9%]{{80,100}}|[{ALNUM}]{{50}}"
          rf"|[{ALNUM}]{{45}}|[{ALNUM}]{{25}}"),
    Named("zendesk-secret", "Zendesk secret key", ("zendesk",), rf"[{ALNUM}]{{40}}"),
)  # fmt: skip


# Formats that a NAMED rule of the same vendor also finds, under the vendor's name
# (`DROPBOX_TOKEN = …`, `facebook_token: <id>|<secret>`): listed after NAMED, so that
# rule keeps the findings it made before these were known, and with them the
# fingerprints people put in their ignore files. Without the name, these find them.
LATE_FORMATS: tuple[Format, ...] = (
    # 11 characters, exactly ten `A`s, 43 more (gitleaks' dropbox-long-lived-api-token,
    # which asks for the vendor's name; the run of ten `A`s is distinctive enough alone,
    # and a `+` or `/` after it makes it part of base64 data instead)
    Format("dropbox-long-lived-token", "Dropbox long-lived access token", ("a" * 10,),
           r"[A-Za-z0-9]{10}[B-Za-z0-9]A{10}[B-Za-z0-9_=-][A-Za-z0-9_=-]{42}(?![+/])", 3.5, 0,
           runs=False),
    # an app access token is the app's id, `|` (or `%7C` in a URL), then the app secret
    # (32 hex) or a 27-character client token (gitleaks' facebook-access-token); the
    # keywords are the id's last digit and the bar (`|` alone is in much code, and
    # made scanning Python code 10% slower), or the rarer `%7C`
    Format("facebook-app-token", "Facebook app access token (app id | secret)",
           (*(f"{d}|" for d in range(10)), "%7c"),
           r"\d{15,16}(?:\||%7[Cc])(?:[a-f0-9]{32}|[A-Za-z0-9_-]{27})", 3.0, 0),
)  # fmt: skip
