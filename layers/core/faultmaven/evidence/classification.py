"""`source_type`: what kind of evidence a file is (logs, metrics, configuration, code, text, image).

A specific extension decides (`.log` is logs, `.yaml` configuration, `.py` code); otherwise (`.txt`, `.json`,
`.csv`, ...) the content decides, through the kind the log analysis detected (log, config, json, csv, text) plus
a check for metrics (time series tables, Prometheus exposition).
"""

from __future__ import annotations

import re

from faultmaven.evidence.sniffing import Sniffed
from faultmaven.ports.evidence import SourceType

_LOG_EXTENSIONS = {".log", ".out", ".err", ".trace", ".jsonl", ".ndjson"}
_CONFIG_EXTENSIONS = {".yaml", ".yml", ".toml", ".ini", ".conf", ".cfg", ".xml", ".tf", ".properties", ".env",
                      ".hcl"}
CODE_EXTENSIONS = {".py", ".js", ".ts", ".go", ".java", ".sh", ".bash", ".sql", ".rb", ".rs", ".c", ".h", ".cpp",
                   ".cs", ".kt", ".php", ".ps1", ".swift", ".scala"}
_TEXT_EXTENSIONS = {".md", ".html", ".htm", ".rst", ".pdf"}

_SAMPLE_LINES = 50
_PROMETHEUS = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?\s+[-+]?(?:\d|NaN|Inf)")
_TIME_COLUMN = re.compile(r"time|date|timestamp|^ts$|epoch", re.IGNORECASE)


def by_extension(ext: str, found: Sniffed) -> SourceType | None:
    """The source type the extension (or an image's bytes) settles, or None when the content must decide."""
    if found.kind == "image":
        return "image"
    if ext in _LOG_EXTENSIONS:
        return "logs"
    if ext in _CONFIG_EXTENSIONS:
        return "configuration"
    if ext in CODE_EXTENSIONS:
        return "code"
    if ext in _TEXT_EXTENSIONS or found.kind == "pdf":
        return "text"
    return None


def _sample(text: str) -> list[str]:
    return [ln for ln in text[:64 * 1024].splitlines() if ln.strip()][:_SAMPLE_LINES]


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def looks_like_prometheus(text: str) -> bool:
    lines = [ln for ln in _sample(text) if not ln.startswith("#")]
    return len(lines) >= 2 and sum(1 for ln in lines if _PROMETHEUS.match(ln)) >= 0.8 * len(lines)


def looks_like_metrics_table(text: str) -> bool:
    """A CSV/TSV with a time column whose other columns are mostly numbers."""
    lines = _sample(text)
    if len(lines) < 3:
        return False
    sep = "\t" if lines[0].count("\t") > lines[0].count(",") else ","
    header = [h.strip().strip('"') for h in lines[0].split(sep)]
    value_columns = [i for i, h in enumerate(header) if not _TIME_COLUMN.search(h)]
    if len(header) < 2 or len(value_columns) == len(header) or not value_columns:
        return False
    rows = [[c.strip().strip('"') for c in ln.split(sep)] for ln in lines[1:]]
    numeric = sum(1 for row in rows for i in value_columns if i < len(row) and _is_number(row[i]))
    return numeric >= 0.6 * len(rows) * len(value_columns)


def by_content(analysed_kind: str | None, text: str) -> SourceType:
    """The source type of text whose extension did not decide, from the kind its analysis detected."""
    if analysed_kind == "log":
        return "logs"
    if analysed_kind in ("config", "json"):
        return "configuration"
    if analysed_kind == "csv":
        return "metrics" if looks_like_metrics_table(text) else "text"
    return "metrics" if looks_like_prometheus(text) else "text"
