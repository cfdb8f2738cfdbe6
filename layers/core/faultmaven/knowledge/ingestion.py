"""Ingestion: a stored upload becomes searchable chunks — extract → chunk → embed → index — and its status says so.

A document is `pending` from upload until ingestion ends as `indexed` (with its chunk count) or `failed` (with the
reason). Whatever goes wrong inside `Ingestor.ingest` ends as `failed`; a run that dies outright (a killed process,
a Lambda timeout) is caught by the service, which reports a document pending for too long as failed.

Who runs it: embedded, a background thread (`BackgroundIngestion`) so the upload answers at once; in the cloud the
upload only writes the file to S3 and the bucket's event invokes the ingest function (`S3EventIngestion`).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from faultmaven.clock import iso, now
from faultmaven.errors import DomainError
from faultmaven.http.logging import logger
from faultmaven.knowledge.chunking import ChunkingOptions, DocumentRef, chunk_document
from faultmaven.knowledge.extract import ExtractedText, extract_text
from faultmaven.knowledge.keys import raw_key, text_key
from faultmaven.ports.blobs import BlobStore
from faultmaven.ports.documents import DocumentRecord, DocumentRepository
from faultmaven.ports.embedder import Embedder
from faultmaven.ports.vector_index import Chunk, VectorIndex

PREVIEW_CHARS = 300
# Texts per embedder call: the embedder sorts each call's texts by length into padded batches, so a larger call
# wastes less padding; after each call the document's progress is recorded.
_EMBED_BATCH = 256
_MAX_ERROR_CHARS = 500


class Ingestor:
    def __init__(self, documents: DocumentRepository, blobs: BlobStore, embedder: Embedder, index: VectorIndex,
                 options: ChunkingOptions | None = None) -> None:
        self.documents = documents
        self.blobs = blobs
        self.embedder = embedder
        self.index = index
        self.options = options or ChunkingOptions()

    def ingest(self, document_id: str) -> DocumentRecord | None:
        """Index one document now; returns its record afterwards, or None when it no longer exists."""
        doc = self.documents.get(document_id)
        if doc is None:
            return None
        self.documents.set_status(document_id, "pending", updated_at=iso(now()))  # restarts the staleness clock
        try:
            chunk_count, preview, title = self._index(doc)
        except Exception as exc:  # every failure must end as `failed`, never leave the document pending
            reason = _reason(exc)
            logger.warning("knowledge ingestion failed", extra={"document_id": document_id,
                                                                "error_type": type(exc).__name__})
            self.documents.set_status(document_id, "failed", error=reason, updated_at=iso(now()))
            return self.documents.get(document_id)
        if not self.documents.set_status(document_id, "indexed", chunk_count=chunk_count, preview=preview,
                                         title=title, updated_at=iso(now())):
            self.index.delete_document(doc.owner_id, document_id)  # deleted while we were indexing it
            return None
        return self.documents.get(document_id)

    def _index(self, doc: DocumentRecord) -> tuple[int, str, str | None]:
        extracted = extract_text(doc.filename, self.blobs.get(raw_key(doc.document_id)))
        self.blobs.put(text_key(doc.document_id), extracted.text.encode(), "text/plain; charset=utf-8")
        auto_title = bool(doc.metadata.get("auto_title"))
        ref = DocumentRef(document_id=doc.document_id, owner_id=doc.owner_id, scope=doc.scope, team_id=doc.team_id,
                          title="" if auto_title else doc.title)
        chunks, title = document_chunks(extracted, ref, doc.title, self.options)
        current = self.documents.get(doc.document_id) if extracted.front_matter else None
        if current is not None and current.metadata.get("front_matter") != extracted.front_matter:
            self.documents.update_metadata(current.model_copy(update={  # kept as fields, out of the indexed text
                "metadata": {**current.metadata, "front_matter": extracted.front_matter}}))
        texts = [c.embedding_text for c in chunks]
        vectors = []
        for start in range(0, len(texts), _EMBED_BATCH):
            vectors.append(self.embedder.embed(texts[start : start + _EMBED_BATCH]))
            self.documents.set_progress(doc.document_id, chunks_embedded=start + len(vectors[-1]),
                                        chunk_count=len(texts), updated_at=iso(now()))
        import numpy as np

        self.index.delete_document(doc.owner_id, doc.document_id)  # a re-ingest may make fewer chunks than before
        self.index.upsert(chunks, np.concatenate(vectors))
        return len(chunks), " ".join(extracted.text.split())[:PREVIEW_CHARS], title


def document_chunks(extracted: ExtractedText, ref: DocumentRef, fallback_title: str,
                    options: ChunkingOptions | None = None) -> tuple[list[Chunk], str | None]:
    """The chunks of an extracted document, and the title found for it when `ref` has none (else None)."""
    chunks = chunk_document(extracted.text, ref, extracted.fmt, options)
    if not chunks:
        raise ValueError("the document has no text to index")
    title = None if ref.title else (extracted.title or chunks[0].title or fallback_title)
    if title:
        chunks = [c.model_copy(update={"title": title}) for c in chunks]
    return chunks, title


def _reason(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.detail[:_MAX_ERROR_CHARS]
    if isinstance(exc, ValueError):
        return str(exc)[:_MAX_ERROR_CHARS]
    return f"ingestion failed unexpectedly ({type(exc).__name__}); upload the document again to retry"


class IngestionRunner(Protocol):
    """Starts ingestion after an upload, or again after a change that alters the chunks (title, scope)."""

    def after_upload(self, document_id: str) -> Future[DocumentRecord | None] | None:
        """Start ingesting a just-uploaded document; a Future when the caller may wait for it here."""

    def reingest(self, document_id: str) -> Future[DocumentRecord | None] | None: ...


class BackgroundIngestion:
    """Embedded: ingestion on a small thread pool of this process."""

    def __init__(self, ingestor: Ingestor, workers: int = 1) -> None:
        self.ingestor = ingestor
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="kb-ingest")
            return self._executor

    def after_upload(self, document_id: str) -> Future[DocumentRecord | None]:
        return self._pool().submit(self.ingestor.ingest, document_id)

    reingest = after_upload

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None


class S3EventIngestion:
    """Cloud: writing the upload under `kb/raw/` fires the bucket's event, which invokes the ingest function."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def after_upload(self, document_id: str) -> None:
        return None  # the upload's own PUT already fired the event

    def reingest(self, document_id: str) -> None:
        key = raw_key(document_id)
        self.blobs.put(key, self.blobs.get(key), "application/octet-stream")  # a new ObjectCreated event
