"""What the stack deploys, as data: the runtime, the tables, and each function's routes and permissions.

The tables mirror the PynamoDB models in `faultmaven.adapters.dynamo` (tests/infra checks they agree); a function is
deployed only once `functions/<name>/handler.py` exists, so the stack grows as the functions land.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

REPO_ROOT = Path(__file__).resolve().parent.parent

# The newest Lambda Python runtime whose bytecode we can precompile here (the layers are compiled for it).
PYTHON_VERSION = "3.13"
ARCHITECTURE = "arm64"


@dataclass(frozen=True)
class Index:
    """Key attributes are `name` (string) or `name:N` (number)."""

    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One DynamoDB table; `aggregate` is what `Settings.table_name()` appends to the prefix."""

    aggregate: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()  # global secondary indexes
    local_indexes: tuple[Index, ...] = ()  # local secondary indexes (same partition key as the table)
    ttl_attribute: str | None = None


TABLES: tuple[TableSpec, ...] = (
    TableSpec("users", "pk"),
    TableSpec("tokens", "token_id",
              indexes=(Index("family_id-index", "family_id"), Index("user_id-index", "user_id")),
              ttl_attribute="expires_at"),
    TableSpec("sessions", "user_id", "session_id", ttl_attribute="expires_at"),
    TableSpec("cases", "user_id", "sk", local_indexes=(Index("updated_at-index", "user_id", "updated_at"),),
              ttl_attribute="expires_at"),
    TableSpec("case-messages", "case_key", "sk"),
    TableSpec("evidence", "pk", "sk"),
    TableSpec("documents", "document_id",
              indexes=(Index("owner_id-index", "owner_id", "created_at"),
                       Index("shared_key-index", "shared_key", "created_at"),
                       Index("owner_sha-index", "owner_sha", "created_at"))),
    TableSpec("idempotency", "record_id", ttl_attribute="expires_at"),
    TableSpec("knowledge-drafts", "owner_id", "draft_id"),
    TableSpec("jobs", "job_id", ttl_attribute="expires_at"),
    TableSpec("integrations", "pk", "sk"),
    TableSpec("teams", "pk", "sk", indexes=(Index("gsi1-index", "gsi1pk", "gsi1sk"),)),
    TableSpec("audit", "pk", "sk", indexes=(Index("org_id-index", "org_id", "sk"),)),
)


@dataclass(frozen=True)
class Route:
    path: str
    public: bool = False  # public routes skip the JWT authorizer (the function still checks what it must)
    methods: tuple[str, ...] = ("ANY",)


Access = Literal["read", "write"]
# The JWT key a function reads: the private key signs (auth only), the public key verifies bearer tokens.
JwtKey = Literal["private", "public"]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    routes: tuple[Route, ...]
    tables: dict[str, Access] = field(default_factory=dict)
    bucket: Access | None = None
    vectors: bool = False
    jwt_key: JwtKey | None = "public"
    redaction_key: bool = False  # reads the key that seals each case's map of redacted values
    llm: bool = False
    memory_mb: int = 512
    timeout_s: int = 15
    module: str = ""  # the handler module under functions/, when it is not functions/<name>/handler.py

    @property
    def handler_module(self) -> str:
        return self.module or f"functions.{self.name}.handler"

    @property
    def handler(self) -> str:
        return f"{self.handler_module}.handler"

    @property
    def present(self) -> bool:
        return (REPO_ROOT / (self.handler_module.replace(".", "/") + ".py")).is_file()


def _prefix(path: str, public: bool = False) -> tuple[Route, ...]:
    """A collection and everything under it."""
    return Route(path, public), Route(f"{path}/{{proxy+}}", public)


CASE = "/api/v1/cases/{case_id}"
# Every function that verifies bearer tokens reads the tokens table: a signed-out session's access tokens are refused.
SIGNED_OUT: dict[str, Access] = {"tokens": "read"}
# Every function that reads a case may be reading a case shared with the caller's team, which it records in the
# team's audit trail; the knowledge base reads team memberships (team-scoped documents).
SHARED_CASES: dict[str, Access] = {"teams": "read", "audit": "write"}

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("meta", (Route("/health", True, ("GET",)), Route("/v1/meta/{proxy+}", True),
                          Route("/api/v1/meta/{proxy+}", True)),
                 tables={"users": "read"}, jwt_key=None, memory_mb=256, timeout_s=10),
    # Sign-in routes are public; logout and me carry a bearer token, which the function itself verifies.
    FunctionSpec("auth", (Route("/api/v1/auth/{proxy+}", True), Route("/.well-known/{proxy+}", True, ("GET",))),
                 tables={"users": "write", "tokens": "write", "sessions": "write"}, jwt_key="private",
                 memory_mb=1024),
    FunctionSpec("sessions", _prefix("/api/v1/sessions"), tables={"sessions": "write", **SIGNED_OUT}),
    # Deleting a case removes its evidence files too; X-Session-Id is checked against the sessions table. Cases and
# copilot read the notification settings: a case opened from an alert tells its owner's channels of its progress.
    FunctionSpec("cases", _prefix("/api/v1/cases"),
                 tables={"cases": "write", "case-messages": "write", "idempotency": "write", "sessions": "read",
                         "evidence": "write", "integrations": "read", **SHARED_CASES, **SIGNED_OUT}, bucket="write"),
    FunctionSpec("evidence", (*_prefix(f"{CASE}/uploaded-files"), *_prefix(f"{CASE}/evidence")),
                 tables={"cases": "read", "evidence": "write", **SHARED_CASES, **SIGNED_OUT}, bucket="write",
                 memory_mb=1024,
                 timeout_s=30),
    # Drafting a case's postmortem reads the case and its evidence analyses; approving one indexes it.
    FunctionSpec("knowledge", (*_prefix("/api/v1/knowledge"), *_prefix("/api/v1/documents"),
                               Route("/api/v1/admin/kb/{proxy+}"), Route(f"{CASE}/extract-knowledge")),
                 tables={"documents": "write", "knowledge-drafts": "write", "cases": "read", "case-messages": "read",
                         "evidence": "read", **SHARED_CASES, **SIGNED_OUT}, bucket="write", vectors=True,
                 memory_mb=1024, timeout_s=30),
    # Accepts turns (queued for TURN_WORKER) and waits up to FM_TURN_SYNC_SECONDS for them: API Gateway stops at 30 s.
    # Users: the author's display name on their message of a shared case.
    FunctionSpec("copilot", (*_prefix(f"{CASE}/turns"), *_prefix(f"{CASE}/reports")),
                 tables={"cases": "write", "case-messages": "write", "evidence": "write", "documents": "write",
                         "idempotency": "write", "jobs": "write", "integrations": "read", "users": "read",
                         **SHARED_CASES, **SIGNED_OUT},
                 bucket="write", vectors=True, redaction_key=True, memory_mb=1024, timeout_s=29),
    # Admin export/import of the whole deployment (bounded by FM_BUNDLE_MAX_BYTES; larger data moves with the CLI).
    FunctionSpec("portability", (Route("/api/v1/admin/data/{proxy+}"),),
                 tables={"users": "write", "sessions": "write", "cases": "write", "case-messages": "write",
                         "evidence": "write", "documents": "write", "teams": "write", "audit": "write", **SIGNED_OUT},
                 bucket="write", vectors=True, memory_mb=2048, timeout_s=30),
    # Alert webhooks are public routes: no JWT, the function checks each sender's signature or bearer secret. The
    # admin routes beside them take the authorizer. A new case gets evidence, a sealed placeholder map and a KB
    # search (the webhook-rate counters live in the users table, beside the sign-in throttle's).
    FunctionSpec("integrations", (Route("/api/v1/webhooks/{proxy+}", True, ("POST",)),
                                  *_prefix("/api/v1/admin/integrations"), Route("/api/v1/admin/notifications/{proxy+}"),
                                  Route("/api/v1/admin/dead-letters")),
                 tables={"integrations": "write", "users": "write", "cases": "write", "case-messages": "write",
                         "evidence": "write", "documents": "read", "teams": "read", **SIGNED_OUT}, bucket="write",
                 vectors=True, redaction_key=True, memory_mb=1024, timeout_s=30),
    # Teams, invitations, case shares, hand-offs and the audit trail (users: display names and addresses).
    FunctionSpec("teams", (*_prefix("/api/v1/teams"), *_prefix("/api/v1/invitations"), *_prefix("/api/v1/orgs"),
                           *_prefix(f"{CASE}/team-shares"), Route(f"{CASE}/handoff")),
                 tables={"teams": "write", "audit": "write", "cases": "read", "users": "read", **SIGNED_OUT}),
)

# The S3 event worker that chunks and embeds uploaded knowledge documents (no HTTP routes).
INGEST = FunctionSpec("ingest", (), module="functions.knowledge.ingest_handler", tables={"documents": "write"},
                      bucket="write", vectors=True, jwt_key=None, memory_mb=2048, timeout_s=300)
# The SQS worker that runs queued turns (infra_cdk/constructs/turn_queue.py): the doctrine engine, RAG and the model.
TURN_WORKER = FunctionSpec("turn-worker", (), module="functions.copilot.worker_handler",
                           tables={"cases": "write", "case-messages": "write", "evidence": "write",
                                   "documents": "write", "idempotency": "write", "jobs": "write",
                                   "integrations": "read", "teams": "read"},
                           bucket="write", vectors=True, jwt_key=None, redaction_key=True, llm=True, memory_mb=1024,
                           timeout_s=300)
# The SQS worker that delivers notifications (Slack, PagerDuty) queued by the integrations function.
NOTIFY = FunctionSpec("notify", (), module="functions.integrations.notify_handler", tables={"integrations": "write"},
                      jwt_key=None, memory_mb=256, timeout_s=60)
# Functions without routes, started by events.
WORKERS: tuple[FunctionSpec, ...] = (INGEST, TURN_WORKER, NOTIFY)
KNOWLEDGE_PREFIX = "kb/raw/"  # faultmaven.knowledge.keys.RAW_PREFIX: uploads there trigger the ingest worker


def table(aggregate: str) -> TableSpec:
    for spec in TABLES:
        if spec.aggregate == aggregate:
            return spec
    raise KeyError(f"no table '{aggregate}' in infra_cdk/catalog.py TABLES: add it (mirror its PynamoDB model)")
