"""The first turn's recall of institutional memory: the past incidents most like the new case, with what fixed them.

Asked once, on a case's first turn (later turns cite runbooks as usual). Like every knowledge-base aid it never fails
the turn, and what it adds to the reply passes through the sanitizer with the case's placeholder map.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faultmaven.cases.model import Case
from faultmaven.copilot.case_knowledge import problem_of
from faultmaven.copilot.doctrine import CONFIRM_MARKER, KnowledgeHit
from faultmaven.http.logging import logger
from faultmaven.knowledge.documents import KnowledgeService, Reader
from faultmaven.memory.past_incidents import FIRST_TURN_MIN_COSINE, PastIncident, section, similar
from faultmaven.sanitize import PlaceholderMap, Sanitizer


class FirstTurnMemory:
    def __init__(self, knowledge: Callable[[], KnowledgeService], sanitizer: Sanitizer) -> None:
        self.knowledge = knowledge
        self.sanitizer = sanitizer

    def recall(self, reader: Reader, case: Case, user_text: str, mapping: PlaceholderMap) -> list[PastIncident]:
        """On a case's first turn, the similar past incidents the reader may see (none on later turns)."""
        if case.current_turn:
            return []
        text = "\n".join(t for t in (problem_of(case), user_text) if t)
        try:
            found = similar(self.knowledge(), reader, text, min_cosine=FIRST_TURN_MIN_COSINE,
                            exclude_case=case.case_id)
        except Exception as exc:  # the knowledge base is an aid: the turn goes on without it
            logger.warning("past-incident search failed", extra={"error_type": type(exc).__name__})
            return []
        clean = self.sanitizer.sanitize
        return [p.model_copy(update={"title": clean(p.title, mapping).text, "excerpt": clean(p.excerpt, mapping).text,
                                     "fix": clean(p.fix, mapping).text if p.fix else None}) for p in found]


def not_recalled(hits: list[KnowledgeHit], incidents: list[PastIncident]) -> list[KnowledgeHit]:
    """The knowledge-base citations less the past incidents shown in their own section (with their fix)."""
    shown = {p.document_id for p in incidents}
    return [h for h in hits if h.document_id not in shown]


def with_past_incidents(reply: str, incidents: list[PastIncident]) -> str:
    """The reply with its past-incident section, before a closing Yes / No prompt (which must stay last)."""
    if not incidents:
        return reply
    body, marker, _ = reply.rstrip().rpartition(CONFIRM_MARKER) if reply.rstrip().endswith(CONFIRM_MARKER) \
        else (reply.rstrip(), "", "")
    return f"{body.rstrip()}\n\n{section(incidents)}\n" + (f"\n{marker}\n" if marker else "")


def sources(incidents: list[PastIncident]) -> list[dict[str, Any]]:
    """Turn-response citations of the past incidents (beside the knowledge-base ones)."""
    return [{"type": "past_incident", "content": p.fix or p.excerpt, "confidence": round(p.score or 0.0, 4),
             "metadata": {"document_id": p.document_id, "title": p.title, "case_id": p.case_id,
                          "authors": p.authors, "incident_date": p.incident_date,
                          "freshness_date": p.freshness_date}} for p in incidents]
