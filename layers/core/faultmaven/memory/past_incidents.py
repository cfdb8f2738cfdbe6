"""Past incidents: approved postmortems in the knowledge base (document type `past_incident`), and the search that
finds the ones most like a new case, with what fixed them and how fresh that knowledge is."""

from __future__ import annotations

from pydantic import BaseModel, Field

from faultmaven.knowledge.documents import KnowledgeService, Reader, SearchFilters, SearchResult
from faultmaven.knowledge.snippets import MARKDOWN_MARKS
from faultmaven.ports.documents import DocumentRecord
from faultmaven.ports.drafts import KnowledgeDraft

PAST_INCIDENT_TYPE = "past_incident"
SHOWN = 3
MAX_QUERY = 1000
COSINE_DEPTH = 20  # past incidents whose cosine is looked up; one ranked lower counts as unlike
# The first turn shows a past incident only when its cosine to the case is at least this: chosen by 5-fold
# cross-validation in benchmarks/past_incidents.py (held-out results in benchmarks/results/past_incidents.md).
FIRST_TURN_MIN_COSINE = 0.45
# The metadata keys of a past incident that search results and citations show (where it came from, how fresh).
PROVENANCE_KEYS = ("case_id", "authors", "incident_date", "freshness_date", "fix")


class PastIncident(BaseModel):
    document_id: str
    title: str
    case_id: str | None = None
    fix: str | None = None
    authors: list[str] = Field(default_factory=list)
    incident_date: str | None = None
    freshness_date: str | None = None  # when a reviewer last vouched for it
    score: float | None = None  # relevance to the query, when found by one
    excerpt: str = ""

    @classmethod
    def from_document(cls, doc: DocumentRecord, *, score: float | None = None, excerpt: str = "") -> PastIncident:
        meta = doc.metadata
        authors = meta.get("authors")
        return cls(document_id=doc.document_id, title=doc.title, case_id=meta.get("case_id"), fix=meta.get("fix"),
                   authors=[str(a) for a in authors] if isinstance(authors, list) else [],
                   incident_date=meta.get("incident_date"), freshness_date=meta.get("freshness_date"),
                   score=score, excerpt=excerpt or doc.preview)


def provenance(draft: KnowledgeDraft, reviewed_at: str) -> dict[str, object]:
    """What a past-incident document carries about where it came from (kept in the document's metadata)."""
    return {"case_id": draft.case_id, "draft_id": draft.draft_id, "authors": draft.authors,
            "incident_date": draft.incident_date, "fix": draft.fix, "reviewer_id": draft.reviewer_id,
            "freshness_date": reviewed_at}


def document_text(draft: KnowledgeDraft, reviewed_at: str) -> str:
    """The indexed text: provenance first (so a reader of the full document sees it), then postmortem and runbook."""
    head = [f"# Past incident: {draft.title}", "",
            f"- Case: {draft.case_id}", f"- Authors: {', '.join(draft.authors) or 'unknown'}",
            f"- Resolved: {draft.incident_date}", f"- Reviewed: {reviewed_at}", "",
            "## What fixed it", draft.fix or "not recorded in the case", ""]
    return "\n".join(head) + "\n" + draft.postmortem.strip() + "\n\n" + draft.runbook.strip() + "\n"


def of(result: SearchResult) -> PastIncident:
    return PastIncident.from_document(result.document, score=result.score, excerpt=result.excerpt)


def similar(knowledge: KnowledgeService, reader: Reader, text: str, *, limit: int = SHOWN,
            min_cosine: float | None = None, exclude_case: str | None = None) -> list[PastIncident]:
    """The past incidents the reader may see that are most like `text`, best first (never the case itself).

    Ranked by hybrid search; with `min_cosine`, only those whose embedding is at least that close to the text are
    kept (hybrid scores are ranks, so even a greeting's best keyword match scores high: the cosine is what says
    "alike")."""
    query = " ".join(text.split())[:MAX_QUERY]
    if not query:
        return []
    only = SearchFilters(document_type=PAST_INCIDENT_TYPE)
    results = knowledge.search(reader, query, limit=limit + 1, filters=only, marks=MARKDOWN_MARKS)
    if min_cosine is not None and results:
        cosine = {r.document.document_id: r.score
                  for r in knowledge.search(reader, query, limit=COSINE_DEPTH, mode="vector", filters=only)}
        results = [r for r in results if cosine.get(r.document.document_id, 0.0) >= min_cosine]
    found = [of(r) for r in results]
    return [p for p in found if p.case_id is None or p.case_id != exclude_case][:limit]


def section(incidents: list[PastIncident]) -> str:
    """The reply's Markdown block: each similar past incident, what fixed it, and how fresh that is."""
    lines = ["**Similar past incidents**"]
    for p in incidents:
        when = f"resolved {p.incident_date[:10]}" if p.incident_date else "resolution date unknown"
        fresh = f", reviewed {p.freshness_date[:10]}" if p.freshness_date else ""
        case = f"case {p.case_id}, " if p.case_id else ""
        lines.append(f"- {p.title} ({case}{when}{fresh}) — fixed by: {p.fix or 'not recorded'}")
    return "\n".join(lines)
