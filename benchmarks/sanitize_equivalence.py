"""A hash of the sanitized output per input, to show that a change to the sanitizer's machinery changes no output.

Inputs: the Loghub text the redaction benchmark times (whole, per file and per line, so both the long-text and the
short-text paths run), every `text` in tests/fixtures/sanitize/*.json and that folder's raw samples (CRLF, a log),
the benchmark's labelled corpora and runbooks, and its short payloads. Run it before a change (`--out
/tmp/before.json`) and after (`--check /tmp/before.json`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redaction import RUNBOOKS, SHORT_LOG, SHORT_PROSE, labelled_sets

from faultmaven.sanitize import Sanitizer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "sanitize"


def _texts_in(value: Any) -> Iterator[str]:
    """Every string under a `text` key of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from _texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts_in(item)


def inputs(data: Path) -> Iterator[tuple[str, str]]:
    """(name, text) for every input, in a stable order."""
    logs = sorted((data / "loghub-2k").glob("*/*_2k.log"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in logs]
    yield "loghub", "".join(texts)
    for path, text in zip(logs, texts, strict=True):
        yield f"loghub/{path.name}", text
        for n, line in enumerate(text.splitlines(keepends=True), 1):
            yield f"loghub/{path.name}:{n}", line
    for path in sorted(FIXTURES.glob("*.json")):
        for n, text in enumerate(_texts_in(json.loads(path.read_text()))):
            yield f"fixtures/{path.name}#{n}", text
    for path in sorted(FIXTURES.glob("*.*")):
        if path.suffix != ".json":  # a raw sample: CRLF line breaks, a log
            yield f"fixtures/{path.name}", path.read_bytes().decode("utf-8", "replace")
    for n, (cls, name, text, *_) in enumerate(labelled_sets(data)):
        yield f"labelled#{n} {cls[:20]} {name}", text
    for root in (RUNBOOKS[0], data / RUNBOOKS[1]):
        for path in sorted(root.rglob("*.md")):
            yield f"runbooks/{path.relative_to(root)}", path.read_text(encoding="utf-8", errors="replace")
    yield "short_log", SHORT_LOG
    yield "short_prose", SHORT_PROSE


def digests(data: Path) -> dict[str, str]:
    sanitizer = Sanitizer()
    out = {}
    for name, text in inputs(data):
        result = sanitizer.sanitize(text)
        out[name] = hashlib.sha256(f"{result.text}\0{sorted(result.summary.items())}".encode()).hexdigest()[:16]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, help="write the hashes here (JSON)")
    parser.add_argument("--check", type=Path, help="compare with hashes written earlier; exit 1 on any difference")
    args = parser.parse_args()
    if not (args.data / "loghub-2k").is_dir():
        parser.error(f"{args.data} lacks loghub-2k: point --data at the shared data folder")
    found = digests(args.data)
    if args.out:
        args.out.write_text(json.dumps(found, indent=0))
    if args.check:
        expected = json.loads(args.check.read_text())
        differ = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
        print(f"{len(found)} inputs, {len(differ)} differ", *differ[:20], sep="\n  ")
        return 1 if differ else 0
    print(f"{len(found)} inputs hashed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
