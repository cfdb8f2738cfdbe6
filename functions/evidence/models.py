"""Request and response bodies of the evidence routes (field names follow the client contract)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from faultmaven.evidence.naming import size_display
from faultmaven.http.api_model import ApiModel
from faultmaven.ports.evidence import EvidenceRecord

_MAX_ANALYSIS_TEXT = 20_000


class UploadedFileMetadata(ApiModel):
    file_id: str
    filename: str
    size_bytes: int
    size_display: str
    uploaded_at_turn: int
    investigation_turn: int | None = None
    uploaded_at: str
    source_type: str  # provenance in this view: file_upload | paste | page_capture
    data_type: str  # logs | metrics | configuration | code | text | image
    analysis_status: str
    summary: str | None = None
    source_metadata: dict[str, Any] | None = None

    @classmethod
    def of(cls, r: EvidenceRecord) -> UploadedFileMetadata:
        return cls(file_id=r.file_id, filename=r.filename, size_bytes=r.size_bytes,
                   size_display=size_display(r.size_bytes), uploaded_at_turn=r.uploaded_at_turn,
                   uploaded_at=r.uploaded_at, source_type=r.upload_source, data_type=r.source_type,
                   analysis_status=r.analysis_status, summary=r.summary, source_metadata=r.source_metadata)


class UploadedFilesList(ApiModel):
    files: list[UploadedFileMetadata]
    total_count: int
    limit: int
    offset: int


class DerivedEvidenceSummary(ApiModel):
    evidence_id: str
    summary: str
    category: str
    collected_at_turn: int
    investigation_turn: int | None = None
    source_type: str  # LOGS | METRICS | CONFIGURATION | CODE | TEXT | IMAGE
    primary_purpose: str | None = None
    related_hypothesis_ids: list[str] = Field(default_factory=list)


# Until the copilot links evidence to hypotheses, a file's analysis is one uncategorised evidence item.
_CATEGORY = "OTHER"
_PURPOSE = "uploaded_file_analysis"


def _derived(r: EvidenceRecord) -> DerivedEvidenceSummary:
    return DerivedEvidenceSummary(evidence_id=r.evidence_id, summary=(r.summary or r.filename)[:500],
                                  category=_CATEGORY, collected_at_turn=r.uploaded_at_turn,
                                  source_type=r.source_type.upper(), primary_purpose=_PURPOSE)


class UploadedFileDetailsResponse(ApiModel):
    file_id: str
    filename: str
    size_bytes: int
    size_display: str
    uploaded_at_turn: int
    investigation_turn: int | None = None
    uploaded_at: str
    upload_source: str
    source_type: str  # the data type, as in the turn's attachment results
    content_type: str | None
    content_hash: str | None
    summary: str | None
    analysis_status: str
    analysis: dict[str, Any] | None
    evidence_count: int
    derived_evidence: list[DerivedEvidenceSummary]
    source_metadata: dict[str, Any] | None = None
    duplicate_of: str | None = None  # set when this upload repeated content already in the case
    duplicate_turn: int | None = None

    @classmethod
    def of(cls, r: EvidenceRecord) -> UploadedFileDetailsResponse:
        return cls(file_id=r.file_id, filename=r.filename, size_bytes=r.size_bytes,
                   size_display=size_display(r.size_bytes), uploaded_at_turn=r.uploaded_at_turn,
                   uploaded_at=r.uploaded_at, upload_source=r.upload_source, source_type=r.source_type,
                   content_type=r.content_type, content_hash=r.content_hash, summary=r.summary,
                   analysis_status=r.analysis_status, analysis=r.analysis, evidence_count=1,
                   derived_evidence=[_derived(r)], source_metadata=r.source_metadata, duplicate_of=r.duplicate_of,
                   duplicate_turn=r.duplicate_turn)


class SourceFileReference(ApiModel):
    file_id: str
    filename: str
    uploaded_at_turn: int
    investigation_turn: int | None = None


class EvidenceDetailsResponse(ApiModel):
    evidence_id: str
    case_id: str
    summary: str
    category: str
    primary_purpose: str
    collected_at_turn: int
    investigation_turn: int | None = None
    collected_at: str
    collected_by: str
    source_type: str
    analysis: str | None = None  # the stored analysis as JSON text
    extract: str | None = None
    source_file: SourceFileReference | None
    related_hypotheses: list[dict[str, str]] = Field(default_factory=list)

    @classmethod
    def of(cls, r: EvidenceRecord) -> EvidenceDetailsResponse:
        analysis = json.dumps(r.analysis, ensure_ascii=False)[:_MAX_ANALYSIS_TEXT] if r.analysis else None
        return cls(evidence_id=r.evidence_id, case_id=r.case_id, summary=(r.summary or r.filename)[:500],
                   category=_CATEGORY, primary_purpose=_PURPOSE, collected_at_turn=r.uploaded_at_turn,
                   collected_at=r.uploaded_at, collected_by=r.owner_id, source_type=r.source_type.upper(),
                   analysis=analysis,
                   source_file=SourceFileReference(file_id=r.file_id, filename=r.filename,
                                                   uploaded_at_turn=r.uploaded_at_turn))


class CaseEvidenceListResponse(ApiModel):
    case_id: str
    total_count: int
    evidence: list[EvidenceDetailsResponse]


class PresignRequest(ApiModel):
    filename: str = Field(min_length=1, max_length=1024)
    size_bytes: int = Field(ge=0, description="the exact size of the file; the upload URL accepts only this size")
    content_type: str | None = Field(default=None, max_length=200)


class PresignResponse(ApiModel):
    file_id: str
    upload_url: str
    method: str
    headers: dict[str, str]
    expires_in: int
    max_file_bytes: int
    complete_url: str


class CompleteUploadRequest(ApiModel):
    filename: str = Field(min_length=1, max_length=1024)
    content_type: str | None = Field(default=None, max_length=200)
    turn_number: int = Field(default=0, ge=0, le=10**9)
