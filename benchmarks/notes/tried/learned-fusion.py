"""Tried in session 12, not shipped: a learned linear document score (pairwise logistic) over list features, by the
benchmark's 5-fold CV. Needs the lists of benchmarks/retrieval.py pickled to /tmp/ltr_lists.pkl (a one-line dump
after `search_lists`); run from benchmarks/notes/tried with benchmarks/ on the path."""

import math
import pickle
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval import Choice, Lists, Query, fused, reciprocal_rank  # noqa: F401  (Lists, Query: unpickling)

from faultmaven.knowledge.ranking import Fusion

with open("/tmp/ltr_lists.pkl", "rb") as f:
    DUMP = pickle.load(f)
LISTS, DOC_OF, TITLES, QUERIES = DUMP["lists"], DUMP["doc_of"], DUMP["titles"], DUMP["queries"]
KW = (3.0, 2.0, 1.0, 0.5)  # the shipped BM25 field weights
TOPN = 30
NAMES = ["kw", "vec", "title_share", "title_miss", "log_kw_count", "log_vec_count", "kw_rr", "vec_rr"]


def doc_stats(ranked: list[tuple[str, float]]) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    """Per document: best score over the list's best, passages in the list, rank of its best passage."""
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    rank: dict[str, int] = {}
    for chunk, score in ranked:
        doc = DOC_OF[chunk]
        if doc not in best:
            best[doc], rank[doc] = score, len(rank) + 1
        count[doc] = count.get(doc, 0) + 1
    top = max(best.values(), default=1.0) or 1.0
    return {k: v / top for k, v in best.items()}, count, rank


def features(i: int) -> tuple[list[str], np.ndarray]:
    lists = LISTS[i]
    kb, kc, kr = doc_stats(lists.keyword[KW])
    vb, vc, vr = doc_stats([(c, max(s, 0.0)) for c, s in next(iter(lists.vector.values()))])
    cands = list(dict.fromkeys([*sorted(kr, key=kr.get)[:TOPN], *sorted(vr, key=vr.get)[:TOPN]]))
    alert = bool(lists.alert_words)
    rows = []
    for doc in cands:
        share = len(TITLES[doc] & lists.alert_words) / len(TITLES[doc]) if alert and TITLES[doc] else 0.0
        rows.append([kb.get(doc, 0.0), vb.get(doc, 0.0), share, (1.0 - share) if alert else 0.0,
                     math.log1p(kc.get(doc, 0)), math.log1p(vc.get(doc, 0)),
                     1.0 / kr[doc] if doc in kr else 0.0, 1.0 / vr[doc] if doc in vr else 0.0])
    return cands, np.array(rows)


FEATURES = {i: features(i) for i in range(len(QUERIES))}


def train(ids: list[int], l2: float, cols: list[int]) -> np.ndarray:
    pairs = []
    for i in ids:
        cands, x = FEATURES[i]
        relevant = [j for j, doc in enumerate(cands) if doc in QUERIES[i].relevant]
        others = [j for j, doc in enumerate(cands) if doc not in QUERIES[i].relevant]
        pairs += [x[r, cols] - x[j, cols] for r in relevant for j in others]
    p = np.array(pairs)
    w = np.zeros(p.shape[1])
    for _ in range(400):
        w -= -(p * (1 / (1 + np.exp(p @ w)))[:, None]).mean(0) + l2 * w
    return w


def ranking(i: int, w: np.ndarray, cols: list[int]) -> list[str]:
    cands, x = FEATURES[i]
    return [cands[j] for j in np.argsort(-(x[:, cols] @ w), kind="stable")]


def mean_rr(ranked: dict[int, list[str]], ids: list[int]) -> float:
    return statistics.mean(reciprocal_rank(ranked[i], QUERIES[i].relevant) for i in ids)


def main() -> None:
    alerts = [i for i, q in enumerate(QUERIES) if q.kind == "alert"]
    symptoms = [i for i, q in enumerate(QUERIES) if q.kind == "symptom"]
    shipped = Choice(Fusion("convex", 0.60, scale_vectors=True), documents=True, keyword_weights=KW, title_prior=0.3)
    base = {i: fused(LISTS[i], DOC_OF, shipped, TITLES) for i in range(len(QUERIES))}
    print(f"shipped choice on all (not held out): alert {mean_rr(base, alerts):.3f} "
          f"symptom {mean_rr(base, symptoms):.3f}")
    for cols in ([0, 1, 2, 3], [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 6, 7], list(range(8))):
        for l2 in (0.0, 0.01, 0.1):
            held: dict[int, list[str]] = {}
            for fold in range(5):
                w = train([i for i, q in enumerate(QUERIES) if q.fold != fold], l2, cols)
                held.update((i, ranking(i, w, cols)) for i, q in enumerate(QUERIES) if q.fold == fold)
            w_all = train(list(range(len(QUERIES))), l2, cols)
            print([NAMES[c] for c in cols], "l2", l2,
                  f"held-out alert {mean_rr(held, alerts):.3f} symptom {mean_rr(held, symptoms):.3f}",
                  np.round(w_all, 2))


if __name__ == "__main__":
    main()
