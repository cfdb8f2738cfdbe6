"""Structural summaries of what the log analysis does not read: source code, images and PDFs. Small,
deterministic and safe on hostile input (fixed-size header reads, regexes without nested quantifiers)."""

from __future__ import annotations

import re
import struct
from typing import Any

MAX_LISTED = 40

_DEFINITION = re.compile(
    r"^[ \t]*(?:export[ \t]+)?(?:async[ \t]+)?(?:def|class|func|function|interface|struct|fn|module)[ \t]+"
    r"([A-Za-z_]\w*)", re.MULTILINE)
_LANGUAGES = {".py": "Python", ".js": "JavaScript", ".ts": "TypeScript", ".go": "Go", ".java": "Java",
              ".sh": "shell", ".bash": "shell", ".sql": "SQL", ".rb": "Ruby", ".rs": "Rust", ".c": "C", ".h": "C",
              ".cpp": "C++", ".cs": "C#", ".kt": "Kotlin", ".php": "PHP", ".ps1": "PowerShell", ".swift": "Swift",
              ".scala": "Scala"}


def code_summary(ext: str, text: str) -> dict[str, Any]:
    language = _LANGUAGES.get(ext, "source")
    names = list(dict.fromkeys(_DEFINITION.findall(text)))
    lines = text.count("\n") + 1
    shown = ", ".join(names[:MAX_LISTED]) or "none found"
    return {"kind": "code", "language": language, "line_count": lines, "definitions": names[:MAX_LISTED],
            "summary": f"{language} code, {lines} lines; definitions: {shown}"}


def _image_size(data: bytes, mime: str) -> tuple[int, int] | None:
    if mime == "image/png" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if mime == "image/gif" and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if mime == "image/jpeg":  # walk the segments to the first start-of-frame marker
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None


def image_summary(data: bytes, mime: str) -> dict[str, Any]:
    size = _image_size(data, mime)
    fmt = mime.split("/")[1].upper()
    info: dict[str, Any] = {"kind": "image", "format": fmt}
    if size:
        info["width"], info["height"] = size
    info["summary"] = f"{fmt} image" + (f", {size[0]}x{size[1]} pixels" if size else "")
    return info


def pdf_summary(data: bytes) -> dict[str, Any]:
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    return {"kind": "pdf", "page_count": pages, "summary": f"PDF document, about {pages} pages"}
