"""Text extraction for knowledge-base uploads: which files are accepted, and their text for chunking.

`check_upload` runs in the request (cheap checks that deserve a 4xx: the extension, emptiness, binary content in a
text file, a PDF that is not one); `extract_text` runs during ingestion, where a failure marks the document failed.
HTML is reduced to Markdown-like text (tags stripped, headings kept) so chunking can cut it at its headings; Markdown
loses its front matter (kept as fields) and its inline HTML (see markdown_clean).
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Literal

from pydantic import BaseModel

from faultmaven.errors import InvalidInput, UnsupportedMedia
from faultmaven.knowledge.chunking import TextFormat, html_to_markdown
from faultmaven.knowledge.markdown_clean import split_front_matter, strip_html

KbFormat = Literal["markdown", "text", "log", "json", "csv", "yaml", "html", "pdf"]

FORMAT_BY_EXTENSION: dict[str, KbFormat] = {
    ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".log": "log", ".json": "json", ".csv": "csv",
    ".yaml": "yaml", ".yml": "yaml", ".html": "html", ".htm": "html", ".pdf": "pdf",
}
CONTENT_TYPES: dict[KbFormat, str] = {
    "markdown": "text/markdown", "text": "text/plain", "log": "text/plain", "json": "application/json",
    "csv": "text/csv", "yaml": "application/yaml", "html": "text/html", "pdf": "application/pdf",
}
_SNIFF_BYTES = 8192


class ExtractedText(BaseModel):
    text: str
    fmt: TextFormat  # how chunking should read `text`
    title: str | None = None  # a title found in the content (HTML <title>, PDF metadata, front matter)
    front_matter: dict[str, str] = {}  # a Markdown file's YAML front matter fields, taken out of `text`


def kb_format(filename: str) -> KbFormat:
    """The format of an upload by its extension; other extensions are refused with 415."""
    fmt = FORMAT_BY_EXTENSION.get(PurePath(filename).suffix.lower())
    if fmt is None:
        allowed = ", ".join(sorted(FORMAT_BY_EXTENSION))
        raise UnsupportedMedia(f"unsupported file type {PurePath(filename).suffix or '(none)'!r}; allowed: {allowed}",
                               code="UNSUPPORTED_FILE_TYPE")
    return fmt


def check_upload(filename: str, data: bytes) -> KbFormat:
    """Refuse what can never be ingested, before anything is stored."""
    fmt = kb_format(filename)
    if not data.strip():
        raise InvalidInput("the file is empty", code="EMPTY_FILE")
    head = data[:_SNIFF_BYTES]
    if fmt == "pdf":
        if b"%PDF-" not in head[:1024]:
            raise UnsupportedMedia("the file has a .pdf name but is not a PDF", code="NOT_A_PDF")
    elif b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedMedia(f"the file looks binary, not {fmt} text", code="BINARY_CONTENT")
    return fmt


def extract_text(filename: str, data: bytes) -> ExtractedText:
    """The document's text; raises `InvalidInput` with a reason when there is none to be had."""
    fmt = kb_format(filename)
    if fmt == "pdf":
        return _pdf_text(data)
    text = _decode(data)
    if fmt == "html":
        title, text = html_to_markdown(text)
        return _non_empty(ExtractedText(text=text, fmt="markdown", title=title))
    if fmt == "markdown":
        fields, text = split_front_matter(text.replace("\r\n", "\n"))
        return _non_empty(ExtractedText(text=strip_html(text), fmt=fmt, title=fields.get("title") or None,
                                        front_matter=fields))
    return _non_empty(ExtractedText(text=text, fmt=fmt))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM; anything else as Latin-1 so no byte is lost."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# Extraction caps: a small file can still unfold into thousands of pages or megabytes of text (pypdf caps each
# stream's decompressed size itself). Past the page cap the PDF is refused; past the text cap the rest is dropped.
MAX_PDF_PAGES = 2000
MAX_EXTRACTED_CHARS = 5_000_000


def _pdf_text(data: bytes) -> ExtractedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInput("the PDF is password-protected", code="PDF_ENCRYPTED")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InvalidInput(f"the PDF has {len(reader.pages)} pages; at most {MAX_PDF_PAGES} are indexed",
                               code="PDF_TOO_MANY_PAGES")
        pages, chars = [], 0
        for page in reader.pages:
            pages.append((page.extract_text() or "").strip()[:MAX_EXTRACTED_CHARS - chars])
            chars += len(pages[-1])
            if chars >= MAX_EXTRACTED_CHARS:
                break
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"the PDF could not be read ({exc.__class__.__name__})", code="PDF_UNREADABLE") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text:
        raise InvalidInput("the PDF has no extractable text (a scan without OCR?)", code="PDF_NO_TEXT")
    return ExtractedText(text=text, fmt="text", title=str(title).strip() or None if title else None)


def _non_empty(extracted: ExtractedText) -> ExtractedText:
    if not extracted.text.strip():
        raise InvalidInput("the file has no text to index", code="NO_TEXT")
    return extracted
