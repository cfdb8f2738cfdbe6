"""Cheap checks run only on regex candidates: checksums, randomness, address classes."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections import Counter
from functools import lru_cache

_HEX = re.compile(r"[0-9a-fA-F]+")
# A UUID as tools write it (lower-case hex), for patterns; `is_uuid` takes either case.
UUID = "[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
_UUID = re.compile(UUID, re.IGNORECASE)
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")
# Values that stand for a secret without being one: empty-ish words, masks, templates, env references.
_PLACEHOLDER = re.compile(
    r"""(?ix)
    (?:null|none|nil|true|false|yes|no|on|off|undefined|empty|unset|not[_ -]?set|required|optional|string|
       secret|password|passwd|token|redacted|\*[a-z_][\w-]{0,30}|change[_-]?(?:me|this)(?:[_-]?later)?|xxx+|\*+|x+|
       !change[\w-]*!|  # Symfony's recipes: `postgresql://app:!ChangeMe!@…`, `!ChangeThisMercureHubJWTSecretKey!`
       \.\.\.+|-+|<[^>]*>|
       \$+\{(?:[^{}]|\$\{[^{}]*\})*\}|\$?\{\{[^}]*\}\}|  # `${readFile:${DIR}/key}`
       \$\$?\(?[A-Za-z_][A-Za-z0-9_]*\)?|  # `$VAR`, `$(VAR)`, and `$$VAR` escaped for Buildkite, Compose or make
       '?%[A-Za-z_][\w().]*%'?|\$\(.*|&lt;[^&]*&gt;|arn:aws[\w-]*:.*|
       \$\[(?:secret|env):[^\]]*\]|  # AEM as a Cloud Service's OSGi configs: `$[secret:NAME]`, `$[env:NAME;default=…]`
       (?-i:@[a-z]+(?:-[a-z]+)+)|  # Liferay DXP Cloud's LCP.json: `"@database-password"` names a project secret
       ![A-Za-z]+(?:\.ya?ml)?(?:[ \t].*)?|  # a YAML tag (`!secret name`, Zigbee2MQTT's `!secret.yaml name`)
       %\(?[a-z_]*\)?[sd]|%s|\?|os\.environ.*|
       \#[a-z_][\w.]*(?:\[[^\]]*\]|\([^()]*\))?\#|  # a CFML expression: `password="#application.dbPass#"`
       \#\{[^{}\r\n]*\}?|  # Octopus Deploy's `#{Database.Password}` (its closing brace may end the value)
       \#\#[A-Za-z_][A-Za-z0-9_]*\#\#|@@[A-Za-z_][A-Za-z0-9_]*@@|  # the Auth0 Deploy CLI's keyword replacement
       env\(.*\)|getenv\(.*\)|process\.env\..*|env/[A-Z_][A-Z0-9_]*|  # octoDNS: `token: env/CLOUDFLARE_TOKEN`
       # Bank-Vaults' webhook reference: a Vault path, `#`, the field (a version): `vault:secret/data/app#api_key`
       vault:[a-z0-9_.-]+(?:/[\w.-]+)+\#[\w.-]+(?:\#\d+)?|
       \[(?:redacted|filtered|hidden)\]?|\{[A-Za-z_]*\}|dummy|
       # a Python f-string field holding an expression: `{os.environ['MOTHERDUCK_TOKEN']}`, `{settings.API_TOKEN}`
       \{[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]{}\r\n]{0,64}\]|\([^(){}\r\n]{0,64}\))+\}|
       protected|  # KeePassXC's `keepassxc-cli show` prints `Password: PROTECTED` without `--show-protected`
       hidden[_-]due[_-]to[_-]security[_-]reasons|hmac-sha(?:1|256|512):[0-9a-f]+|
       \*{2,}[a-z][a-z _-]{0,40}\*{2,}|  # fenced by asterisks: `occ config:list`'s `***REMOVED SENSITIVE VALUE***`
       your[_-][a-z_]*|replace[_-]with[_-][a-z_]*|not[_-]a[_-]real[_-][a-z_]*|
       (?-i:__[A-Z][A-Z0-9_]{1,62}__)|  # a template token fenced by double underscores: Lago's `__YOUR_API_KEY__`
       .+(?:\.\.\.|…|\.\.\[redacted\])|
       [a-z0-9_-]*[_-]here|[a-z_-]*placeholder[a-z_-]*|(?:insert|enter|put)[_-][a-z_-]+|
       # CamelCase filler that tells the reader to set a value: OJS's `salt = "YouMustSetASecretKeyHere!!"`
       (?-i:(?:You|Your|Put|Set|Enter|Insert|Replace)(?:[A-Z][a-z]*)+Here)!*|
       \\|  # a lone `\`: the line continuation after a flag that makes the tool prompt (`--password \`)
       _prompt_)  # SAS's `user=_prompt_ password=_prompt_`: ask at sign-on
    """
)
_PRINTABLE = bytes([9, 10, 13, *range(32, 127)])
# A run of mask characters: `ghp_xxxx…`, `xoxb-XXXXXXXXX-…`, `####`; a random token almost never holds one (a run of
# four `x`/`X` in base62 is about 1 in 7 million per position).
_MASK_RUN = re.compile(r"[xX]{4}|\*{4}|#{4}")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand_ok(digits: str) -> bool:
    """Issuer prefix and length of the common networks (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay)."""
    n = len(digits)
    p2, p4 = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if digits.startswith("6011") or p2 == 65 or 644 <= int(digits[:3]) <= 649 or p2 == 62:
        return 16 <= n <= 19
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19
    if 300 <= int(digits[:3]) <= 305 or p2 in (36, 38):
        return 14 <= n <= 19
    return False


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """US SSN structure: no 000/666/9xx area, no 00 group, no 0000 serial."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def shannon_entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


def is_hex(value: str) -> bool:
    return _HEX.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


def decodes_to_text(value: str) -> str | None:
    """The decoded text when `value` is base64 of printable text (a message, a certificate), else None."""
    if len(value) < 16 or not _B64.fullmatch(value):
        return None
    padded = value + "=" * (-len(value) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"-_" if ("-" in value or "_" in value) else None, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw or len(raw) - len(raw.translate(None, _PRINTABLE)) < 0.97 * len(raw):  # printable bytes
        return None
    return raw.decode("ascii", errors="replace")


def decodes_to_credentials(value: str) -> bool:
    """True for base64 of `user:password` (RFC 7617 Basic authentication), not of a JSON object."""
    if not 4 <= len(value) <= 1024 or not _B64.fullmatch(value):
        return False
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and not decoded.startswith("{") and decoded.isprintable()


@lru_cache(maxsize=4096)  # log lines repeat their values
def looks_random(value: str) -> bool:
    """True for strings that look machine-generated: long, mixed character classes, high entropy, not a hash/UUID.

    Pure hex (hashes, commit ids) and base64 of readable text are deliberately not random here: they are the
    near-misses that must survive unless a keyword in the key says they are secret.
    """
    n = len(value)
    if n < 20 or is_hex(value) or is_uuid(value):
        return False
    classes = any(map(str.islower, value)) + any(map(str.isupper, value)) + any(map(str.isdigit, value))
    if classes < 3 and not (classes == 2 and n >= 32):
        return False
    if decodes_to_text(value) is not None or _is_words(value):
        return False
    return shannon_entropy(value) >= min(4.3, 0.82 * math.log2(n))


_WORD_RUNS = re.compile(r"[A-Z]?[a-z]{2,}")


def _is_words(value: str) -> bool:
    """`desktop-rhf_SponsoredProductsRemoteSearch`: an identifier spelled in words (lower-case runs, 5+ letters on
    average, most of the value); in a random string such runs average about three characters and cover little."""
    runs = _WORD_RUNS.findall(value)
    letters = sum(map(len, runs))
    return bool(runs) and letters >= 5 * len(runs) and letters >= 0.6 * len(value)


def is_masked(value: str) -> bool:
    """A token shape filled in with mask characters (`ghp_xxxxxxxx…`, `hvs.XXXX…`): documentation, not a secret."""
    return _MASK_RUN.search(value) is not None


def is_placeholder_value(value: str) -> bool:
    """Template references, masks and words that stand in for a secret (`${DB_PASSWORD}`, `****`, `null`), and filler:
    a long value that is mostly one repeated character (`000…0aa`, `aaaa…end`)."""
    value = value.strip()
    return _PLACEHOLDER.fullmatch(value) is not None or _is_filler(value)


def _is_filler(value: str) -> bool:
    # A character in 60% of the value is its majority, so the middle one once sorted: one count, not a `Counter`.
    return len(value) >= 16 and value.count(sorted(value)[len(value) // 2]) >= 0.6 * len(value)


@lru_cache(maxsize=4096)
def ip_is_public(address: str) -> bool | None:
    """True for a globally routable address, False for private/reserved ones, None when not an address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return bool(ip.is_global) and not ip.is_multicast
