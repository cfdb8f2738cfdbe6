"""The `VectorIndex` on OpenSearch: Serverless (SigV4, service "aoss") in the cloud, plain OpenSearch in compose.

Request bodies live in `queries`. Documents carry no custom `_id` (Serverless vector collections refuse them), so
replacing or deleting chunks first finds their OpenSearch ids by an exact filter, then bulk-deletes those ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from faultmaven.adapters.opensearch import queries
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.knowledge.alert_query import search_text
from faultmaven.knowledge.vectors import batch_matrix, fuse_hits, query_inputs
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, EmbeddingSpaceMismatch, PrincipalFilter, SearchHit, SearchMode

if TYPE_CHECKING:
    from faultmaven.settings import Settings

MAX_CHUNKS_PER_DOCUMENT = 10_000  # one id lookup covers a whole document (the default max_result_window)


def client_from_settings(settings: Settings) -> Any:
    """An opensearch-py client: SigV4 (Serverless or a managed domain), basic auth, or none, by settings."""
    from opensearchpy import OpenSearch, RequestsHttpConnection

    if not settings.opensearch_url:
        raise InvalidInput("FM_OPENSEARCH_URL is required when FM_VECTOR_INDEX=opensearch")
    auth: Any = None
    if settings.opensearch_auth == "sigv4":
        import boto3
        from opensearchpy import AWSV4SignerAuth

        credentials = boto3.Session().get_credentials()
        auth = AWSV4SignerAuth(credentials, settings.aws_region, settings.opensearch_sigv4_service)
    elif settings.opensearch_auth == "basic":
        password = settings.opensearch_password.get_secret_value() if settings.opensearch_password else ""
        auth = (settings.opensearch_username or "", password)
    return OpenSearch(
        hosts=[settings.opensearch_url],
        http_auth=auth,
        use_ssl=settings.opensearch_url.startswith("https"),
        verify_certs=True,
        connection_class=RequestsHttpConnection,
        timeout=30,
    )


class OpenSearchVectorIndex:
    def __init__(self, client: Any, index: str, space: EmbeddingSpace, *, refresh: bool = False) -> None:
        """`refresh=True` makes writes visible to the next search (plain OpenSearch; Serverless refreshes itself)."""
        self._client = client
        self._index = index
        self._space = space
        self._refresh = refresh
        self._ready = False

    @property
    def space(self) -> EmbeddingSpace:
        return self._space

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray | Sequence[Sequence[float]]) -> None:
        matrix = batch_matrix([c.chunk_id for c in chunks], vectors, self._space)
        if not chunks:
            return
        self._ensure_index(bind=True)
        stored = self._find({"terms": {"chunk_id": [c.chunk_id for c in chunks]}})
        owner_of = {c.chunk_id: c.owner_id for c in chunks}
        if any(owner_of[src["chunk_id"]] != src["owner_id"] for _, src in stored):
            raise Conflict("a chunk id is already used by another owner's document")
        actions = queries.bulk_delete_actions(self._index, [doc_id for doc_id, _ in stored])
        actions += queries.bulk_index_actions(self._index, chunks, matrix.tolist())
        queries.check_bulk(self._client.bulk(body=actions, params=self._write_params()))

    def delete_document(self, owner_id: str, document_id: str) -> int:
        if not self._ensure_index(bind=False):
            return 0
        stored = self._find({"term": {"owner_id": owner_id}}, {"term": {"document_id": document_id}})
        if stored:
            actions = queries.bulk_delete_actions(self._index, [doc_id for doc_id, _ in stored])
            queries.check_bulk(self._client.bulk(body=actions, params=self._write_params()))
        return len(stored)

    def document_vectors(self, owner_id: str, document_id: str) -> tuple[list[Chunk], np.ndarray]:
        if not self._ensure_index(bind=False):
            return [], np.zeros((0, self._space.dim), np.float32)
        body = queries.document_vectors_query(owner_id, document_id, MAX_CHUNKS_PER_DOCUMENT)
        hits = sorted(queries.hits_of(self._client.search(index=self._index, body=body)),
                      key=lambda hit: hit["_source"]["ordinal"])
        vectors = np.asarray([hit["_source"]["embedding"] for hit in hits], np.float32)
        return [queries.chunk_of(hit) for hit in hits], vectors.reshape(len(hits), self._space.dim)

    def search(
        self,
        query_text: str,
        query_vector: np.ndarray | Sequence[float] | None,
        principal: PrincipalFilter,
        k: int = 10,
        mode: SearchMode = "hybrid",
    ) -> list[SearchHit]:
        depth, vector = query_inputs(k, mode, query_vector, self._space)
        if not self._ensure_index(bind=False):
            return []
        bodies: list[dict[str, Any]] = []
        if mode in ("hybrid", "bm25") and query_text.strip():
            bodies.append(queries.bm25_query(search_text(query_text), principal, depth))
        if vector is not None and mode in ("hybrid", "vector"):
            bodies.append(queries.knn_query(vector.tolist(), principal, depth))
        if not bodies:
            return []
        request: list[dict[str, Any]] = []
        for body in bodies:
            request += [{"index": self._index}, body]
        responses = self._client.msearch(body=request)["responses"]
        lists = [queries.hits_of(r) for r in responses]
        keyword = lists[0] if mode in ("hybrid", "bm25") and query_text.strip() else []
        semantic = lists[-1] if vector is not None and mode in ("hybrid", "vector") else []
        return _fuse(keyword, semantic, k, mode, query_text)

    # -- helpers ------------------------------------------------------------------------------------------------

    def _find(self, *filters: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        response = self._client.search(
            index=self._index, body=queries.chunk_ids_query(list(filters), MAX_CHUNKS_PER_DOCUMENT)
        )
        return [(hit["_id"], hit["_source"]) for hit in queries.hits_of(response)]

    def _write_params(self) -> dict[str, str]:
        return {"refresh": "true"} if self._refresh else {}

    def _ensure_index(self, *, bind: bool) -> bool:
        """Check (once) that the index holds our model's vectors; create it on the first write. False: no index."""
        if self._ready:
            return True
        if not self._client.indices.exists(index=self._index):
            if not bind:
                return False
            self._client.indices.create(index=self._index, body=queries.index_body(self._space))
            self._ready = True
            return True
        stored = queries.stored_space(self._client.indices.get_mapping(index=self._index), self._index)
        if stored is not None and stored != self._space:
            empty = self._client.count(index=self._index)["count"] == 0
            if not (bind and empty):
                raise EmbeddingSpaceMismatch(stored, self._space)
            # The vector dimension of a mapping cannot change: an empty index is recreated for the new model.
            self._client.indices.delete(index=self._index)
            self._client.indices.create(index=self._index, body=queries.index_body(self._space))
        self._ready = True
        return True


def _fuse(keyword: list[dict[str, Any]], semantic: list[dict[str, Any]], k: int, mode: SearchMode,
          query_text: str) -> list[SearchHit]:
    def pairs(hits: list[dict[str, Any]]) -> list[tuple[Chunk, float]]:
        return [(queries.chunk_of(hit), float(hit["_score"])) for hit in hits]

    return fuse_hits(pairs(keyword), pairs(semantic), k, mode, query_text)
