"""The OpenSearch adapter without a cluster: the real opensearch-py client over a connection that records each
request (method, path, params, the exact serialized body) and answers with responses in the documented format.

The shared contract (test_vector_index_contract.py) runs against a live cluster when OPENSEARCH_URL is set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from opensearchpy import Connection, OpenSearch

from faultmaven.adapters.opensearch import queries
from faultmaven.adapters.opensearch.vector_index import OpenSearchVectorIndex, client_from_settings
from faultmaven.errors import Conflict, InvalidInput, Unavailable
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, EmbeddingSpaceMismatch, PrincipalFilter
from faultmaven.settings import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "knowledge" / "opensearch"
SPACE = EmbeddingSpace(model_id="test/model", dim=4)
INDEX = "fm-chunks"
ALICE = PrincipalFilter(owner_id="alice", team_ids=["sre"])

Reply = tuple[int, Any]


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeCluster:
    """Routes (method, path) to canned replies and keeps every request as the client serialized it."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[tuple[str, str, dict[str, Any], bytes | None]] = []

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        self.routes.setdefault((method, path), []).extend(replies)

    def client(self) -> OpenSearch:
        cluster = self

        class RecordingConnection(Connection):
            def perform_request(self, method: str, url: str, params: Any = None, body: bytes | None = None,
                                timeout: Any = None, ignore: Any = (), headers: Any = None) -> Any:
                cluster.requests.append((method, url, dict(params or {}), body))
                queue = cluster.routes.get((method, url))
                if not queue:
                    raise AssertionError(f"unexpected request {method} {url}")
                status, data = queue.pop(0) if len(queue) > 1 else queue[0]
                raw = "" if data is None else json.dumps(data)
                if status >= 300 and status not in (ignore or ()):
                    self._raise_error(status, raw)
                return status, {}, raw

        return OpenSearch(hosts=[{"host": "search.test", "port": 443}], connection_class=RecordingConnection)

    def bodies(self, method: str, path: str) -> list[Any]:
        """Request bodies sent to one route, NDJSON (bulk, msearch) as a list of objects."""
        out = []
        for m, p, _, body in self.requests:
            if (m, p) == (method, path):
                text = body.decode() if isinstance(body, bytes) else body
                lines = [json.loads(ln) for ln in (text or "").splitlines() if ln.strip()]
                out.append(lines if len(lines) != 1 else lines[0])
        return out


@pytest.fixture
def cluster() -> FakeCluster:
    c = FakeCluster()
    c.reply("HEAD", f"/{INDEX}", (200, None))
    c.reply("GET", f"/{INDEX}/_mapping", (200, {INDEX: {"mappings": queries.index_body(SPACE)["mappings"]}}))
    return c


def make_index(cluster: FakeCluster, **kwargs: Any) -> OpenSearchVectorIndex:
    return OpenSearchVectorIndex(cluster.client(), INDEX, SPACE, **kwargs)


def chunk(doc: str, ordinal: int, owner: str = "alice") -> Chunk:
    return Chunk(chunk_id=f"{doc}#{ordinal}", document_id=doc, owner_id=owner, title="KubeletDown",
                 heading_path=["Diagnosis"], text=f"kubelet is down, part {ordinal}", ordinal=ordinal)


ACCESS = {"bool": {"should": [
    {"term": {"owner_id": "alice"}},
    {"bool": {"filter": [{"term": {"scope": "team"}}, {"terms": {"team_id": ["sre"]}}]}},
    {"term": {"scope": "global"}},
], "minimum_should_match": 1}}
SOURCE = ["chunk_id", "document_id", "owner_id", "scope", "team_id", "title", "heading_path", "text", "ordinal"]


def test_first_write_creates_the_index_with_a_knn_vector_mapping_and_the_model_recorded() -> None:
    cluster = FakeCluster()
    cluster.reply("HEAD", f"/{INDEX}", (404, None))
    cluster.reply("PUT", f"/{INDEX}", (200, {"acknowledged": True, "index": INDEX}))
    cluster.reply("POST", f"/{INDEX}/_search", (200, {"hits": {"hits": []}}))
    cluster.reply("POST", "/_bulk", (200, {"errors": False, "items": []}))
    make_index(cluster).upsert([chunk("doc-a", 0)], np.array([[0.5, 0.5, 0.5, 0.5]]))
    [created] = cluster.bodies("PUT", f"/{INDEX}")
    assert created == {
        "settings": {"index": {"knn": True}},
        "mappings": {
            "_meta": {"embedding_model_id": "test/model", "embedding_dim": 4},
            "properties": {
                "chunk_id": {"type": "keyword"}, "document_id": {"type": "keyword"},
                "owner_id": {"type": "keyword"}, "scope": {"type": "keyword"}, "team_id": {"type": "keyword"},
                "title": {"type": "text", "analyzer": "english"},
                "heading_path": {"type": "text", "analyzer": "english"},
                "text": {"type": "text", "analyzer": "english"},
                "ordinal": {"type": "integer"},
                "embedding": {"type": "knn_vector", "dimension": 4, "method": {
                    "name": "hnsw", "engine": "faiss", "space_type": "innerproduct",
                    "parameters": {"m": 16, "ef_construction": 128}}},
            },
        },
    }


def test_upsert_replaces_stored_chunks_by_their_ids_then_indexes_without_custom_ids(cluster: FakeCluster) -> None:
    cluster.reply("POST", f"/{INDEX}/_search", (200, recorded("search_chunk_ids_response.json")))
    cluster.reply("POST", "/_bulk", (200, recorded("bulk_response.json")))
    make_index(cluster, refresh=True).upsert([chunk("doc-a", 0), chunk("doc-a", 1)], np.eye(4)[:2])
    [lookup] = cluster.bodies("POST", f"/{INDEX}/_search")
    assert lookup == {"size": 10000, "_source": ["chunk_id", "owner_id"],
                      "query": {"bool": {"filter": [{"terms": {"chunk_id": ["doc-a#0", "doc-a#1"]}}]}}}
    [bulk] = cluster.bodies("POST", "/_bulk")
    assert bulk[:2] == [{"delete": {"_index": INDEX, "_id": "1%3A0%3AxQ1"}},
                        {"delete": {"_index": INDEX, "_id": "1%3A0%3AxQ2"}}]
    assert bulk[2] == {"index": {"_index": INDEX}}
    assert bulk[3] == {"chunk_id": "doc-a#0", "document_id": "doc-a", "owner_id": "alice", "scope": "personal",
                       "team_id": None, "title": "KubeletDown", "heading_path": ["Diagnosis"],
                       "text": "kubelet is down, part 0", "ordinal": 0, "embedding": [1.0, 0.0, 0.0, 0.0]}
    assert bulk[5]["embedding"] == [0.0, 1.0, 0.0, 0.0] and len(bulk) == 6
    assert [params for m, p, params, _ in cluster.requests if p == "/_bulk"] == [{"refresh": "true"}]


def test_upsert_refuses_to_replace_another_owners_chunk(cluster: FakeCluster) -> None:
    cluster.reply("POST", f"/{INDEX}/_search", (200, recorded("search_chunk_ids_response.json")))
    with pytest.raises(Conflict):
        make_index(cluster).upsert([chunk("doc-a", 0, owner="mallory")], np.eye(4)[:1])
    assert not cluster.bodies("POST", "/_bulk")


def test_a_failed_bulk_item_raises(cluster: FakeCluster) -> None:
    cluster.reply("POST", f"/{INDEX}/_search", (200, {"hits": {"hits": []}}))
    cluster.reply("POST", "/_bulk", (200, recorded("bulk_error_response.json")))
    with pytest.raises(Unavailable, match="mapper_parsing_exception"):
        make_index(cluster).upsert([chunk("doc-a", 0)], np.eye(4)[:1])


def test_delete_document_finds_the_owners_chunks_and_bulk_deletes_them(cluster: FakeCluster) -> None:
    cluster.reply("POST", f"/{INDEX}/_search", (200, recorded("search_chunk_ids_response.json")))
    cluster.reply("POST", "/_bulk", (200, recorded("bulk_response.json")))
    assert make_index(cluster).delete_document("alice", "doc-a") == 2
    [lookup] = cluster.bodies("POST", f"/{INDEX}/_search")
    assert lookup["query"] == {"bool": {"filter": [{"term": {"owner_id": "alice"}},
                                                   {"term": {"document_id": "doc-a"}}]}}
    [bulk] = cluster.bodies("POST", "/_bulk")
    assert bulk == [{"delete": {"_index": INDEX, "_id": "1%3A0%3AxQ1"}},
                    {"delete": {"_index": INDEX, "_id": "1%3A0%3AxQ2"}}]


def test_hybrid_search_sends_bm25_and_filtered_knn_in_one_msearch_and_fuses_per_document(
        cluster: FakeCluster) -> None:
    cluster.reply("POST", "/_msearch", (200, recorded("msearch_hybrid_response.json")))
    hits = make_index(cluster).search("kubelet down on node", [0.5, 0.5, 0.5, 0.5], ALICE, k=3)
    [request] = cluster.bodies("POST", "/_msearch")
    assert request == [
        {"index": INDEX},
        {"size": 50, "_source": SOURCE, "query": {"bool": {
            "must": [{"multi_match": {"query": "kubelet down on node", "type": "most_fields",
                                      "fields": ["title^3", "heading_path^2", "text"]}}],
            "filter": [ACCESS]}}},
        {"index": INDEX},
        {"size": 50, "_source": SOURCE,
         "query": {"knn": {"embedding": {"vector": [0.5, 0.5, 0.5, 0.5], "k": 50, "filter": ACCESS}}}},
    ]
    # The convex fusion (keyword 0.40, vector 0.60, each list over its best): doc-b, 2nd by BM25 (5.002 of 7.315)
    # and 1st by vector, beats doc-c (vector only, 1.612 of 1.8312) and doc-a (BM25 only).
    assert [h.chunk.chunk_id for h in hits] == ["doc-b#2", "doc-c#0", "doc-a#0"]
    assert [(h.bm25_rank, h.vector_rank) for h in hits] == [(2, 1), (None, 2), (1, None)]
    assert hits[0].score == pytest.approx(0.40 * 5.002 / 7.315 + 0.60)
    assert hits[1].score == pytest.approx(0.60 * 1.612 / 1.8312) and hits[2].score == pytest.approx(0.40)
    assert hits[0].chunk.heading_path == ["Mitigation", "Restart"] and hits[0].chunk.scope == "global"
    assert hits[1].chunk.team_id == "sre"


@pytest.mark.parametrize(("mode", "kind"), [("bm25", "multi_match"), ("vector", "knn")])
def test_single_mode_search_sends_one_query_of_depth_k(cluster: FakeCluster, mode: str, kind: str) -> None:
    response = recorded("msearch_hybrid_response.json")
    response["responses"] = response["responses"][:1]
    cluster.reply("POST", "/_msearch", (200, response))
    hits = make_index(cluster).search("kubelet", [1.0, 0.0, 0.0, 0.0], ALICE, k=2, mode=mode)  # type: ignore[arg-type]
    [[header, body]] = cluster.bodies("POST", "/_msearch")
    assert header == {"index": INDEX} and body["size"] == 2 and kind in json.dumps(body["query"])
    assert [h.chunk.chunk_id for h in hits] == ["doc-a#0", "doc-b#2"]
    assert hits[0].score == pytest.approx(7.315)


def test_an_error_inside_msearch_raises_unavailable(cluster: FakeCluster) -> None:
    cluster.reply("POST", "/_msearch", (200, recorded("msearch_error_response.json")))
    with pytest.raises(Unavailable, match="search_phase_execution_exception"):
        make_index(cluster).search("kubelet", None, ALICE, mode="bm25")


def test_an_index_of_another_model_is_refused() -> None:
    cluster = FakeCluster()
    cluster.reply("HEAD", f"/{INDEX}", (200, None))
    cluster.reply("GET", f"/{INDEX}/_mapping", (200, recorded("get_mapping_response.json")))
    cluster.reply("POST", f"/{INDEX}/_count", (200, {"count": 12, "_shards": {"total": 1, "successful": 1}}))
    index = make_index(cluster)
    with pytest.raises(EmbeddingSpaceMismatch, match=r"amazon\.titan-embed-text-v2:0 \(1024 dims\)"):
        index.search("kubelet", [1.0, 0.0, 0.0, 0.0], ALICE)
    with pytest.raises(EmbeddingSpaceMismatch):
        index.upsert([chunk("doc-a", 0)], np.eye(4)[:1])
    assert not cluster.bodies("POST", "/_msearch") and not cluster.bodies("POST", "/_bulk")


def test_no_index_yet_means_no_results_and_nothing_deleted() -> None:
    cluster = FakeCluster()
    cluster.reply("HEAD", f"/{INDEX}", (404, None))
    index = make_index(cluster)
    assert index.search("kubelet", [1.0, 0.0, 0.0, 0.0], ALICE) == []
    assert index.delete_document("alice", "doc-a") == 0


def test_bad_vectors_are_rejected_before_any_request(cluster: FakeCluster) -> None:
    index = make_index(cluster)
    with pytest.raises(InvalidInput):
        index.search("x", [1.0, 0.0], ALICE)
    with pytest.raises(InvalidInput):
        index.search("x", None, ALICE, mode="vector")
    with pytest.raises(InvalidInput):
        index.upsert([chunk("doc-a", 0)], np.zeros((1, 3)))
    assert cluster.requests == []


def _session_auth(client: OpenSearch) -> Any:
    return client.transport.get_connection().session.auth


def _signed_headers(settings: Settings) -> dict[str, str]:
    prepared = requests.Request("POST", f"{settings.opensearch_url}/fm-chunks/_search", data=b"{}").prepare()
    return dict(_session_auth(client_from_settings(settings))(prepared).headers)


def test_sigv4_signs_for_opensearch_serverless_by_default() -> None:
    settings = Settings(vector_index="opensearch", opensearch_url="https://abc123.us-east-1.aoss.amazonaws.com",
                        aws_region="us-east-1")
    headers = _signed_headers(settings)
    assert "/us-east-1/aoss/aws4_request" in headers["Authorization"]
    assert "x-amz-content-sha256" in {h.lower() for h in headers}


def test_basic_auth_and_no_auth_by_settings() -> None:
    basic = Settings(opensearch_url="http://localhost:9200", opensearch_auth="basic", opensearch_username="admin",
                     opensearch_password="s3cret")
    assert _session_auth(client_from_settings(basic)) == ("admin", "s3cret")
    none = Settings(opensearch_url="http://localhost:9200", opensearch_auth="none")
    assert _session_auth(client_from_settings(none)) is None


def test_a_missing_url_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="FM_OPENSEARCH_URL"):
        client_from_settings(Settings(vector_index="opensearch"))


def test_document_vectors_read_one_documents_chunks_with_their_embeddings(cluster: FakeCluster) -> None:
    hit = {"_index": INDEX, "_id": "x", "_score": 0.0}
    sources = [{**chunk("doc-a", i).model_dump(include=set(SOURCE)), "embedding": [float(i), 0.0, 0.0, 1.0]}
               for i in (1, 0)]
    cluster.reply("POST", f"/{INDEX}/_search", (200, {"hits": {"hits": [{**hit, "_source": s} for s in sources]}}))
    chunks, vectors = make_index(cluster).document_vectors("alice", "doc-a")
    assert [c.chunk_id for c in chunks] == ["doc-a#0", "doc-a#1"] and chunks[1] == chunk("doc-a", 1)
    np.testing.assert_array_equal(vectors, np.array([[0, 0, 0, 1], [1, 0, 0, 1]], np.float32))
    [body] = cluster.bodies("POST", f"/{INDEX}/_search")
    assert body["query"] == {"bool": {"filter": [{"term": {"owner_id": "alice"}}, {"term": {"document_id": "doc-a"}}]}}
    assert body["_source"] == [*SOURCE, "embedding"]


def test_document_vectors_of_a_missing_index_are_none() -> None:
    cluster = FakeCluster()
    cluster.reply("HEAD", f"/{INDEX}", (404, None))
    chunks, vectors = make_index(cluster).document_vectors("alice", "doc-a")
    assert chunks == [] and vectors.shape == (0, SPACE.dim)
