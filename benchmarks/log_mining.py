"""Log template mining benchmark: grouping accuracy and lines per second on Loghub-2k, ours against drain3.

Both miners get the same raw lines (the `*_2k.log` files as they are, line terminators removed) in the same run;
no per-system settings anywhere. Grouping accuracy is Loghub's: a line counts as correct when the set of lines in
its predicted group equals the set of lines in its ground-truth group (EventId in `*_structured.csv`).

    .venv/bin/python benchmarks/log_mining.py [--data ../shared/data/loghub-2k] [--repeat 3]

Ablations (same miner, one generic rule switched off) show which rules carry the accuracy.
"""

from __future__ import annotations

import argparse
import csv
import logging
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from faultmaven.logs import analyze_text
from faultmaven.logs.header import HeaderParser
from faultmaven.logs.masking import Masker
from faultmaven.logs.miner import TemplateMiner

SYSTEMS = ("HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "HPC", "Thunderbird", "OpenSSH")
PUBLISHED_DRAIN = {"HDFS": 0.998, "Hadoop": 0.948, "Spark": 0.920, "Zookeeper": 0.967, "BGL": 0.963, "HPC": 0.887,
                   "Thunderbird": 0.955, "OpenSSH": 0.788}
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub-2k"
RESULT = Path(__file__).resolve().parent / "results" / "log_mining.md"

Miner = Callable[[list[str]], list[object]]


def grouping_accuracy(predicted: Sequence[object], truth: Sequence[str]) -> float:
    pred_groups: dict[object, set[int]] = defaultdict(set)
    true_groups: dict[str, set[int]] = defaultdict(set)
    for i, (p, t) in enumerate(zip(predicted, truth, strict=True)):
        pred_groups[p].add(i)
        true_groups[t].add(i)
    correct = sum(1 for i in range(len(truth)) if pred_groups[predicted[i]] == true_groups[truth[i]])
    return correct / len(truth)


def load(data: Path, system: str) -> tuple[list[str], list[str]]:
    raw = (data / system / f"{system}_2k.log").read_text(encoding="utf-8", errors="replace")
    lines = [ln.rstrip("\r") for ln in raw.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    with (data / system / f"{system}_2k.log_structured.csv").open(encoding="utf-8", newline="") as fh:
        truth = [row["EventId"] for row in csv.DictReader(fh)]
    if len(truth) != len(lines):
        raise SystemExit(f"{system}: {len(lines)} log lines but {len(truth)} labels")
    return lines, truth


def ours(lines: list[str]) -> list[object]:
    """The full product path: analyze_text with the per-line mapping (also counts levels, timeline, summary)."""
    return list(analyze_text("\n".join(lines), per_line=True).line_templates or [])


def drain3_default(lines: list[str]) -> list[object]:
    from drain3 import TemplateMiner as Drain3

    miner = Drain3()  # drain3's defaults: depth 4, sim_th 0.4, no masking
    return [miner.add_log_message(line)["cluster_id"] for line in lines]


def _mine(lines: list[str], *, headers: bool, masking: bool) -> list[object]:
    parser, masker, miner = HeaderParser(default_year=2000), Masker(), TemplateMiner()
    out = []
    for line in lines:
        content = parser.parse(line).content if headers else line.strip()
        tokens = masker.tokens(content) if masking else content.split()
        out.append(miner.add(tokens).cluster_id)
    return out


def mining_only(lines: list[str]) -> list[object]:
    """The miner alone (header detection, masking, template tree), the work comparable to drain3's."""
    return _mine(lines, headers=True, masking=True)


ABLATIONS: dict[str, Miner] = {
    "no header detection": lambda lines: _mine(lines, headers=False, masking=True),
    "no variable masking": lambda lines: _mine(lines, headers=True, masking=False),
}


def timed(miner: Miner, lines: list[str], repeat: int) -> tuple[list[object], float]:
    """Predictions and the best lines/second over `repeat` runs (best-of filters out noise from other processes)."""
    best = float("inf")
    predicted: list[object] = []
    for _ in range(repeat):
        start = time.perf_counter()
        predicted = miner(lines)
        best = min(best, time.perf_counter() - start)
    return predicted, len(lines) / best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # drain3 logs every new cluster

    rows, ablation = [], {name: [] for name in ABLATIONS}
    for system in SYSTEMS:
        lines, truth = load(args.data, system)
        ours_pred, ours_speed = timed(ours, lines, args.repeat)
        mined, mine_speed = timed(mining_only, lines, args.repeat)
        d3_pred, d3_speed = timed(drain3_default, lines, args.repeat)
        if mined != ours_pred:
            raise SystemExit(f"{system}: the mining path and analyze_text disagree")
        rows.append((system, grouping_accuracy(ours_pred, truth), grouping_accuracy(d3_pred, truth),
                     mine_speed, ours_speed, d3_speed, len(set(ours_pred)), len(set(truth))))
        for name, miner in ABLATIONS.items():
            ablation[name].append(grouping_accuracy(miner(lines), truth))

    table = render(rows, ablation)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table + "\n" + NOTES, encoding="utf-8")
    return 0


def render(rows: list[tuple], ablation: dict[str, list[float]]) -> str:
    out = [
        "| system | ours | drain3 (defaults) | published Drain | ours miner lines/s | ours full analysis lines/s "
        "| drain3 lines/s | our templates | true templates |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for system, acc, d3, mine_speed, speed, d3_speed, n_pred, n_true in rows:
        out.append(f"| {system} | {acc:.3f} | {d3:.3f} | {PUBLISHED_DRAIN[system]:.3f} | {mine_speed:,.0f} | "
                   f"{speed:,.0f} | {d3_speed:,.0f} | {n_pred} | {n_true} |")
    mean = statistics.mean(r[1] for r in rows)
    d3_mean = statistics.mean(r[2] for r in rows)
    pub_mean = statistics.mean(PUBLISHED_DRAIN.values())
    lines = 2000 * len(rows)
    t_mine, t_full, t_d3 = (sum(2000 / r[i] for r in rows) for i in (3, 4, 5))
    out.append(f"| **mean** | **{mean:.3f}** | {d3_mean:.3f} | {pub_mean:.3f} | {lines / t_mine:,.0f} | "
               f"{lines / t_full:,.0f} | {lines / t_d3:,.0f} | | |")
    out.append("")
    out.append(f"Speed over all {lines:,} lines (best of runs, same process, interleaved): our miner "
               f"(header detection + masking + template tree, the work drain3 does) is **{t_d3 / t_mine:.2f}x** "
               f"drain3's speed; the full `analyze_text` (also levels, timestamps, timeline, per-template stats, "
               f"summary, per-line ids) is {t_d3 / t_full:.2f}x.")
    out.append("")
    out.append("Ablations (grouping accuracy, same miner with one generic rule off):")
    out.append("")
    out.append("| variant | " + " | ".join(SYSTEMS) + " | mean |")
    out.append("|---|" + "---:|" * (len(SYSTEMS) + 1))
    out.append("| full | " + " | ".join(f"{r[1]:.3f}" for r in rows) + f" | {mean:.3f} |")
    for name, accs in ablation.items():
        out.append(f"| {name} | " + " | ".join(f"{a:.3f}" for a in accs) + f" | {statistics.mean(accs):.3f} |")
    return "\n".join(out)


NOTES = """
Notes

- No per-system configuration: one header scanner, one masker and one miner (Drain-style tree, depth 4,
  similarity 0.5, the usual Drain values) for every file. No system name, field position or product-specific
  pattern appears in the code; the thresholds were not tuned per file.
- Generic rules that carry the accuracy (see the ablations):
  1. Header detection. Header tokens are classified as time-like (ISO 8601 and variants, syslog/ctime month-day,
     access-log, slash dates, compact `yymmdd hhmmss`, Unix epochs), number, separator, `[...]` group, level
     (`INFO`, `[warn]`, `<error>`, `level=debug`), `program[pid]:` / `component:`, or plain word. Time, level and
     program tokens are anchors; at most 3 plain words (host, facility, component) may sit between the last time
     token and a level, at most 1 (the host) before a `program:`; numbers, separators and groups right behind an
     anchor join the header; after a level, log4j-style `[thread]` groups, one `component:` and a ` - ` separator
     are skipped. Without this, timestamps, pids and hosts split clusters (mean 0.70, as drain3 on raw lines).
  2. Masking of value shapes inside tokens: URLs, UUIDs, MACs, IPv4[:port], 0x-hex and long hex, and every
     digit run (also inside identifiers such as `blk_123`, `node-7`, `core.2275`).
  3. Tokens that held a value route to the tree's `<*>` branch, so a variable first word does not split a template.
- Speed-only devices (no effect on the split): a header layout seen on 3 lines of a file (e.g. time time number
  LEVEL component:) becomes one regex tried before the token scan, used only for layouts closed by a level or a
  `program:` token and checked to split exactly like the scan; per-token mask cache; an exact repeat of an
  already-masked message goes straight to its template (this also keeps identical messages together, +0.005 on HPC).
  The miner finds where the header's time tokens are but does not convert them; the full analysis does (about a
  sixth of its time), together with level inference, the timeline and per-template statistics.
- Known limits, visible in the table: templates whose variable part spans a varying number of tokens split by
  length; two templates that differ in one word at the same length can merge (OpenSSH's `Received disconnect
  ... Bye Bye [preauth]` absorbs `... disconnected by user`, and Spark's `stored as bytes` / `stored as values`
  merge), which costs whole groups.
- Speed: pure Python, one core, measured while other jobs shared the machine; both miners are timed in the same
  process, interleaved, best of several runs, so the ratio is more trustworthy than the absolute numbers (load
  average was 13-16 on 2 cores; the miner's ratio was 1.06x and 1.28x in two consecutive runs).
"""


if __name__ == "__main__":
    sys.exit(main())
