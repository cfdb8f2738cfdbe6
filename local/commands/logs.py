"""`faultmaven logs analyze FILE [--json] [--per-line]`: the analysis an uploaded file would get."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from faultmaven.logs import LogAnalysis, analyze_file


def register(subparsers: argparse._SubParsersAction) -> None:
    logs = subparsers.add_parser("logs", help="analyse log and evidence files offline")
    actions = logs.add_subparsers(dest="logs_command", required=True)
    analyze = actions.add_parser("analyze", help="template mining, severities, timeline and summary of a file")
    analyze.add_argument("file", type=Path)
    analyze.add_argument("--json", action="store_true", help="print the analysis as JSON")
    analyze.add_argument("--per-line", action="store_true",
                         help="with --json, add line_templates: one template id per input line, in order")
    analyze.set_defaults(func=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"faultmaven logs analyze: no such file: {path}", file=sys.stderr)
        return 2
    analysis = analyze_file(path, per_line=args.per_line and args.json)
    if args.json:
        print(json.dumps(analysis.model_dump(exclude_none=not args.per_line), ensure_ascii=False))
    else:
        print(render(analysis))
    return 0


def render(a: LogAnalysis) -> str:
    """A readable report: summary, levels, top templates, timeline with bursts marked."""
    out = [f"{a.filename or '(text)'}: {a.kind}, {a.line_count:,} lines", "", a.summary]
    if a.structure is not None:
        s = a.structure
        out += ["", f"Structure ({s.format}):"]
        if s.columns:
            out.append(f"  columns: {', '.join(s.columns)}")
            out.append(f"  rows: {s.row_count}")
        if s.keys:
            out += [f"  {k}" for k in s.keys]
    if a.kind == "log" or a.kind == "text":
        if a.severity_counts:
            out += ["", "Levels: " + ", ".join(f"{lvl} {n:,}" for lvl, n in a.severity_counts.items())]
        if a.templates:
            out += ["", f"Top templates ({len(a.templates)} of {a.template_count:,}):"]
            for t in a.templates:
                out.append(f"  #{t.template_id:<5} {t.count:>8,}  {t.level:<8} {t.template[:160]}")
                out.append(f"  {'':>15}  e.g. {t.example[:160]}")
        if a.timeline and a.timeline.buckets:
            out += ["", f"Timeline ({a.timeline.bucket_seconds}s buckets; * = burst):"]
            peak = max(b.count for b in a.timeline.buckets) or 1
            for b in a.timeline.buckets:
                bar = "#" * max(1 if b.count else 0, round(30 * b.count / peak))
                mark = "*" if b.burst else " "
                out.append(f" {mark}{b.start}  {b.count:>8,} lines {b.error_count:>6,} errors  {bar}")
    return "\n".join(out)
