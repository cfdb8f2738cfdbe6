"""Deployment options, read from CDK context (`cdk deploy -c stage=prod -c vector_index=s3vectors`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from infra_cdk.catalog import REPO_ROOT

VectorIndex = Literal["opensearch", "s3vectors", "external", "none"]
Embedder = Literal["bedrock", "onnx"]
EMBEDDING_DIMENSIONS = {"bedrock": 1024, "onnx": 384}  # Titan Text Embeddings v2; all-MiniLM-L6-v2


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class StackConfig:
    stage: Literal["dev", "prod"] = "dev"
    # The vector index behind the knowledge base: OpenSearch Serverless (default; ~$175/month idle floor),
    # Amazon S3 Vectors (no idle cost), an OpenSearch you run yourself at `opensearch_url` (external: the self-host
    # compose profiles' container), or none (emulators reject OpenSearch Serverless resources).
    vector_index: VectorIndex = "opensearch"
    opensearch_url: str | None = None
    s3vectors_endpoint_url: str | None = None  # with s3vectors: an S3 Vectors API elsewhere (the e2e's stand-in)
    # Who embeds knowledge chunks and queries: Bedrock (Titan v2), or the ONNX MiniLM model in the functions, from its
    # own layer (build/.../embedder): no Bedrock needed (emulators, self-hosting, small installs).
    embedder: Embedder = "bedrock"
    # Trust an external OIDC issuer (e.g. a Cognito user pool) at the edge instead of our own tokens (SSO).
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    # Built by scripts/build_layers.py: deps/python/..., core/python/faultmaven/..., functions/functions/...
    build_dir: Path = REPO_ROOT / "build" / "lambda"
    # Generate the keys (JWT signing, redaction vault) at deploy time with a custom resource; off = put them yourself.
    generate_keys: bool = True
    throttle_rate: int = 50  # requests per second, steady state, for the whole API
    throttle_burst: int = 100
    cors_origins: tuple[str, ...] = ()  # extra web origins (the dashboard); extension origins are always allowed
    alarm_email: str | None = None
    # The copilot's LLM: "none" runs the doctrine engine offline; "bedrock" uses Bedrock Converse with the role's IAM.
    llm_provider: str = "none"
    llm_model: str | None = None
    # The dashboard's static files in S3 behind CloudFront; off for emulators, which do not emulate CloudFront.
    dashboard: bool = True
    # Who may sign up (FM_REGISTRATION): closed by default in the cloud; `-c registration=invite` or `open` changes
    # it. The first admin is made with `faultmaven admin create` against the tables (SECURITY.md).
    registration: Literal["open", "invite", "closed"] = "closed"
    # MiniStack/LocalStack: the endpoint the functions use for AWS APIs (the emulator's, as seen by the functions).
    aws_endpoint_url: str | None = None

    @property
    def embedding_dimensions(self) -> int:
        return EMBEDDING_DIMENSIONS[self.embedder]

    @property
    def prod(self) -> bool:
        return self.stage == "prod"

    @classmethod
    def from_context(cls, get: Any) -> StackConfig:
        """`get` is `app.node.try_get_context`."""
        stage = get("stage") or "dev"
        if stage not in ("dev", "prod"):
            raise ValueError(f"context stage must be dev or prod, not {stage!r}")
        vector_index = get("vector_index") or "opensearch"
        if vector_index not in ("opensearch", "s3vectors", "external", "none"):
            raise ValueError("context vector_index must be opensearch, s3vectors, external or none, "
                             f"not {vector_index!r}")
        if vector_index == "external" and not get("opensearch_url"):
            raise ValueError("context vector_index=external needs opensearch_url (e.g. http://opensearch:9200)")
        embedder = get("embedder") or "bedrock"
        if embedder not in EMBEDDING_DIMENSIONS:
            raise ValueError(f"context embedder must be bedrock or onnx, not {embedder!r}")
        origins = get("cors_origins") or ()
        if isinstance(origins, str):
            origins = [o.strip() for o in origins.split(",") if o.strip()]
        oidc_issuer = get("oidc_issuer") or None
        if oidc_issuer and not get("oidc_audience"):
            raise ValueError("context oidc_issuer needs oidc_audience (the app client id) too")
        registration = get("registration") or "closed"
        if registration not in ("open", "invite", "closed"):
            raise ValueError(f"context registration must be open, invite or closed, not {registration!r}")
        build_dir = Path(get("build_dir") or cls.build_dir)
        generate = get("generate_keys")
        dashboard = get("dashboard")
        return cls(stage=stage, vector_index=vector_index, opensearch_url=get("opensearch_url") or None,
                   embedder=embedder, s3vectors_endpoint_url=get("s3vectors_endpoint_url") or None,
                   oidc_issuer=oidc_issuer,
                   oidc_audience=get("oidc_audience") or None,
                   build_dir=build_dir if build_dir.is_absolute() else REPO_ROOT / build_dir,
                   generate_keys=True if generate is None else _flag(generate),
                   dashboard=True if dashboard is None else _flag(dashboard),
                   throttle_rate=int(get("throttle_rate") or cls.throttle_rate),
                   throttle_burst=int(get("throttle_burst") or cls.throttle_burst),
                   cors_origins=tuple(origins), alarm_email=get("alarm_email") or None,
                   llm_provider=get("llm_provider") or "none", llm_model=get("llm_model") or None,
                   aws_endpoint_url=get("aws_endpoint_url") or None, registration=registration)
