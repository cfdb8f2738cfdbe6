"""Wiring: settings pick the adapters once per process (cold start); everything heavy is built on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from faultmaven.auth.service import AuthService
from faultmaven.auth.tokens import TokenIssuer
from faultmaven.settings import Settings, get_settings

if TYPE_CHECKING:
    from faultmaven.cases.model import Case


class Container:
    """Holds one instance of each adapter and service for this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def embedded(self) -> bool:
        return self.settings.mode == "embedded"

    @cached_property
    def db(self):
        from faultmaven.adapters.sqlite.db import SqliteDatabase

        return SqliteDatabase(self.settings.data_dir / "faultmaven.db")

    @cached_property
    def users(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.users import SqliteUserRepository

            return SqliteUserRepository(self.db)
        from faultmaven.adapters.dynamo.users import DynamoUserRepository

        return DynamoUserRepository(self.settings)

    @cached_property
    def tokens(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.users import SqliteTokenRepository

            return SqliteTokenRepository(self.db)
        from faultmaven.adapters.dynamo.users import DynamoTokenRepository

        return DynamoTokenRepository(self.settings)

    @cached_property
    def token_issuer(self) -> TokenIssuer:
        from faultmaven.auth.keys import load_signing_key

        s = self.settings
        return TokenIssuer(load_signing_key(s), issuer=s.jwt_issuer, audience=s.jwt_audience,
                           access_ttl=s.access_token_ttl_seconds, refresh_ttl=s.refresh_token_ttl_seconds)

    @cached_property
    def throttle_store(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.users import SqliteThrottleStore

            return SqliteThrottleStore(self.db)
        from faultmaven.adapters.dynamo.throttle import DynamoThrottleStore

        return DynamoThrottleStore(self.settings)

    @cached_property
    def auth(self) -> AuthService:
        from faultmaven.auth.throttle import LoginThrottle

        s = self.settings
        throttle = LoginThrottle(self.throttle_store, account_limit=s.login_max_failures,
                                 client_limit=s.login_client_max_failures, max_delay=s.login_lockout_seconds)
        return AuthService(self.users, self.tokens, lambda: self.token_issuer, throttle,
                           registration=s.effective_registration, invite_ttl_seconds=s.invite_ttl_seconds)

    @cached_property
    def sso(self):
        """The SSO token exchange, when an OIDC provider is configured; else None."""
        s = self.settings
        if not (s.oidc_issuer and s.oidc_client_id):
            return None
        from faultmaven.auth.sso import OidcClient, SsoService

        secret = s.oidc_client_secret.get_secret_value() if s.oidc_client_secret else None
        client = OidcClient(s.oidc_issuer, s.oidc_client_id, secret,
                            f"{s.effective_public_url}/api/v1/auth/sso/callback", s.oidc_scopes)
        return SsoService(client, self.auth)

    @cached_property
    def sessions(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.sessions import SqliteSessionRepository

            return SqliteSessionRepository(self.db)
        from faultmaven.adapters.dynamo.sessions import DynamoSessionRepository

        return DynamoSessionRepository(self.settings)

    @cached_property
    def session_service(self):
        from faultmaven.sessions.service import SessionService

        return SessionService(self.sessions)

    @cached_property
    def cases(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.cases import SqliteCaseRepository

            return SqliteCaseRepository(self.db)
        from faultmaven.adapters.dynamo.cases import DynamoCaseRepository

        return DynamoCaseRepository(self.settings)

    @cached_property
    def case_service(self):
        from faultmaven.cases.service import CaseService
        from faultmaven.integrations.progress import progress_watcher

        return CaseService(self.cases, self.stored_text_redactor,
                           on_change=progress_watcher(lambda: self.notifier, self._shared_with))

    def _shared_with(self, case: Case) -> list[str]:
        """The notification scopes of the teams a case is shared with."""
        from faultmaven.ports.integrations import team_scope

        return [team_scope(share.team_id) for share in self.team_repo.case_shares(case.case_id)]

    @cached_property
    def stored_text_redactor(self):
        """Sanitizes what a case stores (texts typed into it, file analyses) with the case's placeholder map."""
        from faultmaven.copilot.vault import StoredTextRedactor

        return StoredTextRedactor(self.redaction_vault, self.sanitizer)

    @cached_property
    def team_repo(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.teams import SqliteTeamRepository

            return SqliteTeamRepository(self.db)
        from faultmaven.adapters.dynamo.teams import DynamoTeamRepository

        return DynamoTeamRepository(self.settings)

    @cached_property
    def audit_log(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.teams import SqliteAuditLog

            return SqliteAuditLog(self.db)
        from faultmaven.adapters.dynamo.teams import DynamoAuditLog

        return DynamoAuditLog(self.settings)

    @cached_property
    def team_service(self):
        from faultmaven.teams.service import TeamService

        return TeamService(self.team_repo, self.audit_log, self.users, self.cases, single_org=self.embedded,
                           org_name=self.settings.branding_name, invite_ttl_seconds=self.settings.invite_ttl_seconds)

    @cached_property
    def idempotency_store(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.idempotency import SqliteIdempotencyStore

            return SqliteIdempotencyStore(self.db)
        from faultmaven.adapters.dynamo.idempotency import DynamoIdempotencyStore

        return DynamoIdempotencyStore(self.settings)

    @cached_property
    def idempotency(self):
        from faultmaven.idempotency import Idempotency

        return Idempotency(self.idempotency_store)

    @cached_property
    def blobs(self):
        """Uploaded bytes: files under <data_dir>/blobs embedded, the S3 bucket FM_EVIDENCE_BUCKET in the cloud."""
        if self.embedded:
            from faultmaven.adapters.files.blobs import FilesystemBlobStore

            return FilesystemBlobStore(self.settings.data_dir / "blobs")
        from faultmaven.adapters.s3.blobs import S3BlobStore
        from faultmaven.errors import Unavailable

        if not self.settings.evidence_bucket:
            raise Unavailable("FM_EVIDENCE_BUCKET is not set")
        return S3BlobStore(self.settings, self.settings.evidence_bucket)

    @cached_property
    def evidence_files(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.evidence import SqliteEvidenceRepository

            return SqliteEvidenceRepository(self.db)
        from faultmaven.adapters.dynamo.evidence import DynamoEvidenceRepository

        return DynamoEvidenceRepository(self.settings)

    @cached_property
    def evidence(self):
        from faultmaven.evidence.service import EvidenceService

        s = self.settings
        return EvidenceService(self.evidence_files, self.blobs, self.case_service.get,
                               max_file_bytes=s.max_file_bytes, allowed_extensions=s.allowed_extensions,
                               redact=self.stored_text_redactor, max_decompressed_bytes=s.max_decompressed_bytes)

    @cached_property
    def documents(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.documents import SqliteDocumentRepository

            return SqliteDocumentRepository(self.db)
        from faultmaven.adapters.dynamo.documents import DynamoDocumentRepository

        return DynamoDocumentRepository(self.settings)

    @cached_property
    def drafts(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.drafts import SqliteDraftRepository

            return SqliteDraftRepository(self.db)
        from faultmaven.adapters.dynamo.drafts import DynamoDraftRepository

        return DynamoDraftRepository(self.settings)

    @cached_property
    def memory(self):
        """Institutional memory: drafts from resolved cases, their review, and the past incidents they become."""
        from faultmaven.memory.drafts import DraftService

        return DraftService(self.drafts, self.case_service, self.evidence, lambda: self.knowledge, self.sanitizer,
                            readers=self.team_service.reader)

    @cached_property
    def embedder(self):
        s = self.settings
        if s.embedder == "bedrock":
            from faultmaven.knowledge.bedrock_embedder import BedrockEmbedder

            return BedrockEmbedder(s.bedrock_embedding_model_id, dimensions=s.bedrock_embedding_dimensions,
                                   region=s.aws_region, endpoint_url=s.aws_endpoint_url)
        from faultmaven.knowledge.onnx_embedder import OnnxMiniLmEmbedder

        # The int8 rewrite is built on first use, which needs the onnx package: the Lambda layer runs the graph as
        # shipped (scripts/build_layers.py leaves onnx out).
        return OnnxMiniLmEmbedder(quantized=self.embedded)

    @cached_property
    def vector_index(self):
        """Embedded: SQLite (FTS5 + in-memory vectors); FM_VECTOR_INDEX=s3vectors: S3 Vectors; else OpenSearch."""
        if self.embedded and self.settings.vector_index == "sqlite":
            from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex

            return SqliteVectorIndex(self.db, self.embedder.space)
        if self.settings.vector_index == "s3vectors":
            from faultmaven.adapters.s3vectors.vector_index import index_from_settings

            return index_from_settings(self.settings, self.embedder.space)
        from faultmaven.adapters.opensearch.vector_index import OpenSearchVectorIndex, client_from_settings

        s = self.settings
        serverless = s.opensearch_auth == "sigv4" and s.opensearch_sigv4_service == "aoss"  # refreshes by itself
        return OpenSearchVectorIndex(client_from_settings(s), s.opensearch_index, self.embedder.space,
                                     refresh=not serverless)

    @cached_property
    def ingestion(self):
        """Runs ingestion: a background thread embedded, the S3 event's ingest function in the cloud."""
        from faultmaven.knowledge.ingestion import BackgroundIngestion, S3EventIngestion

        if not self.embedded:
            return S3EventIngestion(self.blobs)
        runner = BackgroundIngestion(self.ingestor)
        for document_id in self.documents.pending_ids():  # resume what a previous run left pending
            runner.after_upload(document_id)
        return runner

    @cached_property
    def ingestor(self):
        from faultmaven.knowledge.ingestion import Ingestor

        return Ingestor(self.documents, self.blobs, self.embedder, self.vector_index)

    @cached_property
    def reindexer(self):
        """Moves the embedded index to the configured embedding model (`kb reindex`, the admin route)."""
        from faultmaven.knowledge.reindex import Reindexer

        return Reindexer(self.vector_index, self.embedder)

    @cached_property
    def knowledge(self):
        from faultmaven.knowledge.documents import KnowledgeService

        return KnowledgeService(self.documents, self.blobs, self.vector_index, self.embedder, self.ingestion,
                                max_file_bytes=self.settings.max_file_bytes,
                                pending_timeout_seconds=self.settings.kb_ingest_timeout_seconds)

    @cached_property
    def sanitizer(self):
        from faultmaven.sanitize import Sanitizer

        return Sanitizer.from_settings(self.settings)

    @cached_property
    def llm(self):
        """The configured model (with its fallbacks), or None: the copilot then answers from its rules."""
        from faultmaven.llm.factory import build_llm

        return build_llm(self.settings, sanitizer=self.sanitizer)

    @cached_property
    def redaction_vault(self):
        from faultmaven.copilot.vault import RedactionVault

        return RedactionVault(self.blobs, self.settings)

    @cached_property
    def turns(self):
        from faultmaven.copilot.turns import TurnService

        s = self.settings
        return TurnService(self.case_service, self.evidence, lambda: self.knowledge, self.sanitizer,
                           self.redaction_vault, self.llm, readers=self.team_service.reader,
                           lease_seconds=s.turn_lease_seconds,
                           wait_seconds=s.turn_wait_seconds, max_output_tokens=s.llm_max_output_tokens)

    @cached_property
    def job_store(self):
        """Where turn jobs are recorded (embedded: SQLite; cloud: DynamoDB)."""
        if self.embedded:
            from faultmaven.adapters.sqlite.jobs import SqliteJobStore

            return SqliteJobStore(self.db)
        from faultmaven.adapters.dynamo.jobs import DynamoJobStore

        return DynamoJobStore(self.settings)

    @cached_property
    def turn_jobs(self):
        """Runs turn jobs: this process's thread pool embedded; the SQS queue and its worker function in the cloud."""
        if self.embedded:
            from faultmaven.copilot.jobs import TurnJobs

            return TurnJobs(self.job_store)
        from faultmaven.adapters.sqs.queue import SqsQueue
        from faultmaven.copilot.queued_turns import QueuedTurns

        s = self.settings
        queue = SqsQueue(s, s.turn_queue_url, "FM_TURN_QUEUE_URL")
        return QueuedTurns(self.job_store, self.blobs, queue.send, s.turn_job_expiry_seconds)

    @cached_property
    def integration_store(self):
        if self.embedded:
            from faultmaven.adapters.sqlite.integrations import SqliteIntegrationStore

            return SqliteIntegrationStore(self.db)
        from faultmaven.adapters.dynamo.integrations import DynamoIntegrationStore

        return DynamoIntegrationStore(self.settings)

    @cached_property
    def integrations(self):
        from faultmaven.integrations.registry import IntegrationRegistry

        return IntegrationRegistry(self.integration_store, self.users)

    @cached_property
    def webhook_rate_limit(self):
        from faultmaven.integrations.rate import WebhookRateLimit

        return WebhookRateLimit(self.throttle_store, limit=self.settings.webhook_rate_limit_per_minute)

    @cached_property
    def deliverer(self):
        from faultmaven.integrations.delivery import Deliverer

        return Deliverer(self.integration_store, self.settings)

    @cached_property
    def notifier(self):
        """Notifications out: delivered by a thread pool embedded, queued on SQS in the cloud."""
        from faultmaven.integrations.notifier import Notifier, sqs_dispatch, thread_dispatch

        s = self.settings
        dispatch = sqs_dispatch(s) if s.notify_queue_url else thread_dispatch(self.deliverer)
        return Notifier(self.integration_store, self.sanitizer, s.effective_dashboard_url, dispatch)

    @cached_property
    def alert_intake(self):
        from faultmaven.copilot.case_knowledge import CaseKnowledge
        from faultmaven.integrations.intake import AlertIntake

        return AlertIntake(self.integration_store, self.users, self.case_service, self.evidence,
                           CaseKnowledge(lambda: self.knowledge, self.sanitizer), self.redaction_vault,
                           self.sanitizer, self.notifier, readers=self.team_service.reader)

    def login_session(self, user_id: str, requested: str | None) -> str:
        """The session id a sign-in is bound to (carried in the access token as `sid`): the requested session when
        it is a live one of this user, else a new stored session."""
        return self.session_service.for_login(user_id, requested)

    def health_checks(self) -> dict[str, Callable[[], object]]:
        """Name → a cheap probe of each dependency this process uses."""
        checks: dict[str, Callable[[], object]] = {"users": lambda: self.users.get("health-probe")}
        if self.embedded:
            checks["database"] = lambda: self.db.query_one("SELECT 1")
        return checks


_container: Container | None = None


def get_container() -> Container:
    global _container
    if _container is None:
        _container = Container(get_settings())
    return _container


def set_container(container: Container | None) -> None:
    """Install a container (tests, the embedded server with CLI flags); None resets to the environment's."""
    global _container
    _container = container
