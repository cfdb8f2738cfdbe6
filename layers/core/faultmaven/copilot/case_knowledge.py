"""The turn's knowledge-base step: search with the case (case_search), cite the fused best runbooks with the passage
that applies and its first step, and give each hypothesis the runbooks that bear on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from faultmaven.cases.hypotheses import OPEN_HYPOTHESIS_STATES, RunbookSupport
from faultmaven.cases.model import Case, ProposalKind
from faultmaven.copilot.case_search import (
    CaseSearchResult,
    QueryWeights,
    RankedHit,
    build_queries,
    first_step,
    hypothesis_core,
    search_case,
)
from faultmaven.copilot.doctrine import KnowledgeHit
from faultmaven.http.logging import logger
from faultmaven.knowledge.documents import KnowledgeService, Reader
from faultmaven.knowledge.snippets import MARKDOWN_MARKS
from faultmaven.sanitize import PlaceholderMap, Sanitizer

KB_HITS = 3
SUPPORT_HITS = 2  # runbooks shown per hypothesis


@dataclass
class CaseCitations:
    hits: list[KnowledgeHit]
    searched: bool | None  # False: the reader can see no indexed document; None: the index could not be searched
    support: dict[str, list[RunbookSupport]] = field(default_factory=dict)  # hypothesis id or statement -> support
    result: CaseSearchResult | None = None
    search: Callable[[str], list[RankedHit]] | None = None  # this turn's memoized search, for new hypotheses


def problem_of(case: Case) -> str | None:
    """What the case is about, as far as it is stated: the confirmed or proposed problem statement, else its text."""
    proposal = case.pending_proposal
    if case.problem_statement:
        return case.problem_statement
    if proposal is not None and proposal.kind == ProposalKind.START_INVESTIGATION and proposal.summary:
        return proposal.summary
    return case.description or (None if case.has_placeholder_title else case.title)


class CaseKnowledge:
    def __init__(self, knowledge: Callable[[], KnowledgeService], sanitizer: Sanitizer,
                 weights: QueryWeights | None = None) -> None:
        self.knowledge = knowledge
        self.sanitizer = sanitizer
        self.weights = weights or QueryWeights()

    def cite(self, reader: Reader, case: Case, user_text: str, recent: Sequence[str],
             templates: Sequence[tuple[str, int]], mapping: PlaceholderMap) -> CaseCitations:
        """Search with everything the case knows; never fails the turn (a broken index means no citations)."""
        hypotheses = [(h.hypothesis_id, h.text) for h in case.hypotheses if h.state in OPEN_HYPOTHESIS_STATES]
        queries = build_queries(problem=problem_of(case), user_text=user_text, recent=recent, templates=templates,
                                hypotheses=hypotheses, weights=self.weights)
        if not queries:
            return CaseCitations(hits=[], searched=self._visible(reader))
        try:
            service = self.knowledge()
            search = self._searcher(service, reader, mapping)
            result = search_case(queries, search, KB_HITS, self.weights)
            steps = {h.document_id: self._first_step(service, reader, h.document_id, mapping) for h in result.cited}
        except Exception as exc:  # any failure of the KB must not fail the turn
            logger.warning("knowledge search failed; answering without it", extra={"error_type": type(exc).__name__})
            return CaseCitations(hits=[], searched=None)
        if not result.cited and not self._visible(reader):
            return CaseCitations(hits=[], searched=False)
        statements = dict(hypotheses)
        support = {hid: [self._support(h, steps.get(h.document_id)) for h in hits]
                   for hid, hits in result.support.items()}
        hits = []
        for h in result.cited:
            bears_on = next((statements[hid] for hid, found in result.support.items()
                             if any(x.document_id == h.document_id for x in found)), None)
            hits.append(KnowledgeHit(document_id=h.document_id, title=h.title, snippet=h.passage,
                                     score=h.similarity, first_step=steps.get(h.document_id), supports=bears_on))
        return CaseCitations(hits=hits, searched=True, support=support, result=result, search=search)

    def support_new(self, citations: CaseCitations, statements: Sequence[str]) -> dict[str, list[RunbookSupport]]:
        """The supporting runbooks of hypotheses recorded this turn, by statement (searched with their core)."""
        search = citations.search
        if search is None:
            return {}
        out = {}
        for statement in statements:
            try:
                hits = search(hypothesis_core(statement))[:SUPPORT_HITS]
            except Exception as exc:  # the KB is an aid: a hypothesis without support is still a hypothesis
                logger.warning("hypothesis support search failed", extra={"error_type": type(exc).__name__})
                return out
            cited = {h.document_id: h.first_step for h in citations.hits}
            out[statement] = [self._support(h, cited.get(h.document_id)) for h in hits]
        return out

    def _visible(self, reader: Reader) -> bool | None:
        """Whether the reader can see any indexed document (None when the knowledge base cannot tell)."""
        try:
            return self.knowledge().list(reader, status="indexed", limit=1).total > 0
        except Exception as exc:  # the KB is an aid: not knowing is not a failed turn
            logger.warning("knowledge listing failed", extra={"error_type": type(exc).__name__})
            return None

    def _searcher(self, service: KnowledgeService, reader: Reader,
                  mapping: PlaceholderMap) -> Callable[[str], list[RankedHit]]:
        memo: dict[str, list[RankedHit]] = {}

        def search(text: str) -> list[RankedHit]:
            if text not in memo:
                results = service.search(reader, text[:1000], limit=max(SUPPORT_HITS, self.weights.per_query),
                                         per_document=True, threshold=self.weights.min_similarity,
                                         marks=MARKDOWN_MARKS)
                memo[text] = [RankedHit(document_id=r.document.document_id, title=r.document.title,
                                        passage=self.sanitizer.sanitize(r.excerpt, mapping).text,
                                        similarity=r.score) for r in results]
            return memo[text]

        return search

    def _first_step(self, service: KnowledgeService, reader: Reader, document_id: str,
                    mapping: PlaceholderMap) -> str | None:
        _, text = service.get(reader, document_id)
        step = first_step(text) if text else None
        return self.sanitizer.sanitize(step, mapping).text if step else None

    @staticmethod
    def _support(hit: RankedHit, step: str | None) -> RunbookSupport:
        return RunbookSupport(document_id=hit.document_id, title=hit.title[:300], passage=hit.passage[:600],
                              first_step=step[:300] if step else None, score=min(1.0, max(0.0, hit.similarity)))
