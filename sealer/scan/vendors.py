"""Vendor token formats recognised by their prefix, one line each.

The formats are facts about each vendor's tokens, as gitleaks' MIT-licensed rule
set (cmd/generate/config/rules/*.go) and the vendors' documentation describe
them; the patterns are written here for Python's engine. Every pattern is the
whole secret (group `s` is added around it) and starts with a fixed prefix,
which is also the keyword the engine looks for first, so a format costs a
`bytes.find` per file unless its prefix occurs.

Formats that need their surroundings (private keys, passwords in URLs, the
generic assignment rule) stay in `rules.py`.
"""

from __future__ import annotations

from typing import NamedTuple


class Format(NamedTuple):
    id: str
    description: str
    keywords: tuple[str, ...]  # lower-case; the regex runs only on lines holding one
    pattern: str  # the secret; bytes regex source
    entropy: float = 3.0
    show: int = 4  # characters a report may show: the fixed prefix


B62 = "A-Za-z0-9"
URLSAFE = r"A-Za-z0-9_\-"

FORMATS: tuple[Format, ...] = (
    Format("onepassword-token", "1Password service account token", ("ops_eyj",),
           rf"ops_eyJ[{URLSAFE}+/=]{{250,}}", 4.0, 7),
    Format("onepassword-secret-key", "1Password account secret key", ("a3-",),
           r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}"
           r"-[A-Z0-9]{5}", 3.0, 3),
    Format("akamai-client-token", "Akamai EdgeGrid client token", ("akab-",),
           r"akab-[a-z0-9]{16}-[a-z0-9]{16}", 3.0, 5),
    Format("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", ("ltai",),
           rf"LTAI[{B62}]{{12,20}}", 3.0, 4),
    Format("aws-bedrock-key", "Amazon Bedrock API key", ("absk", "bedrock-api-key-"),
           r"ABSK[A-Za-z0-9+/]{100,270}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{100,}={0,2}", 4.0, 4),
    Format("aws-mws-key", "Amazon MWS auth token", ("amzn.mws.",),
           r"amzn\.mws\.[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}", 3.0, 9),
    Format("azure-ad-client-secret", "Azure AD client secret", ("q~",),
           r"(?<![~,-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}", 3.0, 0),
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
           r"FlyV1 fm[12][ar]?_[A-Za-z0-9+/=,_-]{100,}|fo1_[A-Za-z0-9_-]{43}", 4.0, 9),
    Format("frameio-token", "Frame.io API token", ("fio-u-",),
           r"fio-u-[A-Za-z0-9_=-]{64}", 3.5, 6),
    Format("gitlab-session-cookie", "GitLab session cookie", ("_gitlab_session=",),
           r"(?<=_gitlab_session=)[0-9a-z]{32}", 3.0, 0),
    Format("google-oauth-secret", "Google OAuth client secret", ("gocspx-",),
           rf"GOCSPX-[{URLSAFE}]{{28}}", 3.5, 7),
    Format("google-oauth-token", "Google OAuth access or refresh token", ("ya29.", "1//0"),
           rf"ya29\.[{URLSAFE}]{{30,}}|1//0[{URLSAFE}]{{40,}}", 4.0, 4),
    Format("groq-key", "Groq API key", ("gsk_",), rf"gsk_[{B62}]{{52}}", 3.5, 4),
    Format("harness-token", "Harness personal or service account token", ("pat.", "sat."),
           r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20}", 3.5, 4),
    Format("heroku-key", "Heroku API key", ("hrku-",),
           rf"HRKU-[{URLSAFE}]{{60}}|HRKU-AA[{URLSAFE}]{{58}}", 3.5, 5),
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
    Format("mapbox-token", "Mapbox secret access token", ("sk.eyj",),
           rf"sk\.eyJ[{URLSAFE}]{{50,}}\.[{URLSAFE}]{{20,}}", 4.0, 6),
    Format("nats-nkey-seed", "NATS nkey seed", ("sua", "saa", "soa", "sna", "sca", "sxa", "spa"),
           r"S[ACNOPUX]A[A-Z2-7]{55}", 3.5, 2),
    Format("netlify-token", "Netlify access token", ("nfp_", "nfc_", "nfo_", "nfu_"),
           rf"nf[pcou]_[{B62}]{{36,40}}", 3.5, 4),
    Format("new-relic-key", "New Relic API key", ("nrak-", "nrjs-", "nrii-", "nrbr-"),
           r"NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRBR-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{25,32}",
           3.0, 5),
    Format("notion-token", "Notion integration token", ("ntn_",),
           rf"ntn_[{B62}]{{40,50}}", 3.5, 4),
    Format("nuget-key", "NuGet API key", ("oy2",), r"oy2[a-z0-9]{43}", 3.5, 3),
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
    Format("scalingo-token", "Scalingo API token", ("tk-us-",), rf"tk-us-[{URLSAFE}]{{48}}",
           3.5, 6),
    Format("sentry-token", "Sentry auth token", ("sntrys_", "sntryu_"),
           rf"sntrys_eyJ[{URLSAFE}+/=]{{60,}}|sntryu_[a-f0-9]{{64}}", 3.5, 7),
    Format("shippo-token", "Shippo API token", ("shippo_",),
           r"shippo_(?:live|test)_[a-f0-9]{40}", 3.0, 12),
    Format("sonarqube-token", "SonarQube token", ("squ_", "sqp_", "sqa_"),
           r"sq[upa]_[a-f0-9]{40}", 3.0, 4),
    Format("sourcegraph-token", "Sourcegraph access token", ("sgp_",),
           r"sgp_(?:[a-f0-9]{16}|local)_[a-f0-9]{40}", 3.0, 4),
    Format("stripe-webhook-secret", "Stripe webhook signing secret", ("whsec_",),
           rf"whsec_[{B62}]{{32,}}", 3.5, 6),
    Format("supabase-token", "Supabase personal access token", ("sbp_",),
           r"sbp_(?:v0_)?[a-f0-9]{40}", 3.0, 4),
    Format("tavily-key", "Tavily API key", ("tvly-",), rf"tvly-(?:dev-)?[{B62}]{{32}}", 3.5, 5),
    Format("together-key", "Together AI API key", ("tgp_v1_",), rf"tgp_v1_[{URLSAFE}]{{43}}",
           3.5, 7),
    Format("typeform-token", "Typeform personal access token", ("tfp_",),
           r"tfp_[A-Za-z0-9_.=-]{59}", 3.5, 4),
    Format("vercel-token", "Vercel access token", ("vcp_", "vck_", "vci_", "vca_", "vcr_"),
           rf"vc[pkiar]_[{B62}]{{56}}", 3.5, 4),
    Format("xai-key", "xAI API key", ("xai-",), rf"xai-[{B62}]{{80}}", 3.5, 4),
    Format("yandex-key", "Yandex Cloud API key or IAM token", ("aqvn", "t1."),
           rf"AQVN[{URLSAFE}]{{35,38}}|t1\.[{URLSAFE}]+={{0,2}}\.[{URLSAFE}]{{86}}={{0,2}}",
           3.5, 4),
)  # fmt: skip
