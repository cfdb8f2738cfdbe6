"""Embedding throughput of each candidate model (benchmarks/candidate_embedders.py) against the product's, same run.

    .venv/bin/python benchmarks/candidate_speed.py [--data ../shared/data/runbooks-openshift] [--rounds 3]

The texts are retrieval_speed.py's median-sized chunks (OpenShift runbooks, within 10% of the median length in the
product's tokens), embedded as many per call as ingestion passes; the embedders take turns round by round so that
a change in the shared machine's load falls on all of them alike. The target is 200 chunks/s on 2 cores (issue
#17); as absolute figures move with the machine's load, each candidate is also given as a ratio to the product's
embedder measured beside it.
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

from candidate_embedders import CANDIDATES
from results_file import write_results
from retrieval_speed import (
    INGESTION_TARGET,
    ROOT,
    TEXTS_PER_CALL,
    load_average,
    load_runbooks,
    median_sized_texts,
    throughput,
)

from faultmaven.knowledge.onnx_embedder import OnnxMiniLmEmbedder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent.parent / "shared" / "data" / "runbooks-openshift")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each embedder")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "candidate_speed.md")
    args = parser.parse_args()
    lines: list[str] = []

    def emit(text: str = "") -> None:
        print(text)
        lines.append(text)

    product = CANDIDATES["product"]().embedder
    assert isinstance(product, OnnxMiniLmEmbedder)
    texts, middle = median_sized_texts(product, [c.embedding_text for c in load_runbooks(args.data)])
    setups = {name: (make().embedder, TEXTS_PER_CALL) for name, make in CANDIDATES.items()}
    for embedder, _ in setups.values():
        embedder.embed(texts[:8])  # loads the model (and builds the product's int8 graph if not cached)
    before = load_average()
    rates = throughput(setups, texts, args.rounds)
    emit("# Candidate embedding models: throughput on median-sized chunks, same run")
    emit()
    emit(f"Machine: {platform.machine()}, CPython {platform.python_version()}. {len(texts)} OpenShift runbook chunks "
         f"of {middle:.0f} +/- 10% tokens (the product's tokenizer), {TEXTS_PER_CALL} per embedder call; the "
         f"embedders take turns, {args.rounds} rounds, median shown. Load average before: {before}; after: "
         f"{load_average()}.")
    emit()
    emit("| embedder | model | chunks/s | vs product | chunks per CPU-second | "
         f"≥ {INGESTION_TARGET} chunks/s |")
    emit("|---|---|---|---|---|---|")
    base = rates["product"][0]
    for name, (rate, per_cpu) in rates.items():
        emit(f"| {name} | {setups[name][0].space.model_id} | {rate:,.0f} | {rate / base:.2f}x | {per_cpu:,.0f} | "
             f"{'yes' if rate >= INGESTION_TARGET else 'no'} |")
    emit()
    return write_results(args.out, lines)


if __name__ == "__main__":
    sys.exit(main())
