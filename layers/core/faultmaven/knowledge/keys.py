"""Where a knowledge document's bytes live in the blob store (a module of its own: the API needs only these)."""

from __future__ import annotations

RAW_PREFIX = "kb/raw/"  # the uploaded bytes; in the cloud, objects created under it trigger the ingest function
TEXT_PREFIX = "kb/text/"  # the extracted text, served as the document's content


def raw_key(document_id: str) -> str:
    return f"{RAW_PREFIX}{document_id}"


def text_key(document_id: str) -> str:
    return f"{TEXT_PREFIX}{document_id}"


def document_id_from_key(key: str) -> str | None:
    """The document an uploaded object belongs to, or None for any other key."""
    if not key.startswith(RAW_PREFIX):
        return None
    rest = key[len(RAW_PREFIX):]
    return rest if rest and "/" not in rest else None
