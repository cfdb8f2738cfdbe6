"""Rebuild cases.json from a gitleaks checkout: the literal true and false positives its rules are validated with.

    python benchmarks/data/gitleaks/extract.py <gitleaks checkout> <commit>

Each rule in `cmd/generate/config/rules/*.go` lists `tps` (texts its authors say hold a secret) and `fps` (texts that
must not be reported). Only whole string literals are taken; samples built at run time (`secrets.NewSecret(...)`,
concatenations) are left out. A tps text is one secret (found when any of its lines is redacted); every line of an
fps text is a negative.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

RULES = "cmd/generate/config/rules"
_BLOCK = re.compile(r"\b([tf]ps)\s*(?::=\s*\[\]string\{|=\s*append\(\s*[tf]ps\s*,)")


def _literal_elements(src: str, start: int) -> tuple[list[str], int]:
    """The elements of the list opened just before `start` that are one string literal each, and the end offset."""
    elements, current, depth, i = [], [], 1, start
    while depth:
        ch = src[i]
        if ch == "`":
            end = src.index("`", i + 1)
            current.append(("lit", src[i + 1 : end]))
            i = end + 1
            continue
        if ch == '"':
            end = i + 1
            while src[end] != '"':
                end += 2 if src[end] == "\\" else 1
            current.append(("lit", ast.literal_eval(src[i : end + 1])))
            i = end + 1
            continue
        if src.startswith("//", i):
            i = src.index("\n", i)
            continue
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if (depth == 1 and ch == ",") or depth == 0:
            if len(current) == 1 and current[0][0] == "lit":
                elements.append(current[0][1])
            current = []
        elif not ch.isspace() and depth >= 1:
            current.append(("code", ch))
        i += 1
    return elements, i


def main(checkout: Path, commit: str) -> None:
    cases = []
    for path in sorted((checkout / RULES).glob("*.go")):
        src = path.read_text()
        for match in _BLOCK.finditer(src):
            texts, _ = _literal_elements(src, match.end())
            cases += [{"rule_file": path.name, "kind": match.group(1), "text": t} for t in texts if t.strip()]
    about = {
        "source": f"https://github.com/gitleaks/gitleaks/tree/{commit}/{RULES}",
        "licence": "MIT, Copyright (c) 2019 Zachary Rice (see LICENSE here)",
        "labels": "gitleaks' own rule validation samples: a `tps` text holds one secret, an `fps` text holds none. "
                  "Written by extract.py before FaultMaven's sanitizer ran on them.",
    }
    Path(__file__).with_name("cases.json").write_text(json.dumps({"about": about, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
