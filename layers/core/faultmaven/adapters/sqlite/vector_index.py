"""Embedded vector index: SQLite FTS5 for BM25, an in-memory float32 matrix for vector search, fused per document.

Why not sqlite-vec: its brute-force KNN is slower than one numpy matrix product (STACK-FACTS: 39 ms vs 8 ms p95 at
100k x 384 floats) and its KNN cannot take our "mine, my teams', or global" OR-filter before the top k. Here the
vectors live in the chunk rows (float32 blobs, so the SQLite file stays the one source of truth) and are mirrored in
memory on first search. Only the rows the principal may see are scored before the top k is taken — no post-filter,
no starvation: the keyword list is FTS5's bm25 computed in memory over the visible rows (`KeywordScorer`; FTS5 itself,
with access tokens in its MATCH, for queries it reads as phrases), checked once more in SQL; the vectors are scored
exactly, or for a view of `PREFILTER_MIN_ROWS`+ rows in two steps (sign bits, then floats). The mirror is loaded
grouped by access, so those rows are a few contiguous runs. Hybrid mode makes both lists on the calling thread: each
takes about a millisecond warm, and handing one to a worker thread cost more (a GIL switch, up to 5 ms under load).

Several processes may share the file (the server and `faultmaven kb add`): every write bumps a generation counter,
and a search that finds the counter moved by someone else reloads the matrix.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from faultmaven.adapters.sqlite.db import IntegrityError, Row, SqliteDatabase, sqlite3
from faultmaven.adapters.sqlite.keyword_scorer import VOCABULARY_DDL, KeywordScorer
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.knowledge.alert_query import alert_names, named_first, search_text, title_weighting
from faultmaven.knowledge.query_terms import name_parts, query_terms
from faultmaven.knowledge.ranking import Fusion, hybrid_ranking
from faultmaven.knowledge.vectors import as_matrix, batch_matrix, list_depth
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import (
    Chunk,
    EmbeddingSpaceMismatch,
    PrincipalFilter,
    ReindexStatus,
    SearchHit,
    SearchMode,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO kb_index_meta (key, value) VALUES ('generation', '0');
CREATE TABLE IF NOT EXISTS kb_chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('personal', 'team', 'global')),
    team_id TEXT,
    title TEXT NOT NULL,
    heading_path TEXT NOT NULL,
    text TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    access TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT ''
);
-- Vectors apart from the text, so loading them all reads only vector pages.
CREATE TABLE IF NOT EXISTS kb_vectors (rowid INTEGER PRIMARY KEY, vector BLOB NOT NULL);
-- A re-index in progress: vectors of the model named by the meta key 'reindex_model_id', moved to kb_vectors once
-- every chunk has one.
CREATE TABLE IF NOT EXISTS kb_vectors_next (rowid INTEGER PRIMARY KEY, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS kb_chunks_by_document ON kb_chunks (owner_id, document_id);
"""
# The keyword index. `names` holds the words of the chunk's CamelCase names (see `name_parts`); an index made before
# that column existed is rebuilt once by `_migrate_keyword_index`.
_FTS_STATEMENTS = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS kb_chunks_fts USING fts5(
        title, heading_path, text, names, access, content='kb_chunks', content_rowid='rowid',
        tokenize='porter unicode61'
    )""",
    """CREATE TRIGGER IF NOT EXISTS kb_chunks_fts_insert AFTER INSERT ON kb_chunks BEGIN
        INSERT INTO kb_chunks_fts (rowid, title, heading_path, text, names, access)
        VALUES (new.rowid, new.title, new.heading_path, new.text, new.names, new.access);
    END""",
    """CREATE TRIGGER IF NOT EXISTS kb_chunks_fts_delete AFTER DELETE ON kb_chunks BEGIN
        INSERT INTO kb_chunks_fts (kb_chunks_fts, rowid, title, heading_path, text, names, access)
        VALUES ('delete', old.rowid, old.title, old.heading_path, old.text, old.names, old.access);
        DELETE FROM kb_vectors WHERE rowid = old.rowid;
    END""",
    VOCABULARY_DDL,  # the keyword index's posting lists, read by `KeywordScorer`
)
_CHUNK_COLUMNS = "rowid, chunk_id, document_id, owner_id, scope, team_id, title, heading_path, text, ordinal"
# BM25 weights of title, heading path, text and names (the access tokens never score): a query word in the title or
# a heading says more than one in the body. Chosen by cross-validation in benchmarks/retrieval.py. (An explicit
# bm25() measured ~2x faster than the same weights as the `rank` option.)
KEYWORD_WEIGHTS = (3.0, 2.0, 1.0, 0.5)
_SCOPE_CODES = {"personal": 0, "team": 1, "global": 2}
_VISIBILITY_CACHE = 64  # principals whose visible rows are kept between searches (all dropped on any change)
_MAX_SLICES = 16  # a view in at most this many contiguous runs is scored slice by slice
# Views of at least this many rows are searched in two steps: the sign bits of every vector (48 bytes for 384 dims,
# an eighth of the floats' memory traffic) pick the rows nearest by Hamming distance, `_OVERSAMPLE` times the depth
# asked for (at least `_MIN_CANDIDATES`), and only those are scored exactly. benchmarks/retrieval_speed.py measures
# the recall of this against exact search.
PREFILTER_MIN_ROWS = 20_000
_OVERSAMPLE = 8
_MIN_CANDIDATES = 400


@dataclass(frozen=True)
class _View:
    """The rows one principal may see, ascending, and the same rows as contiguous [start, stop) runs when few;
    `rowids`: the same rows as a mask indexed by rowid (what the keyword scorer filters with)."""

    rows: np.ndarray
    runs: list[tuple[int, int]] | None
    rowids: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray, rowids: np.ndarray) -> _View:
        mask = np.zeros(int(rowids.max(initial=0)) + 1, bool)
        mask[rowids[rows]] = True
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        if breaks.size >= _MAX_SLICES:
            return cls(rows, None, mask)
        starts, ends = np.r_[0, breaks], np.r_[breaks, rows.size]
        runs = [(int(rows[a]), int(rows[b - 1]) + 1) for a, b in zip(starts, ends, strict=True) if b > a]
        return cls(rows, runs, mask)


@dataclass
class _Mirror:
    """The vectors and access columns of every chunk, in memory; `size` rows are in use, the rest is slack."""

    generation: int
    dim: int
    size: int = 0
    rowids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    # The sign bits of each vector, word-major (word j of every row is one contiguous array): the Hamming distance
    # is then a few passes over long arrays, ~6x faster than summing each row's few words.
    bits: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), np.uint64))
    owners: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    teams: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # -1 when not a team chunk
    scopes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    codes: dict[str, int] = field(default_factory=dict)  # owner and team ids interned to small ints
    position: dict[int, int] = field(default_factory=dict)  # rowid -> row
    visibility: dict[tuple[str, frozenset[str], bool], _View] = field(default_factory=dict)

    def code(self, name: str) -> int:
        return self.codes.setdefault(name, len(self.codes))

    def append(self, rowids: list[int], vectors: np.ndarray, access: Sequence[tuple[str, str, str | None]]) -> None:
        """Add rows; `access` holds (owner_id, scope, team_id) per row."""
        need = self.size + len(rowids)
        if need > len(self.rowids):
            self._grow(max(need, 2 * len(self.rowids), 1024))
        end = self.size + len(rowids)
        self.rowids[self.size : end] = rowids
        self.vectors[self.size : end] = vectors
        self.bits[:, self.size : end] = _sign_bits(vectors).T
        self.owners[self.size : end] = [self.code(owner) for owner, _, _ in access]
        self.scopes[self.size : end] = [_SCOPE_CODES[scope] for _, scope, _ in access]
        self.teams[self.size : end] = [self.code(team) if team else -1 for _, _, team in access]
        self.alive[self.size : end] = True
        self.position.update((rowid, self.size + i) for i, rowid in enumerate(rowids))
        self.size = end
        self.visibility.clear()

    def remove(self, rowids: Sequence[int]) -> None:
        for rowid in rowids:
            row = self.position.pop(rowid, None)
            if row is not None:
                self.alive[row] = False
                self.visibility.clear()

    def _grow(self, capacity: int) -> None:
        # New arrays rather than in-place resizing: a search running meanwhile keeps its own references.
        def grown(old: np.ndarray, shape: tuple[int, ...], dtype: type) -> np.ndarray:
            new = np.zeros(shape, dtype)
            new[: self.size] = old[: self.size]
            return new

        bits = np.zeros((_bit_words(self.dim), capacity), np.uint64)
        bits[:, : self.size] = self.bits[:, : self.size]

        self.rowids = grown(self.rowids, (capacity,), np.int64)
        self.vectors = grown(self.vectors, (capacity, self.dim), np.float32)
        self.bits = bits
        self.owners = grown(self.owners, (capacity,), np.int32)
        self.teams = grown(self.teams, (capacity,), np.int32)
        self.scopes = grown(self.scopes, (capacity,), np.int8)
        self.alive = grown(self.alive, (capacity,), bool)

    def view(self, principal: PrincipalFilter) -> _View:
        """Rows the principal may see; remembered until the mirror changes (a wide view is costly to build)."""
        key = (principal.owner_id, frozenset(principal.team_ids), principal.include_global)
        view = self.visibility.get(key)
        if view is None:
            if len(self.visibility) >= _VISIBILITY_CACHE:
                self.visibility.clear()
            view = self.visibility[key] = _View.of(np.flatnonzero(self._visible_mask(principal)),
                                                   self.rowids[: self.size])
        return view

    def _visible_mask(self, principal: PrincipalFilter) -> np.ndarray:
        """Their own rows, their teams' team chunks, and global ones if asked for."""
        n = self.size
        mask = self.alive[:n] & (self.owners[:n] == self.codes.get(principal.owner_id, -2))
        team_codes = [self.codes[t] for t in principal.team_ids if t in self.codes]
        if team_codes:
            mask |= self.alive[:n] & (self.scopes[:n] == _SCOPE_CODES["team"]) & np.isin(self.teams[:n], team_codes)
        if principal.include_global:
            mask |= self.alive[:n] & (self.scopes[:n] == _SCOPE_CODES["global"])
        return mask


class SqliteVectorIndex:
    """The embedded `VectorIndex`, in the shared SQLite file."""

    def __init__(self, db: SqliteDatabase, space: EmbeddingSpace, *, fusion: Fusion | None = None,
                 keyword_weights: tuple[float, float, float, float] = KEYWORD_WEIGHTS,
                 prefilter_min_rows: int | None = PREFILTER_MIN_ROWS, read_alerts: bool = True) -> None:
        """`prefilter_min_rows`: from how many visible rows on vector search is two-step (None: always exact);
        `read_alerts`: whether an alert notification's keyword search is read by alert_query.py (benchmarks/retrieval.py
        compares both)."""
        self._db = db
        self._read_alerts = read_alerts
        self._prefilter_min_rows = prefilter_min_rows
        self._space = space
        self._fusion = fusion or Fusion()
        self._bm25_weights = ", ".join(str(float(w)) for w in (*keyword_weights, 0.0))
        self._keywords = KeywordScorer(db, keyword_weights)
        self._lock = threading.Lock()
        self._mirror: _Mirror | None = None
        self._space_checked = False
        db.ensure_schema("kb_vector_index", _SCHEMA)
        _migrate_keyword_index(db)
        db.ensure_schema("kb_vector_index_fts", ";\n".join(_FTS_STATEMENTS) + ";")

    @property
    def space(self) -> EmbeddingSpace:
        return self._space

    # -- writes -------------------------------------------------------------------------------------------------

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray | Sequence[Sequence[float]]) -> None:
        matrix = batch_matrix([c.chunk_id for c in chunks], vectors, self._space)
        if not chunks:
            return
        with self._lock, self._db.transaction() as conn:
            reindexing = self._check_space(conn, bind=True)
            generation = self._bump_generation(conn)
            replaced = self._delete_replaced(conn, chunks)
            rowids: list[int] = []
            try:
                for chunk, vector in zip(chunks, matrix, strict=True):
                    cursor = conn.execute(
                        "INSERT INTO kb_chunks (chunk_id, document_id, owner_id, scope, team_id, title, heading_path,"
                        " text, ordinal, access, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (chunk.chunk_id, chunk.document_id, chunk.owner_id, chunk.scope, chunk.team_id, chunk.title,
                         json.dumps(chunk.heading_path), chunk.text, chunk.ordinal, _chunk_access(chunk),
                         _chunk_names(chunk.title, chunk.heading_path, chunk.text)),
                    )
                    rowids.append(int(cursor.lastrowid))
                    conn.execute("INSERT INTO kb_vectors (rowid, vector) VALUES (?, ?)", (rowids[-1], vector.tobytes()))
                    if reindexing:  # written in the new model's space while the index moves to it
                        conn.execute("INSERT OR REPLACE INTO kb_vectors_next (rowid, vector) VALUES (?, ?)",
                                     (rowids[-1], vector.tobytes()))
            except IntegrityError as exc:
                raise Conflict("a chunk id is already used by another owner's document") from exc
            access = [(c.owner_id, c.scope, c.team_id) for c in chunks]
            self._follow(generation, replaced, (rowids, matrix, access))

    def delete_document(self, owner_id: str, document_id: str) -> int:
        with self._lock, self._db.transaction() as conn:
            generation = self._bump_generation(conn)
            rowids = [
                r[0] for r in conn.execute(
                    "DELETE FROM kb_chunks WHERE owner_id = ? AND document_id = ? RETURNING rowid",
                    (owner_id, document_id),
                ).fetchall()
            ]
            _forget_reindexed(conn, rowids)
            self._follow(generation, rowids, None)
        return len(rowids)

    @staticmethod
    def _delete_replaced(conn: sqlite3.Connection, chunks: Sequence[Chunk]) -> list[int]:
        """Delete the rows an upsert replaces, owner by owner, so nobody replaces another's chunk."""
        by_owner: dict[str, list[str]] = {}
        for chunk in chunks:
            by_owner.setdefault(chunk.owner_id, []).append(chunk.chunk_id)
        removed: list[int] = []
        for owner, ids in by_owner.items():
            rows = conn.execute(
                "DELETE FROM kb_chunks WHERE chunk_id IN (SELECT value FROM json_each(?)) AND owner_id = ? "
                "RETURNING rowid",
                (json.dumps(ids), owner),
            ).fetchall()
            removed.extend(r[0] for r in rows)
        _forget_reindexed(conn, removed)
        return removed

    @staticmethod
    def _bump_generation(conn: sqlite3.Connection) -> int:
        """Advance the write counter; returns the value it had before."""
        row = conn.execute(
            "UPDATE kb_index_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' RETURNING value"
        ).fetchone()
        return int(row[0]) - 1

    def _follow(
        self,
        generation: int,
        removed: Sequence[int],
        added: tuple[list[int], np.ndarray, list[tuple[str, str, str | None]]] | None,
    ) -> None:
        """Apply our own write to the mirror, or drop the mirror when another process wrote since it was loaded."""
        mirror = self._mirror
        if mirror is None:
            return
        if mirror.generation != generation:
            self._mirror = None
            return
        mirror.remove(removed)
        if added is not None:
            mirror.append(*added)
        mirror.generation = generation + 1

    # -- reads --------------------------------------------------------------------------------------------------

    def search(
        self,
        query_text: str,
        query_vector: np.ndarray | Sequence[float] | None,
        principal: PrincipalFilter,
        k: int = 10,
        mode: SearchMode = "hybrid",
    ) -> list[SearchHit]:
        depth = list_depth(k, mode == "hybrid")
        if not self._space_checked:
            with self._lock:
                self._check_space(self._db.connection(), bind=False)
        keyword: list[tuple[int, float]] = []
        semantic: list[tuple[int, float]] = []
        if mode == "bm25":
            keyword = ranked = self._bm25(query_text, principal, depth)
        elif query_vector is None:
            raise InvalidInput(f"a query vector is needed in {mode} mode")
        elif mode == "vector":
            semantic = ranked = self._knn(as_matrix([query_vector], 1, self._space)[0], principal, depth)
        else:
            keyword = self._bm25(query_text, principal, depth)
            # Cosine is kept as it is in vector mode; fused, the vector list also puts the named passages first.
            semantic = self._knn(as_matrix([query_vector], 1, self._space)[0], principal, depth)
            ranked = self._fuse(keyword, self._named_first(semantic, query_text), query_text)
        return self._hits(ranked[:k], keyword, semantic)

    def _bm25(self, query_text: str, principal: PrincipalFilter, depth: int) -> list[tuple[int, float]]:
        """The keyword list: FTS5's bm25 computed in memory, or by FTS5 itself when a query word is a phrase to it.
        An alert notification is searched for by its names and words, its named passages first (alert_query.py)."""
        terms = query_terms(search_text(query_text) if self._read_alerts else query_text)
        if not terms:
            return []
        mirror = self._current_mirror()
        with self._lock:
            view = mirror.view(principal)
        ranked = self._keywords.score(terms, mirror.generation, view.rowids, depth)
        if ranked is None:
            ranked = self._fts_bm25(terms, principal, depth)
        else:
            access, params = _access_sql(principal)  # the visibility rule once more, in SQL, on the rows returned
            allowed = {int(r[0]) for r in self._db.query(
                f"SELECT c.rowid FROM kb_chunks c WHERE c.rowid IN (SELECT value FROM json_each(?)) AND ({access})",  # noqa: S608
                (json.dumps([rowid for rowid, _ in ranked]), *params))}
            ranked = [hit for hit in ranked if hit[0] in allowed]
        return self._named_first(ranked, query_text)

    def _named_first(self, ranked: list[tuple[int, float]], query_text: str) -> list[tuple[int, float]]:
        """`ranked` with the passages titled with the query's alert name first (alert_query.named_first)."""
        names = alert_names(query_text) if self._read_alerts else ()
        if not names or not ranked:
            return ranked
        headings = {int(r[0]): (r[1], *json.loads(r[2])) for r in self._db.query(
            "SELECT rowid, title, heading_path FROM kb_chunks WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps([rowid for rowid, _ in ranked]),))}
        return named_first(ranked, names, lambda rowid: headings.get(rowid, ()))

    def _fts_bm25(self, terms: list[str], principal: PrincipalFilter, depth: int) -> list[tuple[int, float]]:
        words = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        match = (f"{{title heading_path text names}} : ({words}) "
                 f"AND access : ({' OR '.join(_principal_access(principal))})")
        access, params = _access_sql(principal)
        # The access tokens make FTS5 skip invisible rows while it ranks; the SQL check repeats it on the top rows.
        rows = self._db.query(
            f"SELECT f.rowid, f.score FROM (SELECT rowid, bm25(kb_chunks_fts, {self._bm25_weights}) AS score "  # noqa: S608
            "FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? ORDER BY score LIMIT ?) AS f "
            f"JOIN kb_chunks c ON c.rowid = f.rowid WHERE {access} ORDER BY f.score",
            (match, depth, *params),
        )
        return [(int(r[0]), -float(r[1])) for r in rows]  # FTS5's bm25 is lower-is-better

    def _fuse(self, keyword: list[tuple[int, float]], semantic: list[tuple[int, float]],
              query_text: str) -> list[tuple[int, float]]:
        rowids = [rowid for rowid, _ in (*keyword, *semantic)]
        rows = self._db.query("SELECT rowid, owner_id, document_id, title FROM kb_chunks "
                              "WHERE rowid IN (SELECT value FROM json_each(?))", (json.dumps(rowids),))
        document = {int(r[0]): (r[1], r[2]) for r in rows}  # rows deleted meanwhile drop out here
        titles = {int(r[0]): str(r[3]) for r in rows}
        weight = title_weighting(query_text, titles.__getitem__) if self._read_alerts else None
        return hybrid_ranking([h for h in keyword if h[0] in document], [h for h in semantic if h[0] in document],
                              document.__getitem__, self._fusion, weight)

    def _knn(self, query: np.ndarray, principal: PrincipalFilter, depth: int) -> list[tuple[int, float]]:
        mirror = self._current_mirror()
        with self._lock:  # a consistent snapshot; the product runs outside the lock
            n, vectors, bits, rowids = mirror.size, mirror.vectors, mirror.bits, mirror.rowids
            view = mirror.view(principal)
        visible = view.rows
        if visible.size == 0:
            return []
        if self._prefilter_min_rows is not None and visible.size >= self._prefilter_min_rows:
            query_bits = _sign_bits(query[None, :])[0]
            distances = _per_row(bits[:, :n].T, view, lambda m: _hamming(m.T, query_bits))
            wanted = min(visible.size, max(depth * _OVERSAMPLE, _MIN_CANDIDATES))
            positions = np.argpartition(distances, wanted - 1)[:wanted]  # indices into `visible`
            scores = np.einsum("ij,j->i", vectors[visible[positions]], query)
        else:
            positions = None
            scores = _per_row(vectors[:n], view, lambda m: np.einsum("ij,j->i", m, query))
        top = min(depth, scores.size)
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        rows = visible[best if positions is None else positions[best]]
        return [(int(rowids[row]), float(score)) for row, score in zip(rows, scores[best], strict=True)]

    def _current_mirror(self) -> _Mirror:
        row = self._db.query_one("SELECT value FROM kb_index_meta WHERE key = 'generation'")
        generation = int(row[0]) if row else 0
        with self._lock:
            if self._mirror is None or self._mirror.generation != generation:
                self._mirror = self._load_mirror()
            return self._mirror

    def _load_mirror(self) -> _Mirror:
        conn = self._db.connection()
        conn.execute("BEGIN")  # one snapshot for the counter and the rows
        try:
            generation = int(conn.execute("SELECT value FROM kb_index_meta WHERE key = 'generation'").fetchone()[0])
            # Grouped by who may see them, so a principal's rows form a few runs that are scored without gathering.
            access = conn.execute(
                "SELECT rowid, owner_id, scope, team_id FROM kb_chunks ORDER BY scope, team_id, owner_id, rowid"
            ).fetchall()
            blobs = conn.execute("SELECT rowid, vector FROM kb_vectors ORDER BY rowid").fetchall()
        finally:
            conn.execute("COMMIT")
        mirror = _Mirror(generation=generation, dim=self._space.dim)
        if access:
            by_rowid = np.frombuffer(b"".join(r[1] for r in blobs), dtype=np.float32).reshape(len(blobs), -1)
            rowids = np.array([r[0] for r in access], np.int64)
            order = np.searchsorted(np.array([r[0] for r in blobs], np.int64), rowids)
            mirror.append(rowids.tolist(), by_rowid[order], [(r[1], r[2], r[3]) for r in access])
        return mirror

    def _hits(
        self, ranked: Sequence[tuple[int, float]], keyword: list[tuple[int, float]], semantic: list[tuple[int, float]]
    ) -> list[SearchHit]:
        if not ranked:
            return []
        keyword_rank = {rowid: i + 1 for i, (rowid, _) in enumerate(keyword)}
        vector_rank = {rowid: i + 1 for i, (rowid, _) in enumerate(semantic)}
        rows = self._db.query(
            f"SELECT {_CHUNK_COLUMNS} FROM kb_chunks WHERE rowid IN (SELECT value FROM json_each(?))",  # noqa: S608
            (json.dumps([rowid for rowid, _ in ranked]),),
        )
        by_rowid = {int(r["rowid"]): r for r in rows}
        return [
            SearchHit(
                chunk=_chunk_from_row(by_rowid[rowid]),
                score=score,
                bm25_rank=keyword_rank.get(rowid),
                vector_rank=vector_rank.get(rowid),
            )
            for rowid, score in ranked
            if rowid in by_rowid  # deleted between the ranking and this read
        ]

    def document_vectors(self, owner_id: str, document_id: str) -> tuple[list[Chunk], np.ndarray]:
        none = ([], np.zeros((0, self._space.dim), np.float32))
        stored = self._db.query_one("SELECT value FROM kb_index_meta WHERE key = 'model_id'")
        if stored is None or stored["value"] != self._space.model_id:
            return none
        rows = self._db.query(
            f"SELECT {_CHUNK_COLUMNS}, (SELECT vector FROM kb_vectors v WHERE v.rowid = kb_chunks.rowid) AS vector "  # noqa: S608
            "FROM kb_chunks WHERE owner_id = ? AND document_id = ? ORDER BY ordinal", (owner_id, document_id))
        rows = [r for r in rows if r["vector"] is not None]
        if not rows:
            return none
        return [_chunk_from_row(r) for r in rows], np.stack([np.frombuffer(r["vector"], np.float32) for r in rows])

    # -- helpers ------------------------------------------------------------------------------------------------

    def _check_space(self, conn: sqlite3.Connection, *, bind: bool) -> bool:
        """Refuse to mix embedding models; an empty index takes the space of its first write. True when the index
        is being re-indexed to our space: writes are then let in (their vectors go to the re-index as well)."""
        if self._space_checked:
            return False
        meta = {r[0]: r[1] for r in conn.execute("SELECT key, value FROM kb_index_meta").fetchall()}
        if "model_id" in meta:
            stored = EmbeddingSpace(model_id=meta["model_id"], dim=int(meta["dim"]))
            if stored != self._space:
                empty = conn.execute("SELECT 1 FROM kb_chunks LIMIT 1").fetchone() is None
                if bind and meta.get("reindex_model_id") == self._space.model_id and not empty:
                    return True
                if not (bind and empty):
                    raise EmbeddingSpaceMismatch(stored, self._space)
            else:
                self._space_checked = True
                return False
        if bind:
            conn.execute(
                "INSERT OR REPLACE INTO kb_index_meta (key, value) VALUES ('model_id', ?), ('dim', ?)",
                (self._space.model_id, str(self._space.dim)),
            )
            conn.execute("DELETE FROM kb_index_meta WHERE key = 'reindex_model_id'")
            self._space_checked = True
        return False

    # -- re-index -----------------------------------------------------------------------------------------------

    def reindex_status(self) -> ReindexStatus:
        conn = self._db.connection()
        meta = {r[0]: r[1] for r in conn.execute("SELECT key, value FROM kb_index_meta").fetchall()}
        total = int(conn.execute("SELECT count(*) FROM kb_chunks").fetchone()[0])
        stored = meta.get("model_id")
        if stored is None or stored == self._space.model_id:
            return ReindexStatus(stored_model=stored, target_model=self._space.model_id, done=total, total=total,
                                 complete=True)
        done = 0
        if meta.get("reindex_model_id") == self._space.model_id:
            done = int(conn.execute("SELECT count(*) FROM kb_vectors_next n JOIN kb_chunks c ON c.rowid = n.rowid"
                                    ).fetchone()[0])
        return ReindexStatus(stored_model=stored, target_model=self._space.model_id, done=done, total=total,
                             complete=False)

    def reindex_step(self, embed: Callable[[list[str]], np.ndarray], batch: int) -> ReindexStatus:
        status = self.reindex_status()
        if status.complete:
            return status
        with self._db.transaction() as conn:
            target = conn.execute("SELECT value FROM kb_index_meta WHERE key = 'reindex_model_id'").fetchone()
            if target is None or target[0] != self._space.model_id:  # a new re-index (or another model): start over
                conn.execute("DELETE FROM kb_vectors_next")
                conn.execute("INSERT OR REPLACE INTO kb_index_meta (key, value) VALUES ('reindex_model_id', ?)",
                             (self._space.model_id,))
        rows = self._db.query(
            "SELECT c.rowid, c.title, c.heading_path, c.text FROM kb_chunks c LEFT JOIN kb_vectors_next n "
            "ON n.rowid = c.rowid WHERE n.rowid IS NULL ORDER BY c.rowid LIMIT ?", (batch,))
        if rows:
            texts = [Chunk(chunk_id="-", document_id="-", owner_id="-", title=r["title"],
                           heading_path=json.loads(r["heading_path"]), text=r["text"], ordinal=0).embedding_text
                     for r in rows]
            matrix = as_matrix(embed(texts), len(rows), self._space)
            with self._db.transaction() as conn:
                conn.executemany("INSERT OR REPLACE INTO kb_vectors_next (rowid, vector) VALUES (?, ?)",
                                 [(int(r["rowid"]), v.tobytes()) for r, v in zip(rows, matrix, strict=True)])
            return self.reindex_status()
        with self._lock, self._db.transaction() as conn:  # every chunk has its new vector: switch over at once
            conn.execute("DELETE FROM kb_vectors")
            conn.execute("INSERT INTO kb_vectors (rowid, vector) SELECT n.rowid, n.vector FROM kb_vectors_next n "
                         "JOIN kb_chunks c ON c.rowid = n.rowid")
            conn.execute("DELETE FROM kb_vectors_next")
            conn.execute("DELETE FROM kb_index_meta WHERE key = 'reindex_model_id'")
            conn.execute("INSERT OR REPLACE INTO kb_index_meta (key, value) VALUES ('model_id', ?), ('dim', ?)",
                         (self._space.model_id, str(self._space.dim)))
            self._bump_generation(conn)
            self._mirror = None
            self._space_checked = True
        return self.reindex_status()


def _forget_reindexed(conn: sqlite3.Connection, rowids: Sequence[int]) -> None:
    """Drop the re-index vectors of deleted rows (SQLite may give their rowids to new chunks)."""
    if rowids:
        conn.execute("DELETE FROM kb_vectors_next WHERE rowid IN (SELECT value FROM json_each(?))",
                     (json.dumps(list(rowids)),))


def _chunk_names(title: str, heading_path: Sequence[str], text: str) -> str:
    return " ".join(name_parts(" ".join((title, *heading_path, text))))


def _migrate_keyword_index(db: SqliteDatabase) -> None:
    """Give an index made before the `names` column that column, and rebuild its keyword index (once)."""
    conn = db.connection()
    if any(r[1] == "names" for r in conn.execute("PRAGMA table_info(kb_chunks)").fetchall()):
        return
    with db.transaction() as tx:
        if any(r[1] == "names" for r in tx.execute("PRAGMA table_info(kb_chunks)").fetchall()):
            return  # another process migrated it meanwhile
        tx.execute("ALTER TABLE kb_chunks ADD COLUMN names TEXT NOT NULL DEFAULT ''")
        rows = tx.execute("SELECT rowid, title, heading_path, text FROM kb_chunks").fetchall()
        tx.executemany("UPDATE kb_chunks SET names = ? WHERE rowid = ?",
                       [(_chunk_names(r[1], json.loads(r[2]), r[3]), r[0]) for r in rows])
        tx.execute("DROP TRIGGER IF EXISTS kb_chunks_fts_insert")
        tx.execute("DROP TRIGGER IF EXISTS kb_chunks_fts_delete")
        tx.execute("DROP TABLE IF EXISTS kb_chunks_fts")
        for statement in _FTS_STATEMENTS:
            tx.execute(statement)
        tx.execute("INSERT INTO kb_chunks_fts (kb_chunks_fts) VALUES ('rebuild')")


def _per_row(matrix: np.ndarray, view: _View, measure: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """`measure` (one number per row of a block of rows) of each visible row, in the order of `view.rows`.

    Used with einsum rather than `@`: a matrix-vector product is memory bound, so BLAS threads gain nothing, and
    their spin-waiting took the CPU from SQLite (wide hybrid at 100k chunks, 2 cores: p50 139 -> 41 ms).
    """
    if view.runs is not None:
        return np.concatenate([measure(matrix[a:b]) for a, b in view.runs])
    # Scattered rows: a narrow view gathers them; for a wide one a single pass beats gathering most rows.
    if view.rows.size * 4 < len(matrix):
        return measure(matrix[view.rows])
    return measure(matrix)[view.rows]


def _hamming(words: np.ndarray, query_bits: np.ndarray) -> np.ndarray:
    """Hamming distance of each column of `words` (one row per 64-bit word) to the query's sign bits."""
    distance = np.bitwise_count(words[0] ^ query_bits[0]).astype(np.uint16)
    for word, query_word in zip(words[1:], query_bits[1:], strict=True):
        distance += np.bitwise_count(word ^ query_word)
    return distance


def _bit_words(dim: int) -> int:
    return (dim + 63) // 64


def _sign_bits(vectors: np.ndarray) -> np.ndarray:
    """Each vector's signs, one bit a dimension, packed into 64-bit words (zero-padded)."""
    packed = np.packbits(vectors > 0, axis=1)
    padded = np.zeros((len(vectors), _bit_words(vectors.shape[1]) * 8), np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view(np.uint64)


def _token(kind: str, name: str) -> str:
    """A digits-only FTS token for an owner or team id (no stemming or tokenizer surprises, no raw ids in the index)."""
    return f"{kind}{int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], 'big')}"


_GLOBAL_TOKEN = "g0"  # noqa: S105 - an index token, not a secret


def _chunk_access(chunk: Chunk) -> str:
    """The access column of a chunk: its owner's token, plus its team's or the global token."""
    tokens = [_token("u", chunk.owner_id)]
    if chunk.scope == "team" and chunk.team_id:
        tokens.append(_token("t", chunk.team_id))
    elif chunk.scope == "global":
        tokens.append(_GLOBAL_TOKEN)
    return " ".join(tokens)


def _principal_access(principal: PrincipalFilter) -> list[str]:
    tokens = [_token("u", principal.owner_id), *(_token("t", t) for t in principal.team_ids)]
    return [*tokens, _GLOBAL_TOKEN] if principal.include_global else tokens


def _access_sql(principal: PrincipalFilter) -> tuple[str, list[str]]:
    clauses, params = ["c.owner_id = ?"], [principal.owner_id]
    if principal.team_ids:
        clauses.append(f"(c.scope = 'team' AND c.team_id IN ({', '.join('?' * len(principal.team_ids))}))")
        params.extend(principal.team_ids)
    if principal.include_global:
        clauses.append("c.scope = 'global'")
    return " OR ".join(clauses), params


def _chunk_from_row(row: Row) -> Chunk:
    return Chunk(
        chunk_id=row["chunk_id"],
        document_id=row["document_id"],
        owner_id=row["owner_id"],
        scope=row["scope"],
        team_id=row["team_id"],
        title=row["title"],
        heading_path=json.loads(row["heading_path"]),
        text=row["text"],
        ordinal=row["ordinal"],
    )
