"""Blob storage: the bytes of uploaded files, kept apart from their metadata.

Keys are `/`-separated segments of `[A-Za-z0-9_.-]` built by the domain (never from a user's filename).
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel


class PresignedUpload(BaseModel):
    """Where and how a client sends a file straight to storage."""

    url: str
    method: str = "PUT"
    headers: dict[str, str]  # headers the client must send exactly as given (they are part of the signature)
    expires_in: int  # seconds


class BlobStore(Protocol):
    #: True when the store can hand out presigned URLs (S3); False for the local filesystem.
    supports_presign: bool

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` atomically (a reader sees the whole blob or none), replacing any blob there."""

    def get(self, key: str) -> bytes:
        """The blob's bytes; raises `NotFound` when there is none."""

    def delete(self, key: str) -> None:
        """Remove the blob; a missing blob is not an error."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None:
        """The blob's size in bytes without reading it, or None when there is none."""

    def presign_put(self, key: str, size_bytes: int, expires_in: int) -> PresignedUpload:
        """A URL that accepts exactly `size_bytes` bytes at `key`; raises `InvalidInput` when unsupported."""

    def presign_get(self, key: str, content_type: str, content_disposition: str, expires_in: int) -> str:
        """A URL that downloads the blob with these response headers; raises `InvalidInput` when unsupported."""
