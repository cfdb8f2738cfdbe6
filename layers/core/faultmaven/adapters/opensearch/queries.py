"""The request bodies the OpenSearch vector index sends, and the parsing of what comes back.

Pure functions over dicts, so tests can compare them with the documented request and response formats.

Hybrid choice: two queries (BM25 `multi_match` and `knn`) in one `_msearch` round trip, fused client-side by the same
reciprocal rank fusion as the embedded index. The `hybrid` query with a normalization search pipeline would fuse
server-side, but it needs a search pipeline created per cluster, and RRF in that pipeline needs OpenSearch 2.19;
client-side fusion runs the same on OpenSearch Serverless, a managed domain and the compose container.

Access is a filter clause inside both queries. In `knn` it is an efficient filter (faiss/lucene engines): the
engine searches only the allowed vectors (exactly, when few are allowed), so a user with few chunks among many
others still gets k results — a post-filter would starve them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faultmaven.errors import Unavailable
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, PrincipalFilter

SOURCE_FIELDS = ["chunk_id", "document_id", "owner_id", "scope", "team_id", "title", "heading_path", "text", "ordinal"]
TEXT_FIELDS = ["title^3", "heading_path^2", "text"]  # a word in the title or a heading says more than in the body


def index_body(space: EmbeddingSpace) -> dict[str, Any]:
    """Settings and mapping of a chunk index; `_meta` records which model made its vectors."""
    keyword = {"type": "keyword"}
    text = {"type": "text", "analyzer": "english"}
    return {
        "settings": {"index": {"knn": True}},
        "mappings": {
            "_meta": {"embedding_model_id": space.model_id, "embedding_dim": space.dim},
            "properties": {
                "chunk_id": keyword,
                "document_id": keyword,
                "owner_id": keyword,
                "scope": keyword,
                "team_id": keyword,
                "title": text,
                "heading_path": text,
                "text": text,
                "ordinal": {"type": "integer"},
                "embedding": {
                    "type": "knn_vector",
                    "dimension": space.dim,
                    "method": {
                        "name": "hnsw",
                        "engine": "faiss",
                        "space_type": "innerproduct",  # vectors are unit length: inner product is cosine
                        "parameters": {"m": 16, "ef_construction": 128},
                    },
                },
            },
        },
    }


def stored_space(mapping_response: dict[str, Any], index: str) -> EmbeddingSpace | None:
    """The embedding space recorded in an index mapping (GET /<index>/_mapping), if any."""
    meta = mapping_response.get(index, {}).get("mappings", {}).get("_meta") or {}
    if "embedding_model_id" not in meta:
        return None
    return EmbeddingSpace(model_id=meta["embedding_model_id"], dim=int(meta["embedding_dim"]))


def access_filter(principal: PrincipalFilter) -> dict[str, Any]:
    """Visible chunks: the principal's own, their teams' team chunks, and global ones when asked for."""
    should: list[dict[str, Any]] = [{"term": {"owner_id": principal.owner_id}}]
    if principal.team_ids:
        should.append({"bool": {"filter": [{"term": {"scope": "team"}}, {"terms": {"team_id": principal.team_ids}}]}})
    if principal.include_global:
        should.append({"term": {"scope": "global"}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def bm25_query(text: str, principal: PrincipalFilter, size: int) -> dict[str, Any]:
    return {
        "size": size,
        "_source": SOURCE_FIELDS,
        "query": {
            "bool": {
                "must": [{"multi_match": {"query": text, "fields": TEXT_FIELDS, "type": "most_fields"}}],
                "filter": [access_filter(principal)],
            }
        },
    }


def knn_query(vector: Sequence[float], principal: PrincipalFilter, size: int) -> dict[str, Any]:
    return {
        "size": size,
        "_source": SOURCE_FIELDS,
        "query": {"knn": {"embedding": {"vector": [float(x) for x in vector], "k": size,
                                        "filter": access_filter(principal)}}},
    }


def chunk_ids_query(filters: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """Find stored chunks by exact field values (to replace or delete them); returns ids and owners only."""
    return {"size": size, "_source": ["chunk_id", "owner_id"], "query": {"bool": {"filter": filters}}}


def document_vectors_query(owner_id: str, document_id: str, size: int) -> dict[str, Any]:
    """One owner's document's chunks with their vectors (export)."""
    return {"size": size, "_source": [*SOURCE_FIELDS, "embedding"],
            "query": {"bool": {"filter": [{"term": {"owner_id": owner_id}}, {"term": {"document_id": document_id}}]}}}


def chunk_document(chunk: Chunk, vector: Sequence[float]) -> dict[str, Any]:
    return {**chunk.model_dump(include=set(SOURCE_FIELDS)), "embedding": [float(x) for x in vector]}


def bulk_index_actions(index: str, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> list[dict[str, Any]]:
    """Index actions without `_id`: OpenSearch Serverless vector collections assign their own document ids."""
    actions: list[dict[str, Any]] = []
    for chunk, vector in zip(chunks, vectors, strict=True):
        actions += [{"index": {"_index": index}}, chunk_document(chunk, vector)]
    return actions


def bulk_delete_actions(index: str, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
    return [{"delete": {"_index": index, "_id": doc_id}} for doc_id in doc_ids]


def check_bulk(response: dict[str, Any]) -> None:
    """Raise when any item of a bulk request failed (a missing document on delete is not a failure)."""
    if not response.get("errors"):
        return
    for item in response.get("items", []):
        (op, result), = item.items()
        if result.get("status", 200) >= 300 and not (op == "delete" and result.get("status") == 404):
            reason = (result.get("error") or {}).get("type", "unknown")
            raise Unavailable(f"OpenSearch bulk {op} failed: {reason}")


def hits_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The hits of one search response; an error response (also inside `_msearch`) raises."""
    if "error" in response:
        error = response["error"]
        kind = error.get("type", "error") if isinstance(error, dict) else str(error)
        raise Unavailable(f"OpenSearch search failed: {kind}")
    return list(response.get("hits", {}).get("hits", []))


def chunk_of(hit: dict[str, Any]) -> Chunk:
    return Chunk.model_validate({k: v for k, v in hit["_source"].items() if k in SOURCE_FIELDS})
