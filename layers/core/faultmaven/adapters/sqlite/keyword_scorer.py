"""FTS5's own BM25, computed in numpy from posting lists read out of the keyword index and kept in memory.

Why: FTS5 scores every row that holds any query word before it can take the top k; for a searcher who may see half
of a 100k-chunk index that is ~16k rows and most of the search's time. Here the index's posting lists (read through
its `fts5vocab` table, so the words are FTS5's own tokens and stems) and row lengths are cached per index
generation, and one query is a few array sums. The scores are FTS5's `bm25()` with the same column weights — same
formula, same statistics (tests/adapters/test_vector_index_sqlite_fast_paths.py checks them against FTS5) — so the
ranking does not change, only its speed.

A query word that FTS5 reads as several tokens (`node_exporter` -> "node exporter", a phrase) is not a single posting
list: such queries are left to FTS5 (`score` answers None).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from faultmaven.adapters.sqlite.db import SqliteDatabase, sqlite3

VOCABULARY_TABLE = "kb_chunks_fts_instances"
VOCABULARY_DDL = f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY_TABLE} USING fts5vocab(kb_chunks_fts, instance)"
_K1, _B = 1.2, 0.75  # FTS5's bm25() constants
_CACHED_TERMS = 4096  # posting lists kept per generation
_CACHED_TOKENIZATIONS = 8192


@dataclass
class _Generation:
    """What scoring needs from one state of the index: row lengths and the posting lists read so far."""

    number: int
    lengths: np.ndarray  # tokens per row (every column, as FTS5 counts them), indexed by rowid; 0 when no row
    rows: int
    average_length: float
    denominators: np.ndarray  # BM25's length normalisation of each row, k1 (1 - b + b length / average length)
    postings: OrderedDict[str, tuple[np.ndarray, np.ndarray, float]] = field(default_factory=OrderedDict)


class KeywordScorer:
    """BM25 of one FTS5 table (`kb_chunks_fts`, columns title, heading_path, text, names, access) over rowids."""

    def __init__(self, db: SqliteDatabase, weights: Sequence[float]) -> None:
        self._db = db
        self._weights = np.asarray([*weights, 0.0], np.float64)  # the access column never scores
        self._lock = threading.Lock()
        self._state: _Generation | None = None
        self._tokens: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        # A private in-memory FTS5 table with the index's tokenizer tells how FTS5 reads a query word.
        self._tokenizer = sqlite3.connect(":memory:", check_same_thread=False)
        self._tokenizer.execute("CREATE VIRTUAL TABLE words USING fts5(word, tokenize='porter unicode61')")
        self._tokenizer.execute("CREATE VIRTUAL TABLE words_instances USING fts5vocab(words, instance)")

    def score(self, terms: Sequence[str], generation: int, visible: np.ndarray,
              depth: int) -> list[tuple[int, float]] | None:
        """The `depth` best rows among `visible` (a rowid mask) for an OR of `terms`, best first, with FTS5's
        bm25 score negated (higher is better); None when a term is a phrase to FTS5."""
        tokens = [self._tokenize(t) for t in terms]
        if any(len(t) > 1 for t in tokens):
            return None
        state = self._current(generation)
        scores = np.zeros(state.lengths.size, np.float64)
        denominators = state.denominators
        for rowids, frequency, idf in self._postings(state, [t[0] for t in tokens if t]):
            if rowids.size:
                scores[rowids] += idf * frequency * (_K1 + 1) / (frequency + denominators[rowids])
        limit = min(visible.size, scores.size)
        candidates = np.flatnonzero((scores[:limit] > 0) & visible[:limit])
        if candidates.size == 0:
            return []
        top = min(depth, candidates.size)
        best = candidates[np.argpartition(-scores[candidates], top - 1)[:top]]
        best = best[np.lexsort((best, -scores[best]))]
        return [(int(rowid), float(scores[rowid])) for rowid in best]

    def _tokenize(self, word: str) -> tuple[str, ...]:
        with self._lock:
            cached = self._tokens.get(word)
            if cached is None:
                self._tokenizer.execute("INSERT INTO words (word) VALUES (?)", (word,))
                cached = tuple(r[0] for r in self._tokenizer.execute(
                    "SELECT term FROM words_instances ORDER BY offset").fetchall())
                self._tokenizer.execute("DELETE FROM words")
                if len(self._tokens) >= _CACHED_TOKENIZATIONS:
                    self._tokens.popitem(last=False)
                self._tokens[word] = cached
            return cached

    def _current(self, generation: int) -> _Generation:
        with self._lock:
            if self._state is None or self._state.number != generation:
                self._state = self._load(generation)
            return self._state

    def _load(self, generation: int) -> _Generation:
        rows = self._db.query("SELECT id, sz FROM kb_chunks_fts_docsize")
        size = max((int(r[0]) for r in rows), default=0) + 1
        lengths = np.zeros(size, np.float64)
        for rowid, blob in rows:
            lengths[rowid] = sum(_varints(blob))
        average = float(lengths.sum()) / len(rows) if rows else 1.0
        return _Generation(generation, lengths, len(rows), average, _K1 * (1 - _B + _B * lengths / average))

    def _postings(self, state: _Generation, tokens: list[str]) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """Per token: (rowids holding it, its column-weighted frequency in each, its idf); each token's list is
        read once per generation, all of a query's unread ones in one statement."""
        with self._lock:
            missing = [t for t in dict.fromkeys(tokens) if t not in state.postings]
        if missing:
            weighted = " ".join(f"WHEN '{c}' THEN {w!r}" for c, w in zip(_COLUMNS, self._weights.tolist(), strict=True))
            rows = self._db.query(
                f"SELECT term, doc, sum(CASE col {weighted} ELSE 0 END) FROM {VOCABULARY_TABLE} "  # noqa: S608 - ours
                "WHERE term IN (SELECT value FROM json_each(?)) AND col != 'access' GROUP BY term, doc",
                (json.dumps(missing),))
            found: dict[str, tuple[list[int], list[float]]] = {t: ([], []) for t in missing}
            for term, doc, frequency in rows:
                if doc < state.lengths.size:  # rows written after this generation's lengths were read
                    found[term][0].append(doc)
                    found[term][1].append(frequency)
            with self._lock:
                for term, (docs, frequencies) in found.items():
                    idf = math.log((state.rows - len(docs) + 0.5) / (len(docs) + 0.5))
                    state.postings[term] = (np.asarray(docs, np.int64), np.asarray(frequencies, np.float64),
                                            idf if idf > 0 else 1e-6)
                    while len(state.postings) > _CACHED_TERMS:
                        state.postings.popitem(last=False)
        with self._lock:
            for token in tokens:
                state.postings.move_to_end(token)
            return [state.postings[t] for t in tokens]


_COLUMNS = ("title", "heading_path", "text", "names", "access")


def _varints(blob: bytes) -> list[int]:
    """SQLite varints (7 bits a byte, high bit: more follow), as FTS5 stores each row's column sizes."""
    values, value = [], 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values
