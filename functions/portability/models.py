"""Request and response bodies of the admin data routes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from faultmaven.portability.service import StoredExport
from faultmaven.portability.transfer import ImportReport
from faultmaven.ports.blobs import PresignedUpload


class ExportResponse(BaseModel):
    export_id: str
    created_at: str
    counts: dict[str, int]  # records per entity kind
    embedding_model: str
    size_bytes: int
    download: str  # GET it (admin token) to download the bundle, or follow its redirect to storage

    @classmethod
    def of(cls, stored: StoredExport, download: str) -> ExportResponse:
        m = stored.manifest
        return cls(export_id=stored.export_id, created_at=m.created_at, counts=m.counts,
                   embedding_model=m.embedding.model_id, size_bytes=stored.size_bytes, download=download)


class UploadRequest(BaseModel):
    size_bytes: int = Field(gt=0)


class UploadResponse(BaseModel):
    import_id: str
    upload: PresignedUpload  # PUT the .tar.gz there, then POST /api/v1/admin/data/imports/{import_id}


class ImportResponse(BaseModel):
    source_mode: str
    source_model: str
    target_model: str
    model_changed: bool  # documents were re-embedded with the target's model
    written: dict[str, int]
    unchanged: dict[str, int]  # already in the target (an import run twice writes nothing the second time)
    blobs_written: int
    documents_reindexed: int
    documents_not_indexed: list[str]

    @classmethod
    def of(cls, report: ImportReport) -> ImportResponse:
        return cls(**report.as_dict())
