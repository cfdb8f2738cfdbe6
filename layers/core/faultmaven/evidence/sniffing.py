"""What a file really is, decided by its bytes (a client's Content-Type is never trusted).

Archives and executables are refused outright (a zip bomb never gets unpacked: it is refused by its first bytes);
images and PDFs are recognised by magic bytes; everything else must be text: UTF-8, with any byte that is not valid
UTF-8 read as Windows-1252 (Latin-1 and Windows-1252 logs are text a person can read, see
faultmaven.logs.decoding), or UTF-16 with a byte-order mark, as Windows tools write logs. Compressed files are
unpacked before they get here (faultmaven.evidence.compression).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal

from faultmaven.errors import InvalidInput, UnsupportedMedia
from faultmaven.logs.decoding import decode_lenient

ContentKind = Literal["text", "image", "pdf"]

# (magic prefix, description) of content we never accept, whatever the filename says.
_REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "a ZIP archive"), (b"PK\x07\x08", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"), (b"\xfd7zXZ\x00", "an xz archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x04\x22\x4d\x18", "an LZ4 archive"),
    (b"MSCF", "a CAB archive"), (b"\x7fELF", "an ELF executable"), (b"\x00asm", "a WebAssembly module"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"), (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"), (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Java class or universal binary"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE document"),
)
_IMAGES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_SNIFF_BYTES = 64 * 1024
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x0b\x1b")  # tabs, newlines, form feeds and ANSI colour escapes are text


@dataclass(frozen=True)
class Sniffed:
    kind: ContentKind
    mime: str  # the Content-Type the stored file is served with
    text: str | None = None  # the decoded text, for text content


def refused_format(data: bytes) -> str | None:
    """A description of the archive or executable `data` starts with, or None."""
    for magic, what in _REFUSED:
        if data.startswith(magic):
            return what
    if data.startswith(b"BZh") and data[3:4].isdigit():
        return "a bzip2 archive"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "a tar archive"
    if data.startswith(b"MZ") and b"\x00" in data[:1024]:
        return "a Windows executable"
    return None


def _image_mime(data: bytes) -> str | None:
    for magic, mime in _IMAGES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return controls > max(8, len(head) // 100)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, charset) of text content; raises `InvalidInput` for invalid UTF-16 (with its BOM)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the file claims UTF-16 but byte {exc.start} is invalid",
                               code="INVALID_ENCODING") from exc
    text, legacy = decode_lenient(data)
    return text, "windows-1252" if legacy else "utf-8"


def sniff(data: bytes) -> Sniffed:
    """Classify non-empty content as image, PDF or text; refuses archives, executables and other binary data."""
    what = refused_format(data)
    if what:
        raise UnsupportedMedia(f"the content is {what}; archives and executables are not accepted, upload the "
                               "extracted text file instead", code="ARCHIVE_OR_EXECUTABLE")
    mime = _image_mime(data)
    if mime:
        return Sniffed("image", mime)
    if data.startswith(b"%PDF-"):
        return Sniffed("pdf", "application/pdf")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and _looks_binary(data):
        raise UnsupportedMedia("the content is binary data, not text; only text files, images and PDFs are accepted",
                               code="BINARY_CONTENT")
    text, charset = decode_text(data)
    return Sniffed("text", f"text/plain; charset={charset}", text)
