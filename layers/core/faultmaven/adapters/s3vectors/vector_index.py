"""The `VectorIndex` on Amazon S3 Vectors (boto3 `s3vectors`): no servers, nothing billed while idle.

One vector per chunk, keyed by its chunk id. Access is a metadata filter inside each QueryVectors call, and the
index runs in ENHANCED mode, which applies filters before the search, so few visible chunks among many are not
starved. Keyword ranking is S3 Vectors' own full-text search (BM25 over the searchable `content` key); hybrid mode
sends a keyword and a vector query and fuses them with the same reciprocal rank fusion as the other adapters, so
every hit carries both ranks and scores share one scale across adapters.

The CDK stack declares the index (dimension of the configured embedder, the non-filterable keys); CloudFormation
cannot declare full-text search yet, so the adapter adds it on first use. Without a stack (tests, self-hosting) the
adapter creates the index on the first write. A reserved vector records which model made the vectors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from faultmaven.errors import Conflict, InvalidInput
from faultmaven.knowledge.alert_query import search_text
from faultmaven.knowledge.vectors import batch_matrix, fuse_hits, query_inputs
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, EmbeddingSpaceMismatch, PrincipalFilter, SearchHit, SearchMode

if TYPE_CHECKING:
    from faultmaven.settings import Settings

SPACE_KEY = "faultmaven:embedding-space"  # the reserved vector whose metadata names the model
SEARCHABLE_KEY = "content"  # title, headings and text: what BM25 ranks (as the other adapters index it)
TEXT_SEARCH = {"metadataKey": SEARCHABLE_KEY, "language": "en"}
NON_FILTERABLE_KEYS = [SEARCHABLE_KEY, "title", "headings", "ordinal"]  # the rest (owner, scope...) filter queries
MAX_TOP_K = 100  # QueryVectors' documented ceiling per page
MAX_PUT = 500  # PutVectors and DeleteVectors accept at most 500 vectors (keys) per request
MAX_GET = 100  # GetVectors keys per request
MAX_DELETE_ROUNDS = 100  # a document's chunks are found by filtered queries; each round deletes what it found


def index_from_settings(settings: Settings, space: EmbeddingSpace) -> S3VectorsIndex:
    if not settings.s3vectors_bucket:
        raise InvalidInput("FM_S3VECTORS_BUCKET is required when FM_VECTOR_INDEX=s3vectors")
    import boto3  # lazy: only processes that search or ingest pay for it

    client = boto3.client("s3vectors", region_name=settings.aws_region,
                          endpoint_url=settings.s3vectors_endpoint_url or settings.aws_endpoint_url)
    return S3VectorsIndex(client, settings.s3vectors_bucket, settings.s3vectors_index, space)


def access_filter(principal: PrincipalFilter) -> dict[str, Any]:
    """Own chunks, the principal's teams' chunks, and global chunks unless excluded: a QueryVectors filter."""
    allowed: list[dict[str, Any]] = [{"owner_id": {"$eq": principal.owner_id}}]
    if principal.team_ids:
        allowed.append({"$and": [{"scope": {"$eq": "team"}}, {"team_id": {"$in": list(principal.team_ids)}}]})
    if principal.include_global:
        allowed.append({"scope": {"$eq": "global"}})
    return allowed[0] if len(allowed) == 1 else {"$or": allowed}


def metadata_of(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {"owner_id": chunk.owner_id, "document_id": chunk.document_id, "scope": chunk.scope,
                            SEARCHABLE_KEY: chunk.embedding_text, "title": chunk.title,
                            "headings": list(chunk.heading_path), "ordinal": chunk.ordinal}
    if chunk.team_id:
        meta["team_id"] = chunk.team_id
    return meta


def chunk_of(key: str, meta: dict[str, Any]) -> Chunk:
    """The chunk back from its metadata; its text is the searchable content without the title/heading prefix."""
    shell = Chunk(chunk_id=key, document_id=meta["document_id"], owner_id=meta["owner_id"], scope=meta["scope"],
                  team_id=meta.get("team_id"), title=meta.get("title", ""), heading_path=meta.get("headings", []),
                  text="", ordinal=int(meta.get("ordinal", 0)))
    prefix = shell.embedding_text  # the "title > headings" line and its newline, as an empty chunk renders it
    return shell.model_copy(update={"text": str(meta.get(SEARCHABLE_KEY, ""))[len(prefix):]})


class S3VectorsIndex:
    def __init__(self, client: Any, bucket: str, index: str, space: EmbeddingSpace) -> None:
        self._client = client
        self._where = {"vectorBucketName": bucket, "indexName": index}
        self._space = space
        self._ready = False

    @property
    def space(self) -> EmbeddingSpace:
        return self._space

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray | Sequence[Sequence[float]]) -> None:
        matrix = batch_matrix([c.chunk_id for c in chunks], vectors, self._space)
        if not chunks:
            return
        self._ensure_index(bind=True)
        owner_of = {c.chunk_id: c.owner_id for c in chunks}
        for batch in _batches(list(owner_of), MAX_GET):
            stored = self._client.get_vectors(**self._where, keys=batch, returnMetadata=True)["vectors"]
            if any(v.get("metadata", {}).get("owner_id") != owner_of[v["key"]] for v in stored):
                raise Conflict("a chunk id is already used by another owner's document")
        items = [{"key": c.chunk_id, "data": {"float32": row.tolist()}, "metadata": metadata_of(c)}
                 for c, row in zip(chunks, matrix, strict=True)]
        for batch in _batches(items, MAX_PUT):
            self._client.put_vectors(**self._where, vectors=batch)

    def delete_document(self, owner_id: str, document_id: str) -> int:
        if not self._ensure_index(bind=False):
            return 0
        only = {"$and": [{"owner_id": {"$eq": owner_id}}, {"document_id": {"$eq": document_id}}]}
        probe = _unit_vector(self._space.dim)
        deleted = 0
        for _ in range(MAX_DELETE_ROUNDS):  # until a filtered query finds none of the document's chunks left
            keys = [v["key"] for v in self._query(only, MAX_TOP_K * 10, vector=probe, metadata=False)]
            if not keys:
                return deleted
            for batch in _batches(keys, MAX_PUT):
                self._client.delete_vectors(**self._where, keys=batch)
            deleted += len(keys)
        raise Conflict(f"document {document_id} still has chunks after {MAX_DELETE_ROUNDS} delete rounds; retry")

    def document_vectors(self, owner_id: str, document_id: str) -> tuple[list[Chunk], np.ndarray]:
        none = ([], np.zeros((0, self._space.dim), np.float32))
        if not self._ensure_index(bind=False):
            return none
        only = {"$and": [{"owner_id": {"$eq": owner_id}}, {"document_id": {"$eq": document_id}}]}
        keys = [v["key"] for v in self._query(only, MAX_TOP_K * 10, vector=_unit_vector(self._space.dim),
                                               metadata=False)]
        found = [v for batch in _batches(keys, MAX_GET)
                 for v in self._client.get_vectors(**self._where, keys=batch, returnData=True,
                                                   returnMetadata=True)["vectors"]]
        if not found:
            return none
        pairs = sorted(((chunk_of(v["key"], v["metadata"]), v["data"]["float32"]) for v in found),
                       key=lambda pair: pair[0].ordinal)
        return [c for c, _ in pairs], np.asarray([vector for _, vector in pairs], np.float32)

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
        allowed = access_filter(principal)
        keyword: list[tuple[Chunk, float]] = []
        semantic: list[tuple[Chunk, float]] = []
        text = search_text(query_text).strip()[:1024]  # the documented maximum length of one full-text query
        if mode in ("hybrid", "bm25") and text:
            keyword = [(chunk_of(v["key"], v["metadata"]), _bm25(v)) for v in self._query(allowed, depth, text=text)]
        if vector is not None:
            semantic = [(chunk_of(v["key"], v["metadata"]), 1.0 - float(v["distance"]))
                        for v in self._query(allowed, depth, vector=vector)]
        return fuse_hits(keyword, semantic, k, mode, query_text)

    # -- helpers ------------------------------------------------------------------------------------------------

    def _query(self, where: dict[str, Any], depth: int, *, text: str | None = None, vector: np.ndarray | None = None,
               metadata: bool = True) -> list[dict[str, Any]]:
        """Up to `depth` results of one filtered query, best first, following pages of at most MAX_TOP_K."""
        request: dict[str, Any] = {**self._where, "filter": where, "queryMode": "ENHANCED",
                                   "returnMetadata": metadata}
        if text is not None:
            request.update(queryTexts=[{"text": text, "metadataKey": SEARCHABLE_KEY}], returnScores=True)
        if vector is not None:
            request.update(queryVector={"float32": vector.tolist()}, returnDistance=True)
        found: list[dict[str, Any]] = []
        while len(found) < depth:
            page = self._client.query_vectors(**request, topK=min(MAX_TOP_K, depth - len(found)))
            found += page.get("vectors", [])
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
        return found[:depth]

    def _ensure_index(self, *, bind: bool) -> bool:
        """Check (once) that the index holds our model's vectors; create it on the first write. False: no index."""
        if self._ready:
            return True
        from botocore.exceptions import ClientError

        try:
            index = self._client.get_index(**self._where)["index"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                raise
            if not bind:
                return False
            self._create_index()
            self._ready = True
            return True
        dimension = int(index["dimension"])
        searchable = index.get("metadataConfiguration", {}).get("textSearchConfigurations", [])
        if not any(c["metadataKey"] == SEARCHABLE_KEY for c in searchable):  # CloudFormation cannot declare it yet
            self._client.update_metadata_configuration(**self._where, add={"textSearchConfigurations": [TEXT_SEARCH]})
        stored = self._stored_space(dimension)
        if stored != self._space:
            if not (bind and self._is_empty()):
                raise EmbeddingSpaceMismatch(stored, self._space)
            if dimension != self._space.dim:  # an index's dimension is fixed: an empty one is recreated
                self._client.delete_index(**self._where)
                self._create_index()
            else:
                self._record_space()
        self._ready = True
        return True

    def _stored_space(self, dimension: int) -> EmbeddingSpace:
        stored = self._client.get_vectors(**self._where, keys=[SPACE_KEY], returnMetadata=True)["vectors"]
        model_id = stored[0]["metadata"]["model_id"] if stored else "an unrecorded model"
        return EmbeddingSpace(model_id=model_id, dim=dimension)

    def _is_empty(self) -> bool:
        """No vector but the reserved one (pages may come back empty before the listing ends)."""
        request: dict[str, Any] = {**self._where, "maxResults": 2}
        while True:
            page = self._client.list_vectors(**request)
            if any(v["key"] != SPACE_KEY for v in page.get("vectors", [])):
                return False
            if not page.get("nextToken"):
                return True
            request["nextToken"] = page["nextToken"]

    def _create_index(self) -> None:
        self._client.create_index(
            **self._where, dataType="float32", dimension=self._space.dim, distanceMetric="cosine",
            metadataConfiguration={"nonFilterableMetadataKeys": NON_FILTERABLE_KEYS,
                                   "textSearchConfigurations": [TEXT_SEARCH]})
        self._record_space()

    def _record_space(self) -> None:
        """The reserved vector: a unit vector no access filter matches (it has no owner and no scope)."""
        data = _unit_vector(self._space.dim).tolist()
        self._client.put_vectors(**self._where, vectors=[{"key": SPACE_KEY, "data": {"float32": data}, "metadata": {
            "model_id": self._space.model_id, "dim": self._space.dim}}])


def _bm25(vector: dict[str, Any]) -> float:
    return sum(float(s["score"]) for s in vector.get("scores", {}).get("bm25Scores", []))


def _unit_vector(dim: int) -> np.ndarray:
    vector = np.zeros(dim, np.float32)
    vector[0] = 1.0
    return vector


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
