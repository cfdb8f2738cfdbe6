"""The deployment's keys in Secrets Manager, generated once at create.

The JWT signing key (read by the auth function only), its public half (read by the functions that verify bearer
tokens, so they cannot sign), and the redaction vault key.
"""

from __future__ import annotations

from aws_cdk import CustomResource, Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagSuppressions
from constructs import Construct

from infra_cdk.catalog import REPO_ROOT
from infra_cdk.config import StackConfig


class Keys(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, config: StackConfig, runtime: lambda_.Runtime,
                 architecture: lambda_.Architecture, layers: list[lambda_.ILayerVersion],
                 environment: dict[str, str]) -> None:
        super().__init__(scope, id)
        removal = RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY
        self.jwt = secretsmanager.Secret(
            self, "JwtSigningKey", secret_name=f"{prefix}/jwt-signing-key", removal_policy=removal,
            description="PEM RSA private key that signs FaultMaven access and refresh tokens")
        self.jwt_public = secretsmanager.Secret(
            self, "JwtPublicKey", secret_name=f"{prefix}/jwt-public-key", removal_policy=removal,
            description="PEM public key of the JWT signing key, for the functions that only verify tokens")
        self.redaction = secretsmanager.Secret(
            self, "RedactionKey", secret_name=f"{prefix}/redaction-key", removal_policy=removal,
            description="base64 AES key sealing each case's map of redacted values")
        for secret in (self.jwt, self.jwt_public, self.redaction):
            NagSuppressions.add_resource_suppressions(secret, [{
                "id": "AwsSolutions-SMG4",
                "reason": "Rotating these keys signs every user out or orphans sealed redaction maps; "
                          "rotate by hand with the procedure in docs/DEPLOY.md."}])
        if not config.generate_keys:
            return
        generator = lambda_.Function(
            self, "Generator", runtime=runtime, architecture=architecture, layers=layers,
            code=lambda_.Code.from_asset(str(REPO_ROOT / "infra_cdk" / "runtime"), exclude=["__pycache__"]),
            handler="generate_keys.handler", timeout=Duration.seconds(60), memory_size=256, environment=environment,
            log_group=logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH,
                                    removal_policy=RemovalPolicy.DESTROY))
        self.jwt.grant_write(generator)
        self.jwt.grant_read(generator)  # on update, to derive the public key again from the current private key
        self.jwt_public.grant_write(generator)
        self.redaction.grant_write(generator)
        # Keys are generated on Create only; an Update re-derives each public key from its private key.
        CustomResource(self, "Generate", service_token=generator.function_arn, resource_type="Custom::FaultMavenKeys",
                       properties={"Keys": [{"SecretArn": self.jwt.secret_arn, "Kind": "rsa-pem",
                                             "PublicSecretArn": self.jwt_public.secret_arn},
                                            {"SecretArn": self.redaction.secret_arn, "Kind": "aes-256"}]})
