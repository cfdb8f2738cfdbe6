"""The short paragraph a person (or the copilot) reads first."""

from __future__ import annotations

from faultmaven.logs.levels import ERROR_LEVELS
from faultmaven.logs.models import LogAnalysis

_QUOTE_CHARS = 120


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 3] + "..."


def summarize(a: LogAnalysis, structure_sentence: str | None) -> str:
    if a.line_count == 0:
        return "Empty file."
    parts: list[str] = []
    if a.binary_like:
        parts.append("The content looks binary (many control characters); the analysis below is of little use.")
    if structure_sentence and a.kind != "log":
        parts.append(structure_sentence)
        return " ".join(parts)
    span = f" from {a.first_timestamp} to {a.last_timestamp}" if a.first_timestamp else " without timestamps"
    parts.append(f"{a.kind.capitalize()} of {a.line_count:,} lines{span}, {a.template_count:,} distinct message "
                 f"templates.")
    if a.severity_counts:
        levels = ", ".join(f"{n:,} {lvl}" for lvl, n in a.severity_counts.items())
        note = f" ({a.inferred_levels:,} guessed from message words)" if a.inferred_levels else ""
        parts.append(f"Levels: {levels}{note}.")
    errors = sum(n for lvl, n in a.severity_counts.items() if lvl in ERROR_LEVELS)
    if errors:
        when = f", first at {a.first_error_at}, last at {a.last_error_at}" if a.first_error_at else ""
        parts.append(f"{errors:,} error lines{when}.")
        top = next((t for t in a.templates if t.level in ERROR_LEVELS), None)
        if top is not None:
            parts.append(f"Most frequent error: \"{_quote(top.template)}\" ({top.count:,}x).")
    if a.timeline and a.timeline.bursts:
        worst = max(a.timeline.bursts, key=lambda b: (b.error_count, b.count))
        parts.append(f"{len(a.timeline.bursts)} burst(s); the largest at {worst.start} "
                     f"({worst.count:,} lines, {worst.error_count:,} errors in {a.timeline.bucket_seconds}s).")
    return " ".join(parts)
