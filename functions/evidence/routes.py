"""Files attached to a case and the evidence derived from them: upload (direct, or presigned in the cloud), list,
details, download, delete. Every route checks that the case is the caller's (another user's answers 404); the
members of a team the case is shared with may list, read and download its files, not add or delete them (403)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from faultmaven.errors import InvalidInput
from faultmaven.evidence.multipart import read_multipart
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.http.case_access import OwnedCase, ReadableCase
from faultmaven.http.params import Offset
from functions.evidence.models import (
    CaseEvidenceListResponse,
    CompleteUploadRequest,
    EvidenceDetailsResponse,
    PresignRequest,
    PresignResponse,
    UploadedFileDetailsResponse,
    UploadedFileMetadata,
    UploadedFilesList,
)

router = APIRouter(tags=["evidence"])
FILES = "/api/v1/cases/{case_id}/uploaded-files"
EVIDENCE = "/api/v1/cases/{case_id}/evidence"

CaseId = Annotated[str, Path(min_length=1, max_length=128)]
FileId = Annotated[str, Path(min_length=1, max_length=128)]


def _uploaded(body: UploadedFileDetailsResponse) -> JSONResponse:
    """201 for a newly stored file; 200 when the content was already in the case (nothing new was stored)."""
    code = status.HTTP_200_OK if body.duplicate_of else status.HTTP_201_CREATED
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


def _turn(value: str | None) -> int:
    if not value:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise InvalidInput("turn_number must be a non-negative integer below 10^9", code="INVALID_TURN_NUMBER")
    return int(value)


@router.get(FILES, response_model=UploadedFilesList)
def list_uploaded_files(case_id: CaseId, grant: ReadableCase, container: ContainerDep,
                        limit: Annotated[int, Query(ge=1, le=100)] = 50, offset: Offset = 0,
                        sort_by: Literal["uploaded_at_turn", "filename", "size"] = "uploaded_at_turn",
                        sort_order: Literal["asc", "desc"] = "desc") -> UploadedFilesList:
    records = container.evidence.list_files(grant.owner_id, case_id, sort_by=sort_by,
                                            descending=sort_order == "desc")
    page = records[offset:offset + limit]
    return UploadedFilesList(files=[UploadedFileMetadata.of(r) for r in page], total_count=len(records), limit=limit,
                             offset=offset)


@router.post(FILES, status_code=status.HTTP_201_CREATED, response_model=UploadedFileDetailsResponse,
             responses={200: {"description": "the content was already attached to the case (see duplicate_of)"},
                        413: {"description": "larger than maxFileBytes"}, 415: {"description": "type not accepted"}})
async def upload_file(case_id: CaseId, request: Request, principal: CurrentPrincipal, _: OwnedCase,
                      container: ContainerDep) -> JSONResponse:
    """Multipart field `file` (one file), optional fields `turn_number` and `source_url`."""
    service = container.evidence
    await run_in_threadpool(service.require_case, principal.user_id, case_id)  # before reading the body
    form = await read_multipart(request.headers.get("content-type"), request.headers.get("content-length"),
                                request.stream(), max_file_bytes=service.max_file_bytes)
    file = next((f for f in form.files if f.field_name == "file"), None)
    if file is None:
        raise InvalidInput("send the file in the multipart field `file`", code="FILE_REQUIRED")
    record = await run_in_threadpool(service.attach, principal, case_id, file.filename, file.data, file.content_type,
                                     _turn(form.fields.get("turn_number")), "file", form.fields.get("source_url"))
    return _uploaded(UploadedFileDetailsResponse.of(record))


@router.post(f"{FILES}/presign", response_model=PresignResponse)
def presign_upload(case_id: CaseId, body: PresignRequest, principal: CurrentPrincipal, _: OwnedCase,
                   container: ContainerDep) -> PresignResponse:
    """Cloud: a presigned PUT for files too big for a Lambda request; then call `complete_url`. Embedded: 400."""
    ticket = container.evidence.start_presigned_upload(principal, case_id, body.filename, body.size_bytes)
    return PresignResponse(file_id=ticket.file_id, upload_url=ticket.upload.url, method=ticket.upload.method,
                           headers=ticket.upload.headers, expires_in=ticket.upload.expires_in,
                           max_file_bytes=ticket.max_file_bytes,
                           complete_url=f"{FILES.format(case_id=case_id)}/{ticket.file_id}/complete")


@router.post(f"{FILES}/{{file_id}}/complete", status_code=status.HTTP_201_CREATED,
             response_model=UploadedFileDetailsResponse)
def complete_upload(case_id: CaseId, file_id: FileId, body: CompleteUploadRequest, principal: CurrentPrincipal,
                    _: OwnedCase, container: ContainerDep) -> JSONResponse:
    record = container.evidence.complete_presigned_upload(principal, case_id, file_id, body.filename,
                                                          body.content_type, body.turn_number)
    return _uploaded(UploadedFileDetailsResponse.of(record))


@router.get(f"{FILES}/{{file_id}}", response_model=UploadedFileDetailsResponse)
def get_uploaded_file(case_id: CaseId, file_id: FileId, grant: ReadableCase,
                      container: ContainerDep) -> UploadedFileDetailsResponse:
    return UploadedFileDetailsResponse.of(container.evidence.get_file(grant.owner_id, case_id, file_id))


@router.get(f"{FILES}/{{file_id}}/content", responses={200: {"content": {"application/octet-stream": {}}},
                                                        307: {"description": "cloud: a short-lived download URL"}})
def download_uploaded_file(case_id: CaseId, file_id: FileId, grant: ReadableCase,
                           container: ContainerDep) -> Response:
    download = container.evidence.download(grant.owner_id, case_id, file_id)
    if download.redirect_url:
        return RedirectResponse(download.redirect_url, status_code=status.HTTP_307_TEMPORARY_REDIRECT,
                                headers={"Cache-Control": "no-store"})
    return Response(download.data, media_type=download.content_type,
                    headers={"Content-Disposition": download.content_disposition, "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, no-store"})


@router.delete(f"{FILES}/{{file_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_uploaded_file(case_id: CaseId, file_id: FileId, principal: CurrentPrincipal, _: OwnedCase,
                         container: ContainerDep) -> Response:
    container.evidence.delete_file(principal.user_id, case_id, file_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(EVIDENCE, response_model=CaseEvidenceListResponse)
def list_case_evidence(case_id: CaseId, grant: ReadableCase,
                       container: ContainerDep) -> CaseEvidenceListResponse:
    records = container.evidence.list_files(grant.owner_id, case_id, descending=False)
    return CaseEvidenceListResponse(case_id=case_id, total_count=len(records),
                                    evidence=[EvidenceDetailsResponse.of(r) for r in records])


@router.get(f"{EVIDENCE}/{{evidence_id}}", response_model=EvidenceDetailsResponse)
def get_evidence(case_id: CaseId, evidence_id: Annotated[str, Path(min_length=1, max_length=128)],
                 grant: ReadableCase, container: ContainerDep) -> EvidenceDetailsResponse:
    return EvidenceDetailsResponse.of(container.evidence.get_evidence(grant.owner_id, case_id, evidence_id))
