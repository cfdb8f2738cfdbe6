"""What the S3 Vectors adapter sends and how it reads the answers, through a real boto3 client and the stub.

The contract suite proves behaviour; these cases pin the parts the real service decides by the request: the access
filter inside every query, ENHANCED mode, the documented page sizes, and the index layout.
"""

from __future__ import annotations

from typing import Any

import pytest

from faultmaven.adapters.s3vectors.vector_index import (
    MAX_TOP_K,
    NON_FILTERABLE_KEYS,
    SEARCHABLE_KEY,
    S3VectorsIndex,
    access_filter,
    chunk_of,
    metadata_of,
)
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import EmbeddingSpaceMismatch, PrincipalFilter
from tests.adapters.test_vector_index_contract import ALICE, SPACE, chunk, embed, put, search
from tests.support.s3vectors_stub import S3VectorsStub, stub_client

BUCKET, NAME = "fm-vectors", "faultmaven-chunks"


@pytest.fixture
def stubbed() -> tuple[Any, S3VectorsStub]:
    return stub_client()


def _queries(stub: S3VectorsStub) -> list[dict[str, Any]]:
    return [body for op, body in stub.calls if op == "QueryVectors"]


def test_every_query_carries_the_access_filter_in_enhanced_mode(stubbed) -> None:
    client, stub = stubbed
    index = S3VectorsIndex(client, BUCKET, NAME, SPACE)
    put(index, [chunk("d1", "alice", "etcd quorum lost")])
    who = PrincipalFilter(owner_id="alice", team_ids=["sre", "dba"])
    index.search("etcd quorum", embed(["etcd quorum"])[0], who, k=5)
    sent = _queries(stub)
    assert len(sent) == 2  # one keyword query, one vector query, fused by the adapter
    expected = {"$or": [{"owner_id": {"$eq": "alice"}},
                        {"$and": [{"scope": {"$eq": "team"}}, {"team_id": {"$in": ["sre", "dba"]}}]},
                        {"scope": {"$eq": "global"}}]}
    assert all(body["filter"] == expected and body["queryMode"] == "ENHANCED" for body in sent)
    assert sent[0]["queryTexts"] == [{"text": "etcd quorum", "metadataKey": SEARCHABLE_KEY}] and sent[0]["returnScores"]
    assert len(sent[1]["queryVector"]["float32"]) == SPACE.dim and sent[1]["returnDistance"]


def test_a_principal_without_teams_or_global_is_filtered_to_its_own_chunks() -> None:
    alone = PrincipalFilter(owner_id="bob", include_global=False)
    assert access_filter(alone) == {"owner_id": {"$eq": "bob"}}


def test_the_index_is_created_with_full_text_search_and_the_model_recorded(stubbed) -> None:
    client, stub = stubbed
    put(S3VectorsIndex(client, BUCKET, NAME, SPACE), [chunk("d1", "alice", "dns")])
    [create] = [body for op, body in stub.calls if op == "CreateIndex"]
    assert create["dimension"] == SPACE.dim and create["distanceMetric"] == "cosine"
    assert create["metadataConfiguration"]["textSearchConfigurations"] == [{"metadataKey": SEARCHABLE_KEY,
                                                                           "language": "en"}]
    assert set(create["metadataConfiguration"]["nonFilterableMetadataKeys"]) == set(NON_FILTERABLE_KEYS)


def test_an_index_declared_by_the_stack_gets_full_text_search_on_first_use(stubbed) -> None:
    client, stub = stubbed
    stub.create_declared_index(BUCKET, NAME, SPACE.dim, NON_FILTERABLE_KEYS)
    index = S3VectorsIndex(client, BUCKET, NAME, SPACE)
    put(index, [chunk("d1", "alice", "certificate expired")])
    assert [c.chunk_id for c in search(index, "certificate", ALICE, mode="bm25")] == ["d1#0"]
    assert [op for op, _ in stub.calls].count("UpdateMetadataConfiguration") == 1


def test_a_deep_search_pages_at_the_documented_top_k(stubbed) -> None:
    client, stub = stubbed
    index = S3VectorsIndex(client, BUCKET, NAME, SPACE)
    put(index, [chunk("d1", "alice", f"disk pressure note {i}", i) for i in range(150)])
    hits = index.search("disk pressure", embed(["disk pressure"])[0], ALICE, k=130, mode="vector")
    assert len(hits) == 130 and len({h.chunk.chunk_id for h in hits}) == 130
    assert all(body["topK"] <= MAX_TOP_K for body in _queries(stub))
    assert any("nextToken" in body for body in _queries(stub))


def test_a_large_document_is_deleted_in_full_in_batches(stubbed) -> None:
    client, stub = stubbed
    index = S3VectorsIndex(client, BUCKET, NAME, SPACE)
    put(index, [chunk("big", "alice", f"step {i} of the etcd restore", i) for i in range(1200)])
    assert max(len(body["vectors"]) for op, body in stub.calls if op == "PutVectors") <= 500
    assert index.delete_document("alice", "big") == 1200
    assert search(index, "etcd restore", ALICE) == []
    assert max(len(body["keys"]) for op, body in stub.calls if op == "DeleteVectors") <= 500


def test_an_emptied_index_of_another_dimension_is_recreated_but_a_full_one_is_refused(stubbed) -> None:
    client, _ = stubbed
    first = S3VectorsIndex(client, BUCKET, NAME, SPACE)
    put(first, [chunk("d1", "alice", "etcd quorum")])
    wider = EmbeddingSpace(model_id="test/wider", dim=96)
    with pytest.raises(EmbeddingSpaceMismatch):
        S3VectorsIndex(client, BUCKET, NAME, wider).search("etcd", embed(["etcd"], 96)[0], ALICE)
    first.delete_document("alice", "d1")
    second = S3VectorsIndex(client, BUCKET, NAME, wider)
    second.upsert([chunk("d2", "alice", "dns fails")], embed(["dns fails"], 96))
    assert [h.chunk.chunk_id for h in second.search("dns", embed(["dns"], 96)[0], ALICE)] == ["d2#0"]


def test_a_chunk_round_trips_through_its_metadata() -> None:
    original = chunk("d1", "carol", "line one\nline two", 4, scope="team", team="sre")
    assert chunk_of(original.chunk_id, metadata_of(original)) == original
    bare = original.model_copy(update={"title": "", "heading_path": []})
    assert chunk_of(bare.chunk_id, metadata_of(bare)) == bare


def test_service_errors_other_than_a_missing_index_are_not_swallowed(stubbed) -> None:
    from botocore.exceptions import ClientError

    client, _ = stubbed
    index = S3VectorsIndex(client, "x" * 70, NAME, SPACE)  # above the model's 63-character maximum
    with pytest.raises(ClientError, match="ValidationException"):
        index.search("etcd", None, ALICE, mode="bm25")


def test_the_container_builds_it_from_settings_and_names_a_missing_bucket() -> None:
    from faultmaven.adapters.s3vectors.vector_index import index_from_settings
    from faultmaven.errors import InvalidInput
    from faultmaven.settings import Settings

    with pytest.raises(InvalidInput, match="FM_S3VECTORS_BUCKET"):
        index_from_settings(Settings(mode="aws", vector_index="s3vectors"), SPACE)
    built = index_from_settings(Settings(mode="aws", vector_index="s3vectors", s3vectors_bucket=BUCKET), SPACE)
    assert built.space == SPACE
