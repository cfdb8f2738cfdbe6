"""Provider tokens recognised by a documented prefix and body shape, as a table.

Each entry is a provider's published token format: the prefix up to and including its last `_`, `-` or `.`, the body
as a regular expression, and a made-up example in that shape. Entries that end at the same separator with prefixes
of the same length share one rule (the regex engine needs a fixed-width lookbehind to find the prefix); the rule's
extractor then matches that prefix's own body, so one branch per group is tried at each separator, not one per
provider.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faultmaven.sanitize.rules import Finding, Hit, Rule

_HEX = "9f2c4e6a8b0d1f3e7a5c"
_ALNUM = "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz6Qv8Lc1"


def _ex(alphabet: str, n: int) -> str:
    return (alphabet * (n // len(alphabet) + 1))[:n]


# (prefix with its separator, body, example body). Formats from each provider's token documentation.
PREFIXES: tuple[tuple[str, str, str], ...] = (
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
    ("HRKU-", "AA[A-Za-z0-9_-]{58}", "AA" + _ex(_ALNUM, 58)),
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
    # Dynatrace API tokens and Doppler tokens.
    ("dt0c01.", "[A-Z0-9]{24}\\.[A-Z0-9]{64}", f"{_ex(_ALNUM, 24).upper()}.{_ex(_ALNUM, 64).upper()}"),
    ("dp.pt.", "[A-Za-z0-9]{43}", _ex(_ALNUM, 43)),
    ("dp.st.", r"[\w-]{2,35}\.[A-Za-z0-9]{40,44}", f"prd.{_ex(_ALNUM, 43)}"),
    ("dp.ct.", "[A-Za-z0-9]{40,44}", _ex(_ALNUM, 43)),
)
# Prefixes with no separator (Databricks personal access tokens with an optional `-<digit>`, Alibaba Cloud access key
# ids): each is a pass of its own, skipped unless the literal is in the text.
_UNSEPARATED: tuple[tuple[str, str, str], ...] = (
    ("dapi", r"[a-f0-9]{32}(?:-\d)?", _ex(_HEX, 32)),
    ("LTAI", "[A-Za-z0-9]{20}", _ex(_ALNUM, 20)),
    # Atlassian API tokens.
    ("ATATT3", "[A-Za-z0-9_=-]{180,}", _ex(_ALNUM, 186)),
)

_TAIL = r"(?![A-Za-z0-9_+/=-])"
_BODIES = {prefix: re.compile(body + _TAIL) for prefix, body, _ in PREFIXES}


def _key(entry: tuple[str, str, str]) -> tuple[str, int]:
    return entry[0][-1], len(entry[0])


def _extract(rule: Rule, hit: Hit) -> list[Finding]:
    """The body of the prefix found, in that prefix's own documented shape."""
    start = hit.span("s")
    if start is None:
        return []
    prefix = hit.text[start[0] : hit.anchor + 1]
    body = _BODIES[prefix].match(hit.text, hit.anchor + 1)
    return [(start[0], body.end(), rule.label)] if body else []


def prefix_rules() -> tuple[Rule, ...]:
    """One rule per (separator, prefix length): a fixed-width lookbehind for the group's prefixes at the separator."""
    from faultmaven.sanitize.rules import Rule

    # One guard per separator, the last two characters of all its prefixes (`v1` of `dop_v1_`): rules sharing it are
    # tested behind one check, and the separators of ordinary identifiers (`session_id`) fail it at once.
    last = {sep: "|".join(sorted({re.escape(p[-3:-1]) for p, _, _ in PREFIXES if p[-1] == sep})) for sep in "_-."}
    rules = []
    for (sep, _), group in groupby(sorted(PREFIXES, key=_key), key=_key):
        entries = list(group)
        heads = "|".join(re.escape(prefix[:-1]) for prefix, _, _ in entries)
        anchor = r"\." if sep == "." else sep  # as the other rules spell it: one pass per anchor
        pattern = (f"{anchor}(?<=(?P<s>{heads}){anchor})(?<![A-Za-z0-9_.-](?:{heads}){anchor})"
                   f"(?=[A-Za-z0-9])")
        rules.append(Rule(
            "provider_token", pattern, anchor, extract=_extract, before=f"(?:{last[sep]})",
            examples=tuple((f"token: {prefix}{example} ok", f"{prefix}{example}") for prefix, _, example in entries),
            negatives=tuple(f"{prefix}short" for prefix, _, _ in entries[:2])
            + tuple(f"x{prefix}{example}" for prefix, _, example in entries[:1]),
        ))
    for literal, body, example in _UNSEPARATED:
        rules.append(Rule(
            "provider_token", f"{literal}(?<![A-Za-z0-9_]{literal}){body}(?![A-Za-z0-9_-])", needs=literal,
            examples=((f"token: {literal}{example} ok", f"{literal}{example}"),),
            negatives=(f"{literal}short", f"x{literal}{example}")))
    return tuple(rules)

