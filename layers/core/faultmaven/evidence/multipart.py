"""A multipart/form-data reader that enforces the upload limits while the body streams in.

FastAPI's `UploadFile` spools the whole body (to disk past 1 MB) before a handler can look at its size; this reader
refuses a request as soon as its declared Content-Length or the bytes seen so far pass the limit, so an oversized
upload costs at most one chunk past the limit in memory and is never fully read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from faultmaven.errors import InvalidInput, TooLarge, UnsupportedMedia
from faultmaven.evidence.naming import too_large

MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 32
_ENVELOPE_BYTES = MAX_PARTS * 1024  # boundaries and part headers on top of the payloads


@dataclass
class ReceivedFile:
    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _Collector:
    """The parser's callbacks: collect parts, and raise the moment one passes its limit."""

    def __init__(self, max_file_bytes: int, max_files: int, max_field_bytes: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.max_field_bytes = max_field_bytes
        self.form = ReceivedForm()
        self.part = _Part()
        self.parts = 0
        self._header_name = bytearray()
        self._header_value = bytearray()

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise InvalidInput(f"too many form parts (at most {MAX_PARTS})", code="TOO_MANY_PARTS")
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise InvalidInput("a form part has no name in its Content-Disposition", code="INVALID_MULTIPART")
        self.part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            if len(self.form.files) >= self.max_files:
                raise InvalidInput(f"too many files in one request (at most {self.max_files})", code="TOO_MANY_FILES")
            self.part.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.part.data += data[start:end]
        if self.part.filename is not None:
            if len(self.part.data) > self.max_file_bytes:
                raise too_large(self.max_file_bytes)
        elif len(self.part.data) > self.max_field_bytes:
            raise TooLarge(f"the form field {self.part.name!r} is larger than {self.max_field_bytes} bytes",
                           code="FIELD_TOO_LARGE")

    def on_part_end(self) -> None:
        part = self.part
        if part.filename is None:
            self.form.fields[part.name] = part.data.decode("utf-8", "replace")
            return
        content_type = part.headers.get(b"content-type")
        self.form.files.append(ReceivedFile(part.name, part.filename,
                                            content_type.decode("latin-1") if content_type else None, bytes(part.data)))


async def read_multipart(content_type: str | None, content_length: str | None, chunks: AsyncIterator[bytes], *,
                         max_file_bytes: int, max_files: int = 1,
                         max_field_bytes: int = MAX_FIELD_BYTES) -> ReceivedForm:
    """Parse a multipart body with at most `max_files` files of at most `max_file_bytes` each, and text fields of at
    most `max_field_bytes` each."""
    kind, params = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise UnsupportedMedia("send the file as multipart/form-data", code="MULTIPART_REQUIRED")
    budget = max_file_bytes * max_files + max_field_bytes + _ENVELOPE_BYTES
    if content_length and content_length.isdigit() and int(content_length) > budget:
        raise too_large(max_file_bytes)  # refused from the header alone, before reading the body
    collector = _Collector(max_file_bytes, max_files, max_field_bytes)
    parser = MultipartParser(params[b"boundary"], {  # type: ignore[arg-type]
        "on_part_begin": collector.on_part_begin, "on_part_data": collector.on_part_data,
        "on_part_end": collector.on_part_end, "on_header_field": collector.on_header_field,
        "on_header_value": collector.on_header_value, "on_header_end": collector.on_header_end,
        "on_headers_finished": collector.on_headers_finished})
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > budget:
                raise too_large(max_file_bytes)
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise InvalidInput("the multipart body is malformed", code="INVALID_MULTIPART") from exc
    return collector.form


async def read_form(content_type: str | None, content_length: str | None, chunks: AsyncIterator[bytes], *,
                    max_file_bytes: int, max_files: int = 1, max_field_bytes: int = MAX_FIELD_BYTES) -> ReceivedForm:
    """A multipart body as above, or a URL-encoded one (fields only), under the same size limits."""
    kind, _ = parse_options_header(content_type or "")
    if kind != b"application/x-www-form-urlencoded":
        return await read_multipart(content_type, content_length, chunks, max_file_bytes=max_file_bytes,
                                    max_files=max_files, max_field_bytes=max_field_bytes)
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > max_field_bytes + _ENVELOPE_BYTES:
            raise TooLarge(f"the form is larger than {max_field_bytes} bytes", code="FIELD_TOO_LARGE")
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return ReceivedForm(fields=dict(pairs))
