"""The evidence service: attach files to a case (checked, deduplicated, analysed, stored), list, serve and delete
them, and hand the copilot compact analyses.

Storage is all or nothing: the blob is written first and the metadata second; if the metadata write fails the blob
is deleted again, and if the blob write fails nothing is recorded. A reader never sees metadata without its blob.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel

from faultmaven.auth.service import Principal
from faultmaven.clock import iso, new_id, now
from faultmaven.errors import Conflict, DomainError, InvalidInput, NotFound, Unavailable
from faultmaven.evidence.analysis import analyze
from faultmaven.evidence.classification import CODE_EXTENSIONS, by_content, by_extension
from faultmaven.evidence.compression import decompress
from faultmaven.evidence.inspection import check_extension, inspect, read_limited
from faultmaven.evidence.naming import (
    blob_key,
    content_disposition,
    extension,
    pending_key,
    sanitize_filename,
    too_large,
)
from faultmaven.http.logging import logger
from faultmaven.ports.blobs import BlobStore, PresignedUpload
from faultmaven.ports.evidence import EvidenceRecord, EvidenceRepository, SourceType, UploadSource
from faultmaven.sanitize.stored import Redactor

#: Raises `NotFound` unless the case exists and belongs to the owner (`CaseService.get`); its result is unused.
CaseGuard = Callable[[str, str], object]
AttachSource = Literal["file", "page_capture", "paste"]
SortField = Literal["uploaded_at_turn", "filename", "size"]

_UPLOAD_SOURCES: dict[str, UploadSource] = {"file": "file_upload", "page_capture": "page_capture", "paste": "paste"}
_DEFAULT_NAMES = {"page_capture": "page-capture.html", "paste": "pasted-content.txt"}
PRESIGN_TTL_SECONDS = 900
DOWNLOAD_TTL_SECONDS = 300


class EvidenceAnalysis(BaseModel):
    """What the copilot reads about one file: never the raw content, only its compact analysis."""

    file_id: str
    filename: str
    source_type: SourceType
    uploaded_at_turn: int
    summary: str | None
    analysis: dict[str, Any] | None


class PresignedUploadTicket(BaseModel):
    file_id: str
    upload: PresignedUpload
    max_file_bytes: int


@dataclass(frozen=True)
class Download:
    """Either the bytes (embedded) or a short-lived URL to fetch them from (cloud)."""

    record: EvidenceRecord
    content_type: str
    content_disposition: str
    data: bytes | None = None
    redirect_url: str | None = None


def _sort_key(field: SortField) -> Callable[[EvidenceRecord], Any]:
    if field == "filename":
        return lambda r: (r.filename.lower(), r.uploaded_at)
    if field == "size":
        return lambda r: (r.size_bytes, r.uploaded_at)
    return lambda r: (r.uploaded_at_turn, r.uploaded_at)


class EvidenceService:
    def __init__(self, repository: EvidenceRepository, blobs: BlobStore, case_guard: CaseGuard, *,
                 max_file_bytes: int, allowed_extensions: list[str], redact: Redactor,
                 max_decompressed_bytes: int) -> None:
        """`redact` sanitizes each analysis before it is stored: its templates, example lines and chart labels are
        served (the API, the dashboard) and read by the copilot; only the raw file, the owner's download, is not."""
        self.redact = redact
        self.repository = repository
        self.blobs = blobs
        self.case_guard = case_guard
        self.max_file_bytes = max_file_bytes
        self.allowed_extensions = allowed_extensions
        self.max_decompressed_bytes = max_decompressed_bytes

    # -- attaching ---------------------------------------------------------------------------------------------

    def require_case(self, owner_id: str, case_id: str) -> None:
        """404 unless the case exists and is the owner's; routes call it before reading a request body."""
        self.case_guard(owner_id, case_id)

    def attach(self, principal: Principal, case_id: str, filename: str | None, data: bytes | BinaryIO,
               content_type: str | None = None, turn_number: int = 0, source: AttachSource = "file",
               source_url: str | None = None) -> EvidenceRecord:
        """Check, analyse and store a file in the case. Content already in the case is not stored again: the earlier
        record comes back with `duplicate_of` / `duplicate_turn` set. Raises a 4xx `DomainError` for bad input."""
        owner_id = principal.user_id
        self.require_case(owner_id, case_id)
        if source not in _UPLOAD_SOURCES:
            raise InvalidInput(f"unknown attachment source {source!r}", code="INVALID_SOURCE")
        name = sanitize_filename(filename or _DEFAULT_NAMES.get(source))
        check_extension(name, self.allowed_extensions)  # before reading a stream: a wrong type fails fast
        body = data if isinstance(data, bytes | bytearray) else read_limited(data, self.max_file_bytes)
        metadata = {"source_url": source_url} if source_url else None
        file_id = new_id("file_")
        return self._store(owner_id, case_id, file_id, name, bytes(body), content_type, turn_number,
                           _UPLOAD_SOURCES[source], metadata)

    def _store(self, owner_id: str, case_id: str, file_id: str, name: str, body: bytes, claimed: str | None,
               turn_number: int, upload_source: UploadSource, metadata: dict[str, Any] | None) -> EvidenceRecord:
        if len(body) > self.max_file_bytes:
            raise too_large(self.max_file_bytes)
        # A compressed log is stored and analysed unpacked, under its inner name (app.log.gz -> app.log).
        unpacked_name, unpacked = decompress(name, body, max_bytes=self.max_decompressed_bytes)
        limit = self.max_file_bytes if unpacked is body else self.max_decompressed_bytes
        name, body = unpacked_name, unpacked
        found = inspect(name, body, max_bytes=limit, allowed_extensions=self.allowed_extensions)
        content_hash = hashlib.sha256(body).hexdigest()
        earlier = self.repository.find_by_hash(owner_id, case_id, content_hash)
        if earlier:
            return _as_duplicate(earlier)
        ext = extension(name)
        decided = by_extension(ext, found)
        if found.text is not None:  # mined from sanitized lines, a template never splits a secret into variables
            found = replace(found, text=self.redact(owner_id, case_id, [found.text])[0])
        result = analyze(name, ext, body, found, code=ext in CODE_EXTENSIONS)
        summary, data = self.redact(owner_id, case_id, [result.summary, result.data])
        source_type = decided or by_content(result.kind, found.text or "")
        record = EvidenceRecord(
            file_id=file_id, evidence_id=new_id("ev_"), owner_id=owner_id, case_id=case_id, filename=name,
            content_type=found.mime, claimed_content_type=claimed[:200] if claimed else None,
            size_bytes=len(body), content_hash=content_hash, source_type=source_type, upload_source=upload_source,
            source_metadata=metadata, uploaded_at=iso(now()), uploaded_at_turn=max(0, turn_number),
            blob_key=blob_key(owner_id, case_id, file_id), analysis_status=result.status, summary=summary,
            analysis=data)
        return self._write(record, body)

    def _write(self, record: EvidenceRecord, body: bytes) -> EvidenceRecord:
        """Blob first, then metadata; undo the blob when the metadata cannot be written. Returns the stored record,
        or the earlier one when a concurrent upload of the same content won the race."""
        try:
            self.blobs.put(record.blob_key, body, record.content_type)
        except Exception as exc:
            self._discard(record.blob_key)
            logger.warning("blob write failed", extra={"error_type": type(exc).__name__})
            raise Unavailable("the file could not be stored; nothing was saved, try again",
                              code="STORAGE_UNAVAILABLE") from exc
        try:
            self.repository.create(record)
        except Exception as exc:
            self._discard(record.blob_key)
            if isinstance(exc, Conflict) and exc.code == "DUPLICATE_CONTENT":
                earlier = self.repository.find_by_hash(record.owner_id, record.case_id, record.content_hash)
                if earlier:
                    return _as_duplicate(earlier)
            if isinstance(exc, DomainError):
                raise
            logger.warning("evidence metadata write failed", extra={"error_type": type(exc).__name__})
            raise Unavailable("the file could not be recorded; nothing was saved, try again",
                              code="STORAGE_UNAVAILABLE") from exc
        return record

    def _discard(self, key: str) -> None:
        try:
            self.blobs.delete(key)
        except Exception as exc:  # the blob stays orphaned, but without metadata it is never served
            logger.warning("blob cleanup failed", extra={"error_type": type(exc).__name__})

    # -- presigned uploads (cloud) -------------------------------------------------------------------------------

    def start_presigned_upload(self, principal: Principal, case_id: str, filename: str,
                               size_bytes: int) -> PresignedUploadTicket:
        """A URL to PUT a file of exactly `size_bytes` bytes straight to storage; `complete_presigned_upload` then
        checks and records it. Refuses early what the limits would refuse later."""
        owner_id = principal.user_id
        self.require_case(owner_id, case_id)
        if not self.blobs.supports_presign:
            raise InvalidInput("this deployment takes direct uploads: POST the file as multipart field `file` to "
                               f"/api/v1/cases/{case_id}/uploaded-files", code="PRESIGN_NOT_SUPPORTED")
        check_extension(sanitize_filename(filename), self.allowed_extensions)
        if size_bytes <= 0:
            raise InvalidInput("the file is empty", code="EMPTY_FILE")
        if size_bytes > self.max_file_bytes:
            raise too_large(self.max_file_bytes)
        file_id = new_id("file_")
        upload = self.blobs.presign_put(pending_key(owner_id, case_id, file_id), size_bytes, PRESIGN_TTL_SECONDS)
        return PresignedUploadTicket(file_id=file_id, upload=upload, max_file_bytes=self.max_file_bytes)

    def complete_presigned_upload(self, principal: Principal, case_id: str, file_id: str, filename: str,
                                  content_type: str | None = None, turn_number: int = 0) -> EvidenceRecord:
        """Check the object a presigned PUT left in the pending area and record it like a direct upload. The pending
        object is removed whatever the outcome, so a refused file leaves nothing behind."""
        owner_id = principal.user_id
        self.require_case(owner_id, case_id)
        name = sanitize_filename(filename)
        pending = pending_key(owner_id, case_id, file_id)
        size = self.blobs.size(pending)
        if size is None:
            raise NotFound("no upload is waiting under that file id; PUT the file to the presigned URL first",
                           code="UPLOAD_NOT_FOUND")
        try:
            if size > self.max_file_bytes:  # checked before reading a byte of it
                raise too_large(self.max_file_bytes)
            body = self.blobs.get(pending)
            return self._store(owner_id, case_id, file_id, name, body, content_type, turn_number, "file_upload",
                               None)
        finally:
            self._discard(pending)

    # -- reading -------------------------------------------------------------------------------------------------

    def list_files(self, owner_id: str, case_id: str, *, sort_by: SortField = "uploaded_at_turn",
                   descending: bool = True) -> list[EvidenceRecord]:
        self.require_case(owner_id, case_id)
        records = self.repository.list_for_case(owner_id, case_id)
        return sorted(records, key=_sort_key(sort_by), reverse=descending)

    def get_file(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord:
        self.require_case(owner_id, case_id)
        record = self.repository.get(owner_id, case_id, file_id)
        if record is None:
            raise NotFound("file not found", code="FILE_NOT_FOUND")
        return record

    def get_evidence(self, owner_id: str, case_id: str, evidence_id: str) -> EvidenceRecord:
        """The file an evidence item was derived from (one evidence item per file for now)."""
        for record in self.list_files(owner_id, case_id):
            if record.evidence_id == evidence_id:
                return record
        raise NotFound("evidence not found", code="EVIDENCE_NOT_FOUND")

    def download(self, owner_id: str, case_id: str, file_id: str) -> Download:
        """The file's content: a presigned URL when the store can make one, else the bytes. Served as an attachment
        with the sniffed type, so an uploaded HTML page is never rendered in our origin."""
        record = self.get_file(owner_id, case_id, file_id)
        disposition = content_disposition(record.filename)
        if self.blobs.supports_presign:
            url = self.blobs.presign_get(record.blob_key, record.content_type, disposition, DOWNLOAD_TTL_SECONDS)
            return Download(record, record.content_type, disposition, redirect_url=url)
        return Download(record, record.content_type, disposition, data=self.blobs.get(record.blob_key))

    def analyses_for_case(self, owner_id: str, case_id: str) -> list[EvidenceAnalysis]:
        """Compact analyses of the case's files in upload order, for the copilot's prompt."""
        self.require_case(owner_id, case_id)
        return [EvidenceAnalysis(file_id=r.file_id, filename=r.filename, source_type=r.source_type,
                                 uploaded_at_turn=r.uploaded_at_turn, summary=r.summary, analysis=r.analysis)
                for r in self.repository.list_for_case(owner_id, case_id)]

    # -- deleting ------------------------------------------------------------------------------------------------

    def delete_file(self, owner_id: str, case_id: str, file_id: str) -> None:
        """Remove the file's metadata (with its analysis) and then its blob."""
        self.require_case(owner_id, case_id)
        record = self.repository.delete(owner_id, case_id, file_id)
        if record is None:
            raise NotFound("file not found", code="FILE_NOT_FOUND")
        self._discard(record.blob_key)

    def delete_case_files(self, owner_id: str, case_id: str) -> int:
        """Remove every file of a case (the cases service calls this when a case is deleted); no case check, since
        the case may already be gone. Returns how many files were removed."""
        removed = 0
        for record in self.repository.list_for_case(owner_id, case_id):
            if self.repository.delete(owner_id, case_id, record.file_id):
                self._discard(record.blob_key)
                removed += 1
        return removed


def _as_duplicate(earlier: EvidenceRecord) -> EvidenceRecord:
    return earlier.model_copy(update={"duplicate_of": earlier.file_id, "duplicate_turn": earlier.uploaded_at_turn})
