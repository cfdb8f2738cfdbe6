"""Rules for secrets that live in well-known file formats rather than behind a key name or a provider prefix.

Password hashes in passwd/shadow/htpasswd files and dumps, PHP `define()` constants, SQL `INSERT` dumps, `.pgpass`
lines, .NET `<add key= value=>` pairs, PuTTY and age private keys, JWK private members, shell commands that carry a
password (`mysql -p...`, `sshpass -p`, `curl -u user:pass`), IBANs and Spanish DNI/NIE numbers.
They come after the other rules in the scan: at one anchor the first rule that matches decides, so these only see
what the key-name and provider rules leave.
Each rule carries its own examples (`examples`: text and the value that must go; `negatives`: text that must stay
unchanged); `tests/unit/test_sanitize_rules.py` runs them all through the sanitizer.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote_plus

from faultmaven.sanitize import keys
from faultmaven.sanitize.rules import Extractor, Finding, Hit, Rule, _mixed, extract_value
from faultmaven.sanitize.validators import (
    UUID,
    decodes_to_credentials,
    decodes_to_text,
    is_hex,
    is_placeholder_value,
    is_uuid,
    looks_random,
)

# --- password hashes -------------------------------------------------------------------------------------------------

# Modular crypt format ids (crypt(5)): MD5 1, bcrypt 2a/2b/2x/2y, SHA-256/512 5/6, yescrypt y, gost-yescrypt gy,
# scrypt 7, Apache apr1, phpass P/H (Drupal 7's SHA-512 variant S), argon2; Cisco IOS type 8 (PBKDF2-SHA256) and 9
# (scrypt) secrets. Each `$` may be written `\$`: BitBake escapes them (Yocto's `EXTRA_USERS_PARAMS = "usermod -p
# '\$6\$salt\$hash' root;"`).
_CRYPT_IDS = r"(?:1|2[abxy]|5|6|y|gy|7|8|9|apr1|[PHS]|argon2(?:id|i|d))\\?\$"


def _crypt_hash(rule: Rule, hit: Hit) -> list[Finding]:
    start, end = hit.anchor, hit.end
    value = hit.text[start:end]
    body = value.split("$")[-1]
    if len(value) < 20 or len(body) < 8 or body.isdigit():
        return []
    return [(start, end, rule.label)]


_PASSWD_USER = re.compile(r"[a-z_][a-z0-9_.-]{0,31}\Z")


def _des_crypt(rule: Rule, hit: Hit) -> list[Finding]:
    """`user:Xy7pQ2rT9wEzA:1001:...`: the 13-character hash only in a passwd/shadow line (a user name before it), or
    alone after the user name (an htpasswd line written with `-d`)."""
    text, colon = hit.text, hit.anchor
    line_start = text.rfind("\n", 0, colon) + 1
    start, end = hit.value_span()
    value = text[start:end]
    classes = any(map(str.islower, value)) + any(map(str.isupper, value)) + any(map(str.isdigit, value))
    if not _PASSWD_USER.match(text, line_start, colon) or classes < 2:
        return []
    return [(start, end, rule.label)]


# --- PHP define() and SQL dumps -------------------------------------------------------------------------------------

_DEFINE_SECRET_TAIL = ("key", "salt", "secret", "pass", "password", "pwd", "token")


def _php_define(rule: Rule, hit: Hit) -> list[Finding]:
    """`define('DB_PASSWORD', '...')`; in a PHP constant a trailing `_KEY` or `_SALT` names a secret (WordPress)."""
    name = hit.text[slice(*(hit.span("k1") or hit.span("k2")))]  # type: ignore[misc]
    start, end = hit.value_span()
    value = hit.text[start:end]
    words = keys.key_words(name)
    kind = keys.classify_words(words)
    if kind is None and words and words[-1] in _DEFINE_SECRET_TAIL:
        kind = ("strong", "secret")
    if kind is None or not keys.value_is_secret(name, value, "strong" if words[-1] in ("key", "salt") else kind[0],
                                                True):
        return []
    return [(start, end, kind[1])]


_SQL_VALUE = re.compile(r"""\s*(?:'((?:[^'\\]|''|\\.)*)'|"((?:[^"\\]|""|\\.)*)"|([^,()'"\s]+))\s*([,)])""")
_SQL_TUPLE_GAP = re.compile(r"\s*,?\s*\(")
_NOT_SECRET_COLUMN_TAIL = frozenset({"at", "on", "date", "time", "algo", "algorithm"})


# A table named for accounts (`users`, `jos_users`, `members`, `tbl_admin`): its digests are its passwords'.
_ACCOUNT_TABLE = re.compile(r"(?i)user|admin|member|account|login|staff|customer|operator")


def _secret_column(name: str, table: str = "") -> bool:
    words = keys.key_words(name.strip("`\"[] "))
    # (`timePasswordChanged`, Firefox's export: a password word, but a last word that describes it.)
    if words[-1:] and (words[-1] in _NOT_SECRET_COLUMN_TAIL or words[-1] in keys.EXCLUDED_LAST_WORDS):
        return False
    if keys.names_local_password(name):
        return True  # `Passwort`, `contraseña`, `密码`: another language's password column
    if not words:
        return False
    if words in (("hash",), ("hashed",)) and _ACCOUNT_TABLE.search(table):
        return True  # a bare `hash` column of a table named for accounts holds the password's digest
    # `password_hash`, `user_pass`: in a dump the stored hash of a password is as sensitive as the password.
    return keys.classify_words(words) is not None or bool(keys.PASSWORD_WORDS.intersection(words))


def _sql_insert(rule: Rule, hit: Hit) -> list[Finding]:
    """`INSERT INTO t (cols) VALUES (...), (...)`: the values under password/secret/token columns."""
    columns = hit.text[slice(*hit.span("c"))].split(",")  # type: ignore[misc]
    table = hit.text[slice(*hit.span("tb"))]  # type: ignore[misc]
    return _sql_tuples(hit.text, hit.end, {i for i, c in enumerate(columns) if _secret_column(c, table)})


# As dumps write it: one column per line, the closing parenthesis at the start of a line (mysqldump, pg_dump), or
# the whole statement on one line (SQLite's `.dump`).
_CREATE_TABLE = (r"(?i:CREATE\s+TABLE)\s+(?i:IF\s+NOT\s+EXISTS\s+)?{name}\s*\("
                 r"(?:(?P<body>.{{1,20000}}?)\r?\n\)|(?P<line>[^\r\n]{{1,4000}})\);?[ \t]*(?:\r?\n|\Z))")
_COLUMN_LINE = re.compile(r"""^\s*[`"\[]?(\w+)[`"\]]?\s+\w""", re.MULTILINE)
_COLUMN_ITEM = re.compile(r"""(?:^|,)\s*[`"\[]?(\w+)[`"\]]?(?=\s+\w|\s*(?:,|$))""")
_NOT_COLUMNS = frozenset({"primary", "key", "unique", "constraint", "index", "foreign", "check", "fulltext", "spatial"})


@lru_cache(maxsize=64)
def _table_columns(text: str, table: str) -> tuple[str, ...]:
    """The column names of `CREATE TABLE table (...)` in a dump (mysqldump writes one before its INSERTs)."""
    name = re.escape(table.strip("`\"[]").rsplit(".", 1)[-1])
    qualified = rf"(?:[`\"\[]?\w+[`\"\]]?\.)?[`\"\[]?{name}[`\"\]]?"
    create = re.search(_CREATE_TABLE.format(name=qualified), text, re.DOTALL) if "CREATE" in text else None
    if create is None:
        return ()
    if create.group("body") is None:  # one line: the items are split at commas outside parentheses
        items = _COLUMN_ITEM.findall(re.sub(r"\([^()]*\)", "", create.group("line")))
        return tuple(c for c in items if c.lower() not in _NOT_COLUMNS)
    return tuple(c for c in _COLUMN_LINE.findall(create.group("body")) if c.lower() not in _NOT_COLUMNS)


# Without its `CREATE TABLE`, a table named for accounts holds its passwords' digests where a hex digest stands.
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128}")
_GSLT = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"  # a made-up Steam game server login token for the rules' examples


def _sql_insert_bare(rule: Rule, hit: Hit) -> list[Finding]:
    """`INSERT INTO t VALUES (...)` (mysqldump's form): the columns are those of `CREATE TABLE t` before it; without
    it, the hex digests of a table named for accounts (an MD5 or SHA password column, the commonest unsalted form)."""
    table = hit.text[slice(*hit.span("tb"))]  # type: ignore[misc]
    columns = _table_columns(hit.text, table)
    if not columns and _ACCOUNT_TABLE.search(table):
        return _sql_tuples(hit.text, hit.end, set(), _HEX_DIGEST)
    return _sql_tuples(hit.text, hit.end, {i for i, c in enumerate(columns) if _secret_column(c, table)})


def _pg_copy(rule: Rule, hit: Hit) -> list[Finding]:
    """`COPY t (cols) FROM stdin;` and its tab-separated rows up to `\\.` (pg_dump's default form)."""
    columns = hit.text[slice(*hit.span("c"))].split(",")  # type: ignore[misc]
    table = hit.text[slice(*hit.span("tb"))]  # type: ignore[misc]
    wanted = {i for i, c in enumerate(columns) if _secret_column(c, table)}
    text, pos, found = hit.text, hit.end, []
    while wanted and pos < len(text) and len(found) < 10_000:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        row = text[pos:end].rstrip("\r")
        if row == "\\.":
            break
        start = pos
        for index, value in enumerate(row.split("\t")):
            if index in wanted and value and value != "\\N" and not is_placeholder_value(value):
                found.append((start, start + len(value), "password"))
            start += len(value) + 1
        pos = end + 1
    return found


def _sql_tuples(text: str, pos: int, wanted: set[int], shape: re.Pattern[str] | None = None) -> list[Finding]:
    """The values at the `wanted` positions of the `(...), (...)` tuples that start at `pos`, or those of `shape`, and
    in settings tables (WordPress `wp_options`, phpBB `phpbb_config`, Moodle `mdl_config`: a name and its value side
    by side) the literal after one that names a secret (`'mailserver_pass','…'`)."""
    if not wanted and shape is None:  # a settings row needs a secret's name on the statement's line: most tables are
        line_end = text.find("\n", pos)  # skipped in C
        if _SETTING_HINT.search(text, pos, len(text) if line_end < 0 else line_end) is None:
            return []
    found: list[Finding] = []
    while (gap := _SQL_TUPLE_GAP.match(text, pos)) and len(found) < 10_000:
        pos, index, name = gap.end(), 0, None
        while (item := _SQL_VALUE.match(text, pos)) is not None:
            group = next(g for g in (1, 2, 3) if item.group(g) is not None)
            value = item.group(group)
            if ((index in wanted or (shape is not None and group != 3 and shape.fullmatch(value))) and value
                    and value.upper() != "NULL" and not is_placeholder_value(value) and not value.startswith(":")) \
                    or (group != 3 and name is not None and _setting_value(name, value)):
                found.append((item.start(group), item.end(group), "password"))
            pos, index, name = item.end(), index + 1, value if group != 3 else None
            if item.group(4) == ")":
                break
        else:
            break
    return found


def _setting_value(name: str, value: str) -> bool:
    """A settings row's value under a name that names a secret: one token, not a lone word (a translation table's
    `('password', 'Passwort')`)."""
    kind = keys.classify_key(name) if _SETTING_NAME.fullmatch(name) else None
    return kind is not None and kind[0] == "strong" and not value.isalpha() \
        and not any(ch.isspace() for ch in value) and keys.value_is_secret(name, value, "strong", True)


_SETTING_NAME = re.compile(r"[A-Za-z][\w.\-/]{0,80}")
# Every name `keys.classify_key` deems a strong secret holds one of these (a password word, `secret`, `token`, `key`,
# `salt`, `credential`, `signature`/`sig`, `psk`, an encryption's or cipher's hash or seed, `sonar.login`,
# `snmp.community`).
_SETTING_HINT = re.compile(r"(?i)pass|pw|psw|secret|token|key|salt|cred|sig|psk|crypt|cipher|login|communit")


# --- colon and attribute formats -----------------------------------------------------------------------------------

_PGPASS_HOST = re.compile(r"[^:\s]+\Z")
# A proxy list's host (an IPv4 address or a dotted host name) and password (letters and digits, no path or URL
# characters: `host:443:tcp:established` is a log's status, not a password).
_PROXY_LIST_HOST = re.compile(r"[ \t]*[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+\Z")
_PROXY_LIST_PASSWORD = re.compile(r"(?=[^\d]*\d)(?=[\W\d_]*[A-Za-z])[\w.~!*+=@#%-]{6,256}")


def _pgpass(rule: Rule, hit: Hit) -> list[Finding]:
    """`host:port:database:user:password` (PostgreSQL's password file): the line has exactly these fields. Proxy
    providers' lists (Webshare, IPRoyal) have no database, `host:port:user:password`: that shorter line needs a
    dotted host, a numeric port and a password of 6 characters or more with letters and digits."""
    text, colon = hit.text, hit.anchor
    line_start = text.rfind("\n", 0, colon) + 1
    start, end = hit.value_span()
    port, *names, _ = text[colon + 1 : start].split(":")
    if len(names) == 1:
        host = _PROXY_LIST_HOST.match(text, line_start, colon)
        password = _PROXY_LIST_PASSWORD.fullmatch(text, start, end)
        if not host or not port.isdigit() or not password or is_placeholder_value(password.group()):
            return []
        return [(start, end, rule.label)]
    host = _PGPASS_HOST.match(text, line_start, colon)
    database, user = names
    if not host or host.group().isdigit() or (database.isdigit() and user.isdigit()) \
            or is_placeholder_value(text[start:end]):
        return []
    return [(start, end, rule.label)]


_ATTR_NAME = re.compile(r"""\b(?:key|name)\s*=\s*["']([^"'<>]{1,80})["']""")


_SDK_CERTIFICATE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _sdk_certificate(value: str) -> bool:
    """Genetec Security Center SDK's `<add key="ClientCertificate" value="…"/>`: the application's licensed SDK
    certificate, an opaque base64 string (not a thumbprint's hex, a path or a store name)."""
    return len(value) >= 40 and _SDK_CERTIFICATE.fullmatch(value) is not None and _mixed(value) and not is_hex(value)


def _value_attribute(rule: Rule, hit: Hit) -> list[Finding]:
    """`<add key="DbPassword" value="..."/>`: the value attribute of an element whose key/name names a secret."""
    text, eq = hit.text, hit.anchor
    tag_start = text.rfind("<", max(0, eq - 300), eq)
    if tag_start < 0 or ">" in text[tag_start:eq]:
        return []
    named = _ATTR_NAME.search(text, tag_start, eq)
    start, end = hit.value_span()
    if named and named.group(1) == "ClientCertificate" and _sdk_certificate(text[start:end]):
        return [(start, end, "secret")]
    kind = keys.classify_key(named.group(1)) if named else None
    if kind is None or not keys.value_is_secret(named.group(1), text[start:end], kind[0], False):  # type: ignore
        return []
    return [(start, end, kind[1])]


# ProjectDiscovery's `provider-config.yaml` (subfinder, uncover): each data source's API keys listed under its name at
# the top level, `shodan:` then `  - KEY` lines (`ID:SECRET` for a pair). The names are the tools' documented sources.
_KEY_PROVIDERS = ("alienvault", "bevigil", "binaryedge", "bufferover", "c99", "censys", "certspotter", "chaos",
                  "chinaz", "criminalip", "dnsdb", "dnsrepo", "fofa", "fullhunt", "hunter", "intelx", "leakix",
                  "netlas", "passivetotal", "quake", "redhuntlabs", "securitytrails", "shodan", "threatbook",
                  "virustotal", "whoisxmlapi", "zoomeye", "zoomeyeapi")
_LIST_ITEM = re.compile(r"[ \t]*-[ \t]+[\"']?([^\s\"']+)")


def _is_key_part(part: str) -> bool:
    return looks_random(part) or is_uuid(part) or (len(part) >= 32 and is_hex(part))


def _provider_keys(rule: Rule, hit: Hit) -> list[Finding]:
    """Each item of the list under a data source's name (group `b`) that is a key or `ID:SECRET` of random parts."""
    start, end = hit.span("b")  # type: ignore[misc]
    return [(m.start(1), m.end(1), rule.label) for m in _LIST_ITEM.finditer(hit.text, start, end)
            if all(map(_is_key_part, m.group(1).split(":")))]


# A mnemonic seed phrase: 12, 15, 18, 21 or 24 lower-case words of 3 to 8 letters (BIP39's word lengths).
_SEED_WORDS = r"[a-z]{3,8}(?:[ ][a-z]{3,8}){11}(?:(?:[ ][a-z]{3,8}){3}){0,4}"
_SEED_EXAMPLE = "ribbon velvet harbor canyon tumble orbit lizard frozen pepper glimpse marble sunset"

# --- private keys ----------------------------------------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r?\n|\Z)")


def _putty_private_lines(rule: Rule, hit: Hit) -> list[Finding]:
    """The N base64 lines after `Private-Lines: N` in a PuTTY .ppk file (its `Private-MAC` is an integrity check)."""
    text, pos = hit.text, hit.end
    start = pos
    for _ in range(int(hit.text[slice(*hit.span("n"))])):  # type: ignore[misc]
        line = _LINE.match(text, pos)
        if line is None or line.end() == pos:
            break
        pos = line.end()
    return [(start, len(text[:pos].rstrip("\r\n")), rule.label)] if pos > start else []


_PASSWORD_FILE_ENTRY = re.compile(r"[ \t]*[^\s#]\S*[ \t]+(?P<v>\S+)(?:[ \t]+\S+)?[ \t]*(?:\r?\n|\Z)")


def _password_file_entries(rule: Rule, hit: Hit) -> list[Finding]:
    """The password of each `USER PASSWORD [GROUPS]` line after the header, comment lines skipped, up to the first line
    of another shape (a blank line ends the file's entries)."""
    text, pos, found = hit.text, hit.end, []
    while (line := _LINE.match(text, pos)) is not None and line.end() > pos:
        if (entry := _PASSWORD_FILE_ENTRY.match(text, pos)) is not None:
            found.append((*entry.span("v"), rule.label))
        elif not text[pos : line.end()].lstrip(" \t").startswith("#"):
            break
        pos = line.end()
    return found


_MAP_VALUE = re.compile(r"\"[^\"\r\n]{1,128}\"[ \t]*:[ \t]*\"(?P<v>[^\"\r\n]{1,256})\"")


def _map_values(rule: Rule, hit: Hit) -> list[Finding]:
    """Each `"NAME" : "VALUE"` pair's value in the braces of group `b` (a map whose values are all secrets)."""
    start, end = hit.span("b")  # type: ignore[misc]
    return [(*pair.span("v"), rule.label) for pair in _MAP_VALUE.finditer(hit.text, start, end)
            if not is_placeholder_value(pair.group("v"))]


def _jwk_private(rule: Rule, hit: Hit) -> list[Finding]:
    """Private members of a JSON Web Key (`d`, `p`, `q`, `dp`, `dq`, `qi`, symmetric `k`) in an object with `kty`."""
    text, colon = hit.text, hit.anchor
    window = text[max(0, colon - 2000) : colon + 2000]
    if '"kty"' not in window:
        return []
    start, end = hit.value_span()
    return [(start, end, rule.label)]


# --- shell commands --------------------------------------------------------------------------------------------------

# Open-Xchange's provisioning tools in /opt/open-xchange/sbin (`createcontext`, `changeuser`, `listuser`, …): run by
# that path, by a name only they have (`…context`), or by a name PostgreSQL shares (`createuser`) followed by `-A ADMIN`
# with a value (PostgreSQL's `-A` was a flag).
_OX_ADMIN_TOOLS = (r"/open-xchange/sbin/|\b(?:create|change|list|delete|enable|disable|move\w*)context\b"
                   r"|\b(?:create|change|delete|list)user\b[^\r\n]*?[ \t]-A[ \t]+[^\s-]")

_QUOTED_ARG = r"\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})'"
_ARG_VALUE = rf"(?:{_QUOTED_ARG}|(?P<v3>[^\s\"']{{1,256}}))"  # one shell argument, quoted or bare
_ACCOUNT_ARG = r"[ \t]+[^\s-]\S{0,255}"  # a positional user or account argument before a password
_LINE_END = r"[ \t]*(?=\r?\n|\Z)"
# `NAME:PASSWORD` after a local-user option or variable (`--add-local-user`, `=`, `: `): the first pair's password.
_LOCAL_USER_PAIR = r"(?:=|:?[ \t]+)[\"']?[^\s:\"',]{1,64}:(?P<v>[^\s,\"']{1,256})"
_MYSQL_COMMAND = r"\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mariadb|mariadb-dump)\b"
# Registry logins of the image-signing CLIs take the same `-u USER -p PASSWORD`: cosign's `cosign login HOST`,
# go-containerregistry's `crane auth login HOST`, Notation's `notation login HOST`.
_P_SPACED = (r"\bsshpass\b|\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oras|cosign|crane|notation)\b.*\blogin\b"
             r"|\bmongo(?:sh|dump|restore|export|import)?\b|(?i:\b(?:psexec(?:64)?|paexec)(?:\.exe)?\b)"
             r"|\baz\b.*\blogin\b")  # Azure CLI: `az login -u NAME -p SECRET`
# The commands whose one-letter option takes a password, per option and form (`-pSECRET` attached, `-p SECRET` with a
# blank): mysql prompts when its `-p` has a blank, so only the attached form counts there.
_PASSWORD_OPTIONS = {
    # 7-Zip: `7z a -pSECRET`; mydumper and myloader (GLib options) take `-pSECRET` as well as `-p SECRET` (below).
    # TDengine's `taos -u USER -pPASSWORD` (its `-p` alone prompts; `-P` is the port).
    ("p", False): re.compile(f"{_MYSQL_COMMAND}|{_P_SPACED}|\\b7za?\\b|\\bmy(?:dumper|loader)\\b|\\btaos\\b"),
    # cqlsh(1), rabbitmqadmin, Apple's `altool` and Cyrus SASL's `testsaslauthd` take `-u USER -p PASSWORD`.
    # Concourse's `fly login -u USER -p PASSWORD` (`-p` names the pipeline in `fly set-pipeline`); Conan 2's `conan
    # remote login REMOTE USER -p PASSWORD` and Conan 1's `conan user -p PASSWORD -r REMOTE USER`; HTCondor's
    # `condor_store_cred add -c -p POOL_PASSWORD`; FreeSWITCH's `fs_cli -H HOST -P PORT -p PASSWORD` (the event
    # socket's password; its `-P` is the port); Tableau's `tabcmd login -u USER -p PASSWORD` and `tsm login -u USER -p
    # PASSWORD` (a global option of both); SAP HANA's `hdbsql -u USER -p PASSWORD`. The Supabase CLI's `supabase link
    # -p` and `supabase db push|pull|dump -p` take the remote database's password; gNMIc's `gnmic -a TARGET -u USER -p
    # PASSWORD` the target's. macOS `security create-keychain|unlock-keychain -p` takes the keychain's password; `vsce
    # publish -p` and `ovsx publish -p` the Marketplace's and Open VSX's publishing token; `git secret reveal|cat -p`
    # git-secret's GPG passphrase. Out-of-band and provisioning CLIs: Foreman's `hammer -u USER -p PASSWORD`, Uyuni's
    # `spacecmd -u USER -p PASSWORD`, DMTF's `redfishtool -u USER -p PASSWORD`, Dell's `racadm -r HOST -u USER -p
    # PASSWORD` and Supermicro's Update Manager `sum -i HOST -u USER -p PASSWORD -c COMMAND` (coreutils `sum` has no
    # `-i`). Sync and transfer clients: Cyberduck's `duck --username USER -p PASSWORD`, Seafile's `seaf-cli sync -u USER
    # -p PASSWORD`, the ownCloud and Nextcloud command-line clients' `owncloudcmd`/`nextcloudcmd -u USER -p PASSWORD`.
    # Nutanix's `ncli -s HOST -u USER -p PASSWORD` (a Prism account, given for a remote cluster). Couchbase's query
    # shell and data tools (`cbq -u USER -p PASSWORD`, `cbimport|cbexport|cbbackupmgr … -u USER -p PASSWORD`);
    # Infinispan's CLI (`bin/cli.sh user create NAME -p PASSWORD`, `cli.sh connect -u USER -p PASSWORD`).
    # mydumper's and myloader's `-h HOST -u USER -p PASSWORD` (the MySQL server's). FreeIPA's installers:
    # `ipa-server-install -p DM_PASSWORD`, `ipa-ca-install`/`ipa-kra-install -p DM_PASSWORD`, `ipa-replica-install -p
    # PASSWORD` (the one-time enrollment password); `ipa-client-install -p` is a principal's name, not listed. Graph
    # database shells: Neo4j's `cypher-shell -u USER -p PASSWORD`, TigerGraph's `gsql -u USER -p PASSWORD`,
    # NebulaGraph's `nebula-console -u USER -p PASSWORD` and Dgraph's `dgraph acl add|mod -u USER -p PASSWORD`
    # (`dgraph alpha -p` is its postings directory). openfortivpn's `-u USER -p PASSWORD` (FortiGate SSL VPN).
    # NextGen Connect's (Mirth) command-line client `mccommand -a URL -u USER -p PASSWORD`.
    # Vertica's `admintools -t create_db|start_db|stop_db … -p PASSWORD` (the database superuser's).
    # UiPath's CLI `uipcli package deploy|job run … -u USER -p PASSWORD` (an on-premises Orchestrator's user).
    # DSpace's `[dspace]/bin/dspace create-administrator -e EMAIL -f FIRST -l LAST -p PASSWORD` (the new admin's).
    # Groupware admin CLIs: Zimbra's `zmprov -a ADMIN -p PASSWORD` (the SOAP login), Kopano's `kopano-admin -c|-u USER
    # -p PASSWORD` (the user's new password) and Open-Xchange's provisioning tools (`createuser|createcontext … -p
    # PASSWORD`, the new user's or context admin's; `_OX_ADMIN_TOOLS`).
    ("p", True): re.compile(f"{_P_SPACED}|\\bipa-(?:server|replica|ca|kra)-install\\b|{_OX_ADMIN_TOOLS}"
                            r"|\b(?:zmprov|kopano-admin)\b"
                            r"|\b(?:cypher-shell|gsql|nebula-console|rdesktop|ncftp(?:put|get|ls)?|cqlsh|rabbitmqadmin"
                            r"|altool"
                            r"|condor_store_cred|testsaslauthd|register_new_matrix_user|turnadmin|fs_cli|pmcmd|tabcmd"
                            r"|tsm|gnmic|hdbsql|hammer|spacecmd|redfishtool|racadm|duck|seaf-cli|(?:own|next)cloudcmd"
                            r"|ncli|cbq|cbimport|cbexport|cbbackupmgr|mydumper|myloader|openfortivpn|mccommand"
                            r"|admintools|uipcli)\b"
                            r"|\bdspace[ \t]+create-administrator\b"
                            r"|\bcli\.(?:sh|bat)[ \t]+(?:user[ \t]+(?:create|password)|connect)\b"
                            r"|\bsum[ \t]+-i[ \t]"
                            r"|\bfly\b.*[ \t](?:login|l)[ \t]|\bconan[ \t]+(?:remote[ \t]+login|user)[ \t]"
                            r"|\bsupabase[ \t]+(?:link|db)[ \t]|\bsecurity[ \t]+(?:create|unlock)-keychain\b"
                            r"|\b(?:vsce|ovsx)[ \t]+publish\b|\bgit[ \t-]secret[ \t]+(?:reveal|cat)\b"
                            r"|\bdynsec[ \t]+(?:createClient|setClientPassword)\b|\bdgraph[ \t]+acl\b"
                            r"|\bcf[ \t]+(?:login|l)\b"),
    # Informatica's `infacmd ... -un USER -pd PASSWORD` (and `infasetup`); PowerCenter's `pmcmd -u USER -p PASSWORD`
    # is above.
    ("pd", True): re.compile(r"\binfa(?:cmd|setup)\b"),
    # UiPath's CLI `uipcli … -A ORG -I APP_ID -S APP_SECRET`: the external application's secret.
    ("S", True): re.compile(r"\buipcli\b"),
    # SQL Server tools, SAP ASE's isql; OpenText Documentum's `idql REPO -Uuser -PPASSWORD` and `iapi` (its DQL and API
    # shells, also `idql32`/`iapi32` on Windows: the repository user's password).
    ("P", False): re.compile(r"\b(?:sqlcmd|bcp|osql|isql|idql(?:32|64)?|iapi(?:32|64)?)\b"),
    # zip: `zip -P SECRET`; ipmitool(1)'s `-P` is the BMC password, the Mosquitto clients' `-P` the broker's, FreeTDS
    # `tsql -U USER -P PASSWORD` the server's, Wazuh's `agent-auth -P` the enrollment password, Metasploit's
    # `msfrpcd -P` the RPC server's, macOS `security import FILE.p12 -P` the PKCS#12 file's, SAP ASE's (Sybase) `isql -U
    # USER -P PASSWORD` the server's; Aerospike's tools (`asadm`, `aql`, `asinfo`, `asbackup`, `asrestore -U USER -P
    # PASSWORD`) the cluster user's; MIT Kerberos `kdb5_util create|stash -P MASTER_PASSWORD` the database's master
    # password, FreeIPA's `ipa-server-install -P` the Kerberos master password, Documentum's `idql`/`iapi -P` the
    # repository user's.
    # Open-Xchange's provisioning tools take the master or context admin's password as `-A ADMIN -P PASSWORD`.
    ("P", True): re.compile(_OX_ADMIN_TOOLS
                            + r"|\b(?:sqlcmd|bcp|osql|zip|unzip|ipmitool|mosquitto_(?:pub|sub|rr|ctrl)|tsql|agent-auth"
                            r"|isql|msfrpcd|asadm|aql|asinfo|asbackup|asrestore|kdb5_util|idql(?:32|64)?"
                            r"|iapi(?:32|64)?)\b|\bsecurity[ \t]+import\b"
                            r"|\bipa-server-install\b"),
    ("a", False): re.compile(r"\bredis-cli\b"),
    # FreeIPA's `ipa-server-install -a ADMIN_PASSWORD` and `ipa-adtrust-install -a`; OpenLDAP's `ldappasswd -a
    # OLDPASSWORD`.
    ("a", True): re.compile(r"\bredis-cli\b|\bipa-(?:server|adtrust)-install\b|\bldappasswd\b"),
    # OpenLDAP's `ldappasswd -s NEWPASSWORD` and `slappasswd -s SECRET` (the clear text it hashes).
    ("s", True): re.compile(r"\b(?:ldappasswd|slappasswd)\b"),
    # MIT Kerberos `kadmin -p PRINCIPAL -w PASSWORD` takes the administrator's password like the OpenLDAP tools;
    # Odoo's `odoo-bin -r USER -w PASSWORD` the database's (`-w` is `--db_password`). The same LDAP bind password on
    # 389 Directory Server's `dsconf`/`dsidm -D DN -w PASSWORD`, FreeIPA's `ipa-client-install -w` and
    # `ipa-replica-install -w` (the admin's), MIT's `kdb5_ldap_util -D DN -w PASSWORD`, Samba's `smbpasswd -w` (the
    # LDAP admin's, stored in secrets.tdb), `ldapexop`.
    ("w", True): re.compile(r"\bldap(?:search|modify|add|delete|whoami|passwd|compare|modrdn|exop)\b|\bkadmin\b"
                            r"|\b(?:dsconf|dsidm|kdb5_ldap_util|smbpasswd)\b|\bipa-(?:client|replica)-install\b"
                            r"|(?<![^\s/])odoo(?:-bin)?(?=[ \t]+-)"
                            r"|\bomero\b"  # OMERO's `omero login|import -s HOST -u USER -w PASSWORD`
                            r"|\bvsql\b"),  # Vertica's `vsql -U USER -w PASSWORD` (psql's `-w` takes none)
    # `openssl enc -k PASSWORD`; Synapse's `register_new_matrix_user -k REGISTRATION_SHARED_SECRET`.
    ("k", True): re.compile(r"\bopenssl\b.*\benc\b|\bopenssl[ \t]+(?:aes|des|bf|camellia|chacha)"
                            r"|\bregister_new_matrix_user\b"),
}


def _shell_p_option(rule: Rule, hit: Hit) -> list[Finding]:
    """A command's password option: `mysql -pSECRET`, `sshpass -p SECRET`, `docker login -p SECRET`, `mongosh -p`,
    `sqlcmd -P`, `redis-cli -a`, `ldapsearch -w`, on the same command line (continuation lines included)."""
    text, dash, (option_start, option_end) = hit.text, hit.anchor, hit.span("o")  # type: ignore[misc]
    commands = _PASSWORD_OPTIONS.get((text[option_start:option_end], text[option_end : option_end + 1] in (" ", "\t")))
    if commands is None or not commands.search(_command_line(text, dash)):
        return []
    start, end = hit.value_span()
    value = text[start:end]
    # altool's `-p @keychain:ITEM` and `-p @env:NAME` name where the password is kept.
    if is_placeholder_value(value) or value.startswith(("@keychain:", "@env:")):
        return []
    return [(start, end, rule.label)]


# QA and code-quality CLIs whose option takes the service's token under a name that does not say so: Cypress Cloud's
# and Artillery Cloud's `run --record --key KEY`; Strapi's `strapi export|import --key KEY` (the archive's encryption
# key); the Codecov uploaders' `-t TOKEN` (`codecov`, `codecovcli
# upload-process`, the bash uploader fetched from codecov.io); SentinelOne's Windows installer's `-t SITE_TOKEN`. The
# same value shape after `--ci-build-id` or `--commit-sha` is an id. Instana's host agent installer's `setup_agent.sh -a
# AGENT_KEY -d DOWNLOAD_KEY`.
_INSTANA_SETUP = re.compile(r"\bsetup_agent\.sh\b")
_TOKEN_OPTIONS = {
    # UiPath's `UiRobot.exe connect --url URL --key MACHINE_KEY` (the machine's key, a GUID, connects it to
    # Orchestrator; its option names are case-insensitive).
    "-key": re.compile(r"\b(?:cypress|artillery)\b.*[ \t]run[ \t]|\bstrapi[ \t]+(?:export|import)\b"
                       r"|(?i:\buirobot(?:\.exe)?\"?[ \t]+connect\b)"),
    "t": re.compile(r"\bcodecov|\bSentinelOneInstaller"),
    "a": _INSTANA_SETUP,
    "d": _INSTANA_SETUP,
}
_TOKEN_ARG = re.compile(r"(?=\S*\d)[\w.+/=:-]{16,256}")  # a bare token: 16+ characters with a digit


def _token_arg(rule: Rule, hit: Hit) -> list[Finding]:
    """A token given as a command's argument: quoted, or a bare token (not prose's `--key <your key>`)."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if (hit.span("v3") is not None and not _TOKEN_ARG.fullmatch(value)) or is_placeholder_value(value):
        return []
    return [(start, end, rule.label)]


def _token_option(rule: Rule, hit: Hit) -> list[Finding]:
    """A token option of one of `_TOKEN_OPTIONS`' commands, on the same command line (continuation lines included)."""
    commands = _TOKEN_OPTIONS[hit.text[slice(*hit.span("o"))]]  # type: ignore[misc]
    return _token_arg(rule, hit) if commands.search(_command_line(hit.text, hit.anchor)) else []


def _camel_raw(rule: Rule, hit: Hit) -> list[Finding]:
    """`NAME=RAW(value)` in an Apache Camel endpoint URI: the whole value, whatever it holds, under an option name that
    names a secret (`password`, `secretKey`, `authPassword`)."""
    name = _KEY_HEAD.search(hit.text, max(0, hit.anchor - 80), hit.anchor - 1)
    return _named_value(name.group(), rule, hit) if name else []


# The SSISDB catalog procedures' arguments: a value is secret when the call marks it `@sensitive = 1` or names it as
# one (`@variable_name = N'SftpPassword'`, `@parameter_name = N'CM.Warehouse.Password'`).
_SSISDB_SENSITIVE = re.compile(r"(?i)@sensitive[ \t]*=[ \t]*(?:1|N?'?true'?)(?![\w'])")
_SSISDB_NAME = re.compile(r"(?i)@(?:variable|parameter)_name[ \t]*=[ \t]*N?'([^'\r\n]{1,128})'")


def _ssisdb_value(rule: Rule, hit: Hit) -> list[Finding]:
    """`@value`/`@parameter_value` in an SSISDB `catalog.` procedure call (the statement up to its `;`)."""
    text = hit.text
    head, tail = text.rfind(";", 0, hit.anchor) + 1, text.find(";", hit.anchor)
    call = text[head : len(text) if tail < 0 else tail]
    if "catalog" not in call.lower():
        return []
    name = _SSISDB_NAME.search(call)
    kind = keys.classify_key(name.group(1)) if name else None
    if _SSISDB_SENSITIVE.search(call) is None and (kind is None or kind[0] != "strong"):
        return []
    return _groups(rule, hit)


def _password_arg(rule: Rule, hit: Hit) -> list[Finding]:
    """A password given as a command's argument: quoted, or a bare word with more than letters (not prose's
    `run pmpasswd to encrypt it`)."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if (hit.span("v3") is not None and value.isalpha()) or is_placeholder_value(value):
        return []
    return [(start, end, rule.label)]


_ENCODE_KEY = re.compile(r"--key=(?P<v>[^\s'\"]{1,256})")


def _encode_password(rule: Rule, hit: Hit) -> list[Finding]:
    """Liberty's `securityUtility encode [--key=KEY] PLAIN`: the plain text, and the AES key its `{aes}` output
    decrypts with."""
    options = _ENCODE_KEY.search(hit.text, *hit.span("o"))  # type: ignore[misc]
    key = [] if options is None or is_placeholder_value(options.group("v")) else [(*options.span("v"), rule.label)]
    return _password_arg(rule, hit) + key


def _pair_password(rule: Rule, hit: Hit) -> list[Finding]:
    """`USER:PASSWORD` given to an option (skopeo's and buildah's `--creds`): the part after the first colon; without
    one the tool prompts for the password."""
    start, end = hit.value_span()
    colon = hit.text.find(":", start, end)
    value = hit.text[colon + 1 : end]
    if colon < 0 or not value or hit.text[start] in "$<[{" or value[0] in "$<[{" or is_placeholder_value(value):
        return []
    return [(colon + 1, end, rule.label)]


def _model_password(rule: Rule, hit: Hit) -> list[Finding]:
    """A WebLogic Deploy Tooling model's `...Encrypted:` attribute in clear text; `@@SECRET:...@@`, `@@PROP:...@@`
    and `@@ENV:...@@` are the tool's references to a value kept elsewhere."""
    start, _ = hit.value_span()
    return [] if hit.text.startswith("@@", start) else _bundler_credentials(rule, hit)


def _sops_value(rule: Rule, hit: Hit) -> list[Finding]:
    """A SOPS value's ciphertext; not the `mac` (`sops_mac=` in dotenv and INI files), which checks the file."""
    line_start = hit.text.rfind("\n", 0, hit.match.start()) + 1
    head = hit.text[line_start : hit.match.start()].rstrip(" \t\"'=:")
    return [] if head.endswith("mac") else _bundler_credentials(rule, hit)


# Options only coturn's turnserver.conf has: its `user=NAME:PASSWORD` lines are long-term credentials there.
_TURNSERVER_CONF = re.compile(r"(?m)^[ \t]*(?:realm|lt-cred-mech|use-auth-secret|static-auth-secret|listening-port)\b")


def _turnserver_user(rule: Rule, hit: Hit) -> list[Finding]:
    """coturn's `user=NAME:PASSWORD` (or `NAME:0xKEY`), only in a file with turnserver.conf's own options."""
    return _pair_password(rule, hit) if _TURNSERVER_CONF.search(hit.text) else []


def _htpasswd_batch(rule: Rule, hit: Hit) -> list[Finding]:
    """`htpasswd -b FILE USER PASSWORD`; with `-n` (print, no file) `htpasswd -bn USER PASSWORD`."""
    prints = "n" in hit.text[slice(*hit.span("fl"))]  # type: ignore[misc]
    return _bundler_credentials(rule, hit) if prints == (hit.span("f") is None) else []


# A debconf answer (a preseed file, `debconf-set-selections` input): `OWNER QUESTION TYPE VALUE`, the question a path
# (`passwd/root-password`), the type `password`; the line commented out or echoed into the command.
_DEBCONF_HEAD = re.compile(r"""[ \t]*#?[ \t]*(?:echo[ \t]+["']?)?[a-z0-9][a-z0-9.+-]{0,63}[ \t]+"""
                           r"[a-z0-9][\w.+-]{0,63}/[\w./+-]{1,128}[ \t]+")


def _debconf_answer(rule: Rule, hit: Hit) -> list[Finding]:
    """The value of a debconf question of type `password`."""
    at = hit.match.start()
    line_start = hit.text.rfind("\n", 0, at) + 1
    return _bundler_credentials(rule, hit) if _DEBCONF_HEAD.fullmatch(hit.text, line_start, at) else []


# A netrc(5) entry up to its `password` token: `machine HOST` (or `default`), then only `login`/`account`/`port` pairs;
# SAS's `_authinfo` file spells them `host HOST` (at a line's start) and `user`.
_NETRC_ENTRY = re.compile(r"(?:\bmachine\s+\S+|(?m:^)host[ \t]+\S+|\bdefault)"
                          r"(?:\s+(?:login|user|account|port)\s+\S+)+\s+\Z")
# A fetchmailrc(5) entry up to its `password` token: a line that starts with `poll`/`skip`/`defaults` (and its
# indented continuation lines), ending in `user NAME` and the grammar's noise words (`user 'x' there with password`).
_FETCHMAIL_ENTRY = re.compile(r"(?m)^[ \t]*(?:poll|skip|defaults)\b[^\n]*(?:\n[ \t]+[^\n]*)*"
                              r"\buser(?:name)?[ \t]+\S+(?:\s+(?:there|here|with|has|wants|and|options))*\s+\Z")
_MYSQLADMIN = re.compile(r"\bmysqladmin\b")  # `mysqladmin -u root password NEWPASSWORD`
_KEY_HEAD = re.compile(r"[A-Za-z0-9_.]+\Z")
_KEY_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_."


def _key_start(text: str, start: int, end: int) -> int:
    """Where the run of `_KEY_HEAD`'s characters that ends at `end` begins, not before `start` (`end` when there is
    none): one `rstrip`, where the regex's search tried each start of the window (a log's `Failed password`)."""
    window = text[start:end]
    return end - len(window) + len(window.rstrip(_KEY_CHARACTERS))


# What may come before a `KEY VALUE` pair on its line: Apache's `SetEnv`, csh's `setenv`, fish's `set -x`, Tcl's `set`
# (a Dockerfile's `ENV KEY VALUE` has a rule of its own, for any key that names a secret); fish's exports also as
# fish_history stores them, after its `- cmd: ` entry head; Metasploit's `set`/`setg` of a module option (`set SMBPass
# VALUE`), also after msfconsole's prompt (`msf6 exploit(windows/smb/psexec) > `, `_MSF_SET`); Windows' `setx NAME
# VALUE` (a user variable, kept in the registry).
_FISH_EXPORTS = ("set -x", "set -gx", "set -Ux")
_DIRECTIVE_PREFIXES = frozenset({"", "SetEnv", "setenv", "set", "setg", "setx", *_FISH_EXPORTS,
                                 *(f"- cmd: {export}" for export in _FISH_EXPORTS)})
_MSF_SET = re.compile(r"[ \t]*msf\d?(?:[ \t]+[\w-]{1,32}\([^()\r\n]{1,80}\))?[ \t]*>[ \t]*setg?[ \t]+")


def _named_directive(rule: Rule, hit: Hit, key_start: int, line_start: int, line_end: int) -> list[Finding]:
    """`KEY VALUE` alone on its line (or after one of `_DIRECTIVE_PREFIXES`), the key naming a password; a quoted value
    loses its quotes."""
    text, (start, end) = hit.text, hit.value_span()
    key = text[key_start : hit.match.start()] + text[hit.match.start() : start].split()[0]
    rest = text[end : None if line_end < 0 else line_end]
    if (text[line_start:key_start].strip() not in _DIRECTIVE_PREFIXES
            and not _MSF_SET.fullmatch(text, line_start, key_start)) or rest.strip():
        return []
    kind = keys.classify_key(key)
    quoted = end - start > 2 and text[start] in "\"'" and text[end - 1] == text[start]
    # A column of values aligned after the keys (`vault read`'s `Key  Value` table) holds any secret a key names; so
    # does one blank before a token-like value (Fluentd's `hec_token <uuid>`, `api_key <hex>` in a `<match>` block).
    aligned = kind is not None and kind[0] == "strong" \
        and (text[start - 2 : start].isspace() or keys.token_like(text[start:end]))
    if quoted:
        start, end = start + 1, end - 1
    value = text[start:end]
    word = value.rstrip(".!")  # a message's full stop (`Password updated.`)
    prose = not quoted and word.isalpha() and (word.istitle() or (key.istitle() and word.islower()))
    if kind is None or (kind[1] != "password" and not aligned) or prose \
            or not keys.value_is_secret(key, value, kind[0], quoted):
        return []  # a capitalised word after a capitalised key is a heading (`pass`'s `Password Store`), a lower-case
        # word after a sentence's first word a message (Moodle's `reset_password.php` prints `Password changed`)
    return [(start, end, rule.label)]


def _spaced_secret(rule: Rule, hit: Hit) -> list[Finding]:
    """`KEY VALUE` alone on its line, the key ending in the rule's word (a lower-case `apikey` too, which `_directive`
    would take as a keyword of its own)."""
    text, at = hit.text, hit.match.start()
    line_start, line_end = text.rfind("\n", 0, at) + 1, text.find("\n", hit.value_span()[1])
    return _named_directive(rule, hit, _key_start(text, max(line_start, at - 80), at), line_start, line_end)


# A Jetty realm.properties line up to its first value: `user: ` (see the `MD5:`/`CRYPT:` rules).
_REALM_USER = re.compile(r"[\w.@-]{1,64}:[ \t]*\Z")


def _realm_line(rule: Rule, hit: Hit) -> list[Finding]:
    """A realm.properties credential: the scheme's value is the first thing after `user:` on its line."""
    line_start = hit.text.rfind("\n", 0, hit.match.start()) + 1
    if _REALM_USER.match(hit.text, line_start, hit.match.start()) is None:
        return []
    start, end = hit.value_span()
    return [(start, end, rule.label)]


def _base64_pem(rule: Rule, hit: Hit) -> list[Finding]:
    """Base64 of a PEM block whose header names a private key (not a certificate or a public key)."""
    start, end = hit.value_span()
    try:
        header = base64.b64decode(hit.text[start : start + min(64, (end - start) // 4 * 4)])
    except (binascii.Error, ValueError):
        return []
    return [(start, end, rule.label)] if b"PRIVATE" in header.split(b"\n", 1)[0] else []


# SQL statements that set a password, up to the literal: MySQL/MariaDB `CREATE USER … IDENTIFIED [WITH plugin] BY '…'`,
# `GRANT … IDENTIFIED BY`, `SET PASSWORD … = PASSWORD('…')`; PostgreSQL and Cassandra `CREATE|ALTER USER|ROLE …
# [WITH] [ENCRYPTED] PASSWORD '…'`.
# mysql's history file (`~/.mysql_history`) stores each blank as `\040`, which also hides the words' edges from `\b`.
# MariaDB's server_audit log quotes the whole statement and escapes its quotes (`IDENTIFIED BY \'…\'`).
_SQL_BLANK = r"(?:[ \t]|\\040)"
_SQL_PASSWORD = re.compile(rf"(?i)(?:(?<![a-z])identified(?![a-z])[^'\r\n]*(?<![a-z])by"
                           rf"|(?<![a-z])(?:create|alter){_SQL_BLANK}+(?:user|role)(?![a-z])[^\r\n]*(?<![a-z])password"
                           rf"|(?<![a-z])password{_SQL_BLANK}*\("
                           rf"|(?<![a-z])set{_SQL_BLANK}+password(?!\w)[^\r\n]*=){_SQL_BLANK}*\Z")


def _sql_password(rule: Rule, hit: Hit) -> list[Finding]:
    """The literal of a SQL statement that sets a password (history files, init scripts, dumps, audit logs)."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    if not _SQL_PASSWORD.search(hit.text, line_start, hit.anchor - (hit.text[hit.anchor - 1] == "\\")):
        return []
    start, end = hit.value_span()
    value = hit.text[start:end]
    if is_placeholder_value(value) or (value.isalpha() and len(value) < 6):
        return []  # `'pass'`, `'test'`: a word standing in for a password, as for the config directives
    return [(start, end, rule.label)]


# `echo SECRET` (optionally quoted, `-n`/`-e`) right before the pipe, as a command: at the start of the line, after
# `;`/`&&` or a blank (`then echo`, a crontab schedule `0 */8 * * * echo ...`); `printf '%s' SECRET` prints it bare.
_ECHOED = re.compile(r"""(?<![^\s;&])(?:echo|printf(?:[ \t]+(?:'%s'|"%s"|%s))?)(?:[ \t]+-[neE]+)?[ \t]+"""
                     r"""(?:'([^'\r\n]{1,256})'|"([^"\r\n]{1,256})"|([^\s'"|;&]{1,256}))[ \t]*\Z""")


# Commands that read a password on their standard input: `sudo -S`, `chpasswd` (`user:password`), `passwd --stdin`,
# `kinit`, `vncpasswd -f`, `docker login --password-stdin` (and other `--password-stdin` logins), `cryptsetup` (which
# reads a LUKS passphrase from a pipe: `open --key-file=-`, `luksAddKey DEV -`), AnyDesk's `--set-password` (the
# unattended-access password) and `--register-license` (a license key), FreeIPA's `ipa user-add|user-mod … --password`
# (the new password, read from a pipe), Samba's `smbpasswd -s` (the new password, twice, on standard input),
# openconnect's `--passwd-on-stdin` (AnyConnect, GlobalProtect, Fortinet and Pulse logins).
_STDIN_READERS = (r"sudo\b[^|\r\n]*?[ \t]-S\b"
                  r"|(?:sudo[ \t]+)?(?:chpasswd|passwd[ \t]+--stdin\b|kinit\b|vncpasswd[ \t]+-f\b|cryptsetup\b)"
                  r"|[^|\r\n]*?--password-stdin\b"
                  r"|[^|\r\n]*?--passwd-on-stdin\b"
                  r"|[^|\r\n]*?(?i:anydesk)(?:\.exe)?\"?[ \t]+--(?:set-password|register-license)\b"
                  r"|ipa[ \t]+user-(?:add|mod)\b[^|\r\n]*?[ \t]--password\b(?![-=])"
                  r"|(?:sudo[ \t]+)?smbpasswd\b[^|\r\n]*?[ \t]-[a-z]*s\b")


def _piped_password(rule: Rule, hit: Hit) -> list[Finding]:
    """The string echoed into a command that reads a password on its standard input."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    echoed = _ECHOED.search(hit.text, line_start, hit.anchor)
    if echoed is None:
        return []
    group = next(g for g in (1, 2, 3) if echoed.group(g) is not None)
    start, end = echoed.span(group)
    if hit.text.startswith("chpasswd", hit.end - 8):  # `user:password` lines (the match ends with the command)
        start = hit.text.find(":", start, end) + 1 or end
    value = hit.text[start:end]
    return [] if start >= end or is_placeholder_value(value) else [(start, end, rule.label)]


def _dockerfile_env(rule: Rule, hit: Hit) -> list[Finding]:
    """`ENV KEY VALUE` as an instruction: only blanks before it on its line."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    return _keyed_value(rule, hit) if not hit.text[line_start : hit.anchor].strip() else []


_QT_VALUE_HEAD = re.compile(r"""[ \t]*=[ \t]*"?\Z""")


def _qt_byte_array(rule: Rule, hit: Hit) -> list[Finding]:
    """QSettings' `Section\\Key=@ByteArray(...)` (a Qt application's .conf/.ini) under a key that names a secret."""
    head = hit.text.rfind("\n", 0, hit.anchor) + 1
    assigned = _QT_VALUE_HEAD.search(hit.text, head, hit.anchor)
    if assigned is None or keys.classify_key(keys.key_before(hit.text, assigned.start() + assigned.group().index("=")))\
            is None:
        return []
    return _bundler_credentials(rule, hit)


# HTCondor's token tools (`condor_token_fetch`, `_create`, `_request`): `-token NAME` names the file under tokens.d.
_TOKEN_FILE_TOOLS = re.compile(r"\bcondor_token_\w+")


def _dash_option(rule: Rule, hit: Hit) -> list[Finding]:
    """`-password X`, `-vaultToken X`, `-passin pass:X`: quoted, or a value with letters and digits."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    option = hit.text[hit.anchor + 1 : start].split()[0].split("=")[0].lower()
    if option == "token" and _TOKEN_FILE_TOOLS.search(_command_line(hit.text, hit.anchor)):
        return []
    if option in ("pass", "passin", "passout"):
        if not value.startswith("pass:"):
            return []  # OpenSSL's `env:VAR`, `file:path`, `fd:N`, `stdin`
        start, value = start + 5, value[5:]
    if hit.span("v3") is not None and not (len(value) >= 8 and any(map(str.isdigit, value))
                                           and any(map(str.isalpha, value))):
        return []
    return [] if is_placeholder_value(value) else [(start, end, rule.label)]


def _curl_option(rule: Rule, hit: Hit) -> list[Finding]:
    """The literal of a libcurl option named after a secret; `user:password` options keep the user name."""
    start, end = hit.value_span()
    name = hit.text[slice(*(hit.span("k") or (0, 0)))]
    if keys.classify_key(name) is None and not name.endswith("BEARER"):
        return []
    if name.endswith("USERPWD"):
        start = hit.text.find(":", start, end) + 1 or start
    return [] if start >= end or is_placeholder_value(hit.text[start:end]) else [(start, end, rule.label)]


def _padded_arrow(rule: Rule, hit: Hit) -> list[Finding]:
    """`key   => "value"`: the key before the padded arrow names a secret."""
    return _named_value(keys.key_before(hit.text, hit.anchor - 1), rule, hit)


_PRINTF_FIELD = re.compile(r"%[sd](?:\\[nrt])*[\"']?")
# ScreenOS `set admin password "…"`, `set user "NAME" password "…"`, EdgeOS `set service dns dynamic … password …`.
_DEVICE_USER = re.compile(r"[ \t]*(?:enable|username[ \t]+\S+(?:[ \t]+privilege[ \t]+\d+)?"
                          r"|set(?:[ \t]+[\w.\"-]{1,64}){1,12})[ \t]+")
# A network device's CLI prompt before a command: `WG(config)#`, `(Cisco Controller) >`,
# SonicOS' `(edit-user-local-user[alice])#`.
_CLI_PROMPT = re.compile(r"[ \t]*[\w.@-]{0,64}(?:[ \t]*\([^()\r\n]{1,80}\))+[ \t]*[#>][ \t]*")


def _directive(rule: Rule, hit: Hit) -> list[Finding]:
    """`KEYWORD VALUE` alone on its line (a config directive), or `password VALUE` in a netrc entry (after `machine`
    or `default` and `login`). A bare `password`/`secret` directive needs a value that does not read as a word."""
    text, at = hit.text, hit.match.start()
    start, end = hit.value_span()
    line_start, line_end = text.rfind("\n", 0, at) + 1, text.find("\n", end)
    key_start = _key_start(text, max(line_start, at - 80), at)
    if key_start < at or not text[at].islower():
        return _named_directive(rule, hit, key_start, line_start, line_end)
    # redis-cli's `CONFIG SET requirepass VALUE` sets the directive at run time.
    # The rest of the line first: a log's `Failed password for root from …` goes on after its word.
    alone = not text[end : None if line_end < 0 else line_end].strip() \
        and (text[line_start:at].strip().upper() in ("", "CONFIG SET") or _CLI_PROMPT.fullmatch(text, line_start, at))
    keyword = text[at:start].split()[0]
    wordy = keyword in ("password", "secret") and (text[start:end].rstrip(".,;:!?").isalpha() or end - start < 6)
    directive = alone and not wordy
    fetchmail = False
    if keyword == "password" and not directive:
        # Each context is tried only when its word is near: a log's `Failed password for` is on most lines of some.
        # (Searched for in place: a copy of the 400 characters is made only for an entry's pattern.)
        near = max(0, at - 400)
        netrc = (text.find("machine", near, at) >= 0 or text.find("default", near, at) >= 0
                 or text.startswith(("host ", "host\t"), line_start)) \
            and (entry := _NETRC_ENTRY.search(text[near:at])) is not None \
            and ("login" in entry.group() or "user" in entry.group())
        # fetchmailrc(5): `poll HOST protocol imap user "joe" password "secret"`.
        fetchmail = (text.find("poll", near, at) >= 0 or text.find("skip", near, at) >= 0
                     or text.find("defaults", near, at) >= 0) \
            and _FETCHMAIL_ENTRY.search(text[near:at]) is not None
        # Cisco IOS `enable password SECRET`, `username NAME [privilege N] password [0] SECRET`; HAProxy's
        # `user NAME insecure-password SECRET` in a userlist; `mysqladmin -u root password NEW`.
        line = text[line_start:at]
        if not (netrc or fetchmail or _DEVICE_USER.fullmatch(line)
                or ("mysqladmin" in line and _MYSQLADMIN.search(line))
                or (text.startswith("insecure-", at - 9) and line.lstrip().startswith("user "))):
            return []
    elif not directive:
        return []
    if _PRINTF_FIELD.fullmatch(text, start, end):
        return []  # `printf 'machine HOST login USER password %s\n' "$TOKEN"` writes a netrc entry from a variable
    if fetchmail and end - start > 2 and text[start] in "\"'" and text[end - 1] == text[start]:
        start, end = start + 1, end - 1  # fetchmail quotes its strings
        return [] if is_placeholder_value(text[start:end]) else [(start, end, rule.label)]
    return _bundler_credentials(rule, hit)


_RELAY_HOST = re.compile(r"[ \t]*\[[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def _sasl_passwd(rule: Rule, hit: Hit) -> list[Finding]:
    """`[relay.host]:port user:password`: only when the line starts with the bracketed host name (dots in it)."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    return _bundler_credentials(rule, hit) if _RELAY_HOST.fullmatch(hit.text, line_start, hit.anchor) else []


# A Postfix sasl_passwd(5) entry: the relay (`[host]:port`) or, with `smtp_sender_dependent_authentication`, the sender
# (`user@domain`, `@domain`), then `user:password`.
_SASL_PASSWD_ENTRY = re.compile(r"[ \t]*(?:\[[^\]\s]{1,253}\](?::\d{1,5})?|[\w.+-]{0,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+)"
                                r"[ \t]+[^\s:\[]{1,128}:(?P<v>[^\s]{1,256})[ \t]*")


# A proxychains `[ProxyList]` entry: `type host port`, then an optional `user password`.
_PROXYCHAINS_ENTRY = re.compile(r"[ \t]*(?:socks[45]|https?|raw)[ \t]+[\w.:-]{1,253}[ \t]+\d{1,5}"
                                r"(?:[ \t]+\S{1,128}[ \t]+(?P<v>\S{1,256}))?[ \t]*")


def _proxychains_entries(rule: Rule, hit: Hit) -> list[Finding]:
    """The passwords of the entries under proxychains' `[ProxyList]`, up to the first line that is not one."""
    return _entry_values(rule, hit, _PROXYCHAINS_ENTRY, lambda value: False)


def _sasl_passwd_entries(rule: Rule, hit: Hit) -> list[Finding]:
    """The entries under a line that names the sasl_passwd file (a comment, `cat`), sender-keyed ones included."""
    return _entry_values(rule, hit, _SASL_PASSWD_ENTRY, lambda value: False)


_EXIM_MACRO = re.compile(r"[A-Z][A-Z0-9_]*")


def _exim_server_password(rule: Rule, hit: Hit) -> list[Finding]:
    """The password field of an Exim `*_servers` entry; an upper-case name is a macro defined elsewhere (its own line
    is caught by its name)."""
    start, end = hit.value_span()
    return [] if _EXIM_MACRO.fullmatch(hit.text, start, end) else _bundler_credentials(rule, hit)


# A string literal as a call's argument (double- or single-quoted, on one line).
_STR_ARG = r"(?:\"[^\"\r\n]{0,256}\"|'[^'\r\n]{0,256}')"
# A string literal converted in place: Rust's owned `String` (`"…".to_owned()`), as lettre's examples pass them, and
# Java's `"…".toCharArray()` (`new PasswordAuthentication(user, "…".toCharArray())`).
_TO_OWNED = r"(?:\.to_owned\(\)|\.toCharArray\(\))?"


# An argument before a positional literal: a literal, or a name (MATLAB's `database(datasource, …)`, Julia's
# `MySQL.Connection`).
_NAME_OR_STR_ARG = r"(?:" + _STR_ARG + r"|[A-Za-z_][\w.]{0,64})"


def _positional_literal(names: tuple[str, ...], arg: str, index: int) -> str:
    """A string literal as the argument after `index` others (each an `arg`) of one of these callees; blanks and line
    breaks between them (PHP's one argument a line)."""
    return (r"\(" + _after_calls(names) + (r"\s{0,16}" + arg + r"\s{0,16},") * index
            + r"\s{0,16}(?:" + _QUOTED_ARG + r")\s{0,16}[,);]")


def _after_calls(names: tuple[str, ...]) -> str:
    """A `(` just after one of these callees (each a fixed-width pattern ending before the parenthesis)."""
    return "(?:" + "|".join(rf"(?<={name}\()" for name in names) + ")"


def _last_chars(names: tuple[str, ...]) -> str:
    """The class of the characters these names (literal endings) end with: what a rule anchored right after one of
    them finds before its anchor (its `before`)."""
    return f"[{''.join(sorted({name[-1] for name in names}))}]"


def _bundler_credentials(rule: Rule, hit: Hit) -> list[Finding]:
    start, end = hit.value_span()
    return [] if is_placeholder_value(hit.text[start:end]) else [(start, end, rule.label)]


_DRAGENT_COLLECTOR = re.compile(r"(?m)^collector:[ \t]*[\"']?[A-Za-z0-9][\w.-]*\.[A-Za-z]")


def _dragent_access_key(rule: Rule, hit: Hit) -> list[Finding]:
    """Sysdig's `customerid:` only in a dragent.yaml: the text also sets `collector:` to a host name."""
    return _bundler_credentials(rule, hit) if _DRAGENT_COLLECTOR.search(hit.text) else []


def _agent_passphrase(rule: Rule, hit: Hit) -> list[Finding]:
    """A literal passphrase, not a shell or cmd.exe variable (`"$S1_PASSPHRASE"`, `%PASSPHRASE%`)."""
    start, end = hit.value_span()
    if hit.text[start:end][:1] in ("$", "%"):
        return []
    return _bundler_credentials(rule, hit)


def _positional_password(rule: Rule, hit: Hit) -> list[Finding]:
    """A positional password, but not Toggl Track's documented filler `api_token` (the token is the user there, which
    the rule after this one takes)."""
    start, end = hit.value_span()
    return [] if hit.text[start:end] == "api_token" else _bundler_credentials(rule, hit)


def _named_user_password(rule: Rule, hit: Hit) -> list[Finding]:
    """A password literal after a user given by name: a digit in it, or both letter cases (not a filler)."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if not (any(c.isdigit() for c in value) or (any(c.islower() for c in value) and any(c.isupper() for c in value))):
        return []
    return _bundler_credentials(rule, hit)
_SIGNIN_CALLS = (r"\.get_token", r"\.authorize", r"\.authenticate", r"\.sign_in")
_SIGNIN_PASSWORD = re.compile(r"(?=[^\s]*[A-Za-z])(?=[^\s]*[\d!#$%&*+?@^~=,;])[^\s/:]{6,128}")


def _signin_password(rule: Rule, hit: Hit) -> list[Finding]:
    """The second literal of a sign-in method that names no password (`get_token`, `authorize`): taken only when it
    reads as one (see the rule), never an action, a scope or a URL."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if _SIGNIN_PASSWORD.fullmatch(value) is None or is_placeholder_value(value):
        return []
    return [(start, end, rule.label)]


def _rpc_passwords(rule: Rule, hit: Hit) -> list[Finding]:
    """rpcclient's new password (group `v…`) and, for `chgpasswd`, the old one before it (group `o…`)."""
    found = _bundler_credentials(rule, hit)
    for group in ("o1", "o3"):
        if (span := hit.span(group)) is not None and not is_placeholder_value(hit.text[slice(*span)]):
            found.append((*span, rule.label))
    return found


# An entry of an nginx `map` block: a source value (quoted or bare), blanks, the mapped value, `;`.
_NGINX_MAP_ENTRY = re.compile(r"[ \t]*(?:\"(?P<v1>[^\"\r\n]{0,256})\"|'(?P<v2>[^'\r\n]{0,256})'"
                              r"|(?P<v3>[^\s\"';{}]{1,256}))[ \t]+[^\r\n;{}]{1,256};[ \t]*(?:#[^\r\n]*)?\r?(?:\n|\Z)")


def _nginx_map_keys(rule: Rule, hit: Hit) -> list[Finding]:
    """The source values of an nginx `map $http_apikey $client { "KEY" "client_one"; ... }` block (NGINX's API
    gateway pattern): each key that names a client, up to the block's `}`; nginx's own parameters (`default`,
    `hostnames`, `include`, `volatile`), regexes (`~`) and variables are not keys."""
    text, found, at = hit.text, [], hit.end
    while (entry := _NGINX_MAP_ENTRY.match(text, at)) is not None:
        at = entry.end()
        start, end = entry.span(entry.lastgroup or "v3")
        value = text[start:end]
        if value not in ("default", "hostnames", "include", "volatile") and not value.startswith(("~", "$")) \
                and keys.token_like(value) and not is_placeholder_value(value):
            found.append((start, end, rule.label))
    return found


# A credential stated in prose (tickets, chat, e-mail, handover notes): the rule matches a separator and the value
# after it, and the extractor reads the line's text before the match for what makes it a credential.
_STATED_WORDS = r"(?<![\w-])(?:pass(?:word|phrase|code|wd)?|pw|pwd|secret|token)(?![\w-])"
# `the password is X`, `New password for the relay user u@example.com is "X"`: a secret word, then at most seven
# words of the same clause (a word may hold inner dots or an `@`, not end a sentence).
_STATED_IS = re.compile(rf"(?i){_STATED_WORDS}(?:[ \t]+[^\s.!?;,:()@]+(?:[.@][^\s.!?;,:()@]+)*){{0,7}}[ \t]*\Z")
# `login admin / X`, `creds: deploybot / X`: a login word and one user name before the slash.
_STATED_SLASH = re.compile(r"(?i)(?<![\w-])(?:login|logon|creds?|credentials|user/pass(?:word)?)[ \t]*:?[ \t]+"
                           r"[\w.@-]{1,64}[ \t]*\Z")
# `username opsadmin password X`, `with username `admin` and password `X``.
_STATED_USER = re.compile(r"(?i)(?<![\w-])(?:username|login)[ \t]+`?[\w.@-]{1,64}`?,?[ \t]+(?:and[ \t]+)?\Z")
_STATED_TAIL = ".,;:!?)"  # sentence punctuation after a bare value
_STATED_NOT_VALUE = re.compile(r"[\w-]+(?:\.[\w-]+)+|.*://.*|[/<$%{\[].*")  # host, version, file, URL, path


# Words one of which every match of a `_stated` pattern holds (in lower case): an ASCII line without one is no
# statement, found without the pattern's search, which tries each of the line's characters (a log's `... is ...`).
_STATED_LITERALS = {_STATED_IS: ("pass", "pw", "secret", "token")}


def _stated(before: re.Pattern[str]) -> Extractor:
    """The value after a prose statement whose line, up to the match, ends as `before` says: with a digit and a letter
    (digits alone are a count, an id or a documented default PIN), not a host name, version, path, URL or
    placeholder."""
    words = _STATED_LITERALS.get(before, ())

    def extract(rule: Rule, hit: Hit) -> list[Finding]:
        start, end = hit.value_span()
        if hit.span("v3"):
            end = start + len(hit.text[start:end].rstrip(_STATED_TAIL))
        value = hit.text[start:end]
        line = hit.text[hit.text.rfind("\n", 0, hit.anchor) + 1 : hit.anchor][-160:]
        if words and line.isascii() and not any(word in line.lower() for word in words):
            return []
        if before.search(line) is None or is_placeholder_value(value):
            return []
        if len(value) < 6 or not any(c.isalpha() for c in value) or _STATED_NOT_VALUE.fullmatch(value):
            return []
        return [(start, end, rule.label)]

    return extract


# The stated value after blanks: quoted, backticked or bare, with a digit.
_STATED_VALUE = (r"[ \t]+(?=\S*\d)(?:\"(?P<v1>[^\"\s]{4,128})\"|'(?P<v2>[^'\s]{4,128})'"
                 r"|`(?P<v4>[^`\s]{4,128})`|(?P<v3>[^\s\"'`]{4,128}))")


def _cookie_jar_value(rule: Rule, hit: Hit) -> list[Finding]:
    """A cookie's value that could be a session's credential (a random token), not `lang=en-US` or a flag."""
    start, end = hit.value_span()
    value = hit.text[start:end].rstrip()
    return [(start, start + len(value), rule.label)] if keys.token_like(value) or looks_random(value) else []


# A Perforce server address before a ticket's `=`: `host:port`, `ssl:host:port` (`tcp6:`, `ssl64:`, …), an IPv4
# address and port.
_P4_ADDRESS = re.compile(r"(?:(?:ssl|tcp)(?:4|6|46|64)?:)?[\w.-]{1,253}:\d{1,5}")


def _tweepy_args(i: int) -> str:
    """The `i`th credential literal after tweepy's consumer key, its groups named for `_sdk_key_arguments`."""
    return rf"\s{{0,16}},\s{{0,16}}(?:\"(?P<a{i}>[^\"\r\n]{{1,256}})\"|'(?P<b{i}>[^'\r\n]{{1,256}})')"


_TWEEPY_ARGS = ("Kq8vR2mTp9LwX4zN7bYc3Hd5s", "Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5GaQe7Tn",
                "1456789012-Lp9Vx2Rk7Tm4Wq8Zc3Nb6Yd1Hs5Jf", "Zr3Xc8Vb2Nm7Lk4Jh9Gf1Ds6Aq5Wp0Eo3Iu")
_TWEEPY_AUTH = "auth = tweepy.OAuth1UserHandler(\n    {}, {},\n    {}, {}\n)".format(*(f'"{a}"' for a in _TWEEPY_ARGS))


def _looks_like_key(value: str) -> bool:
    """A positional argument only its callee marks as a key must look like one (letters and digits, no blank, not a
    URL or a host), so a test double's `"test-secret"`, a placeholder or an endpoint stays."""
    return (len(value) >= 8 and _mixed(value) and not any(c.isspace() for c in value) and "." not in value
            and ":" not in value and not is_placeholder_value(value))


def _sdk_key_argument(rule: Rule, hit: Hit) -> list[Finding]:
    start, end = hit.value_span()
    return [(start, end, rule.label)] if _looks_like_key(hit.text[start:end]) else []


def _letters_and_digits(rule: Rule, hit: Hit) -> list[Finding]:
    """A value with letters and digits both, not a placeholder: a licence key passed by position (Apryse's hold `:`
    and blanks: `demo:1765101234567:7e…`; not `YOUR_LICENSE_KEY`), an authorization code under its own key (not an
    exit code)."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    ok = any(c.isdigit() for c in value) and any(c.isalpha() for c in value) and not is_placeholder_value(value)
    return [(start, end, rule.label)] if ok else []


# OAuth 2.0's token request for the authorization-code grant (RFC 6749 4.1.3): its `code=` is the one-time code
# that buys the tokens, in the same form body as `grant_type=authorization_code` (on its line or a few lines around,
# curl's `-d` arguments).
_AUTH_CODE_GRANT = re.compile(r"grant_type=authorization_code(?![\w-])")


def _authorization_code(rule: Rule, hit: Hit) -> list[Finding]:
    found = _letters_and_digits(rule, hit)
    if not found:
        return []
    start, end, _ = found[0]
    near = _AUTH_CODE_GRANT.search(hit.text, max(0, start - 1024), min(len(hit.text), end + 1024))
    return found if near else []


def _sdk_key_arguments(rule: Rule, hit: Hit) -> list[Finding]:
    """Each of several positional keys of one call (groups `a0`/`b0`, `a1`/`b1`, …: double- or single-quoted)."""
    spans = filter(None, (hit.span(f"{quote}{i}") for i in range(3) for quote in "ab"))
    return [(start, end, rule.label) for start, end in spans if _looks_like_key(hit.text[start:end])]


_ASANA_HEAD = re.compile(r"(?<![\w/.:-])[0-9]/[0-9]{10,19}(?:/[0-9]{10,19})?\Z")


def _asana_token(rule: Rule, hit: Hit) -> list[Finding]:
    """An Asana personal access token (`2/<user gid>/<app gid>:<32 hex>`, older `1/<gid>:<32 hex>`): the rule anchors
    at the colon, so the version and the gids are read back from there; without them the hex stays."""
    head = _ASANA_HEAD.search(hit.text, max(0, hit.anchor - 42), hit.anchor)
    return [(head.start(), hit.end, rule.label)] if head else []


def _discord_bot_token(rule: Rule, hit: Hit) -> list[Finding]:
    """A Discord bot token's first part is the bot's numeric id in unpadded base64: decoding it to 18-20 digits tells
    a token from any other dotted name (the rule anchors at the first dot, so the part is read back from there)."""
    start = hit.anchor
    while start > hit.anchor - 28 and start and (hit.text[start - 1].isascii() and hit.text[start - 1].isalnum()):
        start -= 1
    head, before = hit.text[start:hit.anchor], hit.text[start - 1:start]
    if len(head) not in (24, 26, 27) or (before and (before.isalnum() or before in "_-")):
        return []
    ident = base64.b64decode(head + "=" * (-len(head) % 4))
    return [(start, hit.end, rule.label)] if ident.isdigit() and 18 <= len(ident) <= 20 else []


def _column_rows(cell: str) -> Extractor:
    """An extractor for the value shaped as `cell` on each row under a table header that names a token column, up to
    the first row without one (Purity's `pureadmin list` shows `****` there once the token was read)."""
    found_in = re.compile(rf"(?<![\w.-]){cell}(?![\w.-])").search

    def rows(rule: Rule, hit: Hit) -> list[Finding]:
        findings: list[Finding] = []
        for line in _LINE.finditer(hit.text, hit.match.end()):
            row = found_in(hit.text, line.start(), line.end())
            if not line.group() or row is None or len(findings) >= 100:
                break
            findings.append((row.start(), row.end(), rule.label))
        return findings

    return rows


# A shell command that prints a secret it names: a read (`vault read`, `kubectl get … jsonpath='{.data.password}'`,
# `etcdctl get …/smtp_password`, `echo $DB_PASSWORD`, `cat …/token`, `base64 -d`), up to 400 characters.
# `create`/`generate`: a command that makes a secret and prints it once (`vault token create -field=token`, Plesk's
# `secret_key --create`).
# `printenv NAME`: the variable's value (Replit's `printenv SESSION_SECRET`).
_PRINTS = re.compile(r"\b(?:get|read|cat|echo|printf|print|printenv|show|reveal|decode|base64|jsonpath|jq|view|create"
                     r"|generate)\b")
# `.key`: a key file (Artifactory's `master.key`, Rails' `config/master.key`); `creds`: Artifactory's `bootstrap.creds`;
# `psk`: a Wi-Fi key (`nmcli -s -g 802-11-wireless-security.psk connection show NAME`); `.irodsA`: iRODS's scrambled
# (reversible) copy of the user's password; `id_ed25519` (not `.pub`): an SSH-style private key file, which RustDesk's
# server keeps as one base64 line with no header; `vault_pass`: an Ansible vault password file (`~/.vault_pass.txt`,
# `vault-pass-prod`); `pw` as a word of the name: a password file given to a tool's `-y FILE` (`~/.ldap_admin_pw`,
# `db.pw`); `session_key`: a saved API session's key (pylast's `~/.lastfm_session_key`). An encrypted password
# database (`Passwords.kdbx`) is not one: its dump is ciphertext.
_SECRET_WORD = re.compile(r"(?i)(password|passwd|passphrase|secret|token|api[-_]?key|credential|creds\b|\.key\b"
                          r"|(?<![a-z0-9])pw(?![a-z0-9])"
                          r"|session[-_]?key"
                          r"|(?<![a-z])data[-_]key\b"
                          r"|vault[-_.]?pass(?![a-z])"
                          r"|\bpsk\b|\.irodsA\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b(?!\.pub))(?![\w-]*\.kdbx?\b)")
# Commands whose whole output is a stored secret, whatever they name: macOS `security find-generic-password -w` (also
# `-wa NAME`), libsecret's `secret-tool lookup`, python-keyring's `keyring get`, KWallet's `kwallet-query -r`, `pass`
# and `gopass` (`[show] ENTRY`: the entry's first line is its password), 1Password's `op read`, PowerShell's
# `.GetNetworkCredential().Password` and a `-AsPlainText` read (`Get-Secret`, `ConvertFrom-SecureString`); commands that
# print a credential they make or export: Maven's `mvn --encrypt-[master-]password` (its `{…}` ciphertext, which the
# master password in settings-security.xml decrypts), `anaconda auth --create` (a new token), JFrog CLI's
# `jf config export` (the server's URL, user and access token, base64-encoded), Icinga 2's
# `icinga2 pki ticket --cn NAME` (an agent's enrolment ticket) and `openssl rand -hex|-base64 N` (how a PSK, a shared
# secret or a `secret_key` is usually made: Zabbix's `openssl rand -hex 32 > zabbix_agentd.psk`); the GitHub CLI's
# `gh auth token` and Coder's `coder login token` (each prints the session's token "for use in scripts"); CyberArk's
# Credential Provider `clipasswordsdk GetPassword … -o …Password` (the fetched password, after the other fields asked
# for), Conjur's `conjur host|user rotate-api-key` (a new API key) and `data-key generate` (the server's data key).
_REVEALS = re.compile(r"\bsecurity[ \t]+find-(?:generic|internet)-password\b.*[ \t]-[a-zA-Z]*w"
                      r"|\bsecret-tool[ \t]+lookup\b|\bkeyring[ \t]+get\b|\bkwallet-query\b.*[ \t]-r\b"
                      r"|^(?:go)?pass[ \t]+(?:show[ \t]+)?(?:-\S+[ \t]+)*"
                      r"(?!(?:ls|list|find|grep|search|insert|edit|rm|mv|cp|git|init|generate|otp|help|version)\b)"
                      r"[\w@.][^\s]*[ \t]*$|^op[ \t]+read\b"
                      r"|\.GetNetworkCredential\(\)\.Password\b|[ \t]-AsPlainText\b"
                      r"|\bmvn\b.*[ \t]--encrypt-(?:master-)?password\b|\banaconda[ \t]+auth\b.*[ \t]--create\b"
                      r"|\bjf(?:rog)?[ \t]+(?:c|config)[ \t]+export\b"
                      r"|\bicinga2[ \t]+pki[ \t]+ticket\b|\bopenssl[ \t]+rand\b.*[ \t]-(?:hex|base64)\b"
                      r"|(?:\bgh[ \t]+auth|\bcoder[ \t]+login)[ \t]+token"
                      r"(?:[ \t]+(?:-h|--hostname|-u|--user)[ \t]+\S+)*$"
                      r"|\bclipasswordsdk(?:\.exe)?[ \t]+GetPassword\b.*[ \t]-o[ \t]+\S*Password\b"
                      r"|\bconjur[ \t]+(?:host|user)[ \t]+rotate-api-key\b|\bdata-key[ \t]+generate[ \t]*$")
# gopass prints `Secret: ENTRY` and a blank line before the entry; keepassxc-cli asks `Enter password to unlock DB: `
# for the database's own password (typed, not echoed) before the attribute it prints.
_ENTRY_HEADER = re.compile(r"[ \t]*Secret: \S+[ \t]*\r?\n(?:[ \t]*\r?\n)?"
                           r"|Enter (?:password|passphrase) to unlock [^\r\n]{1,300}:[ \t]*\r?\n")
_MAP_ENTRY = re.compile(r'"[^"\r\n]{1,253}"\s*:\s*"(?P<v>[^"\r\n]{1,512})"')


_MAP_KEY = re.compile(r"""(?:"(?P<v1>[^"\r\n]{8,256})"|'(?P<v2>[^'\r\n]{8,256})')\s*:""")


def _map_keys(rule: Rule, hit: Hit) -> list[Finding]:
    """Each quoted key of a dict literal (group `b`) that maps secrets to names; placeholders stay."""
    start, end = hit.span("b")  # type: ignore[misc]
    found: list[Finding] = []
    for m in _MAP_KEY.finditer(hit.text, start, end):
        group = "v1" if m.group("v1") is not None else "v2"
        if not is_placeholder_value(m.group(group)):
            found.append((m.start(group), m.end(group), rule.label))
    return found


_QUERY_PARAM = re.compile(r"(?<=[?&])(?P<k>[A-Za-z]{1,16})=(?P<v>[^\s&#\"'<>]{1,512})")
_SUBSONIC_ENC = re.compile(r"enc:(?=(?:[0-9a-fA-F]{2}){3,})")


def _query_values(wanted: dict[str, str], requires: tuple[str, ...] = ()) -> Extractor:
    """The values of the named parameters of a URL's query (group `q`), each with its label, when the query also has
    every parameter in `requires`; `enc:` before hex (the Subsonic API's hex-encoded password) stays, the hex goes;
    placeholders and `${…}`/`$VAR` references stay."""

    def extract(rule: Rule, hit: Hit) -> list[Finding]:
        start, end = hit.span("q")  # type: ignore[misc]
        params = list(_QUERY_PARAM.finditer(hit.text, start - 1, end))
        names = {m.group("k") for m in params}
        if not all(name in names for name in requires):
            return []
        found: list[Finding] = []
        for m in params:
            label = wanted.get(m.group("k"))
            value, v_start = m.group("v"), m.start("v")
            if label is None or "$" in value or "{" in value or is_placeholder_value(value):
                continue
            enc = _SUBSONIC_ENC.match(value)
            if enc is not None:
                v_start += enc.end()
            elif len(value) < 4:
                continue
            found.append((v_start, m.end("v"), label))
        return found

    return extract


def _host_map_values(rule: Rule, hit: Hit) -> list[Finding]:
    """Each value of a flat JSON object of `"HOST": "TOKEN"` pairs (group `b`)."""
    start, end = hit.span("b")  # type: ignore[misc]
    return [(m.start("v"), m.end("v"), rule.label) for m in _MAP_ENTRY.finditer(hit.text, start, end)
            if not is_placeholder_value(m.group("v"))]


def _key_pattern(key: str) -> str:
    """`KEY=VALUE`, `KEY: VALUE` (quotes around either) for a key pattern the keyword rules do not read as secret."""
    return key + r"[\"']?[ \t]*[:=][ \t]*[\"']?(?P<v>[^\s\"';&]{6,256})"


# A line that opens a file's content rather than a printed value: a section header (`[registries.NAME]`), a markup
# tag (`<settings>`, `<id>nexus</id>`).
_CONTENT_START = re.compile(r"\[[\w.\-\" ]{1,80}\]|<[A-Za-z?!/][^<>]*>.*")
# A `key=value` line (`git credential fill`'s `username=alice`): a key's own rule judges it.
_ASSIGNMENT_LINE = re.compile(r"[A-Za-z_][\w.-]{0,63}=(?!=)\S")
# A YAML mapping key opening a block (`bin/rails credentials:show` prints `doordash:` above its indented entries): the
# entries are judged by their own keys.
_MAPPING_KEY = re.compile(r"[A-Za-z_][\w.-]{0,63}:")
_ROOT_PROMPT = re.compile(r"[\w.-]{1,64}@[\w.-]{1,64}:[^\s#]{0,200}#")
# A request header the command sends (`curl -H "X-API-Key: …" … | jq`), its credentials (`curl -u "token-…:…"`,
# Rancher's API keys) or a URL query parameter named for a credential (Upstash's `curl "…/get/KEY?_token=…"`): a secret
# it names goes out, not into the output.
_SENT = re.compile(r"""(?:-H|--header|(?<![\w-])-u|--user)[ \t]+(?:"[^"\r\n]*"|'[^'\r\n]*'|\S+)"""
                   r"""|[?&][\w.\-]*(?i:token|key|secret|auth|pass)[\w.\-]*=[^\s&"'#]*""")


# A file named for a password by the abbreviation `pw` between separators (`prov-pw`, `db.pw`, `root_pw.txt`), as
# smallstep's guides write one for `--password-file`/`--provisioner-password-file`.
_PW_FILE = re.compile(r"(?i)(?:^|[-_.])pw(?:$|[-_.])")


def _echo_to_secret_file(rule: Rule, hit: Hit) -> list[Finding]:
    """`echo VALUE > FILE` (or `| tee FILE`) into a file named for a secret (`_SECRET_WORD`; Wazuh's `authd.pass`), the
    value one word without a shell expansion (`echo "export PW=${pw}" | tee pw.sh` writes a script)."""
    name = hit.text[slice(*hit.span("f"))].rsplit("/", 1)[-1]  # type: ignore[misc]
    start, end = hit.value_span()
    value = hit.text[start:end]
    if "$" in value or any(map(str.isspace, value)) or not (_SECRET_WORD.search(name) or name.endswith(".pass")
                                                           or _PW_FILE.search(name)):
        return []
    return _bundler_credentials(rule, hit)


# A credentials file's `user:password` line (SOGo's `/etc/sogo/sieve.creds`): the part after the colon is judged alone.
_CREDS_PAIR = re.compile(r"[\w.@-]{1,64}:(?!//)(\S{6,256})")


# The field a command's closing `jq` filter selects (`| jq -r '.[].AccessorID'`): an id or a name is what it prints.
_JQ_FIELD = re.compile(r"""\bjq\b[^|]*?\.([A-Za-z_]\w{0,63})\)?["']?[ \t]*\Z""")
_ID_FIELD = re.compile(r"(?i)(?:id|ids|name|names)\Z")


def _printed_secret(rule: Rule, hit: Hit) -> list[Finding]:
    """The lines a command prints right after its prompt line when the command reads a secret it names (or is one of
    `_REVEALS`): each a single token that reads as a secret (up to a blank line, the next prompt or five lines)."""
    text, (c_start, c_end) = hit.text, hit.value_span()
    line_start = text.rfind("\n", 0, hit.anchor) + 1
    if text[hit.anchor] == "#" and not _ROOT_PROMPT.fullmatch(text, line_start, hit.anchor + 1):
        return []  # a bare `# ` starts a comment; only Debian's root prompt `root@host:/dir# ` is one
    command = text[c_start:c_end]
    if command.rstrip().endswith("\\"):
        return []  # a command continued on the next line (`\`) prints nothing there
    field = _JQ_FIELD.search(command)
    if field is not None and _ID_FIELD.search(field.group(1)) and not _SECRET_WORD.search(field.group(1)):
        return []  # `consul acl token list -format=json | jq -r '.[].AccessorID'` prints the tokens' ids
    named = _SECRET_WORD.search(_SENT.sub(" ", command))
    word = named.group(1) if named is not None and _PRINTS.search(command) else None
    if word is None and _REVEALS.search(command.strip()):
        word = "password"
    if word is None:
        return []
    found: list[Finding] = []
    pos = c_end + 1
    if (header := _ENTRY_HEADER.match(text, pos)) is not None:
        pos = header.end()
    for _ in range(5):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end].strip()
        if (not line or line.startswith(("$ ", "# ", ">")) or len(line.split()) > 1 or _CONTENT_START.fullmatch(line)
                or _MAPPING_KEY.fullmatch(line)):
            break
        a = text.index(line, pos)
        label = "password" if word.lower().startswith(("pass", "pw")) else "secret"
        if len(line) >= 6 and not line.isalpha() and line not in command and not _ASSIGNMENT_LINE.match(line):
            pair = _CREDS_PAIR.fullmatch(line)
            if keys.value_is_secret(word, line, "strong", False):
                found.append((a, a + len(line), label))
            elif pair is not None and keys.value_is_secret(word, pair.group(1), "strong", False):
                found.append((a + pair.start(1), a + pair.end(1), label))  # SOGo's `sieve.creds`: `user:password`
        pos = end + 1
    return found


# What may come right before a Tasmota command: the line's start, a `;` in a `Backlog`, a blank, the `:` of `CMD:`.
_COMMAND_START = re.compile(r"(?<![^\n;: \t])(?:Mqtt|Web)?\Z")


def _tasmota_command(rule: Rule, hit: Hit) -> list[Finding]:
    """A Tasmota password command's value: in a `Backlog` or a console log's `CMD:` line, or typed alone on its line
    (not a sentence that starts with the command's name)."""
    text, end = hit.text, hit.value_span()[1]
    line_start = text.rfind("\n", 0, hit.anchor) + 1
    if not _COMMAND_START.search(text, line_start, hit.anchor):
        return []  # inside a longer word (`SetPassword1 x`)
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if "Backlog" in line or "CMD:" in line or not text[end : len(text) if line_end < 0 else line_end].strip():
        return _bundler_credentials(rule, hit)
    return []


# Commands whose `--secret` is a flag or names a secret object: `pulumi config set --secret KEY VALUE` (the value is
# taken by its own rule), `virsh secret-set-value --secret UUID` (the libvirt secret's id; its value follows
# `--base64`, taken by its own rule).
_SECRET_FLAG = re.compile(r"\bpulumi[ \t]+config[ \t]+set[ \t]|\bvirsh\b[^\r\n]*?[ \t]secret-[a-z-]{2,20}[ \t]")


def _pulumi_config_set(rule: Rule, hit: Hit) -> list[Finding]:
    """`pulumi config set [--secret] KEY VALUE`: the value, when given as a secret or under a key that names one."""
    if "--secret" in hit.text[slice(*hit.span("f"))]:  # type: ignore[misc]
        return _bundler_credentials(rule, hit)
    return _keyed_value(rule, hit)


# MeshCentral's `--createaccount USER --pass PASSWORD`; curl's `--pass PHRASE`, the `--key` private key's passphrase.
# redis-cli's and valkey-cli's `--pass PASSWORD` (the same as `-a`).
_BARE_PASS_TOOLS = re.compile(r"\b(?:meshcentral|curl|redis-cli|valkey-cli|keydb-cli)\b")
# LastPass's `lpass show --password ENTRY`: the option picks the field to print, the entry's name follows; AnyDesk's
# `--set-password [PROFILE]` reads the password on its standard input, the word after it names a permission profile.
_OPTION_NAMES_FIELD = re.compile(r"\blpass[ \t]+show\b|(?i:\banydesk)(?:\.exe)?\"?[ \t]")


# Where a signing tool reads the password from rather than the password: apksigner's `--ks-pass env:NAME` and
# `--key-pass file:PATH` (its `pass:VALUE` is the password itself).
_PASSWORD_SOURCE = re.compile(r"(?:env|file):[^\s:]+")


# A long option that runs a word into its secret word (`--grouppassword`, `--jwtsecret`), and a file path after it.
_RUN_TOGETHER_OPTION = re.compile(r"--(?:[a-z0-9]+[-_.])*[a-z]{2,16}(?:password|passwd|passphrase|secret)")
_FILE_ARG = re.compile(r"(?:~|\.{1,2})?/|[A-Za-z]:\\")


def _long_option(rule: Rule, hit: Hit) -> list[Finding]:
    """`--password VALUE`: an unquoted short lower-case word is prose naming the option (`Using --password via the
    CLI is insecure`), not its value."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if hit.span("v3") is not None and ((value.isalpha() and value.islower() and len(value) < 16)
                                       or _PASSWORD_SOURCE.fullmatch(value)):
        return []
    if _SECRET_FLAG.search(_command_line(hit.text, start)):
        return []
    line = _command_line(hit.text, hit.anchor)
    if hit.text[hit.anchor : start].split()[0] == "--pass" and not _BARE_PASS_TOOLS.search(line):
        return []  # a bare `--pass` is a count as often (x264's `--pass 1`); MeshCentral's and curl's take a secret
    if _OPTION_NAMES_FIELD.search(line):
        return []  # `lpass show --password ENTRY`, `anydesk --set-password _full_access`: not the secret
    if _RUN_TOGETHER_OPTION.fullmatch(hit.text[hit.anchor : start].split()[0]) and _FILE_ARG.match(value):
        return []  # geth's `--authrpc.jwtsecret /var/lib/ethereum/jwt.hex`: a file that holds the secret
    return _bundler_credentials(rule, hit)


def _named_long_option(rule: Rule, hit: Hit) -> list[Finding]:
    """`--masterKey VALUE`: the value of an option whose name is a strong secret name."""
    name = hit.text[slice(*hit.span("k"))]  # type: ignore[misc]
    kind = keys.classify_key(name)
    start, end = hit.value_span()
    if kind is None or kind[0] != "strong" \
            or not keys.value_is_secret(name, hit.text[start:end], "strong", hit.span("v3") is None):
        return []
    return _long_option(rule, hit)


def _redis_auth(rule: Rule, hit: Hit) -> list[Finding]:
    """redis-cli's `AUTH [user] password` starting its line, the password not a plain word, quoted or not, nor
    punctuation alone (a HOCON block's `auth {`, TheHive's connector settings, amanda-client.conf's `auth "bsdtcp"`)."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    return [] if value.strip("\"'").isalpha() or not any(map(str.isalnum, value)) else _line_start_directive(rule, hit)


# A Redis command's name as `MONITOR` prints it (each argument double-quoted), before a later argument on its line.
_REDIS_AUTH_COMMAND = re.compile(r'(?i)"(HELLO|MIGRATE)"[^\r\n]*\Z')


def _redis_quoted_auth(rule: Rule, hit: Hit) -> list[Finding]:
    """The password of `AUTH`/`AUTH2` inside a longer command in `MONITOR` output: `"HELLO" "3" "AUTH" user pw`,
    `"MIGRATE" … "AUTH" pw` and `"MIGRATE" … "AUTH2" user pw` (a lone `"AUTH" [user] pw` line has its own rule)."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    command = _REDIS_AUTH_COMMAND.search(hit.text, line_start, hit.anchor)
    if command is None:
        return []
    span = hit.span("b") if command.group(1).upper() == "HELLO" or hit.span("two") else hit.span("a")
    if span is None or is_placeholder_value(hit.text[span[0] : span[1]]):
        return []
    return [(span[0], span[1], rule.label)]


# `ACL SETUSER name … >password …`: typed, in `MONITOR` output (`">password"`) or in redis-cli's numbered reply to
# `SLOWLOG GET` (one argument a line: `5) ">password"`), read until the line or the numbered arguments end.
_ACL_ARGUMENTS = re.compile(r'[^\r\n]*(?:\r?\n[ \t]*\d{1,3}\) "[^\r\n]*){0,64}')
_ACL_PASSWORD = re.compile(r'(?:(?<=")>([^"\r\n]{1,256})(?=")|(?<![^\s])>([^\s"]{1,256}))')


def _acl_setuser(rule: Rule, hit: Hit) -> list[Finding]:
    """Each `>password` rule of an `ACL SETUSER` command."""
    window = _ACL_ARGUMENTS.match(hit.text, hit.end)
    found = (m.span(1) if m.group(1) is not None else m.span(2)
             for m in _ACL_PASSWORD.finditer(hit.text, hit.end, window.end() if window else hit.end))
    return [(a, b, rule.label) for a, b in found if not is_placeholder_value(hit.text[a:b])]


_SQL_ACCOUNT_STATEMENT = re.compile(r"[ \t]*(?i:CREATE|ALTER|GRANT)\b")
# The same statement mid-line, quoted or after a log's `: `, right before `IDENTIFIED` (an Oracle audit file's
# `ACTION :[54] 'ALTER USER …`, `statement: CREATE USER …`); prose ("to create user accounts identified by") is not.
_SQL_USER_BEFORE = re.compile(r"(?i)(?:['\"`]|:[ \t]+)(?:CREATE|ALTER)[ \t]+USER[ \t]+[^\s'(]{1,128}[ \t]+\Z")


def _sql_identified(rule: Rule, hit: Hit) -> list[Finding]:
    """Oracle's `IDENTIFIED BY pw` only in a statement that starts the line (`CREATE USER`, `ALTER USER`, `GRANT`) or
    right after `CREATE|ALTER USER name`: prose says "identified by their badge" too."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    if not (_SQL_ACCOUNT_STATEMENT.match(hit.text, line_start)
            or _SQL_USER_BEFORE.search(hit.text, line_start, hit.anchor)):
        return []
    return _bundler_credentials(rule, hit)


# Db2 CLP's and Informix's (and embedded SQL's) `CONNECT TO DB USER NAME USING PASSWORD`: the words before `USING`.
_CONNECT_USER = re.compile(r"(?i)(?<![\w-])connect[ \t]+to[ \t]+\S{1,256}[ \t]+user[ \t]+\S{1,256}[ \t]+\Z")


_SNMP_SERVER = re.compile(r"[ \t]*snmp-server[ \t]+")
_JUNOS_BLOCK = re.compile(r"[ \t]+\{")


# The value of a network device's configuration statement, last on its line, quotes taken off.
_VALUE_WORD = r"[ \t]+" + _ARG_VALUE
# A positional argument: quoted, or a bare word that is no variable, redirection or pipe.
_POSITIONAL_VALUE = r"(?:'(?P<v1>[^'\r\n]{1,128})'|\"(?P<v2>[^\"\r\n]{1,128})\"|(?P<v3>[^\s'\"$<>|;&]\S{0,127}))"
_LAST_VALUE = _VALUE_WORD + _LINE_END
# A value with more of the command after it (SNMPv3 users: `authpwd A privpwd B`).
_NEXT_VALUE = _VALUE_WORD + r"(?=[ \t\r\n]|\Z)"
_SHELL_VARIABLE = re.compile(r"\$\{?[A-Za-z_]\w*\}?")
# A word that names a secret, before an encoding modifier on the same line.
_SECRET_WORD_BEFORE = re.compile(r"(?i)(?:pass(?:word|wd)?|secret|psk|key)\b")


def _device_value(rule: Rule, hit: Hit) -> list[Finding]:
    """A device statement's secret, last on its line: not a lower-case word (`pre-shared-key first` in prose), a
    variable or a placeholder; with its confirmation copy (group `c`) when the command takes it twice."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if (value.isalpha() and value.islower()) or _SHELL_VARIABLE.fullmatch(value) or is_placeholder_value(value):
        return []
    copy = hit.span("c")
    return [(start, end, rule.label), *([(*copy, rule.label)] if copy else [])]


_RADIUS_SERVER = re.compile(r"[ \t]*(?:set[ \t]+system[ \t]+)?(?:radius|tacacs)-server\b")
# WatchGuard's `auth-server radius …` after its prompt.
_PROMPTED_AUTH_SERVER = re.compile(r"auth-server[ \t]+(?:radius|tacacs)\b")


def _radius_key(rule: Rule, hit: Hit) -> list[Finding]:
    """The shared secret on a line that starts with `radius-server`/`tacacs-server` (or Junos' `set system …`), or
    WatchGuard's `auth-server radius …` after its prompt."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    prompt = _CLI_PROMPT.match(hit.text, line_start)
    if not (_RADIUS_SERVER.match(hit.text, line_start)
            or (prompt and _PROMPTED_AUTH_SERVER.match(hit.text, prompt.end()))):
        return []
    return _device_value(rule, hit)


_KEY_BLOCK_HEADER = re.compile(r"(?:radius|tacacs)[ -]server[ \t]|wlan[ \t]+auth-server[ \t]")


def _block_key(rule: Rule, hit: Hit) -> list[Finding]:
    """An indented `key VALUE` first on its line, in a block whose header (the nearest line above that is not
    indented, within 30 lines) names a RADIUS or TACACS+ server."""
    text = hit.text
    line_start = text.rfind("\n", 0, hit.anchor) + 1
    if line_start == hit.anchor or text[line_start : hit.anchor].strip():
        return []
    for _ in range(30):
        if line_start == 0:
            return []
        line_start = text.rfind("\n", 0, line_start - 1) + 1
        if text[line_start : line_start + 1] not in (" ", "\t"):
            return _device_value(rule, hit) if _KEY_BLOCK_HEADER.match(text, line_start) else []
    return []


def _line_before(test: Callable[[str, int, int], object], extract: Extractor) -> Extractor:
    """`extract`, only where `test` (a pattern's bound `match`, `fullmatch` or `search`) passes on the line's text
    before the anchor."""

    def guarded(rule: Rule, hit: Hit) -> list[Finding]:
        return extract(rule, hit) if test(hit.text, hit.text.rfind("\n", 0, hit.anchor) + 1, hit.anchor) else []

    return guarded


def _after_line_prefix(prefix: str) -> Extractor:
    """A device value whose line, up to the match, is `prefix` (a directive's key, a prompt): tac_plus's
    `login = cleartext VALUE`, Jasmin jcli's `> password VALUE`."""
    return _line_before(re.compile(prefix).fullmatch, _device_value)


# The brace block an AAA directive is in: radsecproxy's `client|server NAME {`, tac_plus-ng's `device|host NAME {`.
_AAA_BLOCK = re.compile(r"[ \t]*(?:client|server|device|host)[ \t]+\S{1,128}[ \t]*\{[ \t]*(?:\r?\n|\Z)")
# tac_plus(-ng)'s own syntax: a `user = NAME {` or `group = NAME {` block, or the daemon's name.
_TACACS_CONF = re.compile(r"^[ \t]*(?:user|group)[ \t]*=[ \t]*[\w.@-]{1,64}[ \t]*\{|\btac_plus", re.MULTILINE)


def _aaa_block_value(rule: Rule, hit: Hit) -> list[Finding]:
    """A `secret VALUE` or `key = VALUE` directive first on its line, in a brace block whose header (the nearest line
    above that opens one, within 30 lines) is an AAA client, server or device; a `key` also at the top of a tac_plus
    configuration."""
    text, at = hit.text, hit.match.start()
    line_start = text.rfind("\n", 0, at) + 1
    if text[line_start:at].strip():
        return []
    if text.startswith("key", at) and _TACACS_CONF.search(text):
        return _device_value(rule, hit)
    for _ in range(30):
        if line_start == 0:
            return []
        line_end, line_start = line_start - 1, text.rfind("\n", 0, line_start - 1) + 1
        if text[line_start:line_end].rstrip().endswith("{"):
            return _device_value(rule, hit) if _AAA_BLOCK.match(text, line_start) else []
    return []


def _encoded_value(rule: Rule, hit: Hit) -> list[Finding]:
    """`<secret word> … <modifier> VALUE`: the line names a secret before the encoding modifier."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    if not _SECRET_WORD_BEFORE.search(hit.text, line_start, hit.match.start()):
        return []
    return _device_value(rule, hit)


def _uci_option(rule: Rule, hit: Hit) -> list[Finding]:
    """OpenWrt UCI's `option NAME 'VALUE'` starting its line, the name naming a secret (a wifi-iface's `key` is its
    pre-shared key)."""
    text, at = hit.text, hit.match.start()
    if text[text.rfind("\n", 0, at) + 1 : at].strip():
        return []
    name = text[slice(*hit.span("k"))]  # type: ignore[misc]
    kind = ("strong", "password") if name == "key" else keys.classify_key(name)
    start, end = hit.value_span()
    if kind is None or not keys.value_is_secret(name, text[start:end], kind[0], hit.span("v3") is None):
        return []
    return [(start, end, kind[1])]


def _snmp_community(rule: Rule, hit: Hit) -> list[Finding]:
    """Cisco's `snmp-server community NAME` (the command starts its line), or Junos' `community NAME {` inside an
    `snmp` block: BGP policies name communities the same way."""
    text, at = hit.text, hit.match.start()
    cisco = _SNMP_SERVER.fullmatch(text, text.rfind("\n", 0, at) + 1, at) is not None
    junos = _JUNOS_BLOCK.match(text, hit.value_span()[1]) is not None and "snmp" in text[max(0, at - 300) : at]
    return _bundler_credentials(rule, hit) if cisco or junos else []


_TAG = re.compile(r"[ \t]*(?:[CS]:[ \t]*)?[A-Za-z0-9.]{1,16}[ \t]+\Z")


def _sasl_plain(rule: Rule, hit: Hit) -> list[Finding]:
    """SASL PLAIN's base64 of `authzid NUL user NUL password`: only what decodes to that."""
    start, end = hit.value_span()
    try:
        decoded = base64.b64decode(hit.text[start:end], validate=True)
    except ValueError:
        return []
    return [(start, end, rule.label)] if decoded.count(b"\0") == 2 else []


def _transcript_pass(rule: Rule, hit: Hit) -> list[Finding]:
    """FTP/POP3 `PASS pw`: the command starts its line (after a transcript's `C:`), a `USER` line came just before."""
    text, at = hit.text, hit.match.start()
    line_start = text.rfind("\n", 0, at) + 1
    if text[line_start:at].strip() not in ("", "C:") or "USER " not in text[max(0, line_start - 300) : line_start]:
        return []
    return _bundler_credentials(rule, hit)


def _transcript_login(rule: Rule, hit: Hit) -> list[Finding]:
    """IMAP `tag LOGIN user pw`: a tag alone before the command (a literal's `{n}` puts the value on the next line)."""
    text, at = hit.text, hit.match.start()
    if text[hit.value_span()[0]] == "{" or not _TAG.fullmatch(text, text.rfind("\n", 0, at) + 1, at):
        return []
    return _bundler_credentials(rule, hit)


def _openssl_passwd(rule: Rule, hit: Hit) -> list[Finding]:
    """`openssl passwd [options] PASSWORD`: not when the passwords come from `-stdin` or `-in FILE`."""
    options = hit.text[slice(*hit.span("o"))] if hit.span("o") else ""
    return [] if "-stdin" in options or "-in" in options.split() else _bundler_credentials(rule, hit)


def _basic_credentials(rule: Rule, hit: Hit) -> list[Finding]:
    start, end = hit.value_span()
    return [(start, end, rule.label)] if decodes_to_credentials(hit.text[start:end]) else []


_REDIS_ACL = re.compile(r"[ \t]*user[ \t]+\S+[ \t]+(?:on|off|reset|resetpass|nopass|~|&|\+|-|>|<|#|%)")
_INDENT = re.compile(r"[ \t]*")  # what an ACL line holds before its `user` (the rule's `line_head`)


def _redis_acl(rule: Rule, hit: Hit) -> list[Finding]:
    """A Redis ACL line (`user NAME on >pw ~keys +@cmds`): its `>password` and `#hash` tokens."""
    text, at = hit.text, hit.match.start()
    line_start = text.rfind("\n", 0, at) + 1
    if not _REDIS_ACL.match(text, line_start) or text[line_start:at].strip():
        return []
    return _bundler_credentials(rule, hit)


# A header cell may carry an annotation in brackets (Google Workspace's bulk upload: `Password [Required]`).
_COLUMN_NAME = re.compile(r"[ \t]*[\w .-]{1,60}(?:\[[\w .-]{1,30}\])?[ \t]*")
_COLUMN_NOTE = re.compile(r"[ \t]*\[[\w .-]{1,30}\][ \t]*\Z")
_CSV_FIELD = re.compile(r'"(?:[^"\r\n]|"")*"|[^,\t\r\n]*')
# The end of a header's cell after a column word: its closing quote, then a delimiter or the line's end.
_HEADER_CELL_END = r"(?=\"?[ \t]*(?:[,;\t|]|\r?\n))"
# A `;`-separated export (what spreadsheets write where the comma is the decimal mark): a field may hold a comma.
_SEMICOLON_FIELD = re.compile(r'"(?:[^"\r\n]|"")*"|[^;\t\r\n]*')


def _csv_fields(text: str, start: int, end: int, delimiter: str) -> list[tuple[int, int]]:
    """The fields of one CSV/TSV line as spans (quotes taken off a quoted field)."""
    spans, pos, field_pattern = [], start, _SEMICOLON_FIELD if delimiter == ";" else _CSV_FIELD
    while pos <= end:
        field = field_pattern.match(text, pos, end)
        a, b = field.span() if field else (pos, pos)
        spans.append((a + 1, b - 1) if b - a >= 2 and text[a] == '"' == text[b - 1] else (a, b))
        if b >= end or text[b] != delimiter:
            break
        pos = b + 1
    return spans


def _pipe_fields(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of a database client's result-table row (`| a | b |` in MySQL's box, ` a | b` in psql's), blanks
    around each cell trimmed."""
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    if end - start >= 2 and text[start] == "|" == text[end - 1]:
        start, end = start + 1, end - 1
    spans, pos = [], start
    while True:
        bar = text.find("|", pos, end)
        a, b = pos, end if bar < 0 else bar
        while a < b and text[a] in " \t":
            a += 1
        while b > a and text[b - 1] in " \t":
            b -= 1
        spans.append((a, b))
        if bar < 0:
            return spans
        pos = bar + 1


# A result table's border or header rule: `+----+-----+` (MySQL), `-----+------` (psql).
_TABLE_BORDER = re.compile(r"[ \t]*[-+=|]*-[-+=| \t]*")


def _table_secret_column(rule: Rule, hit: Hit) -> list[Finding]:
    """The values of a secret column in the rows under a header line that names it (up to a line that is not a row):
    CSV/TSV exports (browser and password-manager exports, user tables) and database clients' result tables (`|`
    between cells, border lines skipped). The rule stops at each column word followed by a delimiter or the line's
    end; the header is the line around it."""
    text, at = hit.text, hit.match.start()
    h_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    if line_end < 0 or line_end - h_start > 800:
        return []
    h_end = line_end - 1 if text[line_end - 1] == "\r" else line_end
    header = text[h_start:h_end]
    delimiter = "\t" if "\t" in header else "|" if "|" in header else ","
    if delimiter == "," and ";" in header and "," not in header:
        delimiter = ";"

    def fields(start: int, end: int) -> list[tuple[int, int]]:
        return _pipe_fields(text, start, end) if delimiter == "|" else _csv_fields(text, start, end, delimiter)

    columns = [text[a:b] for a, b in fields(h_start, h_end)]
    if columns and columns[0].startswith("#"):
        columns[0] = columns[0][1:]  # a header commented out (xCAT's `tabdump`: `#key,username,password,...`)
    wanted = {i: name for i, name in enumerate(_COLUMN_NOTE.sub("", c) for c in columns)
              if _secret_column(name) and (" " not in name.strip() or _qualified_password(name, len(columns)))}
    if len(columns) < 2 or not wanted or not all(_COLUMN_NAME.fullmatch(name) for name in columns) \
            or any(" " not in name and looks_random(name) for name in columns):
        return []  # a header names its columns; `define("db_password", load())` is code; `_token<TAB>"<value>"` a row
    # A result table's cells hold a secret only when the value reads as one under its column's name; a bare `key`
    # column (a row's key in xCAT's tables, a secret in a key export) only when the value looks random.
    checked = dict.fromkeys(wanted, "strong") if delimiter == "|" else \
        {i: "weak" for i, name in wanted.items() if keys.key_words(name) == ("key",)}
    found: list[Finding] = []
    pos = line_end + 1
    for _ in range(5000):
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        row_end = line_end - 1 if line_end > pos and text[line_end - 1] == "\r" else line_end
        if row_end <= pos:
            break
        if delimiter == "|" and _TABLE_BORDER.fullmatch(text, pos, row_end):
            pos = line_end + 1
            continue
        row = fields(pos, row_end)
        if len(row) != len(columns):
            break  # not a row of this table
        found += [(a, b, rule.label) for i, (a, b) in enumerate(row)
                  if i in wanted and b > a and not is_placeholder_value(text[a:b])
                  and (i not in checked or (not any(c.isspace() for c in text[a:b])
                                            and keys.value_is_secret(wanted[i], text[a:b], checked[i], True)))]
        if delimiter != "|" and text.startswith('"', row[-1][0]) and text.count('"', pos, row_end) % 2:
            pos = _quoted_field_end(text, line_end + 1)
        else:
            pos = line_end + 1
    return found


_PASSWORD_WORD_TUPLES = frozenset((w,) for w in keys.PASSWORD_WORDS)


def _qualified_password(name: str, width: int) -> bool:
    """A column of several capitalised words that ends in a password word (`Folder Password`, `SMTP Auth Login
    Password`), in a header of at least three columns: a device's or an application's export names its password
    columns by what they open. Words in lower case with commas between them are a sentence."""
    words = name.split()
    return width >= 3 and all(w[0].isupper() for w in words) and keys.key_words(words[-1]) in _PASSWORD_WORD_TUPLES


def _quoted_field_end(text: str, pos: int) -> int:
    """Where the next row starts after a row whose last quoted field holds line breaks (KeePass's and LastPass's CSV
    exports keep a note's lines in one quoted field): after the line that closes the quote (within 50 lines)."""
    for _ in range(50):
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end < 0 else line_end
        if text.count('"', pos, line_end) % 2:
            return line_end + 1
        if line_end >= len(text):
            break
        pos = line_end + 1
    return len(text)


# The line before a key/value table row's TAB: the key alone, or phpinfo()'s `$_SERVER['KEY']`.
# Also an upper-case label of two or three words, as Go CLIs print a created object (Ory Hydra's
# `hydra create oauth2-client`: `CLIENT SECRET<TAB>…`).
_TAB_ROW_KEY = re.compile(r"[ \t]*(?:(?:\$_[A-Z]{3,6}\[')?[\w.\-]{1,80}(?:'\])?"
                          r"|[A-Z][A-Z0-9_]{1,30}(?: [A-Z][A-Z0-9_]{1,30}){1,2})")


def _tab_row(rule: Rule, hit: Hit) -> list[Finding]:
    """`KEY<TAB>VALUE`, the line's only two cells: a key/value table copied from a browser page (phpinfo()'s PHP
    Variables, Whoops' and the Symfony profiler's request, cookie and server tables, the ASP.NET Core error page's
    Cookies and Headers), read as `KEY=VALUE` is."""
    text, at = hit.text, hit.anchor
    if not _TAB_ROW_KEY.fullmatch(text, text.rfind("\n", 0, at) + 1, at):
        return []
    return keys.extract_keyword(rule, hit)


def _array_pair(rule: Rule, hit: Hit) -> list[Finding]:
    """`["Authorization", "Token …"]` (Sentry's request headers as pairs) and `"-hmac-key", "…"` (a flag and its value
    in an argv array, Go expvar's `cmdline`): the next element after one that names a secret."""
    text, at = hit.text, hit.anchor
    opening = text.rfind('"', max(0, at - 96), at - 1)
    key = text[opening + 1 : at - 1]
    if opening < 1 or not (text[opening - 1] == "[" or key.startswith("-")) or keys.classify_key(key) is None:
        return []
    # A list of secrets' names (Kong key-auth's `key_names: ["apikey", "x-api-key"]`) pairs no name with a value.
    if keys.classify_key(text[slice(*hit.value_span())]) is not None:
        return []
    return keys.extract_keyword(rule, hit)


def _vpnc_secret(rule: Rule, hit: Hit) -> list[Finding]:
    """vpnc's `IPSec secret` / `Xauth password` at the start of a line, not a plain lower-case word."""
    text, at = hit.text, hit.match.start()
    value = text[slice(*hit.value_span())]
    if text[text.rfind("\n", 0, at) + 1 : at].strip() or (value.isalpha() and value.islower()):
        return []
    return _bundler_credentials(rule, hit)


def _freerdp(rule: Rule, hit: Hit) -> list[Finding]:
    """FreeRDP's `/p:PASSWORD` (`xfreerdp`, `wfreerdp`, `sdl-freerdp`) on the same command line."""
    if "freerdp" not in _command_line(hit.text, hit.anchor):
        return []
    return [] if hit.text[hit.value_span()[0]] == "$" else _bundler_credentials(rule, hit)


# The prompt is matched by `expect "…"` or by a quoted pattern opening a branch of an `expect { … }` block; scripts
# write `assword:` so that `Password:` and `password:` both match.
_PROMPT = re.compile(r"(?im)(?:expect\b[^\n]*|^[ \t]*(?:-[a-z]{2}[ \t]+)?\"[^\"\n]*)(?:assword|passphrase)"
                     r"[^\n]*\n?[^\n]*\Z")


def _expect_send(rule: Rule, hit: Hit) -> list[Finding]:
    """`send "..."` in an expect script right after an `expect` for a password prompt (same or previous line)."""
    at = hit.match.start()
    return _bundler_credentials(rule, hit) if _PROMPT.search(hit.text, max(0, at - 200), at) else []


# The NT hash of the empty password: a disabled or password-less account, nothing to hide.
_EMPTY_NT_HASH = "31d6cfe0d16ae931b73c59d7e0c089c0"


def _nt_hash(rule: Rule, hit: Hit) -> list[Finding]:
    start, end = hit.value_span()
    return [] if hit.text[start:end].lower() == _EMPTY_NT_HASH else [(start, end, rule.label)]


def _smbpasswd(rule: Rule, hit: Hit) -> list[Finding]:
    """An smbpasswd(5) line's LANMAN and NT hashes, not the empty password's."""
    spans = (hit.span("v1"), hit.span("v2"))
    return [(a, b, rule.label) for a, b in (s for s in spans if s) if hit.text[a:b].lower() != _EMPTY_NT_HASH]


_QUOTED = re.compile(r'"([^"\s]{16,256})"')  # a key: no blanks (`"and another one"` is the sample's filler)


def _quoted_keys(rule: Rule, hit: Hit) -> list[Finding]:
    """Each quoted string of a block that holds only keys (UnrealIRCd's `cloak-keys { "..."; "..."; };`)."""
    start, end = hit.span("b") or (0, 0)
    return [(m.start(1), m.end(1), rule.label) for m in _QUOTED.finditer(hit.text, start, end)
            if not is_placeholder_value(m.group(1))]


def _pass_phrase(first: int) -> str:
    """An SNMPv3 pass phrase, quoted (group `v<first>`) or one word (group `v<first + 1>`), for `_groups`."""
    return rf"(?:\"(?P<v{first}>[^\"\r\n]{{1,256}})\"|(?P<v{first + 1}>[^\s\"]{{1,256}}))"


def _influx_token(rule: Rule, hit: Hit) -> list[Finding]:
    """The 86 characters before the anchor and the `==` (see the InfluxDB token rule): with a `-` or `_` among them,
    or in a text that names InfluxDB (a random token lacks both one time in fifteen)."""
    start = hit.span("s")
    if start is None:
        return []
    value = hit.text[start[0] : hit.anchor + 2]
    if not any(c in value for c in "-_") and "influx" not in hit.text.lower():
        return []
    return [(start[0], hit.anchor + 2, rule.label)]


def _groups(rule: Rule, hit: Hit) -> list[Finding]:
    """Every value group of the match (a line that holds two secrets, such as snmpd's auth and privacy pass phrases)."""
    spans = (hit.span(name) for name in ("v1", "v2", "v3", "v4"))
    return [(a, b, rule.label) for a, b in (s for s in spans if s) if not is_placeholder_value(hit.text[a:b])]


# net-snmp's credential options: `-c COMMUNITY`, `-A AUTHPASS`, `-X PRIVPASS` (quoted or one word).
_NETSNMP_OPTION = re.compile(r"[ \t]-[cAX][ \t]*" + _pass_phrase(1))


def _netsnmp_options(rule: Rule, hit: Hit) -> list[Finding]:
    """The community and SNMPv3 pass phrases on a net-snmp tool's command line (the rest of its line)."""
    found = []
    for m in _NETSNMP_OPTION.finditer(hit.text, hit.anchor, hit.end):
        a, b = m.span("v1") if m.group("v1") is not None else m.span("v2")
        if not is_placeholder_value(hit.text[a:b]):
            found.append((a, b, rule.label))
    return found


def _quoted_secret_pair(rule: Rule, hit: Hit) -> list[Finding]:
    """A quoted value after a quoted key that names a secret (Zebra SGD's `setvar "wlan.wpa.psk" "VALUE"`)."""
    (a, b), (ka, kb) = hit.value_span(), hit.span("k") or (0, 0)
    named = keys.classify_key(hit.text[ka:kb]) is not None
    return [(a, b, rule.label)] if named and not is_placeholder_value(hit.text[a:b]) else []


def _line_start_directive(rule: Rule, hit: Hit) -> list[Finding]:
    """A directive that starts its line (blanks before it only)."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    return _bundler_credentials(rule, hit) if not hit.text[line_start : hit.anchor].strip() else []


def _entry_lines(text: str, pos: int, comments: str = "#") -> list[tuple[int, str]]:
    """The lines after a file's header comment that are not comments (starting with one of `comments`) or blank (at
    most 500 lines looked at)."""
    lines = []
    for line in _LINE.finditer(text, pos):
        if not line.group() or len(lines) >= 500:
            break
        body = line.group().rstrip("\r\n")
        if body.strip() and body.lstrip()[0] not in comments:
            lines.append((line.start(), body))
    return lines


def _entry_values(rule: Rule, hit: Hit, entry_shape: re.Pattern[str], skipped: Callable[[str], bool],
                  comments: str = "#") -> list[Finding]:
    """The `v` group of each entry line after the match, up to the first line that is not one; placeholders and the
    values `skipped` names stay."""
    found: list[Finding] = []
    for start, body in _entry_lines(hit.text, hit.end, comments):
        entry = entry_shape.fullmatch(body)
        if entry is None:
            break
        value = entry.group("v")
        if value is not None and not skipped(value) and not is_placeholder_value(value):
            found.append((start + entry.start("v"), start + entry.end("v"), rule.label))
    return found


# A cloud-init `chpasswd` list entry: `user:password` (as a YAML list item or a line of the `list: |` block).
_CHPASSWD_ENTRY = re.compile(r"[ \t]+(?:-[ \t]+)?[\w.@-]{1,64}:(?P<v>[^\s:][^\r\n]{0,255}?)[ \t]*")


def _chpasswd_list(rule: Rule, hit: Hit) -> list[Finding]:
    """cloud-init's legacy `chpasswd: list:` entries up to the first line that is not one; `RANDOM` (or `R`) asks
    cloud-init to make one up."""
    return _entry_values(rule, hit, _CHPASSWD_ENTRY, lambda value: value in ("RANDOM", "R"))


# A realm file's `user: password[,role ...]` entry (Jetty's realm.properties, ActiveMQ's jetty-realm.properties).
_REALM_ENTRY = re.compile(r"[ \t]*[\w.@-]{1,64}[ \t]*:[ \t]*(?P<v>[^\s,][^,\r\n]{0,255}?)[ \t]*(?:,[^\r\n]*)?")
_REALM_SCHEMES = ("OBF:", "MD5:", "CRYPT:")  # obfuscated and hashed values: rules of their own


def _realm_entries(rule: Rule, hit: Hit) -> list[Finding]:
    """The password of each entry under a realm file's format comment, clear-text ones included."""
    return _entry_values(rule, hit, _REALM_ENTRY, lambda value: value.startswith(_REALM_SCHEMES))


# An ini entry `name = value`; `;` starts a comment, a `[section]` line is not an entry.
_INI_ENTRY = re.compile(r"[ \t]*[^\s=;#\[][^\s=]{0,63}[ \t]*=[ \t]*(?P<v>[^\s;][^\r\n]{0,511}?)[ \t]*")


def _ini_section_values(rule: Rule, hit: Hit) -> list[Finding]:
    """Every value of an ini section whose entries are all credentials (CouchDB's `[admins]`), up to the next
    section."""
    return _entry_values(rule, hit, _INI_ENTRY, lambda value: False, comments="#;")


_BLANK_LINE = re.compile(r"\n[ \t]*(?:\r?\n|\Z)")


def _ini_block_values(rule: Rule, hit: Hit) -> list[Finding]:
    """`_ini_section_values` up to the first blank line: Haraka lists its users in one block, and what a paste has after
    it is often another file without a section of its own."""
    blank = _BLANK_LINE.search(hit.text, hit.end - 1)
    return [found for found in _ini_section_values(rule, hit) if blank is None or found[0] < blank.start()]


def _percent_encoded(rule: Rule, hit: Hit) -> list[Finding]:
    """A percent-encoded value, read decoded for the placeholder test (`%24%7BPW%7D` is `${PW}`)."""
    start, end = hit.value_span()
    return [] if is_placeholder_value(unquote_plus(hit.text[start:end])) else [(start, end, rule.label)]


# What ZooKeeper's `DigestAuthenticationProvider user:password` prints before its `->user:<digest>`.
_DIGEST_INPUT = re.compile(r"[ \t]*[^\s:]{1,64}:(?P<v>\S{1,256})")


def _digest_output(rule: Rule, hit: Hit) -> list[Finding]:
    """The password in `user:password->user:<digest>`, the line up to the arrow."""
    given = _DIGEST_INPUT.fullmatch(hit.text, hit.text.rfind("\n", 0, hit.anchor) + 1, hit.anchor)
    if given is None or is_placeholder_value(given.group("v")):
        return []
    return [(given.start("v"), given.end("v"), rule.label)]


# The flag of a JAAS login module entry, with no `;` (the entry's end) between it and the option.
_JAAS_MODULE = re.compile(r"LoginModule\s+(?:required|requisite|sufficient|optional)\b[^;]*\Z")


# The encoded-JAAS rule's example: what Strimzi writes, base64-encoded.
_ENCODED_JAAS = base64.b64encode(b'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" '
                                 b'password="Kf9x";').decode()


def _encoded_with(marker: str) -> Extractor:
    """A base64 value whose decoded text holds `marker`: a JAAS login module's entry (`LoginModule`, which carries
    its password), a Docker config's JSON (`"auth`, its `auths` map of base64 `user:password`)."""

    def extract(rule: Rule, hit: Hit) -> list[Finding]:
        start, end = hit.value_span()
        decoded = decodes_to_text(hit.text[start:end])
        return [(start, end, rule.label)] if decoded is not None and marker in decoded else []

    return extract


_ENCODED_DOCKER_CONFIG = base64.b64encode(b'{"auths":{"r.example.com":{"auth":"dTpEazlQdzJ4"}}}').decode()


def _jaas_option(rule: Rule, hit: Hit) -> list[Finding]:
    """An option of a JAAS login module's entry (`user_NAME="password"`), not the same words elsewhere."""
    head = hit.text.rfind("LoginModule", max(0, hit.anchor - 4096), hit.anchor)
    if head < 0 or _JAAS_MODULE.match(hit.text, head, hit.anchor) is None:
        return []
    return _bundler_credentials(rule, hit)


_PPP_FIELD = re.compile(r'"([^"\r\n]*)"|([^\s"]+)')


def _ppp_secrets(rule: Rule, hit: Hit) -> list[Finding]:
    """pppd's chap-secrets/pap-secrets under their `# client server secret IP addresses` header: the third field of
    each entry (quoted or not; `*` and `-` are wildcards), up to the first line that is not an entry."""
    found: list[Finding] = []
    for start, body in _entry_lines(hit.text, hit.end):
        fields = list(_PPP_FIELD.finditer(body))
        if len(fields) < 3:
            break
        group = 1 if fields[2].group(1) is not None else 2
        a, b = fields[2].span(group)
        if fields[2].group(group) not in ("", "*", "-") and not is_placeholder_value(fields[2].group(group)):
            found.append((start + a, start + b, rule.label))
    return found


# What may come before the station address on a hostapd `wpa_psk_file` line: its documented per-entry options.
_WPA_PSK_OPTIONS = re.compile(r"[ \t]*(?:(?:keyid|vlanid|wps)=\S{0,64}[ \t]+)*")


def _wpa_psk_entry(rule: Rule, hit: Hit) -> list[Finding]:
    """A hostapd `wpa_psk_file` entry: the line holds only options (`keyid=`, `vlanid=`, `wps=`) before the address."""
    text, at = hit.text, hit.match.start()
    line_start = text.rfind("\n", 0, at) + 1
    return _bundler_credentials(rule, hit) if _WPA_PSK_OPTIONS.fullmatch(text, line_start, at) else []


def _grub_password(rule: Rule, hit: Hit) -> list[Finding]:
    """GRUB's `password USER PASSWORD`: a command at its line's start, after a `superusers` setting."""
    at = hit.match.start()
    return _line_start_directive(rule, hit) if hit.text.rfind("superusers=", max(0, at - 8192), at) >= 0 else []


def _exim_passwd_client(rule: Rule, hit: Hit) -> list[Finding]:
    """Exim's passwd.client under its shipped header comment: `host:user:password` per line, the rest of the line
    after the second colon, up to the first line that is not an entry."""
    found: list[Finding] = []
    for start, body in _entry_lines(hit.text, hit.end):
        parts = body.split(":", 2)
        if len(parts) < 3 or " " in parts[0].strip():
            break
        value = parts[2].strip()
        if value and not is_placeholder_value(value):
            a = start + body.index(value, len(parts[0]) + len(parts[1]) + 2)
            found.append((a, a + len(value), rule.label))
    return found


def _nagios_macro(rule: Rule, hit: Hit) -> list[Finding]:
    """Nagios resource.cfg `$USERn$=value`: the macros that hold credentials; a path (`$USER1$=/usr/lib/...`) stays."""
    start, _ = hit.value_span()
    return [] if hit.text[start] in "/$" else _bundler_credentials(rule, hit)


def _znc_server(rule: Rule, hit: Hit) -> list[Finding]:
    """ZNC's `Server = host [+]port PASSWORD`: only in a `<Network name>` block (the last field, after a port)."""
    return _bundler_credentials(rule, hit) if hit.text.rfind("<Network", 0, hit.anchor) >= 0 else []


_MAILBOX_HEAD = re.compile(r"[ \t]*\d{1,20}[ \t]*")


def _voicemail_pin(rule: Rule, hit: Hit) -> list[Finding]:
    """voicemail.conf(5)'s `MAILBOX => PIN,Full Name,...`: only when the line starts with the mailbox number."""
    at = hit.match.start()
    line_start = hit.text.rfind("\n", 0, at) + 1
    return _bundler_credentials(rule, hit) if _MAILBOX_HEAD.fullmatch(hit.text, line_start, at) else []


def _spaced_property(rule: Rule, hit: Hit) -> list[Finding]:
    """`key<blanks>value` alone on its line, the key (from the line's start) naming a secret."""
    text, at = hit.text, hit.match.start()
    line_start = text.rfind("\n", 0, at) + 1
    key = text[line_start:at].strip() + "secret.key"
    return _named_value(key, rule, hit) if _PROPERTY_KEY.fullmatch(key) else []


_PROPERTY_KEY = re.compile(r"[A-Za-z][\w.-]{0,120}")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")


def _escaped_property(rule: Rule, hit: Hit) -> list[Finding]:
    """A Java .properties key written with `\\uXXXX` escapes (`db.\\u0070assword=…`), read as `Properties.load` reads
    it: from the line's start, unescaped."""
    text = hit.text
    line_start = text.rfind("\n", 0, hit.match.start()) + 1
    key = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text[line_start : hit.span("s")[0]].strip())
    return _named_value(key, rule, hit) if _PROPERTY_KEY.fullmatch(key) else []


def _arrow_assignment(rule: Rule, hit: Hit) -> list[Finding]:
    """A value after a name that names a secret, where what separates them is not a key's `=`/`:`: R's `name <-
    "value"`, C's `char name[] = "value"`, VB's `Const Name As String = "value"`, COBOL's `NAME PIC X(n) VALUE
    "value"`."""
    return _named_value(keys.key_before(hit.text, hit.match.start()), rule, hit)


def _ipsec_secret(rule: Rule, hit: Hit) -> list[Finding]:
    """`: PSK "secret"`: only after the colon that ends an ipsec.secrets selector list."""
    text, at = hit.text, hit.match.start()
    return _bundler_credentials(rule, hit) if ":" in text[text.rfind("\n", 0, at) + 1 : at] else []


def _named_value(name: str, rule: Rule, hit: Hit) -> list[Finding]:
    """The value of a match when `name` names a secret and the value is not a placeholder, an empty word or code; or
    names a session and the value is its token."""
    kind = keys.classify_key(name)
    start, end = hit.value_span()
    if kind is None:
        return [(start, end, "token")] if keys.is_session_value(name, hit.text[start:end]) else []
    if not keys.value_is_secret(name, hit.text[start:end], kind[0], hit.span("v3") is None):
        return []
    return [(start, end, kind[1])]


# Grafana's custom headers in a datasource: `httpHeaderNameN` in `jsonData`, `httpHeaderValueN` in `secureJsonData`.
_HEADER_SCHEME = re.compile(r"[A-Za-z][\w-]{1,30}[ \t]+(?=\S)")


def _header_value(rule: Rule, hit: Hit) -> list[Finding]:
    """`httpHeaderValueN` when the nearest `httpHeaderNameN` (above it, else below) names a credential (`Authorization`,
    `X-Api-Key`): the credentials after a scheme word (`ApiKey <base64>`, `Bearer <token>`), else the whole value."""
    text, at = hit.text, hit.match.start()
    number = text[slice(*(hit.span("n") or (0, 0)))]
    names = re.compile(rf"""httpHeaderName{number}["']?[ \t]*:[ \t]*["']?([\w-]{{1,64}})""")
    above = [*names.finditer(text, max(0, at - 4000), at)]
    found = above[-1] if above else names.search(text, hit.match.end(), hit.match.end() + 4000)
    kind = keys.classify_key(found.group(1)) if found else None
    start, end = hit.value_span()
    if (scheme := _HEADER_SCHEME.match(text, start, end)) is not None:
        start = scheme.end()
    if kind is None or not keys.value_is_secret(found.group(1), text[start:end].rstrip(), "strong", True):
        return []
    return [(start, start + len(text[start:end].rstrip()), "token")]


def _named_option(rule: Rule, hit: Hit) -> list[Finding]:
    """`-Password 'x'`, `-secret X`: not a plain lower-case word (`-password prompt` in prose)."""
    start, end = hit.value_span()
    value = hit.text[start:end]
    if hit.span("v3") is not None and value.isalpha() and value.islower():
        return []
    return _bundler_credentials(rule, hit)


def _keyed_value(rule: Rule, hit: Hit) -> list[Finding]:
    """The value of a match whose group `k` names a secret: a lookup's fallback (`os.getenv("DB_PASSWORD", "...")`),
    a registry export's `"Password"=hex:…`, a settings export's `Servers\\prod\\Password<|||>1<|||>…`, a setting's
    path or name given before its value on a command line (`magento config:set payment/braintree/private_key …`)."""
    start, end = hit.span("k") or (0, 0)
    return _named_value(hit.text[start:end], rule, hit)


# Bicep's `@secure()` decorator, with any other decorators after it, right above a parameter.
_BICEP_SECURE = re.compile(r"@secure\(\)[ \t]*(?:\r?\n[ \t]*@[^\r\n]*)*\r?\n[ \t]*\Z")


def _bicep_param(rule: Rule, hit: Hit) -> list[Finding]:
    """A Bicep parameter's default value when its name names a secret or `@secure()` decorates it."""
    if not _BICEP_SECURE.search(hit.text, max(0, hit.anchor - 400), hit.anchor):
        return _keyed_value(rule, hit)
    start, end = hit.value_span()
    return [(start, end, rule.label)] if keys.value_is_secret("secure", hit.text[start:end], "strong", True) else []


# `key: password` / `"name": "DB_PASSWORD"` / `<key>password</key>`: the name half of a name/value entry; Enpass's
# exported fields name theirs by `label` and `type` (`"type": "totp"`), an HTML input by its `type="password"`. The
# quotes may be escaped: a JSON document inside a JSON string (Power BI's `credentialData`).
_ENTRY_NAME = re.compile(r"""(?:^|(?<=[\s{,"'<]))(?:key|name|Key|Name|addrType|label|type)\\?["']?[ \t]*[:>=][ \t]*"""
                         r"""\\?["']?([\w.\-]{1,80})""")
# A JSON object that opens with its `"value"`: 1Password's exports write `{"value": "…", "id": "", "name": "password",
# …}`, the name after the value.
_VALUE_FIRST = re.compile(r"\{\s*\"\Z")
# PHP `var_dump()`'s key line above a `string(N) "..."` value line: `["password"]=>`, and an object's property with its
# visibility, `["password":"App\\Mailer":private]=>` or `["password":protected]=>`.
_VAR_DUMP_KEY = re.compile(rf"""\["([^"\r\n]{{1,80}})"(?:{keys.VAR_DUMP_VISIBILITY})?\]=>[ \t]*\r?\n[ \t]*\Z""")


def _var_dump_string(rule: Rule, hit: Hit) -> list[Finding]:
    """A `string(N) "..."` line of a `var_dump()` whose key line above names a secret, N being the value's length in
    bytes (so a string that merely reads `string(…)` is not taken)."""
    (start, end), (n_start, n_end) = hit.value_span(), hit.span("n") or (0, 0)
    text = hit.text
    above = _VAR_DUMP_KEY.search(text, max(0, hit.anchor - 300), hit.anchor)
    if above is None or text[n_start:n_end] != str(len(text[start:end].encode())):
        return []
    return _named_value(above.group(1), rule, hit)


def _element_text(tag: str) -> str:
    """A one-line XML element `<tag attr="...">text</tag>` (attributes allowed), its text as group `v`."""
    return rf"<{tag}(?:[ \t]+[\w:-]{{1,40}}=\"[^\"<>]{{0,80}}\")*>(?P<v>[^<\r\n]{{1,256}})</{tag}>"


# Mbed OS's `mbed_app.json` config parameters: `"wifi-password": {"help": "…", "value": "\"…\""}` (the help string
# between, one member a line).
_OWNER_KEY = re.compile(r"""["']([\w.\-]{1,80})["'][ \t]*:[ \t]*\{"""
                        r"""(?:\s*"help"[ \t]*:[ \t]*"[^"\r\n]{0,200}",\s*|[ \t]*)["']?\Z""")
# unattend.xml: `<AdministratorPassword>` / `<Value>...</Value>`, the element that holds the value.
_PARENT_TAG = re.compile(r"<([A-Za-z_][\w.-]{0,80})>\s*\Z")


def _entry_value_pattern(word: str) -> str:
    """The `value` (or `Value`) of a name/value entry: `value: X`, `"value": "X"`, `<value>X`."""
    return (word + r"(?<![\w-]" + word + r")\\?[\"']?[ \t]*[:>][ \t]*(?:\\\"(?P<v4>[^\"\\\r\n<]{1,256})\\\""
            r"|\"\\\"(?P<v5>[^\"\\\r\n<]{1,256})\\\"\""  # a C string literal in JSON (Mbed's `"\"…\""`)
            r"|\"(?P<v1>[^\"\r\n<]{1,256})\"|'(?P<v2>[^'\r\n<]{1,256})'|(?P<v3>[^\s\"'<>,}\]]{1,256}))")


def _entry_value(rule: Rule, hit: Hit) -> list[Finding]:
    """`value:` of a name/value entry whose name names a secret: Kubernetes and ECS `env` (`- name: DB_PASSWORD` /
    `value: ...`), key/value lists in YAML, JSON or XML. The name is the last one within the three lines before."""
    window_start = hit.anchor
    for _ in range(4):
        window_start = hit.text.rfind("\n", 0, window_start - 1) + 1 if window_start > 0 else 0
    window = hit.text[window_start : hit.anchor]
    if "value" in window.lower():  # the entry before this one
        window = window[window.lower().rindex("value") :]
    # Spring Boot's `/actuator/env` and similar dumps: `"spring.datasource.password":{"value":"..."}` (the object's
    # own key, right before it, binds closer than an entry name).
    owner = _OWNER_KEY.search(hit.text, max(0, hit.anchor - 320), hit.anchor)
    parent = _PARENT_TAG.search(hit.text, max(0, hit.anchor - 120), hit.anchor)
    names = list(_ENTRY_NAME.finditer(window))
    # An element that names a secret right around the value (unattend.xml's `<AdministratorPassword>` inside
    # `<component name="...">`) binds closer than an entry name farther up.
    named_parent = parent if parent and keys.classify_key(parent.group(1)) else None
    if not owner and _VALUE_FIRST.search(hit.text, max(0, hit.anchor - 40), hit.anchor):
        close = hit.text.find("}", hit.anchor, hit.anchor + 400)
        names = list(_ENTRY_NAME.finditer(hit.text, hit.value_span()[1], close)) if close > 0 else []
        return _named_value(names[0].group(1), rule, hit) if names else []
    # A `label` or `type` counts only when it names a secret: `"type": "string"` after a `"name"` does not replace it.
    names = [m for m in names if not m.group().startswith(("label", "type")) or keys.classify_key(m.group(1))]
    found = owner or named_parent or (names[-1] if names else parent)
    return _named_value(found.group(1), rule, hit) if found else []


def _command_line(text: str, pos: int) -> str:
    """The shell command `pos` is in, up to `pos`: its line and the lines before it that end in a `\\` continuation."""
    start = text.rfind("\n", 0, pos)
    while start > 0 and text[:start].rstrip(" \t\r").endswith("\\"):
        start = text.rfind("\n", 0, start)
    return text[start + 1 : pos]


_HTTPIE = re.compile(r"\bhttps?[ \t]")  # HTTPie's `http`/`https` commands take `--auth user:password`
_SPLUNK = re.compile(r"\bsplunk[ \t]")  # the Splunk CLI's `splunk add forward-server HOST -auth user:password`
# lftp(1) takes `-u user,password`, on its command line or in its `open` command (a script, `~/.lftprc`).
_LFTP = re.compile(r"\blftp\b|^[ \t]*open[ \t]")


def _dummy_password(password: str, user: str) -> bool:
    """Freshdesk, Freshservice and Basecamp 2 document `-u API_KEY:X`: the key is the user name, `X` a filler; Toggl
    Track documents `-u API_TOKEN:api_token`, the word `api_token` its filler. Only a key-like user (long, with a
    digit) counts, so `-u admin:X` is left alone."""
    return password in ("X", "x", "api_token") and len(user) >= 16 and any(c.isdigit() for c in user)


def _curl_user(rule: Rule, hit: Hit) -> list[Finding]:
    """`curl -u user:password` / `--user user:'password'`: the part after the first colon (its quotes kept); with an
    empty or filler password (`-u "sk_live_...:"`, `-u APIKEY:X`: an API key passed as the user name) the user name.
    The option may sit on a continuation line of the command. lftp's `-u user,password` likewise, after the first
    comma; HTTPie's `--auth` and the Splunk CLI's `-auth` take the same `user:password`."""
    text, dash = hit.text, hit.anchor
    line = _command_line(text, dash)
    separator = ":"
    if _LFTP.search(line):
        separator = ","
    elif "curl" not in line and not (text.startswith("-auth", dash + 1) and _HTTPIE.search(line)) \
            and not (text.startswith("auth", dash + 1) and _SPLUNK.search(line)):
        return []
    start, end = hit.value_span()
    colon = text.find(separator, start, end)
    if colon < 0:
        return []
    user, start = text[start:colon], colon + 1
    if end - start >= 2 and text[start] in "'\"" and text[end - 1] == text[start]:
        start, end = start + 1, end - 1
    if start == end or _dummy_password(text[start:end], user):
        start, end = colon - len(user), colon
    value = text[start:end]
    templated = ("$", "[", "<", "{")
    if (value == user and end != colon) or user.startswith(templated) or value.startswith(templated) \
            or len(value) < 6 or is_placeholder_value(value):
        return []
    return [(start, end, rule.label)]


# --- personal data with checksums -----------------------------------------------------------------------------------

# ISO 13616 lengths of the countries most often seen (the rest: 15-34 characters).
_IBAN_LENGTHS = {"AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27,
                 "GB": 22, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "SE": 24}


def iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    expected = _IBAN_LENGTHS.get(compact[:2])
    if (expected and len(compact) != expected) or not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_ok(value: str) -> bool:
    """Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter): the letter is the number mod 23."""
    head = value[:-1]
    if head[0] in "XYZ":
        head = str("XYZ".index(head[0])) + head[1:]
    return len(head) == 8 and head.isdigit() and _DNI_LETTERS[int(head) % 23] == value[-1]


_DNI_HEAD = re.compile(r"(?<![\w.\-])[XYZ]?\d{7,8}\Z")


def _checksummed_id(rule: Rule, hit: Hit) -> list[Finding]:
    """An IBAN (mod 97) or, ending at the letter matched, a Spanish DNI/NIE (mod 23)."""
    iban = hit.span("i")
    if iban is not None:
        start, end = iban[0] - 1, iban[1]
        return [(start, end, "iban")] if iban_ok(hit.text[start:end]) else []
    letter = hit.anchor
    head = _DNI_HEAD.search(hit.text, max(0, letter - 9), letter)
    if head is None or not dni_ok(hit.text[head.start() : letter + 1]):
        return []
    return [(head.start(), letter + 1, "national_id")]


# What may come before a command-line option's dash: the option rules share this guard (one test for all of them at
# each `-`); their own patterns are stricter where they need to be.
_OPTION_BEFORE = "[ \t'\"\n]"
# The last words of single-dash options that take a secret (see the rule that uses them).
# `-pw`: kadmin's `addprinc -pw`, PuTTY's `plink`/`pscp -pw`; `-pwd`: Oracle's `orapki wallet ... -pwd`;
# `-userKey`: the Mend (WhiteSource) Unified Agent's per-user key beside its `-apiKey`.
_DASH_WORDS = ("password", "passwd", "passphrase", "token", "secret", "apikey", "pass", "passin", "passout", "pw",
               "pwd", "userkey",
               # a Healthchecks.io project's ping key given to a Go wrapper (runitor's `-ping-key KEY -slug NAME`)
               "ping-key", "pingkey")

# Base64 of a private key's DER, by the fixed bytes its encoding starts with: (pattern of the start, a literal every
# match holds, the least number of base64 characters after the start, a made-up example, a public key's start that
# must stay). PKCS#8 RSA (`30 82 .. .. 02 01 00 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 04 82`), PKCS#1 RSA
# (`30 82 .. .. 02 01 00 02 8x`, `BEGIN RSA PRIVATE KEY`), PKCS#8 EC (version 0, then the id-ecPublicKey OID), SEC 1
# EC P-256 (`30 77 02 01 01 04 20`, `BEGIN EC PRIVATE KEY`), PKCS#8 Ed25519 (RFC 8410: `30 2e 02 01 00 30 05 06 03 2b 65
# 70 04 22 04 20`).
_DER_PRIVATE_KEYS = (
    ("MII[A-Za-z0-9+/]{3}IBADANBgkqhkiG9w0BAQEFAASC", "IBADANBgkqhkiG9w0BAQEFAASC", 200,
     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC" + "q3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk" * 6,
     "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "q3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk" * 6),
    ("MII[A-Za-z0-9+/]{3}IBAAK[BC]", "IBAAK", 200,
     "MIIEpAIBAAKCAQEA" + "w7Zq3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk" * 6,
     "MIIBCgKCAQEA" + "w7Zq3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk" * 6),
    ("MI[A-Za-z0-9+/]{2}AgEAMB[AM]GByqGSM49AgE", "GByqGSM49AgE", 80,
     "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg" + "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk" * 3,
     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk" * 3),
    ("MHcCAQEEI", "MHcCAQEEI", 150,
     "MHcCAQEEIHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9PkoAoGCCqGSM49AwEHoUQDQgAE" + "Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7G" * 4,
     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + "Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7G" * 4),
    ("MC4CAQAwBQYDK2VwBCIEI", "MC4CAQAwBQYDK2VwBCIEI", 22,
     "MC4CAQAwBQYDK2VwBCIEIHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk",
     "MCowBQYDK2VwAyEAHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk"),
)


# Web frameworks' stored password hashes, as user-table dumps and exports hold them: (a literal every match holds, the
# pattern, a made-up example). Django's `<algorithm>$<iterations>$<salt>$<hash>` (PBKDF2, Argon2, bcrypt-SHA256 and the
# legacy salted SHA-1/MD5), Werkzeug's (Flask) `pbkdf2:sha256:<iterations>$<salt>$<hex>` and
# `scrypt:<n>:<r>:<p>$<salt>$<hex>`, MediaWiki's `:pbkdf2:<hash>:<iterations>:<length>:<salt>:<hash>`; and GRUB's
# `grub.pbkdf2.sha512.<iterations>.<salt>.<hash>` (`grub-mkpasswd-pbkdf2`, grub.cfg's `password_pbkdf2 USER HASH`).
_FRAMEWORK_HASHES = (
    ("pbkdf2_sha", r"pbkdf2_sha(?:1|256)\$\d{4,7}\$[A-Za-z0-9./+]{1,64}\$[A-Za-z0-9+/]{27,88}={0,2}",
     "pbkdf2_sha256$260000$Hq2Lm9Vx4Zp8Tn3Y$Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3MzXc8VnB1Hq2Lm9V="),
    ("argon2$argon2", r"argon2\$argon2(?:id|i|d)\$v=\d{1,3}\$m=\d{1,8},t=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]{8,64}"
     r"\$[A-Za-z0-9+/]{16,128}",
     "argon2$argon2id$v=19$m=102400,t=2,p=8$Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5$Uw0Ro2Ec7Gd4Sh9Pk3MzXc8VnB1Hq2Lm9Vx4Zp8T"),
    ("bcrypt_sha256$$", r"bcrypt_sha256\$\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}",
     "bcrypt_sha256$$2b$12$KIXQJQbT9h1qzVd3ZpMx7uN4eYcJ1kPqW8aRm0sF3vT6yL2nB5cG."),
    ("sha1$", r"sha1\$[A-Za-z0-9]{1,64}\$[0-9a-f]{40}", "sha1$a1b2c$2ef7bde608ce5404e97d5f042f95f89f1c232871"),
    ("pbkdf2:sha", r"pbkdf2:sha(?:1|256|512):\d{3,7}\$[A-Za-z0-9]{1,64}\$[0-9a-f]{40,128}",
     "pbkdf2:sha256:600000$Hq2Lm9Vx4Zp8Tn3Y$9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("scrypt:", r"scrypt:\d{3,7}:\d{1,2}:\d{1,2}\$[A-Za-z0-9]{1,64}\$[0-9a-f]{64,256}",
     "scrypt:32768:8:1$Hq2Lm9Vx4Zp8Tn3Y$9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    (":pbkdf2:", r"pbkdf2:sha(?:1|256|512):\d{3,7}:\d{1,3}:[A-Za-z0-9+/]{8,64}={0,2}:[A-Za-z0-9+/]{20,256}={0,2}",
     ":pbkdf2:sha512:30000:64:J8Yx0n0LZ0mPqL7aG8d0Bw==:Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3MzXc8VnB1Hq2Lm9Vx4Zp8Tn3Y=="),
    ("grub.pbkdf2.", r"grub\.pbkdf2\.sha512\.\d{1,7}\.[0-9A-F]{16,256}\.[0-9A-F]{32,256}",
     "grub.pbkdf2.sha512.10000.9F8E7D6C5B4A39281706F5E4D3C2B1A0.0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A6978"),
)


# `\Package.Variables[User::FtpPassword].Properties[Value]`: the variable's name, before its `Value` property.
_SSIS_VARIABLE = re.compile(r"\[(?:\w{1,30}::)?(\w{1,128})\]\.\Z")


def _ssis_property(rule: Rule, hit: Hit) -> list[Finding]:
    """An SSIS property path's value under the property's name, or under the variable's for `Properties[Value]`."""
    name = hit.text[slice(*hit.span("k"))]  # type: ignore[misc]
    if name == "Value":
        variable = _SSIS_VARIABLE.search(hit.text, max(0, hit.anchor - 160), hit.anchor)
        if variable is None:
            return []
        name = variable.group(1)
    return _named_value(name, rule, hit)


def _named_element(rule: Rule, hit: Hit) -> list[Finding]:
    """The value under the name the rule captured as `k` (an element's closing name `c`, if any, the same)."""
    name = hit.text[slice(*hit.span("k"))]  # type: ignore[misc]
    close = hit.span("c")
    if close and hit.text[slice(*close)].lower() != name.lower():
        return []
    return _named_value(name, rule, hit)


# A task sequence variable's name, up to the `assword` of its trailing Password.
_TS_VARIABLE = re.compile(r"[A-Za-z_]\w{0,60}[pP]\Z")


def _csv_variable(rule: Rule, hit: Hit) -> list[Finding]:
    """`OSDJoinPassword,value,False`: only when the first field of the line is the variable's name."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    if not _TS_VARIABLE.match(hit.text, line_start, hit.anchor):
        return []
    return _named_value(hit.text[line_start:hit.anchor + len("assword")], rule, hit)


# PlatformIO's `upload_flags =` option with its indented continuation lines, up to the flag.
_UPLOAD_FLAGS = re.compile(r"(?m)^upload_flags[ \t]*=[^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*\Z")


def _ota_auth(rule: Rule, hit: Hit) -> list[Finding]:
    """ArduinoOTA's `--auth=PASSWORD`: on an `espota` command line or in a PlatformIO `upload_flags` option."""
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    if "espota" not in hit.text[line_start:hit.anchor] \
            and not _UPLOAD_FLAGS.search(hit.text, max(0, hit.anchor - 600), hit.anchor):
        return []
    return _bundler_credentials(rule, hit)


# Buildroot's makeusers table, `username uid group gid password home shell groups comment`: a password written `=PASS`
# (or `!=PASS`, the account locked) is in clear text.
_MAKEUSERS_HEAD = re.compile(r"[a-z_][\w.-]{0,31}[ \t]+-?\d+[ \t]+[\w.-]{1,32}[ \t]+-?\d+[ \t]+!?\Z")


def _on_command_line(command: str) -> Extractor:
    """A switch's value only on a line that runs `command`: other tools give the same short switch other meanings."""

    def extract(rule: Rule, hit: Hit) -> list[Finding]:
        line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
        if command not in hit.text[line_start:hit.anchor].lower():
            return []
        return _bundler_credentials(rule, hit)

    return extract


def _secret_named_value(rule: Rule, hit: Hit) -> list[Finding]:
    """A registry or PowerShell property value whose name (group `k`, else the word before the anchor, as in `reg
    query` output) names a password; a number is a setting (`PasswordExpiryWarning`), not a secret."""
    found = hit.span("k")
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    words = hit.text[line_start:hit.anchor].split()
    name = hit.text[slice(*found)] if found else words[-1] if words else ""
    start, end = hit.value_span()
    if keys.classify_key(name) is None or hit.text[start:end].isdigit():
        return []
    return _bundler_credentials(rule, hit)


def _mixed_positional(rule: Rule, hit: Hit) -> list[Finding]:
    """A password with no key (an argument's position says what it is): quoted, or with letters and digits."""
    start, end = hit.value_span()
    if hit.span("v3") is not None and not _mixed(hit.text[start:end]):
        return []
    return _bundler_credentials(rule, hit)



# Aerospike's aql: `CREATE USER NAME PASSWORD VALUE ROLE[S] …` and `SET PASSWORD VALUE [FOR NAME]` (the word before the
# value says what it is, no quotes); the statement starts its line or follows the `aql> ` prompt.
_AQL_BEFORE = re.compile(r"(?:^|[>\s])(?:CREATE[ \t]+USER[ \t]+[^\s]{1,128}|SET)[ \t]+PASSWORD\Z")


def _aql_password(rule: Rule, hit: Hit) -> list[Finding]:
    line_start = hit.text.rfind("\n", 0, hit.anchor) + 1
    if not _AQL_BEFORE.search(hit.text, line_start, hit.anchor + len("PASSWORD")):
        return []
    return _device_value(rule, hit)


# GreptimeDB's `static_user_provider:cmd:USER=PASSWORD[,USER=PASSWORD]` (a user may carry `:ro`/`:rw` before `=`).
_GREPTIME_PAIR = re.compile(r"[^\s=,]{1,64}=(?P<v>[^\s,]{1,256})")


def _greptime_users(rule: Rule, hit: Hit) -> list[Finding]:
    start = hit.span("l")[0]
    found: list[Finding] = []
    for pair in _GREPTIME_PAIR.finditer(hit.text, start, hit.span("l")[1]):
        if not is_placeholder_value(pair.group("v")):
            found.append((*pair.span("v"), rule.label))
    return found


# cbq's `-c`/`--credentials USER:PASSWORD,USER:PASSWORD` (a bucket or user name, a colon, its password; per item).
_CBQ_COMMAND = re.compile(r"\bcbq\b")
_CBQ_ITEM = re.compile(r"[^\s,:]{1,128}:(?P<v>[^\s,]{1,256})")


def _cbq_credentials(rule: Rule, hit: Hit) -> list[Finding]:
    start, end = hit.span("l")  # type: ignore[misc]
    if not _CBQ_COMMAND.search(_command_line(hit.text, hit.anchor)) or "//" in hit.text[start:end]:
        return []
    return [(m.start("v"), m.end("v"), rule.label) for m in _CBQ_ITEM.finditer(hit.text, start, end)
            if not is_placeholder_value(m.group("v"))]


# A properties realm's file in clear text (WildFly Elytron's and Infinispan's `users.properties` with the
# `#$ALGORITHM=clear$` header its tools write): each `user=password` line after the header, comments between.
_CLEAR_REALM_HEADER = "#$ALGORITHM=clear$"
_REALM_FILE_LINE = re.compile(r"[ \t]*(?:#[^\r\n]*|[^#\s=:\\][^=\s]{0,127}=[^\s]{1,256})[ \t]*\r?")


def _under_file_header(header: str, file_line: re.Pattern[str]) -> Extractor:
    """The credentials of a line below a file's `header`, when every line between (at most 200) is one of that file's
    own lines (`file_line`): the header says what the file's lines hold, a line of anything else ends the file."""
    def extract(rule: Rule, hit: Hit) -> list[Finding]:
        start = hit.text.rfind(header, 0, hit.anchor)
        if start < 0:
            return []
        between = hit.text[hit.text.find("\n", start) + 1 : hit.anchor].split("\n")[:-1]
        if len(between) > 200 or not all(file_line.fullmatch(line) for line in between):
            return []
        return _bundler_credentials(rule, hit)
    return extract


_clear_realm_user = _under_file_header(_CLEAR_REALM_HEADER, _REALM_FILE_LINE)


def _param_value(rule: Rule, hit: Hit) -> list[Finding]:
    """`<param-name>NAME</param-name>` then `<param-value>VALUE</param-value>` (Java EE and Spring `init-param`,
    Coherence's password providers): the value when the name names a secret."""
    return _named_value(hit.text[slice(*hit.span("n"))], rule, hit)  # type: ignore[misc]


# A made-up InfluxDB 2 API token (86 URL-safe base64 characters and `==`), for the examples of its rule.
_INFLUX_EXAMPLE = ("Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M-"
                 "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3==")


# Oracle RMAN's connections: `rman target USER/PW@DB catalog USER/PW@CATDB auxiliary …` on its command line, and
# `CONNECT TARGET|CATALOG|AUXILIARY USER/PW@DB` in its scripts.
_RMAN_LINE = re.compile(r"\brman\b|(?i:\bconnect)[ \t]+[\"']?$", re.IGNORECASE)


def _rman_connect(rule: Rule, hit: Hit) -> list[Finding]:
    """A connect string after RMAN's `target`, `catalog` or `auxiliary`, on an `rman` command line or after
    `CONNECT`."""
    return _bundler_credentials(rule, hit) if _RMAN_LINE.search(_command_line(hit.text, hit.anchor)) else []


# pgpool-II's pcp.conf (`USERID:MD5PASSWD` header of its sample file): each `user:<md5 hex>` line after the header,
# comments and blank lines between.
_PCP_HEADER = "USERID:MD5PASSWD"
_PCP_FILE_LINE = re.compile(r"[ \t]*(?:#[^\r\n]*|[^#\s:]{1,64}:[0-9a-fA-F]{32})?[ \t]*\r?")


_pcp_conf_user = _under_file_header(_PCP_HEADER, _PCP_FILE_LINE)


# FOLIO edge modules' Ephemeral secure store (`ephemeral.properties`): `tenants=t1,t2` lists the tenants, then one
# `TENANT=USER,PASSWORD` line each gives the institutional user's credentials. Only a line whose key is a listed tenant.
_EPHEMERAL_TENANTS = re.compile(r"(?m)^[ \t]*tenants[ \t]*=[ \t]*([^\r\n]*)")


def _ephemeral_tenant(rule: Rule, hit: Hit) -> list[Finding]:
    """The password of a `TENANT=USER,PASSWORD` line whose tenant the text's `tenants=` line lists."""
    tenant = hit.text[slice(*hit.span("n"))]  # type: ignore[misc]
    listed = {item.strip() for line in _EPHEMERAL_TENANTS.findall(hit.text) for item in line.split(",")}
    return _bundler_credentials(rule, hit) if tenant != "tenants" and tenant in listed else []


# EZproxy's `user.txt`: local accounts as `USER:PASSWORD` lines (an optional `:admin` after), between comment lines,
# `::` directives and `IfUser`/`IfIP`/`Group`/`Stop`/`Deny` lines; only below a line that names the file
# (`cat /usr/local/ezproxy/user.txt`).
_EZPROXY_USER_LINE = re.compile(r"[ \t]*(?:#[^\r\n]*|::[^\r\n]*|(?:If[A-Za-z]+|Group|Stop|Deny)\b[^\r\n]*"
                                r"|[^\s:#]{1,64}:[^\s:]{1,128}(?::[A-Za-z]+)?)?[ \t]*\r?")
_ezproxy_user = _under_file_header("ezproxy/user.txt", _EZPROXY_USER_LINE)


# pgpool-II's pool_passwd: `user:TEXT<password>` is a clear-text entry, beside `md5<hex>` and `AES<base64>` ones.
_POOL_PASSWD = re.compile(r"\bpool_passwd\b"
                          r"|(?<![^\n])[^\s:#]{1,64}:(?:md5[0-9a-f]{32}|AES[A-Za-z0-9+/]{16,}=*)[ \t]*\r?$",
                          re.MULTILINE)


def _pool_passwd_text(rule: Rule, hit: Hit) -> list[Finding]:
    """A `user:TEXT<password>` line, in a text that names pool_passwd or holds its other entries."""
    return _bundler_credentials(rule, hit) if _POOL_PASSWD.search(hit.text) else []


def _symbol_element(rule: Rule, hit: Hit) -> list[Finding]:
    """`knife[:vsphere_pass] = '…'`, `default[:app][:db_password] = "…"`: a Ruby hash element indexed by a symbol that
    names a secret (Chef's knife.rb/config.rb and attribute files)."""
    return _named_value(hit.text[slice(*hit.span("k"))], rule, hit)  # type: ignore[misc]


# A Rundeck key storage upload: the request body is the stored password when the content type says so.
_RUNDECK_DATA_TYPE = "application/x-rundeck-data-password"


def _rundeck_password_body(rule: Rule, hit: Hit) -> list[Finding]:
    """curl's `--data-binary '…'` (or `-d`, `--data`, `--data-raw`) in the same command as the content type
    `application/x-rundeck-data-password` (within 600 characters either side); not `@file`."""
    start, end = hit.value_span()
    window = hit.text[max(0, start - 600) : end + 600]
    if _RUNDECK_DATA_TYPE not in window.lower() or hit.text[start] == "@":
        return []
    return _device_value(rule, hit)


# A made-up Agora AccessToken2 in its shape, for the rule's examples.
_AGORA_EXAMPLE = ("007eJxTYLhVmpKaVb5nYqHu4fDU4jqWSCLbF8BbUWaVdgWSk5N5XKsNnsaplnjGLRkhLBJRfBkqPvoBCExI2eLH3jVoPdc9Ip4L"
                "m8qzN1Vb")


FORMAT_RULES: tuple[Rule, ...] = (
    # Kerberos AS-REP and TGS hashes (`$krb5asrep$23$user@REALM:...`, hashcat modes 18200/13100): crackable offline.
    Rule("password_hash", r"\$(?<![\w$]\$)krb5(?:asrep|tgs|pa)\$\d{1,2}\$\S{32,}", r"\$", after="krb5",
         examples=((f"$krb5asrep$23$alice@CORP.LOCAL:{'3e156ada591263b8' * 2}${'007497cb51b6c811' * 8}",
                    f"$krb5asrep$23$alice@CORP.LOCAL:{'3e156ada591263b8' * 2}${'007497cb51b6c811' * 8}"),),
         negatives=("price $krb5 ok",)),
    Rule("password_hash", r"\$(?<![\w$]\$)" + _CRYPT_IDS + r"(?:[./A-Za-z0-9$=,+-]|\\\$){8,}", r"\$",
         extract=_crypt_hash,
         after=_CRYPT_IDS,
         examples=(("root:$6$Zr3Yq8Lk$OMbGn8r1aVfQz2mS0t7uEJd3xk9pWcHbL4yN6iR5sD:19123:0:99999:7:::",
                    "$6$Zr3Yq8Lk$OMbGn8r1aVfQz2mS0t7uEJd3xk9pWcHbL4yN6iR5sD"),
                   ("admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"),
                   ("'$2b$12$KIXQJQbT9h1qzVd3ZpMx7uN4eYcJ1kPqW8aRm0sF3vT6yL2nB5cG.'",
                    "$2b$12$KIXQJQbT9h1qzVd3ZpMx7uN4eYcJ1kPqW8aRm0sF3vT6yL2nB5cG."),
                   ("username admin secret 9 $9$Ab3dEf6hIj9kLm$Q8sLk2mN4pR6tV8xZ0bC1wE3rT5yU7iO9pA2sD4fG6h",
                    "$9$Ab3dEf6hIj9kLm$Q8sLk2mN4pR6tV8xZ0bC1wE3rT5yU7iO9pA2sD4fG6h"),
                   ("(1,'admin','$S$DGk0b2Vq9tYb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3MzXc8VnB1Hq2Lm9Vx4Zp')",
                    "$S$DGk0b2Vq9tYb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3MzXc8VnB1Hq2Lm9Vx4Zp"),
                   ("EXTRA_USERS_PARAMS = \"usermod -p '\\$6\\$Zr3Yq8Lk\\$OMbGn8r1aVfQz2mS0t7uEJd3xk9pWcHbL4' root;\"",
                    "$6\\$Zr3Yq8Lk\\$OMbGn8r1aVfQz2mS0t7uEJd3xk9pWcHbL4")),
         negatives=("echo \\$1\\$2 costs \\$5\\$ today", "echo $1$2 costs $5$ today",
                    "class Outer$Inner$1$2 loaded", "daemon:*:19000:0:99999:7:::")),
    Rule("password", r"=(?<=[ \t!]=)(?P<v>[^\s]{1,256})(?=[ \t]+(?:/|-[ \t]))", "=", before="[ \t!]",
         extract=_line_before(_MAKEUSERS_HEAD.match, _bundler_credentials),
         examples=(("operator -1 operator -1 =0perat0r-Pw /home/operator /bin/sh dialout Operator", "0perat0r-Pw"),),
         negatives=("svc-mqtt -1 svc-mqtt -1 * - /bin/false - MQTT daemon", "mode = 0644 /etc/app.conf",
                    "user -1 user -1 $6$salt$hash /home/user /bin/sh - Test")),
    *(Rule("password_hash", rf"(?<![\w$]){pattern}(?![A-Za-z0-9+/=])", needs=needs,
           examples=((f"1,admin,{example},2024-01-01", example.lstrip(":")),),
           negatives=(f"hashes look like {needs}<iterations>$<salt>$<hash>", f"{example[:24]} (cut)"))
      for needs, pattern, example in _FRAMEWORK_HASHES),
    # Database servers' stored password hashes, as `mysql.user` and `pg_authid` dumps and `CREATE USER` statements hold
    # them: MySQL's `mysql_native_password` (`*` and 40 upper-case hex digits), PostgreSQL's `md5` + 32 hex digits of
    # md5(password || user) and SCRAM-SHA-256 verifiers (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`).
    Rule("password_hash", r"\*(?<![\w*]\*)[0-9A-F]{40}(?![\w])", needs="*",
         examples=(("INSERT INTO `user` VALUES ('%','app','*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4','N');",
                    "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4"),),
         negatives=("see note *1 and *2 below", "SELECT * FROM users", "**6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4")),
    Rule("password_hash", r"md5(?<![\w.]md5)[0-9a-f]{32}(?![\w])", needs="md5",
         examples=(("app_user\tmd5a3556571e93b0d20722ba62be61e8c2d\t", "md5a3556571e93b0d20722ba62be61e8c2d"),),
         negatives=("md5 a3556571e93b0d20722ba62be61e8c2d", "file.md5a3556571e93b0d20722ba62be61e8c2d")),
    Rule("password_hash", r"SCRAM-SHA-256\$\d{1,7}:[A-Za-z0-9+/=]{8,64}\$[A-Za-z0-9+/=]{40,64}:[A-Za-z0-9+/=]{40,64}",
         needs="SCRAM-SHA-256$",
         examples=(("ALTER ROLE app PASSWORD 'SCRAM-SHA-256$4096:Hq2Lm9Vx4Zp8Tn3Yb6Jf1g==$"
                    "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz=:Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz6Q=';",
                    "SCRAM-SHA-256$4096:Hq2Lm9Vx4Zp8Tn3Yb6Jf1g==$Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz=:"
                    "Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz6Q="),),
         negatives=("password_encryption = 'SCRAM-SHA-256'",)),
    Rule("password_hash", r":(?=(?P<v>[./0-9A-Za-z]{13})(?::\d*:\d*:|[ \t]*(?:\r?\n|\Z)))", ":", extract=_des_crypt,
         after=keys.COLON_VALUE_GUARD,
         examples=(("olduser:Xy7pQ2rT9wEzA:1001:1001:Old User:/home/olduser:/bin/sh", "Xy7pQ2rT9wEzA"),
                   ("webadmin:rOqQzRtLkPL9s\nreports:xV2yl3DdGsXbk\n", "rOqQzRtLkPL9s")),
         negatives=("www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin", "at 10:abcdefghijklm:12:14 ok")),
    Rule("password_hash", r"\}(?:(?<=\{SHA\})|(?<=\{MD5\})|(?<=\{SSHA\})|(?<=SHA256\})|(?<=SHA512\})|(?<=\{SMD5\})"
         r"|(?<=CRAM-MD5\})|(?<=PLAIN-MD5\})|(?<=DIGEST-MD5\})|(?<=\{NTLM\}))(?P<v>[A-Za-z0-9+/]{20,}={0,2})",
         r"\}", before="[A256M]",
         examples=(("web:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "W6ph5Mm5Pz8GgiULbPgzG37mj9g="),
                   ("carol:{CRAM-MD5}4a1c2f3e5d6b7a8c9e0f1a2b3c4d5e6f::::::", "4a1c2f3e5d6b7a8c9e0f1a2b3c4d5e6f"),
                   ("userPassword: {SSHA256}Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi"),
                   ("userPassword: {SSHA}DkMTwBl+a/3DQTxCYEApdUtNXGgdUac3", "DkMTwBl+a/3DQTxCYEApdUtNXGgdUac3")),
         negatives=('{"a": {"SHA"}}', "{SHA} is a label")),
    # Dovecot's and LDAP's plain-text schemes (`alice:{PLAIN}secret::::::`, `userPassword: {CLEARTEXT}secret`).
    Rule("password", r"\}(?:(?<=\{PLAIN\})|(?<=CLEARTEXT\}))(?P<v>[^\s:]{1,256})", r"\}", before="[NT]",
         extract=_bundler_credentials, remember=True,
         examples=(("alice:{PLAIN}D0vec0tPlain::::::", "D0vec0tPlain"),),
         negatives=("scheme {PLAIN} only", "default_pass_scheme = {PLAIN}")),
    Rule("secret", r"define\(\s*(?:'(?P<k1>\w{1,80})'|\"(?P<k2>\w{1,80})\")\s*,\s*(?:'(?P<v1>(?:[^'\\\n]|\\.){1,512})'"
         r"|\"(?P<v2>(?:[^\"\\\n]|\\.){1,512})\")", needs="define(", extract=_php_define, remember=True,
         examples=(("define( 'DB_PASSWORD', 'Tr0ub4dor&3horse' );", "Tr0ub4dor&3horse"),
                   ("define('LOGGED_IN_SALT', 'a8Zk2Lp0Qw9Xe7Rt6Yu5Io4Pa3Sd2Fg1Hj0Kl9Zx8Cv7Bn6Mq');",
                    "a8Zk2Lp0Qw9Xe7Rt6Yu5Io4Pa3Sd2Fg1Hj0Kl9Zx8Cv7Bn6Mq"),
                   # a generated salt may start with a sign that also joins literals (Open Web Analytics' installer)
                   ("define('OWA_NONCE_SALT', '+wQ7#zT!mV2^pL8&xR4*wN7(yB3)fH6j>K');",
                    "+wQ7#zT!mV2^pL8&xR4*wN7(yB3)fH6j>K")),
         negatives=("define( 'WP_DEBUG', false );", "define('DB_HOST', 'localhost');",
                    "define('AUTH_KEY', 'put your unique phrase here');",
                    "define('APP_SECRET', '' + secretFromEnvironmentStore + '');")),
    Rule("password", r"(?i:INSERT\s+INTO)\s+(?P<tb>[\w.`\"\[\]]{1,128})\s*\((?P<c>[^()]{1,4000})\)\s*(?i:VALUES)",
         needs="INTO", extract=_sql_insert, remember=True,
         examples=(("INSERT INTO `users` (`id`, `login`, `password`) VALUES (1,'admin','5f4dcc3b5aa765d61d83');",
                    "5f4dcc3b5aa765d61d83"),
                   ("INSERT INTO wp_users (ID, user_login, user_pass) VALUES (1, 'ed', 'Pl41nPass!');",
                    "Pl41nPass!")),
         negatives=("INSERT INTO orders (id, total) VALUES (1, 100.5);",
                    "INSERT INTO users (name, password) VALUES (?, ?)")),
    Rule("password", r"(?i:INSERT\s+INTO)\s+(?P<tb>[\w.`\"\[\]]{1,128})\s+(?i:VALUES)\s*(?=\()", needs="INTO",
         extract=_sql_insert_bare, remember=True,
         examples=(("CREATE TABLE `users` (\n  `id` int NOT NULL,\n  `login` varchar(64),\n  `password` varchar(255),\n"
                    "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nINSERT INTO `users` VALUES (1,'admin','Dump3dPw!'),"
                    "(2,'ops','0psPa55');", "0psPa55"),
                   ("INSERT INTO `jos_users` VALUES (62,'Admin','admin','admin@example.com',"
                    "'4a7d1ed414474e4033ac29ccb8653d9b','Super Administrator');", "4a7d1ed414474e4033ac29ccb8653d9b"),
                   ("INSERT INTO `wp_options` VALUES (7,'mailserver_pass','Wp-M4il-pw','yes');", "Wp-M4il-pw")),
         negatives=("INSERT INTO `users` VALUES (1,'admin','no table definition');",
                    "INSERT INTO `files` VALUES (1,'logo.png','4a7d1ed414474e4033ac29ccb8653d9b');",
                    "INSERT INTO `i18n` VALUES (1,'password','Passwort'),(2,'forgot_password','Forgot it?');",
                    "CREATE TABLE `orders` (\n  `id` int,\n  `total` decimal\n);\n"
                    "INSERT INTO `orders` VALUES (1,9.5);")),
    Rule("password", r"COPY\s+(?P<tb>[\w.\"]{1,128})\s*\((?P<c>[^()]{1,4000})\)\s+FROM\s+stdin;\r?\n",
         needs="FROM stdin", extract=_pg_copy, remember=True,
         examples=(("COPY public.users (id, email, encrypted_password) FROM stdin;\n1\ta@example.org\tC0pyPw9\n"
                    "2\tb@example.org\t\\N\n\\.\n", "C0pyPw9"),
                   ("COPY public.members (id, login, hash) FROM stdin;\n"
                    "1\tbob\t25d55ad283aa400af464c76d713c07ad\n\\.\n",
                    "25d55ad283aa400af464c76d713c07ad")),
         negatives=("COPY public.orders (id, total) FROM stdin;\n1\t9.50\n\\.\n",
                    "COPY public.files (id, name, hash) FROM stdin;\n"
                    "1\tlogo.png\t25d55ad283aa400af464c76d713c07ad\n\\.\n")),
    # Postfix's sasl_passwd(5) table: `[relay.host]:port user:password`, one entry per line.
    Rule("password", r"\](?::\d{1,5})?[ \t]+[^\s:]{1,128}:(?P<v>[^\s]{1,256})[ \t]*(?=\r?\n|\Z)", r"\]",
         extract=_sasl_passwd, remember=True, before=r"\w",
         # (possessive: nothing given back could be followed; the value and the line's end too, so that a log's
         # `sshd[24543]: pam_unix(sshd:auth): authentication failure` fails here, not in the pattern's backtracking)
         after=r"(?::\d{1,5}+)?+[ \t]++[^\s:]{1,128}+:[^\s]{1,256}+[ \t]*+(?:\r?\n|\Z)",
         examples=(("[smtp.gmail.com]:587 alerts@example.com:Sm7pSaslPw\n", "Sm7pSaslPw"),),
         negatives=("[main] INFO:started", "[org.apache.Foo] INFO:ready now")),
    # The same table under a line that names it, where an entry may be keyed by the sender (`user@domain`, `@domain`)
    # for `smtp_sender_dependent_authentication`.
    Rule("password", r"(?<![^\n])[^\r\n]*\bsasl_passwd\b[^\r\n]*(?:\r?\n|\Z)", needs="sasl_passwd",
         extract=_sasl_passwd_entries, remember=True,
         examples=(("# /etc/postfix/sasl_passwd\nbilling@example.com  billing@example.com:B1llRelay\n", "B1llRelay"),
                   ("$ sudo cat /etc/postfix/sasl_passwd\n@ops.example.com ops-relay:0psR3lay#\n", "0psR3lay#")),
         negatives=("smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\nrelayhost = [smtp.example.com]:587\n",
                    "# sasl_passwd\n@example.com  [smtp.example.com]:587\n")),
    # proxychains.conf's `[ProxyList]`: `type host port [user pass]` entries, one a line.
    Rule("password", r"\[ProxyList\][ \t]*(?:\r?\n|\Z)", needs="[ProxyList]", extract=_proxychains_entries,
         remember=True,
         examples=(("[ProxyList]\nsocks4 127.0.0.1 9050\nsocks5  192.168.67.78   1080    lamer   s0ck5Pa55w\n",
                    "s0ck5Pa55w"),
                   ("[ProxyList]\n# type ip port [user pass]\nhttp 10.1.2.3 8080 justu Hp4ssZq81", "Hp4ssZq81")),
         negatives=("[ProxyList]\nsocks5  127.0.0.1 9050\nhttp    10.1.2.3  3128\n",
                    "[ProxyList]\nsocks5 10.0.0.1 1080 user $PROXY_PASS\n")),
    # Sendmail's authinfo (and access) database: `AuthInfo:host "U:user" "I:authid" "P:password"`; `P=` holds the
    # password in base64.
    Rule("password", r"AuthInfo:[^\r\n]*?\"P[:=](?P<v>[^\"\r\n]{1,256})\"", needs="AuthInfo:",
         extract=_bundler_credentials, remember=True,
         examples=(('AuthInfo:smtp.example.com "U:smmsp" "I:relay" "P:Sm4ilAuth" "M:PLAIN"', "Sm4ilAuth"),
                   ('AuthInfo: "U:root" "P=U200aWxCNjRwdw=="', "U200aWxCNjRwdw==")),
         negatives=('AuthInfo:smtp.example.com "U:smmsp" "I:relay" "M:PLAIN"', 'FEATURE(`authinfo\')dnl')),
    # Exim's client authenticators: `client_send = ^user^password` (PLAIN) and `client_send = : user : password`
    # (LOGIN), the password last.
    Rule("password", r"\bclient_send[ \t]*=[ \t]*(?:\^[^^\s]{0,256}\^(?P<v1>[^\s^]{1,256})"
         r"|:[ \t]*[^:\s]{1,256}[ \t]*:[ \t]*(?P<v2>[^\s:]{1,256}))[ \t]*(?=\r?\n|\Z)", needs="client_send",
         extract=_bundler_credentials, remember=True,
         examples=(("  hide client_send = ^relay@example.com^Ex1mPlainPw", "Ex1mPlainPw"),
                   ("  client_send = : relay : Ex1mL0ginPw\n", "Ex1mL0ginPw")),
         negatives=("  client_send = : relay : ${extract{2}{:}{${lookup{$host}lsearch{/etc/exim4/passwd.client}}}}",
                    "  client_send = ^relay^")),
    # Exim's SQL server lists, `hide mysql_servers = host/database/user/password` (a `(socket)` in place of the host).
    Rule("password", r"\b(?:mysql|pgsql|oracle|ibase)_servers[ \t]*=[ \t]*(?:\([^()\r\n]{1,256}\)|[^\s/()]{1,256})"
         r"/[^\s/]{1,128}/[^\s/]{1,128}/(?P<v>[^\s/:]{1,256})", needs="_servers", extract=_exim_server_password,
         remember=True,
         examples=(("hide mysql_servers = localhost/mail/exim/Ex1mSqlPw", "Ex1mSqlPw"),
                   ("hide pgsql_servers = (/var/run/postgresql/.s.PGSQL.5432)/mail/exim/PgEx1m_lit", "PgEx1m_lit")),
         negatives=("hide mysql_servers = MYSQL_SERVER/MYSQL_DB/MYSQL_USER/MYSQL_PASSWORD",
                    "redis_servers = 127.0.0.1//")),
    # Haraka's auth_flat_file.ini: the `[users]` section after the `[core]` mechanisms holds `name=password` entries.
    Rule("password", r"(?<![^\n])methods[ \t]*=[ \t]*(?:PLAIN|LOGIN|CRAM-MD5)[A-Z0-9, \t-]*\r?\n"
         r"(?:[ \t]*(?:[;#][^\r\n]*)?\r?\n){0,8}\[users\][ \t]*(?:\r?\n|\Z)", needs="[users]",
         extract=_ini_block_values, remember=True,
         examples=(("[core]\nmethods=PLAIN,LOGIN,CRAM-MD5\n\n[users]\nnewsletter=H4rakaNews!\n", "H4rakaNews!"),),
         negatives=("[auth.basic]\nenabled = true\n[users]\nallow_sign_up = false\n",
                    "methods=PLAIN,LOGIN\n[users]\n\n; config/smtp_forward.ini\nhost=smtp.example.net\nport=587\n")),
    # Perl DBI connection triples (Amavis's `@lookup_sql_dsn = (['DBI:mysql:...', 'user', 'password'])`).
    Rule("password", "|".join(rf"{q}DBI:[^{q}\r\n]{{1,512}}{q}[ \t]*,[ \t]*{q}[^{q}\r\n]{{0,128}}{q}[ \t]*,[ \t]*"
                              rf"{q}(?P<v{n}>[^{q}\r\n]{{1,256}}){q}" for n, q in ((1, "'"), (2, '"'))),
         needs="DBI:", extract=_bundler_credentials, remember=True,
         examples=(("@lookup_sql_dsn = (['DBI:mysql:database=vmail;host=127.0.0.1', 'vmail', 'AmaV1sPw']);",
                    "AmaV1sPw"),),
         negatives=("@lookup_sql_dsn = (['DBI:mysql:database=vmail', 'vmail', $ENV{DB_PW}]);",)),
    # Commands that take a password or key as a positional argument: Zimbra's `zmprov ca|createAccount ACCOUNT
    # PASSWORD [attr value ...]` and `zmprov sp|setPassword ACCOUNT PASSWORD`, Dovecot's `doveadm auth test|login USER
    # [PASSWORD]`, NiFi's `nifi.sh set-single-user-credentials USER PASSWORD` and `nifi.sh
    # set-sensitive-properties-key KEY` (the key that encrypts the flow's sensitive properties), the Shodan CLI's
    # `shodan init API_KEY` and SentinelOne's `sentinelctl management token set SITE_TOKEN` (the agent's enrollment),
    # Frappe's `bench --site SITE set-admin-password PASSWORD`, BigBlueButton's `bbb-conf --setsecret SECRET` (the API's
    # shared secret), PocketBase's `pocketbase superuser create|upsert EMAIL PASSWORD` (`admin create` before v0.23);
    # storage and backup CLIs: Synology DSM's `synouser --add USER PASSWORD ...` and `--setpw USER
    # PASSWORD`, Arcserve Backup's `ca_auth -user add USER PASSWORD` and `ca_auth -equiv add NTUSER HOST USER CAROOT
    # PASSWORD`, MinIO's `mc admin user add ALIAS USER PASSWORD` and `mc alias set ALIAS URL ACCESS_KEY SECRET_KEY`,
    # HPE 3PAR's `createuser -c PASSWORD USER DOMAIN ROLE` (three positionals after it: PostgreSQL's `createuser -c N`
    # is a connection limit), Commvault's `qlogin -clp PASSWORD` and NetBackup's `nbcertcmd -getCertificate -token
    # TOKEN` (16 letters, no digit).
    *(Rule("password", rf"{head}(?:[ \t]+-[A-Za-z][ \t]+\S+)*{account}[ \t]+{_ARG_VALUE}{tail}",
           needs=needs, extract=_bundler_credentials, remember=True,
           examples=((f"{example} 'Al1ce!Pw'{rest}", "Al1ce!Pw"),),
           negatives=(example, f"{example} $NEW_PW{rest}"))
      for head, account, needs, tail, example, rest in (
          (r"\bzmprov(?:[ \t]+-[lz])*[ \t]+(?:ca|createAccount|sp|setPassword)", _ACCOUNT_ARG, "zmprov",
           r"(?=[ \t]|\r?\n|\Z)", "zmprov ca alice", " displayName 'Alice'"),
          (r"\bdoveadm[ \t]+auth[ \t]+(?:test|login)", _ACCOUNT_ARG, "doveadm", _LINE_END, "doveadm auth test alice",
           ""),
          (r"\bnifi\.sh[ \t]+set-single-user-credentials", _ACCOUNT_ARG, "nifi.sh", _LINE_END,
           "./bin/nifi.sh set-single-user-credentials admin", ""),
          (r"\bnifi\.sh[ \t]+set-sensitive-properties-key", "", "nifi.sh", _LINE_END,
           "nifi.sh set-sensitive-properties-key", ""),
          (r"\bshodan[ \t]+init", "", "shodan", _LINE_END, "shodan init", ""),
          (r"\bsentinelctl[ \t]+management[ \t]+token[ \t]+set", "", "sentinelctl", _LINE_END,
           "sudo /opt/sentinelone/bin/sentinelctl management token set", ""),
          (r"set-admin-password(?<=[ \t]set-admin-password)", "", "set-admin-password", r"(?=[ \t]|\r?\n|\Z)",
           "bench --site erp.example.com set-admin-password", " --logout-all-sessions"),
          (r"--setsecret(?<=bbb-conf[ \t]--setsecret)", "", "--setsecret", _LINE_END, "sudo bbb-conf --setsecret",
           ""),
          (r"\bpocketbase(?:\.exe)?[ \t]+(?:superuser|admin)[ \t]+(?:create|upsert)", _ACCOUNT_ARG, "pocketbase",
           _LINE_END, './pocketbase superuser create "$ADMIN_EMAIL"', ""),
          (r"synouser(?<!\wsynouser)[ \t]+--(?:add|setpw)", _ACCOUNT_ARG,
           "synouser", r"(?=[ \t]|\r?\n|\Z)", "sudo synouser --add backup", ' "Backup user" 0 "" 0'),
          (r"ca_auth\b(?<!\wca_auth)[^\r\n]*?[ \t]-user[ \t]+add", _ACCOUNT_ARG, "ca_auth", _LINE_END,
           "ca_auth -user add backupop", ""),
          (r"ca_auth\b(?<!\wca_auth)[^\r\n]*?[ \t]-equiv[ \t]+add", _ACCOUNT_ARG * 4, "ca_auth", _LINE_END,
           "ca_auth -equiv add backupop WEB01 caroot caroot", ""),
          (r"admin[ \t]user[ \t]add(?<=\bmc[ \t]admin[ \t]user[ \t]add)", _ACCOUNT_ARG * 2, "admin user add", _LINE_END,
           "mc admin user add prod backupuser", ""),
          (r"alias[ \t]set(?<=\bmc[ \t]alias[ \t]set)", _ACCOUNT_ARG * 3, "alias set", r"(?=[ \t]|\r?\n|\Z)",
           "mc alias set r2 https://3f9c1e7a.r2.cloudflarestorage.com 7d1e9b3a5c8f2e4d", " --api S3v4"),
          (r"createuser(?<!\wcreateuser)(?:[ \t]+-e)?[ \t]+-c", "", "createuser",
           r"(?:[ \t]+[^\s-]\S{0,63}){3}" + _LINE_END, "cli% createuser -c", " opsadmin all edit"),
          (r"qlogin\b(?<!\wqlogin)[^\r\n]*?[ \t]-clp", "", "qlogin", r"(?=[ \t]|\r?\n|\Z)",
           "qlogin -cs commserve.example.com -u admin -clp", ""),
          (r"nbcertcmd\b(?<!\wnbcertcmd)[^\r\n]*?[ \t]-token", "", "nbcertcmd", r"(?=[ \t]|\r?\n|\Z)",
           "nbcertcmd -getCertificate -token", " -server nbu.example.com"),
          # Zimbra's `zmldappasswd [--root|-r|-a|…] PASSWORD` and `zmmypasswd [--root] PASSWORD` (the LDAP and MySQL
          # service passwords; flags only before it).
          (r"\bzm(?:ldap|my)passwd(?:[ \t]+--?[a-z]{1,16})*", r"(?![ \t]+-)", "passwd", _LINE_END,
           "/opt/zimbra/bin/zmldappasswd --root", ""))),
    # A fluent SDK builder given an API key and its secret in one chain: Expedia Rapid's Java SDK
    # `RapidClient.builder().key("…").secret("…")` (the key is half of the signature credential; `.secret("…")` is
    # caught by its name). A bare `.key("…")` names a map or cache key as often, so only beside `.secret(`.
    Rule("secret", r"\.key\(\s{0,16}(?:\"(?P<v1>[^\"\r\n]{8,256})\"|'(?P<v2>[^'\r\n]{8,256})')\s{0,16}\)"
         r"\s{0,64}\.secret\("
         r"|\.secret\([^()\r\n]{0,128}(?:\([^()\r\n]{0,128}\)[^()\r\n]{0,16})?\)\s{0,64}\.key\(\s{0,16}"
         r"(?:\"(?P<v3>[^\"\r\n]{8,256})\"|'(?P<v4>[^'\r\n]{8,256})')\s{0,16}\)",
         needs=".secret(", extract=_sdk_key_argument, remember=True,
         examples=(('RapidClient c = RapidClient.builder()\n    .key("k7t2mq9xw4vz8pn3rb6hc5yd")\n'
                    '    .secret("q8w3e7r2t6y1u")\n    .build();', "k7t2mq9xw4vz8pn3rb6hc5yd"),
                   ("Client.builder().secret(System.getenv(\"RAPID_SECRET\")).key('Zx8Cv7Bn6Mq5Wr4T').build()",
                    "Zx8Cv7Bn6Mq5Wr4T")),
         negatives=('RapidClient.builder().key(System.getenv("RAPID_KEY")).secret(System.getenv("RAPID_SECRET"))',
                    'cache.key("session:42").ttl(60)', '.key("YOUR_API_KEY").secret("YOUR_SHARED_SECRET")',
                    'record.key("order-7781").value(payload)')),
    # A literal typed into `echo -n VALUE | base64`, how a Kubernetes Secret's data or a vendor's Basic credential is
    # built by hand (Sabre's REST token credentials: ``echo -n `echo -n "V1:EPR:PCC:AA" | base64`:`echo -n "PASSWORD" |
    # base64` | base64``): one word with a letter and a digit, not a user:password pair or a URL (`:`, `/`), not a
    # shell expansion; decoding (`base64 -d`) prints, it does not build.
    Rule("secret", r"(?<![\w-])echo(?:[ \t]+-[neE]{1,3})?[ \t]+(?:\"(?P<v1>[^\"\s$`:/\\]{8,128})\""
         r"|'(?P<v2>[^'\s$:/\\]{8,128})'|(?P<v3>[^\s\"'`$|;&:/\\]{8,128}))[ \t]*\|[ \t]*base64\b"
         r"(?![ \t]+(?:-d\b|-D\b|--decode\b|-i\b))",
         needs="base64", extract=_sdk_key_argument, remember=True,
         examples=(("echo -n `echo -n \"V1:7971:X3BK:AA\" | base64`:`echo -n \"Wq8vLr2Z\" | base64` | base64",
                    "Wq8vLr2Z"),
                   ("$ echo -n '1f2d1e2e67df' | base64", "1f2d1e2e67df"),
                   ("echo -n Tz8qLm4Rx2Vw | base64 -w0", "Tz8qLm4Rx2Vw")),
         negatives=("echo -n 'admin' | base64", 'echo -n "$DB_PASSWORD" | base64',
                    "echo 'dXNlcjpwYXNzd29yZDEy' | base64 -d", 'echo -n "user:Pw4x9kLm" | base64',
                    'echo -n "https://example.com/a1" | base64', 'echo -n "${PGPASSWORD}" | base64',
                    "echo -n 'mypassword' | base64")),
    # A secret written into the file that holds it, as agents' enrollment guides do: Wazuh's `echo "PASSWORD" >
    # /var/ossec/etc/authd.pass`, osquery's `echo SECRET > /etc/osquery/enroll_secret`, `echo KEY | sudo tee
    # ~/.config/shodan/api_key`. Only the target's name says what the value is (`authorized_keys` is no secret).
    # The Elastic stack's keystore tools read a setting's value on stdin (`echo VALUE | bin/elasticsearch-keystore add
    # --stdin SETTING`, `kibana-keystore`, `logstash-keystore`): the setting's name plays the file's part. `printf
    # '%s' VALUE` is `echo` without the newline, one rule per command so each pass starts at its literal.
    *(Rule("secret", head + r"[ \t]+" + _ARG_VALUE
           + r"[ \t]*(?:>>?|\|[ \t]*(?:sudo[ \t]+)?(?:tee(?:[ \t]+-a)?"
           r"|[\w./-]{0,128}-keystore[ \t]+add(?:[ \t]+-\S+)*))[ \t]*(?P<f>[^\s;|&<>]{1,256})",
           needs=needs, extract=_echo_to_secret_file, remember=True, examples=examples, negatives=negatives)
      for head, needs, examples, negatives in (
          (r"echo(?<![\w-]echo)(?:[ \t]+-[neE]{1,3})?", "echo",
           (('echo "Tz8qLm4Rx2Vw" > /var/ossec/etc/authd.pass', "Tz8qLm4Rx2Vw"),
            ("echo 'Yb7TqL2vXm9RzK4w' > /etc/osquery/enroll_secret", "Yb7TqL2vXm9RzK4w"),
            ("echo Kq7vR2mXp9LwT4zN | sudo tee -a ~/.config/shodan/api_key", "Kq7vR2mXp9LwT4zN"),
            ('echo "Wq7vR2mXp9Lw/T4zN+b" | bin/elasticsearch-keystore add --stdin s3.client.default.secret_key',
             "Wq7vR2mXp9Lw/T4zN+b"),
            ("echo 'Kb4nZ8qLw2Vt' | bin/kibana-keystore add elasticsearch.password --stdin", "Kb4nZ8qLw2Vt")),
           ('echo "$ENROLL_SECRET" > /etc/osquery/enroll_secret',
            'echo "export NEW_PASSWORD=${new_password}" | tee ./new_password.sh',
            "echo 'ssh-ed25519 AAAAC3Nz' >> ~/.ssh/authorized_keys", "echo Tz8qLm4Rx2Vw > /tmp/notes.txt",
            "echo 'deb https://example.com stable main' | sudo tee x.list",
            'echo "$S3_SECRET" | bin/elasticsearch-keystore add --stdin s3.client.default.secret_key',
            "echo 'https://es01:9200' | bin/kibana-keystore add elasticsearch.hosts --stdin")),
          (r"printf(?<![\w-]printf)[ \t]+(?:'%s'|\"%s\"|%s)", "printf",
           (("printf '%s' 'tR8#vLq2Wm5z' | bin/elasticsearch-keystore add -x xpack.security.http.ssl.secure_password",
             "tR8#vLq2Wm5z"),
            ('printf "%s" "Yb7TqL2vXm9RzK4w" > /etc/osquery/enroll_secret', "Yb7TqL2vXm9RzK4w")),
           ("printf '%s' \"$ES_PW\" | bin/elasticsearch-keystore add -x bootstrap.password",
            "printf '%s' 'Tz8qLm4Rx2Vw' > /tmp/notes.txt")))),
    # Elasticsearch's generated `elastic` password as its tools print it: `elasticsearch-reset-password`'s `Password
    # for the [USER] user successfully reset.` then `New value: PASSWORD`, and the first start's security banner,
    # `Password for the elastic user (reset with `...`):` then the password indented on the next line.
    Rule("password", r"Password for the \[?[\w.-]{1,64}\]? user(?: successfully reset\.\r?\nNew value:[ \t]*"
         r"| \(reset with [^\r\n]{1,160}\):[ \t]*\r?\n[ \t]*)(?P<v>\S{6,128})(?=[ \t]*(?:\r?\n|\Z))",
         needs="Password for the", remember=True,
         examples=(("Password for the [elastic] user successfully reset.\nNew value: Zq4=mT8xVw*Ln2b",
                    "Zq4=mT8xVw*Ln2b"),
                   ("\u2139\ufe0f  Password for the elastic user (reset with `bin/elasticsearch-reset-password -u "
                    "elastic`):\n  h6N_bW+3xQz9Lk*T\n", "h6N_bW+3xQz9Lk*T")),
         negatives=("Password for the [elastic] user successfully reset.\n",
                    "Password for the elastic user (reset with `bin/elasticsearch-reset-password -u elastic`):\n\n")),
    # An Elasticsearch enrollment token (`elasticsearch-create-enrollment-token`, the first start's banner): base64 of
    # `{"ver":"8.x","adr":[...],"fgr":"<CA fingerprint>","key":"<id>:<api key>"}`, so it always starts `eyJ2ZXIiOiI`.
    Rule("token", r"eyJ2ZXIiOiI(?<![A-Za-z0-9+/]eyJ2ZXIiOiI)[A-Za-z0-9+/]{80,1024}={0,2}(?![A-Za-z0-9+/=])",
         needs="eyJ2ZXIiOiI",
         examples=(("  eyJ2ZXIiOiI4LjExLjEiLCJhZHIiOlsiMTcyLjE4LjAuMjo5MjAwIl0sImZnciI6IjRmYjY2NmUzY2U4NjBmMjhhMjQ1"
                    "ZTU0MWI1YjkzMTc3Iiwia2V5IjoiUnFWX2JYOHpUNm06bUtwOVF3MmZaNyJ9\n",
                    "eyJ2ZXIiOiI4LjExLjEiLCJhZHIiOlsiMTcyLjE4LjAuMjo5MjAwIl0sImZnciI6IjRmYjY2NmUzY2U4NjBmMjhhMjQ1"
                    "ZTU0MWI1YjkzMTc3Iiwia2V5IjoiUnFWX2JYOHpUNm06bUtwOVF3MmZaNyJ9"),),
         negatives=("eyJ2ZXIiOiI4LjExLjEifQ==", "An enrollment token starts eyJ2ZXIiOiI (base64 of {\"ver\":\")")),
    # Clients whose call takes a key or password by position: the Shodan library's `shodan.Shodan(KEY)`, VirusTotal's
    # vt-py `vt.Client(KEY)`, Cohere's SDK (`cohere.Client(KEY)`, `cohere.ClientV2(KEY)`, their `Async` twins), the
    # LINE Messaging API SDK's `WebhookHandler(CHANNEL_SECRET)`, `WebhookParser(CHANNEL_SECRET)` and (v2)
    # `LineBotApi(CHANNEL_ACCESS_TOKEN)`, the Directus SDK's `staticToken(TOKEN)`, Postmark's server and account
    # tokens (postmark.js `postmark.ServerClient(TOKEN)`/`postmark.AccountClient(TOKEN)`, .NET `PostmarkClient(TOKEN)`:
    # a bare UUID, so only the constructor says it is secret), and the second argument of the
    # PocketBase SDK's `authWithPassword(EMAIL, PASSWORD)`.
    Rule("secret", r"\((?:(?<=shodan\.Shodan\()|(?<=\bvt\.Client\()|(?<=cohere\.Client\()|(?<=cohere\.ClientV2\()"
         r"|(?<=cohere\.AsyncClient\()|(?<=cohere\.AsyncClientV2\()|(?<=\bWebhookHandler\()|(?<=\bWebhookParser\()"
         r"|(?<=\bLineBotApi\()|(?<=\bstaticToken\()|(?<=\bpostmark\.ServerClient\()|(?<=\bpostmark\.AccountClient\()"
         r"|(?<=\bPostmarkClient\()"
         r"|(?<=\bauthWithPassword\()[ \t]*" + _STR_ARG + r"[ \t]*,)"
         r"[ \t]*(?:" + _QUOTED_ARG + r")[ \t]*[,)]", r"\(",
         extract=_bundler_credentials, remember=True, before="[dnrit2]",
         examples=(('api = shodan.Shodan("Pw4nB8vQz2LxM6cR9tYk1HsJ5dFa3GeV")', "Pw4nB8vQz2LxM6cR9tYk1HsJ5dFa3GeV"),
                   ("client = vt.Client('c3a8f1e6d2b9047a5e1c8f3d6b2a9e04')", "c3a8f1e6d2b9047a5e1c8f3d6b2a9e04"),
                   ('co = cohere.ClientV2("Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5Ga0Ue8Io2Mq")',
                    "Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5Ga0Ue8Io2Mq"),
                   ("co = cohere.AsyncClient('Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5Ga0Ue8Io2Mq')",
                    "Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5Ga0Ue8Io2Mq"),
                   ("h = WebhookHandler('8e1d4c7a2f9b0e3d6a5c8f1b4e7d0a29')", "8e1d4c7a2f9b0e3d6a5c8f1b4e7d0a29"),
                   (".with(staticToken('Dx8vR2mQp9LwT4zN'))", "Dx8vR2mQp9LwT4zN"),
                   ("const client = new postmark.ServerClient('5c1e8a2d-7b34-4f9e-a6c0-2d8b9e1f4a73');",
                    "5c1e8a2d-7b34-4f9e-a6c0-2d8b9e1f4a73"),
                   ('var client = new PostmarkClient("9e4b7a1c-2f6d-4c8e-b3a5-0d7f1e2c6b94");',
                    "9e4b7a1c-2f6d-4c8e-b3a5-0d7f1e2c6b94"),
                   ("await pb.collection('_superusers').authWithPassword('a@example.com', 'Pb-Adm1n-Pw')",
                    "Pb-Adm1n-Pw")),
         negatives=("api = shodan.Shodan(SHODAN_API_KEY)", "client = vt.Client(os.environ['VT_API_KEY'])",
                    'co = cohere.ClientV2(os.environ["CO_API_KEY"])',
                    'co = cohere.ClientV2(api_key=api_key, base_url="https://api.cohere.com")',
                    ".with(staticToken(process.env.DIRECTUS_TOKEN))", "authWithPassword(email, password)",
                    "authWithPassword('ops', pass)",
                    "pool = nvt.Client('c3a8f1e6d2b9047a5e1c8f3d6b2a9e04')",
                    "handler = WebhookHandler(os.environ['LINE_CHANNEL_SECRET'])",
                    "const client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);",
                    "const server = await client.getServer('5c1e8a2d-7b34-4f9e-a6c0-2d8b9e1f4a73');")),
    # Vendor SDK constructors and factories whose documented signature takes the key or secret by position, as their
    # quick starts call them with literals, by how many string arguments come before it: Polygon.io's
    # `RESTClient(KEY)`/`polygon.New(KEY)`, MessageBird's `messagebird.Client(KEY)`/`initClient(KEY)`, Telnyx's
    # `require('telnyx')(KEY)`, `Pinecone(KEY)`; after an id: Plivo's `plivo.Client`/`RestClient`/`NewClient(ID,
    # TOKEN)`, Vonage PHP's `Credentials\Basic(KEY, SECRET)`, Pusher PHP's `Pusher(KEY, SECRET, APP_ID)`, Algolia's
    # `SearchClient.create`/`::create` and Go `search.NewClient` (server side; not JavaScript's `algoliasearch(APP_ID,
    # KEY)`, most often given the public search-only key in a browser), go-binance's `NewClient(KEY, SECRET)`,
    # alpaca-py's `TradingClient(KEY, SECRET)` and data clients, JW Player's `jwplatform.Client`/`v1.Client(KEY,
    # SECRET)`, node-mailjet's `apiConnect(KEY, SECRET)`, minio-go's `credentials.NewStaticV4(ID, SECRET, "")`; after an
    # endpoint and an id: minio-py's `Minio(ENDPOINT, ID, SECRET)`. Arguments may be on lines of their own (PHP's
    # style). Only the callee says the value is secret, so it must look like a key: letters and digits, no blank, no
    # `.` or `:` (not a URL or host: `RESTClient("https://...")` is another library's).
    *(Rule("secret", _positional_literal(names, _STR_ARG, index), r"\(",
           extract=_sdk_key_argument, remember=True, before=_last_chars(names),
           examples=examples, negatives=negatives)
      for index, names, examples, negatives in (
          (0, (r"\bRESTClient", r"\bpolygon\.New", r"\bmessagebird\.Client", r"\binitClient",
               r"require\('telnyx'\)", r'require\("telnyx"\)', r"\bPinecone", r"\brollbar\.init", r"new Logtail",
               r"\bcreate_default_logger",
               # Azure SDKs' `AzureKeyCredential(KEY)` (every AI service: Document Intelligence, Language, Search,
               # OpenAI; Python, .NET, Java, JavaScript), Docparser's PHP client `new \Docparser\Docparser(KEY)`.
               r"\bAzureKeyCredential", r"Docparser\\Docparser",
               # smartsheet-python-sdk's `smartsheet.Smartsheet(ACCESS_TOKEN)`, todoist-api-python's `TodoistAPI(TOKEN)`
               r"\bsmartsheet\.Smartsheet", r"\bTodoistAPI", r"\bTodoistAPIAsync",
               # eventbrite-sdk-python's `Eventbrite(OAUTH_TOKEN)` (a private token: 20 upper-case letters and digits)
               r"\bEventbrite",
               # Jotform's clients: Python's `JotformAPIClient(API_KEY[, euApi=True])`, PHP's `new JotForm(API_KEY)`
               r"\bJotformAPIClient", r"new JotForm",
               # benchling-sdk's `ApiKeyAuth(API_KEY)` (other SDKs' API-key auth classes share the name)
               r"\bApiKeyAuth",
               # api.video's Python client `apivideo.AuthenticatedApiClient(API_KEY)`; Kaltura's admin or user
               # secret first in `session.start(SECRET, USER, TYPE, PARTNER_ID, …)` (Python, Node, PHP's
               # `$client->session->start`, Java's `getSessionService().start`) and the clients'
               # `generateSession`/`generateSessionV2(SECRET, …)`, the call often wrapped one argument a line
               r"\bAuthenticatedApiClient", r"\bsession\.start", r"->session->start",
               r"\bgetSessionService\(\)\.start", r"\bgenerateSession", r"\bgenerateSessionV2"),
           (('client = RESTClient("Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5Ga")', "Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5Ga"),
            ("const mb = require('messagebird').initClient('Kq8vR2mTp9LwX4zN7bYc3Hd5s');", "Kq8vR2mTp9LwX4zN7bYc3Hd5s"),
            ("const telnyx = require('telnyx')('KEY0A1B2C3D4E5F6_Zx8Cv7Bn6Mq5Wr4Te3');",
             "KEY0A1B2C3D4E5F6_Zx8Cv7Bn6Mq5Wr4Te3"),
            ('rollbar.init("4e8b2f7a1c9d3e6b0a5f8c2d7e1b4a96", environment="production")',
             "4e8b2f7a1c9d3e6b0a5f8c2d7e1b4a96"),
            ('const logtail = new Logtail("Mb5Kn9Qx3Wz7Rt1Lp4Vc8Hj", { endpoint: "https://in.logs.example.com" });',
             "Mb5Kn9Qx3Wz7Rt1Lp4Vc8Hj"),
            ('config.logger = Logtail::Logger.create_default_logger("Tz6Wq2Rp8Lx4Vn9Kb3Mc7Hd")',
             "Tz6Wq2Rp8Lx4Vn9Kb3Mc7Hd"),
            ('client = FormRecognizerClient(endpoint, AzureKeyCredential("7c1e9a4b2d8f40e6a3b5c9d1e7f2a8b4"))',
             "7c1e9a4b2d8f40e6a3b5c9d1e7f2a8b4"),
            ("var credential = new AzureKeyCredential(\"Fq8Lm2Zx7Vb4Nc9Kd3Rt6Wy1Hp5Js0Ga\");",
             "Fq8Lm2Zx7Vb4Nc9Kd3Rt6Wy1Hp5Js0Ga"),
            ("$parser = new \\Docparser\\Docparser('9e2b7d4a1c8f3e6b0d5a2c7f4e1b8d3a6c9f0e2b');",
             "9e2b7d4a1c8f3e6b0d5a2c7f4e1b8d3a6c9f0e2b"),
            ("smart = smartsheet.Smartsheet('Kq4Wz8Rt2Lm6Vn0Xp3Hb7Jc1Fd5Ys9Ga2Te4Uo')",
             "Kq4Wz8Rt2Lm6Vn0Xp3Hb7Jc1Fd5Ys9Ga2Te4Uo"),
            ('api = TodoistAPI("3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e6d2f0b13")',
             "3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e6d2f0b13"),
            ("eb = Eventbrite('Q7ZK2M4XW9RTB3N6PL5C')", "Q7ZK2M4XW9RTB3N6PL5C"),
            ("client = JotformAPIClient('4c1e9b7a2d8f3e6b0a5c9d1e7f2b8a43', euApi=True)",
             "4c1e9b7a2d8f3e6b0a5c9d1e7f2b8a43"),
            ('$jotformAPI = new JotForm("9b2e7d4a1c8f3e6b0d5a2c7f4e1b8d3a");', "9b2e7d4a1c8f3e6b0d5a2c7f4e1b8d3a"),
            ('benchling = Benchling(url=TENANT, auth_method=ApiKeyAuth("sk_Rq4Lm8Vx2Zp7Tn3Yb6Jf1Ka5Uw0"))',
             "sk_Rq4Lm8Vx2Zp7Tn3Yb6Jf1Ka5Uw0"),
            ('client = apivideo.AuthenticatedApiClient("Zq8Lm2Tx9RkWp4NvB7cY3hJ6sD1fG5aEu0Oi4Wn7Kb2")',
             "Zq8Lm2Tx9RkWp4NvB7cY3hJ6sD1fG5aEu0Oi4Wn7Kb2"),
            ('ks = client.session.start(\n    "3e9a1c7b5d2f4e8a0b6c9d1f7e3a5b2c",\n    "batch@example.com",\n'
             '    KalturaSessionType.ADMIN, 2417361, 86400, "")', "3e9a1c7b5d2f4e8a0b6c9d1f7e3a5b2c"),
            ("$ks = $client->generateSession('7b2d9f4a1c8e3b6d0a5f2c7e9b4d1a8f', 'admin', "
             "KalturaSessionType::ADMIN, 2417361);", "7b2d9f4a1c8e3b6d0a5f2c7e9b4d1a8f")),
           ('api = RESTClient("https://api.example.com", timeout=30)', "client = RESTClient(api_key=key)",
            "rollbar.init(os.environ['ROLLBAR_ACCESS_TOKEN'], environment='production')",
            "const logtail = new Logtail(process.env.LOGTAIL_SOURCE_TOKEN);",
            "pc = Pinecone(os.environ['PINECONE_API_KEY'])", "const telnyx = require('telnyx')(apiKey);",
            'mb = messagebird.Client("YOUR_ACCESS_KEY")',
            'credential = AzureKeyCredential(os.environ["AZURE_DOCUMENT_INTELLIGENCE_KEY"])',
            'cred = AzureKeyCredential("<your-key>")', "$docparser = new \\Docparser\\Docparser($apiKey);",
            "smart = smartsheet.Smartsheet()",
            'api = TodoistAPI(os.environ["TODOIST_API_TOKEN"])', 'api = TodoistAPI("<your_api_token>")',
            "eventbrite = Eventbrite(os.environ['EVENTBRITE_TOKEN'])", "Eventbrite('MYOAUTHTOKEN')",
            "client = JotformAPIClient(os.environ['JOTFORM_API_KEY'], euApi=True)",
            "$jotformAPI = new JotForm('YOUR_API_KEY');", 'auth_method=ApiKeyAuth(os.environ["BENCHLING_API_KEY"])',
            'ApiKeyAuth("your_api_key_here")',
            "client = apivideo.AuthenticatedApiClient(os.environ['APIVIDEO_API_KEY'])",
            "ks = client.session.start(ADMIN_SECRET, user_id, KalturaSessionType.ADMIN, PARTNER_ID)",
            'ks = client.session.start("<ADMIN_SECRET>", "admin", KalturaSessionType.ADMIN, 2417361)',
            "const session = await session.start('checkout');",
            "$ks = $client->generateSessionV2($adminSecret, 'admin', KalturaSessionType::ADMIN, $partnerId);")),
          (1, (r"\bplivo\.Client", r"\bplivo\.RestClient", r"\bplivo\.NewClient", r"new Basic",
               r"Credentials\\Basic", r"\bPusher\\Pusher", r"\bSearchClient\.create",
               r"\bSearchClient::create", r"\bsearch\.NewClient", r"\bbinance\.NewClient",
               r"\bbinance\.NewFuturesClient", r"\bTradingClient", r"\bStockHistoricalDataClient",
               r"\bCryptoHistoricalDataClient", r"\bjwplatform\.Client",
               r"jwplatform\.v1\.Client", r"\bapiConnect", r"\bNewStaticV4", r"\bNativeApi", r"\bDataAccessApi",
               r"\bAzureNamedKeyCredential",  # Azure SDKs' (account or key name, key)
               r"\bAmadeus\.builder",  # amadeus-java's `Amadeus.builder(API_KEY, API_SECRET)`
               r"\bTwitch",  # twitchAPI's (Python) `await Twitch(APP_ID, APP_SECRET)`
               r"\bBlitzGateway",  # omero-py's `BlitzGateway(USER, PASSWORD, host=…)`
               # the Box Java SDK's `new BoxConfig(CLIENT_ID, CLIENT_SECRET, ENTERPRISE_ID, prefs)` (JWT) and
               # `BoxCCGAPIConnection.applicationServiceAccountConnection(CLIENT_ID, CLIENT_SECRET, ENTERPRISE_ID)`
               r"\bBoxConfig", r"\.applicationServiceAccountConnection"),
           (('client = SearchClient.create("LQ7Z3K9WPA", "a4aa0934aa2c29d0d891d283e15afaf1")',
             "a4aa0934aa2c29d0d891d283e15afaf1"),
            ('$basic = new Basic("83de24c1", "rjJpbEHWD3D7C9Nx");', "rjJpbEHWD3D7C9Nx"),
            ("$pusher = new Pusher\\Pusher(\n  '8a1b2c3d4e5f60718293',\n  'f0e1d2c3b4a596870123',\n  '1734520');",
             "f0e1d2c3b4a596870123"),
            ('Creds: credentials.NewStaticV4("8IB4KG5SBFSYCFQVR4OQ", "eAo7sgEuytV64HxAuj725yYYdzXVIYO5", ""),',
             "eAo7sgEuytV64HxAuj725yYYdzXVIYO5"),
            ('api = NativeApi("https://dataverse.example.edu", "0a6f4c2e-9d1b-47e3-a8c5-3b7e9f2d1c64")',
             "0a6f4c2e-9d1b-47e3-a8c5-3b7e9f2d1c64"),
            ('cred = AzureNamedKeyCredential("docsstore01", "Zk4mQ9vT2xLp7Rw3Nb8Hc5Yd1Fj6Gs0Ka2Ue9Oi4Wn7")',
             "Zk4mQ9vT2xLp7Rw3Nb8Hc5Yd1Fj6Gs0Ka2Ue9Oi4Wn7"),
            ('Amadeus amadeus = Amadeus.builder("Rk3vT8qLm2Xw9Zp4Nc7Hb5Yd1Fj6Gs0", "Wq7Tz2Lm9Vx4Rb8N").build();',
             "Wq7Tz2Lm9Vx4Rb8N"),
            ('conn = BlitzGateway("imaging-svc", "Om3ro-Pw9xLq", host="omero.example.org", port=4064)',
             "Om3ro-Pw9xLq"),
            ("    twitch = await Twitch('k3v9q2m7x4t8w1z6p0r5n2b8c4y7hj', 'q8m2x7v4t9k1z6w3p5r0n8b2c7y4fd')",
             "q8m2x7v4t9k1z6w3p5r0n8b2c7y4fd"),
            ('BoxConfig boxConfig = new BoxConfig("q8x2lm4vz7tn3yb6jf1ka5uw0ro2ec7g", '
             '"Hd4Sh9Pk3Mz6Qv8Lc1Tn5Yb2Jf7Ka0Uw", "918273", prefs);', "Hd4Sh9Pk3Mz6Qv8Lc1Tn5Yb2Jf7Ka0Uw"),
            ('api = BoxCCGAPIConnection.applicationServiceAccountConnection("x7k2m9q4v8z3t6n1b5j0l3w8r2y6c4p9", '
             '"Zq8Lm2Tx9RkWp4NvB7cY3hJ6sD1fG5aE", "918273");', "Zq8Lm2Tx9RkWp4NvB7cY3hJ6sD1fG5aE")),
           ("const searchClient = algoliasearch('LQ7Z3K9WPA', 'a4aa0934aa2c29d0d891d283e15afaf1');",
            'client = TradingClient("test-key", "test-secret", paper=True)',
            'credentials.NewStaticV4(os.Getenv("MINIO_ACCESS_KEY"), os.Getenv("MINIO_SECRET_KEY"), "")',
            "const client = new plivo.Client('MAD00TJTY5OMM4O06KZ7', authToken);",
            'Amadeus.builder("REPLACE_BY_YOUR_API_KEY", "REPLACE_BY_YOUR_API_SECRET").build();',
            "Amadeus.builder(System.getenv()).build();",
            'conn = BlitzGateway(user, os.environ["OMERO_PASSWORD"], host="omero.example.org")',
            "conn = BlitzGateway('root', 'omero', host='localhost')",
            "twitch = await Twitch(APP_ID, APP_SECRET)", "twitch = await Twitch('<app_id>', '<app_secret>')",
            "BoxConfig boxConfig = new BoxConfig(clientId, clientSecret, enterpriseId, prefs);",
            'new BoxConfig("q8x2lm4vz7tn3yb6jf1ka5uw0ro2ec7g", System.getenv("BOX_CLIENT_SECRET"), "918273")',
            'BoxConfig.readFrom(new FileReader("/etc/box/config.json"))')),
          (2, (r"\bMinio",),
           (('client = Minio("s3.example.com:9000", "4ZVOYLA6BXLIL32W", "DWI5cR23mYNT4Lnhb/x9", secure=True)',
             "DWI5cR23mYNT4Lnhb/x9"),),
           ('client = Minio("s3.example.com:9000", access_key, secret_key)',
            'client = Minio("play.min.io", "minioadmin", "minioadmin")')),
          # lyricsgenius' `Genius(CLIENT_ACCESS_TOKEN, …)` (the Genius API's token by position)
          (0, (r"\bGenius",),
           (('genius = lyricsgenius.Genius("Tz9Kq2Lm8Vx4Rb7Nc3Pw6Yd1Hs5Jf0GaQe7Tn2Uo4Ik8Zl", timeout=15)',
             "Tz9Kq2Lm8Vx4Rb7Nc3Pw6Yd1Hs5Jf0GaQe7Tn2Uo4Ik8Zl"),),
           ("genius = lyricsgenius.Genius(os.environ['GENIUS_ACCESS_TOKEN'])", 'genius = Genius("YOUR_TOKEN_HERE")',
            'print(Genius("Radiohead"))')),
          # an OAuth 1.0a consumer secret set on a client by position: python3-discogs-client's
          # `set_consumer_key(KEY, SECRET)` (the key names the app)
          (1, (r"\.set_consumer_key",),
           (("d.set_consumer_key('k5LMfKr4hu2QuEljBSWw', 'Tq8fV4owYLOzev4e8G0hoAST37URh8E3')",
             "Tq8fV4owYLOzev4e8G0hoAST37URh8E3"),),
           ("d.set_consumer_key(CONSUMER_KEY, CONSUMER_SECRET)",
            "d.set_consumer_key('your-consumer-key', 'your-consumer-secret')")))),
    # An OAuth 1.0a access token and its secret set by position: tweepy's and python3-discogs-client's
    # `set_access_token(TOKEN, SECRET)`, both literals.
    Rule("secret", r"\(" + _after_calls((r"\.set_access_token",)) + r"\s{0,16}"
         + r"(?:\"(?P<a0>[^\"\r\n]{1,256})\"|'(?P<b0>[^'\r\n]{1,256})')" + _tweepy_args(1) + r"\s{0,16}\)", r"\(",
         extract=_sdk_key_arguments, remember=True, before="[n]",
         examples=tuple(('auth.set_access_token("1456789012-Lp9Vx2Rk7Tm4Wq8Zc3Nb6Yd1Hs5Jf", '
                         '"Zr3Xc8Vb2Nm7Lk4Jh9Gf1Ds6Aq5Wp0Eo3Iu")', value)
                        for value in ("1456789012-Lp9Vx2Rk7Tm4Wq8Zc3Nb6Yd1Hs5Jf",
                                      "Zr3Xc8Vb2Nm7Lk4Jh9Gf1Ds6Aq5Wp0Eo3Iu")),
         negatives=("auth.set_access_token(access_token, access_token_secret)",
                    "auth.set_access_token('your-access-token', 'your-access-token-secret')")),
    # Billing and tax SDKs whose documented signature takes the key or secret by position: alone, chargebee-python's
    # `chargebee.configure(API_KEY, SITE)` and Recurly's `recurly.Client(API_KEY)` (Python) / `new \Recurly\Client(…)`
    # (PHP); after an account, vendor or client id (a number, quoted or not, or a literal): Paddle Classic's PHP
    # `new \Paddle\Api(VENDOR_ID, AUTH_CODE, timeout)`, the Zuora Java SDK's `new ZuoraClient(ID, SECRET, env)`,
    # Chargebee PHP's `ChargeBee_Environment::configure(SITE, KEY)`, AvaTax's `add_credentials(ACCOUNT, LICENSE)`
    # (Python; `httplib2`'s `add_credentials(NAME, PASSWORD)` takes a password there too), `withLicenseKey` (PHP) and
    # `WithSecurity` (.NET, a numeric account id first). The value must look like a key (`_looks_like_key`).
    *(Rule("secret", _positional_literal(names, r"(?:" + _STR_ARG + r"|[0-9]{3,12})", index), r"\(",
           extract=_sdk_key_argument, remember=True, before=_last_chars(names),
           examples=examples, negatives=negatives)
      for index, names, examples, negatives in (
          (0, (r"\bchargebee\.configure", r"\brecurly\.Client", r"Recurly\\Client"),
           (('chargebee.configure("live_Gm5Tx8RkQ2wZc7NvLp4Hd9BsYa3JfE6Ku", "acme")',
             "live_Gm5Tx8RkQ2wZc7NvLp4Hd9BsYa3JfE6Ku"),
            ("client = recurly.Client('9d2f7c1e4a8b36f0e5c9a2d7b1f4e803')", "9d2f7c1e4a8b36f0e5c9a2d7b1f4e803"),
            ("$client = new \\Recurly\\Client('9d2f7c1e4a8b36f0e5c9a2d7b1f4e803');",
             "9d2f7c1e4a8b36f0e5c9a2d7b1f4e803")),
           ('chargebee.configure(os.environ["CHARGEBEE_API_KEY"], "acme")',
            "chargebee.configure({ site: 'acme', api_key: process.env.CB_KEY });",
            "client = recurly.Client(api_key)", 'client = recurly.Client("<your-api-key>")')),
          (1, (r"Paddle\\Api", r"\bZuoraClient", r"ChargeBee_Environment::configure", r"\badd_credentials",
               r"\bwithLicenseKey", r"\bWithSecurity"),
           (("$api = new \\Paddle\\Api(104522, 'c4e8a2f6b0d91e7c3a5f8b2d6e0c4a9f1b7d3e5c8a2f6b0d4e', 60);",
             "c4e8a2f6b0d91e7c3a5f8b2d6e0c4a9f1b7d3e5c8a2f6b0d4e"),
            ('new ZuoraClient("3e7d1a9c-6b2f-4c8e-a0d5-9f1b7e3c2a84", "Lq7/Vx2mRk9=Tz4Wp8Nc3Bh6Yd", ZuoraEnv.SBX)',
             "Lq7/Vx2mRk9=Tz4Wp8Nc3Bh6Yd"),
            ('ChargeBee_Environment::configure("acme-test", "test_Kq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro");',
             "test_Kq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro"),
            ("client = client.add_credentials('2000134479', '7F3A9C1E5B0D2846')", "7F3A9C1E5B0D2846"),
            ("$client->withLicenseKey('1100098765', 'B6D2F8A4C0E19735');", "B6D2F8A4C0E19735"),
            ('var client = new AvaTaxClient("app", "1.0", Environment.MachineName, AvaTaxEnvironment.Sandbox)'
             '.WithSecurity(2000134479, "E1B9C0A7D43F6B28");', "E1B9C0A7D43F6B28")),
           ("$api = new \\Paddle\\Api($vendorId, $vendorAuthCode, 60);",
            'new ZuoraClient(System.getenv("ZUORA_CLIENT_ID"), System.getenv("ZUORA_CLIENT_SECRET"), env)',
            "client.add_credentials(os.environ['AVATAX_ACCOUNT'], os.environ['AVATAX_LICENSE'])",
            "client.add_credentials('2000134479', 'YOUR_LICENSE_KEY')",
            ".WithSecurity(2000134479, licenseKey);",
            "h.add_credentials('name', 'password')")))),
    # A client factory named for nothing but given one long random key as its only string (the pexels npm client's
    # `createClient(API_KEY)`: 56 letters and digits). `createClient` is everyone's (Redis, Supabase, WebDAV), so only
    # a literal of 40-64 letters and digits with both, as the sole or first argument, is taken.
    Rule("secret", r"\((?<=\bcreateClient\()\s{0,16}(?:\"(?P<v1>[A-Za-z0-9]{40,64})\"|'(?P<v2>[A-Za-z0-9]{40,64})')"
         r"\s{0,16}[,)]", r"\(", extract=_sdk_key_argument, remember=True, before="t", after=r"[\s\"']",
         examples=(("const client = createClient('Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5GaQe7Tn0Uo3Xw8Kb2Lm5Zr');",
                    "Wq4Tz8Lm2Vx9Rb7Nc3Pk6YdHs1Jf5GaQe7Tn0Uo3Xw8Kb2Lm5Zr"),),
         negatives=("const client = createClient(process.env.PEXELS_API_KEY);",
                    "const redis = createClient({ url: 'redis://cache:6379' });",
                    "const supabase = createClient('https://xyzcompany.supabase.co', anonKey);",
                    "const client = createClient('worker-01');",
                    "const client = createClient('YOUR_API_KEY_GOES_HERE_AND_THERE_FOR_THE_PEXELS_CLIENT');")),
    # OpenTok's (Vonage Video's) server SDKs take the project's API key (a number, sent to every browser) and then its
    # API secret (40 hex digits) by position: Python's `Client(API_KEY, API_SECRET)` (`from opentok import Client`;
    # `OpenTok(…)` before 3.0), Node's, PHP's and Java's `new OpenTok(API_KEY, API_SECRET)`. The callee `Client` is
    # everyone's, so only this pair of shapes (a number of 6-10 digits, quoted or not, then a quoted 40-hex literal)
    # says it is OpenTok's secret.
    Rule("secret", r"\((?:(?<=\bClient\()|(?<=\bOpenTok\())\s{0,16}(?:\"[0-9]{6,10}\"|'[0-9]{6,10}'|[0-9]{6,10})"
         r"\s{0,16},\s{0,16}(?:\"(?P<v1>[0-9a-fA-F]{40})\"|'(?P<v2>[0-9a-fA-F]{40})')\s{0,16}[,)]", r"\(",
         extract=_bundler_credentials, remember=True, before="[tk]", after=r"[\s\"'0-9]",
         examples=(('opentok = Client("47356251", "9c90ccaaddf1d97095db5b501545383f5fa8af26")',
                    "9c90ccaaddf1d97095db5b501545383f5fa8af26"),
                   ("const opentok = new OpenTok('46281937', 'e1b7c04a9d3f6e28b5a1c7d94f0e2b3a6c8d1f05');",
                    "e1b7c04a9d3f6e28b5a1c7d94f0e2b3a6c8d1f05"),
                   ('OpenTok opentok = new OpenTok(46281937, "3fa8e21c7b0d94e6a5c1f83b2d7e09a4c6b15f2e");',
                    "3fa8e21c7b0d94e6a5c1f83b2d7e09a4c6b15f2e")),
         negatives=("opentok = Client(api_key, api_secret)",
                    "const opentok = new OpenTok(process.env.OPENTOK_API_KEY, process.env.OPENTOK_API_SECRET);",
                    'opentok = Client("47356251", os.environ["OPENTOK_API_SECRET"])',
                    'c = Client("git.example.com", "9c90ccaaddf1d97095db5b501545383f5fa8af26")',
                    'c = Client("47356251", "release-2026-11")',
                    'r = myClient("47356251", "9c90ccaaddf1d97095db5b501545383f5fa8af26")')),
    # Agora's AccessToken2 (RTC/RTM tokens its token builders print): the version `007` and the base64 of a
    # zlib stream, whose header makes it start `eJ`; wherever it stands (after a `uid` in a print, in a URL).
    Rule("token", r"(?<![A-Za-z0-9+/])007eJ[A-Za-z0-9+/]{80,}={0,2}(?![A-Za-z0-9+/=])", needs="007eJ",
         examples=((f"# Token with int uid: {_AGORA_EXAMPLE}", _AGORA_EXAMPLE),),
         negatives=("agent 007eJ reported", "build 007eJxTYPhd", f"id=X{_AGORA_EXAMPLE}")),
    # CiviCRM's key rings (civicrm.settings.php's `CIVICRM_CRED_KEYS`, `CIVICRM_SIGN_KEYS`, also as environment
    # variables): each key `<suite>:<encoding>:<key>`, the suite `aes-cbc`/`aes-ctr` (`-hs`) or `jwt-hs256`/`384`/`512`,
    # the encoding empty (`aes-cbc::…`), `b64` or `hkdf-sha256`, the key 32+ base64 characters; several keys in one
    # value are blank-separated, each with its own suite.
    *(Rule("secret", rf"(?<![\w-]){suites}:(?:b64|hkdf-sha256|plain)?:(?P<v>[A-Za-z0-9+/_-]{{32,88}}={{0,2}})"
           r"(?![A-Za-z0-9+/=_-])", needs=needs, extract=_letters_and_digits,
           examples=examples, negatives=negatives)
      for suites, needs, examples, negatives in (
          (r"aes-c(?:bc|tr)(?:-hs)?", "aes-c",
           (("define('CIVICRM_CRED_KEYS', 'aes-cbc::Qv7xT2mLp9RzK4wN8sYb3Jc6Hd1Fg5AeUo0iPq2Wt7E');",
             "Qv7xT2mLp9RzK4wN8sYb3Jc6Hd1Fg5AeUo0iPq2Wt7E"),
            ("CIVICRM_CRED_KEYS='aes-cbc:hkdf-sha256:Lm4Zx9Wq7Tn2Rk3vNq8TzW2sBq1Hy6Jd0Fp5Ca8Ge3U='",
             "Lm4Zx9Wq7Tn2Rk3vNq8TzW2sBq1Hy6Jd0Fp5Ca8Ge3U=")),
           ("ssl_ciphers aes-cbc:sha256:!aNULL;", "openssl enc -aes-cbc -k $PASS",
            "define('CIVICRM_CRED_KEYS', 'aes-cbc:hkdf-sha256:%%credKeys%%');")),
          (r"jwt-hs(?:256|384|512)", "jwt-hs",
           (("define('CIVICRM_SIGN_KEYS', 'jwt-hs256::Rk8vNq3TzW2sLm4Zx9Wq7Tn2Bq1Hy6Jd0Fp5Ca8Ge3U');",
             "Rk8vNq3TzW2sLm4Zx9Wq7Tn2Bq1Hy6Jd0Fp5Ca8Ge3U"),),
           ("alg: jwt-hs256::none", "supported: jwt-hs256, jwt-hs384")),
      )),
    # An API key given as the basic-auth user with an empty password, the documented way of Dropbox Sign, Docparser,
    # Nanonets, PDFShift and others (`curl -u KEY:`'s twin in code): requests' `HTTPBasicAuth("KEY", "")` and
    # `auth=("KEY", "")`, aiohttp's `BasicAuth("KEY", "")`. With a password there, the first argument is a user name.
    Rule("secret", r"\(" + _after_calls((r"[^\w]HTTPBasicAuth", r"[^\w]BasicAuth", r"[^\w]auth=", r"[^\w]auth = "))
         + r"\s{0,16}(?:\"(?P<v1>[^\"\r\n]{16,256})\"|'(?P<v2>[^'\r\n]{16,256})')"
         + r"\s{0,16},\s{0,16}(?:\"\"|'')\s{0,16}\)",
         r"\(", extract=_sdk_key_argument, remember=True, before="[h= ]",
         examples=(('r = requests.post(url, auth=requests.auth.HTTPBasicAuth("Qp7Ec15z7LY6Rww9fmDy", ""), files=f)',
                    "Qp7Ec15z7LY6Rww9fmDy"),
                   ("resp = requests.get(API, auth=('sk_9f2c7a1e4b8d3f6a0c5e', ''))", "sk_9f2c7a1e4b8d3f6a0c5e")),
         negatives=('auth=requests.auth.HTTPBasicAuth(API_KEY, "")', "auth=('svc-reports-readonly', '')",
                    'HTTPBasicAuth("YOUR_API_KEY_HERE", "")')),
    # Apryse (PDFTron) SDK's licence key, passed by position to `PDFNet.Initialize` (Python, .NET, Java's and
    # JavaScript's `PDFNet.initialize`, C++'s `PDFNet::Initialize`).
    Rule("secret", r"PDFNet(?:\.|::)[Ii]nitialize\(\s{0,16}"
         r"(?:\"(?P<v1>[^\"\r\n]{20,512})\"|'(?P<v2>[^'\r\n]{20,512})')",
         needs="PDFNet", extract=_letters_and_digits, remember=True,
         examples=(('    PDFNet.Initialize("demo:1765101234567:7e5f3e2a03000000008f6b1c2d3e4f5a6b7c8d9e0f")',
                    "demo:1765101234567:7e5f3e2a03000000008f6b1c2d3e4f5a6b7c8d9e0f"),
                   ("await PDFNet.initialize('Example Corp:OEM:Docs::B+:AMS(20271231):A1B2C3D4E5F60718293A4B5C');",
                    "Example Corp:OEM:Docs::B+:AMS(20271231):A1B2C3D4E5F60718293A4B5C")),
         negatives=("PDFNet.Initialize(LicenseKey.LICENSE_KEY)", 'PDFNet.Initialize("YOUR_LICENSE_KEY_GOES_HERE")',
                    "await PDFNet.initialize();")),
    # Yardi Voyager's interface licence (the key Yardi issues to an interface vendor, sent with `UserName`/`Password`
    # on every ItfResidentData/ItfILSGuestCard SOAP login, and kept beside them in the vendor's config): a long base64
    # blob under `InterfaceLicense`, as an element, an `appSettings` value or a key. Only that name: `license` alone is
    # package metadata everywhere.
    Rule("secret", r"InterfaceLicense(?:>|\"?[ \t]+value=\"|[\"']?[ \t]*[:=][ \t]*[\"']?)"
         r"(?P<v>[A-Za-z0-9+/]{40,4096}={0,2})(?![A-Za-z0-9+/=])",
         needs="InterfaceLicense", extract=_letters_and_digits, remember=True,
         examples=(("<InterfaceLicense>MIIBxjCCAW2gAwIBAgIUe3Vx9Lq2Rk8Wp4Zt7Nc1YbH6sJf0KaE5uWoDm3Gv</InterfaceLicense>",
                    "MIIBxjCCAW2gAwIBAgIUe3Vx9Lq2Rk8Wp4Zt7Nc1YbH6sJf0KaE5uWoDm3Gv"),
                   ('  <add key="YardiInterfaceLicense" value="Qm9y7Tx2Lp4Vw8Zk3Nc6Rb1Hs5Jd9Ga0Ue+Yf/Pq7Wm2Xt4==" />',
                    "Qm9y7Tx2Lp4Vw8Zk3Nc6Rb1Hs5Jd9Ga0Ue+Yf/Pq7Wm2Xt4=="),
                   ('  "InterfaceLicense": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7dEf0hIj3kLm6n",',
                    "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7dEf0hIj3kLm6n")),
         negatives=("<InterfaceLicense>${YARDI_INTERFACE_LICENSE}</InterfaceLicense>",
                    "<InterfaceLicense>YOUR_INTERFACE_LICENSE_KEY_FROM_YARDI_GOES_HERE</InterfaceLicense>",
                    "InterfaceLicense: missing or expired (contact your Yardi account manager)",
                    "<InterfaceEntity>Acme Resident Portal</InterfaceEntity>")),
    # The one-time code of OAuth 2.0's authorization-code grant in its token request (`grant_type=authorization_code&
    # client_id=…&code=…`), which `client_secret=` beside it does not cover. Only near that grant: `code=` alone is an
    # exit or status code as often.
    Rule("secret", r"code=(?<=[?&\s\"']code=)(?P<v>[A-Za-z0-9._~%/+-]{16,512})", needs="authorization_code",
         extract=_authorization_code, remember=True,
         examples=(('-d "grant_type=authorization_code&client_id=a1b2&code=03fe33731c76ac6fbf54ec12b2698620&scope=r"',
                    "03fe33731c76ac6fbf54ec12b2698620"),
                   ("curl https://oauth2.example.com/token -d grant_type=authorization_code \\\n"
                    "  -d code=4/0AeanS0aKq7xWm2Lp9Vt3Rz8Nc5 -d redirect_uri=https://app.example.com/cb",
                    "4/0AeanS0aKq7xWm2Lp9Vt3Rz8Nc5")),
         negatives=("grant_type=authorization_code&code=YOUR_AUTHORIZATION_CODE&redirect_uri=https://a.example.com/cb",
                    "grant_type=authorization_code; upstream status_code=4010000000000000abc",
                    "grant_type=authorization_code&code=${AUTH_CODE}&client_id=app",
                    "grant_type=authorization_code: process exited with code=1234567890123456")),
    # An OAuth authorization code under an `auth_code` key, the name TikTok's API for Business gives it in the JSON
    # body of `oauth2/access_token/` and in the redirect (`?auth_code=…&code=…`), as do other platforms' token
    # exchanges: a one-time code that buys the tokens. `grant_type=authorization_code` names the grant, not a key.
    Rule("secret", r"(?<![A-Za-z0-9])auth_code\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?(?P<v>[A-Za-z0-9._~%/+-]{16,512})"
         r"(?![A-Za-z0-9._~%/+-])", needs="auth_code", extract=_letters_and_digits, remember=True,
         examples=(("""-d '{"app_id": "7290112233445566778", "auth_code": "e153fc45f72c05bba56b18f850f2d439"}'""",
                    "e153fc45f72c05bba56b18f850f2d439"),
                   ("GET /tiktok/callback?auth_code=9c4e7a1f3b8d2e6a0c5f9b3d7e1a4c8f2b6d0e4a"
                    "&code=9c4e7a1f3b8d2e6a0c5f9b3d7e1a4c8f2b6d0e4a&state=ads",
                    "9c4e7a1f3b8d2e6a0c5f9b3d7e1a4c8f2b6d0e4a"),
                   ('{\\"auth_code\\": \\"Ab3dEf6hIj9kLm2nOp5qRs8t\\"}', "Ab3dEf6hIj9kLm2nOp5qRs8t")),
         negatives=('"auth_code": "${TIKTOK_AUTH_CODE}"', "auth_code=YOUR_AUTH_CODE_HERE_PLEASE",
                    "ERROR invalid auth_code: 40102 (auth_code expired)", "auth_code_ttl=600000000000000000",
                    "grant_type=authorization_code&client_id=app", "auth_code: 100000000000000000")),
    # A webhook subscriber's verification code, which the provider sends back to prove the endpoint (the Fitbit
    # Subscriptions API's `verificationCode`, `verification_code`, `FITBIT_VERIFICATION_CODE`): a long random value.
    # Only 32 characters or more with letters and digits: a one-time code sent to a user is short digits.
    *(Rule("secret", r"(?:" + key + r")\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
           r"(?P<v>[A-Za-z0-9._~%/+-]{32,512})(?![A-Za-z0-9._~%/+-])", needs=needs, extract=_letters_and_digits,
           remember=True, examples=examples, negatives=negatives)
      for key, needs, examples, negatives in (
          (r"erification(?<=(?<![A-Za-z0-9])[Vv]erification)(?:_?[Cc]ode|-code)", "erification",
           (("  verificationCode: 'b7c2e9f04a6d13e85c0b7a2f9d4e61c3a8f05b2d7e9c14a6f0d38b5e2c7a91f4',",
             "b7c2e9f04a6d13e85c0b7a2f9d4e61c3a8f05b2d7e9c14a6f0d38b5e2c7a91f4"),
            ('{"verification_code": "9d4e61c3a8f05b2d7e9c14a6f0d38b5e"}', "9d4e61c3a8f05b2d7e9c14a6f0d38b5e")),
           ("verificationCode: process.env.FITBIT_VERIFICATION_CODE,", "verification_code=482913",
            "Sent verification code to the phone on file", 'verificationCode: "${FITBIT_VERIFY}"',
            "verification_code: YOUR_SUBSCRIBER_VERIFICATION_CODE_HERE")),
          (r"VERIFICATION_CODE(?<=(?<![A-Za-z0-9])VERIFICATION_CODE)", "VERIFICATION_CODE",
           (("FITBIT_VERIFICATION_CODE=3a8f05b2d7e9c14a6f0d38b5e2c7a91f4b7c2e9f04a6d13e85c0b7a2f9d4e61c",
             "3a8f05b2d7e9c14a6f0d38b5e2c7a91f4b7c2e9f04a6d13e85c0b7a2f9d4e61c"),),
           ("FITBIT_VERIFICATION_CODE=${FITBIT_VERIFICATION_CODE}", "SMS_VERIFICATION_CODE=000000",
            "SMS_VERIFICATION_CODE_TTL=300")))),
    # tweepy's `OAuth1UserHandler`/`OAuthHandler(CONSUMER_KEY, CONSUMER_SECRET[, ACCESS_TOKEN, ACCESS_TOKEN_SECRET])`:
    # the arguments after the consumer key (X's API key, which names the app), on one line or several.
    Rule("secret", r"\(" + _after_calls((r"\bOAuth1UserHandler", r"\bOAuthHandler")) + r"\s{0,16}" + _STR_ARG
         + _tweepy_args(0) + "(?:" + _tweepy_args(1) + "(?:" + _tweepy_args(2) + ")?)?" + r"\s{0,16}[,)]", r"\(",
         extract=_sdk_key_arguments, remember=True, before="[r]",
         examples=tuple((_TWEEPY_AUTH, value) for value in _TWEEPY_ARGS[1:]),
         negatives=("auth = tweepy.OAuth1UserHandler(consumer_key, consumer_secret, access_token, access_token_secret)",
                    'auth = tweepy.OAuthHandler("API_KEY", "API_SECRET", callback="oob")')),
    # Database connect calls (and a few client constructors, below) whose documented signature takes the password by
    # position, after arguments that may be names as well as literals: MATLAB's `database(DATASOURCE, USER, PASSWORD)`
    # (and its JDBC form `database(DB, USER, PASSWORD, DRIVER, URL)`), `postgresql(USER, PASSWORD, …)`; Julia's
    # `DBInterface.connect(MySQL.Connection, HOST, USER, PASSWORD)`. The value is a password, so any literal that is not
    # a placeholder counts.
    *(Rule("password", _positional_literal(names, _NAME_OR_STR_ARG, index), r"\(",
           extract=_bundler_credentials, remember=True, before=_last_chars(names),
           examples=examples, negatives=negatives)
      for index, names, examples, negatives in (
          (1, (r"\bpostgresql",),
           (("conn = postgresql('svc_matlab', 'Ql4$wR7xTn', 'Server', 'pg.example.edu');", "Ql4$wR7xTn"),),
           ('conn = postgresql(username, password, "Server", "pg.example.edu");',
            'url = URL.create("postgresql", "analyst", password)')),
          (2, (r"\bdatabase",),
           (('conn = database(datasource, "analyst", "Mt9#kLq2Vz");', "Mt9#kLq2Vz"),
            ("conn = database('', 'reader', 'Jd8!pZ3mYc', 'org.postgresql.Driver', 'jdbc:postgresql://h:5432/db');",
             "Jd8!pZ3mYc")),
           ('conn = database("PostgreSQLDataSource", "analyst", getSecret("pgPassword"));',
            'conn = database(datasource, username, password);', 'db = client.database("prod")')),
          # The python `rets` client's `Session(LOGIN_URL, USERNAME, PASSWORD, version=…, user_agent=…)` for an MLS's
          # RETS server (a third literal given to another `Session(…)` is boto3's session token, as secret).
          (2, (r"\bSession",),
           (("rets_client = Session(login_url, 'acme_idx', 'Rt7#vLq2Wz9p', version='RETS/1.7.2')", "Rt7#vLq2Wz9p"),
            ('s = rets.Session("https://rets.example.com/contact/rets/login", "brk01", "Mx4!nQz8Kc")', "Mx4!nQz8Kc")),
           ("rets_client = Session(login_url, username, password, version='RETS/1.7.2')",
            'session = boto3.Session(profile_name="prod")', "with requests.Session() as s:",
            "Session(login_url, 'acme_idx', os.environ['RETS_PASSWORD'])")),
          # XenAPI's `session.xenapi.login_with_password(USER, PASSWORD, VERSION, ORIGINATOR)`.
          (1, (r"\blogin_with_password",),
           (('session.xenapi.login_with_password("root", "Xa4#mLp9Tv", "2.3", "inventory.py")', "Xa4#mLp9Tv"),),
           ('session.xenapi.login_with_password(user, password, "2.3", "inventory.py")',)),
          (3, (r"\bDBInterface\.connect",),
           (('conn = DBInterface.connect(MySQL.Connection, "db02", "reader", "My7$kRw2Px"; db="survey")',
             "My7$kRw2Px"),),
           ('conn = DBInterface.connect(MySQL.Connection, host, user, ENV["MYSQL_PWD"])',
            'db = DBInterface.connect(SQLite.DB, "cohort.sqlite")')),
          # A client library's constructor that takes the password after the account: python-garminconnect's
          # `Garmin(EMAIL, PASSWORD)` (its README and example.py).
          (1, (r"\bGarmin",),
           (('api = Garmin("runner@example.com", "Gc7!vRq2Lp9x")', "Gc7!vRq2Lp9x"),
            ("garmin = Garmin(email, 'Gn4#kTz8Wm2q', is_cn=False)", "Gn4#kTz8Wm2q")),
           ("api = Garmin(email, password)", 'api = Garmin(os.getenv("EMAIL"), os.getenv("PASSWORD"))',
            "api = Garmin()", 'api = Garmin(email, "your_password")', 'device = models.Garmin("Forerunner 965")')))),
    # An OAuth client library's access-token object built from a literal: the Ruby oauth2 gem's
    # `OAuth2::AccessToken.new(CLIENT, TOKEN[, refresh_token: …])`, as provider guides (Wahoo, Strava, Fitbit Ruby
    # clients) write it for a stored token. Only the class says the string is a token, so it must look like a key.
    Rule("secret", _positional_literal((r"\bAccessToken\.new",),
                                       r"(?:" + _STR_ARG + r"|@{0,2}[A-Za-z_][\w.]{0,64})", 1), r"\(",
         extract=_sdk_key_argument, remember=True, before="[w]",
         examples=(('token = OAuth2::AccessToken.new(client, "Wa8pXq2LmZ5vKt9WnR3bYc7Hs1")',
                    "Wa8pXq2LmZ5vKt9WnR3bYc7Hs1"),
                   ("at = OAuth2::AccessToken.new(@client, 'Tk4vN8qZ2xLm7Rp3Wc9Bs1Yd', refresh_token: rt)",
                    "Tk4vN8qZ2xLm7Rp3Wc9Bs1Yd")),
         negatives=("token = OAuth2::AccessToken.new(client, session[:token])",
                    'token = OAuth2::AccessToken.new(client, ENV["WAHOO_TOKEN"])',
                    "token = OAuth2::AccessToken.new(client, 'ACCESS_TOKEN')",
                    'token = OAuth2::AccessToken.new(client, "test-token")')),
    # Wolfram Language's `CloudConnect["USER", "PASSWORD"]`: the password is the second string.
    Rule("password", r"CloudConnect\[[ \t]*\"[^\"\r\n]{1,128}\"[ \t]*,[ \t]*\"(?P<v>[^\"\r\n]{1,256})\"",
         needs="CloudConnect[", extract=_bundler_credentials, remember=True,
         examples=(('In[1]:= CloudConnect["jdoe@example.edu", "Wf7#qTz2Lp9x"]', "Wf7#qTz2Lp9x"),),
         negatives=('CloudConnect["jdoe"]', 'CloudConnect["jdoe", CloudBase -> "https://www.wolframcloud.com"]')),
    # A Stata global macro defined at a line's start (`global DBPASS "…"` in profile.do), its name naming a secret.
    Rule("password", r"global(?<![^\n]global)[ \t]+(?P<k>[A-Za-z_]\w{0,31})[ \t]+"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|(?P<v3>[^\s\"]{1,256}))[ \t]*(?=\r?\n|\Z)",
         needs="global", extract=_keyed_value, remember=True,
         examples=(('set odbcmgr unixodbc\nglobal DBPASS "St4#vQz9Lm"\n', "St4#vQz9Lm"),
                   ("global api_token Zx8Cv7Bn6Mq5Wr4Te3\n", "Zx8Cv7Bn6Mq5Wr4Te3")),
         negatives=('global DBUSER "analyst"', 'global DBPASS "$S_DBPASS"', "  global password is shared",
                    "global datadir ~/data/cohort")),
    # PHP `var_dump()`: `string(N) "VALUE"` on the line below its key (`["password"]=>`), N the length in bytes.
    Rule("secret", r"string(?<![\w$.>]string)\((?P<n>\d{1,5})\)[ \t]\"(?P<v1>[^\r\n]{1,512})\"[ \t]*(?=\r?\n|\Z)",
         needs="string(", extract=_var_dump_string, remember=True,
         examples=(('array(2) {\n  ["username"]=>\n  string(4) "root"\n  ["password"]=>\n  string(10) "Vd7#mQ2xLp"\n}',
                    "Vd7#mQ2xLp"),
                   ('  ["apiKey":"App\\Client":private]=>\n  string(12) "q8Zt3LmV9xKc"\n', "q8Zt3LmV9xKc"),
                   ('  ["token":protected]=>\n  string(12) "Tk7vQ2mX9zK4"\n', "Tk7vQ2mX9zK4")),
         negatives=('  ["username"]=>\n  string(4) "root"\n', '  ["password"]=>\n  string(0) ""\n',
                    '  ["password"]=>\n  string(9) "Vd7#mQ2xLp"\n', 'echo string(10) "Vd7#mQ2xLp"',
                    '  ["password_hint"]=>\n  string(7) "my city"\n')),
    # A REPL's echo of an expression that names a secret: the prompt (`>>> `, `irb(main):001> `, `iex(1)> `,
    # `jshell> `, Node's `> `), the expression ending in the name, then the result line alone: a quoted string, after
    # irb's `=> ` or jshell's `$1 ==> `.
    Rule("secret", r">(?:(?<=>>>)|(?<=[)\d]>)|(?<=jshell>)|(?<![^\n]>))[ \t]+[^\r\n]{0,160}?(?<!\w)"
         r"(?P<k>[A-Za-z_]\w{0,63})[\"'()\]]{0,3}[ \t]*\r?\n[ \t]*(?:(?:=>|[$\w]{1,64}[ \t]+==>)[ \t]*)?"
         r"(?:\"(?P<v1>[^\"\r\n]{1,512})\"|'(?P<v2>[^'\r\n]{1,512})')[ \t]*(?=\r?\n|\Z)",
         needs=">", extract=_keyed_value, remember=True,
         examples=((">>> settings.SECRET_KEY\n'8n$w)q2k!x7v#m4p^z9t'\n>>> ", "8n$w)q2k!x7v#m4p^z9t"),
                   ('irb(main):003> Rails.application.credentials.secret_key_base\n=> "3f7a9c1e5b2d8f4a6c0e9b3d"\n',
                    "3f7a9c1e5b2d8f4a6c0e9b3d"),
                   ('iex(2)> System.get_env("API_TOKEN")\n"Tk7vQ2mX9zK4pL8w"\n', "Tk7vQ2mX9zK4pL8w"),
                   ('jshell> cfg.getPassword()\n$3 ==> "Jsh3ll-Pw8q"\n', "Jsh3ll-Pw8q"),
                   ("> process.env.JWT_SECRET\n'b29f7c1e4a8d36f0e5c2'\n", "b29f7c1e4a8d36f0e5c2")),
         negatives=(">>> settings.SECRET_KEY\n'********************'\n",
                    ">>> settings.db_password\nSecretStr('**********')\n", ">>> settings.TIME_ZONE\n'Europe/Berlin'\n",
                    'irb(main):004> ENV["DB_PASSWORD"]\n=> nil\n',
                    "<p>Reset your password\n'now'\n", "a -> b password\n'x1y2z3w4'\n")),
    # zenodo_get's `-a TOKEN` (an access token for a restricted record).
    Rule("token", r"zenodo_get\b[^\r\n]{0,256}?[ \t]-a[ \t]+(?P<v>[A-Za-z0-9]{20,128})(?![\w-])", needs="zenodo_get",
         remember=True,
         examples=(("zenodo_get 10.5281/zenodo.7654321 -a Rt6vQ2mX9zK4pL8wN3cY7bH1dF5gJ0sA4eU2iO6qV -o data/",
                    "Rt6vQ2mX9zK4pL8wN3cY7bH1dF5gJ0sA4eU2iO6qV"),),
         negatives=("zenodo_get 10.5281/zenodo.7654321 -a $ZENODO_TOKEN", "zenodo_get -d 10.5281/zenodo.7654321")),
    # An Azure storage account key set as Hadoop's `fs.azure.account.key.<account>…` property in code (Spark's
    # `spark.conf.set("fs.azure.account.key.ACCOUNT.dfs.core.windows.net", "KEY")`, the key often on the next line).
    Rule("secret", r"fs\.azure\.account\.key\.[\w.-]{1,200}[\"']\s{0,16},\s{0,16}"
         r"[\"'](?P<v>[A-Za-z0-9+/]{60,128}={0,2})[\"']",
         needs="fs.azure.account.key.", remember=True,
         examples=(('spark.conf.set(\n    "fs.azure.account.key.lake.dfs.core.windows.net",\n    "'
                    + "Zp2Cy5Nh7Kj4Rf9T" * 5 + 'Zp2Cy5==")', "Zp2Cy5Nh7Kj4Rf9T" * 5 + "Zp2Cy5=="),),
         negatives=('spark.conf.set("fs.azure.account.key.lake.dfs.core.windows.net", dbutils.secrets.get("s", "k"))',
                    'spark.conf.set("fs.azure.account.auth.type.lake.dfs.core.windows.net", "OAuth")')),
    # An access key's secret in the next CSV cell: the IAM console's access-key download (`Access key ID,Secret access
    # key`: 40 characters) and the SES console's SMTP credentials download (`IAM user name,Smtp username,Smtp
    # password`: the derived SMTP password, 44 characters); or in the next string argument, as the SDKs' static
    # credentials take them (Java `new BasicAWSCredentials("AKIA…", "…")`, Go `NewStaticCredentialsProvider`).
    Rule("aws_secret_key", r"AKIA(?<![A-Za-z0-9]AKIA)[A-Z0-9]{16}(?:,|[\"'][ \t]*,[ \t]*[\"'])"
         r"(?P<v>[A-Za-z0-9/+]{40}(?:[A-Za-z0-9/+]{4})?)(?![A-Za-z0-9/+=])", needs="AKIA",
         examples=(("Access key ID,Secret access key\nAKIAQ3EXAMPLE7WXYZ12,wJalrXUtnFEMI/K7MDENG+bPxRfiCYz8Qp3Lm7Tv\n",
                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYz8Qp3Lm7Tv"),
                   ("ses-smtp-user.20240101-120000,AKIAQ3EXAMPLE7WXYZ12,BFq8Zr3XvT8mN2pLw5YcH7dF1aJ6sGeU0iOkR4tBnM3x",
                    "BFq8Zr3XvT8mN2pLw5YcH7dF1aJ6sGeU0iOkR4tBnM3x"),
                   ('new BasicAWSCredentials("AKIAQ3EXAMPLE7WXYZ12", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYz8Qp3Lm7Tv");',
                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYz8Qp3Lm7Tv")),
         negatives=("Access key ID,Secret access key", "IAM user name,Smtp username,Smtp password",
                    "AKIAS3BUCKETNAMES2024,wJalrXUtnFEMI/K7MDENG+bPxRfiCYz8Qp3Lm7Tv",
                    'key ids start "AKIA", "ASIA" or "AROA"')),
    # A Twilio auth token in the string argument after an Account SID literal, as the helper libraries' quick starts
    # pass the pair (`require('twilio')('AC…', '…')`, C# `TwilioClient.Init`, Java `Twilio.init`, Ruby
    # `Twilio::REST::Client.new 'AC…', '…'`, PHP `new Client("AC…", "…")`): 32 hex digits, as the token is.
    Rule("twilio_key", r"A(?<=[\"']A)C[a-f0-9]{32}[\"'][ \t]*,[ \t]*[\"'](?P<v>[a-f0-9]{32})[\"']", "A",
         before="[\"']", extract=_bundler_credentials,
         examples=(("TwilioClient.Init(\"AC3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e\", \"9a0f5e2d7c1b8a4e3f9c2b7a1e8d4c6b\");",
                    "9a0f5e2d7c1b8a4e3f9c2b7a1e8d4c6b"),
                   ("@client = Twilio::REST::Client.new 'AC3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e', "
                    "'9a0f5e2d7c1b8a4e3f9c2b7a1e8d4c6b'", "9a0f5e2d7c1b8a4e3f9c2b7a1e8d4c6b")),
         negatives=('TwilioClient.Init("ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "your_auth_token");',
                    "client.calls('CA3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e', 'fetch')")),
    # Burp Suite Professional's REST API takes its key as the first path segment, before the API version
    # (`http://127.0.0.1:1337/KEY/v0.1/scan`).
    Rule("secret", r"/v0\.1/(?<=[0-9]/(?P<v>[A-Za-z0-9]{32})/v0\.1/)", needs="/v0.1/", remember=True,
         examples=(('curl -X POST "http://127.0.0.1:1337/Xq7Lm2Rz9Vw4Tb8Nc3Hk6Pj1Sd5Fg0Ya/v0.1/scan"',
                    "Xq7Lm2Rz9Vw4Tb8Nc3Hk6Pj1Sd5Fg0Ya"),),
         negatives=('curl -X POST "http://127.0.0.1:1337/v0.1/scan"', "GET https://api.example.com/v0.1/items/42")),
    # Sumo Logic's hosted HTTP Logs and Metrics and OTLP/HTTP sources: the URL is the credential, its token the segment
    # after the source type (`https://endpoint1.collection.us2.sumologic.com/receiver/v1/http/TOKEN`, OTLP's
    # `.../receiver/v1/otlp/TOKEN/v1/traces`).
    Rule("token", r"receiver/v1/(?<=/receiver/v1/)(?:http|otlp)/(?P<v>[A-Za-z0-9_-]{40,512}={0,2})(?![\w=-])",
         needs="receiver/v1/", remember=True,
         examples=(("SUMO_URL=https://endpoint4.collection.us2.sumologic.com/receiver/v1/http/"
                    "ZaVnC4dhaV2Zx8Qm3Lk7Rp1Tw9Yb5Nc6Hj2Fg8Ds4Ae0Ui3Op7Kl1Mn5Bv9Cx2Zq6Wr4Et8Yu0Io3Pa7Sd==",
                    "ZaVnC4dhaV2Zx8Qm3Lk7Rp1Tw9Yb5Nc6Hj2Fg8Ds4Ae0Ui3Op7Kl1Mn5Bv9Cx2Zq6Wr4Et8Yu0Io3Pa7Sd=="),
                   ("endpoint: https://collectors.sumologic.com/receiver/v1/otlp/"
                    "ZaVnC4dhaV3Kp9Wq2Xm6Rt1Lz8Yb4Nc7Hj3Fg5Ds0Ae9Ui2Op6Kl8Mn1Bv4Cx7Zq3Wr5Et9Yu2Io6Pa0Sd/v1/traces",
                    "ZaVnC4dhaV3Kp9Wq2Xm6Rt1Lz8Yb4Nc7Hj3Fg5Ds0Ae9Ui2Op6Kl8Mn1Bv4Cx7Zq3Wr5Et9Yu2Io6Pa0Sd")),
         negatives=("url: https://endpoint1.collection.sumologic.com/receiver/v1/http/${SUMO_HTTP_TOKEN}",
                    "POST /receiver/v1/http/ returned 401 Unauthorized")),
    # Google Calendar's "secret address in iCal format": whoever has the URL reads the calendar, its key the path
    # segment `private-<32 hex>` before `basic.ics` (`…/calendar/ical/<calendar id>/private-KEY/basic.ics`; the shared
    # address `…/public/basic.ics` holds none).
    Rule("secret", r"/private-(?P<v>[0-9a-f]{32})/(?:basic|full)\.ics(?![\w.-])", needs="/private-", remember=True,
         examples=(("ics_url: https://calendar.google.com/calendar/ical/c_8f3a91%40group.calendar.google.com/"
                    "private-5e1b9c7a2d4f6083b1e5c9a7d2f40618/basic.ics", "5e1b9c7a2d4f6083b1e5c9a7d2f40618"),),
         negatives=("https://calendar.google.com/calendar/ical/en.usa%23holiday%40group.v.calendar.google.com/public/"
                    "basic.ics", "https://calendar.google.com/calendar/ical/x%40example.com/private-${ICAL_KEY}/basic.ics",
                    "cp build/private-5e1b9c7a2d4f6083b1e5c9a7d2f40618/basic.ics.bak /tmp/")),
    # Storage appliances' session tokens under names that do not say so: QNAP QTS's `authLogin.cgi` reply
    # (`<authSid><![CDATA[SID]]></authSid>`) and the `sid=` its other `cgi-bin/` calls take; the token TrueNAS's
    # `midclt call auth.generate_token` prints on the next line; the `"value"` of Proxmox Backup Server's
    # `generate-token` reply after its `"tokenid": "USER@REALM!NAME"`; the `value` row of the table Proxmox VE's
    # `pveum user token add` prints below its `full-tokenid` row (box-drawing or ASCII borders).
    Rule("token", r"<authSid><!\[CDATA\[(?P<v>[^\]\s<]{1,128})\]\]>", needs="<authSid>", remember=True,
         examples=(("<authSid><![CDATA[x7k2p9qa]]></authSid>", "x7k2p9qa"),),
         negatives=("<authSid><![CDATA[]]></authSid>", "<authPassed><![CDATA[1]]></authPassed>")),
    Rule("token", r"cgi-bin/[\w/.-]{1,128}\.cgi\?(?:[^\s&#\"']{0,256}&)*?sid=(?P<v>[A-Za-z0-9]{8,64})(?![\w-])",
         needs="cgi-bin/", remember=True,
         examples=(("GET /cgi-bin/filemanager/utilRequest.cgi?func=get_tree&sid=x7k2p9qa&node=share_root",
                    "x7k2p9qa"),),
         negatives=("GET /cgi-bin/filemanager/utilRequest.cgi?func=get_tree&node=share_root",
                    "GET /webapi/entry.cgi?api=SYNO.FileStation.List&sid=x7k2p9qa")),
    # The Subsonic API (Subsonic, Navidrome, Airsonic, Gonic, Ampache, Funkwhale) authenticates every call in its
    # query: `u=USER` with `p=PASSWORD` (also hex-encoded, `p=enc:<hex>`) or `t=<md5(password + salt)>` with `s=SALT`
    # (replayable while the salt is reused), on a `/rest/<method>[.view]?…` URL as clients log and proxies record it.
    Rule("password", r"/rest/(?<=/rest/)[A-Za-z0-9]{3,64}(?:\.view)?\?(?P<q>[^\s#\"'<>]{1,2048})", needs="/rest/",
         extract=_query_values({"p": "password", "t": "token"}, ("u",)), remember=True,
         examples=(('"GET /rest/ping.view?u=kitchen&t=26719a1196d2a940705a59634eb18eab&s=c19b2d&v=1.16.1&c=dsub"',
                    "26719a1196d2a940705a59634eb18eab"),
                   ("GET /rest/getAlbumList2?type=newest&u=garage&p=enc:4b3374436833722d3939&v=1.12.0&c=DSub",
                    "4b3374436833722d3939"),
                   ("https://music.example.org/rest/stream.view?id=300&u=anna&p=Qx7-Tr2mWv&v=1.13.0&c=web",
                    "Qx7-Tr2mWv")),
         negatives=("GET /rest/ping.view?v=1.16.1&c=dsub&f=json",
                    "GET /rest/items?p=2&t=26719a1196d2a940705a59634eb18eab",
                    "curl 'https://music.example.org/rest/ping.view?u=anna&t=${TOKEN}&s=${SALT}&v=1.16.1&c=sh'",
                    "GET /rest/api/2/search?jql=project=OPS&p=2")),
    # AcoustID's web service takes the application's API key as `client=` and a user's API key as `user=` in the
    # query of `api.acoustid.org/v2/lookup` and `/v2/submit` (pyacoustid, Picard and beets' chroma plugin log them).
    Rule("secret", r"acoustid\.org/v2/(?:lookup|submit)\?(?P<q>[^\s#\"'<>]{1,4096})", needs="acoustid.org/v2/",
         extract=_query_values({"client": "secret", "user": "secret"}), remember=True,
         examples=(("GET https://api.acoustid.org/v2/lookup?client=Xk3pQ9vT2m&meta=recordings&duration=187"
                    "&fingerprint=AQADtMmybfGO", "Xk3pQ9vT2m"),
                   ("POST https://api.acoustid.org/v2/submit?client=Xk3pQ9vT2m&user=Rw8Lz2Np5Q&duration.0=641",
                    "Rw8Lz2Np5Q")),
         negatives=("GET https://api.acoustid.org/v2/lookup?client=${ACOUSTID_KEY}&meta=recordings",
                    "GET https://api.acoustid.org/v2/lookup?meta=recordings&trackid=9ff43b6a-4f16-427c-93c2-92307ca505e0",
                    "see https://acoustid.org/webservice for the client= parameter")),
    Rule("token", r"auth\.generate_token\b[^\r\n]{0,128}\r?\n[ \t]*\"?(?P<v>[A-Za-z0-9_-]{16,256})\"?"
         r"[ \t]*(?=\r?\n|\Z)",
         needs="auth.generate_token", remember=True,
         examples=(('# midclt call auth.generate_token 600\n"Wq7pXz3Lm9Kd2Rt5Vb8Nc1Fh4Jg6Ys0Ae3Tu7Io"\n',
                    "Wq7pXz3Lm9Kd2Rt5Vb8Nc1Fh4Jg6Ys0Ae3Tu7Io"),),
         negatives=("# midclt call auth.generate_token 600\n# midclt call pool.query\n",)),
    Rule("token", r'"tokenid"[ \t]*:[ \t]*"[^"\s]{1,128}![^"\s]{1,64}"[ \t]*,\s{0,64}"value"[ \t]*:[ \t]*'
         r'"(?P<v>[^"\s]{8,256})"', needs='"tokenid"', remember=True,
         examples=(('{\n  "tokenid": "backup@pbs!monitoring",\n  "value": "d7e2a4c1-90b3-4f56-8a2e-3c1b9d0f7e45"\n}',
                    "d7e2a4c1-90b3-4f56-8a2e-3c1b9d0f7e45"),),
         negatives=('{"tokenid": "backup@pbs!monitoring", "comment": "grafana", "expire": 0}',)),
    # A Proxmox VE ticket (the `PVEAuthCookie` cookie, `access/ticket`'s `"ticket"`): `PVE:USER@REALM:HEXTIME::`
    # then the base64 signature that makes it a credential.
    Rule("token", r"PVE:(?<![\w-]PVE:)[^\s:@\"']{1,64}@[\w.-]{1,64}:[0-9A-F]{8}::(?P<v>[A-Za-z0-9+/]{40,1024}={0,2})",
         needs="PVE:", remember=True,
         examples=(("Cookie: PVEAuthCookie=PVE:root@pam:6571A3F2::Mz4vT8yZx1Lm9Rb5Hn2Wc7Pd4Gs6Jf0Ua8Ye3Xi5Ov1Nk7Ql2==",
                    "Mz4vT8yZx1Lm9Rb5Hn2Wc7Pd4Gs6Jf0Ua8Ye3Xi5Ov1Nk7Ql2=="),),
         negatives=("pvedaemon[1234]: <root@pam> successful auth for user 'root@pam'",
                    "PVE:root@pam:6571A3F2::")),
    Rule("token", r"full-tokenid\b[^\r\n]{0,160}(?:\r?\n[^\r\n]{0,160}){0,8}?\r?\n[│|][ \t]*value[ \t]+[│|][ \t]*"
         r"(?P<v>[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})(?![\w-])", needs="full-tokenid", remember=True,
         examples=(("│ full-tokenid │ automation@pve!ci                    │\n"
                    "├──────────────┼──────────────────────────────────────┤\n"
                    "│ info         │ {\"privsep\":\"0\"}                      │\n"
                    "│ value        │ 5e1b8c2a-4d7f-4a39-b6e0-8f2c1d9a7b54 │\n",
                    "5e1b8c2a-4d7f-4a39-b6e0-8f2c1d9a7b54"),),
         negatives=("│ full-tokenid │ automation@pve!ci │\n│ comment      │ grafana           │\n"
                    "│ expire       │ 0                 │\n",
                    "│ value        │ 5e1b8c2a-4d7f-4a39-b6e0-8f2c1d9a7b54 │\n")),
    # Pure Storage Purity's `pureadmin create --api-token` (and `pureadmin list --api-token --expose`): a table whose
    # `API Token` column, before `Created`, holds each user's API token, a UUID.
    Rule("token", r"API Token(?=[ \t]+Created\b)[^\r\n]*\r?\n", needs="API Token", extract=_column_rows(UUID),
         remember=True,
         examples=(("Name   Type   API Token                             Created\n"
                    "ci     local  7c1e9a52-3b4d-f0e6-a812-5d9c0b7e4f21  2024-03-12 09:14:55 CET\n",
                    "7c1e9a52-3b4d-f0e6-a812-5d9c0b7e4f21"),),
         negatives=("Name   Type   API Token  Created\nci     local  ****       2024-03-12 09:14:55 CET\n"
                    "volume 7c1e9a52-3b4d-f0e6-a812-5d9c0b7e4f21\n",
                    "Name  Serial  Created\nvol1  7c1e9a52-3b4d-f0e6-a812-5d9c0b7e4f21  2024-03-12\n")),
    # kubeadm's bootstrap tokens (`<6>.<16>`) outside a `--token` option: `kubeadm token create|delete TOKEN`, and the
    # TOKEN column of `kubeadm token list`.
    Rule("token", r"kubeadm[ \t]+token[ \t]+(?:create|delete)\b[^\r\n]{0,200}?[ \t](?P<v>" + keys.BOOTSTRAP_SHAPE
         + r")(?![\w.-])", needs="kubeadm", remember=True,
         examples=(("$ kubeadm token delete 8hq2lm.9vx4zp8tn3yb6jf1", "8hq2lm.9vx4zp8tn3yb6jf1"),
                   ("kubeadm token create --ttl 2h 8hq2lm.9vx4zp8tn3yb6jf1", "8hq2lm.9vx4zp8tn3yb6jf1")),
         negatives=("kubeadm token create --print-join-command", "kubeadm token delete abcdef")),
    Rule("token", r"TOKEN[ \t]+TTL[ \t]+EXPIRES\b[^\r\n]*\r?\n", needs="TOKEN",
         extract=_column_rows(keys.BOOTSTRAP_SHAPE), remember=True,
         examples=(("TOKEN                     TTL   EXPIRES                USAGES\n"
                    "8hq2lm.9vx4zp8tn3yb6jf1   23h   2026-12-08T07:02:10Z   authentication,signing\n",
                    "8hq2lm.9vx4zp8tn3yb6jf1"),),
         negatives=("TOKEN   TTL   EXPIRES\n<none>\n", "NAME   TOKEN   TTL   EXPIRES\nci     ****    1h    never\n")),
    # kubeadm's certificate key (32 bytes in hex), which decrypts the control-plane certificates `kubeadm init
    # --upload-certs` stores in the cluster: `kubeadm join --control-plane --certificate-key KEY`, and the line below
    # `[upload-certs] Using certificate key:`.
    Rule("secret", r"certificate(?:(?<=--certificate)-key(?:[ \t]+|=)|(?<=Using certificate) key:[ \t]*\r?\n)"
         r"(?P<v>[0-9a-f]{64})(?![0-9A-Za-z])", needs="certificate", remember=True,
         examples=(("kubeadm join 10.0.0.1:6443 --control-plane --certificate-key "
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c",
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c"),
                   ("[upload-certs] Using certificate key:\n"
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c\n",
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c")),
         negatives=("nginx --certificate-key /etc/ssl/private/site.key",
                    "certificate fingerprint 9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c9f2c")),
    # Agora's App Certificate (32 hex digits), the secret its token servers sign RTC and RTM tokens with, beside the
    # public App ID: `APP_CERTIFICATE=…`, `AGORA_APP_CERTIFICATE=…`, `appCertificate = "…"`, `"app_certificate": "…"`.
    # Any other certificate is public or a file (PEM, a path, a fingerprint); only an app certificate in this shape.
    *(Rule("secret", literal + r"(?:" + behind + r")[\"']?[ \t]*(?:=>|[:=])[ \t]*[\"']?(?P<v>[0-9a-fA-F]{32})"
           r"(?![0-9A-Za-z])", needs=literal, remember=True, examples=examples, negatives=negatives)
      for literal, behind, examples, negatives in (
          ("ertificate", r"(?<=[Aa]pp[Cc]ertificate)|(?<=[Aa]pp[_.-]certificate)",
           (('const appCertificate = "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d";', "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),
            ('{"app_certificate": "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"}', "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d")),
           ("appCertificate: /etc/agora/app.pem", "clientCertificate=9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d",
            "app_certificate_sha1 = 9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c")),
          ("ERTIFICATE", r"(?<=APP[_.-]CERTIFICATE)",
           (("AGORA_APP_CERTIFICATE=9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d", "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),),
           ("APP_CERTIFICATE=${AGORA_APP_CERTIFICATE}", "CLIENT_CERTIFICATE=9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d")))),
    # MicroK8s' `microk8s join HOST:25000/TOKEN/CERT-HASH` (what `microk8s add-node` prints): the token, 32 letters and
    # digits, admits a node to the cluster; the hash after it names the cluster's certificate.
    Rule("token", r"microk8s[ \t]+join[ \t]+[^\s/]{1,260}?:\d{1,5}/(?P<v>[A-Za-z0-9]{32})(?![A-Za-z0-9])",
         needs="microk8s", remember=True,
         examples=(("microk8s join 192.168.1.230:25000/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d/2c0cb3284b05 --worker",
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),),
         negatives=("microk8s join --help", "microk8s add-node --token-ttl 3600")),
    # Rancher's manifest URL for importing a cluster (`kubectl apply -f https://RANCHER/v3/import/TOKEN_c-m-ID.yaml`):
    # the cluster's registration token is the path's file name before the cluster id.
    Rule("token", r"/v3/import/(?P<v>[a-z0-9]{40,64})_c-(?:m-)?[a-z0-9]{5,8}\.yaml", needs="/v3/import/",
         remember=True,
         examples=(("kubectl apply -f https://rancher.example.com/v3/import/"
                    "hq2lm9vx4zp8tn3yb6jf1ka5uw0ro2ec7gd4sh9pk3mz6qv8lc1hq2l_c-m-9vq2lw4x.yaml",
                    "hq2lm9vx4zp8tn3yb6jf1ka5uw0ro2ec7gd4sh9pk3mz6qv8lc1hq2l"),),
         negatives=("curl https://rancher.example.com/v3/import/cluster.yaml",)),
    # Databricks secrets written with a literal: the CLI's `databricks secrets put-secret SCOPE KEY --string-value V`
    # (the legacy CLI's `secrets put --scope S --key K --string-value V`) and Terraform's `resource "databricks_secret"`
    # block's `string_value = "V"`: the option and the attribute are generic names, the command or resource makes them
    # a secret.
    Rule("secret", r"\bdatabricks[ \t]+secrets[ \t]+put(?:-secret)?[ \t][^\r\n]*?--string-value(?:=|[ \t]+)"
         + _ARG_VALUE,
         needs="databricks", extract=_bundler_credentials, remember=True,
         examples=(("databricks secrets put-secret jdbc password --string-value 'Dbx-S3cretPw'", "Dbx-S3cretPw"),
                   ("databricks secrets put --scope jdbc --key pw --string-value Dbx-Leg4cy", "Dbx-Leg4cy")),
         negatives=("databricks secrets put-secret jdbc password --string-value \"$JDBC_PW\"",
                    "databricks secrets list-secrets jdbc")),
    # CI servers' secret stores fed on the command line: `drone secret add --name N --data V`, `woodpecker-cli [repo]
    # secret add --name N --value V` (`--data @file` reads a file), and Travis CI's `travis env set NAME VALUE`.
    Rule("secret", r"secret(?:(?<=drone secret)|(?<=woodpecker-cli secret)|(?<=woodpecker-cli repo secret)"
         r"|(?<=woodpecker-cli org secret))[ \t]+(?:add|update)[ \t][^\r\n]*?--(?:data|value)(?:=|[ \t]+)(?!@)"
         + _ARG_VALUE,
         needs="secret", extract=_bundler_credentials, remember=True,
         examples=(("drone secret add --repository octo/app --name docker_password --data Dr0ne-S3c!", "Dr0ne-S3c!"),
                   ("woodpecker-cli repo secret add --repository a/b --name s3 --value 'Wo0d-P3ck'", "Wo0d-P3ck")),
         negatives=("drone secret add --repository octo/app --name ssh_key --data @/home/ci/.ssh/id_rsa",
                    "woodpecker-cli secret add --repository a/b --name s3 --value \"$S3_SECRET\"",
                    "drone secret ls --repository octo/app")),
    Rule("secret", r"travis(?<![\w-]travis)[ \t]+env[ \t]+(?:set|add)[ \t]+[A-Za-z_]\w{0,127}[ \t]+" + _ARG_VALUE,
         needs="travis", extract=_bundler_credentials, remember=True,
         examples=(("travis env set DEPLOY_PASSWORD 'Tr4v-Env!' --private --com", "Tr4v-Env!"),),
         negatives=("travis env set DEBUG_LOGS true --public",  # (a public value is shown in the build log anyway)
                    "travis env set DEPLOY_PASSWORD $DEPLOY_PASSWORD --private", "travis env list --com")),
    Rule("secret", r'databricks_secret"(?<=resource "databricks_secret")[ \t]+"[^"\r\n]{1,128}"[ \t]*\{'
         r'[^{}]{0,2000}?\bstring_value[ \t]*=[ \t]*"(?P<v>[^"\r\n]{1,512})"', needs="databricks_secret",
         extract=_bundler_credentials, remember=True,
         examples=(('resource "databricks_secret" "pw" {\n  key = "pw"\n  string_value = "Tf-Dbx-Pw9"\n}',
                    "Tf-Dbx-Pw9"),),
         negatives=('resource "databricks_secret" "pw" {\n  string_value = var.jdbc_password\n}',
                    'resource "databricks_notebook" "nb" {\n  content_base64 = "aGVsbG8="\n}')),
    # Prefect's Secret block built with a literal: `Secret(value="…").save("name")` (`value` is a generic keyword).
    Rule("secret", rf"Secret\((?<!\wSecret\()[ \t]*value[ \t]*=[ \t]*(?:{_QUOTED_ARG})",
         needs="Secret(", extract=_bundler_credentials, remember=True,
         examples=(('Secret(value="Pr3fect-Bl0ck").save("api-key")', "Pr3fect-Bl0ck"),),
         negatives=('Secret(value=os.environ["API_KEY"]).save("api-key")', 'Secret.load("api-key").get()',
                    'K8sSecret(value="not-a-prefect-block")')),
    Rule("password", r":(?=(?:\d{1,5}|\*):(?:[^:\s]+:)?[^:\s]+:"
         r"(?P<v>(?:[^\s:\\]|\\.)(?:[^:\r\n\\]|\\.){0,255}?)[ \t]*(?:\r?\n|\Z))", ":",
         extract=_pgpass, remember=True,
         after=keys.COLON_VALUE_GUARD,
         examples=(("db.example.com:5432:shop:app:Pgp4ss-Prod", "Pgp4ss-Prod"),
                   ("*:*:*:replicator:r3plic8tion", "r3plic8tion"),
                   ("38.154.227.167:5868:wsuser9k:t6yq2bz4mx8r\n", "t6yq2bz4mx8r"),
                   ("geo.example-proxy.com:12321:cust01:Rk8vTz2q_country-us", "Rk8vTz2q_country-us")),
         negatives=("10:22:33:44:55 frame", "Jun 14 15:16:01 combo sshd[1]: check pass",
                    "@HWI-ST565_0092:4:1101:5508:5860#ACTTGA/1", "12:00:01:123 tick", "10.0.0.5:8080:GET:/healthz",
                    "localhost:5432:app:secret", "2024-05-02 10:15:03:debug:started worker",
                    "api.example.com:443:tcp:established")),
    # PayPal's classic API signature, beside the API password: NVP's `USER=…&PWD=…&SIGNATURE=…`, the Merchant SDK's
    # `acct1.Signature = …`. Its dots and dashes stop the random-value rule's alphabet.
    Rule("secret", r"=(?:(?<=SIGNATURE=)(?<![^\n&? \t]SIGNATURE=)|(?<=acct\d\.Signature=)"
         r"|(?<=acct\d\.Signature[ \t]=))[ \t]*(?P<v>A(?=[A-Za-z.\-]*\d)[A-Za-z0-9.\-]{40,80})(?![\w.\-])", "=",
         remember=True, before="[E \t]",
         examples=(("USER=shop_api1.example.com&PWD=QFZCWN5HZM8VBG7Q&SIGNATURE=A.k3Tq8Zr5Lm2Vx9Pb4Nw7Hc1Yd6Gf0Js3"
                    "Ke8Ua5Ro2.Ez7Qm&METHOD=GetBalance", "A.k3Tq8Zr5Lm2Vx9Pb4Nw7Hc1Yd6Gf0Js3Ke8Ua5Ro2.Ez7Qm"),
                   ("acct1.Signature = AmQ4xR8vT2pL6nZ9cW3bY7kF1hJ5dG0sU4eN8aX2-Vr6Ko3Tz",
                    "AmQ4xR8vT2pL6nZ9cW3bY7kF1hJ5dG0sU4eN8aX2-Vr6Ko3Tz")),
         negatives=("X-SIGNATURE=Abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstu9",
                    "acct1.Signature = ${PAYPAL_SIGNATURE}", "SIGNATURE=Accepted.by-the-remote-gateway-after-retry")),
    Rule("secret", r"=(?<=[vV]alue=)[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,512})\"|'(?P<v2>[^'\r\n]{1,512})')", "=",
         extract=_value_attribute, remember=True, before="e",
         examples=(('<add key="DbPassword" value="S3rv!ceAcc0unt" />', "S3rv!ceAcc0unt"),
                   ('<add key="ClientCertificate" value="Qm9yZGVyQ29udHJvbEFwcElkOjdmM2E5YzFlMGI1ZDQyZTg5YTFjN" />',
                    "Qm9yZGVyQ29udHJvbEFwcElkOjdmM2E5YzFlMGI1ZDQyZTg5YTFjN")),
         negatives=('<add key="PageSize" value="25" />', 'value="x" name="password"',
                    '<long name="token_expires_at" value="1715335000000" />',
                    '<add key="ClientCertificate" value="9F3A1C7E5B2D48E0A6C4F81B9D7E2A5C3B1F0E8D" />',
                    '<add key="ClientCertificate" value="C:\\certs\\client.pfx" />')),
    Rule("private_key", r"Private-Lines:[ \t]*(?P<n>\d{1,3})[ \t]*\r?\n", needs="Private-Lines",
         extract=_putty_private_lines,
         examples=(("Private-Lines: 2\nAAABAQCa9Kx2Lm8Qp4Rt7Vw1Xz3B\nQw3Er6Ty9Ui2Op5As8Df==\n"
                    "Private-MAC: 8f3a9c2e7b1d4f6a0c5e9b3d", "AAABAQCa9Kx2Lm8Qp4Rt7Vw1Xz3B"),),
         negatives=("Public-Lines: 6\nAAAAB3NzaC1yc2EAAAADAQABAAABAQC7",)),
    # A PEM private key encoded once more in base64 (Kubernetes Secret `data:` such as `tls.key`, Helm values, CI
    # variables): `LS0tLS1CRUdJTi` is `-----BEGIN ` in base64; the decoded header must name a private key.
    Rule("private_key", r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,}={0,2}", needs="LS0tLS1CRUdJTi", extract=_base64_pem,
         examples=(("  tls.key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBdGVzdA==",
                    "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBdGVzdA=="),),
         negatives=("  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJ",)),
    # A private key's DER in base64 without PEM armour (Confluence's `jwt.private.key`, a key pasted into a JSON or
    # env value): the start of the encoding is fixed by the format (`_DER_PRIVATE_KEYS`); public keys
    # (SubjectPublicKeyInfo, `MIIBIjANBgkqhkiG9w0BAQEFAAOC…`) and certificates start otherwise.
    *(Rule("private_key", rf"(?<![A-Za-z0-9+/]){head}[A-Za-z0-9+/]{{{body},8192}}={{0,2}}", needs=needs,
           examples=((f'"privateKey": "{example}"', example),),
           negatives=(f'"publicKey": "{public}"', f"a key in this format begins {example[:len(example) // 2]}"))
      for head, needs, body, example, public in _DER_PRIVATE_KEYS),
    Rule("private_key", r"-(?<=Y-)(?<=(?P<s>AGE-SECRET-KEY)-)1[02-9AC-HJ-NP-Z]{58}(?![A-Za-z0-9])", "-",
         before="(?:EY)",
         examples=(("AGE-SECRET-KEY-1QQPQZJQ8SPJ2WMM9ZDE9XJ7KP0LK0RF7QF2N7AHSH3L5YLQ5CXSSX4YQ9F",
                    "AGE-SECRET-KEY-1QQPQZJQ8SPJ2WMM9ZDE9XJ7KP0LK0RF7QF2N7AHSH3L5YLQ5CXSSX4YQ9F"),),
         negatives=("AGE-SECRET-KEY-1 is the prefix",)),
    Rule("private_key", r":(?:(?<=\"[dpqk]\":)|(?<=\"(?:dp|dq|qi)\":))[ \t]*\"(?P<v>[A-Za-z0-9_-]{16,})\"", ":",
         extract=_jwk_private, before='"',
         examples=(('{"kty":"EC","crv":"P-256","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}',
                    "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"),),
         negatives=('{"kty":"EC","crv":"P-256","use":"sig","kid":"1"}',
                    '{"d":"not-a-key-member-0123456789"}')),
    # PowerShell's `-Password` parameter (`New-LocalUser -Name ops -Password 'x'`) and tools' `-password X`: a value
    # that is not an option, a variable or a plain lower-case word.
    *(Rule("password", rf"{option}(?<=[ \t]{option})[ \t]+(?:'(?P<v1>[^'\r\n]{{1,256}})'|\"(?P<v2>[^\"\r\n]{{1,256}})\""
           r"|(?P<v3>[^\s'\"$-][^\s'\"]{0,255}))", needs=option, extract=_named_option, remember=True,
           examples=((f"New-LocalUser -Name ops {option} 'Ps9Param!'", "Ps9Param!"),
                     (f"keytool -list {option} Hq2Lm9Vx4Zp8 -v", "Hq2Lm9Vx4Zp8")),
           negatives=(f"New-LocalUser -Name ops {option} $pw", f"use {option} prompt", f"cmd {option} -verbose"))
      for option in ("-Password", "-password")),
    # Java's keytool and jarsigner: `-storepass`, `-keypass`, `-srcstorepass`, `-deststorepass`, `-srckeypass`,
    # `-destkeypass`.
    Rule("password", r"-(?<=[ \t]-)(?:src|dest|new)?(?:store|key)?pass[ \t]+(?:'(?P<v1>[^'\r\n]{1,128})'"
         r"|\"(?P<v2>[^\"\r\n]{1,128})\"|(?P<v3>[^\s'\"$:-][^\s'\"]{0,127}))", "-", extract=_bundler_credentials,
         remember=True, before=_OPTION_BEFORE, after="(?:src|dest|new)?(?:store|key)?pass[ \t]",
         examples=(("keytool -list -keystore a.jks -storepass St0rePw9", "St0rePw9"),
                   ("jarsigner -keystore a.jks -storepass Jks1Pw -keypass K3yPw9 app.jar alias", "K3yPw9"),
                   ("keytool -importkeystore -srcstorepass 'Src Pw9' -deststorepass D3stPw9", "Src Pw9")),
         negatives=("keytool -list -storepass -v", "keytool -list -storepass $PW")),
    # Samba's `-U user%password` (smbclient, rpcclient, smbmap, `net rpc`).
    Rule("password", r"-(?<=[ \t]-)U[ \t]*[\"']?\w[^\s%\"']{0,63}%(?P<v>[^\s\"']{1,256})", "-",
         extract=_bundler_credentials, remember=True, before=_OPTION_BEFORE, after="U",
         examples=(("smbclient //srv/share -U alice%Smb4Pw9 -c ls", "Smb4Pw9"),
                   ("rpcclient -U 'CORP\\svc%Rpc9Pw' 10.0.0.5", "Rpc9Pw")),
         negatives=("smbclient //srv/share -U alice", "date -U +%Y")),
    # htpasswd in batch mode takes the password as its last argument: `htpasswd -b[c] FILE USER PASSWORD`, and with
    # `-n` (print the entry, no file) `htpasswd -bn USER PASSWORD`; run from an image, its name comes first
    # (`docker run --entrypoint htpasswd httpd:2 -Bbn USER PASSWORD`, the registry's documented way).
    Rule("password", r"htpasswd(?<![\w-]htpasswd)(?:(?<=--entrypoint[ \t]htpasswd)[ \t]+[^\s-]\S*)?"
         r"(?P<fl>(?:[ \t]+-[a-zA-Z]+)*?[ \t]+-[a-zA-Z]*b[a-zA-Z]*(?:[ \t]+-[a-zA-Z]+)*)"
         r"(?:[ \t]+(?P<f>[^\s-]\S*))?[ \t]+\S+[ \t]+" + _POSITIONAL_VALUE,
         needs="htpasswd", extract=_htpasswd_batch, remember=True,
         examples=(("htpasswd -b -c /etc/nginx/.htpasswd admin Htp4sswdPw", "Htp4sswdPw"),
                   ("htpasswd -bB .htpasswd ops 'Bcr yptPw'", "Bcr yptPw"),
                   ("docker run --entrypoint htpasswd httpd:2 -Bbn reg Htpr1nt-Pw > auth/htpasswd", "Htpr1nt-Pw")),
         negatives=("htpasswd -c /etc/nginx/.htpasswd admin", "htpasswd -b .htpasswd ops $PASS",
                    "htpasswd -Bbn reg $REG_PASSWORD > auth/htpasswd")),
    # XMPP servers' account commands take the password as the argument after the user and the host:
    # `prosodyctl register USER HOST PASSWORD`, `ejabberdctl register|change_password|check_password USER HOST PW`.
    Rule("password", r"ctl(?:(?<=prosodyctl)|(?<=ejabberdctl))[ \t]+(?:register|change_password|check_password)"
         r"[ \t]+[^\s-]\S*[ \t]+[^\s-]\S*[ \t]+" + _POSITIONAL_VALUE,
         needs="ctl", extract=_bundler_credentials, remember=True,
         examples=(("sudo prosodyctl register focus auth.meet.example.com 'Fq9rJ1coPw'", "Fq9rJ1coPw"),
                   ("ejabberdctl change_password bob example.net N3wB0b-Pw2", "N3wB0b-Pw2")),
         negatives=("prosodyctl passwd alice", "ejabberdctl register admin example.net $ADMIN_PASS",
                    "ejabberdctl registered_users example.net")),
    # sfcc-ci (Salesforce Commerce Cloud's CLI) takes the API client's secret after its id:
    # `sfcc-ci client:auth CLIENT_ID CLIENT_SECRET [USER PASSWORD]`.
    Rule("secret", r"client:auth(?<=sfcc-ci[ \t]client:auth)[ \t]+[^\s-]\S*[ \t]+" + _POSITIONAL_VALUE,
         needs="client:auth", extract=_bundler_credentials, remember=True,
         examples=(("sfcc-ci client:auth 8f2d6b1e-9c4a-4e37-b05f-1a7c3d9e2f64 Zr9TqL2mX7vNc4Bp8Hw1",
                    "Zr9TqL2mX7vNc4Bp8Hw1"),),
         negatives=("sfcc-ci client:auth", "sfcc-ci client:auth $SFCC_OAUTH_CLIENT_ID $SFCC_OAUTH_CLIENT_SECRET",
                    "sfcc-ci client:auth:renew")),
    # python-fitbit's `gather_keys_oauth2.py CLIENT_ID CLIENT_SECRET` (its README's way to get the first tokens; other
    # Fitbit projects copy the script): the secret is the second positional argument.
    Rule("secret", r"gather_keys_oauth2(?:\.py)?[ \t]+[^\s-]\S*[ \t]+" + _POSITIONAL_VALUE,
         needs="gather_keys_oauth2", extract=_bundler_credentials, remember=True,
         examples=(("python gather_keys_oauth2.py 22BQ7C 4e9a1c7f3b8d2e6a0c5f9b3d7e1a4c82",
                    "4e9a1c7f3b8d2e6a0c5f9b3d7e1a4c82"),
                   ("./gather_keys_oauth2.py 22BQ7C 'f0b3d7e1a4c84e9a1c7f3b8d2e6a0c59' > tokens.txt",
                    "f0b3d7e1a4c84e9a1c7f3b8d2e6a0c59")),
         negatives=("python gather_keys_oauth2.py $FITBIT_CLIENT_ID $FITBIT_CLIENT_SECRET",
                    "python gather_keys_oauth2.py <client_id> <client_secret>",
                    "cp gather_keys_oauth2.py tools/")),
    # Magento stores a setting by its `section/group/field` path: `bin/magento config:[sensitive:]set
    # [--scope=…] payment/braintree/private_key VALUE`; the field names what the value is.
    Rule("secret", r"magento[ \t]+config:(?:sensitive:)?set[ \t]+(?:--[\w-]+=\S+[ \t]+)*[\w-]+/[\w-]+/(?P<k>\w+)"
         r"[ \t]+" + _POSITIONAL_VALUE, needs="magento", extract=_keyed_value, remember=True,
         examples=(("bin/magento config:sensitive:set payment/braintree/private_key 7f3a9c1e5b8d2f4a6c0e",
                    "7f3a9c1e5b8d2f4a6c0e"),
                   ("php bin/magento config:set --scope=websites --scope-code=base carriers/ups/password 'Ups7Pw-x'",
                    "Ups7Pw-x")),
         negatives=("bin/magento config:set payment/braintree/merchant_id acmeshop8x2q",
                    "bin/magento config:set web/secure/use_in_frontend 1",
                    "bin/magento config:sensitive:set payment/braintree/private_key $BRAINTREE_KEY")),
    # A CLI's `config set KEY VALUE` (OMERO.server's `omero config set omero.db.pass VALUE`, kubectl's `config set
    # users.NAME.token VALUE`, the other tools that store a setting by its dotted name): the value when the key's name
    # names a secret (not `omero.ldap.username`, not a `$VAR`).
    Rule("secret", r"config(?<![\w-]config)[ \t]+set[ \t]+(?:--?[a-z][\w=-]*[ \t]+)*(?P<k>[A-Za-z_][\w.\[\]/:-]{0,127})"
         r"[ \t]+" + _POSITIONAL_VALUE, needs="config", extract=_keyed_value, remember=True,
         examples=(("$ omero config set omero.db.pass 'Qx7Lm2-Vb9Zp'", "Qx7Lm2-Vb9Zp"),
                   ("omero config set omero.ldap.password Ld4pBind-8Kq", "Ld4pBind-8Kq"),
                   ("kubectl config set users.ci-bot.token Kq8Vx2Lm9Zp4Tn7Yb3Jf6Hd1", "Kq8Vx2Lm9Zp4Tn7Yb3Jf6Hd1")),
         negatives=("omero config set omero.db.host pg.internal.example.org",
                    "omero config set omero.ldap.username 'cn=omero-bind,ou=svc,dc=example,dc=org'",
                    "omero config set omero.db.pass $OMERO_DB_PASS", "kubectl config set-context prod --user=ci-bot",
                    "the config set of the cluster holds two values")),
    # A secrets store's CLI given the value on its command line: Nextflow's `nextflow secrets set NAME VALUE` (and the
    # older `secrets put -n NAME -v VALUE`), Seqera Platform's `tw secrets add -n NAME -v VALUE` (`--value=VALUE`).
    # The command says the value is a secret, whatever its name.
    Rule("secret", r"secrets(?:(?<=\bnextflow[ \t]secrets)|(?<=\btw[ \t]secrets))[ \t]+(?:set|put|add|update)[ \t]+"
         r"(?:(?:-n|--name)(?:=|[ \t]+))?[A-Za-z_][\w.-]{0,127}[ \t]+(?:(?:-[ \t]*|--?[a-z][\w-]*[ \t]+)*?"
         r"(?:-v|--value)(?:=|[ \t]+))?" + _POSITIONAL_VALUE, needs="secrets", extract=_bundler_credentials,
         remember=True,
         examples=(("$ nextflow secrets set NCBI_API_KEY 4f2b9c7e1a8d3f6b0e5c2a9d7f1b4e8c3a6d",
                    "4f2b9c7e1a8d3f6b0e5c2a9d7f1b4e8c3a6d"),
                   ("nextflow secrets set ENA_PASSWORD 'Wb9#kL2qZx7'", "Wb9#kL2qZx7"),
                   ("nextflow secrets put -n DB_PASS -v Pq7Lm2Vx9Zb", "Pq7Lm2Vx9Zb"),
                   ("tw secrets add -n SMTP_PASSWORD -v 'Sm7pT2xLq9Vb' -w acme/genomics", "Sm7pT2xLq9Vb"),
                   ("tw secrets add --name=GH_TOKEN --value=Gq4Lm8Vx2Zp7Tn3Yb6Jf1Ka5", "Gq4Lm8Vx2Zp7Tn3Yb6Jf1Ka5")),
         negatives=("nextflow secrets list", "nextflow secrets get NCBI_API_KEY",
                    "nextflow secrets delete NCBI_API_KEY",
                    "nextflow secrets set NCBI_API_KEY \"$NCBI_API_KEY\"", "tw secrets list -w acme/genomics",
                    "nextflow secrets set NCBI_API_KEY")),
    # PyCap's `Project(API_URL, TOKEN)`: a REDCap API token is 32 upper-case hex digits, the second argument.
    Rule("secret", r"Project\((?<=\bProject\()[ \t]*(?:" + _STR_ARG + r"|[A-Za-z_][\w.]{0,64})[ \t]*,[ \t]*"
         r"(?:\"(?P<v1>[0-9A-F]{32})\"|'(?P<v2>[0-9A-F]{32})')[ \t]*[,)]", needs="Project(", remember=True,
         examples=(('project = Project(api_url, "54DC68AEA3F89152D481ED5A575FA112")',
                    "54DC68AEA3F89152D481ED5A575FA112"),
                   ("proj = redcap.Project('https://redcap.example.edu/api/', 'A1B2C3D4E5F60718293A4B5C6D7E8F90')",
                    "A1B2C3D4E5F60718293A4B5C6D7E8F90")),
         negatives=("project = Project(api_url, api_token)", 'p = Project("demo", "a1b2c3d4e5f60718293a4b5c6d7e8f90")',
                    'Project(api_url, os.environ["REDCAP_TOKEN"])')),
    # Supermicro's IPMICFG: `ipmicfg -user add ID NAME PASSWORD PRIVILEGE` and `ipmicfg -user setpwd ID PASSWORD`.
    Rule("password", r"ipmicfg(?<![\w.-]ipmicfg)(?:\.exe)?[ \t]+-user[ \t]+"
         r"(?:add[ \t]+\d+[ \t]+[^\s-]\S*|setpwd[ \t]+\d+)[ \t]+" + _POSITIONAL_VALUE,
         needs="ipmicfg", extract=_bundler_credentials, remember=True,
         examples=(("ipmicfg -user add 3 ops Ic5f-Pw8x 4", "Ic5f-Pw8x"),
                   ("ipmicfg -user setpwd 2 'Adm1n!Bmc'", "Adm1n!Bmc")),
         negatives=("ipmicfg -user list", "ipmicfg -user add 3 ops $BMC_PASSWORD 4", "ipmicfg -user level 3 4")),
    # Dell's `racadm set GROUP.OBJECT.FIELD VALUE` (`iDRAC.Users.3.Password`): the attribute's last part names it.
    Rule("password", r"racadm(?<![\w.-]racadm)[^\r\n]{0,200}?[ \t]set[ \t]+(?:[\w-]+\.)+(?P<k>\w+)[ \t]+"
         + _POSITIONAL_VALUE, needs="racadm", extract=_keyed_value, remember=True,
         examples=(("racadm -r 10.0.0.31 -u root -p Dr4c-Pw9 set iDRAC.Users.3.Password Nw8u-Pw2x", "Nw8u-Pw2x"),
                   ("racadm set iDRAC.Users.2.Password 'Idr4c!Pw'", "Idr4c!Pw"),
                   # Quoted, a value ending in `(` is a password, not the start of a call.
                   ("racadm set iDRAC.Users.2.Password 'Idr4c!Pw('", "Idr4c!Pw(")),
         negatives=("racadm set iDRAC.Users.3.UserName ops", "racadm set iDRAC.NIC.DNSRacName idrac-web07",
                    "racadm set iDRAC.Users.3.Password $NEW_PASSWORD")),
    # macOS `defaults write DOMAIN KEY [-string] VALUE` takes key and value as arguments (AutoPkg's documented
    # `defaults write com.github.autopkg JSS_PASSWORD …`); the key names what the value is.
    Rule("secret", r"defaults[ \t]+write[ \t]+\S+[ \t]+(?P<k>[\w.-]+)[ \t]+(?:-string[ \t]+)?(?!-)" + _POSITIONAL_VALUE,
         needs="defaults", extract=_keyed_value, remember=True,
         examples=(("defaults write com.github.autopkg JSS_PASSWORD 'Jss-Aut0!pkg88'", "Jss-Aut0!pkg88"),
                   ("sudo defaults write /Library/Preferences/com.example.agent ApiToken -string q8Zt3LmV9xKc2Wb7",
                    "q8Zt3LmV9xKc2Wb7")),
         negatives=("defaults write com.github.autopkg JSS_URL https://jss.example.org:8443",
                    "defaults write com.github.autopkg API_USERNAME autopkg-svc",
                    "defaults write com.github.autopkg JSS_PASSWORD \"$JSS_PASSWORD\"",
                    "defaults write com.apple.screensaver askForPassword -int 1")),
    Rule("password", r"user=(?<![^\n]user=)(?P<v3>[^\s:]{1,64}:\S{1,256})", needs="user=", extract=_turnserver_user,
         remember=True,
         examples=(("listening-port=3478\nrealm=turn.example.com\nlt-cred-mech\nuser=alice:Tu8nAl1ce\n", "Tu8nAl1ce"),),
         negatives=("[program:web]\nuser=www-data:www-data\n", "realm=turn.example.com\nuser=alice\n")),
    # A Synapse signing key file (`homeserver.signing.key`): `ed25519 KEY_ID BASE64_SEED`, one line.
    Rule("private_key",
         rf"ed25519(?<![^\n]ed25519)[ \t]+[A-Za-z0-9_]{{1,32}}[ \t]+(?P<v1>[A-Za-z0-9+/]{{43}})=?{_LINE_END}",
         needs="ed25519", extract=_bundler_credentials, remember=True,
         examples=(("ed25519 a_Xk3q Zm9vYmFyYmF6cXV4UXdlcnR5VWlvcEFzZGZnaEprbFp\n",
                    "Zm9vYmFyYmF6cXV4UXdlcnR5VWlvcEFzZGZnaEprbFp"),),
         negatives=("ed25519 key generated for host web1\n", "ssh-keygen -t ed25519 -C ops-laptop\n")),
    # crictl's `--auth AUTH_STRING` (`crictl pull`): base64 of `user:password`, as in a Docker config's `auth`.
    Rule("password", r"--auth(?<![\w-]--auth)[ \t=]+[\"']?(?P<v>[A-Za-z0-9+/]{4,1024}={0,2})(?![\w+/=-])",
         needs="--auth", extract=_basic_credentials, remember=True,
         examples=(("crictl pull --auth " + base64.b64encode(b"ops:Cr1-Auth7x").decode() + " r.example.com/a:1",
                    base64.b64encode(b"ops:Cr1-Auth7x").decode()),),
         negatives=("crictl pull --auth $REG_AUTH r.example.com/a:1", "mongod --auth --port 27017",
                    "tool --auth basic --auth-file /etc/tool/htpasswd")),
    # skopeo's, buildah's and podman's `--creds USER:PASSWORD` (`--src-creds`, `--dest-creds` for a copy's two ends).
    Rule("password", r"--(?<![\w-]--)(?:src-|dest-)?creds[ \t=]+(?:'(?P<v1>[^'\r\n]{1,256})'"
         r"|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"]{1,256}))", needs="-creds", extract=_pair_password,
         remember=True,
         examples=(("skopeo copy --src-creds alice:Sk0peo-Src9 docker://a/b docker://c/d", "Sk0peo-Src9"),
                   ('buildah push --creds="ci:Bu1ldah Pw" localhost/app docker://r/app', "Bu1ldah Pw")),
         negatives=("skopeo inspect --creds alice docker://a/b", 'podman pull --creds "$USER:$PASS" a/b',
                    "skopeo copy --src-creds ${SRC_CREDS} docker://a/b dir:/tmp/b")),
    # A Windows command's `/NAME:VALUE` option that takes a password: IIS `appcmd set apppool ...
    # /processModel.password:X`, `cmdkey /generic:host /user:name /pass:X` (a `*` or nothing prompts for it), `vaultcmd
    # /addcreds:VAULT ... /identity:NAME /authenticator:X` (the credential's password), netdom's `/PasswordD:X` and
    # `/PasswordO:X` (the domain's and the computer's account; `*` prompts).
    *(Rule("password", r"/(?<=[ \t]/)(?:[A-Za-z]\w{0,40}\.){0,3}" + name + r":(?:\"(?P<v2>[^\"\r\n]{1,256})\""
           r"|(?P<v3>[^\s\"*][^\s\"]{0,255}))", needs=needs, extract=_bundler_credentials, remember=True,
           examples=examples, negatives=negatives)
      for name, needs, examples, negatives in (
          ("pass(?:word)?", "pass",
           (("appcmd set apppool /apppool.name:Web /processModel.userName:svc /processModel.password:IisP00l-9",
             "IisP00l-9"),
            ('cmdkey /generic:TERMSRV/host01 /user:CORP\\ops /pass:"Cmdk3y Pw"', "Cmdk3y Pw")),
           ("cmdkey /generic:TERMSRV/host01 /user:ops /pass",
            "appcmd set apppool /apppool.name:Web /processModel.identityType:ApplicationPoolIdentity",
            "cmdkey /add:host /user:ops /pass:*")),
          ("Password[DO]", "/Password",
           (("netdom join %COMPUTERNAME% /domain:corp.example.net /UserD:CORP\\svc-join /PasswordD:N3tdom-Jn9 /reboot",
             "N3tdom-Jn9"),),
           ("netdom resetpwd /Server:dc01 /UserD:CORP\\ops /PasswordD:*", "netdom query /Domain:corp.example.net dc")),
          ("authenticator", "/authenticator:",
           (('vaultcmd /addcreds:"Windows Credentials" /credtype:"Windows Domain Password Credential" '
             '/identity:"CORP\\svc" /authenticator:"Vc4#mTq9Lz2x" /resource:"nas02"', "Vc4#mTq9Lz2x"),),
           ('vaultcmd /listcreds:"Windows Credentials" /all',)))),
    # Windows commands' space-separated password switches, only on the command's own line: `schtasks /Create … /RU user
    # /RP password` (the task's run-as password; `*` prompts) and `/U user /P password` (the remote host's), SSIS
    # `dtexec … /De[crypt] password` (the package password).
    *(Rule("password", switch + r"(?<=[ \t]" + switch + r")[ \t]+(?:\"(?P<v2>[^\"\r\n]{1,256})\""
           r"|(?P<v3>[^\s\"*/][^\s\"]{0,255}))", needs=switch, extract=_on_command_line(command), remember=True,
           examples=examples, negatives=negatives)
      for switch, command, examples, negatives in (
          *((switch, "schtasks",
             ((f"schtasks /Create /TN Backup /TR C:\\b.cmd /SC DAILY /RU CORP\\svc {switch} Sch3d-Pw9", "Sch3d-Pw9"),),
             (f"schtasks /Create /TN Backup /TR C:\\b.cmd /RU CORP\\svc {switch} *", f"robocopy a b {switch} 3"))
            for switch in ("/RP", "/rp")),
          # `/S HOST /U USER /P PASSWORD`: the account schtasks connects to a remote host with.
          *((switch, "schtasks",
             ((f"schtasks /Query /S app02 /U CORP\\adm {switch} Rem0te-Pw8 /TN Backup", "Rem0te-Pw8"),),
             (f"schtasks /Query /S app02 /U CORP\\adm {switch} /TN Backup", f"robocopy a b {switch} 3"))
            for switch in ("/P", "/p")),
          *((switch, "dtexec", ((f'dtexec /F "D:\\p.dtsx" {switch} "Pk9-Pr0tect"', "Pk9-Pr0tect"),),
             (f"tool.exe {switch} Pk9-Pr0tect",))
            for switch in ("/DECRYPT", "/Decrypt", "/DE", "/De")),
          # Windows SDK `signtool sign /f CERT.pfx /p PASSWORD`: the PFX file's password.
          ("/p", "signtool", (("signtool sign /fd SHA256 /f c.pfx /p Sgn-Pfx9 app.exe", "Sgn-Pfx9"),),
           ("signtool sign /a /fd SHA256 app.exe", "robocopy src dst /p Sgn-Pfx9")))),
    # Windows Remote Shell `winrs -r:HOST -u:USER -p:PASSWORD COMMAND` (`-password:` in full).
    Rule("password", r"winrs(?<![\w-]winrs)[ \t][^\r\n]{0,300}?[ \t]-p(?:assword)?:(?:\"(?P<v2>[^\"\r\n]{1,256})\""
         r"|(?P<v3>[^\s\"*][^\s\"]{0,255}))", needs="winrs", extract=_bundler_credentials, remember=True,
         examples=(("winrs -r:mgmt05 -u:CORP\\adm -p:W1nrs-Pw9 ipconfig /all", "W1nrs-Pw9"),
                   ('winrs -r:mgmt06 -unencrypted -u:Administrator -p:"Wrs Pw 06" "dir C:\\"', "Wrs Pw 06")),
         negatives=("winrs -r:mgmt05 -u:CORP\\adm ipconfig", "winrs -r:mgmt05 -p:* hostname")),
    # Sysinternals Autologon's command line `Autologon USER DOMAIN PASSWORD` (it stores the password as an LSA secret):
    # the third argument, last on the line; unquoted, it needs letters and digits (`autologon user domain password`).
    Rule("password", r"utologon(?<=[Aa]utologon)(?<![\w-][Aa]utologon)(?:64)?(?:\.exe)?(?:[ \t]+/accepteula)?"
         r"[ \t]+[^\s/\"']{1,64}[ \t]+[^\s/\"']{1,64}[ \t]+(?:\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s\"]{1,256}))"
         r"[ \t]*(?![^\r\n])", needs="utologon", extract=_mixed_positional, remember=True,
         examples=(("C:\\Tools\\Autologon64.exe /accepteula kiosk KIOSK-01 Aut0logon-Pw4\r\nshutdown /r\n",
                    "Aut0logon-Pw4"),
                   ('autologon signage CORP "Sign Age 42"', "Sign Age 42")),
         negatives=("autologon user domain password", "Autologon is enabled for the kiosk account today",
                    "Autologon64.exe /accepteula /delete")),
    # A registry value or PowerShell property named like a password (Winlogon's `DefaultPassword`): `reg add KEY /v
    # NAME [/t REG_SZ] /d VALUE`, `Set-ItemProperty`/`New-ItemProperty -Name NAME -Value VALUE`, and `reg query`'s
    # output `NAME    REG_SZ    VALUE`.
    Rule("password", r"/v(?<=[ \t]/v)[ \t]+\"?(?P<k>[\w.-]{1,64})\"?(?:[ \t]+/t[ \t]+REG_SZ)?[ \t]+/d[ \t]+"
         r"(?:\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s\"]{1,256}))", needs="/v", extract=_secret_named_value,
         remember=True,
         examples=(('reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" /v DefaultPassword '
                    '/t REG_SZ /d "Kiosk-Reg9" /f', "Kiosk-Reg9"),),
         negatives=('reg add "HKLM\\...\\Winlogon" /v DefaultUserName /t REG_SZ /d kiosk /f',
                    'reg add "HKLM\\...\\Winlogon" /v PasswordExpiryWarning /t REG_DWORD /d 14 /f')),
    Rule("password", r"-Name[ \t]+['\"]?(?P<k>[\w.-]{1,64})['\"]?[ \t]+(?:-PropertyType[ \t]+\w+[ \t]+)?-Value[ \t]+"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$(][^\s'\"]{0,255}))",
         needs="-Name", extract=_secret_named_value, remember=True,
         examples=(("Set-ItemProperty -Path $winlogon -Name DefaultPassword -Value 'S1gn-Wall3'", "S1gn-Wall3"),),
         negatives=("Set-ItemProperty -Path $winlogon -Name DefaultUserName -Value 'signage'",
                    "Set-ItemProperty -Path $winlogon -Name PasswordExpiryWarning -Value 14",
                    "New-ItemProperty -Path $key -Name DefaultPassword -Value $plain")),
    Rule("password", r"REG_SZ(?<=[ \t]REG_SZ)[ \t]+(?P<v3>[^\s](?:[^\r\n]{0,254}[^\s])?)", needs="REG_SZ",
         extract=_secret_named_value, remember=True,
         examples=(("    DefaultPassword    REG_SZ    Sh0w-R00m2\n", "Sh0w-R00m2"),),
         negatives=("    DefaultUserName    REG_SZ    showroom\n", "    Shell    REG_SZ    explorer.exe\n")),
    # A plain string piped into `ConvertTo-SecureString -AsPlainText` (`('x' | ConvertTo-SecureString -AsPlainText
    # -Force)`); the argument forms are the rule on `ConvertTo-SecureString` itself.
    Rule("password", r"(?:'(?P<v2>[^'\r\n]{1,256})'|\"(?P<v1>[^\"\r\n]{1,256})\")[ \t]*\|[ \t]*ConvertTo-SecureString\b"
         r"(?=[^\r\n]*-AsPlainText)", needs="ConvertTo-SecureString", extract=_bundler_credentials, remember=True,
         examples=(("$c = [pscredential]::new('adm', ('Dep-Pipe61' | ConvertTo-SecureString -AsPlainText -Force))",
                    "Dep-Pipe61"),),
         negatives=("$s = $env:PW | ConvertTo-SecureString -AsPlainText -Force",
                    "$s = 'x' | ConvertTo-SecureString -Key $key")),
    # An SSIS property path that names a password (`\Package.Connections[Ftp].Properties[ServerPassword]`, or a
    # variable's `\Package.Variables[User::FtpPassword].Properties[Value]`) and its value: dtexec's `/SET "path";value`
    # or a .dtsConfig `<ConfiguredValue>` on the next line.
    Rule("password", r"Properties\[(?P<k>\w{1,60})\](?:\";(?:\"(?P<v1>[^\"\r\n]{1,256})\"|(?P<v3>[^\s\"]{1,256}))"
         r"|\"[^<>\r\n]{0,200}>[ \t]*\r?\n[ \t]*<ConfiguredValue>(?P<v2>[^<\r\n]{1,256})</ConfiguredValue>)",
         needs="Properties[", extract=_ssis_property, remember=True,
         examples=(('dtexec /F p.dtsx /SET "\\Package.Connections[Db].Properties[Password]";"Ss1s-Set9"', "Ss1s-Set9"),
                   ('  /Set "\\Package.Variables[User::FtpPassword].Properties[Value]";"FtpVar-Pw-5307" ^',
                    "FtpVar-Pw-5307"),
                   ('<Configuration ConfiguredType="Property"'
                    ' Path="\\Package.Connections[Ftp].Properties[ServerPassword]" ValueType="String">\n'
                    "  <ConfiguredValue>Ftp-Cfg9x</ConfiguredValue>", "Ftp-Cfg9x")),
         negatives=('dtexec /F p.dtsx /SET "\\Package.Variables[User::Rows].Properties[Value]";"500"',
                    '<Configuration Path="\\Package.Connections[Db].Properties[ServerName]" ValueType="String">\n'
                    '  <ConfiguredValue>sql-stg01</ConfiguredValue>')),
    # XML escaped inside XML (BizTalk bindings' `TransportTypeData`, once or twice escaped):
    # `&lt;Password vt="8"&gt;value&lt;/Password&gt;` when the element names a secret.
    Rule("password", r"&(?:amp;)?lt;(?P<k>[A-Za-z][\w.-]{0,40})(?:[ \t]+[\w:-]{1,40}=\"[^\"<>&\r\n]{0,80}\")*"
         r"&(?:amp;)?gt;(?P<v>[^&<\r\n]{1,256})&(?:amp;)?lt;/(?P<c>[A-Za-z][\w.-]{0,40})&(?:amp;)?gt;", needs="lt;",
         extract=_named_element, remember=True,
         examples=(('&lt;UserName vt="8"&gt;bts&lt;/UserName&gt;&lt;Password vt="8"&gt;Bts-Wcf9x&lt;/Password&gt;',
                    "Bts-Wcf9x"),
                   ("&amp;lt;password&amp;gt;Ftp-Ad4pt9&amp;lt;/password&amp;gt;", "Ftp-Ad4pt9")),
         negatives=('&lt;UserName vt="8"&gt;bts_poller&lt;/UserName&gt;',
                    "&lt;password&gt;&lt;/password&gt; &lt;useSsl&gt;true&lt;/useSsl&gt;")),
    # A saved .rdp file's `password 51:b:` line: the DPAPI blob of the stored password, in hex.
    Rule("password", r"password 51:b:(?P<v>[0-9A-Fa-f]{64,8192})", needs="51:b:", extract=_bundler_credentials,
         examples=(("full address:s:rdsh01\npassword 51:b:" + "01000000D08C9DDF0115D1118C7A00C04FC297EB" * 3 + "\n",
                    "01000000D08C9DDF0115D1118C7A00C04FC297EB" * 3),),
         negatives=("full address:s:rdsh01\nscreen mode id:i:2\npassword 51:b:",)),
    # Configuration Manager task sequence variables exported as `Name,Value,IsMasked` rows (`OSDJoinPassword,value,…`,
    # `OSDLocalAdminPassword`): the first field a variable name ending in Password.
    Rule("password", r"assword,(?<=[pP]assword,)(?P<v>[^,\r\n]{1,256})(?=,|\r?\n|\Z)", needs="assword,",
         extract=_csv_variable, remember=True,
         examples=(("Name,Value,IsMasked\nOSDJoinPassword,Dj0in-Acct9,False\n", "Dj0in-Acct9"),),
         negatives=("OSDJoinAccount,CORP\\svc,False\nOSDJoinPassword,,True\n", "Password,Username,URL\n",
                    "name,url,username,password,note\n")),
    # macOS `security find-generic-password -g` / `find-internet-password -g` (`password: "…"`, or `password: 0x<hex>
    # "<escaped text>"` for a password that is not plain ASCII) and `security dump-keychain -d` (`data:` and the value
    # on the next line, in the same two forms): both renderings of the value go.
    *(Rule("password", head + r"(?:0x(?P<v1>[0-9A-Fa-f]{2,4096})[ \t]+)?\"(?P<v2>[^\r\n]{1,2048})\"[ \t]*(?=\r?\n|\Z)",
           needs=needs, extract=_groups, remember=True, examples=examples, negatives=negatives)
      for head, needs, examples, negatives in (
          (r"(?<![^\n])password: ", "password: ",
           (('"type"<uint32>=<NULL>\npassword: 0x4B6579C3A9  "Key\\303\\251"\n', "Key\\303\\251"),
            ('"type"<uint32>=<NULL>\npassword: 0x4B6579C3A9  "Key\\303\\251"\n', "4B6579C3A9")),
           ("password: ${DB_PASSWORD}\n", 'password: ""\n', "password: <NULL>\n")),
          (r"(?<![^\n])data:\r?\n", "data:",
           (('"svce"<blob>="npm-publish"\ndata:\n"Np4!mQx8vLz2Rw"\n', "Np4!mQx8vLz2Rw"),),
           ("data:\n  - name: app\n", 'data:\n\n"quoted prose"'))
      )),
    # `netsh wlan show profile name=NAME key=clear`: the Wi-Fi key under `Security settings`.
    Rule("password", r"Key Content[ \t]*:[ \t]*(?P<v>[^\r\n]*[^\s])", needs="Key Content",
         extract=_bundler_credentials, remember=True,
         examples=(("    Security key           : Present\n    Key Content            : Bl4ck-Pepper-22\n",
                    "Bl4ck-Pepper-22"),),
         negatives=("    Security key           : Absent\n", "    Key Content            :\n")),
    # minisign's and OpenBSD signify's secret key files: an `untrusted comment: ... secret key` line, then the key as
    # one base64 line (`Ed` + algorithm bytes, so it starts `RW`); the public key files' comment says `public key`.
    Rule("private_key",
         r"untrusted comment:(?=[^\r\n]{0,80}secret key)[^\r\n]*\r?\n(?P<v>RW[A-Za-z0-9+/]{40,400}={0,2})",
         needs="untrusted comment:", remember=True,
         examples=(("untrusted comment: minisign encrypted secret key\nRWRTY0IyQm9QZ3V1Y2tqR3pNTmVpUFZxd1VhZ2xsMjZ3\n",
                    "RWRTY0IyQm9QZ3V1Y2tqR3pNTmVpUFZxd1VhZ2xsMjZ3"),
                   ("untrusted comment: signify secret key\nRWRCSwAAAABkYr8WqT4mVxN2fPz6cL1hJ0aQbR7sE3uY9gK5dM8w==\n",
                    "RWRCSwAAAABkYr8WqT4mVxN2fPz6cL1hJ0aQbR7sE3uY9gK5dM8w==")),
         negatives=("untrusted comment: signify public key\nRWRkYr8WqT4mVxN2fPz6cL1hJ0aQbR7sE3uY9gK5dM8wZ2nXtHqP4vF\n",
                    "untrusted comment: minisign public key 592A9C41E8736ACD\nRWTNanPoQZwqWYj2dGRNl7oS6OPo3tPMTS\n")),
    # Wowza Streaming Engine's `conf/publish.password` and `conf/admin.password`: `USER PASSWORD [GROUPS]` lines after
    # the header comment the files ship with ("# Publish password file (format [username] [password])").
    Rule("password", r"\[password\](?<=\(format \[username\] \[password\])(?:[ \t]+\[group\])?\)[^\r\n]*(?:\r?\n|\Z)",
         needs="[password]", extract=_password_file_entries, remember=True,
         examples=(("# Publish password file (format [username] [password])\n# username password\nenc-1 Wz7Lp2Qx9\n",
                    "Wz7Lp2Qx9"),
                   ("# Admin password file (format [username] [password] [group])\nadmin Ad7mW0w admin,advUser\n",
                    "Ad7mW0w")),
         negatives=("# Publish password file (format [username] [password])\n# username password\n",
                    "# Publish password file (format [username] [password])\n\nStreamType: live\n")),
    # (`-pw VALUE` is a word of the single-dash rule below: kadmin's, PuTTY's.)
    Rule("password", r"-(?<=[ \t]-)(?P<o>pd(?=[ \t])|p(?!w[ \t])|[PawksS])(?:[ \t]+)?"
         r"(?:'(?P<v1>[^'\r\n]{1,128})'|\"(?P<v2>[^\"\r\n]{1,128})\""
         r"|(?P<v3>[^\s'\"-][^\s'\"]{0,127}))", "-", extract=_shell_p_option, remember=True, before=_OPTION_BEFORE,
         after=r"[pPawksS][ \t]*[^\s-]",
         examples=(("mysql -h db -u root -pR00tPa55 shop", "R00tPa55"), ("mysqldump -uadmin -p'Dump!Pw9' --all",
                                                                        "Dump!Pw9"),
                   ("sshpass -p 'sshP4ssw0rd' ssh ops@bastion", "sshP4ssw0rd"),
                   ('uipcli package deploy p.nupkg https://cloud.uipath.com/ T -A acme -I 2c7e -S "Ui9*pQz!2Lw"',
                    "Ui9*pQz!2Lw"),
                   ("uipcli job run Main https://orch.example.com Default -u ci -p Up4^wXz2Kq -o Shared", "Up4^wXz2Kq"),
                   ("docker login -u ci -p Dck3rPw9 registry.example.com", "Dck3rPw9"),
                   ("cosign login harbor.example.com -u robot$signer -p C0sLogin-9q", "C0sLogin-9q"),
                   ("sqlcmd -S db -U sa -P 'Sq1Pw!2024' -Q 'select 1'", "Sq1Pw!2024"),
                   ("redis-cli -h cache -a R3disPw9 ping", "R3disPw9"),
                   ("ipmitool -I lanplus -H 10.0.0.9 -U ADMIN -P Ipm1Pw9 power status", "Ipm1Pw9"),
                   ("cqlsh db1 -u cassandra -p C4ssPw9", "C4ssPw9"),
                   ("condor_store_cred -c add -p Cp00l-Pw9", "Cp00l-Pw9"),
                   ('fs_cli -H 10.0.0.5 -P 8021 -p Fs9EslPw -x "status"', "Fs9EslPw"),
                   ("infacmd.sh isp ListServices -dn Domain_Prod -un Administrator -pd 'Inf@Adm1n' -sdn Native",
                    "Inf@Adm1n"),
                   ("pmcmd startworkflow -sv IS_Prod -d Domain_Prod -u etl -p Pmc-Pw9 -f SALES wf_load", "Pmc-Pw9"),
                   ("ldapsearch -x -D cn=admin,dc=example,dc=org -w Ld4pPw9 -b dc=example,dc=org", "Ld4pPw9"),
                   ("/var/ossec/bin/agent-auth -m 10.0.0.5 -P 'Wz4Enr0ll!' -A web-01", "Wz4Enr0ll!"),
                   ("msfrpcd -P Rpc-Pw-77 -U msf -a 127.0.0.1", "Rpc-Pw-77"),
                   ("./odoo-bin -c odoo.conf -r odoo -w Od00-Db9 -d prod", "Od00-Db9"),
                   ("supabase link --project-ref abcdefghijklmnopqrst -p 'Sb-L1nk-Pw'", "Sb-L1nk-Pw"),
                   ('security unlock-keychain -p "Kc-Unl0ck9" build.keychain', "Kc-Unl0ck9"),
                   ("security import cert.p12 -k build.keychain -P 'P12-Imp0rt' -T /usr/bin/codesign", "P12-Imp0rt"),
                   ("npx @vscode/vsce publish -p 5qz7xk2mbn4vr8tw3yh6jd9 minor", "5qz7xk2mbn4vr8tw3yh6jd9"),
                   ("git secret reveal -f -p 'Gs7#vQz2xNm9kW'", "Gs7#vQz2xNm9kW"),
                   ("hammer -u admin -p 'Hm9#Pw-x2' host list", "Hm9#Pw-x2"),
                   ("racadm -r 10.0.0.31 -u root -p Dr4c-Pw9 getsysinfo", "Dr4c-Pw9"),
                   ("./sum -i 10.0.0.41 -u ADMIN -p Sum-Pw7x -c GetBmcInfo", "Sum-Pw7x"),
                   ("mosquitto_ctrl -u admin -P 'Dyn-Adm1n' dynsec listClients", "Dyn-Adm1n"),
                   ("mosquitto_ctrl -u admin -P x dynsec createClient gw-7 -p 'Gw7-Dyn!pw'", "Gw7-Dyn!pw"),
                   ("duck --list sftp://files.example.net/ --username deploy -p 'Dk7-Pw!q2'", "Dk7-Pw!q2"),
                   ("mydumper -h db1 -u dumper -p 'Md7-Dmp!9' -B shop -o /backups/shop", "Md7-Dmp!9"),
                   ("myloader -h db2 -u loader -pMl4Ldr-x2 -d /backups/shop", "Ml4Ldr-x2"),
                   ("seaf-cli sync -l 3f8a1c6e -s https://seafile.example.com -d ~/P -u ana -p Sf9Pw-x4", "Sf9Pw-x4"),
                   ('owncloudcmd -u backup -p "Oc/Pw/38" -n /srv/oc https://owncloud.example.com', "Oc/Pw/38"),
                   ("ncli -s 10.1.1.50 -u admin -p 'Nx4$kTw9Rm' cluster info", "Nx4$kTw9Rm"),
                   ("ldappasswd -x -D cn=admin,dc=example,dc=org -W -s 'Nw4#pLd9' uid=bob,ou=people,dc=example,dc=org",
                    "Nw4#pLd9"),
                   ("slappasswd -h {SSHA} -s Sl4pPw-92", "Sl4pPw-92"),
                   ("dsconf -D 'cn=Directory Manager' -w Ds9-Mgr7q ldap://ds1.example.com backend suffix list",
                    "Ds9-Mgr7q"),
                   ("ipa-client-install --principal admin -w 'Ip4-Adm!9' --unattended", "Ip4-Adm!9"),
                   ("ipa-server-install -U -r EXAMPLE.COM -p Dm9-Pw4x -a Ad7-Pw2q", "Dm9-Pw4x"),
                   ("ipa-server-install -U -r EXAMPLE.COM -a Ad7-Pw2q", "Ad7-Pw2q"),
                   ("kdb5_util create -r EXAMPLE.COM -s -P 'Kdb-M4st3r'", "Kdb-M4st3r"),
                   ("cypher-shell -a bolt://graph1:7687 -u neo4j -p 'Cy9#Neo-pw' \"RETURN 1\"", "Cy9#Neo-pw"),
                   ("gsql -u tigergraph -p Tg-Adm1n9 -g social 'ls'", "Tg-Adm1n9"),
                   ("nebula-console -addr 10.0.0.7 -port 9669 -u root -p Nb7-Gr4ph", "Nb7-Gr4ph"),
                   ("dgraph acl mod -a alpha1:9080 -u bob -p 'B0b-Acl!9x'", "B0b-Acl!9x"),
                   ("taos -h td1 -P 6030 -u root -pTd9-Eng1ne", "Td9-Eng1ne"),
                   ("cf login -a https://api.sys.example.com -u ops -p 'Cf9v-Qx2Lm' -o acme", "Cf9v-Qx2Lm"),
                   ("sudo openfortivpn fw1.example.com:10443 -u ana -p 'Of7-Vpn!q2'", "Of7-Vpn!q2"),
                   ("vsql -h vertica01 -d analytics -U dbadmin -w 'Vq4-Db!x9' -c 'select 1'", "Vq4-Db!x9"),
                   ("admintools -t start_db -d analytics -p 'Vt7-Adm!q3' -i", "Vt7-Adm!q3"),
                   ("zmprov -a admin@example.com -p 'Zm-Adm1n!q' gaa", "Zm-Adm1n!q"),
                   ("kopano-admin -u jdoe -p Kp9-Usr!x2", "Kp9-Usr!x2"),
                   ("/dspace/bin/dspace create-administrator -e a@example.edu -f Ann -l Lee -p 'Ds7-Adm!q2' -c en",
                    "Ds7-Adm!q2"),
                   ("idql legal_repo -Udmadmin -PDq7#Adm-x2 -R/tmp/fix.dql", "Dq7#Adm-x2"),
                   ("iapi32 legal_repo -U dmadmin -P 'Ia4-Api!q9'", "Ia4-Api!q9"),
                   ("/opt/open-xchange/sbin/createcontext -A oxadminmaster -P 'Ox7-Mst!r' -c 5", "Ox7-Mst!r"),
                   ("createuser -c 5 -A oxadmin -P Ctx-Adm9 -u ana \\\n  -d Ana -g Ana -s Li -p 'An4-Ox!pw'",
                    "An4-Ox!pw")),
         negatives=("mysql -u root -p shop", "sqlcmd -S db01 -U sa -Q 'select 1'", "sudo -S systemctl restart robot",
                    "uipcli package deploy p.nupkg https://cloud.uipath.com/ T -A acme -I 2c7e -S '$UIPATH_APP_SECRET'",
                    "createuser -P -d -A appuser", "createuser -c 20 -P appuser",
                    'zmprov -a admin -p "$ZM_ADMIN_PW" gaa',
                    'dspace create-administrator -e "$ADMIN_EMAIL" -f Ann -l Lee -p "$DSPACE_ADMIN_PW"',
                    "dspace database migrate -p",
                    "listcontext -A oxadminmaster -P $OX_MASTER_PW",
                    "seaf-cli sync -l 3f8a1c6e -s https://seafile.example.com -d ~/P",
                    "psql -h db -U app -w -c 'select 1'", "vsql -h vertica01 -U dbadmin -w \"$VSQL_PASSWORD\"",
                    "admintools -t view_config -d analytics",
                    "idql legal_repo -Udmadmin -P$DM_PASSWORD", "iapi legal_repo -Udmadmin -P",
                    "duck --help -p", "git secret reveal -f -p \"$GPG_PASSPHRASE\"", "git secret hide -p",
                    "grep -w odoo /etc/passwd", "ssh -p 2222 ops@bastion",
                    "tar -pczf backup.tgz /etc", "nc -p 80 host",
                    "pmcmd getworkflowdetails -sv IS_Prod -u etl -pv PM_PASSWORD -f SALES wf_load",
                    "ffmpeg -i in.mkv -pd 2 out.mkv",
                    "ls -a /tmp", "grep -w pattern file", "docker run -p 8080:80 nginx",
                    "fs_cli -H 10.0.0.5 -P 8021 -x status", "supabase start -p 54321",
                    "security find-identity -p codesigning -v", "vsce package -p ./out",
                    'xcrun altool --list-providers -u "dev" -p "@keychain:AC_PASSWORD"',
                    "sum -r /etc/hosts", "redfishtool -r 10.0.0.21 -u root -p $BMC_PASSWORD Systems",
                    'mydumper -h db1 -u dumper -p "$MYSQL_PWD" -B shop',
                    "ldapsearch -x -s sub -b dc=example,dc=org uid=bob", "curl -s https://example.com/health",
                    "ipa-client-install -p admin --domain example.com", "slappasswd -h {SSHA} -s \"$ROOT_PW\"",
                    "kdb5_util create -s -r EXAMPLE.COM", "dsconf -D 'cn=Directory Manager' -W ldap://ds1 backend",
                    "dgraph alpha -p /dgraph/p -w /dgraph/w",
                    "taos -h td1 -P 6030 -u root -p", 'cypher-shell -u neo4j -p "$NEO4J_PASSWORD"',
                    "cf push orders -p ./build/libs/orders.jar",
                    "openfortivpn fw1.example.com:10443 -u ana -p \"$VPN_PASSWORD\"")),
    Rule("token", r"-(?<=[ \t]-)(?P<o>-key|[tad])(?:[ \t]+|=)"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"-][^\s'\"]{0,255}))", "-",
         extract=_token_option, remember=True, before=_OPTION_BEFORE, after=r"(?:-key|[tad])[ \t=]",
         examples=(("npx cypress run --record --key 3b8f1c2e-6d4a-4f7b-9e0c-1a2b3c4d5e6f --parallel",
                    "3b8f1c2e-6d4a-4f7b-9e0c-1a2b3c4d5e6f"),
                   ("npx artillery run --record --key a9_Qw3Er5Ty7Ui9Op1As3Df5Gh7 load.yml",
                    "a9_Qw3Er5Ty7Ui9Op1As3Df5Gh7"),
                   ("codecovcli upload-process \\\n  -t 7d1e9a2c-4b6f-4c8d-a0e3-5f7b9c1d3e5a \\\n  -f coverage.xml",
                    "7d1e9a2c-4b6f-4c8d-a0e3-5f7b9c1d3e5a"),
                   ("bash <(curl -s https://codecov.io/bash) -t 'e2c4a6b8-1d3f-4a5b-8c7d-9e0f1a2b3c4d'",
                    "e2c4a6b8-1d3f-4a5b-8c7d-9e0f1a2b3c4d"),
                   ("SentinelOneInstaller_windows_64bit_v23_3_2.exe -t eyJ1cmwiOiAiaHR0cHM6Ly9zMSJ9Zm9vYmFy0 -q",
                    "eyJ1cmwiOiAiaHR0cHM6Ly9zMSJ9Zm9vYmFy0"),
                   ("npx strapi export --key 'Str4pi-Exp0rt' --file backup", "Str4pi-Exp0rt"),
                   ('UiRobot.exe connect --url https://orch.example.com/ --key "4c9e2a1b-7d3f-4e58-b0a6-2f8d1c7e9b35"',
                    "4c9e2a1b-7d3f-4e58-b0a6-2f8d1c7e9b35"),
                   ("sudo ./setup_agent.sh -a q7Lw2ZpXr9KmT4vBn6Yc3D -d Fs8Hj2Kl5Zx9Cv3Bn7Mq1W -t dynamic",
                    "q7Lw2ZpXr9KmT4vBn6Yc3D"),
                   ("sudo ./setup_agent.sh -a q7Lw2ZpXr9KmT4vBn6Yc3D -d Fs8Hj2Kl5Zx9Cv3Bn7Mq1W -t dynamic",
                    "Fs8Hj2Kl5Zx9Cv3Bn7Mq1W")),
         negatives=("npx cypress run --record --key $CYPRESS_RECORD_KEY", "cypress run --record --key <record key>",
                    "UiRobot.exe connect --url https://orch.example.com/ --key %MACHINE_KEY%",
                    "openssl req -new --key 4c9e2a1b-7d3f-4e58-b0a6-2f8d1c7e9b35.pem",
                    "ssh-keygen -t ed25519 -f id_deploy_2024_rotation", "docker run -t alpine:3.19.0-20240101 sh",
                    "codecovcli upload-process --commit-sha 9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c",
                    "gpg --key 4F2A9C1B7D3E5A60 --sign", "cypress open --key 3b8f1c2e-6d4a-4f7b-9e0c-1a2b3c4d5e6f",
                    "sudo ./setup_agent.sh -a $INSTANA_AGENT_KEY -d $INSTANA_DOWNLOAD_KEY -t dynamic",
                    "curl -s -d 'payload=2024-05-01T10:00:00Z' -a 3b8f1c2e6d4a4f7b9e0c1a2b https://api.example.com")),
    # The Snyk CLI's `snyk auth TOKEN` and `snyk config set api=TOKEN` (`api` is the setting that holds its token).
    Rule("token", r"snyk(?<![\w.-]snyk)[ \t]+(?:auth[ \t]+|config[ \t]+set[ \t]+api=)"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"-][^\s'\"]{0,255}))",
         needs="snyk", extract=_token_arg, remember=True,
         examples=(("$ snyk auth 5c8e1a3f-7b2d-4e9a-b6c0-d1f3a5e7c9b2", "5c8e1a3f-7b2d-4e9a-b6c0-d1f3a5e7c9b2"),
                   ("snyk config set api=0e4a7c1d-9f3b-4d6e-a8c2-b5d7f9e1a3c6",
                    "0e4a7c1d-9f3b-4d6e-a8c2-b5d7f9e1a3c6")),
         negatives=("Run snyk auth to log in from the browser.", "snyk auth $SNYK_TOKEN", "snyk auth --auth-type=token",
                    "snyk config set org=acme-platform", "snyk test --org=acme-platform --severity-threshold=high")),
    # Wazuh's keystore of the indexer's credentials: `wazuh-keystore -f indexer -k password -v VALUE` (its `username`
    # is not a secret).
    Rule("password", r"wazuh-keystore(?<![\w.-]wazuh-keystore)[^\r\n]{0,80}?[ \t]-k[ \t]+password[ \t]+-v[ \t]+"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"]{1,256}))",
         needs="wazuh-keystore", remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("/var/ossec/bin/wazuh-keystore -f indexer -k password -v Wz1nd3x!Pw7q", "Wz1nd3x!Pw7q"),),
         negatives=("/var/ossec/bin/wazuh-keystore -f indexer -k username -v admin",
                    "wazuh-keystore -f indexer -k password -v ${INDEXER_PASSWORD}")),
    # Wazuh's `manage_agents -i KEY`: an agent's key as the manager exports it, the base64 of `ID NAME IP KEY`.
    Rule("secret", r"manage_agents(?<![\w.-]manage_agents)[ \t]+-i[ \t]+(?P<v>[A-Za-z0-9+/]{40,1024}={0,2})(?!\S)",
         needs="manage_agents", remember=True,
         examples=(("/var/ossec/bin/manage_agents -i MDAyIHdlYi0wMyAxMC4yMC4zLjE3IDRmOGEyYzFlN2I5ZDNmNmEwYzVlOGIy",
                    "MDAyIHdlYi0wMyAxMC4yMC4zLjE3IDRmOGEyYzFlN2I5ZDNmNmEwYzVlOGIy"),),
         negatives=("/var/ossec/bin/manage_agents -l", "manage_agents -i <key>", "manage_agents -e 002")),
    # NetBird's `netbird up|login --setup-key KEY` (a UUID-shaped enrolment key; `NB_SETUP_KEY=` is a key word's).
    Rule("token", r"--setup-key(?:[ \t]+|=)(?:'(?P<v1>[^'$\r\n][^'\r\n]{0,255})'|\"(?P<v2>[^\"$\r\n][^\"\r\n]{0,255})\""
         r"|(?P<v>[^\s'\"$-][^\s'\"]{0,255}))", needs="--setup-key", remember=True,
         examples=(("netbird up --management-url https://nb.example.com:33073 --setup-key "
                    "4E2A7C91-B3D5-4F8A-9C6E-1D0B3F5A7E29", "4E2A7C91-B3D5-4F8A-9C6E-1D0B3F5A7E29"),),
         negatives=('netbird up --setup-key "$NB_SETUP_KEY"', "netbird up --setup-key-file /etc/netbird/key",
                    "netbird login --help")),
    # openconnect's `--authenticate` output, for a shell's eval: `COOKIE='…'` (the session cookie) at a line's start.
    Rule("token", r"(?<![^\n])COOKIE='(?P<v>[^'\r\n]{8,1024})'", needs="COOKIE='", remember=True,
         examples=(("COOKIE='3C9A1F7E2B5D8A4F6C0E9B3D7A1F5C2E'\nHOST='203.0.113.45'",
                    "3C9A1F7E2B5D8A4F6C0E9B3D7A1F5C2E"),),
         negatives=("HOST='203.0.113.45'", "echo COOKIE='$COOKIE'")),
    # SoftEther VPN's vpncmd switches: `vpncmd HOST /SERVER /PASSWORD:ADMIN_PW /CMD UserPasswordSet alice
    # /PASSWORD:USER_PW` and `IPsecEnable … /PSK:PRE_SHARED_KEY` (the switch and its value joined by a colon).
    Rule("password", r"(?<![A-Za-z0-9_])/PASSWORD:(?:\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v>[^\s\"'/$][^\s\"'/]{0,255}))",
         needs="/PASSWORD:", remember=True,
         examples=(("vpncmd localhost:5555 /SERVER /PASSWORD:Sv4kTq-9mLx /CMD ServerStatusGet", "Sv4kTq-9mLx"),
                   ("UserPasswordSet alice /PASSWORD:\"Al 7q!Xm3\"", "Al 7q!Xm3")),
         negatives=("vpncmd localhost /SERVER /PASSWORD: /CMD About", "vpncmd /SERVER /PASSWORD:$VPN_ADMIN_PW",
                    "vpncmd localhost:5555 /SERVER /HUB:CORP /CMD UserList")),
    Rule("password", r"(?<![A-Za-z0-9_])/PSK:(?:\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v>[^\s\"'/$][^\s\"'/]{0,255}))",
         needs="/PSK:", remember=True,
         examples=(("IPsecEnable /L2TP:yes /L2TPRAW:no /ETHERIP:no /PSK:Ps4vKz-7qTm /DEFAULTHUB:CORP", "Ps4vKz-7qTm"),),
         negatives=("IPsecEnable /L2TP:yes /PSK: /DEFAULTHUB:CORP", "IPsecEnable /PSK:${IPSEC_PSK}")),
    # rsyslog's legacy database actions: `:ommysql:server,database,user,password[;template]` (and `:ompgsql:`).
    Rule("password", r"sql:(?<=:ommysql:|:ompgsql:)[^,\s]{1,256},[^,\s]{1,256},[^,\s]{1,256},(?P<v>[^;\s]{1,256})",
         needs="sql:", remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("local0.* :ompgsql:pg1.internal,syslog,rsyslog,Pg7wLx2qNc9v;pgtemplate", "Pg7wLx2qNc9v"),
                   ("*.* :ommysql:127.0.0.1,Syslog,rsyslog,My5ql-Rs9", "My5ql-Rs9")),
         negatives=("*.* :ommysql:127.0.0.1,Syslog,rsyslog,${RSYSLOG_DB_PW}", "jdbc:postgresql:db,a,b,c",
                    '*.* action(type="ommysql" server="db1" db="Syslog")')),
    # `-u` may close a cluster of curl's flags without values (`-su`, `-sSku`); `-U`/`--proxy-user` is its proxy twin
    # (a proxy provider's zone user and password, or an API key as the user with an empty password).
    Rule("password", r"-(?<=[ \t]-)(?:[sSkLfiv]{0,4}[uU][ \t]*|-(?:proxy-)?user[ \t=]+|-?auth[ \t=]+)"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\""
         r"|(?P<v3>[^\s'\"]{1,256}(?:'[^'\s]{1,256}'|\"[^\"\s]{1,256}\")?))", "-",
         extract=_curl_user, remember=True, before=_OPTION_BEFORE,
         examples=(("curl -u deploy:Curl3dPw -X POST https://ci.example.com", "Curl3dPw"),
                   ("curl --user 'admin:adm1nSecret' https://api.example.com", "adm1nSecret"),
                   ("curl --user ops:'Qu0t3dPw9' https://api.example.com", "Qu0t3dPw9"),
                   ('curl -u "k7Hq2Lm9Vx4Zp8:" https://api.example.com', "k7Hq2Lm9Vx4Zp8"),
                   ("curl -u Kq7mLp2Vz9Tk4Wr8Nb:X https://acme.freshdesk.com/api/v2/tickets", "Kq7mLp2Vz9Tk4Wr8Nb"),
                   ("curl -u 1971800d4d82861d8f2c1651fea4d212:api_token https://api.track.toggl.com/api/v9/me",
                    "1971800d4d82861d8f2c1651fea4d212"),
                   ("curl -X POST https://api.example.com \\\n  -d 'x=1' \\\n  -u ops:C0ntinu3dPw", "C0ntinu3dPw"),
                   ("curl -su 'api-reader:Ap1Rd-pw!558' -X POST https://jss.example.com/api/v1/auth/token",
                    "Ap1Rd-pw!558"),
                   ("lftp -u 'deploy,Lftp4Quoted' -e 'mirror -R dist /' ftp.example.com", "Lftp4Quoted"),
                   ("set ftp:ssl-force true\nopen -u web,Lftp9Open ftp.example.com", "Lftp9Open"),
                   ("curl -x proxy.example.com:8011 -U 9b2f6e1a4c7d40b8a3e5f1c6d2b8e7a0: https://httpbin.org/ip",
                    "9b2f6e1a4c7d40b8a3e5f1c6d2b8e7a0"),
                   ("curl --proxy gw.example.net:22225 --proxy-user zone-res-country-us:Pr0xyZ0ne7 https://x.test",
                    "Pr0xyZ0ne7"),
                   ("./splunk add forward-server idx1.example.com:9997 -auth admin:UfAdm1n#7qX", "UfAdm1n#7qX")),
         negatives=("curl -u deploy https://ci.example.com", "ps -u root:wheel", "ps -fu root:wheel",
                    "curl -x proxy.example.com:3128 -U proxyuser https://x.test", "psql -U postgres:5432 -d app",
                    'curl --proxy-user "$PROXY_USER:$PROXY_PASS" -x "$PROXY" https://x.test',
                    "curl -i -u 'test:test'",
                    'curl -sL --user "$USER:$PASS" "$URL"', "curl -u <user:password> https://test.com",
                    "curl --user neo4j:[PASSWORD] http://db:7474", 'curl -u "${{ env.ID }}:${{ env.PASS }}"',
                    "lftp -u deploy ftp.example.com", "lftp -u deploy,$FTP_PW ftp.example.com",
                    "curl -u admin:X https://x.test", "openssl s_client -auth admin:Adm1nPw9",
                    "curl -u $TOGGL_API_TOKEN:api_token https://api.track.toggl.com/api/v9/me",
                    "./splunk list forward-server -auth $SPLUNK_USER:$SPLUNK_PASS")),
    # Config directives on a line of their own (`requirepass`, `masterauth` in redis.conf, `wpa-psk` in Debian's
    # interfaces(5), `bridge_psk` (a bridge's TLS-PSK key in mosquitto.conf(5)), `rootpw` in slapd.conf(5), `bindpw` in
    # nslcd.conf(5) and pam_ldap's ldap.conf,
    # `password [7] SECRET` in network device configs), fetchmailrc(5) and netrc(5) entries
    # (`machine HOST login USER password SECRET`, on one line or over the entry's lines). One pass per keyword: the
    # regex engine skips to the literal; the LDAP ones share the prefilter's literal `pw` (it slows past 100 literals).
    # Long options may come before the value (Kickstart's `rootpw [--plaintext|--iscrypted] [--lock] VALUE`); an option
    # is never the value (`rootpw --lock` locks the account).
    *(Rule("password", rf"{word}(?<![\w-]{word})(?:[ \t]+--[a-z][a-z-]{{1,20}})*(?:[ \t]+[0-9])?"
           r"[ \t]+(?P<v>[^\s#-][^\s#]{0,255})",
           needs="pw" if word.endswith("pw") else word,
           extract=_directive, remember=True,
           examples=((f"bind 127.0.0.1\n{word} f0obaredS3cret\n", "f0obaredS3cret"),
                     (f"lang en_US.UTF-8\n{word} --plaintext K1ckst4rt-Pw\n", "K1ckst4rt-Pw")),
           negatives=(f"{word} required", f"{word} ${{VAULT_SECRET}}", f"Failed {word} for root from 10.0.0.1",
                      f"{word} --lock"))
      for word in ("requirepass", "masterauth", "wpa-psk", "bridge_psk", "rootpw", "bindpw")),
    # The same with a compound key that names a password, alone on its line (Gradle's `storePassword "..."`,
    # keepalived's `auth_pass`, Apache's `SetEnv DB_PASSWORD value`): one pass per spelling.
    *(Rule("password", word + r"(?:[ \t]+[0-9])?[ \t]+(?P<v>[^\s#-][^\s#]{0,255})", needs=word, extract=_directive,
           remember=True,
           examples=((f"signingConfigs {{\n  release {{\n    store{word} 'Gr4dleSt0re'\n", "Gr4dleSt0re"),
                     (f"SetEnv Db{word} Ap4cheEnvPw", "Ap4cheEnvPw"),
                     (f"- cmd: set -gx PG{word} F1shH1stPw\n  when: 1700200010\n", "F1shH1stPw"),
                     (f"msf6 exploit(windows/smb/psexec) > set SMB{word} Msf-L4b-Pw", "Msf-L4b-Pw"),
                     (f"C:\\Users\\ops>doskey /history\nsetx SQL{word} Setx-Db-Pw7\n", "Setx-Db-Pw7")),
           negatives=(f"{word} authentication succeeded for root", f"SetEnv Db{word}File /run/secrets/db",
                      f"store{word} System.getenv('KS_PASS')", "Password Store", "Password changed\n",
                      f"- cmd: echo Db{word} F1shH1stPw",
                      f"msf6 exploit(windows/smb/psexec) > show SMB{word} Msf-L4b-Pw"))
      # `pw`: nslcd.conf's `bindpw`; `_passphrase`: a TLS key's (Fluentd's `private_key_passphrase` in `<transport>`)
      for word in ("Password", "PASSWORD", "_pass", "Passwd", "Pass", "pw", "_passphrase")),
    # Other secret keys in an aligned two-column table (`vault kv get`: `api_key        VALUE`): two blanks or more;
    # one blank before a token-like value, in the blank-separated configs of log shippers (Fluentd's `<match>` blocks:
    # `hec_token <uuid>`, `api_key <hex>`; Fluent Bit's `[OUTPUT]` sections: `Splunk_Token`, `apikey`).
    *(Rule("secret", word + r"[ \t]+(?P<v>[^\s#]{1,256})", needs=word, extract=_spaced_secret, remember=True,
           examples=((f"Key  Value\n---  -----\n{key}        Hq2Lm9Vx4Zp8Tn3Y\n", "Hq2Lm9Vx4Zp8Tn3Y"),
                     (f"setx MAILER_{key} Hq2Lm9Vx4Zp8Tn3Y\n", "Hq2Lm9Vx4Zp8Tn3Y"),
                     (f"<match app.**>\n  @type datadog\n  {key} 3e8b1d6f9a2c5e7b0d4f8a1c6e9b2d5f\n</match>",
                      "3e8b1d6f9a2c5e7b0d4f8a1c6e9b2d5f")),
           negatives=(f"{key}    ${{API_VALUE}}", f"{key} Hq2Lm9Vx4Zp8Tn3Y is set", f"session{word} expired",
                      f"{key} rotated", f"  {key} ${{DD_API_KEY}}", f"setx {key} %OLD{word}%", f"setx {key} /?"))
      for word, key in (("_key", "api_key"), ("_token", "api_token"), ("_secret", "api_secret"), ("_Key", "Api_Key"),
                        ("_Token", "Splunk_Token"), ("apikey", "apikey"), ("_KEY", "API_KEY"))),
    # ` Key`: a key named in words (`ibmcloud iam api-key-create`: `API Key       VALUE`), or run together in a CLI's
    # human output (`scw iam api-key create`: `SecretKey          <uuid>`; its `AccessKey` is the id); an Azure storage
    # account's `AccountKey` in a property table (LINQPad's text `Dump()` of the options object).
    *(Rule("secret", word + r"[ \t]{2,}(?P<v>[^\s#]{1,256})", needs=word, extract=_directive, remember=True,
           examples=((f"Key  Value\n---  -----\n{key}        Hq2Lm9Vx4Zp8Tn3Y\n", "Hq2Lm9Vx4Zp8Tn3Y"),),
           negatives=(f"{key}    ${{API_VALUE}}", f"{key} Hq2Lm9Vx4Zp8Tn3Y is set", "Security Key    Present",
                      "AccessKey          SCWXQ7N2KR4VB8TLM3ZP", f"{key}          <none>"))
      for word, key in ((" Key", "api Key"), ("SecretKey", "SecretKey"), ("AccountKey", "AccountKey"))),
    # `tccli configure set secretId ID secretKey VALUE`: Tencent Cloud's CLI takes a profile's settings as `NAME VALUE`
    # pairs; the value after a name for a key, token or secret.
    Rule("secret", r"tccli[ \t]+configure[ \t]+set[ \t]+(?:[\w-]+[ \t]+[^\s'\"]+[ \t]+)*?"
         r"(?P<k>\w*(?:[Kk]ey|[Tt]oken|[Ss]ecret))[ \t]+(?P<v>[^\s'\"]{1,256})", needs="tccli", extract=_keyed_value,
         remember=True,
         examples=(("tccli configure set secretId AKIDx7Kq2Vm9 secretKey Rd2Ug7Es4Wk9Mn3Q --profile prod",
                    "Rd2Ug7Es4Wk9Mn3Q"),),
         negatives=("tccli configure set region ap-shanghai output json", "tccli configure set secretKey $TC_KEY")),
    # `az storage account keys list -o table`: `CreationTime  KeyName  Permissions  Value` rows, an account key
    # (base64, 88 characters as Azure issues them) after `key1`/`key2` and its permission.
    Rule("secret", r"key[12](?<=(?<![\w-])key[12])[ \t]+(?:FULL|READ)[ \t]+(?P<v>[A-Za-z0-9+/]{60,128}={0,2})",
         needs="key", remember=True,
         examples=(("2026-01-14T09:12:44+00:00  key1       FULL           " + "Zp2Cy5Nh7Kj4Rf9T" * 5 + "Zp2Cy5==",
                    "Zp2Cy5Nh7Kj4Rf9T" * 5 + "Zp2Cy5=="),),
         negatives=("key1       FULL           <redacted>", "key1 FULL access granted")),
    Rule("password", r"password(?<![^e]-password)(?:[ \t]+[0-9])?[ \t]+"
         r"(?P<v>(?:'[^'\r\n]{1,256}'|\"[^\"\r\n]{1,256}\")[^\s#]{0,8}|[^\s#]\S{0,255})", needs="password",
         extract=_directive, remember=True,
         examples=(("machine api.example.com login deploy password N3trcPw9", "N3trcPw9"),
                   ("vrrp_instance VI_1 {\n    vnc_password Vnc9Pw42\n}", "Vnc9Pw42"),
                   ("userlist admins\n    user ops insecure-password H4Insecure", "H4Insecure"),
                   ('poll mail.example.com protocol imap user "joe" password "F3tchm4ilPw"', "F3tchm4ilPw"),
                   ("poll pop.example.net proto pop3\n  user 'joe' there with password 'Fm7#qLw2vX' is joe here",
                    "Fm7#qLw2vX"),
                   ("machine github.com\n  login octocat\n  password Hq2Lm9Vx4Zp8", "Hq2Lm9Vx4Zp8"),
                   ("hostname r1\n password 7 0822455D0A16", "0822455D0A16"),
                   ('host grid.example.edu port 7551 user sas password "Kp9 vTz2#rQw"', "Kp9 vTz2#rQw"),
                   ("default user sasdemo password Orion2024dm", "Orion2024dm"),
                   ("solace(configure/client-username)# password S0l-Cli#9", "S0l-Cli#9")),
         negatives=("password #", "Failed password for root from 10.0.0.1 port 22", "login: password accepted for app",
                    "user ops insecure-password ${OPS_PW}",
                    "password required", "connected to host db1 as user admin, password accepted")),
    # A debconf answer of type `password` (preseed files, `debconf-set-selections`): the rest of the line.
    Rule("password", r"password(?<=[ \t]password)[ \t]+(?P<v>[^\s#][^\r\n]{0,255}?)[ \t]*"
         r"(?=[\"'][ \t]*\||\r?\n|\Z)", needs=" password ", extract=_debconf_answer, remember=True,
         line_head=_DEBCONF_HEAD,
         examples=(("d-i passwd/root-password password R00t-Pres33d\n"
                    "d-i passwd/root-password-again password R00t-Pres33d\n", "R00t-Pres33d"),
                   ('echo "mysql-server mysql-server/root_password password Deb-Myq1Pw" | debconf-set-selections',
                    "Deb-Myq1Pw")),
         negatives=("d-i passwd/root-login boolean false", "d-i passwd/root-password password\n",
                    "Jun 14 15:16:01 combo sshd[1]: Failed password for root from 10.0.0.1 port 22")),
    # cloud-init's legacy `chpasswd: list:` of `user:password` lines (a `|` block or a YAML list).
    Rule("password", r"chpasswd:[ \t]*\r?\n(?:[ \t]+[^\r\n]*\r?\n){0,8}?[ \t]+list:[ \t]*(?:\|[-+]?)?[ \t]*\r?\n",
         needs="chpasswd:", extract=_chpasswd_list, remember=True,
         examples=(("chpasswd:\n  list: |\n    root:Cl0ud-R00t9\n    ubuntu:RANDOM\n  expire: false\n", "Cl0ud-R00t9"),
                   ("chpasswd:\n  expire: false\n  list:\n    - deploy:Dpl0y-Chp9\n", "Dpl0y-Chp9")),
         negatives=("chpasswd:\n  list: |\n    ubuntu:RANDOM\n  expire: false\n", "chpasswd:\n  expire: true\n")),
    # Command-line options followed by a blank: `--password VALUE`, `--api-key VALUE`, `--token VALUE`.
    # A password echoed into a command that reads it from standard input (`_STDIN_READERS`), or given to it as a
    # here-string (`vncpasswd -f <<< 'SECRET'`).
    Rule("password", rf"\|(?<!\|\|)(?![|])[ \t]*(?:{_STDIN_READERS})", r"\|",
         extract=_piped_password, remember=True,
         examples=(('echo "S3cr3tSud0" | sudo -S apt-get update', "S3cr3tSud0"),
                   ("echo 'deploy:Chp4sswdPw' | chpasswd", "Chp4sswdPw"),
                   ("echo Dck3rStdinPw | docker login -u ci --password-stdin registry.example.com", "Dck3rStdinPw"),
                   ("echo -n 'Luk5-Pipe-Pw' | cryptsetup open --key-file=- /dev/sdb1 backup", "Luk5-Pipe-Pw"),
                   ("printf '%s' \"Luk5-Add-Pw\" | cryptsetup luksAddKey /dev/sdc1 -", "Luk5-Add-Pw"),
                   ("echo 'Ipa-Us3r!9' | ipa user-add bob --first=Bob --last=Lee --password", "Ipa-Us3r!9"),
                   ("echo -e 'Smb-Pw7q\\nSmb-Pw7q' | smbpasswd -a -s alice", "Smb-Pw7q"),
                   ("echo 'Oc4-Vpn!pw' | sudo openconnect --user=ana --passwd-on-stdin vpn.example.com", "Oc4-Vpn!pw")),
         negatives=('echo "$PASSWORD" | docker login -u ci --password-stdin', "cat pw.txt | sudo -S true",
                    'echo "$$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.example.com',
                    'printf "%s" "$LUKS_PASS" | cryptsetup open /dev/sdb1 data',
                    "echo YES | cryptsetup erase /dev/sdb1",
                    "echo hello | grep h", 'echo "$PW" | ipa user-add bob --first=B --last=L --password',
                    "echo y | ipa user-mod bob --password-expiration=20300101000000Z")),
    # (`kinit` and `vncpasswd` also after a path or a crontab schedule: `15 * * * * etl /usr/bin/kinit P <<< 'PW'`.)
    Rule("password", rf"(?:(?<![^\n])|[;&|(][ \t]*|(?<=[ \t/])(?=(?:kinit|vncpasswd)\b))(?:{_STDIN_READERS})"
         rf"[^<\r\n]*<<<[ \t]*(?:'(?P<v1>[^'\r\n]{{1,256}})'"
         r"|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$<]\S{0,255}))", needs="<<<",
         extract=_bundler_credentials, remember=True,
         examples=(("vncpasswd -f <<< 'Vnc4HereStr' > ~/.vnc/passwd", "Vnc4HereStr"),
                   ('sudo -S systemctl restart app <<< "Sud0HereStr"', "Sud0HereStr"),
                   ("0 * * * * etl /usr/bin/kinit etl@EXAMPLE.COM <<< 'Kr5-Cr0n-Pw'", "Kr5-Cr0n-Pw"),
                   ("sudo openconnect --protocol=gp -u ana --passwd-on-stdin gp.example.com <<< 'Gp4-Here!9'",
                    "Gp4-Here!9")),
         negatives=('vncpasswd -f <<< "$VNC_PW" > passwd', "grep -c x <<< 'Some text here'",
                    '0 * * * * etl /usr/bin/kinit etl <<< "$ETL_PW"')),
    # A Dockerfile's `ENV KEY VALUE` (the legacy form without `=`; `ENV KEY=VALUE` is a keyword assignment) when the key
    # names a secret.
    Rule("secret", r"ENV[ \t]+(?P<k>[A-Za-z_][\w.-]{0,80})[ \t]+"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})'|(?P<v3>[^\s\"'=][^\s]{0,255}))",
         needs="ENV", extract=_dockerfile_env, remember=True,
         examples=(("FROM alpine\nENV DB_PASSWORD D0ckerfileSp9\n", "D0ckerfileSp9"),),
         negatives=("ENV PATH /usr/local/bin:$PATH", "ENV DB_PASSWORD ${DB_PASSWORD}", "echo ENV TOKEN is set")),
    # SQL that sets a password (see `_SQL_PASSWORD`), anchored at the literal's quote: rare in logs.
    Rule("password", r"'(?:(?<=[yY] ')|(?<=[dD] ')|(?<=[dD]\(')|(?<=[dD]\( ')|(?<== ')|(?<=[yYdD=]\\040')"
         r"|(?<=[yY] \\'))(?P<v>[^'\r\n]{1,256}?)\\?'", "'",
         extract=_sql_password, remember=True,
         examples=(("CREATE USER 'app'@'%' IDENTIFIED BY 'MyS9lPw!';", "MyS9lPw!"),
                   ("alter user 'root'@'localhost' identified with mysql_native_password by 'R00tPw9x';", "R00tPw9x"),
                   ("SET PASSWORD FOR 'bob'@'%' = PASSWORD('B0bPw9x');", "B0bPw9x"),
                   ("SET PASSWORD FOR 'bob'@'%' = 'N3wSyntaxPw';", "N3wSyntaxPw"),
                   ("ALTER USER postgres WITH PASSWORD 'PgAlt3rPw';", "PgAlt3rPw"),
                   ("create role app login encrypted password 'PgR0lePw9';", "PgR0lePw9"),
                   ("CREATE\\040USER\\040'r'@'%'\\040IDENTIFIED\\040BY\\040'H1storyPw';", "H1storyPw"),
                   ("20240311 14:05:09,db01,root,localhost,31,413,QUERY,,'CREATE USER \\'etl\\'@\\'%\\' IDENTIFIED BY "
                    "\\'Aud1t-Pw#9\\'',0", "Aud1t-Pw#9")),
         negatives=("SELECT * FROM t WHERE name = 'x' ORDER BY 'y';", "CREATE USER 'app'@'%' IDENTIFIED BY '';",
                    "-- the password 'reset' flow", "ALTER USER app WITH PASSWORD NULL;",
                    "ALTER SYSTEM SET password_encryption = 'scram-sha-256';",
                    "QUERY,,'SELECT name FROM t WHERE note = \\'grouped by \\'',0")),
    # SQLCipher's passphrase in the sqlite3 shell (its `.sqlite_history`): `PRAGMA [schema.]key|rekey = 'phrase'` and
    # `ATTACH [DATABASE] 'file' AS name KEY 'phrase'`; only these statement forms, `key` alone is everyday SQL. One
    # rule per spelling of the statement's word, upper or lower case, each with the examples in its spelling.
    *(Rule("password", word + pattern + r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")", needs=word,
           extract=_bundler_credentials, remember=True,
           examples=tuple((text.replace(spellings[0], word), value) for text, value in examples),
           negatives=tuple(text.replace(spellings[0], word) for text in negatives))
      for pattern, spellings, examples, negatives in (
          (r"[ \t]+(?:\w{1,64}\.)?(?i:re)?(?i:key)[ \t]*=[ \t]*", ("PRAGMA", "pragma"),
           (("sqlite> PRAGMA key = 'Sq1Cipher-pw';", "Sq1Cipher-pw"),
            ('PRAGMA archive.rekey="N3w-Cipher-pw";', "N3w-Cipher-pw")),
           ("PRAGMA foreign_keys = 'ON';", "PRAGMA key = '';", "PRAGMA key = '${DB_KEY}';")),
          (r"(?:[ \t]+(?i:DATABASE))?[ \t]+'[^'\r\n]{1,256}'[ \t]+(?i:AS)[ \t]+\w{1,64}[ \t]+(?i:KEY)[ \t]+",
           ("ATTACH", "attach"),
           (("ATTACH DATABASE 'archive.db' AS archive KEY 'Att4ch-Cipher';", "Att4ch-Cipher"),),
           ("ATTACH DATABASE 'archive.db' AS archive;", "ATTACH DATABASE 'plain.db' AS plain KEY '';")))
      for word in spellings),
    # MySQL's note when `mysqld --initialize` generates root's first password (error log, `docker logs`).
    Rule("password", r"temporary password is generated for [^\s:]{1,128}: (?P<v>\S{1,64})",
         needs="temporary password is generated for", remember=True,
         examples=(("2024-03-11T14:15:02.661930Z 6 [Note] [MY-010454] [Server] A temporary password is generated for "
                    "root@localhost: qW3;h>kP9#sa", "qW3;h>kP9#sa"),),
         negatives=("A temporary password is generated for root@localhost:\n",
                    "grep 'temporary password is generated for' /var/log/mysqld.log")),
    # A single-dash option named after a secret (`-password X`, `-vaultToken X`, Java and Go tools' flags, ONTAP's
    # hyphen-joined `-bind-password X`, WinSCP's `-passphrase="X"` and `-password=X`), and OpenSSL's `-passin
    # pass:X`/`-passout pass:X`/`-pass pass:X`: an unquoted value needs letters and digits, so `-token file` and
    # `-password prompt` stay. Inside a T-SQL string (a SQL Agent PowerShell step) the quotes are doubled: `''X''`.
    Rule("password", r"-[A-Za-z][A-Za-z0-9]{0,29}+(?:-[A-Za-z0-9]{1,29}+){0,3}+(?:"
         + "|".join(f"(?<=(?i:{word}))" for word in _DASH_WORDS) + r")(?:[ \t]+|=)"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$-][^\s'\"]{0,255})"
         r"|''(?P<v4>[^'\r\n]{1,256})'')", "-",
         extract=_dash_option, remember=True, before=_OPTION_BEFORE, after="[A-Za-z]",
         examples=(("java -jar tool.jar -password S3cr3tPw9 -host db", "S3cr3tPw9"),
                   ("java -jar wss-unified-agent.jar -apiKey $WS_APIKEY -userKey 9c2e4a6b8d0f1e3a5c7b9d1f3e5a7c9b -d .",
                    "9c2e4a6b8d0f1e3a5c7b9d1f3e5a7c9b"),
                   ("plink -ssh -pw Pl1nkPw9 ops@bastion uptime", "Pl1nkPw9"),
                   ("'-vaultToken s.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5'", "s.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5"),
                   ("openssl rsa -in key.pem -passin pass:0pensslPw9 -out plain.pem", "0pensslPw9"),
                   ("ldap client create -bind-dn cn=svc -bind-password Ld4pB1nd9", "Ld4pB1nd9"),
                   ("runitor -ping-key Qx7mL2vR9tZk4WbN8cY3dH -slug db-backup -- /usr/local/bin/backup.sh",
                    "Qx7mL2vR9tZk4WbN8cY3dH"),
                   ('open scp://backup@nas/ -passphrase="violet Anchor 27"', "violet Anchor 27"),
                   ("@command = N'Invoke-Sqlcmd -Username etl -Password ''Inv0ke-Sq9'' -Query \"SELECT 1\"'",
                    "Inv0ke-Sq9")),
         negatives=("tool -token file.txt", "tool -password prompt", "openssl rsa -passin env:KEY_PASS",
                    "openssl rsa -passin=env:KEY_PASS",
                    "security login create -user-or-group-name svc -authentication-method password -role admin",
                    "run -secret $SECRET", "x -passphrase-file /etc/pp",
                    "condor_token_fetch -lifetime 86400 -token submit01",
                    "runitor -ping-key $HC_PING_KEY -slug db-backup -- backup.sh", "x -ping-key-file /etc/hc/key")),
    # libcurl's `curl_easy_setopt(handle, CURLOPT_PASSWORD, "...")` (and `CURLOPT_USERPWD`, `CURLOPT_PROXYPASSWORD`,
    # `CURLOPT_KEYPASSWD`, `CURLOPT_XOAUTH2_BEARER`): the literal after an option that names a secret.
    Rule("password", r"\((?<=setopt\()[^,()\r\n]{1,64},[ \t]*CURLOPT_(?P<k>[A-Z0-9_]{2,40})[ \t]*,[ \t]*"
         r"\"(?P<v1>[^\"\r\n]{1,256})\"", r"\(", extract=_curl_option, remember=True, before="t",
         examples=(('curl_easy_setopt(curl, CURLOPT_PASSWORD, "Curl0ptPw9");', "Curl0ptPw9"),
                   ('curl_easy_setopt(h, CURLOPT_USERPWD, "root:Us3rPwd9");', "Us3rPwd9"),
                   ('curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, "Hq2Lm9Vx4Zp8Tn3Yb6Jf");', "Hq2Lm9Vx4Zp8Tn3Yb6Jf")),
         negatives=('curl_easy_setopt(curl, CURLOPT_URL, "https://example.com");',
                    'curl_easy_setopt(curl, CURLOPT_USERNAME, "admin");')),
    # Ruby, Perl and Puppet hashes with the arrow padded for alignment (`:password       => '...'`): the keyword rules
    # see at most one blank between key and separator.
    Rule("secret", r">(?<=[ \t]=>)[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')", ">",
         extract=_padded_arrow, remember=True, before="=",
         examples=(('password   =>   "Rub4rrowPw"', "Rub4rrowPw"), ("  :password       => 'Pe4rlPw9',", "Pe4rlPw9")),
         negatives=("  :username       => 'admin',", "put '/forgot-password' => \"cms/sites/passwords#update\"")),
    # `--masterkey`: ZITADEL's key for its stored secrets (`zitadel start --masterkey "…"`; `--masterkeyFromEnv` and
    # `--masterkeyFile PATH` name where it is read from and stay).
    # `--pass`/`--loginpass`: MeshCentral's `--createaccount USER --pass PW` and `meshctrl --loginpass PW`, and `pass`
    # after another word (Nextcloud's `occ maintenance:install --database-pass "…" --admin-pass "…"`); `--token-value`:
    # tabcmd's personal access token secret. A dotted name is a config path given as a flag (Nakama's
    # `--console.password`). `--secret-key`/`--secret_access_key`: the secret half of a key pair (the Tiger Cloud
    # CLI's `tiger auth login --public-key ID --secret-key VALUE`, awscurl's `--secret_key`; not gpg's
    # `--delete-secret-key KEYID`, `--export-secret-key KEYID`, `--list-secret-key KEYID`).
    Rule("password", r"--(?<![\w-]--)(?:[a-z0-9]+[-_.])*(?:[a-z]{2,16}(?=password|passwd|passphrase|secret[ \t]))?"
         r"(?:password|passwd|passphrase|token(?:-value)?"
         r"|secret(?:(?<!delete-secret)(?<!export-secret)(?<!list-secret)[-_](?:access[-_])?key)?|api-key"
         r"|apikey|masterkey|bearer|requirepass|masterauth|(?:login)?pass)[ \t]+"
         r"(?:'(?P<v1>[^'\r\n]{1,8192})'|\"(?P<v2>[^\"\r\n]{1,8192})\""
         r"|(?P<v3>(?![a-z][a-z0-9+.-]{0,15}://)[^\s'\"-][^\s'\"]{0,8191}))", needs="--",
         extract=_long_option, remember=True,
         examples=(("vault login --token Hq2Lm9Vx4Zp8Tn3", "Hq2Lm9Vx4Zp8Tn3"),
                   ("mycli --db-password 'Cl1Pw42!' --host db", "Cl1Pw42!"),
                   ("gpg --batch --passphrase Gpg9Phr4se -d backup.gpg", "Gpg9Phr4se"),
                   ('curl --oauth2-bearer "Hq2Lm9Vx4Zp8Tn3Yb6" https://api.example.com', "Hq2Lm9Vx4Zp8Tn3Yb6"),
                   ("redis-server --port 6380 --requirepass R3disPw9", "R3disPw9"),
                   ("zitadel start-from-init --masterkey \"Zt7mK2qLx9Vb4Nw8Rc3Ty6Pd1Hs5Gf0J\" --tlsMode disabled",
                    "Zt7mK2qLx9Vb4Nw8Rc3Ty6Pd1Hs5Gf0J"),
                   ("node meshctrl.js --loginuser admin --loginpass 'Mc!Pw-77q' listdevices", "Mc!Pw-77q"),
                   ("node node_modules/meshcentral --resetaccount jdoe --pass Rz4vLq9wNt", "Rz4vLq9wNt"),
                   ("curl --cert c.pem --key c.key --pass 'Kp!2026xQz' https://accounts.example.com/token",
                    "Kp!2026xQz"),
                   ("tabcmd login -t acme --token-name ci --token-value 'Wq7dH1kt==:kWBWh8y4I2Xg'",
                    "Wq7dH1kt==:kWBWh8y4I2Xg"),
                   ('php occ maintenance:install --database-pass "Nc8#dPq3" --admin-user admin', "Nc8#dPq3"),
                   ("nakama --name n1 --console.password Cons0le!pw9", "Cons0le!pw9"),
                   ("tiger auth login --public-key 01JF2K7QX9 --secret-key Tq8zLm3Vx7Kr2Wp9", "Tq8zLm3Vx7Kr2Wp9"),
                   ("awscurl --service s3 --access_key AKIAQX7ZK2LM --secret_key 'Aw5+kQ9zLr2Tx8Vm'",
                    "Aw5+kQ9zLr2Tx8Vm"),
                   # words run together in lower case: Power Automate's machine registration
                   ("PAD.MachineRegistration.Host.exe joinmachinegroup --groupid 7c1e --grouppassword Gr7$pQz2Wx",
                    "Gr7$pQz2Wx"),
                   ("PAD.MachineRegistration.Host.exe register --applicationid 0c3d --clientsecret Cs8~qLz.3Vx9Tm",
                    "Cs8~qLz.3Vx9Tm")),
         negatives=("mycli --password --host db", "use --token $TOKEN",
                    "zitadel start --masterkeyFromEnv --tlsMode external", "zitadel start --masterkeyFile /run/mk",
                    "x264 --pass 1 --bitrate 2000 -o /dev/null in.y4m",
                    "curl --cert c.pem --key c.key --pass $KEY_PASS https://accounts.example.com/token",
                    'type pw.txt | "C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe" --set-password _full_access',
                    "wget --user=admin --ask-password https://localhost",
                    "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
                    '$ lpass show --password "Shared-Ops/smtp-relay"',
                    "apksigner sign --ks r.jks --ks-pass env:KS_PASS --key-pass file:/run/secrets/kp app.apk",
                    "tiger auth login --public-key 01JF2K7QX9 --secret-key $TIGER_SECRET_KEY",
                    "register --clientsecret $PAD_CLIENT_SECRET", "dump --nopassword all",
                    "mkdir --secretstore /srv/vault", "geth --authrpc.jwtsecret /var/lib/ethereum/jwt.hex",
                    "minio-tool --secret-key-file /run/secrets/minio_sk", "gpg --delete-secret-key 3AA5C34371567BD2",
                    "gpg --armor --export-secret-key 3AA5C34371567BD2 > private.asc")),
    # libvirt's `virsh secret-set-value --secret UUID --base64 VALUE`: the secret's value (a Ceph client key, a LUKS
    # passphrase), base64-encoded; the UUID names the secret object.
    Rule("secret", r"secret-set-value\b[^\r\n]{0,256}?[ \t]--base64[ \t]+(?P<v>[A-Za-z0-9+/]{8,512}={0,2})(?![\w+/=])",
         needs="secret-set-value", remember=True,
         examples=(("virsh secret-set-value --secret 4e2a7c91-6b3d-4f58-a1e0-9c7d2b5f8a36 --base64 "
                    "AQCx8m2lNq4vJhAAp3T7bW9nR5cY2pL6sZ1dKg==", "AQCx8m2lNq4vJhAAp3T7bW9nR5cY2pL6sZ1dKg=="),),
         negatives=("virsh secret-set-value --secret 4e2a7c91-6b3d-4f58-a1e0-9c7d2b5f8a36 --file key.txt --plain",
                    "virsh secret-get-value --secret 4e2a7c91-6b3d-4f58-a1e0-9c7d2b5f8a36",
                    "virsh secret-set-value --secret $UUID --base64 $(ceph auth get-key client.libvirt)")),
    # otopi answer files (oVirt/RHV `engine-setup --config-append=answers.conf`, `hosted-engine --deploy`): each line
    # `SECTION/key=type:value`, so `OVESETUP_DB/password=str:…`, `OVESETUP_CONFIG/adminPassword=str:…`; the key names
    # the secret. Only texts with `=str:` are scanned.
    Rule("password", r"(?<![\w/])[A-Z][A-Z0-9_]{1,63}/(?P<k>\w{1,64})=str:(?P<v>[^\r\n]{0,255}\S)[ \t]*(?=\r?\n|\Z)",
         needs="=str:", extract=_keyed_value, remember=True,
         examples=(("[environment:default]\nOVESETUP_DB/user=str:engine\nOVESETUP_DB/password=str:Db7kTq2wLx\n",
                    "Db7kTq2wLx"),
                   ("OVEHOSTED_ENGINE/adminPassword=str:Hx5vRm8pKs\n", "Hx5vRm8pKs")),
         negatives=("OVESETUP_CONFIG/fqdn=str:engine.example.com\nOVESETUP_DB/user=str:engine\n",
                    "OVESETUP_DB/password=none:None\n")),
    # The Things Stack's `ttn-lw-cli end-devices create|set` LoRaWAN keys, 32 hex digits after a field path option:
    # `--root-keys.app-key.key`, `--root-keys.nwk-key.key`, `--session.keys.app-s-key.key` (not `--dev-eui` or
    # `--join-eui`, the device's ids). The pass starts at the literal `keys.`; the option's head is a lookbehind.
    Rule("secret", r"keys\.(?:(?<=--root-keys\.)|(?<=--session\.keys\.))(?:[a-z]+-)+key\.key(?:[ \t]+|=)"
         r"(?P<v>[0-9A-Fa-f]{32})(?![0-9A-Za-z])", needs="keys.", remember=True,
         examples=(("ttn-lw-cli end-devices create app1 dev1 --dev-eui 70B3D57ED0061A2F --root-keys.app-key.key "
                    "AE3612E38E55F34367AC98C9EA4D1831", "AE3612E38E55F34367AC98C9EA4D1831"),
                   ("ttn-lw-cli end-devices set app1 d2 --session.keys.app-s-key.key=5a1c7e9b3d2f4a6c8e0b1d3f5a7c9e1b",
                    "5a1c7e9b3d2f4a6c8e0b1d3f5a7c9e1b")),
         negatives=("--dev-eui 70B3D57ED0061A2F --join-eui 0000000000000000",
                    "ttn-lw-cli end-devices get app1 dev1 --root-keys.app-key.key",
                    "ttn-lw-cli end-devices set app1 dev1 --root-keys.app-key.key $APP_KEY")),
    # The same with the option named in camel case (Parse Server's `--masterKey`, Node CLIs' `--adminSecret`,
    # `--apiKey`), when the name is a strong secret name (not `--sortKey`, `--publicKey`, Parse's client-side
    # `--clientKey`), or in a dotted config path ending `_key` (Nakama's `--socket.server_key`). Not `--…-key`: gpg's
    # `--edit-key KEYID`, `--export-ssh-key KEYID` name a key by its id.
    Rule("secret", r"--(?<![\w-]--)(?P<k>(?:[a-z0-9]+\.)*[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*"
         r"(?:Password|Passphrase|Secret|Token|Key|_key))"
         r"[ \t]+"
         r"(?:'(?P<v1>[^'\r\n]{1,8192})'|\"(?P<v2>[^\"\r\n]{1,8192})\""
         r"|(?P<v3>(?![a-z][a-z0-9+.-]{0,15}://)[^\s'\"-][^\s'\"]{0,8191}))", needs="--",
         extract=_named_long_option, remember=True,
         examples=(("parse-server --appId acme --masterKey Hq2Lm9Vx4Zp8Tn3Yb6 --databaseURI x", "Hq2Lm9Vx4Zp8Tn3Yb6"),
                   ("hasura-cli --adminSecret Ad5-Hq2Lm9Vx", "Ad5-Hq2Lm9Vx"),
                   ("nakama --socket.server_key Hk4Rt8Wq2Zp6 --runtime.http_key Mb7Xc3Nv9Ld1", "Mb7Xc3Nv9Ld1")),
         negatives=("parse-server --masterKey $PARSE_MASTER_KEY", "list --sortKey createdAt",
                    "nakama --socket.ssl_certificate cert.pem --socket.ssl_private_key key.pem",
                    "build --publicKey keys/pub.pem", "init --clientKey Hq2Lm9Vx4Zp8Tn3Yb6",
                    "run --maxTokens 4096", "gpg --export-ssh-key FAEFD87E")),
    # C and RPM spec macros: `#define WIFI_PASSWORD "..."`, `%define token ...`, `%global ...` (one pass per literal:
    # a pass that starts with a class would try every position of a text that says "undefined").
    *(Rule("secret", macro + r"[ \t]+(?P<k>[A-Za-z_]\w{0,80})[ \t]+(?:\"(?P<v1>[^\"\r\n]{1,256})\""
           r"|'(?P<v2>[^'\r\n]{1,256})'"
           r"|(?!0x[0-9a-fA-F]+\b|\d+\b)(?P<v3>[^\s\"'(){}]{6,256})(?=[ \t]*(?:[\r\n]|//|/\*|\Z)))",
           needs=macro, extract=_keyed_value, remember=True,
           examples=((f'{macro} WIFI_PASSWORD "Wif1Pa55w0rd"', "Wif1Pa55w0rd"),
                     (f"{macro} api_token 4b9a6d8b4bc56fbfa1c638eb0c6cab37", "4b9a6d8b4bc56fbfa1c638eb0c6cab37")),
           negatives=(f"{macro} PASSWORD_MAX_LEN 64", f'{macro} WIFI_SSID "home"', f"{macro} TOKEN_SIZE(x) ((x) * 2)",
                      f"{macro} PASSWORD_MASK 0x00ff00ff"))
      for macro in ("#define", "%define", "%global")),
    # A Kconfig symbol's string default (ESP-IDF's `Kconfig.projbuild`, Zephyr's `Kconfig`): `config WIFI_PASSWORD`,
    # then its type, prompt and help lines, then `default "..."`.
    Rule("secret", r"config(?<![\w-]config)[ \t]+(?P<k>[A-Za-z0-9_]{1,80})[ \t]*\r?\n"
         r"(?:(?![ \t]*(?:config|menuconfig|choice|endchoice|menu|endmenu|default)\b)[^\r\n]*\r?\n){0,12}?"
         r"[ \t]+default[ \t]+\"(?P<v>[^\"\r\n]{1,256})\"", needs="config", extract=_keyed_value, remember=True,
         examples=(('config ESP_WIFI_PASSWORD\n    string "WiFi Password"\n    default "gR8pe-Vine_0417"\n    help\n',
                    "gR8pe-Vine_0417"),),
         negatives=('config ESP_WIFI_SSID\n    string "WiFi SSID"\n    default "myssid"\n',
                    'config WIFI_PASSWORD\n    string "WiFi Password"\n\nconfig BROKER\n    default "mqtt.local"\n')),
    # The fallback of an environment lookup named after a secret (Python `os.getenv(key, default)`,
    # `os.environ.get(key, default)`, Laravel's `env('DB_PASSWORD', '...')`, Ruby's `ENV.fetch("KEY", "...")`, Java's
    # `getenv().getOrDefault(...)` and helpers named `*OrDefault(`; `env(` covers `getenv(` and Elixir's
    # `System.get_env(`): the second argument, a default after `||`, `or`, `??` or `?:` (Ruby's `ENV["KEY"] || "..."`,
    # Elixir's `System.get_env("KEY") || "..."`), or Ruby's block (`ENV.fetch("KEY") { "..." }`, in ERB too). A
    # wrapped call may put each argument on its own line (Django's `os.environ.get(\n    "KEY",\n    "...",\n)`).
    *(Rule("secret", re.escape(call) + r"\s{0,16}[\"'](?P<k>[\w.\-]{1,80})[\"']\s{0,16}(?:"
           + (r",\s{0,16}|" if close == ")" else "") + re.escape(close) + (r"(?:[ \t]*\{[ \t]*|" if block else "(?:")
           + r"\s{0,16}(?:\|\||\?\?|\?:|or(?=[ \t]))\s{0,16}))"
           r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')", needs=call, extract=_keyed_value,
           remember=True,
           examples=(*(((f'db = {call}"DB_PASSWORD", "Fallb4ckPw")', "Fallb4ckPw"),
                        (f'SECRET_KEY = {call}\n    "APP_SECRET_KEY",\n    "Wr4pp3d-Fallb4ck",\n)',
                         "Wr4pp3d-Fallb4ck")) if close == ")" else ()),
                     (f'secret_key_base =\n  {call}"SECRET_KEY_BASE"{close} ||\n    "Ex-Fallb4ck-9"', "Ex-Fallb4ck-9"),
                     *(((f'password: <%= {call}"DB_PASSWORD"{close} {{ "Bl0ckFallb4ck" }} %>', "Bl0ckFallb4ck"),)
                       if block else ())),
           negatives=(*((f'{call}"DB_PASSWORD", "")', f'{call}"DB_HOST", "localhost")') if close == ")" else ()),
                      f'port = {call}"PORT"{close} || "4000"'))
      for call, close, block in (("env(", ")", False), ("environ.get(", ")", False), ("ENV.fetch(", ")", True),
                                 ("OrDefault(", ")", False), ("ENV[", "]", False))),
    # Android Gradle's `buildConfigField "String", "API_KEY", "\"...\""` and `resValue "string", "api_key", "..."`
    # (Groovy or Kotlin DSL): the value of a field named after a secret, with or without its escaped inner quotes.
    *(Rule("secret", call + r"[ \t(]+[\"']\w+[\"'][ \t]*,[ \t]*[\"'](?P<k>[\w.]{1,80})[\"'][ \t]*,[ \t]*"
           r"(?:'\"(?P<v1>[^\"'\r\n]{1,256})\"'|\"\\\"(?P<v2>[^\"\\\r\n]{1,256})\\\"\"|\"(?P<v3>[^\"\r\n]{1,256})\")",
           needs=call, extract=_keyed_value, remember=True,
           examples=((f'{call} "String", "API_KEY", "\\"Hq2Lm9Vx4Zp8Tn3Yb6\\""', "Hq2Lm9Vx4Zp8Tn3Yb6"),
                     (f"{call} 'String' , 'API_KEY' , '\"951bc382db9cfee29c68634761dd6e19\"'",
                      "951bc382db9cfee29c68634761dd6e19")),
           negatives=(f'{call} "String", "BASE_URL", "\\"https://api.example.com\\""',))
      for call in ("buildConfigField", "resValue")),
    # Several names declared at once, or one with a type (Go's `var user, pass string = "a", "b"`,
    # `user, pass := "a", "b"`, `var dbPassword string = "..."`, Python's `user, password = "a", "b"`): the literal at
    # the position of each name that names a secret. (A single untyped name is the keyword rules' case.)
    Rule("secret", r"=(?<=[ \t:]=)(?=[ \t]*[\"'`])", "=", extract=keys.extract_declared, remember=True,
         before="[ \t:]",
         examples=(('var user, pass string = "admin", "G0VarPw9"', "G0VarPw9"),
                   ('var dbPassword string = "G0TypedPw9"', "G0TypedPw9"),
                   ('password, user := "G0ShortPw9", "admin"', "G0ShortPw9"),
                   ('    user, password = "admin", "PyTuplePw9"', "PyTuplePw9")),
         negatives=('var user, host string = "admin", "db.local"', 'name string = "x"',
                    'password, err := "", nil', 'x, y = "a", "b"')),
    # The value of a name/value entry whose name names a secret (Kubernetes container `env`, ECS task definitions,
    # key/value lists in any of YAML, JSON, XML; JSON inside a JSON string, its quotes escaped).
    Rule("secret", _entry_value_pattern("value"), needs="value", extract=_entry_value, remember=True,
         examples=(("env:\n- name: DB_PASSWORD\n  value: \"K8sEnvPw9\"", "K8sEnvPw9"),
                   ('{"spring.datasource.password":{"value":"Actu4torEnvPw","origin":"application.yml"}}',
                    "Actu4torEnvPw"),
                   ('{"name": "API_TOKEN", "value": "Hq2Lm9Vx4Zp8Tn3Yb6"}', "Hq2Lm9Vx4Zp8Tn3Yb6"),
                   ("<entry>\n  <key>password</key>\n  <value>XmlEntryPw1</value>\n</entry>", "XmlEntryPw1"),
                   ('"cookies": [{\n  "name": "sessionid",\n  "value": "q8w2e4r6t9y1u3i5o7p0a2s4d6",\n',
                    "q8w2e4r6t9y1u3i5o7p0a2s4d6"),
                   ('"credentials": "{\\"credentialData\\":[{\\"name\\":\\"password\\", '
                    '\\"value\\":\\"Pb1-Rdr#7730\\"}]}"',
                    "Pb1-Rdr#7730"),
                   ('[{"value":"ana","name":"username","type":"T"},{"value":"Op1-Pux7q","name":"password","type":"P"}]',
                    "Op1-Pux7q"),
                   ('{"label": "Password", "sensitive": 1, "type": "password", "value": "En8-Pass4"}', "En8-Pass4"),
                   ('{"label": "One-time code", "type": "totp", "value": "KZXW6YTBOI2DMNZY"}', "KZXW6YTBOI2DMNZY"),
                   ('"wifi-password": {\n    "help": "WiFi Password",\n    "value": "\\"Mb3d-Wpa2x\\""\n}',
                    "Mb3d-Wpa2x")),
         negatives=("env:\n- name: DB_HOST\n  value: db.internal",
                    '"wifi-ssid": {\n    "help": "WiFi SSID",\n    "value": "\\"LabNet\\""\n}',
                    '{"name": "password", "value": ""}',
                    '"{\\"credentialData\\":[{\\"name\\":\\"username\\", \\"value\\":\\"pbi_reader\\"}]}"',
                    '{"name": "locale", "value": "en-US"}',
                    '{"name": "Session", "value": "5f1c9a3e-2b7d-4e8a-9c6f-0d2e4a6b8c1f"}',
                    '[{"value":"Op1-Pux7q","name":"username","type":"T"}]',
                    '{"label": "Website", "type": "url", "value": "https://app.example.com"}',
                    '{"name": "DB_PASSWORD",\n "type": "string",\n "value": ""}',
                    "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db")),
    # The same with capitalised keys: Duplicati's exported backup JSON (`"Settings": [{"Name": "passphrase", "Value":
    # "..."}]`), .NET settings lists.
    Rule("secret", _entry_value_pattern("Value"), needs="Value", extract=_entry_value, remember=True,
         examples=(('{"Filter": "", "Name": "passphrase", "Value": "Copper_Violin_62", "Argument": null}',
                    "Copper_Violin_62"),
                   ("<Setting>\n  <Name>SmtpPassword</Name>\n  <Value>Sm7pPw-x9</Value>\n</Setting>", "Sm7pPw-x9")),
         negatives=('{"Filter": "", "Name": "dblock-size", "Value": "50mb", "Argument": null}',
                    '{"ParameterKey": "DbPassword", "ParameterValue": "{{resolve:ssm:db}}"}',
                    '{"Name": "passphrase", "Value": ""}')),
    # A 1Password export's (1PUX `export.data`) section field of the concealed type: `"value": {"concealed": "…"}`.
    Rule("secret", r'"concealed"[ \t]*:[ \t]*"(?P<v>[^"\r\n]{1,256})"', needs='"concealed"',
         extract=_bundler_credentials, remember=True,
         examples=(('"value": {"concealed": "7KQ2-M9XT-4PLW-8ZRN"}, "guarded": true', "7KQ2-M9XT-4PLW-8ZRN"),),
         negatives=('"value": {"concealed": ""}', '{"concealed": false, "label": "PIN"}')),
    # PowerShell's `ConvertTo-SecureString "..." -AsPlainText` (its documented way to turn a plain string into a
    # credential): the plain string.
    # `-AsPlainText` may come first (`ConvertTo-SecureString -AsPlainText 'x' -Force`).
    Rule("password", r"ConvertTo-SecureString(?:[ \t]+-String)?[ \t]+"
         r"(?:-AsPlainText[ \t]+(?:-Force[ \t]+)?(?:-String[ \t]+)?|(?=[^\r\n]*-AsPlainText))"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\""
         r"|'(?P<v2>[^'\r\n]{1,256})')", needs="ConvertTo-SecureString",
         extract=_bundler_credentials, remember=True,
         examples=(('$pw = ConvertTo-SecureString "P@ssw0rd123!" -AsPlainText -Force', "P@ssw0rd123!"),
                   ("$s = ConvertTo-SecureString -String 'PlainPass42' -AsPlainText -Force", "PlainPass42"),
                   ("-NewPassword (ConvertTo-SecureString -AsPlainText 'Rs3t-Pl41n' -Force)", "Rs3t-Pl41n"),
                   ("$s = ConvertTo-SecureString -AsPlainText -Force -String 'Sw1tch-F1rst'", "Sw1tch-F1rst")),
         negatives=('$pw = ConvertTo-SecureString $env:ADMIN_PW -AsPlainText -Force',
                    "$pw = Read-Host -AsSecureString", '$s = ConvertTo-SecureString "$encrypted"',
                    "$pw = ConvertTo-SecureString -AsPlainText $env:ADMIN_PW -Force")),
    # Oracle connect strings `user/password@connect_identifier` given to its tools (SQL*Plus `sqlplus`, `CONNECT`,
    # Data Pump `expdp`/`impdp`, SQL*Loader `sqlldr`, `userid=`, SQLcl `sql`), to drivers'
    # `connect("user/password@dsn")` and in JDBC thin URLs (`jdbc:oracle:thin:user/password@//host:port/service`); the
    # password may be double-quoted (`admin/"Pa#ss"@db`). After a word that is also ordinary (`connect`, `sql`) only
    # with the `@`; SQLcl's options may take a value (`sql -cloudconfig wallet.zip admin/pw@db_high`).
    *(Rule("password", rf"{word}(?<![\w-]{word})[ \t(]{{{int(not word.endswith(('=', ':')))},}}"
           + (r"(?:-[A-Za-z]+[ \t]+(?:[^\s\"'@-][^\s\"'@]*[ \t]+)?)*" if word == "sql" else r"(?:-[A-Za-z]+[ \t]+)*")
           + r"[\"']?[A-Za-z][\w$#.]{0,63}/(?:\"(?P<v1>[^\"\r\n]{1,128})\"|(?P<v>[^\s@/\"'()]{1,128}))"
           + ("(?=@)" if word.lower() in ("connect", "sql") else r"(?=@|[ \t\"']|$)"),
           needs=word, extract=_bundler_credentials, remember=True,
           examples=((f"{word} hr/Welc0me1@dbhost:1521/orclpdb", "Welc0me1"),
                     (f'{word} admin/"Qu0ted#Pw"@atp_high', "Qu0ted#Pw")),
           negatives=(f"{word} /nolog", f"{word} hr/${{ORA_PW}}@orcl", f"my{word} hr/Welc0me1@orcl"))
      for word in ("sqlplus", "connect", "CONNECT", "userid=", "oracle:thin:", "expdp", "impdp", "sqlldr", "sql")),
    # Oracle RMAN's `rman target USER/PW@DB catalog USER/PW@CATDB` and `CONNECT TARGET "USER/PW@DB AS SYSDBA"` (see
    # `_rman_connect`): each connect string, the `@` required.
    *(Rule("password", rf"{word}(?<![\w-]{word})[ \t]+[\"']?[A-Za-z][\w$#.]{{0,63}}/"
           r"(?:\"(?P<v1>[^\"\r\n]{1,128})\"|(?P<v>[^\s@/\"'()]{1,128}))(?=@)",
           needs=word, extract=_rman_connect, remember=True,
           examples=((f"rman {word} sys/Rm4n-Tg9@PRODCDB", "Rm4n-Tg9"),
                     (f"rman target / {word} rco/Ct7-Rc9x@RCATPDB", "Ct7-Rc9x"),
                     (f'CONNECT {word} "sys/Cn7-Rm9@prod AS SYSDBA";', "Cn7-Rm9")),
           negatives=(f"rman {word} /", f"rman {word} sys/${{SYS_PW}}@PRODCDB", f"deploy {word} docs/v2@latest",
                      f"the {word} user/name@host"))
      for word in ("target", "TARGET", "catalog", "CATALOG", "auxiliary", "AUXILIARY")),
    # Percona Toolkit's DSNs (`h=HOST,u=USER,p=PASSWORD,P=PORT`: pt-table-checksum, pt-table-sync,
    # pt-online-schema-change, pt-archiver): `p=` among single-letter keys, `u=` among them.
    Rule("password", r"(?<![\w=,.&?/-])(?:[hADFSPt]=[^\s,=]{1,256},)*u=[^\s,=]{1,64},(?:[hADFSPt]=[^\s,=]{1,256},)*"
         r"p=(?:'(?P<v1>[^'\r\n]{1,128})'|(?P<v>[^\s,\"']{1,128}))",
         needs=",p=", extract=_bundler_credentials, remember=True,
         examples=(("pt-table-checksum h=db1,u=checksum,p=Pt8-Ck2x,P=3306", "Pt8-Ck2x"),
                   ("pt-online-schema-change --alter 'ADD INDEX i(a)' D=shop,t=orders,u=osc,p='Os9-x2' --execute",
                    "Os9-x2"),
                   ("pt-archiver --source u=arch,h=db1,p=Ar7-Ch9v,D=shop,t=log --purge", "Ar7-Ch9v")),
         negatives=("pt-table-checksum h=db1,u=checksum,p=$PT_PW", "pt-table-sync h=db1,u=sync --print",
                    "GET /index.php?u=ana,p=2 HTTP/1.1", "w=100,h=50,p=3", "x,u=1,p=2")),
    # pgpool-II's `pg_md5 PASSWORD` (the password as its argument; `-p` prompts) and the hash it prints into pcp.conf.
    Rule("password", r"\bpg_md5(?:[ \t]+(?:-m|--md5auth|-[uf][ \t]+[^\s-]\S*|--(?:username|config-file)=\S+))*[ \t]+"
         r"(?:'(?P<v1>[^'\r\n]{1,128})'|\"(?P<v2>[^\"\r\n]{1,128})\"|(?P<v3>[^\s\"'<\[$-][^\s\"']{0,127}))"
         r"(?=[ \t]*(?:\r?\n|\Z))",
         needs="pg_md5", extract=_bundler_credentials, remember=True,
         examples=(("$ pg_md5 Pcp4-Adm9x\nb5c3e8f1a9d2470c6e3b8a1f5d7c9e2a", "Pcp4-Adm9x"),
                   ("pg_md5 -m -f /etc/pgpool-II/pgpool.conf -u app 'Pg-Md5!pw'", "Pg-Md5!pw")),
         negatives=("pg_md5 -p", "pg_md5 -m -f /etc/pgpool-II/pgpool.conf -u app -p", "pg_md5 [your password]",
                    "pg_md5 $PCP_PASSWORD", "pg_md5 --help")),
    Rule("password_hash", r"(?<![^\n])[^#\s:]{1,64}:(?P<v>[0-9a-fA-F]{32})(?=[ \t]*(?:\r?\n|\Z))",
         needs=_PCP_HEADER, extract=_pcp_conf_user, remember=True,
         examples=(("# USERID:MD5PASSWD\npgpool:b5c3e8f1a9d2470c6e3b8a1f5d7c9e2a\n",
                    "b5c3e8f1a9d2470c6e3b8a1f5d7c9e2a"),),
         negatives=("pgpool:b5c3e8f1a9d2470c6e3b8a1f5d7c9e2a\n",
                    "# USERID:MD5PASSWD\n\n[files]\napp.tar:b5c3e8f1a9d2470c6e3b8a1f5d7c9e2a\n")),
    Rule("password", r"(?<![^\n])[^\s:#]{1,64}:TEXT(?P<v>[^\s:]{1,128})(?=[ \t]*(?:\r?\n|\Z))",
         needs=":TEXT", extract=_pool_passwd_text, remember=True,
         examples=(("$ cat /etc/pgpool-II/pool_passwd\nrepl:TEXTRpl9-Tx2\n", "Rpl9-Tx2"),
                   ("postgres:md53b7f9a2c1e8d4f6a0b5c9e7d2a1f8c4e\napp:TEXTAp7-Tx9q\n", "Ap7-Tx9q")),
         negatives=("content-type:TEXT/html\n", "field:TEXTAREA\n",
                    "$ cat pool_passwd\n# repl:TEXTclear-text-entry\n")),
    # An Ansible Vault file or inline `!vault |` value: the hex lines below the `$ANSIBLE_VAULT;1.1;AES256` header.
    Rule("secret", r"\$ANSIBLE_VAULT;[\d.]+;\w+(?:;[\w-]+)?[ \t]*\r?\n[ \t]*"
         r"(?P<v>[0-9a-f]{16,}(?:\r?\n[ \t]*[0-9a-f]{16,})*)",
         needs="$ANSIBLE_VAULT",
         examples=(("$ANSIBLE_VAULT;1.1;AES256\n6231336539666234306139346433616338376437\n"
                    "3764613633653634306231386433626436623361",
                    "6231336539666234306139346433616338376437\n3764613633653634306231386433626436623361"),),
         negatives=("see $ANSIBLE_VAULT;1.1;AES256 in the docs",)),
    # An OpenVPN static key file (`openvpn --genkey`): the hex between its BEGIN and END lines.
    Rule("private_key", r"-----BEGIN OpenVPN Static key V1-----\r?\n(?P<v>[0-9a-f][\s0-9a-f]{31,8192}?)\r?\n"
         r"-----END OpenVPN Static key V1-----", needs="OpenVPN Static key",
         examples=(("-----BEGIN OpenVPN Static key V1-----\ne5e4d6af39289d53171bfa2d56e1ba91\n"
                    "4f7a2d8e1c3b5a6f9e8d7c6b5a4f3e2d\n-----END OpenVPN Static key V1-----",
                    "e5e4d6af39289d53171bfa2d56e1ba91\n4f7a2d8e1c3b5a6f9e8d7c6b5a4f3e2d"),),
         negatives=("-----BEGIN OpenVPN Static key V1-----",)),
    # Oracle's `CREATE USER scott IDENTIFIED BY tiger` / `IDENTIFIED BY "tiger"` (single-quoted SQL literals
    # are read by the quote-anchored SQL rule), in a statement that starts its line.
    *(Rule("password", word + r"(?<![\w-]" + word + r")[ \t]+(?i:BY)[ \t]+(?:\"(?P<v2>[^\"\r\n]{1,256})\""
           r"|(?P<v3>(?!(?i:PASSWORD|VALUES)\b)[A-Za-z0-9_$#!@%^&*+.-]{1,128}))",
           needs=word, extract=_sql_identified, remember=True,
           examples=((f"CREATE USER scott {word} BY T1ger0ra;", "T1ger0ra"),
                     (f'ALTER USER scott {word} BY "Qu0ted0ra";', "Qu0ted0ra"),
                     (f"ACTION :[54] 'ALTER USER app_owner {word} BY \"Or4-Aud1t_pw\" ACCOUNT UNLOCK'",
                      "Or4-Aud1t_pw")),
           negatives=(f"CREATE USER ops {word} EXTERNALLY;", f"users are {word} by their badge",
                      f"To create user accounts {word} by their badge, see below."))
      for word in ("IDENTIFIED", "identified")),
    *(Rule("password", word + r"(?<![\w-]" + word + r")[ \t]+(?:'(?P<v2>[^'\r\n]{1,256})'"
           r"|(?P<v3>[^\s'\";$][^\s;]{0,255}))", needs=word,
           extract=_line_before(_CONNECT_USER.search, _groups), remember=True,
           examples=((f"db2 connect to PRODSMP user db2inst1 {word} Db2Inst!Pw8", "Db2Inst!Pw8"),
                     (f"CONNECT TO 'stores@ifx_prod' USER 'informix' {word} 'Ifx#Conn77';", "Ifx#Conn77")),
           negatives=(f"db2 connect to PRODSMP user db2inst1 {word} $DB2PW", "JOIN b " + word + " (id)",
                      f"connect to the host {word} ssh"))
      for word in ("USING", "using")),
    # Parenthesised operands of z/OS RACF (`ALTUSER u PASSWORD(x) PHRASE('x y')`, `RDEFINE PTKTDATA p
    # SSIGNON(KEYMASKED(hex))`), IBM i CL (`CHGUSRPRF ... PASSWORD(x)`) and IBM MQ MQSC (`DEFINE AUTHINFO ...
    # LDAPPWD('x')`) commands, written in upper case by convention. CL's special values (`*NONE`) and CLIST's
    # `&VARIABLE`s are not passwords.
    *(Rule("password", word + r"(?<![\w.$-]" + word + r")\([ \t]*(?:'(?P<v2>[^'\r\n]{1,256})'"
           r"|(?P<v3>[^\s()'*&][^\s()']{0,255}))[ \t]*\)", needs=word + "(", extract=_groups, remember=True,
           examples=((f"ALTUSER OPSJD01 {word}('Blue Harbor 47') NOEXPIRED", "Blue Harbor 47"),
                     (f"CHGUSRPRF USRPRF(BATCHUSR) {word}(B4TCHPW7) PWDEXPITV(*NOMAX)", "B4TCHPW7")),
           negatives=(f"CHGUSRPRF USRPRF(OLDUSER) {word}(*NONE)", f"ALTUSER &USER {word}(&NEWPW)",
                      f"user.set{word}(pw)"))
      for word in ("PASSWORD", "PHRASE", "LDAPPWD", "KEYMASKED")),
    # SAP HANA's `hdbuserstore [-i] SET KEY ENV USER PASSWORD`: the fourth argument after `SET`.
    Rule("password", r"hdbuserstore(?<![\w.-]hdbuserstore)(?:[ \t]+-[\w-]{1,16})*[ \t]+(?i:set)"
         rf"(?:[ \t]+(?:\"[^\"\r\n]{{1,256}}\"|[^\s\"']{{1,256}})){{3}}[ \t]+{_ARG_VALUE}", needs="hdbuserstore",
         extract=_password_arg, remember=True,
         examples=(("hdbuserstore -i SET BACKUPKEY hana01.example.com:30015 SYSTEM Hd8User#Store", "Hd8User#Store"),
                   ('hdbuserstore SET MONKEY "hana01:30013@SYSTEMDB" MONUSER M0nitor_Pw77', "M0nitor_Pw77")),
         negatives=("hdbuserstore LIST BACKUPKEY", "hdbuserstore DELETE BACKUPKEY",
                    "hdbuserstore SET K hana01:30015 SYSTEM $HANA_PW")),
    # Teradata BTEQ's `.LOGON TDPID/USER,PASSWORD` (a bare `.LOGON TDPID/USER` prompts for it).
    *(Rule("password", word + r"(?<=\." + word + r")(?<![^\n]\." + word + r")[ \t]+[^\s,;]{1,256},"
           r"(?:'(?P<v2>[^'\r\n]{1,256})'|(?P<v3>[^\s;'][^\s;]{0,255}))", needs=word, extract=_groups,
           remember=True,
           examples=((f".{word} tdprod.example.com/etl_user,Td3ta#Bteq\n.SET WIDTH 200", "Td3ta#Bteq"),),
           negatives=(f".{word} tdprod/etl_user\n", f"user {word} tdprod/etl_user,ok"))
      for word in ("LOGON", "logon")),
    # JDBC's `DriverManager.getConnection(url, user, password)` and data sources built the same way: the third string
    # argument after a `jdbc:` URL literal (double- or single-quoted, one argument a line too: NextGen Connect's
    # (Mirth) channel scripts' `DatabaseConnectionFactory.createDatabaseConnection(driver, url, user, password)`).
    Rule("password", r"(?P<q0>[\"'])jdbc:[^\"'\r\n]{1,512}(?P=q0)\s{0,40},\s{0,40}"
         r"(?:\"[^\"\r\n]{0,128}\"|'[^'\r\n]{0,128}')"
         r"\s{0,40},\s{0,40}(?!.jdbc:)(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')",
         needs="jdbc:", extract=_bundler_credentials, remember=True,
         examples=(('c = DriverManager.getConnection("jdbc:mysql://db/shop", "shop", "Jdbc!Pw9");', "Jdbc!Pw9"),
                   ('new DriverManagerDataSource("jdbc:h2:mem:test", "sa", "H2S4Pw")', "H2S4Pw"),
                   ("dbConn = DatabaseConnectionFactory.createDatabaseConnection('org.postgresql.Driver',\n"
                    "    'jdbc:postgresql://emr:5432/emr', 'mirth', 'M1rthDb#4x');", "M1rthDb#4x")),
         negatives=('DriverManager.getConnection("jdbc:h2:mem:test", "sa", "")',
                    'DriverManager.getConnection("jdbc:mysql://db/shop", user, password)',
                    "createDatabaseConnection('org.postgresql.Driver', 'jdbc:postgresql://emr/emr', 'mirth',"
                    " $('dbPass'))",
                    "urls = ['jdbc:h2:mem:a', 'jdbc:h2:mem:b', 'jdbc:h2:mem:c']")),
    # An API token as the user of a basic-auth pair whose password is the documented filler (Toggl Track's
    # `auth=(API_TOKEN, "api_token")` in requests, `HTTPBasicAuth(API_TOKEN, "api_token")`): the token, when it looks
    # like a key.
    Rule("token", r"\(" + _after_calls((r"[^\w]auth=", r"[^\w]auth = ", r"[^\w]HTTPBasicAuth", r"[^\w]BasicAuth"))
         + r"[ \t]*(?:\"(?P<v1>[^\"\r\n]{16,256})\"|'(?P<v2>[^'\r\n]{16,256})')"
         + r"[ \t]*,[ \t]*(?:\"api_token\"|'api_token')[ \t]*\)",
         r"\(", extract=_sdk_key_argument, remember=True, before="[=h ]",
         examples=(('r = requests.get(url, auth=("1971800d4d82861d8f2c1651fea4d212", "api_token"))',
                    "1971800d4d82861d8f2c1651fea4d212"),
                   ("s.auth = HTTPBasicAuth('7645f8a05d11f4c536a0b3c7767652f8', 'api_token')",
                    "7645f8a05d11f4c536a0b3c7767652f8")),
         negatives=('auth=(os.environ["TOGGL_API_TOKEN"], "api_token")', 'auth=("<your_api_token>", "api_token")',
                    "auth=('toggl-reports-user', 'api_token')")),
    # requests' basic-auth pair with the user in a name and the password a literal (`auth=(DONORBOX_EMAIL, "…")`,
    # Donorbox's documented login e-mail and API key; `HTTPBasicAuth(user, "…")`): the literal, when it holds a digit or
    # both letter cases (not a documented filler such as Freshdesk's `"X"`, Teamwork's `"xxx"`, Toggl's `"api_token"`).
    Rule("password", r"\(" + _after_calls((r"[^\w]auth=", r"[^\w]auth = ", r"[^\w]HTTPBasicAuth",
                                           r"[^\w]HTTPDigestAuth", r"[^\w]BasicAuth"))
         + r"[ \t]*[A-Za-z_][\w.]{0,64}[ \t]*,[ \t]*(?:\"(?P<v1>[^\"\r\n]{8,256})\"|'(?P<v2>[^'\r\n]{8,256})')[ \t]*\)",
         r"\(", extract=_named_user_password, remember=True, before="[ =h]",
         examples=(('    auth=(DONORBOX_EMAIL, "hT4wQz9LxR2mNc7VbK3s"),', "hT4wQz9LxR2mNc7VbK3s"),
                   ("s.auth = HTTPBasicAuth(settings.API_USER, 'Pw-2026-rotate')", "Pw-2026-rotate")),
         negatives=('auth=(api_key, "X")', "auth=(API_TOKEN, 'api_token')", 'auth=(user, "unused_password")',
                    "auth=(user, password)", 'auth=(key, "<password>")')),
    # exchangelib's `Credentials(username, password)` given by position (two string literals and nothing after them:
    # sbt's four-argument `Credentials(realm, host, user, password)` has its own rule).
    Rule("password", r"\((?<=[^\w.]Credentials\()[ \t]*" + _STR_ARG
         + r"[ \t]*,[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')[ \t]*\)",
         r"\(", extract=_bundler_credentials, remember=True, before="[s]",
         examples=(("creds = Credentials('EXAMPLE\\\\svc-rooms', 'Tq7#mZ2!xw')", "Tq7#mZ2!xw"),
                   ('credentials = Credentials("svc-cal@example.com", "Ews-Cal-2026pw")', "Ews-Cal-2026pw")),
         negatives=("creds = Credentials(username, password)",
                    'credentials += Credentials("Sonatype Nexus", "nexus.example.com", "deploy", nexusPw)',
                    "creds = Credentials('svc', os.environ['EWS_PASSWORD'])",
                    "creds = Credentials('svc', '<password>')")),
    # Documented client APIs that take the password as a positional string argument: the second (`smtplib`/`ftplib`
    # `.login(user, password)`, DirectAdmin's HTTPSocket `->set_login(user, password)` (its API examples), requests'
    # `auth=(user, password)` and `HTTPBasicAuth`/`HTTPDigestAuth`, aiohttp
    # `BasicAuth`, .NET `NetworkCredential`, Java `PasswordAuthentication` and HttpClient's
    # `UsernamePasswordCredentials`) or the third (PHP `mysqli_connect`/`new mysqli`/`mysql_connect`/`new PDO`, as a
    # stack trace prints it too: `PDO->__construct('dsn', 'user', 'password')`; Python
    # `FTP(host, user, passwd)`, `MySQLdb.connect`/`pymysql.connect`, Go's `smtp.PlainAuth(identity, user, password,
    # host)`). Every argument before it must be a string literal too, but for the first of the calls that take a
    # handle there (PHP's `ssh2_auth_password($conn, user, password)`, `ftp_login`, `ldap_bind($ds, dn, password)`,
    # ldap3's `Connection(server, user, password)`, paramiko's `transport.connect(None, user, password)`), SSH.NET's
    # optional port (`new SftpClient(host, 22, user, password)`), Jedis' pool settings (`new JedisPool(config, host,
    # port, timeout, password)`) and Rust's `.to_owned()` (lettre's `Credentials::new(user, password)`).
    *(Rule("password", r"\(" + _after_calls(names)
           + r"[ \t]*" + lead + (r"[ \t]*,[ \t]*" + _STR_ARG) * (index - 1)
           + r"[ \t]*,[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')" + _TO_OWNED + r"[ \t]*[,)]",
           r"\(", extract=_positional_password, remember=True,
           before=_last_chars(names), examples=examples, negatives=negatives)
      for index, lead, names, examples, negatives in (
          (1, _STR_ARG, (r"\.login", r"->login", r"->set_login", r"\.auth", r"->auth", r"[^\w]auth=", r"[^\w]auth = ",
               r"basic_auth=", r"http_auth=", r"[^\w]HTTPBasicAuth",
               r"[^\w]HTTPDigestAuth",
               r"[^\w]BasicAuth", r"[^\w]BasicAuthProvider", r"[^\w]ApiClientCredentialsProvider",
               # the Trino and PrestoDB Python clients: `trino.auth.BasicAuthentication(user, password)`
               r"[^\w]BasicAuthentication",
               r"\.basicAuth", r"\.digestAuth",  # Gatling's HTTP protocol and requests: `.basicAuth(user, password)`
               r"[^\w]NetworkCredential", r"[^\w]PasswordAuthentication",
               # The EWS Managed API's `WebCredentials(user, password[, domain])`; hMailServer's COM API
               # `.Authenticate(user, password)` (VBScript and PowerShell).
               r"[^\w]WebCredentials", r"\.Authenticate",
               r"[^\w]UsernamePasswordCredentials", r"\.simple_bind_s", r"\.simple_bind", r"\.bind",
               r"dbms\.security\.createUser", r"\.changeUserPassword",
               # Wi-Fi joins (SSID, passphrase): Arduino's `WiFi.begin`/`WiFi.softAP`, ESP8266/ESP32 `WiFiMulti.addAP`,
               # MicroPython's `network.WLAN` object (`wlan`, `sta_if` in its docs), CircuitPython's `wifi.radio`.
               r"WiFi\.begin", r"WiFi\.softAP", r"\.addAP", r"wlan\.connect", r"sta_if\.connect",
               r"radio\.connect",
               # Medplum's client credentials (`medplum.startClientLogin(clientId, clientSecret)`, `setBasicAuth`),
               # Orthanc's Lua `SetHttpCredentials(username, password)`.
               r"\.startClientLogin", r"\.setBasicAuth", r"[^\w]SetHttpCredentials",
               # The Mozscape (Moz Links API v1) sample clients: `Mozscape(access_id, secret_key)`.
               r"[^\w]Mozscape"),
           (("server.login('alerts@example.com', 'qwhk xmtz pbla rcnd')", "qwhk xmtz pbla rcnd"),
            ("r = requests.get(url, auth=('svc', 'R3questsPw'))", "R3questsPw"),
            ('var c = new NetworkCredential("svc", "N3tCr3dPw");', "N3tCr3dPw"),
            ('$svc.Credentials = New-Object Microsoft.Exchange.WebServices.Data.WebCredentials("ews", "W3bCr3d-Pw", '
             '"CORP")', "W3bCr3d-Pw"),
            ('Call oApp.Authenticate("Administrator", "HmS-Adm1n9")', "HmS-Adm1n9"),
            ("$sock->set_login('reseller1', 'H77pS0ck3t!');", "H77pS0ck3t!"),
            # jamf-pro-sdk: `ApiClientCredentialsProvider(client_id, client_secret)`, `BasicAuthProvider(user, pw)`.
            ('creds = ApiClientCredentialsProvider("5b1e3c2a-8f4d", "Qx7vN2pLr9TzWm4K")', "Qx7vN2pLr9TzWm4K"),
            # Neo4j 3.5's user procedures (`CALL dbms.security.createUser(name, password, requireChange)`).
            ("CALL dbms.security.createUser('etl', 'Neo4j-Etl-pw1', false)", "Neo4j-Etl-pw1"),
            # mongosh's `db.changeUserPassword(username, password)`, Neo4j's procedure of the same name.
            ('db.changeUserPassword("reporting", "M0ngo-Chg-pw2")', "M0ngo-Chg-pw2"),
            ('  WiFi.begin("Shed-AP", "r0tary-Enc0der");', "r0tary-Enc0der"),
            ("sta_if.connect('Greenhouse-2G', 'Upy-b00t-pw!')", "Upy-b00t-pw!"),
            ('  .basicAuth("perf-user", "G4tl1ng-Perf!")', "G4tl1ng-Perf!"),
            ("await medplum.startClientLogin('5c1e3a2b-7d4f-4e9a-b6c0-1f2e3d4c5b6a', 'Mq8vLz2Tx9RkWp4N')",
             "Mq8vLz2Tx9RkWp4N"),
            ("   SetHttpCredentials('router', 'Lu7aQz2Wx9Tk')", "Lu7aQz2Wx9Tk"),
            ('    auth=trino.auth.BasicAuthentication("etl", "Tr1no-Etl-pw4"),', "Tr1no-Etl-pw4"),
            ("client = Mozscape('mozscape-1a2b3c4d5e', '65b71a11a230ab1e4d7ff18f658b556e')",
             "65b71a11a230ab1e4d7ff18f658b556e")),
           ('.basicAuth("#{username}", "#{password}")', "WiFi.begin(ssid, pass);",
            'oApp.Authenticate("Administrator", strPassword)', "$hm.Authenticate('Administrator', $env:HM_ADMIN_PW)",
            "wlan.connect(secrets['ssid'], secrets['password'])", "WiFi.begin(\"OpenCafe\")",
            "server.login(user, password)", "auth = HTTPBasicAuth('jenkins', getpass())", "login('a')",
            "$sock->set_login($user, $pass);", "$('#go').bind('click', handler)",
            'db.changeUserPassword("reporting", passwordPrompt())',
            "medplum.startClientLogin(import.meta.env.MEDPLUM_CLIENT_ID, import.meta.env.MEDPLUM_CLIENT_SECRET)",
            "SetHttpCredentials('router', os.getenv('ROUTER_PASSWORD'))",
            'auth=prestodb.auth.BasicAuthentication(user, os.environ["PRESTO_PASSWORD"])')),
          (2, _STR_ARG, (r"[^\w]mysqli_connect", r"[^\w]mysqli", r"[^\w]mysql_connect", r"[^\w]mysql_pconnect",
               r"[^\w]PDO", r"PDO->__construct",
               r"[^\w]FTP", r"[^\w]FTP_TLS", r"MySQLdb\.connect", r"pymysql\.connect", r"[^\w]PlainAuth",
               r"DBI->connect", r"Net::FTP\.open", r"Net::FTP\.new",
               r"[^\w]client\.connect"),  # Arduino PubSubClient's `client.connect(id, user, password)`
           (('$link = mysqli_connect("localhost", "shop", "Mysq1iPw!", "shop");', "Mysq1iPw!"),
            ("$pdo = new PDO('mysql:host=db;dbname=blog', 'blog', 'Pd0BlogPw');", "Pd0BlogPw"),
            ("#0 /var/www/db.php(12): PDO->__construct('mysql:host=db;d...', 'shop', 'PhpTr4cePw')", "PhpTr4cePw"),
            ('auth := smtp.PlainAuth("", "ops@example.com", "Pl41nAuthPw", "smtp.example.com")', "Pl41nAuthPw"),
            ('  client.connect("shed-node-1", "shed", "Pub5ub-h4x9");', "Pub5ub-h4x9")),
           ('client.connect("shed-node-1", MQTT_USER, MQTT_PASS)', "$link = mysqli_connect($host, $user, $pass);",
            "$pdo = new PDO($dsn, 'blog', $pw);",
            "ftp = FTP('ftp.example.com')")),
          (2, r"\$?[A-Za-z_]\w{0,63}",
           (r"[^\w]ssh2_auth_password", r"[^\w]ftp_login", r"[^\w]ldap_bind", r"[^\w]Connection",
            r"transport\.connect", r"Transport\.connect"),
           (("if (!ssh2_auth_password($connection, 'webadmin', 'Php55h2Pw!')) {", "Php55h2Pw!"),
            ('$r = ldap_bind($ds, "cn=admin,dc=example,dc=com", \'PhpLd4pBind\');', "PhpLd4pBind"),
            ("conn = Connection(server, 'cn=svc,dc=example,dc=com', 'Ld4p3Bind#7', auto_bind=True)", "Ld4p3Bind#7"),
            ('transport.connect(None, "uploader", "Tr4nsp0rt!x9")', "Tr4nsp0rt!x9")),
           ("ftp_login($ftp, $user, $pass);", "conn = Connection(server, user, password)",
            "ldap_bind($ds, 'cn=admin,dc=example,dc=com', '');", "Connection(server, 'uid=x', getpass())")),
          # DocuWare's Platform .NET API: `ServiceConnection.Create(uri, user, password[, organization: …])` and
          # `CreateAsync`, the server's URI a name or `new Uri("…")`.
          (2, r"(?:[A-Za-z_]\w{0,63}|new[ \t]+(?:System\.)?Uri\(" + _STR_ARG + r"\))",
           (r"ServiceConnection\.Create", r"ServiceConnection\.CreateAsync"),
           (('var conn = ServiceConnection.Create(uri, "dw-import", "Dw7#Plat-q2", organization: "Peters Eng");',
             "Dw7#Plat-q2"),
            ('var conn = await ServiceConnection.CreateAsync(new Uri("https://dw.example.com/DocuWare/Platform"), '
             '"admin", "Dw-As9!nc");', "Dw-As9!nc")),
           ('ServiceConnection.Create(uri, user, password)',
            'ServiceConnection.Create(uri, "admin", Environment.GetEnvironmentVariable("DW_PASSWORD"))')),
          # The MySQL C API's `mysql_real_connect(mysql, host, user, passwd, db, port, socket, flags)`.
          (3, r"&?[A-Za-z_][\w.>-]{0,63}", (r"[^\w]mysql_real_connect",),
           (('if (!mysql_real_connect(conn, "db01.internal", "billing", "Bq7#zLm4Wt", "db", 3306, NULL, 0))',
             "Bq7#zLm4Wt"),),
           ('mysql_real_connect(conn, host, user, db_pass, "billing_prod", 0, NULL, 0)',
            'mysql_real_connect(&mysql, "localhost", "root", "", NULL, 0, NULL, 0)')),
          (2, _STR_ARG + r"(?:[ \t]*,[ \t]*\d{1,5})?", (r"[^\w]SshClient", r"[^\w]SftpClient", r"[^\w]ScpClient"),
           (('using (var client = new SshClient("10.1.1.5", "admin", "SshN3tPw!4"))', "SshN3tPw!4"),
            ('var sftp = new SftpClient("files.example.com", 22, "upload", "SftpN3t#77");', "SftpN3t#77")),
           ('new SftpClient("files.example.com", 22, "upload", keyFile)', 'new SshClient(host, "admin", password)')),
          (1, r"(?:new[ \t]+)?\w{1,64}(?:\(\))?[ \t]*,[ \t]*" + _STR_ARG + r"(?:[ \t]*,[ \t]*\d{1,6}){2}",
           (r"[^\w]JedisPool",),
           (('new JedisPool(new JedisPoolConfig(), "redis.internal", 6379, 2000, "P00lJedis9x");', "P00lJedis9x"),),
           ('new JedisPool(cfg, "redis.internal", 6379, 2000, password);',)),
          (1, _STR_ARG + _TO_OWNED, (r"[^\w]Credentials::new",),
           (('let c = Credentials::new("mailer@example.com".to_owned(), "L3ttreSmtp!9".to_owned());', "L3ttreSmtp!9"),),
           ('Credentials::new(user.to_owned(), std::env::var("SMTP_PASSWORD")?)',)))),
    # Python clients' sign-in methods that take the account's user (or e-mail) and password as the first two string
    # literals: FarmBot's `bot.get_token(email, password)` (farmbot-py), farmOS.py's `farm_client.authorize(user,
    # password, scope=…)`, and `.authenticate(user, password)`/`.sign_in(user, password)`. These names also take a
    # grant type, a scope or an action (`authorize("alice", "read")`), so the second literal must read as a password:
    # one unbroken run of 6-128 characters with a letter and a digit or a sign other than `-`, `_`, `.` (which join
    # the words of a scope: `files.read`, `data_write`), not a URL or a path.
    Rule("password", r"\(" + _after_calls(_SIGNIN_CALLS)
         + r"[ \t]*" + _STR_ARG + r"[ \t]*,[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')[ \t]*[,)]",
         r"\(", extract=_signin_password, remember=True, before=_last_chars(_SIGNIN_CALLS),
         examples=(('>>> bot.get_token("grower@example.com", "Gr0w-Seed77")', "Gr0w-Seed77"),
                   ("token = farm_client.authorize('sync-bot', 'Fa7mOS!pw', scope='farm_manager')", "Fa7mOS!pw"),
                   ('client.authenticate("ops", "W3ather#Stn")', "W3ather#Stn")),
         negatives=("token = farm_client.authorize(username, password, scope='farm_manager')",
                    'enforcer.authorize("alice", "read")',
                    'oauth.get_token("authorization_code", "https://app.example.com/callback")',
                    'bot.get_token("grower", os.environ["FARMBOT_PASSWORD"])',
                    "client.authenticate('ops', '<password>')",
                    'acl.authorize("deploy-bot", "repo:write")', 'api.authorize("svc", "files.read_write")')),
    # The M-Files API's `MFilesServerApplication.Connect(AuthType, UserName, Password, Domain, Protocol, Server, Port…)`
    # (also `ConnectEx…`): after `MFAuthTypeSpecificMFilesUser` or `MFAuthTypeSpecificWindowsUser` the second literal
    # is the password (VBScript's call without parentheses, PowerShell's and C#'s with `MFAuthType.`).
    Rule("password", r"MFAuthTypeSpecific(?:MFiles|Windows)User[ \t]*,[ \t]*" + _STR_ARG + r"[ \t]*,[ \t]*(?:"
         + _QUOTED_ARG + r")[ \t]*(?=[,)]|\r?\n|\Z)", needs="MFAuthTypeSpecific",
         extract=_positional_password, remember=True,
         examples=(('oServerApp.Connect MFAuthTypeSpecificMFilesUser, "mf-sync", "Mf7#Vault-q2", , "ncacn_ip_tcp", '
                    '"mfiles01", "2266"', "Mf7#Vault-q2"),
                   ('$app.Connect([MFilesAPI.MFAuthType]::MFAuthTypeSpecificWindowsUser, "svc-mf", \'Wn4-Mf!x9\', '
                    '"CORP")', "Wn4-Mf!x9")),
         negatives=('oServerApp.Connect MFAuthTypeSpecificMFilesUser, strUser, strPassword, , "ncacn_ip_tcp"',
                    'oServerApp.Connect MFAuthTypeSpecificMFilesUser, "mf-sync", "", , "ncacn_ip_tcp"',
                    "oServerApp.Connect MFAuthTypeLoggedOnWindowsUser, , , , \"ncacn_ip_tcp\", \"mfiles01\"")),
    # SNMP community strings: Cisco IOS `snmp-server community NAME RO|RW`, Junos `community NAME {` in its `snmp`
    # block (one pass for both).
    Rule("password", r"community(?<![\w-]community)[ \t]+(?P<v>[^\s{;]{1,128})", needs="community",
         extract=_snmp_community, remember=True,
         examples=(("snmp-server community Sn3mpR34d RO", "Sn3mpR34d"),
                   ("snmp {\n    community Jun0sC0mm {\n        authorization read-only;\n    }\n}", "Jun0sC0mm")),
         negatives=("snmp-server community <string> RO", "no snmp-server community",
                    "policy-options {\n    community ISP-A {\n        members 65000:100;\n    }\n}",
                    "the community edition is free")),
    # Network devices' configuration statements, the value last on the line (vendors' configuration guides):
    # compound secret keywords (FortiOS `set psksecret`, EdgeOS/VyOS `pre-shared-secret`, `plaintext-password`,
    # `md5-key`, Cisco ASA `ikev1 pre-shared-key`, Cisco key chains' `key-string [7]`, F5 `bind-pw`), one pass each.
    # PAN-OS `bind-password`, Aruba Instant `wpa-passphrase`. A keyword after `=` is a value (MikroTik's
    # `auth-method=pre-shared-key`); SonicOS types the secret twice (`shared-secret S S`: the copy is remembered).
    *(Rule("password", word + r"(?<![\w=-]" + word + r")(?:[ \t]+[0-9])?"
           r"(?:[ \t]+(?P<c>[^\s\"']{1,256})(?=[ \t]+(?P=c)[ \t]*(?:\r?\n|\Z)))?" + _LAST_VALUE, needs=word,
           extract=_device_value, remember=True,
           examples=((f" {word} Dev1ce-S3cret-9\n", "Dev1ce-S3cret-9"),
                     (f"set x {word} 'Dev1ce-S3cret-9'", "Dev1ce-S3cret-9"),
                     (f"# {word} Dev1ce-S3cret-9 Dev1ce-S3cret-9", "Dev1ce-S3cret-9")),
           negatives=(f"Configure the {word} first", f"mode {word}\n", f"{word} $PSK",
                      f"add auth-method={word} peer=hq"))
      for word in ("psksecret", "pre-shared-secret", "pre-shared-key", "plaintext-password", "md5-key", "key-string",
                   "bind-pw", "shared-secret", "auth-key", "bind-password", "wpa-passphrase")),
    # The same with more of the command after the value: SNMPv3 users (PAN-OS `authpwd A privpwd B`, Check Point
    # `auth-pass-phrase A … privacy-pass-phrase B`, ArubaOS-CX `auth-pass plaintext A priv aes …`), ScreenOS'
    # `preshare "…" sec-level standard`.
    *(Rule("password", word + r"(?<![\w=-]" + word + r")(?<!sentinel[ \t]" + word + r")"
           r"(?:[ \t]+(?:plaintext|ciphertext))?" + _NEXT_VALUE,
           needs=word, extract=_device_value, remember=True,
           examples=((f"x {word} Dev1ce-S3cret-9 y z", "Dev1ce-S3cret-9"),
                     (f'x {word} "Dev1ce S3cret"', "Dev1ce S3cret")),
           negatives=(f"Configure the {word} first", f"x {word} $PSK y", f"x-{word} Dev1ce-S3cret-9"))
      for word in ("authpwd", "privpwd", "auth-pass-phrase", "privacy-pass-phrase", "auth-pass", "priv-pass",
                   "preshare")),
    # An encoding modifier between a secret word and its value: FortiOS `set password ENC <base64>`, Huawei VRP
    # `password irreversible-cipher …`/`shared-key cipher %^%#…`, Junos `pre-shared-key ascii-text "…"`, ArubaOS
    # `password manager user-name "admin" plaintext "…"`.
    *(Rule("password", modifier + _LAST_VALUE, needs=modifier, extract=_encoded_value, remember=True,
           examples=((f"password{modifier} Dev1ce-S3cret-9", "Dev1ce-S3cret-9"),),
           negatives=(f"the{modifier} suite is weak", f"password{modifier} $PW"))
      for modifier in (" ENC", " cipher", " irreversible-cipher", " ascii-text", " plaintext", " ciphertext")),
    # A RADIUS or TACACS+ server's shared secret: IOS/EOS `tacacs-server host H key 7 <hex>`, ArubaOS
    # `radius-server host H key "…"`, Junos `set system radius-server H secret "…"`.
    Rule("password", r"-server[ \t][^\r\n]{0,200}?[ \t](?:key|secret)(?:[ \t]+(?:[0-9]|plaintext|ciphertext))?"
         + _VALUE_WORD + r"(?:[ \t]+vrf[ \t]+[\w-]{1,32})?" + _LINE_END,
         needs="-server", extract=_radius_key, remember=True,
         examples=(("tacacs-server host 10.0.0.50 key 7 070C285F4D06485744", "070C285F4D06485744"),
                   ("radius-server host 10.0.0.5 key plaintext Cx-Rad1us-K3y vrf mgmt", "Cx-Rad1us-K3y"),
                   ("WG(config)#auth-server radius primary server-ip 10.0.0.5 secret Wg-Rad-S3c", "Wg-Rad-S3c"),
                   ('radius-server host 10.0.0.60 key "Rad1us-Sw-Key"', "Rad1us-Sw-Key"),
                   ('set system radius-server 10.0.0.60 secret "Srx-Rad1us-Sec"', "Srx-Rad1us-Sec")),
         negatives=("radius-server host 10.0.0.60 key $KEY", "ntp-server pool.example.org key 5",
                    "radius-server host 10.0.0.60 auth-port 1812")),
    # An indented `key [0|7] VALUE` in a RADIUS/TACACS+ server block: IOS-XE `radius server ISE1` then ` key 0 …`,
    # Aruba Instant `wlan auth-server NPS1` then ` key …`.
    Rule("password", r"key(?<=[ \t]key)(?:[ \t]+[07])?" + _LAST_VALUE, needs="key", extract=_block_key, remember=True,
         examples=(("radius server ISE1\n address ipv4 10.0.0.30 auth-port 1812\n key 0 Ios-Ise-K3y", "Ios-Ise-K3y"),
                   ("wlan auth-server NPS1\n ip 10.0.0.5\n key Ar0ba-Nps-K3y\n", "Ar0ba-Nps-K3y")),
         negatives=("crypto key generate rsa\n key 2048", "interface Gi1\n key Not-A-K3y-Here",
                    "radius server ISE1\n key $KEY",
                    "radius server ISE1\n address ipv4 10.0.0.30 key Dev1ce-S3cret-9")),
    # Cisco WLCs type the value: AireOS/IOS-XE `security wpa akm psk set-key ascii [0] PSK [WLAN]`, AireOS
    # `config radius auth add INDEX IP PORT ascii SECRET`; AireOS `config mgmtuser add NAME PASSWORD read-write`.
    *(Rule("password", prefix + r"[ \t]+(?:ascii|hex)(?:[ \t]+[07])?" + _NEXT_VALUE, needs=needs,
           extract=_device_value, remember=True, examples=((example, "Wlc-Sec-Val9"),),
           negatives=(example.replace("Wlc-Sec-Val9", "<key>"), example.replace(" ascii", "")))
      for prefix, needs, example in (
          ("set-key", "set-key", "config wlan security wpa akm psk set-key ascii Wlc-Sec-Val9 3"),
          (r"radius[ \t]+(?:auth|acct)[ \t]+add[ \t]+\d{1,2}[ \t]+\S{1,64}[ \t]+\d{1,5}", "radius",
           "config radius auth add 1 10.0.0.5 1812 ascii Wlc-Sec-Val9"))),
    Rule("password", r"mgmtuser[ \t]+(?:add|password)[ \t]+\S{1,64}" + _NEXT_VALUE, needs="mgmtuser",
         extract=_device_value, remember=True,
         examples=(("config mgmtuser add netops Wlc-Mgmt-Pw9 read-write", "Wlc-Mgmt-Pw9"),
                   ("config mgmtuser password netops Wlc-Mgmt-Pw9", "Wlc-Mgmt-Pw9")),
         negatives=("config mgmtuser add <username> <password> read-write", "show mgmtuser")),
    # RADIUS and TACACS+ servers' own configurations: radsecproxy's `secret VALUE` in a `client`/`server` block,
    # tac_plus-ng's `key = VALUE` in a `device`/`host` block, and tac_plus's top-level `key = VALUE`.
    *(Rule("password", pattern + _LAST_VALUE, needs=needs, extract=_aaa_block_value, remember=True,
           examples=examples, negatives=negatives)
      for pattern, needs, examples, negatives in (
          (r"secret(?<=[ \t]secret)", "secret",
           (("client 192.0.2.0/24 {\n    type udp\n    secret Rs3cPr0xy-Udp\n}\n", "Rs3cPr0xy-Udp"),),
           ("client 192.0.2.0/24 {\n    secret $RADSEC_SECRET\n}", "realm example {\n    secret Rs3cPr0xy-Udp\n}",
            "The client's\n  secret Rs3cPr0xy-Udp")),
          (r"key(?<![\w-]key)[ \t]*=", "key",
           (('key = "T4cPlus-K3y!92"\nuser = alice {\n    login = PAM\n}\n', "T4cPlus-K3y!92"),
            ('id = tac_plus-ng {\n    device world {\n        address = 0.0.0.0/0\n        key = "Ng-Dev1ce-48"\n',
             "Ng-Dev1ce-48")),
           ('[s3]\nkey = "backups/2024/db.tar.gz"\n', 'key = "Ng-Dev1ce-48"\n',
            "user = alice {\n    key = $TACACS_KEY\n}")))),
    # tac_plus's user passwords, a method then the value (`login = cleartext "…"`, `enable = des HASH`,
    # `pap = cleartext …`), and tac_plus-ng's `password login = clear …` / `password pap = crypt …`.
    *(Rule("password", method + rf"(?<==[ \t]{method})" + _LAST_VALUE, needs=method, remember=True,
           extract=_after_line_prefix(r"[ \t]*(?:password(?:[ \t]+(?:login|pap|chap|ms-chap))?|login|enable|pap|chap"
                                      r"|arap|opap|ms-chap)[ \t]*=[ \t]"),
           examples=((f"user = bob {{\n    login = {method} Tac-Us3r-Pw9\n}}", "Tac-Us3r-Pw9"),
                     (f'    password login = {method} "Tac Us3r Pw9"', "Tac Us3r Pw9")),
           negatives=(f"cipher = {method} Tac-Us3r-Pw9", f"login = {method} $TACACS_PW"))
      for method in ("cleartext", "clear", "des", "crypt")),
    # Jasmin's jcli: `> password VALUE` while adding a user or an SMPP connector (the prompt, then the key).
    Rule("password", r"password(?<=> password)" + _LAST_VALUE, needs="> password", remember=True,
         extract=_after_line_prefix(r"> "),
         examples=(("jcli : user -a\n> username foo\n> password Jz4v-Bn8q\n> ok\n", "Jz4v-Bn8q"),),
         negatives=("> password reset", "> The password Jz4v-Bn8q was", "> password $SMPP_PW")),
    # A mobile subscriber's 128-bit K and OP/OPc (hex), beside an OPc (or UERANSIM's `opType`): Open5GS's `k`/`opc`,
    # srsUE's `[usim]`, OAI's `opc=`, UERANSIM's `op:`, free5GC's `permanentKeyValue`/`opcValue`.
    *(Rule("secret", r"(?<![\w.-])[\"']?(?:k|ki|op|opc|opValue|opcValue|permanentKeyValue)[\"']?[ \t]*[:=][ \t]*[\"']?"
           r"(?P<v>[0-9A-Fa-f]{32})(?![0-9A-Za-z])", needs=needs, remember=True,
           examples=((f"[usim]\nmode = soft\n{needs} = OPC\nk    = D47A0E2B9C61F358A0D2E7B4C19F6A83\n",
                      "D47A0E2B9C61F358A0D2E7B4C19F6A83"),
                     (f'"{needs}": "x", "opcValue": "3D9A61E0B4C2F785A1D06E3B92C47F15"',
                      "3D9A61E0B4C2F785A1D06E3B92C47F15")),
           negatives=(f"{needs}: OPC\nk: 5\nop: add\nimsi: 001010123456780", f"{needs}\nk = 0123456789abcdef"))
      for needs in ("opc", "opType")),
    # The same keys as positional fields: `open5gs-dbctl add[_ue_with_apn|…] IMSI K OPC`, and srsEPC's user_db.csv
    # rows `NAME,AUTH,IMSI,K,op|opc,OP,AMF,SQN,…`.
    Rule("secret", r"open5gs-dbctl(?<![\w-]open5gs-dbctl)[ \t]+\w+[ \t]+\d{5,15}[ \t]+(?P<v1>[0-9A-Fa-f]{32})[ \t]+"
         r"(?P<v2>[0-9A-Fa-f]{32})(?![0-9A-Za-z])", needs="open5gs-dbctl", extract=_groups, remember=True,
         examples=(("./open5gs-dbctl add 999700000000001 7C1E2A94D05B38F6A1E04C7D2B93F856 "
                    "4F2B9D81C6E03A75B8D1F29460CE7A3B", "4F2B9D81C6E03A75B8D1F29460CE7A3B"),),
         negatives=("./open5gs-dbctl type 999700000000001 1", "open5gs-dbctl add IMSI KEY OPC")),
    Rule("secret", r",op(?<=\d,(?P<v1>[0-9A-Fa-f]{32}),op)c?,(?P<v2>[0-9A-Fa-f]{32}),", needs=",op", extract=_groups,
         remember=True,
         examples=(("ue1,mil,001010123456780,6A3F0D9B2C47E18A5D0B3F6C92E417D8,opc,B1E7C40A9D253F68E0A4C7B19D52E36F,"
                    "8000,000000001234,7,dynamic", "6A3F0D9B2C47E18A5D0B3F6C92E417D8"),),
         negatives=("ue1,mil,001010123456780,KEY,opc,OPC,8000", "id,op,count\n7,opc,12")),
    # radtest's shared secret: `radtest [-t METHOD] USER PASSWORD SERVER[:PORT] NAS-PORT SECRET [...]`.
    Rule("password", r"radtest(?<![\w-]radtest)(?:[ \t]+-[46x]|[ \t]+-[tP][ \t]+\S+)*(?:[ \t]+\S+){3}[ \t]+\d{1,5}"
         + _NEXT_VALUE, needs="radtest", extract=_device_value, remember=True,
         examples=(("$ radtest -t mschap alice 'Al1ce-Pw9!' 10.20.0.5:1812 0 Xk29fjQ0shVe", "Xk29fjQ0shVe"),),
         negatives=("radtest alice pw 127.0.0.1 0 $SECRET", "radtest USER PASSWORD SERVER 0 secret")),
    # OpenWrt UCI: `option NAME 'VALUE'`.
    Rule("password", r"option[ \t]+(?P<k>[A-Za-z_][\w-]{0,40})" + _LAST_VALUE, needs="option", extract=_uci_option,
         remember=True,
         examples=(("config wifi-iface 'ap'\n\toption encryption 'psk2'\n\toption key 'UciW1fi-Pass22'",
                    "UciW1fi-Pass22"),
                   ("\toption password 'Pppoe-Isp-Pw'", "Pppoe-Isp-Pw")),
         negatives=("\toption encryption 'psk2'", "\toption username 'isp-user-4471'", "use option key 'x' here")),
    # OpenVPN's inline `<auth-user-pass>` block: the user name line, then the password line.
    Rule("password", r"<auth-user-pass>\r?\n[^\r\n<]{1,256}\r?\n(?P<v>[^\r\n<]{1,256})\r?\n</auth-user-pass>",
         needs="<auth-user-pass>", extract=_bundler_credentials, remember=True,
         examples=(("<auth-user-pass>\nvpnuser\nVpnInl1nePw\n</auth-user-pass>", "VpnInl1nePw"),),
         negatives=("auth-user-pass creds.txt", "<auth-user-pass>\n</auth-user-pass>")),
    # strongSwan/Libreswan `ipsec.secrets(5)`: `[selectors] : PSK "secret"`, `: EAP|XAUTH|NTLM "secret"` (also `0x`
    # hex and `0s` base64 values); a colon before it on the line.
    *(Rule("password", word + r"(?<![\w-]" + word + r")[ \t]+(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})'"
           r"|(?P<v3>0[xs][A-Za-z0-9+/=]{8,512}))", needs=word, extract=_ipsec_secret, remember=True,
           examples=((f': {word} "Ips3cPr3Shared"', "Ips3cPr3Shared"),
                     (f"carol : {word} 0x3f9a1c0d7e5b2a8c", "0x3f9a1c0d7e5b2a8c")),
           negatives=(f'{word} "not a secrets file"', f": {word} %prompt"))
      for word in ("PSK", "EAP", "XAUTH", "NTLM")),
    # The ssh.com / RFC 4716 private key file (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`): its lines to the END.
    Rule("private_key", r"---- BEGIN SSH2 (?:ENCRYPTED )?PRIVATE KEY ----\r?\n(?P<v>[\s\S]{1,16384}?)\r?\n"
         r"---- END SSH2 (?:ENCRYPTED )?PRIVATE KEY ----", needs="---- BEGIN SSH2",
         examples=(("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"rsa\"\n"
                    "P2/56wAAA+4AAAA3aWYtbW9kbntzaWdue3Jz\n---- END SSH2 ENCRYPTED PRIVATE KEY ----",
                    "P2/56wAAA+4AAAA3aWYtbW9kbntzaWdue3Jz"),),
         negatives=("---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3NzaC1yc2EAAAADAQAB\n---- END SSH2 PUBLIC KEY ----",)),
    # Node's fallback for an environment variable: `process.env.DB_PASSWORD || 'secret'` (also `??`).
    Rule("secret", r"process\.env\.(?P<k>[A-Za-z_]\w{0,80})[ \t]*(?:\|\||\?\?)[ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})'|`(?P<v3>[^`\r\n$]{1,256})`)",
         needs="process.env.", extract=_keyed_value, remember=True,
         examples=(("const pw = process.env.DB_PASSWORD || 'N0deFallb4ck';", "N0deFallb4ck"),),
         negatives=("const port = process.env.PORT || '3000';", "const pw = process.env.DB_PASSWORD || '';")),
    # Go's MySQL driver DSN `user:password@tcp(host:port)/db` (also `unix(`), as `sql.Open` takes it.
    Rule("password", r"[\w.-]{1,64}:(?P<v>[^\s:@\"'/]{1,128})@(?:tcp|unix)\(", needs="@tcp(",
         extract=_bundler_credentials, remember=True,
         examples=(('db, err := sql.Open("mysql", "app:G0DsnPw42@tcp(127.0.0.1:3306)/shop")', "G0DsnPw42"),),
         negatives=('sql.Open("mysql", "app@tcp(127.0.0.1:3306)/shop")',)),
    # Concourse's local users, `--add-local-user NAME:PASSWORD` and `CONCOURSE_ADD_LOCAL_USER` (env or YAML).
    Rule("password", r"add-local-user" + _LOCAL_USER_PAIR, needs="add-local-user", extract=_bundler_credentials,
         remember=True,
         examples=(("concourse web \\\n  --add-local-user admin:C0nc-Adm1n \\\n  --main-team-local-user admin",
                    "C0nc-Adm1n"),),
         negatives=("concourse web --add-local-user admin:${ADMIN_PASSWORD}", "--main-team-local-user admin")),
    Rule("password", r"ADD_LOCAL_USER" + _LOCAL_USER_PAIR, needs="ADD_LOCAL_USER", extract=_bundler_credentials,
         remember=True,
         examples=(("      CONCOURSE_ADD_LOCAL_USER: ci:Fly-L0cal9", "Fly-L0cal9"),
                   ("CONCOURSE_ADD_LOCAL_USER=test:t3st-Pw", "t3st-Pw")),
         negatives=("CONCOURSE_ADD_LOCAL_USER: ${LOCAL_USERS}", "CONCOURSE_MAIN_TEAM_LOCAL_USER: ci")),
    # Bamboo's remote agent installer: `java -jar atlassian-bamboo-agent-installer-*.jar URL/agentServer/ -t TOKEN`.
    Rule("secret", r"agentServer/?[\"']?[ \t]+-t[ \t]+[\"']?(?P<v>[A-Za-z0-9_-]{20,128})", needs="agentServer",
         extract=_bundler_credentials, remember=True,
         examples=(("java -jar atlassian-bamboo-agent-installer-9.6.2.jar https://ci.example.com/agentServer/ "
                    "-t 3b1f9c2e7a4d8065f1e2c3b4a5d6e7f8091a2b3c", "3b1f9c2e7a4d8065f1e2c3b4a5d6e7f8091a2b3c"),),
         negatives=("java -jar atlassian-bamboo-agent-installer-9.6.2.jar https://ci.example.com/agentServer/",)),
    # HAProxy: `stats auth user:password` and a userlist's `user NAME insecure-password PASSWORD`.
    Rule("password", r"stats auth[ \t]+[^\s:]{1,64}:(?P<v>\S{1,256})", needs="stats auth",
         extract=_bundler_credentials, remember=True,
         examples=(("listen stats\n    stats auth admin:H4proxyStats", "H4proxyStats"),),
         negatives=("    stats auth admin:${STATS_PASSWORD}", "stats auth required")),
    # The signature of a signed URL's query (`&sig=`: an Azure SAS token's, as azcopy, Storage Explorer and connection
    # strings carry it), percent-escapes included: the value-shape rules stop at the first `%`.
    Rule("secret", r"sig=(?<=[?&;]sig=)(?P<v>(?:[A-Za-z0-9+/_-]|%[0-9A-Fa-f]{2}){30,256})", needs="sig=",
         extract=_percent_encoded, remember=True,
         examples=(("https://acme.blob.core.windows.net/raw?sv=2022-11-02&sp=rl&sig=Jk3%2BqW8rT5yZ1xV7nM4bL0cD9fG2hA6sE"
                    "%2FuP3oI8kR4%3D", "Jk3%2BqW8rT5yZ1xV7nM4bL0cD9fG2hA6sE%2FuP3oI8kR4%3D"),),
         negatives=("https://acme.blob.core.windows.net/raw?sv=2022-11-02&sp=rl&sig=${SAS_SIG}",
                    "GET /api/verify?sig=ab12&id=42", "kill -s SIGTERM 1; trap 'x' sig=TERM")),
    # The same for the long name: `&Signature=` of a query-signed URL (Mozscape v1's `AccessID=…&Expires=…&Signature=`,
    # S3's query-string authentication v2, CloudFront signed URLs), a base64 HMAC or RSA signature, percent-escapes
    # included (the key rule stops at the first `%`).
    Rule("secret", r"Signature=(?<=[?&;]Signature=)(?P<v>(?:[A-Za-z0-9+/_~-]|%[0-9A-Fa-f]{2}){24,1024})",
         needs="Signature=", extract=_percent_encoded, remember=True,
         examples=(("http://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2F?Cols=4&AccessID=mozscape-1a2b3c4d5e"
                    "&Expires=1733563500&Signature=%2Bq7Wz2Lk9Xp%2FmR4tV8nB1cD6s%3D",
                    "%2Bq7Wz2Lk9Xp%2FmR4tV8nB1cD6s%3D"),
                   ("https://d111111abcdef8.cloudfront.net/v.mp4?Expires=1735689600&Signature=Xk2pQ9v~Lm4Rt7Wz1Nc8Bd5Fh3"
                    "Jg6Ys0Ua-Ie2Ko9Pl&Key-Pair-Id=K2JCJMDEHXQW5F", "Xk2pQ9v~Lm4Rt7Wz1Nc8Bd5Fh3Jg6Ys0Ua-Ie2Ko9Pl")),
         negatives=("https://bucket.s3.amazonaws.com/a.txt?AWSAccessKeyId=AKIDEXAMPLE&Expires=1&Signature=${SIG}",
                    "GET /docs?Signature=short&x=1", "X-Amz-SignedHeaders=host Signature=Verified")),
    # Lighthouse CI's `lhci wizard` (new project): `Use build token <uuid> to add data.` and `Use admin token <token>
    # to manage data. KEEP THIS SECRET!` (the build token uploads reports; the admin token edits and deletes them).
    Rule("token", r"Use (?:build|admin) token (?P<v>[A-Za-z0-9+/=_-]{16,128}) to (?:add|manage) data",
         needs=" data", extract=_bundler_credentials, remember=True,
         examples=(("Use build token 8f54032a-b7d0-4a88-b7d2-7d5369573098 to add data.",
                    "8f54032a-b7d0-4a88-b7d2-7d5369573098"),
                   ("Use admin token Zq7mR2xLp9Wt4Kb8Nc1Vd6Hs3Jf0Ga5YeU2iO7 to manage data. KEEP THIS SECRET!",
                    "Zq7mR2xLp9Wt4Kb8Nc1Vd6Hs3Jf0Ga5YeU2iO7")),
         negatives=("Use build token <token> to add data.", "Use the build token to add data to the project.")),
    # Screaming Frog SEO Spider's licence key (`~/.ScreamingFrogSEOSpider/licence.txt`: the user name on the first
    # line, the key on the second; the headless images write it with `echo`/`printf`): upper-case hex, a 10-digit
    # number and upper-case hex joined by `-`, in a text that names the spider's directory.
    Rule("secret", r"(?:(?<![\w-])|(?<=\\n))[0-9A-F]{8,12}-[0-9]{9,11}-[0-9A-F]{8,12}(?![\w-]|\\[^n])",
         needs="ScreamingFrogSEOSpider",
         examples=(("$ cat ~/.ScreamingFrogSEOSpider/licence.txt\nacme-seo\n6A8988370D-1766627170-D386082CE6\n",
                    "6A8988370D-1766627170-D386082CE6"),
                   ("RUN printf 'acme-seo\\n97A7F78EC2-1762028257-2A81FE976C\\n' > "
                    "/root/.ScreamingFrogSEOSpider/licence.txt", "97A7F78EC2-1762028257-2A81FE976C")),
         negatives=("$ cat ~/.ScreamingFrogSEOSpider/licence.txt\nacme-seo\nPASTE-YOUR-LICENCE-KEY\n",
                    "ScreamingFrogSEOSpider crawl id 6A8988370D-1766627170-D386082CE6x")),
    # DataForSEO's REST clients with the login and API password as literals: Python `RestClient("login", "password")`
    # (two arguments, the first not a URL) and PHP `new RestClient($api_url, null, 'login', 'password')`.
    Rule("password", r"(?<![\w.])RestClient\((?:[ \t]*(?:\"(?![a-z]+:)[^\"\r\n]{1,128}\"|'(?![a-z]+:)[^'\r\n]{1,128}')"
         r"|[^,()\r\n]{1,256},[ \t]*null[ \t]*,[ \t]*" + _STR_ARG + r")"
         r"[ \t]*,[ \t]*(?:\"(?P<v1>[^\"\s]{8,128})\"|'(?P<v2>[^'\s]{8,128})')[ \t]*\)",
         needs="RestClient(", extract=_bundler_credentials, remember=True,
         examples=(('client = RestClient("seo@example.com", "e62ebc46d2b6999d")', "e62ebc46d2b6999d"),
                   ("$client = new RestClient($api_url, null, 'seo@example.com', 'b71c03e9a4f25d68');",
                    "b71c03e9a4f25d68")),
         negatives=('client = RestClient("https://api.example.com", "v2-stable")',
                    "client = RestClient(login, password)",
                    'client = RestClient("login", "password")')),
    # Revel Systems' REST API header `API-AUTHENTICATION: <API key>:<API secret>` (curl `-H`, a requests `headers` dict,
    # an HTTP/2 dump in lower case): the secret after the colon goes; the key before it identifies the account.
    *(Rule("secret", header + r"[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9]{16,64}:(?P<v>[A-Za-z0-9]{16,128})"
           r"(?![A-Za-z0-9])", needs=header, extract=_bundler_credentials, remember=True,
           examples=((f'curl -H "{header}: 3f9c1a7e5b2d4f608a1c3e5b7d9f1a2c:8e4b2d6f0a1c3e5b7d9f1a2c4e6b8d0f'
                      f'2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e1b" https://acme.revelup.com/resources/Order/',
                      "8e4b2d6f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e1b"),
                     (f"headers = {{'{header}': 'b71e4c2a9d3f4a8b85c61f0e7d2a3b94:Qx7Lm2Vp9Rt4Kc8Nw3Hs6Jd1Fb5Gz0Ya'}}",
                      "Qx7Lm2Vp9Rt4Kc8Nw3Hs6Jd1Fb5Gz0Ya")),
           negatives=(f"-H '{header}: {{api_key}}:{{api_secret}}'", f"{header}: $REVEL_KEY:$REVEL_SECRET",
                      f"send the {header} header with your key and secret"))
      for header in ("API-AUTHENTICATION", "api-authentication")),
    # A SAML assertion posted by the browser (`SAMLResponse=<base64>`, URL-encoded or not; `"SAMLResponse": "…"`): a
    # bearer credential for the service provider.
    Rule("secret", r"SAMLResponse(?:=|\"[ \t]*:[ \t]*\")(?P<v>[A-Za-z0-9+/=%]{40,100000})", needs="SAMLResponse",
         extract=_bundler_credentials,
         examples=(("SAMLResponse=PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM%2BPC9zYW1scDpSZXNwb25zZT4%3D&RelayState=%2F",
                    "PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM%2BPC9zYW1scDpSZXNwb25zZT4%3D"),),
         negatives=("the IdP posts SAMLResponse=... to the ACS URL",)),
    # WildFly/JBoss EAP Elytron's `credential-reference` with the password inline: XML `<credential-reference
    # clear-text="..."/>`, the CLI's `credential-reference={clear-text=...}`.
    Rule("password", r"credential-reference[^\r\n>}]{0,120}?clear-text[ \t]*=[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\""
         r"|'(?P<v2>[^'\r\n]{1,256})'|(?P<v3>[^\s\"',}>$][^\s\"',}>]{0,255}))", needs="clear-text",
         extract=_bundler_credentials, remember=True,
         examples=(('<key-store name="ks">\n  <credential-reference clear-text="Elytr0n-Ks9"/>', "Elytr0n-Ks9"),
                   ("/subsystem=elytron/credential-store=cs:add(path=cs.jceks, "
                    "credential-reference={clear-text=Cs-St0re9}, create=true)", "Cs-St0re9")),
         negatives=('<credential-reference store="cs" alias="db-password"/>',
                    "credential-reference={clear-text=${env.KS_PASSWORD}}")),
    # WebLogic Deploy Tooling models hold passwords in clear under `...Encrypted` attributes (`PasswordEncrypted:`,
    # `CredentialEncrypted:`, `PassPhraseEncrypted`), which the tool encrypts when it creates the domain.
    Rule("password", r"(?:Password|PassPhrase|(?<!Load)Credential)Encrypted[\"']?[ \t]*[:=][ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\""
         r"|'(?P<v2>[^'\r\n]{1,256})'|(?P<v3>[^\s\"'#]{1,256}))", needs="Encrypted", extract=_model_password,
         remember=True,
         examples=(("        JDBCDriverParams:\n            PasswordEncrypted: 'Wdt-Jdbc9'", "Wdt-Jdbc9"),),
         negatives=("PasswordEncrypted: '@@PROP:ds.password@@'",
                    "NodeManagerPasswordEncrypted: '@@PROP:nm.password@@'",
                    # systemd's `LoadCredentialEncrypted=NAME:PATH` names an encrypted credential's file
                    "LoadCredentialEncrypted=db-password:/etc/credstore.encrypted/db-password.cred")),
    # WebSphere's and Open Liberty's encoded passwords: `{xor}` is a reversible XOR, `{aes}` an AES encryption with a
    # default or configured key (`securityUtility encode`).
    *(Rule("password", re.escape(tag) + r"(?P<v>[A-Za-z0-9+/]{4,1024}={0,2})(?![A-Za-z0-9+/=])", needs=tag,
           extract=_bundler_credentials, remember=True,
           examples=((f"com.ibm.SOAP.loginPassword={tag}KD4sHjs/Mi0xbmtp", "KD4sHjs/Mi0xbmtp"),
                     (f'<dataSource><properties password="{tag}Lz4sLCgwLTs="/></dataSource>', "Lz4sLCgwLTs=")),
           negatives=(f"encode it with securityUtility to get {tag} output", f"password={tag}"))
      for tag in ("{xor}", "{aes}")),
    # A value encrypted or masked in `ENC(…)`: Jasypt's convention in Spring properties, ActiveMQ Artemis' masked
    # passwords (`admin = ENC(1024:…)`); whoever holds the key reads it.
    Rule("secret", r"ENC\((?P<v>[A-Za-z0-9+/=:_-]{16,1024})\)", needs="ENC(", extract=_bundler_credentials,
         remember=True,
         examples=(("spring.datasource.password=ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)",
                    "G6N718UuyPE5bHyWKyuLQSm02auQPUtm"),),
         negatives=("value = ENC(${KEY})", "ENC(short)")),
    # Plesk's stored passwords (`/etc/psa/.psa.shadow`, its database's password columns): `$AES-128-CBC$<base64
    # IV>$<base64 ciphertext>`, decrypted by the server's own key; the IV and ciphertext go.
    Rule("secret", r"\$AES-(?:128|192|256)-CBC\$(?P<v>[A-Za-z0-9+/]{8,64}={0,2}\$[A-Za-z0-9+/]{8,1024}={0,2})",
         needs="$AES-", remember=True,
         examples=(("$AES-128-CBC$Tm9uY2VGb3JQbGVzazE=$Q2lwaGVyVGV4dEZvclBsZXNr",
                    "Tm9uY2VGb3JQbGVzazE=$Q2lwaGVyVGV4dEZvclBsZXNr"),),
         negatives=("passwords are stored as $AES-128-CBC$<iv>$<ciphertext>", "cipher $AES-256-CBC$")),
    # A SOPS-encrypted value (`ENC[AES256_GCM,data:<base64>,iv:…,tag:…,type:str]`, in YAML, JSON, dotenv and INI
    # files): its ciphertext goes; the IV and tag are not secret, and the file's own `mac` is metadata.
    Rule("secret", r"ENC\[AES256_GCM,data:(?P<v>[A-Za-z0-9+/]{2,16384}={0,2}),iv:[A-Za-z0-9+/]{16,64}={0,2},"
         r"tag:[A-Za-z0-9+/]{16,64}={0,2},type:\w{1,16}\]", needs="ENC[AES256_GCM", extract=_sops_value,
         remember=True,
         examples=(("DB_PASSWORD: ENC[AES256_GCM,data:8mN2qXv4tA==,iv:Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M=,"
                    "tag:Lc1Hq2Lm9Vx4Zp8Tn3Yb6A==,type:str]", "8mN2qXv4tA=="),),
         negatives=("    mac: ENC[AES256_GCM,data:Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M=,"
                    "iv:Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M=,tag:Lc1Hq2Lm9Vx4Zp8Tn3Yb6A==,type:str]",
                    "values look like ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]")),
    # A Hiera eyaml value (`ENC[PKCS7,<base64>]`, `ENC[GPG,…]`), inline or folded over the indented lines of a block
    # scalar.
    Rule("secret", r"ENC\[(?:PKCS7|GPG),(?P<v>[A-Za-z0-9+/=]{16,16384}(?:\r?\n[ \t]+[A-Za-z0-9+/=]{1,16384}){0,256})\]",
         needs="ENC[", extract=_bundler_credentials, remember=True,
         examples=(("db::password: ENC[PKCS7,MIIBiQYJKoZIhvcNAQcDoIIBejCCAXYCAQAxggEhMIIBHQIBADAFMAACAQEw]",
                    "MIIBiQYJKoZIhvcNAQcDoIIBejCCAXYCAQAxggEhMIIBHQIBADAFMAACAQEw"),
                   ("smtp_password: >\n    ENC[PKCS7,MIIBiQYJKoZIhvcNAQcDoIIBejCC\n    AXYCAQAxggEhMIIBHQIBADAF]",
                    "MIIBiQYJKoZIhvcNAQcDoIIBejCC\n    AXYCAQAxggEhMIIBHQIBADAF")),
         negatives=("eyaml encrypt -s 'x' prints ENC[PKCS7,...]", "ENC[PKCS7,<ciphertext>]")),
    # A Pulumi stack file's `secure:` value: `v1:<nonce>:<ciphertext>` (passphrase provider), `AAABA…` (Pulumi Cloud).
    Rule("secret", r"secure[\"']?[ \t]*:[ \t]*[\"']?(?P<v>v1:[A-Za-z0-9+/]{8,64}={0,2}:[A-Za-z0-9+/]{4,16384}={0,2}"
         r"|AAABA[A-Za-z0-9+/]{16,16384}={0,2})(?![A-Za-z0-9+/=:])", needs="secure", remember=True,
         examples=(("  webapp:dbPassword:\n    secure: v1:hR8e5tYdtzk3HQ1I:3m2BvQ2k1n3Xzi3gYgRZ2cUZb0k1A4M=",
                    "v1:hR8e5tYdtzk3HQ1I:3m2BvQ2k1n3Xzi3gYgRZ2cUZb0k1A4M="),
                   ('"webapp:apiKey": {"secure": "AAABAHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7"}',
                    "AAABAHq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7")),
         negatives=("secure: true", "encryptionsalt: v1:Uzpx3w/eEGc=:v1:39jxUqTLvG96AS4r:WVUB1RJLH5lRC7/xKNzhgQ==")),
    # `pulumi config set [--secret] [--path] KEY VALUE`: without `--secret` the value is stored in clear text.
    Rule("secret", r"pulumi[ \t]+config[ \t]+set[ \t]+"
         r"(?P<f>(?:(?:-s|--stack|-C|--cwd)[ \t]+\S+[ \t]+|--?[a-z][\w-]*[ \t]+)*)(?:[\w-]+:)?"
         r"(?P<k>[\w.\[\]\"-]{1,128})[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\""
         r"|(?P<v3>[^\s'\"-][^\s'\"]{0,255}))", needs="pulumi", extract=_pulumi_config_set, remember=True,
         examples=(("$ pulumi config set webapp:redisPassword Pl9Redis-pw", "Pl9Redis-pw"),
                   ("pulumi config set --secret apiKey 'Hq2Lm9Vx4Zp8'", "Hq2Lm9Vx4Zp8")),
         negatives=("pulumi config set aws:region us-west-2", "pulumi config set --secret webapp:apiKey",
                    "pulumi config set webapp:dbPassword $DB_PASSWORD")),
    Rule("secret", r"@ByteArray\((?P<v>[^)\r\n]{4,1024})\)", needs="@ByteArray(", extract=_qt_byte_array,
         remember=True,
         examples=(('WebUI\\Password_PBKDF2="@ByteArray(Zx4nR2kLp9Qv==:hM3vK8tQ2nL6pR0w==)"',
                    "Zx4nR2kLp9Qv==:hM3vK8tQ2nL6pR0w=="),),
         negatives=('MainWindow\\geometry="@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3)"',)),
    # A terminal session pasted into a case: what a command that reads (or creates) a named secret printed on the lines
    # below it. The prompt ends with `$ `, with `]# ` (root's `[root@host dir]# ` on Red Hat-like systems) or `:DIR# `
    # (Debian's `root@host:/dir# `), with zsh's
    # `user@host dir % ` (macOS's default shell) or is PowerShell's `PS C:\path> `.
    *(Rule("secret", prompt + r"[ \t]+(?P<v>[^\r\n]{1,400})(?=\r?\n)", needs=needs,
           extract=_printed_secret, remember=True, examples=examples, negatives=negatives)
      for prompt, needs, examples, negatives in (
          (r"\$", "$ ", (("$ kubectl get secret admin -o jsonpath='{.data.password}' | base64 -d\nKt9vX2mQ7pLw\n$ ls",
                         "Kt9vX2mQ7pLw"),
                        ("$ etcdctl get /app/smtp_password\n/app/smtp_password\nEtcd-Smtp-Pw7\n", "Etcd-Smtp-Pw7"),
                        ("$ vault token create -field=token -policy=ci\nhvs.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5\n",
                         "hvs.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5"),
                        ("$ pass show mail/work\nPa55-St0re!q\nlogin: alice\n", "Pa55-St0re!q"),
                        ("$ gopass show web/git\nSecret: web/git\n\nG0pass-Pw7!\n", "G0pass-Pw7!"),
                        ("alice@ws:~$ secret-tool lookup service restic\nL1bsecr3t-Pw\n", "L1bsecr3t-Pw"),
                        ("$ nmcli -s -g 802-11-wireless-security.psk connection show Home\nMaple-4412-sunny\n",
                         "Maple-4412-sunny"),
                        ("$ mvn --encrypt-password 'Dv4#rTq8nLx2'\n{COQLCE6DU6GtcS5P=}\n", "COQLCE6DU6GtcS5P="),
                        ("$ jf config export acme\neyJ2ZXJzaW9uIjoyLCJ1cmwiOiJodHRwczovL2FjbWUifQ==\n",
                         "eyJ2ZXJzaW9uIjoyLCJ1cmwiOiJodHRwczovL2FjbWUifQ=="),
                        ("$ cat ~/.irods/.irodsA\n+Kq2&mW9/zL4_e\n", "+Kq2&mW9/zL4_e"),
                        ("$ cat /root/.ldap_admin_pw\nLd4p-Adm1n-Pw\n$ ldapadd -x -y /root/.ldap_admin_pw -f u.ldif\n",
                         "Ld4p-Adm1n-Pw"),
                        ("~/app$ printenv SESSION_SECRET\nb7f3e1a9c4d2\n", "b7f3e1a9c4d2"),
                        ("$ gh auth token\ngho_Lm2Vx9Rb7Nc3Pk6YdHs1Jf5GaQe7TnWq4Tz8\n",
                         "gho_Lm2Vx9Rb7Nc3Pk6YdHs1Jf5GaQe7TnWq4Tz8"),
                        ("$ coder login token\nRk7Lq2Vx9W-Nb3Hs6Jd1Fc5Yp0Ga2Te7\n", "Rk7Lq2Vx9W-Nb3Hs6Jd1Fc5Yp0Ga2Te7"),
                        ("$ keepassxc-cli show -a Password db.kdbx mail\nEnter password to unlock db.kdbx: \n"
                         "Kx2@vLm8Qw\n", "Kx2@vLm8Qw"),
                        ("$ cat /etc/sogo/sieve.creds\nsieveadmin:Sv7-Crd!q2\n", "Sv7-Crd!q2")),
           ("$ kubectl get secret -n app\nNAME   TYPE   DATA   AGE\n", "$ echo $PASSWORD\n\n",
            "$ grep -c password app.yml\n3\n", "$ ls\nsecrets-2024.tar\n",
            "$ printenv HOSTNAME\nws-7f3e1a9c4d2\n", "$ printenv SESSION_SECRET_FILE\n/run/secrets/session\n",
            "$ gh auth status\ngithub.com\n", "$ coder login token --help\nUSAGE:\n",
            "$ base64 Passwords.kdbx | head -1\nA9mimmf7S7UBAAQAAhAAAAAxwfLmv3FDUL5YBSFq\n",
            "$ kubectl create secret generic db --from-file=pw.txt\nsecret/db created\n",
            "$ oc create secret generic app \\\n    --from-literal=key=value\n", "$ pass ls\nmail/work-2024\n",
            "$ printf 'host=git.example.com\\n' | git credential fill\nusername=alice-dev\n",
            "$ cat ~/.cargo/credentials.toml\n[registries.kellnr]\n",
            "$ cat ~/.m2/credentials.xml\n<id>nexus-2</id>\n", "$ cat /etc/pwdb.conf\nmode=strict\n",
            "$ cat /etc/sogo/sieve.creds\nsieveadmin:changeme\n", "$ get_credentials --url\nhttps://vault.lan:8200\n",
            "$ EDITOR=cat bin/rails credentials:show --environment production\ndoordash:\n  key_id: 4c1d\n",
            "$ curl -H 'X-API-Key: $PORTAINER_KEY' https://portainer.lan/api/endpoints | jq '.[].Name'\n"
            '"local"\n"pi-cluster"\n',
            "$ curl -s -u \"$RANCHER_TOKEN\" https://rancher.example.com/v3/clusters | jq -r '.data[].name'\n"
            "prod-east\n",
            '$ curl "https://eu1-merry-cat-31542.upstash.io/get/session?_token=$UPSTASH_TOKEN"\n{"result":"active"}\n')),
          (r"\]#", "]# ", (("[root@srv ~]# plesk bin secret_key --create -ip-address 203.0.113.25\n"
                          "b71e4c2a-9d3f-4a8b-85c6-1f0e7d2a3b94\n", "b71e4c2a-9d3f-4a8b-85c6-1f0e7d2a3b94"),),
           ("[root@srv ~]# cat /etc/hostname\nsrv.example.com\n", "[root@srv ~]# grep -c secret /etc/app.conf\n3\n")),
          (r"#(?<=[\w~/]#)", "# ", (("root@rd:/opt/rustdesk# cat id_ed25519\nm3Qx8Vt2LpZr5Nw9Yc4Kb7Hd1Fs6Gj0Ta2Ue8"
                                   "Wi3Oo5u5Ee+l+Pw5nMsrFdHDYH/jfmKqY8VqVn8e0NFhDrPxJc7CA==\n",
                                   "m3Qx8Vt2LpZr5Nw9Yc4Kb7Hd1Fs6Gj0Ta2Ue8Wi3Oo5u5Ee+l+Pw5nMsrFdHDYH/jfmKqY8VqVn8e0NFhDrPxJc7CA=="),),
           ("root@rd:/opt/rustdesk# cat id_ed25519.pub\nOeVuKk5nlHiXp+APNn0Y3pC1Iwpwn44JGqrQCsWqmBw=\n",
            "x = 1  # cat the token\nKq2Lm9Vx4Zp8Tn3Yb6\n", "step2# cat token.txt\nKq2Lm9Vx4Zp8Tn3Yb6\n")),
          (r"(?<![^\n])[\w.-]{1,64}@[\w.-]{1,64} [^\s%]{1,200} %", " % ",
           (("jdoe@mbp ~ % security find-generic-password -s backup -w\nrT4#kw9Lq2vX\n", "rT4#kw9Lq2vX"),
            ('jdoe@mbp ~ % security find-generic-password -wa "Office-5G"\nSunflower-2871\n', "Sunflower-2871")),
           ("jdoe@mbp ~ % security find-generic-password -s vpn\nkeychain-db-2024\n",
            "load 50 % show token\nok-12345\n")),
          (r"PS [A-Za-z]:\\[^>\r\n]{0,200}>", "PS ",
           (("PS C:\\> $cred.GetNetworkCredential().Password\nBk2#vQ9mLx7Tz\n", "Bk2#vQ9mLx7Tz"),
            ("PS C:\\Users\\ops> Get-Secret -Name Sql -Vault Local -AsPlainText\nSq1-Adm1n!Lq8\n", "Sq1-Adm1n!Lq8")),
           ("PS C:\\> $cred.UserName\nsvc-backup01\n",
            "PS C:\\> Get-Secret -Name Sql\nSystem.Security.SecureString\n")))),
    # zmprov's attribute/value pairs: a Zimbra attribute named for a password (`zimbraAuthLdapSearchBindPassword`,
    # `zimbraGalLdapBindPassword`, `zimbraDataSourcePassword`) followed by a blank and its value, as `zmprov md|mcf|ms
    # …` takes them; not another attribute's name (`zmprov gd DOMAIN zimbraAuthLdapSearchBindPassword zimbraAuthMech`
    # lists attributes to print).
    Rule("password", r"zimbra(?<![\w-]zimbra)[A-Za-z]{0,64}Password[ \t]+"
         r"(?![\"']?(?:zimbra|-)|[a-z]{1,32}(?:[\s.,;:]|\Z))" + _ARG_VALUE
         + r"(?=[ \t]|\r?\n|\Z)", needs="zimbra", extract=_bundler_credentials, remember=True,
         examples=(("zmprov md example.com zimbraAuthLdapSearchBindPassword 'Zb1nd-Pw!9' zimbraAuthMech ldap",
                    "Zb1nd-Pw!9"),
                   ("  zimbraGalLdapBindPassword Gl4l-Bnd7 \\\n  zimbraGalMode ldap", "Gl4l-Bnd7")),
         negatives=("zmprov gd example.com zimbraAuthLdapSearchBindPassword zimbraAuthMech",
                    'zmprov md example.com zimbraAuthLdapSearchBindPassword "$AD_BIND_PW"',
                    "zimbraAuthLdapSearchBindPassword is set per domain.", "zimbraPasswordMinLength 8")),
    # The Axigen CLI (telnet to port 7000): the login's `<password> VALUE` echo, and a `password`/`postmasterPassword`
    # argument of a command typed at its `<context#>` prompt (`CREATE Domain name D … postmasterPassword PW`, `ADD
    # Account name U password PW`, `SET password PW`).
    Rule("password", r"<password>(?<![^\n]<password>)[ \t]+(?:'(?P<v1>[^'\r\n<]{1,256})'|\"(?P<v2>[^\"\r\n<]{1,256})\""
         r"|(?P<v3>[^\s\"'<]{1,256}))" + _LINE_END, needs="<password> ",
         extract=_bundler_credentials, remember=True,
         examples=(("<login> user admin\n<password> Ax-Adm1n!9\n+OK: Authentication successful", "Ax-Adm1n!9"),),
         negatives=("<password> hunter</password>", "<password>\n", "<password> $AXIGEN_ADMIN_PW\n")),
    Rule("password", r"<(?<![^\n]<)[A-Za-z-]{0,32}#>[ \t]+[^\r\n]*?[ \t](?i:(?:postmaster)?password)[ \t]+"
         r"(?![a-z]{1,32}(?:[\s.,;:]|\Z))" + _ARG_VALUE + r"(?=[ \t]|\r?\n|\Z)", needs="#> ",
         extract=_bundler_credentials, remember=True,
         examples=(("<#> CREATE Domain name example.org domainLocation /var/opt/axigen/domains/example.org "
                    "postmasterPassword Pm4-Ax!q9", "Pm4-Ax!q9"),
                   ("<domain#> ADD Account name ana password 'An4-Ax!q2'", "An4-Ax!q2"),
                   ("<account#> SET password Ac7-Ax-pw", "Ac7-Ax-pw")),
         negatives=("<domain#> ADD Account name ana password $ANA_PW", "<#> SHOW Domain name example.org",
                    "<account#> SET passwordPolicy strict", "# password rotation> runs nightly",
                    "<#> HELP password reset")),
    # Tasmota's console commands that set a password (`Password1`-`Password5` for Wi-Fi, `MqttPassword`, `WebPassword`):
    # `Command value`, several in a `Backlog` separated by `;`, as typed in its console or shown in its log (`CMD: …`).
    # `0` and `1` clear a password or reset it to the firmware's default.
    Rule("password", r"Password(?:[1-5]|(?<=MqttPassword)|(?<=WebPassword))[ \t]+"
         r"(?P<v>(?![01](?:[;\s]|\Z))[^;\s]{1,64})", needs="Password", extract=_tasmota_command, remember=True,
         examples=(("17:02:11 CMD: Backlog SSID1 HomeIoT; Password1 W1fi-T4sm0ta!; MqttPassword mQtt-Tas-551",
                    "mQtt-Tas-551"), ("WebPassword Tw3b-Pw-2024", "Tw3b-Pw-2024")),
         negatives=("Backlog SSID1 HomeIoT; Password1 1", "Password1 is the first Wi-Fi network's password.",
                    "WebPassword 0", "SetPassword1 Tw3b-Pw-2024")),
    # Protocol transcripts pasted from a session or a debug log: Redis `MONITOR` lines (`"AUTH" ["user"] "pw"`), SMTP
    # `AUTH PLAIN <base64 of \0user\0pw>` and the client's answer to `334 UGFzc3dvcmQ6` ("Password:") in `AUTH LOGIN`
    # (RFC 4954), FTP's and POP3's `PASS pw` after a `USER` line (RFC 959, RFC 1939), IMAP's `tag LOGIN user pw`
    # (RFC 3501).
    Rule("password", r'"AUTH"(?:[ \t]+"[^"\r\n]{1,128}")?[ \t]+"(?P<v>[^"\r\n]{1,256})"[ \t]*(?:\r?\n|\Z)',
         needs='"AUTH"', extract=_bundler_credentials, remember=True,
         examples=(('1728568536.123456 [0 10.0.0.5:51234] "AUTH" "R3disM0nitorPw"', "R3disM0nitorPw"),),
         negatives=('"GET" "AUTH" "x" "y" "z"',)),
    # `AUTH` inside `HELLO` and `MIGRATE` (see `_redis_quoted_auth`), and `CONFIG SET requirepass|masterauth`, in
    # `MONITOR` output.
    *(Rule("password", f'"{word}(?P<two>2)?"' + r'[ \t]+"(?P<a>[^"\r\n]{1,256})"(?:[ \t]+"(?P<b>[^"\r\n]{1,256})")?',
           needs=f'"{word}', extract=_redis_quoted_auth, remember=True,
           examples=(('1710168003.102344 [0 10.0.5.21:41022] "MIGRATE" "10.0.5.22" "6379" "" "0" "5000" "COPY" '
                      f'"{word}" "Migr8-Auth-pw" "KEYS" "session:901"', "Migr8-Auth-pw"),
                     (f'1710168100.000117 [0 10.0.5.30:52110] "HELLO" "3" "{word}" "worker" "W0rker-Hello9" '
                      '"SETNAME" "queue-worker-3"', "W0rker-Hello9"),
                     (f'"MIGRATE" "10.0.5.22" "6379" "" "0" "5000" "{word}2" "mover" "Migr8-Auth2-pw" "KEYS" "k1"',
                      "Migr8-Auth2-pw")),
           negatives=(f'"SET" "{word}" "x" "y" "z"', f'"HELLO" "3" "{word}" "worker" "$REDIS_PASSWORD"'))
      for word in ("AUTH", "auth")),
    *(Rule("password", f'"{word}"(?<=(?i:"set") "{word}")' + r'[ \t]+"(?P<v>[^"\r\n]{1,256})"',
           needs=f'"{word}"', extract=_bundler_credentials, remember=True,
           examples=((f'1710168001.448211 [0 127.0.0.1:50212] "CONFIG" "SET" "{word}" "Rq-Pass-2024x"',
                      "Rq-Pass-2024x"),),
           negatives=(f'"CONFIG" "GET" "{word}"', f'"CONFIG" "SET" "{word}" ""'))
      for word in ("requirepass", "masterauth", "REQUIREPASS", "MASTERAUTH")),
    *(Rule("password", word + r"(?<![\w-]" + word + ")", needs=word, extract=_acl_setuser, remember=True,
           examples=((f"ACL {word} reports on >Rep-Acl-Pw55 ~reports:* +get", "Rep-Acl-Pw55"),
                     (f'"ACL" "{word}" "reports" "on" ">Rep-Acl-Pw56" "~reports:*"', "Rep-Acl-Pw56"),
                     (f'   4) 1) "ACL"\n      2) "{word}"\n      3) "reports"\n      4) "on"\n'
                      '      5) ">Rep-Acl-Pw57"\n      6) "~reports:*"', "Rep-Acl-Pw57")),
           negatives=(f"ACL {word} reports on nopass ~* &* +@all", f"ACL {word} reports on #{'ab' * 32} ~*",
                      f"ACL {word} app on >$APP_PW ~*"))
      for word in ("SETUSER", "setuser")),
    # The same command typed in redis-cli (its history file, a pasted session): `AUTH [username] password` alone on its
    # line; a word-only value (`AUTH LOGIN`, an SMTP mechanism) is not taken.
    *(Rule("password", word + r"[ \t]+(?:[^\s\"'=][^\s\"']{0,63}[ \t]+)?(?P<v>[^\s]{1,256})[ \t]*(?=\r?\n|\Z)",
           needs=word, extract=_redis_auth, remember=True,
           examples=((f"{word} R3disCl1Pw\nKEYS *", "R3disCl1Pw"), (f"{word} default R3dis-acl-pw", "R3dis-acl-pw")),
           negatives=(f"S: 250-{word} LOGIN", f"{word} failed for user root", f"C: {word} LOGIN", f"{word} $REDIS_PW",
                      f'{word} "bsdtcp"', f"{word} = tweepy.OAuth1UserHandler(",  # code assigning `auth`
                      f'      {word} {{\n        type = "bearer"\n'))
      for word in ("AUTH", "auth")),
    # `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS …]` typed
    # in redis-cli (its history file) at a line's start or after its `host:port> ` prompt; an `AUTH` typed after `KEYS`
    # (which Redis would take for key names) is the same leak in a history.
    Rule("password", r"MIGRATE(?:(?<![^\n]MIGRATE)|(?<=> MIGRATE))(?:[ \t]+[^\s]{1,256}){5,40}?"
         r"[ \t]+AUTH(?:2[ \t]+[^\s]{1,64})?[ \t]+(?P<v>[^\s]{1,256})", needs="MIGRATE",
         extract=_bundler_credentials, remember=True,
         examples=(('MIGRATE 10.0.5.20 6379 "" 0 5000 KEYS s:1 s:2 AUTH2 mover Migr8-Typed-pw', "Migr8-Typed-pw"),
                   ("127.0.0.1:6379> MIGRATE 10.0.5.20 6379 job:7 0 5000 COPY AUTH Migr8-Auth-pw9", "Migr8-Auth-pw9")),
         negatives=('MIGRATE 10.0.5.20 6379 "" 0 5000 KEYS s:1 s:2', "MIGRATE 10.0.5.20 6379 k 0 5000 AUTH $REDIS_PW",
                    "Run MIGRATE 10.0.5.20 6379 k 0 5000 AUTH later")),
    # steamcmd's `+login USER PASSWORD [CODE]` (a script's unattended login): the word after the account name;
    # `+login anonymous` and `+login USER` (the password prompted for) have none.
    Rule("password", r"\+login[ \t]+(?!anonymous\b)[^\s+\"']{1,64}[ \t]+(?P<v>[^\s+$][^\s]{0,255})", needs="+login",
         remember=True,
         examples=(("steamcmd +force_install_dir /srv/game +login builder Vq7pL2xR9mKz +app_update 1007 +quit",
                    "Vq7pL2xR9mKz"),),
         negatives=("steamcmd +login anonymous +app_update 896660 validate +quit",
                    "steamcmd +login builder +app_update 1007 +quit", "steamcmd +login builder $STEAM_PASS +quit")),
    # Steam keys of 32 hex characters as dedicated servers take them: a game server login token (GSLT) in the Source
    # engine's `sv_setsteamaccount TOKEN` (a launch line's `+sv_setsteamaccount`, a server.cfg line) and LinuxGSM's
    # `gslt="TOKEN"`, and Garry's Mod's `-authkey KEY` (a Steam Web API key for Workshop collections).
    *(Rule("token", key + after + r"(?P<v>[0-9A-Fa-f]{32})(?![0-9A-Za-z])", needs=key, remember=True,
           examples=((example.replace("?", _GSLT), _GSLT),),
           negatives=tuple(example.replace("?", other) for other in ("$GSLT_TOKEN", "", _GSLT + "AB")))
      for key, after, example in (
          ("sv_setsteamaccount", r'[ \t]+"?', "./cs2 -dedicated +sv_setsteamaccount ? -port 27015"),
          ("-authkey", r"[ \t]+", "./srcds_run -game garrysmod -authkey ? +map gm_flatgrass"),
          ("gslt=", r"(?<![\w-]gslt=)[\"']?", 'maxplayers="16"\ngslt="?"\n'))),
    Rule("password", r"AUTH PLAIN[ \t]+(?P<v>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])", needs="AUTH PLAIN",
         extract=_sasl_plain, remember=True,
         examples=(("C: AUTH PLAIN AGFsZXJ0c0BleGFtcGxlLmNvbQBTbXRwUGw0aW5QdzE=",
                    "AGFsZXJ0c0BleGFtcGxlLmNvbQBTbXRwUGw0aW5QdzE="),),
         negatives=("S: 250-AUTH PLAIN LOGIN", "AUTH PLAIN mechanism enabled")),
    # The client's line may carry a transcript's direction marker: `C:` (debug logs), swaks' ` -> ` (` ~> ` inside TLS).
    Rule("password", r"334 UGFzc3dvcmQ6[ \t]*\r?\n[ \t]*(?:(?:C:|S:|->|~>)[ \t]*)?(?P<v>[A-Za-z0-9+/]{4,}={0,2})[ \t]*"
         r"(?:\r?\n|\Z)",
         needs="334 UGFzc3dvcmQ6", extract=_bundler_credentials, remember=True,
         examples=(("S: 334 UGFzc3dvcmQ6\nC: U210cEwwZ2luUHcy\nS: 235 2.7.0 ok", "U210cEwwZ2luUHcy"),
                   (" <-  334 UGFzc3dvcmQ6\n -> U3dha3NMMGdpblB3\n <-  235 2.0.0 ok", "U3dha3NMMGdpblB3"),
                   (" <~  334 UGFzc3dvcmQ6\n ~> VGxzU3dha3NQdzk=\n", "VGxzU3dha3NQdzk=")),
         negatives=("S: 334 UGFzc3dvcmQ6\nS: 535 failed", " <-  334 UGFzc3dvcmQ6\n -> *\n <-  501 cancelled")),
    # swaks' `-ap PASSWORD`, the documented short form of `--auth-password` (which the option rules take), on a swaks
    # command line; `-ap` with no value (swaks prompts) or a variable is left.
    Rule("password", r"swaks\b[^\n]{0,512}?[ \t]-ap[ \t]+(?P<q>['\"]?)(?P<v>(?![$-])[^\s'\"]{1,256})(?P=q)"
         r"(?=[ \t\\]|\r?\n|\Z)",
         needs="-ap ", remember=True,
         examples=(("swaks -t qa@example.com -s smtp.example.com:587 -a LOGIN -au relay -ap 'Sw4ks-Short-Pw' -tls",
                    "Sw4ks-Short-Pw"), ("swaks --to a@example.com -au relay -ap Sw4ksPw77 --tls", "Sw4ksPw77")),
         negatives=("swaks --to qa -au relay -ap --tls", 'swaks --to qa -au relay -ap "$SMTP_PW"',
                    "ls -ap /tmp")),
    # Mailpit's authentication lists, `user:password` pairs separated by spaces, in `MP_UI_AUTH`, `MP_SMTP_AUTH`,
    # `MP_POP3_AUTH` (env, compose) and the `--ui-auth` / `--smtp-auth` / `--pop3-auth` flags: the first user name is
    # kept, from its password to the list's end goes. The `_FILE` / `-file` variants name a file and are left.
    *(Rule("password", key + r"[ \t]*" + sep + r"[ \t]*[\"']?[^\s\"':$]{1,64}:"
           r"(?P<v>[^\s\"'$][^\s\"']{0,255}(?:[ \t]+[^\s\"':]{1,64}:[^\s\"']{1,256})*)", needs=needs, remember=True,
           examples=tuple((t.replace("?", "qa:Mp1t-Ui-pw8"), "Mp1t-Ui-pw8") for t in texts),
           negatives=(*(t.replace("?", v) for t in texts for v in ("${MP_UI_CREDS}", "qa:$MP_PW", "/data/auth")),
                      file_text))
      for key, sep, needs, texts, file_text in (
          (r"MP_(?:UI|SMTP|POP3)_AUTH", "[:=]", "_AUTH",
           ('    MP_UI_AUTH: "?"', "MP_SMTP_AUTH=? app2:Rt7cN5wE8yKp", "      - MP_POP3_AUTH=?"),
           "MP_UI_AUTH_FILE=/etc/mailpit/ui:auth"),
          (r"--(?:ui|smtp|pop3)-auth", "[ \t=]", "-auth",
           ("mailpit --ui-auth '?' --listen 0.0.0.0:8025", "mailpit --smtp-auth=? --smtp-auth-allow-insecure"),
           "mailpit --ui-auth-file /etc/mailpit/ui:auth"))),
    Rule("password", r"PASS[ \t]+(?P<v>[^\s]{1,256})[ \t]*(?=\r?\n|\Z)", needs="PASS", extract=_transcript_pass,
         remember=True,
         examples=(("USER backup\n331 Password required for backup\nPASS FtpS3ss10nPw\n230 ok", "FtpS3ss10nPw"),),
         negatives=("PASS  src/app.test.js", "--- PASS: TestLogin (0.00s)\nPASS\nok  example.com/app 0.01s")),
    Rule("password", r"LOGIN[ \t]+\S{1,128}[ \t]+(?P<v>\S{1,256})[ \t]*(?=\r?\n|\Z)", needs=" LOGIN ",
         extract=_transcript_login, remember=True,
         examples=(("* OK IMAP4rev1 Service Ready\na001 LOGIN alice Im4pL0g1nPw\na001 OK", "Im4pL0g1nPw"),),
         negatives=("2024-10-10 INFO user LOGIN alice ok", "a001 LOGIN alice {5}")),
    # Administration commands that take a password as an argument, per their manuals: `aws configure set KEY VALUE`,
    # `rabbitmqctl add_user NAME PASSWORD` / `change_password NAME PASSWORD`, `openssl passwd [-6] [-salt S] PASSWORD`,
    # FreeRDP's `/p:PASSWORD`.
    Rule("secret", r"aws configure set[ \t]+(?:--profile[ \t]+\S+[ \t]+)?(?P<k>[\w.]{1,80})[ \t]+"
         r"(?P<v3>[^\s'\"]{1,256})",
         needs="aws configure set", extract=_keyed_value, remember=True,
         examples=(("aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCY"),),
         negatives=("aws configure set region eu-west-1",)),
    Rule("password", r"rabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+\S+[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'"
         r"|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$-]\S{0,255}))", needs="rabbitmqctl",
         extract=_bundler_credentials, remember=True,
         examples=(("rabbitmqctl add_user admin R4bbitAddPw", "R4bbitAddPw"),
                   ("rabbitmqctl change_password admin 'R4bbit Chg'", "R4bbit Chg")),
         negatives=("rabbitmqctl add_user admin $PW", "rabbitmqctl list_users")),
    Rule("password", r"openssl[ \t]+passwd(?P<o>(?:[ \t]+-salt[ \t]+\S+|[ \t]+-\w+)*)[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'"
         r"|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$)<|-][^\s)]{0,255}))", needs="openssl passwd",
         extract=_openssl_passwd, remember=True,
         examples=(("useradd -p $(openssl passwd -1 Ssl9asswdPw) ops", "Ssl9asswdPw"),
                   ("openssl passwd -6 -salt xyz 'Sha5alted'", "Sha5alted")),
         negatives=("openssl passwd -1 -stdin < pw.txt", "openssl passwd -6 $PW")),
    Rule("password", r"/p:(?<=[ \t]/p:)(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>\S{1,256}))",
         needs=" /p:", extract=_freerdp, remember=True,
         examples=(("xfreerdp /u:admin /p:Fr33rdpPw /v:10.0.0.5", "Fr33rdpPw"),),
         negatives=("robocopy a b /p:x", "xfreerdp /u:admin /p:$PW /v:10.0.0.5")),
    # An `expect` script answering a password prompt: `expect "*password:*"` then `send "SECRET\r"`.
    Rule("password", r"send[ \t]+(?:--[ \t]+)?\"(?P<v>[^\"\r\n\\$\[]{1,256})(?:\\r|\\n)?\"", needs="send",
         extract=_expect_send, remember=True,
         examples=(('expect "password:"\nsend "Exp3ctSendPw\\r"', "Exp3ctSendPw"),),
         negatives=('expect "login:"\nsend "admin\\r"', 'expect "password:"\nsend "$pw\\r"')),
    # AutoHotkey v1's `RunAs, User, Password, Domain` command (a bare `RunAs` reverts it; `%var%` is a variable).
    Rule("password", r"RunAs,[ \t]*[^,\r\n]{1,64},[ \t]*(?P<v>[^,%\s][^,\r\n]{0,255}?)[ \t]*(?=[,\r\n]|\Z)",
         needs="RunAs,", extract=_bundler_credentials, remember=True,
         examples=(("RunAs, svc_install, Ahk#Run2022, CORP", "Ahk#Run2022"),),
         negatives=("RunAs, %user%, %pass%, CORP", "RunAs")),
    # .NET's SecureString filled from a literal one character at a time (`foreach (char c in "…") s.AppendChar(c)`).
    Rule("password", r"foreach[ \t]*\([ \t]*(?:char|var)[ \t]+\w{1,32}[ \t]+in[ \t]+\"(?P<v1>[^\"\r\n]{1,256})\""
         r"(?:\.ToCharArray\(\))?[ \t]*\)[ \t]*\{?[ \t\r\n]*\w{1,64}\.AppendChar\(", needs="foreach",
         extract=_bundler_credentials, remember=True,
         examples=(('foreach (char c in "S3cur3Str!ng") secure.AppendChar(c);', "S3cur3Str!ng"),),
         negatives=('foreach (char c in password) secure.AppendChar(c);', 'foreach (var c in "abc") sb.Append(c);')),
    # WinHttpRequest's `SetCredentials(UserName, Password, Flags)` (VBA and VBScript call it without parentheses).
    Rule("password", r"SetCredentials(?<=\.SetCredentials)[ \t]*\(?[ \t]*\"[^\"\r\n]{0,128}\"[ \t]*,[ \t]*"
         r"\"(?P<v1>[^\"\r\n]{1,256})\"", needs="SetCredentials", extract=_bundler_credentials, remember=True,
         examples=(('http.SetCredentials "CORP\\xlsvc", "W1nHttp!pw", 0', "W1nHttp!pw"),),
         negatives=("http.SetCredentials user, pass, 0",)),
    # CDO's SMTP password field, by its schema URL or its constant (`Fields(cdoSendPassword) = "…"`).
    *(Rule("password", word + r"\)(?:\.Value)?[ \t]*=[ \t]*\"(?P<v1>[^\"\r\n]{1,256})\"", needs=word,
           extract=_bundler_credentials, remember=True, examples=((f"{field}) = \"Cd0#Asp2k3\"", "Cd0#Asp2k3"),),
           negatives=(f"{field}) = pw",))
      for word, field in (('sendpassword"', 'cfg.Fields("http://schemas.microsoft.com/cdo/configuration/sendpassword"'),
                          ("cdoSendPassword", "cfg.Fields(cdoSendPassword"))),
    # Terraform: a variable named after a secret with a `default` (`variable "db_password" { default = "..." }`), also
    # as a one-line heredoc (`default = <<-EOF` / value / `EOF`).
    Rule("secret", r'variable[ \t]+"(?P<k>[\w-]{1,80})"[ \t]*\{[^{}]{0,600}?\bdefault[ \t]*=[ \t]*'
         r'(?:"(?P<v1>[^"\r\n]{1,256})"|<<-?(?P<t>[A-Za-z_]\w{0,20})[ \t]*\r?\n[ \t]*(?P<v2>\S[^\r\n]{0,255}?)[ \t]*'
         r'\r?\n[ \t]*(?P=t)\b)',
         needs='variable "', extract=_keyed_value, remember=True,
         examples=(('variable "db_password" {\n  type    = string\n  default = "Tf9VarDefault"\n}', "Tf9VarDefault"),
                   ('variable "admin_password" {\n  default = <<-EOF\n    Tf9H3redoc\n  EOF\n}', "Tf9H3redoc")),

         negatives=('variable "region" {\n  default = "eu-west-1"\n}', 'variable "db_password" {\n  default = ""\n}')),
    # Docker Compose escapes `$` as `$$`: crypt hashes written that way (`admin:$$apr1$$H6uskkkW$$IgXL...` in a Traefik
    # basic-auth label).
    Rule("password_hash", r"\$\$(?:apr1|2[abxy]|1|5|6|y)\$\$[./A-Za-z0-9$]{8,}", needs="$$",
         examples=(("basicauth.users=admin:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/",
                    "$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/"),),
         negatives=("echo $$ and $$1 are shell variables",)),
    # HTTP Basic credentials wherever they are written (an nginx `proxy_set_header`, a curl `-H`, a log): base64 of
    # `user:password` after `Basic `.
    Rule("password", r"Basic[ \t]+(?P<v>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])", needs="Basic ",
         extract=_basic_credentials, remember=True,
         examples=(('proxy_set_header Authorization "Basic YWRtaW46TmdpbnhQcm94eVB3";', "YWRtaW46TmdpbnhQcm94eVB3"),),
         negatives=("Basic authentication is enabled", "Basic UHJvZHVjdGlvbiBub3Rlcw==")),
    # The same header with `user:password` in clear: VS Code REST Client and JetBrains HTTP Client `.http` files take
    # `Authorization: Basic user:password` and encode it themselves, so the password is stored as typed.
    Rule("password", r"Basic(?<=Authorization: Basic)[ \t]+[^\s:\"']{1,64}:(?P<v>[^\s\"']{1,256})(?=[\s\"']|\Z)",
         needs="Basic ", extract=_bundler_credentials, remember=True,
         examples=(("GET https://api.example.com/admin\nAuthorization: Basic admin:Rc1-Adm1n-pw\n", "Rc1-Adm1n-pw"),),
         negatives=("Authorization: Basic {{username}}:{{password}}", "Authorization: Basic auth: enabled for /admin",
                    "Authorization: Basic realm=api")),
    # Squid `cache_peer ... login=user:password`, and `credentials`/`login`/`auth` keys holding `user:password`.
    Rule("password", r"login=(?<=[ \t]login=)[^\s:]{1,64}:(?P<v>\S{1,256})", needs=" login=",
         extract=_bundler_credentials, remember=True,
         examples=(("cache_peer parent.example.com parent 3128 0 no-query login=squiduser:Squ1dP33r", "Squ1dP33r"),),
         negatives=("cache_peer p parent 3128 0 login=PASS", "cache_peer p parent 3128 0 login=*:$PW")),
    # Redis ACL rules (`users.acl`, `ACL SETUSER`): `>password` and `#<sha256 of it>` tokens of a `user NAME` line.
    Rule("password", r"user[ \t]+\S{1,64}[ \t]+[^\r\n]{0,512}?(?<=[ \t])(?:>(?P<v1>[^\s]{1,256})"
         r"|#(?P<v2>[0-9a-f]{64}))",
         needs="user ", extract=_redis_acl, remember=True, line_head=_INDENT,
         examples=(("user default on >R3disAclPw ~* +@all", "R3disAclPw"),
                   ("user app on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~app:* +get",
                    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")),
         negatives=("user default on nopass ~* +@all", "the user is > 18", "user admin logged in; load > 2")),
    # XML `<Value>` elements of a named entry (KeePass exports' `<Key>Password</Key><Value ...>`, unattend.xml's
    # `<AdministratorPassword><Value>`), attributes allowed.
    Rule("secret", _element_text("Value"), needs="<Value", extract=_entry_value, remember=True,
         examples=(('<String><Key>Password</Key><Value ProtectInMemory="True">K33p4ssVpn</Value></String>',
                    "K33p4ssVpn"),
                   ("<AdministratorPassword>\n  <Value>Unatt3ndAdm1n</Value>\n  <PlainText>true</PlainText>",
                    "Unatt3ndAdm1n")),
         negatives=("<String><Key>Title</Key><Value>VPN</Value></String>", "<Timeout>\n  <Value>30</Value>")),
    # A JNDI reference's `<StringRefAddr addrType="password">` / `<Contents>...</Contents>` (Oracle SQL Developer's and
    # JDeveloper's connections.xml; the password hex-encoded by the tool, reversibly).
    Rule("secret", _element_text("Contents"), needs="<Contents", extract=_entry_value, remember=True,
         examples=(('<StringRefAddr addrType="password">\n   <Contents>05B3A7C91D4E2F8A6B0C3D5E7F</Contents>',
                    "05B3A7C91D4E2F8A6B0C3D5E7F"),),
         negatives=('<StringRefAddr addrType="user">\n   <Contents>scott</Contents>',
                    '<StringRefAddr addrType="password">\n</StringRefAddr>\n<StringRefAddr addrType="port">\n'
                    '   <Contents>1521</Contents>', "<Contents>See the password section</Contents>")),
    # Windows `net user NAME PASSWORD [/add]` (not `*`, which prompts).
    *(Rule("password", word + r"[ \t]+(?:\"[^\"\r\n]{1,64}\"|[^\s/\"]{1,64})[ \t]+(?:\"(?P<v2>[^\"\r\n]{1,128})\""
           r"|(?P<v3>[^\s/*\"][^\s]{0,127}))(?=[ \t]+/|[ \t]*(?:\r?\n|\Z))", needs=word, extract=_bundler_credentials,
           remember=True,
           examples=((f"{word} svc_backup B4tchN3tUs3r /add", "B4tchN3tUs3r"),),
           negatives=(f"{word} svc_backup * /add", f"{word} svc_backup /delete", f"{word} jane /domain"))
      for word in ("net user", "NET USER")),
    # CSV/TSV exports with a password column under a header line (browser and password-manager exports, user tables),
    # and database clients' result tables with a column that names a secret.
    # (Safari's and KeePass's exports capitalise the column: `Title,URL,Username,Password,Notes,OTPAuth`.)
    # The pattern starts with its literal (the `p` in a lookbehind), so it is tried only where the literal is.
    Rule("password", r"assword(?<=[pP]assword)(?:_hash)?(?=(?:[ \t]\[[\w .-]{1,30}\])?\"?[ \t]*(?:[,;\t|]|\r?\n))",
         needs="assword",
         extract=_table_secret_column, remember=True,
         examples=(("name,url,username,password\nexample.com,https://example.com,jane,Chr0meExp0rt\n", "Chr0meExp0rt"),
                   ('url,username,password,extra\nhttps://db,root,"Pa55,w0rd!",\n', "Pa55,w0rd!"),
                   ("username\tpassword\tlast_login\nadmin\tTsvPl41nPw\t2021-03-04\n", "TsvPl41nPw"),
                   ("Title,URL,Username,Password,Notes,OTPAuth\nrouter,http://router.lan/,admin,Ro8ter-Blue,,\n",
                    "Ro8ter-Blue"),
                   ("Email Address [Required],Password [Required],Org Unit Path [Required]\n"
                    "a.b@example.com,Gw5pUpl0ad,/Sales\n", "Gw5pUpl0ad"),
                   ("login;password;e-mail\nmm;Sommer,2026!;mm@example.de\n", "Sommer,2026!"),
                   ('"Account","Password","Comments"\n"vpn","Kp1-Vpn7x","line one\nline two"\n"nas","Kp2-Nas8y",""\n',
                    "Kp2-Nas8y"),
                   ('#key,username,password,cryptmethod\n"system","root","Xc4tR9wLq2ZmTv",\n', "Xc4tR9wLq2ZmTv"),
                   ("Index,Name,Folder User Name,Folder Password,E-mail Address\n"
                    "[1],AP,scanap,Rf8kT3wq9Lzm,ap@example.com\n", "Rf8kT3wq9Lzm")),
         negatives=("id,name,password_changed_at\n1,alice,2021-01-01\n", "Failed password for root\nok\n",
                    "Username,Password Hash Function [UPLOAD ONLY]\nalice,SHA-1\n",
                    '"url","username","password","timePasswordChanged"\n"https://a.lan","admin","","1690000000000"\n',
                    'name,password,note\nvpn,,"see\nbelow"\nThe password is rotated\n',
                    "Reset your password, then log in, ok\nthis is, a sentence, yes\n",
                    "key,username,password,comments\nsystem,root,,none\n")),
    *(Rule("secret", word + _HEADER_CELL_END, needs=word, extract=_table_secret_column,
           remember=True,
           examples=((f"+----+---------+\n| id | api_{word} |\n+----+---------+\n|  1 | Hq2Lm9Vx4Zp8Tn3Y |\n",
                      "Hq2Lm9Vx4Zp8Tn3Y"),
                     (f" name | webhook_{word}\n------+--------\n gh   | Tq8Wm2Lk9Pz4Nv7B\n(1 row)\n",
                      "Tq8Wm2Lk9Pz4Nv7B")),
           negatives=(f" name | {word}_type\n------+------\n gh   | hmac\n",
                      f"| id | {word} |\n|  1 | see the docs |\n"))
      for word in ("token", "secret")),
    # The same under a header that names the password column in another language (`Benutzername;Passwort;E-Mail`,
    # `usuario,contraseña,correo`).
    *(Rule("password", pattern + _HEADER_CELL_END, needs=literal, extract=_table_secret_column, remember=True,
           examples=((f"user;{word};dept\nmm;Lg8#vTq2Rm4x;ops\n", "Lg8#vTq2Rm4x"),
                     (f"id,{word}\n1,Nf5#qZw8Kt3r\n", "Nf5#qZw8Kt3r")),
           negatives=(f"{word}\nok\n", f"{word}, bitte\nnicht vergessen\n"))
      for literal, pattern, word in keys.local_password_spellings()),
    Rule("secret", "\t" + r"(?=[^\t\r\n]{1,512}(?:\r?\n|\Z))" + keys.KEYWORD_VALUE + r"[ \t]*(?:\r?\n|\Z)", "\t",
         before="[\\w'\"\\]]", extract=_tab_row, remember=True,
         examples=(("$_SERVER['HTTP_HOST']\tadmin.example.com\n$_SERVER['PHP_AUTH_PW']\tB4sic-Auth-Pa55\n",
                    "B4sic-Auth-Pa55"),
                   ('Server Parameters\nKey\tValue\nAPP_SECRET\t"0f8a3c6e1b9d4f72a5c8e0b3d6f19a47"\n',
                    "0f8a3c6e1b9d4f72a5c8e0b3d6f19a47"),
                   ("CLIENT ID\t4d1b8f3e-2c7a-4e9b-8f1d-6a5c3b2e1f90\nCLIENT SECRET\tq7Wm~2Lk9.Pz4Nv7-Bx3Rf\n",
                    "q7Wm~2Lk9.Pz4Nv7-Bx3Rf"),
                   ("authorization\tBearer 7|Xk2mP9vL4qR8tZ3wN6bY1cF5hJ0sD7gA2eU9iOqW\n",
                    "7|Xk2mP9vL4qR8tZ3wN6bY1cF5hJ0sD7gA2eU9iOqW"),
                   ('laravel_session\t"eyJpdiI6Ik1xN2ZIcnhQc2dLd2I5VT09IiwidmFsdWUiOiJ4Vm1MMnA5UjR0WjgiLCJtYWMiOiIxYjRjIn0="',
                    "eyJpdiI6Ik1xN2ZIcnhQc2dLd2I5VT09IiwidmFsdWUiOiJ4Vm1MMnA5UjR0WjgiLCJtYWMiOiIxYjRjIn0=")),
         negatives=("$_SERVER['HTTP_HOST']\tadmin.example.com\n", "password\t********\n",
                    "token\tcount\n", "Key\tValue\nPHP_AUTH_USER\tadmin\n",
                    "2024-12-06 failed token\tTq8Wm2Lk9Pz4Nv7Bx\n", "X-Csrf-Token\t[Filtered]\n",
                    "GRANT TYPES\tclient_credentials\nTOKEN ENDPOINT AUTH METHOD\tclient_secret_post\n",
                    "failed token\tTq8Wm2Lk9Pz4Nv7Bx\n")),
    Rule("secret", r',(?<=\w",)[ \t]*"(?:(?i:bearer|basic|token)[ \t]+)?(?P<v>[^"\s]{1,512})"[ \t]*[,\]]', ",",
         before='"', extract=_array_pair, remember=True,
         examples=(('"headers": [["Authorization", "Token 9c4e1f7a2b8d3605e9f1c7a4b2d8e0f3"], ["Accept", "*/*"]]',
                    "9c4e1f7a2b8d3605e9f1c7a4b2d8e0f3"),
                   ('"cmdline": ["/usr/local/bin/ingest", "-hmac-key", "Hm4cK3y-7Tz2Wq9L", "-v=2"]',
                    "Hm4cK3y-7Tz2Wq9L")),
         negatives=('[["User-Agent", "python-requests/2.31.0"], ["Accept", "application/json"]]',
                    '"cmdline": ["/app/server", "-token-ttl", "15m"]', '["password", "secret", "token"]',
                    '{"fields": "password", "x": 1}', 'key_names: ["apikey", "x-api-key"]')),
    Rule("secret", r"Debugger PIN:[ \t]+(?P<v>\d{3,}(?:-\d{3,})+)(?![\w-])", needs="Debugger PIN:",
         examples=((" * Debugger is active!\n * Debugger PIN: 417-283-905\n", "417-283-905"),),
         negatives=(" * Debugger is active!\n * Debugger PIN disabled. DEBUGGER UNSECURED!\n",)),
    # A row of a box-drawn NAME/VALUE table (Doppler's `doppler secrets`, Infisical's `infisical secrets`): the cell
    # after one that names a secret, a single word that is not only letters (`│ DB_TYPE │ string │` is a schema).
    Rule("secret", r"│[ \t]*(?P<k>[A-Za-z_][\w.-]{0,80})[ \t]*│[ \t]*"
         r"(?P<v3>(?=[^\s│]*[^A-Za-z\s│])[^\s│]{3,512})[ \t]*│",
         needs="│", extract=_keyed_value, remember=True,
         examples=(("│ LOG_LEVEL           │ info             │\n│ REDIS_PASSWORD      │ Rd5!kTq8vLz2Mx   │\n",
                    "Rd5!kTq8vLz2Mx"),
                   ("│ JWT_SIGNING_KEY │ jwk-7Rq2vLx9mKt4Wz8p │ shared      │", "jwk-7Rq2vLx9mKt4Wz8p")),
         negatives=("│ DOPPLER_CONFIG      │ prd                          │", "│ DB_PASSWORD │ string │ required │",
                    "│ API_TOKEN_TTL │ 3600 │", "│ SECRET NAME     │ SECRET VALUE                 │ SECRET TYPE │")),
    # Postfix `smtp_sasl_password_maps = static:user:password`; vpnc's `IPSec secret ...` and `Xauth password ...`.
    Rule("password", r"password_maps[ \t]*=[ \t]*static:[^\s:]{1,128}:(?P<v>\S{1,256})", needs="password_maps",
         extract=_bundler_credentials, remember=True,
         examples=(("smtp_sasl_password_maps = static:relay@example.com:P0stf1xStat1c", "P0stf1xStat1c"),),
         negatives=("smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",)),
    Rule("password", r"(?:IPSec secret|Xauth password)[ \t]+(?P<v>\S{1,256})[ \t]*(?=\r?\n|\Z)", needs="IPSec ",
         extract=_vpnc_secret, remember=True,
         examples=(("IPSec gateway vpn.example.com\nIPSec secret Vpnc6roupS3cret\nXauth password VpncXauthPw\n",
                    "Vpnc6roupS3cret"),),
         negatives=("IPSec secret file",)),
    # pwdump / secretsdump lines `user:rid:LMHASH:NTHASH:::`: the NT hash (a password equivalent), unless it is the hash
    # of the empty password. Found at the line's closing `:::`, a literal the one-scan prefilter skips texts without.
    Rule("password_hash", r":::(?<=\d:[0-9a-fA-F]{32}:(?P<v>[0-9a-fA-F]{32}):::)", needs=":::", extract=_nt_hash,
         examples=(("Administrator:500:aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c:::",
                    "8846f7eaee8fb117ad06bdd830b7586c"),),
         negatives=("Guest:501:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::",
                    "fe80:::1 is not an address")),
    # ISC key clauses (BIND's named.conf and rndc.conf, ISC DHCP's dhcpd.conf): `secret "<base64>";` or, in dhcpd.conf,
    # `secret <base64>;` inside `key NAME { algorithm ...; ... };` (a TSIG/OMAPI shared key).
    Rule("secret", r"secret(?<![\w-]secret)[ \t]+\"?(?P<v>[A-Za-z0-9+/]{16,512}={0,2})\"?[ \t]*;", needs="secret",
         remember=True,
         examples=(('key "rndc-key" {\n\talgorithm hmac-sha256;\n\t'
                    'secret "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M=";'
                    "\n};", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3M="),
                   ("key DHCP_UPDATER {\n  algorithm hmac-md5;\n  secret Zp8Tn3Yb6Jf1Ka5Uw0Ro2E==;\n}",
                    "Zp8Tn3Yb6Jf1Ka5Uw0Ro2E==")),
         negatives=('secret "see-the-docs";', "top secret information;", "key-secret Hq2Lm9Vx4Zp8Tn3Yb6Jf1;")),
    # Jetty's obfuscated passwords (`org.eclipse.jetty.util.security.Password`): `OBF:` and four base-36 digits per
    # character, reversible by anyone (jetty.xml `KeyStorePassword`, realm.properties, Solr and ActiveMQ configs).
    Rule("password", r"OBF:(?P<v>[0-9a-zU]{8,512})(?![0-9A-Za-z])", needs="OBF:", remember=True,
         examples=(("admin: OBF:1v2j1uum1xtv1zej1zer1xtn1uvk1v1v, server-administrator",
                    "1v2j1uum1xtv1zej1zer1xtn1uvk1v1v"),
                   ('<Set name="KeyStorePassword">OBF:1u2u1wml1z7s1z7a1wnl1u2g</Set>', "1u2u1wml1z7s1z7a1wnl1u2g")),
         negatives=("OBF: obfuscated passwords start with this prefix", "OBF:${jetty.sslContext.keyStorePassword}")),
    # Jetty's realm.properties `user: MD5:<hex>,role` / `user: CRYPT:<crypt>,role` (a password hash), only as the line's
    # first value and with a role after it (`_realm_line`): `checksum: MD5:<hex>` is a checksum.
    *(Rule("password_hash", rf"{scheme}(?P<v>{body}),", needs=scheme, extract=_realm_line,
           examples=((f"jetty: {scheme}{example},user", example),),
           negatives=(f"checksum: {scheme}{example}", f"file.tar {scheme}{example},ok"))
      for scheme, body, example in (("MD5:", "[0-9a-f]{32}", "164c88b302622e17050af52c89945d44"),
                                    ("CRYPT:", "[./0-9A-Za-z]{13}", "me/ks90E221EY"))),
    # Password utilities of Java servers that take the plain text as an argument: Liberty's `securityUtility encode
    # [--encoding=aes] [--key=KEY] PLAIN` (prints `{xor}`/`{aes}` values), Jetty's `java -cp jetty-util.jar
    # org.eclipse.jetty.util.security.Password [USER] PLAIN` (prints it with its `OBF:`, `MD5:`, `CRYPT:` forms).
    Rule("password", r"securityUtility(?<![\w.-]securityUtility)[ \t]+encode(?P<o>(?:[ \t]+--[\w-]+(?:=\S+)?)*)"
         r"[ \t]+(?!-)" + _POSITIONAL_VALUE + _LINE_END, needs="securityUtility", extract=_encode_password,
         remember=True,
         examples=(("$ bin/securityUtility encode --encoding=aes --key=Kf9wQz2LmT7p 'Lib#erty9Pw'", "Lib#erty9Pw"),
                   ("bin/securityUtility encode --encoding=aes --key=Kf9wQz2LmT7p Lib3rtyPw", "Kf9wQz2LmT7p"),
                   ("securityUtility encode Xor7Secret", "Xor7Secret")),
         negatives=("securityUtility encode --encoding=aes", "Run securityUtility encode to get a {xor} value.",
                    "securityUtility encode $KEYSTORE_PASSWORD")),
    Rule("password", r"util\.security\.Password(?:[ \t]+[^\s'\"-]\S*)?[ \t]+(?!-)" + _POSITIONAL_VALUE + _LINE_END,
         needs="util.security.Password", extract=_password_arg, remember=True,
         examples=(("java -cp lib/jetty-util-12.0.5.jar org.eclipse.jetty.util.security.Password admin Jt7vQp3LzW",
                    "Jt7vQp3LzW"),
                   ("java -cp jetty-util.jar org.eclipse.jetty.util.security.Password 'S3cret pw'", "S3cret pw")),
         negatives=("java -jar start.jar --add-module=ssl,https",
                    "see org.eclipse.jetty.util.security.Password for the OBF: format",
                    "java -cp jetty-util.jar org.eclipse.jetty.util.security.Password admin $PW")),
    # WebLogic's WLST: `connect('USER', 'PASSWORD', 't3://host:7001')` (or a URL variable), and
    # `set('PasswordEncrypted', encrypt('PASSWORD'))` in an edit session.
    Rule("password", r"connect\((?<![\w.]connect\()[ \t]*(?:'[^'\r\n]{1,64}'|\"[^\"\r\n]{1,64}\")[ \t]*,[ \t]*"
         r"(?:'(?P<v1>[^'\r\n]{1,128})'|\"(?P<v2>[^\"\r\n]{1,128})\")[ \t]*,[ \t]*"
         r"(?:['\"]t3s?://|['\"]https?://|\w{0,32}(?i:url))", needs="connect(", extract=_groups, remember=True,
         examples=(("connect('weblogic', 'Tq5#nWz8Lr2v', adminURL)", "Tq5#nWz8Lr2v"),
                   ('connect("weblogic", "Wls9!pw", "t3s://admin:7002")', "Wls9!pw")),
         negatives=("client.connect('orders', 'reporting', url)", "connect('localhost', 'orders', 'Pw9x')",
                    "connect(userConfigFile='/u/cfg.secure', userKeyFile='/u/key.secure', url=adminURL)")),
    Rule("password", r"Encrypted['\"][ \t]*,[ \t]*encrypt\([ \t]*"
         r"(?:'(?P<v1>[^'\r\n]{1,128})'|\"(?P<v2>[^\"\r\n]{1,128})\")",
         needs="Encrypted", extract=_groups, remember=True,
         examples=(("set('PasswordEncrypted', encrypt('Db9!pXq4Mv7L'))", "Db9!pXq4Mv7L"),),
         negatives=("set('PasswordEncrypted', encrypt(dbPassword))",
                    "set('PasswordEncrypted', encrypt(System.getenv('DB_PW')))")),
    # WildFly's jboss-cli credential store operation `add-alias(alias=NAME, secret-value=VALUE)`, and the legacy
    # vault.sh's `--sec-attr VALUE` (the attribute stored in the vault).
    Rule("password", r"secret-value=(?:(?<=[(,]secret-value=)|(?<=[(,][ \t]secret-value=))"
         r"(?:\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s,)\"]{1,256}))", needs="secret-value=", extract=_groups,
         remember=True,
         examples=(("/subsystem=elytron/credential-store=cs:add-alias(alias=db, secret-value=Or4#dB8mTq2K)",
                    "Or4#dB8mTq2K"),
                   ('add-alias(alias=ldap,secret-value="Ld p4ss")', "Ld p4ss")),
         negatives=("add-alias(alias=db, secret-value=${env.DB_PASSWORD})", "the secret-value= parameter")),
    Rule("password", r"--sec-attr[ \t]+(?!-)" + _POSITIONAL_VALUE, needs="--sec-attr", extract=_password_arg,
         remember=True,
         examples=(("vault.sh --alias vault --vault-block vb --attribute password --sec-attr Ds5rTq8Mv2Lx --enc-dir v/",
                    "Ds5rTq8Mv2Lx"),),
         negatives=("vault.sh --sec-attr $DB_PASSWORD", "vault.sh --help: --sec-attr <value>")),
    # IBM MQ's `setmqweb properties -k NAMEPassword -v VALUE` (the mqweb server's keystore and LTPA passwords).
    Rule("password", r"setmqweb(?<![\w.-]setmqweb)[ \t]+properties[ \t]+-k[ \t]+"
         r"\w{0,64}(?:[Pp]assword|[Ss]ecret)\w{0,32}[ \t]+-v[ \t]+(?!-)"
         + _POSITIONAL_VALUE, needs="setmqweb", extract=_password_arg, remember=True,
         examples=(("setmqweb properties -k ltpaKeystorePassword -v Lt3vQz9Wp6Rk", "Lt3vQz9Wp6Rk"),),
         negatives=("setmqweb properties -k httpsPort -v 9443",
                    "setmqweb properties -k mqRestCorsMaxAgeInSeconds -v 60",
                    "setmqweb properties -k ltpaKeystorePassword -v $LTPA_PW")),
    # TIBCO EMS's tibemsadmin `set password USER PASSWORD`, at its `tcp://host:port>` prompt.
    Rule("password", r"set password(?<=> set password)[ \t]+[^\s'\"-]\S*[ \t]+" + _POSITIONAL_VALUE + _LINE_END,
         needs="> set password", extract=_password_arg, remember=True,
         examples=(("tcp://ems01:7222> set password reporting Rp2!mWz6Tq9L", "Rp2!mWz6Tq9L"),),
         negatives=("tcp://ems01:7222> set password reporting", "tcp://ems01:7222> set password reporting $PW")),
    # The JMX agent's `jmxremote.password` file: `ROLE PASSWORD` under the JDK's documented role names (its
    # `jmxremote.access` file gives the same roles `readonly`/`readwrite`).
    *(Rule("password", word + rf"(?<![^\n]{word})[ \t]+(?!read(?:only|write)\b)(?P<v>[^\s#]\S{{0,255}}){_LINE_END}",
           needs=word, validate=lambda value: not is_placeholder_value(value), remember=True,
           examples=((f"# jmxremote.password\n{word} Mr7tQz2Lw9Vp\n", "Mr7tQz2Lw9Vp"),),
           negatives=(f"{word} readonly", f"{word} readwrite \\\n  create javax.management.monitor.*",
                      f"the {word} user reads"))
      for word in ("monitorRole", "controlRole")),
    # Znuny/OTRS console `otrs.Console.pl Admin::User::SetPassword USER PASSWORD` (and its CustomerUser twin).
    Rule("password", r"::SetPassword(?:(?<=Admin::User::SetPassword)|(?<=Admin::CustomerUser::SetPassword))[ \t]+"
         r"[^\s'\"-]\S*[ \t]+" + _POSITIONAL_VALUE + _LINE_END, needs="::SetPassword", extract=_password_arg,
         remember=True,
         examples=(("bin/otrs.Console.pl Admin::User::SetPassword root@localhost 'Wq7!zR2mKp9v'", "Wq7!zR2mKp9v"),
                   ("bin/znuny.Console.pl Admin::CustomerUser::SetPassword jdoe Cu5t9Pw", "Cu5t9Pw")),
         negatives=("bin/otrs.Console.pl Admin::User::SetPassword root@localhost",
                    "bin/otrs.Console.pl Admin::User::SetPassword root@localhost $NEW_PW",
                    "otrs.Console.pl Admin::User::SetPassword --help")),
    # DVC's `dvc remote modify [--local] REMOTE OPTION VALUE`: the option name and its value are separate words, and
    # the documented secret options (`password`, `token`, `secret_access_key`, Azure's `account_key`/`sas_token`, ...)
    # say what the value is. `--unset` leaves no value; a `$VAR` is left.
    *(Rule(label, r"dvc[ \t]+remote[ \t]+modify(?:[ \t]+-[-\w]+)*[ \t]+[^\s'\"-]\S*[ \t]+(?:" + options + r")[ \t]+"
           + _POSITIONAL_VALUE + _LINE_END, needs="remote modify", extract=_password_arg, remember=True,
           examples=examples,
           negatives=("dvc remote modify --local nas password", "dvc remote modify nas url ssh://dvc@nas/srv/dvc",
                      "dvc remote modify --local share token $WEBDAV_TOKEN", "dvc remote modify nas ask_password true",
                      "dvc remote modify -u --local nas password"))
      for label, options, examples in (
          ("password", "password",
           (("$ dvc remote modify --local nas password 'Sx4#pLq9Wv'", "Sx4#pLq9Wv"),
            ("dvc remote modify myremote password Wv7tQz2Kp", "Wv7tQz2Kp"))),
          ("secret", "token|secret_access_key|session_token|account_key|sas_token|client_secret|gdrive_client_secret"
                     "|oss_key_secret|connection_string",
           (("dvc remote modify --local share token Tk9mXq2Vr5Lz8Wp3", "Tk9mXq2Vr5Lz8Wp3"),
            ("dvc remote modify -l s3 secret_access_key Qz3+Lx8mR2Vt7Wn5Kp9Bc4Hd1Fs6Jg0YeUa2XoMi",
             "Qz3+Lx8mR2Vt7Wn5Kp9Bc4Hd1Fs6Jg0YeUa2XoMi"))))),
    # `wandb login [--relogin] [--host URL] KEY`: the W&B API key given by position (40 hex digits; a self-hosted
    # server's keys carry a prefix such as `local-`).
    Rule("token", r"wandb[ \t]+login(?:[ \t]+--?[a-z][\w-]*(?:[ \t=]+https?://\S+)?)*[ \t]+"
         r"(?P<v1>(?:[a-z]{2,16}-)?[0-9a-f]{40}|[A-Za-z0-9_-]{32,128})(?=\s|\Z)", needs="wandb login", extract=_groups,
         remember=True,
         examples=(("wandb login 0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"),
                   ("wandb login --relogin --host https://wandb.lab.example "
                    "local-1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5",
                    "local-1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5")),
         negatives=("wandb login --relogin", "wandb login --host https://wandb.lab.example",
                    "wandb login $WANDB_API_KEY",
                    "wandb: Currently logged in as: trainer. Use `wandb login --relogin` to force relogin")),
    # RPA and desktop automation (batch 136). Blue Prism's `AutomateC.exe … /user NAME PASSWORD`: the second word after
    # `/user` (`/sso` signs on without one); not a `/next-option`, a `%VAR%` or a `$VAR`.
    Rule("password", r"AutomateC(?:\.exe)?\"?(?:[ \t][^\r\n]{0,512}?)?[ \t]/user[ \t]+[^\s/'\"]\S{0,127}[ \t]+"
         r"(?:'(?P<v1>[^'\r\n]{1,128})'|\"(?P<v2>[^\"\r\n]{1,128})\"|(?P<v3>[^\s'\"$<>|;&/%]\S{0,127}))",
         needs="AutomateC", extract=_password_arg, remember=True,
         examples=(('AutomateC.exe /run "Intake" /resource RR-03 /user bpadmin Bp7%tNq2Xw9K /dbconname Prod',
                    "Bp7%tNq2Xw9K"),
                   ("AutomateC /user admin \"Adm1n Pw!\" /getbod \"Work Queue\"", "Adm1n Pw!")),
         negatives=('AutomateC.exe /run "Intake" /sso /resource RR-03', "AutomateC.exe /user admin /dbconname Prod",
                    "AutomateC.exe /run Intake /user admin %BP_PASSWORD%", "AutomateC.exe /user admin password")),
    # Robocorp's `rcc configure credentials CREDENTIALS [--account NAME]`: the Control Room access credential, by
    # position.
    Rule("token", r"configure[ \t]+credentials[ \t]+(?:'(?P<v1>[^'\s]{16,256})'|\"(?P<v2>[^\"\s]{16,256})\""
         r"|(?P<v3>(?!-)[\w.+/=:-]{16,256}))(?=\s|\Z)", needs="configure credentials", extract=_token_arg,
         remember=True,
         examples=(("rcc configure credentials 2kBZR4nTqLmXw8Vc7YpH5sJd:A3fGe9uK1oIt6rWz --account prod",
                    "2kBZR4nTqLmXw8Vc7YpH5sJd:A3fGe9uK1oIt6rWz"),),
         negatives=("rcc configure credentials --verified", "rcc configure credentials $RCC_CREDENTIALS",
                    "rcc configure credentials --account prod-ws --delete")),
    # Robot Framework's `*** Variables ***` table: `${NAME}` and the value after two or more blanks or a tab, when the
    # name names a secret (`${PASSWORD}    …`); a `${…}`/`%{…}`/`@{…}`/`&{…}` value is a reference.
    Rule("secret", r"(?<![^\n])\$\{(?P<k>[\w .-]{1,64})\}=?(?: {2,}|\t)[ \t]*"
         r"(?P<v3>[^\s$%@&#\\][^\r\n]{0,255}?)(?=[ \t]*(?:\r?\n|\Z)| {2}|\t)",
         needs="** Variable", extract=_keyed_value, remember=True,
         examples=(("*** Variables ***\n${USERNAME}    rpa.bot\n${PASSWORD}       Rf8!kWq3Tz7Lm\n", "Rf8!kWq3Tz7Lm"),
                   ("*** Variables ***\n${API TOKEN}\tZt8kQm3Xw7Lv2Rn9Yc4H\n", "Zt8kQm3Xw7Lv2Rn9Yc4H")),
         negatives=("*** Variables ***\n${PASSWORD}    %{APP_PASSWORD}\n${LOGIN URL}    https://erp.example.com\n",
                    "*** Variables ***\n${TOKEN}    ${EMPTY}\n${BROWSER}    headlesschrome\n")),
    # Robot Framework keywords that take a secret by position, cells split by two or more blanks or a tab:
    # SeleniumLibrary's `Input Password    LOCATOR    PASSWORD` and DatabaseLibrary's `Connect To Database    MODULE
    # DB    USER    PASSWORD    HOST    PORT`; a `${…}` value is a reference.
    *(Rule("password", keyword + r"(?: {2,}|\t)[ \t]*(?:[^\s=]+(?: {2,}|\t)[ \t]*){" + str(cells) + r"}"
           r"(?P<v3>[^\s$%@&=][^\s]{0,127})(?= {2}|\t|[ \t]*(?:\r?\n|\Z))",
           needs=keyword, extract=_password_arg, remember=True, examples=examples, negatives=negatives)
      for keyword, cells, examples, negatives in (
          ("Input Password", 1, (("    Input Password    id:password    Ip5#wLq8Tx2Z\n", "Ip5#wLq8Tx2Z"),),
           ("    Input Password    id:password    ${PASSWORD}\n", "Input Password    id:pw    secret\n")),
          ("Connect To Database", 3,
           (("    Connect To Database    psycopg2    orders    etl    Dl8@qWx3Tm7Z    pg01    5432\n",
             "Dl8@qWx3Tm7Z"),),
           ("    Connect To Database    psycopg2    orders    etl    ${DB_PASS}    pg01    5432\n",
            "    Connect To Database    dbConfigFile=db.cfg\n")))),
    # Robot Framework's output.xml and log: a keyword's `<arg>` after an `<arg>` locator that names a password field,
    # and SeleniumLibrary's `Typing text '…' into text field '…password…'.` message.
    Rule("password", r"<arg>[^<\r\n]{0,64}(?i:passw(?:or)?d|pwd|passcode)[^<\r\n]{0,64}</arg>\s{0,8}"
         r"<arg>(?P<v3>[^<\s$%@&][^<\r\n]{0,127})</arg>", needs="</arg>", extract=_password_arg, remember=True,
         examples=(("<arg>id:password</arg>\n<arg>Lg6#tRw2Xq9Km</arg>\n", "Lg6#tRw2Xq9Km"),),
         negatives=("<arg>id:password</arg>\n<arg>${PASSWORD}</arg>\n",
                    "<arg>id:username</arg>\n<arg>rpa.bot</arg>\n")),
    Rule("password", r"Typing text '(?P<v1>[^'\r\n]{1,128})' into text field '[^'\r\n]{0,64}"
         r"(?i:passw(?:or)?d|pwd|passcode)[^'\r\n]{0,64}'", needs="into text field", extract=_password_arg,
         remember=True,
         examples=(("INFO Typing text 'Lg6#tRw2Xq9Km' into text field 'id:password'.", "Lg6#tRw2Xq9Km"),),
         negatives=("INFO Typing text 'rpa.bot' into text field 'id:username'.",
                    "INFO Typing password into text field 'id:password'.")),
    # TagUI's `type LOCATOR as TEXT[enter]` when the locator names a password field; a `` `variable` `` is a reference.
    Rule("password", r"type(?<![^\n\t ]type)[ \t]+[^\s]{0,80}(?i:passw(?:or)?d|pwd|passcode)[^\s]{0,80}[ \t]+as[ \t]+"
         r"(?P<v3>[^\s`\[$][^\r\n\[`]{0,127}?)(?=\[|[ \t]*(?:\r?\n|\Z))", needs="type ", extract=_password_arg,
         remember=True,
         examples=(("type password as Tg6#mWq2Xz9L[enter]\n", "Tg6#mWq2Xz9L"),
                   ("  type //input[@name='pwd'] as Pw4-Tag9\n", "Pw4-Tag9")),
         negatives=("type password as `process.env.ERP_PASSWORD`[enter]\n", "type username as rpa.tagui\n",
                    "then type the password as shown\n")),
    # AutoIt's `RunAs[Wait]("USER", "DOMAIN", "PASSWORD", …)`: the third argument when it is a literal.
    Rule("password", r"RunAs(?:Wait)?\([ \t]*" + r"(?:\"[^\"\r\n]{0,128}\"|'[^'\r\n]{0,128}'|[$@]\w{1,64})[ \t]*,[ \t]*"
         * 2 + r"(?:\"(?P<v1>[^\"\r\n]{1,128})\"|'(?P<v2>[^'\r\n]{1,128})')", needs="RunAs", extract=_password_arg,
         remember=True,
         examples=(('RunAs("svc_backup", "CORP", "Ab4#vLq9Xz2Tw", 0, "C:\\Tools\\backup.exe")', "Ab4#vLq9Xz2Tw"),
                   ("RunAsWait($sUser, @ComputerName, 'Rw7!kPz3', 1, 'setup.exe')", "Rw7!kPz3")),
         negatives=('RunAs($sUser, $sDomain, $sPassword, 0, "setup.exe")', 'RunAs("svc", "CORP", "", 0, "x.exe")')),
    # AutoIt's `ControlSetText|ControlSend(TITLE, TEXT, CONTROL, "TEXT")` into a control named for a password.
    Rule("password", r"ControlSe(?:tText|nd)\([^\r\n]{0,256}?,[ \t]*[\"'][^\"'\r\n]{0,64}"
         r"(?i:passw(?:or)?d|pwd|passcode)[^\"'\r\n]{0,64}[\"'][ \t]*,[ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,128})\"|'(?P<v2>[^'\r\n]{1,128})')", needs="ControlSe", extract=_password_arg,
         remember=True,
         examples=(('ControlSetText("Logon", "", "[NAME:txtPassword]", "Ct5!wXq8Lz3R")', "Ct5!wXq8Lz3R"),
                   ("ControlSend('Login', '', 'Edit2_pwd', 'Cs4#pLq9')", "Cs4#pLq9")),
         negatives=('ControlSetText("Logon", "", "[NAME:txtUser]", "rpa_citrix")',
                    'ControlSetText("Logon", "", "[NAME:txtPassword]", $sPassword)')),
    # Power Automate Desktop's Robin script: `SET NAME TO $'''TEXT'''` when the variable's name names a secret.
    Rule("secret", r"SET[ \t]+(?P<k>[A-Za-z_]\w{0,80})[ \t]+TO[ \t]+\$'''(?P<v1>[^'\r\n]{1,256})'''",
         needs="TO $'''", extract=_keyed_value, remember=True,
         examples=(("SET Password TO $'''Pa3!xWq8Lz7T'''", "Pa3!xWq8Lz7T"),
                   ("SET ApiToken TO $'''Tk9mXq2Vr5Lz8Wp3'''", "Tk9mXq2Vr5Lz8Wp3")),
         negatives=("SET UserName TO $'''svc_pad'''", "SET Password TO $'''%PasswordFromVault%'''")),
    # Sakai's sakai.properties sets a bean's property as `property@bean.name=value`
    # (`password@javax.sql.BaseDataSource=`, `smtpPassword@org.sakaiproject.email.api.EmailService=`): the key word
    # stands before the `@`, not before the `=`.
    Rule("password", r"(?<![\w.-])[A-Za-z]{0,32}[pP]assword@[A-Za-z][\w.$]{2,160}[ \t]*=[ \t]*(?P<v1>\S{1,256})",
         needs="assword@", extract=_groups, remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("password@javax.sql.BaseDataSource=Sk4iQx9!mLt2", "Sk4iQx9!mLt2"),
                   ("smtpPassword@org.sakaiproject.email.api.EmailService = Mz7qWt3Lp9", "Mz7qWt3Lp9")),
         negatives=("password@ = Sk4iQx9!mLt2", "set smtpPassword@EmailService in sakai.properties",
                    "password@bean=${DB_PASSWORD}")),
    # Moodle's and Mahara's site password salts (`$CFG->passwordsaltmain`, `$CFG->passwordsaltalt1` … after a
    # rotation): the salt word is inside the setting's name, not at its end.
    Rule("secret", r"\$(?:CFG|cfg)->passwordsalt(?:main|alt\d{1,2})[ \t]*=[ \t]*"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")", needs="passwordsalt", extract=_groups,
         remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("$CFG->passwordsaltmain = 'q8;Zk!vR3^w@F0x%Lp9T';", "q8;Zk!vR3^w@F0x%Lp9T"),
                   ('$cfg->passwordsaltalt1 = "Wm2#Tz8qLx5!Rv";', "Wm2#Tz8qLx5!Rv")),
         negatives=("$CFG->passwordsaltmain = '';", "if (empty($CFG->passwordsaltmain)) {")),
    # Moodle's `admin/cli/cfg.php [--component=…] --name=NAME --set=VALUE`: the setting named by `--name` holds a
    # secret when it ends with a secret word (`bind_pw`, `…_shared_secret`) or a run-together key name
    # (`airnotifieraccesskey`, `adminsecret`).
    Rule("secret", r"cfg\.php[^\r\n]{0,200}?--name=\w{0,64}(?:accesskey|secretkey|apikey|secret|password|passwd|pass|"
         r"_pw|token)[ \t]+--set=(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"]{1,256}))",
         needs="cfg.php", extract=_groups, remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("php admin/cli/cfg.php --component=message_airnotifier --name=airnotifieraccesskey "
                    "--set=7e2a91cf04d85b3e6f1a20c9d47b8e53", "7e2a91cf04d85b3e6f1a20c9d47b8e53"),
                   ("php admin/cli/cfg.php --name=smtppass --set='Sm7!qTz2Lx'", "Sm7!qTz2Lx")),
         negatives=("php admin/cli/cfg.php --component=message_airnotifier --name=airnotifieraccesskey",
                    "php admin/cli/cfg.php --name=enablewebservices --set=1",
                    "php admin/cli/cfg.php --name=smtppass --set=$SMTP_PASS")),
    # LimeSurvey's generated application/config/security.php (`$config['encryptionnonce']`,
    # `$config['encryptionsecretboxkey']`, and the sodium key pair `encryptionkeypair`/`encryptionsecretkey`): the
    # key words run together after `encryption`, and the values are bare hex. `encryptionpublickey` is left.
    Rule("secret", r"(?<![\w-])encryption(?:nonce|secretboxkey|secretkey|keypair)['\"]?\]?[ \t]*=>?[ \t]*"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")", needs="encryption", extract=_groups,
         remember=True,
         examples=(("$config['encryptionnonce'] = 'e1caa9b2e4f879d08ad28bea5bf65e70b9d85c926fff7cb7';",
                    "e1caa9b2e4f879d08ad28bea5bf65e70b9d85c926fff7cb7"),
                   ("'encryptionsecretboxkey' => \"5a8f7ab0c20f877a89caf7ef11c02723fd6bf6b8d95f0b0040a6c8096cc63712\",",
                    "5a8f7ab0c20f877a89caf7ef11c02723fd6bf6b8d95f0b0040a6c8096cc63712")),
         negatives=("$config['encryptionpublickey'] = '3f0c9a1e7b5d2c8f4a6e0b9d1c7f3a5e8b2d4f6a0c9e1b7d3f5a8c2e4b6d';",
                    "$config['encryptionnonce'] = '';", "encryptionnonce is generated on first install")),
    # LimeSurvey's console: `php application/commands/console.php install ADMIN PASSWORD NAME EMAIL` (the name may be
    # quoted; the e-mail address closes the line) and `… console.php resetpassword USER PASSWORD`.
    *(Rule("password", r"console\.php[ \t]+" + command + r"[ \t]+[^\s'\"-]\S*[ \t]+" + _POSITIONAL_VALUE + tail,
           needs="console.php", extract=_password_arg, remember=True, examples=examples, negatives=negatives)
      for command, tail, examples, negatives in (
          ("install", r"[ \t]+(?:'[^'\r\n]{1,128}'|\"[^\"\r\n]{1,128}\"|[^\s'\"]{1,128})[ \t]+[^\s@'\"]{1,64}@\S{1,253}"
                      + _LINE_END,
           (('php application/commands/console.php install admin Qw7!rT2zLp9 "Survey Admin" admin@example.edu',
             "Qw7!rT2zLp9"),),
           ("php application/commands/console.php install admin $ADMIN_PASSWORD Admin admin@localhost",
            "php application/commands/console.php install")),
          ("resetpassword", _LINE_END,
           (("php application/commands/console.php resetpassword admin 'Kx4#vN8qWm2'", "Kx4#vN8qWm2"),),
           ("php application/commands/console.php resetpassword admin", "console.php resetpassword admin $NEW_PW")))),
    # LimeSurvey RemoteControl's `get_session_key(USER, PASSWORD)`: JSON-RPC `"method":"get_session_key",
    # "params":["USER","PASSWORD"]` and the clients' `->get_session_key('USER', 'PASSWORD')`.
    Rule("password", r"get_session_key(?:[\"'][ \t]*,[ \t]*[\"']params[\"'][ \t]*:[ \t]*\[|[ \t]*\()[ \t]*"
         r"(?:\"[^\"\r\n]{1,128}\"|'[^'\r\n]{1,128}')[ \t]*,[ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,128})\"|'(?P<v2>[^'\r\n]{1,128})')",
         needs="get_session_key", extract=_groups, remember=True,
         examples=(('{"method":"get_session_key","params":["api_export","Fx15hVLwrgIJ7t"],"id":1}', "Fx15hVLwrgIJ7t"),
                   ("$sessionKey = $myJSONRPCClient->get_session_key('admin', 'Lm8#qZ2vTx');", "Lm8#qZ2vTx")),
         negatives=('{"method": "get_session_key", "params": [user, password], "id": 1}',
                    "$key = $client->get_session_key($user, $password);",
                    '{"method":"get_session_key","params":["admin","YOUR_PASSWORD"],"id":1}')),
    # dnsdist's console key: `setKey("<base64 of 32 bytes>")` in dnsdist.conf, as `makeKey()` prints it; no key word
    # beside it, the function name says what the argument is.
    Rule("secret", r"\bsetKey\([ \t]*(?:\"(?P<v1>[A-Za-z0-9+/]{43}=)\"|'(?P<v2>[A-Za-z0-9+/]{43}=)')[ \t]*\)",
         needs="setKey(", extract=_groups, remember=True,
         examples=(('setKey("MXNeLFWHUe4363BBKrY06cAsH8NWNb+Se2eXU5+Bb74=")',
                    "MXNeLFWHUe4363BBKrY06cAsH8NWNb+Se2eXU5+Bb74="),
                   ("> makeKey()\nsetKey('q3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz=')",
                    "q3Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz=")),
         negatives=('cache.setKey("session")', "setKey(os.getenv('DNSDIST_KEY'))",
                    'setKey("<base64 key from makeKey()>")')),
    # A password under a bracketed form-field name (Rails-style nested parameters: Enlighten's login form
    # `user[password]=` in `curl -F`/`-d` and form-encoded bodies); `user[password]` is no key word to the key scanner.
    # A curl `-F` value starting `<` or `@` names a file; `$`, `%` and `{` start references.
    Rule("password", r"\b[A-Za-z_][A-Za-z0-9_]{0,40}\[(?:current_|new_)?password(?:_confirmation)?\]=(?![$%{<@])"
         r"(?P<v1>[^&\s'\"]{4,256})", needs="password]=", extract=_groups, remember=True,
         examples=(("curl -s -F 'user[email]=ops@example.net' -F 'user[password]=tR5#mKw8Qz!p2Lx' https://example.com/login",
                    "tR5#mKw8Qz!p2Lx"),
                   ("-d 'session[login]=alice&session[password]=Hq7vN2kWx9Lp&commit=Sign+in'", "Hq7vN2kWx9Lp")),
         negatives=("-F 'user[password]=<pw.txt'", "-d 'user[password]=$ENLIGHTEN_PASSWORD'",
                    "params.require(:user).permit(:email, :password)", "user[password]=&user[email]=a")),
    # A Kaltura Session (KS) of version 2 is the base64 of `v2|<partner id>|…`, so it starts `djJ8`.
    Rule("token", r"(?<![A-Za-z0-9+/_-])(?P<v1>djJ8[A-Za-z0-9+/_-]{56,2048}={0,2})(?![A-Za-z0-9+/_-])", needs="djJ8",
         extract=_groups, remember=True,
         examples=(("ks=djJ8MjQxOTg3MXw9Hq2ZtW7xLp4RmV8kNc3YbJ6sDf1gEu5aTo0iKw9XrQzMnPv2Cy7Hj4Gk8FsUe3Lb6W==",
                    "djJ8MjQxOTg3MXw9Hq2ZtW7xLp4RmV8kNc3YbJ6sDf1gEu5aTo0iKw9XrQzMnPv2Cy7Hj4Gk8FsUe3Lb6W=="),),
         negatives=("djJ8 is the base64 of v2|", "ks=djJ8MjQxOTg3MXw")),
    # Scalelite's `rake servers:add[URL,SECRET(,LOAD_MULTIPLIER)]`: a BigBlueButton server's shared secret by position.
    Rule("secret", r"servers:add\[[^,\]\s]{1,512},(?P<v1>[^,\]\s\"']{8,256})(?=[,\]])", needs="servers:add[",
         extract=_groups, remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("./bin/rake servers:add[https://bbb1.example.edu/bigbluebutton/api,Zx9kQ2wLm7RtV4pNc8YbH3j,1]",
                    "Zx9kQ2wLm7RtV4pNc8YbH3j"),),
         negatives=("./bin/rake servers:add[https://bbb1.example.edu/bigbluebutton/api,$BBB_SECRET]",
                    "./bin/rake servers:list")),
    # Request Tracker's RT_SiteConfig.pm sets options with `Set( $NamePassword, 'VALUE' );` (`$DatabasePassword`,
    # RT::LDAPImport's `$LDAPPassword`): no `=` or `=>` after the key word, only the variable's name ends with it.
    Rule("password", r"Set\((?<![\w$>.:]Set\()[ \t]*\$\w{0,64}(?:Password|Passwd|Secret)[ \t]*,[ \t]*"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")", needs="Set(", extract=_groups, remember=True,
         examples=(("Set( $DatabasePassword, 'Rt4db!Xq9mVz' );", "Rt4db!Xq9mVz"),
                   ('Set($LDAPPassword, "Ld9pWq2x");', "Ld9pWq2x")),
         negatives=("Set( $WebPasswordHashFunction, 'bcrypt' );", "Set( $MinimumPasswordLength, 12 );",
                    "Set( $DatabasePassword, $ENV{RT_DB_PASSWORD} );", "Set( $DatabaseUser, 'rt_user' );")),
    # The RT command-line client's `~/.rtrc`: `server URL`, then `user NAME` and `passwd PASSWORD` lines (no `=`).
    # Keyed on the `server` line before it: a bare `passwd alice` is the passwd command and a user name.
    Rule("password", r"server(?<![^\n]server)[ \t]+https?://\S+[ \t]*\r?\n(?:[ \t]*(?:user|externalauth)[ \t]+\S+"
         r"[ \t]*\r?\n){0,2}[ \t]*passwd[ \t]+(?P<v1>\S{1,256})" + _LINE_END, needs="server", extract=_groups,
         remember=True,
         examples=(("# ~/.rtrc\nserver https://rt.example.com\nuser alice\npasswd Rc8vTq2!mLx5\n", "Rc8vTq2!mLx5"),),
         negatives=("server https://rt.example.com\nuser alice\nexternalauth 1\n",
                    "server https://rt.example.com\nuser alice\npasswd\n",
                    "$ passwd alice\nserver http://10.0.0.5\n")),
    # OmniAuth strategies in a Rails initializer (`provider :github, "CLIENT_ID", "CLIENT_SECRET"`) and Devise's
    # `config.omniauth :facebook, "APP_ID", "APP_SECRET"`: the literal after the id is the client's secret.
    *(Rule("secret", word + r"[ \t]+:\w{1,40}[ \t]*,[ \t]*(?:\"[^\"\r\n]{1,256}\"|'[^'\r\n]{1,256}')[ \t]*,[ \t]*"
           r"(?:\"(?P<v1>[^\"\r\n]{6,256})\"|'(?P<v2>[^'\r\n]{6,256})')", needs=word + " :", remember=True,
           validate=lambda value: not is_placeholder_value(value),
           examples=((f"  {word} :github, 'Iv1.8a61f9b3a7aba766', 'c5b7f3a9e1d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0'",
                      "c5b7f3a9e1d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0"),),
           negatives=(f"  {word} :github, ENV['GITHUB_KEY'], ENV['GITHUB_SECRET']",
                      f'  {word} :developer, "Developer", "placeholder"'))
      for word in ("provider", "omniauth")),
    # ProFTPD mod_sql's `SQLConnectInfo db[@host[:port]] [user] [password] [policy]`: the third argument.
    Rule("password", r"SQLConnectInfo[ \t]+\S+[ \t]+\S+[ \t]+(?P<v>[^\s#]{1,256})", needs="SQLConnectInfo",
         remember=True, validate=lambda value: not is_placeholder_value(value),
         examples=(("SQLConnectInfo proftpd@sql.example.com:3306 proftpd Pr0ftpd-sq1", "Pr0ftpd-sq1"),),
         negatives=("SQLConnectInfo proftpd@localhost", "SQLConnectInfo proftpd@localhost proftpd ${SQL_PASS}")),
    # Samba's smbpasswd(5) lines `name:uid:LANMAN:NT:[flags     ]:LCT-<hex time>:` (the flags field is 11 characters
    # in brackets): both hashes are password equivalents (`X`s or `NO PASSWORD` fill a field that holds none). Found
    # at `LCT-`, the fields before it in a lookbehind.
    Rule("password_hash", r"LCT-(?<=(?:(?P<v1>[0-9A-Fa-f]{32})|X{32}|NO PASSWORDX{21}):"
         r"(?:(?P<v2>[0-9A-Fa-f]{32})|X{32}|NO PASSWORDX{21}):\[[A-Z ]{11}\]:LCT-)[0-9A-Fa-f]{8}:", needs="LCT-",
         extract=_smbpasswd,
         examples=(("bob:1001:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:8846F7EAEE8FB117AD06BDD830B7586C:[U          ]"
                    ":LCT-5F2A9C0E:", "8846F7EAEE8FB117AD06BDD830B7586C"),
                   ("old:1002:0A1B2C3D4E5F60718293A4B5C6D7E8F9:99887766554433221100FFEEDDCCBBAA:[UX         ]:"
                    "LCT-5E3C0F11:", "0A1B2C3D4E5F60718293A4B5C6D7E8F9")),
         negatives=("nobody:65534:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:31D6CFE0D16AE931B73C59D7E0C089C0:[NU         ]"
                    ":LCT-00000000:",
                    "guest:1003:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:[UN         ]:"
                    "LCT-00000000:", "pdbedit: LCT-64A1B2C3 is the last change time")),
    # Jenkins' encrypted secrets (`hudson.util.Secret`): `{` + base64 of version byte 1 and a 16-byte IV length, `}`,
    # under whatever element holds them (`<password>`, `<secret>`, `<privateKey>`, job configs).
    Rule("secret", r"\{(?P<v>AQAAAB[A-Za-z0-9+/]{20,}={0,2})\}", needs="{AQAAAB", extract=_bundler_credentials,
         examples=(("<privateKey>{AQAAABAAAAAwq3Jk9Lm2Vx8Zp4Tn7Yb1Jf5Ka0Uw3Ro6Ec9Gd2Sh5Pk8M=}</privateKey>",
                    "AQAAABAAAAAwq3Jk9Lm2Vx8Zp4Tn7Yb1Jf5Ka0Uw3Ro6Ec9Gd2Sh5Pk8M="),),
         negatives=("values look like {AQAAAB...} in credentials.xml", "version {1.2.3}")),
    # Asterisk sip.conf/iax.conf `register => [transport://]user[@domain]:secret[:authuser]@host[:port][/contact]`.
    Rule("password", r"register[ \t]*=>[ \t]*(?:\w+://)?[^:@\s/]{1,128}(?:@[^:@\s/]{1,128})?:(?P<v>[^:@\s/]{1,128})"
         r"(?::[^@\s/]{0,128})?@", needs="=>", extract=_bundler_credentials, remember=True,
         examples=(("register => 4155550100:Tr7nkPw9@sip.carrier.example/4155550100", "Tr7nkPw9"),
                   ("register => tls://acct@pbx.example:Iax9Reg:authacct@sip.example.net", "Iax9Reg")),
         negatives=("register => 4155550100@10.0.0.5/4155550100", "register => user:<secret>@host")),
    # Asterisk's `md5secret=` (MD5 of `user:realm:secret`, enough to answer a digest challenge).
    Rule("password_hash", r"md5secret[ \t]*=>?[ \t]*(?P<v>[0-9a-fA-F]{32})(?![0-9a-fA-F])", needs="md5",
         extract=_bundler_credentials,
         examples=(("[1002]\ntype=friend\nmd5secret=0f3e1c2b4a5d6e7f8091a2b3c4d5e6f7\n",
                    "0f3e1c2b4a5d6e7f8091a2b3c4d5e6f7"),),
         negatives=("md5secret=", "; md5secret = md5(user:realm:secret)")),
    # voicemail.conf(5): `MAILBOX => PIN,Full Name,e-mail,...` (a leading `-` keeps the user from changing it).
    Rule("password", r"=>[ \t]*-?(?P<v>\d{3,20})[ \t]*,[^,'\"=()\r\n]{1,80}(?:,|[ \t]*(?:\r?\n|\Z))", needs="=>",
         extract=_voicemail_pin,
         examples=(("[default]\n2101 => 80714,Front Desk,frontdesk@example.com\n", "80714"),
                   ("4200 => -9185,Night Shift\n", "9185")),
         negatives=("$codes = [\n  1 => 2345, 'two',\n];", "exten => 100,1,Answer()", "2101 => 80714")),
    # ZNC's znc.conf: the digest in a `<Pass password>` block (`Method`, `Hash`, `Salt` lines) and the password after
    # a network's `Server = host [+]port PASSWORD`.
    Rule("password_hash", r"<Pass[ \t]+\w{1,40}>(?:\r?\n(?![ \t]*(?:</Pass>|Hash\b))[^\r\n]{0,256}){0,4}\r?\n[ \t]*"
         r"Hash[ \t]*=[ \t]*(?P<v>[0-9A-Za-z+/=]{16,256})[ \t]*(?=\r?\n|\Z)", needs="Pass",
         extract=_bundler_credentials,
         examples=(("<Pass password>\n\tMethod = sha256\n"
                    "\tHash = 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n"
                    "\tSalt = Ab3!kL9\n</Pass>", "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"),),
         negatives=("<Pass password>\n\tMethod = sha256\n\tHash = ...\n</Pass>",)),
    Rule("password", r"Server = [\w.:\[\]-]{1,253}[ \t]+\+?\d{1,5}[ \t]+(?P<v>[^\s]{1,256})[ \t]*"
         r"(?=\r?\n|\Z)",
         needs="Server = ", extract=_znc_server, remember=True,
         examples=(("<Network libera>\n\tServer = irc.libera.chat +6697 Lbr9SrvPw\n", "Lbr9SrvPw"),),
         negatives=("Server = irc.libera.chat +6697", "Server = db01 5432", "[db]\nServer = db01 1433 primary",
                    "Server = irc.libera.chat +6697 <password>")),
    # snmpd.conf(5) SNMPv3 users: `createUser [-e ENGINEID] NAME (MD5|SHA...) AUTHPASS [DES|AES... [PRIVPASS]]`.
    Rule("password", r"createUser[ \t]+(?:-e[ \t]+\S{1,80}[ \t]+)?\S{1,80}[ \t]+(?:MD5|SHA(?:-\d{3})?)[ \t]+"
         + _pass_phrase(1) + r"(?:[ \t]+(?:DES|AES(?:-?\d{3})?)[ \t]+" + _pass_phrase(3) + ")?", needs="createUser",
         extract=_groups, remember=True,
         examples=(('createUser monitor SHA "Snmp3AuthPhr4se" AES "Snmp3PrivPhr4se"', "Snmp3PrivPhr4se"),
                   ("createUser -e 0x80000000010203 trapuser MD5 Tr4pAuthPw DES Tr4pPrivPw", "Tr4pAuthPw")),
         negatives=("db.createUser({user: name, roles: []})", "createUser monitor SHA")),
    # HP ProCurve / ArubaOS-Switch `snmpv3 user NAME auth (md5|sha) AUTHPASS [priv (des|aes) PRIVPASS]`.
    Rule("password", r"snmpv3[ \t]+user[ \t]+\S{1,64}[ \t]+auth[ \t]+(?:md5|sha)[ \t]+(?!(?:auth|priv)-pass[ \t])"
         + _pass_phrase(1) + r"(?:[ \t]+priv[ \t]+(?:des|aes)[ \t]+" + _pass_phrase(3) + ")?", needs="snmpv3",
         extract=_groups, remember=True,
         examples=(('snmpv3 user "nms" auth sha "Pc-Snmpv3-Auth" priv aes "Pc-Snmpv3-Priv"', "Pc-Snmpv3-Priv"),
                   ("snmpv3 user nms auth md5 Pc-Md5-Auth9", "Pc-Md5-Auth9")),
         negatives=("snmpv3 user monitor auth sha auth-pass plaintext <password>", "snmpv3 enable")),
    # RANCID's .cloginrc(5) `add password HOST-GLOB {LOGIN-PASSWORD} [{ENABLE-PASSWORD}]`: both braced values.
    Rule("password", r"add[ \t]+password[ \t]+\S{1,128}[ \t]+\{(?P<v1>[^{}\r\n]{1,128})\}"
         r"(?:[ \t]+\{(?P<v2>[^{}\r\n]{1,128})\})?", needs="add password",
         extract=_groups, remember=True,
         examples=(("add password    core01*    {Cl0g-Vty9} {Cl0g-En9}", "Cl0g-En9"),
                   ("add password *.example.net {R4ncidPw}", "R4ncidPw")),
         negatives=("add password *.example.net", "git add password.txt", "add password for the user {name}")),
    # net-snmp tools (snmpwalk(1), snmpget, snmpset, snmpbulkwalk, snmptable, snmptrap, ...): options `-c COMMUNITY`,
    # `-A AUTHPASS`, `-X PRIVPASS` anywhere on the command's line.
    Rule("password", r"snmp(?:bulk)?(?:walk|get|getnext|set|table|trap|inform|status|df|netstat|delta|usm|vacm)"
         r"[ \t][^\r\n]{1,1000}", needs="snmp", extract=_netsnmp_options, remember=True,
         examples=(("snmpwalk -v2c -c Pr1ntC0mm 10.0.0.5 1.3.6.1.2.1.43", "Pr1ntC0mm"),
                   ("snmpget -v3 -l authPriv -u mon -a SHA -A 'Au7h Pass' -x AES -X Pr1vK3y host sysDescr.0",
                    "Pr1vK3y")),
         negatives=("snmpwalk -v2c -c <community> 10.0.0.5", "snmpwalk -Cc -v3 -u mon host",
                    "snmpget is part of net-snmp")),
    # Zebra SGD commands (`! U1 setvar "KEY" "VALUE"`, Link-OS): the value of a key that names a secret
    # (`wlan.wpa.psk`, `wlan.8021x.peap.password`).
    Rule("password", r'setvar[ \t]+"(?P<k>[\w.-]{1,80})"[ \t]+"(?P<v>[^"\r\n]{1,256})"', needs="setvar",
         extract=_quoted_secret_pair, remember=True,
         examples=(('! U1 setvar "wlan.wpa.psk" "Zw3lanPsk9"', "Zw3lanPsk9"),
                   ('! U1 setvar "wlan.8021x.peap.password" "Pe4pNw8R"', "Pe4pNw8R")),
         negatives=('! U1 setvar "wlan.essid" "WAREHOUSE-IOT"', '! U1 setvar "wlan.wpa.psk" "<psk>"')),
    # snmpd.conf(5) `rocommunity`/`rwcommunity` (and `…6`) at the start of a line: the SNMPv1/v2c community string.
    Rule("password", r"r[ow]community6?[ \t]+(?P<v>[^\s#]{1,128})", needs="community",
         extract=_line_start_directive, remember=True,
         examples=(("rocommunity R0commSecret 10.0.0.0/8", "R0commSecret"),
                   ("  rwcommunity6 Rw6Comm9 fd00::/8", "Rw6Comm9")),
         negatives=("# rocommunity is read-only", "grep rocommunity /etc/snmp/snmpd.conf")),
    # pppd's chap-secrets(5)/pap-secrets under the header comment the files ship with.
    Rule("password", r"#[ \t]*client[ \t]+server[ \t]+secret[ \t]+IP addresses[ \t]*(?:\r?\n|\Z)", needs="IP addresses",
         extract=_ppp_secrets, remember=True,
         examples=(('# Secrets for authentication using CHAP\n# client\tserver\tsecret\t\t\tIP addresses\n'
                    '"isp-user"\t*\t"Ch4pPw9x"\t\t*\nvpnuser\tpptpd\tPptp9Secr\t*\n', "Pptp9Secr"),),
         negatives=("# client\tserver\tsecret\t\t\tIP addresses\n", "# client\tserver\tsecret\t\t\tIP addresses\n"
                    "* * * *\n")),
    # hostapd's `wpa_psk_file` (hostapd.wpa_psk): `[keyid=ID] [vlanid=N] [wps=1] MAC PASSPHRASE-or-64-HEX`, one station
    # per line; `00:00:00:00:00:00` is any station. Only entries with the wildcard address or an option: a bare `MAC
    # word` line is also /etc/ethers' `MAC hostname`.
    *(Rule("password", head + r"\S{0,64}(?:[ \t]+\S{1,64})*?[ \t]+(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}"
           r"[ \t]+(?P<v>\S{8,64})[ \t]*(?=\r?\n|\Z)", needs=head, extract=_wpa_psk_entry, remember=True,
           examples=((f"{example} Wp4-Psk-F1le\n", "Wp4-Psk-F1le"),),
           negatives=(f"# {example} passphrase", "08:00:20:00:61:ca pluto.example.com"))
      for head, example in (("keyid=", "keyid=iot 02:11:22:33:44:55"), ("vlanid=", "vlanid=20 02:11:22:33:44:55"))),
    Rule("password", r"00:00:00:00:00:00[ \t]+(?P<v>\S{8,64})[ \t]*(?=\r?\n|\Z)", needs="00:00:00:00:00:00",
         extract=_wpa_psk_entry, remember=True,
         examples=(("# hostapd.wpa_psk\n00:00:00:00:00:00 Def4ult-Psk-9\n", "Def4ult-Psk-9"),),
         negatives=("lo: link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
                    "ether 00:00:00:00:00:00 txqueuelen 1000")),
    # NUT's upsmon.conf `MONITOR <ups>@<host>[:port] <power value> <user> <password> primary|secondary` (`master` and
    # `slave` before NUT 2.8): the password upsd.users gives that user.
    Rule("password", r"MONITOR[ \t]+\S{1,128}[ \t]+\d{1,3}[ \t]+\S{1,64}[ \t]+" + _pass_phrase(1)
         + r"[ \t]+(?:primary|secondary|master|slave)\b", needs="MONITOR", extract=_groups, remember=True,
         examples=(("MONITOR rack-ups@localhost 1 upsmon Ups-M0n-Pw primary", "Ups-M0n-Pw"),
                   ('MONITOR ups@10.0.0.20 1 monuser "Off1ce Ups" slave', "Off1ce Ups")),
         negatives=("# MONITOR <system> <powervalue> <username> <password> (\"primary\"|\"secondary\")",
                    "MONITOR ups@localhost 1 upsmon ${UPSMON_PASSWORD} primary")),
    # open-iscsi's CHAP secrets: `node.session.auth.password[_in] = …` in iscsid.conf and node records (`_in`: the
    # target's secret for mutual CHAP; `discovery.sendtargets.auth.…` alike), and the same keys given to `iscsiadm -m
    # node --op=update -n KEY -v VALUE`.
    Rule("password", r"auth\.password(?:_in)?(?:[ \t]*=[ \t]*|[ \t]+(?:-v|--value)[ \t=]+)(?P<v>[^\s#]{1,256})",
         needs="auth.password", extract=_bundler_credentials, remember=True,
         examples=(("node.session.auth.password_in = Mutu4lCh4p9", "Mutu4lCh4p9"),
                   ("iscsiadm -m node -T iqn.2003-01.org.example:vol01 -p 10.0.20.5 --op=update "
                    "-n node.session.auth.password -v Cl1Ch4pSecr", "Cl1Ch4pSecr")),
         negatives=("#node.session.auth.password_in =", "node.session.auth.password_length = 16",
                    "iscsiadm -m node --op=update -n node.session.auth.password -v ${CHAP_SECRET}")),
    # nslcd.conf(5)'s `bindpw`, whose value is the rest of the line (blanks in it included).
    Rule("password", r"bindpw[ \t]+(?P<v>[^\s#-][^\r\n]{0,255}?)[ \t]*(?=\r?\n|\Z)", needs="bindpw",
         extract=_line_start_directive, remember=True,
         examples=(("binddn cn=nss,dc=example,dc=com\nbindpw correct horse n5lcd staple\n",
                    "correct horse n5lcd staple"),),
         negatives=("grep bindpw /etc/nslcd.conf", "bindpw ${NSLCD_BINDPW}")),
    # FreeBSD user-ppp's ppp.conf `set authkey SECRET` (PAP/CHAP, beside `set authname USER`) in a profile.
    Rule("password", r"set[ \t]+authkey[ \t]+" + _pass_phrase(1) + r"[ \t]*(?=\r?\n|\Z)", needs="authkey",
         extract=_line_start_directive, remember=True,
         examples=(("provider:\n set authname jdoe\n set authkey Fbsd-ppp-K3y\n", "Fbsd-ppp-K3y"),),
         negatives=("ppp ON awfulhak> set authkey", " set authkey ${PPP_KEY}")),
    # OpenBSD ifconfig(8) options, in a command or an /etc/hostname.if line: `wpakey` (`join NWID wpakey KEY`),
    # WireGuard's `wgkey` (the interface's private key; `wgpeer` names a public one) and a peer's `wgpsk`.
    *(Rule("password", rf"{word}(?<![\w-]{word})[ 	]+" + _pass_phrase(1), needs=word, extract=_groups, remember=True,
           examples=((f"join HomeNet {word} {example}\ninet autoconf\n", example),),
           negatives=(f"-{word}", f"ifconfig iwm0 {word} $WIFI_KEY"))
      for word, example in (("wpakey", "Op3nBSD-H0me"), ("wgkey", "kJ3mP8qR2tV6xZ0bD4fH7jL1nQ5sU9wY3aC6eG0iK4M="),
                            ("wgpsk", "Pq4rS8tU2vW6xY0zA3bC7dE1fG5hJ9kL2mN6oP0qR4s="))),
    # A carp(4) interface's `pass` (the shared secret of its virtual host), after `vhid N` on an ifconfig line.
    Rule("password", r"vhid[ \t]+\d{1,3}(?:[ \t]+(?!pass[ \t])\S{1,64}){0,8}?[ \t]+pass[ \t]+" + _pass_phrase(1),
         needs="vhid", extract=_groups, remember=True,
         examples=(("inet 10.0.0.1 255.255.255.0 10.0.0.255 vhid 1 carpdev em0 pass C4rp-Sh4red advskew 0",
                    "C4rp-Sh4red"),),
         negatives=("inet 10.0.0.1 255.255.255.0 vhid 1 carpdev em0 advskew 100",)),
    # GRUB's plain `password USER PASSWORD` command, in a grub.cfg that sets `superusers` (the hashed form is caught
    # by its shape).
    Rule("password", r"password[ \t]+[A-Za-z_][\w.-]{0,63}[ \t]+(?P<v>[^\s#]{1,256})[ \t]*(?=\r?\n|\Z)",
         needs="password", extract=_grub_password, remember=True,
         examples=(('set superusers="root"\npassword operator Gr8b-0per-Pw\n', "Gr8b-0per-Pw"),),
         negatives=('set superusers="root"\n# password operator changed\n', "password reset required\n")),
    # Exim's passwd.client (`host:user:password`) under the header comment Debian's exim4 ships it with.
    Rule("password", r"# password file used when the local exim is authenticating to a remote host as a client\.?"
         r"[^\r\n]*(?:\r?\n|\Z)", needs="password", extract=_exim_passwd_client,
         remember=True,
         examples=(("# password file used when the local exim is authenticating to a remote host as a client.\n"
                    "smtp.example.com:relayuser:Ex1mRel4yPw\n", "Ex1mRel4yPw"),),
         negatives=("# password file used when the local exim is authenticating to a remote host as a client.\n"
                    "#\n# see exim4_passwd_client(5) for more documentation\n",)),
    # Nagios resource.cfg: `$USERn$=value` macros, where the docs say to keep passwords and other sensitive data.
    Rule("password", r"\$USER\d{1,3}\$[ \t]*=[ \t]*(?P<v>[^\s#][^\r\n]{0,255}?)[ \t]*(?=\r?\n|\Z)", needs="$USER",
         extract=_nagios_macro, remember=True,
         examples=(("$USER1$=/usr/lib/nagios/plugins\n$USER3$=N4giosDbPw9\n", "N4giosDbPw9"),),
         negatives=("$USER1$=/usr/lib/nagios/plugins", "command_line $USER1$/check_ping -H $HOSTADDRESS$")),
    # PgBouncer's auth_file (userlist.txt): `"username" "password"` and nothing else on the line.
    Rule("password", r'(?:^|(?<=\n))"[^"\r\n]{1,128}" +"(?P<v>[^"\r\n]{1,256})"[ \t]*(?=\r?\n|\Z)', needs='" "',
         extract=_bundler_credentials, remember=True,
         examples=(('"app" "PgB0uncer9Pw"\n"stats" "md5a3556571e93b0d20722ba62be61e8c2d"\n', "PgB0uncer9Pw"),),
         negatives=('print("a" "b")', '  "a" "b"\n', '"app" ""\n')),
    # UnrealIRCd's `set { cloak-keys { "KEY"; "KEY"; "KEY"; }; }`: the keys that hide users' addresses.
    Rule("secret", r"cloak-keys[ \t]*\{(?P<b>(?:\s*\"[^\"\r\n]{1,256}\"[ \t]*;){1,8})", needs="cloak-keys",
         extract=_quoted_keys, remember=True,
         examples=(('set {\n\tcloak-keys {\n\t\t"aQ3kZ9mW2xR7tL5pV8nB4cJ6hF1gD0sYuE";\n'
                    '\t\t"Tz8Kq1Wm5Xr9Lb2Np6Vc3Hj7Fd4Gs0Ay";\n\t};\n};',
                    "aQ3kZ9mW2xR7tL5pV8nB4cJ6hF1gD0sYuE"),),
         negatives=('cloak-keys {\n\t"and another one";\n};', "cloak-keys are generated by ./unrealircd gencloak")),
    # Erlang terms (`sys.config`, RabbitMQ's `advanced.config`): `{default_pass, <<"...">>}` / `{password, "..."}`
    # (mysql-otp's and epgsql's proplists). The literal of the pass is the tuple's closing quote: a binary's `">`, a
    # string's `"}`.
    *(Rule("secret", r"\{(?<![\w])[ \t]*(?P<k>[a-z][\w]{0,80})[ \t]*,[ \t]*" + value + r"[ \t]*\}",
           needs=needs, extract=_keyed_value, remember=True, examples=examples, negatives=negatives)
      for needs, value, examples, negatives in (
          ('">', r"<<\"(?P<v1>[^\"\r\n]{1,256})\">>",
           (('[{rabbit, [{default_user, <<"admin">>}, {default_pass, <<"Erl4ngR4bbit">>}]}].', "Erl4ngR4bbit"),),
           ('{default_user, <<"admin">>}',)),
          ('"}', r"\"(?P<v1>[^\"\r\n]{1,256})\"(?=\})",
           (('{mysql, [{user, "app"}, {password, "Erl-Str1ngPw"}, {database, "app"}]}', "Erl-Str1ngPw"),),
           ('{host, "db.example.net"}', '{"password": "x"}', '{password, ""}')))),
    # EDN/Clojure maps: `:database-password "..."` (a keyword key before its value), also as the literal fallback of
    # Aero's reader tags (`:password #or [#env DB_PASSWORD "..."]`).
    Rule("secret", r":(?<=[\s{(\[,]:)(?P<k>[A-Za-z][\w.-]{0,80})[ \t]+"
         r"(?:#or[ \t]+\[[ \t]*#env[ \t]+[\w.-]{1,80}[ \t]+)?\"(?P<v1>[^\"\r\n]{1,256})\"", ":",
         extract=_keyed_value, remember=True, before=r"[\s{(\[,]", after="[A-Za-z]",
         examples=(('{:user {:env {:database-password "Cl0jureDbPw"}}}', "Cl0jureDbPw"),
                   ('{:password #or [#env DB_PASSWORD "A3roFallb4ck"]}', "A3roFallb4ck")),
         negatives=('{:database-url "postgres://localhost/app"}', 'at 12:00 "done"',
                    ':port #long #or [#env PORT "3000"]')),
    # The Erlang distribution cookie, which lets any node that knows it run code on the others: `-setcookie X` in a
    # release's `vm.args` and on `erl`/`iex` command lines, `RELEASE_COOKIE=X` in a release's `env.sh` (Elixir),
    # RabbitMQ's `RABBITMQ_ERLANG_COOKIE` (environment, compose files) and `rabbitmqctl --erlang-cookie X`.
    *(Rule("secret", prefix + r"[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})'"
           r"|(?P<v3>[^\s\"'$]\S{0,255}))", needs=prefix, extract=_bundler_credentials, remember=True,
           examples=((f"{prefix} Zq7VtLm2XwK9pRn4".replace("= ", "="), "Zq7VtLm2XwK9pRn4"),),
           negatives=(f"{prefix} $ERLANG_COOKIE".replace("= ", "="),))
      for prefix in ("-setcookie ", "RELEASE_COOKIE=", "ERLANG_COOKIE=", "ERLANG_COOKIE: ", "--erlang-cookie ")),
    # Broker tools that print or take a secret with no key word beside it. `confluent api-key create` prints a table
    # whose `| API Secret | … |` row is the key's only copy; `curve_keygen` (ZeroMQ) prints the Z85 secret key alone on
    # the line after its banner; `artemis mask VALUE` (ActiveMQ Artemis) masks the clear-text password it is given.
    Rule("secret", r"API Secret(?<=\| API Secret)[ \t]*\|[ \t]*(?P<v>[A-Za-z0-9+/]{16,128}={0,2})[ \t]*\|",
         needs="API Secret", remember=True,
         examples=(("| API Key    | UT8KMBPNQA10WO0K |\n| API Secret | Zq7Vt" + "Lm2XwK9pRn4" * 5 + " |",
                    "Zq7Vt" + "Lm2XwK9pRn4" * 5),),
         negatives=("| API Secret | <redacted> |", "| API Key | API Secret |")),
    Rule("secret", r"== CURVE SECRET KEY ==[ \t]*\r?\n(?P<v>[0-9A-Za-z.:+=^!/*?&<>()\[\]{}@%$#-]{40})"
         r"(?=[ \t]*(?:\r?\n|\Z))",
         needs="== CURVE SECRET KEY ==", remember=True,
         examples=(("== CURVE SECRET KEY ==\nbK8xZd=E?LFvH>tHn<c0X*Dq[=ax/V&X>hBYLn*6\n",
                    "bK8xZd=E?LFvH>tHn<c0X*Dq[=ax/V&X>hBYLn*6"),),
         negatives=("== CURVE PUBLIC KEY ==\nmps!Z*2&P)ff1^CA9OBRFe3wZsSQhZiu+E=tUvza\n",
                    "== CURVE SECRET KEY ==\n(not printed)\n")),
    Rule("password", r"artemis[ \t]+mask[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\""
         r"|(?P<v3>[^\s'\"$-]\S{0,255}))", needs="artemis", extract=_bundler_credentials, remember=True,
         examples=(("./bin/artemis mask 'Br1dge-Plain#7'", "Br1dge-Plain#7"),
                   ("artemis mask Sec0nd-Pw9", "Sec0nd-Pw9")),
         negatives=("artemis mask --help", 'artemis mask "$BRIDGE_PW"')),
    # nats.go's `nats.UserInfo("user", "password")` connect option: the password is its second argument.
    Rule("password", r'UserInfo\((?<=\bnats\.UserInfo\()"[^"\r\n]{0,128}",[ \t]*"(?P<v>[^"\r\n]{1,256})"\)',
         needs="UserInfo(", remember=True,
         examples=(('nc, _ := nats.Connect(url, nats.UserInfo("inventory", "Inv3nt0ry-N4ts"))', "Inv3nt0ry-N4ts"),),
         negatives=('nats.UserInfo("inventory", "")', "nats.UserInfo(user, os.Getenv(\"NATS_PASSWORD\"))")),
    # Apache Pulsar's token keys given inline as a data URI (broker.conf `tokenSecretKey=data:;base64,…`, the HMAC key
    # that signs every token; `tokenPrivateKey`): the base64 after `;base64,`. `file:///…` paths stay.
    Rule("secret", r"Key=data:(?:(?<=tokenSecretKey=data:)|(?<=tokenPrivateKey=data:))[\w/.+-]{0,64};base64,"
         r"(?P<v>[A-Za-z0-9+/]{16,8192}={0,2})", needs="Key=data:", remember=True,
         examples=(("tokenSecretKey=data:;base64,Rp8Pbmjif2m2IFIarR4M7bmOlkyOT1oQTADWF5lMnyE=",
                    "Rp8Pbmjif2m2IFIarR4M7bmOlkyOT1oQTADWF5lMnyE="),),
         negatives=("tokenSecretKey=file:///etc/pulsar/secret.key",
                    "tokenPublicKey=data:;base64,MIIBIjANBgkqhkiG9w0B")),

    # Java properties may separate key and value with blanks (Spark's `spark-defaults.conf`:
    # `spark.hadoop.fs.s3a.secret.key   VALUE`); Neo4j's `neo4j-admin dbms set-initial-password VALUE`.
    Rule("secret", r"secret\.key(?<=[\w.]secret\.key)[ \t]+(?P<v3>[^\s#]{1,256})[ \t]*(?=\r?\n|\Z)",
         needs="secret.key", extract=_spaced_property, remember=True,
         examples=(("spark.hadoop.fs.s3a.secret.key   Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5"),),
         negatives=("spark.hadoop.fs.s3a.secret.key   ${S3_SECRET}", "the secret.key file is rotated daily")),
    Rule("password", r"set-initial-password[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\""
         r"|(?P<v3>[^\s'\"$-]\S{0,255}))", needs="set-initial-password", extract=_bundler_credentials, remember=True,
         examples=(("neo4j-admin dbms set-initial-password Ne04jInit9", "Ne04jInit9"),),
         negatives=("neo4j-admin dbms set-initial-password $NEO4J_PW",)),
    # Fossil's `fossil user password USER NEWPASSWORD`: the password is the argument after the user's name.
    Rule("password", r"fossil[ \t]+user[ \t]+password" + _ACCOUNT_ARG + r"[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'"
         r"|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$-]\S{0,255}))", needs="fossil", extract=_bundler_credentials,
         remember=True,
         examples=(("fossil user password bob 'Bb3$nVq7xKz9' -R tools.fossil", "Bb3$nVq7xKz9"),
                   ("fossil user password alice Fs6qWz2vXm8", "Fs6qWz2vXm8")),
         negatives=("fossil user password alice -R repo.fossil", "fossil user password bob \"$NEW_PW\"",
                    "fossil user list -R repo.fossil")),
    # Samba's `samba-tool user create|add USER [PASSWORD]` (without it the tool prompts, or `--random-password`).
    Rule("password", r"samba-tool[ \t]+user[ \t]+(?:create|add)" + _ACCOUNT_ARG + r"[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'"
         r"|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$-]\S{0,255}))", needs="samba-tool",
         extract=_bundler_credentials, remember=True,
         examples=(("samba-tool user create jdoe 'Sm4b-Us3r!q' --given-name=John", "Sm4b-Us3r!q"),
                   ("sudo samba-tool user add svc-web Wb7qLx2pTz", "Wb7qLx2pTz")),
         negatives=("samba-tool user create jdoe --random-password", "samba-tool user create jdoe \"$NEW_PW\"",
                    "samba-tool user list")),
    # rpcclient's `setuserinfo[2] USER LEVEL PASSWORD` (level 23/24/25/26 set a password) and `chgpasswd[2|3] USER
    # OLDPASSWORD NEWPASSWORD`, as commands of its prompt or of `-c "…"`.
    *(Rule("password", head + r"[ \t]+(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\""
           r"|(?P<v3>[^\s'\"$-][^\s'\"]{0,255}))", needs=needs, extract=_rpc_passwords, remember=True,
           examples=examples, negatives=negatives)
      for head, needs, examples, negatives in (
          (r"setuserinfo2?[ \t]+[^\s'\"-][^\s'\"]{0,255}[ \t]+\d{1,2}", "setuserinfo",
           (("rpcclient -U 'EX/helpdesk%x' dc1 -c \"setuserinfo2 mjones 23 'Rpc-Pw7q!'\"", "Rpc-Pw7q!"),
            ("rpcclient $> setuserinfo mjones 24 Rpc-Pw8x", "Rpc-Pw8x")),
           ("rpcclient $> setuserinfo2 mjones 21", "rpcclient -c 'setuserinfo2 mjones 23 \"$PW\"' dc1")),
          (r"chgpasswd[23]?[ \t]+[^\s'\"-][^\s'\"]{0,255}[ \t]+(?:'(?P<o1>[^'\r\n]{1,256})'"
           r"|(?P<o3>[^\s'\"$-][^\s'\"]{0,255}))", "chgpasswd",
           (("rpcclient $> chgpasswd jdoe Old-Pw4x New-Pw9q", "New-Pw9q"),
            ("rpcclient $> chgpasswd3 jdoe 'Old-Pw4x' New-Pw9q", "Old-Pw4x")),
           ("rpcclient $> chgpasswd jdoe", "chgpasswd jdoe $OLD $NEW")))),
    # Windows' `ldifde`/`csvde … -b USER DOMAIN PASSWORD` (a `*` prompts for it).
    *(Rule("password", tool + r"(?:\.exe)?\b[^\r\n]{0,300}?[ \t]-b[ \t]+[^\s-]\S{0,255}[ \t]+[^\s-]\S{0,255}[ \t]+"
           r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\"|(?P<v3>[^\s'\"$%*-]\S{0,255}))",
           needs=tool, extract=_bundler_credentials, remember=True,
           examples=((f"{tool} -i -f users.ldf -s dc1.example.com -b svc-imp EX Ld1f-Pw7q", "Ld1f-Pw7q"),),
           negatives=(f"{tool} -i -f users.ldf -b svc-imp EX *", f"{tool} -f out.ldf -s dc1 -d dc=example,dc=com"))
      for tool in ("ldifde", "csvde")),
    # Netscape cookie jars (curl's `-c`, wget's, yt-dlp's, `~/.gitcookies` for googlesource, RBTools'
    # `~/.rbtools-cookies`): `domain TAB flag TAB path TAB secure TAB expiry TAB name TAB value`, the value a session's
    # credential with no key word beside it. googlesource's `o` cookie is `git-USER=TOKEN`: its user stays.
    Rule("secret", r"\t/(?:(?<=TRUE\t/)|(?<=FALSE\t/))[^\t\r\n]{0,256}\t(?:TRUE|FALSE)\t\d{1,12}\t[^\t\r\n]{1,256}\t"
         r"(?:git-[^\s=]{1,128}=)?(?P<v>[^\t\r\n]{1,4096})", needs="\t/", extract=_cookie_jar_value, remember=True,
         examples=((".googlesource.com\tTRUE\t/\tTRUE\t2147483647\to\tgit-alice.example.com=1//0hQw3Er8TyUi5Op1As6Df9",
                    "1//0hQw3Er8TyUi5Op1As6Df9"),
                   ("reviews.example.com\tFALSE\t/\tTRUE\t1767225600\trbsessionid\tk3v9x2mq7wz8tb4np5lh6cyrd1jsf0ga",
                    "k3v9x2mq7wz8tb4np5lh6cyrd1jsf0ga")),
         negatives=("example.com\tFALSE\t/\tFALSE\t1767225600\tlang\ten-US",
                    "2024-05-02\t/\tGET\t200\t1523\tcurl/8.5.0\tk3v9x2mq7wz8tb4np5lh6cyrd1jsf0ga")),
    # Perforce's ticket file (`~/.p4tickets`, `%USERPROFILE%\\p4tickets.txt`): `HOST:PORT=USER:TICKET`, a 32-hex ticket
    # that logs its holder in as the password does, with no key word.
    Rule("token", r"=(?<=\d=)[^\s:=]{1,128}:(?P<v>[0-9A-F]{32})(?=[ \t]*(?:\r?\n|\Z))", "=",
         extract=_line_before(_P4_ADDRESS.fullmatch, extract_value),
         remember=True, before=r"\d",
         examples=(("perforce.example.com:1666=alice:6A1F09C3B27D48E5A0C4F7D2E9B18C35",
                    "6A1F09C3B27D48E5A0C4F7D2E9B18C35"),
                   ("ssl64:10.0.4.12:1666=build:D41D8CD98F00B204E9800998ECF8427E",
                    "D41D8CD98F00B204E9800998ECF8427E")),
         negatives=("ssl:perforce.example.com:1666",
                    "2024-05-02 retries=3=cache:D41D8CD98F00B204E9800998ECF8427E",
                    "x=1=y:d41d8cd98f00b204e9800998ecf8427e")),
    # Apple property lists (`Info.plist`, `.mobileconfig` profiles): `<key>Password</key>` then `<string>...</string>`.
    Rule("secret", r"<string>(?P<v>[^<\r\n]{1,512})</string>", needs="<string>", extract=_entry_value, remember=True,
         examples=(("<dict>\n  <key>Password</key>\n  <string>Pl1stPw9x</string>\n</dict>", "Pl1stPw9x"),),
         negatives=("<key>Name</key>\n<string>Office Wi-Fi</string>", "<string>Hello</string>")),
    # Jenkins' Groovy init scripts (`init.groovy.d/`, the script console): `HudsonPrivateSecurityRealm`'s
    # `createAccount("user", "PASSWORD")`, and `hudson.util.Secret.fromString("...")`, a credential's secret.
    *(Rule("secret", re.escape(prefix) + r"[ \t]*" + first + f"(?:{_QUOTED_ARG})[ \t]*\\)", needs=prefix,
           extract=_bundler_credentials, remember=True, examples=(example,), negatives=negatives)
      for prefix, first, example, negatives in (
          (".createAccount(", r"(?:\"[^\"\r\n]{1,128}\"|'[^'\r\n]{1,128}')[ \t]*,[ \t]*",
           ('hudsonRealm.createAccount("admin", "Jnk-Adm1nPw")', "Jnk-Adm1nPw"),
           ("hudsonRealm.createAccount(user, password)", 'realm.createAccount("admin", "${ADMIN_PW}")')),
          ("Secret.fromString(", "", ('Secret.fromString("Jnk-T0ken-9f2c4e6a")', "Jnk-T0ken-9f2c4e6a"),
           ('Secret.fromString(System.getenv("SLACK_TOKEN"))', 'Secret.fromString("")')))),
    # A Java .properties key with `\uXXXX` escapes (`native2ascii`, `Properties.store`, or hiding a key word from a
    # search: `connector.\u0070assword=…`): the value to the end of the line.
    Rule("secret", r"\\u[0-9A-Fa-f]{4}(?:[\w.-]|\\u[0-9A-Fa-f]{4}){0,80}(?P<s>[ \t]*[=:])[ \t]*"
         r"(?P<v3>[^\s\\][^\r\n]{0,255}?)[ \t]*(?=\r?\n|\Z)", needs="\\u", extract=_escaped_property, remember=True,
         examples=(("connector.\\u0070assword=Uc9vXq2wLk7t", "Uc9vXq2wLk7t"),
                   ("connector.api\\u004Bey : Ak4pRz8wNv3xQm6t", "Ak4pRz8wNv3xQm6t")),
         negatives=("ui.greeting=Gr\\u00FC\\u00DF Gott", "msg.\\u0070assword.hint=Mindestens 8 Zeichen",
                    "db.\\u0070assword=${DB_PASSWORD}")),
    # R's assignment arrow: `password <- "..."`.


    Rule("secret", r"<-[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')", needs="<-",
         extract=_arrow_assignment, remember=True,
         examples=(("db_password <- 'Rl4ngArrowPw'", "Rl4ngArrowPw"),),
         negatives=("region <- 'eu-west-1'", "x <- '<-'")),
    # C's `char name[] = "value"` (a sized array too), VB's `Const Name As String = "value"` (`Dim`, VB.NET), COBOL's
    # `01 NAME PIC X(n) VALUE "value"` (host variables of embedded SQL): a declaration whose name names a secret.
    Rule("secret", r"\[\d{0,4}\][ \t]*=[ \t]*\"(?P<v1>[^\"\r\n]{1,256})\"", needs="]", extract=_arrow_assignment,
         remember=True,
         examples=(('char admin_secret[] = "Zx4nP8qLt2Wv";', "Zx4nP8qLt2Wv"),
                   ('static char db_password[32] = "Cp4ssArr#9";', "Cp4ssArr#9")),
         negatives=('char hostname[] = "db01.internal";', 'char password[] = "";', 'argv[1] = "password"')),
    Rule("secret", r"As[ \t]+String[ \t]*=[ \t]*\"(?P<v1>[^\"\r\n]{1,256})\"", needs="As String",
         extract=_arrow_assignment, remember=True,
         examples=(('Public Const DB_PASSWORD As String = "Vb6#St0ck"', "Vb6#St0ck"),
                   ('Dim apiToken As String = "Hq2Lm9Vx4Zp8Tn3Yb6Jf"', "Hq2Lm9Vx4Zp8Tn3Yb6Jf")),
         negatives=('Public Const APP_TITLE As String = "Stock Control"', 'Dim password As String = ""')),
    Rule("password", r"PIC(?:TURE)?[ \t]+(?:IS[ \t]+)?X\(\d{1,4}\)[ \t]+VALUE[ \t]+(?:IS[ \t]+)?(?:"
         + _QUOTED_ARG + ")", needs="PIC", extract=_arrow_assignment, remember=True,
         examples=(('       01  WS-PASSWD          PIC X(12) VALUE "Cb0L#pay24".', "Cb0L#pay24"),
                   ("       01  DB-PASSWORD PIC X(10) VALUE 'Cob0lPw#1'.", "Cob0lPw#1")),
         negatives=('       01  WS-USERNAME        PIC X(10) VALUE "PAYROLL".',
                    "       01  WS-PASSWD          PIC X(12) VALUE SPACES.")),
    # A literal copied into a variable named for a secret with `strcpy`/`strncpy`/`strlcpy` (Pro*C fills its
    # `VARCHAR password` host variable this way before `EXEC SQL CONNECT :user IDENTIFIED BY :password`).
    Rule("password", r"cpy\((?:(?<=strcpy\()|(?<=strncpy\()|(?<=strlcpy\())[ \t]*(?:\([\w \t*]{1,32}\)[ \t]*)?"
         r"(?P<k>[A-Za-z_][\w.>-]{0,63})[ \t]*,[ \t]*\"(?P<v1>[^\"\r\n]{1,256})\"", needs="cpy(", extract=_keyed_value,
         remember=True,
         examples=(('strcpy((char *)password.arr, "T1ger#Ora88");', "T1ger#Ora88"),
                   ('strncpy(cfg->db_pass, "Strn#Cpy42", sizeof(cfg->db_pass));', "Strn#Cpy42")),
         negatives=('strcpy((char *)username.arr, "SCOTT_APP");', 'strcpy(password, getenv("DB_PASS"));')),
    # CMake's `set(NAME "value")` when the name names a secret.
    Rule("secret", r"set\((?P<k>[A-Za-z_]\w{0,80})[ \t]+\"(?P<v1>[^\"\r\n]{1,256})\"", needs="set(",
         extract=_keyed_value, remember=True,
         examples=(('set(API_TOKEN "Hq2Lm9Vx4Zp8Tn3Yb6Jf")', "Hq2Lm9Vx4Zp8Tn3Yb6Jf"),),
         negatives=('set(CMAKE_CXX_STANDARD "17")', 'set(PASSWORD "${ENV_PW}")')),
    # Subversion's auth cache (`~/.subversion/auth/svn.simple/<hash>`): `K 8`, `password`, `V <length>`, the value.
    Rule("password", r"password(?<=K 8\npassword)\nV \d{1,4}\n(?P<v>[^\r\n]{1,512})", needs="K 8\npassword",
         extract=_bundler_credentials, remember=True,
         examples=(("K 8\npassword\nV 11\nsvnP4ss2020\nK 15\nsvn:realmstring\n", "svnP4ss2020"),),
         negatives=("K 8\nusername\nV 5\nalice\n", "password\nV 3\nabc")),
    # Windows registry exports (`.reg`) and SecureCRT session files: a quoted key (blanks allowed, `S:` type prefix)
    # alone at the start of its line, `=`, then a string, a `hex:` byte list (continued over `\`-ended lines) or a
    # SecureCRT-encrypted `02:<hex>`/`u<hex>` value, when the key names a secret.
    Rule("password", r'(?<![^\n])(?:[A-Z]:)?"(?P<k>[^"\r\n=]{1,64})"='
         r'(?:(?P<v1>hex(?:\([0-9a-f]\))?:[0-9a-fA-F]{2}(?:,(?:\\\r?\n[ \t]*)?[0-9a-fA-F]{2})*)'
         r'|"(?P<v2>[^"\r\n]{1,512})"|(?:0\d:)?(?P<v3>(?![dq]word:)[^\s"]{4,512}))', needs='"=',
         extract=_keyed_value, remember=True,
         examples=(('[HKEY_CURRENT_USER\\Software\\TightVNC\\Server]\n"Password"=hex:a3,5f,19,c2,7e,88,d1,04',
                    "hex:a3,5f,19,c2,7e,88,d1,04"),
                   ('"ControlPassword"=hex:e2,90,1f,\\\n  c4,6a,37\n"RfbPort"=dword:0000170c',
                    "hex:e2,90,1f,\\\n  c4,6a,37"),
                   ('S:"Username"=admin\nS:"Password V2"=02:7b3e9f21c4d58a60e1f2b3c4d5e6f708',
                    "7b3e9f21c4d58a60e1f2b3c4d5e6f708")),
         negatives=('"RfbPort"=dword:0000170c', '"PasswordLength"=dword:00000008', 'S:"Hostname"=10.1.2.3',
                    'log: "Password"=hex:a3,5f', '"Password"=""')),
    # HeidiSQL's exported settings: `Servers\NAME\KEY<|||>TYPE<|||>VALUE` per line.
    Rule("password", r"\\(?P<k>[A-Za-z][\w ]{0,40})<\|\|\|>\d{1,2}<\|\|\|>(?P<v3>[^\r\n]{1,512})", needs="<|||>",
         extract=_keyed_value, remember=True,
         examples=(("Servers\\prod\\User<|||>1<|||>admin\nServers\\prod\\Password<|||>1<|||>7B6A5C4D3E2F1A0B9C",
                    "7B6A5C4D3E2F1A0B9C"),),
         negatives=("Servers\\prod\\Host<|||>1<|||>db.example.com", "Servers\\prod\\Port<|||>1<|||>3306")),
    # NcFTP's bookmarks file keeps each password base64-encoded behind the `*encoded*` marker.
    Rule("password", r"\*encoded\*(?P<v>[A-Za-z0-9+/]{4,512}={0,2})", needs="*encoded*",
         extract=_bundler_credentials, remember=True,
         examples=(("mirror,ftp.example.org,deploy,*encoded*S3Q4bVE5dlh6MlBy,,/pub,I,21", "S3Q4bVE5dlh6MlBy"),),
         negatives=("anon,ftp.example.net,,,,/,I,21,4294967295,1,1,-1,1,,,,,,,S,0",)),
    # libgcrypt S-expression private keys (Pidgin's `otr.private_key`): the secret exponent `(x #HEX#)` of a DSA key,
    # `(d #HEX#)` of an RSA one, inside `(private-key`.
    Rule("private_key", r"\(private-key\b(?:[^#(]|\((?![xd][ \t])|#[0-9A-Fa-f]{0,4096}#){0,2000}?"
         r"\([xd][ \t]+#(?P<v>[0-9A-Fa-f]{20,4096})#", needs="(private-key", extract=_bundler_credentials,
         examples=(("(private-key\n (dsa\n  (p #00D16F2B#)\n  (y #55C3E1A9#)\n  (x #3C9F0A6E2B17D48C5F90A3E1B7#)\n )",
                    "3C9F0A6E2B17D48C5F90A3E1B7"),),
         negatives=("(public-key\n (dsa\n  (x #3C9F0A6E2B17D48C5F90A3E1B7#)))",)),
    # Windows `net use [D: | *] \\server\share [password] /user:[domain\]name` (the password before or after `/user:`;
    # `*` prompts for it). Anchored at the share's `\\`, rare in logs, with `net use` in any case behind it.
    Rule("password", r"\\\\(?:(?<=(?i:net use)[ \t]\\\\)|(?<=(?i:net use)[ \t][A-Za-z]:[ \t]\\\\)"
         r"|(?<=(?i:net use)[ \t]\*[ \t]\\\\))[^\s\\]+\\\S+[ \t]+"
         r"(?:(?P<v1>[^\s/*\"']\S{0,127})[ \t]+/(?i:user|u):|/(?i:user|u):\S+[ \t]+(?P<v2>[^\s/*\"']\S{0,127}))",
         r"\\\\", extract=_bundler_credentials, remember=True, before="[ \t]",
         examples=(("net use \\\\fs1\\share /user:CORP\\svc_backup Bkp$2021pw", "Bkp$2021pw"),
                   ("NET USE Z: \\\\fs1\\share N3tUs3Pw /USER:ops", "N3tUs3Pw")),
         negatives=("net use \\\\fs1\\share * /user:ops", "net use \\\\fs1\\share /user:ops /persistent:no",
                    "copy \\\\fs1\\share\\a.txt secret /user:x")),
    # Webhook URLs whose path is the credential: Discord (`/api/webhooks/<id>/<token>`), Microsoft Teams
    # (`/webhookb2/...`, the older `outlook.office.com/webhook/<guid>@<guid>/IncomingWebhook/...`).
    Rule("token", r"/webhook(?:s/(?<=/api/webhooks/)(?P<v1>\d{5,}/[A-Za-z0-9_-]{40,})|b2/(?P<v2>[A-Za-z0-9@/_-]{40,})"
         r"|/(?P<v3>[0-9a-f-]{36}@[0-9a-f-]{36}/IncomingWebhook/[A-Za-z0-9@/_-]{20,}))",
         needs="/webhook",
         examples=((f"https://discord.com/api/webhooks/123456789012345678/{'Hq2Lm9Vx4Zp8Tn3Yb6Jf1K' * 3}",
                    f"123456789012345678/{'Hq2Lm9Vx4Zp8Tn3Yb6Jf1K' * 3}"),
                   ("https://acme.webhook.office.com/webhookb2/9f2c4e6a-8b0d-1f3e-7a5c-9f2c4e6a8b0d@9f2c4e6a-8b0d/"
                    "IncomingWebhook/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d",
                    "9f2c4e6a-8b0d-1f3e-7a5c-9f2c4e6a8b0d@9f2c4e6a-8b0d/IncomingWebhook/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),
                   ("https://outlook.office.com/webhook/9f2c4e6a-8b0d-1f3e-7a5c-9f2c4e6a8b0d@1a2b3c4d-5e6f-7a8b-9c0d-"
                    "1e2f3a4b5c6d/IncomingWebhook/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d/0f9e8d7c-6b5a-4938-2716-f0e9d8c7b6a5",
                    "9f2c4e6a-8b0d-1f3e-7a5c-9f2c4e6a8b0d@1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/IncomingWebhook/"
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d/0f9e8d7c-6b5a-4938-2716-f0e9d8c7b6a5")),
         negatives=("GET /api/webhooks/123 404", "see /webhookb2/ docs")),
    # Discord bot tokens (`<bot id in base64>.<timestamp>.<HMAC>`), found with no key (`bot.run("…")`): anchored at
    # the first dot, kept only if the first part decodes to a numeric id.
    Rule("token", r"\.(?<=[A-Za-z0-9]{24}\.)[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])", r"\.",
         extract=_discord_bot_token, remember=True, before="[A-Za-z0-9]{24}", after=r"[A-Za-z0-9_-]{6}\.",
         examples=(('bot.run("MTE0NTI4MzY3OTQ1ODU2MTIzNA.GTvyPq.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh")',
                    "MTE0NTI4MzY3OTQ1ODU2MTIzNA.GTvyPq.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh"),
                   ("DISCORD_TOKEN=NDc1MjM4OTE2MzQ1NjcyNzA0.Dk3q9A.Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2",
                    "NDc1MjM4OTE2MzQ1NjcyNzA0.Dk3q9A.Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2")),
         negatives=("io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead0",
                    "HqLmVxZpTnYbJfKaUwRoEcGdSh.GTvyPq.Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh")),
    # Asana personal access tokens, found with no key (python-asana's `configuration.access_token = '…'`, where the
    # slashes read as a path): anchored at the colon before the 32 hex digits, kept only after the version digit and
    # one or two numeric gids (`2/1204558812093341/1208812233445566:…`).
    Rule("provider_token", r":(?<=[0-9]:)[0-9a-f]{32}(?![0-9A-Za-z_-])", ":", extract=_asana_token, remember=True,
         before="[0-9]", after="[0-9a-f]{32}",
         examples=(("configuration.access_token = "
                    "'2/1204558812093341/1208812233445566:9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d'",
                    "2/1204558812093341/1208812233445566:9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),
                   ('client = asana.Client.access_token("1/1201234567890:3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e")',
                    "1/1201234567890:3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4e")),
         negatives=("GET /api/1.0/tasks/1204558812093341 200 12:9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d",
                    "/var/lib/2/1204558812093341:9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d",
                    "sha 1/12345:9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d")),
    # Pushover's messages API: the recipient's user (or group) key, 30 letters and digits, is sent as `user=` beside the
    # application's `token=`; whoever holds both can notify that user.
    Rule("token", r"user=(?<![\w.-]user=)(?P<v>[A-Za-z0-9]{30})(?![\w.-])", needs="user=", validate=_mixed,
         remember=True,
         examples=(('curl --form-string "token=a7x2k9q4m1z8w3p6r5t0y2u4i6o8as" --form-string '
                    '"user=u5zcmf64u42icivyjkqzahh7uegkqp" https://api.pushover.net/1/messages.json',
                    "u5zcmf64u42icivyjkqzahh7uegkqp"),),
         negatives=("sshd[123]: pam_unix(sshd:session): session opened for user=root by (uid=0)",
                    "GET /search?user=administratoraccountdisplaynames 200")),
    # Check-in and alert URLs whose path holds the credential: healthchecks.io's ping URL (`hc-ping.com/<uuid>`, or
    # `hc-ping.com/<ping key>/<slug>`), Uptime Kuma's push monitor (`/api/push/<push token>`, letters and digits),
    # Splunk On-Call's REST integration (`/integrations/<tool>/<date>/alert/<api key>/<routing key>`: the key only),
    # Better Stack Uptime's heartbeat URL (`uptime.betterstack.com/api/v1/heartbeat/<token>`, formerly on
    # betteruptime.com) and Cronitor's telemetry URL (`cronitor.link/p/<api key>/<monitor key>`: the key only).
    *(Rule("token", re.escape(path) + between + r"(?P<v>" + value + ")", needs=path, remember=True,
           examples=examples, negatives=negatives)
      for path, between, value, examples, negatives in (
          ("hc-ping.com/", "", UUID + r"(?![\w-])|[A-Za-z0-9_-]{22}(?=/)",
           (("curl -fsS -m 10 --retry 5 https://hc-ping.com/9f2c4e6a-8b0d-4f3e-a5c9-2c4e6a8b0d1f",
             "9f2c4e6a-8b0d-4f3e-a5c9-2c4e6a8b0d1f"),
            ("curl https://hc-ping.com/Qx7mL2vR9tZk4WbN8cY3dH/db-backup/fail", "Qx7mL2vR9tZk4WbN8cY3dH")),
           ("see https://hc-ping.com/ for the ping API", "https://hc-ping.com/your-uuid-here")),
          ("/api/v1/heartbeat/", "",
           r"(?:(?<=betterstack\.com/api/v1/heartbeat/)|(?<=betteruptime\.com/api/v1/heartbeat/))"
           r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,64}(?![\w-])",
           (("curl -fsS https://uptime.betterstack.com/api/v1/heartbeat/Rz4vLq9wNt7Kp2Xm8Bc3Yd6F",
             "Rz4vLq9wNt7Kp2Xm8Bc3Yd6F"),
            ("curl https://betteruptime.com/api/v1/heartbeat/Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5/fail",
             "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5")),
           ("GET /api/v1/heartbeat/Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5 200",
            "https://uptime.betterstack.com/api/v1/heartbeat/$HEARTBEAT_TOKEN")),
          ("cronitor.link/p/", "", r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,64}(?=/)",
           (("curl https://cronitor.link/p/9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d/nightly-job?state=run",
             "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d"),),
           ("https://cronitor.link/p/<API_KEY>/nightly-job", "curl https://cronitor.link/p/$CRONITOR_KEY/job")),
          # MarineTraffic's API services (`services.marinetraffic.com/api/<service>/v:<n>/<40 hex API key>/…`).
          ("services.marinetraffic.com/api/", r"[a-z0-9_-]{2,40}/v:\d{1,2}/", r"[0-9a-f]{40}(?![0-9A-Za-z])",
           (("curl 'https://services.marinetraffic.com/api/exportvessels/v:8/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
             "/timespan:10/protocol:jsono'", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"),),
           ("see https://services.marinetraffic.com/api/ for the list of services",
            "GET /api/exportvessels/v:8/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c 200",
            "https://services.marinetraffic.com/api/exportvessel/v:5/{api_key}/protocol:jsono")),
          # Merge's Link exchange (`GET /api/integrations/account-token/<public_token>`): the one-time token the
          # browser got, traded there with the API key for the Linked Account's `account_token`.
          ("/integrations/account-token/", "",
           r"(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9_-]{20,100}(?![\w.-])",
           (("GET https://api.merge.dev/api/integrations/account-token/Kp4wX9_zQ2mR7tLc-8vBn3HsJ6dFy1GaE5uWoYiTe0r",
             "Kp4wX9_zQ2mR7tLc-8vBn3HsJ6dFy1GaE5uWoYiTe0r"),
            ("curl https://api-eu.merge.dev/api/integrations/account-token/Vq8Rk2Lm9Zx4Tn7Yb3Jf6Hd1Wc5Pg0Sa -H "
             "'Authorization: Bearer $MERGE_API_KEY'", "Vq8Rk2Lm9Zx4Tn7Yb3Jf6Hd1Wc5Pg0Sa")),
           ("https://api.merge.dev/api/integrations/account-token/{public_token}",
            "GET /api/integrations/account-token/$PUBLIC_TOKEN", "see /integrations/account-token/ in the docs")),
          ("/api/push/", "", r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,64}(?![\w-])",
           (("curl -fsS 'https://kuma.example.com/api/push/Lq8Zx3Vm7R?status=up&msg=OK'", "Lq8Zx3Vm7R"),),
           ("POST /api/push/notifications 200", "GET /api/push/subscribe?topic=builds")),
          # Mattermost's incoming webhooks (`/hooks/<26 lower-case letters and digits>`) and Rocket.Chat's
          # (`/hooks/<integration id>/<token>`); Zapier's catch hooks, Make's and IFTTT Webhooks' URLs.
          ("/hooks/", "", r"(?=[a-z]{0,25}\d)(?=[0-9]{0,25}[a-z])[a-z0-9]{26}(?![\w-])"
           r"|[A-Za-z0-9]{17}/[A-Za-z0-9]{24,64}(?![\w-])",
           (("curl -d '{\"text\": \"hi\"}' https://mm.example.com/hooks/xk3q9fz7m1bp8wt4d6cn2yr5ha",
             "xk3q9fz7m1bp8wt4d6cn2yr5ha"),
            ("https://chat.example.com/hooks/Ru3nq7ub5U7X1uiW1/zqcnqYaJ2jUpg3mdYeeYVM3UF2JSVEoq",
             "Ru3nq7ub5U7X1uiW1/zqcnqYaJ2jUpg3mdYeeYVM3UF2JSVEoq")),
           ("cp pre-receive .git/hooks/", "ls /usr/share/git-core/templates/hooks/prepare-commit-msg.sample",
            "GET /api/v4/projects/42/hooks/17 200")),
          ("hooks.zapier.com/hooks/catch/", r"\d{1,12}/", r"[a-z0-9]{5,12}(?![\w-])",
           (("https://hooks.zapier.com/hooks/catch/18234567/3xk9qpz/", "3xk9qpz"),),
           ("https://hooks.zapier.com/hooks/catch/123456/",)),
          ("make.com/", "", r"[a-z0-9]{32}(?![\w-])",
           (("https://hook.eu1.make.com/9x2k4m7q1z8w3p6r5t0y2u4i6o8a1s3d", "9x2k4m7q1z8w3p6r5t0y2u4i6o8a1s3d"),),
           ("see https://www.make.com/en/help/tools/webhooks",)),
          ("/with/key/", "", r"[A-Za-z0-9_-]{16,64}(?![\w-])",
           (("curl -X POST https://maker.ifttt.com/trigger/door_open/with/key/SSwsebwkmjqdNqD8zBiLJo",
             "SSwsebwkmjqdNqD8zBiLJo"),),
           ("https://maker.ifttt.com/trigger/{event}/with/key/{key}",)),
          # Apprise and Shoutrrr notification URLs: `discord://ID/TOKEN` (Shoutrrr: `discord://TOKEN@ID`),
          # `pover://USER_KEY@TOKEN`, `gotify(s)://HOST[/PATH]/TOKEN`.
          ("discord://", r"(?:\d{15,20}/)?", r"[A-Za-z0-9_-]{60,90}(?![\w-])",
           (("discord://1187263540918273645/" + "Hq2Lm9Vx4Zp8Tn3Yb6Jf1K" * 3,
             "Hq2Lm9Vx4Zp8Tn3Yb6Jf1K" * 3),
            ("discord://" + "Hq2Lm9Vx4Zp8Tn3Yb6Jf1K" * 3 + "@1187263540918273645", "Hq2Lm9Vx4Zp8Tn3Yb6Jf1K" * 3)),
           ("discord://webhook_id/webhook_token",)),
          ("pover://", "", r"[A-Za-z0-9]{30}@[A-Za-z0-9]{30}(?![\w-])",
           (("apprise pover://u5zcmf64u42icivyjkqzahh7uegkqp@a26dlufe4892qxv6wxjyi5i8cl19k8",
             "u5zcmf64u42icivyjkqzahh7uegkqp@a26dlufe4892qxv6wxjyi5i8cl19k8"),),
           ("pover://user@token",)),
          ("gotify", r"s?://[\w.:-]{1,253}/(?:[\w.-]{1,64}/){0,3}", r"[A-Za-z0-9_.-]{15}(?![\w.-])",
           (("gotifys://push.example.de/AGf4cEpiDI_Sixc", "AGf4cEpiDI_Sixc"),
            ("gotify://gotify.lan:8080/push/AqzH3dVb-9F2k_W", "AqzH3dVb-9F2k_W")),
           ("gotify://hostname/token", "see https://gotify.net/docs/pushmsg")),
          ("victorops.com/integrations/", r"[\w.-]{1,40}/\d{8}/alert/",
           r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}",
           (("https://alert.victorops.com/integrations/generic/20131114/alert/6a1f3c9e-2b7d-4e58-9c0a-4d8e2f6b1a37/db",
             "6a1f3c9e-2b7d-4e58-9c0a-4d8e2f6b1a37"),),
           ("https://alert.victorops.com/integrations/generic/20131114/alert/$API_KEY/$ROUTING_KEY",)))),
    # Grafana datasource provisioning's `httpHeaderValueN`, a credential when its `httpHeaderNameN` names one.
    Rule("token", r"httpHeaderValue(?P<n>\d{1,2})[\"']?[ \t]*:[ \t]*(?:\"(?P<v1>[^\"\r\n]{1,512})\""
         r"|'(?P<v2>[^'\r\n]{1,512})'|(?P<v3>[^\s\"'][^\r\n]{0,511}))", needs="httpHeaderValue",
         extract=_header_value, remember=True,
         examples=(("jsonData:\n  httpHeaderName1: Authorization\nsecureJsonData:\n  httpHeaderValue1: 'ApiKey "
                    "VGlOQUdHNEJhYU1kYUgxdFJmdVU6S25SNnlFNDFSclNvd2Iwa1EwSFdvQQ=='",
                    "VGlOQUdHNEJhYU1kYUgxdFJmdVU6S25SNnlFNDFSclNvd2Iwa1EwSFdvQQ=="),
                   ('"httpHeaderName2": "X-Api-Key", "httpHeaderValue2": "Gr4fH34derK3y9"', "Gr4fH34derK3y9")),
         negatives=("jsonData:\n  httpHeaderName1: X-Scope-OrgID\nsecureJsonData:\n  httpHeaderValue1: tenant-a",
                    "httpHeaderName1: Authorization\nhttpHeaderValue1: Bearer ${LOKI_TOKEN}")),
    # redis_exporter's `--redis.password-file`: a JSON map from each instance's URI to its password.
    Rule("password", r"\"rediss?://[^\"\s]{1,256}\"[ \t]*:[ \t]*\"(?P<v>[^\"\r\n]{1,256})\"", needs="redis",
         extract=_bundler_credentials, remember=True,
         examples=(('{\n  "redis://cache03.internal:6379": "Nk8sQ3vXm1LpT6wZ"\n}', "Nk8sQ3vXm1LpT6wZ"),),
         negatives=('{"redis://cache03.internal:6379": ""}', '"url": "redis://cache03.internal:6379"')),
    # Jetty's realm.properties and ActiveMQ's jetty-realm.properties under the comment that gives their format
    # (`#  <username>: <password>[,<rolename> ...]`, `# username: password [,rolename ...]`): each entry's password.
    Rule("password", r"#[^\r\n]*?<?username>?[ \t]*:[ \t]*<?password>?[ \t]*\[?[ \t]*,[ \t]*<?rolename>?[^\r\n]*"
         r"(?:\r?\n|\Z)", needs="rolename", extract=_realm_entries, remember=True,
         examples=(("# username: password [,rolename ...]\nadmin: Jt8xRealmPw, admin\nuser: Usr4Realm, user\n",
                    "Jt8xRealmPw"),
                   ("#  <username>: <password>[,<rolename> ...]\n#\nplain: Pl41nJetty,user\n", "Pl41nJetty")),
         negatives=("# username: password [,rolename ...]\n--module=ssl\nport: 8443, 8080\n",
                    "roles: admin, user, rolename")),
    # CouchDB's local.ini `[admins]`: `name = password` until the server hashes it, then
    # `name = -pbkdf2-<derived key>,<salt>,<iterations>`; every entry of the section is a credential.
    Rule("password", r"(?<![^\n])\[admins\][ \t]*(?:\r?\n|\Z)", needs="[admins]", extract=_ini_section_values,
         remember=True,
         examples=(("[admins]\n; added by the installer\nadmin = C0uchPl4in\n", "C0uchPl4in"),
                   ("[admins]\nops = -pbkdf2-3f8a1c9e5b2d7f4a0e6c,5e2f8a1c3b9d7e4f,10\n",
                    "-pbkdf2-3f8a1c9e5b2d7f4a0e6c,5e2f8a1c3b9d7e4f,10")),
         negatives=("[admins]\nweb1 ansible_host=10.0.0.5\nadmin = x\n", "[admins]\n[couchdb]\nsingle_node = true\n")),
    # JAAS login modules' user table, `user_NAME="password"` (ZooKeeper's DigestLoginModule, Kafka's
    # PlainLoginModule), inside the module's entry.
    Rule("password", r"(?<![\w.-])user_[\w.-]{1,64}[ \t]*=[ \t]*\"(?P<v>[^\"\r\n]{1,256})\"", needs="user_",
         extract=_jaas_option, remember=True,
         examples=(('Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n'
                    '  user_super="Zk5uperPw";\n};', "Zk5uperPw"),
                   ('sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required '
                    'username="admin" password="x" user_alice="Al1ceKafka";', "Al1ceKafka")),
         negatives=('Client { x.LoginModule required; };\nuser_agent = "Mozilla/5.0"',
                    'user_name="alice" user_id="42"')),
    # A JAAS entry base64-encoded in a Kubernetes Secret's `data:` (the user Secret Strimzi's operator writes for a
    # KafkaUser: `sasl.jaas.config: <base64 of "…ScramLoginModule required username=… password=…;">`).
    Rule("password", r"sasl\.jaas\.config[\"']?:[ \t]*[\"']?(?P<v>[A-Za-z0-9+/]{40,4096}={0,2})(?![\w+/=])",
         needs="sasl.jaas.config", extract=_encoded_with("LoginModule"), remember=True,
         examples=(("data:\n  sasl.jaas.config: " + _ENCODED_JAAS, _ENCODED_JAAS),),
         negatives=("  sasl.jaas.config: " + base64.b64encode(b"see the kafka-user secret, key jaas").decode(),
                    "sasl.jaas.config: ${KAFKA_JAAS_CONFIG}")),
    # A Kubernetes image pull Secret's `data:` (`type: kubernetes.io/dockerconfigjson`, or the older `.dockercfg`):
    # base64 of the Docker config JSON, whose `auths` hold each registry's `user:password`.
    Rule("password", r"dockerc(?<=\.dockerc)(?:onfigjson|fg)[\"']?:[ \t]*[\"']?(?P<v>[A-Za-z0-9+/]{16,65536}={0,2})"
         r"(?![\w+/=])", needs=".dockerc", extract=_encoded_with('"auth'), remember=True,
         examples=(("data:\n  .dockerconfigjson: " + _ENCODED_DOCKER_CONFIG, _ENCODED_DOCKER_CONFIG),
                   ('{"data": {".dockerconfigjson": "' + _ENCODED_DOCKER_CONFIG + '"}}', _ENCODED_DOCKER_CONFIG)),
         negatives=("  .dockerconfigjson: " + base64.b64encode(b'{"credsStore": "desktop"}').decode(),
                    "kubectl get secret regcred -o jsonpath='{.data.\\.dockerconfigjson}' | base64 -d")),
    # ZooKeeper digest credentials `user:password`: zkCli's `addauth digest`, the argument of
    # `DigestAuthenticationProvider` (which prints a `superDigest`), and that command's output `user:password->user:
    # <base64 SHA-1>`.
    *(Rule("password", rf"{head}[ \t]+[^\s:]{{1,64}}:(?P<v>\S{{1,256}})", needs=needs,
           extract=_bundler_credentials, remember=True,
           examples=((f"{example} bob:Zk9Digest", "Zk9Digest"),),
           negatives=(f"{example} bob", f"{example} bob:$ZK_PW"))
      for head, needs, example in ((r"(?<![\w-])addauth[ \t]+digest", "addauth", "addauth digest"),
                                   (r"(?<!\w)DigestAuthenticationProvider", "DigestAuthenticationProvider",
                                    "java -cp 'lib/*' org.apache.zookeeper.server.auth.DigestAuthenticationProvider"))),
    Rule("password", r"->[^\s:]{1,64}:[A-Za-z0-9+/]{27}=(?![A-Za-z0-9+/=])", needs="->", extract=_digest_output,
         remember=True,
         examples=(("bob:Zk9Digest->bob:Hk2mV9pQ4xL7nB1sW6tZ3yR8cF0=", "Zk9Digest"),),
         negatives=("a:b->c", "main:src->dst:abc")),
    # Kerberos keys printed by `klist -kK` and ktutil's `list -k`: `principal@REALM [(enctype)] (0x<key>)`.
    Rule("secret", r"@[A-Z][A-Z0-9.-]{0,253}[ \t]+(?:\([\w-]{1,64}\)[ \t]+)?\(0x(?P<v>[0-9a-fA-F]{32,512})\)",
         needs="(0x",
         examples=(("   3 host/web01.example.com@EXAMPLE.COM (0x9d3f1a7c5e2b8d4f6a0c1e3b5d7f9a2c)",
                    "9d3f1a7c5e2b8d4f6a0c1e3b5d7f9a2c"),
                   ("   2 svc@CORP.EXAMPLE (aes128-cts-hmac-sha1-96) (0x5b8e2d4f7a1c9e3b6d0f2a4c8e1b3d5f)",
                    "5b8e2d4f7a1c9e3b6d0f2a4c8e1b3d5f")),
         negatives=("   3 host/web01@CORP (aes256-cts-hmac-sha1-96)",
                    "segfault at addr@RIP (0x00007f3a9c1e5b2d)", "flags (0x9d3f1a7c5e2b8d4f)")),
    # A URL's user-info without a `:` is a token, not a user name: a NATS URL's (`nats://TOKEN@host:4222`), and Cribl's
    # worker-to-leader URL (`CRIBL_DIST_MASTER_URL=tls://TOKEN@leader:4200`, the leader's auth token).
    *(Rule("password", head + r"(?P<v>[^\s:@/]{1,256})@(?=[\w\[])", needs=needs, extract=_bundler_credentials,
           remember=True, examples=examples, negatives=negatives)
      for head, needs, examples, negatives in (
          ("nats://", "nats://",
           (("nats context add stg --server nats://s3cr3tT0kenStg77@nats.example.com:4222", "s3cr3tT0kenStg77"),),
           ("nats://nats.example.com:4222", "nats://${NATS_TOKEN}@nats:4222")),
          (r"MASTER_URL=(?<=CRIBL_DIST_MASTER_URL=)(?:tls|tcp)://", "MASTER_URL=",
           (("-e CRIBL_DIST_MASTER_URL=tls://Wk9AuthTkn4Rz8Pq@leader.example.com:4200?group=default",
             "Wk9AuthTkn4Rz8Pq"),),
           ("CRIBL_DIST_MASTER_URL=tls://leader.example.com:4200", "CRIBL_DIST_MASTER_URL=tls://${TOKEN}@leader:4200",
            "SPARK_MASTER_URL=tcp://ops@spark-master:7077")))),
    # An ODBC connection string percent-encoded into a URL (SQLAlchemy's `mssql+pyodbc:///?odbc_connect=...`):
    # `;PWD=` as `%3BPWD%3D`, the value up to the next encoded `;`.
    Rule("password", r"%3[Bb](?i:pwd|password)%3[Dd](?P<v>(?:[^\s%\"'&;]|%(?!3[Bb])[0-9A-Fa-f]{2}){1,256})",
         needs="%3", extract=_percent_encoded, remember=True,
         examples=(("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC+Driver+18%7D%3BSERVER%3Dsql01%3BUID%3Dapp"
                    "%3BPWD%3DOdbcC0nn%21x7%3BEncrypt%3Dyes", "OdbcC0nn%21x7"),),
         negatives=("odbc_connect=DRIVER%3D%7BODBC+Driver+18%7D%3BTrusted_Connection%3Dyes",
                    "q=reset%3Bpassword%3D%24%7BPW%7D")),
    # A password as the `p` query parameter after a `u` user (`?u=USER&p=PASSWORD`): NocoDB's `NC_DB` connection URL
    # (`pg://host:5432?u=nocodb&p=…&d=meta`, also `mysql2://`, `mssql://`), the Subsonic API's `?u=…&p=…` (Navidrome,
    # Airsonic; `p=enc:<hex>` is the same password hex-encoded).
    Rule("password", r"\?u=[^\s&\"'#]{1,64}&p=(?P<v>[^\s&\"'#]{1,256})", needs="?u=", remember=True,
         validate=lambda value: not is_placeholder_value(value),
         examples=(('NC_DB="pg://pg.internal:5432?u=nocodb&p=Nc9dbQx4Lw7R&d=nocodb_meta"', "Nc9dbQx4Lw7R"),
                   ("https://music.example.com/rest/ping.view?u=alice&p=enc:4d7950617373&v=1.16.1&c=curl",
                    "enc:4d7950617373")),
         negatives=("NC_DB=pg://pg.internal:5432?u=${PG_USER}&p=${PG_PASSWORD}&d=nocodb",
                    "/search?u=42&page=2", "/rest/ping.view?u=alice&s=c19b2d&v=1.16.1&c=curl")),
    # Bundler credentials for a private gem source: `BUNDLE_<HOST, dots as __>=user:password` (bundle-config(1)).
    Rule("password", _key_pattern(r"BUNDLE_(?:[A-Z0-9-]+__)+[A-Z0-9-]+"),
         needs="BUNDLE_", extract=_bundler_credentials, remember=True,
         examples=(("export BUNDLE_GEMS__EXAMPLE__COM=deploy:Bundl3rPw9", "deploy:Bundl3rPw9"),
                   ("BUNDLE_RUBYGEMS__PKG__GITHUB__COM: 'ops:gHq2Lm9Vx4Zp8Tn3'", "ops:gHq2Lm9Vx4Zp8Tn3")),
         negatives=("BUNDLE_PATH=vendor/bundle", "BUNDLE_GEMS__EXAMPLE__COM=${GEM_CREDENTIALS}")),
    # Keys whose secret word is not last, or that name none: Conan's `CONAN_PASSWORD_<REMOTE>` (beside
    # `CONAN_LOGIN_USERNAME_<REMOTE>`), Yarn Berry's `npmAuthIdent` (`user:password`, or its base64).
    *(Rule("password", _key_pattern(key), needs=needs, extract=_bundler_credentials, remember=True,
           examples=examples, negatives=negatives)
      for key, needs, examples, negatives in (
          (r"CONAN_PASSWORD_[A-Z0-9_]+", "CONAN_PASSWORD_",
           (("export CONAN_PASSWORD_ACME=Ch4#mLq9Xv2z", "Ch4#mLq9Xv2z"), ("  CONAN_PASSWORD_ARTIFACTORY: 'C0nanPw9'",
                                                                         "C0nanPw9")),
           ("CONAN_PASSWORD_ACME: ${{ secrets.CONAN_PASSWORD }}", "CONAN_LOGIN_USERNAME_ACME=ci-conan")),
          (r"npmAuthIdent", "npmAuthIdent",
           (('    npmAuthIdent: "yarn-ci:Vk7#pQz3Lm9x"', "yarn-ci:Vk7#pQz3Lm9x"),),
           ('npmAuthIdent: "${NPM_AUTH_IDENT}"', "npmAlwaysAuth: true")))),
    # Maven's encrypted passwords (`mvn --encrypt-password`): `{base64}` in settings.xml's `<password>` or
    # `<passphrase>`, after a free comment Maven allows before the braces, and the master password's ciphertext in
    # settings-security.xml's `<master>`.
    Rule("password", r"<(?:password|passphrase|master)>[^<>{}\r\n]{0,200}\{(?P<v>[A-Za-z0-9+/]{8,512}={0,2})\}</",
         needs="}</", remember=True,
         examples=(("<master>{jSMOWnoPFgsHVpMvz5VrIt5kRbzGpI8u+9EF1iFQyJQ=}</master>",
                    "jSMOWnoPFgsHVpMvz5VrIt5kRbzGpI8u+9EF1iFQyJQ="),
                   ("<password>Oleg reset this on 2024-03-01 {Wm9Bq3xYtR7LpK2vHn8sJd4=}</password>",
                    "Wm9Bq3xYtR7LpK2vHn8sJd4=")),
         negatives=("<password>${env.MAVEN_PASSWORD}</password>", "<master>{}</master>")),
    # sbt's `Credentials("REALM", "HOST", "USER", "PASSWORD")` (credentials.sbt, build.sbt), on one line or several.
    Rule("password", r"Credentials\(\s*(?:\"[^\"\r\n]*\"\s*,\s*){3}\"(?P<v>[^\"\r\n]{1,256})\"\s*\)",
         needs="Credentials(", extract=_bundler_credentials, remember=True,
         examples=(('credentials += Credentials("Artifactory Realm", "repo.example.com", "ci", "fG7kL2pQ9xVm")',
                    "fG7kL2pQ9xVm"),
                   ('Credentials(\n  "GitHub Package Registry",\n  "maven.pkg.github.com",\n  "octo",\n'
                    '  "Gh9Pk-2xVm"\n)',
                    "Gh9Pk-2xVm")),
         negatives=('credentials += Credentials(Path.userHome / ".sbt" / ".credentials")',
                    'Credentials("Sonatype Nexus", "oss.sonatype.org", "ci", sys.env("SONATYPE_PASSWORD"))')),
    # Composer's auth.json maps a host to a token under a key that names the token's kind (`"gitlab-oauth":
    # {"gitlab.com": "TOKEN"}`): each host's value. One pass per literal.
    *(Rule("secret", r"\"(?:github-oauth|gitlab-oauth|gitlab-token|bearer)\"\s*:\s*\{(?P<b>[^{}]{1,4096})\}",
           needs=needs, extract=_host_map_values, remember=True, examples=(example,),
           negatives=('"github-oauth": {"github.com": "${GITHUB_TOKEN}"}', '"bearer-token-ttl": {"default": "3600"}'))
      for needs, example in (
          ('-oauth"', ('"gitlab-oauth": {\n    "gitlab.com": "b3c9e1a7f5d2846c0e9a3b7d1f5c8e2a"\n}',
                       "b3c9e1a7f5d2846c0e9a3b7d1f5c8e2a")),
          ('-token"', ('"gitlab-token": {"gitlab.example.com": "Lm4Kx9Qv2Tz7Rb5NwP3c"}', "Lm4Kx9Qv2Tz7Rb5NwP3c")),
          ('bearer"', ('{"bearer": {"repo.packagist.com": "9Hq2Wm7Xz4Lr8Tv3", "satis.example": "Kb6Nc1Yd5Js0Ga"}}',
                       "Kb6Nc1Yd5Js0Ga")))),
    # A command that stores a credential given as its last argument: `composer config [--global]
    # [--auth] http-basic.HOST USER PASSWORD` (also `bitbucket-oauth.HOST KEY SECRET`, and one token for
    # `github-oauth`, `gitlab-oauth`, `gitlab-token`, `bearer`), `conda token set TOKEN` (conda-token),
    # `jf config import SERVER_TOKEN` (JFrog CLI); iRODS's `iadmin moduser USER password NEW_PASSWORD`; Kamailio's
    # `kamctl add USER PASSWORD` and `kamctl passwd USER PASSWORD` (a SIP subscriber's password); TeamViewer's
    # `teamviewer passwd PASSWORD` (the unattended-access password) and `teamviewer assignment --id ID` (the id that
    # binds the device to an account).
    # PowerDNS's `pdnsutil import-tsig-key NAME ALGORITHM SECRET` (a TSIG key's base64 secret).
    *(Rule("password", command + _LAST_VALUE, needs=needs, extract=_device_value, remember=True,
           examples=examples, negatives=negatives)
      for command, needs, examples, negatives in (
          (r"composer[ \t]+config\b[^\r\n]*?[ \t](?:(?:http-basic|bitbucket-oauth)\.\S+[ \t]+\S+"
           r"|(?:github-oauth|gitlab-oauth|gitlab-token|bearer)\.\S+)", "composer",
           (("composer config --global --auth http-basic.repo.example.org reader 'Nv5#kQ2mLx8z'", "Nv5#kQ2mLx8z"),
            ("composer config gitlab-oauth.gitlab.com b3c9e1a7f5d2846c0e9a3b7d1f5c8e2a",
             "b3c9e1a7f5d2846c0e9a3b7d1f5c8e2a")),
           ("composer config --auth http-basic.repo.example.org reader $COMPOSER_PASSWORD",
            "composer config repositories.internal composer https://satis.example.org")),
          (r"\bconda[ \t]+token[ \t]+set(?:[ \t]+--?[\w-]+)*", "conda",
           (("$ conda token set 7a2f9c4e1b8d3f6a0c5e9b2d7f4a1c8e", "7a2f9c4e1b8d3f6a0c5e9b2d7f4a1c8e"),),
           ("conda token set $CONDA_TOKEN", "conda token list")),
          (r"\bjf(?:rog)?[ \t]+(?:c|config)[ \t]+import", "jf",
           (("$ jf config import eyJ2ZXJzaW9uIjoyLCJ1cmwiOiJodHRwczovL2FjbWUifQ==",
             "eyJ2ZXJzaW9uIjoyLCJ1cmwiOiJodHRwczovL2FjbWUifQ=="),),
           ('jf c import "$JF_SERVER_TOKEN"', "jf config show")),
          (r"iadmin[ \t]+moduser[ \t]+\S+[ \t]+password", "iadmin",
           (("$ iadmin moduser bob#researchZone password 'Ir0ds-B0b!9'", "Ir0ds-B0b!9"),),
           ("iadmin moduser bob type rodsadmin", "iadmin moduser bob password $NEW_PW")),
          (r"opensips-cli(?<![\w-]opensips-cli)\b[^\r\n]*?[ \t]user[ \t]+(?:add|password)[ \t]+\S+", "opensips-cli",
           (("$ opensips-cli -x user add alice@sip.example.com Sip-Pw-448", "Sip-Pw-448"),),
           ("opensips-cli -x user add $SIP_USER $SIP_PW", "opensips-cli -x user delete $SIP_USER")),
          (r"radclient(?<![\w-]radclient)\b[^\r\n|;]*?[ \t](?:auth|acct|status|coa|disconnect|auto)", "radclient",
           (("echo 'User-Name=bob' | radclient -x radius1.example.net:1812 auth 'nRt5Gh2kLw8q'", "nRt5Gh2kLw8q"),),
           ("radclient -f pkts radius1.example.net auth $RADIUS_SECRET", "radclient -h")),
          (r"kamctl(?<![\w-]kamctl)[ \t]+(?:add|passwd)[ \t]+\S+", "kamctl",
           (("# kamctl add alice@sip.example.com Al1ce-Sip9", "Al1ce-Sip9"),
            ("kamctl passwd 1001 'Kx7#vQ2m'", "Kx7#vQ2m")),
           ("kamctl add 1001 $SIP_PW", "kamctl ul show 1001", "kamctl address add 1 10.0.0.9 32 5060 pbx")),
          (r"teamviewer(?<![\w-]teamviewer)[ \t]+(?:passwd|assignment[ \t]+--id)", "teamviewer",
           (("$ sudo teamviewer passwd 'Tv8#unattend-K2q'", "Tv8#unattend-K2q"),
            ("sudo teamviewer assignment --id 0001CoABChBxq7Gd0Z4E8kWvL2mRt5Yp=", "0001CoABChBxq7Gd0Z4E8kWvL2mRt5Yp=")),
           ("sudo teamviewer info", "teamviewer passwd $TV_PASSWORD", "teamviewer help passwd")),
          (r"pdnsutil(?<![\w-]pdnsutil)[ \t]+import-tsig-key[ \t]+\S+[ \t]+\S+", "pdnsutil",
           (("$ pdnsutil import-tsig-key xfr hmac-sha256 cuhERMtznGao4yaceOHT71AqZRYNa+nZfK9/bcFvoSQ=",
             "cuhERMtznGao4yaceOHT71AqZRYNa+nZfK9/bcFvoSQ="),),
           ("pdnsutil import-tsig-key xfr hmac-sha256 $TSIG_SECRET", "pdnsutil generate-tsig-key xfr hmac-sha256",
            "pdnsutil activate-tsig-key example.com xfr primary")))),
    # The jamf binary's `jamf enroll -invitation ID` (an enrollment invitation: whoever holds it enrolls a Mac).
    Rule("secret", r"jamf(?<![\w-]jamf)[ \t]+enroll\b[^\r\n]*?[ \t]-invitation[ \t]+(?P<v>\d{10,64})\b", needs="jamf",
         remember=True,
         examples=(("$ sudo jamf enroll -invitation 181347296510284736150928374615 -noPolicy",
                    "181347296510284736150928374615"),),
         negatives=("sudo jamf enroll -prompt", "sudo jamf recon -assetTag 1234567890123")),
    # SAS `PROC PWENCODE IN='PASSWORD'`: the plain password it encodes (SAS is written in either case).
    *(Rule("password", word + r"(?i:[ \t]+in[ \t]*=[ \t]*)(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")",
           needs=word, extract=_bundler_credentials, remember=True,
           examples=((f"proc {word} in='Crm!Ro-7784'; run;", "Crm!Ro-7784"),
                     (f'PROC {word} IN="Sas#Pw9" METHOD=SAS004;', "Sas#Pw9")),
           negatives=(f"proc {word} in=&pw; run;", f"PROC {word} IN='';"))
      for word in ("pwencode", "PWENCODE")),
    # Stata's `stinit` prompts: the license's code (groups of four) and authorization after its serial number.
    Rule("secret", r"Serial number:[ \t]*\d{6,16}[ \t]*\r?\nCode:[ \t]*"
         r"(?P<v>[a-z0-9$]{4}(?:[ \t]+[a-z0-9$]{4}){3,15})[ \t]*"
         r"\r?\nAuthorization:[ \t]*(?P<c>[a-z0-9$]{4,16})\b", needs="Serial number:", extract=_device_value,
         remember=True,
         examples=(("Serial number: 501809123456\nCode: fk9p mxlq 2vbr tz7w n4hs 8dc3\nAuthorization: k3xq\n",
                    "fk9p mxlq 2vbr tz7w n4hs 8dc3"),),
         negatives=("Serial number: 501809123456\nModel: T480\n", "Serial number: 5018091234\nCode: none\n")),
    # Hex's organization and repository keys: `mix hex.organization auth ORG --key KEY`, `mix hex.repo add NAME URL
    # --auth-key KEY`.
    Rule("secret", r"\bmix[ \t]+hex\.(?:organization[ \t]+auth|repo[ \t]+add)\b[^\r\n]*?[ \t]--(?:auth-)?key[ \t=]+"
         r"(?P<v>[^\s\"'$][^\s\"']{7,255})", needs="hex.", extract=_bundler_credentials, remember=True,
         examples=(("$ mix hex.organization auth acme --key 8b1e4d7a2c9f5e0b3d6a1c8f4e7b2d9a",
                    "8b1e4d7a2c9f5e0b3d6a1c8f4e7b2d9a"),
                   ("mix hex.repo add acme https://repo.example.com --auth-key Hx9Kq2Lm7Vz4 --public-key k.pem",
                    "Hx9Kq2Lm7Vz4")),
         negatives=("mix hex.organization auth acme --key $HEX_ORG_KEY", "mix hex.organization key acme generate")),
    # Netlify CLI's personal access token option: `netlify deploy --auth TOKEN` (`--auth=TOKEN`).
    Rule("token", r"--(?<![\w-]--)auth(?:[ \t]+|=)(?P<v>[^\s\"'$-][^\s\"']{15,255})", needs="--auth",
         extract=_on_command_line("netlify"), remember=True,
         examples=(("netlify deploy --site 3970e0fe --auth Hq2Lm9Vx4Zp8Tn3Yb6 --prod", "Hq2Lm9Vx4Zp8Tn3Yb6"),
                   ("npx netlify-cli status --auth=nfp_Hq2Lm9Vx4Zp8Tn3Yb6Jf", "nfp_Hq2Lm9Vx4Zp8Tn3Yb6Jf")),
         negatives=("netlify deploy --auth $NETLIFY_AUTH_TOKEN --prod", "mosquitto_sub --auth anonymous-fallback-mode",
                    "pgbouncer --auth md5-with-some-longer-scheme-name")),
    # ArduinoOTA's upload password: `espota.py -i HOST --auth=PASSWORD -f FIRMWARE`, PlatformIO's `upload_flags =
    # --auth=PASSWORD` (its `espota` upload protocol).
    Rule("password", r"--(?<![\w-]--)auth=(?P<v>[^\s\"'$-][^\s\"']{0,255})", needs="--auth=", extract=_ota_auth,
         remember=True,
         examples=(("python3 espota.py -i 192.168.1.42 -p 3232 --auth=Ota-S3cret5 -f sketch.ino.bin", "Ota-S3cret5"),
                   ("upload_protocol = espota\nupload_flags =\n    --port=8266\n    --auth=0taUpl0ad!\n",
                    "0taUpl0ad!")),
         negatives=("espota.py -i 192.168.1.42 --auth=$OTA_PASSWORD -f sketch.bin", "mosquitto_sub --auth=none -t x",
                    "build_flags = -DOTA_ENABLED\nextra = --auth=basic")),
    # A Render deploy hook: `https://api.render.com/deploy/srv-ID?key=KEY` deploys the service for whoever has it.
    Rule("secret", r"/deploy/srv-[a-z0-9]{8,40}\?key=(?P<v>[\w-]{8,128})", needs="/deploy/srv-",
         extract=_bundler_credentials, remember=True,
         examples=(('curl -X POST "https://api.render.com/deploy/srv-cn4k2l8cmk4c73a1b2cg?key=Hq2Lm9Vx4Zp8"',
                    "Hq2Lm9Vx4Zp8"),),
         negatives=("https://api.render.com/deploy/srv-cn4k2l8cmk4c73a1b2cg", "https://example.com/deploy?key=x")),
    # CloudFormation's parameter shorthand (`sam deploy --parameter-overrides`, `aws cloudformation create-stack
    # --parameters`): `ParameterKey=DbPassword,ParameterValue=VALUE` when the parameter's name names a secret.
    Rule("password", r"ParameterKey=(?P<k>[A-Za-z0-9]{1,255}),ParameterValue=(?:\"(?P<v1>[^\"\r\n]{1,256})\""
         r"|'(?P<v2>[^'\r\n]{1,256})'|(?P<v3>[^\s\"',][^\s\"',]{0,255}))", needs="ParameterKey=",
         extract=_keyed_value, remember=True,
         examples=(("sam deploy --parameter-overrides ParameterKey=DbPassword,ParameterValue=Cf9Lq2Wz ParameterKey=Env,"
                    "ParameterValue=prod", "Cf9Lq2Wz"),),
         negatives=("aws cloudformation deploy --parameters ParameterKey=Stage,ParameterValue=prod",
                    "ParameterKey=DbPassword,UsePreviousValue=true")),
    # A CloudFormation parameters file (`create-stack --parameters file://params.json`): `{"ParameterKey": "DbPassword",
    # "ParameterValue": "..."}`, the value under a neutral key on the line after the secret's name.
    Rule("password", r"\"ParameterKey\"[ \t]*:[ \t]*\"(?P<k>[A-Za-z0-9]{1,255})\"[ \t]*,\s{0,80}"
         r"\"ParameterValue\"[ \t]*:[ \t]*\"(?P<v1>[^\"\r\n]{1,256})\"", needs='"ParameterKey"',
         extract=_keyed_value, remember=True,
         examples=(('[\n  {\n    "ParameterKey": "DBMasterUserPassword",\n    "ParameterValue": "Cf9Lq2Wz-x"\n  }\n]',
                    "Cf9Lq2Wz-x"),),
         negatives=('{"ParameterKey": "DBInstanceClass", "ParameterValue": "db.r6g.large"}',
                    '{"ParameterKey": "DbPassword", "UsePreviousValue": true}')),
    # JMeter's `.jmx` name/value arguments (User Defined Variables, an HTTP sampler's parameters): the name in
    # `<stringProp name="Argument.name">`, the value in the next `Argument.value` element; a secret by the name.
    Rule("password", r"<stringProp name=\"Argument\.name\">(?P<k>[\w.-]{1,80})</stringProp>\s{0,80}"
         r"<stringProp name=\"Argument\.value\">(?P<v1>[^<\r\n]{1,256})</stringProp>",
         needs='<stringProp name="Argument.name">', extract=_keyed_value, remember=True,
         examples=(('<stringProp name="Argument.name">ADMIN_PASSWORD</stringProp>\n      '
                    '<stringProp name="Argument.value">Jm3ter!Udv-905</stringProp>', "Jm3ter!Udv-905"),),
         negatives=('<stringProp name="Argument.name">HOST</stringProp>\n'
                    '<stringProp name="Argument.value">shop.example.com</stringProp>',
                    '<stringProp name="Argument.name">password</stringProp>\n'
                    '<stringProp name="Argument.value">${__P(admin.password)}</stringProp>')),
    # A Bicep parameter's default (`param adminPassword string = '...'`): a secret by its name, or by the `@secure()`
    # decorator above it, Bicep's own marking of a value that must not be logged.
    Rule("password", r"param(?<![\w.@]param)[ \t]+(?P<k>[A-Za-z_]\w{0,79})[ \t]+string[ \t]*=[ \t]*"
         r"'(?P<v1>(?:[^'\\\r\n]|\\.){1,256})'", needs="param", extract=_bicep_param, remember=True,
         examples=(("@secure()\n@minLength(12)\nparam adminPassword string = 'Vm!Adm1n-qXz'", "Vm!Adm1n-qXz"),
                   ("@secure()\nparam connection string = 'Hq2Lm9Vx4Zp8'", "Hq2Lm9Vx4Zp8"),
                   ("param sqlPassword string = 'Sq1-Pw7x'", "Sq1-Pw7x")),
         negatives=("param location string = 'westeurope'", "@secure()\nparam adminPassword string",
                    "param adminUsername string = 'azureuser'\n@secure()\nparam adminPassword string")),
    # An anaconda.org token in a channel URL: `https://conda.anaconda.org/t/TOKEN/CHANNEL`.
    Rule("token", r"anaconda\.(?:org|cloud)/t/(?P<v>[\w-]{8,128})/", needs="/t/", remember=True,
         examples=(("  - https://conda.anaconda.org/t/ac-8f3b2e91d4c7a6f5/acme-internal", "ac-8f3b2e91d4c7a6f5"),),
         negatives=("https://conda.anaconda.org/t/<TOKEN>/acme", "https://conda.anaconda.org/conda-forge")),
    # A stream key as the last path segment of an RTMP(S) URL: YouTube's `rtmp://a.rtmp.youtube.com/live2/KEY`,
    # Twitch's `rtmp://live.twitch.tv/app/live_…`, Facebook's `rtmps://live-api-s.facebook.com:443/rtmp/FB-…`, in an
    # ffmpeg output, its "Opening '…'" log line or nginx-rtmp's `push`. A self-hosted stream's name (`/live/cam1`)
    # stays: a key is 16+ word characters or dashes with a digit (a file name, `keynote-2024.mp4`, has a dot).
    Rule("secret", r"rtmp(?<![\w.-]rtmp)s?://[^\s/\"'|]{1,253}(?:/[^\s/\"'|?;]{1,64}){1,3}/"
         r"(?P<v3>[\w-]{16,256})(?=[\s\"'|?;]|\Z)", needs="rtmp", extract=_token_arg, remember=True,
         examples=(("-f flv rtmp://a.rtmp.youtube.com/live2/3k7p-9xqm-2vwd-8tzr-4fbh", "3k7p-9xqm-2vwd-8tzr-4fbh"),
                   ("push rtmp://live.twitch.tv/app/live_559012834_Wk2Lp8QxN4vZt7RmY3cJ;",
                    "live_559012834_Wk2Lp8QxN4vZt7RmY3cJ"),
                   ('"[f=flv]rtmps://live-api-s.facebook.com:443/rtmp/FB-102938475610293-0-AbxYq7LmN2pKz|[f=flv]..."',
                    "FB-102938475610293-0-AbxYq7LmN2pKz")),
         negatives=("ffmpeg -i in.mp4 -f flv rtmp://localhost/live/cam1", "push rtmp://relay.example.com/live/lobby-camera;",
                    "rtmp://a.rtmp.youtube.com/live2/${YOUTUBE_STREAM_KEY}",
                    "play rtmp://media.example.com/vod/2024/keynote-recording-final.mp4")),
    # YouTube's stream key in its liveStreams resource: `cdn.ingestionInfo.streamName` (five groups of four lower-case
    # letters and digits, joined by dashes), in the API's JSON reply or a client's print of it. A Kinesis or Wowza
    # stream's name (`"StreamName": "clickstream-prod"`) has words, not this shape.
    Rule("secret", r"treamName(?<=\b[sS]treamName)[\"']?[ \t]{0,8}[:=][ \t]{0,8}[\"']?"
         r"(?P<v>[a-z0-9]{4}(?:-[a-z0-9]{4}){4})(?![\w-])", needs="treamName", extract=_letters_and_digits,
         remember=True,
         examples=(('      "streamName": "k7dq-2v9m-x4tp-8wz3-r1nb",', "k7dq-2v9m-x4tp-8wz3-r1nb"),
                   ("StreamName:k7dq-2v9m-x4tp-8wz3-r1nb IngestionAddress:rtmp://a.rtmp.youtube.com/live2",
                    "k7dq-2v9m-x4tp-8wz3-r1nb")),
         negatives=('"StreamName": "clickstream-prod-2024"', '"streamName": "main-feed-camera-north-wing"',
                    '"streamName": "xxxx-xxxx-xxxx-xxxx-xxxx"', "upstreamName: edge-pool-1a2b-3c4d-5e6f-7a8b")),
    # Web3 RPC providers' keys in the URL path: Infura `https://<net>.infura.io/v3/KEY`, Alchemy
    # `https://<net>.g.alchemy.com/v2/KEY`; the pattern starts at `/v` and checks the host behind it.
    Rule("token", r"/v(?:(?<=infura\.io/v)3|(?<=alchemy\.com/v)2)/(?P<v>[A-Za-z0-9_-]{20,64})(?![A-Za-z0-9_-])",
         needs="/v", remember=True,
         examples=(("url: https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161",
                    "9aa3d95b3bc440fa88ea12eaa4456161"),
                   ('"https://eth-sepolia.g.alchemy.com/v2/Zo8Y6fpjzV2TbjLpJyu2TT63pGrVHZBA"',
                    "Zo8Y6fpjzV2TbjLpJyu2TT63pGrVHZBA")),
         negatives=("url: `https://sepolia.infura.io/v3/${INFURA_API_KEY}`", "GET https://api.example.com/v2/users/42")),
    # An Ethereum private key (`0x` + 64 hex) passed to a wallet constructor, listed in Hardhat's `accounts` or given
    # to Foundry's `--private-key`: the
    # same shape is a transaction or block hash, so only these call sites count.
    *(Rule("private_key", rf"0x(?<={re.escape(site)}0x)(?P<v>[0-9a-fA-F]{{64}})(?![0-9a-fA-F])", needs="0x",
           examples=((f'{site}0x{"4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"}"',
                      "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"),),
           negatives=('"blockHash": "0x' + "4c0883a69102937d" * 4 + '"', f"txs: ['0x{'4c' * 32}']"))
      for site in ('Wallet("', "Wallet('", 'from_key("', "from_key('", 'accounts: ["', "accounts: ['", "--private-key ",
                   "--private-key=")),
    # lnd macaroons in hex (`lncli bakemacaroon`, the REST `Grpc-Metadata-macaroon` header): version 2, then the
    # location `lnd` (`0201036c6e64`).
    Rule("token", r"0201036c6e64[0-9a-fA-F]{40,8192}", needs="0201036c6e64",
         examples=(('"macaroon": "0201036c6e6402f801030a10' + "c3854219" * 8 + '"',
                    "0201036c6e6402f801030a10" + "c3854219" * 8),),
         negatives=("version 0201036c6e64", "0201036c6e6f" + "c3854219" * 8)),
    # Mnemonic seed phrases (BIP39, 12 to 24 lower-case words) as a keyed value (`MNEMONIC="…"`,
    # `const mnemonic = '…'`, `Wallet.fromPhrase("…")`) and on the line(s) after a CLI's "seed phrase" or "mnemonic
    # phrase" notice (solana-keygen, Cosmos SDK `keys add`).
    *(Rule("secret", rf"{key}\w*[\"']?[ \t]*[=:(][ \t]*[\"'](?P<v>{_SEED_WORDS})[\"']", needs=key,
           examples=((f'{key}="{_SEED_EXAMPLE}"', _SEED_EXAMPLE),),
           negatives=(f'{key}="{" ".join(_SEED_EXAMPLE.split()[:6])}"', f"{key} = process.env.{key.upper()}"))
      for key in ("MNEMONIC", "mnemonic", "Mnemonic", "Phrase")),
    Rule("secret", rf"phrase\b[^\r\n]*(?:\r?\n[^\r\n]*){{0,3}}?\r?\n(?P<v>{_SEED_WORDS})[ \t]*(?=\r?\n|$)",
         needs="phrase",
         examples=((f"Save this seed phrase and your BIP39 passphrase:\n{_SEED_EXAMPLE}\n=====", _SEED_EXAMPLE),
                   (f"write this mnemonic phrase in a safe place.\nIt is the only way.\n\n{_SEED_EXAMPLE}\n",
                    _SEED_EXAMPLE)),
         negatives=("the phrase below\nis just a line of prose that goes on and on with words\n",)),
    # monero-wallet-rpc's `--rpc-login USER:PASSWORD`.
    Rule("password", r"--rpc-login[ \t=]+[^\s:]{1,64}:(?P<v>[^\s\"']{4,128})", needs="--rpc-login",
         examples=(("monero-wallet-rpc --rpc-login shop:z5xStwfddZMo4ekN --trusted-daemon", "z5xStwfddZMo4ekN"),),
         negatives=("monero-wallet-rpc --disable-rpc-login --rpc-bind-port 18083",)),
    # JupyterHub's legacy `c.JupyterHub.api_tokens = {"TOKEN": "user"}` (also `c.JupyterHub.service_tokens`): the
    # tokens are the dict's keys, the values user or service names.
    Rule("token", r"_tokens(?:(?<=\.api_tokens)|(?<=\.service_tokens))[ \t]*=[ \t]*\{(?P<b>[^{}]{1,4096})\}",
         needs="_tokens", extract=_map_keys, remember=True,
         examples=(('c.JupyterHub.api_tokens = {\n    "f4b8d2a6c0e94f7b8a1d3c5e7f9b2d4a": "grader",\n}',
                    "f4b8d2a6c0e94f7b8a1d3c5e7f9b2d4a"),
                   ("c.JupyterHub.service_tokens = {'Jh9kQ2xW7mLp4Rv8': 'cull-idle'}", "Jh9kQ2xW7mLp4Rv8")),
         negatives=('c.JupyterHub.api_tokens = {os.environ["GRADER_TOKEN"]: "grader"}',
                    'limits.max_tokens = {"gpt-4o-mini": 4096}')),
    # The keys listed under a data source's name in ProjectDiscovery's `provider-config.yaml` (`_KEY_PROVIDERS`).
    Rule("secret", ":(?:" + "|".join(rf"(?<=(?<![^\n]){name}:)" for name in _KEY_PROVIDERS) + ")"
         r"[ \t]*\r?\n(?P<b>(?:[ \t]*-[ \t]+[^\r\n]+(?:\r?\n|\Z))+)", ":", extract=_provider_keys, remember=True,
         before=_last_chars(_KEY_PROVIDERS), after=r"[ \t]*\r?\n[ \t]*-[ \t]",
         examples=(("binaryedge:\n  - 2c7e9a41-b5d3-4f86-a0e2-d9c14b7f3e58\n"
                    "shodan:\n  - Vz3Rq8Lx1Tm6Wb9Nc2Hk5Pj4Sd7Fg0Ya\n", "Vz3Rq8Lx1Tm6Wb9Nc2Hk5Pj4Sd7Fg0Ya"),
                   ("chaos:\n  - f4a8c2e6-1b9d-4357-8e0a-6c3f9d2b7e15\n", "f4a8c2e6-1b9d-4357-8e0a-6c3f9d2b7e15")),
         negatives=("shodan:\n  - ${SHODAN_API_KEY}\n", "virustotal:\n  - enabled\n  - my-org-repo-2024\n",
                    "  shodan:\n    - 2c7e9a41-b5d3-4f86-a0e2-d9c14b7f3e58\n")),
    # A line of Wazuh's `client.keys` (the manager's and each agent's): `ID NAME IP KEY`, the agent's 64-hex key last;
    # `IP` is `any` or an address (a network). A name that starts with `!` marks a removed agent, its key void. Tried
    # only at a line that starts with a three- or four-digit id and a space (a log's line starts with a longer number).
    Rule("secret", r"(?<![^\n])\d{3,4} [\w.-]{1,64} (?:any|\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?) "
         r"(?P<v>[0-9a-f]{64})" + _LINE_END, starts=(("\n000 ", 1), ("\n0000 ", 1)), remember=True,
         examples=(("001 web-01 any 8c3f1a7e9d2b5c4f6a0e8d1b3c7f5a9e2d4b6c8a0f1e3d5b7c9a2e4f6d8b0c1a\n",
                    "8c3f1a7e9d2b5c4f6a0e8d1b3c7f5a9e2d4b6c8a0f1e3d5b7c9a2e4f6d8b0c1a"),
                   ("# cat client.keys\n"
                    "002 db-01 10.20.1.12 f2a9c4e7b1d8035e6c2a9f4d7b1e8c03a6f5d2b9e4c7a1f8d3b6e0c5a9f2d7b4",
                    "f2a9c4e7b1d8035e6c2a9f4d7b1e8c03a6f5d2b9e4c7a1f8d3b6e0c5a9f2d7b4")),
         negatives=("003 !old-host 10.20.1.40 b5e8c2a7f1d4096e3b8c5a2f7d1e4b09c6a3f8d5e2b7c1a4f9d6e3b0c8a5f2d7",
                    "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064",
                    "200 GET 10.0.0.5 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 extra")),
    # A line of an XRootD (and EOS) simple-shared-secret keytab: `ID u:USER g:GROUP n:NAME N:NUM c:CREATED e:EXPIRES
    # f:FLAGS k:KEY`, the hex key after `k:`; the pattern starts at `N:` and takes the fields after it.
    Rule("secret", r"N:(?<=[ \t]N:)\d{1,10}(?:[ \t]+[a-jl-z]:\S*){0,6}[ \t]+k:"
         r"(?P<v>[0-9A-Fa-f]{16,512})(?![0-9A-Za-z])", needs=" N:", remember=True,
         examples=(("0 u:xrootd g:xrootd n:cms_sss N:1 c:1773483667 e:0 f:0 k:5a8c1e3b7d9f2a4c6e0b8d1f3a5c7e9b",
                    "5a8c1e3b7d9f2a4c6e0b8d1f3a5c7e9b"),),
         negatives=("0 u:xrootd g:xrootd n:cms_sss N:1 c:1773483667 e:0 f:0", "Mem: N:4 k:2")),
    # Apache Camel takes an endpoint option's value verbatim in `RAW(...)` (`RAW{...}` when it holds a `)`), so that it
    # may hold `&`, `+` or `/`: `ftp://host/dir?username=acme&password=RAW(Ab+c&d1)`, `aws2-s3:...&secretKey=RAW(...)`.
    Rule("password", r"RAW(?<==RAW)(?:\((?P<v1>[^)\r\n]{1,256})\)|\{(?P<v2>[^}\r\n]{1,256})\})", needs="=RAW",
         extract=_camel_raw, remember=True,
         examples=(('from("ftp://ftp.example.com/outbox?username=acme&password=RAW(Ab+c&d12x)&passiveMode=true")',
                    "Ab+c&d12x"),
                   ("aws2-s3://landing?accessKey=RAW(AKIAQ3EGRT7ZPLNXV4MB)&secretKey=RAW(w8Hk2+Pq/Zr5Tn9Lx3Vb7Cm1Fd4)",
                    "w8Hk2+Pq/Zr5Tn9Lx3Vb7Cm1Fd4"),
                   ("sftp://deploy@sftp.example.com/export?password=RAW{Pa)ss-9}&binary=true", "Pa)ss-9")),
         negatives=("sftp://{{sftp.host}}/reports?username={{sftp.user}}&password=RAW({{env:SFTP_PASSWORD}})",
                    "file:/data/in?include=RAW(.*\\.xml)&move=.done", "jms:queue:orders?selector=RAW(type = 'A&B')")),
    # Informatica's `pmpasswd PASSWORD`, and its output: `Encrypted string -->CIPHERTEXT<--` (what goes into a
    # parameter file, and decrypts with the domain's key) and `Will decrypt to -->PASSWORD<--`.
    Rule("password", rf"pmpasswd(?<![\w.-]pmpasswd)[ \t]+{_ARG_VALUE}", needs="pmpasswd", extract=_password_arg,
         remember=True,
         examples=(("$ pmpasswd 'Src0racle!Pw'", "Src0racle!Pw"), ("pmpasswd Pmp-Pw9 -e CRYPT_DATA", "Pmp-Pw9")),
         negatives=("Run pmpasswd to encrypt a password.", "pmpasswd $SRC_PASSWORD")),
    Rule("password", r"-->(?:(?<=Encrypted string -->)|(?<=Will decrypt to -->))(?P<v>[^\s<]{1,256})<--", needs="-->",
         remember=True,
         examples=(("Encrypted string -->Xq3+Lm9Zt1Kv6Wr4PbN8cY2hJ5dG0sA7<--", "Xq3+Lm9Zt1Kv6Wr4PbN8cY2hJ5dG0sA7"),
                   ("Will decrypt to -->Src0racle!Pw<--", "Src0racle!Pw")),
         negatives=("<!-- build: 2024-03-11 -->", "a --> b <-- c")),
    # Pentaho/Kettle's `Encrypted <hex>` (kettle.properties, a .ktr/.kjb `<password>`, shared.xml, Carte's slave
    # server): the password XOR a public fixed key, so as good as the password. The hex is 32+ digits for any password.
    Rule("password", r"Encrypted(?:(?<=[=>:\"']Encrypted)|(?<=[=>:\"'][ \t]Encrypted))[ \t]+(?P<v>[0-9a-f]{32,1024})"
         r"(?![0-9A-Za-z])", needs="Encrypted",
         remember=True,
         examples=(("DWH_PASSWORD=Encrypted 2be98afc86aa7f2e4bb18bd63c99dbdde", "2be98afc86aa7f2e4bb18bd63c99dbdde"),
                   ("    <password>Encrypted 2be98afc86aa7f2e4cb79ce10df90acde</password>",
                    "2be98afc86aa7f2e4cb79ce10df90acde")),
         negatives=("Encrypted 3 files with AES-256", "sha256 Encrypted e3b0c44298fc1c149afbf4c8996fb924 done?",
                    "NotEncrypted 2be98afc86aa7f2e4bb18bd63c99dbdde")),
    # SSISDB `catalog.create_environment_variable ... @sensitive = 1, @value = N'...'`, `set_environment_variable_value`
    # and `set_object_parameter_value ... @parameter_value = N'...'` under a secret's name.
    Rule("password", r"value(?:(?<=@value)|(?<=@parameter_value))[ \t]*=[ \t]*N?'(?P<v1>(?:[^'\r\n]|''){1,256})'",
         needs="value", extract=_ssisdb_value, remember=True,
         examples=(("EXEC [catalog].[create_environment_variable] @folder_name = N'ETL', @environment_name = N'Prod',"
                    " @variable_name = N'Sftp', @data_type = N'String', @sensitive = 1, @value = N'Ssisdb-Sftp#62';",
                    "Ssisdb-Sftp#62"),
                   ("EXEC catalog.set_object_parameter_value @object_type = 30, @folder_name = N'ETL',"
                    " @parameter_name = N'CM.Warehouse.Password', @parameter_value = N'Whs-Cm!940';", "Whs-Cm!940")),
         negatives=("EXEC [catalog].[create_environment_variable] @variable_name = N'Region', @sensitive = 0,"
                    " @data_type = N'String', @value = N'eu-west';",
                    "UPDATE settings SET @value = N'secret-ish' WHERE name = 'x';")),
    # Setter commands that name a setting in one argument and give its value in the next: Frappe's `bench set-config
    # [-g] KEY VALUE` and Nextcloud's `occ ldap:set-config s01 KEY VALUE`, Moodle's `admin/cli/cfg.php
    # [--component=PLUGIN] --name=KEY --set=VALUE`, Nextcloud's `occ config:system:set KEY [SUBKEY] --value=VALUE` and
    # `occ config:app:set APP KEY --value=VALUE`: the value, when the setting's name names a secret.
    *(Rule("password", head + _ARG_VALUE, needs=needs, extract=_keyed_value, remember=True,
           examples=(example,), negatives=negatives)
      for head, needs, example, negatives in (
          (r"set-config(?<=[ \t:]set-config)(?:[ \t]+-[\w-]{1,32})*(?:[ \t]+s\d\d)?[ \t]+(?P<k>[\w.-]{1,128})[ \t]+",
           "set-config", ("bench --site erp.example.com set-config -g db_password 'Dp6#vKz2Qw'", "Dp6#vKz2Qw"),
           ("bench --site erp.example.com set-config maintenance_mode 1",
            "bench set-config db_password $DB_PASSWORD", "occ ldap:set-config s01 ldapHost ldap.example.org")),
          (r"cfg\.php(?:[ \t]+--component=[\w-]{1,64})?[ \t]+--name=(?P<k>[\w.-]{1,128})[ \t]+--set=", "cfg.php",
           ("php admin/cli/cfg.php --component=auth_ldap --name=bind_pw --set=Lb7kVz2Rq8", "Lb7kVz2Rq8"),
           ("php admin/cli/cfg.php --name=smtphosts --set=smtp.example.edu:587",)),
          (r":set(?:(?<=config:system:set)|(?<=config:app:set))(?:[ \t]+[\w.][\w.-]{0,127}){0,3}?"
           r"[ \t]+(?P<k>[\w.][\w.-]{0,127})(?:[ \t]+--type[ =]\w+)?[ \t]+--value[ =]", ":set",
           ('php occ config:system:set redis password --value="Rd5#pQx8"', "Rd5#pQx8"),
           ("php occ config:system:set trusted_domains 1 --value=files.example.edu",
            "php occ config:app:set files max_chunk_size --value 0")))),
    # Orthanc's `"RegisteredUsers" : { "USER" : "PASSWORD", … }` (orthanc.json) and the Docker images'
    # `ORTHANC__REGISTERED_USERS` holding the same JSON: a map from user names to passwords; Shinobi's conf.json
    # `"pluginKeys": { "Motion": "KEY" }`, a map from plugin names to the keys they connect with.
    *(Rule(label, key + r"[\"']?[ \t]*[:=][ \t]*(?:\|[-+]?[ \t]*\r?\n[ \t]*|['\"])?\{(?P<b>[^{}]{0,4096})\}",
           needs=key, extract=_map_values, remember=True,
           examples=((f'"{key}" : {{\n    "admin" : "Or7#hQx2Lv9m",\n    "viewer" : "Vw4tKp8z"\n  }}', "Vw4tKp8z"),),
           negatives=(f'"{key}" : {{ }}', f'"{key}" : {{ "admin" : "${{ORTHANC_ADMIN_PW}}" }}'))
      for label, key in (("password", "RegisteredUsers"), ("password", "REGISTERED_USERS"), ("secret", "pluginKeys"))),
    # Blue Iris's JSON API login: `{"cmd":"login","session":"…","response":"<md5 of user:session:password>"}`, a
    # password-derived answer that logs the session in.
    Rule("secret", r'"cmd"[ \t]*:[ \t]*"login"[^{}\r\n]{0,300}?"response"[ \t]*:[ \t]*"(?P<v>[0-9a-fA-F]{32})"',
         needs='"cmd"', remember=True,
         examples=(('{"cmd":"login","session":"a3f9c1e0","response":"7d1e9b0c4a6f28e35c90b1d7e4a2f6c3"}',
                    "7d1e9b0c4a6f28e35c90b1d7e4a2f6c3"),),
         negatives=('{"cmd":"camlist","response":"7d1e9b0c4a6f28e35c90b1d7e4a2f6c3"}',
                    '{"cmd":"login","response":"${BI_RESPONSE}"}')),
    # Dolibarr's `$dolibarr_main_instance_unique_id`: the key its `dolEncrypt` and session names derive from, named
    # as an id.
    Rule("secret", r"dolibarr_main_instance_unique_id[\"']?[ \t]*=[ \t]*(?:'(?P<v1>[^'\r\n]{8,256})'"
         r"|\"(?P<v2>[^\"\r\n]{8,256})\")", needs="dolibarr_main_instance_unique_id", extract=_bundler_credentials,
         remember=True,
         examples=(("$dolibarr_main_instance_unique_id='7c1e9a04b3d58f26e0a9c7b14d3f8e52';",
                    "7c1e9a04b3d58f26e0a9c7b14d3f8e52"),),
         negatives=("$dolibarr_main_instance_unique_id='';", "$dolibarr_main_db_name='dolibarr';")),
    # Meltano's `meltano config PLUGIN set SETTING VALUE` (and `meltano config set PLUGIN SETTING VALUE`).
    Rule("password", r"meltano(?<![\w.-]meltano)[ \t]+config[ \t]+(?:[\w-]{1,64}[ \t]+set|set[ \t]+[\w-]{1,64})"
         rf"(?:[ \t]+--[\w-]{{1,32}})*[ \t]+(?P<k>[\w.-]{{1,128}})[ \t]+{_ARG_VALUE}", needs="meltano",
         extract=_keyed_value, remember=True,
         examples=(("$ meltano config target-snowflake set password 'SnwFlk-L0ad#61'", "SnwFlk-L0ad#61"),
                   ("meltano config set tap-hubspot client_secret 7f2a9c4e-1b8d-4a6f-b3e0-5c9d2a7f1e4b",
                    "7f2a9c4e-1b8d-4a6f-b3e0-5c9d2a7f1e4b")),
         negatives=("meltano config target-snowflake set warehouse LOADING",
                    "meltano config tap-postgres set password $TAP_POSTGRES_PASSWORD")),
    # GDAL's `--config KEY VALUE` option (gdalinfo, gdal_translate, ogr2ogr): configuration options such as
    # `AWS_SECRET_ACCESS_KEY` for /vsis3/, given with a blank rather than `=`.
    Rule("secret", rf"--config[ \t]+(?P<k>[A-Z][A-Z0-9_]{{1,63}})[ \t]+{_ARG_VALUE}", needs="--config",
         extract=_keyed_value, remember=True,
         examples=(("gdal_translate --config AWS_SECRET_ACCESS_KEY Kq3vT9mW2pLz7Rx4Nc8Yb1Hf6Gd5Sa0Ue2Io4Pv in.tif",
                    "Kq3vT9mW2pLz7Rx4Nc8Yb1Hf6Gd5Sa0Ue2Io4Pv"),),
         negatives=("gdalinfo --config AWS_REGION us-west-2 --config GDAL_CACHEMAX 512 /vsis3/b/dem.tif",
                    "ogr2ogr --config PG_USE_COPY YES -f PostgreSQL PG:dbname=gis roads.shp",
                    "gdalinfo --config AWS_SECRET_ACCESS_KEY $AWS_SECRET_ACCESS_KEY /vsis3/b/dem.tif")),
    # The ArcGIS API for Python's `GIS(url, username, password)`, the password passed positionally.
    Rule("password", r"GIS\([ \t]*(?:\"[^\"\r\n]{1,256}\"|'[^'\r\n]{1,256}'|[\w.]{1,64})[ \t]*,[ \t]*"
         r"(?:\"[^\"\r\n]{1,128}\"|'[^'\r\n]{1,128}'|[\w.]{1,64})[ \t]*,[ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')", needs="GIS(",
         extract=_bundler_credentials, remember=True,
         examples=(('gis = GIS("https://gis.example.org/portal", "gisadmin", "Arc7#qLw2Vm")', "Arc7#qLw2Vm"),
                   ("gis = GIS(portal_url, user, 'Pz4!vTq8Lm')", "Pz4!vTq8Lm")),
         negatives=('gis = GIS("home")', 'gis = GIS("https://www.arcgis.com", "jdoe", os.environ["ARCGIS_PW"])',
                    "gis = GIS(url, user, profile='prod')")),
    # NGINX's API gateway keys: `map $http_apikey $api_client_name { "KEY" "client_one"; }` (also `$http_x_api_key`,
    # `$arg_apikey`, `$cookie_token`): the map's source, a request's key or token, makes every entry's left side one.
    Rule("secret", r"map(?<![\w$.-]map)[ \t]+\$(?:http|arg|cookie)_\w{0,40}(?:api_?key|token|secret)\w{0,20}"
         r"[ \t]+\$\w{1,64}[ \t]*\{[ \t]*(?:#[^\r\n]*)?\r?\n", needs="map", extract=_nginx_map_keys, remember=True,
         examples=(('map $http_apikey $api_client_name {\n    default "";\n    "7B5zIqmRGXmrJTFmKa99vcit" '
                    '"client_one";\n}\n', "7B5zIqmRGXmrJTFmKa99vcit"),
                   ("map $http_x_api_key $partner {\n    default none;\n    Lk8Wq2Zx7Rt4Vn9P acme;\n}\n",
                    "Lk8Wq2Zx7Rt4Vn9P")),
         negatives=('map $http_apikey $api_client_name {\n    default "";\n    "$api_key_one" "client_one";\n}\n',
                    'map $http_upgrade $connection_upgrade {\n    default upgrade;\n    "" close;\n}\n',
                    "map $http_user_agent $is_bot {\n    default 0;\n    ~*Googlebot2x 1;\n}\n")),
    # Envoy's SDS `generic_secret: {secret: {inline_bytes|inline_string: ...}}` (the OAuth2 filter's token and HMAC
    # secrets): `inline_bytes` holds the secret's bytes in base64, whatever their shape.
    Rule("secret", r"generic_secret\"?[ \t]*:[\s{]{0,40}\"?secret\"?[ \t]*:[\s{]{0,40}\"?inline_(?:bytes|string)\"?"
         r"[ \t]*:[ \t]*(?:\"(?P<v1>[^\"\r\n]{4,4096})\"|'(?P<v2>[^'\r\n]{4,4096})'|(?P<v3>[^\s\"',{}#]{4,4096}))",
         needs="generic_secret", extract=_bundler_credentials, remember=True,
         examples=(('  generic_secret:\n    secret:\n      inline_bytes: "aG1hYy1zZWNyZXQtNGY4ZTJhOWMxYjdk"\n',
                    "aG1hYy1zZWNyZXQtNGY4ZTJhOWMxYjdk"),
                   ('"generic_secret": {"secret": {"inline_string": "tok3n-Vq8Lz2"}}', "tok3n-Vq8Lz2")),
         negatives=("  generic_secret:\n    secret:\n      filename: /etc/envoy/secrets/hmac\n",
                    '  generic_secret:\n    secret:\n      environment_variable: OAUTH_HMAC\n')),
    # The Azure API Management self-hosted gateway's token (`config.service.auth=GatewayKey <gateway>&<expiry>&<sig>`,
    # also an `Authorization: GatewayKey ...` header): the gateway's name, the expiry and a base64 HMAC signature.
    Rule("token", r"GatewayKey[ \t]+(?P<v>[^\s&\"']{1,80}&\d{8,14}&[A-Za-z0-9+/]{20,344}={0,2})(?![\w+/=])",
         needs="GatewayKey", remember=True,
         examples=(("config.service.auth=GatewayKey gw-eu&202701061200&Lq8Tz3Wx7Rk2Vn9Pm4Bh6Jd1Sc5Gf0YaEu8Ko2Zt4Wq==",
                    "gw-eu&202701061200&Lq8Tz3Wx7Rk2Vn9Pm4Bh6Jd1Sc5Gf0YaEu8Ko2Zt4Wq=="),),
         negatives=("config.service.auth=GatewayKey <token>", "Create a GatewayKey token in the portal.")),
    # Credentials stated in prose, as pasted from tickets, chat threads, e-mails and handover notes: `the password is
    # X`, `Your temporary password is: X`, `moderator PIN is 804417`, `login admin / X`, `username bob password X`.
    Rule("password", r" is:?" + _STATED_VALUE, needs=" is", extract=_stated(_STATED_IS), remember=True,
         examples=(("RabbitMQ is back. The password is Rb7mQ_x92Lk for the ops-monitor account.", "Rb7mQ_x92Lk"),
                   ("Your temporary password is: Tmp-48xK!qz2", "Tmp-48xK!qz2"),
                   ('New password for the relay user notify@mail.example.com is "Nw7%pRz3"', "Nw7%pRz3"),
                   ("the secret is `whsec_Lk29XqPz7vTn3RmB8wYc` - rotate it", "whsec_Lk29XqPz7vTn3RmB8wYc"),
                   ("pass is Wf9kLq2!mZx8", "Wf9kLq2!mZx8")),
         negatives=("If the password is wrong the API returns 401.", "the password is 12 characters long",
                    "the new token is in the vault under kv/stg/kube", "the password is ${DB_PASSWORD}",
                    "the token is valid for 3600s", "The secret is stored in /etc/app/secret2.key",
                    "the password of db-11 is db-11.example.com", "the retry count is 5x2 now",
                    "token expiry is 1712053321", "The build is v2.14.1-rc3", "By default the PIN is 123456.")),
    Rule("password", r" /" + _STATED_VALUE, needs=" /", extract=_stated(_STATED_SLASH), remember=True,
         examples=(("login admin / Gr4f!Stg2031", "Gr4f!Stg2031"),
                   ("for the jenkins box use creds: deploybot / Jk8#vPq2Lm9w  (until SSO)", "Jk8#vPq2Lm9w"),
                   ("  user/pass: acme_export / Sf7^tPw3nQx2", "Sf7^tPw3nQx2")),
         negatives=("login ok / 2 retries", "read 12 MB / 30s", "login admin / logout at 17:00",
                    "creds: deploybot / see vault kv/ci/jenkins2")),
    Rule("password", r"password" + _STATED_VALUE, needs="password", extract=_stated(_STATED_USER), remember=True,
         examples=(("local login for now: username opsadmin password Vq9$Lw2pXz7c", "Vq9$Lw2pXz7c"),
                   ("3. Log in with username `admin` and password `Ch4ngeM3-local!` (set in it)", "Ch4ngeM3-local!")),
         negatives=("Enter your username and password to continue", "the username and password 2FA prompts",
                    "user master password dipPr18Gg!")),
    # An AWS secret access key named in prose: `with secret key <40 characters>`, `secret access key is <...>`.
    Rule("aws_secret_key", r"ecret(?<![\w-][Ss]ecret)(?:[ _]access)?[ _]key[ \t]+(?:is:?[ \t]+)?"
         r"(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", needs="ecret", validate=_mixed, remember=True,
         examples=(("use the access key AKIAQ7EXAMPLE3XZ4KPD with secret key 9wQmT3pLzR7vXk2Nb8YcH5jF1sDa6GeU0oIrWtEy",
                    "9wQmT3pLzR7vXk2Nb8YcH5jF1sDa6GeU0oIrWtEy"),),
         negatives=("the secret key is rotated by the vault-aws-rotation-lambda-function-prod-eu-west1x",
                    "secret key file: /etc/app/keys/aws/sandbox/credentials/secret.pem")),
    # Distributed caches and coordination services. Redis Sentinel's `sentinel auth-pass MASTER PASSWORD` (the
    # monitored master's password, after its name) and `sentinel sentinel-pass PASSWORD` (the other sentinels').
    Rule("password", r"sentinel(?<![\w-]sentinel)[ \t]+(?:auth-pass[ \t]+[^\s]{1,128}|sentinel-pass)" + _LAST_VALUE,
         needs="sentinel", extract=_device_value, remember=True,
         examples=(("sentinel auth-pass cache-main Sp3Wx8-Lq5Ky", "Sp3Wx8-Lq5Ky"),
                   ("sentinel sentinel-pass 'Pe7Rz2#Nm9'", "Pe7Rz2#Nm9")),
         negatives=("sentinel monitor cache-main 10.0.0.1 6379 2", "sentinel auth-pass cache-main $MASTER_PW",
                    "sentinel auth-user cache-main probe")),
    # A space-separated config line whose hyphenated key ends in `-password`, its value the line's last word:
    # piaware's `/etc/piaware.conf` (`flightaware-password VALUE`), also set with `piaware-config KEY VALUE`, whose
    # echo `Set flightaware-password to VALUE in …` the remembered value covers. The key starts its line (or follows
    # `piaware-config`), so prose and `--db-password` options do not match.
    Rule("password", r"(?:(?<![^\n])[ \t]*|\bpiaware-config[ \t]+)[a-z][a-z0-9]*(?:-[a-z0-9]+)*-password" + _LAST_VALUE,
         needs="-password", extract=_device_value, remember=True,
         examples=(("feeder-id 4b7e1c0a-93d2-4f6e-8a15-c2d9e07b3f61\nflightaware-password Fa7-Kq2Lw9zX\n",
                    "Fa7-Kq2Lw9zX"),
                   ("pi@feeder:~ $ sudo piaware-config flightaware-password 'Pw8#Lm2Qz'", "Pw8#Lm2Qz")),
         negatives=("flightaware-password $FA_PASSWORD", "  reset-password required",
                    "sudo piaware-config flightaware-user kestrel_ops", "see flightaware-password Fa7-Kq2Lw9zX",
                    "flightaware-password")),
    # Spire Maritime's AIS TCP feed: the client's first line `A|T|<token>` authenticates the stream.
    Rule("token", r"A\|T\|(?<![\w|]A\|T\|)(?P<v>[A-Za-z0-9_\-]{16,256})(?![\w-])", needs="A|T|", validate=_mixed,
         remember=True,
         examples=(("$ nc streamingv2.ais.spire.com 56784\nA|T|Qm7xK2pZ9vLr4Tn8Wc3Yd6Hb\n",
                    "Qm7xK2pZ9vLr4Tn8Wc3Yd6Hb"),),
         negatives=("A|T|USER_TOKEN_HERE", "A|T|$SPIRE_TOKEN", "A|T|<auth_token_goes_here>",
                    "flags=A|T|PERSISTENTBUFFERFLAGS")),
    # redis-cli's (and valkey-cli's) `REDISCLI_AUTH` environment variable: the password `-a` would take.
    Rule("password", r"REDISCLI_AUTH(?<![\w-]REDISCLI_AUTH)[\"']?[ \t]*[:=][ \t]*" + _ARG_VALUE,
         needs="REDISCLI_AUTH", extract=_device_value, remember=True,
         examples=(("export REDISCLI_AUTH='Rc4Ws9-Kq2Lv'", "Rc4Ws9-Kq2Lv"),
                   ("      REDISCLI_AUTH: Rd7Qm2Wx9Lp", "Rd7Qm2Wx9Lp")),
         negatives=("export REDISCLI_AUTH=$REDIS_PASSWORD", 'REDISCLI_AUTH="${REDIS_PASSWORD}" redis-cli ping')),
    # ZooKeeper's digest scheme given to a client API as `"user:password"`: `zk.addAuthInfo("digest", "…".getBytes())`,
    # Curator's `.authorization("digest", …)`, kazoo's `add_auth("digest", …)` and `auth_data=[("digest", …)]`.
    Rule("password", r"digest(?<=[\"']digest)[\"'][ \t]*,[ \t]*[\"'][^\"':\s]{1,64}:(?P<v>[^\"'\s]{1,256})[\"']",
         needs="digest", extract=_bundler_credentials, remember=True,
         examples=(('zk.addAuthInfo("digest", "scheduler:Cu7Vx2Rq9".getBytes());', "Cu7Vx2Rq9"),
                   ("KazooClient(hosts=h, auth_data=[('digest', 'ops:Kz4-Lw8q')])", "Kz4-Lw8q")),
         negatives=('zk.addAuthInfo("digest", (user + ":" + pw).getBytes());',
                    'MessageDigest.getInstance("SHA-256"); algo = "digest", "sha1"')),
    # Aerospike's aql user statements (see `_AQL_BEFORE`).
    Rule("password", r"PASSWORD(?<=[ \t]PASSWORD)[ \t]+(?!=|FOR\b)" + _POSITIONAL_VALUE
         + r"(?=[ \t]+(?:ROLES?|FOR)[ \t]|[ \t]*;?[ \t]*(?:\r?\n|\Z))",
         needs="PASSWORD", extract=_aql_password, remember=True,
         examples=(("aql> CREATE USER report_ro PASSWORD Rp7Xk2-Wq9 ROLE read", "Rp7Xk2-Wq9"),
                   ("CREATE USER ops PASSWORD Op5Lw2Zq ROLES read-write, sys-admin", "Op5Lw2Zq"),
                   ("aql> SET PASSWORD Nw3Tz8-Hc5 FOR app_rw", "Nw3Tz8-Hc5")),
         negatives=("SET PASSWORD = PASSWORD('x')", "CREATE USER report_ro PASSWORD $PW ROLE read",
                    "REQUIRE A STRONG PASSWORD FOR ADMINS", "SET PASSWORD FOR 'bob'@'%' = 'x'")),
    # Time-series and multi-model databases' user statements whose literal follows no `PASSWORD`/`IDENTIFIED BY`
    # the SQL rule knows: TDengine's `CREATE|ALTER USER NAME PASS '…'`, Apache IoTDB's `CREATE USER NAME '…'` (the
    # name bare or in backquotes, the password right after it) and SurrealDB's `DEFINE USER NAME ON
    # ROOT|NAMESPACE|DATABASE PASSWORD '…'` (its `PASSHASH` is a hash). Upper-case keywords, as the manuals write them.
    Rule("password", r"\b(?:CREATE|ALTER|DEFINE)[ \t]+USER[ \t]+(?:IF[ \t]+NOT[ \t]+EXISTS[ \t]+)?"
         r"(?:`[^`\r\n]{1,64}`|[A-Za-z_][\w.@-]{0,63})[ \t]+"
         r"(?:PASS[ \t]+|ON[ \t]+(?:ROOT|NAMESPACE|NS|DATABASE|DB)[ \t]+PASSWORD[ \t]+)?"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")",
         needs="USER", extract=_bundler_credentials, remember=True,
         examples=(("taos> ALTER USER collector PASS 'Tc7-Ld9!qx';", "Tc7-Ld9!qx"),
                   ("CREATE USER ingest PASS 'In9-Gst2w' SYSINFO 0;", "In9-Gst2w"),
                   ("IoTDB> CREATE USER `ln_write_user` 'Wr1te-Ln7'", "Wr1te-Ln7"),
                   ("CREATE USER reader 'Rd4-Io7x'", "Rd4-Io7x"),
                   ("DEFINE USER reporter ON DATABASE PASSWORD 'Su8-Rp2q' ROLES VIEWER;", "Su8-Rp2q")),
         negatives=("CREATE USER 'app'@'%' IDENTIFIED BY $PW;", "ALTER USER root PASS '${TD_ROOT_PASS}';",
                    "DEFINE USER reporter ON DATABASE PASSHASH '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'",
                    "CREATE USER app WITH LOGIN;", "ALTER USER app ENABLE 0;")),
    # A password given positionally to a graph or multi-model database's client API, after a quoted user name: the
    # Neo4j drivers' `basic_auth("USER", "PASSWORD")` (Python), `AuthTokens.basic("USER", "PASSWORD")` (Java, .NET's
    # `AuthTokens.Basic`) and `neo4j.auth.basic('USER', 'PASSWORD')` (JavaScript); arangosh's user module
    # `require("@arangodb/users").save|replace|update("USER", "PASSWORD")` (also through a `users` variable).
    Rule("password", r"(?:\bbasic_auth|\bAuthTokens\.[Bb]asic|\bauth\.basic)"
         r"\([ \t]*(?:\"[^\"\r\n]{1,128}\"|'[^'\r\n]{1,128}')[ \t]*,[ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')", needs="asic",
         extract=_bundler_credentials, remember=True,
         examples=(('driver = GraphDatabase.driver(uri, auth=basic_auth("svc", "Nj4-Bolt9x"))', "Nj4-Bolt9x"),
                   ('Driver d = GraphDatabase.driver(uri, AuthTokens.basic("batch", "Jv7-Neo!2q"));', "Jv7-Neo!2q"),
                   ("const driver = neo4j.driver(uri, neo4j.auth.basic('app', 'Js5-Neo4j8'))", "Js5-Neo4j8")),
         negatives=('basic_auth("svc", os.environ["NEO4J_PASSWORD"])', "AuthTokens.basic(user, password)",
                    'auth.basic("svc", "")')),
    Rule("password", r"\busers[\"']?\)?\.(?:save|replace|update)"
         r"\([ \t]*(?:\"[^\"\r\n]{1,128}\"|'[^'\r\n]{1,128}')[ \t]*,[ \t]*"
         r"(?:\"(?P<v1>[^\"\r\n]{1,256})\"|'(?P<v2>[^'\r\n]{1,256})')", needs="users",
         extract=_bundler_credentials, remember=True,
         examples=(('require("@arangodb/users").save("orders", "Ar9-Usr!4k");', "Ar9-Usr!4k"),
                   ('users.replace("orders", "Ar2-Rpl7w", true);', "Ar2-Rpl7w")),
         negatives=('users.save("orders", "")', 'users.update("orders", undefined, false);',
                    'users.save("orders", process.env.ORDERS_PW);')),
    # .NET's `new X509Certificate2(PATH_OR_BYTES, "PASSWORD"[, flags])`: the PKCS#12 file's password (RavenDB's and
    # Cosmos DB's client certificates, Kestrel's code-configured certificate).
    Rule("password", r"\bX509Certificate2\([ \t]*(?:@?\"[^\"\r\n]{1,256}\"|[\w.]{1,128}(?:\([^()\r\n]{0,256}\))?)"
         r"[ \t]*,[ \t]*@?\"(?P<v>[^\"\r\n]{1,256})\"", needs="X509Certificate2(",
         extract=_bundler_credentials, remember=True,
         examples=(('Certificate = new X509Certificate2(@"C:\\certs\\client.pfx", "Cx7-Pfx!2k")', "Cx7-Pfx!2k"),
                   ('var c = new X509Certificate2(File.ReadAllBytes(path), "Pf4-Byt9q", '
                    "X509KeyStorageFlags.MachineKeySet);", "Pf4-Byt9q")),
         negatives=('new X509Certificate2(@"C:\\certs\\client.cer")', "new X509Certificate2(path, password)",
                    'new X509Certificate2(path, "")')),
    # OrientDB's console `CONNECT remote:HOST/DB USER PASSWORD` (also `plocal:`, `memory:`, `embedded:` URLs).
    Rule("password", r"\bCONNECT[ \t]+(?:remote|plocal|memory|embedded):[^\s]{1,256}[ \t]+[^\s]{1,64}[ \t]+"
         + _POSITIONAL_VALUE, needs="CONNECT", extract=_device_value, remember=True,
         examples=(("orientdb> CONNECT remote:localhost/demodb admin Od7-Cns!2x", "Od7-Cns!2x"),
                   ("CONNECT plocal:/opt/orientdb/databases/gratefuldead reader 'Rd8 Orient'", "Rd8 Orient")),
         negatives=("orientdb> CONNECT remote:localhost/demodb admin", "CONNECT remote:localhost/demodb admin $OPW")),
    # GreptimeDB's static user provider given on the command line: `--user-provider=static_user_provider:cmd:USER=PW`
    # (comma-separated pairs).
    Rule("password", r"static_user_provider:cmd:(?P<l>[^\s\"']{3,1024})", needs="static_user_provider:cmd:",
         extract=_greptime_users, remember=True,
         examples=(("greptime standalone start --user-provider=static_user_provider:cmd:greptime_user=Gt4-Usr9q",
                    "Gt4-Usr9q"),
                   ("--user-provider=static_user_provider:cmd:alice=Al7-Gt2x,bob=Bb3-Gt8w", "Bb3-Gt8w")),
         negatives=("--user-provider=static_user_provider:file:/etc/greptimedb/users",
                    "--user-provider=static_user_provider:cmd:greptime_user=${GREPTIME_PASSWORD}")),
    # asadm's `manage acl create user NAME password PASSWORD roles …`, `manage acl set-password user NAME password
    # PASSWORD` and `manage acl change-password user NAME old OLD new NEW`.
    Rule("password", r"manage[ \t]+acl[ \t]+(?:create|set-password|change-password)[ \t]+user[ \t]+[^\s]{1,128}"
         r"(?:[ \t]+old[ \t]+(?P<c>[^\s]{1,256}))?[ \t]+(?:password|new)" + _NEXT_VALUE,
         needs="manage", extract=_device_value, remember=True,
         examples=(("Admin+> manage acl create user bw password Bw6Qs1-Lx8 roles read-write", "Bw6Qs1-Lx8"),
                   ("manage acl change-password user bw old Ol4-Pw9x new Nw5-Pw2q", "Nw5-Pw2q"),
                   ("manage acl change-password user bw old Ol4-Pw9x new Nw5-Pw2q", "Ol4-Pw9x")),
         negatives=("manage acl create user bw roles read", "manage acl delete user bw",
                    "manage acl create user bw password $PW roles read")),
    # cbq's credentials list (see `_cbq_credentials`).
    Rule("password", r"[ \t](?:-c|--credentials)(?:=|[ \t]+)(?P<l>[^\s\"']{3,512})", needs="cbq",
         extract=_cbq_credentials, remember=True,
         examples=(("cbq -e http://cb:8093 -c catalog:Bk9Hn4-Qs7,travel:Ts6Vr3-Mz8", "Ts6Vr3-Mz8"),
                   ("cbq -e http://cb:8093 --credentials=Administrator:Ad9-Kq2Lw", "Ad9-Kq2Lw")),
         negatives=("cbq -e http://cb:8093 -c catalog:$PW", "cbimport json -c couchbase://cb -u u -p $PW",
                    "cbq -e couchbase://cb -c couchbase://cb2")),
    # A properties realm in clear text (see `_clear_realm_user`).
    Rule("password", r"(?<![^\n])[^#\s=:\\][^=\s]{0,127}=(?P<v>[^\s]{1,256})(?=\r?\n|\Z)",
         needs=_CLEAR_REALM_HEADER, extract=_clear_realm_user, remember=True,
         examples=(("#$REALM_NAME=default$\n#$ALGORITHM=clear$\nadmin=Up9Xr4-Kc7\nops=Mn3Hv8-Zd5\n", "Mn3Hv8-Zd5"),),
         negatives=("#$REALM_NAME=default$\nadmin=Up9Xr4Kc7\n", "#$ALGORITHM=clear$\nadmin=${ADMIN_PW}\n",
                    "#$ALGORITHM=clear$\n\n[section]\nhost=db.internal\n")),
    # Consul's `consul acl set-agent-token TYPE TOKEN` (the agent's own ACL tokens), the gossip key `consul keygen`
    # prints on the line after it, and `consul keyring -install|-use|-remove KEY`.
    Rule("token", r"set-agent-token[ \t]+(?:-[^\s]{1,200}[ \t]+)*[\w-]{1,40}" + _NEXT_VALUE,
         needs="set-agent-token", extract=_device_value, remember=True,
         examples=(('consul acl set-agent-token agent "e91d4b7a-3c52-f806-1a9e-5d2b8c7f4a13"',
                    "e91d4b7a-3c52-f806-1a9e-5d2b8c7f4a13"),
                   ("consul acl set-agent-token -token-file=/x default 6d2a9f14-8e3b-c517-40da-b9e7f2c61a38",
                    "6d2a9f14-8e3b-c517-40da-b9e7f2c61a38")),
         negatives=('consul acl set-agent-token agent "$AGENT_TOKEN"', "consul acl set-agent-token -h")),
    Rule("secret", r"consul[ \t]+(?:keygen[ \t]*\r?\n|keyring[ \t]+-(?:install|use|remove)(?:=|[ \t]+)[\"']?)"
         r"(?P<v>[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])", needs="consul ", extract=_bundler_credentials,
         remember=True,
         examples=(("$ consul keygen\npQ7vK2mZ9xT4wL8rN3cY6hB1jF5sD0gA2uE7iO9kRw0=\n",
                    "pQ7vK2mZ9xT4wL8rN3cY6hB1jF5sD0gA2uE7iO9kRw0="),
                   ("consul keyring -install=Xq7vK2mZ9xT4wL8rN3cY6hB1jF5sD0gA2uE7iO9kRw1=",
                    "Xq7vK2mZ9xT4wL8rN3cY6hB1jF5sD0gA2uE7iO9kRw1=")),
         negatives=("$ consul keygen\n$ consul keyring -list", "consul keyring -install=$GOSSIP_KEY")),
    # python-binary-memcached's `bmemcached.Client(SERVERS, 'USER', 'PASSWORD')` (memcached's SASL credentials, by
    # position after the server list).
    Rule("password", r"bmemcached\.Client\([^\r\n]{0,300}?,[ \t]*(?:'[^'\r\n]{1,128}'|\"[^\"\r\n]{1,128}\")[ \t]*,"
         r"[ \t]*(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")", needs="bmemcached.Client",
         extract=_bundler_credentials, remember=True,
         examples=(("mc = bmemcached.Client(('10.0.0.5:11211',), 'web', 'Mc2Zq7-Lt4')", "Mc2Zq7-Lt4"),),
         negatives=("mc = bmemcached.Client(servers, user, password)",
                    "mc = bmemcached.Client(('10.0.0.5:11211',), 'web', '${MC_PASSWORD}')")),
    # `<param-name>` / `<param-value>` pairs (see `_param_value`).
    Rule("secret", r"<param-name>[ \t]*(?P<n>[\w.\-]{1,80})[ \t]*</param-name>\s{0,200}"
         r"<param-value>(?P<v>[^<\r\n]{1,256})</param-value>", needs="<param-value>", extract=_param_value,
         remember=True,
         examples=(("<init-param>\n  <param-name>password</param-name>\n  <param-value>Cp7Hn3-Vz8</param-value>",
                    "Cp7Hn3-Vz8"),),
         negatives=("<param-name>keystore</param-name>\n<param-value>/etc/server.p12</param-value>",
                    "<param-name>password</param-name>\n<param-value>${coherence.password}</param-value>")),
    # GeoServer's security/masterpw.info: "The generated master password is: …" (the keystore's password).
    Rule("password", r"master password is:[ \t]*(?P<v>\S{4,256})", needs="master password is:",
         extract=_bundler_credentials, remember=True,
         examples=(("The generated master password is: Mx7!qLv2Wz9pTk", "Mx7!qLv2Wz9pTk"),),
         negatives=("The master password is stored in the keystore.",
                    "Test the master password by logging in as user \"root\"")),
    # Grafana's `grafana cli admin reset-admin-password [--homepath DIR …] NEWPASS` (also `grafana-cli`); its
    # `--password-from-stdin` reads the password instead.
    Rule("password", r"reset-admin-password(?<=admin reset-admin-password)[ \t]+"
         r"(?:--(?!password-from-stdin)[\w-]{1,40}(?:=\S+|[ \t]+[^\s-]\S*)?[ \t]+)*(?!-)" + _POSITIONAL_VALUE
         + _LINE_END, needs="reset-admin-password", extract=_password_arg, remember=True,
         examples=(("$ docker exec -it grafana grafana cli admin reset-admin-password Wq7-zR2mKp9v", "Wq7-zR2mKp9v"),
                   ("grafana-cli admin reset-admin-password --homepath /usr/share/grafana 'Gr4f!Pw9x'", "Gr4f!Pw9x")),
         negatives=("grafana cli admin reset-admin-password --password-from-stdin < /run/secrets/admin_pw",
                    "grafana cli admin reset-admin-password $GF_ADMIN_PW",
                    "grafana cli admin reset-admin-password admin",
                    "run grafana cli admin reset-admin-password <new password>")),
    # Checkmk's REST API header `Authorization: Bearer USER SECRET` (an automation user's name, then its secret): two
    # words after the scheme, the header ending after the second.
    Rule("password", r"(?i:authorization)[\"']?[ \t]*[:=][ \t]*[\"']?Bearer[ \t]+[A-Za-z0-9_][\w.@-]{0,63}[ \t]+"
         r"(?P<v1>[^\s\"'$<>{}]{8,256})(?=[\"'\r\n]|\Z)", needs="Bearer ", extract=_groups, remember=True,
         validate=lambda value: not value.isalpha(),
         examples=(('curl -H "Authorization: Bearer automation Q7ZP3VX2MK9T@LW4NB8R" https://cmk/prod/check_mk/api/1.0/',
                    "Q7ZP3VX2MK9T@LW4NB8R"),
                   ('headers={"Authorization": "Bearer cmkadmin Xr7-pQ2v9LmZ"}', "Xr7-pQ2v9LmZ")),
         negatives=('--header "Authorization: Bearer $USERNAME $PASSWORD"',
                    "Authorization: Bearer automation {AUTOMATION_SECRET}",
                    "the Authorization: Bearer header carries sessions\n",
                    "401: Authorization: Bearer required\n")),
    # The Zabbix API's `user.login` reply: `{"jsonrpc":"2.0","result":"<32 hex>","id":1}`, the session id later sent
    # as `auth` (or `Authorization: Bearer`); only in a text that calls `user.login`.
    Rule("secret", r"\"result\"[ \t]*:[ \t]*\"(?P<v>[0-9a-f]{32})\"", needs="user.login",
         extract=_bundler_credentials, remember=True,
         examples=(('-d \'{"jsonrpc":"2.0","method":"user.login","params":{"username":"api"},"id":1}\'\n'
                    '{"jsonrpc":"2.0","result":"0424bd59b807674191e7d77572075f33","id":1}',
                    "0424bd59b807674191e7d77572075f33"),),
         negatives=('{"jsonrpc":"2.0","result":"0424bd59b807674191e7d77572075f33","id":1}',
                    '{"method":"user.login"}\n{"jsonrpc":"2.0","result":"7.0.4","id":1}')),
    # InfluxDB 2 API tokens by their shape: 64 random bytes in URL-safe base64, 86 characters and `==` (`influx auth
    # create`/`list` tables, `influx setup` output), a `-` or `_` among them (standard base64 of 64 bytes, such as a
    # SHA-512 digest or an Ed25519 signature, has `+` or `/` in their place) or `influx` named in the text.
    Rule("secret", r"==(?<=(?<![\w+/=.-])(?P<s>[A-Za-z0-9_-]{86})==)(?![\w+/=-])", "==",
         extract=_influx_token, remember=True,
         examples=(("0d6b3e8a1f4c2e90\ttelegraf\t" + _INFLUX_EXAMPLE + "\tadmin", _INFLUX_EXAMPLE),
                   ("$ influx auth list\n0d6b3e8a1f4c2e90\t" + _INFLUX_EXAMPLE.replace("-", "Q") + "\tadmin",
                    _INFLUX_EXAMPLE.replace("-", "Q"))),
         negatives=("sha512-" + _INFLUX_EXAMPLE.replace("-", "+"), "if a == b: pass",
                    "ed25519 signature " + _INFLUX_EXAMPLE.replace("-", "Q"), "blob " + _INFLUX_EXAMPLE[:50] + "==")),
    # Configuration management and runbook tools (batch 110). A Ruby hash element indexed by a symbol that names a
    # secret (see `_symbol_element`).
    Rule("password", r"\[:(?P<k>[A-Za-z_]\w{0,79})\][ \t]*=[ \t]*"
         r"(?:'(?P<v1>[^'\r\n]{1,256})'|\"(?P<v2>[^\"\r\n]{1,256})\")",
         needs="[:", extract=_symbol_element, remember=True,
         examples=(("knife[:vsphere_pass] = 'Vs7-qLw2Zx9'", "Vs7-qLw2Zx9"),
                   ('default[:mysql][:server_root_password] = "Rt4Kq9-Lw2"', "Rt4Kq9-Lw2")),
         negatives=("knife[:vsphere_user] = 'svc_knife'", "knife[:ssh_password] = ENV['SSH_PASSWORD']",
                    "knife[:vsphere_pass] = '#{ENV[\"VSPHERE_PASS\"]}'", "ip [::1]:8080 = 'up'")),
    # A secret literal handed to a decoding call under a key that names a secret: Python's
    # `c.JupyterHub.cookie_secret = bytes.fromhex('<hex>')` (JupyterHub's documented in-file form),
    # `SECRET_KEY = base64.b64decode("…")`, `binascii.unhexlify(b"…")`; the key is classified as any other.
    *(Rule("secret", r"(?<![\w-])[\"']?(?P<k>[A-Za-z_]\w{0,79})[\"']?[ \t]*[:=][ \t]*(?:[\w.]{1,40}\.)?" + call
           + r"\([ \t]*b?(?:'(?P<v1>[^'\r\n]{1,512})'|\"(?P<v2>[^\"\r\n]{1,512})\")",
           needs=call + "(", extract=_keyed_value, remember=True, examples=examples, negatives=negatives)
      for call, examples, negatives in (
          ("fromhex", (("c.JupyterHub.cookie_secret = bytes.fromhex('9c4e2a7f1b8d3e6c0a5f9b2e7d1c4a8f')",
                        "9c4e2a7f1b8d3e6c0a5f9b2e7d1c4a8f"),),
           ("payload = bytes.fromhex('9c4e2a7f1b8d3e6c0a5f9b2e7d1c4a8f')",
            "c.JupyterHub.cookie_secret = bytes.fromhex(os.environ['JPY_COOKIE_SECRET'])")),
          ("unhexlify", (('HMAC_KEY = binascii.unhexlify(b"7d2f9b4e1a8c3f6d0b5e9a2c")', "7d2f9b4e1a8c3f6d0b5e9a2c"),),
           ('digest = binascii.unhexlify("7d2f9b4e1a8c3f6d0b5e9a2c")',)),
          ("b64decode", (("'secret_key': base64.b64decode('Zk3rT9wQpL2vNx8sYb5mHc7dJg4=')",
                          "Zk3rT9wQpL2vNx8sYb5mHc7dJg4="),),
           ("icon = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB')",
            "secret_key = base64.b64decode(os.environ['SECRET_KEY_B64'])")))),
    # Salt's mysql execution module given the password by position: `salt 'db*' mysql.user_create USER HOST PASSWORD`,
    # `mysql.user_chpass USER HOST PASSWORD` (a `password=` keyword argument is a key like any other).
    Rule("password", r"\bmysql\.user_(?:create|chpass)"
         r"(?:[ \t]+(?:'[^'\r\n]{0,128}'|\"[^\"\r\n]{0,128}\"|[^\s'\"=]{1,128})){2}"
         r"[ \t]+(?![\w-]{1,40}=)" + _POSITIONAL_VALUE, needs="mysql.user_", extract=_device_value, remember=True,
         examples=(("salt 'db-*' mysql.user_create 'reporting' '10.20.%' 'Mu7-Qx2Lw9'", "Mu7-Qx2Lw9"),
                   ("salt-call mysql.user_chpass app localhost Nw4Zq8-Lp2", "Nw4Zq8-Lp2")),
         negatives=("salt '*' mysql.user_create 'app' 'localhost' password_hash='*F3A2A51A9B0F2BE246'",
                    "salt '*' mysql.user_create 'app' 'localhost' \"$DB_PASS\"", "salt '*' mysql.user_list")),
    # `chef-server-ctl set-secret GROUP NAME VALUE` (Chef Infra Server's secrets store; `--with-file` and the
    # `SECRET_VALUE` environment variable keep the value off the command line).
    Rule("secret", r"chef-server-ctl[ \t]+set-secret[ \t]+[\w-]{1,64}[ \t]+[\w-]{1,64}[ \t]+(?!--)"
         + _POSITIONAL_VALUE,
         needs="set-secret", extract=_device_value, remember=True,
         examples=(("chef-server-ctl set-secret ldap bind_password 'Lb4-Qz8Wx2'", "Lb4-Qz8Wx2"),),
         negatives=("chef-server-ctl set-secret ldap bind_password --with-file /root/bind.pw",
                    "chef-server-ctl set-secret ldap bind_password \"$BIND_PW\"",
                    "chef-server-ctl remove-secret ldap bind_password")),
    # Cloud Foundry's `cf set-env|se APP NAME VALUE` with a NAME that names a secret (`cf set-env app PORT 8080` is
    # left alone; the value is the last argument).
    Rule("secret", r"\bcf[ \t]+(?:set-env|se)[ \t]+[\w.-]{1,64}[ \t]+"
         r"(?i:[\w-]{0,40}(?:secret|passw(?:or)?d|pass|token|api[_-]?key|private[_-]?key|credentials?)[\w-]{0,40})"
         r"[ \t]+(?!--)" + _POSITIONAL_VALUE,
         needs="cf ", extract=_device_value, remember=True,
         examples=(("cf set-env billing SESSION_SECRET 8f3a1c9e2b7d40e5a6c1f9b2d83e7a4c",
                    "8f3a1c9e2b7d40e5a6c1f9b2d83e7a4c"),
                   ("cf se orders DB_PASSWORD 'Qz4-Lp9wX2'", "Qz4-Lp9wX2")),
         negatives=("cf set-env orders PORT 8080", "cf set-env orders DB_PASSWORD \"$DB_PASSWORD\"",
                    "cf unset-env orders SESSION_SECRET")),
    # LXD's legacy `lxc config set core.trust_password VALUE` (the password clients give to `lxc remote add`).
    Rule("password", r"\bcore\.trust_password[ \t]+(?!--)" + _POSITIONAL_VALUE,
         needs="core.trust_password", extract=_device_value, remember=True,
         examples=(("lxc config set core.trust_password Lx7-Tq2wRz", "Lx7-Tq2wRz"),
                   ("incus config set core.trust_password 'Tp4#x9Wq'", "Tp4#x9Wq")),
         negatives=("lxc config unset core.trust_password", "lxc config get core.trust_password",
                    'lxc config set core.trust_password "$LXD_TRUST"')),
    # Marathon's `--http_credentials USER:PASSWORD`: the HTTP basic-auth pair.
    Rule("password", r"--http_credentials(?:=|[ \t]+)['\"]?[\w.@-]{1,64}:"
         r"(?P<v>[^\s'\"$]{1,128})",
         needs="http_credentials", remember=True,
         examples=(("marathon --master zk://zk1:2181/mesos --http_credentials admin:Mr7-tLq2vX", "Mr7-tLq2vX"),),
         negatives=("marathon --http_credentials $MARATHON_CREDS", "marathon --http_credentials_file /etc/m.cred")),
    # A gossip encryption key (16 or 32 random bytes in base64) under `encrypt` in a Nomad or Consul agent's HCL or
    # JSON config; `consul keygen`/`nomad operator gossip keyring generate` print the same shape.
    Rule("secret", r"\bencrypt\"?[ \t]*[=:][ \t]*\"(?P<v>[A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{43}=)\"",
         needs="encrypt", remember=True,
         examples=(('  encrypt          = "k3Vq8xLm2TzR9wP4nCb7dJf1hYs6gKu3eAa5oNi0tWQ="',
                    "k3Vq8xLm2TzR9wP4nCb7dJf1hYs6gKu3eAa5oNi0tWQ="),
                   ('{"encrypt": "pUqJrVyVRj5jsiYEkM/tFQ=="}', "pUqJrVyVRj5jsiYEkM/tFQ==")),
         negatives=('encrypt = true', 'encrypt = "${NOMAD_GOSSIP_KEY}"', 'verify_incoming = true')),
    # The trust token `lxc config trust add` (and `incus config trust add`) prints on the line after its header.
    Rule("token", r"certificate add token:[ \t]*\r?\n[ \t]*(?P<v>[A-Za-z0-9+/_-]{40,4096}={0,2})(?=[ \t]*(?:\r?\n|\Z))",
         needs="add token:",
         examples=(("Client ci certificate add token:\n"
                    "eyJjbGllbnRfbmFtZSI6ImNpIiwic2VjcmV0IjoiN2MyZTlmNDFiOGEzNWQwNiJ9\n",
                    "eyJjbGllbnRfbmFtZSI6ImNpIiwic2VjcmV0IjoiN2MyZTlmNDFiOGEzNWQwNiJ9"),),
         negatives=("Client ci certificate add token:\n(none)\n",)),
    # A value piped into `docker|podman secret create NAME -` (it reads the secret from stdin).
    Rule("secret", r"\b(?:printf|echo)(?:[ \t]+-[neE]{1,3})?[ \t]+" + _POSITIONAL_VALUE
         + r"[ \t]*\|[ \t]*(?:docker|podman)[ \t]+secret[ \t]+create\b",
         needs="secret create", extract=_device_value, remember=True,
         examples=(("printf 'Sw9mQx2vLt7RkP4z' | docker secret create pg_password -", "Sw9mQx2vLt7RkP4z"),
                   ('echo -n "Pd8-vQm2x" | podman secret create db_pass -', "Pd8-vQm2x")),
         negatives=('printf "$PG_PASSWORD" | docker secret create pg_password -',
                    "docker secret create pg_password ./pg_password.txt")),
    # hiera-eyaml's plain text given to `eyaml encrypt -s VALUE` / `--string VALUE` / `--string=VALUE` (what it prints,
    # `ENC[PKCS7,…]`, is a rule of its own).
    Rule("secret", r"eyaml[ \t]+encrypt\b[^\r\n]{0,300}?[ \t](?:-s|--string)(?:=|[ \t]+)" + _ARG_VALUE,
         needs="eyaml", extract=_device_value, remember=True,
         examples=(("eyaml encrypt -l 'profile::db::password' -s 'Ey7-Qw2Lz9'", "Ey7-Qw2Lz9"),
                   ("eyaml encrypt --string=Hk4Zq8Lw2", "Hk4Zq8Lw2")),
         negatives=("eyaml encrypt -p -l 'profile::db::password'", "eyaml encrypt -f secrets.txt",
                    "eyaml encrypt -s \"$PLAINTEXT\"")),
    # The GitHub CLI's `gh secret set NAME --body VALUE` (`-b`, `--body=`; Actions, Codespaces, Dependabot and
    # environment secrets alike): the value of a secret whatever its name; stdin, `--env-file` and `-f` keep it off the
    # line.
    Rule("secret", r"\bgh[ \t]+secret[ \t]+set\b[^\r\n]{0,300}?[ \t](?:-b|--body)(?:=|[ \t]+)" + _ARG_VALUE,
         needs="secret set", extract=_device_value, remember=True,
         examples=(('gh secret set DB_PASSWORD --app codespaces --body "Gs7-Qx2Lw9Zk"', "Gs7-Qx2Lw9Zk"),
                   ("gh secret set DEPLOY_KEY -b 'Hk4Zq8Lw2Tn' --env production", "Hk4Zq8Lw2Tn"),
                   ("gh secret set NPM_AUTH --body=Np3Vx8Rb2Kq", "Np3Vx8Rb2Kq")),
         negatives=("gh secret set DB_PASSWORD < db_password.txt", 'gh secret set DB_PASSWORD --body "$DB_PASSWORD"',
                    "gh secret set -f .env.production", "gh variable set REGION --body eu-west-1",
                    "gh secret set --help shows how to pass a --body value")),
    # StackStorm's `st2 auth USER -p PASSWORD` and `st2 login USER -p|--password PASSWORD`.
    Rule("password", r"\bst2[ \t]+(?:auth|login)[ \t]+[^\s-]\S{0,127}[^\r\n]{0,200}?[ \t](?:-p|--password)(?:=|[ \t]+)"
         + _ARG_VALUE, needs="st2 ", extract=_device_value, remember=True,
         examples=(("$ st2 auth st2admin -p 'Sa7-Qx2Lw9'", "Sa7-Qx2Lw9"),
                   ("st2 login st2admin --password Lg4Zq8-Wx2 -w", "Lg4Zq8-Wx2")),
         negatives=("st2 login st2admin", "st2 auth st2admin -p \"$ST2_PASSWORD\"", "st2 run core.local cmd=date")),
    # A pipe table row keyed `token` (StackStorm's `st2 auth`, prettytable-style CLI output): a token-like value.
    Rule("token", r"\|[ \t]*token[ \t]*\|[ \t]*(?P<v>[A-Za-z0-9_.~+/=-]{16,512})[ \t]*\|", needs="| token",
         validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("| user     | st2admin |\n| token    | 5e86a1c2d9f04b7e8a3c6d1f2b9e0a47 |\n",
                    "5e86a1c2d9f04b7e8a3c6d1f2b9e0a47"),),
         negatives=("| token    | <redacted> |", "| token | expires_at |", "| token    | ******************** |")),
    # Chef Habitat's key files as `hab origin key export --type secret`, `hab ring key export` and `cat` print them:
    # `SIG-SEC-1` (origin signing), `SYM-SEC-1` (ring), `BOX-SEC-1` (user and service), the key's name, a blank line,
    # the base64 key.
    Rule("private_key", r"(?:SIG|SYM|BOX)-SEC-1[ \t]*\r?\n[ \t]*[\w.-]{1,128}[ \t]*\r?\n[ \t]*\r?\n[ \t]*"
         r"(?P<v>[A-Za-z0-9+/]{40,}={0,2})(?![A-Za-z0-9+/=])", needs="-SEC-1", remember=True,
         examples=(("SIG-SEC-1\nacme-20240311091502\n\n" + "Qm9Yk2Lp7Wz4" * 7 + "==\n", "Qm9Yk2Lp7Wz4" * 7 + "=="),
                   ("SYM-SEC-1\nprod-ring-20240104120233\n\nU1lNa2V5Ym9keUZvclJpbmdLZXlzMTIzNDU2Nzg5MA==\n",
                    "U1lNa2V5Ym9keUZvclJpbmdLZXlzMTIzNDU2Nzg5MA==")),
         negatives=("SIG-PUB-1\nacme-20240311091502\n\nQm9Yk2Lp7Wz4Qm9Yk2Lp7Wz4Qm9Yk2Lp7Wz4Qm9Yk2Lp7Wz4=\n",
                    "hab origin key export acme --type secret > acme.sig.key")),
    # Rundeck's key storage upload (see `_rundeck_password_body`).
    Rule("password", r"(?:--data-binary|--data-raw|--data|-d)[ \t]+" + _ARG_VALUE, needs="x-rundeck-data-password",
         extract=_rundeck_password_body, remember=True,
         examples=(("curl -X POST -H \"Content-Type: application/x-rundeck-data-password\" --data-binary 'Rk7-Qz2Lw9' "
                    "https://rd:4443/api/41/storage/keys/ops/db.password", "Rk7-Qz2Lw9"),),
         negatives=("curl -H \"Content-Type: application/x-rundeck-data-password\" --data-binary @/tmp/pw.txt "
                    "https://rd:4443/api/41/storage/keys/ops/db.password",
                    "curl -H 'Content-Type: application/json' -d '{\"name\": \"x\"}' https://rd/api/41/projects")),
    # Teleport's one-time user links as `tctl users add` and `tctl users reset` print them:
    # `https://PROXY/web/invite/TOKEN` and `/web/reset/TOKEN` (a user token: 32 hex digits or more).
    Rule("token", r"/web/(?:invite|reset)/(?P<v>[0-9a-f]{32,64})(?![0-9A-Za-z_-])", needs="/web/", remember=True,
         examples=(("https://teleport.example.com:443/web/invite/5c1e8a2d7b344f9ea6c02d8b9e1f4a73",
                    "5c1e8a2d7b344f9ea6c02d8b9e1f4a73"),
                   ("https://tp.example.com/web/reset/0a6f4c2e9d1b47e3a8c53b7e9f2d1c64\n",
                    "0a6f4c2e9d1b47e3a8c53b7e9f2d1c64")),
         negatives=("https://teleport.example.com/web/invite", "https://example.com/web/invite/welcome-page",
                    "https://teleport.example.com/web/reset/<token>")),
    # The rows of Teleport's `tctl tokens ls` table (`Token  Type  Labels  Expiry Time (UTC)`): a join token (32 hex
    # digits) at a row's start, then the roles it grants (`Node`, `Db,App`, `Bot`, …). A named token (`iam-token`)
    # is a resource's name and stays.
    Rule("token", r"(?<![^\n])(?P<v>[0-9a-f]{32})[ \t]+(?:Node|Proxy|Auth|Db|App|Kube|Bot|WindowsDesktop"
         r"|Trusted_cluster|Discovery|Okta|MDM|Instance)(?:,\w{2,20})*[ \t]", needs="Expiry Time", remember=True,
         examples=(("Token                            Type   Labels Expiry Time (UTC)\n"
                    "5c1e8a2d7b344f9ea6c02d8b9e1f4a73 Node          07 Dec 26 10:14 UTC (44m12s)\n",
                    "5c1e8a2d7b344f9ea6c02d8b9e1f4a73"),
                   ("Token Type Labels Expiry Time (UTC)\n0a6f4c2e9d1b47e3a8c53b7e9f2d1c64 Db,App  never\n",
                    "0a6f4c2e9d1b47e3a8c53b7e9f2d1c64")),
         negatives=("Token Type Labels Expiry Time (UTC)\ngithub-actions-iam Bot never\n",
                    "Expiry Time: 2026-12-07\n5c1e8a2d7b344f9ea6c02d8b9e1f4a73 nodes synced\n")),
    # A join token under Teleport's `join_params.token_name` (Helm's `joinParams.tokenName`): with `method: token`
    # the "name" is the secret itself, 32 hex digits as `tctl tokens add` makes it; a chosen name
    # (`token_name: iam-join-token`, for the `iam`/`github` methods) stays.
    Rule("token", r"token(?:_name|Name)[\"']?[ \t]*[:=][ \t]*[\"']?(?P<v>[0-9a-f]{32})(?![0-9A-Za-z_-])",
         needs="token", remember=True,
         examples=(("  join_params:\n    token_name: 5c1e8a2d7b344f9ea6c02d8b9e1f4a73\n    method: token\n",
                    "5c1e8a2d7b344f9ea6c02d8b9e1f4a73"),
                   ("joinParams:\n  tokenName: \"0a6f4c2e9d1b47e3a8c53b7e9f2d1c64\"\n",
                    "0a6f4c2e9d1b47e3a8c53b7e9f2d1c64")),
         negatives=("    token_name: iam-join-token", "token_name: 5c1e8a2d", "tokenName: {{ .Values.token }}")),
    # A labelled line of Conjur's `conjurctl account create` (`API key for admin: KEY`), the words around the colon
    # naming whose key it is.
    Rule("secret", r"API key for [\w@./:-]{1,128}:[ \t]*(?P<v>[A-Za-z0-9]{20,128})(?![\w+/=-])",
         needs="API key for ", validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("Created new account 'myorg'\n"
                    "API key for admin: 2x9rk5h1qbsw3z1vfq8m2nh8d7a3fw6e9ssqz2c2h1ydkd0j3mf\n",
                    "2x9rk5h1qbsw3z1vfq8m2nh8d7a3fw6e9ssqz2c2h1ydkd0j3mf"),),
         negatives=("API key for admin: <redacted>", "Rotate the API key for admin: conjur user rotate-api-key",
                    "API key for admin: ****************************")),
    # CyberArk's Central Credential Provider reply (AIMWebService `GetPassword`): the account's password is the
    # `Content` member of an object that also holds `PasswordChangeInProcess` (JSON, or the dict pyaim prints).
    Rule("password", r"(?P<q>[\"'])Content(?P=q)[ \t]*:[ \t]*(?P=q)(?P<v>(?:(?!(?P=q))[^\r\n\\]|\\.){1,512})(?P=q)"
         r"(?=[^{}]{0,4000}PasswordChangeInProcess)", needs="PasswordChangeInProcess",
         validate=lambda v: not is_placeholder_value(v), remember=True,
         examples=(('{"Content":"Qz7#vLm2-Wx9","PolicyID":"MSSQL","Address":"db01","Safe":"DB-Prod","UserName":"sa",'
                    '"PasswordChangeInProcess":"False"}', "Qz7#vLm2-Wx9"),
                   ("{'Content': 'Hn4$kTq8Lw', 'UserName': 'oracle', 'PasswordChangeInProcess': 'False'}",
                    "Hn4$kTq8Lw")),
         negatives=('{"Content":"Hello","Type":"text"}\n{"PasswordChangeInProcess":"False"}',
                    '{"Content-Type":"application/json","PasswordChangeInProcess":"False"}')),
    # Keeper Secrets Manager's one-time device config as its integrations take it (`KSM_CONFIG=<base64 of a JSON with
    # clientId, privateKey, appKey>`: Keeper Connection Manager, the KSM CLI and GitHub Action).
    Rule("secret", r"KSM_CONFIG[\"']?[ \t]*[:=][ \t]*[\"']?(?P<v>[A-Za-z0-9+/]{40,8192}={0,2})(?![A-Za-z0-9+/=])",
         needs="KSM_CONFIG", remember=True,
         examples=(('      KSM_CONFIG: "ewogICJob3N0bmFtZSI6ICJrZWVwZXJzZWN1cml0eS5jb20iLAogICJjbGllbnRJZCI6ICJR"\n',
                    "ewogICJob3N0bmFtZSI6ICJrZWVwZXJzZWN1cml0eS5jb20iLAogICJjbGllbnRJZCI6ICJR"),),
         negatives=("KSM_CONFIG: ${{ secrets.KSM_CONFIG }}", "KSM_CONFIG=$(cat ksm-config.b64)")),
    # Delinea Secret Server's Python SDK (python-tss-sdk): `PasswordGrantAuthorizer(BASE_URL, USER, PASSWORD)` and
    # `DomainPasswordGrantAuthorizer(BASE_URL, USER, DOMAIN, PASSWORD)`, one argument a line as often.
    Rule("password", r"(?:(?<![A-Za-z])PasswordGrantAuthorizer\(\s{0,40}" + _STR_ARG + r"\s{0,40},\s{0,40}"
         + _STR_ARG + r"\s{0,40},|DomainPasswordGrantAuthorizer\(\s{0,40}" + _STR_ARG + r"\s{0,40},\s{0,40}"
         + _STR_ARG + r"\s{0,40},\s{0,40}" + _STR_ARG + r"\s{0,40},)\s{0,40}(?:" + _QUOTED_ARG + r")\s{0,40}[,)]",
         needs="PasswordGrantAuthorizer", extract=_bundler_credentials, remember=True,
         examples=(('a = PasswordGrantAuthorizer(\n    "https://ss.example.com/SecretServer",\n    "svc_api",\n'
                    '    "Ss7-Qx2Lw9",\n)', "Ss7-Qx2Lw9"),
                   ("a = DomainPasswordGrantAuthorizer('https://ss', 'svc', 'CORP', 'Dm4#kTq8Lw')", "Dm4#kTq8Lw")),
         negatives=('a = PasswordGrantAuthorizer("https://ss.example.com/SecretServer", user, os.getenv("TSS_PW"))',
                    "a = DomainPasswordGrantAuthorizer('https://ss', 'svc', 'CORP', password)")),
    # Deepgram's SDKs take the API key as the sole positional argument of `createClient("<40 hex>")` (JS) with no
    # key word near it; the first argument of other clients' `createClient` is a URL or an options object.
    Rule("secret", r"(?<![\w.])createClient\(\s{0,40}(?P<q>[\"'`])(?P<v>[0-9a-f]{40})(?P=q)\s{0,40}[,)]",
         needs="createClient(", remember=True,
         examples=(('const deepgram = createClient("5d0c6a3e91b24f7a8c2e4b6d9f1a3c5e7b9d2f40");\n',
                    "5d0c6a3e91b24f7a8c2e4b6d9f1a3c5e7b9d2f40"),
                   ("const dg = createClient('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', { global: {} })",
                    "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")),
         negatives=('const supabase = createClient("https://xyz.supabase.co", key)',
                    "const deepgram = createClient(process.env.DEEPGRAM_API_KEY);",
                    'redis.createClient("6379")')),
    # Azure AI Speech SDK: the resource key under `subscription=` (Python `SpeechConfig(subscription=…)`) or as the
    # first argument of `SpeechConfig.FromSubscription("…", "region")` (C#, Java `fromSubscription`): 32 hex digits
    # or the 84-character form of newer resources. Azure subscription ids are UUIDs with dashes and are kept.
    Rule("secret", r"(?:(?<![\w.])subscription[ \t]*=[ \t]*|[Ff]romSubscription\(\s{0,40})(?P<q>[\"'])"
         r"(?P<v>[0-9a-fA-F]{32}|[A-Za-z0-9]{84})(?P=q)", needs="ubscription", remember=True,
         examples=(('speech_config = speechsdk.SpeechConfig(subscription="9f3c2a7e1b8d4c6f0a5e2d9b7c1f4a38",'
                    ' region="westeurope")',
                    "9f3c2a7e1b8d4c6f0a5e2d9b7c1f4a38"),
                   ('var config = SpeechConfig.FromSubscription("0c7e4b2a9d1f36e8b5a7c3d9e2f1a6b4", "eastus");',
                    "0c7e4b2a9d1f36e8b5a7c3d9e2f1a6b4")),
         negatives=('SpeechConfig(subscription=speech_key, region=service_region)',
                    'az account set --subscription="6b1f9c2e-3a4d-4e5f-8a7b-9c0d1e2f3a4b"',
                    'SpeechConfig(subscription=os.environ["SPEECH_KEY"], region="eastus")')),
    # AUTOMATIC1111's web UI flags `--api-auth USER:PASS` and `--gradio-auth USER:PASS[,USER:PASS…]` (in
    # `COMMANDLINE_ARGS` of webui-user.sh/.bat or on the launch line): the password after the first pair's colon.
    # Also `--basic-auth USER:PASS` (hapi-fhir-cli's commands, and other CLIs' option of that name).
    Rule("password", r"--(?:api|gradio|basic)-auth(?:=|[ \t]+)[\"']?[^\s:\"',]{1,128}:(?P<v>[^\s\"',]{1,256})",
         needs="-auth", validate=lambda v: not is_placeholder_value(v), remember=True,
         examples=(('export COMMANDLINE_ARGS="--listen --api --api-auth sdapi:Hq7vLx2pTz9w --xformers"',
                    "Hq7vLx2pTz9w"),
                   ("set COMMANDLINE_ARGS=--gradio-auth artist:Vb4kNm8sQr2j,viewer:Pw6tYc3dLh9x", "Vb4kNm8sQr2j"),
                   ("hapi-fhir-cli upload-terminology -v r4 -t http://fhir:8080/fhir -u http://loinc.org -d Loinc.zip"
                    " --basic-auth loader:Tq7#vLm2Xz9", "Tq7#vLm2Xz9")),
         negatives=("--gradio-auth-path /etc/sd/auth.txt", "--api-auth $SD_API_AUTH",
                    "--gradio-auth user:<password>", "--basic-auth-file /etc/nginx/htpasswd",
                    "hapi-fhir-cli upload-terminology --basic-auth $FHIR_USER:$FHIR_PASS",
                    "http-server ./public --basic-auth true")),
    # MaxMind licence keys in their current format (`<6>_<29>_mmk`: GeoIP.conf's `LicenseKey`, geoipupdate's env, the
    # minFraud and GeoIP2 web-service clients, which take it positionally after the account id). Tried only where
    # `_mmk` is, the key read back from there.
    Rule("provider_token", r"_mmk(?<=(?<![A-Za-z0-9_])(?P<v>[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk))(?![A-Za-z0-9_])",
         needs="_mmk",
         examples=(("with Client(1029384, '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') as client:",
                    "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"),
                   ("LicenseKey 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\n",
                    "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")),
         negatives=("SELECT round(sum(amount_mmk), 2) FROM payments", "currency_short_code_mmk = '01'",
                    "LicenseKey YOUR_LICENSE_KEY_HERE_mmk")),
    # geoipupdate's GeoIP.conf: one setting a line, `LicenseKey VALUE` (older keys are 12 or 16 letters and digits,
    # with no shape of their own); the documented placeholders (`000000000000`, `YOUR_LICENSE_KEY_HERE`) stay.
    Rule("secret", r"(?<![^\n])[ \t]*LicenseKey[ \t]+(?P<v>[A-Za-z0-9_]{10,64})[ \t]*(?=\r?\n|\Z)", needs="LicenseKey",
         validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("AccountID 999999\nLicenseKey 4Zs7TrE9qhQW\nEditionIDs GeoIP2-City\n", "4Zs7TrE9qhQW"),),
         negatives=("AccountID 0\nLicenseKey 000000000000\n", "LicenseKey YOUR_LICENSE_KEY_HERE\n",
                    "LicenseKey is case-sensitive\n")),
    # pyzotero's client takes the library's id, its type and the API key by position:
    # `zotero.Zotero('2290157', 'group', 'KEY')` (names or literals before it; a variable or `os.environ[…]` there
    # stays: only a literal of 16+ letters and digits goes).
    Rule("secret", r"\bZotero[ \t]*\([ \t]*[^,()\r\n]{1,80},[ \t]*[^,()\r\n]{1,40},[ \t]*"
         r"(?:\"(?P<v1>[A-Za-z0-9]{16,64})\"|'(?P<v2>[A-Za-z0-9]{16,64})')[ \t]*[,)]",
         needs="Zotero", validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("zot = zotero.Zotero('2290157', 'group', 'Vq4Lm8Xz2Rb7Tw3Nc9Ky6Hd')", "Vq4Lm8Xz2Rb7Tw3Nc9Ky6Hd"),
                   ('zot = zotero.Zotero(library_id, "user", "P9NiFoyLeZu2bZNvvuQPDWsd", preserve_json_order=True)',
                    "P9NiFoyLeZu2bZNvvuQPDWsd")),
         negatives=("zot = zotero.Zotero(library_id, library_type, api_key)",
                    "zot = zotero.Zotero('2290157', 'group', os.environ['ZOTERO_API_KEY'])",
                    "zot = zotero.Zotero('2290157', 'group', 'ABC')")),
    # FOLIO edge modules' `ephemeral.properties`: `TENANT=USER,PASSWORD` for a tenant listed in `tenants=`.
    Rule("password", r"(?<![^\n])[ \t]*(?P<n>[A-Za-z0-9_]{1,64})[ \t]*=[ \t]*[^\s,=]{1,64},(?P<v>[^\s,]{1,128})"
         r"(?=[ \t]*(?:\r?\n|\Z))",
         needs="tenants", extract=_ephemeral_tenant, remember=True,
         examples=(("secureStore.type=Ephemeral\ntenants=diku\ndiku=edge_rtac,Ed9-Rt4q!x\n", "Ed9-Rt4q!x"),
                   ("tenants=diku,fs09000000\n# tenant=username,password\nfs09000000=edge_patron,Pt7Wq2Lm9Vx\n",
                    "Pt7Wq2Lm9Vx")),
         negatives=("tenants=diku\nlocales=en,de\n", "tenants=diku,college\nsecureStore.type=Ephemeral\n",
                    "diku=edge_rtac,Ed9-Rt4q-x\n")),
    # EZproxy's user.txt local accounts (`USER:PASSWORD`) below a line that names the file.
    Rule("password", r"(?<![^\n])[ \t]*[^\s:#]{1,64}:(?P<v>[^\s:]{1,128})(?::[A-Za-z]+)?(?=[ \t]*(?:\r?\n|\Z))",
         needs="ezproxy/user.txt", extract=_ezproxy_user, remember=True,
         examples=(("$ cat /usr/local/ezproxy/user.txt\n# test accounts\nlibtest:Ez7-Usr!q2\n", "Ez7-Usr!q2"),
                   ("$ sudo cat /opt/ezproxy/user.txt\n::CGI=https://login.example.edu/auth?url=^R\n"
                    "walkin:Wk4Lp9Qz2\n", "Wk4Lp9Qz2")),
         negatives=("$ cat /usr/local/ezproxy/user.txt\n# rdoe:example\n",
                    "vi /usr/local/ezproxy/user.txt\n\n[files]\napp.tar:restored\n"
                    "$ grep -c . /usr/local/ezproxy/user.txt\n$ date\n12:00:01\n")),
    # FusionAuth's client libraries take the API key first, by position, then the server's URL: Python's and
    # TypeScript's `FusionAuthClient('KEY', 'https://…')`, Java's and C#'s `new FusionAuthClient("KEY", "https://…")`
    # (a variable or `os.environ[…]` there stays: only a literal with letters and digits goes).
    Rule("secret", r"FusionAuthClient[ \t]*\([ \t]*"
         r"(?:\"(?P<v1>[A-Za-z0-9_=+/-]{16,128})\"|'(?P<v2>[A-Za-z0-9_=+/-]{16,128})')[ \t]*,",
         needs="FusionAuthClient", validate=lambda v: _mixed(v) and not is_placeholder_value(v),
         remember=True,
         examples=(("client = FusionAuthClient('bf69486b4733a592f1bfce7af580Xk2m', 'http://localhost:9011')",
                    "bf69486b4733a592f1bfce7af580Xk2m"),
                   ('var client = new FusionAuthClient("Tq8Wm2Lk9Pz4Nv7B_x3Rf6Hy", "https://auth.example.com");',
                    "Tq8Wm2Lk9Pz4Nv7B_x3Rf6Hy")),
         negatives=("client = FusionAuthClient(os.environ['FUSIONAUTH_API_KEY'], 'http://localhost:9011')",
                    "const client = new FusionAuthClient(apiKey, fusionAuthURL);",
                    "client = FusionAuthClient('your-api-key-here', 'http://localhost:9011')")),
    # The Firebase CLI's `auth:import --hash-key=KEY` (also `--hash-key KEY`): the project's password-hash signer key
    # (base64; SCRYPT's `base64_signer_key`, an HMAC's key), which with the users' hashes lets them be cracked offline.
    # Its `--salt-separator=Bw==` is a public parameter and stays.
    Rule("secret", r"--hash-key(?:=|[ \t]+)[\"']?(?P<v>[A-Za-z0-9+/_-]{12,512}={0,2})(?![\w+/=-])", needs="--hash-key",
         validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("firebase auth:import users.json --hash-algo=SCRYPT --hash-key=Nz4tQ8sV2bLx9RmWc7KpYd3J/hFgA6eU+iOq"
                    "== --salt-separator=Bw== --rounds=8 --mem-cost=14", "Nz4tQ8sV2bLx9RmWc7KpYd3J/hFgA6eU+iOq=="),
                   ("firebase auth:import a.csv --hash-algo=HMAC_SHA256 --hash-key 'c2VjcmV0LWtleS0xMjM0NTY='",
                    "c2VjcmV0LWtleS0xMjM0NTY=")),
         negatives=("firebase auth:import users.json --hash-algo=SCRYPT --hash-key=$FIREBASE_HASH_KEY --rounds=8",
                    "firebase auth:import users.json --hash-algo=BCRYPT",
                    "--hash-key=<base64-signer-key>")),
    # Veriff's integration API key in its `X-AUTH-CLIENT` header (a UUID, which the generic rules keep unless the name
    # says secret; the header's name says client).
    Rule("secret", r"(?i:x-)AUTH-CLIENT[\"']?[ \t]*[:=][ \t]*[\"']?(?P<v>[0-9A-Za-z][0-9A-Za-z_-]{19,127})(?![\w-])",
         needs="AUTH-CLIENT", validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("  -H 'X-AUTH-CLIENT: 3f9c2a7e-1b8d-4c6f-9a5e-2d9b7c1f4a38' \\\n",
                    "3f9c2a7e-1b8d-4c6f-9a5e-2d9b7c1f4a38"),),
         negatives=("  -H 'X-AUTH-CLIENT: API-KEY' \\\n", "X-AUTH-CLIENT: ${VERIFF_API_KEY}",
                    "X-AUTH-CLIENT: <your-api-public-key>")),
    # An HMAC key written as a literal in the call that makes the MAC: Node's `crypto.createHmac('sha256', 'KEY')`
    # (the second argument) and Python's `hmac.new(b'KEY', …)` (the first): webhook signature checks (Veriff's shared
    # secret key, Onfido's webhook token, Stripe's and GitHub's signing secrets). A random-looking literal only.
    Rule("secret", r"(?<!\w)createHmac\(\s{0,40}(?P<q0>[\"'`])[\w-]{2,20}(?P=q0)\s{0,40},\s{0,40}"
         r"(?P<q>[\"'`])(?P<v>[^\"'`\s\\]{16,256})(?P=q)\s{0,40}\)", needs="createHmac(",
         validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("    .createHmac('sha256', '8ed2b41b-aa43-4aec-819c-42e9a0688bca')\n",
                    "8ed2b41b-aa43-4aec-819c-42e9a0688bca"),
                   ('const sig = crypto.createHmac("sha1", "Hq2Lm9Vx4Zp8Tn3Yb6Jf").update(body).digest("hex");',
                    "Hq2Lm9Vx4Zp8Tn3Yb6Jf")),
         negatives=("crypto.createHmac('sha256', process.env.VERIFF_SHARED_SECRET)",
                    "crypto.createHmac('sha256', secret).update('2f9c1d7e-aa43-4aec-819c-42e9a0688bca')",
                    "crypto.createHmac('sha256', 'webhook-signing-secret')")),
    Rule("secret", r"(?<![\w.])hmac\.new\(\s{0,40}b?(?P<q>[\"'])(?P<v>[^\"'\s\\]{16,256})(?P=q)", needs="hmac.new(",
         validate=lambda v: _mixed(v) and not is_placeholder_value(v), remember=True,
         examples=(("digest = hmac.new(b'Vb4kNm8sQr2jHq7vLx2pTz9w', body, hashlib.sha256).hexdigest()",
                    "Vb4kNm8sQr2jHq7vLx2pTz9w"),),
         negatives=("digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()",
                    "hmac.new(b'your-webhook-secret', body, 'sha256')")),
    # IPQualityScore puts the API key in the URL's path: `…/api/json/<ip|email|phone|url|…>/<32 letters and digits>/…`.
    Rule("secret", r"ipqualityscore\.com/api/(?:json|xml)/[a-z]{2,12}/(?P<v>[A-Za-z0-9]{32})(?![A-Za-z0-9_-])",
         needs="ipqualityscore.com/api/", remember=True,
         examples=(("curl -s 'https://www.ipqualityscore.com/api/json/ip/Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec/8.8.8.8'",
                    "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec"),),
         negatives=("https://www.ipqualityscore.com/api/json/ip/YOUR_API_KEY_HERE/USER_IP_HERE",
                    "https://www.ipqualityscore.com/api/json/ip/{IPQS_API_KEY}/{ip}")),
    # Orthanc's short form of a remote server, `"name" : [ "URL", "USER", "PASSWORD" ]`, in the `OrthancPeers` section
    # and the DICOMweb plugin's `Servers` (its default configuration documents both): the third element, when the
    # first is an http(s) URL and the text names one of these sections.
    *(Rule("password", r"\[\s{0,40}\"https?://[^\"\s]{1,512}\"\s{0,40},\s{0,40}\"[^\"\r\n]{1,128}\"\s{0,40},\s{0,40}"
           r"\"(?P<v>[^\"\r\n]{1,256})\"\s{0,40}\]", needs=section, extract=_bundler_credentials, remember=True,
           examples=((f'"{section}" : {{\n  "peer" : [ "http://10.0.0.7:8042/", "alice", "Al1ce#Peer9" ]\n}}',
                      "Al1ce#Peer9"),),
           negatives=(f'"{section}" : {{ "peer" : [ "http://10.0.0.7:8042/", "alice", "<password>" ] }}',
                      f'"{section}" : {{ "sample" : {{ "Url" : "https://pacs/dicom-web/", "Username" : "alice" }} }}',
                      f'{section}: mirrors ["https://a.example/", "https://b.example/"]'))
      for section in ("OrthancPeers", "DicomWeb")),
    # HL7 v2: MSH-8 (Security) of a message header, `MSH|^~\\&|MSH-3|…|MSH-7|SECURITY|MSH-9…`: the field some
    # interfaces fill with a shared password (HL7 v2.x chapter 2; it is empty in most messages).
    Rule("password", r"(?<![A-Za-z0-9])MSH\|[^|\r\n]{4,6}\|(?:[^|\r\n]{0,256}\|){5}"
         r"(?P<v>(?![A-Z]{3}(?:\^|\|))[^|\r\n]{1,128})\|",  # not MSH-9 (`ORU^R01`) of a header short of a field
         needs="MSH|", extract=_bundler_credentials, remember=True,
         examples=(("MSH|^~\\&|EPIC|MAINHOSP|LABSYS|REFLAB|20240502130741|Sx7!kQ2w|ADT^A08|MSG0041|P|2.5.1\r",
                    "Sx7!kQ2w"),),
         negatives=("MSH|^~\\&|EPIC|MAINHOSP|LABSYS|REFLAB|20240502130741||ADT^A08^ADT_A01|MSG0041|P|2.5.1",
                    "MSH|^~\\&|LAB|||20240101||ORU^R01|1|P|2.3", "MSH|^~\\&|LAB||||20240101||ORU^R01|1|P|2.3")),
    # The Snyk CLI's configstore (`~/.config/configstore/snyk.json`, written by `snyk auth` and `snyk config set
    # api=`): its API token, a UUID, under the key `"api"`, which names no secret on its own (only a UUID is taken).
    Rule("secret", r'"api"[ \t]*:[ \t]*"(?P<v>[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})"', needs='"api"',
         remember=True,
         examples=(('{\n  "api": "5d1f0c7a-9b3e-4c2d-8a6f-1e0b7d9c3a52",\n  "org": "platform"\n}',
                    "5d1f0c7a-9b3e-4c2d-8a6f-1e0b7d9c3a52"),),
         negatives=('{"api": "v2", "org": "platform"}', '"api": "https://api.snyk.io"',
                    '"api": "${SNYK_TOKEN}"')),
    # Sonatype Nexus IQ's CLI (`nexus-iq-cli`, `java -jar nexus-iq-cli-<version>.jar`): `-a USER:PASSWORD`
    # (`--authentication`), on the command's line.
    Rule("password", r"nexus-iq-cli[^\r\n]{0,400}?[ \t](?:-a|--authentication)[ \t]+[\"']?[^\s:\"']{1,64}:"
         r"(?P<v>[^\s\"']{1,256})", needs="nexus-iq-cli", extract=_bundler_credentials, remember=True,
         examples=(("java -jar nexus-iq-cli-1.185.0-01.jar -i app -s https://iq:8070 -a ci:Iq5Pw-kT9 -t build x.war",
                    "Iq5Pw-kT9"),
                   ("nexus-iq-cli --authentication 'admin:N3xIq!q7' -i app target/", "N3xIq!q7")),
         negatives=("java -jar nexus-iq-cli.jar -i app -s https://iq:8070 -a $IQ_USER:$IQ_PASSWORD x.war",
                    "nexus-iq-cli -i app -s https://iq:8070 target/app.war",
                    "nexus-iq-cli -a '${IQ_USER}:${IQ_PASSWORD}' -i app x.war")),
    # A Philips Hue bridge's or a deCONZ (Phoscon) gateway's API key is issued by link-button pairing as the
    # `username` of `POST /api`'s reply, `[{"success":{"username":"KEY"}}]` (with `"clientkey"`, the Entertainment
    # API's PSK, when `generateclientkey` was asked), and is then the path segment after `/api/` of every call
    # (`/api/KEY/lights/3`). Only that reply's `username` (10 to 64 letters, digits and `-`, a digit and a letter among
    # them): elsewhere `username` names an account.
    Rule("secret", r'"success"[ \t]*:[ \t]*\{[ \t]*"username"[ \t]*:[ \t]*"(?P<v>[A-Za-z0-9-]{10,64})"',
         needs='"success"', extract=_letters_and_digits, remember=True,
         examples=(('[{"success":{"username":"Qs6VvRJs7uBLnXfgowKErylck7QP9c0v3jojPlF8","clientkey":"x"}}]',
                    "Qs6VvRJs7uBLnXfgowKErylck7QP9c0v3jojPlF8"),
                   ('[{"success": {"username": "3A9F0C21B7"}}]', "3A9F0C21B7")),
         negatives=('[{"success":{"username":"alice"}}]', '{"success": true, "username": "svc-backup-2024"}',
                    '[{"success":{"username":"ADMINISTRATOR"}}]')),
    Rule("secret", r'"clientkey"[ \t]*:[ \t]*"(?P<v>[0-9A-Fa-f]{32})"', needs='"clientkey"', remember=True,
         examples=(('{"username":"x","clientkey":"BE8069E6D43D77143975A4A12D7786E7"}',
                    "BE8069E6D43D77143975A4A12D7786E7"),),
         negatives=('{"clientkey": "<32 hex digits>"}', '"clientkey": "${HUE_CLIENTKEY}"')),
    Rule("secret", r"/api/(?![0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}/)"
         r"(?P<v>[0-9A-F]{10}|[A-Za-z0-9-]{32,40})/(?:lights|sensors|groups|scenes|schedules|rules|resourcelinks"
         r"|capabilities|config)(?![\w-])", needs="/api/", extract=_letters_and_digits, remember=True,
         examples=(("curl -s http://192.168.1.20/api/Qs6VvRJs7uBLnXfgowKErylck7QP9c0v3jojPlF8/lights/3",
                    "Qs6VvRJs7uBLnXfgowKErylck7QP9c0v3jojPlF8"),
                   ("GET http://192.168.1.30/api/0D7233A684/sensors/12", "0D7233A684")),
         negatives=("GET /api/v1/config", "GET /api/2c8f5a71-6b3e-4d19-9a0c-7e5d2f1b4c38/config",
                    "http://192.168.1.20/api/<username>/lights", "http://bridge/api/newdeveloper/lights",
                    "GET /api/3f2a9c81b7e4/lights/3")),
    # Z-Wave network security keys (16 bytes, 32 hex digits) under the names of their security classes: Z-Wave JS
    # UI's `"securityKeys": {"S2_Unauthenticated": "…", "S2_Authenticated": "…", "S2_AccessControl": "…",
    # "S0_Legacy": "…"}`, its environment's `KEY_S0_Legacy=…`, the zwave-js driver's `S2_…: Buffer.from("…", "hex")`.
    *(Rule("secret", rf"(?<![A-Za-z0-9]){names}[\"']?[ \t]*[:=][ \t]*(?:Buffer\.from\()?[\"']?"
           r"(?P<v>[0-9A-Fa-f]{32})(?![0-9A-Za-z])", needs=literal, remember=True,
           examples=((f'"securityKeys": {{\n  "{first}": "E3A0A6902E7FFBE6E90D8F007BADFCC0",',
                      "E3A0A6902E7FFBE6E90D8F007BADFCC0"),
                     (f"KEY_{first}=65082C635DDCDE17CCF335F02DA1A896", "65082C635DDCDE17CCF335F02DA1A896"),
                     (f'{first}: Buffer.from("61e620a16289489e5870845af0ca9c41", "hex"),',
                      "61e620a16289489e5870845af0ca9c41")),
           negatives=(f'"{first}": ""', f"KEY_{first}=${{ZWAVE_KEY}}", f"{first}: granted"))
      for literal, names, first in (("S0_Legacy", "S0_Legacy", "S0_Legacy"),
                                    ("S2_", "S2_(?:Unauthenticated|Authenticated|AccessControl)",
                                     "S2_AccessControl"))),
    # openHAB API tokens (`openhab:users addApiToken USER NAME SCOPE`, the UI's profile page): `oh.`, the token's
    # name, `.`, and a base64 body without `+/=` (64 random bytes), wherever they stand.
    Rule("token", r"oh\.(?<![\w.]oh\.)[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9]{40,}(?![\w+/=])", needs="oh.",
         extract=_letters_and_digits,
         examples=(("openhab> openhab:users addApiToken admin grafana system\n"
                    "oh.grafana.GbvVd5DQG7GuDIKEJkknNmaw7tTmty7C6SzpMjmBGRawtA55yC0U6oe2L9KIHYOJHdSdzIxU3z",
                    "oh.grafana.GbvVd5DQG7GuDIKEJkknNmaw7tTmty7C6SzpMjmBGRawtA55yC0U6oe2L9KIHYOJHdSdzIxU3z"),),
         negatives=("see https://www.openhab.org/docs/configuration/apitokens.html", "oh.apitoken.<token>",
                    "Token oh.grafana.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")),
    # An HTTP Digest HA1 (MD5 or SHA-256 of `user:realm:password`), which authenticates as the password does: Shelly
    # Gen2's `Shelly.SetAuth` params `"ha1":"…"`, a SIP server's `ha1` column or field.
    Rule("password_hash", r"(?<![\w-])[\"']?ha1[\"']?[ \t]*[:=][ \t]*[\"']?(?P<v>[0-9a-fA-F]{64}|[0-9a-fA-F]{32})"
         r"(?![0-9A-Za-z])", needs="ha1", remember=True,
         examples=(('"params":{"user":"admin","realm":"shellyplus1pm-a8032ab1c2d4",'
                    '"ha1":"b5a8ab964210b8aef40c941d7662cb36f75e07146a71e9f719a2266f2b3b1276"}',
                    "b5a8ab964210b8aef40c941d7662cb36f75e07146a71e9f719a2266f2b3b1276"),
                   ("ha1=4f2d8c1e9a7b3d6f0c5e8a2b1d4f7c9e", "4f2d8c1e9a7b3d6f0c5e8a2b1d4f7c9e")),
         negatives=('"ha1": null', "ha1 = md5(username:realm:password)", '"sha1":"4f2d8c1e9a7b3d6f0c5e8a2b1d4f7c9e"')),
    # OCPP 2.0.1's charging station password (`SecurityCtrlr.BasicAuthPassword`, the HTTP Basic password of security
    # profiles 1 and 2), set by `SetVariables` and read by `GetVariables`: the value stands in `"attributeValue"` of the
    # element whose `"variable"` is named `BasicAuthPassword`, before or after it, within that element (no `},{`).
    Rule("password", r'(?:"attributeValue"[ \t]*:[ \t]*"(?P<v1>[^"\\\r\n]{1,256})"'
         r'(?:(?!\}\s*,\s*\{|"attributeValue")[^\[\]]){0,400}?"name"[ \t]*:[ \t]*"BasicAuthPassword"'
         r'|"name"[ \t]*:[ \t]*"BasicAuthPassword"(?:(?!\}\s*,\s*\{)[^\[\]]){0,400}?'
         r'"attributeValue"[ \t]*:[ \t]*"(?P<v2>[^"\\\r\n]{1,256})")',
         needs="BasicAuthPassword", extract=_bundler_credentials, remember=True,
         examples=(('{"setVariableData": [{"attributeType": "Actual", "attributeValue": "Qv8#tLm2Zx7pRk4W",\n'
                    '  "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}]}',
                    "Qv8#tLm2Zx7pRk4W"),
                   ('[{"component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"},'
                    '"attributeStatus":"Accepted","attributeValue":"c7Hk2Lq9Wx4Tz1Vb"}]', "c7Hk2Lq9Wx4Tz1Vb")),
         negatives=('[{"attributeValue": "2", "component": {"name": "SecurityCtrlr"}, '
                    '"variable": {"name": "SecurityProfile"}}, {"component": {"name": "SecurityCtrlr"}, '
                    '"variable": {"name": "BasicAuthPassword"}, "attributeStatus": "Rejected"}]',
                    '{"attributeValue": "${CS_BASIC_AUTH_PASSWORD}", "variable": {"name": "BasicAuthPassword"}}',
                    "BasicAuthPassword is write-only (OCPP 2.0.1 Part 2, B09)")),
    # Teltonika trackers' SMS commands: with an SMS login and password configured, a command is sent as
    # `LOGIN PASSWORD setparam ID:VALUE;…` (two blanks and no words when none is set); the APN password is parameter
    # 2003 of the FMB family (2001 APN, 2002 APN user), also echoed in the `New value 2003:…` reply.
    Rule("password", r"(?m:^)[ \t]*[A-Za-z0-9._@-]{1,32}[ \t]+(?P<v>[^\s]{1,32})(?<!:)[ \t]+setparam[ \t]",
         needs="setparam", extract=_bundler_credentials, remember=True,
         examples=(("  fleetadm Tq8wZp3v setparam 2004:gps.example.com;2005:5027", "Tq8wZp3v"),),
         negatives=("  setparam 2004:gps.example.com;2005:5027", "Sent SMS: setparam 2004:gps.example.com",
                    "  $SMS_LOGIN $SMS_PASSWORD setparam 2001:iot.example")),
    Rule("password", r"(?<![0-9])2003:(?P<v>[^;\s]{1,64})(?=[;\s]|\Z)", needs="setparam",
         extract=_bundler_credentials, remember=True,
         examples=(("  setparam 2001:iot.example;2002:fleet;2003:Kp7vX2qLz9", "Kp7vX2qLz9"),),
         negatives=("  setparam 2001:iot.example;2002:fleet;2003:", "setparam 2004:gps.example.com;2005:2003")),
    # OpenWeatherMap's API key is a URL's `appid=` (32 hex digits: One Call, Current Weather, Geocoding), and
    # Telegraf's `[[inputs.openweathermap]]` plugin takes it as `app_id = "…"`; elsewhere an app id is public.
    Rule("secret", r"[?&]appid=(?P<v>[0-9a-fA-F]{32})(?![A-Za-z0-9_-])", needs="appid=", remember=True,
         examples=(("curl 'https://api.openweathermap.org/data/3.0/onecall?lat=52.5&lon=13.4&appid="
                    "4f8c2a9e7b1d3f5a6c0e9b8d7a2f4c1e'", "4f8c2a9e7b1d3f5a6c0e9b8d7a2f4c1e"),
                   ("GET /data/2.5/weather?appid=4f8c2a9e7b1d3f5a6c0e9b8d7a2f4c1e&q=Oslo",
                    "4f8c2a9e7b1d3f5a6c0e9b8d7a2f4c1e")),
         negatives=("https://api.openweathermap.org/data/2.5/weather?q=London&appid={API_KEY}",
                    "https://example.com/login?appid=1234567&lang=en", "?appid=wx8f3a1c9e5b7d2f4a")),
    Rule("secret", r"\[\[inputs\.openweathermap\]\][^\[]{0,2000}?\bapp_id[ \t]*=[ \t]*\"(?P<v>[0-9a-fA-F]{32})\"",
         needs="[[inputs.openweathermap]]", remember=True,
         examples=(('[[inputs.openweathermap]]\n  app_id = "4f8c2a9e7b1d3f5a6c0e9b8d7a2f4c1e"\n  city_id = ["2988507"]',
                    "4f8c2a9e7b1d3f5a6c0e9b8d7a2f4c1e"),),
         negatives=('[[inputs.openweathermap]]\n  app_id = "${OWM_APP_ID}"',
                    '[[inputs.openweathermap]]\n  city_id = ["2988507"]\n[[inputs.cpu]]\n  app_id = "x"')),
    # The US Census Bureau's data API takes its key as `&key=<40 hex digits>` in `api.census.gov/data/…` URLs, and
    # tidycensus installs it with `census_api_key("<key>", install = TRUE)` (a positional argument).
    Rule("secret", r"api\.census\.gov/data/[^\s\"'#]{0,1000}?[?&]key=(?P<v>[0-9a-fA-F]{40})(?![A-Za-z0-9_-])",
         needs="api.census.gov/data/", remember=True,
         examples=(("curl 'https://api.census.gov/data/2022/acs/acs5?get=NAME&for=state:*&key="
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c'", "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c"),),
         negatives=("https://api.census.gov/data/2022/acs/acs5?get=NAME&for=state:*&key=YOUR_KEY_GOES_HERE",
                    "https://api.census.gov/data/2022/acs/acs5?get=NAME&for=state:*")),
    Rule("secret", r"census_api_key\([ \t]*(?:key[ \t]*=[ \t]*)?[\"'](?P<v>[0-9a-fA-F]{40})[\"']",
         needs="census_api_key(", remember=True,
         examples=(('census_api_key("9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c", install = TRUE)',
                    "9f2c4e6a8b0d1f3e7a5c9f2c4e6a8b0d1f3e7a5c"),),
         negatives=('census_api_key("111111abc", install = TRUE)', 'census_api_key(Sys.getenv("CENSUS_KEY"))')),
    # The Sysdig agent's dragent.yaml keeps its agent access key under `customerid:` (a UUID, the key Sysdig's
    # installers write), beside `collector:`; elsewhere a customer id is an identifier.
    Rule("secret", r"customerid:(?<=(?<![^\n])customerid:)[ \t]*[\"']?"
         r"(?P<v>[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})[\"']?[ \t]*(?:#[^\r\n]*)?(?=\r?\n|\Z)",
         needs="customerid:", extract=_dragent_access_key, remember=True,
         examples=(("customerid: 5f3c2a1e-8b7d-4c6e-9a0f-1d2e3b4c5a6f\ncollector: ingest-us2.app.sysdig.com\n"
                    "collector_port: 6443\n", "5f3c2a1e-8b7d-4c6e-9a0f-1d2e3b4c5a6f"),
                   ("# /opt/draios/etc/dragent.yaml\ncollector: collector.sysdig.corp.example\nssl: true\n"
                    "customerid: \"0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d\"\n", "0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d")),
         negatives=("customerid: 5f3c2a1e-8b7d-4c6e-9a0f-1d2e3b4c5a6f\nplan: enterprise\n",
                    "order 1182 customerid: 5f3c2a1e-8b7d-4c6e-9a0f-1d2e3b4c5a6f\ncollector: none\n",
                    "customerid: <your access key>\ncollector: ingest-us2.app.sysdig.com\n")),
    # SentinelOne's agent passphrase after `-k` of its agent CLI (`sentinelctl unprotect -k "…"`, `sentinelctl
    # uninstall -k …`, Windows' `SentinelCtl.exe unload -slam -k "…"`): the command makes the one-letter option one.
    *(Rule("password", literal + r"(?:\.exe)?[\"']?[ \t][^\r\n|;&]*?(?<=[ \t])-k[ \t]+" + _ARG_VALUE, needs=literal,
           extract=_agent_passphrase, remember=True,
           examples=((f'sudo {literal} unprotect -k "AMBER RIVER CANDLE ORBIT"', "AMBER RIVER CANDLE ORBIT"),
                     (f"{literal}.exe unload -slam -k Hq2Lm9Vx4Zp8", "Hq2Lm9Vx4Zp8")),
           negatives=(f'{literal} unprotect -k "$S1_PASSPHRASE"', f"{literal} management status",
                      f"{literal} unprotect -k %PASSPHRASE%", f'{literal} uninstall -k "<passphrase>"'))
      for literal in ("sentinelctl", "SentinelCtl")),
    # CrowdStrike's falcon-container-sensor-pull.sh `--get-pull-token` prints the registry pull token (base64 of a
    # Docker config JSON) alone on the next line.
    Rule("token", r"--get-pull-token\b[^\r\n]*\r?\n[ \t]*(?P<v>eyJ[A-Za-z0-9+/]{37,8192}={0,2})(?=[ \t]*(?:\r?\n|\Z))",
         needs="--get-pull-token", remember=True,
         examples=(("$ ./falcon-container-sensor-pull.sh -t falcon-sensor --get-pull-token\n"
                    "eyJhdXRocyI6eyJyZWdpc3RyeS5jcm93ZHN0cmlrZS5jb20iOnsiYXV0aCI6Ik1qUXlZVGcz==\n",
                    "eyJhdXRocyI6eyJyZWdpc3RyeS5jcm93ZHN0cmlrZS5jb20iOnsiYXV0aCI6Ik1qUXlZVGcz=="),),
         negatives=("./falcon-container-sensor-pull.sh --get-pull-token\nError: FALCON_CLIENT_ID is not set\n",
                    "falcon-container-sensor-pull.sh --get-pull-token\n$ kubectl create ns falcon-system\n")),
    # YOURLS' passwordless API: the signature token (10 hex digits, or the 32-hex MD5 of a timestamp and the token for
    # a time-limited call) in a `yourls-api.php?…signature=` URL.
    Rule("secret", r"yourls-api\.php\?(?:[^\s\"'#&]{0,256}&){0,16}?signature=(?P<v>[0-9a-f]{10}(?:[0-9a-f]{22})?)"
         r"(?![\w%-])", needs="yourls-api.php", remember=True,
         examples=(("curl 'https://sho.rt/yourls-api.php?signature=3b9e0c7a2f&action=shorturl&url=https://a.example'",
                    "3b9e0c7a2f"),
                   ("GET /yourls-api.php?timestamp=1796637600&signature=9c2e4a6b8d0f1e3a5c7b9d2f4a6c8e0b&action=stats",
                    "9c2e4a6b8d0f1e3a5c7b9d2f4a6c8e0b")),
         negatives=("https://sho.rt/yourls-api.php?signature=$YOURLS_SIGNATURE&action=shorturl",
                    "https://sho.rt/yourls-api.php?signature=your-secret-token&action=version",
                    "https://sho.rt/yourls-api.php?action=expand&shorturl=abc1234def&format=json")),
    # Shlink's CLI disables (or enables, deletes) an API key given in plain text: `shlink api-key:disable <key>` (a UUID
    # as `api-key:generate` makes them, or a token with letters and digits; not a key's name with `--by-name`).
    Rule("secret", r"api-key:(?:disable|enable|delete)[ \t]+[\"']?(?P<v>" + UUID
         + r"|(?=[A-Za-z_-]*\d)(?=[\d_-]*[A-Za-z])[A-Za-z0-9_-]{20,128})[\"']?(?=[ \t]|\r?\n|\Z)"
         r"(?![^\r\n]*--by-name)", needs="api-key:", remember=True,
         examples=(("docker exec -it shlink shlink api-key:disable 1ae89449-f8d2-4b44-baf7-dd7eb0b05017",
                    "1ae89449-f8d2-4b44-baf7-dd7eb0b05017"),
                   ("bin/cli api-key:disable Kq7vR2xLm9TzW4pN8bYc3dF6", "Kq7vR2xLm9TzW4pN8bYc3dF6")),
         negatives=("shlink api-key:disable ci_pipeline_key_2026_main --by-name",
                    "shlink api-key:disable my_api_key --by-name", "shlink api-key:list --enabled-only",
                    "shlink api-key:disable $SHLINK_OLD_KEY")),
    # One pass for both: it starts at an upper-case letter (an IBAN's country code, a DNI's check letter), which
    # the regex engine skips to in C; a pass per rule starting at digits cost more than all other rules together.
    Rule("iban", r"[A-Z](?:(?<=\d[A-Z])(?<=\d{7}[A-Z])(?![\w\-])|(?<![A-Za-z0-9][A-Z])(?=[A-Z]\d\d)"
         r"(?P<i>[A-Z]\d\d(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?)(?![A-Za-z0-9]))", kind="pii",
         extract=_checksummed_id, starts=(("0A", 1), ("AA0", 0)),  # a digit before the letter, or `[A-Z]\d` after
         examples=(("refund to GB82 WEST 1234 5698 7654 32 now", "GB82 WEST 1234 5698 7654 32"),
                   ("DE89370400440532013000", "DE89370400440532013000"),
                   ("customer DNI 12345678Z verified", "12345678Z"), ("NIE X1234567L", "X1234567L")),
         negatives=("ref GB83 WEST 1234 5698 7654 32", "node RS02 1234 5678 9012 ok", "batch 12345678A",
                    "build 20151018T", "id 1234567890123456Z")),
)
