"""Cloud ingestion: the upload writes to S3 and stays pending; the S3 event's ingest function indexes it.

DynamoDB and S3 are moto's; the vector index is the embedded one and vectors come from a hashing embedder, since
neither OpenSearch nor Bedrock runs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.container import Container
from functions.knowledge.ingest_handler import document_ids, handler
from local.server import build_app
from tests.conftest import sign_up
from tests.unit.test_documents_service import HashingEmbedder


@dataclass
class LambdaContext:
    function_name: str = "knowledge-ingest"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:knowledge-ingest"
    aws_request_id: str = "req-1"


def s3_event(bucket: str, *keys: str) -> dict:
    return {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": 1}}} for key in keys]}


@pytest.fixture
def cloud(aws_container: Container, tmp_path: Path) -> Container:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=aws_container.settings.evidence_bucket)
    aws_container.__dict__["embedder"] = HashingEmbedder()
    aws_container.__dict__["vector_index"] = SqliteVectorIndex(SqliteDatabase(tmp_path / "index.sqlite"),
                                                               HashingEmbedder.space)
    return aws_container


def test_upload_is_pending_until_the_s3_event_ingests_it(cloud: Container) -> None:
    with TestClient(build_app(cloud.settings), raise_server_exceptions=False) as client:
        alice = sign_up(client, "alice")
        r = client.post("/api/v1/knowledge/documents?wait=true", headers=alice.headers,
                        files={"file": ("oom.md", b"# OOM\n\n## Fix\nRaise the JVM heap limit.")},
                        data={"title": "OOM runbook", "document_type": "runbook"})
        assert (r.status_code, r.json()["status"]) == (201, "pending")  # nothing runs in the API function
        document_id = r.json()["document_id"]
        key = f"kb/raw/{document_id}"
        stored = boto3.client("s3", region_name="us-east-1").get_object(Bucket="fmtest-evidence", Key=key)
        assert stored["Body"].read().startswith(b"# OOM")

        outcome = handler(s3_event("fmtest-evidence", key, "cases/other/file.log"), LambdaContext())
        assert outcome == {"indexed": [document_id], "failed": [], "gone": []}
        doc = client.get(f"/api/v1/knowledge/documents/{document_id}", headers=alice.headers).json()
        assert (doc["status"], doc["chunk_count"]) == ("indexed", 1)
        assert "JVM heap" in doc["content"]
        hits = client.post("/api/v1/knowledge/search", headers=alice.headers, json={"query": "heap limit"}).json()
        assert [h["document_id"] for h in hits["results"]] == [document_id]


def test_an_unreadable_upload_ends_failed_and_a_deleted_one_is_skipped(cloud: Container) -> None:
    from faultmaven.knowledge.documents import Reader, Upload

    doc = cloud.knowledge.upload(Reader("alice"), Upload(filename="x.pdf", data=b"%PDF-1.4 garbage")).document
    other = cloud.knowledge.upload(Reader("alice"), Upload(filename="y.txt", data=b"text")).document
    cloud.knowledge.delete(Reader("alice"), other.document_id)
    outcome = handler(s3_event("fmtest-evidence", f"kb/raw/{doc.document_id}", f"kb/raw/{other.document_id}"),
                      LambdaContext())
    assert outcome == {"indexed": [], "failed": [doc.document_id], "gone": [other.document_id]}
    assert cloud.documents.get(doc.document_id).error.startswith("the PDF could not be read")


def test_event_keys_are_url_decoded_and_filtered() -> None:
    assert document_ids(s3_event("b", "kb/raw/doc_1", "kb%2Fraw%2Fdoc_2", "kb/text/doc_3", "kb/raw/a/b")) == [
        "doc_1", "doc_2"]
