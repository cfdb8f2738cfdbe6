"""RCA benchmark: the copilot works the incidents of benchmarks/rca/scenarios through the real HTTP API (the embedded
app, in process) and is scored against each scenario's labels, without any model as judge.

    .venv/bin/python benchmarks/rca.py [--kb ../shared/data/runbooks-openshift/alerts] [--only id,id] [--no-cv]

Each scenario: a case is opened with the engineer's first message and the evidence attached, the proposed
investigation is confirmed, the scripted replies follow, then the generic follow-ups of FOLLOW_UPS. Scores:

- runbook@3 first: a right runbook among the first answer's top 3 sources (scenarios whose KB has one);
- runbook@3 follow-ups: a right runbook among the top 3 sources of every generic follow-up;
- category: the leading hypothesis (with the runbooks supporting it) names the labelled root-cause category,
  by the cue table categories.yaml (most cues wins);
- evidence: the diagnosis (leading hypothesis and the answer to "most likely root cause") quotes every required line;
- red herrings avoided: the leading hypothesis quotes none of them;
- turns to root cause: the first turn after which the leading hypothesis has the category and the evidence.

Query weights (copilot/case_search.QueryWeights) are chosen by 5-fold cross-validation over the scenarios: for each
fold, the grid point with the best runbook@3 on the other folds is scored on that fold. The held-out figures are
the headline. With FM_LLM_PROVIDER and its settings in the environment the same run scores that model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent
SCENARIOS = ROOT / "rca" / "scenarios"
CATEGORIES = ROOT / "rca" / "categories.yaml"
FOLLOW_UPS = ("what is the most likely root cause?", "which runbook applies?")
ROOT_CAUSE_QUESTION = FOLLOW_UPS[0]
FOLDS = 5
PASSWORD = "rca benchmark password 1"
# The grid the cross-validation chooses from: the defaults first (ties go to the earlier point).
# Every point names its values, so the grid keeps its meaning when the defaults move.
_CASE = {"fusion": "similarity", "sharpness": 4.0, "per_query": 10, "pair": 1.0, "case": 1.0, "evidence_by": "flat",
         "title": 1.0}
_CAUSES = {"cause": 2.0, "meaning": 2.0, "pair_with": "cause", "cause_words": 6, "cause_head": True}
GRID: list[dict[str, Any]] = [
    {**_CASE, **_CAUSES},
    {**_CASE, **_CAUSES, "cause_head": False},
    {**_CASE, **_CAUSES, "cause": 1.0, "meaning": 1.0},
    {**_CASE, **_CAUSES, "cause_words": 4},
    {**_CASE, **_CAUSES, "pair_with": "error"},
    {**_CASE, **_CAUSES, "title": 2.0},
    {**_CASE, **_CAUSES, "background": 0.5},
    {**_CASE, **_CAUSES, "meaning": 0.0},
    {**_CASE, "cause": 0.0, "meaning": 0.0, "pair_with": "error", "cause_head": False},  # before causes and meanings
]


@dataclass
class Scenario:
    id: str
    domain: str
    opening: str
    evidence: list[Path]
    replies: list[str]
    truth: dict[str, Any]
    alert: dict[str, Any] | None = None

    @classmethod
    def load(cls, folder: Path) -> Scenario:
        raw = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
        return cls(id=raw["id"], domain=raw["domain"], opening=raw["opening"],
                   evidence=[folder / e for e in raw["evidence"]], replies=list(raw.get("replies") or []),
                   truth=raw["truth"], alert=raw.get("alert"))

    @property
    def description(self) -> str:
        """A case opened from an alert carries it, as an alert webhook would: name and labels."""
        if not self.alert:
            return ""
        labels = ", ".join(f"{k}={v}" for k, v in (self.alert.get("labels") or {}).items())
        return f"[FIRING] alertname={self.alert['name']} {labels}".strip()


def load_scenarios(only: set[str] | None = None) -> list[Scenario]:
    found = [Scenario.load(d) for d in sorted(SCENARIOS.iterdir()) if (d / "scenario.yaml").exists()]
    return [s for s in found if not only or s.id in only]


def classify(text: str, categories: dict[str, list[str]]) -> str | None:
    """The category whose cues match the text most often; ties go to the earlier category; None when none match."""
    best, best_hits = None, 0
    for name, cues in categories.items():
        hits = sum(len(re.findall(cue, text, re.IGNORECASE)) for cue in cues)
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def leading_hypothesis(hypotheses: list[dict]) -> dict | None:
    order = {"validated": 0, "active": 1, "captured": 2, "inconclusive": 3}
    open_ = [h for h in hypotheses if h.get("state") in order]
    return min(open_, key=lambda h: order[h["state"]]) if open_ else None


def diagnosis_text(hypothesis: dict | None) -> str:
    if hypothesis is None:
        return ""
    return " ".join([hypothesis["text"], *(s["title"] for s in hypothesis.get("support") or [])])


@dataclass
class Outcome:
    scenario: Scenario
    first_sources: list[str] = field(default_factory=list)  # document ids, best first
    follow_up_sources: list[list[str]] = field(default_factory=list)
    category: str | None = None
    evidence_cited: bool = False
    red_herring_blamed: bool = False
    turns_to_root_cause: int | None = None
    turns: int = 0
    searches: list[dict[str, Any]] = field(default_factory=list)  # per turn: its case queries and their hits (--dump)

    def runbook_first(self, ids: dict[str, str]) -> bool | None:
        return _right_in_top3(self.first_sources, self.scenario, ids)

    def runbook_follow_ups(self, ids: dict[str, str]) -> bool | None:
        scores = [_right_in_top3(s, self.scenario, ids) for s in self.follow_up_sources]
        return None if scores and scores[0] is None else all(bool(s) for s in scores)

    @property
    def category_hit(self) -> bool:
        return self.category == self.scenario.truth["category"]


def _right_in_top3(sources: list[str], scenario: Scenario, ids: dict[str, str]) -> bool | None:
    truth = {ids[path] for path in scenario.truth["runbooks"] if path in ids}
    if not scenario.truth["runbooks"]:
        return None  # no runbook in the KB applies: not scored
    return bool(truth & set(sources[:3]))


class Copilot:
    """The embedded app in process, driven over HTTP like a client would."""

    def __init__(self, data_dir: Path) -> None:
        from fastapi.testclient import TestClient

        from faultmaven.container import Container, set_container
        from faultmaven.settings import Settings
        from local.server import build_app

        self.container = Container(Settings(mode="embedded", data_dir=data_dir))
        set_container(self.container)
        self.client = TestClient(build_app(self.container.settings), raise_server_exceptions=False)
        self.client.__enter__()
        account = {"username": "rca-bench", "password": PASSWORD}
        r = self.client.post("/api/v1/auth/register", json=account)
        if r.status_code == 409:  # a reused data dir: the account and its knowledge base are there
            r = self.client.post("/api/v1/auth/login", json=account)
        assert r.status_code in (200, 201), r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        settings = self.container.settings
        self.llm = "none" if settings.llm_provider == "none" else f"{settings.llm_provider}:{settings.llm_model}"

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    @contextmanager
    def recording_searches(self, into: list[dict[str, Any]]) -> Iterator[None]:
        """Append every turn's case queries to `into`, each with its 10 best documents (no similarity threshold,
        so a right runbook that the threshold or the fusion dropped shows where it was)."""
        from faultmaven.copilot.case_knowledge import CaseKnowledge

        case_knowledge = self.container.turns.case_knowledge
        cite = CaseKnowledge.cite

        def recording(reader: Any, *args: Any, **kwargs: Any) -> Any:
            cited = cite(case_knowledge, reader, *args, **kwargs)
            service = case_knowledge.knowledge()
            queries = cited.result.queries if cited.result else []
            into.append({"cited": [(h.document_id, h.score) for h in cited.hits], "queries": [
                {"kind": q.kind, "weight": round(q.weight, 3), "text": q.text,
                 "hits": [(r.document.document_id, r.score) for r in service.search(reader, q.text[:1000], limit=10)]}
                for q in queries]})
            return cited

        case_knowledge.cite = recording  # type: ignore[method-assign]
        try:
            yield
        finally:
            del case_knowledge.cite

    def set_weights(self, **changes: Any) -> None:
        from faultmaven.copilot.case_search import QueryWeights

        self.container.turns.case_knowledge.weights = QueryWeights(**changes)

    def load_kb(self, kb: Path, only: set[str] | None = None) -> dict[str, str]:
        """Upload every runbook under `kb` (Markdown) and wait for its indexing; returns relative path -> id.
        Indexing takes minutes on a small machine, so the ids are kept in the data dir and a rerun reuses them."""
        saved = self.container.settings.data_dir / "rca-kb.json"
        if saved.exists():
            return dict(json.loads(saved.read_text()))
        ids = {}
        for path in sorted(kb.rglob("*.md")):
            rel = path.relative_to(kb).as_posix()
            if path.name == "README.md" or (only is not None and rel not in only):
                continue
            r = self.client.post("/api/v1/knowledge/documents?wait=true", headers=self.headers,
                                 files={"file": (path.name, path.read_bytes(), "text/markdown")},
                                 data={"title": path.stem, "document_type": "runbook"})
            assert r.status_code == 201, r.text
            ids[rel] = r.json()["document_id"]
        saved.write_text(json.dumps(ids))
        return ids

    def turn(self, case_id: str, **form: Any) -> dict:
        files = form.pop("files", None)
        r = self.client.post(f"/api/v1/cases/{case_id}/turns", data=form, headers=self.headers,
                             files={"files": files} if files else None)
        assert r.status_code == 200, r.text
        return r.json()

    def hypotheses(self, case_id: str) -> list[dict]:
        return self.client.get(f"/api/v1/cases/{case_id}", headers=self.headers).json().get("hypotheses") or []

    def run(self, scenario: Scenario, categories: dict[str, list[str]], dump: bool = False) -> Outcome:
        out = Outcome(scenario)
        with self.recording_searches(out.searches) if dump else nullcontext():
            self._work(out, categories)
        return out

    def _work(self, out: Outcome, categories: dict[str, list[str]]) -> None:
        scenario = out.scenario
        r = self.client.post("/api/v1/cases", json={"description": scenario.description}, headers=self.headers)
        assert r.status_code == 201, r.text
        case_id = r.json()["case_id"]
        first, *more = scenario.evidence
        script: list[dict[str, Any]] = [
            {"query": scenario.opening, "files": (first.name, first.read_bytes(), "text/plain")},
            {"query": "", "intent_type": "confirmation", "intent_data": '{"decision": "yes"}'}]
        script += [{"query": reply} for reply in scenario.replies]
        script += [{"query": "see the attached file", "files": (p.name, p.read_bytes(), "text/plain")} for p in more]
        script += [{"query": q} for q in FOLLOW_UPS]
        for n, form in enumerate(script, 1):
            before = len(out.searches)
            body = self.turn(case_id, **form)
            for search in out.searches[before:]:
                search["turn"] = n
            sources = [s["metadata"]["document_id"] for s in body["sources"]]
            if n == 1:
                out.first_sources = sources
            if form.get("query") in FOLLOW_UPS:
                out.follow_up_sources.append(sources)
            leading = leading_hypothesis(self.hypotheses(case_id))
            category = classify(diagnosis_text(leading), categories)
            text = (leading or {}).get("text", "")
            if form.get("query") == ROOT_CAUSE_QUESTION:
                text += "\n" + body["agent_response"]
                out.category = category
                out.evidence_cited = _quotes_all(text, scenario.truth["required_evidence"])
                out.red_herring_blamed = any(h.lower() in (leading or {}).get("text", "").lower()
                                             for h in scenario.truth["red_herrings"])
            if out.turns_to_root_cause is None and category == scenario.truth["category"] and \
                    _quotes_all(text, scenario.truth["required_evidence"]):
                out.turns_to_root_cause = n
            out.turns = n


def _quotes_all(text: str, required: list[str]) -> bool:
    low = text.lower()
    return all(r.lower() in low for r in required)


def rate(values: list[bool | None]) -> tuple[float, int]:
    scored = [v for v in values if v is not None]
    return (sum(scored) / len(scored) if scored else float("nan")), len(scored)


def summary(outcomes: list[Outcome], ids: dict[str, str]) -> dict[str, tuple[float, int]]:
    turns = [o.turns_to_root_cause for o in outcomes if o.turns_to_root_cause is not None]
    return {
        "runbook@3 first answer": rate([o.runbook_first(ids) for o in outcomes]),
        "runbook@3 after generic follow-ups": rate([o.runbook_follow_ups(ids) for o in outcomes]),
        "category hit": rate([o.category_hit for o in outcomes]),
        "required evidence cited": rate([o.evidence_cited for o in outcomes]),
        "red herrings avoided": rate([not o.red_herring_blamed for o in outcomes]),
        "root cause reached": rate([o.turns_to_root_cause is not None for o in outcomes]),
        "median turns to root cause": (statistics.median(turns) if turns else float("nan"), len(turns)),
    }


def objective(outcomes: list[Outcome], ids: dict[str, str]) -> float:
    first, _ = rate([o.runbook_first(ids) for o in outcomes])
    follow, _ = rate([o.runbook_follow_ups(ids) for o in outcomes])
    return first + follow


def cross_validate(runs: list[dict[str, Outcome]], ids: dict[str, str],
                   folds: int) -> tuple[list[Outcome], list[int]]:
    """Held-out outcomes: each fold scored with the grid point chosen on the other folds."""
    order = sorted(runs[0])
    fold_of = {sid: i % folds for i, sid in enumerate(order)}
    held_out: list[Outcome] = []
    chosen = []
    for k in range(folds):
        train = [sid for sid in order if fold_of[sid] != k]
        scores = [objective([run[sid] for sid in train], ids) for run in runs]
        best = max(range(len(runs)), key=lambda g: (scores[g], -g))
        chosen.append(best)
        held_out += [runs[best][sid] for sid in order if fold_of[sid] == k]
    return held_out, chosen


def table(rows: dict[str, tuple[float, int]]) -> list[str]:
    lines = ["| score | value | scenarios scored |", "|---|---|---|"]
    for name, (value, n) in rows.items():
        shown = f"{value:.1f}" if "turns" in name else f"{value:.0%}"
        lines.append(f"| {name} | {shown} | {n} |")
    return lines


def per_scenario(outcomes: list[Outcome], ids: dict[str, str]) -> list[str]:
    def mark(v: bool | None) -> str:
        return "—" if v is None else ("yes" if v else "no")

    lines = ["| scenario | domain | runbook@3 first | follow-ups | category | evidence | herrings avoided | turns |",
             "|---|---|---|---|---|---|---|---|"]
    for o in sorted(outcomes, key=lambda o: o.scenario.id):
        lines.append(f"| {o.scenario.id} | {o.scenario.domain} | {mark(o.runbook_first(ids))} | "
                     f"{mark(o.runbook_follow_ups(ids))} | {o.category or '—'} "
                     f"({'hit' if o.category_hit else 'miss'}) | {mark(o.evidence_cited)} | "
                     f"{mark(not o.red_herring_blamed)} | {o.turns_to_root_cause or '—'} |")
    return lines


def searches_dump(outcomes: list[Outcome], ids: dict[str, str]) -> list[str]:
    """Why a scenario misses: per turn, the fused citations and every case query with its own best documents,
    the labelled runbooks marked with *."""
    name = {doc: path.rsplit("/", 1)[-1].removesuffix(".md") for path, doc in ids.items()}
    lines = []
    for o in sorted(outcomes, key=lambda o: o.scenario.id):
        truth = {ids[p] for p in o.scenario.truth["runbooks"] if p in ids}
        lines += [f"## {o.scenario.id}: first {o.runbook_first(ids)}, follow-ups {o.runbook_follow_ups(ids)}",
                  "labelled: " + ", ".join(name[d] for d in truth)]

        def shown(hits: list[tuple[str, float]], truth: set[str] = truth) -> str:
            return ", ".join(f"{'*' if d in truth else ''}{name.get(d, d)} {s:.2f}" for d, s in hits)

        for search in o.searches:
            lines.append(f"turn {search.get('turn')}: cited {shown(search['cited'])}")
            lines += [f"    {q['kind']} {q['weight']}: {q['text'][:140]!r}\n        -> {shown(q['hits'][:6])}"
                      for q in search["queries"]]
        lines.append("")
    return lines


def run_all(copilot: Copilot, scenarios: list[Scenario], categories: dict[str, list[str]],
            dump: bool = False) -> dict[str, Outcome]:
    return {s.id: copilot.run(s, categories, dump) for s in scenarios}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path,
                        default=ROOT.parent.parent / "shared" / "data" / "runbooks-openshift" / "alerts")
    parser.add_argument("--only", help="comma-separated scenario ids")
    parser.add_argument("--no-cv", action="store_true", help="score the default weights only")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "rca.md")
    parser.add_argument("--data-dir", type=Path, help="keep (or reuse) the indexed knowledge base here")
    parser.add_argument("--dump", type=Path, help="write every turn's case queries and their hits here (no CV)")
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    categories = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))
    scenarios = load_scenarios(set(args.only.split(",")) if args.only else None)
    lines: list[str] = []

    def emit(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    copilot = Copilot(args.data_dir or Path(tempfile.mkdtemp(prefix="fm-rca-")) / "data")
    start = time.perf_counter()
    ids = copilot.load_kb(args.kb)
    if not ids:
        parser.error(f"no runbooks (*.md) under {args.kb}")
    load_s = time.perf_counter() - start
    grid = [GRID[0]] if args.no_cv or args.dump else GRID
    runs = []
    start = time.perf_counter()
    for point in grid:
        copilot.set_weights(**point)
        runs.append(run_all(copilot, scenarios, categories, dump=bool(args.dump)))
        if args.dump:
            args.dump.write_text("\n".join(searches_dump(list(runs[-1].values()), ids)) + "\n", encoding="utf-8")
        print(f"grid point {point or 'defaults'}: {objective(list(runs[-1].values()), ids):.2f}", file=sys.stderr)
    run_s = time.perf_counter() - start
    copilot.close()

    emit("# RCA benchmark")
    emit()
    emit(f"{len(scenarios)} scenarios ({', '.join(sorted({s.domain for s in scenarios}))}); knowledge base: "
         f"{len(ids)} runbooks from `{args.kb.name}` (indexed in {load_s:.0f} s); model: {copilot.llm}; "
         f"generic follow-ups: {' / '.join(repr(q) for q in FOLLOW_UPS)}. Written by `benchmarks/rca.py`.")
    emit()
    if len(grid) > 1:
        held_out, chosen = cross_validate(runs, ids, FOLDS)
        emit(f"## Held-out folds (headline): {FOLDS}-fold cross-validation over scenarios")
        emit()
        emit("Weights chosen per fold (index into the grid): " + ", ".join(str(c) for c in chosen) + "; grid: " +
             ", ".join(f"{i}={p or 'defaults'}" for i, p in enumerate(grid)) + ".")
        emit()
        for line in table(summary(held_out, ids)):
            emit(line)
        emit()
        emit("## Every grid point on all scenarios (in-sample, for reference)")
        emit()
        emit("| grid point | runbook@3 first | runbook@3 follow-ups | category hit |")
        emit("|---|---|---|---|")
        for point, run in zip(grid, runs, strict=True):
            s = summary(list(run.values()), ids)
            emit(f"| {point or 'defaults'} | {s['runbook@3 first answer'][0]:.0%} | "
                 f"{s['runbook@3 after generic follow-ups'][0]:.0%} | {s['category hit'][0]:.0%} |")
        emit()
    else:
        held_out = list(runs[0].values())
        emit("## Default weights (no cross-validation)")
        emit()
        for line in table(summary(held_out, ids)):
            emit(line)
        emit()
    emit("## Per scenario (held-out)")
    emit()
    for line in per_scenario(held_out, ids):
        emit(line)
    emit()
    emit(f"Run time: {run_s:.0f} s for {len(grid)} grid point(s).")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
