"""Case routes: create, list, read, update, delete, search, close, messages, the /ui view and title generation.

Every route is scoped to the caller (another user's case answers 404). A case shared with one of the caller's
teams is readable (read, messages, /ui); changing it stays with its owner (403 for team members who can read it).
A request carrying `X-Session-Id` must name a live session of the caller, else 401 SESSION_EXPIRED: the extension
then opens a new session and retries.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response, status
from fastapi.responses import JSONResponse

from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case, stamp
from faultmaven.errors import InvalidInput
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.http.case_access import OwnedCase, ReadableCase
from faultmaven.http.params import Name, Offset, Page
from faultmaven.ports.cases import CaseQuery
from functions.cases.models import (
    CaseCreateRequest,
    CaseDetail,
    CaseListResponse,
    CaseMessagesResponse,
    CaseSearchRequest,
    CaseSummary,
    CaseUIResponse,
    CaseUpdateRequest,
    Message,
    TitleResponse,
)
from functions.cases.views import ui_view

PREFIX = "/api/v1/cases"
CaseId = Annotated[str, Path(min_length=1, max_length=128)]
_VERSION_RE = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')


def require_live_session(principal: CurrentPrincipal, container: ContainerDep,
                         x_session_id: Annotated[str | None, Header(max_length=128)] = None) -> None:
    if x_session_id:
        container.session_service.require_live(principal.user_id, x_session_id)


router = APIRouter(tags=["cases"], dependencies=[Depends(require_live_session)])


def expected_version(if_match: Annotated[str | None, Header()] = None,
                     x_expected_version: Annotated[str | None, Header()] = None) -> int | None:
    """The version the client based its edit on (`If-Match: "3"` or `X-Expected-Version: 3`), if it sent one."""
    raw = x_expected_version or if_match
    if raw is None or raw.strip() == "*":
        return None
    match = _VERSION_RE.match(raw.strip())
    if not match:
        raise InvalidInput("If-Match / X-Expected-Version must be a case version number", code="INVALID_VERSION")
    return int(match.group(1))


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


def _versioned(body: Any, case: Case, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers={"ETag": f'"{case.version}"'})


def _stamp_param(value: datetime | None) -> str | None:
    if value is None:
        return None
    return stamp(value if value.tzinfo else value.replace(tzinfo=UTC))


@router.post(PREFIX, status_code=status.HTTP_201_CREATED, response_model=CaseSummary)
def create_case(body: CaseCreateRequest, principal: CurrentPrincipal, container: ContainerDep,
                idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> JSONResponse:
    def create() -> tuple[int, Any]:
        case = container.case_service.create(principal.user_id, title=body.title, description=body.description,
                                             initial_message=body.initial_message, session_id=body.session_id)
        return status.HTTP_201_CREATED, CaseSummary.of(case).model_dump(mode="json")

    outcome = container.idempotency.run("cases.create", principal.user_id, idempotency_key, body.model_dump(), create)
    headers = {"Location": f"{PREFIX}/{outcome.body['case_id']}", "ETag": f'"{outcome.body["version"]}"'}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.get(PREFIX, response_model=CaseListResponse)
def list_cases(principal: CurrentPrincipal, container: ContainerDep,
               state: CaseState | None = None, source: str | None = Query(default=None, max_length=20),
               team_id: Name = None, include_empty: bool = True,
               created_after: datetime | None = None, created_before: datetime | None = None,
               limit: int = Query(default=50, ge=1, le=100), offset: Offset = 0,
               page: Page = None, page_size: int | None = Query(default=None, ge=1, le=100),
               ) -> CaseListResponse:
    """`limit`/`offset` paging; the dashboard's `page`/`page_size` (1-based) map onto it. With `team_id`, the cases
    shared with that team (its members only; `state` filters them)."""
    if page is not None or page_size is not None:
        limit = page_size or limit
        offset = ((page or 1) - 1) * limit
    if team_id is not None:
        shared = sorted((c for _, c in container.team_service.team_cases(principal, team_id)
                         if state is None or c.state == state), key=lambda c: c.updated_at, reverse=True)
        page_of = shared[offset:offset + limit]
        return CaseListResponse(cases=[CaseSummary.of(c) for c in page_of], total_count=len(shared), limit=limit,
                                offset=offset, has_more=offset + len(page_of) < len(shared))
    query = CaseQuery(state=state, source=source, include_empty=include_empty,
                      created_after=_stamp_param(created_after), created_before=_stamp_param(created_before),
                      limit=limit, offset=offset)
    cases, total = container.case_service.list(principal.user_id, query)
    return CaseListResponse(cases=[CaseSummary.of(c) for c in cases], total_count=total, limit=limit, offset=offset,
                            has_more=offset + len(cases) < total)


@router.post(f"{PREFIX}/search", response_model=list[CaseSummary])
def search_cases(body: CaseSearchRequest, principal: CurrentPrincipal, container: ContainerDep) -> list[CaseSummary]:
    found = container.case_service.search(principal.user_id, body.query, body.state, body.limit)
    return [CaseSummary.of(c) for c in found]


@router.get(f"{PREFIX}/{{case_id}}", response_model=CaseDetail)
def get_case(case_id: CaseId, grant: ReadableCase, container: ContainerDep) -> JSONResponse:
    case = container.case_service.get(grant.owner_id, case_id)
    return _versioned(CaseDetail.of(case), case)


@router.put(f"{PREFIX}/{{case_id}}", response_model=CaseSummary)
def update_case(case_id: CaseId, body: CaseUpdateRequest, principal: CurrentPrincipal, container: ContainerDep,
                version: ExpectedVersion, _: OwnedCase) -> JSONResponse:
    case = container.case_service.update(principal.user_id, case_id, title=body.title, description=body.description,
                                         state=body.state, expected_version=version)
    return _versioned(CaseSummary.of(case), case)


@router.delete(f"{PREFIX}/{{case_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_case(case_id: CaseId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    container.case_service.delete(principal.user_id, case_id)  # 404 for a case that was never the caller's
    # Then what the case owned elsewhere: its files and its sealed placeholder map (both idempotent).
    container.evidence.delete_case_files(principal.user_id, case_id)
    container.redaction_vault.forget(principal.user_id, case_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{PREFIX}/{{case_id}}/close", response_model=CaseSummary)
def close_case(case_id: CaseId, principal: CurrentPrincipal, container: ContainerDep, version: ExpectedVersion,
               _: OwnedCase, body: Annotated[dict[str, Any] | None, Body()] = None) -> JSONResponse:
    """Close with `closure_reason` (or `reason`) from the body; without one, the current state's default."""
    reason = (body or {}).get("closure_reason") or (body or {}).get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("closure_reason must be a string", code="INVALID_CLOSURE_REASON")
    case = container.case_service.close(principal.user_id, case_id, reason, expected_version=version)
    return _versioned(CaseSummary.of(case), case)


@router.post(f"{PREFIX}/{{case_id}}/archive", response_model=CaseSummary)
def archive_case(case_id: CaseId, principal: CurrentPrincipal, container: ContainerDep,
                 version: ExpectedVersion, _: OwnedCase) -> JSONResponse:
    case = container.case_service.archive(principal.user_id, case_id, True, expected_version=version)
    return _versioned(CaseSummary.of(case), case)


@router.post(f"{PREFIX}/{{case_id}}/unarchive", response_model=CaseSummary)
def unarchive_case(case_id: CaseId, principal: CurrentPrincipal, container: ContainerDep,
                   version: ExpectedVersion, _: OwnedCase) -> JSONResponse:
    case = container.case_service.archive(principal.user_id, case_id, False, expected_version=version)
    return _versioned(CaseSummary.of(case), case)


@router.get(f"{PREFIX}/{{case_id}}/messages", response_model=CaseMessagesResponse)
def case_messages(case_id: CaseId, grant: ReadableCase, container: ContainerDep,
                  limit: int = Query(default=50, ge=1, le=100), offset: Offset = 0,
                  include_debug: bool = False) -> CaseMessagesResponse:
    messages, total = container.case_service.messages(grant.owner_id, case_id, limit, offset)
    has_more = offset + len(messages) < total
    return CaseMessagesResponse(messages=[Message.of(m) for m in messages], total_count=total,
                                retrieved_count=len(messages), has_more=has_more,
                                next_offset=offset + len(messages) if has_more else None)


@router.get(f"{PREFIX}/{{case_id}}/ui", response_model=CaseUIResponse)
def case_ui(case_id: CaseId, grant: ReadableCase, container: ContainerDep) -> CaseUIResponse:
    case = container.case_service.get(grant.owner_id, case_id)
    return ui_view(case, container.evidence.list_files(grant.owner_id, case_id))


@router.post(f"{PREFIX}/{{case_id}}/title", response_model=TitleResponse)
def generate_title(case_id: CaseId, principal: CurrentPrincipal, container: ContainerDep, _: OwnedCase,
                   force: bool = False, body: Annotated[dict[str, Any] | None, Body()] = None) -> TitleResponse:
    """Title the case from its conversation; only a placeholder title is replaced unless `force=true`."""
    case = container.case_service.generate_title(principal.user_id, case_id, force=force)
    return TitleResponse(title=case.title)
