"""Institutional-memory routes: draft a resolved case's postmortem and runbook (`extract-knowledge`), review the
drafts (list, read, edit, approve or verify, reject) and search the past incidents approved drafts became."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, Field

from faultmaven.errors import DomainError
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.http.case_access import OwnedCase
from faultmaven.http.params import Offset
from faultmaven.memory.drafts import DraftChanges, Review
from faultmaven.memory.past_incidents import PAST_INCIDENT_TYPE, PastIncident, similar
from faultmaven.ports.drafts import DraftStatus, KnowledgeDraft

router = APIRouter(tags=["knowledge-drafts"])
DRAFTS = "/api/v1/knowledge/drafts"
MAX_BATCH = 50


class DraftListResponse(BaseModel):
    drafts: list[KnowledgeDraft]
    total: int
    limit: int
    offset: int
    has_more: bool


class BatchDraftRef(BaseModel):
    draft_id: str = Field(min_length=1, max_length=100)


class BatchVerifyRequest(BaseModel):
    """The contract's batch body: `{"draft_ids": [{"draft_id": ...}]}`."""

    draft_ids: list[BatchDraftRef] = Field(min_length=1, max_length=MAX_BATCH)


class PastIncidentsResponse(BaseModel):
    query: str | None
    incidents: list[PastIncident]


@router.post("/api/v1/cases/{case_id}/extract-knowledge", status_code=status.HTTP_201_CREATED)
def extract_knowledge(case_id: str, principal: CurrentPrincipal, container: ContainerDep, response: Response,
                      _: OwnedCase, _body: Annotated[dict[str, Any] | None, Body()] = None) -> KnowledgeDraft:
    """Draft a postmortem and a runbook from a resolved case; its pending draft (200) when it has one. The draft
    is the case owner's to review (403 for team members who may read a shared case)."""
    draft, created = container.memory.extract(principal, case_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return draft


@router.get(DRAFTS, response_model=DraftListResponse)
def list_drafts(principal: CurrentPrincipal, container: ContainerDep,
                status_filter: Annotated[DraftStatus | None, Query(alias="status")] = None,
                limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0) -> DraftListResponse:
    page = container.memory.list(principal, status_filter, limit, offset)
    return DraftListResponse(drafts=page.items, total=page.total, limit=limit, offset=offset,
                             has_more=offset + len(page.items) < page.total)


@router.post(f"{DRAFTS}/verify-batch")
def verify_batch(body: BatchVerifyRequest, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    """Approve several drafts in order; each one's outcome is reported, one failure does not stop the others."""
    results = []
    for ref in body.draft_ids:
        try:
            draft = container.memory.approve(principal, ref.draft_id, Review())
            results.append({"draft_id": ref.draft_id, "status": draft.status, "document_id": draft.document_id})
        except DomainError as exc:
            results.append({"draft_id": ref.draft_id, "status": "error", "detail": exc.detail, "code": exc.code})
    return {"results": results, "verified": sum(r["status"] == "approved" for r in results)}


@router.get(f"{DRAFTS}/{{draft_id}}")
def get_draft(draft_id: str, principal: CurrentPrincipal, container: ContainerDep) -> KnowledgeDraft:
    return container.memory.get(principal, draft_id)


@router.put(f"{DRAFTS}/{{draft_id}}")
def edit_draft(draft_id: str, changes: DraftChanges, principal: CurrentPrincipal,
               container: ContainerDep) -> KnowledgeDraft:
    return container.memory.edit(principal, draft_id, changes)


@router.post(f"{DRAFTS}/{{draft_id}}/approve")
@router.post(f"{DRAFTS}/{{draft_id}}/verify")
def approve_draft(draft_id: str, principal: CurrentPrincipal, container: ContainerDep,
                  review: Annotated[Review | None, Body()] = None) -> KnowledgeDraft:
    """Index the draft as a past incident (personal scope unless the review names another) and mark it approved."""
    return container.memory.approve(principal, draft_id, review or Review())


@router.post(f"{DRAFTS}/{{draft_id}}/reject")
def reject_draft(draft_id: str, principal: CurrentPrincipal, container: ContainerDep,
                 review: Annotated[Review | None, Body()] = None) -> KnowledgeDraft:
    return container.memory.reject(principal, draft_id, review or Review())


@router.get("/api/v1/knowledge/past-incidents", response_model=PastIncidentsResponse)
def past_incidents(principal: CurrentPrincipal, container: ContainerDep,
                   q: Annotated[str | None, Query(max_length=1000)] = None,
                   limit: Annotated[int, Query(ge=1, le=50)] = 10) -> PastIncidentsResponse:
    """The past incidents most like `q`; without `q`, the newest ones the caller may see."""
    reader = container.team_service.reader(principal)
    if q and q.strip():
        return PastIncidentsResponse(query=q, incidents=similar(container.knowledge, reader, q, limit=limit))
    docs = container.knowledge.list(reader, document_type=PAST_INCIDENT_TYPE, limit=limit)
    return PastIncidentsResponse(query=None, incidents=[PastIncident.from_document(d) for d in docs.items])
