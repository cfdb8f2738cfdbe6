"""One typed settings object, read once from the environment at cold start.

Every variable is listed in docs/CONFIGURATION.md; keep the two in step.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ALLOWED_EXTENSIONS = (
    ".log", ".txt", ".json", ".yaml", ".yml", ".csv", ".md", ".conf", ".cfg", ".ini", ".toml", ".xml", ".html",
    ".out", ".err", ".trace", ".py", ".js", ".ts", ".go", ".java", ".sh", ".sql", ".tf", ".pdf", ".png", ".jpg",
    ".jpeg", ".gz", ".zst", ".bz2",  # compressed logs are unpacked on upload (evidence/compression.py)
)


class Settings(BaseSettings):
    """Deployment configuration. `mode` picks the adapters: SQLite + files, or DynamoDB + S3."""

    model_config = SettingsConfigDict(env_prefix="FM_", env_file=None, extra="ignore")

    mode: Literal["embedded", "aws"] = "embedded"
    # "self-hosted" for embedded and LocalStack/MiniStack, "cloud" for a cloud deploy; derived from mode when unset.
    deployment_mode: Literal["self-hosted", "cloud"] | None = None
    data_dir: Path = Path(".fm-data")
    host: str = "127.0.0.1"
    port: int = 8090
    public_url: str | None = None  # how clients reach us; defaults to http://<host>:<port>
    dashboard_url: str | None = None  # defaults to <public_url>/dashboard/

    # CORS: extension origins are matched by scheme; these are the extra allowed web origins.
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"])

    # Auth
    jwt_private_key: SecretStr | None = None  # PEM; else jwt_secret_arn; else (embedded) a key in data_dir
    jwt_secret_arn: str | None = None
    # Verify-only processes (every function but auth, in the cloud): the public key, used when no private key is set.
    jwt_public_key: str | None = None  # PEM (SubjectPublicKeyInfo)
    jwt_public_key_secret_arn: str | None = None
    jwt_issuer: str = "faultmaven"
    jwt_audience: str = "faultmaven-api"
    access_token_ttl_seconds: int = Field(default=900, ge=300, le=86400)
    refresh_token_ttl_seconds: int = Field(default=7 * 86400, ge=3600)
    # Who may sign up: anyone (open), holders of an admin's invitation (invite), nobody (closed). Unset: open on the
    # embedded server (a laptop), closed in the cloud. Admins are made by `faultmaven admin`, never by a username.
    registration: Literal["open", "invite", "closed"] | None = None
    invite_ttl_seconds: int = Field(default=7 * 86400, ge=300, le=90 * 86400)
    # Sign-in throttle (faultmaven.auth.throttle): attempts on one account name, and failures from one client
    # address, before each further try waits 1, 2, 4 ... seconds, up to login_lockout_seconds.
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    login_client_max_failures: int = Field(default=30, ge=1, le=100000)
    login_lockout_seconds: int = Field(default=300, ge=1, le=86400)
    # SSO (docs/DEPLOY.md): an OIDC provider (e.g. Cognito) whose sign-in /api/v1/auth/sso/* trades for our tokens.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None  # our app client at the provider: the audience its ID tokens must name
    oidc_client_secret: SecretStr | None = None  # confidential clients only (PKCE is always used)
    oidc_scopes: str = "openid email profile"

    # AWS resources (mode=aws)
    aws_region: str = "us-east-1"
    aws_endpoint_url: str | None = None  # LocalStack / MiniStack
    table_prefix: str = "faultmaven"
    evidence_bucket: str | None = None

    # Uploads
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    allowed_extensions: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED_EXTENSIONS))
    # A .gz/.zst/.bz2 file may unpack to at most this much (upload and CLI): a decompression bomb stops here.
    max_decompressed_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Export/import bundles through the admin routes: the archive, and what it unpacks to, stop at this size.
    bundle_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)

    # Knowledge base: embeddings and the vector index
    embedder: Literal["onnx-minilm", "bedrock"] = "onnx-minilm"
    bedrock_embedding_model_id: str = "amazon.titan-embed-text-v2:0"
    bedrock_embedding_dimensions: Literal[256, 512, 1024] = 1024
    vector_index: Literal["sqlite", "opensearch", "s3vectors"] = "sqlite"
    s3vectors_bucket: str | None = None  # the Amazon S3 Vectors bucket, when FM_VECTOR_INDEX=s3vectors
    s3vectors_index: str = "faultmaven-chunks"
    s3vectors_endpoint_url: str | None = None  # an S3 Vectors API elsewhere than AWS (emulators lack one)
    opensearch_url: str | None = None  # e.g. https://<id>.<region>.aoss.amazonaws.com or http://localhost:9200
    opensearch_auth: Literal["sigv4", "basic", "none"] = "sigv4"
    opensearch_sigv4_service: Literal["aoss", "es"] = "aoss"  # "aoss" for Serverless, "es" for a managed domain
    opensearch_username: str | None = None
    opensearch_password: SecretStr | None = None
    opensearch_index: str = "faultmaven-chunks"
    # A document still pending this long after its ingestion started is reported failed (a killed run, a timeout).
    kb_ingest_timeout_seconds: int = Field(default=900, ge=60)

    # LLM (docs/LLM.md). "none": the engine runs offline. Keys only from the environment or Secrets Manager.
    llm_provider: Literal["none", "openai", "anthropic", "bedrock"] = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None  # OpenAI-compatible base (e.g. http://localhost:11434/v1); else endpoint override
    llm_api_key: SecretStr | None = None
    llm_api_key_secret_arn: str | None = None
    llm_timeout_seconds: float = Field(default=60.0, gt=0, le=900)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_context_tokens: int = Field(default=8192, ge=1024)
    llm_max_output_tokens: int = Field(default=1200, ge=16, le=8192)  # the longest answer a turn asks a model for
    llm_fallbacks: list[dict[str, str | int]] = Field(default_factory=list)  # JSON list of endpoints, see docs/LLM.md

    # Privacy sanitizer (docs/SANITIZER.md): on by default; allow-list entries are exact values or "re:<regex>".
    sanitize_enabled: bool = True
    sanitize_allowlist: list[str] = Field(default_factory=list)
    sanitize_extra_patterns: dict[str, str] = Field(default_factory=dict)  # label -> regex
    sanitize_redact_private_ips: bool = False
    # AES key (base64 of 16, 24 or 32 bytes) sealing each case's placeholder map; embedded: generated in data_dir.
    redaction_key: SecretStr | None = None
    redaction_key_secret_arn: str | None = None
    # A turn still running after this many seconds answers 202 with a Location to poll (API Gateway stops at ~30 s).
    turn_sync_seconds: float = Field(default=20.0, ge=0.0, le=28.0)
    # Cloud: the SQS queue the copilot function sends turns to (its worker function runs them), and the age after
    # which a turn still queued or running is reported interrupted (the queue's retries are spent by then).
    turn_queue_url: str | None = None
    turn_job_expiry_seconds: int = Field(default=3600, ge=60)
    # One turn at a time per case: a second one waits this long for the first, then gets 409 with Retry-After.
    turn_wait_seconds: float = Field(default=10.0, ge=0.0, le=25.0)
    # The longest a turn may hold its case; a turn that dies holding it frees the case after this.
    turn_lease_seconds: float = Field(default=300.0, ge=5.0, le=3600.0)

    # Integrations (docs/INTEGRATIONS.md): alert webhooks in, notifications out.
    webhook_rate_limit_per_minute: int = Field(default=120, ge=1, le=100000)  # per integration
    notify_allowed_hosts: list[str] = Field(default_factory=lambda: ["hooks.slack.com", "slack.com",
                                                                     "api.pagerduty.com"])
    notify_allow_loopback: bool = False  # tests only: lets notifications reach a receiver on 127.0.0.1 over http
    notify_max_attempts: int = Field(default=4, ge=1, le=10)
    notify_backoff_seconds: float = Field(default=1.0, ge=0.0, le=300.0)  # then doubled before each further try
    notify_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    notify_queue_url: str | None = None  # cloud: the SQS queue the notify function consumes
    slack_api_url: str = "https://slack.com/api"
    pagerduty_api_url: str = "https://api.pagerduty.com"

    branding_name: str = "FaultMaven"
    support_url: str = "https://github.com/FaultMaven"
    log_level: str = "INFO"

    @property
    def effective_deployment_mode(self) -> str:
        if self.deployment_mode:
            return self.deployment_mode
        return "cloud" if self.mode == "aws" and not self.aws_endpoint_url else "self-hosted"

    @property
    def effective_registration(self) -> Literal["open", "invite", "closed"]:
        return self.registration or ("open" if self.mode == "embedded" else "closed")

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def effective_dashboard_url(self) -> str:
        return self.dashboard_url or f"{self.effective_public_url}/dashboard/"

    def table_name(self, aggregate: str) -> str:
        return f"{self.table_prefix}-{aggregate}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
