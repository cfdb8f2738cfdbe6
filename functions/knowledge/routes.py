"""Knowledge-base routes: documents (upload, list, read, edit, delete, bulk delete), search and stats.

The document routes are mounted three times from one implementation (`_mount`): the contract's
`/api/v1/knowledge/documents`, the dashboard's personal KB `/api/v1/documents` (lists the caller's own documents,
uploads also at `/upload`) and its shared KB `/api/v1/admin/kb/documents` (admin role; uploads default to global).
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from faultmaven.auth.service import Principal
from faultmaven.errors import InvalidInput, TooLarge
from faultmaven.http.auth import ContainerDep, CurrentPrincipal, admin_principal, current_principal
from faultmaven.http.params import Name, Offset
from faultmaven.knowledge.documents import DocumentChanges, Upload
from faultmaven.ports.documents import DocumentStatus
from faultmaven.ports.vector_index import ReindexStatus, Scope, SearchMode
from functions.knowledge.models import (
    BulkDeleteError,
    BulkDeleteRequest,
    BulkDeleteResponse,
    DocumentListResponse,
    DocumentUpdateRequest,
    KnowledgeDocument,
    ReindexResponse,
    ScopeCounts,
    SearchRequest,
    SearchResponse,
    SearchResultItem,
    StatsResponse,
)

router = APIRouter(tags=["knowledge"])
KNOWLEDGE = "/api/v1/knowledge"
UPLOAD_WAIT_SECONDS = 120.0  # ?wait=true: how long an embedded upload waits for its ingestion
_UNSET_FORM_VALUES = ("", "undefined", "null")  # what a browser FormData sends for a missing value


@dataclass(frozen=True)
class KbView:
    prefix: str
    upload_paths: tuple[str, ...]
    default_scope: Scope  # the scope of an upload that names none
    list_scope: Scope | None  # the listing's scope filter when the request names none
    only_own: bool  # list the caller's own documents only
    admin: bool  # every route needs the admin role


VIEWS = (
    KbView(f"{KNOWLEDGE}/documents", ("",), "personal", None, only_own=False, admin=False),
    KbView("/api/v1/documents", ("", "/upload"), "personal", None, only_own=True, admin=False),
    KbView("/api/v1/admin/kb/documents", ("",), "global", "global", only_own=False, admin=True),
)


def _form_value(value: str | None) -> str | None:
    return None if value is None or value.strip() in _UNSET_FORM_VALUES else value.strip()


def _read_limited(file: UploadFile, limit: int) -> bytes:
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is larger than the {limit}-byte limit", code="FILE_TOO_LARGE")
    return data


def _mount(view: KbView) -> None:
    caller = Annotated[Principal, Depends(admin_principal if view.admin else current_principal)]

    def upload_document(
        principal: caller, container: ContainerDep, response: Response,
        file: Annotated[UploadFile, File(description="md, txt, log, json, csv, yaml, html or pdf")],
        title: Annotated[str | None, Form(max_length=300)] = None,
        document_type: Annotated[str | None, Form(max_length=64)] = None,
        tags: Annotated[str | None, Form(max_length=4000)] = None,
        source_url: Annotated[str | None, Form(max_length=2048)] = None,
        description: Annotated[str | None, Form(max_length=4000)] = None,
        category: Annotated[str | None, Form(max_length=100)] = None,
        scope: Annotated[str | None, Form()] = None,
        team_id: Annotated[str | None, Form(max_length=128)] = None,
        wait: Annotated[bool, Query(description="embedded: answer once ingestion has finished")] = False,
    ) -> KnowledgeDocument:
        if not file.filename:
            raise InvalidInput("the file part has no file name", code="FILENAME_REQUIRED")
        upload = Upload(filename=file.filename, data=_read_limited(file, container.settings.max_file_bytes),
                        title=_form_value(title), document_type=_form_value(document_type) or "reference",
                        tags=_form_value(tags) or [], source_url=_form_value(source_url),
                        description=_form_value(description), category=_form_value(category),
                        scope=_form_value(scope) or view.default_scope, team_id=_form_value(team_id))
        outcome = container.knowledge.upload(container.team_service.reader(principal), upload,
                                             wait_seconds=UPLOAD_WAIT_SECONDS if wait else None)
        response.status_code = status.HTTP_200_OK if outcome.duplicate_of else status.HTTP_201_CREATED
        return KnowledgeDocument.of(outcome.document, duplicate_of=outcome.duplicate_of)

    def list_documents(
        principal: caller, container: ContainerDep,
        scope: Scope | None = None, document_type: Name = None,
        tags: Annotated[str | None, Query(max_length=4000,
                                          description="comma-separated; a document must carry all")] = None,
        status: DocumentStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
    ) -> DocumentListResponse:
        reader = container.team_service.reader(principal)
        page = container.knowledge.list(reader, only_own=view.only_own, scope=scope or view.list_scope,
                                        document_type=document_type, tags=tags, status=status, limit=limit,
                                        offset=offset)
        counts = container.knowledge.stats(reader, only_own=view.only_own).by_scope
        return DocumentListResponse(documents=[KnowledgeDocument.of(d) for d in page.items], total_count=page.total,
                                    limit=limit, offset=offset, has_more=offset + len(page.items) < page.total,
                                    scope_counts=ScopeCounts(**counts))

    def get_document(document_id: str, principal: caller, container: ContainerDep) -> KnowledgeDocument:
        doc, content = container.knowledge.get(container.team_service.reader(principal), document_id)
        return KnowledgeDocument.of(doc, content=content)

    def update_document(document_id: str, body: DocumentUpdateRequest, principal: caller,
                        container: ContainerDep) -> KnowledgeDocument:
        changes = DocumentChanges(**body.model_dump(exclude_unset=True))
        reader = container.team_service.reader(principal)
        return KnowledgeDocument.of(container.knowledge.update(reader, document_id, changes))

    def delete_document(document_id: str, principal: caller, container: ContainerDep) -> Response:
        container.knowledge.delete(container.team_service.reader(principal), document_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    def bulk_delete(body: BulkDeleteRequest, principal: caller, container: ContainerDep) -> BulkDeleteResponse:
        outcome = container.knowledge.bulk_delete(container.team_service.reader(principal), body.document_ids)
        return BulkDeleteResponse(
            total_requested=len(outcome.deleted) + len(outcome.failed), deleted_count=len(outcome.deleted),
            deleted_ids=outcome.deleted, failed_ids=[i for i, _, _ in outcome.failed],
            errors=[BulkDeleteError(document_id=i, detail=d, code=c) for i, d, c in outcome.failed])

    routes: list[tuple[str, Any, list[str], int]] = [
        *((f"{view.prefix}{path}", upload_document, ["POST"], status.HTTP_201_CREATED)
          for path in view.upload_paths),
        (view.prefix, list_documents, ["GET"], status.HTTP_200_OK),
        (f"{view.prefix}/bulk-delete", bulk_delete, ["POST"], status.HTTP_200_OK),
        (f"{view.prefix}/{{document_id}}", get_document, ["GET"], status.HTTP_200_OK),
        (f"{view.prefix}/{{document_id}}", update_document, ["PUT"], status.HTTP_200_OK),
        (f"{view.prefix}/{{document_id}}", delete_document, ["DELETE"], status.HTTP_204_NO_CONTENT),
    ]
    for path, endpoint, methods, code in routes:
        router.add_api_route(path, endpoint, methods=methods, status_code=code)


def _search(body: SearchRequest, principal: Principal, container: ContainerDep, *,
            default_mode: SearchMode) -> SearchResponse:
    mode = body.mode or default_mode
    results = container.knowledge.search(container.team_service.reader(principal), body.query,
                                         limit=body.effective_limit, mode=mode, filters=body.search_filters(),
                                         per_document=body.per_document, threshold=body.similarity_threshold)
    return SearchResponse(query=body.query, mode=mode, total_results=len(results),
                          results=[SearchResultItem.of(r) for r in results])


@router.post(f"{KNOWLEDGE}/search", response_model=SearchResponse)
def search_chunks(body: SearchRequest, principal: CurrentPrincipal, container: ContainerDep) -> SearchResponse:
    """Hybrid (BM25 + vector, fused per document) search over the chunks the caller may see."""
    return _search(body, principal, container, default_mode="hybrid")


@router.post(f"{KNOWLEDGE}/documents/search", response_model=SearchResponse)
def search_documents(body: SearchRequest, principal: CurrentPrincipal, container: ContainerDep) -> SearchResponse:
    """Keyword (BM25) search, one result per document (its best chunk); `mode` may ask for hybrid or vector."""
    return _search(body, principal, container, default_mode="bm25")


@router.get(f"{KNOWLEDGE}/stats", response_model=StatsResponse)
def knowledge_stats(principal: CurrentPrincipal, container: ContainerDep) -> StatsResponse:
    stats = container.knowledge.stats(container.team_service.reader(principal))
    return StatsResponse.of(stats, container.embedder.space.model_id)


AdminPrincipal = Annotated[Principal, Depends(admin_principal)]


def _reindex_response(container: ContainerDep, status: ReindexStatus) -> ReindexResponse:
    return ReindexResponse(**status.model_dump(), running=container.reindexer.running)


@router.get("/api/v1/admin/kb/reindex", response_model=ReindexResponse)
def reindex_status(principal: AdminPrincipal, container: ContainerDep) -> ReindexResponse:
    """How far the index is from the configured embedding model (complete: nothing to do)."""
    return _reindex_response(container, container.reindexer.status())


@router.post("/api/v1/admin/kb/reindex", response_model=ReindexResponse, status_code=status.HTTP_202_ACCEPTED)
def start_reindex(principal: AdminPrincipal, container: ContainerDep, response: Response) -> ReindexResponse:
    """Start re-embedding every chunk with the configured model, in the background; resumes a stopped one.
    Poll the GET of the same path."""
    response.headers["Location"] = "/api/v1/admin/kb/reindex"
    return _reindex_response(container, container.reindexer.start())


for _view in VIEWS:
    _mount(_view)
