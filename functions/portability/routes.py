"""Admin routes moving a deployment's data: export to a bundle (downloaded through the API, or a presigned link in
the cloud) and import a bundle (sent as the request body, or uploaded to a presigned slot in the cloud). Admin role
only; bundles are bounded by FM_BUNDLE_MAX_BYTES. See docs/PORTABILITY.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from faultmaven.errors import UnsupportedMedia
from faultmaven.http.auth import AdminPrincipal, ContainerDep
from faultmaven.portability.service import ARCHIVE_TYPE, DataTransfer
from functions.portability.models import ExportResponse, ImportResponse, UploadRequest, UploadResponse

router = APIRouter(tags=["admin data"])
DATA = "/api/v1/admin/data"
Id = Annotated[str, Path(min_length=1, max_length=128)]
ARCHIVE_TYPES = (ARCHIVE_TYPE, "application/x-gzip", "application/x-tar", "application/octet-stream")


@router.post(f"{DATA}/exports", status_code=status.HTTP_201_CREATED, response_model=ExportResponse)
def create_export(principal: AdminPrincipal, container: ContainerDep) -> ExportResponse:
    """Export every user, session, case (with messages, hypotheses and sealed placeholder maps), evidence file and
    knowledge-base document into a bundle, kept for download."""
    stored = DataTransfer(container).export()
    return ExportResponse.of(stored, f"{DATA}/exports/{stored.export_id}")


@router.get(f"{DATA}/exports/{{export_id}}", response_class=Response,
            responses={200: {"content": {ARCHIVE_TYPE: {}}}, 307: {"description": "to a presigned storage URL"}})
def download_export(export_id: Id, principal: AdminPrincipal, container: ContainerDep) -> Response:
    transfer = DataTransfer(container)
    url = transfer.download_url(export_id)
    if url is not None:
        return RedirectResponse(url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    return Response(transfer.export_bytes(export_id), media_type=ARCHIVE_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="faultmaven-{export_id}.tar.gz"'})


@router.post(f"{DATA}/imports", response_model=ImportResponse)
async def import_body(request: Request, principal: AdminPrincipal, container: ContainerDep) -> ImportResponse:
    """The request body is the bundle (.tar.gz). It is verified whole before anything is written; importing the
    same bundle again writes nothing."""
    transfer = DataTransfer(container)
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if kind not in ARCHIVE_TYPES:
        raise UnsupportedMedia(f"send the bundle as {ARCHIVE_TYPE} (a .tar.gz from an export)", code="BUNDLE_TYPE")
    declared = request.headers.get("content-length") or ""
    if declared.isdigit():
        transfer.check_size(int(declared))  # refused from the header, before reading the body
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        transfer.check_size(len(data))
    return ImportResponse.of(await run_in_threadpool(transfer.import_bytes, bytes(data)))


@router.post(f"{DATA}/imports/uploads", response_model=UploadResponse)
def create_upload(body: UploadRequest, principal: AdminPrincipal, container: ContainerDep) -> UploadResponse:
    """A presigned slot for a bundle too large for a request body (cloud only; the embedded server takes the body)."""
    import_id, upload = DataTransfer(container).upload_slot(body.size_bytes)
    return UploadResponse(import_id=import_id, upload=upload)


@router.post(f"{DATA}/imports/{{import_id}}", response_model=ImportResponse)
def import_upload(import_id: Id, principal: AdminPrincipal, container: ContainerDep) -> ImportResponse:
    """Import the bundle uploaded to this slot (then the upload is removed)."""
    return ImportResponse.of(DataTransfer(container).import_uploaded(import_id))

