"""Export and import for the admin routes: bundles pass through the blob store, so the cloud serves a presigned
download and takes a presigned upload (API Gateway caps request bodies far below a bundle), and the embedded server
streams both through the API. Bounded by `bundle_max_bytes`; larger data moves with the CLI."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faultmaven.clock import new_id
from faultmaven.errors import NotFound, TooLarge
from faultmaven.evidence.naming import require_id
from faultmaven.portability.bundle import Manifest
from faultmaven.portability.transfer import ImportReport, export_bundle, import_bundle
from faultmaven.ports.blobs import PresignedUpload

ARCHIVE_TYPE = "application/gzip"
LINK_SECONDS = 900


def export_key(export_id: str) -> str:
    return f"admin-exports/{require_id(export_id, 'export id')}.tar.gz"


def import_key(import_id: str) -> str:
    return f"admin-imports/{require_id(import_id, 'import id')}.tar.gz"


@dataclass
class StoredExport:
    export_id: str
    manifest: Manifest
    size_bytes: int


class DataTransfer:
    def __init__(self, container: Any) -> None:
        self.container = container
        self.max_bytes: int = container.settings.bundle_max_bytes

    def export(self) -> StoredExport:
        """Write a bundle of the whole deployment and keep it in the blob store for download."""
        export_id = new_id("exp_")
        with tempfile.TemporaryDirectory(prefix="fm-export-") as work:
            archive = Path(work) / "bundle.tar.gz"
            manifest = export_bundle(self.container, archive, mode=self.container.settings.mode)
            size = archive.stat().st_size
            if size > self.max_bytes:
                raise TooLarge(f"the export is {size} bytes, more than FM_BUNDLE_MAX_BYTES ({self.max_bytes}); run "
                               "`faultmaven export` with this deployment's settings instead", code="BUNDLE_TOO_LARGE")
            self.container.blobs.put(export_key(export_id), archive.read_bytes(), ARCHIVE_TYPE)
        return StoredExport(export_id, manifest, size)

    def download_url(self, export_id: str) -> str | None:
        """A presigned URL of the export when the store has them (S3); None when the API serves the bytes."""
        self._require(export_key(export_id), "no such export")
        if not self.container.blobs.supports_presign:
            return None
        return self.container.blobs.presign_get(export_key(export_id), ARCHIVE_TYPE,
                                                f'attachment; filename="faultmaven-{export_id}.tar.gz"', LINK_SECONDS)

    def export_bytes(self, export_id: str) -> bytes:
        self._require(export_key(export_id), "no such export")
        return self.container.blobs.get(export_key(export_id))

    def upload_slot(self, size_bytes: int) -> tuple[str, PresignedUpload]:
        """Where to PUT a bundle of `size_bytes` before importing it (stores with presigned URLs only)."""
        self.check_size(size_bytes)
        import_id = new_id("imp_")
        return import_id, self.container.blobs.presign_put(import_key(import_id), size_bytes, LINK_SECONDS)

    def import_uploaded(self, import_id: str) -> ImportReport:
        """Import a bundle uploaded to its slot; the uploaded archive is removed afterwards, whatever happened."""
        key = import_key(import_id)
        self._require(key, "nothing was uploaded for this import")
        try:
            self.check_size(self.container.blobs.size(key) or 0)
            return self.import_bytes(self.container.blobs.get(key))
        finally:
            self.container.blobs.delete(key)

    def import_bytes(self, data: bytes) -> ImportReport:
        self.check_size(len(data))
        with tempfile.TemporaryDirectory(prefix="fm-import-") as work:
            archive = Path(work) / "bundle.tar.gz"
            archive.write_bytes(data)
            return import_bundle(self.container, archive, max_bytes=self.max_bytes)

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(f"the bundle is larger than FM_BUNDLE_MAX_BYTES ({self.max_bytes}); run `faultmaven "
                           "import` with this deployment's settings instead", code="BUNDLE_TOO_LARGE")

    def _require(self, key: str, detail: str) -> None:
        if not self.container.blobs.exists(key):
            raise NotFound(detail)
