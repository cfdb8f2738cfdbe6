"""Drafts from resolved cases and their review: extract, list, read, edit, approve (index as a past incident),
reject.

A draft is its case owner's: every read and write names the owner, and another user's draft answers 404 like a
missing one. Reviews are versioned writes: two reviewers racing get one success and one 409, never a lost edit.
Approval indexes the document first and records the approval second; a retry after a failure in between finds the
same bytes already uploaded (the knowledge base de-duplicates them) and completes the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from faultmaven.auth.service import Principal
from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.service import CaseService
from faultmaven.clock import iso, new_id, now
from faultmaven.copilot.findings import cited_lines, follow_ups_from
from faultmaven.copilot.reports import postmortem, runbook_draft
from faultmaven.copilot.turns import digest
from faultmaven.errors import Conflict, InvalidInput, NotFound, Unavailable
from faultmaven.evidence.service import EvidenceService
from faultmaven.knowledge.documents import KnowledgeService, Reader, Upload
from faultmaven.memory.past_incidents import PAST_INCIDENT_TYPE, document_text, provenance
from faultmaven.ports.drafts import DraftEdit, DraftPage, DraftRepository, DraftStatus, KnowledgeDraft
from faultmaven.sanitize import PlaceholderMap, Sanitizer

MESSAGES_READ = 200  # the conversation read for follow-ups (a case's own words)
INDEX_WAIT_SECONDS = 30.0


class DraftChanges(BaseModel):
    """A reviewer's edit; absent fields stay as they are."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    postmortem: str | None = Field(default=None, min_length=1, max_length=100_000)
    runbook: str | None = Field(default=None, min_length=1, max_length=100_000)
    fix: str | None = Field(default=None, max_length=2000)
    version: int | None = None  # the version the reviewer edited; a newer stored one answers 409


class Review(BaseModel):
    note: str | None = Field(default=None, max_length=2000)
    scope: Literal["personal", "team", "global"] = "personal"  # where an approved draft is indexed
    team_id: str | None = None
    version: int | None = None


class DraftService:
    def __init__(self, drafts: DraftRepository, cases: CaseService, evidence: EvidenceService,
                 knowledge: Callable[[], KnowledgeService], sanitizer: Sanitizer, *,
                 readers: Callable[[Principal], Reader]) -> None:
        """`readers` gives the caller as the knowledge base sees them: the teams an approval may publish into."""
        self.drafts = drafts
        self.readers = readers
        self.cases = cases
        self.evidence = evidence
        self.knowledge = knowledge
        self.sanitizer = sanitizer

    def extract(self, principal: Principal, case_id: str) -> tuple[KnowledgeDraft, bool]:
        """The case's pending draft (False) or a new one drafted from its record (True); only resolved cases."""
        user = principal.user_id
        case = self.cases.get(user, case_id)
        if case.state != CaseState.RESOLVED:
            raise Conflict("knowledge is drafted from a resolved case; this one is " + case.state.value,
                           code="CASE_NOT_RESOLVED")
        existing = self.drafts.find_by_case(user, case_id)
        if existing is not None and existing.status == "pending":
            return existing, False
        at = iso(now())
        mapping = PlaceholderMap()  # the case's texts were sanitized when stored; this catches anything left
        evidence = [digest(a, self.sanitizer, mapping) for a in self.evidence.analyses_for_case(user, case_id)]
        messages, _ = self.cases.messages(user, case_id, MESSAGES_READ, 0)
        said = "\n".join(m.content for m in messages if m.role == "user")
        # On a shared case several people wrote turns: each author once, in the order they first wrote.
        authors = list(dict.fromkeys(str(m.metadata.get("author_name") or principal.username)
                                     for m in messages if m.role == "user")) or [principal.username]
        report = postmortem(case, at, cited_lines(case.root_cause or "", evidence), follow_ups_from(said))
        draft = KnowledgeDraft(
            draft_id=new_id("kd_"), owner_id=user, case_id=case_id,
            title=(case.problem_statement or case.title)[:300], postmortem=report.content,
            runbook=runbook_draft(case, at).content, fix=(case.solution or None) and case.solution[:2000],
            authors=authors, incident_date=case.resolved_at or at, created_at=at, updated_at=at)
        if not self.drafts.create(draft):
            raise Conflict("a draft with this id exists; retry", code="DRAFT_EXISTS")
        return draft, True

    def list(self, principal: Principal, status: DraftStatus | None, limit: int, offset: int) -> DraftPage:
        return self.drafts.list(principal.user_id, status, limit, offset)

    def get(self, principal: Principal, draft_id: str) -> KnowledgeDraft:
        draft = self.drafts.get(principal.user_id, draft_id)
        if draft is None:
            raise NotFound("draft not found", code="DRAFT_NOT_FOUND")
        return draft

    def edit(self, principal: Principal, draft_id: str, changes: DraftChanges) -> KnowledgeDraft:
        draft = self._pending(principal, draft_id, changes.version)
        fields = changes.model_dump(exclude_none=True, exclude={"version"})
        if not fields:
            raise InvalidInput("nothing to change: send title, postmortem, runbook or fix", code="EMPTY_EDIT")
        mapping = PlaceholderMap()
        clean = {k: self.sanitizer.sanitize(v, mapping).text for k, v in fields.items()}  # it may be published
        at = iso(now())
        edit = DraftEdit(editor_id=principal.user_id, fields=sorted(clean), at=at)
        return self._save(draft, {**clean, "edits": [*draft.edits, edit], "updated_at": at})

    def approve(self, principal: Principal, draft_id: str, review: Review) -> KnowledgeDraft:
        """Index the draft as a past incident (with its provenance and freshness date), then mark it approved."""
        draft = self._pending(principal, draft_id, review.version)
        at = iso(now())
        reviewed = draft.model_copy(update={"reviewer_id": principal.user_id})
        outcome = self.knowledge().upload(self.readers(principal), Upload(
            filename=f"past-incident-{draft.case_id}.md", data=document_text(reviewed, at[:10]).encode(),
            title=draft.title, document_type=PAST_INCIDENT_TYPE, tags=["past-incident"], scope=review.scope,
            team_id=review.team_id, description=f"Postmortem of case {draft.case_id}",
            metadata=provenance(reviewed, at[:10])), wait_seconds=INDEX_WAIT_SECONDS)
        if outcome.document.status == "failed":  # the draft stays pending; approving again replaces the document
            raise Unavailable(f"the past incident could not be indexed ({outcome.document.error}); approve it again",
                              code="INDEXING_FAILED")
        return self._save(draft, {"status": "approved", "reviewer_id": principal.user_id, "reviewed_at": at,
                                  "review_note": review.note, "document_id": outcome.document.document_id,
                                  "updated_at": at})

    def reject(self, principal: Principal, draft_id: str, review: Review) -> KnowledgeDraft:
        draft = self._pending(principal, draft_id, review.version)
        at = iso(now())
        return self._save(draft, {"status": "rejected", "reviewer_id": principal.user_id, "reviewed_at": at,
                                  "review_note": review.note, "updated_at": at})

    def _pending(self, principal: Principal, draft_id: str, version: int | None) -> KnowledgeDraft:
        draft = self.get(principal, draft_id)
        if draft.status != "pending":
            raise Conflict(f"the draft is already {draft.status}", code="DRAFT_REVIEWED")
        if version is not None and version != draft.version:
            raise Conflict("the draft changed since you read it; reload it", code="VERSION_CONFLICT")
        return draft

    def _save(self, draft: KnowledgeDraft, update: dict[str, object]) -> KnowledgeDraft:
        changed = draft.model_copy(update={**update, "version": draft.version + 1})
        if not self.drafts.update(changed, expected_version=draft.version):
            raise Conflict("the draft changed since you read it; reload it", code="VERSION_CONFLICT")
        return changed
