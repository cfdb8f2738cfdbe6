"""The JWT signing key: a Secrets Manager secret, filled once with a generated RSA key by a custom resource."""

from __future__ import annotations

from aws_cdk import CustomResource, Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagSuppressions
from constructs import Construct

from infra_cdk.catalog import REPO_ROOT
from infra_cdk.config import StackConfig


class SigningKey(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, config: StackConfig, runtime: lambda_.Runtime,
                 architecture: lambda_.Architecture, layers: list[lambda_.ILayerVersion],
                 environment: dict[str, str]) -> None:
        super().__init__(scope, id)
        self.secret = secretsmanager.Secret(
            self, "Secret", secret_name=f"{prefix}/jwt-signing-key",
            description="PEM RSA private key that signs FaultMaven access and refresh tokens",
            removal_policy=RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY)
        NagSuppressions.add_resource_suppressions(self.secret, [{
            "id": "AwsSolutions-SMG4",
            "reason": "Rotating the signing key signs every user out; rotate by hand (docs/DEPLOY.md) instead."}])
        if not config.generate_jwt_key:
            return
        generator = lambda_.Function(
            self, "Generator", runtime=runtime, architecture=architecture, layers=layers,
            code=lambda_.Code.from_asset(str(REPO_ROOT / "infra_cdk" / "runtime"), exclude=["__pycache__"]),
            handler="jwt_key.handler", timeout=Duration.seconds(60), memory_size=256, environment=environment,
            log_group=logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH,
                                    removal_policy=RemovalPolicy.DESTROY))
        self.secret.grant_write(generator)
        NagSuppressions.add_resource_suppressions(generator, [{
            "id": "AwsSolutions-IAM4", "applies_to": [
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            "reason": "The basic execution role only lets the function write its own logs."}], apply_to_children=True)
        # Properties that never change after creation: the key is generated on Create only.
        CustomResource(self, "Generate", service_token=generator.function_arn,
                       properties={"SecretArn": self.secret.secret_arn}, resource_type="Custom::JwtSigningKey")
