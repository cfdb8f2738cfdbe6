"""Rebuild cases.json from a secretlint checkout: its preset-recommend snapshots and the spans its authors flag.

    python benchmarks/data/secretlint/extract.py <secretlint checkout> <commit>

A snapshot's `output.json` records what secretlint's whole recommended rule set reports on its `input`: each report
is a span of lines (one line, or a whole PEM block or JSON key file). Every line outside the reported spans is a
negative. Whole snapshots are left out when their label is not a statement about the text (EXCLUDED); nothing is
relabelled line by line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SNAPSHOTS = "packages/@secretlint/secretlint-rule-preset-recommend/test/snapshots"
# Left out, decided from the snapshot names and texts before our sanitizer ran on them.
EXCLUDED = {
    "secretlint-rule-filter-comments/": "secrets silenced by secretlint's comment directives, not by their form",
    "secretlint-rule-basicauth/ng.basic-auth-ftps-url": "named as a finding but records none: contradicts itself",
    "secretlint-rule-basicauth/ok.database-urls-not-detected": "says another rule should find these URLs; none does",
}


def main(checkout: Path, commit: str) -> None:
    cases = []
    for out in sorted((checkout / SNAPSHOTS).glob("*/*/output.json")):
        name = str(out.parent.relative_to(checkout / SNAPSHOTS))
        if any(name.startswith(prefix) for prefix in EXCLUDED):
            continue
        if (out.parent / ".secretlintrc.json").exists():
            continue  # options change what is reported: the label is about the options, not the text
        record = json.loads(out.read_text())
        text = record.get("sourceContent")
        if not text:
            continue  # binary (PKCS#12) or empty inputs: not text a sanitizer sees
        n_lines = len(text.splitlines())
        spans = sorted({(m["loc"]["start"]["line"], min(n_lines, m["loc"]["end"]["line"])) for m in record["messages"]})
        cases.append({"snapshot": name, "text": text, "secret_spans": [list(s) for s in spans]})
    about = {
        "source": f"https://github.com/secretlint/secretlint/tree/{commit}/{SNAPSHOTS}",
        "licence": "MIT, Copyright (c) 2020 azu (see LICENSE here)",
        "labels": "secretlint's own snapshot outputs: each span its recommended rule set reports is one secret, every "
                  "line outside them is a negative. Written by extract.py before FaultMaven's sanitizer ran on them.",
        "excluded": {**EXCLUDED, "*/.secretlintrc.json": "snapshots run with rule options",
                     "*(no sourceContent)": "binary inputs"},
    }
    Path(__file__).with_name("cases.json").write_text(json.dumps({"about": about, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
