"""Provider tokens recognised by a documented prefix and body shape, as a table.

Each entry is a provider's published token format: the prefix up to and including its last `_`, `-` or `.`, the body
as a regular expression, a made-up example in that shape, and the label (`provider_token` unless the provider has its
own). Entries that end at the same separator with prefixes
of the same length share one rule (the regex engine needs a fixed-width lookbehind to find the prefix); the rule's
extractor then matches that prefix's own body, so one branch per group is tried at each separator, not one per
provider.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING, NamedTuple

from faultmaven.sanitize.validators import UUID

if TYPE_CHECKING:
    from faultmaven.sanitize.rules import Finding, Hit, Rule

_HEX = "9f2c4e6a8b0d1f3e7a5c"
_ALNUM = "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz6Qv8Lc1"


def _ex(alphabet: str, n: int) -> str:
    return (alphabet * (n // len(alphabet) + 1))[:n]


class Prefix(NamedTuple):
    prefix: str  # up to and including the separator the scan anchors at
    body: str
    example: str  # a made-up body in the documented shape
    label: str = "provider_token"


# Mixed-case letters only (Hugging Face): a lower-case run such as `hf_abcdef...` is a word, not a token.
_MIXED_LETTERS = "(?=[a-z]*[A-Z])(?=[A-Z]*[a-z])[A-Za-z]{34}"
_GITHUB = r"(?:[A-Za-z0-9]{36,255}|\d{1,12}_eyJ[A-Za-z0-9_.-]{20,})"
_UUID_EXAMPLE = "7c2e9a41-3b8d-4f6e-a915-2d0c8b7e6f43"

# Formats from each provider's token documentation.
PREFIXES: tuple[Prefix, ...] = tuple(Prefix(*row) for row in (
    ("ghp_", _GITHUB, "R7dk2LmQ9vXw4ZpT8sNc3YbH6gJf1KaE5uWo", "github_token"),
    ("gho_", _GITHUB, _ex(_ALNUM, 36), "github_token"),
    ("ghr_", _GITHUB, _ex(_ALNUM, 36), "github_token"),
    ("ghu_", _GITHUB, _ex(_ALNUM, 36), "github_token"),
    # GitHub app installation tokens, also `ghs_<installation id>_<signed JWT-like body>`.
    ("ghs_", _GITHUB, "4812_eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0ODEyIn0.Zm9vYmFy", "github_token"),
    ("github_pat_", "[A-Za-z0-9_]{22,255}", "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789", "github_token"),
    *((f"{kind}_{mode}_", "[A-Za-z0-9]{24,247}", "4eC39HqLyjWDarjtT1zdp7dc", "stripe_key")
      for kind in ("sk", "rk") for mode in ("live", "test", "prod")),
    ("whsec_", "[A-Za-z0-9+/=]{24,}", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "stripe_key"),
    ("npm_", "[A-Za-z0-9]{36}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "npm_token"),
    ("hf_", _MIXED_LETTERS, "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface_token"),
    ("api_org_", _MIXED_LETTERS, "HqLmVxZpTnYbJfKaUwRoEcGdShPkMzQvLc", "huggingface_token"),
    # Groq, Vercel, Shopify, Linear.
    ("gsk_", "[A-Za-z0-9]{52}", "7Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz6Qv8Lc1"),
    *((f"{prefix}_", "[A-Za-z0-9]{32,}", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9P")
      for prefix in ("vca", "vci", "vck", "vcp", "vcr", "shpat", "shpca", "shppa", "shpss", "lin_api")),
    # Cloudflare account and user API tokens and global API keys: 48 characters, the last 8 a checksum.
    *((f"{prefix}_", "[A-Za-z0-9]{48}", _ex(_ALNUM, 48)) for prefix in ("cfat", "cfut", "cfk")),
    # Grafana service accounts; 1Password service accounts and Grafana Cloud (base64 of a JSON object).
    ("glsa_", "[A-Za-z0-9]{32}_[0-9a-f]{8}", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec_1a2b3c4d"),
    ("ops_", "eyJ[A-Za-z0-9+/=_-]{40,}", "eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSJ9Cg"),
    ("glc_", "eyJ[A-Za-z0-9+/=_-]{40,}", "eyJvIjoiMTIzNDU2IiwibiI6InN0YWNrLTEyMzQiLCJrIjoiSHEyTG05In0K"),
    # Sourcegraph (`sgp_<40 hex>`, `sgp_<16 hex>_<40 hex>`, `sgp_local_<40 hex>`), Notion, SonarQube.
    ("sgp_", "(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}",
     "1a2b3c4d5e6f7a8b_0f9e8d7c6b5a49382716f0e9d8c7b6a5f4e3d2c1"),
    ("ntn_", r"\d{11}[A-Za-z0-9]{35}", "48213370159Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd"),
    *((f"{prefix}_", "[A-Za-z0-9]{40}", "4f9a1c7e5b2d8f4a6c0e9b7d5f3a1c8e2b4d6f8a")
      for prefix in ("sqa", "sqp", "squ")),
    # Apify personal API tokens (36 characters; a range, so one miscopied by a character still goes).
    ("apify_api_", "[A-Za-z0-9]{32,40}", _ex(_ALNUM, 36)),
    # Fly.io org tokens and macaroon tokens.
    ("fo1_", "[A-Za-z0-9_-]{43}", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M"),
    # A `FlyV1 fm2_…,fm2_…` token's later macaroons (discharges) can be shorter than the first.
    *((f"{prefix}_", "[A-Za-z0-9+/]{40,}={0,2}", "lJPE" + _ex(_ALNUM, 80)) for prefix in ("fm1a", "fm1r", "fm2")),
    # 1Password account Secret Keys (`A3-` and five groups; the second and third may be joined).
    ("A3-", "[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})(?:-[A-Z0-9]{5}){3}",
     "Q7WK2M-9HT4RZ-8LPX3-2VD6N-7CJ9F-K4B8E"),
    # 42 intranet (intra.42.fr) application secrets.
    ("s-s4t2ud-", "[a-f0-9]{64}", _ex(_HEX, 64)),
    ("s-s4t2af-", "[a-f0-9]{64}", _ex(_HEX, 64)),
    # DigitalOcean personal access, OAuth and refresh tokens.
    ("dop_v1_", "[a-f0-9]{64}", _ex(_HEX, 64)),
    ("doo_v1_", "[a-f0-9]{64}", _ex(_HEX, 64)),
    ("dor_v1_", "[a-f0-9]{64}", _ex(_HEX, 64)),
    # PlanetScale service tokens, OAuth tokens and passwords.
    ("pscale_tkn_", r"[\w=.-]{32,64}", _ex(_ALNUM, 43)),
    ("pscale_pw_", r"[\w=.-]{32,64}", _ex(_ALNUM, 43)),
    ("pscale_oauth_", r"[\w=.-]{32,64}", _ex(_ALNUM, 43)),
    ("rubygems_", "[a-f0-9]{48}", _ex(_HEX, 48)),
    ("sntryu_", "[a-f0-9]{64}", _ex(_HEX, 64)),
    ("sntrys_", "eyJ[A-Za-z0-9+/=_]{60,600}", "eyJ" + _ex(_ALNUM, 90)),
    ("pnu_", "[A-Za-z0-9]{36}", _ex(_ALNUM, 36)),
    ("rdme_", "[a-z0-9]{70}", _ex(_ALNUM, 70).lower()),
    ("duffel_test_", "[A-Za-z0-9_=-]{43}", _ex(_ALNUM, 43)),
    ("duffel_live_", "[A-Za-z0-9_=-]{43}", _ex(_ALNUM, 43)),
    ("shippo_live_", "[a-fA-F0-9]{40}", _ex(_HEX, 40)),
    ("shippo_test_", "[a-fA-F0-9]{40}", _ex(_HEX, 40)),
    ("tfp_", r"[A-Za-z0-9_.=-]{59}", _ex(_ALNUM, 59)),
    ("CLOJARS_", "[A-Za-z0-9]{60}", _ex(_ALNUM, 60).lower()),
    ("dckr_pat_", "[A-Za-z0-9_-]{27}", _ex(_ALNUM, 27)),
    ("figd_", "[A-Za-z0-9_-]{40}", _ex(_ALNUM, 40)),
    ("sm_pat_", "[A-Za-z0-9]{16}", _ex(_ALNUM, 16)),
    ("sm_aat_", "[A-Za-z0-9]{16}", _ex(_ALNUM, 16)),
    ("sm_sat_", "[A-Za-z0-9]{16}", _ex(_ALNUM, 16)),
    # Pulumi, Perplexity, Infracost, Postman, New Relic, Brevo (Sendinblue), Scalingo, Frame.io, Adobe, Heroku.
    ("pul-", "[a-f0-9]{40}", _ex(_HEX, 40)),
    ("pplx-", "[A-Za-z0-9]{48}", _ex(_ALNUM, 48)),
    ("ico-", "[A-Za-z0-9]{32}", _ex(_ALNUM, 32)),
    ("PMAK-", "[a-f0-9]{24}-[a-f0-9]{34}", f"{_ex(_HEX, 24)}-{_ex(_HEX, 34)}"),
    ("NRAK-", "[A-Z0-9]{27}", _ex(_ALNUM, 27).upper()),
    ("NRII-", "[A-Za-z0-9-]{32}", _ex(_ALNUM, 32)),
    ("NRJS-", "[a-f0-9]{19}", _ex(_HEX, 19)),
    ("xkeysib-", "[a-f0-9]{64}-[A-Za-z0-9]{16}", f"{_ex(_HEX, 64)}-{_ex(_ALNUM, 16)}"),
    ("tk-us-", r"[\w-]{48}", _ex(_ALNUM, 48)),
    ("fio-u-", "[A-Za-z0-9_=-]{64}", _ex(_ALNUM, 64)),
    ("p8e-", "[A-Za-z0-9]{32}", _ex(_ALNUM, 32)),
    # Heroku: the current `HRKU-AA...` form and an older key (a UUID) with the prefix.
    ("HRKU-", f"(?:AA[A-Za-z0-9_-]{{58}}|{UUID})", "AA" + _ex(_ALNUM, 58)),
    # Square access tokens and OAuth secrets; Flutterwave secret keys.
    ("sq0atp-", r"[\w-]{22,60}", _ex(_ALNUM, 22)),
    ("sq0csp-", r"[\w-]{40,60}", _ex(_ALNUM, 43)),
    ("FLWSECK_TEST-", "[a-h0-9]{32}-X", _ex("4e6a8b0d1f3eca5", 32) + "-X"),
    ("FLWSECK-", "[a-h0-9]{32}-X", _ex("4e6a8b0d1f3eca5", 32) + "-X"),
    # GitLab agent, OAuth application, feature-flag and incoming-mail tokens.
    ("glagent-", r"[\w-]{50}", _ex(_ALNUM, 50)),
    ("gloas-", r"[\w-]{64}", _ex(_ALNUM, 64)),
    ("glffct-", r"[\w-]{20}", _ex(_ALNUM, 20)),
    ("glimt-", r"[\w-]{25}", _ex(_ALNUM, 25)),
    # Mailgun API keys; Mapbox secret tokens (`pk.` is the public kind).
    ("key-", "[a-f0-9]{32}", _ex(_HEX, 32)),
    ("sk.", r"eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}", f"eyJ{_ex(_ALNUM, 40)}.{_ex(_ALNUM, 22)}"),
    # LocationIQ access tokens: `pk.` and 32 hex digits (Mapbox's public `pk.eyJ…` has another body and stays).
    ("pk.", "[0-9a-f]{32}", _ex(_HEX, 32)),
    # Dynatrace API tokens and Doppler tokens.
    ("dt0c01.", "[A-Z0-9]{24}\\.[A-Z0-9]{64}", f"{_ex(_ALNUM, 24).upper()}.{_ex(_ALNUM, 64).upper()}"),
    ("dp.pt.", "[A-Za-z0-9]{43}", _ex(_ALNUM, 43)),
    ("dp.st.", r"[\w-]{2,35}\.[A-Za-z0-9]{40,44}", f"prd.{_ex(_ALNUM, 43)}"),
    ("dp.ct.", "[A-Za-z0-9]{40,44}", _ex(_ALNUM, 43)),
    # Cloudflare Origin CA keys, Octopus Deploy API keys, OpenShift user tokens.
    ("v1.0-", "[a-f0-9]{24}-[a-f0-9]{146}", f"{_ex(_HEX, 24)}-{_ex(_HEX, 146)}"),
    ("API-", "[A-Z0-9]{26}", _ex(_ALNUM, 26).upper()),
    ("sha256~", r"[\w-]{43}", _ex(_ALNUM, 43)),
    # Amazon EKS tokens (`aws eks get-token`): the unpadded base64url of a presigned STS URL (`https://sts.`).
    ("k8s-aws-v1.", "aHR0cHM6Ly9zdHMu[A-Za-z0-9_-]{40,}", "aHR0cHM6Ly9zdHMu" + _ex(_ALNUM, 60)),
    # StackHawk API keys.
    ("hawk.", r"[\w-]{20}\.[\w-]{20}", f"{_ex(_ALNUM, 20)}.{_ex(_ALNUM, 20)}"),
    # Doppler service account, SCIM and audit tokens.
    *((f"dp.{kind}.", "[A-Za-z0-9]{40,44}", _ex(_ALNUM, 43)) for kind in ("sa", "scim", "audit")),
    # Tavily API keys (`tvly-`, development keys `tvly-dev-`), Adafruit IO keys, Dependency-Track API keys, New Relic
    # admin keys.
    ("tvly-", "(?:dev-)?[A-Za-z0-9]{32}", _ex(_ALNUM, 32)),
    ("aio_", "[A-Za-z0-9]{28}", _ex(_ALNUM, 28)),
    ("odt_", "[A-Za-z0-9]{32,64}", _ex(_ALNUM, 32)),
    ("NRAA-", "[a-f0-9]{27}", _ex(_HEX, 27)),
    # Netlify personal access tokens, Supabase access tokens, xAI API keys, Together AI keys, LlamaCloud keys, Postman
    # collection access tokens, Defined Networking API keys, PostHog personal API keys (`phc_` project keys are public).
    ("nfp_", "[A-Za-z0-9]{36}", _ex(_ALNUM, 36)),
    ("sbp_", "[a-f0-9]{40}", _ex(_HEX, 40)),
    ("sbp_v0_", "[a-f0-9]{40}", _ex(_HEX, 40)),
    ("xai-", "[A-Za-z0-9]{80}", _ex(_ALNUM, 80)),
    ("tgp_v1_", "[A-Za-z0-9_-]{43}", _ex(_ALNUM, 43)),
    ("llx-", "[A-Za-z0-9_-]{48}", _ex(_ALNUM, 48)),
    ("PMAT-", "[A-Z0-9]{26}", _ex(_ALNUM, 26).upper()),
    ("dnkey-", "[A-Z0-9]{26}-[A-Z0-9]{52}", f"{_ex(_ALNUM, 26).upper()}-{_ex(_ALNUM, 52).upper()}"),
    ("phx_", "[A-Za-z0-9]{43,60}", _ex(_ALNUM, 47)),
    # Docker Swarm join tokens (`SWMTKN-1-<CA digest, base36>-<secret>`) and autolock unlock keys (`SWMKEY-1-<base64 of
    # the key, unpadded>`).
    ("SWMTKN-1-", "[a-z0-9]{50}-[a-z0-9]{25}", f"{_ex(_ALNUM, 50).lower()}-{_ex(_ALNUM, 25).lower()}"),
    ("SWMKEY-1-", "[A-Za-z0-9+/]{43}", _ex(_ALNUM, 43)),
    # Appwrite API keys (`standard_` and 256 hex digits) and Supabase's secret API keys (`sb_secret_`; its
    # `sb_publishable_` keys are meant for browsers).
    ("standard_", "[a-f0-9]{256}", _ex(_HEX, 256)),
    ("sb_secret_", "[A-Za-z0-9_-]{24,}", _ex(_ALNUM, 31)),
    # LaunchDarkly server-side SDK keys and mobile keys (`sdk-`/`mob-` and a UUID; its client-side IDs, 24 hex digits
    # with no prefix, are public, and GrowthBook's public `sdk-` client keys are not UUIDs); Statsig server secret keys
    # (`secret-` and some 43 mixed-case letters and digits; its `client-` keys are meant for browsers).
    ("sdk-", UUID, _UUID_EXAMPLE),
    ("mob-", UUID, _UUID_EXAMPLE),
    ("secret-", "(?=[a-z0-9]*[A-Z])(?=[A-Z0-9]*[a-z])[A-Za-z0-9]{32,64}", _ex(_ALNUM, 43)),
    # Weblate API keys: a user's (`wlu_`) and a project's (`wlp_`), as the `wlc` client's `[keys]` section holds them.
    ("wlu_", "[A-Za-z0-9]{40}", _ex(_ALNUM, 40)),
    ("wlp_", "[A-Za-z0-9]{40}", _ex(_ALNUM, 40)),
    # WooCommerce REST API consumer keys and secrets (`ck_`/`cs_` and 40 hex digits), passed positionally to its
    # clients as often as under a key.
    ("ck_", "[a-f0-9]{40}", _ex(_HEX, 40)),
    ("cs_", "[a-f0-9]{40}", _ex(_HEX, 40)),
    # Porkbun API secret keys (`sk1_` and 64 hex digits), under its own `secretapikey` field (JSON body, ddclient) as
    # often as under a key word; the `pk1_` key beside it is the public half (see `_BROWSER_KEY` in keys.py).
    ("sk1_", "[a-f0-9]{64}", _ex(_HEX, 64)),
    # Paddle Billing API keys (`pdl_live_apikey_`/`pdl_sdbx_apikey_`) and notification destination secrets
    # (`pdl_ntfset_`): `01` and the rest of a lower-case ULID, `_`, then the secret part; passed alone to its SDKs'
    # `Client('…')` and `Secret('…')` as often as under a key. Its `live_`/`test_` client-side tokens are public.
    *((prefix, "01[0-9a-hjkmnp-tv-z]{24}_[A-Za-z0-9+/=_-]{16,96}", f"01jq3m6v8x2b4n7k9p1r5t0wzc_{_ex(_ALNUM, 26)}")
      for prefix in ("pdl_live_apikey_", "pdl_sdbx_apikey_", "pdl_ntfset_")),
    # Honeycomb ingest keys (`hcaik_`, 58 lower-case letters and digits), bare in Refinery's `ReceiveKeys` lists.
    ("hcaik_", "[a-z0-9]{58}", _ex(_ALNUM, 58).lower()),
    # ntfy access tokens (`tk_` and 29 lower-case letters and digits), as `ntfy token add` prints them and
    # `Authorization: Bearer` or a client's config carries them; a digit among them (a random body has one).
    ("tk_", "(?=[a-z]*[0-9])[a-z0-9]{29}", _ex(_ALNUM, 29).lower()),
    # eBay Cert IDs (a keyset's client secret: `PRD-`/`SBX-`, 12 hex digits and four groups of 4), written under
    # `certid`, `ebay_cert_id` or `X-EBAY-API-CERT-NAME`, names that read as a certificate's. The App ID beside it
    # (`Company-App-PRD-<9 hex>-<8 hex>`) is public and has another shape.
    *((f"{env}-", "[0-9a-f]{12}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", "9f2c4e6a8b0d-1f3e-7a5c-9f2c-4e6a")
      for env in ("PRD", "SBX")),
    # Zillow Web Service IDs (ZWSID, the `zws-id=` of the legacy GetSearchResults/GetDeepSearchResults/GetZestimate
    # calls): `X1-ZWz1`, about a dozen lower-case letters and digits, `_` and five more.
    ("X1-", "ZWz1[a-z0-9]{8,16}_[a-z0-9]{4,6}", "ZWz1k7qv3tm9xa2d_4hp8n"),
    # Mercado Libre OAuth: `APP_USR-<app id>-<MMDDHH>-<32 hex>-<user id>` access tokens and `TG-<24 hex>-<user id>`
    # authorization codes and refresh tokens (the code goes under `code=`, a name that says nothing).
    ("APP_USR-", "[0-9]{10,20}-[0-9]{6}-[0-9a-f]{32}-[0-9]{4,12}",
     f"5823017649128374-120714-{_ex(_HEX, 32)}-284716350"),
    ("TG-", "[0-9a-f]{24}-[0-9]{4,12}", f"{_ex(_HEX, 24)}-284716350"),
    # Onfido (Entrust Identity Verification) API tokens: `api_live.`/`api_sandbox.`, or with the region
    # (`api_live_us.`, `api_sandbox_ca.`), an id, `.` and the secret, passed positionally to its SDKs as often as
    # under a key (`onfido.Api("api_sandbox.…")`). A digit among them: a random body has one, a module path rarely.
    *((f"api_{env}{region}.", r"(?=[A-Za-z0-9_.-]*[0-9])[A-Za-z0-9_-]{8,20}\.[A-Za-z0-9_-]{20,64}",
       f"{_ex(_ALNUM, 11)}.{_ex(_ALNUM[5:], 32)}") for env in ("live", "sandbox") for region in ("", "_us", "_ca")),
))
# Prefixes with no separator the scan anchors at. One holding an `A` joins the scan's `A` pass, anchored there; any
# other is a pass of its own, skipped unless the literal is in the text (one `in` test per call: about 1 ms on 2 MB of
# text, so few of them).
_UNSEPARATED: tuple[tuple[str, str, str], ...] = (
    ("dapi", r"[a-f0-9]{32}(?:-\d)?", _ex(_HEX, 32)),
    # Alibaba Cloud access key ids, Atlassian API tokens, EasyPost keys, Adyen API keys: anchored at their `A`.
    ("LTAI", "[A-Za-z0-9]{20}", _ex(_ALNUM, 20)),
    ("ATATT3", "[A-Za-z0-9_=-]{180,}", _ex(_ALNUM, 186)),
    ("EZAK", "[A-Za-z0-9]{54}", _ex(_ALNUM, 54)),
    # Adyen API keys: `AQE`, two base64 parts and a short tail of any printable characters, joined by `-`.
    ("AQE", "[A-Za-z0-9+/]{40,200}={0,2}-[A-Za-z0-9+/]{40,64}={0,2}-[^\\s\"'`]{8,32}",
     f"{_ex(_ALNUM, 90)}==-{_ex(_ALNUM, 43)}=-W+t7NF;s4}}%=kUSD"),
    # NuGet API keys; Grafana API keys (base64 of a JSON object that starts `{"k":"`).
    ("oy2", "[a-z0-9]{43}", _ex(_ALNUM, 43).lower()),
    ("eyJrIjoi", "[A-Za-z0-9+/]{40,400}={0,2}", _ex(_ALNUM, 60)),
    # NATS NKEY seeds (user, account, operator): `S` and the key type, then 56 base32 characters.
    *((seed, "[A-Z2-7]{56}", _ex("QMDU3GTIUWEI5LDNOXD4", 56)) for seed in ("SU", "SA", "SO")),
    # Google OAuth refresh tokens (`firebase login:ci`, gcloud's and google-auth's stored credentials): `1//0`, then
    # base64url.
    ("1//0", "[A-Za-z0-9_-]{40,}", _ex(_ALNUM, 98)),
    # ConfigCat SDK keys (`configcat-sdk-1/` and two 22-character base64url parts): its own pass, as the `/` it ends at
    # is no anchor of the scan.
    ("configcat-sdk-1/", "[A-Za-z0-9_-]{22}/[A-Za-z0-9_-]{22}", f"{_ex(_ALNUM, 22)}/{_ex(_ALNUM[7:], 22)}"),
    # Salesforce access tokens (session ids, `sf org display`'s Access Token): the 15- or 18-character org id (`00D`),
    # `!`, then the token.
    ("00D", "[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?![A-Za-z0-9._]{40,255}", f"{_ex(_ALNUM, 12)}!{_ex(_ALNUM, 96)}"),
    # Alfresco's authentication tickets (the REST API's `POST …/authentication/versions/1/tickets` reply, `alf_ticket=`,
    # the `Basic` of `ROLE_TICKET:TICKET_…`): `TICKET_` and 40 hex digits.
    ("TICKET_", "[0-9a-f]{40}", _ex(_HEX, 40)),
    # eBay OAuth user and application tokens (`v^1.1#i^1#…#t^H4sI…`): `^` and `#` end a value for the key rules.
    ("v^1.1#", "(?=[A-Za-z0-9#^]{0,40}t\\^)[A-Za-z0-9#^+/=]{60,}", f"i^1#p^1#r^0#I^3#f^0#t^H4sI{_ex(_ALNUM, 80)}=="),
)

_TAIL = r"(?![A-Za-z0-9_+/=-])"
_BODY_OF = {entry.prefix: entry.body for entry in PREFIXES}


@cache
def _body(prefix: str) -> re.Pattern[str]:
    """A prefix's body pattern, compiled on its first candidate (a cold start compiles none of them)."""
    return re.compile(_BODY_OF[prefix] + _TAIL)


def _key(entry: Prefix) -> tuple[str, int, str]:
    return entry.prefix[-1], len(entry.prefix), entry.label


def _extract(rule: Rule, hit: Hit) -> list[Finding]:
    """The body of the prefix found, in that prefix's own documented shape."""
    start = hit.span("s")
    if start is None:
        return []
    prefix = hit.text[start[0] : hit.anchor + 1]
    body = _body(prefix).match(hit.text, hit.anchor + 1)
    return [(start[0], body.end(), rule.label)] if body else []


def last_two(sep: str) -> set[str]:
    """The two characters before `sep` of every prefix ending at it (`v1` of `dop_v1_`)."""
    return {e.prefix[-3:-1] for e in PREFIXES if e.prefix[-1] == sep}


def pair_guard(pairs: set[str]) -> str:
    """A pattern for a set of two-character endings, one alternative per first character (`b[dt]|ey`), behind a test of
    both characters against the classes of all firsts and all lasts: most separators in logs (`2015-10-18`) fail that
    one test, which costs a quarter of trying the alternatives in turn. Each alternative begins with its literal
    character, which the regex engine compares without entering the alternative (a class costs it a lookup: `ra-`, a
    word's end that passes the first test, then tries its alternatives in half the time)."""
    by_first: dict[str, set[str]] = {}
    for pair in pairs:
        by_first.setdefault(pair[0], set()).add(pair[1])
    firsts, lasts = ("".join(sorted(map(re.escape, {pair[i] for pair in pairs}))) for i in (0, 1))
    return f"(?=[{firsts}][{lasts}])(?:" + "|".join(f"{re.escape(first)}[{''.join(sorted(map(re.escape, tails)))}]"
                                                     for first, tails in sorted(by_first.items())) + ")"


def prefix_rules(guards: dict[str, str]) -> tuple[Rule, ...]:
    """One rule per (separator, prefix length, label): a fixed-width lookbehind for the group's prefixes at the
    separator. `guards` maps a separator to the guard the other rules anchored there use (`-`, `.`), so one test
    covers all of them."""
    from faultmaven.sanitize.rules import Rule

    # One guard per separator, the last two characters of all its prefixes: rules sharing it are tested behind one
    # check, and the separators of ordinary identifiers (`session_id`) fail it at once.
    guard = {sep: pair_guard(last_two(sep)) for sep in {e.prefix[-1] for e in PREFIXES}} | guards
    rules = []
    for (sep, _, label), group in groupby(sorted(PREFIXES, key=_key), key=_key):
        entries = list(group)
        heads = "|".join(re.escape(e.prefix[:-1]) for e in entries)
        anchor = r"\." if sep == "." else sep  # as the other rules spell it: one pass per anchor
        # A prefix may follow `-` or `_` (`deploy-ghp_...`), not a letter, digit or dot (`box.ico-...` is a file name).
        pattern = (f"{anchor}(?<=(?P<s>{heads}){anchor})(?<![A-Za-z0-9.](?:{heads}){anchor})"
                   f"(?=[A-Za-z0-9])")
        rules.append(Rule(
            label, pattern, anchor, extract=_extract, before=guard[sep],
            examples=tuple((f"token: {e.prefix}{e.example} ok", f"{e.prefix}{e.example}") for e in entries),
            negatives=(*(f"{e.prefix}short" for e in entries[:2]), f"x{entries[0].prefix}{entries[0].example}"),
        ))
    for literal, body, example in _UNSEPARATED:
        examples = ((f"token: {literal}{example} ok", f"{literal}{example}"),)
        negatives = (f"{literal}short", f"x{literal}{example}")
        if "A" in literal:
            head, tail = literal.split("A", 1)
            rules.append(Rule(
                "provider_token", f"A(?<=(?<![A-Za-z0-9_])(?P<s>{head})A){tail}{body}(?![A-Za-z0-9_-])", "A",
                examples=examples, negatives=negatives))
        else:
            rules.append(Rule(
                "provider_token", f"{re.escape(literal)}(?<![A-Za-z0-9_]{re.escape(literal)}){body}(?![A-Za-z0-9_-])",
                needs=literal,
                examples=examples, negatives=negatives))
    return tuple(rules)

