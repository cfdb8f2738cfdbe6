"""Rebuild cases.json from a Nosey Parker checkout: the examples its rules are tested with, labelled by its authors.

    python benchmarks/data/noseyparker/extract.py <noseyparker checkout> <commit>

Each rule in `crates/noseyparker/data/default/builtin/rules/*.yml` lists `examples` (texts the rule must match) and,
for some, `negative_examples` / `non_examples` (texts it must not match), and `categories`. Labels follow the
authors' categories: an example of a rule in the `secret` category is one secret (found when any of its lines is
redacted); examples of rules that are not secrets (`identifier`, plain `api`: account ids, client ids, hostnames) are
left out, neither secret nor negative; every line of a negative example is a negative. A text listed both as a
secret example and as a negative is kept as a secret. Decided before FaultMaven's sanitizer ran on any of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

RULES = "crates/noseyparker/data/default/builtin/rules"


def main(checkout: Path, commit: str) -> None:
    secrets: dict[str, str] = {}
    negatives: dict[str, str] = {}
    for path in sorted((checkout / RULES).glob("*.yml")):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            if "secret" in (rule.get("categories") or []):
                for text in rule.get("examples") or []:
                    secrets.setdefault(text, rule["id"])
            for text in (rule.get("negative_examples") or []) + (rule.get("non_examples") or []):
                negatives.setdefault(text, rule["id"])
    cases = [{"rule": rule, "kind": "example", "text": text} for text, rule in secrets.items() if text.strip()]
    cases += [{"rule": rule, "kind": "negative", "text": text} for text, rule in negatives.items()
              if text.strip() and text not in secrets]
    about = {
        "source": f"https://github.com/praetorian-inc/noseyparker/tree/{commit}/{RULES}",
        "licence": "Apache-2.0, Copyright 2022 Praetorian Security, Inc (see LICENSE and NOTICE here)",
        "labels": "Nosey Parker's own rule examples: an `example` of a rule in the `secret` category holds one secret; "
                  "a `negative` (negative_examples, non_examples) holds none; examples of rules outside the `secret` "
                  "category are left out. Written by extract.py before FaultMaven's sanitizer ran on them.",
    }
    Path(__file__).with_name("cases.json").write_text(json.dumps({"about": about, "cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
