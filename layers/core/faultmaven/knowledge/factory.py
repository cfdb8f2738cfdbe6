"""Picks the embedder and the vector index from settings (once, at cold start); heavy imports stay lazy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faultmaven.adapters.sqlite.db import SqliteDatabase
    from faultmaven.ports.embedder import Embedder, EmbeddingSpace
    from faultmaven.ports.vector_index import VectorIndex
    from faultmaven.settings import Settings


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "bedrock":
        from faultmaven.knowledge.bedrock_embedder import BedrockEmbedder

        return BedrockEmbedder(
            settings.bedrock_embedding_model_id,
            dimensions=settings.bedrock_embedding_dimensions,
            region=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
        )
    from faultmaven.knowledge.onnx_embedder import OnnxMiniLmEmbedder

    return OnnxMiniLmEmbedder()


def build_vector_index(settings: Settings, space: EmbeddingSpace, db: SqliteDatabase | None = None) -> VectorIndex:
    """The index for the embedder's space: SQLite (needs the shared database) or OpenSearch."""
    if settings.vector_index == "opensearch":
        from faultmaven.adapters.opensearch.vector_index import OpenSearchVectorIndex, client_from_settings

        return OpenSearchVectorIndex(client_from_settings(settings), settings.opensearch_index, space)
    if db is None:
        raise ValueError("the SQLite vector index needs the shared SqliteDatabase")
    from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex

    return SqliteVectorIndex(db, space)
