"""The checks every incoming file passes before anything is stored: size, name, type allow-list, content."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from faultmaven.errors import InvalidInput, UnsupportedMedia
from faultmaven.evidence.compression import COMPRESSED_SUFFIXES
from faultmaven.evidence.naming import extension, too_large
from faultmaven.evidence.sniffing import Sniffed, sniff

# Extensions whose content must be an image (of one of these types) or a PDF; every other allowed extension is text.
_IMAGE_EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                     ".webp": "image/webp"}
_READ_CHUNK = 1024 * 1024


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read a stream, refusing it as soon as it passes `max_bytes` (never more than one chunk past the limit)."""
    buf = bytearray()
    while chunk := stream.read(_READ_CHUNK):
        buf += chunk
        if len(buf) > max_bytes:
            raise too_large(max_bytes)
    return bytes(buf)


def check_extension(filename: str, allowed: Iterable[str]) -> str:
    """The file's extension when it is on the allow-list; raises `UnsupportedMedia` otherwise."""
    allowed_set = {a.lower() for a in allowed}
    ext = extension(filename)
    if ext not in allowed_set:
        shown = ext or "files without an extension"
        raise UnsupportedMedia(f"{shown} is not an accepted file type; accepted: {', '.join(sorted(allowed_set))}",
                               code="EXTENSION_NOT_ALLOWED")
    return ext


def inspect(filename: str, data: bytes, *, max_bytes: int, allowed_extensions: Iterable[str]) -> Sniffed:
    """Check a file completely and say what it is; raises a 4xx `DomainError` naming the first problem found."""
    if not data:
        raise InvalidInput("the file is empty", code="EMPTY_FILE")
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    ext = check_extension(filename, allowed_extensions)
    if ext in COMPRESSED_SUFFIXES:  # compressed content is unpacked before this check (compression.decompress)
        raise UnsupportedMedia(f"the name says {ext} but the content is not compressed that way",
                               code="CONTENT_MISMATCH")
    found = sniff(data)
    expected_image = _IMAGE_EXTENSIONS.get(ext)
    if expected_image and found.mime != expected_image:
        raise UnsupportedMedia(f"the name says {ext} but the content is not a {expected_image} image",
                               code="CONTENT_MISMATCH")
    if ext == ".pdf" and found.kind != "pdf":
        raise UnsupportedMedia("the name says .pdf but the content is not a PDF", code="CONTENT_MISMATCH")
    if not expected_image and ext != ".pdf" and found.kind != "text":
        raise UnsupportedMedia(f"the name says {ext} (text) but the content is {found.mime}", code="CONTENT_MISMATCH")
    return found
