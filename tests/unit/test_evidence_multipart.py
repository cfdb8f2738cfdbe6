"""The streaming multipart reader refuses oversized uploads without reading them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor

import pytest

from faultmaven.errors import InvalidInput, TooLarge, UnsupportedMedia
from faultmaven.evidence.multipart import read_multipart

BOUNDARY = "testboundary123"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(name: str, value: bytes, filename: str | None = None, content_type: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + value + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class Chunks:
    """An async body that counts how much of it was pulled."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = iter(chunks)
        self.pulled = 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = next(self.chunks)
        except StopIteration:
            raise StopAsyncIteration from None
        self.pulled += 1
        return chunk


def read(data: bytes | Chunks, content_type: str = CONTENT_TYPE, length: str | None = None, limit: int = 1024):
    chunks = data if isinstance(data, Chunks) else Chunks([data])
    # A thread of its own: asyncio.run refuses to start where another test left an event loop running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read_multipart(content_type, length, chunks, max_file_bytes=limit)).result()


def test_reads_a_file_and_fields() -> None:
    form = read(body(part("turn_number", b"3"), part("file", b"hello\n", "../a.log", "image/png")))
    assert form.fields == {"turn_number": "3"}
    (file,) = form.files
    assert (file.field_name, file.filename, file.content_type, file.data) == ("file", "../a.log", "image/png",
                                                                              b"hello\n")


def test_declared_oversized_body_is_refused_before_reading() -> None:
    chunks = Chunks([b"never read"])
    with pytest.raises(TooLarge):
        read(chunks, length=str(100 * 1024 * 1024))
    assert chunks.pulled == 0


def test_streamed_oversized_file_is_refused_as_soon_as_it_passes_the_limit() -> None:
    head = part("file", b"", "big.log")[:-2]  # the part's headers; its data follows in chunks
    chunks = Chunks([head, *([b"x" * 256] * 10_000)])
    with pytest.raises(TooLarge) as err:
        read(chunks, limit=1024)
    assert err.value.code == "FILE_TOO_LARGE"
    assert chunks.pulled <= 7  # headers + 1024 bytes + one chunk past the limit, never the 2.5 MB behind it


def test_too_many_files_and_oversized_fields() -> None:
    with pytest.raises(InvalidInput) as err:
        read(body(part("file", b"a", "a.log"), part("file", b"b", "b.log")))
    assert err.value.code == "TOO_MANY_FILES"
    with pytest.raises(TooLarge) as too_big:
        read(body(part("note", b"x" * (65 * 1024))), limit=1024 * 1024)
    assert too_big.value.code == "FIELD_TOO_LARGE"


def test_not_multipart_and_malformed() -> None:
    with pytest.raises(UnsupportedMedia):
        read(b"{}", content_type="application/json")
    with pytest.raises(UnsupportedMedia):
        read(b"", content_type="multipart/form-data")  # no boundary
    with pytest.raises(InvalidInput) as err:
        read(b"--testboundary123\r\nContent-Disposition: form-data\r\n\r\nx\r\n--testboundary123--\r\n")
    assert err.value.code == "INVALID_MULTIPART"
    with pytest.raises(InvalidInput):
        read(b"garbage that is not multipart at all")
