"""Reading log bytes as text the way a person would: UTF-8, and where a byte sequence is not valid UTF-8, that byte
as Windows-1252 (a superset of Latin-1's printable characters: é, ü, £, €, smart quotes). Old syslog daemons, Java
apps on Windows and many appliances still write those, often a line or two in an otherwise UTF-8 file; reading them
as "binary" or as U+FFFD would lose words a person can plainly read.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import BinaryIO, TextIO

LEGACY_ERRORS = "faultmaven-cp1252"  # the codecs error handler that decodes a bad UTF-8 byte as Windows-1252
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")  # no character in Windows-1252: kept as Latin-1 controls


def _as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252") for b in bad), error.end


codecs.register_error(LEGACY_ERRORS, _as_cp1252)


def decode_lenient(data: bytes) -> tuple[str, bool]:
    """(text, whether any byte needed Windows-1252) of bytes that should be UTF-8 text (a BOM is dropped)."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors=LEGACY_ERRORS), True


def text_stream(raw: BinaryIO) -> TextIO:
    """A text view of a binary stream, decoded as `decode_lenient` does, lines split on \\n only."""
    return io.TextIOWrapper(raw, encoding="utf-8", errors=LEGACY_ERRORS, newline="\n")


def open_text(path: Path) -> TextIO:
    return text_stream(path.open("rb"))
