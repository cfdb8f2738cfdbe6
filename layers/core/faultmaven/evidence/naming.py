"""Filenames and storage keys.

A client's filename is only ever a display name: it is reduced to its last path component and stripped of control
characters, and storage keys are built from server ids alone.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from faultmaven.errors import InvalidInput, TooLarge

MAX_FILENAME_CHARS = 200
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f"<>|?*:]')


def sanitize_filename(name: str | None) -> str:
    """The display name to keep: the last component of any path (`/` or `\\`), without control characters, leading
    dots or surrounding spaces. Raises `InvalidInput` when nothing usable is left."""
    raw = unicodedata.normalize("NFC", name or "")
    base = re.split(r"[/\\]", raw)[-1]
    base = _UNSAFE_CHARS.sub("", base).strip().lstrip(".").strip()
    if not base:
        raise InvalidInput("the file needs a name with an extension, such as app.log", code="INVALID_FILENAME")
    if len(base) > MAX_FILENAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        keep = MAX_FILENAME_CHARS - len(ext) - 1
        base = f"{stem[:keep]}.{ext}" if dot and 0 < len(ext) <= 16 else base[:MAX_FILENAME_CHARS]
    return base


def extension(filename: str) -> str:
    """The lower-cased extension with its dot (`.log`), or "" when there is none."""
    stem, dot, ext = filename.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def require_id(value: str, what: str) -> str:
    """An id that is safe as a storage key segment; anything else is refused."""
    if not _ID.match(value):
        raise InvalidInput(f"invalid {what}", code="INVALID_ID")
    return value


def blob_key(owner_id: str, case_id: str, file_id: str) -> str:
    """Where a stored file's bytes live: under the owner's and then the case's prefix."""
    return "/".join(require_id(v, w) for v, w in ((owner_id, "owner id"), (case_id, "case id"), (file_id, "file id")))


def pending_key(owner_id: str, case_id: str, file_id: str) -> str:
    """Where a presigned upload lands before it is checked; a bucket lifecycle rule expires what is never completed."""
    return f"pending/{blob_key(owner_id, case_id, file_id)}"


def content_disposition(filename: str) -> str:
    """An `attachment` disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace("\\", "_").replace('"', "_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def size_display(size: int) -> str:
    """A human-readable size: `512 B`, `2.3 KB`, `10.0 MB`."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"



def too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"the file is larger than the {size_display(max_bytes)} limit (maxFileBytes={max_bytes})",
                    code="FILE_TOO_LARGE")
