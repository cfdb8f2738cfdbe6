"""Secrets recognised by the name of the key they are assigned to (`password = ...`, `"api_key": ...`)."""

from __future__ import annotations

import base64
import re
from functools import lru_cache, partial
from itertools import chain, groupby, pairwise
from operator import itemgetter
from typing import TYPE_CHECKING

from faultmaven.sanitize.validators import (
    decodes_to_credentials,
    is_placeholder_value,
    is_uuid,
    looks_random,
    shannon_entropy,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from faultmaven.sanitize.rules import Finding, Hit, Rule

# With the abbreviations configs use for it (`DB_PSWD`, `MYSQL_PASWD`, `admin_pswrd`) and a Wi-Fi pre-shared key
# (`psk=` in wpa_supplicant.conf and NetworkManager profiles, Kickstart's `--wpakey=`/`--wepkey=`), PAM's and SSSD's
# `authtok` (`ldap_default_authtok`), and an SSH key's passphrase as Rocketeer's and Laravel 4's remote connections name
# it (`'keyphrase' => '...'`).
PASSWORD_WORDS = frozenset({"password", "passwords", "passwd", "pwd", "pw", "pass", "passphrase", "passcode", "pword",
                            "pswd", "psswd", "pswrd", "paswd", "paswrd", "pasword", "psword", "pssword", "psswrd",
                            "psk", "wpakey", "wepkey", "authtok", "keyphrase"})
# `signature`/`sig`: the signature of a signed URL (`X-Amz-Signature=`, Azure SAS `sig=`) grants access like a token.
# `authkey`: `auth_key` run together (UrBackup's `internet_authkey`), as `apikey` is `api_key`; `appkey` is `app_key`
# (Tencent Cloud SMS's `sms.appkey`); `writekey` is `write_key` (Honeycomb's Beeline and libhoney `writekey=`);
# `secretkey` is `secret_key` (Kubeflow Pipelines' `mlpipeline-minio-artifact` Secret, MinIO's `secretkey:`);
# `registrationkey` is `registration_key` (the BLS Public Data API's `"registrationkey"` in a v2 POST body).
# `userkey`: an API key issued to a user account (VesselFinder's `userkey=` query parameter); `sharecode`: an ADS-B
# feeder's upload credential (Plane Finder's `"sharecode"` in pfclient-config.json, docker-planefinder's `SHARECODE`).
STRONG_WORDS = PASSWORD_WORDS | {"secret", "secrets", "token", "apikey", "authkey", "appkey", "writekey", "secretkey",
                                  "registrationkey", "userkey", "sharecode",
                                  "credential", "credentials", "privatekey", "salt", "signature", "sig"}
# Words that end like a password word without naming one (`bypass=true`).
_NOT_COMPOUND = frozenset({"bypass", "compass", "surpass", "trespass", "overpass", "underpass", "encompass", "basalt"})
# `NONCOMPLIANT_APITOKEN`, `dbsecret`, `passwordsalt`, `TLSPSK`: one word that ends with a secret word.
_COMPOUND_TAILS = ("password", "passwd", "pass", "pswd", "pwd", "pw", "psk", "token", "secret", "salt")
# `<word>_key` / `<word>Key` names that hold a secret.
KEY_QUALIFIERS = frozenset({
    "api", "secret", "access", "private", "auth", "client", "master", "encryption", "signing", "account", "shared",
    "storage", "app", "license", "consumer", "webhook", "sas", "service", "session", "deploy", "ssh", "sk", "hmac",
    "radius",  # a RADIUS shared secret: DD-WRT's `wl0_radius_key`
    "admin",  # the key that lets a client create rooms: Janus videoroom's `admin_key`
    "installation",  # a product's installation key: MATLAB's `fileInstallationKey` in installer_input.txt
    "nwk",  # a LoRaWAN 1.1 root network key: `NwkKey` beside `AppKey`
    # a Java keystore's password under Trino's and Presto's `http-server.https.keystore.key` (and `truststore.key`);
    # Kafka's `ssl.keystore.key` holds the PEM private key itself
    "keystore", "truststore",
    "fr24",  # Flightradar24's feeder sharing key: fr24feed.ini's `fr24key="<16 hex>"`, docker-flightradar24's `FR24KEY`
    "sharing",  # an ADS-B feeder's sharing key: AirNav RadarBox's `SHARING_KEY`
})
# `oauth`: Twitch's chat password `oauth:<token>` (IRC `PASS`), an OAuth token under a bare `oauth:` key.
# `pat`: a personal access token (`AZURE_DEVOPS_EXT_PAT`, `GITHUB_PAT`). `totp`: a TOTP seed (Bitwarden's
# `"totp": "<base32>"`, its export's `login_totp` column), weak because `totp: true` says it is on.
WEAK_LAST_WORDS = frozenset({"key", "auth", "authorization", "cred", "creds", "oauth", "pat", "totp"})
# Key names whose last words name a provider's secret although no secret word is in them: SonarQube's `sonar.login`
# holds its token; SNMP's community string is its password (`snmp_community`, LibreNMS's
# `$config['snmp']['community']`, Netdisco's write `community_rw`); Scrapli's `auth_secondary` is the enable password;
# LoRaWAN's ABP session keys `AppSKey`/`NwkSKey` (a lone `s` for session, so the qualifier is not next to `key`);
# Nakama's `socket.server_key` and `runtime.http_key` (shared keys its clients and server-to-server calls present);
# a list of API tokens (Unleash's `INIT_ADMIN_API_TOKENS`/`INIT_CLIENT_API_TOKENS`; a bare `tokens` is an LLM's count)
# or keys (the SuperTokens core's `API_KEYS=key1,key2`);
# Elastic Cloud's `user:password` under Beats' `cloud.auth` and Logstash's `cloud_auth`;
# Azure's API key for its AI services and API Management (`Ocp-Apim-Subscription-Key:`, `?subscription-key=`).
SECRET_KEY_TAILS = frozenset({("sonar", "login"), ("snmp", "community"), ("community", "rw"), ("auth", "secondary"),
                              ("app", "s", "key"), ("nwk", "s", "key"), ("server", "key"), ("http", "key"),
                              ("api", "tokens"), ("api", "keys"), ("cloud", "auth"),
                              ("subscription", "key")})
# A key that names metadata about a secret, not the secret itself.
EXCLUDED_WORDS = frozenset({
    "hash", "hashed", "sha", "sha1", "sha256", "sha512", "md5", "digest", "checksum", "fingerprint", "public", "pub",
    "publickey", "pubkey",
    "pull", "mountable",  # `kubectl describe`: `Image pull secrets:`, `Mountable secrets:` list the secrets' names
    "dedup", "idempotency",  # an event's or a request's id: PagerDuty's `dedup_key`, an `Idempotency-Key` header
    "existing",  # Helm charts' `existingSecret: NAME` names a Kubernetes Secret object to read, not a secret
    # a key meant for browsers: Stripe's and Dub's `publishable_key`, `data-publishable-key="dub_pk_…"` in a script tag
    "publishable",
})
EXCLUDED_LAST_WORDS = frozenset({
    "id", "ids", "type", "types", "name", "names", "file", "path", "url", "uri", "length", "len", "count", "size",
    "ttl", "timeout", "expiry", "expires", "expiration", "format", "field", "header", "prefix", "version", "enabled",
    "required", "policy", "mode", "hint", "label", "endpoint", "location", "dir", "provider", "rotation", "age", "min",
    "max", "ref", "arn", "env", "var", "kind", "algorithm", "alg", "scope", "scopes", "store", "manager", "method",
    "uuid", "guid", "index", "idx", "limit", "reset", "sent", "valid", "invalid", "error", "status", "set", "changed",
    "source", "strength", "rule", "rules", "integrity",
    "at",  # a time: `token_expires_at`, `password_changed_at`
    "slug", "slugs",  # a URL's name for an object (a Tito ticket's `"slug":"ti_test_…"`): public, if random-looking
    "storage",  # where a secret is kept: JetBrains' `<secret-storage>master_key</secret-storage>`
    "database", "catalog",  # a connection string's `Database=aspnet-Portal-7c41e0d2` (a template's generated name)
    "encryptionsalt",  # a Pulumi stack file's salt and check value for its passphrase, not the passphrase
    "model", "organization",  # an LLM's name (`anthropic/claude-3-5-sonnet-20241022`), an OpenAI org id (`org-…`)
    "username",  # an account's name, however random (Upstash Kafka REST's base64 `UPSTASH_KAFKA_REST_USERNAME`)
    "generator",  # Kustomize's `secretGenerator:` lists where Secrets come from (names, files); its literals are keyed
    "ssid",  # a Wi-Fi network's name, though Arduino's `arduino_secrets.h` calls it `SECRET_SSID`
    "uid",  # a user's id (a Firebase Authentication uid: 28 letters and digits), however random
    "kid",  # a JWK's key id (a public thumbprint): step's `Provisioner: admin (JWK) [kid: …]`, a JWT header's `kid`
    "etag",  # an HTTP entity tag, a resource version's id or hash (`"etag": "…"` in Google APIs' replies, `ETag:`)
    "proof",  # an HMAC computed with a secret, useless without the token it signs: Meta's `appsecret_proof`
    "parent", "parents",  # a resource name of the object above: Nest SDM's `"parent": "enterprises/…/rooms/…"`
    # an ad or affiliate click's id, put in every landing URL (Google's `gclid`, Meta's `fbclid`, Microsoft's
    # `msclkid`, TikTok's `ttclid`, impact.com's `irclickid`, a plain `clickid`): tracking ids, however random
    "clickid", "irclickid", "gclid", "fbclid", "msclkid", "dclid", "ttclid", "twclid", "yclid", "gbraid", "wbraid",
})
HASH_WORDS = frozenset({"hash", "hashed", "sha", "sha1", "sha256", "sha512", "md5", "digest", "hex"})
_HASH_VALUE = re.compile(r"(?i)(?:sha\d*|md5)[-:]")
# Fixed-width lookbehinds (one per keyword length) that let the scan skip assignments to unrelated keys.
_ENDINGS = ("password", "passwd", "pwd", "pw", "pass", "passphrase", "passcode", "secret", "secrets", "token", "key",
            "apikey", "credential", "credentials", "auth", "authorization", "pswd", "psswd", "paswd", "pswrd", "paswrd",
            "psswrd", "pasword", "psword", "pssword", "passwords", "psk", "salt", "authtok", "pin", "hash",
            "community", "phrase", "pat", "totp", "plain", "rw", "secondary", "tokens", "keys", "sharecode")


_PASSWORD_ENDINGS = ("password", "passwd", "pwd", "pass")
_LAST_LETTERS = "".join(sorted({c for w in _ENDINGS for c in (w[-1], w[-1].upper())}))


def _lookbehind(sep: str, numbered_only: bool = False) -> str:
    """Zero-width test that a keyword (any case) ends right before `sep`, optionally followed by a quote and/or blank.

    Each lookbehind is a sub-match for the regex engine, so the cheap ones come first: the rule's `before` class (the
    keywords' last letters, quotes, blanks) rejects timestamps and most `Word:` labels; the character before `sep`
    (a letter, or a quote/blank) picks the shapes that can apply; then, per shape of the text between key and
    separator, the keywords' last two letters; only then, inside that lookbehind, the keywords that end with the two
    letters found (one lookbehind per length). The last letter is an explicit class (`[dD]`), the others
    case-insensitive like the keywords.
    """
    def shape(between: str, endings: tuple[str, ...] = _ENDINGS) -> str:
        # After each pair, only the keywords that end with it, looked for back from there (one lookbehind per length):
        # a word that ends as a keyword does (`total`, `al` of `credential`) tries one keyword, where a lookbehind per
        # length of all keywords was tried after any pair.
        def keywords(pair: str) -> str:
            ending = sorted((w for w in endings if w.endswith(pair)), key=len)
            return "|".join(f"(?<=(?i:{'|'.join(group)}))" for _, group in groupby(ending, key=len))

        pairs = "|".join(f"(?i:{a})(?:" + "|".join(f"[{b}{b.upper()}](?:{keywords(a + b)})" for _, b in group) + ")"
                         for a, group in groupby(sorted({(w[-2], w[-1]) for w in endings}), key=itemgetter(0)))
        # Text of two characters or more between key and separator is tested alone first: its characters next to
        # the separator (`"'` then a blank) reject most candidates, where the lookbehind of the pairs, tried from its
        # start, tries all pairs two places further back first. (One character is the head's own test.)
        guard = f"(?<={between}{sep})" if len(_ONE_CHARACTER.findall(between)) > 1 else ""
        return f"{guard}(?<=(?:{pairs}){between}{sep})"

    # Quoted keys, also JSON inside a JSON string (`{\\"password\\": ...}`, the body of a structured log line), and a
    # numbered password (Tasmota's `{"Password1":"..."}`; not `"token1"`, a test fixture's numbering as often).
    quoted = "|".join([*(shape(between) for between in ("[\"' \\t]", "[\"'][ \\t]", "\\\\[\"']", "\\\\[\"'][ \\t]")),
                       *(shape(between, _PASSWORD_ENDINGS) for between in ("\\d[\"']", "\\d[\"'][ \\t]"))])
    # A numbered key in code: `static_password01 = "..."` (and Go's `static_password01 := "..."`, a rule of its own).
    numbered = [("\\d", shape("\\d") + "|" + shape("\\d\\d")),
                ("\\d[ \\t]", shape("\\d[ \\t]") + "|" + shape("\\d\\d[ \\t]"))]
    if numbered_only:
        return _led_by(numbered, sep)
    heads = [(f"[{_LAST_LETTERS}]", shape("")), ("[\"' \\t]", quoted)]
    if sep == "=":
        heads += [
            # make's conditional and appending assignments: `TOKEN ?= value`, `TOKEN += value`.
            ("[?+]", shape("[?+]") + "|" + shape("[ \\t][?+]")),
            *numbered,
            # An array element in PHP: `$config['db_password'] = '...'`, `$db['default']['password'] = '...'`; a hash
            # element in Perl: `$Self->{DatabasePw} = '...'` (OTRS/Znuny's Config.pm), `$conf{'db_pass'} = '...'`.
            ("\\]", shape("[\"']\\]")), ("\\][ \\t]", shape("[\"']\\][ \\t]")),
            ("\\}", shape("\\}") + "|" + shape("[\"']\\}")),
            ("\\}[ \\t]", shape("\\}[ \\t]") + "|" + shape("[\"']\\}[ \\t]")),
            # A comparison: `secret != "..."`, `password !== "..."` (`==` and `===` are the arrow after a keyword).
            ("!", shape("!") + "|" + shape("[ \\t]!")),
        ]
    return _led_by(heads, sep)


_ONE_CHARACTER = re.compile(r"\[[^\]]*\]|\\.|.")


def _led_by(heads: list[tuple[str, str]], sep: str) -> str:
    """Zero-width: the shapes of one of `heads` (the text before `sep` that they need, a character or two). The heads
    of a width share one lookbehind whose alternatives each begin with their head, so the regex engine enters only
    the shapes that the text before `sep` allows (a lookbehind per head, tried in turn, cost as much as the shapes)."""
    by_width: dict[int, list[str]] = {}
    for head, shapes in heads:
        by_width.setdefault(len(_ONE_CHARACTER.findall(head)), []).append(f"{head}{sep}(?:{shapes})")
    return "(?:" + "|".join(f"(?<=(?:{'|'.join(alternatives)}))" for alternatives in by_width.values()) + ")"


# Last letters of the keywords, quotes and blanks: the only characters that can precede a keyword's separator.
_KEYWORD_BEFORE = f"[{_LAST_LETTERS}\"' \\t]"

# Python's string prefixes (`b'...'`, `r"..."`), T-SQL's Unicode literal (`N'...'`), Objective-C's `@"..."` and an
# Erlang binary's `<<"...">>` (Hex's `hex.config`: `auth_key => <<"...">>`) belong to the literal, not the value;
# grafana.ini wraps a value that holds `#` or `;` in triple quotes; JavaScript's template literals without `${` or a
# blank (a shell's backticks hold a command); a template expression with blanks inside its double braces is one value
# (GitHub Actions' `${{ secrets.FTP_PASSWORD }}`, Helm's `{{ .Values.password }}`), a reference to a secret, and so is
# a shell's required variable with its error message (`${DB_PASSWORD:?DB_PASSWORD must be set}`).
_VALUE = (
    r"""[ \t]*(?:[bBrRuUfF]{1,2}(?=["'])|N(?=')|@(?=")|<<(?="[^"\r\n]{1,512}">>))?"""
    r"""(?:\"\"\"(?P<v6>[^"\r\n]{1,512})\"\"\""""
    r"""|"(?P<v1>[^"\r\n]{1,8192})"|'(?P<v2>[^'\r\n]{1,8192})'|`(?P<v7>[^`$\s]{1,512})`"""
    r"""|\\"(?P<v4>[^"\\\r\n]{1,512})\\"|\\'(?P<v5>[^'\\\r\n]{1,512})\\'"""
    r"""|(?P<v3>\$?\{\{[^{}\r\n]{1,128}\}\}|\$\{\w{1,80}:?\?[^}\r\n]{0,128}\}|\$*\{\{?[^}\s]{1,128}\}\}?"""
    r"""|&(?:'[a-z]+[ \t]+)?[A-Za-z_][\w:]*(?=[ \t]*=)|[^\s"'`,;&<>)\]}]{1,8192}))"""
)
# A value after its key's separator, an HTTP authorization scheme (`Authorization: Bearer …`) left out of it (also
# `apikey`: Twelve Data's `Authorization: apikey <key>`, quoted in a curl `-H`).
KEYWORD_VALUE = r"(?:[ \t]*(?i:bearer|basic|token|ssws|ntlm|negotiate|apikey)[ \t]+)?" + _VALUE


# Examples per separator: (keyword rule, value block rule, random-value rule), each (examples, negatives).
_EXAMPLES: dict[str, tuple[tuple[tuple[tuple[str, str], ...], tuple[str, ...]], ...]] = {
    "=": (((("password = hunter2!", "hunter2!"), ("export PGPASSWORD=pgShellPw42", "pgShellPw42"),
             # CiviCRM's site key, a shared secret (a CAPTCHA's `RECAPTCHA_SITE_KEY` is its public half).
             ("      - CIVICRM_SITE_KEY=bR4nQ2vL9wTz7KpX8sYc3Mj6Hd1Fg5Ae", "bR4nQ2vL9wTz7KpX8sYc3Mj6Hd1Fg5Ae"),
             ("Server=db;User Id=shop;Password=Sh0pP@ss;", "Sh0pP@ss"), ("ldap_bind_pw=B1ndPw42", "B1ndPw42"),
             ('DEPLOY_TOKEN ?= "9b1d3f5a-7c2e-4a6b-8d0f-1e3a5c7b9d2f"', "9b1d3f5a-7c2e-4a6b-8d0f-1e3a5c7b9d2f"),
             ("$db['default']['password'] = 'Ci4rr4yPw';", "Ci4rr4yPw"), ("MYSQL_PSWD=Abbr3vPw9", "Abbr3vPw9"),
             ('const db_password, api_token = "M1ltiPw9", "Hq2Lm9Vx4Zp8"', "Hq2Lm9Vx4Zp8"),
             ('    psk="W1f1 Passphrase"', "W1f1 Passphrase"), ('password = "w1ki-Ub3r.pass"', "w1ki-Ub3r.pass"),
             ("ldap_default_authtok = Sssd-B1nd-T0k", "Sssd-B1nd-T0k"),
             ("pass_phrase=0ci-K3y-Passphr4se", "0ci-K3y-Passphr4se"),
             ("'keyphrase' => 'R0ck-K3yphr4se',", "R0ck-K3yphr4se"),
             ("DB_PASSWORD=w1ki-Ub3r.pass", "w1ki-Ub3r.pass"),
             ("export DOMAIN_ADMIN_PASSWD_PLAIN='Pl41nAdm1n'", "Pl41nAdm1n"),  # a password word, then a qualifier
             ("$config['secret_pin'] = '739164';", "739164"),
             ("$cc_encryption_hash = 'Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5';", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5"),
             ("$config['snmp']['community'] = array('n0cC0mmR34d');", "n0cC0mmR34d"),
             ("SNMP_COMMUNITY=n0cC0mmR34d", "n0cC0mmR34d"), ("$Self->{DatabasePw} = 'Otr5-db-pw';", "Otr5-db-pw"),
             ("$conf{'db_pass'} = 'P3rlH4sh';", "P3rlH4sh"),
             ('MAIL_PASSWORD = "qwvn rtzk pmlb hsdx"', "qwvn rtzk pmlb hsdx"),
             ('#{auth_key => <<"c7e2a9f4b1d8e5a3c0f6b9d2e7a4c1f8">>,', "c7e2a9f4b1d8e5a3c0f6b9d2e7a4c1f8"),
             ("internet_authkey=Xk2Vb7Nm4Lp9Qr3T", "Xk2Vb7Nm4Lp9Qr3T"),
             ("SetCredential=api-token:Sd-Cr3d-T0ken-42", "Sd-Cr3d-T0ken-42"),
             ("AuthUser=alerts@gmail.com\nAuthPass=qwer tyui asdf ghjk\n", "qwer tyui asdf ghjk"),
             ("ldap.bind.credential=Pr0ps\\\n    C0ntinued9\n", "C0ntinued9"),
             ("INIT_CLIENT_API_TOKENS=default:development.9c4e7a1f3b8d2e6a0c5f9b3d7e1a4c8f",
              "default:development.9c4e7a1f3b8d2e6a0c5f9b3d7e1a4c8f"),
             ("TX_TOKEN=1/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c", "1/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c"),
             ("GET /translate?subscription-key=dcc43aedf4535b7b6bec7143b6ee1764&to=de",
              "dcc43aedf4535b7b6bec7143b6ee1764"),
             ('$1 = {user = 0x5555555592a0 "app", password = 0x5555555592e0 "Gdb#Pr1nt-Pw8"}', "Gdb#Pr1nt-Pw8"),
             ("nonce_salt = '+Kq9#zT!mV2^pL8&xR4*wN7(yB3)fH6j'", "+Kq9#zT!mV2^pL8&xR4*wN7(yB3)fH6j"),
             ("VAPID_PRIVATE_KEY=oKd4Ta3mP9sQ2vW7xZ1cB5nH8jL0fR6yU4eI2gT9kAs",
              "oKd4Ta3mP9sQ2vW7xZ1cB5nH8jL0fR6yU4eI2gT9kAs"),
             ("minio.secretkey=WnQ3dkxtOXBYcjJLcTVO", "WnQ3dkxtOXBYcjJLcTVO"),
             ("ZITADEL_MASTERKEY=Zt7mK2qLx9Vb4Nw8Rc3Ty6Pd1Hs5Gf0J", "Zt7mK2qLx9Vb4Nw8Rc3Ty6Pd1Hs5Gf0J"),
             ("YOURLS_COOKIEKEY=qT7mZ2vK9xR4wL8nB3cY6dF1hJ5pS0aE", "qT7mZ2vK9xR4wL8nB3cY6dF1hJ5pS0aE"),
             ("$yourls_user_passwords = [\n\t'admin' => 'Yl9#Adm1nPw',\n];", "Yl9#Adm1nPw"),
             ("$api_keys = array('prod' => 'Kq7vR2xLm9TzW4pN8bYc');", "Kq7vR2xLm9TzW4pN8bYc")),

            ("password_length=12", "ldap_default_authtok_type = password", "smtp_auth_plain=yes", "PWD=/home/app",
             "token = '' + tokenFromVaultStorageCache + ''", "password = 'Password: ' + getPassword() + ''",
             "pam_password = md5", "ldap_passwd_scheme = ssha",
             "Domain SID = S-1-5-21-2845301147-3729106482-1187659273",
             "token=${API_TOKEN}", 'salt = "YouMustSetASecretKeyHere!!"',
             '"Server=#{Database.Server};Password=#{Database.Password};"',
             "smtp_pass='##SMTP_PASSWORD##'", "AUTH0_CLIENT_SECRET=@@M2M_CLIENT_SECRET@@",
             'publishableKey="pk_live_Y2xlcmsuc2hvcC5leGFtcGxlLmNvbSQ"', "uid=Hpcj33WFPLeMc0Gkywbzgmlr3RR4",
             "API_KEYS=${ADMIN_KEY},${READONLY_KEY}",
             "sshkeys: ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIKx3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro%20ops%40laptop",
             'client.Credentials = new NetworkCredential(user, pass);',
             "$3 = {user = 0x5555555592a0 \"app\", password = 0x0, password_len = 0}",
             'const password = await vault.read("db");', "secret = typeof x", 'password = lambda: os.environ["P"]',
             '$webClient.Credentials = new-object System.Net.NetworkCredential($user, $pass)',
             "bypass=true", "TOKEN ?= $(shell cat t)",
             "$db['default']['hostname'] = 'localhost';", "$user['password_hash'] = 'see users table';",
             'password = "settings.DB_PASSWORD"', "secret = oauth2Client.token",
             "led_pin = 13", '<entry key="jetbrains.mps.v8_elimination" value="executed" />',
             "$config['snmp']['version'] = array('v2c');", "community = open-source",
             "const { password } = req.body;", "$Self->{DatabaseUser} = 'otrs';", 'password = <<"EOF"',
             "JWT_SECRET_KEY=%kernel.project_dir%/config/jwt/private.pem", "PUSHER_APP_KEY=9a8b7c6d5e4f3a2b1c0d",
             "REVERB_APP_KEY=mb47505ejtbs5ah04dph",
             "sonar.projectKey=acme_checkout-web", "X-VTEX-API-AppKey: vtexappkey-acmestore-QWERTY",
             'error_password = "did not match the rules"', "internet_authkey_file=/etc/urbackup/key",
             "ADYEN_CLIENT_KEY=test_KBZ3JRK4ZZDVVGVQBW4BNM25WEMCAXLM",
             "LoadCredential=db-password:/etc/credstore/app.db-password", "ImportCredential=app.*",
             "custom-rendezvous-server = 'rd.example.com'\nkey = 'OeVuKk5nlHiXp+APNn0Y3pC1Iwpwn44JGqrQCsWqmBw='",
             "max_tokens=4096", "STATSIG_CLIENT_KEY=client-Hn3bV7cX1zL5kJ9gF2dS6aP0oI4uY8tR3eW7qM1nB",
             'project_api_key="phc_Tq8Wm3Xz7Rb2Lv9Nc4Kp6Hy1Df5Sg0Ja3Ue8Io2Qk"', "secret = 1/kv/data/payments",
             "sshKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3 ops@bastion'",
             "subscription_key_id=42", "minio.accesskey=bWxwaXBlbGluZQ==", "'secret=secret/data/smtp:password'",
             'DATABASE_PASSWORD="{{ with secret "database/creds/billing" }}{{ .Data.password }}{{ end }}"',
             '<script data-publishable-key="dub_pk_Ab3dEf5hIj7lMn9pQr1tUv3x" defer></script>',
             "COOKIEKEY_NAME=yourls_session")),
          ((("[creds]\nsecret =\n    hunter2secret", "hunter2secret"),
            ("  password = <<-EOT\n    Hcl-H3redoc\n  EOT\n", "Hcl-H3redoc")),
           ("[section]\nname =\n    value1", 'secret_key_base =\n  System.get_env("SECRET_KEY_BASE") ||')),
          ((("mimi=gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4", "gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4"),
            ("sonar.login=0f9e8d7c6b5a49382716f0e9d8c7b6a5f4e3d2c1", "0f9e8d7c6b5a49382716f0e9d8c7b6a5f4e3d2c1"),
            ('String nwkSKey = "CE4AF97DEC88DEFAF4D43C41CEDD9932";', "CE4AF97DEC88DEFAF4D43C41CEDD9932"),
            ("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4",
             "aeeed9bbccd4d02ee5c0109b86d86835f995330da4"),
            ("$settings['hash_salt'] = 'Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5';", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5"),
            ('tokens {\n  agent = "e95b599e-166e-7d80-08ad-aee76e7ddf19"\n}', "e95b599e-166e-7d80-08ad-aee76e7ddf19"),
            ("APP_KEYS=7XGGo/92raQECjOFVnHB9w==,abEkfYEgd9aK8Zn6VfEk4w==", "abEkfYEgd9aK8Zn6VfEk4w=="),
            ('APP_KEYS="7XGGo/92raQECjOFVnHB9w==,abEkfYEgd9aK8Zn6VfEk4w=="', "abEkfYEgd9aK8Zn6VfEk4w=="),
            ("  -e API_KEYS=Kq7Lm2Xz9Rb4Tw8Nc3Vy6-Hd1,Pf5Sg0Ja3Ue8Io2Qk7Wm4Zx \\\n", "Pf5Sg0Ja3Ue8Io2Qk7Wm4Zx"),
            ("[Authentication]\nAPIKey = 5e1c9a7d3b2f48e6a0c4d8b7f1e3a9c2, 0b7d4f2a9c1e6b3d8a5f7c0e2d4b9a61\n",
             "0b7d4f2a9c1e6b3d8a5f7c0e2d4b9a61"),
            ("cookie: grafana_session=9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d", "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),
            ("GET /cart;jsessionid=A1B2C3D4E5F60718293A4B5C6D7E8F90 HTTP/1.1", "A1B2C3D4E5F60718293A4B5C6D7E8F90")),
           ("commit=9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c", "request_id=Ab3dEf6hIj9kLm2nOp5qRs8tUv",
            "INFO click-router redirect campaign=11877 irclickid=Qm7Tx2Lp9Vb4Nc8Rw3Zy6Hk1aJ partner=acme",
            "GET /landing?gclid=Cj0KCQiA7Kq7Lm2Xz9Rb4Tw8Nc3Vy6Hd1ab&utm_source=google HTTP/1.1",
            "param registryPassword = readEnvironmentVariable('ACR_PASSWORD')",
            'String devEui = "70B3D57ED0061A2F";',
            "UPSTASH_KAFKA_REST_USERNAME=cXVpZXQtaGVyb24tMTEyMDMkak5YnZfPVSlGehQvG2zp",
            "DS_INTEGRATION_KEY=cef3013d-afb5-45cb-9fa1-3c4dda2edfe9",
            '    -d "appsecret_proof=996c0467134e4e97fa63b8741476715ad7fd3e60d6a3bb72d43ce87f171ea016"',
            "  Integration Key:  cef3013d-afb5-45cb-9fa1-3c4dda2edfe9",
            "final byte[] pkey = Base64.getMimeDecoder().decode(text);",
            'data-widget="desktop-rhf_SponsoredProductsRemoteSearchK2ClickPagination"',
            'service {\n  agent = "e95b599e-166e-7d80-08ad-aee76e7ddf19"\n}',
            'SOCIAL_AUTH_GITHUB_KEY = "Ov23liQ7xK2mR9tB4wZc"',
            "Server=(localdb)\\mssqllocaldb;Database=aspnet-Portal-7c41e0d2;Trusted_Connection=True",
            "INFO charge=ch_3MmlLrLkdIwHu7ix0snN0B15 subscription=sub_1MowQVLkdIwHu7ixeRlqHVzs",
            "STRIPE_PRICE_ID_PRO=price_1MoBy5LkdIwHu7ixZhnattbh",
            '"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy3Qp7Lx3Vn9Tz2Rb6Mk1Hd4eWc8Ys0U"'))),
    ":": (((('"password": "R3port!ng"', "R3port!ng"), ("api_key: 'ToCynx5Se4e2PtoZxEhW7lUJcOX15c54'",
                                                        "ToCynx5Se4e2PtoZxEhW7lUJcOX15c54"),
            ('DEPLOY_TOKEN := "9b1d3f5a-7c2e-4a6b-8d0f-1e3a5c7b9d2f"', "9b1d3f5a-7c2e-4a6b-8d0f-1e3a5c7b9d2f"),
            ("token: s.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw", "s.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw"),
            ("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            ('{"body": "{\\"password\\": \\"Esc4pedPw\\"}"}', "Esc4pedPw"),
            ("Authorization: token 0f9e8d7c6b5a49382716f0e9d8c7b6a5f4e3d2c1",
             "0f9e8d7c6b5a49382716f0e9d8c7b6a5f4e3d2c1"),
            ("Authorization: SSWS 00QCjAl4MlV-WPXM-k2Lq9Vx4Zp8Tn3Yb6Jf1Ka5Uw",
             "00QCjAl4MlV-WPXM-k2Lq9Vx4Zp8Tn3Yb6Jf1Ka5Uw"),
            ('curl -H "Authorization: apikey 5c0e7a9b3d1f4e6a8c2b0d9f7e5a3c1b" "https://api.example.com/v1?a=1"',
             "5c0e7a9b3d1f4e6a8c2b0d9f7e5a3c1b"),
            ('{"seriesid":["CUUR0000SA0"],"registrationkey":"8f3a1c9e5b7d2f4a6c0e8b1d3f5a7c9e"}',
             "8f3a1c9e5b7d2f4a6c0e8b1d3f5a7c9e"),
            ("Authorization: NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==",
             "TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw=="),
            ('val password: String = "Sc4laPw9"', "Sc4laPw9"),
            ("Authorization: Api-Token dt0c01.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5", "dt0c01.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5"),
            ('curl -s -H "Authorization: secret 5e8a1c3f7b9d2e4a6c0f8b1d3e5a7c9f" \\\n  "https://viglink.io/transactions"',
             "5e8a1c3f7b9d2e4a6c0f8b1d3e5a7c9f"),
            ('"Authorization": "Splunk 9f2c4e6a-8b0d-1f3e-7a5c-9f2c4e6a8b0d"', "9f2c4e6a-8b0d-1f3e-7a5c-9f2c4e6a8b0d"),
            ("Authorization: users API-Key 95272f55-7fcc-4b28-ae7e-8ecd0a7b1dd6",
             "95272f55-7fcc-4b28-ae7e-8ecd0a7b1dd6"),
            ('"passwords": [\n  "L1stPwOne",\n  "L1stPwTwo"\n]', "L1stPwTwo"),
            ("api:\n  key: 5A7C9E1B3D5F7A9C1E3B5D7F9A1C3E5B", "5A7C9E1B3D5F7A9C1E3B5D7F9A1C3E5B"),
            ("  network_key: [41, 7, 199, 83, 12, 250, 5, 166, 91, 34, 208, 77, 140, 3, 61, 222]",
             "41, 7, 199, 83, 12, 250, 5, 166, 91, 34, 208, 77, 140, 3, 61, 222"),
            ('"password":"x","totp":"JBSWY3DPEHPK3PXPNA7Q"', "JBSWY3DPEHPK3PXPNA7Q"),
            ('RESULT = {"Password1":"W1fi-T4sm0ta!"}', "W1fi-T4sm0ta!"),
            ("    community_rw: 'Nd-Rw-C0mm'", "Nd-Rw-C0mm"), ('"auth_secondary": "Scr4p-En4ble",', "Scr4p-En4ble"),
            ("-H 'Ocp-Apim-Subscription-Key: dcc43aedf4535b7b6bec7143b6ee1764'", "dcc43aedf4535b7b6bec7143b6ee1764"),
            ("  secretKey: Mn4vK8qL2xR7tZ9w", "Mn4vK8qL2xR7tZ9w"),
            ('      secretKey: "mysql-root-Pw7x"', "mysql-root-Pw7x")),
            ("password: ${DB_PASSWORD}", "password: ${{ secrets.FTP_PASSWORD }}", "password: {{ .Values.password }}",
             'DbConfig { password: SecretBox<str>([REDACTED]), pool_size: 10 }',
             '  ["password":"App\\Service\\Mailer":private]=>', '  ["apiToken":protected]=>',
             "Failed password for root from 10.0.0.1", "12:00:01 token: ok",
             "secret: settings.SECRET_KEY", "access_token: ACCESS_TOKEN", "api_key: your_api_key_here",
             "token: INSERT_TOKEN", "client_secret: placeholder", "Authorization: Basic realm",
             'data = {"login": login, "password": new_password}', "Authorization: Digest username=alice",
             "Authorization: Custom please-see-the-docs-for-this",
             'curl -H "Authorization: apikey $TWELVE_DATA_API_KEY" "https://api.twelvedata.com/quote?symbol=AAPL"',
             "cache:\n  key: 5A7C9E1B3D5F7A9C1E3B5D7F9A1C3E5B", "key: [1, 2, 3, 4, 5, 6, 7, 8]",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "password: $__file{/run/secrets/pg_password}",
             'Authorization: "Bearer ${env:OTLP_TOKEN}"', 'Authorization: "Api-Token ${env:DT_API_TOKEN}"',
             "      TAPFILIATE_API_KEY: vault:secret/data/partners/tapfiliate#api_key",
             "AWS_SECRET_ACCESS_KEY: vault:secret/data/accounts/aws#AWS_SECRET_ACCESS_KEY#2",
             '"api.key": "$[secret:ACME_API_KEY]",',
             '"DB_PASSWORD": "@database-password",',
             'Authorization: "Bearer {{ $processEnvironment.API_TOKEN }}"',
             '"dedup_key": "a1b2c3d4e5f60718293a4b5c6d7e8f90"',
             "recaptcha_site_key: 6Lc3xQ2mAAAAAJ9vB4cK8tZ5yL0sR7mD2nW1hF6e", '"totp": true', "totp: enabled",
             "credentials(PasswordCredentials::class)", "if (!Password::check($input)) {",
             "secondary: 10.0.0.2", "mode: rw", 'auth_secondary: ""',
             "$ shlink api-key:list --enabled-only", "php bin/console secrets:set DATABASE_PASSWORD",
             "php bin/console secrets:decrypt-to-local --force",
             "password: '!secret.yaml password'", '{"Password1":"****", "Retries2": "three"}',
             "  clientKey: 'live_BR2U1TAQ0YLYO0L05BNGHTM4EG2BNGLN',", "    key: transfer.example.com.",
             "# Backup Target Credential Secret: minio-secret", "    token: env/CLOUDFLARE_TOKEN",
             "DB_PASSWORD: ${DB_PASSWORD:?DB_PASSWORD must be set}", "existingSecret: app-postgres",
             "global: { smtp_auth_password: $.secrets.smtpAuthPassword }", '"clientKey": "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5",',
             "ADMIN_SECRET=${HASURA_ADMIN_SECRET:?set in the vault}",
             "TWILIO_AUTH_TOKEN: ${ssm:/notifications/${sls:stage}/twilio-auth-token}",
             "    key: '/etc/pushsvc/AuthKey_8KQ2ZP4M7R.p8',",
             "arangodb --auth.jwt-secret=/etc/arangodb/jwtSecret --starter.join a1,a2",
             "  publishKey: 'pub-c-7c2e9a41-3b8d-4f6e-a915-2d0c8b7e6f43',",
             "PORKBUN_API_KEY=pk1_9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c",
             '  Paddle.Initialize({ token: "live_3b8e1f7a0c5d9e2b4a6f8c1d7e3" });', 'export API_KEY="__YOUR_API_KEY__"',
             "MAPBOX_API_KEY = 'pk.eyJ1IjoibWFwcy1kZW1vIiwiYSI6ImNrMnF6dDQ5djAxMjMzbXA4bXJ2eTZ0NGQifQ.Hq2Lm9Vx4Zp8"
             "Tn3Yb6Jf1K'",
             '      secretKey: "admin_password"', "        secretKey: postgres-root-password",
             "      SOKETI_DEFAULT_APP_KEY: 'fieldapp-key'",
             "DOMAIN SID:            S-1-5-21-2845301147-3729106482-1187659273",
             '"vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="',
             "getToken(messaging, { vapidKey: 'BKagOny0KF_2pCJQ3mMoL5Ewzq7yOFv2g1WpbN9MvgF3zpXrQaLW' });",
             '{"kind":"youtube#channelListResponse","etag":"Zk3yWmEo4C8dx9RQnD0kz2bUp1c","pageInfo":{}}')),
          ((("password:\n    secure: thequickbrownfox", "thequickbrownfox"),
            ('"adminPassword": {\n  "value": "Arm-P4ram-Pw"\n}', "Arm-P4ram-Pw"),
            ("smtp-password: >-\n    Y4mlF0ldedPw\n", "Y4mlF0ldedPw"), ("db_password: |\n  Y4mlL1tPw\n", "Y4mlL1tPw"),
            ("  pass: '''\n    Hj5onMult1\n    '''\n", "Hj5onMult1"),
            ("personalAccessKey: >-\n  CJS2k7m3LhIPAgEAQQAAAQ\n", "CJS2k7m3LhIPAgEAQQAAAQ"),
            ("  apikey:\n    enabled: true\n    allowed_keys:\n      - Qm7vT2xKp9LwZ4rN8cYb3HdJ6fGs1aEu\n",
             "Qm7vT2xKp9LwZ4rN8cYb3HdJ6fGs1aEu"),
            ("api_tokens:\n  - 'Vb8nW2qLx5Kc9Tz3Rm7Yp4Hd'\n", "Vb8nW2qLx5Kc9Tz3Rm7Yp4Hd")),
           ("credentials:\n    user: admin", "Secret:\n  Name: web-tls\n  Issuer Common Name: R11\n  Serial: 9c80",
            "description: >\n  The password is read from a file.\n",
            '"adminPassword": {\n  "type": "securestring",\n  "minLength": 12\n}',
            '"adminPassword": {\n  "value": "[parameters(\'adminPassword\')]"\n}',
            "      token:\n        $env: GITLAB_TOKEN\n",
            "secretGenerator:\n  - name: api-env\n    envs:\n      - secrets.env\n",
            "client_secret: |\n  line one of a file\n  Xk9pLm2QwRt7vB3aZZ\n", "api_token: >\n  see the vault\n",
            "    secrets:\n      - n8n_db_password\n      - registry-token.v2\n",
            "ssh:\n  authorized_keys:\n    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7bX2fPz9kQeM4x1rV0cYw dev@laptop\n",
            "  apikey:\n    allowed_keys:\n      - ${WEAVIATE_ADMIN_KEY}\n      - readonly-frontend-key\n",
            "apt:\n  sources:\n    docker:\n      keys:\n        - 9DC858229FC7DD38854AE2D88D81803C0EBFCD88\n",
            "api_keys:\n  - name: ingest\n    scopes: [write]\n")),
          (((' "x_value": "Ab3dEf6hIj9kLm2nOp5qRs8tUv"', "Ab3dEf6hIj9kLm2nOp5qRs8tUv"),
            ('"password_hash": "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"',
             "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"),
            ("AUTHENTICATION_APIKEY_ALLOWED_KEYS: 'Rk2pLm9ZtW4yBn6cTq8Wm2Lk,P1JR10DoWWdxzHPtXypHjdP1'",
             "P1JR10DoWWdxzHPtXypHjdP1"),
            ("apikeys:\n  prod: e4d3c2b1a0f9e8d7c6b5a49382716051\n", "e4d3c2b1a0f9e8d7c6b5a49382716051")),
           ('"sha": "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"', '"uuid": "203db13e-70c7-462b-9a3d-bf32640cb0be"',
            '"password_hash": "see-the-users-table-for-it"',
            "rtsp://{CAM_USER}:{CAM_PASSWORD}@10.0.30.12:554/h264Preview_01_main",
            '"payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa"', '"community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg="',
            "order=ord_0000AQ9uTxA7Zh2Kq3Yc offer=off_00009htYpSCXrwaB9DnUm0",
            '"slug":"ti_test_pXH8d0ab3ZQ9kVLdR7nmJfA"',
            "      model: anthropic/claude-3-5-sonnet-20241022", "organization: org-Xw3Lq9TzR1mVb7Nc2Pk5YdHs",
            "apikeys:\n  default: my-project-key\n", "{nkey: UMM5BLRQCPCTTYAFE5AIK7NM3BHVZ6CY45JOK43YBQKCYONYVBZT2LZZ}",
            "arn:aws:sts::123456789012:assumed-role/TranslateBatchRole/i-0a1b2c3d4e5f67890",
            # a Kubernetes env entry named for an id (Terra's developer id, sent beside its `x-api-key`)
            "        env:\n        - name: TERRA_DEV_ID\n          value: fitapp-prod-Qm7xK2pZ9v\n"))),
}
_SETTER_EXAMPLES = ((('DataSource.builder().password("S3tt3rPw!").build()', "S3tt3rPw!"),
                     ("client.setApiKey('Hq2Lm9Vx4Zp8Tn3Yb6')", "Hq2Lm9Vx4Zp8Tn3Yb6"),
                     ('destination d_http {\n  http(\n    user("sng")\n    password("Sn9gQx4Lw7Rt2Kp")\n  );\n};',
                      "Sn9gQx4Lw7Rt2Kp"),
                     ('odbc insert id, table("t") dsn("cohort") user("u") password("Rk2$wP8nXt")', "Rk2$wP8nXt")),
                    ('user = getPassword("alice")', 'assertToken("abc123")', 'password("x")',
                     '.clientKey("Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5")', 'password("Sn9gQx4Lw7Rt2Kp")',
                     '    password("Sn9gQx4Lw7Rt2Kp") or die', 'setSecret("pgPassword");',
                     'odbc load password("Rk2$wP8nXt")'))
_TAG_EXAMPLES = ((("<password>mavenPw123</password>", "mavenPw123"),
                  ('<Pass encoding="base64">c3VwZXJzZWNyZXQxMjM=</Pass>', "c3VwZXJzZWNyZXQxMjM="),
                  ('<property name="hibernate.connection.password">H1bern8Pw</property>', "H1bern8Pw"),
                  ('<string name="api_key">Hq2Lm9Vx4Zp8Tn3Yb6Jf</string>', "Hq2Lm9Vx4Zp8Tn3Yb6Jf"),
                  ("<password><![CDATA[M4gent0-db pw]]></password>", "M4gent0-db pw"),
                  ("<ClientSecret1>Kq7Zp2Vw9Rx4Tn8Bm3Yc6Hd1</ClientSecret1>", "Kq7Zp2Vw9Rx4Tn8Bm3Yc6Hd1"),
                  ('<property name="TLS - Keystore Password">N1fiKsPw9</property>', "N1fiKsPw9")),
                 ("<Host>ftp.example.com</Host>", "<Port>21</Port>",
                  '<property name="hibernate.connection.username">app</property>',
                  '<property name="User Search Base">ou=people,dc=example,dc=com</property>',
                  '<string name="app_name">Checkout</string>', "<dbname><![CDATA[magento]]></dbname>",
                  "<h2>Secret</h2>", "<Port2>8443</Port2>",
                  "<secret-storage>master_key</secret-storage>",
                  '<property name="jwt.public.key">MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq3Lm9Vx4Zp8</property>'))


# The rest of a pgpass line up to a colon that no backslash escapes: the guard after the port's colon passes only where
# the line has at most one more such colon, as the pattern needs (a value's colons are escaped). In a log the guard
# then fails at a line's end instead of the pattern trying each of its lazy value's lengths (a MAC's `1D:DC ip=...`).
_PGPASS_REST = r"[^:\n]*+(?:(?<=\\):[^:\n]*+)*+"
_BLOCK_BELOW = r"[ \t]*+\r?\n[ \t]+[^\s#;]"  # a block's opener ends its line; the value is indented below
_RANDOM_VALUE = r"[A-Za-z0-9+/_\-]{20}"
# One guard for the rules anchored at `:` that test no character before it: the block and random-value rules below,
# IPv6 addresses, DES crypt hashes and pgpass lines (rules.py, formats.py). Each alternative begins with a literal or a
# class, which the regex engine tests without entering the alternative, so it enters at most one: a clock time's `:`
# (`18:01:47,978`, the commonest `:` in logs) fails one digit run's test where it entered four rules' guards. After its
# first character each alternative holds what every one of those rules needs there (a random value's 20 characters, a
# hash's 13, an IPv6 group's hex letter, a pgpass line's fields): a rule given this guard must need no less.
COLON_VALUE_GUARD = (
    rf"\d\d{{0,4}}+(?:[A-Za-z0-9+/_\-.]|:[^:\s]++:[^\s:]{_PGPASS_REST}(?::{_PGPASS_REST})?+(?:\n|\Z))"
    r"|[A-Za-z](?:[0-9A-Fa-f]{0,3}+:|[A-Za-z0-9+/_\-.]{12})"
    # The alternatives that begin with a blank or a mark, behind one test of their first characters: the engine tests
    # each alternative's first character in turn, and after a clock time's digits or a word's letters that is eleven
    # tests fewer. Each leads with its character too (after the blanks: a line break, a value's character, a block's
    # opener), the empty opener and the optional escape and quote as alternatives of their own.
    r"|[ \t:=\\\"'{|>\r\n./+_\-*](?<=(?="
    rf"[ \t][ \t]*+(?:\r\n[ \t]+[^\s#;]|\n[ \t]+[^\s#;]|{_RANDOM_VALUE}|\{{{_BLOCK_BELOW}|'''{_BLOCK_BELOW}"
    rf"|\"\"\"{_BLOCK_BELOW}|[|>][+-]?[1-9]?{_BLOCK_BELOW}|\\[\"']?+{_RANDOM_VALUE}|[\"']{_RANDOM_VALUE})"
    rf"|:|=[:=]{{0,2}}+[ \t]*+\\?+[\"']?+{_RANDOM_VALUE}|\\[\"']?+{_RANDOM_VALUE}"
    rf"|\"(?:\"\"{_BLOCK_BELOW}|{_RANDOM_VALUE})|'(?:''{_BLOCK_BELOW}|{_RANDOM_VALUE})"
    rf"|\{{{_BLOCK_BELOW}|[|>][+-]?[1-9]?{_BLOCK_BELOW}|\r\n[ \t]+[^\s#;]|\n[ \t]+[^\s#;]|[./+_\-*])[\s\S])")


def assignment_rules(sep: str) -> tuple[Rule, ...]:
    """Rules anchored at one separator (`=`, `:`; `>` for XML elements): keyword key, value block below the key, any key
    with a random-looking value."""
    from faultmaven.sanitize.rules import Rule

    # `=>` (PHP, Ruby hashes) and a comparison with a string (`password == "..."`) after `=`; `:=`, `::=` (make, Go)
    # after `:`.
    # Written as alternations with an empty last branch, not `(...)?`: the same tries in the same order, without the
    # regex engine's costly general repeat at every separator (most separators in logs match none of it).
    arrow = "(?:>|==?(?=[ \\t]*[bBuUrRfF]?[\"'])|)" if sep == "=" else "(?:::=|:=|=|)"
    # LDIF's `::` before a base64 value (`userPassword:: e1NTSEF9...`): for the keyword rule only, whose arrow is tried
    # after its key's lookbehind matched; the random-value rule would try it at every `:` of a log.
    # A scope operator is no separator: Kotlin's `credentials(PasswordCredentials::class)`, C++'s `Password::check`.
    keyword_arrow = arrow if sep == "=" else "(?:::=|:=|=|:(?=[ \\t])|)(?!:\\w)"
    if sep == ">":
        # The text of an element, or its CDATA section (Magento 1's `app/etc/local.xml`: `<password><![CDATA[…]]>`).
        # A numbered element (Sitecore Identity Server's `<ClientSecret1>`, the next one for rotation) ends in a digit.
        return (Rule("secret", r">(?<=[A-Za-z0-9\"']>)(?:(?P<v>[^<>\s]{1,512})"
                     r"|<!\[CDATA\[(?P<v1>[^\]\r\n]{1,512})\]\]>)</", ">", extract=extract_tag, remember=True,
                     examples=_TAG_EXAMPLES[0], negatives=_TAG_EXAMPLES[1]),)
    if sep == "(":
        return (Rule("secret", r"\((?<=\w\()[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')[ \t]*\)",
                     r"\(", extract=extract_setter, remember=True, before=_KEYWORD_BEFORE,
                     examples=_SETTER_EXAMPLES[0], negatives=_SETTER_EXAMPLES[1]),
                # A call that stores a value under a name (`_STORE_CALLS`): `props.setProperty("db.password", "...")`,
                # `config.set('database', 'password', '...')` (configparser's section first); the name must name a
                # secret.
                Rule("secret", r"\((?:" + "|".join(f"(?<={name}\\()" for name in _STORE_CALLS) + r")[ \t]*"
                     + r"[ \t]*,[ \t]*".join(f"(?:\"(?P<a{i}>[^\"\\r\\n]{{1,256}})\"|'(?P<b{i}>[^'\\r\\n]{{1,256}})')"
                                             for i in (1, 2)) + r"(?:[ \t]*,[ \t]*(?:\"(?P<a3>[^\"\r\n]{1,256})\""
                     r"|'(?P<b3>[^'\r\n]{1,256})'))?[ \t]*[,)]",
                     r"\(", extract=extract_stored, remember=True, before="[ytgvedf]",
                     examples=(('props.setProperty("mail.smtp.password", "Pr0psSmtp");', "Pr0psSmtp"),
                               ("config.set('database', 'password', 'C0nfParserPw')", "C0nfParserPw"),
                               ("set('db_backup_password', 'Dpl0yer-Pw4');", "Dpl0yer-Pw4"),
                               ("Configure::write('Security.salt', 'DYhG93b0qyJfIxfs2guVoUubWwvniR2G0FgaC9mi');",
                                "DYhG93b0qyJfIxfs2guVoUubWwvniR2G0FgaC9mi"),
                               ('System.setProperty("javax.net.ssl.trustStorePassword", "Tru5tPw9");', "Tru5tPw9"),
                               ('config.put("api_key", "Hq2Lm9Vx4Zp8Tn3Yb6");', "Hq2Lm9Vx4Zp8Tn3Yb6"),
                               ('os.Setenv("DB_PASSWORD", "G0EnvPw9")', "G0EnvPw9"),
                               ('[Environment]::SetEnvironmentVariable("API_TOKEN", "Hq2Lm9Vx4Zp8Tn3Yb6", "User")',
                                "Hq2Lm9Vx4Zp8Tn3Yb6"),
                               ('user_pref("extensions.deepl.apiKey", "dk7vRk2pLm9ZtW4y");', "dk7vRk2pLm9ZtW4y"),
                               ("form.append('secret', '0x4AAAAAAAHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw');",
                                "0x4AAAAAAAHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw")),
                     negatives=('props.setProperty("mail.smtp.host", "smtp.example.com");',
                                'System.setProperty("user.name", "admin");', 'props.setProperty("password.min", "8");',
                                'map.put("password", password);', 'props.put("password", "${PW}");',
                                'labels.put("password", "Password");', "config.set('db', 'password', '')",
                                "set('deploy_path', '~/shop');", "offset('password', 'Dpl0yer-Pw4')",
                                'user_pref("signon.rememberSignons", "false");',
                                'user_pref("services.sync.username", "alice-example");',
                                "form.append('response', token);",
                                "params.append('grant_type', 'client_credentials')")),)
    after_key = f"(?:(?<=[\\w\"'\\]]{sep})|(?<=[\\w\"'\\]][ \\t]{sep}))"
    keyword, block, generic = _EXAMPLES[sep]
    # The opener as an alternation with an empty last branch, like the arrows: the block rule's guard tries it at
    # every `:` of a log that a blank or a quote follows.
    opened = r"[ \t]*+(?:\{|'''|" + '"""|' + (r"[|>][+-]?[1-9]?" if sep == ":" else r"<<-?[A-Za-z_]\w{0,20}") \
        + r"|)[ \t]*+"

    return (
        Rule("secret", sep + _lookbehind(sep) + keyword_arrow
             + r"(?:[ \t]*!!\w+)?(?:[ \t]*&[\w-]+(?=[ \t]+[^\s=]))?"  # a YAML tag, a YAML anchor (`&pw`)
             + KEYWORD_VALUE,
             sep, extract=extract_keyword, remember=True,
             before=_KEYWORD_BEFORE[:-1] + "?+!0-9\\]}]" if sep == "=" else _KEYWORD_BEFORE,
             examples=keyword[0], negatives=keyword[1]),
        *((Rule("secret", ":" + _lookbehind(":", numbered_only=True) + "=" + _VALUE, ":", extract=extract_keyword,
                remember=True, before="[0-9 \t]", after="=",
                examples=(('static_password01 := "G0Numb3red"', "G0Numb3red"),),
                negatives=('retries01 := "three"',)),) if sep == ":" else ()),
        *((Rule("secret", "=(?<=[ \t][ \t]=)" + arrow + _VALUE, "=", extract=extract_aligned, remember=True,
                before="[ \t]",
                examples=(('db_password     = "Tf9ecretPw1"', "Tf9ecretPw1"),
                          ("DB_PASSWORD\t\t= Al1gnedPw42", "Al1gnedPw42"),
                          (':password     => "RubyH4shPw",', "RubyH4shPw"),
                          ("Secret ID    = 9184ec35-65d4-9258-61e3-0c066d0a45c5",
                           "9184ec35-65d4-9258-61e3-0c066d0a45c5")),
                negatives=("retries     = 3", 'password_min_length   = 12', "x  = y",
                           "Accessor ID  = 5b7fd453-d3f7-6814-81dc-fcfe6daedea5")),) if sep == "=" else ()),
        # The same with `:` (PowerShell's `Format-List`: `Password       : value`).
        *((Rule("secret", ":(?<=[ \t][ \t]:)" + _VALUE, ":", extract=extract_aligned, remember=True, before="[ \t]",
                examples=(("UserName       : svc-backup\nPassword       : Bk2#vQ9mLx7Tz\nDomain         : CORP",
                           "Bk2#vQ9mLx7Tz"),),
                negatives=("UserName       : svc-backup", "PasswordLastSet     : 5/10/2024 9:15:32 AM",
                           "SecurePassword : System.Security.SecureString")),) if sep == ":" else ()),
        # The value on indented lines below its key; or in a JSON object opened after the key (an ARM parameters file's
        # `"adminPassword": {` / `"value": "…"`); or after a multi-line string's opener: a YAML block scalar's `|`/`>`,
        # an HCL heredoc's `<<EOT`, Hjson's and TOML's triple quotes.
        Rule("secret", sep + opened + r"(?=\r?\n[ \t]+[^\s#;])", sep, extract=extract_block, remember=True,
             after=COLON_VALUE_GUARD if sep == ":" else opened + r"\r?\n[ \t]+[^\s#;]",
             examples=block[0], negatives=block[1]),
        Rule("secret", sep + r"(?=" + arrow + r"[ \t]*\\?[\"']?[A-Za-z0-9+/_\-]{20})" + after_key + arrow
             + r"[ \t]*\\?[\"']?(?P<v>[A-Za-z0-9+/_\-]{20,}={0,2})(?![A-Za-z0-9+/=_\-.])",
             sep, extract=extract_generic, remember=True,
             # (possessive: what its optional parts could give back, the value's class cannot take; the arrows as the
             # run of their characters, a test that needs no alternation at every separator)
             after=COLON_VALUE_GUARD if sep == ":" else r"[>=]{0,2}+[ \t]*+\\?+[\"']?+[A-Za-z0-9+/_\-]{20}",
             examples=generic[0], negatives=generic[1]),
    )

# Key names for a password or a key in other languages: German, French, Spanish, Portuguese, Italian, Dutch,
# Polish, Turkish, Russian, Chinese, Japanese, Korean. Each spelling is a literal its rule needs; a lower-case word's
# first letter goes into a lookbehind (`asswort` after `[pP]`), so one rule takes `passwort` and `Passwort`; words
# whose tail is an English word or common in logs (`chave`: `have`, `clave`: `slave`, `mdp`: `udp`) keep it whole.
# German and Dutch compound their nouns (`Datenbankkennwort`, `WLAN-Netzwerkschlüssel`): a letter may precede those.
# Korean `암호` (cipher, code, password) is left out: documentation glossaries pair it with other words for password.
_LOCAL_PASSWORD_WORDS = ("passwort", "kennwort", "wachtwoord", "mot_de_passe", "motdepasse", "motDePasse", "mdp",
                         "contraseña", "contrasena", "senha", "hasło", "haslo", "şifre", "sifre", "parola", "пароль",
                         "密码", "密碼", "口令", "パスワード", "暗号鍵", "暗号化キー", "비밀번호")
_LOCAL_KEY_WORDS = ("schlüssel", "schluessel", "clé", "cle", "clave", "chave", "chiave", "sleutel", "ключ", "密钥",
                    "密鑰")
_COMPOUNDING = frozenset({"passwort", "kennwort", "wachtwoord", "schlüssel", "schluessel"})
_WHOLE = frozenset({"mdp", "clé", "cle", "clave", "chave"})
# After the word (not inside a longer one: `clear-text`): a qualifier (`_BDD`, `.api`, `-admin`), the key's closing
# quote or bracket, a separator (a CJK page's full-width colon U+FF1A too) and the value; an XML element's text; a
# Wi-Fi key printed in groups of four digits (FRITZ!Box's `WLAN-Netzwerkschlüssel: 4711 8826 …`).
_LOCAL_VALUE = (r"(?P<q>(?:[_.\-][A-Za-z0-9]{1,24}){0,3})(?:>(?P<v8>[^<>\s]{1,512})</"
                r"|[\"']?\]?[ \t]*(?:=>?|:(?![:/])|\uff1a)[ \t]*(?:(?P<v9>\d{4}(?: \d{4}){3,7})(?=[ \t]*(?:\r?\n|\Z))|"
                + KEYWORD_VALUE + "))")
_LOCAL_GROUPS = ("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9")


def _local_spellings(words: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(literal, pattern, the word as spelled) of localized key words: lower-case and capitalised, and upper-case.
    Words that differ only in their first letter (`sifre`, `şifre`) share one rule."""
    spellings: list[tuple[str, str, str]] = []
    firsts: dict[str, str] = {}
    for word in words:
        letter = "" if word in _COMPOUNDING else "(?<![^\\W\\d_]{})"
        if word.upper() == word:  # no case (CJK)
            spellings.append((word, word, word))
            continue
        upper = word.upper()
        spellings.append((upper, upper + letter.format(upper), upper))
        if word in _WHOLE:
            spellings += [(w, w + letter.format(w), w) for w in (word, word.capitalize())]
        else:
            firsts[word[1:]] = firsts.get(word[1:], "") + word[0] + word[0].upper()
    for tail, first in firsts.items():
        letter = "" if first[0] + tail in _COMPOUNDING else f"(?<![^\\W\\d_][{first}]{tail})"
        spellings.append((tail, f"{tail}(?<=[{first}]{tail})" + letter, first[0] + tail))
    return spellings


def local_password_spellings() -> list[tuple[str, str, str]]:
    """(literal, pattern, the word as spelled) of each spelling of a password word in another language, as the
    localized rules start."""
    return _local_spellings(_LOCAL_PASSWORD_WORDS)


# A name holding a password word of another language (`Passwort`, `contraseña`, `Datenbankkennwort`, `用户密码`).
_LOCAL_PASSWORD_NAME = re.compile("(?i)" + "|".join(
    ("" if word in _COMPOUNDING or word.upper() == word else r"(?<![^\W\d_])") + re.escape(word)
    + ("" if word.upper() == word else r"(?![^\W\d_])") for word in _LOCAL_PASSWORD_WORDS))


def names_local_password(name: str) -> bool:
    """Whether a column or key name holds a password word of another language."""
    return _LOCAL_PASSWORD_NAME.search(name) is not None


def extract_localized(rule: Rule, hit: Hit) -> list[Finding]:
    """The value under a localized key name, judged as a value under an English one (a key word is weak: only a
    random-looking value); an unquoted value followed by more words on its line is prose (`Passwort: mindestens 8
    Zeichen`)."""
    name, (start, end) = next((n, span) for n in _LOCAL_GROUPS if (span := hit.span(n)))
    if name == "v9":
        return [(start, end, rule.label)]
    q_start, q_end = hit.span("q") or (hit.match.start(), hit.match.start())
    qualifier = key_words(hit.text[q_start:q_end])
    if qualifier[-1:] and (qualifier[-1] in EXCLUDED_LAST_WORDS or EXCLUDED_WORDS.intersection(qualifier)):
        return []  # `passwort_hint`, `senha_hash`: about the password, not the password
    value, quoted = hit.text[start:end], name not in ("v3", "v8")
    line_end = hit.text.find("\n", end)
    rest = hit.text[end : None if line_end < 0 else line_end].strip()
    if name == "v3" and rest and rest[0] not in "#;,":
        return []
    key = hit.text[hit.match.start() : q_end]
    strength = "strong" if rule.label == "password" else "weak"
    if strength == "weak" and "@" in value:
        return []  # an address under a key word: Brazil's Pix key (`CHAVE_PIX=`) is often an e-mail, public by design
    return [(start, end, rule.label)] if value_is_secret(key, value, strength, quoted) else []


def _local_examples(label: str, word: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """A rule's examples and negatives, written with its own spelling of the word."""
    if label == "password":
        return (((f"db.{word}=Lg8#vTq2Rm4x", "Lg8#vTq2Rm4x"), (f'  "{word}": "Nf5#qZw8Kt3r",', "Nf5#qZw8Kt3r"),
                 (f"admin_{word}\uff1aHz7@pLw3Kq", "Hz7@pLw3Kq"), (f"<{word}>Dv7!kQw3Zt9r</{word}>", "Dv7!kQw3Zt9r")),
                (f"{word}?", f"{word}: mindestens 8 Zeichen", f'"{word}": "${{DB_PASS}}"', f"{word}_length = 12",
                 f"<string name=\"x\">{word}</string>"))
    return (((f"api_{word}: 7f3c9a1e5b2d8f4a6c0e9b7d3a1f5c2e", "7f3c9a1e5b2d8f4a6c0e9b7d3a1f5c2e"),
             (f'"{word}": "Xk7Pq2Rw9Tz4Lm6Vn1Bs"', "Xk7Pq2Rw9Tz4Lm6Vn1Bs")),
            (f"{word}: valor", f"{word}_id = 42", f'"{word}": "primary"'))


def localized_rules() -> tuple[Rule, ...]:
    """Rules for a password or key under a key name in another language (`db.passwort=`, `"senha":`, `密码:`)."""
    from faultmaven.sanitize.rules import Rule

    spellings = {literal: (label, pattern, spelled)
                 for label, words in (("password", _LOCAL_PASSWORD_WORDS), ("secret", _LOCAL_KEY_WORDS))
                 for literal, pattern, spelled in _local_spellings(words)}
    return tuple(Rule(label, pattern + _LOCAL_VALUE, needs=literal, extract=extract_localized, remember=True,
                      examples=_local_examples(label, spelled)[0], negatives=_local_examples(label, spelled)[1])
                 for literal, (label, pattern, spelled) in spellings.items())


# Matched on the reversed text before the separator: a search for `key["']?[ \t]*\Z` would retry every start in the
# 96-character window and backtrack through each word (the costliest step on log text), a reversed match reads once.
_KEY_RUN = re.compile(r"[A-Za-z0-9_.\-]{1,80}")
# The text before a key that ends a path: one that starts with `/` (after a blank, a quote or the line's start), or
# two slashes with nothing else in the window before them (a long path, cut by the window).
_PATH_HEAD = re.compile(r"""(?:(?:^|[\s"'(=,])/[^\s"']*|^[^\s"']*/[^\s"']*/[^\s"']*)\Z""")
# TIBCO BusinessWorks' module properties are paths too, but name a key: `//OrdersApp//EMS/password=...`.
_SUBSTVAR_PATH = re.compile(r"(?:^|\n)//[\w.-]{1,80}//(?:[\w.-]{1,80}/)*\Z")
_PARENT_ELEMENT = re.compile(r"""\[["']([A-Za-z0-9_.\-]{1,40})["']\]\[["']\Z""")
# Not a value of the assignment before (MikroTik's `authentication-protocol=SHA1 encryption-password=…`).
_PREVIOUS_WORD = re.compile(r"(?<![A-Za-z0-9=])([A-Za-z0-9]{2,12}) \Z")
_WORDS = re.compile(r"[A-Z]+\d*(?![a-z])|[A-Z]?[a-z]+\d*|\d+")
_PATHLIKE = re.compile(r"[~/.]{0,2}/[\w./-]*|[A-Za-z]:\\.*")
# `module.attr:func`, `settings.SECRET_KEY`: code that names a secret instead of holding one.
_REFERENCE = re.compile(r"[A-Za-z_][\w-]*(?:[.:][A-Za-z_][\w-]*)+(?:\(\)?)?")
_CONTINUATION = re.compile(r"(?:\r?\n)([ \t]+)([^\r\n]*)")
# Only these parents own their indented lines; a `credentials:` map holds ordinary keys too.
_BLOCK_WORDS = PASSWORD_WORDS | {"secret", "secrets", "token"}
# Under such a parent, the sub-keys that hold its value (Travis `secure:`, a CloudFormation parameter's `Default:`);
# other sub-keys (`Description:`, `Type:`) describe it, and a plural `secrets:` map holds named entries.
_BLOCK_VALUE_KEYS = frozenset({"secure", "value", "default", "plaintext"})
# A sub-key may be a few words (`cmctl status certificate`'s `Secret:` report: `Issuer Common Name: R11`).
_SUBKEY = re.compile(r"""(?:-[ \t]+)?([\w.\-"']+(?: [\w.\-"']+){0,3})[ \t]*[:=][ \t]*""")
# A list item under a plural `secrets:` that is a name (lower-case words joined by `_`, `-` or `.`): Compose's
# service-level `secrets:` list (mounted under /run/secrets/NAME), Drone's and Woodpecker's `secrets:` lists name
# secrets kept elsewhere.
_SECRET_NAME_ITEM = re.compile(r"-[ \t]+[\"']?([a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+)[\"']?")


def key_before(text: str, sep: int) -> str:
    """The key name left of a separator: `key`, `"key" `, `key]` (at most 80 characters, within 96 of `sep`)."""
    head = text[max(0, sep - 96) : sep].rstrip(" \t")
    if head[-1:] in ("?", "+", "!") and text[sep] == "=":  # make's `KEY ?= value`, `KEY += value`; `key != "..."`
        head = head[:-1].rstrip(" \t")
    if head[-1:] in ("]", "}") and head[-2:-1] in ('"', "'"):  # a PHP or Perl element: `$db['password'] = ...`
        head = head[:-1]
    if head[-1:] in ('"', "'", "]", "}"):
        head = head[:-1].removesuffix("\\")  # `\"key\":` in JSON inside a JSON string
    found = _KEY_RUN.match(head[::-1])
    if not found:
        return ""
    path_end = len(head) - found.end()
    if head[path_end - 1 : path_end] == "/" and _PATH_HEAD.search(head, 0, path_end) \
            and not _SUBSTVAR_PATH.search(head, 0, path_end):
        return ""  # a path or a route (`put '/forgot-password' => ...`, `"/docs/creating-a-password"`), not a key
    key = found.group()[::-1].removeprefix("-D")  # a Java system property: `-Dsonar.login=...`
    end = len(head) - len(key)
    # A nested PHP array element names its parent too: `$config['snmp']['community']` is `snmp.community`.
    # (Its match ends with `['` or `["` right before the key: tested first, where the search tried the window's `[`s.)
    if head.endswith(("['", '["'), 0, end) and (parent := _PARENT_ELEMENT.search(head, 0, end)) is not None:
        return f"{parent.group(1)}.{key}"
    # `public key: ...`, `SHA256 fingerprint: ...`: a qualifier written as a separate word still describes the key.
    # Its match ends at the key and is at most 13 characters long: no search from each of the window's characters, and
    # none at all unless a blank comes right before the key (most keys: `Executor:`, `user=`).
    qualifier = _PREVIOUS_WORD.search(head, max(0, end - 13), end) if head[end - 1 : end] == " " else None
    if qualifier and (qualifier.group(1).lower() in EXCLUDED_WORDS
                      or (qualifier.group(1).lower() == "integration" and key.lower() == "key")):
        return f"{qualifier.group(1)}_{key}"  # `Integration Key: <GUID>`: DocuSign's Apps and Keys page, a client id
    return key


@lru_cache(maxsize=4096)  # log lines repeat their keys
def key_words(key: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORDS.findall(key))


def classify_key(key: str) -> tuple[str, str] | None:
    """(strength, label) for a key that names a secret: strength "strong", "weak" or "hash" (a password's stored hash);
    None when it names none."""
    return classify_words(key_words(key))


@lru_cache(maxsize=4096)
def classify_words(words: tuple[str, ...]) -> tuple[str, str] | None:
    """`classify_key` on the key's lower-cased words."""
    # `password_hash`, `hashed_password`, `password_sha256_hex` hold a password's stored hash, which can be cracked
    # offline: a digest-shaped value goes (strength "hash"). `hashed_secret`, `public_key` describe a secret; a salt for
    # hashing (`hash_salt`, Drupal's) is one.
    if words and words[-1] not in EXCLUDED_LAST_WORDS and _names_password_hash(words):
        return "hash", "password_hash"
    # Key material named for what it encrypts with (WHMCS's `cc_encryption_hash`, CakePHP's `cipherSeed`).
    if len(words) > 1 and words[-1] in ("hash", "seed") and words[-2] in ("encryption", "cipher"):
        return "strong", "secret"
    if any(_run_together_key(w) for w in words):  # `accesskey`, `PAGERDUTY_ROUTINGKEY`: `<qualifier>_key` run together
        return classify_words(tuple(chain.from_iterable(_run_together_key(w) or (w,) for w in words)))
    if not words or (EXCLUDED_WORDS.intersection(words) and words[-1] != "salt") or words[-1] in EXCLUDED_LAST_WORDS \
            or words[-3:] in _NOT_SECRET_TAILS or words[-2:] in _NOT_SECRET_TAILS or _names_public_key(words) \
            or words[:2] in _CREDENTIAL_SOURCES:  # nonces and names; public halves; where a credential is read from
        return None
    # `PGPASSWORD`, `DBPASS`, `rootpw`: one upper-case or lower-case word that ends with a password word;
    # `static_password01`: a numbered one.
    spelled = words  # before numbers are cut off: `fr24` in `FR24KEY` is a qualifier, `fr` would not be
    words = [_compound(w.rstrip("0123456789") or w) for w in words]
    joined = {a + b for a, b in pairwise(words)}
    label = "password" if PASSWORD_WORDS.intersection(words) or "password" in joined else "secret"
    if label == "secret" and "aws" in words and "secret" in words:
        label = "aws_secret_key"
    elif label == "secret" and "token" in words:
        label = "token"
    if PASSWORD_WORDS.intersection(words) or STRONG_WORDS.intersection(words) or "password" in joined:
        return "strong", label
    if any(w == "key" and i and (words[i - 1] in KEY_QUALIFIERS or spelled[i - 1] in KEY_QUALIFIERS)
           for i, w in enumerate(words)):
        return "strong", label
    if tuple(words[-2:]) in SECRET_KEY_TAILS or tuple(words[-3:]) in SECRET_KEY_TAILS:
        return "strong", label
    if words[-1] in WEAK_LAST_WORDS:
        return "weak", label
    return None


# RFC 6455's `Sec-WebSocket-Key` (a nonce); ONVIF's `ProfileToken` (a media profile's name, `profile_1_h264`).
_NOT_SECRET_TAILS = frozenset({("web", "socket", "key"), ("profile", "token")})
# systemd's `LoadCredential[Encrypted]=NAME:PATH` and `ImportCredential=GLOB` name a credential and where it is read
# from; only `SetCredential=NAME:VALUE` holds one inline.
_CREDENTIAL_SOURCES = frozenset({("load", "credential"), ("import", "credential")})


# The Pusher protocol's app key, which browsers are given, beside its `_APP_SECRET`: Pusher's own, Laravel Reverb's
# (`REVERB_APP_KEY`, `VITE_REVERB_APP_KEY`) and soketi's (`SOKETI_DEFAULT_APP_KEY`).
_PUBLIC_KEY_TAILS = frozenset({("pusher", "app", "key"), ("reverb", "app", "key"), ("sonar", "project", "key")})


# A CAPTCHA's site key; a Web Push application server's public key, which browsers are given: Mastodon's `vapid_key` in
# its apps API replies, Firebase Cloud Messaging's `getToken(messaging, {vapidKey: "B…"})` (`VAPID_PRIVATE_KEY` stays).
_PUBLIC_KEY_PAIRS = frozenset({("site", "key"), ("vapid", "key")})


def _names_public_key(words: tuple[str, ...]) -> bool:
    """A key named for the public half of a pair, sent to browsers by design: a CAPTCHA's site key (reCAPTCHA,
    hCaptcha, Turnstile: `RECAPTCHA_SITE_KEY`), a Web Push VAPID key (`vapid_key`, `vapidKey`), Pusher's app key
    (`PUSHER_APP_KEY` beside `PUSHER_APP_SECRET`),
    python-social-auth's `SOCIAL_AUTH_<BACKEND>_KEY` (the OAuth client id beside `_SECRET`; not `_PRIVATE_KEY`);
    SonarQube's `sonar.projectKey`, the project's public identifier beside its `sonar.token`; and VTEX's AppKey
    (`X-VTEX-API-AppKey`, `VTEX_APP_KEY`: `vtexappkey-<account>-<id>`, the id beside the `AppToken` secret). Not
    CiviCRM's `CIVICRM_SITE_KEY`, a shared secret of its REST and cron endpoints."""
    return (words[-2:] in _PUBLIC_KEY_PAIRS and "civicrm" not in words) or words[-3:] in _PUBLIC_KEY_TAILS or (
        words[:1] == ("soketi",) and words[-2:] == ("app", "key")) or (
        words[:2] == ("social", "auth") and words[-1] == "key" and words[-2] not in KEY_QUALIFIERS) or (
        words[-2:] == ("app", "key") and "vtex" in words)


def _names_password_hash(words: tuple[str, ...]) -> bool:
    """A password word and a digest word, apart (`password_sha256_hex`, `hashed_password`) or run together (`passhash`,
    `pwhash`, `passwordmd5`), and nothing else that describes the secret (`public`, `fingerprint`)."""
    if PASSWORD_WORDS.intersection(words) and HASH_WORDS.intersection(words):
        return not (EXCLUDED_WORDS - HASH_WORDS).intersection(words)
    return any(word.endswith(h) and word[: -len(h)] in PASSWORD_WORDS for word in words for h in HASH_WORDS)


def _names_secret_section(name: str) -> bool:
    words = key_words(name)
    return bool(words) and (words[-1] in KEY_QUALIFIERS or classify_words(words) is not None)


# Qualifiers of `<word>_key` that are also written run together with `key` (`MASTERKEY`, ZITADEL's key for its
# stored secrets; `encryptionkey`,
# falcosidekick's `PAGERDUTY_ROUTINGKEY`: the PagerDuty Events API v2 routing key that Alertmanager calls
# `routing_key`; YOURLS' `YOURLS_COOKIEKEY`, which signs its login cookies, weak like `cookie_key`). Not `accesskey`
# (MinIO's and Kubeflow's `accesskey` is the key's id beside `secretkey`) nor `clientkey` (a client-side key, Parse's
# beside its `masterKey`).
_RUN_TOGETHER_QUALIFIERS = (KEY_QUALIFIERS - {"access", "client"}) | {"routing", "cookie"}


def _run_together_key(word: str) -> tuple[str, str] | None:
    """`routingkey` -> (`routing`, `key`), for the qualifiers above; None for other words (`monkey`, `apikey`)."""
    if len(word) > 3 and word.endswith("key") and word not in STRONG_WORDS \
            and word[:-3] in _RUN_TOGETHER_QUALIFIERS:
        return word[:-3], "key"
    return None


def _compound(word: str) -> str:
    if word in PASSWORD_WORDS or word in _NOT_COMPOUND or len(word) > 24:
        return word
    return next((tail for tail in _COMPOUND_TAILS if word.endswith(tail) and len(word) > len(tail)), word)


_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_FORMAT_FIELD = re.compile(r"\{\d*\}")
# A PowerShell cmdlet (`$pw = ConvertTo-SecureString ...`): its arguments hold the value, if any.
# PowerShell's names are case-insensitive (`new-object` as often as `New-Object`).
_CMDLET = re.compile(r"(?i:ConvertTo|ConvertFrom|Get|Read|New|Invoke|Add)-[A-Za-z][A-Za-z]+")  # Veeam's Add-VBR…Key


_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_FILLER_SUFFIX = re.compile(r"(?:goes)?here$|value$")


def names_its_key(key: str, value: str) -> bool:
    """`access_token=ACCESS_TOKEN`, `X_KeyMeshing = "id-X-KeyMeshing"`, `"client_secret": "client_secret_value"`: a
    value that spells its own key (a filler word after it allowed) is a constant's name or a template, not a secret; so
    is a constant's name that names a secret (`webhookApiSecret: ZENDESK_WEBHOOK_API_SECRET`, `api_secret: AUTH_TOKEN`).
    """
    flat = _FILLER_SUFFIX.sub("", _NOT_ALNUM.sub("", value.lower()))
    if len(flat) >= 4 and flat in _NOT_ALNUM.sub("", key.lower()):
        return True
    return _CONSTANT.fullmatch(value) is not None and classify_key(value) is not None


_CALL_START = re.compile(r"[A-Za-z_][\w.:]*\(")
# A file or a key path, not a value: `/opt/app/gcs-creds.json`, `service/pg-ha-cluster/leader`, `/etc/ssl/private/key`
# (an absolute path ending in a file name, or lower-case segments; base64 has upper case and seldom an extension).
# An extension may hold digits after its first letter: APNs' `AuthKey_<KeyID>.p8` under node-apn's `key:`, `.p12`.
# Not a version and a hex secret: a Transifex API token is `1/<40 hex>`.
# A Vault path may end in its field: Ansible's hashi_vault lookup `secret=secret/data/smtp:password`.
_PATH_VALUE = re.compile(r"(?:~|\.{1,2}|%[\w.]+%)?/[\w.-]+(?:/[\w.-]+)+\.[A-Za-z][A-Za-z0-9]{1,4}"
                         r"|(?!\d{1,3}/[0-9a-f]{32,}\Z)(?:~|\.{1,2})?/?[a-z0-9._-]+(?:/[a-z0-9._-]+)+/?(?::[a-z_][\w-]*)?"
                         # a file named in camel-case words in lower-case directories: ArangoDB's
                         # `--auth.jwt-secret=/etc/arangodb/jwtSecret`
                         r"|/[a-z0-9._-]+(?:/[a-z0-9._-]+)*/[a-z]+(?:[A-Z][a-z]+)+")
# A Kubernetes object or label name (`elasticsearch-cdm-u1gqqbu6-2-868ddd4b45-w224d`, `kubernetes.io/arch`): lower-case
# segments after a word of five letters or more; under a weak key such as `key` or `pod` it names something.
_K8S_NAME = re.compile(r"[a-z]{5}[a-z0-9]*+(?:[.-][a-z0-9]++)+(?:/[a-z0-9._-]++)?")
# An absolute DNS name (trailing dot): how BIND and Knot name a TSIG key (`key: transfer.example.com.` in a Knot
# `remote:` or `acl:`); the key's secret is under `secret:`.
_ABSOLUTE_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.){2,}")
# A Kubernetes Secret's name given where a label says "Secret" (Longhorn's `Backup Target Credential Secret:
# minio-secret`): lower-case words ending in `-secret` or `-credentials` name the object, not its content.
# So are names ending in `-key`/`-token` under a key ending in `Secret` (sysdig-deploy's `accessKeySecret:
# sysdig-agent-access-key`, `secureAPITokenSecret: sysdig-secure-api-token`): the Secret that holds the key.
_SECRET_OBJECT_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-(?:secret|credentials)")
_SECRET_HOLDER_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:key|token)")
# A camel-case `secretKey` naming the entry inside a Kubernetes Secret (helm values beside `secretRef`/`existingSecret`:
# `secretKey: system_client_secret`): lower-case words joined by `-` or `_`, no digits; MinIO's chart puts the
# credential itself under `secretKey`, random-looking.
_SECRET_ENTRY_NAME = re.compile(r"[a-z]{2,20}(?:[-_][a-z]{2,20}){1,5}")
# Code, not a value: between two string literals, the rest of an expression (`"Password: " + getPassword() + "`,
# `'password = '.$p['pw']`, `"Password:",nextLabel:"`); an escaped or spliced variable (`\$_POST[...]`,
# `"'$DB_PASSWORD'"`, `$BASE_URL/forgot`); a C cast (`(char *) p`); a call (`os.urandom(16)`, `System.getenv("X")`).
_BETWEEN_LITERALS = re.compile(r"\s*(?:[,+&;]|\.[ \t]*[$A-Za-z_(])")
# ...unless it is one word that only starts with one of these signs, not ending in the next literal's operator: a
# password (`"+YOM4QItU3bN1WC"`: letters, digits and punctuation other than code's, both letters and digits) or a
# generated key or salt of 16+ random characters (WordPress's and Open Web Analytics' salts draw from punctuation:
# `define('OWA_NONCE_SALT', '+wKWN-+De>…');`).
_PUNCTUATION_LED = re.compile(r"[,+&;][\w!#%^*@~+/-]{6,254}")
_NEXT_OPERATOR = frozenset("+,&;.([{=")


def _between_literals(value: str) -> bool:
    if _BETWEEN_LITERALS.match(value) is None:
        return False
    if value[-1] in _NEXT_OPERATOR or any(c.isspace() for c in value):
        return True
    password = _PUNCTUATION_LED.fullmatch(value) is not None and _MIXED.search(value) is not None
    return not (password or (len(value) >= 16 and looks_random(value)))


# Argo CD's `$dex.github.clientSecret` and `$<secret-name>:<key>` name a key of a Secret, Jsonnet's
# `$.secrets.smtpPassword` a field of the root object; Terragrunt's
# `${path_relative_to_include()}` is a function call; `${env:OTLP_TOKEN}` is the OpenTelemetry Collector's; a shell's
# `${NAME:?message}` fails with the message when NAME is unset; Perl's `$ENV{'DB_PASS'}` is a hash element.
_VARIABLE_REFERENCE = re.compile(r"""['"]?\\?\$\{?(?:env:|\.)?[A-Za-z_]\w*(?:[.:][A-Za-z_]\w*|-[a-z][a-z0-9]*)*"""
                                 r"""(?::\?[^}\r\n]*)?(?:\(\))?\}?(?:['"]|[/\[\\{].*)?""")
# Grafana provisioning's expansions (`$__file{/run/secrets/pw}`, `$__env{PW}`, `$__vault{...}`): read at start-up; the
# value stops before the `}`. A scheme (`Bearer`, Dynatrace's `Api-Token`, Splunk HEC's `Splunk`, Opsgenie's `GenieKey`)
# before a reference (`Bearer ${env:OTLP_TOKEN}`) or a template (Artillery's
# `Bearer {{ $processEnvironment.API_TOKEN }}`) holds no credential either.
_EXPANSION = re.compile(r"\$__(?:file|env|vault)\{[^}\s]*\}?")
# A value cut short inside a reference or a template, where the value's pattern stopped at a `}` or a quote: a
# Serverless variable nested in another (`${ssm:/app/${sls:stage}/token}`), a consul-template or Jinja action
# (`"{{ with secret "db/creds/app" }}…"`, Nomad's `template` stanza).
_OPEN_REFERENCE = re.compile(r"\$\{[^}\s]*\$\{|\{\{")
_SCHEMED = re.compile(r"(?i:bearer|basic|token|apikey|api-token|splunk|geniekey)[ \t]+(\S.*)")
# Keys whose value names a secret stored elsewhere: Drone's and Woodpecker's `from_secret: docker_password`,
# TeamCity's `credentialsJSON:<uuid>` token.
_REFERENCE_KEYS = frozenset({"from_secret", "credentialsJSON"})
_CAST = re.compile(r"\([A-Za-z_][\w ]*\**")
# The keywords an expression in code starts with (`Credentials = new NetworkCredential(…)`, `token = await getToken()`,
# `key = lambda: …`): the value is the expression after them, not the word.
_EXPRESSION_KEYWORDS = frozenset({"new", "await", "yield", "typeof", "lambda"})


# A Windows security identifier (`S-1-5-21-…-512`, Samba's `DOMAIN SID:`, `wbinfo -n`): a public name of a domain,
# user or group, not a session id. A password-hashing scheme's name alone (pam_ldap's `pam_password md5|crypt|exop`,
# a `password_scheme = ssha`) says how passwords are stored, not one of them.
_WINDOWS_SID = re.compile(r"S-1-\d{1,2}(?:-\d{1,10}){1,15}")
_PASSWORD_SCHEME = re.compile(r"(?i)(?:s?md5|s?sha(?:1|256|384|512)?|crypt|bcrypt|argon2(?:id|i)?|pbkdf2"
                              r"|clear(?:_remove_old)?|exop(?:_send_old)?|scram-sha-256)")


# R's `$` member access (`cfg$pwd`, `creds$token`): the value names a list element, not a literal.
# Letters only, so a password with a `$` in it (`F0rm$Pw11`) is not taken for one.
_R_MEMBER = re.compile(r"[A-Za-z.][A-Za-z_.]{0,63}\$([a-z_]{1,64})")


def value_is_secret(key: str, value: str, strength: str, quoted: bool) -> bool:
    if quoted and _between_literals(value):
        return False
    value = value.strip()
    if key in _REFERENCE_KEYS or _ENVELOPE_HEAD.match(value):
        return False  # a reference; an encrypted value's envelope, whose ciphertext the format rules take
    if _WINDOWS_SID.fullmatch(value) or (not quoted and _PASSWORD_SCHEME.fullmatch(value)):
        return False
    if not value or is_placeholder_value(value) or "://" in value or _references_only(value) \
            or _is_reference(value, strength == "strong" and (quoted or "-" in value)) or names_its_key(key, value) \
            or _BROWSER_KEY.fullmatch(value) or _SSH_PUBLIC_KEY.match(value) or _clerk_publishable_key(value):
        return False
    if not quoted and (member := _R_MEMBER.fullmatch(value)) and classify_key(member.group(1)) is not None:
        return False
    if (not quoted and (value[-1] in "([" or _CALL_START.match(value) or _CMDLET.fullmatch(value)
                        or _CAST.fullmatch(value) or value.rstrip(":") in _EXPRESSION_KEYWORDS)) \
            or _FORMAT_FIELD.search(value) or _PATH_VALUE.fullmatch(value) or _VARIABLE_REFERENCE.fullmatch(value) \
            or _EXPANSION.fullmatch(value) or _OPEN_REFERENCE.match(value) or _NULL_POINTER.fullmatch(value) \
            or ((schemed := _SCHEMED.fullmatch(value)) and (_VARIABLE_REFERENCE.fullmatch(schemed.group(1))
                                                            or is_placeholder_value(schemed.group(1)))):
        return False  # code (a call, an index, a cmdlet, a cast), a format string, a path, a variable, a template
    if strength == "hash":
        return token_like(value)
    if strength == "weak":
        if _K8S_NAME.fullmatch(value) or _ABSOLUTE_NAME.fullmatch(value):
            return False
        if is_uuid(value) and key_words(key)[-2:] == ("integration", "key"):
            return False  # DocuSign's integration key is its OAuth client id, a GUID (`DS_INTEGRATION_KEY`)
        return looks_random(value) or (len(value) >= 16 and shannon_entropy(value) >= 3.5 and not value.isalpha())
    words = key_words(key)
    if "pwd" in words and _PATHLIKE.fullmatch(value):  # PWD=/home/app is the working directory
        return False
    if words[-1:] == ("secret",) and (_SECRET_OBJECT_NAME.fullmatch(value)
                                      or (len(words) > 1 and _SECRET_HOLDER_NAME.fullmatch(value))):
        return False
    if key.endswith("secretKey") and _SECRET_ENTRY_NAME.fullmatch(value):
        return False  # a helm chart's `secretRef:` + `secretKey: mysql-root-password`: the entry's name in a Secret
    if words[-1:] == ("community",) and value in _DEFAULT_COMMUNITIES:
        return False
    if words[-2:] == ("client", "key") and (_ADYEN_CLIENT_KEY.fullmatch(value) or key.endswith("clientKey")):
        return False
    if "token" in words and len(value) < 8:
        return False
    if quoted and len(value.split()) >= 4 and not _APP_PASSWORD.fullmatch(value) and words[-1:] != ("passphrase",):
        return False  # prose such as an error message; a passphrase is words by design (`PASSPHRASE="w1 w2 w3 w4"`)
    return len(value) >= 3


# SNMP's factory-default community strings (airOS `snmp.community=public`): known to everyone, not a secret.
_DEFAULT_COMMUNITIES = frozenset({"public", "private"})
# Adyen's client key (`ADYEN_CLIENT_KEY`, Drop-in's `clientKey`): the public half of its API credential, run in the
# browser; the API key beside it is `AQE…` (a provider token). A camel-case `clientKey` is the SDK option of such
# client-side keys whatever their shape (Adyen's Drop-in, Parse's `clientKey` beside its secret `masterKey`).
_ADYEN_CLIENT_KEY = re.compile(r"(?:test|live)_[A-Z0-9]{32}")
# Keys their providers document as public, shipped in every page's JavaScript whatever key holds them: Statsig's
# client keys (`client-`; the server's are `secret-`) and PostHog's project keys (`phc_`; personal keys are `phx_`);
# PubNub's publish and subscribe keys (`pub-c-`/`sub-c-` and a UUID, in every client app; its secret key is `sec-c-`);
# Mapbox's public tokens (`pk.` + base64url JSON naming the account, `{"u":`, + `.` + a signature; its secret ones are
# `sk.`): made for map pages (Superset's `MAPBOX_API_KEY`). Also Porkbun's API keys (`pk1_` + 64 hex digits), which
# its documentation names the public half of the pair (`X-API-Key:`, `apikey`); the secret half is `sk1_`. Also Paddle's
# client-side tokens (`live_`/`test_` + 27 hex digits: `Paddle.Initialize({ token: … })`), public by design; its API
# keys are `pdl_live_apikey_…`.
_BROWSER_KEY = re.compile(r"(?:client-|phc_)[A-Za-z0-9]{32,64}|pk1_[0-9a-f]{64}|(?:live|test)_[0-9a-f]{27}"
                          r"|(?:pub|sub)-c-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
                          r"|pk\.eyJ1Ijoi[A-Za-z0-9_-]{8,300}\.[A-Za-z0-9_-]{16,64}")
def _references_only(value: str) -> bool:
    """A comma-separated list whose every item is a reference or a placeholder (Weaviate's
    `AUTHENTICATION_APIKEY_ALLOWED_KEYS: '${WEAVIATE_ADMIN_KEY},${WEAVIATE_RO_KEY}'`)."""
    return "," in value and all(map(is_placeholder_value, value.split(",")))


# Clerk's publishable keys: `pk_live_`/`pk_test_` and the base64 of its Frontend API host with a `$` after it
# (`clerk.example.com$`), given to every browser (`publishableKey=`, `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`); its secret
# keys are `sk_live_`/`sk_test_`.
_CLERK_PUBLISHABLE = re.compile(r"pk_(?:live|test)_([A-Za-z0-9+/]{12,200}={0,2})")
_CLERK_HOST = re.compile(rb"[a-z0-9-]+(?:\.[a-z0-9-]+)+\$")


def _clerk_publishable_key(value: str) -> bool:
    match = _CLERK_PUBLISHABLE.fullmatch(value)
    if match is None:
        return False
    body = match.group(1).rstrip("=")
    try:
        decoded = base64.b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return False
    return _CLERK_HOST.fullmatch(decoded) is not None


# An OpenSSH public key (`authorized_keys` line: type, base64 blob, comment), published by design under a key such as
# OpenShift install-config's `sshKey:`; URL-encoded (`%20` for the blank) in Proxmox's `qm config` `sshkeys:`.
_SSH_PUBLIC_KEY = re.compile(r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521)"
                             r"|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(?:[ \t]+|%20)AAAA[A-Za-z0-9+/]")
# Google's app passwords as its account page shows them: four groups of four lower-case letters (`MAIL_PASSWORD =
# "qwvn rtzk pmlb hsdx"`), four words to the prose test above.
_APP_PASSWORD = re.compile(r"[a-z]{4}(?: [a-z]{4}){3}")
_LINE_END = re.compile(r"[ \t]*(?:\r?\n|\Z)")
# A Java .properties value continued after a trailing backslash on the next, indented line.
_CONTINUED = re.compile(r"\r?\n[ \t]+([^\s\\]{1,512})")
# A kubeadm bootstrap token (`<6>.<16>` lower-case letters and digits): two parts, like a reference.
BOOTSTRAP_SHAPE = r"[a-z0-9]{6}\.[a-z0-9]{16}"
_BOOTSTRAP_TOKEN = re.compile(BOOTSTRAP_SHAPE)


def _is_reference(value: str, literal: bool = False) -> bool:
    """`settings.SECRET_KEY`, `module.attr:func`: code naming a secret; not `s.ZC9Ecf4M5g9o34Q6RkzGsj0z` (a legacy
    Vault token), whose parts are random, nor a kubeadm bootstrap token, nor, under a key that names a secret, a
    `literal` with letters and digits in one part (`"w1ki-Ub3r.pass"`, `DB_PASSWORD=w1ki-Ub3r.pass`: a password with a
    dot). The caller deems a value literal when quoted, or when it holds a `-`, which no code reference does;
    unquoted, `oauth2Client.token` stays code, and so does an identifier under a weak key (`key="mps.v8_flag"`)."""
    if _REFERENCE.fullmatch(value) is None:
        return False
    parts = re.split(r"[.:]", value)
    if literal and any(_MIXED.search(part) for part in parts):
        return False
    return not any(map(looks_random, parts)) \
        and not (_BOOTSTRAP_TOKEN.fullmatch(value) and any(map(str.isdigit, value)))


_MIXED = re.compile(r"[A-Za-z].*\d|\d.*[A-Za-z]")


# PHP `var_dump()` prints an object's property with its visibility: `["password":"App\\Mailer":private]=>`,
# `["token":protected]=>`; the class name is not the property's value (which is on the next line).
VAR_DUMP_VISIBILITY = r':"[^"\r\n]{1,200}":private|:protected'
_VAR_DUMP_PROPERTY = re.compile(rf"(?:{VAR_DUMP_VISIBILITY})\]=>")
# Rust's `secrecy` prints a wrapped secret as `password: SecretBox<str>([REDACTED])`: a generic type's constructor.
_GENERIC_CALL = re.compile(r"<[\w:, &']{1,80}>\(")
# A null pointer as a debugger prints it (gdb's `password = 0x0`): no value at all; another pointer is followed by
# the string it points to (`password = 0x5555555592e0 "..."`).
_NULL_POINTER = re.compile(r"0x0+")
_POINTER = re.compile(r"0x[0-9a-f]{4,16}")
_POINTED_STRING = re.compile(r'[ \t]+"([^"\r\n]{1,512})"')


# `val password: String = "..."` (Scala, Kotlin, Swift, TypeScript): a declared type, then the literal.
_TYPE_NAME = re.compile(r"(?:&(?:'[a-z]+[ \t]+)?(?:mut[ \t]+)?)?[A-Za-z_][\w.:]*(?:<[\w., ]*>|\[\])?\??")
_TYPED_LITERAL = re.compile(r"""[ \t]*=[ \t]*(?:"([^"\r\n]{1,512})"|'([^'\r\n]{1,512})')""")
# A list of literals: `["a", "b"]` (on one line or several), Go's `a, b := "x", "y"`. A literal followed by `:` is the
# next key of a map, not an item; one followed by `=>` is a PHP associative array's key, and the literal after it is
# the item (YOURLS' `$yourls_user_passwords = [ 'admin' => '…', ]`: user names to passwords).
_LIST_ITEM = re.compile(r"""\s*(?:(?:"[^"\r\n]{1,128}"|'[^'\r\n]{1,128}')[ \t]*=>[ \t]*)?"""
                        r"""(?:"([^"\r\n]{1,512})"|'([^'\r\n]{1,512})')(?![ \t]*(?::|=>))([ \t]*,)?""")


# A lower-case code identifier (`new_password`, `self.token`).
_VARIABLE = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


# The rest of an expression, then a default after `or`, `||`, `??` or `?:` (Python, JavaScript, C#, Kotlin/Groovy).
_FALLBACK = re.compile(r"""(?:"[^"\r\n]{0,128}"|'[^'\r\n]{0,128}'|[^\s"'\r\n]){0,128}?"""
                       r"""[ \t]+(?:or|\|\||\?\?|\?:)[ \t]+(?:"([^"\r\n]{1,256})"|'([^'\r\n]{1,256})')""")


def _literal_span(match: re.Match[str]) -> tuple[int, int]:
    return match.span(1) if match.group(1) is not None else match.span(2)


def _list_items(text: str, pos: int) -> list[tuple[int, int]]:
    """The spans of the literals of a list whose first item starts at or after `pos` (after its `[`)."""
    out = []
    while (item := _LIST_ITEM.match(text, pos)) is not None:
        out.append(_literal_span(item))
        if item.group(3) is None:
            break
        pos = item.end()
    return out


# Several names assigned at once, from the line's start to the `=`/`:=`: Go's `var user, pass string = ...` (the
# Go spec's VarSpec and ConstSpec: an identifier list, an optional type), `user, pass := ...` (ShortVarDecl), Python's
# `user, password = ...`. One name needs a declared type (`var dbPassword string = "..."`); names without a type need a
# comma. Group `t`: the type.
_DECLARED = re.compile(r"[ \t]*(?:(?P<d>const|var|let)[ \t]+)?(?P<n>[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)"
                       r"(?:[ \t]+(?P<t>\*?(?:\[\d*\])?[A-Za-z_][\w.]*))?[ \t]*:?")
# One expression of the list on the right: a literal (groups 1 to 3), or anything else up to the next comma.
_EXPRESSION = re.compile(r"""[ \t]*(?:"([^"\r\n]{0,512})"|'([^'\r\n]{0,512})'|`([^`\r\n]{0,512})`"""
                         r"""|[^,"'`\r\n]+)[ \t]*""")


def declared_literals(text: str, sep: int) -> list[tuple[str, tuple[int, int]]] | None:
    """(name, literal span) for each name of a multiple or typed declaration ending at `sep` (its `=` or the `:` of
    `:=`) whose expression at the same position is a string literal; None when the line declares no such thing."""
    line_start = text.rfind("\n", 0, sep) + 1
    declared = _DECLARED.fullmatch(text, line_start, sep)
    if declared is None:
        return None
    names = [name.strip() for name in declared.group("n").split(",")]
    if len(names) < 2 and not (declared.group("t") and declared.group("d") in ("var", "const")):
        return None
    pos = sep + (2 if text.startswith(":=", sep) else 1)
    out = []
    for name in names:
        expression = _EXPRESSION.match(text, pos)
        if expression is None:
            break
        for group in (1, 2, 3):
            if expression.group(group) is not None:
                out.append((name, expression.span(group)))
        pos = expression.end()
        if not text.startswith(",", pos):
            break
        pos += 1
    if len(names) == 1 and declared.group("t"):
        # Go writes `const name type`; Kotlin, Dart, Java and C# write `const val NAME`, `const String name`: the
        # word after the name's slot may be the name.
        out += [(declared.group("t"), span) for _, span in out]
    return out


# A key as a list of byte values (Zigbee2MQTT's `network_key: [1, 3, ...]`, an AES key written as numbers): 8 or more
# numbers of at most one byte each, decimal or hex.
_BYTE_LIST = re.compile(r"\[[ \t]*((?:(?:0[xX][0-9a-fA-F]{1,2}|\d{1,3})[ \t]*,[ \t]*){7,63}"
                        r"(?:0[xX][0-9a-fA-F]{1,2}|\d{1,3}))[ \t]*,?[ \t]*\]")


def _byte_list(text: str, start: int, strength: str) -> tuple[int, int] | None:
    """The span of the numbers of a byte list at `start` (16 or more under a weak key such as `network_key`)."""
    found = _BYTE_LIST.match(text, start)
    if found is None:
        return None
    numbers = [int(n, 16) if n[:2] in ("0x", "0X") else int(n) for n in re.split(r"[ \t]*,[ \t]*", found.group(1))]
    if max(numbers) > 255 or len(numbers) < (16 if strength == "weak" else 8):
        return None
    return found.span(1)


# The section a key belongs to: the nearest line above it that is indented less (a YAML parent `api:`, an HCL block
# `tokens {`), or an INI/TOML `[api]` header.
_SECTION_HEADER = re.compile(r"[ \t]*\[([\w.\- ]{1,64})\][ \t]*")
_PARENT_KEY = re.compile(r"[ \t]*(?:-[ \t]+)?[\"']?([\w.\-]{1,64})[\"']?[ \t]*(?::|=?[ \t]*\{)[ \t]*(?:#.*)?")


def section_of(text: str, pos: int) -> str:
    """The name of the YAML parent, HCL block or INI section of the key on `pos`'s line ("" if none within 2 kB)."""
    line_start = text.rfind("\n", 0, pos) + 1
    indent = len(text[line_start:pos]) - len(text[line_start:pos].lstrip(" \t"))
    floor = max(0, line_start - 2048)
    if not indent:  # only a section header can own it: one search back, not a walk over the lines of a log
        # (A `[` first, a memchr: the two-character search back costs 2 us on 2 kB of a log without one.)
        header_start = (text.rfind("[", floor, line_start) >= 0 and text.rfind("\n[", floor, line_start) + 1) \
            or (0 if text.startswith("[") else -1)
        if header_start < 0:
            return ""
        header = _SECTION_HEADER.fullmatch(text, header_start, text.find("\n", header_start))
        return header.group(1) if header else ""
    end = line_start - 1
    while end > floor:
        start = text.rfind("\n", floor, end) + 1
        line = text[start:end]
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith(("#", ";", "//")):
            if (header := _SECTION_HEADER.fullmatch(line)) is not None:
                return header.group(1)
            if len(line) - len(stripped) < indent:
                parent = _PARENT_KEY.fullmatch(line)
                return parent.group(1) if parent else ""
        end = start - 1
    return ""


_TOKEN_RUN = re.compile(r"(?=\S*\d)(?=\S*[^\W\d_])\S{16,}")
# An encrypted value's envelope: SOPS's `ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`, Hiera eyaml's `ENC[PKCS7,…]`. A
# key's value cut at its comma is the envelope's head, not the secret; the fields inside are the envelope's own keys.
_ENVELOPE_HEAD = re.compile(r"ENC\[[A-Z][A-Z0-9_]*(?:,|\Z)")
# An age recipient (`age1` + 58 bech32 characters) is a public key (SOPS metadata, `.sops.yaml`).
_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
# A NATS public NKEY (`U`ser, `A`ccount, `O`perator, `N` server, `C`luster, `X` curve, then 55 base32 characters): the
# `{nkey: U…}` user entries of nats-server.conf name users by their public keys; only the `S…` seeds are secret.
_NKEY_PUBLIC = re.compile(r"[UAONCX][A-Z2-7]{55}")
# The base64 DER of a public key (SubjectPublicKeyInfo: RSA of any size, 1024-bit RSA, P-256, Ed25519), published by
# design (a DKIM record's `p=`).
_PUBLIC_KEY_DER = re.compile(r"MII[A-Za-z0-9+/]{2}jANBgkqhkiG9w0BAQEFAAOC|MIGfMA0GCSqGSIb3DQEBAQUAA4GN"
                             r"|MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE|MCowBQYDK2VwAyEA")
# Stripe's object ids (`pi_`, `ch_`, `cus_`, `price_`, ... and 14-32 letters and digits), what a payment log is searched
# by, not credentials: Stripe's keys (`sk_live_`, `rk_live_`, `whsec_`) are provider tokens. Phabricator's and Phorge's
# PHIDs (`PHID-USER-` and random letters and digits), in every Conduit reply: its tokens are `api-`/`cli-`. Duffel's
# object ids (`ord_`, `off_`, `orq_`, `pas_`, `sev_`, … then `0000` and letters and digits: orders, offers,
# passengers, webhooks), what a booking log names; its tokens are `duffel_test_`/`duffel_live_`.
_OBJECT_ID = re.compile(r"(?:acct|ba|card|ch|cus|evt|ii|in|pi|pm|po|price|prod|py|re|seti|si|sub|tr|txn)_"
                        r"[A-Za-z0-9]{14,32}|PHID-[A-Z]{4}-[a-z0-9]{8,32}|[a-z]{3}_0000[A-Za-z0-9]{14,24}")
# AWS Secrets Manager and Parameter Store references (CodeBuild's `env: secrets-manager:`): names, not values.
_REFERENCE_SECTIONS = frozenset({"secrets-manager", "parameter-store"})


_PULUMI_ENVELOPE = re.compile(r"(?:^|[\s\"'])v1:[A-Za-z0-9+/=:]*\Z")


def _in_envelope(text: str, pos: int) -> bool:
    """Whether `pos` is inside an `ENC[…]` envelope opened on its line, or inside Pulumi's `v1:<nonce>:<ciphertext>`
    (a `secure:` value, whose ciphertext a format rule takes; the `encryptionsalt:`)."""
    line_start = text.rfind("\n", 0, pos) + 1
    opened = text.rfind("ENC[", line_start, pos)
    if opened >= 0 and "]" not in text[opened:pos]:
        return True
    return "v1:" in text[line_start:pos] and _PULUMI_ENVELOPE.search(text, line_start, pos) is not None


# Up to a separator in an ARN: in its resource, or right after its account (`arn:aws:sts::123456789012:assumed-role/…`).
_ARN_HEAD = re.compile(r"arn:[\w-]+:[\w-]+:[\w-]*:\d*(?::[^\s\"']*)?\Z")


def _in_arn(text: str, sep: int) -> bool:
    """`…:secret:prod/db-AbCdEf` in an ARN (`arn:aws:secretsmanager:…:secret:name`): a resource type, not a key; the
    account before the resource (`…:123456789012:assumed-role/Role/session`) is none either."""
    head = text[max(0, sep - 256) : sep]
    return text[sep] == ":" and "arn:" in head and _ARN_HEAD.search(head) is not None


def token_like(value: str) -> bool:
    """A single run of 16+ characters with letters and digits, not a Kubernetes name, a path or a placeholder."""
    return _TOKEN_RUN.fullmatch(value) is not None and not _K8S_NAME.fullmatch(value) \
        and not _PATH_VALUE.fullmatch(value) and not is_placeholder_value(value)


def extract_aligned(rule: Rule, hit: Hit) -> list[Finding]:
    """`key<blanks>= value` with the separators aligned in a column (Terraform, INI, Go, properties files): a secret's
    key only, since the lookbehind cannot see the key through a run of blanks."""
    key = key_before(hit.text, hit.anchor)
    return extract_keyword(rule, hit) if classify_key(key) is not None or _names_secret_id(hit.text, hit.anchor, key) \
        else []


def extract_declared(rule: Rule, hit: Hit) -> list[Finding]:
    """The literals of a multiple or typed declaration whose names name a secret, each by its own name."""
    sep = hit.anchor - 1 if hit.text[hit.anchor - 1 : hit.anchor] == ":" else hit.anchor
    found = []
    for name, (start, end) in declared_literals(hit.text, sep) or ():
        kind = classify_key(name)
        if kind is not None and value_is_secret(name, hit.text[start:end], kind[0], True):
            found.append((start, end, kind[1]))
    return found


def _words_after(text: str, pos: int) -> int:
    """How many words the line holds after `pos`."""
    line_end = text.find("\n", pos)
    return len(text[pos : None if line_end < 0 else line_end].split())


# RustDesk's server key (`key = '…'` after `custom-rendezvous-server` in RustDesk2.toml, `rustdesk --config
# 'host=…,key=…'`): the base64 public half of the server's Ed25519 pair (id_ed25519.pub), given to every client.
_ED25519_PUBLIC = re.compile(r"[A-Za-z0-9+/]{43}=")


def _rustdesk_server_key(text: str, at: int, key: str, value: str) -> bool:
    return key == "key" and bool(_ED25519_PUBLIC.fullmatch(value)) \
        and ("rendezvous" in text[max(0, at - 400) : at] or "rustdesk" in text[max(0, at - 200) : at].lower())


# The verb of a console command named `namespace:verb` (Symfony Console, Laravel Artisan, Shlink's CLI:
# `shlink api-key:list`, `api-key:disable`, `php bin/console secrets:set NAME`, `secrets:decrypt-to-local`), attached to
# the `:` with a blank or the line's end after it; not a value under a key naming a secret.
_CONSOLE_VERB = re.compile(r"(?:list|generate|disable|enable|rename|set|get|remove|delete|create|show|clear|reveal"
                           r"|rotate|revoke|add|update|import|export|reset|decrypt|encrypt)(?:-[a-z]+)*")


def console_command(text: str, anchor: int, key: str, end: int) -> bool:
    """`api-key:list`: a lower-case key written right before the `:` at the start of a word, and a console verb after
    it (`_CONSOLE_VERB`) that ends the word."""
    key_start = anchor - len(key)
    return (key.islower() and text.startswith(key, key_start)
            and text[key_start - 1 : key_start] in ("", " ", "\t", "\n")
            and text[end : end + 1] in ("", " ", "\t", "\r", "\n")
            and _CONSOLE_VERB.fullmatch(text, anchor + 1, end) is not None)


def extract_keyword(rule: Rule, hit: Hit) -> list[Finding]:
    key = key_before(hit.text, hit.anchor)
    if key == "PASS" and hit.text.endswith("--- PASS", 0, hit.anchor):
        return []  # `go test -v` output: `--- PASS: TestLogin (0.00s)` is a result, not a key
    if key == "pass" and hit.text.endswith("<settings pass", 0, hit.anchor):
        return []  # unattend.xml's configuration pass (`<settings pass="specialize">`), not a password
    kind = classify_key(key)
    if kind is None:
        return extract_generic(rule, hit)
    if _in_arn(hit.text, hit.anchor):
        return []
    start, end = hit.value_span()
    quoted = hit.span("v3") is None
    value = hit.text[start:end]
    if ":" in value and section_of(hit.text, hit.anchor) in _REFERENCE_SECTIONS:
        return []
    if sealed(hit.text, start, value) or (hit.text[start - 2 : start - 1] in ("f", "F") and "{" in value) \
            or _rustdesk_server_key(hit.text, hit.anchor, key, value):
        return []  # a SealedSecret's ciphertext; a Python f-string's interpolation; RustDesk's public server key
    if hit.text[hit.anchor] == ":" and value.startswith("?") and hit.text.endswith("${" + key, 0, hit.anchor):
        return []  # a shell expansion's `${NAME:?message}`: the error printed when NAME is unset
    if not quoted and console_command(hit.text, hit.anchor, key, end):
        return []  # a console command `namespace:verb` (Shlink's `api-key:list`, Symfony's `secrets:set NAME`)
    if _VAR_DUMP_PROPERTY.match(hit.text, hit.anchor) or (not quoted and _GENERIC_CALL.match(hit.text, end)):
        return []  # a `var_dump()` property's class and visibility; a generic type's constructor (secrecy's wrapper)
    if not quoted and _POINTER.fullmatch(value) and (pointed := _POINTED_STRING.match(hit.text, end)):
        (start, end), quoted = pointed.span(1), True  # gdb prints a `char *` as its address, then the string
        value = hit.text[start:end]
    if not quoted and (typed := _TYPED_LITERAL.match(hit.text, end)) and _TYPE_NAME.fullmatch(value):
        (start, end), quoted = _literal_span(typed), True
        value = hit.text[start:end]
    if not quoted and _VARIABLE.fullmatch(value) and hit.text[end : end + 1] in (",", ")", "}") \
            and classify_key(value) is not None:
        return []  # `{"password": new_password, ...}`: a variable of the code, not a value
    if not quoted and value in ("[", "array("):  # a list literal (PHP's `array('a', 'b')` too)
        return [(a, b, kind[1]) for a, b in _list_items(hit.text, end)
                if value_is_secret(key, hit.text[a:b], kind[0], True)]
    if not quoted and (fallback := _FALLBACK.match(hit.text, end)):
        # `os.environ.get("PASSWORD") or "..."`, `process.env.DB_PASSWORD || "..."`: the literal default
        start, end = _literal_span(fallback)
        return [(start, end, kind[1])] if value_is_secret(key, hit.text[start:end], kind[0], True) else []
    if quoted and declared_literals(hit.text, hit.anchor) is not None:
        return extract_declared(rule, hit)  # `user, password := "x", "y"`: each literal by the name at its position
    if not quoted and value.startswith("[") and (numbers := _byte_list(hit.text, start, kind[0])) is not None:
        return [(*numbers, kind[1])]
    if not quoted and hit.text[hit.anchor] == ":" and value.isalpha() and value.islower() \
            and _words_after(hit.text, end) >= 2 and not _API_KEY_SCHEME.match(hit.text, end) \
            and not _scheme_credentials(hit.text, key, end):
        return []  # prose that names a secret mid-sentence: `failed to fetch oauth token: unexpected status from ...`
    if not quoted and kind[1] == "password" and (spaced := _APP_PASSWORD.match(hit.text, start)) \
            and _LINE_END.match(hit.text, spaced.end()):
        end = spaced.end()  # an app password unquoted to the end of the line (sSMTP's `AuthPass=abcd efgh ijkl mnop`)
        value = hit.text[start:end]
    if value_is_secret(key, value, kind[0], quoted):
        found = _listed(hit.text, start, end, kind[1], lambda item: value_is_secret(key, item, kind[0], False))
        if not quoted and value.endswith("\\") and (more := _CONTINUED.match(hit.text, end)):
            found.append((more.start(1), more.end(1), kind[1]))
        return found
    # A bare `key:` in a section that names what it is for (OctoPrint's `api:` / `key: <hex>`, an INI `[api]` with
    # `key = ...`) is that section's key: a token-like value is taken even when it is hex.
    if kind[0] == "weak" and key_words(key)[-1:] == ("key",) and token_like(value) \
            and _names_secret_section(section_of(hit.text, hit.anchor)):
        return [(start, end, kind[1])]
    # After an authentication scheme the value is the credential however plain it looks: `Authorization: Bearer` /
    # `token <hex>` (RFC 6750, GitHub), `SSWS <token>` (Okta's API tokens), `NTLM`/`Negotiate <base64 of a Windows
    # authentication message>` (RFC 4559), `Basic <base64 of user:password>` (RFC 7617).
    scheme = hit.text[hit.anchor : start].lower()
    if any(word in scheme for word in ("bearer", "token", "ssws", "ntlm", "negotiate")) and len(value) >= 16 \
            and not is_placeholder_value(value):
        return [(start, end, "token")]
    if "basic" in scheme and decodes_to_credentials(value):
        return [(start, end, "password")]
    return _other_scheme(hit.text, key, start, end, quoted)


# An `Authorization` header's other schemes (RFC 9110: a scheme, a blank, the credentials): Dynatrace `Api-Token`,
# Splunk HEC `Splunk`, `GenieKey`, Azure `SharedAccessSignature`, Payload CMS's `<collection> API-Key`, ...
_SCHEME = re.compile(r"[A-Za-z][\w-]{1,30}")
# Payload CMS puts a word between the collection's slug and the key: `Authorization: users API-Key <key>`.
_API_KEY_SCHEME = re.compile(r"[ \t]+API-Key[ \t]")
_CREDENTIALS = re.compile(r"[ \t]+(?:API-Key[ \t]+)?([A-Za-z0-9._~+/=&%:-]{16,512})")


# Where a header's value ends: its closing quote (`-H "…"`), or the line's end (after a `\` continuation too).
_HEADER_END = re.compile(r"[\"']|[ \t]*(?:\\[ \t]*)?(?:\r?\n|\Z)")


def _scheme_credentials(text: str, key: str, end: int) -> bool:
    """A lower-case scheme word then a credential after `Authorization:` (Sovrn Commerce's documented
    `Authorization: secret <key>` inside `curl -H "…" \\`): a header, not prose, though more words follow it. A
    `user:token` pair (cPanel's `Authorization: cpanel USER:TOKEN`) is left to the rules that keep the user."""
    if key_words(key)[-1:] != ("authorization",):
        return False
    found = _CREDENTIALS.match(text, end)
    return found is not None and ":" not in found.group(1) and any(map(str.isdigit, found.group(1))) \
        and token_like(found.group(1)) and _HEADER_END.match(text, found.end(1)) is not None


def _other_scheme(text: str, key: str, start: int, end: int, quoted: bool) -> list[Finding]:
    """The credentials after an unlisted scheme of an `Authorization` header, or nothing."""
    if key_words(key)[-1:] != ("authorization",):
        return []
    if quoted:  # `"Authorization": "Splunk 0f9e..."`: scheme and credentials inside the literal
        scheme, _, credentials = text[start:end].partition(" ")
        credentials = credentials.removeprefix("API-Key ")
        start, end = end - len(credentials), end
    else:
        scheme, found = text[start:end], _CREDENTIALS.match(text, end)
        if found is None:
            return []
        (start, end), credentials = found.span(1), found.group(1)
    if not _SCHEME.fullmatch(scheme) or len(credentials) < 16 or is_placeholder_value(credentials) \
            or not any(map(str.isdigit, credentials)):
        return []
    return [(start, end, "token")]


def sealed(text: str, start: int, value: str) -> bool:
    """A Bitnami SealedSecret's `encryptedData` value: kubeseal's ciphertext, made to be committed (base64 that starts
    with the length of the RSA-encrypted session key: `Ag` for 4096-bit keys, `AQ` for 2048)."""
    return len(value) >= 300 and value[:2] in ("Ag", "AQ") and text.rfind("encryptedData", max(0, start - 65536),
                                                                           start) >= 0


# Sections whose entries are tokens whatever their names (Consul's `acl { tokens { agent = "..." } }`, shub's
# `apikeys:` keyed by project alias in ~/.scrapinghub.yml); and a
# `secret_id`/`Secret ID` (Vault AppRole's, Nomad's and Consul's ACL tokens) is the credential, not an identifier.
_TOKEN_SECTIONS = frozenset({("tokens",), ("secrets",), ("passwords",), ("apikeys",), ("api", "keys")})


# A session's id is its bearer credential (`grafana_session=<hex>`, `;jsessionid=<hex>`, `PHPSESSID=…`, `session_id=`);
# not a UUID, which names a session handle elsewhere (Consul's KV `"Session": "<uuid>"`). A remember-me cookie
# (Symfony's `REMEMBERME`, a `remember_me` cookie) logs its holder in as the session does.
_SESSION_WORDS = frozenset({"session", "sessionid", "sessid", "jsessionid", "phpsessid", "sid", "rememberme"})


def _names_session(words: tuple[str, ...]) -> bool:
    return bool(words) and (words[-1] in _SESSION_WORDS or words[-2:] in (("session", "id"), ("remember", "me")))


def is_session_value(key: str, value: str) -> bool:
    """A token-like value, not a UUID, under a session's name: also the `value` of a cookie jar's `{"name":
    "sessionid", "value": …}` entry (Playwright's `storageState.json`, Puppeteer's and Selenium's cookie dumps)."""
    return _names_session(key_words(key)) and token_like(value) and not is_uuid(value) \
        and not _WINDOWS_SID.fullmatch(value)


def _names_secret_id(text: str, sep: int, key: str) -> bool:
    """`secret_id`, `SecretId`, or `Secret ID` written as two words (a CLI's aligned output)."""
    words = key_words(key)
    return words[-2:] == ("secret", "id") or (words == ("id",) and text[max(0, sep - 96) : sep].rstrip(" \t")
                                              .lower().endswith("secret id"))


# A port and a path after a host or an address (`@10.0.30.12:554/h264Preview_01_main` in a camera's RTSP URL whose
# user-info is a pair of `{ENV}` placeholders, so that no URL rule took the line).
_PORT_PATH = re.compile(r"\d{1,5}/")
# A Community ID flow hash (`1:` and base64 of a SHA-1, as Zeek and Suricata's eve.json print it): its `1:` version
# reads as a key.
_COMMUNITY_ID = re.compile(r"[A-Za-z0-9+/]{27}=")


def _jwk_public_member(text: str, start: int, key: str) -> bool:
    """A JSON Web Key's public member (`n` of RSA, `x`/`y` of EC and OKP) in an object with `kty`: published in JWK
    sets (Open edX's `JWT_PUBLIC_SIGNING_JWK_SET`); the private members have a rule of their own."""
    return key in ("n", "x", "y") and '"kty"' in text[max(0, start - 2000) : start + 2000]


def _token_key(hit: Hit, key: str) -> bool:
    """A key that names a secret id, or one in a section of tokens: its token-like values are tokens."""
    return _names_secret_id(hit.text, hit.anchor, key) \
        or key_words(section_of(hit.text, hit.anchor))[-1:] in _TOKEN_SECTIONS


# A Kubernetes container env entry, `- name: NAME` and `value:` on the next line (the anchor is that `value`'s colon).
_ENV_ENTRY_NAME = re.compile(r"(?m)^[ \t]*-[ \t]+name:[ \t]*[\"']?([A-Za-z_][\w.-]{0,80})[\"']?[ \t]*\r?\n"
                             r"[ \t]+value\Z")


def extract_generic(rule: Rule, hit: Hit) -> list[Finding]:
    """A long random-looking value assigned to any key that does not name an id, a hash or a path."""
    key = key_before(hit.text, hit.anchor)
    start, end = hit.value_span()
    value = hit.text[start:end]
    words = key_words(key)
    kind = classify_words(words)
    if kind is None and not (looks_random(value) or is_session_value(key, value) or _token_key(hit, key)):
        return []  # every test below would say no: these cheap ones first (most log values read as words)
    if sealed(hit.text, start, value) or _AGE_RECIPIENT.fullmatch(value) or _PUBLIC_KEY_DER.match(value) \
            or _SSH_PUBLIC_KEY.match(value) or key.startswith("sops_") or _in_envelope(hit.text, hit.anchor) \
            or _in_arn(hit.text, hit.anchor) \
            or _rustdesk_server_key(hit.text, hit.anchor, key, value) or _jwk_public_member(hit.text, start, key) \
            or (key.lower() == "nkey" and _NKEY_PUBLIC.fullmatch(value)):
        return []  # kubeseal's ciphertext; a public key (a JWK's public members, a NATS NKEY); SOPS's metadata
        # (dotenv and INI forms); an envelope's fields; an ARN's resource name (`…:secret:prod/db-password-AbCdEf`)
    if hit.text.startswith("(", end):
        return []  # a call's name (Bicep's `readEnvironmentVariable('ACR_PASSWORD')`), not a value
    if kind is not None:
        accept = partial(value_is_secret, key, strength=kind[0], quoted=False)
        return _listed(hit.text, start, end, kind[1], accept) if accept(value) else []
    # The key's tests before the value's: in a log most values are token-like (`blk_-1233005817943453613`), few keys
    # name a secret id or sit in a token section, and `token_like` costs more than both.
    if is_session_value(key, value) or (_token_key(hit, key) and token_like(value)):
        return [(start, end, "token")]
    if key == "value" and (named := _ENV_ENTRY_NAME.search(hit.text, max(0, hit.anchor - 160), hit.anchor)):
        words = key_words(named.group(1))  # a Kubernetes env entry's `value:` is named by its `name:` line above
    if words and (EXCLUDED_WORDS.intersection(words) or words[-1] in EXCLUDED_LAST_WORDS or _names_public_key(words)):
        return []
    if value.startswith("/") or "//" in value or _HASH_VALUE.match(value) or value[-1:] in ("(", "[") \
            or ("." in key and _PORT_PATH.match(value)) \
            or _K8S_NAME.fullmatch(value) or not looks_random(value) or names_its_key(key, value) \
            or _OBJECT_ID.fullmatch(value) or (key == "1" and _COMMUNITY_ID.fullmatch(value)):
        return []  # a path, a port and a path after a host, a digest, code, a word, the key's own name, an object id,
        # a flow hash
    return _listed(hit.text, start, end, "secret", looks_random)


# The rest of a line that lists more values after the first, comma-separated (Strapi's `APP_KEYS=k1,k2,k3`, quoted
# as a whole or not,
# a secret's rotation list; also on a shell command's line continued with `\`, the SuperTokens core's
# `docker run -e API_KEYS=k1,k2 \`; pybliometrics' `APIKey = k1, k2`, one blank after the comma): each item is a
# value of the same key. Items hold no blank, quote, `:` or `=` (but
# base64's padding), so `password=x,user=bob` and prose end the list.
_MORE_ITEMS = re.compile(r"(?:,[ \t]?[^\s,\"'`;&<>=:{}()\[\]]{8,512}={0,2})+(?=[\"']?[ \t]*(?:\\[ \t]*)?(?:\r?\n|\Z))")
_ITEM = re.compile(r"[^,\s]+")


def _listed(text: str, start: int, end: int, label: str, accept: Callable[[str], bool]) -> list[Finding]:
    """The value at `start:end`, and the items listed after it on its line that `accept` takes or that have its length
    (keys generated alike: a random 16-byte base64 key may read as a word to `looks_random`)."""
    more = _MORE_ITEMS.match(text, end)
    items = [] if more is None else [(end + m.start(), end + m.end(), label) for m in _ITEM.finditer(more.group())
                                     if len(m.group()) == end - start or accept(m.group())]
    return [(start, end, label), *items]


# A name may be words with spaces: NiFi's login-identity-providers.xml `<property name="Manager Password">`.
_NAME_ATTRIBUTE = re.compile(r"""\s(?:name|key)\s*=\s*["']([\w.\-](?:[\w.\- ]{0,78}[\w.\-])?)["']""")
_TAG_LEFT = re.compile(r"""<([A-Za-z_][\w.:-]{0,80})(?:\s+[\w.:-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))*\s*>\Z""")


_SETTER = re.compile(r"(?:set|with)?([A-Za-z_][A-Za-z0-9_]{0,60})\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_]{1,64}")  # a name without digits: `pgPassword`, not `J3disAuth77`
# Calls that look a secret up, check or transform it (`find_by_secret("...")`, `verifyToken(...)`): their argument is a
# key or an input, not the secret.
_LOOKUPS = ("get", "find", "fetch", "lookup", "load", "read", "verify", "check", "validate", "has", "is", "decode",
            "encode", "hash", "compare", "match", "delete", "remove", "revoke")


def _is_option(text: str, start: int, end: int) -> bool:
    """`name("value")` indented and alone on its line: an option of syslog-ng's grammar (`password("…")` in an `http()`
    destination), where every value is wrapped in parentheses; a bare call at a line's start is left to the code. Or an
    option of a Stata `odbc` command (`odbc insert …, dsn("x") user("u") password("…")`), written the same way."""
    line_start = text.rfind("\n", 0, start) + 1
    if text.startswith("odbc ", line_start) and "," in text[line_start:start]:
        return True
    return start > line_start and not text[line_start:start].strip() and _LINE_END.match(text, end) is not None


def extract_setter(rule: Rule, hit: Hit) -> list[Finding]:
    """`builder.password("...")`, `setApiKey("...")`, `withToken('...')`: a setter named after a secret with one string
    literal. Getters and checks (`getPassword("user")`, `verifyToken(...)`) take a lookup key, not a secret."""
    name = _SETTER.search(hit.text, max(0, hit.anchor - 64), hit.anchor)
    method = name is not None and hit.text[name.start() - 1 : name.start()] in (".", ":")  # `obj.m(`, Lua's `obj:m(`
    if not name or name.group().lower().startswith(_LOOKUPS) \
            or not (name.group().startswith(("set", "with")) or method or _is_option(hit.text, name.start(), hit.end)):
        return []
    start, end = hit.value_span()
    if _IDENTIFIER.fullmatch(hit.text, start, end) and classify_key(hit.text[start:end]) is not None:
        return []  # the secret's name in a vault (MATLAB's `setSecret("pgPassword")` prompts for the value)
    # A Redis client's `auth("...")` (`red:auth(...)` in OpenResty, `client.auth(...)` in node-redis): the password.
    kind = ("strong", "password") if method and name.group() == "auth" else classify_key(name.group(1))
    if kind is None or kind[0] != "strong" or not value_is_secret(name.group(1), hit.text[start:end], "strong", True):
        return []
    return [(start, end, kind[1])]


# The calls that store a value under a name given as a string before it (see `assignment_rules`): Java's
# `setProperty` (and `getProperty`'s default), `Map.put`/`putIfAbsent`, Android's `putString`, Hadoop's and
# configparser's `set` (and Deployer's `set('name', 'value')` in deploy.php, a function of its own), Go's `os.Setenv`,
# C's `setenv`/`putenv`, Python's `setdefault`, PowerShell's `SetEnvironmentVariable`, CakePHP's `Configure::write`,
# form builders' `add`, `FormData`'s and `URLSearchParams`' `append` (Turnstile's `form.append('secret', '…')`).
_STORED_NAME = re.compile(r"[\w.\-]{1,80}")
# Firefox's and Thunderbird's prefs.js and user.js: `user_pref("name", value)`, and autoconfig's `pref`, `lockPref`,
# `defaultPref`.
_STORE_CALLS = ("[pP]roperty", "put", "[pP]utIfAbsent", "[pP]utString", r"\bset", "[sS]etenv", "putenv", "setdefault",
                "EnvironmentVariable", "::write", r"\.add", r"\.append", "_pref", r"\bpref", "[kt]Pref")


def extract_stored(rule: Rule, hit: Hit) -> list[Finding]:
    """The value of `setProperty("db.password", "...")`-like calls: the literal after one that names a secret (the
    first two of `setProperty(name, value)`, `SetEnvironmentVariable(name, value, target)`, or the last two of
    configparser's `set(section, name, value)`)."""
    args = [span for i in (1, 2, 3) if (span := hit.span(f"a{i}") or hit.span(f"b{i}"))]
    for (name_start, name_end), (start, end) in pairwise(args):
        name, value = hit.text[name_start:name_end], hit.text[start:end]
        kind = classify_key(name) if _STORED_NAME.fullmatch(name) else None
        if kind is not None and not any(ch.isspace() for ch in value) and value_is_secret(name, value, kind[0], True):
            return [(start, end, kind[1])]
    return []


def extract_tag(rule: Rule, hit: Hit) -> list[Finding]:
    """`<password>value</password>` (Maven settings.xml, Spring XML), or an element named by its `name`/`key`
    attribute: `<entry key="password">` (Java properties XML), `<property name="hibernate.connection.password">`,
    `<string name="api_key">` (Android resources)."""
    tag = _TAG_LEFT.search(hit.text, max(0, hit.anchor - 200), hit.anchor + 1)
    if tag is None:
        return []
    name = tag.group(1)
    kind = classify_key(name)
    if kind is None and (attribute := _NAME_ATTRIBUTE.search(tag.group())):
        # The last part names the value (`hibernate.connection.password`); a part before it may say it is not secret
        # (`jwt.public.key`, Confluence's public half of its JWT key pair).
        name, words = attribute.group(1).rsplit(".", 1)[-1], key_words(attribute.group(1))
        kind = None if EXCLUDED_WORDS.intersection(words) and words[-1] != "salt" else classify_key(name)
    if kind is None:
        return []
    start, end = hit.value_span()
    return [(start, end, kind[1])] if value_is_secret(name, hit.text[start:end], kind[0], False) else []


_JSON_STRING = re.compile(r"\"([^\"\[][^\"]*)\",?")


# A YAML block list whose items are keys or tokens: a plural `keys`/`tokens` after a word that names what they open
# (`api_keys:`, `access_tokens:`), or any `…keys:`/`…tokens:` in a section that names a secret (Weaviate's
# `authentication.apikey.allowed_keys:`, the list form of its AUTHENTICATION_APIKEY_ALLOWED_KEYS). Only the items that
# are one random-looking token of 16+ characters go: an `authorized_keys:` list (public keys with a comment), key ids,
# fingerprints, paths and the names of secrets kept elsewhere stay.
_KEY_LIST_QUALIFIERS = frozenset({"api", "access", "auth", "secret", "admin", "master", "bearer"})
_KEY_LIST_ITEM = re.compile(r"""-[ \t]+(["']?)([^\s"'#,\[\]{}]{16,512})\1[ \t]*(?:#.*)?""")


def _names_key_list(text: str, anchor: int, key: str) -> bool:
    words = key_words(key)
    if not words or words[-1] not in ("keys", "tokens", "apikeys"):
        return False
    if words[-1] == "apikeys" or (len(words) > 1 and words[-2] in _KEY_LIST_QUALIFIERS):
        return True
    section = key_words(section_of(text, anchor))
    return bool(section) and classify_words(section) is not None


def _key_list_items(text: str, hit: Hit, key: str) -> list[Finding]:
    """The token items of a block list under a key that names a list of keys (`_names_key_list`)."""
    line_start = text.rfind("\n", 0, hit.anchor) + 1
    indent = len(text[line_start:hit.anchor]) - len(text[line_start:hit.anchor].lstrip(" \t-"))
    found: list[Finding] = []
    pos = hit.end
    while (line := _CONTINUATION.match(text, pos)) and len(line.group(1)) > indent:
        pos = line.end()
        item = _KEY_LIST_ITEM.fullmatch(line.group(2).rstrip())
        if item and token_like(item.group(2)) and value_is_secret(key, item.group(2), "weak", False):
            found.append((line.start(2) + item.start(2), line.start(2) + item.end(2), "secret"))
    return found


def extract_block(rule: Rule, hit: Hit) -> list[Finding]:
    """`password:` / `secret =` with the value on indented lines below (INI continuation, YAML nesting)."""
    text = hit.text
    key = key_before(text, hit.anchor)
    if text[hit.anchor] == ":" and not text[hit.anchor + 1 : hit.end].strip() \
            and _names_key_list(text, hit.anchor, key) and (items := _key_list_items(text, hit, key)):
        return items
    kind = classify_key(key)
    if kind is None:
        return []
    # A multi-line string under `secret: |` is a file's content as often (a key, a config, a certificate): under any
    # key but a password's, a block scalar or heredoc counts only when it holds one token (`personalAccessKey: >-`).
    lone_token = bool(text[hit.anchor + 1 : hit.end].strip(" \t{")) and not PASSWORD_WORDS.intersection(key_words(key))
    if not lone_token and not _BLOCK_WORDS.intersection(key_words(key)):
        return []
    line_start = text.rfind("\n", 0, hit.anchor) + 1

    head = text[line_start:hit.anchor].rstrip(" \t\"'")
    if head[: len(head) - len(key)].strip(" \t-*\"'"):
        return []  # `2. Generate a cicd token:` ends a sentence; a key starts its line (after a list marker)
    # A list item's key sits after its marker: `  - bearerTokenSecret:` owns lines indented past the `- `.
    indent = len(text[line_start:hit.anchor]) - len(text[line_start:hit.anchor].lstrip(" \t-"))
    found: list[Finding] = []
    plural = "secrets" in key_words(key)
    pos = hit.end
    braced = "{" in text[hit.anchor : pos]  # a JSON object: only its `"value": "…"` member, not an ARM `[…]`
    while (line := _CONTINUATION.match(text, pos)) and len(line.group(1)) > indent:
        pos = line.end()
        body_start, body = line.start(2), line.group(2).rstrip()
        if not body or body[0] in "#;" or body in ("'''", '"""'):
            continue  # a comment; a multi-line string's closing quotes
        sub = _SUBKEY.match(body)

        if sub:
            if plural or sub.group(1).strip("\"'").lower() not in _BLOCK_VALUE_KEYS:
                continue
            body_start, body = body_start + sub.end(), body[sub.end():]
            if braced:
                quoted = _JSON_STRING.fullmatch(body)
                if quoted is None:
                    continue
                body_start, body = body_start + 1, quoted.group(1)
        elif braced:
            continue
        if plural and (item := _SECRET_NAME_ITEM.fullmatch(body)) and not looks_random(item.group(1)):
            continue  # a secret's name in a list of them, not its value
        if body.startswith(("$env:", "$file:", "$include:")):
            continue  # Backstage's config loader: the value is read from that variable or file, not written here
        if body.endswith(("||", "??")):
            continue  # code that goes on below (`System.get_env("SECRET_KEY_BASE") ||`): the fallback is the value
        if body.strip() and not is_placeholder_value(body):
            found.append((body_start, body_start + len(body), kind[1]))
    if lone_token and (len(found) != 1 or not token_like(text[found[0][0] : found[0][1]])):
        return []
    return found
