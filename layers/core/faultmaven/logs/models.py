"""The analysis of one uploaded file: what the copilot reads instead of the raw text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["log", "config", "csv", "json", "text"]


class TemplateSummary(BaseModel):
    template_id: int
    template: str
    count: int
    level: str = Field(description="most frequent level among the template's lines")
    example: str = Field(description="the first line seen with this template, truncated")
    first_seen: str | None = None
    last_seen: str | None = None


class TimelineBucket(BaseModel):
    start: str
    end: str
    count: int
    error_count: int
    burst: bool = Field(False, description="far more lines or errors than a typical bucket")


class Timeline(BaseModel):
    bucket_seconds: int
    buckets: list[TimelineBucket] = Field(default_factory=list)
    bursts: list[TimelineBucket] = Field(default_factory=list)


class Structure(BaseModel):
    """Shape of a non-log file: keys of a config or JSON document, columns of a CSV."""

    format: str
    keys: list[str] = Field(default_factory=list, description="top-level keys or sections, then dotted sub-keys")
    key_count: int = 0
    columns: list[str] = Field(default_factory=list)
    row_count: int | None = None
    note: str | None = None


class LogAnalysis(BaseModel):
    kind: Kind
    filename: str | None = None
    line_count: int
    binary_like: bool = False
    severity_counts: dict[str, int] = Field(default_factory=dict)
    inferred_levels: int = Field(0, description="lines whose level was guessed from words, not read from a header")
    first_timestamp: str | None = None
    last_timestamp: str | None = None
    first_error_at: str | None = None
    last_error_at: str | None = None
    structured_lines: int = Field(0, description="JSON or logfmt lines, read by field")
    attributes: dict[str, int] = Field(
        default_factory=dict, description="structured lines per field other than time, level and message"
    )
    templates: list[TemplateSummary] = Field(default_factory=list)
    template_count: int = 0
    timeline: Timeline | None = None
    structure: Structure | None = None
    summary: str
    line_templates: list[int] | None = Field(
        None, description="one template id per input line, in order (0 for blank lines); only when asked"
    )
