"""Re-index: after the embedding model changes, every chunk gets a vector of the new model, then search uses them.

The work is done in small steps by the index (`Reindexable.reindex_step`), which keeps what is done in the database:
a re-index that is stopped (a restart, Ctrl-C) resumes where it was, and any process sees how far it is. Until it
completes, search answers the "embedding model mismatch" error of the old index; uploads go on (their vectors are
written in the new model). Embedded only: the cloud's OpenSearch index is rebuilt by re-ingesting documents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from faultmaven.errors import Conflict
from faultmaven.http.logging import logger
from faultmaven.ports.embedder import Embedder
from faultmaven.ports.vector_index import Reindexable, ReindexStatus, VectorIndex

BATCH = 64  # chunks embedded and stored per step


class Reindexer:
    """Runs a re-index in this process: to the end (the CLI), or on a background thread (the admin route)."""

    def __init__(self, index: VectorIndex, embedder: Embedder, batch: int = BATCH) -> None:
        self._index = index
        self._embedder = embedder
        self._batch = batch
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> ReindexStatus:
        return self._reindexable().reindex_status()

    def run(self, progress: Callable[[ReindexStatus], None] | None = None) -> ReindexStatus:
        """Re-index to the end; `progress` hears after each step."""
        index = self._reindexable()
        while True:
            status = index.reindex_step(lambda texts: self._embedder.embed(texts), self._batch)
            if progress is not None:
                progress(status)
            if status.complete:
                return status

    def start(self) -> ReindexStatus:
        """Start re-indexing on a background thread unless it is already running or there is nothing to do."""
        status = self.status()
        with self._lock:
            if not status.complete and not self.running:
                self._thread = threading.Thread(target=self._run_logged, name="kb-reindex", daemon=True)
                self._thread.start()
        return status

    def _run_logged(self) -> None:
        try:
            status = self.run()
            logger.info("knowledge re-index complete", extra={"chunks": status.total, "model": status.target_model})
        except Exception as exc:  # the progress so far is kept: starting again resumes
            logger.warning("knowledge re-index stopped", extra={"error_type": type(exc).__name__})

    def _reindexable(self) -> Reindexable:
        if not isinstance(self._index, Reindexable):
            raise Conflict("this deployment's vector index cannot be re-indexed in place; re-ingest the documents",
                           code="REINDEX_UNSUPPORTED")
        return self._index
