"""`faultmaven logs analyze FILE [--json] [--per-line] [--top N | --all]`: the analysis an uploaded file would get,
plus the entities an SRE looks for first (IPs, users, hosts, HTTP statuses). .gz, .zst and .bz2 files are read
transparently (unpacked to a temporary file, at most FM_MAX_DECOMPRESSED_BYTES)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from faultmaven.errors import DomainError
from faultmaven.logs import LogAnalysis, analyze_file
from faultmaven.logs.entities import Entities, count_entities

DEFAULT_TOP = 20
WIDTH = 160  # characters of a template or example line shown in the text report


def register(subparsers: argparse._SubParsersAction) -> None:
    logs = subparsers.add_parser("logs", help="analyse log and evidence files offline")
    actions = logs.add_subparsers(dest="logs_command", required=True)
    analyze = actions.add_parser("analyze", help="template mining, severities, timeline, entities and summary "
                                                 "of a file (.gz, .zst and .bz2 are unpacked)")
    analyze.add_argument("file", type=Path)
    analyze.add_argument("--json", action="store_true", help="print the analysis as JSON")
    analyze.add_argument("--per-line", action="store_true",
                         help="with --json, add line_templates: one template id per input line, in order")
    count = analyze.add_mutually_exclusive_group()
    count.add_argument("--top", type=int, default=DEFAULT_TOP, metavar="N",
                       help=f"list the N most telling templates and entities of each kind (default {DEFAULT_TOP})")
    count.add_argument("--all", action="store_true", help="list every template and entity")
    analyze.set_defaults(func=run_analyze)


@contextmanager
def readable(path: Path) -> Iterator[tuple[Path, str]]:
    """(a plain file to read, the name to analyse it under): a compressed file is unpacked to a temporary file."""
    from faultmaven.evidence.compression import compression_of, copy_decompressed, inner_name
    from faultmaven.settings import Settings

    with path.open("rb") as raw:
        kind = compression_of(raw.read(4))
        if kind is None:
            yield path, path.name
            return
        raw.seek(0)
        with tempfile.NamedTemporaryFile(prefix="faultmaven-", suffix=".log") as tmp:
            copy_decompressed(kind, raw, tmp.write, Settings().max_decompressed_bytes)
            tmp.flush()
            yield Path(tmp.name), inner_name(path.name)


def run_analyze(args: argparse.Namespace) -> int:
    from faultmaven.logs.decoding import open_text

    path: Path = args.file
    if not path.is_file():
        print(f"faultmaven logs analyze: no such file: {path}", file=sys.stderr)
        return 2
    if not args.all and args.top < 1:
        print("faultmaven logs analyze: --top must be at least 1", file=sys.stderr)
        return 2
    top = None if args.all else args.top
    try:
        with readable(path) as (plain, name):
            analysis = analyze_file(plain, filename=name, per_line=args.per_line and args.json, top=top)
            with open_text(plain) as fh:
                entities = count_entities((line.rstrip("\r\n") for line in fh), top=top)
    except DomainError as error:
        print(f"faultmaven logs analyze: {path}: {error.detail}", file=sys.stderr)
        return 2
    if args.json:
        body = analysis.model_dump(exclude_none=not args.per_line)
        body["entities"] = entities.model_dump()
        print(json.dumps(body, ensure_ascii=False))
    else:
        print(render(analysis, entities))
    return 0


def clip(text: str, width: int = WIDTH) -> str:
    """`text` on one line of at most `width` characters, ending in … when something was cut."""
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(a: LogAnalysis, entities: Entities | None = None) -> str:
    """A readable report: summary, levels, top templates, entities, timeline with bursts marked."""
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
                out.append(f"  #{t.template_id:<5} {t.count:>8,}  {t.level:<8} {clip(t.template)}")
                out.append(f"  {'':>15}  e.g. {clip(t.example)}")
        if entities is not None:
            out += entity_lines(entities)
        if a.timeline and a.timeline.buckets:
            out += ["", f"Timeline ({a.timeline.bucket_seconds}s buckets; * = burst):"]
            peak = max(b.count for b in a.timeline.buckets) or 1
            for b in a.timeline.buckets:
                bar = "#" * max(1 if b.count else 0, round(30 * b.count / peak))
                mark = "*" if b.burst else " "
                out.append(f" {mark}{b.start}  {b.count:>8,} lines {b.error_count:>6,} errors  {bar}")
    return "\n".join(out)


def entity_lines(e: Entities) -> list[str]:
    titles = {"ips": "IP addresses", "users": "Users", "hosts": "Hosts", "http_statuses": "HTTP statuses"}
    found = [(kind, getattr(e, kind)) for kind in titles if getattr(e, kind)]
    if not found:
        return []
    out = ["", "Entities:"]
    for kind, values in found:
        shown = ", ".join(f"{clip(v.value, 60)} ({v.count:,})" for v in values)
        more = e.distinct[kind] - len(values)
        out.append(f"  {titles[kind]}: {shown}" + (f" and {more:,} more" if more > 0 else ""))
    return out
