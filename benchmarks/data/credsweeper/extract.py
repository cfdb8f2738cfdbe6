"""Rebuild cases.json from a CredSweeper checkout: its test samples, labelled by the outputs its own tests assert.

    python <this file> <CredSweeper checkout> <commit>

CredSweeper's `tests/test_app.py` scans `tests/samples` under the settings listed in `tests/data/__init__.py` and
asserts the reports stored in `tests/data/*.json`: `output.json` with the default settings (its rules, its filters and
its ML validation), `no_ml.json` with the filters but no ML threshold, `no_filters_no_ml.json` with neither, `doc.json`
in its documentation mode with no ML threshold. Labels, per text sample (UTF-8, no NUL byte; archives, images and
other binaries are left out, as are samples with the same text as an earlier one):
- each finding of the default run is one secret, spanning the lines of its `line_data_list` (a PEM block, or the pair
  of an AWS or Google multi-part finding, is one secret found when any of its lines is); the same set of lines
  reported by two rules is counted once;
- lines that the no-ML or documentation-mode runs report but the default run does not are left out, neither secret
  nor negative: the authors' regexes and hand-written filters let them through and only the ML model (or its absence
  in documentation mode) decides, so they are not a clear label either way;
- every other line is a negative, including candidates that only the run without filters reports (the authors'
  filters reject them).
Decided before FaultMaven's sanitizer ran on any of them.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

Finding = list[tuple[int, str]]  # (reported line number, value) of each part of one finding


def reported(checkout: Path, name: str) -> dict[str, list[Finding]]:
    """Sample file name -> each finding's parts, from one of the stored outputs the tests assert."""
    out: dict[str, list[Finding]] = defaultdict(list)
    for finding in json.loads((checkout / "tests" / "data" / name).read_text()):
        for path in {data["path"] for data in finding["line_data_list"]}:
            parts = [(d["line_num"], d["value"]) for d in finding["line_data_list"] if d["path"] == path]
            out[path.removeprefix("./tests/samples/")].append(parts)
    return out


def value_lines(lines: list[str], line: int, value: str) -> set[int]:
    """The lines holding a reported value: the reported line, or for an XML element reported at its opening tag the
    first later line holding the value's first line; then, for a value that spans lines, the following lines whose
    text is part of it."""
    first = value.split("\n")[0].strip()
    start = next((n for n in range(line, len(lines) + 1) if first in lines[n - 1]), line)
    out = {start}
    for n in range(start + 1, len(lines) + 1 if "\n" in value else start + 1):
        text = lines[n - 1].strip(" \t\\\"',<>/")
        if not text or text not in value:
            break
        out.add(n)
    return out


def text_of(path: Path) -> str | None:
    """The sample's text, or None for a binary (not UTF-8, or holding a NUL byte)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\0" in text else text


def main(checkout: Path, commit: str) -> None:
    default = reported(checkout, "output.json")
    ambiguous = [reported(checkout, name) for name in ("no_ml.json", "doc.json")]
    cases, seen = [], set()
    for path in sorted((checkout / "tests" / "samples").iterdir()):
        text = text_of(path) if path.is_file() else None
        if text is None or not text.strip() or text in seen:
            continue
        seen.add(text)
        lines = text.splitlines()
        spans = sorted({tuple(sorted(set().union(*(value_lines(lines, n, value) for n, value in finding))))
                        for finding in default.get(path.name, [])})
        assert all(0 < n <= len(lines) for span in spans for n in span), path.name
        secret_lines = {n for span in spans for n in span}
        left_out = sorted({n for runs in ambiguous for finding in runs.get(path.name, [])
                           for line, value in finding for n in value_lines(lines, line, value)} - secret_lines)
        cases.append({"sample": path.name, "text": text, "secret_spans": [list(span) for span in spans],
                      "left_out_lines": left_out})
    about = {
        "source": f"https://github.com/Samsung/CredSweeper/tree/{commit}/tests/samples",
        "licence": "MIT, Copyright (c) 2021 SAMSUNG (see LICENSE here)",
        "labels": "The outputs CredSweeper's own tests assert on its samples (tests/data/*.json): each finding of the "
                  "default run (rules, filters, ML) is one secret spanning its lines; lines only the no-ML or "
                  "documentation-mode runs report are left out; every other line is a negative. Written by "
                  "extract.py before FaultMaven's sanitizer ran on them.",
    }
    Path(__file__).with_name("cases.json").write_text(json.dumps({"about": about, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
