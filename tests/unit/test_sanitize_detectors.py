"""Each detector: values it must redact, and near-misses that must come through unchanged."""

from __future__ import annotations

import random
import string

import pytest

from faultmaven.sanitize import Sanitizer

_RNG = random.Random(5)
ALNUM = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


@pytest.fixture(scope="module")
def sanitizer() -> Sanitizer:
    return Sanitizer()


SECRETS = [
    ("aws_access_key", "AKIA" + rand(16, string.ascii_uppercase + string.digits), "key id {} used"),
    ("aws_secret_key", rand(40, ALNUM + "/+"), "aws_secret_access_key = {}"),
    ("github_token", "ghp_" + rand(36), "git clone https://{}@github.com/org/repo"),
    ("github_token", "github_pat_" + rand(22) + "_" + rand(59), "GITHUB_TOKEN={}"),
    ("gitlab_token", "glpat-" + rand(20), "PRIVATE-TOKEN {} rejected"),
    ("slack_token", "xoxb-" + rand(12, string.digits) + "-" + rand(24), "slack client init {}"),
    ("slack_webhook", "https://hooks.slack.com/services/T0" + rand(8) + "/B0" + rand(8) + "/" + rand(24),
     "posting alert to {}"),
    ("stripe_key", "sk_live_" + rand(24), "stripe.api_key={}"),
    ("google_api_key", "AIza" + rand(35, ALNUM + "_-"), "maps request key {} quota exceeded"),
    ("openai_key", "sk-proj-" + rand(48, ALNUM + "_-"), "using key {}"),
    ("anthropic_key", "sk-ant-api03-" + rand(93, ALNUM + "_-"), "x-api-key: {}"),
    ("npm_token", "npm_" + rand(36), "//registry.npmjs.org/:_authToken={}"),
    ("pypi_token", "pypi-AgEIcHlwaS5vcmc" + rand(60, ALNUM + "_-"), "twine upload -p {}"),
    ("huggingface_token", "hf_" + rand(34, string.ascii_letters), "HF token {} loaded"),
    ("sendgrid_key", "SG." + rand(22) + "." + rand(43), "mailer key {} invalid"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + rand(43, ALNUM + "_-"), "token {} expired"),
    ("token", rand(40, ALNUM + "._-"), "curl -H 'Authorization: Bearer {}' https://api"),
    ("password", "S3cr3t!pass", "DATABASE_URL=postgres://app:{}@db.internal:5432/app"),
    ("password", "Winter2024#", "redis://:{}@cache.internal:6379/0"),
    ("password", "hunter22", "db.password = {}"),
    ("password", "S3cr3t-Pa55", "<settings><password>{}</password></settings>"),
    ("password", "Pa55;word", 'Server=sql1;Database=app;User Id=sa;Password="{}";'),
    ("secret", rand(32), "client_secret: {}"),
    ("secret", rand(40, ALNUM + "+/"), "signature_seed={}"),
    # a password's digest under a key that names both: a password is guessed back from it
    ("password_hash", rand(64, "0123456789abcdef"), '"passwordHash": "{}"'),
    ("password_hash", rand(32, "0123456789abcdef"), "password_md5={}"),
]


@pytest.mark.parametrize(("label", "value", "template"), SECRETS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SECRETS)])
def test_secret_is_redacted(sanitizer: Sanitizer, label: str, value: str, template: str) -> None:
    result = sanitizer.sanitize(template.format(value))
    assert value not in result.text
    assert "{{REDACTED:" + label + "}}" in result.text
    assert result.summary.get(label) == 1


def test_private_key_block_keeps_line_count(sanitizer: Sanitizer) -> None:
    body = "\n".join(rand(64, ALNUM + "+/") for _ in range(4))
    text = f"key:\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\nnext line\n"
    result = sanitizer.sanitize(text)
    assert "BEGIN RSA" not in result.text and body.splitlines()[0] not in result.text
    assert result.text.count("\n") == text.count("\n")
    assert result.text.endswith("next line\n")
    assert result.summary == {"private_key": 1}


def test_private_key_in_json_string(sanitizer: Sanitizer) -> None:
    text = '{"key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}'
    assert "MIIEvQ" not in sanitizer.sanitize(text).text


def test_block_value_under_password_key(sanitizer: Sanitizer) -> None:
    text = "[db]\nsecrets_for_app =\n    hunter2\n    passw0rd123\nhost = db1\n"
    result = sanitizer.sanitize(text)
    assert "hunter2" not in result.text and "passw0rd123" not in result.text
    assert "host = db1" in result.text


def test_colour_codes_between_key_and_value(sanitizer: Sanitizer) -> None:
    # A highlighted `.env` in a script(1) typescript: the codes stay, the value goes, the other lines are unchanged.
    text = "\x1b[1mDB_PASSWORD\x1b[0m=\x1b[33mGf5kR8nW2qZx\x1b[0m\r\n\x1b[1mLOG_LEVEL\x1b[0m=\x1b[33minfo\x1b[0m\r\n"
    result = sanitizer.sanitize(text)
    assert result.text == text.replace("Gf5kR8nW2qZx", "{{REDACTED:password}}")
    plain = "\x1b[32m[deploy@build ~]$\x1b[39m export PASSWORD_MIN_LENGTH=12\n\x1b[1;34mINFO\x1b[m] policy on\n"
    assert sanitizer.sanitize(plain).text == plain


PII = [
    ("email", "jane.doe+ops@example.co.uk", "login failed for {} from web"),
    ("phone", "+1 415 555 0142", "call back {} please"),
    ("phone", "(415) 555-0142", "customer phone {}"),
    ("phone", "415-555-0142", "sms to {} failed"),
    ("card_number", "4111 1111 1111 1111", "charge declined card={}"),
    ("card_number", "378282246310005", "amex {} refunded"),
    ("ssn", "123-45-6789", "applicant ssn {} verified"),
    ("ip_address", "203.0.114.77", "connection from {} port 22"),
    ("ip_address", "2a00:1450:4001:82a::200e", "resolved to {}"),
]


@pytest.mark.parametrize(("label", "value", "template"), PII, ids=[f"{p[0]}-{i}" for i, p in enumerate(PII)])
def test_personal_data_is_redacted(sanitizer: Sanitizer, label: str, value: str, template: str) -> None:
    result = sanitizer.sanitize(template.format(value))
    assert value not in result.text
    assert result.summary == {label: 1}


NEAR_MISSES = [
    "request_id=3f2b9c1e-8a4d-4c6b-9e2f-1a2b3c4d5e6f status=200",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 merged",
    "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==",
    "integrity=sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC",
    "payload=SGVsbG8sIHRoaXMgaXMgYSBwbGFpbiBtZXNzYWdlIGJvZHk=",
    "trace_id: 4bf92f3577b34da6a3ce929d0e0e4736",
    "nginx version 1.25.3.1 started",
    "2024-03-01T12:00:00.123456Z INFO took 1234 ms",
    "Failed password for invalid user admin from 10.0.0.5 port 2191 ssh2",
    "password: ${DB_PASSWORD}",
    "api_key: <your-api-key>",
    "token_type: bearer",
    "hashed_secret: a2480a72004fc40d124495fd59f5b482034fbadd",
    "token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "blk_-8353423262983821010 added to 10.251.39.209:50010",
    "java.lang.Object@1a2b3c4d at com.example.Foo.bar(Foo.java:42)",
    "src@eadmin1 crond[4308]: (root) CMD (run-parts /etc/cron.hourly)",
    "order 4111111111111112 shipped",  # fails the Luhn check
    "ssn 000-12-3456 is not assigned",
    "epoch 1117838570 node R02-M1-N0-C:J12-U11",
    "netmask 255.255.255.0 gateway 192.168.1.1",
    "mac 00:1a:2b:3c:4d:5e std::vector<int> fe80::1%eth0",
    "entry_points = detect_secrets.main:detect_secrets",
    "PWD=/home/app/releases/20240301",
    "max_tokens: 4096",
]


@pytest.mark.parametrize("line", NEAR_MISSES)
def test_near_miss_survives(sanitizer: Sanitizer, line: str) -> None:
    result = sanitizer.sanitize(line)
    assert result.text == line
    assert result.summary == {}


def test_private_ips_are_configurable() -> None:
    line = "upstream 10.1.2.3:8080 via 192.168.0.10, netmask 255.255.255.0"
    assert Sanitizer().sanitize(line).text == line
    redacted = Sanitizer(redact_private_ips=True).sanitize(line)
    assert "10.1.2.3" not in redacted.text and "192.168.0.10" not in redacted.text
    assert "255.255.255.0" in redacted.text
    assert redacted.summary == {"ip_address": 2}


def test_value_found_by_key_is_redacted_elsewhere(sanitizer: Sanitizer) -> None:
    secret = "vh987tyw9ehy8ghis7vwyhiwbwitefy7w3"
    text = f"foreign_key_id = {secret}\nsecret_value = {secret}\nlog: retried with {secret}\n"
    result = sanitizer.sanitize(text)
    assert secret not in result.text
    assert result.text.count("{{REDACTED:secret}}") == 3


# Every provider prefix that ends at a dash or underscore: the scanner only looks behind the delimiter for the
# prefix's last characters, so a prefix missing from that guard would silently stop being detected.
PREFIXED = [
    *(("gitlab_token", p + "-" + rand(24)) for p in ("gldt", "glrt", "glft", "glpat", "glptt", "glcbt", "glimt",
                                                    "glrtr", "glsoat")),
    *(("slack_token", f"xox{c}-" + rand(12, string.digits) + "-" + rand(20)) for c in "abposre"),
    ("google_oauth", "GOCSPX-" + rand(28)),
    ("pypi_token", "pypi-AgE" + rand(60)),
    ("anthropic_key", "sk-ant-api03-" + rand(40)),
    ("openai_key", "sk-" + rand(40)),
    *(("github_token", p + "_" + rand(36)) for p in ("gho", "ghp", "ghr", "ghs", "ghu")),
    ("stripe_key", "rk_test_" + rand(24)),
    ("stripe_key", "whsec_" + rand(32)),
    ("npm_token", "npm_" + rand(36)),
]


@pytest.mark.parametrize(("label", "value"), PREFIXED, ids=[v[:6] for _, v in PREFIXED])
def test_every_token_prefix_is_detected(sanitizer: Sanitizer, label: str, value: str) -> None:
    result = sanitizer.sanitize(f"deploy failed, credential {value} rejected")
    assert value not in result.text
    assert result.summary == {label: 1}
