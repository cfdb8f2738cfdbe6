"""Compressed logs (.gz, .zst, .bz2), read transparently by the CLI and the evidence upload.

The format is decided by the content's magic bytes, never by the name alone, and decompression streams with a hard
cap on the output (`max_decompressed_bytes`): a small decompression bomb is refused after at most one chunk past the
cap, without ever holding more than that in memory. Only one layer is unpacked: a .gz inside a .gz stays an archive,
which the content check then refuses.
"""

from __future__ import annotations

import bz2
import gzip
import io
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, BinaryIO

from faultmaven.errors import InvalidInput, TooLarge
from faultmaven.evidence.naming import size_display

_CHUNK = 1024 * 1024
COMPRESSED_SUFFIXES = (".gz", ".zst", ".bz2")
_ROTATION = re.compile(r"(\.\d{1,3}|-\d{8,10})$")  # app.log.1, app.log-20261125 (logrotate's numbers and dates)


def compression_of(head: bytes) -> str | None:
    """"gzip", "zstd" or "bzip2" when the content starts with that format's magic bytes, else None."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bzip2"
    return None


def inner_name(name: str) -> str:
    """The name of the file inside: app.log.gz -> app.log; a rotation number or date before it goes too
    (app.log.1.gz -> app.log), so the type allow-list sees the real extension."""
    path = PurePath(name)
    if path.suffix.lower() in COMPRESSED_SUFFIXES:
        name = path.stem
    stripped = _ROTATION.sub("", name)
    return stripped if PurePath(stripped).suffix else name


def too_big_unpacked(max_bytes: int) -> TooLarge:
    return TooLarge(f"the file unpacks to more than the {size_display(max_bytes)} limit "
                    f"(FM_MAX_DECOMPRESSED_BYTES={max_bytes})", code="DECOMPRESSED_TOO_LARGE")


def _reader(kind: str, raw: BinaryIO) -> tuple[IO[bytes], tuple[type[Exception], ...]]:
    """The decompressing stream, and the exceptions that mean damaged data."""
    damaged: tuple[type[Exception], ...] = (OSError, EOFError, ValueError)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw), damaged
    if kind == "bzip2":
        return bz2.BZ2File(raw), damaged
    import zstandard  # only .zst needs it

    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True), (*damaged, zstandard.ZstdError)


def copy_decompressed(kind: str, raw: BinaryIO, write: Callable[[bytes], object], max_bytes: int) -> int:
    """Stream the decompressed content of `raw` into `write`; raises `TooLarge` past `max_bytes`, `InvalidInput`
    for a damaged archive. Returns the number of bytes written."""
    stream, damaged = _reader(kind, raw)
    total = 0
    try:
        with stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise too_big_unpacked(max_bytes)
                write(chunk)
    except damaged as exc:
        raise InvalidInput(f"the {kind} data is damaged or truncated ({exc})", code="BAD_COMPRESSED_DATA") from exc
    return total


def decompress(name: str, data: bytes, *, max_bytes: int) -> tuple[str, bytes]:
    """(inner name, content) of compressed `data`; other content comes back as it is."""
    kind = compression_of(data[:4])
    if kind is None:  # a plain file named .gz is refused by the content check that follows
        return name, data
    out = bytearray()
    copy_decompressed(kind, io.BytesIO(data), out.extend, max_bytes)
    return inner_name(name), bytes(out)
