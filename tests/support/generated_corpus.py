"""A self-generated corpus of log and config records with planted secrets, personal data and near-misses.

It is a regression check only, never a quality figure: it was written together with the rules it exercises (the same
key words and near-misses), so it shows that the rules still agree with it. The quality figures come from public,
independently labelled data (benchmarks/redaction.py).
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

ALNUM = string.ascii_letters + string.digits


@dataclass
class Record:
    text: str
    planted: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    kind: str = "clean"  # clean | secret | pii | near_miss


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def s(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hexs(self, n: int) -> str:
        return self.s(n, "0123456789abcdef")

    def ts(self) -> str:
        r = self.r
        return f"2024-0{r.randint(1, 9)}-{r.randint(10, 28)}T{r.randint(10, 23)}:{r.randint(10, 59)}:" \
               f"{r.randint(10, 59)}.{r.randint(100, 999)}Z"

    def public_ip(self) -> str:
        while True:
            a = self.r.choice([23, 31, 45, 52, 66, 81, 93, 104, 145, 151, 176, 185, 203, 212])
            ip = f"{a}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"
            if not ip.startswith(("203.0.113.",)):
                return ip

    def private_ip(self) -> str:
        return self.r.choice([f"10.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
                              f"192.168.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
                              f"172.{self.r.randint(16, 31)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"])

    def card(self) -> str:
        prefix, length = self.r.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15),
                                        ("6011", 16)])
        body = prefix + self.s(length - len(prefix) - 1, string.digits)
        total = 0
        for i, ch in enumerate(reversed(body + "0")):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        number = body + str((10 - total % 10) % 10)
        sep = self.r.choice(["", " ", "-"])
        groups = [number[i:i + 4] for i in range(0, 16, 4)] if length == 16 else [number[:4], number[4:10], number[10:]]
        return sep.join(groups)

    def password(self) -> str:
        return self.r.choice([
            lambda: self.r.choice(["Summer", "Winter", "Welcome", "Spring", "Admin"]) + str(self.r.randint(2019, 2026))
            + self.r.choice("!#$%"),
            lambda: self.s(self.r.randint(10, 20), ALNUM + "!#%^*-_"),
            lambda: "P@ss" + self.s(6, string.digits) + "w0rd",
            lambda: self.r.choice(["hunter2", "changeit", "letmein99", "tr0ub4dor&3"]),
        ])()


def secret_records(g: Gen) -> list[Callable[[], Record]]:
    def rec(label: str, value: str, template: str) -> Callable[[], Record]:
        return lambda: Record(template.replace("{v}", value).replace("{ts}", g.ts()), [(label, value)], "secret")

    def pw(template: str) -> Callable[[], Record]:
        return lambda: rec("password", g.password(), template)()

    makers: list[Callable[[], Callable[[], Record]]] = [
        lambda: rec("aws_access_key", "AKIA" + g.s(16, string.ascii_uppercase + string.digits),
                    "{ts} DEBUG botocore.credentials Found credentials in environment: key id {v}"),
        lambda: rec("aws_secret_key", g.s(40, ALNUM + "/+"), "aws_secret_access_key = {v}"),
        lambda: rec("aws_secret_key", g.s(40, ALNUM + "/+"), "export AWS_SECRET_ACCESS_KEY={v}"),
        lambda: rec("github_token", "ghp_" + g.s(36), "{ts} INFO git fetch https://x-access-token:{v}@github.com/o/r"),
        lambda: rec("github_token", "github_pat_" + g.s(22) + "_" + g.s(59), "GH_TOKEN: {v}"),
        lambda: rec("gitlab_token", "glpat-" + g.s(20, ALNUM + "_-"), "curl --header \"PRIVATE-TOKEN: {v}\" https://gl"),
        lambda: rec("slack_token", "xoxb-" + g.s(11, string.digits) + "-" + g.s(13, string.digits) + "-" + g.s(24),
                    "{ts} ERROR slack_sdk: invalid_auth for token {v}"),
        lambda: rec("slack_webhook", "https://hooks.slack.com/services/T" + g.s(8, string.ascii_uppercase)
                    + "/B" + g.s(10, string.ascii_uppercase) + "/" + g.s(24), "alertmanager: webhook_url: {v}"),
        lambda: rec("stripe_key", "sk_live_" + g.s(24), "{ts} WARN payments stripe key {v} restricted"),
        lambda: rec("google_api_key", "AIza" + g.s(35, ALNUM + "_-"), "GET /maps/api/geocode/json?key={v} 403"),
        lambda: rec("openai_key", "sk-proj-" + g.s(64, ALNUM + "_-"), "OPENAI_API_KEY=\"{v}\""),
        lambda: rec("openai_key", "sk-" + g.s(48), "{ts} openai.AuthenticationError: Incorrect API key provided: {v}"),
        lambda: rec("anthropic_key", "sk-ant-api03-" + g.s(93, ALNUM + "_-"), "  anthropic_api_key: {v}"),
        lambda: rec("npm_token", "npm_" + g.s(36), "//registry.npmjs.org/:_authToken={v}"),
        lambda: rec("pypi_token", "pypi-AgEIcHlwaS5vcmc" + g.s(70, ALNUM + "_-"), "password = {v}"),
        lambda: rec("huggingface_token", "hf_" + g.s(34, string.ascii_letters), "HF_TOKEN={v} python train.py"),
        lambda: rec("sendgrid_key", "SG." + g.s(22, ALNUM + "_-") + "." + g.s(43, ALNUM + "_-"),
                    "{ts} mailer: using SendGrid key {v}"),
        lambda: rec("twilio_key", "SK" + g.hexs(32), "twilio api key sid {v} revoked"),
        lambda: rec("jwt", "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI" + g.s(40, ALNUM + "_-") + "."
                    + g.s(86, ALNUM + "_-"), "{ts} WARN jwt verify failed token={v}"),
        lambda: rec("token", g.s(48, ALNUM + "-._~"), "{ts} DEBUG http > Authorization: Bearer {v}"),
        lambda: rec("private_key", "-----BEGIN RSA PRIVATE KEY-----\\n" + g.s(64, ALNUM + "+/") + "\\n"
                    + g.s(64, ALNUM + "+/") + "\\n-----END RSA PRIVATE KEY-----",
                    '{"type": "service_account", "private_key": "{v}\\n"}'),
        lambda: rec("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + g.s(70, ALNUM + "+/") + "\n"
                    + g.s(70, ALNUM + "+/") + "\n-----END OPENSSH PRIVATE KEY-----", "{v}"),
        lambda: pw("postgresql://orders:{v}@db.prod.internal:5432/orders"),
        lambda: pw("{ts} INFO celery broker amqp://worker:{v}@rabbitmq:5672//"),
        lambda: pw("mongodb+srv://admin:{v}@cluster0.x7k2p.mongodb.net/app?retryWrites=true"),
        lambda: pw("redis://:{v}@cache.internal:6379/0"),
        lambda: pw("DB_PASSWORD={v}"),
        lambda: pw("  password: \"{v}\""),
        lambda: pw("spring.datasource.password={v}"),
        lambda: pw('{"user": "svc", "password": "{v}", "host": "db"}'),
        lambda: pw("Server=tcp:sql1.example.net,1433;Database=app;User ID=app;Password={v};Encrypt=True;"),
        lambda: pw("      <password>{v}</password>"),
        lambda: pw("mysql -h db -u root --password={v} app"),
        lambda: rec("secret", g.s(86, ALNUM + "+/") + "==",
                    "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey={v};EndpointSuffix=core.windows.net"),
        lambda: rec("secret", g.s(50, ALNUM), "SECRET_KEY = '{v}'"),
        lambda: rec("secret", g.s(32), "  client_secret: {v}"),
        lambda: rec("secret", base64.b64encode(g.r.randbytes(32)).decode(), "encryption_key: {v}"),
        lambda: rec("secret", g.s(40, ALNUM), "WEBHOOK_SIGNING_SEED={v}"),
        lambda: rec("secret", g.s(44, ALNUM + "+/"), "x-api-key: {v}"),
    ]
    return makers


def pii_records(g: Gen) -> list[Callable[[], Record]]:
    def rec(label: str, value: str, template: str) -> Record:
        return Record(template.replace("{v}", value).replace("{ts}", g.ts()), [(label, value)], "pii")

    first = ["jane", "li.wei", "omar", "sam_k", "maria.garcia", "oncall+pager"]
    domains = ["example.com", "corp.example.org", "mail.example.co.uk", "acme.io"]
    return [
        lambda: rec("email", f"{g.r.choice(first)}{g.r.randint(1, 99)}@{g.r.choice(domains)}",
                    "{ts} WARN auth login failed for user {v}"),
        lambda: rec("email", f"{g.r.choice(first)}@{g.r.choice(domains)}", "notify: to={v} subject=\"disk full\""),
        lambda: rec("phone", f"+1 {g.r.randint(201, 989)} {g.r.randint(201, 989)} {g.r.randint(1000, 9999)}",
                    "{ts} INFO sms sent to {v}"),
        lambda: rec("phone", f"({g.r.randint(201, 989)}) {g.r.randint(201, 989)}-{g.r.randint(1000, 9999)}",
                    "customer callback number: {v}"),
        lambda: rec("phone", f"+44 20 {g.r.randint(7000, 7999)} {g.r.randint(1000, 9999)}", "contact {v} (UK desk)"),
        lambda: rec("card_number", g.card(), "{ts} ERROR billing charge declined card={v} amount=42.00"),
        lambda: rec("ssn", f"{g.r.randint(100, 665)}-{g.r.randint(10, 99)}-{g.r.randint(1000, 9999)}",
                    "applicant ssn {v} failed verification"),
        lambda: rec("ip_address", g.public_ip(), "{ts} sshd[2211]: Failed password for root from {v} port 52214"),
        lambda: rec("ip_address", f"2a0{g.r.randint(0, 9)}:{g.hexs(4)}:{g.hexs(4)}::{g.hexs(3)}",
                    "{ts} nginx: client {v} GET /health 200"),
    ]


def near_miss_records(g: Gen) -> list[Callable[[], Record]]:
    def rec(template: Callable[[], str]) -> Callable[[], Record]:
        return lambda: Record(template(), [], "near_miss")

    def uuid() -> str:
        return f"{g.hexs(8)}-{g.hexs(4)}-4{g.hexs(3)}-a{g.hexs(3)}-{g.hexs(12)}"

    text64 = base64.b64encode
    phrases = [b"hello world, this is a plain message body", b"user clicked the checkout button twice",
               b'{"event":"page_view","path":"/pricing"}']
    return [
        rec(lambda: f"{g.ts()} INFO http GET /api/v1/orders request_id={uuid()} status=200 dur=12ms"),
        rec(lambda: f"{g.ts()} INFO deploy: rolled out commit {g.hexs(40)} to prod"),
        rec(lambda: f"Merge pull request #{g.r.randint(100, 9999)} from org/fix-{g.hexs(7)}"),
        rec(lambda: f"image: registry.example.com/api@sha256:{g.hexs(64)}"),
        rec(lambda: f"{g.ts()} DEBUG cache: etag=\"{g.hexs(32)}\" content-md5={text64(g.r.randbytes(16)).decode()}"),
        rec(lambda: f"payload={text64(g.r.choice(phrases)).decode()}"),
        rec(lambda: f"<script src=\"app.js\" integrity=\"sha384-{text64(g.r.randbytes(48)).decode()}\"></script>"),
        rec(lambda: f"{g.ts()} INFO trace_id={g.hexs(32)} span_id={g.hexs(16)} sampled=true"),
        rec(lambda: f"X-Amzn-Trace-Id: Root=1-{g.hexs(8)}-{g.hexs(24)}"),
        rec(lambda: f"{g.ts()} INFO starting api version {g.r.randint(1, 3)}.{g.r.randint(0, 20)}.{g.r.randint(0, 9)}"
                    f".{g.r.randint(0, 99)} (build {g.hexs(7)})"),
        rec(lambda: f"Kernel 5.15.0-{g.r.randint(10, 99)}-generic, nginx/1.{g.r.randint(18, 27)}.{g.r.randint(0, 5)}"),
        rec(lambda: f"{g.r.randint(1600000000000, 1800000000000)} job=ingest offset={g.r.randint(10**9, 10**12)}"),
        rec(lambda: f"pod api-{g.hexs(10)}-{g.s(5, string.ascii_lowercase + string.digits)} restarted "
                    f"container {g.hexs(64)}"),
        rec(lambda: f"{g.ts()} sshd[1234]: Failed password for invalid user admin from {g.private_ip()} port 2222"),
        rec(lambda: f"{g.ts()} INFO upstream {g.private_ip()}:8080 healthy, netmask 255.255.255.0"),
        rec(lambda: f"arn:aws:lambda:us-east-1:{g.s(12, string.digits)}:function:copilot-{g.hexs(6)}"),
        rec(lambda: "password: ${DB_PASSWORD}"),
        rec(lambda: "api_key: <your-api-key>   # set me"),
        rec(lambda: f"password_min_length: {g.r.randint(8, 16)}"),
        rec(lambda: f"token_expiry_seconds: {g.r.randint(300, 86400)}"),
        rec(lambda: f"{g.ts()} WARN auth: password reset email queued for user id {g.r.randint(1000, 99999)}"),
        rec(lambda: f"hashed_secret: {g.hexs(40)}"),
        rec(lambda: f"java.lang.IllegalStateException at com.example.orders.OrderService.place(OrderService.java:"
                    f"{g.r.randint(10, 999)})"),
        rec(lambda: f"{g.ts()} INFO order {g.r.randint(10**15, 10**16 - 1)} shipped, {g.r.randint(1, 9)} items"),
        rec(lambda: f"session {g.hexs(16)} expired after {g.r.randint(1, 60)}m"),
        rec(lambda: f"checksum={g.hexs(64)} size={g.r.randint(1000, 10**7)}"),
        rec(lambda: f"GET /static/app.{g.hexs(20)}.js 200 {g.r.randint(100, 99999)}b"),
        rec(lambda: f"{g.ts()} INFO Processed {g.r.randint(1, 9999)} records in {g.r.randint(1, 999)}s"),
    ]


def clean_records(g: Gen) -> list[Callable[[], Record]]:
    return [
        lambda: Record(f"{g.ts()} INFO scheduler: queued job {g.r.randint(1, 10**6)} on worker-{g.r.randint(1, 64)}"),
        lambda: Record(f"{g.ts()} WARN db: slow query took {g.r.randint(500, 9000)}ms (threshold 500ms)"),
        lambda: Record("  replicas: 3\n  image: nginx:1.25\n  ports:\n    - containerPort: 8080"),
        lambda: Record(f"{g.ts()} ERROR worker: Traceback (most recent call last): KeyError: 'customer'"),
    ]


def generate_corpus(seed: int, n: int) -> list[Record]:
    g = Gen(seed)
    families = [(secret_records(g), 0.35), (pii_records(g), 0.2), (near_miss_records(g), 0.3), (clean_records(g), 0.15)]
    records: list[Record] = []
    for i in range(n):
        makers = families[0][0] if i < len(families[0][0]) else g.r.choices(
            [f for f, _ in families], weights=[w for _, w in families])[0]
        maker = makers[i] if i < len(families[0][0]) else g.r.choice(makers)
        made = maker()
        records.append(made() if callable(made) else made)
    return records
