"""The knowledge base's vector index: an OpenSearch Serverless collection, or an Amazon S3 Vectors index.

OpenSearch Serverless bills at least one OCU-pair around the clock (~$175/month dev, ~$350/month prod) even idle;
S3 Vectors bills storage and queries only. The choice is the `vector_index` context value.
"""

from __future__ import annotations

import json

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_opensearchserverless as aoss
from aws_cdk import aws_s3vectors as s3vectors
from constructs import Construct

INDEX_NAME = "faultmaven-chunks"
# faultmaven.adapters.s3vectors.vector_index.NON_FILTERABLE_KEYS (tests/infra checks they agree): chunk text and
# display fields; the access fields (owner, scope, team, document) stay filterable.
NON_FILTERABLE_KEYS = ["content", "title", "headings", "ordinal"]


class VectorIndex(Construct):
    """Grants and environment for the functions that read or write vectors."""

    def grant(self, role: iam.IRole) -> None:
        raise NotImplementedError

    def finalize(self) -> None:
        """Called once every function is granted."""

    @property
    def environment(self) -> dict[str, str]:
        raise NotImplementedError


class OpenSearchCollection(VectorIndex):
    def __init__(self, scope: Construct, id: str, *, prefix: str) -> None:
        super().__init__(scope, id)
        name = prefix[:28] + "-kb"  # collection names: 3-32 lowercase characters
        resource = [f"collection/{name}"]
        encryption = aoss.CfnSecurityPolicy(
            self, "Encryption", name=f"{name}-enc", type="encryption",
            policy=json.dumps({"Rules": [{"ResourceType": "collection", "Resource": resource}], "AWSOwnedKey": True}))
        # Lambdas run outside a VPC, so the endpoint is public; IAM and the data access policy guard it.
        network = aoss.CfnSecurityPolicy(
            self, "Network", name=f"{name}-net", type="network",
            policy=json.dumps([{"Rules": [{"ResourceType": "collection", "Resource": resource}],
                                "AllowFromPublic": True}]))
        self.collection = aoss.CfnCollection(self, "Collection", name=name, type="VECTORSEARCH",
                                             description="FaultMaven knowledge base chunks")
        self.collection.add_resource_dependency(encryption)
        self.collection.add_resource_dependency(network)
        self._name = name
        self._principals: list[str] = []

    def finalize(self) -> None:
        """The data access policy, once every function that uses the collection has been granted."""
        if self._principals:
            aoss.CfnAccessPolicy(self, "DataAccess", name=f"{self._name}-data", type="data",
                                 policy=Stack.of(self).to_json_string(self._policy_document()))

    def _policy_document(self) -> list[dict[str, object]]:
        return [{"Rules": [
            {"ResourceType": "collection", "Resource": [f"collection/{self._name}"],
             "Permission": ["aoss:DescribeCollectionItems", "aoss:CreateCollectionItems",
                            "aoss:UpdateCollectionItems"]},
            {"ResourceType": "index", "Resource": [f"index/{self._name}/*"],
             "Permission": ["aoss:CreateIndex", "aoss:DescribeIndex", "aoss:UpdateIndex", "aoss:ReadDocument",
                            "aoss:WriteDocument"]}],
            "Principal": self._principals}]

    def grant(self, role: iam.IRole) -> None:
        self._principals.append(role.role_arn)
        role.add_to_principal_policy(iam.PolicyStatement(actions=["aoss:APIAccessAll"],
                                                         resources=[self.collection.attr_arn]))

    @property
    def environment(self) -> dict[str, str]:
        return {"FM_VECTOR_INDEX": "opensearch", "FM_OPENSEARCH_URL": self.collection.attr_collection_endpoint,
                "FM_OPENSEARCH_AUTH": "sigv4", "FM_OPENSEARCH_SIGV4_SERVICE": "aoss", "FM_OPENSEARCH_INDEX": INDEX_NAME}


class S3VectorIndex(VectorIndex):
    """The bucket and the index (dimension of the functions' embedder). The adapter adds the full-text search
    configuration on first use: CloudFormation cannot declare it yet."""

    def __init__(self, scope: Construct, id: str, *, prefix: str, dimension: int) -> None:
        super().__init__(scope, id)
        self.bucket = s3vectors.CfnVectorBucket(self, "Bucket", vector_bucket_name=f"{prefix}-vectors")
        self.index = s3vectors.CfnIndex(
            self, "Index", vector_bucket_name=self.bucket.vector_bucket_name, index_name=INDEX_NAME,
            data_type="float32", dimension=dimension, distance_metric="cosine",
            metadata_configuration=s3vectors.CfnIndex.MetadataConfigurationProperty(
                non_filterable_metadata_keys=NON_FILTERABLE_KEYS))
        self.index.add_resource_dependency(self.bucket)

    def grant(self, role: iam.IRole) -> None:
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["s3vectors:PutVectors", "s3vectors:GetVectors", "s3vectors:DeleteVectors",
                     "s3vectors:QueryVectors", "s3vectors:ListVectors", "s3vectors:GetIndex",
                     "s3vectors:UpdateMetadataConfiguration"],
            resources=[self.index.attr_index_arn]))

    @property
    def environment(self) -> dict[str, str]:
        return {"FM_VECTOR_INDEX": "s3vectors", "FM_S3VECTORS_BUCKET": f"{self.bucket.vector_bucket_name}",
                "FM_S3VECTORS_INDEX": INDEX_NAME}


class ExternalS3Vectors(VectorIndex):
    """An S3 Vectors API at another endpoint (emulators have none): no resources; the adapter creates the index."""

    def __init__(self, scope: Construct, id: str, *, prefix: str, url: str) -> None:
        super().__init__(scope, id)
        self._bucket, self._url = f"{prefix}-vectors", url

    def grant(self, role: iam.IRole) -> None:
        """Nothing to grant: the endpoint is not AWS's."""

    @property
    def environment(self) -> dict[str, str]:
        return {"FM_VECTOR_INDEX": "s3vectors", "FM_S3VECTORS_BUCKET": self._bucket, "FM_S3VECTORS_INDEX": INDEX_NAME,
                "FM_S3VECTORS_ENDPOINT_URL": self._url}


class ExternalOpenSearch(VectorIndex):
    """An OpenSearch the operator runs (the self-host compose profiles' container), reached without signing."""

    def __init__(self, scope: Construct, id: str, *, url: str) -> None:
        super().__init__(scope, id)
        self._url = url

    def grant(self, role: iam.IRole) -> None:
        """Nothing to grant: the network decides who reaches it."""

    @property
    def environment(self) -> dict[str, str]:
        return {"FM_VECTOR_INDEX": "opensearch", "FM_OPENSEARCH_URL": self._url, "FM_OPENSEARCH_AUTH": "none",
                "FM_OPENSEARCH_INDEX": INDEX_NAME}
