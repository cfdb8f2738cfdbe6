"""Evidence metadata: one record per uploaded file of a case, owned by one user.

Blobs live in the blob store under `blob_key`; the record and the blob are written together or not at all (the
evidence service sees to that).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

SourceType = Literal["logs", "metrics", "configuration", "code", "text", "image"]
UploadSource = Literal["file_upload", "paste", "page_capture"]
AnalysisStatus = Literal["pending", "processing", "completed", "failed"]


class EvidenceRecord(BaseModel):
    file_id: str
    evidence_id: str  # the evidence item derived from the file (its analysis)
    owner_id: str
    case_id: str
    filename: str  # sanitized display name; never used as a path
    content_type: str  # what the content is (sniffed), not what the client claimed
    claimed_content_type: str | None = None  # the client's Content-Type, kept for reference only
    size_bytes: int
    content_hash: str  # sha256 hex of the bytes, for per-case dedupe
    source_type: SourceType
    upload_source: UploadSource = "file_upload"
    source_metadata: dict[str, Any] | None = None  # e.g. {"source_url": ...} of a page capture
    uploaded_at: str  # ISO 8601
    uploaded_at_turn: int = 0
    blob_key: str
    analysis_status: AnalysisStatus = "completed"
    summary: str | None = None
    analysis: dict[str, Any] | None = None  # the stored analysis (log analysis or structural summary) as JSON

    # Set only on the value `EvidenceService.attach` returns when the content was already in the case: the record
    # is then the earlier one, and nothing new was stored. Never persisted.
    duplicate_of: str | None = Field(default=None, exclude=True)
    duplicate_turn: int | None = Field(default=None, exclude=True)


class EvidenceRepository(Protocol):
    def create(self, record: EvidenceRecord) -> None:
        """Store a new record; raises `Conflict` (code DUPLICATE_CONTENT) when the case already holds a record with
        the same content hash, so concurrent uploads of one file cannot both be stored."""

    def get(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord | None: ...

    def find_by_hash(self, owner_id: str, case_id: str, content_hash: str) -> EvidenceRecord | None: ...

    def list_for_case(self, owner_id: str, case_id: str) -> list[EvidenceRecord]:
        """Every record of the case, oldest first."""

    def delete(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord | None:
        """Remove the record (and its dedupe entry); returns what was removed, or None when there was nothing."""
