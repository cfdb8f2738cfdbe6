"""One SQLite file shared by every embedded adapter.

Connections are per thread (FastAPI runs sync handlers in a thread pool); WAL lets readers run beside a writer.
`pysqlite3` is preferred when installed because it is built with extension loading (sqlite-vec needs it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:  # pragma: no cover - which one depends on the platform
    from pysqlite3 import dbapi2 as sqlite3  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sqlite3  # type: ignore[no-redef]

Row = sqlite3.Row
IntegrityError = sqlite3.IntegrityError


class SqliteDatabase:
    """A SQLite file with per-thread connections and explicit write transactions."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._schemas: set[str] = set()
        self._schema_lock = threading.Lock()
        # Writers of this process queue here rather than in SQLite's busy handler, which polls with sleeps of up to
        # 100 ms: under a burst of writes those sleeps, not the writes, made the latency (benchmarks/load.py: case
        # creation p95 about 3x lower with the lock). Other processes (the CLI beside a server) still meet the busy
        # timeout. (`synchronous=NORMAL` was measured too: it made the tail of reads worse and weakens durability.)
        self._write_lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (BEGIN IMMEDIATE), so check-then-write is atomic."""
        conn = self.connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.connection().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.connection().execute(sql, params).fetchone()

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the number of rows changed."""
        with self.transaction() as conn:
            return conn.execute(sql, params).rowcount

    def ensure_schema(self, name: str, ddl: str) -> None:
        """Create an aggregate's tables once per process (the DDL must be idempotent)."""
        if name in self._schemas:
            return
        with self._schema_lock:
            if name not in self._schemas:
                self.connection().executescript(ddl)
                self._schemas.add(name)
