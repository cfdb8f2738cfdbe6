"""Storage port of knowledge drafts: the postmortem and runbook drafted from a resolved case, awaiting review.

A draft belongs to the owner of the case it was drafted from (tenancy is in the key: every read names the owner).
It is written with a version: an edit or a review that raced another one is refused instead of overwriting it.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, Field

DraftStatus = Literal["pending", "approved", "rejected"]


class DraftEdit(BaseModel):
    """One reviewer edit: who changed which part, and when (the text before it is not kept: the draft is)."""

    editor_id: str
    fields: list[str]
    at: str


class KnowledgeDraft(BaseModel):
    draft_id: str
    owner_id: str
    case_id: str
    title: str
    postmortem: str  # Markdown: timeline, impact, root cause, fix, evidence citations, follow-ups
    runbook: str  # Markdown: meaning, impact, diagnosis, mitigation
    fix: str | None = None  # what fixed it, shown beside the past incident on a new case
    authors: list[str] = Field(default_factory=list)  # who worked the case
    incident_date: str  # when the case was resolved
    status: DraftStatus = "pending"
    reviewer_id: str | None = None
    review_note: str | None = None
    reviewed_at: str | None = None
    edits: list[DraftEdit] = Field(default_factory=list)
    document_id: str | None = None  # the past_incident document an approval indexed
    version: int = 1
    created_at: str
    updated_at: str


class DraftPage(BaseModel):
    items: list[KnowledgeDraft]
    total: int


class DraftRepository(Protocol):
    def create(self, draft: KnowledgeDraft) -> bool:
        """Store a new draft; False when the owner already has a draft with this id."""

    def get(self, owner_id: str, draft_id: str) -> KnowledgeDraft | None: ...

    def find_by_case(self, owner_id: str, case_id: str) -> KnowledgeDraft | None:
        """The owner's newest draft of this case, if any."""

    def update(self, draft: KnowledgeDraft, expected_version: int) -> bool:
        """Replace the draft if it still has `expected_version` (the caller bumps `draft.version`); else False."""

    def list(self, owner_id: str, status: DraftStatus | None, limit: int, offset: int) -> DraftPage:
        """The owner's drafts (optionally of one status), newest first, one page plus the total count."""
