"""The analysis stored with each file and read by the copilot: `faultmaven.logs` for text (templates, severities
and timeline for logs; keys of a config, columns of a CSV), a structural summary for code, images and PDFs.
Analysis never blocks an upload: a failure is recorded as `failed` with a short summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from faultmaven.evidence.sniffing import Sniffed
from faultmaven.evidence.summaries import code_summary, image_summary, pdf_summary
from faultmaven.http.logging import logger
from faultmaven.logs import analyze_text
from faultmaven.ports.evidence import AnalysisStatus

# Stored analyses stay far below DynamoDB's 400 KB item limit; anything bigger keeps only its summary.
MAX_ANALYSIS_JSON_BYTES = 200_000
MAX_SUMMARY_CHARS = 500


@dataclass(frozen=True)
class FileAnalysis:
    status: AnalysisStatus
    summary: str
    data: dict[str, Any]

    @property
    def kind(self) -> str | None:
        return self.data.get("kind")


def _run(filename: str, ext: str, data: bytes, found: Sniffed, code: bool) -> dict[str, Any]:
    if found.kind == "image":
        return image_summary(data, found.mime)
    if found.kind == "pdf" or found.text is None:
        return pdf_summary(data)
    if code:
        return code_summary(ext, found.text)
    return analyze_text(found.text, filename=filename).model_dump(mode="json", exclude_none=True)


def _bounded(data: dict[str, Any], summary: str) -> dict[str, Any]:
    if len(json.dumps(data)) <= MAX_ANALYSIS_JSON_BYTES:
        return data
    return {"kind": data.get("kind"), "summary": summary, "truncated": True}


def analyze(filename: str, ext: str, data: bytes, found: Sniffed, *, code: bool = False) -> FileAnalysis:
    try:
        result = _run(filename, ext, data, found, code)
    except Exception as exc:  # a bug in an analyser must not lose the user's upload
        logger.warning("file analysis failed", extra={"error_type": type(exc).__name__})
        return FileAnalysis("failed", "The file was stored but could not be analysed.", {})
    summary = str(result.get("summary") or filename)[:MAX_SUMMARY_CHARS]
    return FileAnalysis("completed", summary, _bounded(result, summary))
