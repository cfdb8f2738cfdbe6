"""The FaultMaven stack: data stores, the signing key, the layers, one Lambda per function, the HTTP API, alarms."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra_cdk.catalog import (
    ARCHITECTURE,
    FUNCTIONS,
    INGEST,
    KNOWLEDGE_PREFIX,
    NOTIFY,
    PYTHON_VERSION,
    TURN_WORKER,
    FunctionSpec,
)
from infra_cdk.config import StackConfig
from infra_cdk.constructs.alarms import Alarms
from infra_cdk.constructs.api import AUDIENCE, HttpApi
from infra_cdk.constructs.dashboard import DashboardHosting
from infra_cdk.constructs.data import DataStores
from infra_cdk.constructs.keys import Keys
from infra_cdk.constructs.notifications import Notifications
from infra_cdk.constructs.turn_queue import TurnQueue
from infra_cdk.constructs.vectors import (
    ExternalOpenSearch,
    ExternalS3Vectors,
    OpenSearchCollection,
    S3VectorIndex,
    VectorIndex,
)

RUNTIME = lambda_.Runtime(f"python{PYTHON_VERSION}", lambda_.RuntimeFamily.PYTHON)
ARCH = lambda_.Architecture.ARM_64 if ARCHITECTURE == "arm64" else lambda_.Architecture.X86_64
BUILD_HINT = "build it first: python scripts/build_layers.py (see docs/DEPLOY.md)"


def _asset(path: Path) -> lambda_.Code:
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is missing; {BUILD_HINT}")
    return lambda_.Code.from_asset(str(path))


class FaultMavenStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        self.config = config
        self.prefix = f"faultmaven-{config.stage}"
        self.data = DataStores(self, "Data", prefix=self.prefix, config=config)
        self.http = HttpApi(self, "Http", prefix=self.prefix, config=config)
        # Before the functions, whose CORS list names its origin. No cycle: the distribution needs only its bucket,
        # and the files' config.js only the API's endpoint, which does not depend on the routes or the functions.
        self.dashboard = DashboardHosting(self, "Dashboard", config=config, api_url=self.http.url) \
            if config.dashboard else None
        build = config.build_dir
        # Dependencies (FastAPI, Mangum, Powertools, PyJWT, PynamoDB, ...) and the domain core, both precompiled for
        # the runtime: layers are read-only, so bytecode missing there would be recompiled on every cold start.
        self.layers = [
            lambda_.LayerVersion(self, "DepsLayer", code=_asset(build / "deps"), compatible_runtimes=[RUNTIME],
                                 compatible_architectures=[ARCH], description="FaultMaven third-party dependencies"),
            lambda_.LayerVersion(self, "CoreLayer", code=_asset(build / "core"), compatible_runtimes=[RUNTIME],
                                 compatible_architectures=[ARCH], description="FaultMaven domain core (faultmaven)"),
        ]
        self.code = _asset(build / "functions")
        # Only the functions that embed get the ONNX layer (onnxruntime, tokenizers, the model): with the others
        # it would pass Lambda's 250 MB limit (scripts/build_layers.py checks the sum).
        self.embedder_layer = lambda_.LayerVersion(
            self, "EmbedderLayer", code=_asset(build / "embedder"), compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCH], description="FaultMaven ONNX embedder (all-MiniLM-L6-v2 int8)") \
            if config.embedder == "onnx" else None
        self.vectors = self._vector_index()
        self.keys = Keys(self, "Keys", prefix=self.prefix, config=config, runtime=RUNTIME, architecture=ARCH,
                         layers=self.layers, environment=self._base_environment())
        self.alarms = Alarms(self, "Alarms", alarm_email=config.alarm_email)
        self.alarms.watch_api(self.http.api)
        self.functions: dict[str, lambda_.Function] = {}
        for spec in FUNCTIONS:
            if spec.present:
                self.http.add_function_routes(spec, self._function(spec))
        producers = []  # the functions that may move a case on, so queue notifications
        if TURN_WORKER.present and "copilot" in self.functions:
            producers.append(turn_worker := self._function(TURN_WORKER))
            turns = TurnQueue(self, "Turns", prefix=self.prefix, worker=turn_worker,
                              worker_timeout_s=TURN_WORKER.timeout_s, alarms=self.alarms)
            turns.accept_from(self.functions["copilot"])
        if INGEST.present:
            ingest = self._function(INGEST)
            self.data.bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(ingest),
                                                    s3.NotificationKeyFilter(prefix=KNOWLEDGE_PREFIX))
        if NOTIFY.present and "integrations" in self.functions:
            producers += [self.functions[n] for n in ("integrations", "cases", "copilot") if n in self.functions]
            Notifications(self, "Notifications", prefix=self.prefix, alarms=self.alarms,
                          worker_timeout_s=NOTIFY.timeout_s).connect(producers, self._function(NOTIFY))
        if self.vectors is not None:
            self.vectors.finalize()
        CfnOutput(self, "ApiUrl", value=self.http.url, description="Point the extension and the dashboard here")
        if self.dashboard is not None:
            CfnOutput(self, "DashboardUrl", value=self.dashboard.url, description="The dashboard (CloudFront)")
        CfnOutput(self, "EvidenceBucketName", value=self.data.bucket.bucket_name)
        CfnOutput(self, "JwtSecretArn", value=self.keys.jwt.secret_arn)
        CfnOutput(self, "JwtPublicKeySecretArn", value=self.keys.jwt_public.secret_arn)
        CfnOutput(self, "RedactionKeySecretArn", value=self.keys.redaction.secret_arn)
        CfnOutput(self, "TablePrefix", value=self.prefix)
        self._suppress_stack_wide()

    def _vector_index(self) -> VectorIndex | None:
        if self.config.vector_index == "opensearch":
            return OpenSearchCollection(self, "Vectors", prefix=self.prefix)
        if self.config.vector_index == "s3vectors" and self.config.s3vectors_endpoint_url:
            return ExternalS3Vectors(self, "Vectors", prefix=self.prefix, url=self.config.s3vectors_endpoint_url)
        if self.config.vector_index == "s3vectors":
            return S3VectorIndex(self, "Vectors", prefix=self.prefix, dimension=self.config.embedding_dimensions)
        if self.config.vector_index == "external" and self.config.opensearch_url:
            return ExternalOpenSearch(self, "Vectors", url=self.config.opensearch_url)
        return None

    def _base_environment(self) -> dict[str, str]:
        env = {"FM_MODE": "aws", "FM_AWS_REGION": self.region, "FM_TABLE_PREFIX": self.prefix,
               "FM_EVIDENCE_BUCKET": self.data.bucket.bucket_name, "FM_REGISTRATION": self.config.registration}
        if self.config.aws_endpoint_url:
            env["FM_AWS_ENDPOINT_URL"] = self.config.aws_endpoint_url
            # Emulators have no X-Ray, and the X-Ray SDK's PynamoDB hook reads the region from the endpoint's host
            # name (`dynamodb.<region>.amazonaws.com`), so every DynamoDB call fails against `localhost:<port>`.
            env["POWERTOOLS_TRACE_DISABLED"] = "true"
        return env

    def _environment(self, spec: FunctionSpec) -> dict[str, str]:
        env = self._base_environment()
        env.update({"FM_PUBLIC_URL": self.http.url, "FM_JWT_ISSUER": self.http.url, "FM_JWT_AUDIENCE": AUDIENCE,
                    "POWERTOOLS_SERVICE_NAME": spec.name, "POWERTOOLS_LOG_LEVEL": "INFO"})
        origins = list(self.config.cors_origins)
        if self.dashboard is not None:
            origins.append(self.dashboard.origin)
            env["FM_DASHBOARD_URL"] = self.dashboard.url  # the capabilities' dashboardUrl
        if origins:
            env["FM_CORS_ORIGINS"] = self.to_json_string(origins)  # Settings parses lists as JSON
        if spec.jwt_key == "private":
            env["FM_JWT_SECRET_ARN"] = self.keys.jwt.secret_arn
            if self.config.oidc_issuer and self.config.oidc_audience:  # the SSO exchange lives in the auth function
                env.update(FM_OIDC_ISSUER=self.config.oidc_issuer, FM_OIDC_CLIENT_ID=self.config.oidc_audience)
        elif spec.jwt_key == "public":
            env["FM_JWT_PUBLIC_KEY_SECRET_ARN"] = self.keys.jwt_public.secret_arn
        if spec.redaction_key:
            env["FM_REDACTION_KEY_SECRET_ARN"] = self.keys.redaction.secret_arn
        if spec.vectors:
            env["FM_EMBEDDER"] = "onnx-minilm" if self.config.embedder == "onnx" else "bedrock"
            if self.vectors is not None:
                env.update(self.vectors.environment)
        if spec.llm and self.config.llm_provider != "none":
            env["FM_LLM_PROVIDER"] = self.config.llm_provider
            if self.config.llm_model:
                env["FM_LLM_MODEL"] = self.config.llm_model
        return env

    def _function(self, spec: FunctionSpec) -> lambda_.Function:
        log_group = logs.LogGroup(self, f"{spec.name}Logs", log_group_name=f"/aws/lambda/{self.prefix}-{spec.name}",
                                  retention=logs.RetentionDays.ONE_YEAR if self.config.prod
                                  else logs.RetentionDays.ONE_MONTH,
                                  removal_policy=RemovalPolicy.RETAIN if self.config.prod else RemovalPolicy.DESTROY)
        function = lambda_.Function(
            self, f"{spec.name}Function", function_name=f"{self.prefix}-{spec.name}", runtime=RUNTIME,
            architecture=ARCH, handler=spec.handler, code=self.code,
            layers=[*self.layers, self.embedder_layer] if spec.vectors and self.embedder_layer else self.layers,
            memory_size=spec.memory_mb, timeout=Duration.seconds(spec.timeout_s),
            environment=self._environment(spec), tracing=lambda_.Tracing.ACTIVE, log_group=log_group,
            description=f"FaultMaven {spec.name}")
        for aggregate, access in spec.tables.items():
            table = self.data.tables.get(aggregate)
            if table is None:
                raise KeyError(f"function {spec.name} uses table '{aggregate}', which infra_cdk/catalog.py TABLES "
                               "does not define: add it, mirroring its PynamoDB model")
            (table.grant_read_write_data if access == "write" else table.grant_read_data)(function)
        if spec.bucket == "write":
            self.data.bucket.grant_read_write(function)
            self.data.bucket.grant_delete(function)
        elif spec.bucket == "read":
            self.data.bucket.grant_read(function)
        if spec.jwt_key == "private":
            self.keys.jwt.grant_read(function)
        elif spec.jwt_key == "public":
            self.keys.jwt_public.grant_read(function)
        if spec.redaction_key:
            self.keys.redaction.grant_read(function)
        if spec.vectors:
            if self.config.embedder == "bedrock":
                self._allow_bedrock(function, [f"arn:{self.partition}:bedrock:{self.region}::foundation-model/"
                                               "amazon.titan-embed-text-v2:0"])
            if self.vectors is not None:
                self.vectors.grant(function.role)
        if spec.llm and self.config.llm_provider == "bedrock":
            self._allow_bedrock(function, [f"arn:{self.partition}:bedrock:*::foundation-model/*",
                                           f"arn:{self.partition}:bedrock:*:{self.account}:inference-profile/*"])
        self.alarms.watch_function(spec.name, function)
        self.functions[spec.name] = function
        return function

    @staticmethod
    def _allow_bedrock(function: lambda_.Function, resources: list[str]) -> None:
        function.add_to_role_policy(iam.PolicyStatement(
            actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], resources=resources))

    def _suppress_stack_wide(self) -> None:
        # Structs, not dicts: jsii passes a dict's keys through as they are, so an `applies_to` key never reaches
        # cdk-nag (it reads `appliesTo`) and the suppression silently covers every finding of the rule.
        NagSuppressions.add_stack_suppressions(self, [
            NagPackSuppression(id="AwsSolutions-IAM4", applies_to=[
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                reason="The basic execution role only lets each function write its own log stream."),
            NagPackSuppression(id="AwsSolutions-IAM5", applies_to=[
                "Resource::*",
                "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*",
                "Action::s3:Abort*", "Action::s3:PutObject*",
                RegexAppliesTo(regex="/^Resource::<DataEvidence[0-9A-F]{8}\\.Arn>\\/\\*$/"),
                RegexAppliesTo(regex="/^Resource::<Data.*Table.*\\.Arn>\\/index\\/\\*$/"),
                "Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/*",
                "Resource::arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/*"],
                reason="X-Ray's PutTraceSegments has no resource scope; the S3 wildcards cover the objects of the one "
                       "evidence bucket; index wildcards are a table's own secondary indexes; the copilot's Bedrock "
                       "model is chosen by setting (FM_LLM_MODEL), so any foundation model or inference profile."),
            NagPackSuppression(
                id="AwsSolutions-APIG4",
                reason="Public routes (health, capabilities, sign-in, JWKS, CORS preflights) are public by contract, "
                       "and alert webhooks prove their sender by signature or secret in the function; every other "
                       "route has the JWT authorizer, and the functions verify the token again."),
            NagPackSuppression(
                id="AwsSolutions-S1",
                reason="Access to the evidence bucket is logged by CloudTrail data events when the account enables "
                       "them; a second logging bucket per deployment is not worth its cost here."),
            NagPackSuppression(
                id="AwsSolutions-L1",
                reason="Runtimes are pinned to the Python minor version the layers are compiled for "
                       "(infra_cdk/catalog.py PYTHON_VERSION); CDK-internal handlers pick their own."),
        ])
