"""Writing a benchmark's results file: exactly the lines the run printed."""

from __future__ import annotations

from pathlib import Path


def write_results(out: Path, lines: list[str]) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")
    return 0
