"""The postmortem and the past-incident document built from a case record: every section present, what the record
lacks said to be missing, and the provenance a new case's citation shows."""

from __future__ import annotations

from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case
from faultmaven.copilot.reports import NOT_RECORDED, postmortem
from faultmaven.knowledge.documents import SearchResult
from faultmaven.memory.past_incidents import PastIncident, document_text, of, provenance, section
from faultmaven.ports.documents import DocumentRecord
from faultmaven.ports.drafts import KnowledgeDraft

AT = "2026-12-01T10:00:00Z"


def _case(**fields: object) -> Case:
    return Case(case_id="case_1", user_id="u1", title="Checkout 503", created_at=AT, updated_at=AT,
                last_activity_at=AT, state=CaseState.RESOLVED, resolved_at=AT, **fields)


def test_postmortem_has_every_section_and_names_what_is_missing() -> None:
    bare = postmortem(_case(), AT, [], []).content
    for heading in ("## Impact", "## Timeline", "## Root cause", "## Fix", "## Evidence", "## Hypotheses considered",
                    "## Follow-ups"):
        assert heading in bare
    assert bare.count(NOT_RECORDED) >= 4 and "not identified" in bare
    full = postmortem(_case(impact="30% of eu-west", root_cause="pool too small", solution="raised the pool"), AT,
                      ["api.log (120 error lines)"], ["add an alert on pool usage"]).content
    assert "- api.log (120 error lines)" in full and "- add an alert on pool usage" in full
    assert "raised the pool" in full.split("## Fix")[1] and NOT_RECORDED not in full.split("## Impact")[1][:40]


def test_the_document_carries_provenance_and_the_citation_shows_it() -> None:
    draft = KnowledgeDraft(draft_id="kd_1", owner_id="u1", case_id="case_1", title="Checkout 503",
                           postmortem="# Postmortem\n", runbook="# Runbook\n", fix="raised the pool",
                           authors=["alice"], incident_date=AT, reviewer_id="u2", created_at=AT, updated_at=AT)
    text = document_text(draft, "2026-12-02")
    assert "- Case: case_1" in text and "- Authors: alice" in text and "- Reviewed: 2026-12-02" in text
    assert "raised the pool" in text.split("## What fixed it")[1]
    doc = DocumentRecord(document_id="doc_1", owner_id="u2", title=draft.title, document_type="past_incident",
                         filename="p.md", sha256="x", metadata=provenance(draft, "2026-12-02"), created_at=AT,
                         updated_at=AT)
    found = of(SearchResult(document=doc, chunk_id="c", heading_path=[], text="t", excerpt="e", snippet="e",
                            score=0.9))
    assert (found.case_id, found.fix, found.authors, found.freshness_date) == ("case_1", "raised the pool", ["alice"],
                                                                              "2026-12-02")
    shown = section([found, PastIncident(document_id="doc_2", title="Old one", score=0.5)])
    assert "- Checkout 503 (case case_1, resolved 2026-12-01, reviewed 2026-12-02) — fixed by: raised the pool" in shown
    assert "- Old one (resolution date unknown) — fixed by: not recorded" in shown
