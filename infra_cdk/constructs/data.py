"""The DynamoDB tables and the evidence bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra_cdk.catalog import TABLES, TableSpec
from infra_cdk.config import StackConfig

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER, "B": dynamodb.AttributeType.BINARY}


def _key(spec: str | None) -> dynamodb.Attribute | None:
    """`name` (a string key) or `name:N` / `name:B`."""
    if not spec:
        return None
    name, _, kind = spec.partition(":")
    return dynamodb.Attribute(name=name, type=_TYPES[kind or "S"])


class DataStores(Construct):
    """One on-demand, encrypted, point-in-time-recoverable table per aggregate, and the private evidence bucket."""

    def __init__(self, scope: Construct, id: str, *, prefix: str, config: StackConfig) -> None:
        super().__init__(scope, id)
        # prod keeps its data when the stack is deleted; dev cleans up after itself.
        removal = RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY
        self.tables: dict[str, dynamodb.Table] = {
            spec.aggregate: self._table(spec, prefix, removal) for spec in TABLES
        }
        self.bucket = s3.Bucket(
            self, "Evidence",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=config.prod,
            removal_policy=removal,
            auto_delete_objects=False,
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
                s3.LifecycleRule(id="expire-old-versions", noncurrent_version_expiration=Duration.days(30)),
                s3.LifecycleRule(id="infrequent-access", transitions=[s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS, transition_after=Duration.days(90))]),
            ],
            # Browsers PUT presigned uploads straight to S3; the presigned URL is the credential, so any origin
            # the API accepts may use it (extension origins differ per install and cannot be listed).
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET], allowed_origins=["*"],
                              allowed_headers=["Content-Type", "Content-MD5", "x-amz-*"], exposed_headers=["ETag"],
                              max_age=600)],
        )

    def _table(self, spec: TableSpec, prefix: str, removal: RemovalPolicy) -> dynamodb.Table:
        table = dynamodb.Table(
            self, f"{spec.aggregate.title().replace('-', '')}Table",
            table_name=f"{prefix}-{spec.aggregate}",
            partition_key=_key(spec.partition_key),
            sort_key=_key(spec.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            time_to_live_attribute=spec.ttl_attribute,
            removal_policy=removal,
            deletion_protection=removal == RemovalPolicy.RETAIN,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(index_name=index.name, partition_key=_key(index.partition_key),
                                             sort_key=_key(index.sort_key),
                                             projection_type=dynamodb.ProjectionType.ALL)
        for index in spec.local_indexes:
            table.add_local_secondary_index(index_name=index.name, sort_key=_key(index.sort_key),
                                            projection_type=dynamodb.ProjectionType.ALL)
        return table
