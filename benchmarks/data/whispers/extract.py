"""Rebuild cases.json from a whispers checkout: its test fixtures, labelled by what its own tests assert.

    cd <whispers checkout> && <python with whispers' dependencies> <this file> <whispers checkout> <commit>

whispers' `tests/unit/test_secrets.py` runs the tool on each fixture and states what it reports: the set of keys for
`test_detection_by_key` (default configuration) and, for `test_detection_by_value`
(`tests/configs/detection_by_value.yml`), the number of findings (a test parameter) and that every one is a value
holding "hardcoded". This script runs whispers the same way on the same files, checks that its findings (a value
reported by two rules counted once) are exactly those keys and counts, and takes them as the labels: each finding is one
secret, spanning its line and the following lines that hold the rest of a multi-line value (a private key). Findings of
rules that are not secrets (comments, credit-card numbers, CORS settings, dangerous functions, sensitive file names,
paths) and their lines are left out, neither secret nor negative; every other line of a fixture is a negative. Fixtures
with the same text are kept once. Decided before FaultMaven's sanitizer ran on any of them.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

NOT_SECRETS = {"Comment", "Credit Card", "Insecure CORS", "Dangerous Function", "Sensitive file", "Path"}


def asserted(test_file: Path) -> dict[str, tuple[str | None, object]]:
    """Fixture name -> (configuration file or None for the default, what the test asserts: key set or count)."""
    out: dict[str, tuple[str | None, object]] = {}
    for node in ast.walk(ast.parse(test_file.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name in ("test_detection_by_key", "test_detection_by_value"):
            for deco in node.decorator_list:
                params = ast.literal_eval(deco.args[1])
                for src, expected in params:
                    if node.name == "test_detection_by_key":
                        out[src] = (None, set(expected))
                    else:
                        out[src] = ("tests/configs/detection_by_value.yml", expected)
    return out


def span(lines: list[str], line: int, value: str) -> list[int]:
    """The finding's line and the following lines whose text is part of its (multi-line) value."""
    out = [line]
    for n in range(line + 1, len(lines) + 1):
        text = lines[n - 1].strip(" \t\\\"',<>/")
        if not text or text not in value:
            break
        out.append(n)
    return out


def locate(lines: list[str], line: int, value: str) -> int:
    """The reported line if it holds the value's first line, else the first line that does (whispers reports no line
    for a second finding on one line, and a wrong one for some JSON values), else the reported line."""
    first = value.strip().splitlines()[0].strip() if value.strip() else value
    if 0 < line <= len(lines) and first in lines[line - 1]:
        return line
    return next((n for n, text in enumerate(lines, 1) if first in text), line)


def main(checkout: Path, commit: str) -> None:
    sys.path.insert(0, str(checkout))
    from whispers import core
    from whispers.cli import parse_args

    cases, seen = [], set()
    for src, (config, expected) in asserted(checkout / "tests" / "unit" / "test_secrets.py").items():
        args = parse_args([f"tests/fixtures/{src}"])
        if config:
            args.config = core.load_config(config)
        # A value two rules report is one finding; whispers gives the second report on a line no line number.
        found = list(core.run(args))
        located = {(f.key, f.value) for f in found if f.line}
        findings = [f for f in found if f.line or (f.key, f.value) not in located]
        got = {f.key for f in findings} if isinstance(expected, set) else len(findings)
        assert got == expected, (src, got, expected)
        text = (checkout / "tests" / "fixtures" / src).read_text()
        if text in seen or not text.strip():
            continue
        seen.add(text)
        lines = text.splitlines()
        findings = [f._replace(line=locate(lines, f.line, f.value)) for f in findings]
        secrets = [span(lines, f.line, f.value) for f in findings if f.message not in NOT_SECRETS]
        left_out = sorted({f.line for f in findings if f.message in NOT_SECRETS})
        cases.append({"fixture": src, "text": text, "secret_spans": secrets, "left_out_lines": left_out})
    about = {
        "source": f"https://github.com/Skyscanner/whispers/tree/{commit}/tests/fixtures",
        "licence": "Apache-2.0, Copyright Skyscanner Ltd (see LICENSE here)",
        "labels": "What whispers' own tests assert on its fixtures (test_detection_by_key, test_detection_by_value): "
                  "each finding is one secret (its line and the lines holding the rest of its value); findings of "
                  "non-secret rules (comments, credit cards, CORS, dangerous functions, sensitive files, paths) are "
                  "left out; every other line is a negative. Written by extract.py before FaultMaven's sanitizer ran "
                  "on them.",
    }
    Path(__file__).with_name("cases.json").write_text(json.dumps({"about": about, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
