"""Blobs as files under `<data_dir>/blobs`, one file per key; the embedded mode's blob store.

Keys are checked segment by segment and the resolved path must stay under the root, so no key can reach outside it.
Writes go to a temporary file in the same directory and are renamed into place, so a blob is whole or absent.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from faultmaven.errors import InvalidInput, NotFound
from faultmaven.ports.blobs import PresignedUpload

_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")


class FilesystemBlobStore:
    supports_presign = False

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, key: str) -> Path:
        parts = key.split("/")
        if not all(_SEGMENT.match(p) for p in parts):
            raise InvalidInput("invalid blob key", code="INVALID_BLOB_KEY")
        path = self.root.joinpath(*parts)
        if not path.resolve().is_relative_to(self.root):  # a symlink planted under the root must not lead out
            raise InvalidInput("invalid blob key", code="INVALID_BLOB_KEY")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("file content not found") from exc

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def presign_put(self, key: str, size_bytes: int, expires_in: int) -> PresignedUpload:
        raise _no_presign()

    def presign_get(self, key: str, content_type: str, content_disposition: str, expires_in: int) -> str:
        raise _no_presign()


def _no_presign() -> InvalidInput:
    return InvalidInput("the local file store has no presigned URLs; upload and download through the API",
                        code="PRESIGN_NOT_SUPPORTED")
