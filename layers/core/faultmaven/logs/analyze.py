"""One streaming pass over a file's lines: header parsing, severity, template mining, timeline, structure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from faultmaven import clock
from faultmaven.logs.header import HeaderParser
from faultmaven.logs.levels import ERROR_LEVELS, UNKNOWN, WARN_LEVELS, infer_level
from faultmaven.logs.miner import TemplateMiner
from faultmaven.logs.models import LogAnalysis, TemplateSummary
from faultmaven.logs.options import DEFAULT, MiningOptions
from faultmaven.logs.structure import collector, describe, detect_kind, json_structure
from faultmaven.logs.summary import summarize
from faultmaven.logs.timeline import TimelineBuilder, iso_of

MAX_LINE_CHARS = 4096  # longer lines are cut: a minified blob must not cost more than a screenful
SAMPLE_CHARS = 64 * 1024
MAX_JSON_DOCUMENT_CHARS = 8 * 1024 * 1024
TOP_TEMPLATES = 20
MAX_ATTRIBUTE_KEYS = 50
EXAMPLE_CHARS = 300
_SAMPLE_LINES = 200
# Stack-trace and wrapped lines: they belong to the record above and inherit its level.
_CONTINUATION = re.compile(r"\s|at |Caused by|\.\.\. \d+ more|Traceback|File \"")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def analyze_text(
    text: str, *, filename: str | None = None, per_line: bool = False, options: MiningOptions = DEFAULT
) -> LogAnalysis:
    """Analyse text held in memory (an upload, a pasted log)."""
    json_text = text if len(text) <= MAX_JSON_DOCUMENT_CHARS else None
    return _analyze(_text_lines(text), text[:SAMPLE_CHARS], filename, per_line, json_text, options)


def analyze_file(
    path: str | Path, *, filename: str | None = None, per_line: bool = False, options: MiningOptions = DEFAULT
) -> LogAnalysis:
    """Analyse a file by streaming it; invalid UTF-8 is replaced, very long lines are cut."""
    path = Path(path)
    with path.open(encoding="utf-8", errors="replace", newline="\n") as fh:
        sample = fh.read(SAMPLE_CHARS)
        fh.seek(0)
        json_text = None
        if path.stat().st_size <= MAX_JSON_DOCUMENT_CHARS and sample.lstrip()[:1] in ("{", "["):
            json_text = fh.read()
            fh.seek(0)
        return _analyze(_file_lines(fh), sample, filename or path.name, per_line, json_text, options)


def _text_lines(text: str) -> Iterator[str]:
    start, length = 0, len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            end = length
        yield text[start : min(end, start + MAX_LINE_CHARS)].rstrip("\r")
        start = end + 1


def _file_lines(fh: TextIO) -> Iterator[str]:
    while True:
        line = fh.readline(MAX_LINE_CHARS)
        if not line:
            return
        if not line.endswith("\n"):
            rest = line
            while rest and not rest.endswith("\n"):  # skip the remainder of an over-long line
                rest = fh.readline(64 * 1024)
        yield line.rstrip("\n").rstrip("\r")


class _TemplateStats:
    __slots__ = ("example", "first", "last", "levels")

    def __init__(self, example: str) -> None:
        self.example = example[:EXAMPLE_CHARS]
        self.levels: dict[str, int] = {}
        self.first: float | None = None
        self.last: float | None = None


def _analyze(
    lines: Iterable[str],
    sample: str,
    filename: str | None,
    per_line: bool,
    json_text: str | None,
    options: MiningOptions,
) -> LogAnalysis:
    parser = HeaderParser(default_year=clock.now().year)
    sample_lines = [ln[:MAX_LINE_CHARS] for ln in sample.split("\n")[:_SAMPLE_LINES] if ln.strip()]
    log_like = sum(1 for ln in sample_lines if _is_log_like(parser, ln))
    kind, detail = detect_kind(sample, filename, log_like / len(sample_lines) if sample_lines else 0.0)
    binary_like = bool(sample) and len(_CONTROL.findall(sample[:8192])) > 0.05 * min(len(sample), 8192)
    shape = collector(kind, detail)

    masker = options.masker()
    miner = options.miner()
    timeline = TimelineBuilder()
    stats: dict[int, _TemplateStats] = {}
    severity: dict[str, int] = {}
    line_templates: list[int] | None = [] if per_line else None
    line_count = inferred = structured = 0
    attributes: dict[str, int] = {}
    first_ts = last_ts = first_err = last_err = None
    prev_level, prev_ts = UNKNOWN, None

    for line in lines:
        line_count += 1
        if shape is not None:
            shape.add(line)
        if not line or line.isspace():
            if line_templates is not None:
                line_templates.append(0)
            continue
        parsed = parser.parse(line)
        level, ts = parsed.level, parser.timestamp(parsed)
        if parsed.attributes is not None:
            structured += 1
            for key in parsed.attributes:
                if key in attributes or len(attributes) < MAX_ATTRIBUTE_KEYS:
                    attributes[key] = attributes.get(key, 0) + 1
        if level is None:
            if ts is None and prev_level != UNKNOWN and _CONTINUATION.match(line):
                level = prev_level
            else:
                level = infer_level(parsed.content)
                inferred += level != UNKNOWN
        severity[level] = severity.get(level, 0) + 1
        if ts is None:
            ts = prev_ts
        else:
            first_ts = ts if first_ts is None or ts < first_ts else first_ts
            last_ts = ts if last_ts is None or ts > last_ts else last_ts
        is_error = level in ERROR_LEVELS
        if ts is not None:
            timeline.add(ts, is_error)
            if is_error:
                first_err = ts if first_err is None or ts < first_err else first_err
                last_err = ts if last_err is None or ts > last_err else last_err
        cluster = miner.add(masker.tokens(parsed.content))
        st = stats.get(cluster.cluster_id)
        if st is None:
            st = stats[cluster.cluster_id] = _TemplateStats(line)
        st.levels[level] = st.levels.get(level, 0) + 1
        if ts is not None:
            st.first = ts if st.first is None or ts < st.first else st.first
            st.last = ts if st.last is None or ts > st.last else st.last
        if line_templates is not None:
            line_templates.append(cluster.cluster_id)
        prev_level, prev_ts = level, ts

    merged = miner.merge_varying(options.min_variants)
    if merged:
        _fold_stats(stats, merged)
        if line_templates is not None:
            line_templates = [merged.get(cid, cid) for cid in line_templates]
    templates = _top_templates(miner, stats)
    structure = None
    if kind == "json":
        structure = json_structure(json_text)
    elif shape is not None:
        structure = shape.structure()
    analysis = LogAnalysis(
        kind=kind,
        filename=filename,
        line_count=line_count,
        binary_like=binary_like,
        severity_counts=dict(sorted(severity.items(), key=lambda kv: -kv[1])),
        inferred_levels=inferred,
        first_timestamp=_iso(first_ts),
        last_timestamp=_iso(last_ts),
        first_error_at=_iso(first_err),
        last_error_at=_iso(last_err),
        structured_lines=structured,
        attributes=dict(sorted(attributes.items(), key=lambda kv: -kv[1])),
        templates=templates,
        template_count=len(miner.clusters),
        timeline=timeline.build(),
        structure=structure,
        summary="",
        line_templates=line_templates,
    )
    analysis.summary = summarize(analysis, describe(structure) if structure else None)
    return analysis


def _fold_stats(stats: dict[int, _TemplateStats], merged: dict[int, int]) -> None:
    """Move the statistics of templates folded into another one onto the survivor."""
    for old, new in merged.items():
        gone, into = stats.pop(old), stats[new]
        for level, n in gone.levels.items():
            into.levels[level] = into.levels.get(level, 0) + n
        if gone.first is not None and gone.last is not None:
            into.first = gone.first if into.first is None else min(into.first, gone.first)
            into.last = gone.last if into.last is None else max(into.last, gone.last)


def _is_log_like(parser: HeaderParser, line: str) -> bool:
    parsed = parser.parse(line)
    return parsed.level is not None or parser.timestamp(parsed) is not None


def _iso(ts: float | None) -> str | None:
    return None if ts is None else iso_of(ts)


def _dominant(levels: dict[str, int]) -> str:
    return max(levels.items(), key=lambda kv: kv[1])[0] if levels else UNKNOWN


def _top_templates(miner: TemplateMiner, stats: dict[int, _TemplateStats]) -> list[TemplateSummary]:
    """Error and warning templates first (most frequent first), then the most frequent of the rest."""

    by_id = {c.cluster_id: c for c in miner.clusters}

    def rank(cluster_id: int) -> tuple[int, int]:
        levels = stats[cluster_id].levels
        if any(lvl in ERROR_LEVELS for lvl in levels):
            tier = 0
        else:
            tier = 1 if any(lvl in WARN_LEVELS for lvl in levels) else 2
        return tier, -by_id[cluster_id].count

    chosen = sorted(stats, key=rank)[:TOP_TEMPLATES]
    return [
        TemplateSummary(
            template_id=cid,
            template=by_id[cid].template,
            count=by_id[cid].count,
            level=_dominant(stats[cid].levels),
            example=stats[cid].example,
            first_seen=_iso(stats[cid].first),
            last_seen=_iso(stats[cid].last),
        )
        for cid in chosen
    ]
